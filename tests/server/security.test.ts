/**
 * TLS, SCRAM users and access rules configured the way an operator would: in the properties file,
 * with the verifier printed by `polygres scram-verifier`, against the real server and real clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { startServer } from '../support/server.js';
import { makeTestCertificates, runPsql } from '../wire/support.js';
import { polygresBin } from '../support/server.js';

const verifier = (password: string) => execFileSync(process.execPath, [polygresBin, 'scram-verifier'], { input: password, encoding: 'utf8' }).trim();

test('TLS required, SCRAM-SHA-256 users and pg_hba-style rules from the configuration file', async () => {
  const certs = makeTestCertificates();
  const server = await startServer({
    properties: [
      `polygres.tls.cert_file=${certs.certFile}`,
      `polygres.tls.key_file=${certs.keyFile}`,
      'polygres.tls.required=true',
      'polygres.auth.method=scram-sha-256',
      `polygres.user.alice=${verifier('alice-secret')}`,
      `polygres.user.mallory=${verifier('m')}`,
      'polygres.hba=hostssl all mallory all reject; hostssl all all all scram-sha-256',
    ].join('\n'),
  });
  try {
    const ssl = { ca: certs.ca, servername: 'localhost', rejectUnauthorized: true };
    const alice = new pg.Client(server.connection({ user: 'alice', password: 'alice-secret', ssl }));
    await alice.connect();
    assert.deepEqual((await alice.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    await alice.end();

    const wrong = new pg.Client(server.connection({ user: 'alice', password: 'nope', ssl }));
    await assert.rejects(wrong.connect(), (e: { code?: string; message: string }) => {
      assert.equal(e.code, '28P01');
      assert.equal(e.message, 'password authentication failed for user "alice"');
      return true;
    });

    const rejected = new pg.Client(server.connection({ user: 'mallory', password: 'm', ssl }));
    await assert.rejects(rejected.connect(), (e: { code?: string }) => e.code === '28000');

    const plain = new pg.Client(server.connection({ user: 'alice', password: 'alice-secret' }));
    await assert.rejects(plain.connect(), (e: { code?: string }) => e.code === '28000');

    const psql = await runPsql(
      { host: 'localhost', port: server.port },
      ['-At', '-c', 'SELECT 42'],
      { user: 'alice', env: { PGPASSWORD: 'alice-secret', PGSSLMODE: 'verify-full', PGSSLROOTCERT: certs.caFile, PGCHANNELBINDING: 'require' } },
    );
    assert.equal(psql.code, 0, psql.stderr);
    assert.equal(psql.stdout.trim(), '42');
  } finally {
    await server.stop();
  }
});

test('a plain-text password in the configuration is refused at startup', async () => {
  await assert.rejects(startServer({ properties: 'polygres.user.bob=hunter2\n', startTimeoutMs: 20_000 }), /plain text/);
});
