import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { FatalStorageError, NotAppliedError, StorageError, TransientStorageError, UnknownOutcomeError } from '../../src/storage/errors.js';
import type { Mutation, TableMetadata } from '../../src/storage/types.js';
import { freshPostgresDatabase, skipUnlessPostgres, type FreshDatabase } from '../support/storages.js';
import { registerStorageConformance } from './conformance.js';

const skip = await skipUnlessPostgres();

registerStorageConformance({
  name: 'PostgreSQL',
  skip,
  keepsNegativeZero: true,
  async open() {
    // C collation: TEXT keys order by code point, as in the other storages (see postgres.ts).
    const database = await freshPostgresDatabase('polygres_storage', { collate: 'C' });
    return {
      storage: new PostgresStorage({ name: 'pg', connectionString: database.url, poolSize: 4 }),
      openAnother: async () => new PostgresStorage({ connectionString: database.url, poolSize: 2 }),
      destroy: () => database.drop(),
    };
  },
});

const EVERY_TYPE: TableMetadata = {
  namespace: 'ns',
  table: 't',
  columns: [
    { name: 'p', type: 'INT' },
    { name: 'c1', type: 'INT' },
    { name: 'c2', type: 'TEXT' },
    { name: 'vs', type: 'TEXT' },
    { name: 'vi', type: 'INT' },
    { name: 'txt', type: 'TEXT' },
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

describe("PostgreSQL on-storage layout is ScalarDB 3.16's (RdbEnginePostgresql)", { skip }, () => {
  let database: FreshDatabase;
  let storage: PostgresStorage;
  let sql: pg.Client;

  before(async () => {
    database = await freshPostgresDatabase('polygres_layout');
    storage = new PostgresStorage({ connectionString: database.url, poolSize: 2 });
    await storage.admin.createNamespace('ns');
    await storage.admin.createTable(EVERY_TYPE);
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await storage?.close();
    await database?.drop();
  });

  const columnsOf = async (schema: string, table: string) => (await sql.query({
    text: `SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns
           WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    values: [schema, table],
    rowMode: 'array',
  })).rows;
  const indexesOf = async (schema: string) => (await sql.query({
    text: 'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
    values: [schema],
    rowMode: 'array',
  })).rows;

  it('maps a namespace to a schema and the types as RdbEnginePostgresql (TEXT keys and indexed TEXT as VARCHAR(10485760))', async () => {
    assert.deepEqual(await columnsOf('ns', 't'), [
      ['p', 'integer', null, 'NO'],
      ['c1', 'integer', null, 'NO'],
      ['c2', 'character varying', 10485760, 'NO'],
      ['vs', 'character varying', 10485760, 'YES'],
      ['vi', 'integer', null, 'YES'],
      ['txt', 'text', null, 'YES'],
      ['b', 'boolean', null, 'YES'],
      ['bi', 'bigint', null, 'YES'],
      ['f', 'real', null, 'YES'],
      ['d', 'double precision', null, 'YES'],
      ['x', 'bytea', null, 'YES'],
      ['dt', 'date', null, 'YES'],
      ['tm', 'time without time zone', null, 'YES'],
      ['ts', 'timestamp without time zone', null, 'YES'],
      ['tz', 'timestamp with time zone', null, 'YES'],
    ]);
  });

  it('creates the primary key, the mixed-order clustering index and index_<ns>_<table>_<column> indexes', async () => {
    assert.deepEqual(await indexesOf('ns'), [
      ['index_ns_t_vi', 'CREATE INDEX index_ns_t_vi ON ns.t USING btree (vi)'],
      ['index_ns_t_vs', 'CREATE INDEX index_ns_t_vs ON ns.t USING btree (vs)'],
      ['ns.t_clustering_order_idx', 'CREATE UNIQUE INDEX "ns.t_clustering_order_idx" ON ns.t USING btree (p, c1, c2 DESC)'],
      ['t_pkey', 'CREATE UNIQUE INDEX t_pkey ON ns.t USING btree (p, c1, c2)'],
    ]);
  });

  it('keeps metadata in scalardb.metadata as JdbcAdmin writes it', async () => {
    assert.deepEqual(await columnsOf('scalardb', 'metadata'), [
      ['full_table_name', 'character varying', 128, 'NO'],
      ['column_name', 'character varying', 128, 'NO'],
      ['data_type', 'character varying', 20, 'NO'],
      ['key_type', 'character varying', 20, 'YES'],
      ['clustering_order', 'character varying', 10, 'YES'],
      ['indexed', 'boolean', null, 'NO'],
      ['ordinal_position', 'integer', null, 'NO'],
    ]);
    const rows = (await sql.query({ text: 'SELECT * FROM scalardb.metadata ORDER BY ordinal_position', rowMode: 'array' })).rows;
    assert.deepEqual(rows, [
      ['ns.t', 'p', 'INT', 'PARTITION', null, false, 1],
      ['ns.t', 'c1', 'INT', 'CLUSTERING', 'ASC', false, 2],
      ['ns.t', 'c2', 'TEXT', 'CLUSTERING', 'DESC', false, 3],
      ['ns.t', 'vs', 'TEXT', null, null, true, 4],
      ['ns.t', 'vi', 'INT', null, null, true, 5],
      ['ns.t', 'txt', 'TEXT', null, null, false, 6],
      ['ns.t', 'b', 'BOOLEAN', null, null, false, 7],
      ['ns.t', 'bi', 'BIGINT', null, null, false, 8],
      ['ns.t', 'f', 'FLOAT', null, null, false, 9],
      ['ns.t', 'd', 'DOUBLE', null, null, false, 10],
      ['ns.t', 'x', 'BLOB', null, null, false, 11],
      ['ns.t', 'dt', 'DATE', null, null, false, 12],
      ['ns.t', 'tm', 'TIME', null, null, false, 13],
      ['ns.t', 'ts', 'TIMESTAMP', null, null, false, 14],
      ['ns.t', 'tz', 'TIMESTAMPTZ', null, null, false, 15],
    ]);
  });

  it('registers namespaces in scalardb.namespaces (ScalarDB 4 layout; 3.16 has none)', async () => {
    assert.deepEqual(await columnsOf('scalardb', 'namespaces'), [['namespace_name', 'character varying', 128, 'NO']]);
    assert.deepEqual((await sql.query({ text: 'SELECT namespace_name FROM scalardb.namespaces ORDER BY 1', rowMode: 'array' })).rows, [['ns'], ['scalardb']]);
  });

  it('stores values in the native PostgreSQL types, to the microsecond', async () => {
    await storage.mutate([{
      namespace: 'ns', table: 't', type: 'put', partitionKey: [1], clusteringKey: [2, 'k'],
      values: { b: true, bi: -5n, f: 0.5, d: -0, x: new Uint8Array([1, 2]), dt: -1, tm: 1_500_001n, ts: 1_700_000_000_123_456n, tz: -1n },
    }]);
    await sql.query("SET TimeZone = 'UTC'");
    const row = (await sql.query({ text: 'SELECT b::text, bi::text, f::text, d::text, encode(x, \'hex\'), dt::text, tm::text, ts::text, tz::text FROM ns.t', rowMode: 'array' })).rows[0];
    assert.deepEqual(row, ['true', '-5', '0.5', '-0', '0102', '1969-12-31', '00:00:01.500001', '2023-11-14 22:13:20.123456', '1969-12-31 23:59:59.999999+00']);
  });

  it('switches an indexed TEXT column to VARCHAR(10485760) and back, as JdbcAdmin does', async () => {
    await storage.admin.createIndex(EVERY_TYPE, 'txt');
    assert.deepEqual((await columnsOf('ns', 't')).find((c) => c[0] === 'txt'), ['txt', 'character varying', 10485760, 'YES']);
    assert.ok((await indexesOf('ns')).some(([name]) => name === 'index_ns_t_txt'));
    await storage.admin.dropIndex(EVERY_TYPE, 'txt');
    assert.deepEqual((await columnsOf('ns', 't')).find((c) => c[0] === 'txt'), ['txt', 'text', null, 'YES']);
    assert.ok(!(await indexesOf('ns')).some(([name]) => name === 'index_ns_t_txt'));
  });

  it('refuses names longer than 63 bytes, which PostgreSQL would silently truncate (42622)', async () => {
    const long = 'x'.repeat(64);
    await assert.rejects(storage.admin.createNamespace(long), { code: '42622' });
    await assert.rejects(storage.admin.createTable({ ...EVERY_TYPE, table: long }), { code: '42622' });
    await assert.rejects(storage.admin.addColumn(EVERY_TYPE, { name: long, type: 'INT' }), { code: '42622' });
  });

  it('drops the schema with the namespace, and adopts an existing unregistered schema', async () => {
    await storage.admin.createNamespace('extra');
    assert.equal((await sql.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = 'extra'")).rowCount, 1);
    await storage.admin.dropNamespace('extra');
    assert.equal((await sql.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = 'extra'")).rowCount, 0);
    assert.equal(await storage.admin.namespaceExists('public'), false);
    await storage.admin.createNamespace('public');
    assert.equal(await storage.admin.namespaceExists('public'), true);
  });
});

describe('PostgreSQL prepared statements', { skip }, () => {
  it("keep working when another process changes a column's type under them (TEXT to VARCHAR by an index)", async () => {
    const database = await freshPostgresDatabase('polygres_prepared', { collate: 'C' });
    const t: TableMetadata = { namespace: 'ps', table: 't', columns: [{ name: 'k', type: 'INT' }, { name: 'txt', type: 'TEXT' }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] };
    const storage = new PostgresStorage({ connectionString: database.url, poolSize: 1 });
    const other = new PostgresStorage({ connectionString: database.url, poolSize: 1 });
    try {
      await storage.admin.createNamespace('ps');
      await storage.admin.createTable(t);
      await storage.mutate([{ namespace: 'ps', table: 't', type: 'put', partitionKey: [1], values: { txt: 'a' } }]);
      const get = () => storage.get({ namespace: 'ps', table: 't', partitionKey: [1] });
      // Prepared on the storage's one connection, with txt as text...
      assert.deepEqual(await get(), { k: 1, txt: 'a' });
      assert.deepEqual(await storage.scan({ namespace: 'ps', table: 't', kind: 'all' }), [{ k: 1, txt: 'a' }]);
      // ...which another process turns into VARCHAR(10485760), and back.
      await other.admin.createIndex(t, 'txt');
      assert.deepEqual(await get(), { k: 1, txt: 'a' });
      assert.deepEqual(await storage.scan({ namespace: 'ps', table: 't', kind: 'all' }), [{ k: 1, txt: 'a' }]);
      await other.admin.dropIndex(t, 'txt');
      await storage.mutate([{ namespace: 'ps', table: 't', type: 'put', partitionKey: [1], values: { txt: 'b' }, condition: { kind: 'ifExists' } }]);
      assert.deepEqual(await get(), { k: 1, txt: 'b' });
    } finally {
      await other.close();
      await storage.close();
      await database.drop();
    }
  });
});

describe('PostgreSQL multi-mutations as one statement', { skip }, () => {
  it('a large multi-mutation (too long to be a prepared statement) applies all of it, or nothing', async () => {
    const database = await freshPostgresDatabase('polygres_large_mutation', { collate: 'C' });
    const t: TableMetadata = { namespace: 'lm', table: 't', columns: [{ name: 'k', type: 'INT' }, { name: 'v', type: 'TEXT' }, { name: 'n', type: 'BIGINT' }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] };
    const storage = new PostgresStorage({ connectionString: database.url, poolSize: 2 });
    try {
      await storage.admin.createNamespace('lm');
      await storage.admin.createTable(t);
      const records = 400;
      const put = (k: number, n: bigint, condition?: Mutation['condition']): Mutation => ({ namespace: 'lm', table: 't', type: 'put', partitionKey: [k], values: { v: `v${k}`, n }, ...(condition ? { condition } : {}) });
      const ifN = (n: bigint): Mutation['condition'] => ({ kind: 'if', predicates: [{ column: 'n', op: 'EQ', value: n }] });
      await storage.mutate(Array.from({ length: records }, (_, k) => put(k, 0n, { kind: 'ifNotExists' })));
      const total = async () => (await storage.scan({ namespace: 'lm', table: 't', kind: 'all' })).reduce((sum, r) => sum + (r.n as bigint), 0n);
      assert.equal(await total(), 0n);
      // The last record's condition fails: none of the 400 updates applies.
      await assert.rejects(storage.mutate(Array.from({ length: records }, (_, k) => put(k, 1n, ifN(k === records - 1 ? 5n : 0n)))), NotAppliedError);
      assert.equal(await total(), 0n);
      await storage.mutate(Array.from({ length: records }, (_, k) => put(k, 1n, ifN(0n))));
      assert.equal(await total(), BigInt(records));
      assert.equal((await storage.scan({ namespace: 'lm', table: 't', kind: 'all' })).length, records);
    } finally {
      await storage.close();
      await database.drop();
    }
  });
});

describe('PostgreSQL point reads on pipelined connections', { skip }, () => {
  it('reads sent together each get their own answer, and a failing read fails alone', async () => {
    const database = await freshPostgresDatabase('polygres_pipeline', { collate: 'C' });
    const t: TableMetadata = { namespace: 'pl', table: 't', columns: [{ name: 'k', type: 'INT' }, { name: 'v', type: 'TEXT' }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] };
    const gone: TableMetadata = { ...t, table: 'gone' };
    const storage = new PostgresStorage({ connectionString: database.url, poolSize: 2, pointReadConnections: 2 });
    const other = new PostgresStorage({ connectionString: database.url, poolSize: 1 });
    try {
      await storage.admin.createNamespace('pl');
      await storage.admin.createTable(t);
      await storage.admin.createTable(gone);
      const records = 50;
      await storage.mutate(Array.from({ length: records }, (_, k): Mutation => ({ namespace: 'pl', table: 't', type: 'put', partitionKey: [k], values: { v: `v${k}` } })));
      assert.equal(await storage.get({ namespace: 'pl', table: 'gone', partitionKey: [1] }), null);
      // Dropped behind the storage's back: its cached metadata still has the table.
      await other.admin.dropTable(gone);
      for (let round = 0; round < 3; round++) {
        const reads = Array.from({ length: 2 * records }, (_, k) => storage.get({ namespace: 'pl', table: 't', partitionKey: [k] }));
        // Several reads of the dropped table in one pipeline: the first preparation fails, and the
        // reads sent behind it under the same name fail as it does.
        const failing = Array.from({ length: 3 }, (_, k) => assert.rejects(storage.get({ namespace: 'pl', table: 'gone', partitionKey: [k] }), { code: '42P01' }));
        reads.push(...Array.from({ length: 20 }, (_, k) => storage.get({ namespace: 'pl', table: 't', partitionKey: [k], projection: ['v'] })));
        await Promise.all(failing);
        const rows = await Promise.all(reads);
        rows.forEach((row, i) => {
          const k = i < 2 * records ? i : i - 2 * records;
          const expected = i < 2 * records ? (k < records ? { k, v: `v${k}` } : null) : { v: `v${k}` };
          assert.deepEqual(row, expected, `read ${i}`);
        });
      }
    } finally {
      await other.close();
      await storage.close();
      await database.drop();
    }
  });
});

describe('PostgreSQL failures become typed storage errors', { skip }, () => {
  let database: FreshDatabase;
  let storage: PostgresStorage;
  let locker: pg.Client;
  let observer: pg.Client;
  const t: TableMetadata = { namespace: 'err', table: 't', columns: [{ name: 'k', type: 'INT' }, { name: 'v', type: 'INT' }], partitionKey: ['k'], clusteringKey: [], secondaryIndexes: [] };
  const putV = (k: number, v: number): Mutation => ({ namespace: 'err', table: 't', type: 'put', partitionKey: [k], values: { v } });

  before(async () => {
    database = await freshPostgresDatabase('polygres_errors');
    storage = new PostgresStorage({ connectionString: database.url, poolSize: 2 });
    await storage.admin.createNamespace('err');
    await storage.admin.createTable(t);
    await storage.mutate([putV(1, 1), putV(2, 2)]);
    locker = new pg.Client({ connectionString: database.url });
    observer = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await observer.connect();
  });
  after(async () => {
    await locker?.end();
    await observer?.end();
    await storage?.close();
    await database?.drop();
  });

  /** Waits until the storage's connection is blocked on a lock, then ends that session from the server side. */
  async function terminateBlockedSession(): Promise<void> {
    for (;;) {
      const { rows } = await observer.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'polygres' AND wait_event_type = 'Lock'",
      );
      if (rows.length > 0) {
        await observer.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function expectError(promise: Promise<unknown>, kind: new (...args: never[]) => StorageError, code: string): Promise<void> {
    await assert.rejects(promise, (e: unknown) => {
      assert.ok(e instanceof kind, `expected ${kind.name}, got ${String(e)}`);
      assert.equal((e as StorageError).code, code);
      return true;
    });
  }

  it('an unreachable server is a fatal 08001', async () => {
    const unreachable = new PostgresStorage({ host: '127.0.0.1', port: 1, user: 'postgres', database: 'postgres', poolSize: 1 });
    try {
      await expectError(unreachable.get({ namespace: 'err', table: 't', partitionKey: [1] }), FatalStorageError, '08001');
      await expectError(unreachable.mutate([putV(1, 1)]), FatalStorageError, '08001');
    } finally {
      await unreachable.close();
    }
  });

  it('a connection broken during a read is a fatal 08006', async () => {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE err.t IN ACCESS EXCLUSIVE MODE');
    // The expectation is attached before the failure happens, so the rejection is never unhandled.
    const read = expectError(storage.get({ namespace: 'err', table: 't', partitionKey: [1] }), FatalStorageError, '08006');
    await terminateBlockedSession();
    await read;
    await locker.query('ROLLBACK');
  });

  it('a connection broken during a multi-mutation (one statement) has an unknown outcome, and applied all or nothing', async () => {
    await locker.query('BEGIN');
    await locker.query('UPDATE err.t SET v = 20 WHERE k = 2');
    // The expectation is attached before the failure happens, so the rejection is never unhandled.
    const write = expectError(storage.mutate([putV(1, 100), putV(2, 200)]), UnknownOutcomeError, '40003');
    await terminateBlockedSession();
    await write;
    await locker.query('ROLLBACK');
    assert.deepEqual(await storage.get({ namespace: 'err', table: 't', partitionKey: [1] }), { k: 1, v: 1 });
  });

  it('a connection broken before COMMIT of a multi-mutation run statement by statement is transient and applied nothing', async () => {
    await locker.query('BEGIN');
    await locker.query('UPDATE err.t SET v = 20 WHERE k = 2');
    // A record mutated twice is not combined into one statement: this batch runs in a transaction.
    const write = expectError(storage.mutate([putV(1, 100), putV(2, 200), putV(2, 201)]), TransientStorageError, '08006');
    await terminateBlockedSession();
    await write;
    await locker.query('ROLLBACK');
    assert.deepEqual(await storage.get({ namespace: 'err', table: 't', partitionKey: [1] }), { k: 1, v: 1 });
  });

  it('a connection broken during a single (autocommit) write has an unknown outcome', async () => {
    await locker.query('BEGIN');
    await locker.query('UPDATE err.t SET v = 20 WHERE k = 2');
    // The expectation is attached before the failure happens, so the rejection is never unhandled.
    const write = expectError(storage.mutate([putV(2, 200)]), UnknownOutcomeError, '40003');
    await terminateBlockedSession();
    await write;
    await locker.query('ROLLBACK');
  });

  it('the storage recovers from broken connections', async () => {
    await storage.mutate([putV(3, 3)]);
    assert.deepEqual(await storage.get({ namespace: 'err', table: 't', partitionKey: [3] }), { k: 3, v: 3 });
  });

  it('a lock that cannot be taken is transient (55P03)', async () => {
    await locker.query('BEGIN');
    await locker.query('UPDATE err.t SET v = 20 WHERE k = 2');
    const impatient = new PostgresStorage({ connectionString: `${database.url}?options=-c%20lock_timeout%3D1`, poolSize: 1 });
    try {
      await expectError(impatient.mutate([putV(2, 200)]), TransientStorageError, '55P03');
    } finally {
      await impatient.close();
      await locker.query('ROLLBACK');
    }
  });
});

describe('PostgreSQL: a database written by ScalarDB 3.16 (no namespaces table) is read as is', { skip }, () => {
  it('finds its namespaces, metadata, records and indexes, and can extend it', async () => {
    const database = await freshPostgresDatabase('polygres_scalardb316');
    const scalardb = new pg.Client({ connectionString: database.url });
    await scalardb.connect();
    const storage = new PostgresStorage({ connectionString: database.url, poolSize: 2 });
    try {
      // The statements JdbcAdmin 3.16 runs on PostgreSQL for createNamespace(app), createTable(app.orders) and a few puts.
      await scalardb.query(`
        CREATE SCHEMA "app";
        CREATE SCHEMA IF NOT EXISTS "scalardb";
        CREATE TABLE IF NOT EXISTS "scalardb"."metadata"("full_table_name" VARCHAR(128),"column_name" VARCHAR(128),"data_type" VARCHAR(20) NOT NULL,"key_type" VARCHAR(20),"clustering_order" VARCHAR(10),"indexed" BOOLEAN NOT NULL,"ordinal_position" INTEGER NOT NULL,PRIMARY KEY ("full_table_name", "column_name"));
        CREATE TABLE "app"."orders"("id" INT,"seq" BIGINT,"tag" VARCHAR(10485760),"note" VARCHAR(10485760),"at" TIMESTAMP, PRIMARY KEY ("id","seq","tag"));
        CREATE UNIQUE INDEX "app.orders_clustering_order_idx" ON "app"."orders" ("id" ASC,"seq" DESC,"tag" ASC);
        CREATE INDEX "index_app_orders_note" ON "app"."orders" ("note");
        INSERT INTO "scalardb"."metadata" VALUES ('app.orders','id','INT','PARTITION',NULL,false,1);
        INSERT INTO "scalardb"."metadata" VALUES ('app.orders','seq','BIGINT','CLUSTERING','DESC',false,2);
        INSERT INTO "scalardb"."metadata" VALUES ('app.orders','tag','TEXT','CLUSTERING','ASC',false,3);
        INSERT INTO "scalardb"."metadata" VALUES ('app.orders','note','TEXT',NULL,NULL,true,4);
        INSERT INTO "scalardb"."metadata" VALUES ('app.orders','at','TIMESTAMP',NULL,NULL,false,5);
        INSERT INTO "app"."orders" VALUES (1, 5, 'a', 'x', '2024-02-29 12:00:00.123'), (1, 7, 'b', 'y', NULL), (2, 1, 'a', 'x', NULL);
      `);
      const orders = { namespace: 'app', table: 'orders' };
      assert.deepEqual(await storage.admin.listNamespaces(), ['app']);
      assert.equal(await storage.admin.namespaceExists('app'), true);
      assert.deepEqual(await storage.admin.listTables('app'), ['orders']);
      assert.deepEqual((await storage.admin.getTableMetadata(orders))?.clusteringKey, [{ name: 'seq', order: 'DESC' }, { name: 'tag', order: 'ASC' }]);
      assert.deepEqual(await storage.scan({ ...orders, kind: 'partition', partitionKey: [1] }), [
        { id: 1, seq: 7n, tag: 'b', note: 'y', at: null },
        { id: 1, seq: 5n, tag: 'a', note: 'x', at: 1_709_208_000_123_000n },
      ]);
      assert.deepEqual((await storage.scan({ ...orders, kind: 'index', column: 'note', value: 'x' })).map((r) => r.id).sort(), [1, 2]);
      await storage.mutate([{ ...orders, type: 'put', partitionKey: [1], clusteringKey: [9n, 'c'], values: { note: 'z' }, condition: { kind: 'ifNotExists' } }]);
      await storage.admin.createNamespace('more');
      assert.deepEqual(await storage.admin.listNamespaces(), ['app', 'more']);
      await assert.rejects(storage.admin.dropNamespace('app'), { code: '2BP01' });
    } finally {
      await storage.close();
      await scalardb.end();
      await database.drop();
    }
  });
});
