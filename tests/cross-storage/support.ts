/**
 * The seed's deployment for tests: polygres with two storages, `postgres` (a fresh PostgreSQL
 * database) and `cassandra` (the test node), namespaces mapped as in the seed
 * (`identity`, `audit`, `file`, `coordinator` on PostgreSQL, `event` on Cassandra, PostgreSQL the
 * default). Each deployment gets its own keyspace prefix, so that runs sharing the Cassandra node
 * never see each other's tables; the physical rows of both storages can be read directly.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import cassandra from 'cassandra-driver';
import { cassandraTestNode, freshPostgresDatabase, probeCassandra, probePostgres, reportUnavailable, type FreshDatabase } from '../support/storages.js';
import { startServer, type RunningServer } from '../support/server.js';

/** A skip reason when PostgreSQL or Cassandra is unavailable (a failure under CI), else false. */
export async function skipUnlessBothStorages(): Promise<string | false> {
  const [pgWhy, cassandraWhy] = await Promise.all([probePostgres(), probeCassandra()]);
  if (pgWhy !== null) return reportUnavailable('PostgreSQL', pgWhy);
  if (cassandraWhy !== null) return reportUnavailable('Cassandra', `${cassandraWhy}; start one with \`node scripts/cassandra.mjs start\``);
  return false;
}

export const SEED_MAPPING = 'identity:postgres,audit:postgres,file:postgres,event:cassandra,coordinator:postgres';

export interface DeploymentOptions {
  /** `scalar.db.multi_storage.namespace_mapping` (default: the seed's). */
  readonly namespaceMapping?: string;
  readonly defaultStorage?: string;
  /** Keyspace prefix for Cassandra; '' to use namespace names as they are (ScalarDB interop). */
  readonly keyspacePrefix?: string;
  /** More properties (scalar.db.consensus_commit.*, polygres.*). */
  readonly properties?: Readonly<Record<string, string>>;
  /** Without a keyspace prefix: the keyspaces to drop at the end. */
  readonly keyspacesToDrop?: readonly string[];
}

/** Storages that outlive polygres processes: start, kill and restart servers on them. */
export class CrossStorageDeployment {
  private readonly servers: RunningServer[] = [];
  private cql: cassandra.Client | null = null;
  private direct: pg.Pool | null = null;

  private constructor(
    readonly database: FreshDatabase,
    readonly keyspacePrefix: string,
    private readonly options: DeploymentOptions,
  ) {}

  static async create(options: DeploymentOptions = {}): Promise<CrossStorageDeployment> {
    const database = await freshPostgresDatabase('polygres_xs', { collate: 'C' });
    const prefix = options.keyspacePrefix ?? `xs${randomBytes(4).toString('hex')}_`;
    return new CrossStorageDeployment(database, prefix, options);
  }

  /** The properties file of a polygres node on these storages. */
  properties(extra: Readonly<Record<string, string>> = {}): string {
    const props: Record<string, string> = {
      'scalar.db.storage': 'multi-storage',
      'scalar.db.multi_storage.storages': 'postgres,cassandra',
      'scalar.db.multi_storage.storages.postgres.storage': 'jdbc',
      'scalar.db.multi_storage.storages.postgres.contact_points': `jdbc:${this.database.url.replace(/^postgres(ql)?:\/\/[^@]*@/, 'postgresql://')}`,
      'scalar.db.multi_storage.storages.postgres.username': new URL(this.database.url).username || 'postgres',
      'scalar.db.multi_storage.storages.cassandra.storage': 'cassandra',
      'scalar.db.multi_storage.storages.cassandra.contact_points': cassandraTestNode.host,
      'scalar.db.multi_storage.storages.cassandra.contact_port': String(cassandraTestNode.port),
      'scalar.db.multi_storage.storages.cassandra.keyspace_prefix': this.keyspacePrefix,
      'scalar.db.multi_storage.namespace_mapping': this.options.namespaceMapping ?? SEED_MAPPING,
      'scalar.db.multi_storage.default_storage': this.options.defaultStorage ?? 'postgres',
      'scalar.db.cassandra.local_datacenter': 'datacenter1',
      ...this.options.properties,
      ...extra,
    };
    const password = new URL(this.database.url).password;
    if (password) props['scalar.db.multi_storage.storages.postgres.password'] = decodeURIComponent(password);
    return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
  }

  /** Starts a polygres node (bin/polygres.js) on these storages. */
  async start(options: { properties?: Readonly<Record<string, string>>; env?: Record<string, string>; nodeArgs?: readonly string[]; bin?: string } = {}): Promise<RunningServer> {
    const server = await startServer({ properties: this.properties(options.properties), env: options.env, nodeArgs: options.nodeArgs, bin: options.bin, startTimeoutMs: 120_000 });
    this.servers.push(server);
    return server;
  }

  /** The Cassandra keyspace holding a namespace. */
  keyspace(namespace: string): string {
    return `${this.keyspacePrefix}${namespace}`;
  }

  /** A CQL session on the test node, for reading physical rows. */
  async cassandra(): Promise<cassandra.Client> {
    if (!this.cql) {
      this.cql = new cassandra.Client({
        contactPoints: [cassandraTestNode.host],
        protocolOptions: { port: cassandraTestNode.port },
        localDataCenter: 'datacenter1',
        encoding: { useBigIntAsLong: true },
      });
      await this.cql.connect();
    }
    return this.cql;
  }

  /** A pool on the PostgreSQL database itself, for reading physical rows. */
  postgres(): pg.Pool {
    this.direct ??= new pg.Pool({ connectionString: this.database.url, max: 2 });
    return this.direct;
  }

  /** Physical rows of a Cassandra table (every column, ScalarDB's metadata included). */
  async cassandraRows(namespace: string, table: string): Promise<Record<string, unknown>[]> {
    const client = await this.cassandra();
    const r = await client.execute(`SELECT * FROM "${this.keyspace(namespace)}"."${table}"`, [], { consistency: cassandra.types.consistencies.serial });
    return r.rows.map((row) => Object.fromEntries(r.columns.map((c) => [c.name, row[c.name] as unknown])));
  }

  /** Physical rows of a PostgreSQL table (every column, ScalarDB's metadata included). */
  async postgresRows(namespace: string, table: string): Promise<Record<string, unknown>[]> {
    return (await this.postgres().query(`SELECT * FROM "${namespace}"."${table}"`)).rows as Record<string, unknown>[];
  }

  /** Stops every server still running, drops the database and this deployment's keyspaces. */
  async destroy(): Promise<void> {
    for (const s of this.servers) await s.stop().catch(() => {});
    await this.direct?.end().catch(() => {});
    const client = await this.cassandra();
    if (this.keyspacePrefix !== '') {
      const keyspaces = await client.execute('SELECT keyspace_name FROM system_schema.keyspaces');
      for (const row of keyspaces.rows) {
        const name = row.keyspace_name as string;
        if (name.startsWith(this.keyspacePrefix)) await client.execute(`DROP KEYSPACE IF EXISTS "${name}"`).catch(() => {});
      }
    }
    for (const name of this.options.keyspacesToDrop ?? []) await client.execute(`DROP KEYSPACE IF EXISTS "${name}"`).catch(() => {});
    await this.cql?.shutdown().catch(() => {});
    await this.database.drop();
  }
}

/** A pg client on a polygres node; errors of its socket are swallowed (crash tests kill the server). */
export async function connect(server: RunningServer): Promise<pg.Client> {
  const client = new pg.Client(server.connection());
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** The SQLSTATE of a failed promise (or 'no error'). */
export async function sqlStateOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

/** ScalarDB's record states (tx_state). */
export const TxState = { PREPARED: 1, DELETED: 2, COMMITTED: 3, ABORTED: 4 } as const;

/** Retries `check` until it returns true (recovery may finish in the background), failing after `timeoutMs`. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
