/**
 * Protocol details the real engine does not easily produce, with raw frames against the fixture:
 * notices, invalid UTF-8, fast-path calls, COPY framing with Sync and Flush, the metrics hooks.
 * Startup, the extended protocol and COPY on the real server: tests/e2e/ (compared with PostgreSQL).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import type { ConnectionClosedEvent, ConnectionOpenedEvent, ErrorSentEvent, StatementCompletedEvent } from '../../src/wire/observability.js';
import {
  commandTag,
  errorFields,
  RawClient,
  startFixtureServer,
  types,
  type FixtureServer,
  type Frame,
} from './support.js';

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function errorOf(frames: readonly Frame[]): Record<string, string> {
  const e = frames.find((f) => f.type === 'E');
  assert.ok(e, `expected an ErrorResponse in ${types(frames)}`);
  return errorFields(e);
}

describe('wire protocol, frame by frame', () => {
  let server: FixtureServer;
  before(async () => {
    server = await startFixtureServer({ serverVersion: '16.4' });
  });
  after(() => server.close());

  async function connected(): Promise<RawClient> {
    const c = await RawClient.connect(server);
    await c.startup();
    return c;
  }

  describe('session behaviour', () => {

    test('a NOTICE is sent as NoticeResponse with severity and SQLSTATE', async () => {
      const c = await connected();
      c.send(serialize.query("SELECT notice('hi')"));
      const frames = await c.readUntil('Z');
      // The fixture raises it while executing, before the first row.
      assert.equal(types(frames), 'NTDCZ');
      const n = errorFields(frames[0]!);
      assert.deepEqual([n.S, n.V, n.C, n.M], ['NOTICE', 'NOTICE', '00000', 'hi']);
      c.close();
    });

    test('invalid UTF-8 in a query is 22021 and the session goes on', async () => {
      const c = await connected();
      const body = Buffer.concat([Buffer.from('SELECT \xff'.replace('\xff', ''), 'utf8'), Buffer.from([0xc3, 0x28, 0])]);
      c.send(Buffer.concat([Buffer.from('Q'), int32(4 + body.length), body]));
      const frames = await c.readUntil('Z');
      const e = errorOf(frames);
      assert.equal(e.C, '22021');
      assert.equal(e.M, 'invalid byte sequence for encoding "UTF8": 0xc3 0x28');
      c.send(serialize.query('SELECT 1'));
      assert.equal(types(await c.readUntil('Z')), 'TDCZ');
      c.close();
    });

    test('a fast-path FunctionCall is 0A000', async () => {
      const c = await connected();
      const body = Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
      c.send(Buffer.concat([Buffer.from('F'), int32(4 + body.length), body]));
      const frames = await c.readUntil('Z');
      assert.equal(errorOf(frames).C, '0A000');
      c.close();
    });

    test('COPY in the extended protocol: Sync and Flush during COPY are ignored; the Sync after CopyDone ends it', async () => {
      const c = await connected();
      c.send(serialize.parse({ text: 'COPY sink FROM STDIN CSV' }), serialize.bind({}), serialize.execute({}), serialize.flush(), serialize.sync());
      assert.equal(types(await c.readUntil('G')), '12G');
      // libpq sends its own Sync after CopyDone in the extended protocol.
      c.send(serialize.copyData(Buffer.from('a,b\nc,d\n')), serialize.copyDone(), serialize.sync());
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), 'CZ');
      assert.equal(commandTag(frames[0]!), 'COPY 2');
      c.close();
    });

  });
});

describe('metrics hooks', () => {
  test('connections opened and closed, statements by tag, errors by SQLSTATE', async () => {
    const events = {
      opened: [] as ConnectionOpenedEvent[],
      closed: [] as ConnectionClosedEvent[],
      statements: [] as StatementCompletedEvent[],
      errors: [] as ErrorSentEvent[],
    };
    const server = await startFixtureServer({
      hooks: {
        connectionOpened: (e) => events.opened.push(e),
        connectionClosed: (e) => events.closed.push(e),
        statementCompleted: (e) => events.statements.push(e),
        errorSent: (e) => events.errors.push(e),
      },
    });
    try {
      const c = await RawClient.connect(server);
      await c.startup({ user: 'alice', database: 'db', application_name: 'metrics' });
      c.send(serialize.query('SELECT 1; SELECT n FROM series(2)'), serialize.query('SELECT 1/0'));
      await c.readUntil('Z');
      await c.readUntil('Z');
      c.send(serialize.parse({ text: 'SELECT 1' }), serialize.bind({}), serialize.execute({}), serialize.sync(), serialize.end());
      await c.readToEnd();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(events.opened.length, 1);
      assert.deepEqual(
        [events.opened[0]!.user, events.opened[0]!.database, events.opened[0]!.applicationName, events.opened[0]!.authenticatedBy],
        ['alice', 'db', 'metrics', 'trust'],
      );
      assert.deepEqual(events.statements.map((e) => [e.protocol, e.tag]), [
        ['simple', 'SELECT 1'],
        ['simple', 'SELECT 2'],
        ['extended', 'SELECT 1'],
      ]);
      assert.ok(events.statements.every((e) => e.durationMs >= 0 && e.pid === events.opened[0]!.pid));
      assert.deepEqual(events.errors.map((e) => [e.sqlState, e.severity]), [['22012', 'ERROR']]);
      assert.equal(events.closed.length, 1);
      assert.equal(events.closed[0]!.pid, events.opened[0]!.pid);
    } finally {
      await server.close();
    }
  });
});
