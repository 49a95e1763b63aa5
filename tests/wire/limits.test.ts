/**
 * Limits and bad input: cancel requests, connection limit, idle timeouts, oversized / truncated /
 * random frames, health probes and shutdown. After each abuse the server must still serve.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import type { WireLogger } from '../../src/wire/observability.js';
import {
  delay,
  errorFields,
  eventually,
  makeTestCertificates,
  RawClient,
  readyStatus,
  startFixtureServer,
  types,
  type FixtureServer,
  type Frame,
  type Target,
} from './support.js';

interface LogEntry {
  readonly level: string;
  readonly fields: object;
  readonly message: string | undefined;
}

function capturingLogger(): { logger: WireLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: string) => (fields: object, message?: string) => entries.push({ level, fields, message });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, entries };
}

async function selectOne(target: Target): Promise<void> {
  const client = new pg.Client({ host: target.host, port: target.port, user: 'alice', database: 'db' });
  await client.connect();
  try {
    assert.deepEqual((await client.query('SELECT 1')).rows, [{ '?column?': 1 }]);
  } finally {
    await client.end();
  }
}

function backendKey(frames: readonly Frame[]): { pid: number; secret: number } {
  const k = frames.find((f) => f.type === 'K')!;
  return { pid: k.body.readInt32BE(0), secret: k.body.readInt32BE(4) };
}

function errorOf(frames: readonly Frame[]): Record<string, string> {
  const e = frames.find((f) => f.type === 'E');
  assert.ok(e, `expected an ErrorResponse in ${types(frames)}`);
  return errorFields(e);
}

describe('limits and bad input', () => {
  let server: FixtureServer;
  const log = capturingLogger();
  before(async () => {
    server = await startFixtureServer({ logger: log.logger, limits: { maxMessageBytes: 1024 * 1024 } });
  });
  after(() => server.close());

  test('a CancelRequest on a new connection stops the running statement with 57014', async () => {
    const c = await RawClient.connect(server);
    const key = backendKey(await c.startup());
    c.send(serialize.query('SELECT sleep_until_cancelled()'));
    await eventually(() => server.backend.executed.includes('SELECT sleep_until_cancelled()'), 10_000, 'the statement to start');
    // A wrong secret does nothing.
    const wrong = await RawClient.connect(server);
    wrong.send(serialize.cancel(key.pid, key.secret ^ 0x5a5a));
    assert.deepEqual(await wrong.readToEnd(), []);
    const canceller = await RawClient.connect(server);
    canceller.send(serialize.cancel(key.pid, key.secret));
    assert.deepEqual(await canceller.readToEnd(), []);
    const frames = await c.readUntil('Z', 20_000);
    const e = errorOf(frames);
    assert.equal(e.C, '57014');
    assert.equal(e.M, 'canceling statement due to user request');
    assert.equal(readyStatus(frames.at(-1)!), 'I');
    c.send(serialize.query('SELECT 1'));
    assert.equal(types(await c.readUntil('Z')), 'TDCZ');
    c.close();
  });

  test('an oversized message length is FATAL 08P01 at once, without waiting for (or allocating) the body', async () => {
    const c = await RawClient.connect(server);
    await c.startup();
    const header = Buffer.from([0x51, 0, 0, 0, 0]);
    header.writeInt32BE(1_000_000_000, 1);
    c.send(header);
    const frames = await c.readToEnd();
    assert.equal(types(frames), 'E');
    const e = errorFields(frames[0]!);
    assert.deepEqual([e.S, e.C, e.M], ['FATAL', '08P01', 'invalid message length']);
    await selectOne(server);
  });

  test('a malformed message is FATAL 08P01 and a clean close', async () => {
    const c = await RawClient.connect(server);
    await c.startup();
    // Bind claiming 3 parameters but carrying one.
    const body = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0, 0, 3, 0, 0, 0, 1, 0x31])]);
    const length = Buffer.alloc(4);
    length.writeInt32BE(4 + body.length);
    c.send(Buffer.concat([Buffer.from('B'), length, body]));
    const frames = await c.readToEnd();
    assert.equal(types(frames), 'E');
    assert.deepEqual([errorFields(frames[0]!).C, errorFields(frames[0]!).M], ['08P01', 'insufficient data left in message']);
    await selectOne(server);
  });

  test('a message truncated by EOF ends the session quietly', async () => {
    const c = await RawClient.connect(server);
    await c.startup();
    const query = serialize.query('SELECT 1');
    c.socket.end(query.subarray(0, query.length - 3));
    assert.deepEqual(await c.readToEnd(), []);
    await selectOne(server);
  });

  test('mutated and truncated frames never stop the server', async () => {
    const valid = [
      serialize.query('SELECT n FROM series(3)'),
      serialize.parse({ name: 's', text: 'SELECT $1::int4 AS a', types: [23] }),
      serialize.bind({ statement: 's', values: ['5'] }),
      serialize.describe({ type: 'S', name: 's' }),
      serialize.execute({ rows: 1 }),
      serialize.close({ type: 'P', name: '' }),
      serialize.copyData(Buffer.from('x')),
      serialize.sync(),
      serialize.flush(),
    ];
    const stream = Buffer.concat(valid);
    for (let round = 0; round < 40; round++) {
      const c = await RawClient.connect(server);
      await c.startup();
      const mutated = Buffer.from(stream);
      for (let k = 0; k < 1 + (round % 5); k++) mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      const cut = round % 3 === 0 ? mutated.subarray(0, Math.floor(Math.random() * mutated.length)) : mutated;
      c.send(cut, serialize.sync());
      // Read whatever comes within a short while, then leave abruptly.
      await Promise.race([c.readToEnd(2_000).catch(() => []), delay(300)]);
      c.close();
    }
    for (let round = 0; round < 20; round++) {
      const c = await RawClient.connect(server);
      if (round % 2 === 1) await c.startup();
      c.send(randomBytes(1 + Math.floor(Math.random() * 300)));
      await Promise.race([c.readToEnd(2_000).catch(() => []), delay(200)]);
      c.close();
    }
    await selectOne(server);
    assert.deepEqual(log.entries.filter((e) => e.level === 'error'), []);
  });

  test('TCP health probes that connect and leave (FIN or RST) log nothing above debug', async () => {
    const before = log.entries.length;
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(server.port, server.host, () => {
          if (i % 2 === 0) s.end();
          else s.resetAndDestroy();
        });
        s.on('error', () => {});
        s.on('close', () => resolve());
      });
    }
    await selectOne(server);
    await delay(100);
    const noisy = log.entries.slice(before).filter((e) => e.level !== 'debug' && e.level !== 'info');
    assert.deepEqual(noisy, []);
  });
});

describe('connection limit', () => {
  test('beyond maxConnections a client gets FATAL 53300; cancel requests still work', async () => {
    const server = await startFixtureServer({ limits: { maxConnections: 2 } });
    try {
      const a = await RawClient.connect(server);
      const keyA = backendKey(await a.startup());
      const b = await RawClient.connect(server);
      await b.startup();
      assert.equal(server.server.connectionCount(), 2);
      const c = await RawClient.connect(server);
      c.send(serialize.startup({ user: 'alice', database: 'db' }));
      const e = errorOf(await c.readToEnd());
      assert.deepEqual([e.S, e.C, e.M], ['FATAL', '53300', 'sorry, too many clients already']);

      a.send(serialize.query('SELECT sleep_until_cancelled()'));
      await eventually(() => server.backend.executed.includes('SELECT sleep_until_cancelled()'));
      const canceller = await RawClient.connect(server);
      canceller.send(serialize.cancel(keyA.pid, keyA.secret));
      assert.equal(errorOf(await a.readUntil('Z', 20_000)).C, '57014');

      b.send(serialize.end());
      await b.readToEnd();
      await eventually(() => server.server.connectionCount() === 1, 10_000, 'the slot to be released');
      await selectOne(server);
      a.close();
    } finally {
      await server.close();
    }
  });
});

describe('idle timeouts', () => {
  test('an idle session is closed with FATAL 57P05', async () => {
    const server = await startFixtureServer({ limits: { idleSessionTimeoutMs: 200 } });
    try {
      const c = await RawClient.connect(server);
      await c.startup();
      const frames = await c.readToEnd(10_000);
      const e = errorOf(frames);
      assert.deepEqual([e.S, e.C, e.M], ['FATAL', '57P05', 'terminating connection due to idle-session timeout']);
    } finally {
      await server.close();
    }
  });

  test('a session idle inside a transaction is closed with FATAL 25P03, outside it is not', async () => {
    const server = await startFixtureServer({ limits: { idleInTransactionTimeoutMs: 200 } });
    try {
      const c = await RawClient.connect(server);
      await c.startup();
      await delay(400);
      c.send(serialize.query('BEGIN'));
      assert.equal(readyStatus((await c.readUntil('Z')).at(-1)!), 'T');
      const e = errorOf(await c.readToEnd(10_000));
      assert.deepEqual([e.S, e.C, e.M], ['FATAL', '25P03', 'terminating connection due to idle-in-transaction timeout']);
      assert.equal(server.backend.sessions.at(-1)!.closed, true);
    } finally {
      await server.close();
    }
  });

  test('SET idle_session_timeout shortens the server\'s limit for one session', async () => {
    const server = await startFixtureServer();
    try {
      const c = await RawClient.connect(server);
      await c.startup();
      c.send(serialize.query("SET idle_session_timeout = '150ms'"));
      await c.readUntil('Z');
      assert.equal(errorOf(await c.readToEnd(10_000)).C, '57P05');
    } finally {
      await server.close();
    }
  });
});

describe('handshake abuse and shutdown', () => {
  test('a client that does not finish authentication in time is disconnected', async () => {
    const server = await startFixtureServer({ limits: { authenticationTimeoutMs: 200 } });
    try {
      const silent = await RawClient.connect(server);
      assert.deepEqual(await silent.readToEnd(10_000), []);
      await selectOne(server);
    } finally {
      await server.close();
    }
  });


  test('bytes sent in clear after SSLRequest are refused (08P01), not read as part of the TLS stream', async () => {
    const certs = makeTestCertificates();
    const server = await startFixtureServer({ tls: { key: certs.key, cert: certs.cert } });
    try {
      const c = await RawClient.connect(server);
      c.send(serialize.requestSsl(), serialize.startup({ user: 'alice', database: 'db' }));
      assert.equal(await c.readByte(), 'S');
      const e = errorOf(await c.readToEnd());
      assert.deepEqual([e.C, e.M], ['08P01', 'received unencrypted data after SSL request']);
      await selectOne(server);
    } finally {
      await server.close();
    }
  });

  test('close() ends every session with FATAL 57P01 and cancels running statements', async () => {
    const server = await startFixtureServer();
    const idle = await RawClient.connect(server);
    await idle.startup();
    const busy = await RawClient.connect(server);
    await busy.startup();
    busy.send(serialize.query('SELECT sleep_until_cancelled()'));
    await eventually(() => server.backend.executed.includes('SELECT sleep_until_cancelled()'));
    await server.close();
    for (const c of [idle, busy]) {
      const frames = await c.readToEnd();
      const fatal = frames.filter((f) => f.type === 'E').map((f) => errorFields(f)).find((e) => e.S === 'FATAL');
      assert.ok(fatal, `no FATAL in ${types(frames)}`);
      assert.equal(fatal.C, '57P01');
    }
    assert.ok(server.backend.sessions.every((s) => s.closed));
  });
});
