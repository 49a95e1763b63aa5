/**
 * Reaching the real storages that tests run against. A suite that needs a storage which is not
 * reachable says so loudly and skips; under CI (CI=true or POLYGRES_REQUIRE_STORAGES=1) a missing
 * storage is a failure instead, so a green CI run means every suite really ran.
 */
import pg from 'pg';
import cassandra from 'cassandra-driver';
import { randomBytes } from 'node:crypto';

export const storagesRequired = process.env.CI === 'true' || process.env.POLYGRES_REQUIRE_STORAGES === '1';

/** Admin connection to the PostgreSQL server used for tests (a fresh database is made per use). */
export const postgresAdminUrl = process.env.POLYGRES_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Returns why a storage is unavailable as a skip reason, or throws under CI. Call at suite start:
 * `const skip = await unavailable('postgres'); describe('...', { skip }, ...)`.
 */
export function reportUnavailable(storage: string, why: string): string {
  const message = `${storage} is not reachable (${why}): its suites DID NOT RUN`;
  if (storagesRequired) {
    throw new Error(`${message}; CI requires every storage`);
  }
  process.stderr.write(`\n${'!'.repeat(78)}\n!!! SKIPPED: ${message}\n${'!'.repeat(78)}\n\n`);
  return message;
}

let postgresProbe: Promise<string | null> | undefined;

/** null when the test PostgreSQL answers; otherwise the reason it does not. */
export function probePostgres(): Promise<string | null> {
  postgresProbe ??= (async () => {
    const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (e) {
      return (e as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresProbe;
}

/** A skip reason for node:test when PostgreSQL is unavailable (or throws under CI), else false. */
export async function skipUnlessPostgres(): Promise<string | false> {
  const why = await probePostgres();
  return why === null ? false : reportUnavailable('PostgreSQL', why);
}

export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates an empty database on the test PostgreSQL server; `drop` removes it. */
export async function freshPostgresDatabase(prefix = 'polygres_test', options: { collate?: string } = {}): Promise<FreshDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    const collate = options.collate ? ` TEMPLATE template0 LC_COLLATE '${options.collate}' LC_CTYPE '${options.collate}'` : '';
    await admin.query(`CREATE DATABASE "${name}"${collate}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: postgresAdminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The Cassandra node used for tests, `host:port` (POLYGRES_TEST_CASSANDRA, default 127.0.0.1:9042). */
export const cassandraTestNode = (() => {
  const address = process.env.POLYGRES_TEST_CASSANDRA ?? '127.0.0.1:9042';
  const colon = address.lastIndexOf(':');
  return colon < 0 ? { host: address, port: 9042 } : { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
})();

let cassandraProbe: Promise<string | null> | undefined;

/** null when the test Cassandra answers CQL; otherwise the reason it does not. */
export function probeCassandra(): Promise<string | null> {
  cassandraProbe ??= (async () => {
    const client = new cassandra.Client({
      contactPoints: [cassandraTestNode.host],
      protocolOptions: { port: cassandraTestNode.port },
      localDataCenter: 'datacenter1',
      socketOptions: { connectTimeout: 3000 },
    });
    try {
      await client.connect();
      await client.execute('SELECT release_version FROM system.local');
      return null;
    } catch (e) {
      return (e as Error).message.replace(/\s+/g, ' ');
    } finally {
      await client.shutdown().catch(() => {});
    }
  })();
  return cassandraProbe;
}

/** A skip reason for node:test when Cassandra is unavailable (or throws under CI), else false. */
export async function skipUnlessCassandra(): Promise<string | false> {
  const why = await probeCassandra();
  return why === null ? false : reportUnavailable('Cassandra', `${why}; start one with \`node scripts/cassandra.mjs start\``);
}
