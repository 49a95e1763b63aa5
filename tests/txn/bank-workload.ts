/**
 * A concurrent bank, shared by bank.test.ts and group-commit-bank.test.ts: workers on two managers
 * (two "nodes", one committing in one phase, one in two) make random transfers among 100 accounts
 * for a bounded time, retrying conflicts, and log each transfer inside the same transaction.
 * Auditors read every balance in read-only SERIALIZABLE transactions. Afterwards the total is
 * unchanged, the log holds exactly the acknowledged transfers, and replaying the log gives every
 * balance. Outcomes only are asserted, never timing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { STORAGE_FACTORIES, type TestStorage } from './harness.js';
import type { ConsensusCommitManager } from '../../src/txn/manager.js';
import type { TransactionManagerConfig } from '../../src/txn/config.js';

const ACCOUNTS = 100;
const INITIAL_BALANCE = 1000n;
/** Per node: one auditor, the rest transfer (10 transfer workers in all). */
const WORKERS_PER_NODE = 6;
const RUN_MS = 3000;

interface Transfer {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly amount: bigint;
}

/**
 * The bank on every test storage; `nodeSettings` configures the two managers (the first commits in one
 * phase where it can, the second always in two, unless the settings say otherwise).
 */
export function describeConcurrentBank(
  label: string,
  nodeSettings: readonly [Partial<TransactionManagerConfig>, Partial<TransactionManagerConfig>],
): void {
  for (const factory of STORAGE_FACTORIES) {
    describe(`${label} [${factory.name}]`, { skip: factory.skip }, () => {
      let env: TestStorage;
      before(async () => {
        env = await factory.setup();
      });
      after(() => env.teardown());

      it('keeps the total, and every acknowledged transfer (and only those) is visible afterwards', async () => {
        const accounts = await env.createTable({
          table: 'bank_accounts',
          columns: [
            { name: 'id', type: 'INT' },
            { name: 'balance', type: 'BIGINT' },
          ],
          partitionKey: ['id'],
          clusteringKey: [],
          secondaryIndexes: [],
        });
        const log = await env.createTable({
          table: 'bank_log',
          columns: [
            { name: 'transfer_id', type: 'TEXT' },
            { name: 'from_id', type: 'INT' },
            { name: 'to_id', type: 'INT' },
            { name: 'amount', type: 'BIGINT' },
          ],
          partitionKey: ['transfer_id'],
          clusteringKey: [],
          secondaryIndexes: [],
        });
        const nodes = [env.manager({ onePhaseCommit: true, ...nodeSettings[0] }), env.manager({ onePhaseCommit: false, ...nodeSettings[1] })];
        const setup = nodes[0].begin();
        for (let id = 0; id < ACCOUNTS; id++) await setup.insert({ ...accounts, partitionKey: [id], values: { balance: INITIAL_BALANCE } });
        await setup.commit();

        const acknowledged = new Map<string, Transfer>();
        const unknown = new Set<string>();
        let conflicts = 0;
        let audits = 0;
        const deadline = Date.now() + RUN_MS;

        const transfer = async (node: ConsensusCommitManager, t: Transfer) => {
          const tx = node.begin();
          try {
            const from = (await tx.get({ ...accounts, partitionKey: [t.from] }))!.balance as bigint;
            const to = (await tx.get({ ...accounts, partitionKey: [t.to] }))!.balance as bigint;
            await tx.put({ ...accounts, partitionKey: [t.from], values: { balance: from - t.amount } });
            await tx.put({ ...accounts, partitionKey: [t.to], values: { balance: to + t.amount } });
            await tx.insert({ ...log, partitionKey: [t.id], values: { from_id: t.from, to_id: t.to, amount: t.amount } });
            await tx.commit();
            acknowledged.set(t.id, t);
          } catch (e) {
            await tx.abort();
            const code = (e as { code?: string }).code;
            if (code === '40001') conflicts++;
            else if (code === '40003') unknown.add(t.id);
            else throw e;
          }
        };

        const audit = async (node: ConsensusCommitManager) => {
          const tx = node.begin({ readOnly: true, isolation: 'SERIALIZABLE' });
          try {
            const rows = await tx.scan({ ...accounts, kind: 'all' });
            await tx.commit();
            const total = rows.reduce((s, r) => s + (r.balance as bigint), 0n);
            assert.equal(total, INITIAL_BALANCE * BigInt(ACCOUNTS), 'a committed serializable audit saw a consistent total');
            audits++;
          } catch (e) {
            await tx.abort();
            if ((e as { code?: string }).code !== '40001') throw e;
          }
        };

        const worker = async (node: ConsensusCommitManager, index: number) => {
          while (Date.now() < deadline) {
            if (index === 0) {
              await audit(node);
              continue;
            }
            const from = Math.floor(Math.random() * ACCOUNTS);
            let to = Math.floor(Math.random() * (ACCOUNTS - 1));
            if (to >= from) to++;
            // A conflict is counted and the worker moves on to a new transfer.
            const amount = BigInt(1 + Math.floor(Math.random() * 50));
            await transfer(node, { id: randomUUID(), from, to, amount });
          }
        };

        await Promise.all(nodes.flatMap((node) => Array.from({ length: WORKERS_PER_NODE }, (_, i) => worker(node, i))));

        const check = nodes[0].begin({ readOnly: true });
        const balances = await check.scan({ ...accounts, kind: 'all' });
        const logged = await check.scan({ ...log, kind: 'all' });
        await check.commit();

        assert.equal(balances.length, ACCOUNTS);
        const total = balances.reduce((s, r) => s + (r.balance as bigint), 0n);
        assert.equal(total, INITIAL_BALANCE * BigInt(ACCOUNTS));

        const loggedIds = new Set(logged.map((r) => r.transfer_id as string));
        for (const id of acknowledged.keys()) assert.ok(loggedIds.has(id), `acknowledged transfer ${id} is logged`);
        for (const id of loggedIds) assert.ok(acknowledged.has(id) || unknown.has(id), `logged transfer ${id} was acknowledged`);

        const expected = new Map<number, bigint>();
        for (let id = 0; id < ACCOUNTS; id++) expected.set(id, INITIAL_BALANCE);
        for (const r of logged) {
          const amount = r.amount as bigint;
          expected.set(r.from_id as number, expected.get(r.from_id as number)! - amount);
          expected.set(r.to_id as number, expected.get(r.to_id as number)! + amount);
          const ack = acknowledged.get(r.transfer_id as string);
          if (ack) assert.deepEqual([r.from_id, r.to_id, r.amount], [ack.from, ack.to, ack.amount]);
        }
        for (const r of balances) assert.equal(r.balance, expected.get(r.id as number), `account ${String(r.id)}`);

        // Every record is settled (no transaction crashed), and some work really happened.
        for (const r of balances) assert.equal((await env.physical(accounts, [r.id]))?.tx_state, 3);
        assert.ok(acknowledged.size > 0, 'transfers committed');
        process.stderr.write(
          `  [${factory.name}] bank: ${acknowledged.size} transfers, ${conflicts} conflicts, ${audits} audits, ${unknown.size} unknown\n`,
        );
      });
    });
  }
}
