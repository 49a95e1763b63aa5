/**
 * Multi-storage through SQL, on the seed's configuration: a schema's tables live in the storage its
 * namespace is mapped to (else the default storage), every SQL type keeps its exact value on
 * Cassandra too, what Cassandra cannot store is refused cleanly at the statement, and where
 * everything lives can be asked in SQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { startServer } from '../support/server.js';
import { CrossStorageDeployment, connect, skipUnlessBothStorages, sqlStateOf } from './support.js';

const skip = await skipUnlessBothStorages();

describe('multi-storage schemas through SQL (PostgreSQL + Cassandra)', { skip, concurrency: 1 }, () => {
  let deployment: CrossStorageDeployment;
  let client: pg.Client;

  before(async () => {
    deployment = await CrossStorageDeployment.create();
    const server = await deployment.start();
    client = await connect(server);
    await client.query('CREATE SCHEMA identity');
    await client.query('CREATE SCHEMA event');
  });

  after(async () => {
    await client?.end().catch(() => {});
    await deployment?.destroy();
  });

  test('SHOW polygres.storages lists every schema and system namespace with its storage', async () => {
    const r = await client.query('SHOW polygres.storages');
    assert.deepEqual(r.fields.map((f) => f.name), ['schema', 'namespace', 'storage', 'kind', 'assigned_by']);
    assert.deepEqual(r.rows, [
      { schema: 'event', namespace: 'event', storage: 'cassandra', kind: 'cassandra', assigned_by: 'namespace_mapping' },
      { schema: 'identity', namespace: 'identity', storage: 'postgres', kind: 'postgres', assigned_by: 'namespace_mapping' },
      { schema: 'public', namespace: 'public', storage: 'postgres', kind: 'postgres', assigned_by: 'default_storage' },
      { schema: null, namespace: 'audit', storage: 'postgres', kind: 'postgres', assigned_by: 'namespace_mapping' },
      { schema: null, namespace: 'coordinator', storage: 'postgres', kind: 'postgres', assigned_by: 'namespace_mapping' },
      { schema: null, namespace: 'file', storage: 'postgres', kind: 'postgres', assigned_by: 'namespace_mapping' },
      { schema: null, namespace: 'polygres_system', storage: 'postgres', kind: 'postgres', assigned_by: 'default_storage' },
    ]);
  });

  test('polygres_schema_storage() names the storage of a schema, or of one not created yet', async () => {
    const r = await client.query(
      "SELECT polygres_schema_storage('event') AS event, polygres_schema_storage('identity') AS identity, polygres_schema_storage('audit') AS audit, polygres_schema_storage('elsewhere') AS elsewhere, polygres_schema_storage('pg_catalog') AS builtin",
    );
    assert.deepEqual(r.rows[0], { event: 'cassandra', identity: 'postgres', audit: 'postgres', elsewhere: 'postgres', builtin: null });
  });

  test('a table goes to its schema\'s storage; the catalog and the coordinator stay where the configuration puts them', async () => {
    await client.query('CREATE TABLE identity.users (id int PRIMARY KEY, name text)');
    await client.query('CREATE TABLE event.events (id bigint PRIMARY KEY, kind text)');
    const pgTables = await deployment.postgres().query(
      "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('identity', 'event', 'coordinator', 'polygres_system') ORDER BY 1",
    );
    assert.deepEqual(pgTables.rows.map((r: { t: string }) => r.t), [
      'coordinator.state',
      'identity.users',
      'polygres_system.catalog_objects',
      'polygres_system.catalog_version',
      'polygres_system.sequence_values',
    ]);
    const cql = await deployment.cassandra();
    const cassandraTables = await cql.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [deployment.keyspace('event')]);
    assert.deepEqual(cassandraTables.rows.map((r) => r.table_name as string), ['events']);
    await client.query("INSERT INTO event.events VALUES (1, 'login')");
    assert.deepEqual((await deployment.cassandraRows('event', 'events')).map((r) => [r.id, r.kind, r.tx_state]), [[1n, 'login', 3]]);
  });

  test('timestamp, timestamptz and time keep microseconds and 24:00:00 on Cassandra (stored as BIGINT microseconds)', async () => {
    const ddl = (schema: string) => `CREATE TABLE ${schema}.clock (at timestamp, tz timestamptz, tm time, note text, PRIMARY KEY (at, tm)) WITH (partition_key = 'at')`;
    await client.query(ddl('identity'));
    await client.query(ddl('event'));
    const rows = [
      ["'2024-01-01 12:00:00.123456'", "'2024-01-01 12:00:00.123456+09'", "'24:00:00'", "'end of day'"],
      ["'2024-01-01 12:00:00.123456'", "'1999-12-31 23:59:59.999999+00'", "'00:00:00.000001'", "'first micro'"],
      ["'1900-02-28 00:00:00.5'", "'4000-01-01 00:00:00.000007+00'", "'12:30:00.25'", "'far'"],
      ["'2024-01-01 12:00:00.123457'", 'NULL', "'13:00:00'", "'next micro'"],
    ];
    for (const schema of ['identity', 'event']) {
      for (const r of rows) await client.query(`INSERT INTO ${schema}.clock VALUES (${r.join(', ')})`);
    }
    const queries = [
      (s: string) => `SELECT * FROM ${s}.clock ORDER BY at, tm`,
      (s: string) => `SELECT note FROM ${s}.clock WHERE at = '2024-01-01 12:00:00.123456' AND tm > '00:00:00' ORDER BY tm`,
      (s: string) => `SELECT note FROM ${s}.clock WHERE at = '2024-01-01 12:00:00.123456' AND tm = '24:00:00'`,
      (s: string) => `SELECT note FROM ${s}.clock WHERE tz > '1999-12-31 23:59:59.999998+00' AND tz < '1999-12-31 23:59:59.999999+00'`,
      (s: string) => `SELECT note FROM ${s}.clock WHERE tz = '2000-01-01 08:59:59.999999+09'`,
      (s: string) => `SELECT count(*) FROM ${s}.clock WHERE at > '2024-01-01 12:00:00.123456'`,
    ];
    for (const q of queries) {
      assert.deepEqual((await client.query(q('event'))).rows, (await client.query(q('identity'))).rows, q('event'));
    }
    assert.equal((await client.query("SELECT tm::text FROM event.clock WHERE note = 'end of day'")).rows[0].tm, '24:00:00');
    const cql = await deployment.cassandra();
    const types = await cql.execute('SELECT column_name, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [deployment.keyspace('event'), 'clock']);
    const typeOf = Object.fromEntries(types.rows.map((r) => [r.column_name as string, r.type as string]));
    assert.deepEqual([typeOf.at, typeOf.tz, typeOf.tm, typeOf.before_tz], ['bigint', 'bigint', 'bigint', 'bigint']);
    const pgTypes = await deployment.postgres().query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'identity' AND table_name = 'clock' AND column_name IN ('at', 'tz', 'tm') ORDER BY column_name",
    );
    assert.deepEqual(pgTypes.rows.map((r: { data_type: string }) => r.data_type), ['timestamp without time zone', 'time without time zone', 'timestamp with time zone']);
  });

  test('a column added later and a unique index on Cassandra use the lossless encoding too', async () => {
    await client.query('CREATE TABLE event.sessions (id int PRIMARY KEY, token text)');
    await client.query('ALTER TABLE event.sessions ADD COLUMN opened timestamptz');
    await client.query('CREATE UNIQUE INDEX sessions_opened ON event.sessions (opened)');
    await client.query("INSERT INTO event.sessions VALUES (1, 'a', '2024-05-05 05:05:05.050505+00'), (2, 'b', '2024-05-05 05:05:05.050506+00')");
    assert.equal(
      await sqlStateOf(client.query("INSERT INTO event.sessions VALUES (3, 'c', '2024-05-05 05:05:05.050505+00')")),
      '23505',
      'the unique index tells microseconds apart',
    );
    const r = await client.query("SELECT id, opened::text FROM event.sessions WHERE opened >= '2024-05-05 05:05:05.050506+00'");
    assert.deepEqual(r.rows, [{ id: 2, opened: '2024-05-05 05:05:05.050506+00' }]);
    // Both encodings are bigint: changing timestamptz to timestamp keeps the values.
    await client.query('ALTER TABLE event.sessions ALTER COLUMN opened TYPE timestamptz');
  });

  test('an empty one-column text key is refused at its statement on Cassandra (0A000), and works on PostgreSQL', async () => {
    await client.query('CREATE TABLE event.tags (name text PRIMARY KEY, n int)');
    await client.query('CREATE TABLE identity.tags (name text PRIMARY KEY, n int)');
    await client.query("INSERT INTO identity.tags VALUES ('', 1)");
    await client.query('BEGIN');
    await client.query("INSERT INTO event.tags VALUES ('ok', 1)");
    let error: (Error & { code?: string; detail?: string; hint?: string }) | undefined;
    try {
      await client.query("INSERT INTO event.tags VALUES ('', 2)");
    } catch (e) {
      error = e as typeof error;
    }
    assert.equal(error?.code, '0A000');
    assert.match(error!.message, /an empty value cannot be the partition key of table "tags" on storage "cassandra"/);
    assert.match(error!.detail ?? '', /Column "name" is the whole partition key/);
    assert.ok(error!.hint);
    assert.equal(await sqlStateOf(client.query('SELECT 1')), '25P02', 'the transaction is aborted, as for any error');
    await client.query('ROLLBACK');
    assert.deepEqual((await client.query('SELECT count(*)::int AS n FROM event.tags')).rows, [{ n: 0 }]);
    // A composite key may have an empty component.
    await client.query('CREATE TABLE event.pairs (a text, b text, PRIMARY KEY (a, b))');
    await client.query("INSERT INTO event.pairs VALUES ('', 'x')");
    assert.deepEqual((await client.query("SELECT b FROM event.pairs WHERE a = ''")).rows, [{ b: 'x' }]);
    assert.deepEqual((await client.query("SELECT n FROM event.tags WHERE name = ''")).rows, [], 'reading an unstorable key finds nothing');
  });
});

describe('Cassandra settings of the configuration', { skip, concurrency: 1 }, () => {
  test('replication strategy and factor and the local data center are used for new keyspaces', async () => {
    const deployment = await CrossStorageDeployment.create({
      properties: {
        'scalar.db.cassandra.replication_strategy': 'NetworkTopologyStrategy',
        'scalar.db.cassandra.replication_factor': '1',
        'scalar.db.cassandra.local_datacenter': 'datacenter1',
      },
    });
    try {
      const server = await deployment.start();
      const client = await connect(server);
      await client.query('CREATE SCHEMA event');
      await client.query('CREATE TABLE event.e (id int PRIMARY KEY)');
      await client.query('INSERT INTO event.e VALUES (1)');
      await client.end();
      const cql = await deployment.cassandra();
      const ks = await cql.execute('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [deployment.keyspace('event')]);
      const replication = ks.rows[0]!.replication as Record<string, string>;
      assert.match(replication.class!, /NetworkTopologyStrategy$/);
      assert.equal(replication.datacenter1, '1');
    } finally {
      await deployment.destroy();
    }
  });

  test('a wrong local data center stops the server at startup, naming the storage', async () => {
    const deployment = await CrossStorageDeployment.create({ properties: { 'scalar.db.cassandra.local_datacenter': 'no-such-dc' } });
    try {
      await assert.rejects(
        startServer({ properties: deployment.properties(), startTimeoutMs: 120_000 }),
        (e: Error) => /storage "cassandra" does not answer/.test(e.message) && /no-such-dc/.test(e.message),
      );
    } finally {
      await deployment.destroy();
    }
  });
});
