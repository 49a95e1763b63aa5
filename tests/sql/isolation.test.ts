/**
 * Two sessions through SQL: write skew is prevented under SERIALIZABLE and under REPEATABLE READ
 * (which runs as SERIALIZABLE by default), and the loser sees SQLSTATE 40001 and can retry. The
 * documented setting polygres.repeatable_read_as = 'snapshot' and READ COMMITTED allow it.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PolygresInProcessTarget, PolygresInstance, type StatementOutcome } from './support/targets.js';

function ok(outcomes: StatementOutcome[]): StatementOutcome {
  const last = outcomes[outcomes.length - 1]!;
  assert.equal(last.error, null, `${last.sql}: ${last.error?.code} ${last.error?.message}`);
  return last;
}

/**
 * The classic write skew: each session checks that the two balances together cover a withdrawal,
 * then withdraws from a different account. Returns the outcome of each COMMIT.
 */
async function writeSkew(instance: PolygresInstance, begin: string, setup: readonly string[] = []): Promise<[StatementOutcome, StatementOutcome, string]> {
  const a = await PolygresInProcessTarget.open(instance);
  const b = await PolygresInProcessTarget.open(instance);
  try {
    ok(await a.run('DROP TABLE IF EXISTS oncall'));
    ok(await a.run('CREATE TABLE oncall (doctor text PRIMARY KEY, on_duty bool NOT NULL)'));
    ok(await a.run("INSERT INTO oncall VALUES ('alice', true), ('bob', true)"));
    for (const s of setup) {
      ok(await a.run(s));
      ok(await b.run(s));
    }
    ok(await a.run(begin));
    ok(await b.run(begin));
    assert.deepEqual(ok(await a.run('SELECT count(*) FROM oncall WHERE on_duty')).rows, [['2']]);
    assert.deepEqual(ok(await b.run('SELECT count(*) FROM oncall WHERE on_duty')).rows, [['2']]);
    ok(await a.run("UPDATE oncall SET on_duty = false WHERE doctor = 'alice'"));
    ok(await b.run("UPDATE oncall SET on_duty = false WHERE doctor = 'bob'"));
    const [ca] = await a.run('COMMIT');
    const [cb] = await b.run('COMMIT');
    const [after] = await a.run('SELECT count(*) FROM oncall WHERE on_duty');
    return [ca!, cb!, after!.rows[0]![0]!];
  } finally {
    await a.close();
    await b.close();
  }
}

describe('write skew between two SQL sessions', () => {
  let instance: PolygresInstance;
  before(async () => {
    instance = await PolygresInstance.start();
  });
  after(async () => {
    await instance.close();
  });

  for (const begin of ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'BEGIN ISOLATION LEVEL REPEATABLE READ', 'BEGIN']) {
    test(`is prevented with ${begin}: the second COMMIT fails with 40001`, async () => {
      const [first, second, onDuty] = await writeSkew(instance, begin);
      assert.equal(first.error, null);
      assert.equal(first.command, 'COMMIT');
      assert.equal(second.error?.code, '40001');
      assert.equal(onDuty, '1', 'one doctor stays on duty');
    });
  }

  test('is allowed under REPEATABLE READ mapped to SNAPSHOT by polygres.repeatable_read_as', async () => {
    const [first, second, onDuty] = await writeSkew(instance, 'BEGIN ISOLATION LEVEL REPEATABLE READ', ["SET polygres.repeatable_read_as = 'snapshot'"]);
    assert.equal(first.error, null);
    assert.equal(second.error, null);
    assert.equal(onDuty, '0');
  });

  test('is allowed under READ COMMITTED', async () => {
    const [first, second, onDuty] = await writeSkew(instance, 'BEGIN ISOLATION LEVEL READ COMMITTED');
    assert.equal(first.error, null);
    assert.equal(second.error, null);
    assert.equal(onDuty, '0');
  });

  test('after a 40001 the session is idle and a retry of the whole transaction succeeds', async () => {
    const a = await PolygresInProcessTarget.open(instance);
    const b = await PolygresInProcessTarget.open(instance);
    try {
      ok(await a.run('CREATE TABLE counter (id int PRIMARY KEY, n int)'));
      ok(await a.run('INSERT INTO counter VALUES (1, 0)'));
      ok(await a.run('BEGIN'));
      ok(await b.run('BEGIN'));
      ok(await a.run('UPDATE counter SET n = n + 1 WHERE id = 1'));
      ok(await b.run('UPDATE counter SET n = n + 1 WHERE id = 1'));
      ok(await a.run('COMMIT'));
      const [conflict] = await b.run('COMMIT');
      assert.equal(conflict!.error?.code, '40001');
      assert.equal(b.backendSession.transactionStatus, 'I');
      ok(await b.run('BEGIN'));
      ok(await b.run('UPDATE counter SET n = n + 1 WHERE id = 1'));
      ok(await b.run('COMMIT'));
      assert.deepEqual(ok(await a.run('SELECT n FROM counter')).rows, [['2']]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a WITH HOLD cursor of a transaction whose COMMIT fails with 40001 is gone; one held before stays', async () => {
    const a = await PolygresInProcessTarget.open(instance);
    const b = await PolygresInProcessTarget.open(instance);
    try {
      ok(await a.run('CREATE TABLE held (id int PRIMARY KEY, n int)'));
      ok(await a.run('INSERT INTO held VALUES (1, 0), (2, 0)'));
      ok(await b.run('DECLARE earlier CURSOR WITH HOLD FOR SELECT id FROM held ORDER BY id'));
      ok(await a.run('BEGIN'));
      ok(await b.run('BEGIN'));
      ok(await a.run('UPDATE held SET n = 1 WHERE id = 1'));
      ok(await b.run('UPDATE held SET n = 2 WHERE id = 1'));
      ok(await b.run('DECLARE doomed CURSOR WITH HOLD FOR SELECT n FROM held ORDER BY id'));
      ok(await a.run('COMMIT'));
      const [conflict] = await b.run('COMMIT');
      assert.equal(conflict!.error?.code, '40001');
      assert.equal((await b.run('FETCH doomed'))[0]!.error?.code, '34000');
      assert.deepEqual(ok(await b.run('FETCH ALL earlier')).rows, [['1'], ['2']]);
      assert.deepEqual(ok(await b.run('SELECT name FROM pg_cursors')).rows, [['earlier']]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a conflict on an autocommit statement is 40001 too', async () => {
    const a = await PolygresInProcessTarget.open(instance);
    const b = await PolygresInProcessTarget.open(instance);
    try {
      ok(await a.run('CREATE TABLE single (id int PRIMARY KEY, n int)'));
      ok(await a.run('INSERT INTO single VALUES (1, 0)'));
      ok(await a.run('BEGIN'));
      ok(await a.run('UPDATE single SET n = 1 WHERE id = 1'));
      // b's implicit transaction reads the row a has not committed yet and commits first.
      ok(await b.run('UPDATE single SET n = 2 WHERE id = 1'));
      const [commit] = await a.run('COMMIT');
      assert.equal(commit!.error?.code, '40001');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('UNIQUE holds across concurrent transactions: the second COMMIT of a duplicate fails with 40001', async () => {
    const a = await PolygresInProcessTarget.open(instance);
    const b = await PolygresInProcessTarget.open(instance);
    try {
      ok(await a.run('CREATE TABLE members (id int PRIMARY KEY, email text UNIQUE)'));
      ok(await a.run('BEGIN'));
      ok(await b.run('BEGIN'));
      ok(await a.run("INSERT INTO members VALUES (1, 'same@example.org')"));
      ok(await b.run("INSERT INTO members VALUES (2, 'same@example.org')"));
      ok(await a.run('COMMIT'));
      const [second] = await b.run('COMMIT');
      assert.equal(second!.error?.code, '40001');
      assert.deepEqual(ok(await a.run('SELECT id FROM members')).rows, [['1']]);
      // Once committed, the duplicate is reported as PostgreSQL does.
      const [dup] = await b.run("INSERT INTO members VALUES (3, 'same@example.org')");
      assert.equal(dup!.error?.code, '23505');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
