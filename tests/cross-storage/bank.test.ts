/**
 * A bank through SQL on the seed's storages: accounts split over a PostgreSQL schema (identity) and a
 * Cassandra schema (event), 16 clients making transfers for a bounded time and retrying 40001, each
 * transfer logged (audit, on PostgreSQL) in its own transaction. Afterwards the total has not
 * changed, every acknowledged transfer is in the log, and every balance is exactly its initial
 * amount plus the logged transfers in and out.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { CrossStorageDeployment, connect, skipUnlessBothStorages } from './support.js';

const skip = await skipUnlessBothStorages();

const CLIENTS = 16;
const ACCOUNTS_PER_STORAGE = 20;
const INITIAL_BALANCE = 1000;
const DURATION_MS = Number(process.env.POLYGRES_BANK_SECONDS ?? '15') * 1000;

interface Account {
  readonly table: string;
  readonly id: number;
}

const accounts: Account[] = [];
for (let i = 0; i < ACCOUNTS_PER_STORAGE; i++) accounts.push({ table: 'identity.accounts', id: i }, { table: 'event.accounts', id: i });
const key = (a: Account) => `${a.table}#${a.id}`;

interface Transfer {
  readonly id: string;
  readonly from: Account;
  readonly to: Account;
  readonly amount: number;
}

interface ClientResult {
  readonly acknowledged: string[];
  /** Commits whose outcome is unknown (40003 or a lost connection): they may or may not have happened. */
  readonly ambiguous: string[];
  retries: number;
}

async function runTransfer(c: pg.Client, t: Transfer): Promise<void> {
  await c.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
  try {
    const from = await c.query(`SELECT balance FROM ${t.from.table} WHERE id = $1`, [t.from.id]);
    assert.equal(from.rowCount, 1);
    await c.query(`UPDATE ${t.from.table} SET balance = balance - $2 WHERE id = $1`, [t.from.id, t.amount]);
    await c.query(`UPDATE ${t.to.table} SET balance = balance + $2 WHERE id = $1`, [t.to.id, t.amount]);
    await c.query('INSERT INTO audit.transfers VALUES ($1, $2, $3, $4)', [t.id, key(t.from), key(t.to), t.amount]);
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  }
  await c.query('COMMIT');
}

async function bankClient(c: pg.Client, deadline: number): Promise<ClientResult> {
  const result: ClientResult = { acknowledged: [], ambiguous: [], retries: 0 };
  while (Date.now() < deadline) {
    const from = accounts[Math.floor(Math.random() * accounts.length)]!;
    let to = from;
    while (to === from) to = accounts[Math.floor(Math.random() * accounts.length)]!;
    const transfer: Transfer = { id: randomUUID(), from, to, amount: 1 + Math.floor(Math.random() * 10) };
    for (;;) {
      try {
        await runTransfer(c, transfer);
        result.acknowledged.push(transfer.id);
        break;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === '40001') {
          result.retries++;
          await new Promise((r) => setTimeout(r, Math.random() * 20));
          continue;
        }
        if (code === '40003') {
          result.ambiguous.push(transfer.id);
          break;
        }
        throw e;
      }
    }
  }
  return result;
}

describe('a bank through SQL over PostgreSQL and Cassandra', { skip }, () => {
  test(`${CLIENTS} clients transfer for ${DURATION_MS / 1000} s: the total holds and every acknowledged transfer is there`, { timeout: DURATION_MS + 300_000 }, async () => {
    const d = await CrossStorageDeployment.create();
    try {
      const server = await d.start();
      const admin = await connect(server);
      await admin.query('CREATE SCHEMA identity');
      await admin.query('CREATE SCHEMA event');
      await admin.query('CREATE SCHEMA audit');
      await admin.query('CREATE TABLE identity.accounts (id int PRIMARY KEY, balance int NOT NULL)');
      await admin.query('CREATE TABLE event.accounts (id int PRIMARY KEY, balance int NOT NULL)');
      await admin.query('CREATE TABLE audit.transfers (id uuid PRIMARY KEY, source text NOT NULL, target text NOT NULL, amount int NOT NULL)');
      for (const table of ['identity.accounts', 'event.accounts']) {
        const values = Array.from({ length: ACCOUNTS_PER_STORAGE }, (_v, i) => `(${i}, ${INITIAL_BALANCE})`).join(', ');
        await admin.query(`INSERT INTO ${table} VALUES ${values}`);
      }

      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(server)));
      const deadline = Date.now() + DURATION_MS;
      const results = await Promise.all(clients.map((c) => bankClient(c, deadline)));
      await Promise.all(clients.map((c) => c.end()));

      const acknowledged = new Set(results.flatMap((r) => r.acknowledged));
      const ambiguous = new Set(results.flatMap((r) => r.ambiguous));
      const retries = results.reduce((n, r) => n + r.retries, 0);
      process.stderr.write(`bank: ${acknowledged.size} transfers acknowledged, ${retries} retries (40001), ${ambiguous.size} unknown outcomes (40003)\n`);
      assert.ok(acknowledged.size > 0, 'some transfers committed');

      const balances = new Map<string, number>();
      for (const table of ['identity.accounts', 'event.accounts']) {
        const r = await admin.query(`SELECT id, balance FROM ${table}`);
        assert.equal(r.rowCount, ACCOUNTS_PER_STORAGE);
        for (const row of r.rows as { id: number; balance: number }[]) balances.set(`${table}#${row.id}`, row.balance);
      }
      const total = [...balances.values()].reduce((a, b) => a + b, 0);
      assert.equal(total, 2 * ACCOUNTS_PER_STORAGE * INITIAL_BALANCE, 'the total never changes');

      const log = (await admin.query('SELECT id, source, target, amount FROM audit.transfers')).rows as { id: string; source: string; target: string; amount: number }[];
      const logged = new Set(log.map((t) => t.id));
      for (const id of acknowledged) assert.ok(logged.has(id), `acknowledged transfer ${id} is logged`);
      for (const id of logged) assert.ok(acknowledged.has(id) || ambiguous.has(id), `logged transfer ${id} was acknowledged (or its outcome unknown)`);

      const expected = new Map(accounts.map((a) => [key(a), INITIAL_BALANCE]));
      for (const t of log) {
        expected.set(t.source, expected.get(t.source)! - t.amount);
        expected.set(t.target, expected.get(t.target)! + t.amount);
      }
      assert.deepEqual(Object.fromEntries(balances), Object.fromEntries(expected), 'each balance is its initial amount plus the logged transfers');
      await admin.end();
    } finally {
      await d.destroy();
    }
  });
});
