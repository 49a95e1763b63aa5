/**
 * The BackendSession contract as the wire layer uses it: statement splitting, parameter type
 * inference, result descriptions, the transaction status, implicit transactions, settings reported
 * to the client, notices, cancel and statement_timeout, and re-planning after DDL.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PolygresInProcessTarget, PolygresInstance } from './support/targets.js';
import type { BackendSession, RowStream } from '../../src/wire/backend.js';
import { SqlError } from '../../src/errors.js';
import { Oid } from '../../src/types/oids.js';

async function prepare(session: BackendSession, sql: string, types: number[] = []) {
  const [stmt] = session.parse(sql);
  return session.prepare(stmt!, types);
}

async function rejects(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SqlError, `not a SqlError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe('SQL session', () => {
  let instance: PolygresInstance;
  let target: PolygresInProcessTarget;
  let session: BackendSession;

  before(async () => {
    instance = await PolygresInstance.start();
    target = await PolygresInProcessTarget.open(instance);
    session = target.backendSession;
    await target.run('CREATE TABLE t (id int PRIMARY KEY, name varchar(20), amount numeric(10,2), created timestamptz)');
    await target.run("INSERT INTO t VALUES (1, 'a', 1.5, now()), (2, 'b', 2.5, now())");
  });
  after(async () => {
    await target.close();
    await instance.close();
  });

  test('parse splits a query string with statement offsets; comments alone are an empty statement', () => {
    const parts = session.parse("SELECT 1; SELECT 'é';  -- trailing comment\n");
    assert.deepEqual(parts.map((p) => [p.sql.trim(), p.offset, p.empty]), [['SELECT 1', 0, false], ["SELECT 'é'", 10, false]]);
    assert.deepEqual(session.parse('-- nothing here').map((p) => p.empty), [true]);
  });

  test('a syntax error fails the whole string with 42601 and a 1-based character position', () => {
    assert.throws(() => session.parse("SELECT 'é' FRM t"), (e: unknown) => e instanceof SqlError && e.code === '42601' && e.position === 16);
  });

  test('parameter types are inferred from context, as PostgreSQL does', async () => {
    assert.deepEqual((await prepare(session, 'SELECT * FROM t WHERE id = $1')).paramTypes, [Oid.int4]);
    assert.deepEqual((await prepare(session, 'INSERT INTO t (id, name, amount, created) VALUES ($1, $2, $3, $4)')).paramTypes, [Oid.int4, Oid.varchar, Oid.numeric, Oid.timestamptz]);
    assert.deepEqual((await prepare(session, 'SELECT id FROM t LIMIT $1 OFFSET $2')).paramTypes, [Oid.int8, Oid.int8]);
    assert.deepEqual((await prepare(session, 'SELECT $1')).paramTypes, [Oid.text]);
    assert.deepEqual((await prepare(session, 'UPDATE t SET amount = amount + $1 WHERE name = $2')).paramTypes, [Oid.numeric, Oid.text]);
    assert.deepEqual((await prepare(session, 'SELECT * FROM t WHERE id = $1', [Oid.int8])).paramTypes, [Oid.int8]);
    await rejects(prepare(session, 'SELECT $1 IS NULL'), '42P18', 'could not determine data type of parameter $1');
  });

  test('result descriptions carry PostgreSQL types, typmods, names and the source column', async () => {
    const p = await prepare(session, 'SELECT id, name, count(*), sum(id), avg(id), amount * 2, 1 AS one FROM t GROUP BY id, name, amount');
    assert.deepEqual(p.fields!.map((f) => [f.name, f.typeOid, f.typeModifier]), [
      ['id', Oid.int4, -1],
      ['name', Oid.varchar, 24],
      ['count', Oid.int8, -1],
      ['sum', Oid.int8, -1],
      ['avg', Oid.numeric, -1],
      ['?column?', Oid.numeric, -1],
      ['one', Oid.int4, -1],
    ]);
    assert.ok(p.fields![0]!.tableOid >= 16384);
    assert.equal(p.fields![0]!.columnNumber, 1);
    assert.equal(p.fields![1]!.columnNumber, 2);
    assert.equal((await prepare(session, "INSERT INTO t VALUES (9, 'x', 1, now())")).fields, null);
  });

  test('execute streams rows in batches of the requested size and reports the tag at the end', async () => {
    const p = await prepare(session, 'SELECT id FROM t ORDER BY id');
    const exec = (await session.execute(p, [])) as RowStream;
    assert.equal(exec.kind, 'rows');
    const first = await exec.next(1);
    assert.deepEqual(first, { rows: [[1]], done: false });
    const rest = await exec.next(0);
    assert.deepEqual(rest, { rows: [[2]], done: true });
    assert.equal(exec.tag(), 'SELECT 2');
    await session.sync();
  });

  test('parameters bind by position with their decoded values', async () => {
    const p = await prepare(session, 'SELECT name FROM t WHERE id = $1');
    const exec = (await session.execute(p, [2])) as RowStream;
    assert.deepEqual((await exec.next(0)).rows, [['b']]);
    await session.sync();
  });

  test('transaction status: I outside, T in a block, E after an error until ROLLBACK', async () => {
    assert.equal(session.transactionStatus, 'I');
    await target.run('BEGIN');
    assert.equal(session.transactionStatus, 'T');
    await target.run('SELECT 1 / 0');
    assert.equal(session.transactionStatus, 'E');
    const [r] = await target.run('SELECT 1');
    assert.equal(r!.error?.code, '25P02');
    assert.equal(r!.error?.message, 'current transaction is aborted, commands ignored until end of transaction block');
    await target.run('ROLLBACK');
    assert.equal(session.transactionStatus, 'I');
  });

  test('statements of one query string share an implicit transaction that an error rolls back', async () => {
    const results = await target.run("INSERT INTO t VALUES (50, 'x', 0, now()); SELECT 1 / 0");
    assert.equal(results[1]!.error?.code, '22012');
    const [count] = await target.run('SELECT count(*) FROM t WHERE id = 50');
    assert.deepEqual(count!.rows, [['0']]);
  });

  test('SET reports changed settings to the listener; a rollback reports the old value again', async () => {
    const changes: Array<[string, string]> = [];
    session.onParameterChange((name, value) => changes.push([name, value]));
    assert.equal(session.reportedParameters().get('TimeZone'), 'Etc/UTC');
    await target.run("SET application_name = 'first'");
    await target.run('BEGIN');
    await target.run("SET application_name = 'second'");
    await target.run('ROLLBACK');
    await target.run('SET extra_float_digits = 2');
    assert.deepEqual(changes, [['application_name', 'first'], ['application_name', 'second'], ['application_name', 'first']]);
    assert.equal(session.setting('extra_float_digits'), '2');
  });

  test('notices reach the listener: IF EXISTS skips, COMMIT without a transaction warns', async () => {
    const [drop] = await target.run('DROP TABLE IF EXISTS no_such_table');
    assert.deepEqual(drop!.notices, ['00000 table "no_such_table" does not exist, skipping']);
    const [commit] = await target.run('COMMIT');
    assert.deepEqual(commit!.notices, ['25P01 there is no transaction in progress']);
  });

  test('statement_timeout cancels a running statement with 57014', async () => {
    await target.run('SET statement_timeout = 50');
    const [r] = await target.run('SELECT pg_sleep(5)');
    assert.equal(r!.error?.code, '57014');
    assert.equal(r!.error?.message, 'canceling statement due to statement timeout');
    await target.run('SET statement_timeout = 0');
  });

  test('cancel interrupts the running statement with 57014 and the session carries on', async () => {
    const running = target.run('SELECT pg_sleep(5)');
    setTimeout(() => session.cancel(), 30);
    const [r] = await running;
    assert.equal(r!.error?.code, '57014');
    assert.equal(r!.error?.message, 'canceling statement due to user request');
    const [after] = await target.run('SELECT 1');
    assert.deepEqual(after!.rows, [['1']]);
  });

  test('a prepared statement whose result changes after DDL fails with "cached plan must not change result type"', async () => {
    await target.run('CREATE TABLE ddl_t (id int PRIMARY KEY)');
    const p = await prepare(session, 'SELECT * FROM ddl_t');
    await target.run('ALTER TABLE ddl_t ADD COLUMN extra text');
    const e = await rejects(session.execute(p, []), '0A000', 'cached plan must not change result type');
    assert.equal(e.routine, 'RevalidateCachedQuery');
    await session.sync();
    const same = await prepare(session, 'SELECT id FROM ddl_t');
    await target.run('ALTER TABLE ddl_t ADD COLUMN more int');
    const exec = await session.execute(same, []);
    assert.equal(exec.kind, 'rows');
    await session.sync();
  });

  test('DDL of one session is seen by another session of the same node at once', async () => {
    const other = await PolygresInProcessTarget.open(instance);
    try {
      await target.run('CREATE TABLE seen_t (id int PRIMARY KEY)');
      const [r] = await other.run('SELECT count(*) FROM seen_t');
      assert.equal(r!.error, null);
    } finally {
      await other.close();
    }
  });

  test('nextval is not rolled back and does not conflict between transactions', async () => {
    await target.run('CREATE SEQUENCE s_nr');
    await target.run('BEGIN');
    const [a] = await target.run("SELECT nextval('s_nr')");
    await target.run('ROLLBACK');
    const [b] = await target.run("SELECT nextval('s_nr')");
    assert.deepEqual([a!.rows, b!.rows], [[['1']], [['2']]]);
  });
});
