/**
 * The polygres command end to end: started through bin/polygres.js on the embedded default, a real
 * client runs SQL over TCP, the HTTP endpoint answers, and SIGTERM stops the node cleanly. Data
 * survives a restart on the same data directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { startServer, polygresBin } from '../support/server.js';

test('a fresh node on the embedded default serves SQL, health, readiness and metrics', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polygres-node-'));
  try {
    let server = await startServer({ dataDir });
    const client = new pg.Client(server.connection());
    await client.connect();
    await client.query('CREATE TABLE kv (k int PRIMARY KEY, v text)');
    const ins = await client.query("INSERT INTO kv VALUES (1, 'one'), (2, 'two')");
    assert.equal(ins.command, 'INSERT');
    assert.equal(ins.rowCount, 2);
    const rows = await client.query('SELECT k, v FROM kv ORDER BY k');
    assert.deepEqual(rows.rows, [{ k: 1, v: 'one' }, { k: 2, v: 'two' }]);
    await client.end();

    const base = `http://127.0.0.1:${server.httpPort}`;
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^polygres_client_connections_total 1$/m);
    assert.match(metrics, /^polygres_transaction_throughput_total\{namespace="public",status="committed"\} [1-9]\d*$/m);
    assert.match(metrics, /^polygres_transaction_latency_seconds_count\{namespace="public",operation="commit"\} [1-9]\d*$/m);
    assert.match(metrics, /^polygres_statement_latency_seconds_count\{command="INSERT"\} 1$/m);
    assert.equal((await fetch(`${base}/nope`)).status, 404);

    await server.stop();
    assert.equal(server.process.exitCode, 0, 'SIGTERM stops the node with exit code 0');

    server = await startServer({ dataDir });
    const again = new pg.Client(server.connection());
    await again.connect();
    assert.deepEqual((await again.query('SELECT v FROM kv WHERE k = 2')).rows, [{ v: 'two' }]);
    await again.end();
    await server.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('--help lists the settings; a bad flag or configuration exits non-zero with the reason', () => {
  const help = spawnSync(process.execPath, [polygresBin, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--port N/);
  assert.match(help.stdout, /POLYGRES_HTTP_PORT/);
  const bad = spawnSync(process.execPath, [polygresBin, '--port', 'x'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /polygres\.port must be an integer/);
  const badMapping = spawnSync(
    process.execPath,
    [polygresBin, '--set', 'scalar.db.storage=multi-storage', '--set', 'scalar.db.multi_storage.storages=a', '--set', 'scalar.db.multi_storage.storages.a.storage=jdbc',
      '--set', 'scalar.db.multi_storage.storages.a.contact_points=jdbc:sqlite:/tmp/x.db', '--set', 'scalar.db.multi_storage.namespace_mapping=event:b'],
    { encoding: 'utf8' },
  );
  assert.equal(badMapping.status, 2);
  assert.match(badMapping.stderr, /scalar\.db\.multi_storage\.namespace_mapping/);
});
