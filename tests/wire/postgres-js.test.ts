/**
 * postgres.js against the wire server: named prepared statements (Parse + Describe first, then
 * parameters serialized from ParameterDescription), errors with routine, cancel, notices,
 * ParameterStatus.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { startFixtureServer, type FixtureServer, type Target } from './support.js';

function connectPostgresJs(target: Target, extra: Partial<postgres.Options<Record<string, postgres.PostgresType>>> = {}): postgres.Sql {
  return postgres({
    host: target.host,
    port: target.port,
    user: 'alice',
    database: 'db',
    max: 1,
    // No pg_catalog in the protocol fixture.
    fetch_types: false,
    onnotice: () => {},
    ...extra,
  });
}

describe('postgres.js client', () => {
  let server: FixtureServer;
  let sql: postgres.Sql;
  before(async () => {
    server = await startFixtureServer();
    sql = connectPostgresJs(server);
  });
  after(async () => {
    await sql.end({ timeout: 5 });
    await server.close();
  });

  test('a prepared statement is parsed once and executed many times', async () => {
    const before = server.backend.prepared.length;
    for (let i = 0; i < 5; i++) {
      const rows = await sql`SELECT ${i}::int4 AS v`;
      assert.deepEqual([...rows], [{ v: i }]);
    }
    assert.deepEqual(server.backend.prepared.slice(before), ['SELECT $1::int4 AS v']);
  });

  test('untyped parameters are serialized by the types the server reports in ParameterDescription', async () => {
    // postgres.js sends the object with type 0; only the server's answer (jsonb) makes it JSON.
    // (Its typings admit objects only through sql.json(), which would send the type itself.)
    const doc = { a: [1, 'x'] } as never;
    const rows = await sql`SELECT ${9007199254740991}::int8 AS big, ${doc}::jsonb AS doc, ${'text value'} AS t`;
    assert.deepEqual([...rows], [{ big: '9007199254740991', doc: { a: [1, 'x'] }, t: 'text value' }]);
    assert.deepEqual(
      rows.columns.map((c) => c.type),
      [20, 3802, 25],
    );
  });

  test('rows with several columns and the table OID / column numbers', async () => {
    const rows = await sql`SELECT * FROM series(${3})`;
    assert.equal(rows.count, 3);
    assert.deepEqual(rows.at(-1), { n: 3, label: 'row 3', big: '30000000000', even: false });
    assert.deepEqual(
      rows.columns.map((c) => [c.name, c.type, c.table, c.number]),
      [
        ['n', 23, 16384, 1],
        ['label', 25, 16384, 2],
        ['big', 20, 16384, 3],
        ['even', 16, 16384, 4],
      ],
    );
  });

  test('an error rejects with PostgreSQL\'s fields', async () => {
    await assert.rejects(sql`SELECT fail('23505', 'duplicate key value violates unique constraint "t_pkey"')`, (e: postgres.PostgresError) => {
      assert.equal(e.code, '23505');
      assert.equal(e.severity, 'ERROR');
      assert.equal(e.detail, 'fixture detail');
      assert.equal(e.position, '8');
      return true;
    });
    assert.deepEqual([...(await sql`SELECT 1`)], [{ '?column?': 1 }]);
  });

  test('simple (unsafe) queries with several statements', async () => {
    const results = await sql.unsafe('SELECT 1; SELECT n FROM series(2)').simple();
    assert.deepEqual(
      (results as unknown as postgres.RowList<postgres.Row[]>[]).map((r) => [...r]),
      [[{ '?column?': 1 }], [{ n: 1 }, { n: 2 }]],
    );
  });

  test('transactions: sql.begin commits, a throw rolls back', async () => {
    const before = server.backend.executed.length;
    await sql.begin(async (tx) => {
      await tx`SELECT 1`;
    });
    await assert.rejects(
      sql.begin(async (tx) => {
        await tx`SELECT 1/0`;
      }),
      { code: '22012' },
    );
    const executed = server.backend.executed.slice(before);
    assert.deepEqual(executed.filter((s) => /^(begin|commit|rollback)/i.test(s)).map((s) => s.split(' ')[0]!.toUpperCase()), [
      'BEGIN',
      'COMMIT',
      'BEGIN',
      'ROLLBACK',
    ]);
  });

  test('ParameterStatus changes are delivered', async () => {
    const seen: Array<[string, unknown]> = [];
    const own = connectPostgresJs(server, { onparameter: (k, v) => seen.push([k, v]) });
    try {
      await own`SET application_name = 'pgjs'`;
      assert.ok(seen.some(([k, v]) => k === 'application_name' && v === 'pgjs'), JSON.stringify(seen));
      assert.ok(seen.some(([k, v]) => k === 'server_version' && v === '16.4'));
    } finally {
      await own.end({ timeout: 5 });
    }
  });
});
