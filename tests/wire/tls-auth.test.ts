/**
 * TLS and authentication with real clients: psql/libpq with sslmode=verify-full against a CA made
 * for the test, SCRAM-SHA-256-PLUS with channel_binding=require, SCRAM, md5, cleartext, wrong
 * passwords (28P01) and access rules (28000).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { ConnectionOpenedEvent } from '../../src/wire/observability.js';
import { makeMd5Verifier, makeScramVerifier } from '../../src/wire/scram.js';
import { startWireServer } from '../../src/wire/server.js';
import { FixtureBackend } from './fixture-backend.js';
import { makeTestCertificates, runPsql, startFixtureServer, type FixtureServer, type Target, type TestCertificates } from './support.js';

const PASSWORDS = { alice: 'alice-secret', bob: 'bob-md5', carol: 'carol-tls-only', dave: 'dave-clear' };

async function pgConnect(target: Target, config: Partial<pg.ClientConfig>): Promise<pg.Client> {
  const client = new pg.Client({ host: target.host, port: target.port, database: 'db', ...config });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
  return client;
}

async function refusal(work: Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    const client = await work;
    if (client instanceof pg.Client) await client.end();
  } catch (e) {
    assert.ok(e instanceof pg.DatabaseError, `expected a DatabaseError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the connection to be refused');
}

describe('TLS and authentication', () => {
  let certs: TestCertificates;
  let server: FixtureServer;
  const opened: ConnectionOpenedEvent[] = [];

  before(async () => {
    certs = makeTestCertificates();
    server = await startFixtureServer({
      tls: { key: certs.key, cert: certs.cert },
      auth: {
        users: {
          alice: makeScramVerifier(PASSWORDS.alice, 4096),
          bob: makeMd5Verifier('bob', PASSWORDS.bob),
          carol: makeScramVerifier(PASSWORDS.carol, 4096),
          dave: makeScramVerifier(PASSWORDS.dave, 4096),
        },
        rules: [
          { type: 'hostssl', databases: 'all', users: ['carol'], address: 'all', method: 'scram-sha-256' },
          { type: 'host', databases: 'all', users: ['bob'], address: '127.0.0.1/32', method: 'md5' },
          { type: 'host', databases: 'all', users: ['dave'], address: 'all', method: 'password' },
          { type: 'host', databases: 'all', users: ['mallory'], address: 'all', method: 'reject' },
          { type: 'host', databases: ['md5db'], users: ['alice'], address: 'all', method: 'md5' },
          { type: 'host', databases: 'all', users: ['alice', 'nobody'], address: 'all', method: 'scram-sha-256' },
          { type: 'host', databases: 'all', users: ['trusted'], address: '::1/128', method: 'trust' },
        ],
      },
      hooks: { connectionOpened: (e) => opened.push(e) },
    });
  });
  after(() => server.close());

  const lastOpened = (): ConnectionOpenedEvent => opened.at(-1)!;

  test('psql with sslmode=verify-full verifies the server certificate and runs over TLS', async () => {
    const r = await runPsql(server, ['-tA', '-c', 'SELECT ssl_in_use()'], {
      user: 'alice',
      env: { PGPASSWORD: PASSWORDS.alice, PGSSLMODE: 'verify-full', PGSSLROOTCERT: certs.caFile, PGHOST: 'localhost', PGHOSTADDR: '127.0.0.1' },
    });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.trim(), 't');
    assert.equal(r.code, 0);
  });

  test('psql verify-full against a certificate for another host name fails on the client', async () => {
    const r = await runPsql({ host: '127.0.0.2', port: server.port }, ['-c', 'SELECT 1'], {
      user: 'alice',
      env: { PGPASSWORD: PASSWORDS.alice, PGSSLMODE: 'verify-full', PGSSLROOTCERT: certs.caFile, PGHOSTADDR: '127.0.0.1' },
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /does not match host name "127\.0\.0\.2"/);
  });

  test('libpq with channel_binding=require authenticates with SCRAM-SHA-256-PLUS over TLS', async () => {
    const r = await runPsql(server, ['-tA', '-c', 'SELECT current_user'], {
      user: 'alice',
      env: {
        PGPASSWORD: PASSWORDS.alice,
        PGSSLMODE: 'verify-full',
        PGSSLROOTCERT: certs.caFile,
        PGHOST: 'localhost',
        PGHOSTADDR: '127.0.0.1',
        PGCHANNELBINDING: 'require',
      },
    });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.trim(), 'alice');
    assert.equal(lastOpened().authenticatedBy, 'SCRAM-SHA-256-PLUS');
    assert.equal(lastOpened().ssl, true);
  });

  test('node-postgres over TLS with enableChannelBinding uses SCRAM-SHA-256-PLUS', async () => {
    const client = await pgConnect(server, {
      user: 'alice',
      password: PASSWORDS.alice,
      ssl: { ca: certs.ca, servername: 'localhost' },
      enableChannelBinding: true,
    });
    try {
      assert.deepEqual((await client.query('SELECT ssl_in_use()')).rows, [{ ssl_in_use: true }]);
      assert.equal(lastOpened().authenticatedBy, 'SCRAM-SHA-256-PLUS');
    } finally {
      await client.end();
    }
  });

  test('SCRAM-SHA-256 without TLS does not offer -PLUS', async () => {
    const client = await pgConnect(server, { user: 'alice', password: PASSWORDS.alice });
    await client.end();
    assert.equal(lastOpened().authenticatedBy, 'SCRAM-SHA-256');
    assert.equal(lastOpened().ssl, false);
  });

  test('a wrong SCRAM password is FATAL 28P01 with PostgreSQL\'s message', async () => {
    const e = await refusal(pgConnect(server, { user: 'alice', password: 'wrong' }));
    assert.equal(e.code, '28P01');
    assert.equal(e.severity, 'FATAL');
    assert.equal(e.message, 'password authentication failed for user "alice"');
    const r = await runPsql(server, ['-c', 'SELECT 1'], { user: 'alice', env: { PGPASSWORD: 'wrong' } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /FATAL:  password authentication failed for user "alice"/);
  });

  test('an unknown user fails exactly like a wrong password', async () => {
    const e = await refusal(pgConnect(server, { user: 'nobody', password: 'whatever' }));
    assert.equal(e.code, '28P01');
    assert.equal(e.message, 'password authentication failed for user "nobody"');
  });

  test('md5 authentication against an md5 verifier', async () => {
    const client = await pgConnect(server, { user: 'bob', password: PASSWORDS.bob });
    await client.end();
    assert.equal(lastOpened().authenticatedBy, 'md5');
    const e = await refusal(pgConnect(server, { user: 'bob', password: 'nope' }));
    assert.equal(e.code, '28P01');
    const r = await runPsql(server, ['-tA', '-c', 'SELECT current_user'], { user: 'bob', env: { PGPASSWORD: PASSWORDS.bob } });
    assert.equal(r.stdout.trim(), 'bob');
  });

  test('an md5 rule for a user stored as SCRAM runs SCRAM, as PostgreSQL does', async () => {
    const client = await pgConnect(server, { user: 'alice', password: PASSWORDS.alice, database: 'md5db' });
    await client.end();
    assert.equal(lastOpened().authenticatedBy, 'SCRAM-SHA-256');
  });

  test('cleartext password authentication', async () => {
    const client = await pgConnect(server, { user: 'dave', password: PASSWORDS.dave });
    await client.end();
    assert.equal(lastOpened().authenticatedBy, 'password');
    const e = await refusal(pgConnect(server, { user: 'dave', password: 'bad' }));
    assert.equal(e.code, '28P01');
    assert.equal(e.message, 'password authentication failed for user "dave"');
  });

  test('a reject rule refuses with 28000', async () => {
    const e = await refusal(pgConnect(server, { user: 'mallory', password: 'x' }));
    assert.equal(e.code, '28000');
    assert.equal(e.message, 'pg_hba.conf rejects connection for host "127.0.0.1", user "mallory", database "db", no encryption');
  });

  test('no matching rule refuses with 28000 (address, user and TLS are all part of the match)', async () => {
    let e = await refusal(pgConnect(server, { user: 'eve', password: 'x' }));
    assert.equal(e.code, '28000');
    assert.equal(e.message, 'no pg_hba.conf entry for host "127.0.0.1", user "eve", database "db", no encryption');
    // trusted is only trusted from ::1.
    e = await refusal(pgConnect(server, { user: 'trusted' }));
    assert.equal(e.code, '28000');
    // carol only over TLS.
    e = await refusal(pgConnect(server, { user: 'carol', password: PASSWORDS.carol }));
    assert.equal(e.message, 'no pg_hba.conf entry for host "127.0.0.1", user "carol", database "db", no encryption');
    const client = await pgConnect(server, { user: 'carol', password: PASSWORDS.carol, ssl: { ca: certs.ca, servername: 'localhost' } });
    await client.end();
  });

  test('a server that requires TLS refuses clear-text clients with 28000 and accepts TLS ones', async () => {
    const strict = await startFixtureServer({ tls: { key: certs.key, cert: certs.cert, required: true } });
    try {
      const r = await runPsql(strict, ['-c', 'SELECT 1'], { env: { PGSSLMODE: 'disable' } });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /no pg_hba\.conf entry for host "127\.0\.0\.1", user "alice", database "db", no encryption/);
      const ok = await runPsql(strict, ['-tA', '-c', 'SELECT ssl_in_use()'], { env: { PGSSLMODE: 'require' } });
      assert.equal(ok.stdout.trim(), 't');
    } finally {
      await strict.close();
    }
  });

  test('plain-text passwords in the configuration are refused at startup', async () => {
    await assert.rejects(
      startWireServer({ port: 0, backend: new FixtureBackend(), auth: { users: { alice: 'secret' } } }),
      /must be stored as a SCRAM-SHA-256 or md5 verifier/,
    );
  });

  test('makeScramVerifier produces PostgreSQL\'s rolpassword format', () => {
    const v = makeScramVerifier('pw', 4096);
    assert.match(v, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  });
});
