/**
 * The catalog's storage choices, without a real Cassandra: the SQL engine runs in this process on an
 * embedded SQLite file, with a storage directory that describes namespace `event` as a storage with
 * Cassandra's limits. New columns there get lossless storage types (recorded in the catalog), keys
 * the storage cannot hold are refused at the statement, and SHOW / polygres_schema_storage() report
 * the directory. (The same rules on a real Cassandra: sql-storages.test.ts.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { SingleStorageRouter } from '../../src/storage/multi.js';
import type { StorageCapabilities } from '../../src/storage/types.js';
import { ConsensusCommitManager } from '../../src/txn/index.js';
import { createSqlBackend } from '../../src/planner/backend.js';
import { chooseStorageType, columnStorageType } from '../../src/catalog/storage-mapping.js';
import type { StorageDirectory } from '../../src/catalog/storages.js';
import { Oid } from '../../src/types/oids.js';
import { PolygresInProcessTarget, type PolygresInstance } from '../sql/support/targets.js';

const CASSANDRA_LIMITS: StorageCapabilities = { timestampPrecisionMicros: false, timeOf24Hours: false, emptyPartitionKey: false };

describe('storage types chosen for a storage\'s limits', () => {
  test('time, timestamp and timestamptz become BIGINT where timestamps keep milliseconds; other types keep theirs', () => {
    assert.equal(chooseStorageType(Oid.timestamp, CASSANDRA_LIMITS), 'BIGINT');
    assert.equal(chooseStorageType(Oid.timestamptz, CASSANDRA_LIMITS), 'BIGINT');
    assert.equal(chooseStorageType(Oid.time, CASSANDRA_LIMITS), 'BIGINT');
    assert.equal(chooseStorageType(Oid.date, CASSANDRA_LIMITS), 'DATE');
    assert.equal(chooseStorageType(Oid.numeric, CASSANDRA_LIMITS), 'TEXT');
    assert.equal(chooseStorageType(Oid.int2, CASSANDRA_LIMITS), 'INT');
    assert.equal(chooseStorageType(Oid.timestamp, undefined), 'TIMESTAMP');
    assert.equal(chooseStorageType(Oid.time, { ...CASSANDRA_LIMITS, timeOf24Hours: true }), 'TIME');
  });

  test('a column recorded before the choice was kept has the default type', () => {
    assert.equal(columnStorageType({ type: { oid: Oid.timestamptz } }), 'TIMESTAMPTZ');
    assert.equal(columnStorageType({ type: { oid: Oid.timestamptz }, storageType: 'BIGINT' }), 'BIGINT');
  });
});

describe('the SQL engine with a schema on a storage with Cassandra\'s limits (in process, SQLite underneath)', () => {
  let dir: string;
  let router: SingleStorageRouter;
  let txm: ConsensusCommitManager;
  let sql: PolygresInProcessTarget;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'polygres-encoding-'));
    router = new SingleStorageRouter(new SqliteStorage({ path: join(dir, 'db.sqlite'), synchronous: 'NORMAL' }));
    txm = new ConsensusCommitManager(router);
    const storages: StorageDirectory = {
      mappedNamespaces: ['event'],
      systemNamespaces: ['coordinator'],
      storageOf: (namespace) =>
        namespace === 'event'
          ? { name: 'events', kind: 'cassandra', capabilities: CASSANDRA_LIMITS, assignedBy: 'namespace_mapping' }
          : { name: 'main', kind: 'sqlite', capabilities: undefined, assignedBy: 'default_storage' },
    };
    const backend = await createSqlBackend({ transactionManager: txm, storages });
    // open() uses only the backend of an instance it is given (and leaves closing it to the caller).
    sql = await PolygresInProcessTarget.open({ backend } as unknown as PolygresInstance);
  });

  after(async () => {
    await sql?.close();
    await txm?.close();
    await router?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = async (text: string) => {
    const [r] = await sql.run(text);
    return r!;
  };

  test('columns of a table in that schema are stored as BIGINT microseconds, and read back exactly', async () => {
    assert.equal((await run('CREATE SCHEMA event')).error, null);
    assert.equal((await run('CREATE TABLE event.clock (at timestamptz PRIMARY KEY, tm time, d date)')).error, null);
    assert.equal((await run('CREATE TABLE public.clock (at timestamptz PRIMARY KEY, tm time, d date)')).error, null);
    const event = await txm.admin.getTableMetadata({ namespace: 'event', table: 'clock' });
    assert.deepEqual(event?.columns.map((c) => c.type), ['BIGINT', 'BIGINT', 'DATE']);
    const main = await txm.admin.getTableMetadata({ namespace: 'public', table: 'clock' });
    assert.deepEqual(main?.columns.map((c) => c.type), ['TIMESTAMPTZ', 'TIME', 'DATE']);
    assert.equal((await run("INSERT INTO event.clock VALUES ('2024-01-01 00:00:00.000001+00', '24:00:00', '2024-01-01')")).error, null);
    const r = await run("SELECT at, tm FROM event.clock WHERE at > '2024-01-01 00:00:00+00'");
    assert.deepEqual(r.rows, [['2024-01-01 00:00:00.000001+00', '24:00:00']]);
  });

  test('an empty one-column text key is refused with 0A000 naming the table, the column and the storage', async () => {
    await run('CREATE TABLE event.tags (name text PRIMARY KEY)');
    const r = await run("INSERT INTO event.tags VALUES ('')");
    assert.equal(r.error?.code, '0A000');
    assert.match(r.error!.message, /table "tags" on storage "events" \(cassandra\)/);
    assert.match(r.error!.detail ?? '', /Column "name"/);
    await run('CREATE TABLE event.users (id int PRIMARY KEY, email text UNIQUE)');
    const u = await run("INSERT INTO event.users VALUES (1, '')");
    assert.equal(u.error?.code, '0A000');
    assert.match(u.error!.message, /unique index "users_email_key"/);
    assert.equal((await run("INSERT INTO public.clock (at) VALUES ('2024-01-01')")).error, null, 'other storages are not affected');
  });

  test('SHOW polygres.storages and polygres_schema_storage() report the directory', async () => {
    const show = await run('SHOW polygres.storages');
    assert.deepEqual(show.rows, [
      ['event', 'event', 'events', 'cassandra', 'namespace_mapping'],
      ['public', 'public', 'main', 'sqlite', 'default_storage'],
      [null, 'coordinator', 'main', 'sqlite', 'default_storage'],
      [null, 'polygres_system', 'main', 'sqlite', 'default_storage'],
    ]);
    const f = await run("SELECT polygres_schema_storage('event'), polygres_schema_storage('nowhere'), polygres_schema_storage('information_schema')");
    assert.deepEqual(f.rows, [['events', 'main', null]]);
  });
});
