/**
 * The protocol message by message, with raw frames: startup negotiation, the extended protocol's
 * names, portals, row limits, pipelining and error recovery, as PostgreSQL answers them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import type { ConnectionClosedEvent, ConnectionOpenedEvent, ErrorSentEvent, StatementCompletedEvent } from '../../src/wire/observability.js';
import {
  commandTag,
  dataRowValues,
  errorFields,
  RawClient,
  readyStatus,
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

/** An untyped startup packet: length, code, body. */
function startupPacket(code: number, body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([int32(8 + body.length), int32(code), body]);
}

function startupParams(params: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(params)) parts.push(Buffer.from(`${k}\0${v}\0`));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function parameterStatuses(frames: readonly Frame[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of frames.filter((x) => x.type === 'S')) {
    const [name, value] = f.body.toString('utf8').split('\0');
    out.set(name!, value!);
  }
  return out;
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

  describe('startup', () => {
    test('AuthenticationOk, the ParameterStatus set PostgreSQL reports, BackendKeyData, ReadyForQuery I', async () => {
      const c = await RawClient.connect(server);
      const frames = await c.startup({ user: 'alice', database: 'db', application_name: 'raw' });
      assert.equal(frames[0]!.type, 'R');
      assert.equal(frames[0]!.body.readInt32BE(0), 0);
      assert.match(types(frames), /^RS+KZ$/);
      const params = parameterStatuses(frames);
      for (const name of [
        'server_version', 'server_encoding', 'client_encoding', 'DateStyle', 'IntervalStyle', 'integer_datetimes',
        'standard_conforming_strings', 'TimeZone', 'application_name', 'is_superuser', 'session_authorization',
      ]) {
        assert.ok(params.has(name), `ParameterStatus ${name} missing`);
      }
      assert.equal(params.get('server_version'), '16.4');
      assert.equal(params.get('application_name'), 'raw');
      assert.equal(params.get('session_authorization'), 'alice');
      assert.equal(params.get('integer_datetimes'), 'on');
      const key = frames.find((f) => f.type === 'K')!;
      assert.equal(key.body.length, 8);
      assert.ok(key.body.readInt32BE(0) > 0);
      assert.equal(readyStatus(frames.at(-1)!), 'I');
      c.close();
    });

    test('SSLRequest without a certificate is answered N and the connection continues in clear', async () => {
      const c = await RawClient.connect(server);
      c.send(serialize.requestSsl());
      assert.equal(await c.readByte(), 'N');
      const frames = await c.startup();
      assert.equal(readyStatus(frames.at(-1)!), 'I');
      c.close();
    });

    test('GSSENCRequest is answered N, then SSLRequest N, then startup', async () => {
      const c = await RawClient.connect(server);
      c.send(startupPacket(80877104));
      assert.equal(await c.readByte(), 'N');
      c.send(serialize.requestSsl());
      assert.equal(await c.readByte(), 'N');
      const frames = await c.startup();
      assert.equal(types(frames).at(-1), 'Z');
      c.close();
    });

    test('protocol 3.2 with _pq_ options gets NegotiateProtocolVersion (3.0 and the unknown options)', async () => {
      const c = await RawClient.connect(server);
      c.send(startupPacket((3 << 16) | 2, startupParams({ user: 'alice', database: 'db', '_pq_.grease': 'x' })));
      const frames = await c.readUntil('Z');
      const v = frames.find((f) => f.type === 'v');
      assert.ok(v, `no NegotiateProtocolVersion in ${types(frames)}`);
      assert.equal(v.body.readInt32BE(0), 0);
      assert.equal(v.body.readInt32BE(4), 1);
      assert.equal(v.body.subarray(8).toString('utf8'), '_pq_.grease\0');
      c.close();
    });

    test('protocol 2.0 is refused with FATAL 0A000', async () => {
      const c = await RawClient.connect(server);
      c.send(startupPacket(2 << 16, startupParams({ user: 'alice' })));
      const frames = await c.readToEnd();
      const e = errorOf(frames);
      assert.equal(e.C, '0A000');
      assert.equal(e.S, 'FATAL');
      assert.equal(e.M, 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
    });

    test('a startup packet without user is refused with 28000', async () => {
      const c = await RawClient.connect(server);
      c.send(startupPacket(3 << 16, startupParams({ database: 'db' })));
      const e = errorOf(await c.readToEnd());
      assert.equal(e.C, '28000');
      assert.equal(e.M, 'no PostgreSQL user name specified in startup packet');
    });
  });

  describe('extended protocol', () => {
    test('Parse/Bind/Describe/Execute/Sync answer 1 2 T D C Z', async () => {
      const c = await connected();
      c.send(
        serialize.parse({ text: 'SELECT n FROM series(3)' }),
        serialize.bind({}),
        serialize.describe({ type: 'P' }),
        serialize.execute({}),
        serialize.sync(),
      );
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), '12TDDDCZ');
      assert.equal(commandTag(frames[6]!), 'SELECT 3');
      c.close();
    });

    test('Describe of a statement gives ParameterDescription with inferred types, then RowDescription or NoData', async () => {
      const c = await connected();
      c.send(
        serialize.parse({ name: 's1', text: 'SELECT $1::int8 AS a, $2 AS b' }),
        serialize.describe({ type: 'S', name: 's1' }),
        serialize.parse({ name: 's2', text: 'INSERT INTO t VALUES ($1)', types: [23] }),
        serialize.describe({ type: 'S', name: 's2' }),
        serialize.sync(),
      );
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), '1tT1tnZ');
      const pd = frames[1]!.body;
      assert.deepEqual([pd.readInt16BE(0), pd.readUInt32BE(2), pd.readUInt32BE(6)], [2, 20, 25]);
      const pd2 = frames[4]!.body;
      assert.deepEqual([pd2.readInt16BE(0), pd2.readUInt32BE(2)], [1, 23]);
      c.close();
    });

    test('a duplicate statement name is 42P05 and everything up to Sync is discarded', async () => {
      const c = await connected();
      c.send(
        serialize.parse({ name: 'dup', text: 'SELECT 1' }),
        serialize.parse({ name: 'dup', text: 'SELECT 1' }),
        serialize.bind({ statement: 'dup' }),
        serialize.execute({}),
        serialize.sync(),
      );
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), '1EZ');
      const e = errorFields(frames[1]!);
      assert.equal(e.C, '42P05');
      assert.equal(e.M, 'prepared statement "dup" already exists');
      assert.equal(readyStatus(frames[2]!), 'I');
      // The first one survived; a new Sync block works.
      c.send(serialize.bind({ statement: 'dup' }), serialize.execute({}), serialize.sync());
      assert.equal(types(await c.readUntil('Z')), '2DCZ');
      c.close();
    });

    test('a missing statement is 26000, a missing portal 34000', async () => {
      const c = await connected();
      c.send(serialize.bind({ statement: 'nope' }), serialize.sync());
      let frames = await c.readUntil('Z');
      assert.equal(errorOf(frames).C, '26000');
      assert.equal(errorOf(frames).M, 'prepared statement "nope" does not exist');
      c.send(serialize.describe({ type: 'S', name: 'nope' }), serialize.sync());
      assert.equal(errorOf(await c.readUntil('Z')).C, '26000');
      c.send(serialize.execute({ portal: 'nope' }), serialize.sync());
      frames = await c.readUntil('Z');
      assert.equal(errorOf(frames).C, '34000');
      assert.equal(errorOf(frames).M, 'portal "nope" does not exist');
      c.send(serialize.describe({ type: 'P', name: 'nope' }), serialize.sync());
      assert.equal(errorOf(await c.readUntil('Z')).C, '34000');
      c.close();
    });

    test('a wrong number of parameters is 08P01 and the session continues', async () => {
      const c = await connected();
      c.send(serialize.parse({ text: 'SELECT $1::int4 AS a' }), serialize.bind({ values: ['1', '2'] }), serialize.execute({}), serialize.sync());
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), '1EZ');
      const e = errorFields(frames[1]!);
      assert.equal(e.C, '08P01');
      assert.equal(e.M, 'bind message supplies 2 parameters, but prepared statement "" requires 1');
      c.send(serialize.query('SELECT 1'));
      assert.equal(types(await c.readUntil('Z')), 'TDCZ');
      c.close();
    });

    test('a wrong number of result format codes is 08P01', async () => {
      const c = await connected();
      // Bind with 2 result format codes for a 1-column statement, built by hand.
      const body = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0, 0, 0]), Buffer.from([0, 2, 0, 0, 0, 0])]);
      const bind = Buffer.concat([Buffer.from('B'), int32(4 + body.length), body]);
      c.send(serialize.parse({ text: 'SELECT 1' }), bind, serialize.sync());
      const e = errorOf(await c.readUntil('Z'));
      assert.equal(e.C, '08P01');
      assert.equal(e.M, 'bind message has 2 result formats but query has 1 columns');
      c.close();
    });

    test('Execute with a row limit suspends the portal; several portals are read interleaved', async () => {
      const c = await connected();
      c.send(
        serialize.parse({ name: 'q', text: 'SELECT n FROM series(5)' }),
        serialize.bind({ portal: 'a', statement: 'q' }),
        serialize.bind({ portal: 'b', statement: 'q' }),
        serialize.execute({ portal: 'a', rows: 2 }),
        serialize.execute({ portal: 'b', rows: 3 }),
        serialize.execute({ portal: 'a', rows: 2 }),
        serialize.execute({ portal: 'b', rows: 3 }),
        serialize.execute({ portal: 'a', rows: 2 }),
        serialize.execute({ portal: 'a', rows: 2 }),
        serialize.sync(),
      );
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), '122DDsDDDsDDsDDCDCCZ');
      const values = (from: number, to: number): Array<string | null> => frames.slice(from, to).flatMap((f) => dataRowValues(f));
      assert.deepEqual(values(3, 5), ['1', '2']);
      assert.deepEqual(values(6, 9), ['1', '2', '3']);
      assert.deepEqual(values(10, 12), ['3', '4']);
      assert.deepEqual(values(13, 15), ['4', '5']);
      // PostgreSQL's tag counts the rows of the last Execute; an exhausted portal says SELECT 0.
      assert.equal(commandTag(frames[15]!), 'SELECT 2');
      assert.equal(commandTag(frames[17]!), 'SELECT 1');
      assert.equal(commandTag(frames[18]!), 'SELECT 0');
      c.close();
    });

    test('portals end with their transaction at Sync', async () => {
      const c = await connected();
      c.send(serialize.parse({ text: 'SELECT n FROM series(5)' }), serialize.bind({ portal: 'p' }), serialize.execute({ portal: 'p', rows: 1 }), serialize.sync());
      assert.equal(types(await c.readUntil('Z')), '12DsZ');
      c.send(serialize.execute({ portal: 'p', rows: 1 }), serialize.sync());
      assert.equal(errorOf(await c.readUntil('Z')).C, '34000');
      // Inside BEGIN the portal survives Sync.
      c.send(serialize.query('BEGIN'));
      await c.readUntil('Z');
      c.send(serialize.parse({ text: 'SELECT n FROM series(5)' }), serialize.bind({ portal: 'p' }), serialize.execute({ portal: 'p', rows: 1 }), serialize.sync());
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), '12DsZ');
      assert.equal(readyStatus(frames.at(-1)!), 'T');
      c.send(serialize.execute({ portal: 'p', rows: 1 }), serialize.sync());
      assert.equal(types(await c.readUntil('Z')), 'DsZ');
      c.close();
    });

    test('Flush sends what is ready without ending the pipeline', async () => {
      const c = await connected();
      c.send(serialize.parse({ text: 'SELECT 1' }), serialize.bind({}), serialize.execute({}), serialize.flush());
      assert.equal(types(await c.readUntil('C')), '12DC');
      c.send(serialize.sync());
      assert.equal(types(await c.readUntil('Z')), 'Z');
      c.close();
    });

    test('Close of statements and portals answers CloseComplete, also for names that do not exist', async () => {
      const c = await connected();
      c.send(
        serialize.parse({ name: 'x', text: 'SELECT 1' }),
        serialize.close({ type: 'S', name: 'x' }),
        serialize.close({ type: 'S', name: 'never' }),
        serialize.close({ type: 'P', name: 'never' }),
        serialize.parse({ name: 'x', text: 'SELECT 1' }),
        serialize.sync(),
      );
      assert.equal(types(await c.readUntil('Z')), '13331Z');
      c.close();
    });

    test('the unnamed statement is replaced by the next unnamed Parse', async () => {
      const c = await connected();
      c.send(
        serialize.parse({ text: 'SELECT 1' }),
        serialize.parse({ text: 'SELECT 2' }),
        serialize.bind({}),
        serialize.execute({}),
        serialize.sync(),
      );
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), '112DCZ');
      assert.deepEqual(dataRowValues(frames[3]!), ['2']);
      c.close();
    });

    test('an empty statement executes as EmptyQueryResponse', async () => {
      const c = await connected();
      c.send(serialize.parse({ text: '' }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
      assert.equal(types(await c.readUntil('Z')), '12nIZ');
      c.close();
    });

    test('several statements in one Parse are 42601', async () => {
      const c = await connected();
      c.send(serialize.parse({ text: 'SELECT 1; SELECT 2' }), serialize.sync());
      const e = errorOf(await c.readUntil('Z'));
      assert.equal(e.C, '42601');
      assert.equal(e.M, 'cannot insert multiple commands into a prepared statement');
      c.close();
    });

    test('a pipeline of many Sync blocks is answered block by block, an error only discards its own block', async () => {
      const c = await connected();
      const frames: Buffer[] = [];
      for (let i = 0; i < 100; i++) {
        const text = i === 50 ? 'SELECT 1/0' : 'SELECT $1::int4 AS i';
        frames.push(serialize.parse({ text }), serialize.bind({ values: i === 50 ? [] : [String(i)] }), serialize.execute({}), serialize.sync());
      }
      c.send(...frames);
      for (let i = 0; i < 100; i++) {
        const block = await c.readUntil('Z');
        if (i === 50) {
          assert.equal(types(block), '12EZ');
          assert.equal(errorFields(block[2]!).C, '22012');
        } else {
          assert.equal(types(block), '12DCZ');
          assert.deepEqual(dataRowValues(block[2]!), [String(i)]);
        }
      }
      c.close();
    });

    test('an error inside BEGIN makes ReadyForQuery E; ROLLBACK returns to I', async () => {
      const c = await connected();
      c.send(serialize.query('BEGIN'));
      assert.equal(readyStatus((await c.readUntil('Z')).at(-1)!), 'T');
      c.send(serialize.parse({ text: 'SELECT 1/0' }), serialize.bind({}), serialize.execute({}), serialize.sync());
      assert.equal(readyStatus((await c.readUntil('Z')).at(-1)!), 'E');
      c.send(serialize.query('ROLLBACK'));
      const frames = await c.readUntil('Z');
      assert.equal(commandTag(frames[0]!), 'ROLLBACK');
      assert.equal(readyStatus(frames.at(-1)!), 'I');
      c.close();
    });
  });

  describe('session behaviour', () => {
    test('SET of a reported setting sends ParameterStatus before ReadyForQuery; other settings do not', async () => {
      const c = await connected();
      c.send(serialize.query("SET application_name = 'renamed'"));
      let frames = await c.readUntil('Z');
      assert.equal(types(frames), 'CSZ');
      assert.deepEqual([...parameterStatuses(frames)], [['application_name', 'renamed']]);
      c.send(serialize.query('SET extra_float_digits = 2'));
      frames = await c.readUntil('Z');
      assert.equal(types(frames), 'CZ');
      c.close();
    });

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

    test('Terminate closes the connection quietly', async () => {
      const c = await connected();
      c.send(serialize.end());
      assert.deepEqual(await c.readToEnd(), []);
    });

    test('COPY FROM STDIN: CopyInResponse, data in arbitrary chunks, CopyDone → COPY n', async () => {
      const c = await connected();
      c.send(serialize.query('COPY sink FROM STDIN'));
      const response = await c.readUntil('G');
      assert.equal(types(response), 'G');
      const data = Buffer.from('1\tone\n2\ttwo\n3\tthree\n');
      c.send(serialize.copyData(data.subarray(0, 5)), serialize.copyData(data.subarray(5)), serialize.copyDone());
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), 'CZ');
      assert.equal(commandTag(frames[0]!), 'COPY 3');
      c.close();
    });

    test('CopyFail aborts COPY with 57014 and the session goes on', async () => {
      const c = await connected();
      c.send(serialize.query('COPY sink FROM STDIN'));
      await c.readUntil('G');
      c.send(serialize.copyData(Buffer.from('1\n')), serialize.copyFail('client gave up'));
      const frames = await c.readUntil('Z');
      const e = errorOf(frames);
      assert.equal(e.C, '57014');
      assert.equal(e.M, 'COPY from stdin failed: client gave up');
      c.send(serialize.query('SELECT 1'));
      assert.equal(types(await c.readUntil('Z')), 'TDCZ');
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

    test('COPY TO STDOUT: CopyOutResponse, one CopyData per row, CopyDone, COPY n', async () => {
      const c = await connected();
      c.send(serialize.query('COPY series(3) TO STDOUT'));
      const frames = await c.readUntil('Z');
      assert.equal(types(frames), 'HdddcCZ');
      assert.equal(frames[1]!.body.toString(), '1\trow 1\n');
      assert.equal(commandTag(frames[5]!), 'COPY 3');
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
