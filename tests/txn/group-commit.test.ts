/**
 * Coordinator group commit through real transactions: transactions that commit in two phases at
 * the same time share one coordinator row keyed by a parent id (ScalarDB's format), members that
 * are late move out and commit on their own, a member that fails leaves its group unharmed, and the
 * group's write decides for all its members. Transactions are held at commit hooks so that groups
 * form the same way on any machine.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STORAGE_FACTORIES, type TestStorage } from './harness.js';
import { FULL_ID, barrier, childOf, gate, groupCommitLog, groupCommitOn, parentOf } from './group-commit-support.js';
import { SingleStorageRouter } from '../../src/storage/multi.js';
import { UnknownOutcomeError } from '../../src/storage/errors.js';
import type { Get, Mutation, Scan, Storage, TableMetadata, TableRef } from '../../src/storage/types.js';
import { ConsensusCommitManager } from '../../src/txn/manager.js';

const SHAPE: Omit<TableMetadata, 'namespace' | 'table'> = {
  columns: [
    { name: 'id', type: 'INT' },
    { name: 'v', type: 'TEXT' },
  ],
  partitionKey: ['id'],
  clusteringKey: [],
  secondaryIndexes: [],
};

const codeOf = (e: unknown) => (e as { code?: string }).code;

/** A storage whose coordinator writes of groups (rows with child ids) fail without a known outcome. */
class GroupWriteFailingStorage implements Storage {
  readonly name: string;
  readonly atomicityUnit: Storage['atomicityUnit'];
  readonly admin: Storage['admin'];
  constructor(private readonly inner: Storage) {
    this.name = inner.name;
    this.atomicityUnit = inner.atomicityUnit;
    this.admin = inner.admin;
  }
  get capabilities() {
    return this.inner.capabilities;
  }
  get(op: Get) {
    return this.inner.get(op);
  }
  scan(op: Scan) {
    return this.inner.scan(op);
  }
  async mutate(mutations: readonly Mutation[]) {
    if (mutations.some((m) => m.type === 'put' && m.namespace === 'coordinator' && m.values.tx_child_ids != null)) {
      throw new UnknownOutcomeError('the coordinator did not answer');
    }
    return this.inner.mutate(mutations);
  }
  close() {
    return Promise.resolve();
  }
}

for (const factory of STORAGE_FACTORIES) {
  describe(`coordinator group commit [${factory.name}]`, { skip: factory.skip }, () => {
    let env: TestStorage;
    before(async () => {
      env = await factory.setup();
    });
    after(() => env.teardown());

    /** Begins one transaction per id that inserts (id, v) and starts its commit. */
    function insertAndCommit(manager: ConsensusCommitManager, table: TableRef, ids: readonly number[], v = 'new') {
      return ids.map((id) => {
        const tx = manager.begin();
        const done = tx.insert({ ...table, partitionKey: [id], values: { v } }).then(() => tx.commit());
        return { id, tx, done };
      });
    }

    it('many concurrent transactions commit through few coordinator rows; each parent row lists its children', async () => {
      const table = await env.createTable(SHAPE);
      const log = groupCommitLog();
      const all = barrier(20);
      const manager = env.manager(
        groupCommitOn({ groupCommitSlotCapacity: 5, onGroupCommit: log.observe, hooks: { afterPrepare: () => all.arrive() } }),
      );
      const txs = insertAndCommit(
        manager,
        table,
        Array.from({ length: 20 }, (_, i) => i),
      );
      await Promise.all(txs.map((t) => t.done));

      assert.deepEqual(log.sizes, ['normal:5', 'normal:5', 'normal:5', 'normal:5']);
      const byParent = new Map<string, string[]>();
      for (const { tx } of txs) {
        assert.match(tx.id, FULL_ID);
        byParent.set(parentOf(tx.id), [...(byParent.get(parentOf(tx.id)) ?? []), childOf(tx.id)]);
      }
      assert.equal(byParent.size, 4, 'four coordinator rows for twenty transactions');
      for (const [parent, children] of byParent) {
        const row = await env.coordinatorRow(parent);
        assert.equal(row?.tx_state, 3);
        assert.deepEqual(String(row?.tx_child_ids).split(',').sort(), [...children].sort());
      }
      for (const { id, tx } of txs) {
        assert.equal(await manager.getState(tx.id), 'COMMITTED');
        assert.equal(await env.coordinatorRow(tx.id), null, 'no row of its own');
        const record = await env.physical(table, [id]);
        assert.equal(record?.tx_id, tx.id, 'records carry the full id');
        assert.equal(record?.tx_state, 3);
        assert.equal(record?.tx_committed_at, (await env.coordinatorRow(parentOf(tx.id)))?.tx_created_at);
      }
      const reader = env.manager().begin({ readOnly: true });
      assert.equal((await reader.scan({ ...table, kind: 'all' })).length, 20, 'every write is visible');
      await reader.commit();
    });

    it('a group closes as soon as its members are ready, without waiting out the size-fix timeout', { timeout: 120_000 }, async () => {
      const table = await env.createTable(SHAPE);
      const log = groupCommitLog();
      const three = barrier(3);
      // Size-fix timeout 10 minutes: only the early close can emit this group of 3 (capacity 20).
      const manager = env.manager(groupCommitOn({ onGroupCommit: log.observe, hooks: { afterPrepare: () => three.arrive() } }));
      const txs = insertAndCommit(manager, table, [1, 2, 3]);
      await Promise.all(txs.map((t) => t.done));
      assert.deepEqual(log.sizes, ['normal:3']);
      assert.equal(new Set(txs.map((t) => parentOf(t.tx.id))).size, 1);

      // A lone transaction does not wait either.
      const alone = insertAndCommit(manager, table, [4]);
      await alone[0].done;
      assert.deepEqual(log.sizes, ['normal:3', 'normal:1']);
    });

    it('read-only, write-less and one-phase transactions take no slot and write no coordinator row', async () => {
      const table = await env.createTable(SHAPE);
      const log = groupCommitLog();
      const manager = env.manager({ ...groupCommitOn({ onGroupCommit: log.observe }), onePhaseCommit: true, isolation: 'SNAPSHOT' });
      const readOnly = manager.begin({ readOnly: true });
      await readOnly.get({ ...table, partitionKey: [1] });
      await readOnly.commit();
      const writeLess = manager.begin({ isolation: 'SERIALIZABLE' });
      await writeLess.scan({ ...table, kind: 'all' });
      await writeLess.commit();
      const onePhase = manager.begin();
      await onePhase.insert({ ...table, partitionKey: [1], values: { v: 'x' } });
      await onePhase.commit();
      for (const tx of [readOnly, writeLess, onePhase]) {
        assert.doesNotMatch(tx.id, /\$/, 'a plain id');
        assert.equal(await env.coordinatorRow(tx.id), null);
      }
      assert.equal((await env.physical(table, [1]))?.tx_id, onePhase.id);
      assert.deepEqual(log.sizes, []);
    });

    it('a slow member moves to a delayed group and commits under its full id; its group did not wait for it', async () => {
      const table = await env.createTable(SHAPE);
      const log = groupCommitLog();
      const both = barrier(2);
      const slowRelease = gate();
      let slowChild = '';
      const manager = env.manager(
        groupCommitOn({
          groupCommitSlotCapacity: 2,
          groupCommitDelayedSlotMoveTimeoutMs: 200,
          onGroupCommit: log.observe,
          hooks: {
            afterPrepare: async (id) => {
              await both.arrive();
              if (childOf(id) === slowChild) await slowRelease.promise;
            },
          },
        }),
      );
      const fast = manager.begin();
      const slow = manager.begin();
      slowChild = slow.id; // its id before commit is the child id of its full id
      await fast.insert({ ...table, partitionKey: [1], values: { v: 'fast' } });
      await slow.insert({ ...table, partitionKey: [2], values: { v: 'slow' } });
      const fastDone = fast.commit();
      const slowDone = slow.commit();
      let slowFinished = false;
      void slowDone.then(() => (slowFinished = true));

      await fastDone;
      assert.equal(slowFinished, false, 'the fast member committed while the slow one was still held');
      slowRelease.open();
      await slowDone;

      assert.equal(parentOf(fast.id), parentOf(slow.id), 'both were members of one group');
      assert.deepEqual(log.sizes, ['normal:1', 'delayed:1']);
      const parentRow = await env.coordinatorRow(parentOf(fast.id));
      assert.equal(parentRow?.tx_state, 3);
      assert.equal(parentRow?.tx_child_ids, childOf(fast.id), 'the group row lists the fast member only');
      const ownRow = await env.coordinatorRow(slow.id);
      assert.equal(ownRow?.tx_state, 3, 'the delayed member has a COMMITTED row under its full id');
      assert.equal(ownRow?.tx_child_ids, null);
      assert.equal(await manager.getState(slow.id), 'COMMITTED');
      assert.equal((await env.physical(table, [2]))?.tx_id, slow.id);
      assert.equal((await env.physical(table, [2]))?.tx_state, 3);
    });

    it('a member whose prepare conflicts writes ABORTED under its full id and does not hold its group', async () => {
      const table = await env.createTable(SHAPE);
      const seed = env.manager({ onePhaseCommit: false }).begin();
      await seed.insert({ ...table, partitionKey: [0], values: { v: 'old' } });
      await seed.commit();

      const log = groupCommitLog();
      const othersPrepared = barrier(2);
      const loserDone = gate();
      const manager = env.manager(
        groupCommitOn({
          groupCommitSlotCapacity: 3,
          onGroupCommit: log.observe,
          hooks: {
            // The loser never gets here: its prepare fails.
            afterPrepare: async () => {
              void othersPrepared.arrive();
              await loserDone.promise;
            },
          },
        }),
      );
      // The loser reads record 0, then someone else changes it: its prepare must fail.
      const loser = manager.begin();
      await loser.get({ ...table, partitionKey: [0] });
      const other = env.manager({ onePhaseCommit: true, isolation: 'SNAPSHOT' }).begin();
      await other.put({ ...table, partitionKey: [0], values: { v: 'changed' } });
      await other.commit();
      await loser.put({ ...table, partitionKey: [0], values: { v: 'loser' } });

      const members = insertAndCommit(manager, table, [1, 2]);
      await othersPrepared.all; // both hold slots in the open group
      await assert.rejects(loser.commit(), (e) => codeOf(e) === '40001');
      loserDone.open();
      await Promise.all(members.map((m) => m.done));

      assert.equal(parentOf(loser.id), parentOf(members[0].tx.id), 'the loser was a member of the group');
      assert.equal((await env.coordinatorRow(loser.id))?.tx_state, 4, 'ABORTED under its full id');
      assert.equal(await manager.getState(loser.id), 'ABORTED');
      const row = await env.coordinatorRow(parentOf(members[0].tx.id));
      assert.deepEqual(String(row?.tx_child_ids).split(',').sort(), members.map((m) => childOf(m.tx.id)).sort());
      assert.deepEqual(log.sizes, ['normal:2']);
      assert.equal((await env.physical(table, [0]))?.v, 'changed');
    });

    it("a conflicting group row (lazy recovery's ABORTED marker on the parent id) aborts every member and rolls it back", async () => {
      const table = await env.createTable(SHAPE);
      const prepared = barrier(2);
      const release = gate();
      const manager = env.manager(
        groupCommitOn({
          groupCommitSlotCapacity: 2,
          hooks: {
            afterPrepare: async () => {
              void prepared.arrive();
              await release.promise;
            },
          },
        }),
      );
      const members = insertAndCommit(manager, table, [1, 2]);
      await prepared.all;
      // Another node finds one member's records expired and aborts it: parent marker, then full id.
      assert.equal(await env.manager().forceAbort(members[0].tx.id), 'ABORTED');
      const parentRow = await env.coordinatorRow(parentOf(members[0].tx.id));
      assert.equal(parentRow?.tx_state, 4);
      assert.equal(parentRow?.tx_child_ids, null);
      release.open();
      await Promise.all(members.map((m) => assert.rejects(m.done, (e) => codeOf(e) === '40001')));
      for (const m of members) assert.equal(await manager.getState(m.tx.id), 'ABORTED');
      for (const id of [1, 2]) assert.equal(await env.physical(table, [id]), null, 'rolled back');
    });

    it('a group write with an unknown outcome fails every member with 40003 and leaves its records PREPARED', async () => {
      const table = await env.createTable(SHAPE);
      const prepared = barrier(2);
      const manager = new ConsensusCommitManager(
        new SingleStorageRouter(new GroupWriteFailingStorage(env.storage)),
        groupCommitOn({ groupCommitSlotCapacity: 2, coordinatorMaxAttempts: 1, hooks: { afterPrepare: () => prepared.arrive() } }),
      );
      try {
        const members = insertAndCommit(manager, table, [1, 2]);
        await Promise.all(members.map((m) => assert.rejects(m.done, (e) => codeOf(e) === '40003')));
        for (const m of members) {
          assert.equal(m.tx.state, 'outcome unknown');
          assert.equal(await manager.getState(m.tx.id), 'UNKNOWN');
        }
        for (const id of [1, 2]) assert.equal((await env.physical(table, [id]))?.tx_state, 1);
        // The outcome is settled later, by id (here: abort both).
        for (const m of members) assert.equal(await env.manager().forceAbort(m.tx.id), 'ABORTED');
      } finally {
        await manager.close();
      }
    });
  });
}

