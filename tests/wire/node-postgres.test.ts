/**
 * node-postgres (pg) against the wire server: simple and extended queries, pipelining, portals read
 * in pages, errors, transactions, notices.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { NoticeMessage } from 'pg-protocol/dist/messages.js';
import { SERIES_TABLE_OID } from './fixture-backend.js';
import { startFixtureServer, type FixtureServer, type Target } from './support.js';

async function connectPg(target: Target, extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: target.host, port: target.port, user: 'alice', database: 'db', ...extra });
  await client.connect();
  return client;
}

/** Expects a promise to reject with a pg DatabaseError; returns it. */
async function databaseError(work: Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    await work;
  } catch (e) {
    assert.ok(e instanceof pg.DatabaseError, `expected a DatabaseError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the query to fail');
}

describe('node-postgres client', () => {
  let server: FixtureServer;
  let client: pg.Client;
  before(async () => {
    server = await startFixtureServer();
    client = await connectPg(server);
  });
  after(async () => {
    await client.end();
    await server.close();
  });

  test('a simple query returns text rows that pg parses by their type OIDs', async () => {
    const result = await client.query('SELECT * FROM series(3)');
    assert.deepEqual(result.rows, [
      { n: 1, label: 'row 1', big: '10000000000', even: false },
      { n: 2, label: 'row 2', big: '20000000000', even: true },
      { n: 3, label: 'row 3', big: '30000000000', even: false },
    ]);
    assert.equal(result.command, 'SELECT');
    assert.equal(result.rowCount, 3);
    assert.deepEqual(
      result.fields.map((f) => [f.name, f.dataTypeID, f.tableID, f.columnID, f.format]),
      [
        ['n', 23, SERIES_TABLE_OID, 1, 'text'],
        ['label', 25, SERIES_TABLE_OID, 2, 'text'],
        ['big', 20, SERIES_TABLE_OID, 3, 'text'],
        ['even', 16, SERIES_TABLE_OID, 4, 'text'],
      ],
    );
  });

  test('a query string with several statements answers each of them', async () => {
    const results = (await client.query('SELECT 1; SELECT n FROM series(2); BEGIN; COMMIT')) as unknown as pg.QueryResult[];
    assert.deepEqual(
      results.map((r) => [r.command, r.rows]),
      [
        ['SELECT', [{ '?column?': 1 }]],
        ['SELECT', [{ n: 1 }, { n: 2 }]],
        ['BEGIN', []],
        ['COMMIT', []],
      ],
    );
  });

  test('an empty query string gets EmptyQueryResponse', async () => {
    const result = await client.query('');
    assert.equal(result.rows.length, 0);
  });

  test('the extended protocol infers the types of untyped parameters', async () => {
    const result = await client.query('SELECT $1::int4 AS a, $2 AS b, $3::int8 AS c', ['42', 'x', '9007199254740993']);
    assert.deepEqual(result.rows, [{ a: 42, b: 'x', c: '9007199254740993' }]);
    assert.deepEqual(result.fields.map((f) => f.dataTypeID), [23, 25, 20]);
  });

  test('named prepared statements are parsed once and reused', async () => {
    const before = server.backend.executed.length;
    for (let i = 0; i < 3; i++) {
      const r = await client.query({ name: 'echo_int', text: 'SELECT $1::int4 AS v', values: [i] });
      assert.deepEqual(r.rows, [{ v: i }]);
    }
    assert.equal(server.backend.executed.length - before, 3);
  });

  test('an error carries SQLSTATE, severity, message, detail, hint and position', async () => {
    const e = await databaseError(client.query("SELECT fail('22023', 'bad thing')"));
    assert.equal(e.code, '22023');
    assert.equal(e.severity, 'ERROR');
    assert.equal(e.message, 'bad thing');
    assert.equal(e.detail, 'fixture detail');
    assert.equal(e.hint, 'fixture hint');
    assert.equal(e.position, '8');
    // The session is still usable.
    assert.deepEqual((await client.query('SELECT 1')).rows, [{ '?column?': 1 }]);
  });

  test('the error position counts characters from the start of a multi-statement query string', async () => {
    const e = await databaseError(client.query("SELECT 1; SELECT fail('22023', 'x')"));
    assert.equal(e.position, '18');
    const e2 = await databaseError(client.query("/* é */ SELECT fail('22023', 'x')"));
    assert.equal(e2.position, '16');
  });

  test('a syntax error anywhere fails the whole query string before anything runs', async () => {
    const before = server.backend.executed.length;
    const e = await databaseError(client.query('SELECT 1; SELEC 2'));
    assert.equal(e.code, '42601');
    assert.equal(e.position, '11');
    assert.equal(server.backend.executed.length, before);
  });

  test('after an error inside BEGIN, statements fail with 25P02 until ROLLBACK', async () => {
    await client.query('BEGIN');
    assert.equal(client.getTransactionStatus(), 'T');
    await databaseError(client.query('SELECT 1/0'));
    assert.equal(client.getTransactionStatus(), 'E');
    const e = await databaseError(client.query('SELECT 1'));
    assert.equal(e.code, '25P02');
    const r = await client.query('COMMIT');
    assert.equal(r.command, 'ROLLBACK');
    assert.equal(client.getTransactionStatus(), 'I');
  });

  test('a failed implicit commit replaces the last CommandComplete of a simple query', async () => {
    const e = await databaseError(client.query('SELECT fail_commit()'));
    assert.equal(e.code, '40001');
    assert.equal(client.getTransactionStatus(), 'I');
  });

  test('a failed implicit commit in the extended protocol is reported at Sync', async () => {
    const e = await databaseError(client.query({ text: 'SELECT fail_commit()', queryMode: 'extended' } as pg.QueryConfig));
    assert.equal(e.code, '40001');
    assert.deepEqual((await client.query('SELECT 1')).rows, [{ '?column?': 1 }]);
  });

  test('notices raised by a statement are forwarded', async () => {
    const notices: Array<{ message: string; severity?: string; code?: string }> = [];
    const listener = (n: NoticeMessage): void => {
      notices.push({ message: n.message ?? '', severity: n.severity, code: n.code });
    };
    client.on('notice', listener);
    await client.query("SELECT notice('hello there')");
    await client.query('COMMIT');
    client.off('notice', listener);
    assert.deepEqual(notices, [
      { message: 'hello there', severity: 'NOTICE', code: '00000' },
      { message: 'there is no transaction in progress', severity: 'WARNING', code: '25P01' },
    ]);
  });

  test('an unknown database is refused with 3D000 after authentication', async () => {
    const e = await databaseError(connectPg(server, { database: 'nosuchdb' }));
    assert.equal(e.code, '3D000');
    assert.equal(e.message, 'database "nosuchdb" does not exist');
    assert.equal(e.severity, 'FATAL');
  });

});
