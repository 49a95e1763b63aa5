/**
 * What each isolation level allows and forbids, seen by a user of the transaction API:
 * write skew (on existing rows, on missing rows, through scans) is prevented by SERIALIZABLE only;
 * lost updates are prevented at every level; reads repeat under SNAPSHOT and SERIALIZABLE.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STORAGE_FACTORIES, type TestStorage } from './harness.js';
import type { TableRef } from '../../src/storage/types.js';
import type { Isolation } from '../../src/txn/api.js';
import type { ConsensusCommitManager } from '../../src/txn/manager.js';

const LEVELS: readonly Isolation[] = ['SERIALIZABLE', 'SNAPSHOT', 'READ_COMMITTED'];

const isConflict = (e: unknown): boolean => (e as { code?: string }).code === '40001';

const ACCOUNT = {
  columns: [
    { name: 'id', type: 'INT' as const },
    { name: 'balance', type: 'BIGINT' as const },
  ],
  partitionKey: ['id'],
  clusteringKey: [],
  secondaryIndexes: [],
};

/** Doctors on call per ward: partition = ward, clustering = doctor. */
const ON_CALL = {
  columns: [
    { name: 'ward', type: 'INT' as const },
    { name: 'doctor', type: 'INT' as const },
    { name: 'on_call', type: 'BOOLEAN' as const },
  ],
  partitionKey: ['ward'],
  clusteringKey: [{ name: 'doctor', order: 'ASC' as const }],
  secondaryIndexes: [],
};

for (const factory of STORAGE_FACTORIES) {
  describe(`isolation [${factory.name}]`, { skip: factory.skip }, () => {
    let env: TestStorage;
    let managers: Record<Isolation, ConsensusCommitManager>;
    before(async () => {
      env = await factory.setup();
      managers = {
        SERIALIZABLE: env.manager({ isolation: 'SERIALIZABLE' }),
        SNAPSHOT: env.manager({ isolation: 'SNAPSHOT' }),
        READ_COMMITTED: env.manager({ isolation: 'READ_COMMITTED' }),
      };
    });
    after(() => env.teardown());

    async function accounts(balances: Record<number, bigint>): Promise<TableRef> {
      const table = await env.createTable(ACCOUNT);
      const tx = managers.SNAPSHOT.begin();
      for (const [id, balance] of Object.entries(balances)) await tx.put({ ...table, partitionKey: [Number(id)], values: { balance } });
      await tx.commit();
      return table;
    }

    async function balanceOf(table: TableRef, id: number): Promise<bigint | null> {
      const tx = managers.SNAPSHOT.begin({ readOnly: true });
      const row = await tx.get({ ...table, partitionKey: [id] });
      await tx.commit();
      return row ? (row.balance as bigint) : null;
    }

    for (const level of LEVELS) {
      it(`write skew on existing rows: ${level} ${level === 'SERIALIZABLE' ? 'aborts the second' : 'commits both'}`, async () => {
        const table = await accounts({ 1: 1n, 2: 1n });
        const m = managers[level];
        const t1 = m.begin();
        const t2 = m.begin();
        const a1 = (await t1.get({ ...table, partitionKey: [1] }))!.balance as bigint;
        const b1 = (await t1.get({ ...table, partitionKey: [2] }))!.balance as bigint;
        const a2 = (await t2.get({ ...table, partitionKey: [1] }))!.balance as bigint;
        const b2 = (await t2.get({ ...table, partitionKey: [2] }))!.balance as bigint;
        await t1.put({ ...table, partitionKey: [1], values: { balance: a1 + b1 } });
        await t2.put({ ...table, partitionKey: [2], values: { balance: a2 + b2 } });
        await t1.commit();
        if (level === 'SERIALIZABLE') {
          await assert.rejects(t2.commit(), isConflict);
          assert.deepEqual([await balanceOf(table, 1), await balanceOf(table, 2)], [2n, 1n]);
        } else {
          await t2.commit();
          assert.deepEqual([await balanceOf(table, 1), await balanceOf(table, 2)], [2n, 2n]);
        }
      });

      it(`write skew on missing rows: ${level} ${level === 'SERIALIZABLE' ? 'aborts the second' : 'commits both'}`, async () => {
        const table = await accounts({});
        const m = managers[level];
        const t1 = m.begin();
        const t2 = m.begin();
        for (const t of [t1, t2]) {
          assert.equal(await t.get({ ...table, partitionKey: [1] }), null);
          assert.equal(await t.get({ ...table, partitionKey: [2] }), null);
        }
        await t1.put({ ...table, partitionKey: [1], values: { balance: 10n } });
        await t2.put({ ...table, partitionKey: [2], values: { balance: 20n } });
        await t1.commit();
        if (level === 'SERIALIZABLE') {
          await assert.rejects(t2.commit(), isConflict);
          assert.equal(await balanceOf(table, 2), null);
        } else {
          await t2.commit();
          assert.equal(await balanceOf(table, 2), 20n);
        }
        assert.equal(await balanceOf(table, 1), 10n);
      });

      it(`write skew through a scan (doctors on call): ${level} ${level === 'SERIALIZABLE' ? 'aborts the second' : 'commits both'}`, async () => {
        const table = await env.createTable(ON_CALL);
        const setup = managers.SNAPSHOT.begin();
        await setup.insert({ ...table, partitionKey: [1], clusteringKey: [1], values: { on_call: true } });
        await setup.insert({ ...table, partitionKey: [1], clusteringKey: [2], values: { on_call: true } });
        await setup.commit();
        const m = managers[level];
        const t1 = m.begin();
        const t2 = m.begin();
        for (const [t, me] of [[t1, 1], [t2, 2]] as const) {
          const rows = await t.scan({ ...table, kind: 'partition', partitionKey: [1] });
          assert.equal(rows.filter((r) => r.on_call).length, 2);
          await t.put({ ...table, partitionKey: [1], clusteringKey: [me], values: { on_call: false } });
        }
        await t1.commit();
        if (level === 'SERIALIZABLE') await assert.rejects(t2.commit(), isConflict);
        else await t2.commit();
        const check = managers.SNAPSHOT.begin();
        const onCall = (await check.scan({ ...table, kind: 'partition', partitionKey: [1] })).filter((r) => r.on_call).length;
        await check.commit();
        assert.equal(onCall, level === 'SERIALIZABLE' ? 1 : 0);
      });

      it(`phantom through a scan (both insert into an empty range): ${level} ${level === 'SERIALIZABLE' ? 'aborts the second' : 'commits both'}`, async () => {
        const table = await env.createTable(ON_CALL);
        const m = managers[level];
        const t1 = m.begin();
        const t2 = m.begin();
        for (const [t, me] of [[t1, 1], [t2, 2]] as const) {
          assert.equal((await t.scan({ ...table, kind: 'all', filter: [[{ column: 'on_call', op: 'EQ', value: true }]] })).length, 0);
          await t.insert({ ...table, partitionKey: [1], clusteringKey: [me], values: { on_call: true } });
        }
        await t1.commit();
        if (level === 'SERIALIZABLE') await assert.rejects(t2.commit(), isConflict);
        else await t2.commit();
      });

      for (const onePhaseCommit of [true, false]) {
        it(`lost update is prevented under ${level} (${onePhaseCommit ? 'one' : 'two'}-phase commit)`, async () => {
          const table = await accounts({ 1: 100n });
          const m = env.manager({ isolation: level, onePhaseCommit });
          const t1 = m.begin();
          const t2 = m.begin();
          const v1 = (await t1.get({ ...table, partitionKey: [1] }))!.balance as bigint;
          const v2 = (await t2.get({ ...table, partitionKey: [1] }))!.balance as bigint;
          await t1.put({ ...table, partitionKey: [1], values: { balance: v1 + 10n } });
          await t2.put({ ...table, partitionKey: [1], values: { balance: v2 + 20n } });
          await t1.commit();
          await assert.rejects(t2.commit(), isConflict);
          assert.equal(await balanceOf(table, 1), 110n);
        });
      }

      it(`concurrent inserts of one key: one commits under ${level}`, async () => {
        const table = await accounts({});
        const m = managers[level];
        const t1 = m.begin();
        const t2 = m.begin();
        await t1.insert({ ...table, partitionKey: [9], values: { balance: 1n } });
        await t2.insert({ ...table, partitionKey: [9], values: { balance: 2n } });
        await t1.commit();
        await assert.rejects(t2.commit(), isConflict);
        assert.equal(await balanceOf(table, 9), 1n);
      });

      it(`a delete racing an update: one commits under ${level}`, async () => {
        const table = await accounts({ 1: 5n });
        const m = managers[level];
        const t1 = m.begin();
        const t2 = m.begin();
        await t1.get({ ...table, partitionKey: [1] });
        await t2.get({ ...table, partitionKey: [1] });
        await t1.delete({ ...table, partitionKey: [1] });
        await t2.put({ ...table, partitionKey: [1], values: { balance: 6n } });
        await t1.commit();
        await assert.rejects(t2.commit(), isConflict);
        assert.equal(await balanceOf(table, 1), null);
      });
    }

    for (const level of ['SERIALIZABLE', 'SNAPSHOT'] as const) {
      it(`reads repeat under ${level} (gets and scans)`, async () => {
        const table = await env.createTable(ON_CALL);
        const setup = managers.SNAPSHOT.begin();
        await setup.insert({ ...table, partitionKey: [1], clusteringKey: [1], values: { on_call: true } });
        await setup.commit();
        const t1 = managers[level].begin();
        const before = await t1.get({ ...table, partitionKey: [1], clusteringKey: [1] });
        const scanBefore = await t1.scan({ ...table, kind: 'partition', partitionKey: [1] });
        const t2 = managers.SNAPSHOT.begin();
        await t2.put({ ...table, partitionKey: [1], clusteringKey: [1], values: { on_call: false } });
        await t2.insert({ ...table, partitionKey: [1], clusteringKey: [2], values: { on_call: true } });
        await t2.commit();
        assert.deepEqual(await t1.get({ ...table, partitionKey: [1], clusteringKey: [1] }), before);
        assert.deepEqual(await t1.scan({ ...table, kind: 'partition', partitionKey: [1] }), scanBefore);
        if (level === 'SERIALIZABLE') await assert.rejects(t1.commit(), isConflict);
        else await t1.commit();
      });
    }

    it('READ_COMMITTED sees the latest committed version on every read', async () => {
      const table = await accounts({ 1: 1n });
      const t1 = managers.READ_COMMITTED.begin();
      assert.equal((await t1.get({ ...table, partitionKey: [1] }))!.balance, 1n);
      const t2 = managers.SNAPSHOT.begin();
      await t2.put({ ...table, partitionKey: [1], values: { balance: 2n } });
      await t2.commit();
      assert.equal((await t1.get({ ...table, partitionKey: [1] }))!.balance, 2n);
      await t1.commit();
    });

    it('a read-only SERIALIZABLE transaction fails validation when what it read changed', async () => {
      const table = await accounts({ 1: 1n });
      const t1 = managers.SERIALIZABLE.begin({ readOnly: true });
      await t1.get({ ...table, partitionKey: [1] });
      const t2 = managers.SNAPSHOT.begin();
      await t2.put({ ...table, partitionKey: [1], values: { balance: 2n } });
      await t2.commit();
      await assert.rejects(t1.commit(), isConflict);
    });

    it('a read-only transaction refuses writes with 25006', async () => {
      const table = await accounts({});
      const tx = managers.SERIALIZABLE.begin({ readOnly: true });
      await assert.rejects(tx.put({ ...table, partitionKey: [1], values: { balance: 1n } }), (e: { code?: string }) => e.code === '25006');
      await tx.abort();
    });

    it('a finished transaction refuses further use with 25000', async () => {
      const table = await accounts({});
      const tx = managers.SERIALIZABLE.begin();
      await tx.commit();
      await assert.rejects(tx.get({ ...table, partitionKey: [1] }), (e: { code?: string }) => e.code === '25000');
      await tx.abort(); // harmless
    });
  });
}
