/**
 * Limits and bad input against the real server, configured as an operator would
 * (polygres.max_connections, polygres.max_message_bytes, the idle timeouts): oversized, malformed,
 * truncated and random frames are FATAL 08P01 or a quiet close, never a crash; after every abuse
 * the server still serves a new client and has logged no error. Shutdown ends sessions with 57P01.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import type { RunningServer } from '../support/server.js';
import {
  backendKey,
  DATABASE,
  delay,
  errorFields,
  errorOf,
  int32,
  pgClient,
  RawClient,
  rawSession,
  readyStatus,
  sendCancelRequest,
  simpleQuery,
  startPolygres,
  startupPacket,
  startupParams,
  targetOf,
  types,
  USER,
  type Frame,
  type Target,
} from './support.js';

async function selectOne(target: Target): Promise<void> {
  const c = await pgClient(target);
  try {
    assert.deepEqual((await c.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  } finally {
    await c.end();
  }
}

function fatal(frames: readonly Frame[]): [string | undefined, string | undefined, string | undefined] {
  const e = errorOf(frames);
  return [e.S, e.C, e.M];
}

/** Log lines at level error or fatal: none is expected whatever clients send. */
function errorLogs(server: RunningServer): string[] {
  return server.logs.filter((l) => /"level":"(error|fatal)"/.test(l));
}

describe('limits and bad input on the real server', () => {
  let server: RunningServer;
  let target: Target;

  before(async () => {
    server = await startPolygres({ properties: 'polygres.max_connections=4\npolygres.max_message_bytes=1048576\n' });
    target = targetOf(server);
    const c = await pgClient(target);
    await c.query("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one')");
    await c.end();
  });
  after(async () => {
    assert.deepEqual(errorLogs(server), []);
    await server.stop();
    assert.equal(server.process.exitCode, 0, 'stopped cleanly');
  });

  test('a message longer than polygres.max_message_bytes is FATAL 08P01 at once, without waiting for its body', async () => {
    const { client } = await rawSession(target);
    const header = Buffer.from([0x51, 0, 0, 0, 0]);
    header.writeInt32BE(1_048_576 + 100, 1);
    client.send(header);
    const frames = await client.readToEnd();
    assert.equal(types(frames), 'E');
    assert.deepEqual(fatal(frames), ['FATAL', '08P01', 'invalid message length']);
    await selectOne(target);
  });

  test('a query just under the limit is served', async () => {
    const { client } = await rawSession(target);
    try {
      const padding = ' '.repeat(1_048_576 - 100);
      const frames = await simpleQuery(client, `SELECT 'ok'${padding}`);
      assert.equal(types(frames), 'TDCZ');
    } finally {
      client.close();
    }
  });

  test('malformed messages are FATAL 08P01 and a clean close: short Bind, missing terminator, unknown type', async () => {
    const message = (type: string, body: Buffer) => Buffer.concat([Buffer.from(type), int32(4 + body.length), body]);
    const cases: Array<[Buffer, string]> = [
      // Bind claiming 3 parameters but carrying one.
      [message('B', Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0, 0, 3, 0, 0, 0, 1, 0x31])])), 'insufficient data left in message'],
      [message('Q', Buffer.from('SELECT 1')), 'invalid string in message'],
      [message('z', Buffer.alloc(0)), 'invalid frontend message type 122'],
    ];
    for (const [bytes, text] of cases) {
      const { client } = await rawSession(target);
      client.send(bytes);
      const frames = await client.readToEnd();
      assert.equal(types(frames), 'E', text);
      assert.deepEqual(fatal(frames), ['FATAL', '08P01', text]);
    }
    await selectOne(target);
  });

  test('bad startup packets: protocol 2.0 is 0A000, no user is 28000, garbage is 08P01; the server goes on', async () => {
    const v2 = await RawClient.connect(target);
    v2.send(startupPacket(131072, startupParams({ user: USER })));
    assert.deepEqual(fatal(await v2.readToEnd()).slice(1), ['0A000', 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0']);
    const noUser = await RawClient.connect(target);
    noUser.send(startupPacket(196608, startupParams({ database: DATABASE })));
    assert.deepEqual(fatal(await noUser.readToEnd()).slice(1), ['28000', 'no PostgreSQL user name specified in startup packet']);
    const tiny = await RawClient.connect(target);
    tiny.send(Buffer.from([0, 0, 0, 4]));
    assert.equal(errorOf(await tiny.readToEnd()).C, '08P01');
    await selectOne(target);
  });

  test('a message cut short by the client going away ends the session quietly', async () => {
    const { client } = await rawSession(target);
    const q = serialize.query('SELECT 1');
    client.socket.end(q.subarray(0, q.length - 3));
    assert.deepEqual(await client.readToEnd(), []);
    await selectOne(target);
  });

  test('mutated, truncated and random frames never stop the server', async () => {
    const valid = [
      serialize.query('SELECT * FROM t'),
      serialize.parse({ name: 's', text: 'SELECT v FROM t WHERE id = $1', types: [23] }),
      serialize.bind({ statement: 's', values: ['1'] }),
      serialize.describe({ type: 'S', name: 's' }),
      serialize.execute({ rows: 1 }),
      serialize.close({ type: 'P', name: '' }),
      serialize.query("COPY t FROM STDIN"),
      serialize.copyData(Buffer.from('2\ttwo\n')),
      serialize.copyDone(),
      serialize.sync(),
      serialize.flush(),
    ];
    const stream = Buffer.concat(valid);
    for (let round = 0; round < 40; round++) {
      const { client } = await rawSession(target);
      const mutated = Buffer.from(stream);
      for (let k = 0; k < 1 + (round % 5); k++) mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      const cut = round % 3 === 0 ? mutated.subarray(0, Math.floor(Math.random() * mutated.length)) : mutated;
      client.send(cut, serialize.sync());
      await Promise.race([client.readToEnd(2_000).catch(() => []), delay(300)]);
      client.close();
    }
    for (let round = 0; round < 20; round++) {
      const c = await RawClient.connect(target);
      if (round % 2 === 1) await c.startup({ user: USER, database: DATABASE });
      c.send(randomBytes(1 + Math.floor(Math.random() * 300)));
      await Promise.race([c.readToEnd(2_000).catch(() => []), delay(200)]);
      c.close();
    }
    // Health probes that connect and leave.
    for (let i = 0; i < 6; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(target.port, target.host, () => (i % 2 === 0 ? s.end() : s.resetAndDestroy()));
        s.on('error', () => {});
        s.on('close', () => resolve());
      });
    }
    await selectOne(target);
    assert.equal(server.process.exitCode, null, 'the server is still running');
  });

  test('beyond polygres.max_connections a client gets FATAL 53300; a cancel request still gets through; a freed slot is reused', async () => {
    const held: Array<RawClient & { key: { pid: number; secret: number } }> = [];
    // Fill the slots (earlier tests' connections may still be closing: open until one is refused).
    let refusal: Frame[] | null = null;
    for (let i = 0; i < 8 && refusal === null; i++) {
      const c = await RawClient.connect(target);
      c.send(serialize.startup({ user: USER, database: DATABASE }));
      const frames: Frame[] = [];
      for (let f = await c.next(); f !== null; f = f.type === 'Z' ? null : await c.next()) frames.push(f);
      if (frames.some((f) => f.type === 'E')) refusal = frames;
      else held.push(Object.assign(c, { key: backendKey(frames) }));
    }
    try {
      assert.ok(refusal, 'a connection was refused');
      assert.ok(held.length >= 1 && held.length <= 4, `${held.length} connections accepted`);
      assert.deepEqual(fatal(refusal), ['FATAL', '53300', 'sorry, too many clients already']);

      const busy = held[0]!;
      busy.send(serialize.query('SELECT pg_sleep(60)'));
      let finished = false;
      const done = busy.readUntil('Z', 30_000).finally(() => (finished = true));
      while (!finished) {
        await sendCancelRequest(target, busy.key);
        await Promise.race([done, delay(500)]);
      }
      assert.equal(errorOf(await done).C, '57014');

      held.pop()!.send(serialize.end());
      let served = false;
      for (let attempt = 0; attempt < 50 && !served; attempt++) {
        try {
          await selectOne(target);
          served = true;
        } catch {
          await delay(100);
        }
      }
      assert.ok(served, 'a freed slot serves a new client');
    } finally {
      for (const c of held) c.close();
    }
  });
});

describe('idle timeouts and shutdown on the real server', () => {
  let server: RunningServer;
  let target: Target;

  before(async () => {
    server = await startPolygres({ properties: 'polygres.idle_in_transaction_session_timeout_ms=300\n' });
    target = targetOf(server);
  });
  after(async () => {
    if (server.process.exitCode === null) await server.stop();
  });

  test('a session idle inside a transaction is closed with FATAL 25P03, and its transaction rolled back', async () => {
    const { client } = await rawSession(target);
    await simpleQuery(client, 'CREATE TABLE idle (id int)');
    await delay(600);
    assert.equal(readyStatus((await simpleQuery(client, 'BEGIN; INSERT INTO idle VALUES (1)')).at(-1)!), 'T', 'idle outside a transaction is not limited');
    assert.deepEqual(fatal(await client.readToEnd(10_000)), ['FATAL', '25P03', 'terminating connection due to idle-in-transaction timeout']);
    const c = await pgClient(target);
    try {
      assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM idle')).rows, [{ n: 0 }]);
    } finally {
      await c.end();
    }
  });

  test('SET idle_session_timeout closes an idle session with FATAL 57P05', async () => {
    const { client } = await rawSession(target);
    await simpleQuery(client, "SET idle_session_timeout = '200ms'");
    assert.deepEqual(fatal(await client.readToEnd(10_000)), ['FATAL', '57P05', 'terminating connection due to idle-session timeout']);
  });

  test('SIGTERM ends every session with FATAL 57P01, cancelling running statements, and exits 0', async () => {
    const idle = (await rawSession(target)).client;
    const busy = (await rawSession(target)).client;
    busy.send(serialize.query('SELECT pg_sleep(60)'));
    await delay(300);
    const stopped = server.stop();
    for (const c of [idle, busy]) {
      const frames = await c.readToEnd(20_000);
      const shutdown = frames.filter((f) => f.type === 'E').map((f) => errorFields(f)).find((e) => e.S === 'FATAL');
      assert.ok(shutdown, `no FATAL in ${types(frames)}`);
      assert.equal(shutdown.C, '57P01');
    }
    await stopped;
    assert.equal(server.process.exitCode, 0);
  });
});
