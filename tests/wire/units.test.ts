/**
 * The wire layer's pure parts: the incremental frontend decoder and its limits, SCRAM against the
 * RFC 7677 test vector, access rules, `options` parsing and cancel keys.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import { pino } from 'pino';
import { SqlError } from '../../src/errors.js';
import { CancelKeyRegistry, MAX_NODE_ID, nodeIdOfPid } from '../../src/wire/cancel-keys.js';
import { FrontendDecoder } from '../../src/wire/frontend-decoder.js';
import { AccessRules, parseAccessRules } from '../../src/wire/hba.js';
import type { FrontendMessage } from '../../src/wire/messages.js';
import type { WireLogger } from '../../src/wire/observability.js';
import { checkCleartextPassword, makeMd5Verifier, makeScramVerifier, parseScramVerifier, ScramServerExchange } from '../../src/wire/scram.js';
import { parseCommandLineOptions } from '../../src/wire/startup.js';

function decodeAll(decoder: FrontendDecoder): FrontendMessage[] {
  const out: FrontendMessage[] = [];
  for (let m = decoder.next(); m !== null; m = decoder.next()) out.push(m);
  return out;
}

function fatalCode(work: () => unknown): string {
  try {
    work();
  } catch (e) {
    assert.ok(e instanceof SqlError);
    assert.equal(e.severity, 'FATAL');
    return `${e.code} ${e.message}`;
  }
  assert.fail('expected a FATAL error');
}

describe('frontend decoder', () => {
  const startup = serialize.startup({ user: 'u', database: 'd' });
  const pipeline = Buffer.concat([
    startup,
    serialize.parse({ name: 's', text: 'SELECT $1', types: [23] }),
    serialize.bind({ statement: 's', values: ['7', null, Buffer.from([1, 2])] }),
    serialize.describe({ type: 'P', name: '' }),
    serialize.execute({ rows: 5 }),
    serialize.copyData(Buffer.from('abc')),
    serialize.sync(),
  ]);

  test('decodes the same messages whether bytes arrive at once or one at a time', () => {
    const whole = new FrontendDecoder({ maxMessageBytes: 1024 });
    whole.push(pipeline);
    const expected = decodeAll(whole);
    assert.deepEqual(
      expected.map((m) => m.type),
      ['startup', 'parse', 'bind', 'describe', 'execute', 'copyData', 'sync'],
    );
    const bytewise = new FrontendDecoder({ maxMessageBytes: 1024 });
    const got: FrontendMessage[] = [];
    for (let i = 0; i < pipeline.length; i++) {
      bytewise.push(pipeline.subarray(i, i + 1));
      got.push(...decodeAll(bytewise));
    }
    assert.deepEqual(got, expected);
    const bind = expected[2];
    assert.ok(bind?.type === 'bind');
    assert.deepEqual(bind.params, ['7', null, Buffer.from([1, 2])]);
    assert.deepEqual(bind.paramFormats, [0, 0, 1]);
  });

  test('reads a chunk that is a slice of a larger pooled buffer at the right offset', () => {
    const pool = Buffer.alloc(pipeline.length + 100, 0xee);
    pipeline.copy(pool, 37);
    const decoder = new FrontendDecoder({ maxMessageBytes: 1024 });
    decoder.push(pool.subarray(37, 37 + pipeline.length));
    assert.equal(decodeAll(decoder).length, 7);
  });

  test('an oversized length is FATAL 08P01 before its body is buffered', () => {
    const decoder = new FrontendDecoder({ maxMessageBytes: 1024 });
    decoder.push(startup);
    decodeAll(decoder);
    decoder.push(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]));
    assert.equal(fatalCode(() => decoder.next()), '08P01 invalid message length');
    assert.equal(decoder.bufferedBytes, 5);
  });

  test('an oversized or undersized startup packet is FATAL 08P01', () => {
    for (const length of [4, 10_001, -1]) {
      const decoder = new FrontendDecoder({ maxMessageBytes: 1024 });
      const b = Buffer.alloc(8);
      b.writeInt32BE(length, 0);
      decoder.push(b);
      assert.equal(fatalCode(() => decoder.next()), '08P01 invalid length of startup packet');
    }
  });

  test('truncated bodies, missing terminators and trailing bytes are FATAL 08P01', () => {
    const cases: Array<[string, Buffer]> = [
      ['insufficient data left in message', Buffer.from([0x45, 0, 0, 0, 6, 0, 0])], // Execute without maxRows
      ['invalid string in message', Buffer.from([0x51, 0, 0, 0, 6, 0x41, 0x42])], // Query without NUL
      ['invalid message format', Buffer.from([0x53, 0, 0, 0, 5, 0])], // Sync with a body
      ['invalid frontend message type 122', Buffer.from([0x7a, 0, 0, 0, 4])],
      ['invalid DESCRIBE message subtype 88', Buffer.from([0x44, 0, 0, 0, 6, 0x58, 0])],
    ];
    for (const [message, bytes] of cases) {
      const decoder = new FrontendDecoder({ maxMessageBytes: 1024 });
      decoder.push(startup);
      decodeAll(decoder);
      decoder.push(bytes);
      assert.equal(fatalCode(() => decoder.next()), `08P01 ${message}`);
      // Poisoned: nothing more comes out.
      assert.throws(() => decoder.next());
    }
  });
});

describe('SCRAM-SHA-256', () => {
  test('the server side of the RFC 7677 example exchange', () => {
    const verifier = parseScramVerifier(makeScramVerifier('pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64')));
    const exchange = new ScramServerExchange({ verifier, mockSalt: Buffer.alloc(16), channelBinding: null, serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    const serverFirst = exchange.start('SCRAM-SHA-256', 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    assert.equal(serverFirst, 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    const serverFinal = exchange.finish('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    assert.equal(serverFinal, 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  test('a wrong proof fails', () => {
    const verifier = parseScramVerifier(makeScramVerifier('pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64')));
    const wrong = new ScramServerExchange({ verifier, mockSalt: Buffer.alloc(16), channelBinding: null, serverNonce: 'x' });
    wrong.start('SCRAM-SHA-256', 'n,,n=,r=abc');
    assert.equal(wrong.finish(`c=biws,r=abcx,p=${Buffer.alloc(32).toString('base64')}`), null);
  });

  test('a client that supports channel binding but thinks the server does not is refused over TLS', () => {
    const exchange = new ScramServerExchange({ verifier: null, mockSalt: Buffer.alloc(16), channelBinding: Buffer.alloc(32) });
    assert.equal(fatalCode(() => exchange.start('SCRAM-SHA-256', 'y,,n=,r=abc')), '08P01 SCRAM channel binding negotiation error');
    assert.deepEqual(ScramServerExchange.mechanisms(Buffer.alloc(32)), ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    assert.deepEqual(ScramServerExchange.mechanisms(null), ['SCRAM-SHA-256']);
  });

  test('SCRAM-SHA-256-PLUS is refused without TLS and when the binding data is wrong', () => {
    const plain = new ScramServerExchange({ verifier: null, mockSalt: Buffer.alloc(16), channelBinding: null });
    assert.match(fatalCode(() => plain.start('SCRAM-SHA-256-PLUS', 'p=tls-server-end-point,,n=,r=abc')), /^08P01 /);
    const tls = new ScramServerExchange({ verifier: null, mockSalt: Buffer.alloc(16), channelBinding: Buffer.alloc(32, 1), serverNonce: 'x' });
    tls.start('SCRAM-SHA-256-PLUS', 'p=tls-server-end-point,,n=,r=abc');
    const badBinding = Buffer.concat([Buffer.from('p=tls-server-end-point,,'), Buffer.alloc(32, 2)]).toString('base64');
    assert.equal(fatalCode(() => tls.finish(`c=${badBinding},r=abcx,p=${Buffer.alloc(32).toString('base64')}`)), '08P01 SCRAM channel binding check failed');
  });

  test('cleartext passwords are checked against SCRAM and md5 verifiers', () => {
    assert.equal(checkCleartextPassword(makeScramVerifier('s3cret', 1000), 'u', 's3cret'), true);
    assert.equal(checkCleartextPassword(makeScramVerifier('s3cret', 1000), 'u', 's3cret!'), false);
    assert.equal(checkCleartextPassword(makeMd5Verifier('u', 'pw'), 'u', 'pw'), true);
    assert.equal(makeMd5Verifier('postgres', 'postgres'), 'md53175bce1d3201d16594cebf9d7eb3f9d');
  });
});

describe('access rules', () => {
  const rules = new AccessRules(
    parseAccessRules(`
      # type      database  user        address         method
      hostssl     all       admin       all             scram-sha-256
      host        app,logs  all         10.0.0.0/8      md5
      host        all       all         ::1/128         trust
      host        all       bad         all             reject
      hostnossl   sameuser  all         127.0.0.1       password
    `),
  );
  const who = (remoteAddress: string, user: string, database: string, ssl = false) => ({ remoteAddress, user, database, ssl });

  test('the first rule matching type, database, user and address decides', () => {
    assert.equal(rules.methodFor(who('10.1.2.3', 'x', 'app', true)), 'md5');
    assert.equal(rules.methodFor(who('::ffff:10.1.2.3', 'x', 'logs')), 'md5');
    assert.equal(rules.methodFor(who('::1', 'x', 'other')), 'trust');
    assert.equal(rules.methodFor(who('1.2.3.4', 'admin', 'x', true)), 'scram-sha-256');
    assert.equal(rules.methodFor(who('127.0.0.1', 'joe', 'joe')), 'password');
  });

  test('a reject rule and no matching rule are 28000 with PostgreSQL\'s messages', () => {
    assert.throws(() => rules.methodFor(who('1.2.3.4', 'bad', 'x')), {
      code: '28000',
      message: 'pg_hba.conf rejects connection for host "1.2.3.4", user "bad", database "x", no encryption',
    });
    assert.throws(() => rules.methodFor(who('127.0.0.1', 'joe', 'joe', true)), {
      code: '28000',
      message: 'no pg_hba.conf entry for host "127.0.0.1", user "joe", database "joe", SSL encryption',
    });
  });

  test('invalid rules are refused when read', () => {
    assert.throws(() => parseAccessRules('host all all 10.0.0.0/99 trust'), /invalid CIDR mask/);
    assert.throws(() => parseAccessRules('local all all trust'), /expected 5 fields/);
    assert.throws(() => parseAccessRules('host all all all ident'), /invalid authentication method/);
  });
});

describe('startup options and cancel keys', () => {
  test('options are read like a backend command line', () => {
    assert.deepEqual(parseCommandLineOptions('-c search_path=a,b --statement-timeout=5s -cDateStyle=ISO\\ ,\\ DMY'), [
      ['search_path', 'a,b'],
      ['statement_timeout', '5s'],
      ['DateStyle', 'ISO , DMY'],
    ]);
    assert.throws(() => parseCommandLineOptions('-x'), { code: '42601' });
  });

  test('pids carry the node id and stay positive int32; secrets are checked by the owner only', () => {
    const forwarded: unknown[] = [];
    const registry = new CancelKeyRegistry(MAX_NODE_ID, (r) => forwarded.push(r));
    let cancelled = 0;
    const key = registry.allocate({ cancel: () => cancelled++ });
    assert.ok(key.pid > 0 && key.pid <= 0x7fffffff);
    assert.equal(nodeIdOfPid(key.pid), MAX_NODE_ID);
    assert.equal(registry.cancel(key.pid, key.secret ^ 1), 'ignored');
    assert.equal(registry.cancel(key.pid, key.secret), 'cancelled');
    assert.equal(cancelled, 1);
    const otherNodePid = (5 << 21) | 77;
    assert.equal(registry.cancel(otherNodePid, 123), 'forwarded');
    assert.deepEqual(forwarded, [{ nodeId: 5, pid: otherNodePid, secret: 123 }]);
    registry.release(key.pid);
    assert.equal(registry.cancel(key.pid, key.secret), 'ignored');
    const second = registry.allocate({ cancel: () => {} });
    assert.notEqual(second.pid, key.pid);
  });
});

test('a pino logger is a WireLogger as it is', () => {
  const logger: WireLogger = pino({ level: 'silent' });
  logger.info({ pid: 1 }, 'compiles and runs');
});
