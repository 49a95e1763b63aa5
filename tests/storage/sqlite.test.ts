import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { NotAppliedError, TransientStorageError } from '../../src/storage/errors.js';
import type { Mutation, TableMetadata } from '../../src/storage/types.js';
import { registerStorageConformance } from './conformance.js';

const root = mkdtempSync(join(tmpdir(), 'polygres-sqlite-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

registerStorageConformance({
  name: 'SQLite',
  skip: false,
  keepsNegativeZero: false,
  async open() {
    const dir = mkdtempSync(join(root, 'conformance-'));
    // A directory that does not exist yet: the storage creates it.
    const path = join(dir, 'nested', 'data.sqlite');
    return {
      storage: new SqliteStorage({ name: 'embedded', path }),
      openAnother: async () => new SqliteStorage({ path }),
      destroy: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

/** A table using every type, a mixed-order clustering key and two secondary indexes. */
const EVERY_TYPE: TableMetadata = {
  namespace: 'ns',
  table: 't',
  columns: [
    { name: 'p', type: 'INT' },
    { name: 'c1', type: 'INT' },
    { name: 'c2', type: 'TEXT' },
    { name: 'vs', type: 'TEXT' },
    { name: 'vi', type: 'INT' },
    { name: 'b', type: 'BOOLEAN' },
    { name: 'bi', type: 'BIGINT' },
    { name: 'f', type: 'FLOAT' },
    { name: 'd', type: 'DOUBLE' },
    { name: 'x', type: 'BLOB' },
    { name: 'dt', type: 'DATE' },
    { name: 'tm', type: 'TIME' },
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'tz', type: 'TIMESTAMPTZ' },
  ],
  partitionKey: ['p'],
  clusteringKey: [{ name: 'c1', order: 'ASC' }, { name: 'c2', order: 'DESC' }],
  secondaryIndexes: ['vs', 'vi'],
};

describe("SQLite on-storage layout is ScalarDB 3.16's (RdbEngineSqlite)", () => {
  let dir: string;
  let path: string;
  let storage: SqliteStorage;
  let raw: Database.Database;

  before(async () => {
    dir = mkdtempSync(join(root, 'layout-'));
    path = join(dir, 'data.sqlite');
    storage = new SqliteStorage({ path });
    await storage.admin.createNamespace('ns');
    await storage.admin.createTable(EVERY_TYPE);
    raw = new Database(path, { readonly: true });
  });
  after(async () => {
    raw.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sqlOf = (name: string) => (raw.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string } | undefined)?.sql;

  it('names a table "<namespace>$<table>" with ScalarDB\'s column types, key order and no clustering-order index', () => {
    // JdbcAdmin.createTableInternal: "CREATE TABLE " + name + "(" + columns joined by "," + ", PRIMARY KEY (" + keys joined by "," + "))"
    assert.equal(sqlOf('ns$t'),
      'CREATE TABLE "ns$t"("p" INT,"c1" INT,"c2" TEXT,"vs" TEXT,"vi" INT,"b" BOOLEAN,"bi" BIGINT,"f" FLOAT,"d" DOUBLE,"x" BLOB,'
      + '"dt" INT,"tm" BIGINT,"ts" BIGINT,"tz" BIGINT, PRIMARY KEY ("p","c1","c2"))');
    assert.equal(sqlOf('index_ns_t_vs'), 'CREATE INDEX "index_ns_t_vs" ON "ns$t" ("vs")');
    assert.equal(sqlOf('index_ns_t_vi'), 'CREATE INDEX "index_ns_t_vi" ON "ns$t" ("vi")');
    assert.equal(sqlOf('ns.t_clustering_order_idx'), undefined, 'RdbEngineSqlite creates no clustering-order index');
  });

  it('keeps metadata in "scalardb$metadata", one row per column in ordinal order', () => {
    assert.equal(sqlOf('scalardb$metadata'),
      'CREATE TABLE "scalardb$metadata"("full_table_name" TEXT,"column_name" TEXT,"data_type" TEXT NOT NULL,"key_type" TEXT,'
      + '"clustering_order" TEXT,"indexed" BOOLEAN NOT NULL,"ordinal_position" INTEGER NOT NULL,PRIMARY KEY ("full_table_name", "column_name"))');
    const rows = raw.prepare('SELECT * FROM "scalardb$metadata" ORDER BY ordinal_position').raw(true).all();
    assert.deepEqual(rows, [
      ['ns.t', 'p', 'INT', 'PARTITION', null, 0, 1],
      ['ns.t', 'c1', 'INT', 'CLUSTERING', 'ASC', 0, 2],
      ['ns.t', 'c2', 'TEXT', 'CLUSTERING', 'DESC', 0, 3],
      ['ns.t', 'vs', 'TEXT', null, null, 1, 4],
      ['ns.t', 'vi', 'INT', null, null, 1, 5],
      ['ns.t', 'b', 'BOOLEAN', null, null, 0, 6],
      ['ns.t', 'bi', 'BIGINT', null, null, 0, 7],
      ['ns.t', 'f', 'FLOAT', null, null, 0, 8],
      ['ns.t', 'd', 'DOUBLE', null, null, 0, 9],
      ['ns.t', 'x', 'BLOB', null, null, 0, 10],
      ['ns.t', 'dt', 'DATE', null, null, 0, 11],
      ['ns.t', 'tm', 'TIME', null, null, 0, 12],
      ['ns.t', 'ts', 'TIMESTAMP', null, null, 0, 13],
      ['ns.t', 'tz', 'TIMESTAMPTZ', null, null, 0, 14],
    ]);
  });

  it('registers namespaces in "scalardb$namespaces" (ScalarDB 4 layout; 3.16 has none)', () => {
    assert.equal(sqlOf('scalardb$namespaces'), 'CREATE TABLE "scalardb$namespaces"("namespace_name" TEXT, PRIMARY KEY ("namespace_name"))');
    assert.deepEqual(raw.prepare('SELECT namespace_name FROM "scalardb$namespaces" ORDER BY 1').raw(true).all(), [['ns'], ['scalardb']]);
  });

  it('stores values as ScalarDB does, except TIMESTAMP(TZ) in microseconds and NaN as text', async () => {
    await storage.mutate([{
      namespace: 'ns', table: 't', type: 'put', partitionKey: [1], clusteringKey: [2, 'k'],
      values: { b: true, bi: -5n, f: 0.5, d: NaN, x: new Uint8Array([1, 2]), dt: 19_000, tm: 1_500_000n, ts: 1_700_000_000_123_456n, tz: -1n },
    }]);
    const row = raw.prepare('SELECT typeof(b), b, typeof(f), f, typeof(d), d, typeof(x), hex(x), dt, tm, ts, tz FROM "ns$t"').raw(true).get();
    assert.deepEqual(row, [
      'integer', 1, // BOOLEAN: 1 / 0, as sqlite-jdbc's setBoolean
      'real', 0.5,
      'text', 'NaN', // SQLite would store NaN as NULL
      'blob', '0102',
      19_000, // DATE: days since 1970 (TimeRelatedColumnEncodingUtils)
      1_500_000_000, // TIME: nanoseconds of the day (TimeRelatedColumnEncodingUtils)
      1_700_000_000_123_456, // TIMESTAMP: microseconds; ScalarDB would store 1700000000123 (ms) here
      -1,
    ]);
  });

  it('refuses "$" in namespace and table names (it separates them)', async () => {
    await assert.rejects(storage.admin.createNamespace('a$b'), { code: '42602' });
    await assert.rejects(storage.admin.createTable({ ...EVERY_TYPE, table: 'a$b' }), { code: '42602' });
  });
});

describe('SQLite concurrency with other connections to the same file', () => {
  it('a write blocked by another connection past the busy timeout fails with a transient error and applies nothing', async () => {
    const dir = mkdtempSync(join(root, 'busy-'));
    const path = join(dir, 'data.sqlite');
    const storage = new SqliteStorage({ path, busyTimeoutMs: 50 });
    const other = new Database(path);
    try {
      const t: TableMetadata = { namespace: 'ns', table: 't', columns: [{ name: 'k', type: 'INT' }, { name: 'v', type: 'INT' }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] };
      await storage.admin.createNamespace('ns');
      await storage.admin.createTable(t);
      other.exec('BEGIN IMMEDIATE');
      await assert.rejects(storage.mutate([{ namespace: 'ns', table: 't', type: 'put', partitionKey: [1], values: { v: 1 } }]), (e: unknown) => {
        assert.ok(e instanceof TransientStorageError);
        assert.equal(e.code, '55P03');
        return true;
      });
      // Readers are not blocked by a writer in WAL mode.
      assert.equal(await storage.get({ namespace: 'ns', table: 't', partitionKey: [1] }), null);
      other.exec('COMMIT');
      await storage.mutate([{ namespace: 'ns', table: 't', type: 'put', partitionKey: [1], values: { v: 2 } }]);
      assert.deepEqual(await storage.get({ namespace: 'ns', table: 't', partitionKey: [1] }), { k: 1, v: 2 });
    } finally {
      other.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mutates requested together commit together, each all or nothing, as if one after another', async () => {
    const dir = mkdtempSync(join(root, 'group-'));
    const path = join(dir, 'data.sqlite');
    const storage = new SqliteStorage({ path });
    const other = new Database(path);
    try {
      const t: TableMetadata = { namespace: 'ns', table: 't', columns: [{ name: 'k', type: 'INT' }, { name: 'v', type: 'INT' }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] };
      await storage.admin.createNamespace('ns');
      await storage.admin.createTable(t);
      const insert = (k: number, v: number): Mutation => ({ namespace: 'ns', table: 't', type: 'put', partitionKey: [k], values: { v }, condition: { kind: 'ifNotExists' } });
      // Issued in one turn of the event loop, so committed as one group. Contender i inserts the
      // contested record 0 and a record of its own: exactly one contender applies, all of it.
      const contenders = 6;
      const results = await Promise.allSettled(Array.from({ length: contenders }, (_, i) => storage.mutate([insert(0, i), insert(100 + i, i)])));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(winners.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof NotAppliedError, String(r.reason));
      // Durable and visible to another connection once the mutates returned.
      const rows = other.prepare('SELECT k, v FROM "ns$t" ORDER BY k').raw(true).all();
      assert.deepEqual(rows, [[0, winners[0]], [100 + winners[0]!, winners[0]]]);
    } finally {
      other.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs in WAL mode, and a closed storage fails with 08003', async () => {
    const dir = mkdtempSync(join(root, 'pragmas-'));
    const storage = new SqliteStorage({ path: join(dir, 'data.sqlite') });
    try {
      const raw = new Database(join(dir, 'data.sqlite'));
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      raw.close();
      await storage.close();
      await assert.rejects(storage.get({ namespace: 'ns', table: 't', partitionKey: [1] }), { code: '08003' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite: a database written by ScalarDB 3.16 (no namespaces table) is read as is', () => {
  it('finds its namespaces, metadata, records and indexes, and can extend it', async () => {
    const dir = mkdtempSync(join(root, 'scalardb316-'));
    const path = join(dir, 'data.sqlite');
    // The statements JdbcAdmin 3.16 runs on SQLite for createTable(app.orders) and a few puts.
    const scalardb = new Database(path);
    scalardb.exec(`
      CREATE TABLE IF NOT EXISTS "scalardb$metadata"("full_table_name" TEXT,"column_name" TEXT,"data_type" TEXT NOT NULL,"key_type" TEXT,"clustering_order" TEXT,"indexed" BOOLEAN NOT NULL,"ordinal_position" INTEGER NOT NULL,PRIMARY KEY ("full_table_name", "column_name"));
      CREATE TABLE "app$orders"("id" INT,"seq" BIGINT,"note" TEXT,"at" BIGINT, PRIMARY KEY ("id","seq"));
      CREATE INDEX "index_app_orders_note" ON "app$orders" ("note");
      INSERT INTO "scalardb$metadata" VALUES ('app.orders','id','INT','PARTITION',NULL,FALSE,1);
      INSERT INTO "scalardb$metadata" VALUES ('app.orders','seq','BIGINT','CLUSTERING','DESC',FALSE,2);
      INSERT INTO "scalardb$metadata" VALUES ('app.orders','note','TEXT',NULL,NULL,TRUE,3);
      INSERT INTO "scalardb$metadata" VALUES ('app.orders','at','TIME',NULL,NULL,FALSE,4);
      INSERT INTO "app$orders" VALUES (1, 5, 'x', 3600000000000), (1, 7, 'y', NULL), (2, 1, 'x', 0);
    `);
    scalardb.close();
    const storage = new SqliteStorage({ path });
    try {
      const orders = { namespace: 'app', table: 'orders' };
      assert.deepEqual(await storage.admin.listNamespaces(), ['app']);
      assert.equal(await storage.admin.namespaceExists('app'), true);
      assert.deepEqual(await storage.admin.listTables('app'), ['orders']);
      assert.deepEqual((await storage.admin.getTableMetadata(orders))?.clusteringKey, [{ name: 'seq', order: 'DESC' }]);
      assert.deepEqual(await storage.scan({ ...orders, kind: 'partition', partitionKey: [1] }), [
        { id: 1, seq: 7n, note: 'y', at: null },
        { id: 1, seq: 5n, note: 'x', at: 3_600_000_000n },
      ]);
      assert.deepEqual((await storage.scan({ ...orders, kind: 'index', column: 'note', value: 'x' })).map((r) => r.id).sort(), [1, 2]);
      await storage.mutate([{ ...orders, type: 'put', partitionKey: [1], clusteringKey: [9n], values: { note: 'z' }, condition: { kind: 'ifNotExists' } }]);
      await storage.admin.createNamespace('more');
      assert.deepEqual(await storage.admin.listNamespaces(), ['app', 'more']);
      await rejects2BP01(storage.admin.dropNamespace('app'));
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function rejects2BP01(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, { code: '2BP01' });
}
