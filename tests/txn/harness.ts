/**
 * The storages every transaction suite runs on: a SQLite file in a temp directory and a fresh
 * database on the test PostgreSQL. A suite is written once against TestStorage; adding a storage
 * (Cassandra) means adding a factory here, with no change to the suites.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { CassandraStorage } from '../../src/storage/cassandra.js';
import { SingleStorageRouter } from '../../src/storage/multi.js';
import type { Row, Storage, StorageRouter, TableMetadata, TableRef } from '../../src/storage/types.js';
import { ConsensusCommitManager } from '../../src/txn/manager.js';
import type { TransactionManagerConfig } from '../../src/txn/config.js';
import { cassandraTestNode, freshPostgresDatabase, skipUnlessCassandra, skipUnlessPostgres } from '../support/storages.js';

/** How to reach one test database, also from another process (crash tests). */
export type StorageSpec =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string }
  /** Keyspaces of this test get the prefix, so suites running at once never share one. */
  | { readonly kind: 'cassandra'; readonly keyspacePrefix: string };

/** Another connection to a test database; `name` makes it a storage (and atomicity unit) of its own. */
export function openStorage(spec: StorageSpec, poolSize = 4, name: string = spec.kind): Storage {
  switch (spec.kind) {
    case 'sqlite':
      return new SqliteStorage({ name, path: spec.path });
    case 'postgres':
      return new PostgresStorage({ name, connectionString: spec.url, poolSize });
    case 'cassandra':
      return new CassandraStorage({
        name,
        contactPoints: [cassandraTestNode.host],
        port: cassandraTestNode.port,
        keyspacePrefix: spec.keyspacePrefix,
        replication: { strategy: 'SimpleStrategy', factor: 1 },
      });
  }
}

/** Drops every keyspace a Cassandra test made (tables first: a namespace must be empty to drop). */
async function dropCassandraKeyspaces(spec: StorageSpec & { kind: 'cassandra' }): Promise<void> {
  const storage = openStorage(spec);
  try {
    for (const namespace of await storage.admin.listNamespaces()) {
      for (const table of await storage.admin.listTables(namespace)) await storage.admin.dropTable({ namespace, table }, { ifExists: true });
      await storage.admin.dropNamespace(namespace, { ifExists: true });
    }
  } finally {
    await storage.close();
  }
}

export interface TestStorage {
  readonly name: string;
  readonly spec: StorageSpec;
  readonly storage: Storage;
  readonly router: StorageRouter;
  /** A manager over this storage; closed by teardown. Coordinator tables exist already. */
  manager(config?: Partial<TransactionManagerConfig>): ConsensusCommitManager;
  /** Creates a transactional table (a fresh name per call keeps tests independent); returns its name. */
  createTable(user: Omit<TableMetadata, 'namespace' | 'table'> & { table?: string }): Promise<TableRef>;
  /** The physical record, metadata included. */
  physical(table: TableRef, partitionKey: Row[string][], clusteringKey?: Row[string][]): Promise<Row | null>;
  coordinatorRow(transactionId: string): Promise<Row | null>;
  teardown(): Promise<void>;
}

export interface StorageFactory {
  readonly name: string;
  readonly skip: string | false;
  setup(): Promise<TestStorage>;
}

export const NAMESPACE = 'txn_test';

let tableCounter = 0;

async function prepare(name: string, spec: StorageSpec, destroy: () => Promise<void>): Promise<TestStorage> {
  const storage = openStorage(spec);
  const router = new SingleStorageRouter(storage);
  const managers: ConsensusCommitManager[] = [];
  const base = new ConsensusCommitManager(router);
  await base.admin.createCoordinatorTables({ ifNotExists: true });
  await base.admin.createNamespace(NAMESPACE, { ifNotExists: true });
  managers.push(base);
  return {
    name,
    spec,
    storage,
    router,
    manager(config = {}) {
      const m = new ConsensusCommitManager(router, config);
      managers.push(m);
      return m;
    },
    async createTable(user) {
      const metadata: TableMetadata = {
        namespace: NAMESPACE,
        table: user.table ?? `t${process.pid}_${++tableCounter}`,
        columns: user.columns,
        partitionKey: user.partitionKey,
        clusteringKey: user.clusteringKey,
        secondaryIndexes: user.secondaryIndexes,
      };
      await base.admin.createTable(metadata);
      return { namespace: metadata.namespace, table: metadata.table };
    },
    physical(table, partitionKey, clusteringKey) {
      return storage.get({ namespace: table.namespace, table: table.table, partitionKey, ...(clusteringKey ? { clusteringKey } : {}) });
    },
    coordinatorRow(transactionId) {
      return storage.get({ namespace: 'coordinator', table: 'state', partitionKey: [transactionId] });
    },
    async teardown() {
      await Promise.allSettled(managers.map((m) => m.close()));
      await router.close();
      await destroy();
    },
  };
}

const sqliteRoot = mkdtempSync(join(tmpdir(), 'polygres-txn-'));
process.on('exit', () => rmSync(sqliteRoot, { recursive: true, force: true }));

const postgresSkip = await skipUnlessPostgres();
const cassandraSkip = await skipUnlessCassandra();
let cassandraSetups = 0;

export const STORAGE_FACTORIES: readonly StorageFactory[] = [
  {
    name: 'SQLite',
    skip: false,
    async setup() {
      const dir = mkdtempSync(join(sqliteRoot, 'db-'));
      return prepare('SQLite', { kind: 'sqlite', path: join(dir, 'data.sqlite') }, async () => rmSync(dir, { recursive: true, force: true }));
    },
  },
  {
    name: 'PostgreSQL',
    skip: postgresSkip,
    async setup() {
      // C collation: TEXT keys order by code point, as the transaction layer assumes (predicates.ts).
      const database = await freshPostgresDatabase('polygres_txn', { collate: 'C' });
      return prepare('PostgreSQL', { kind: 'postgres', url: database.url }, () => database.drop());
    },
  },
  {
    name: 'Cassandra',
    skip: cassandraSkip,
    async setup() {
      const spec = { kind: 'cassandra', keyspacePrefix: `t${process.pid}x${++cassandraSetups}_` } as const;
      return prepare('Cassandra', spec, () => dropCassandraKeyspaces(spec));
    },
  },
];

/** Retries a transaction body on 40001 until it commits (for workloads that expect contention). */
export async function withRetries<T>(manager: ConsensusCommitManager, body: (tx: ReturnType<ConsensusCommitManager['begin']>) => Promise<T>, maxAttempts = 200): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const tx = manager.begin();
    try {
      const result = await body(tx);
      await tx.commit();
      return result;
    } catch (e) {
      await tx.abort();
      if ((e as { code?: string }).code !== '40001' || attempt >= maxAttempts) throw e;
    }
  }
}
