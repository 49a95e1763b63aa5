/**
 * Cancelling a running statement on the real server: a CancelRequest on a new connection (raw
 * frames, postgres.js query.cancel(), psql's Ctrl-C in a terminal) stops pg_sleep and a long
 * CPU-bound statement with 57014; a wrong secret is ignored; statement_timeout gives 57014 too;
 * the session goes on afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { serialize } from 'pg-protocol';
import type { RunningServer } from '../support/server.js';
import {
  backendKey,
  dataRowValues,
  DATABASE,
  delay,
  errorOf,
  InteractivePsql,
  rawSession,
  readyStatus,
  sendCancelRequest,
  simpleQuery,
  startPolygres,
  targetOf,
  types,
  USER,
  type Frame,
  type RawClient,
  type Target,
} from './support.js';

/**
 * Reads to ReadyForQuery while sending CancelRequests every half second: a request that arrives
 * before the statement started is a no-op, as in PostgreSQL, so one request alone could be lost.
 */
async function cancelUntilAnswered(client: RawClient, target: Target, key: { pid: number; secret: number }): Promise<Frame[]> {
  let finished = false;
  const done = client.readUntil('Z', 30_000).finally(() => (finished = true));
  while (!finished) {
    assert.equal((await sendCancelRequest(target, key)).length, 0, 'no reply to a CancelRequest');
    await Promise.race([done, delay(500)]);
  }
  return done;
}

describe('cancelling statements on the real server', () => {
  let server: RunningServer;
  let target: Target;

  before(async () => {
    server = await startPolygres();
    target = targetOf(server);
  });
  after(() => server.stop());

  test('a CancelRequest on a new connection stops pg_sleep with 57014; the server answers it with nothing and closes', async () => {
    const { client, startup } = await rawSession(target);
    try {
      const key = backendKey(startup);
      const started = Date.now();
      client.send(serialize.query('SELECT pg_sleep(60)'));
      const frames = await cancelUntilAnswered(client, target, key);
      assert.ok(Date.now() - started < 30_000);
      const e = errorOf(frames);
      assert.equal(e.C, '57014');
      assert.equal(e.M, 'canceling statement due to user request');
      assert.equal(readyStatus(frames.at(-1)!), 'I');
      assert.deepEqual(dataRowValues((await simpleQuery(client, 'SELECT 1')).find((f) => f.type === 'D')!), ['1']);
    } finally {
      client.close();
    }
  });

  test('a long CPU-bound statement is cancelled too (the engine yields to let the request in)', async () => {
    const { client, startup } = await rawSession(target);
    try {
      client.send(serialize.query('SELECT count(*) FROM generate_series(1, 500000000) g'));
      const frames = await cancelUntilAnswered(client, target, backendKey(startup));
      assert.equal(errorOf(frames).C, '57014');
    } finally {
      client.close();
    }
  });

  test('a CancelRequest with a wrong secret is ignored; cancelling inside a block fails the block', async () => {
    const { client, startup } = await rawSession(target);
    try {
      const key = backendKey(startup);
      await simpleQuery(client, 'BEGIN');
      client.send(serialize.query('SELECT pg_sleep(1.5) AS slept'));
      await delay(200);
      await sendCancelRequest(target, { pid: key.pid, secret: key.secret ^ 1 });
      const slept = await client.readUntil('Z', 20_000);
      assert.equal(types(slept), 'TDCZ', 'the statement ran to its end');
      client.send(serialize.query('SELECT pg_sleep(60)'));
      const cancelled = await cancelUntilAnswered(client, target, key);
      assert.equal(errorOf(cancelled).C, '57014');
      assert.equal(readyStatus(cancelled.at(-1)!), 'E');
      await simpleQuery(client, 'ROLLBACK');
    } finally {
      client.close();
    }
  });

  test('statement_timeout cancels with 57014 "canceling statement due to statement timeout", set by SET or at startup', async () => {
    const { client } = await rawSession(target);
    try {
      const frames = await simpleQuery(client, "SET statement_timeout = '300ms'; SELECT pg_sleep(30)");
      assert.equal(errorOf(frames).C, '57014');
      assert.equal(errorOf(frames).M, 'canceling statement due to statement timeout');
      assert.deepEqual(dataRowValues((await simpleQuery(client, 'SELECT pg_sleep(0.01) IS NULL, 2')).find((f) => f.type === 'D')!), ['f', '2']);
    } finally {
      client.close();
    }
    const { client: viaStartup } = await rawSession(target, { user: USER, database: DATABASE, options: '-c statement_timeout=200' });
    try {
      assert.equal(errorOf(await simpleQuery(viaStartup, 'SELECT pg_sleep(30)')).C, '57014');
    } finally {
      viaStartup.close();
    }
  });

  test('postgres.js query.cancel() sends a CancelRequest and the query rejects with 57014', async () => {
    const sql = postgres({ host: target.host, port: target.port, user: USER, database: DATABASE, max: 1, fetch_types: false, onnotice: () => {} });
    try {
      const running = sql`SELECT pg_sleep(60)`;
      const outcome = running.then(
        () => null,
        (e: { code?: string }) => e.code,
      );
      await delay(1000);
      running.cancel();
      assert.equal(await outcome, '57014');
      assert.deepEqual([...(await sql`SELECT 3 AS three`)], [{ three: 3 }]);
    } finally {
      await sql.end();
    }
  });

  test('psql: Ctrl-C in a terminal cancels the running statement, and psql carries on', async () => {
    const psql = new InteractivePsql(target);
    try {
      await psql.expect(/postgres=# $/);
      const mark = psql.length;
      psql.type('SELECT pg_sleep(60);\n');
      await psql.expect(/pg_sleep\(60\);\n$/, mark);
      // Ctrl-C until the statement is cancelled (one that reaches the server before the statement starts is lost).
      const cancelled = /Cancel request sent\nERROR: {2}canceling statement due to user request\npostgres=# $/;
      for (let attempt = 0; ; attempt++) {
        psql.type('\x03');
        try {
          await psql.expect(cancelled, mark, 1000);
          break;
        } catch (e) {
          if (attempt >= 20) throw e;
        }
      }
      await psql.run('SELECT 7 AS seven;\n', / seven \n-------\n {5}7\n\(1 row\)\n\npostgres=# $/);
      psql.type('\\q\n');
    } finally {
      psql.close();
    }
  });
});
