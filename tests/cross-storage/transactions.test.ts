/**
 * One SQL transaction over a PostgreSQL table and a Cassandra table, through the wire with the pg
 * client: it commits both writes, or (ROLLBACK, conflict) neither, as SQL shows it and as the
 * physical rows of both storages show it; SERIALIZABLE prevents write skew across the two storages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { RunningServer } from '../support/server.js';
import { CrossStorageDeployment, TxState, connect, eventually, skipUnlessBothStorages, sqlStateOf } from './support.js';

const skip = await skipUnlessBothStorages();

describe('cross-storage SQL transactions (PostgreSQL + Cassandra)', { skip, concurrency: 1 }, () => {
  let deployment: CrossStorageDeployment;
  let server: RunningServer;
  let a: pg.Client;
  let b: pg.Client;

  before(async () => {
    deployment = await CrossStorageDeployment.create();
    server = await deployment.start();
    a = await connect(server);
    b = await connect(server);
    await a.query('CREATE SCHEMA identity');
    await a.query('CREATE SCHEMA event');
    await a.query('CREATE TABLE identity.accounts (id text PRIMARY KEY, balance int NOT NULL)');
    await a.query('CREATE TABLE event.accounts (id text PRIMARY KEY, balance int NOT NULL)');
    await a.query('CREATE TABLE event.events (id text PRIMARY KEY, account text, amount int)');
  });

  after(async () => {
    await a?.end().catch(() => {});
    await b?.end().catch(() => {});
    await deployment?.destroy();
  });

  async function physicalEvent(id: string) {
    return (await deployment.cassandraRows('event', 'events')).find((r) => r.id === id);
  }
  async function physicalAccount(id: string) {
    return (await deployment.postgresRows('identity', 'accounts')).find((r) => r.id === id);
  }

  test('COMMIT makes both writes visible and leaves both records committed in their storages', async () => {
    await a.query('BEGIN');
    await a.query("INSERT INTO identity.accounts VALUES ('alice', 100)");
    await a.query("INSERT INTO event.events VALUES ('e1', 'alice', 100)");
    await a.query('COMMIT');
    const r = await b.query("SELECT (SELECT balance FROM identity.accounts WHERE id = 'alice') AS balance, (SELECT amount FROM event.events WHERE id = 'e1') AS amount");
    assert.deepEqual(r.rows, [{ balance: 100, amount: 100 }]);
    const account = await physicalAccount('alice');
    const event = await physicalEvent('e1');
    assert.equal(account?.tx_state, TxState.COMMITTED);
    assert.equal(event?.tx_state, TxState.COMMITTED);
    assert.equal(account?.tx_id, event?.tx_id, 'one transaction wrote both');
    const coordinator = await deployment.postgres().query('SELECT tx_state FROM coordinator.state WHERE tx_id = $1', [account!.tx_id]);
    assert.deepEqual(coordinator.rows, [{ tx_state: TxState.COMMITTED }], 'the commit state is in the coordinator table on PostgreSQL');
  });

  test('ROLLBACK leaves neither write, in SQL or in either storage', async () => {
    await a.query('BEGIN');
    await a.query("UPDATE identity.accounts SET balance = balance - 30 WHERE id = 'alice'");
    await a.query("INSERT INTO event.events VALUES ('e2', 'alice', -30)");
    await a.query('ROLLBACK');
    assert.deepEqual((await b.query("SELECT balance FROM identity.accounts WHERE id = 'alice'")).rows, [{ balance: 100 }]);
    assert.deepEqual((await b.query("SELECT * FROM event.events WHERE id = 'e2'")).rows, []);
    assert.equal(await physicalEvent('e2'), undefined);
    const account = await physicalAccount('alice');
    assert.equal(account?.balance, 100);
    assert.equal(account?.tx_state, TxState.COMMITTED);
  });

  test('a conflict (40001) at COMMIT leaves none of the loser\'s writes, in either storage', async () => {
    await a.query('BEGIN');
    await b.query('BEGIN');
    assert.deepEqual((await a.query("SELECT balance FROM identity.accounts WHERE id = 'alice'")).rows, [{ balance: 100 }]);
    assert.deepEqual((await b.query("SELECT balance FROM identity.accounts WHERE id = 'alice'")).rows, [{ balance: 100 }]);
    await a.query("UPDATE identity.accounts SET balance = 90 WHERE id = 'alice'");
    await a.query("INSERT INTO event.events VALUES ('e3', 'alice', -10)");
    await b.query("UPDATE identity.accounts SET balance = 80 WHERE id = 'alice'");
    await b.query("INSERT INTO event.events VALUES ('e4', 'alice', -20)");
    await a.query('COMMIT');
    assert.equal(await sqlStateOf(b.query('COMMIT')), '40001');
    assert.deepEqual((await b.query("SELECT balance FROM identity.accounts WHERE id = 'alice'")).rows, [{ balance: 90 }]);
    assert.deepEqual((await b.query("SELECT id FROM event.events WHERE id IN ('e3', 'e4') ORDER BY id")).rows, [{ id: 'e3' }]);
    await eventually('the loser\'s prepared Cassandra record is rolled back', async () => (await physicalEvent('e4')) === undefined);
    assert.equal((await physicalEvent('e3'))?.tx_state, TxState.COMMITTED);
    const account = await physicalAccount('alice');
    assert.equal(account?.balance, 90);
    assert.equal(account?.tx_state, TxState.COMMITTED);
  });

  test('write skew across the two storages is refused at SERIALIZABLE (40001)', async () => {
    // The rule both transactions check: the two accounts together never go below zero.
    await a.query("INSERT INTO identity.accounts VALUES ('joint', 100)");
    await a.query("INSERT INTO event.accounts VALUES ('joint', 100)");
    const total = 'SELECT (SELECT balance FROM identity.accounts WHERE id = $1) + (SELECT balance FROM event.accounts WHERE id = $1) AS total';
    await a.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await b.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    assert.deepEqual((await a.query(total, ['joint'])).rows, [{ total: 200 }]);
    assert.deepEqual((await b.query(total, ['joint'])).rows, [{ total: 200 }]);
    await a.query("UPDATE identity.accounts SET balance = balance - 150 WHERE id = 'joint'");
    await b.query("UPDATE event.accounts SET balance = balance - 150 WHERE id = 'joint'");
    await a.query('COMMIT');
    assert.equal(await sqlStateOf(b.query('COMMIT')), '40001');
    assert.deepEqual((await a.query(total, ['joint'])).rows, [{ total: 50 }]);
    const cassandraAccount = (await deployment.cassandraRows('event', 'accounts')).find((r) => r.id === 'joint');
    assert.equal(cassandraAccount?.balance, 100);
    await eventually('the refused Cassandra write is rolled back', async () => {
      const row = (await deployment.cassandraRows('event', 'accounts')).find((r) => r.id === 'joint');
      return row?.tx_state === TxState.COMMITTED && row.balance === 100;
    });
  });

  test('write skew the other way round is refused as well', async () => {
    const total = 'SELECT (SELECT balance FROM identity.accounts WHERE id = $1) + (SELECT balance FROM event.accounts WHERE id = $1) AS total';
    await a.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await b.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    assert.deepEqual((await a.query(total, ['joint'])).rows, [{ total: 50 }]);
    assert.deepEqual((await b.query(total, ['joint'])).rows, [{ total: 50 }]);
    await a.query("UPDATE event.accounts SET balance = balance - 40 WHERE id = 'joint'");
    await b.query("UPDATE identity.accounts SET balance = balance - 40 WHERE id = 'joint'");
    await a.query('COMMIT');
    assert.equal(await sqlStateOf(b.query('COMMIT')), '40001');
    assert.deepEqual((await a.query(total, ['joint'])).rows, [{ total: 10 }]);
  });
});
