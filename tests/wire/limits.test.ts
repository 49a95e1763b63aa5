/**
 * Limits the fixture shows best: health probes that log nothing, the server-wide idle timeout, the
 * authentication timeout, clear bytes after SSLRequest. Cancel, the connection and message limits,
 * idle timeouts, bad frames and shutdown on the real server: tests/e2e/limits.test.ts, cancel.test.ts.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import type { WireLogger } from '../../src/wire/observability.js';
import {
  delay,
  errorFields,
  makeTestCertificates,
  RawClient,
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

});
