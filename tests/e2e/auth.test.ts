/**
 * Authentication through the real server's configuration, one user per method in polygres.hba:
 * trust, password, md5 and scram-sha-256, SCRAM-SHA-256-PLUS over TLS only, and wrong passwords
 * (28P01). tests/server/security.test.ts covers TLS required, reject rules and the refusal of
 * plain-text passwords in the configuration; this suite adds each method end to end.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { polygresBin, type RunningServer } from '../support/server.js';
import { makeTestCertificates, type TestCertificates } from '../wire/support.js';
import { makeMd5Verifier } from '../../src/wire/scram.js';
import { eventually, firstMessageOverTls, pgClient, RawClient, runPsql, saslMechanisms, startPolygres, targetOf, type Target } from './support.js';

const scramVerifier = (password: string) => execFileSync(process.execPath, [polygresBin, 'scram-verifier'], { input: password, encoding: 'utf8' }).trim();

const PASSWORDS = { pat: 'pat-cleartext', mary: 'mary-md5', sam: 'sam-scram', tess: 'tess-tls' };

interface Authorized {
  readonly user: string;
  readonly authenticatedBy: string;
  readonly ssl: boolean;
}

describe('authentication methods from the server configuration', () => {
  let certs: TestCertificates;
  let server: RunningServer;
  let target: Target;

  /** The server's `connection authorized` debug lines. */
  const authorized = (): Authorized[] =>
    server.logs
      .map((l) => JSON.parse(l) as { msg?: string } & Authorized)
      .filter((e) => e.msg === 'connection authorized')
      .map((e) => ({ user: e.user, authenticatedBy: e.authenticatedBy, ssl: e.ssl }));

  async function lastAuthorized(user: string): Promise<Authorized> {
    await eventually(() => authorized().some((a) => a.user === user), 10_000, `a connection of ${user}`);
    return authorized().filter((a) => a.user === user).at(-1)!;
  }

  before(async () => {
    certs = makeTestCertificates();
    server = await startPolygres({
      env: { POLYGRES_LOG_LEVEL: 'debug' },
      properties: [
        `polygres.tls.cert_file=${certs.certFile}`,
        `polygres.tls.key_file=${certs.keyFile}`,
        'polygres.auth.method=scram-sha-256',
        `polygres.user.pat=${scramVerifier(PASSWORDS.pat)}`,
        `polygres.user.mary=${makeMd5Verifier('mary', PASSWORDS.mary)}`,
        `polygres.user.sam=${scramVerifier(PASSWORDS.sam)}`,
        `polygres.user.tess=${scramVerifier(PASSWORDS.tess)}`,
        'polygres.hba=host all trusty all trust; host all pat all password; host all mary all md5; hostssl all tess all scram-sha-256; hostnossl all tess all reject; host all all all scram-sha-256',
      ].join('\n'),
    });
    target = targetOf(server);
  });
  after(() => server.stop());

  async function refused(config: Partial<pg.ClientConfig>): Promise<pg.DatabaseError> {
    try {
      const c = await pgClient(target, config);
      await c.end();
    } catch (e) {
      assert.ok(e instanceof pg.DatabaseError, String(e));
      return e;
    }
    assert.fail('expected the connection to be refused');
  }

  test('trust: no password is asked', async () => {
    const c = await pgClient(target, { user: 'trusty' });
    assert.deepEqual((await c.query('SELECT current_user AS u')).rows, [{ u: 'trusty' }]);
    await c.end();
    assert.equal((await lastAuthorized('trusty')).authenticatedBy, 'trust');
  });

  test('password: AuthenticationCleartextPassword, checked against the SCRAM verifier', async () => {
    const raw = await RawClient.connect(target);
    raw.send(serialize.startup({ user: 'pat', database: 'postgres' }));
    const ask = (await raw.next())!;
    assert.equal(ask.type, 'R');
    assert.equal(ask.body.readInt32BE(0), 3, 'AuthenticationCleartextPassword');
    raw.close();
    const c = await pgClient(target, { user: 'pat', password: PASSWORDS.pat });
    await c.end();
    assert.equal((await lastAuthorized('pat')).authenticatedBy, 'password');
    const e = await refused({ user: 'pat', password: 'wrong' });
    assert.equal(e.code, '28P01');
    assert.equal(e.message, 'password authentication failed for user "pat"');
  });

  test('md5: AuthenticationMD5Password with a salt, against the md5 hash in the configuration; psql too', async () => {
    const raw = await RawClient.connect(target);
    raw.send(serialize.startup({ user: 'mary', database: 'postgres' }));
    const ask = (await raw.next())!;
    assert.equal(ask.body.readInt32BE(0), 5, 'AuthenticationMD5Password');
    assert.equal(ask.body.length, 8, 'with a 4-byte salt');
    raw.close();
    const r = await runPsql(target, ['-tA', '-c', 'SELECT current_user'], { user: 'mary', database: 'postgres', env: { PGPASSWORD: PASSWORDS.mary } });
    assert.equal(r.stdout.trim(), 'mary', r.stderr);
    assert.equal((await lastAuthorized('mary')).authenticatedBy, 'md5');
    const e = await refused({ user: 'mary', password: 'wrong' });
    assert.equal(e.code, '28P01');
  });

  test('scram-sha-256 in clear offers only SCRAM-SHA-256; a wrong password or an unknown user is 28P01', async () => {
    const raw = await RawClient.connect(target);
    raw.send(serialize.startup({ user: 'sam', database: 'postgres' }));
    assert.deepEqual(saslMechanisms((await raw.next())!), ['SCRAM-SHA-256']);
    raw.close();
    const c = await pgClient(target, { user: 'sam', password: PASSWORDS.sam });
    await c.end();
    assert.deepEqual(await lastAuthorized('sam'), { user: 'sam', authenticatedBy: 'SCRAM-SHA-256', ssl: false });
    for (const user of ['sam', 'nobody']) {
      const e = await refused({ user, password: 'wrong' });
      assert.equal(e.code, '28P01');
      assert.equal(e.severity, 'FATAL');
      assert.equal(e.message, `password authentication failed for user "${user}"`);
    }
    const r = await runPsql(target, ['-c', 'SELECT 1'], { user: 'sam', database: 'postgres', env: { PGPASSWORD: 'wrong' } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /FATAL:  password authentication failed for user "sam"/);
  });

  test('over TLS SCRAM-SHA-256-PLUS is offered first; psql channel_binding=require and node-postgres use it', async () => {
    assert.deepEqual(saslMechanisms(await firstMessageOverTls(target, certs.ca, { user: 'tess', database: 'postgres' })), ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    const r = await runPsql({ host: 'localhost', port: target.port }, ['-tA', '-c', 'SELECT current_user'], {
      user: 'tess',
      database: 'postgres',
      env: { PGPASSWORD: PASSWORDS.tess, PGSSLMODE: 'verify-full', PGSSLROOTCERT: certs.caFile, PGCHANNELBINDING: 'require' },
    });
    assert.equal(r.stdout.trim(), 'tess', r.stderr);
    assert.deepEqual(await lastAuthorized('tess'), { user: 'tess', authenticatedBy: 'SCRAM-SHA-256-PLUS', ssl: true });

    const c = await pgClient({ host: 'localhost', port: target.port }, {
      user: 'tess',
      password: PASSWORDS.tess,
      ssl: { ca: certs.ca, servername: 'localhost' },
      enableChannelBinding: true,
    } as Partial<pg.ClientConfig>);
    await c.end();
    assert.equal((await lastAuthorized('tess')).authenticatedBy, 'SCRAM-SHA-256-PLUS');
  });

  test('a hostssl-only user connecting in clear is refused with 28000 by the hostnossl reject rule', async () => {
    const e = await refused({ user: 'tess', password: PASSWORDS.tess });
    assert.equal(e.code, '28000');
    assert.equal(e.message, 'pg_hba.conf rejects connection for host "127.0.0.1", user "tess", database "postgres", no encryption');
  });
});
