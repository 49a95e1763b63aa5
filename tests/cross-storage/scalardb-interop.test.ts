/**
 * polygres and ScalarDB 3.16 (its Java library, interop/scalardb) on the same PostgreSQL and
 * Cassandra, with the same multi-storage properties file: ScalarDB reads what polygres committed
 * through SQL, commits a transfer over both storages (Consensus Commit, SERIALIZABLE), and polygres
 * reads and updates ScalarDB's records through SQL. Both must agree on the table metadata
 * (scalardb.metadata on PostgreSQL, the table schema on Cassandra), the record metadata columns and
 * the coordinator table.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { runInterop, skipUnlessInterop } from '../support/java.js';
import { CrossStorageDeployment, TxState, connect, skipUnlessBothStorages } from './support.js';

const skip = (await skipUnlessBothStorages()) || (await skipUnlessInterop());
const BANK = 'polygres.interop.Bank';

describe('ScalarDB 3.16 and polygres on the same storages', { skip, concurrency: 1 }, () => {
  const suffix = randomBytes(3).toString('hex');
  // No keyspace prefix: ScalarDB finds a namespace's keyspace by its name.
  const pgNs = `interop_pg_${suffix}`;
  const csNs = `interop_cs_${suffix}`;
  let deployment: CrossStorageDeployment;
  let client: pg.Client;
  let dir: string;
  let propertiesFile: string;

  const scalardb = async (...args: string[]) => {
    const r = await runInterop(BANK, [args[0]!, propertiesFile, ...args.slice(1)]);
    assert.equal(r.status, 0, `ScalarDB ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr.split('\n').filter((l) => !l.includes(' INFO ')).join('\n')}`);
    return r.stdout.trim().split('\n').map((l) => l.split('\t'));
  };

  before(async () => {
    deployment = await CrossStorageDeployment.create({
      keyspacePrefix: '',
      namespaceMapping: `${pgNs}:postgres,${csNs}:cassandra,coordinator:postgres`,
      keyspacesToDrop: [csNs],
      properties: {
        'scalar.db.transaction_manager': 'consensus-commit',
        'scalar.db.consensus_commit.isolation_level': 'SERIALIZABLE',
        'scalar.db.multi_storage.storages.postgres.jdbc.connection_pool.max_total': '10',
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'polygres-interop-'));
    propertiesFile = join(dir, 'scalardb.properties');
    writeFileSync(propertiesFile, deployment.properties());
    const server = await deployment.start();
    client = await connect(server);
    await client.query(`CREATE SCHEMA ${pgNs}`);
    await client.query(`CREATE SCHEMA ${csNs}`);
    for (const ns of [pgNs, csNs]) {
      await client.query(`CREATE TABLE ${ns}.accounts (id int PRIMARY KEY, balance int NOT NULL)`);
      await client.query(`CREATE TABLE ${ns}.transfers (id text PRIMARY KEY, source text, target text, amount int)`);
    }
  });

  after(async () => {
    await client?.end().catch(() => {});
    await deployment?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('ScalarDB reads the rows polygres committed through SQL, in both storages', async () => {
    await client.query('BEGIN');
    await client.query(`INSERT INTO ${pgNs}.accounts VALUES (1, 1000), (2, 500)`);
    await client.query(`INSERT INTO ${csNs}.accounts VALUES (1, 300)`);
    await client.query(`INSERT INTO ${csNs}.transfers VALUES ('opening', 'bank', '${pgNs}#1', 1000)`);
    await client.query('COMMIT');
    assert.deepEqual(await scalardb('read', pgNs, '1', '2', '3'), [['1', '1000'], ['2', '500'], ['3', 'absent']]);
    assert.deepEqual(await scalardb('read', csNs, '1'), [['1', '300']]);
    assert.deepEqual(await scalardb('read-transfer', csNs, 'opening'), [['opening', 'bank', `${pgNs}#1`, '1000']]);
  });

  test('a transfer ScalarDB commits over both storages is read by polygres through SQL', async () => {
    const [result] = await scalardb('transfer', pgNs, '1', csNs, '1', '25', pgNs, 'sdb-1');
    assert.equal(result![0], 'committed');
    const scalardbTxId = result![1]!;
    const r = await client.query(
      `SELECT (SELECT balance FROM ${pgNs}.accounts WHERE id = 1) AS pg, (SELECT balance FROM ${csNs}.accounts WHERE id = 1) AS cs, (SELECT amount FROM ${pgNs}.transfers WHERE id = 'sdb-1') AS logged`,
    );
    assert.deepEqual(r.rows, [{ pg: 975, cs: 325, logged: 25 }]);
    const physical = (await deployment.cassandraRows(csNs, 'accounts')).find((row) => row.id === 1);
    assert.equal(physical?.tx_id, scalardbTxId, 'the Cassandra record carries ScalarDB\'s transaction id');
    assert.equal(physical?.tx_state, TxState.COMMITTED);
    const state = await deployment.postgres().query('SELECT tx_state FROM coordinator.state WHERE tx_id = $1', [scalardbTxId]);
    assert.deepEqual(state.rows, [{ tx_state: TxState.COMMITTED }], 'ScalarDB wrote its commit state in the same coordinator table');
  });

  test('polygres updates records ScalarDB wrote, and ScalarDB sees the update', async () => {
    await client.query('BEGIN');
    await client.query(`UPDATE ${pgNs}.accounts SET balance = balance - 5 WHERE id = 1`);
    await client.query(`UPDATE ${csNs}.accounts SET balance = balance + 5 WHERE id = 1`);
    await client.query(`INSERT INTO ${csNs}.transfers VALUES ('pg-2', '${pgNs}#1', '${csNs}#1', 5)`);
    await client.query('COMMIT');
    assert.deepEqual(await scalardb('read', pgNs, '1'), [['1', '970']]);
    assert.deepEqual(await scalardb('read', csNs, '1'), [['1', '330']]);
    assert.deepEqual(await scalardb('read-transfer', csNs, 'pg-2'), [['pg-2', `${pgNs}#1`, `${csNs}#1`, '5']]);
  });

  test('conflicting transactions of the two are serialized: polygres holds a read, ScalarDB writes, polygres must retry (40001)', async () => {
    await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    assert.deepEqual((await client.query(`SELECT balance FROM ${csNs}.accounts WHERE id = 1`)).rows, [{ balance: 330 }]);
    await scalardb('transfer', csNs, '1', pgNs, '2', '30', csNs, 'sdb-2');
    await client.query(`UPDATE ${pgNs}.accounts SET balance = balance + 1 WHERE id = 2`);
    await assert.rejects(client.query('COMMIT'), (e: { code?: string }) => e.code === '40001');
    const r = await client.query(`SELECT (SELECT balance FROM ${csNs}.accounts WHERE id = 1) AS cs, (SELECT balance FROM ${pgNs}.accounts WHERE id = 2) AS pg2`);
    assert.deepEqual(r.rows, [{ cs: 300, pg2: 530 }]);
  });
});
