/**
 * Lazy recovery of grouped transactions, and state resolution against coordinator rows in
 * ScalarDB's exact format:
 *
 *   getState(parent$child)   the parent row if its tx_child_ids lists the child, else the full-id row
 *   expired and undecided    two-step abort: ABORTED on the parent id (no children), so the group's
 *                            write can no longer succeed, then ABORTED on the full id
 *   group committed          the reader rolls the record forward (the parent row lists it)
 *
 * Writers are real transactions held at commit hooks; "ScalarDB rows" are written directly.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { STORAGE_FACTORIES, type TestStorage } from './harness.js';
import { barrier, childOf, eventually, gate, groupCommitOn, parentOf } from './group-commit-support.js';
import type { Row, TableMetadata, TableRef } from '../../src/storage/types.js';

const SHAPE: Omit<TableMetadata, 'namespace' | 'table'> = {
  columns: [
    { name: 'id', type: 'INT' },
    { name: 'v', type: 'TEXT' },
  ],
  partitionKey: ['id'],
  clusteringKey: [],
  secondaryIndexes: [],
};
const SHORT_LIFETIME_MS = 300;
const codeOf = (e: unknown) => (e as { code?: string }).code;

for (const factory of STORAGE_FACTORIES) {
  describe(`lazy recovery of grouped transactions [${factory.name}]`, { skip: factory.skip }, () => {
    let env: TestStorage;
    before(async () => {
      env = await factory.setup();
    });
    after(() => env.teardown());

    async function tableWithOld(ids: readonly number[]): Promise<TableRef> {
      const table = await env.createTable(SHAPE);
      const tx = env.manager({ onePhaseCommit: false }).begin();
      for (const id of ids) await tx.insert({ ...table, partitionKey: [id], values: { v: 'old' } });
      await tx.commit();
      return table;
    }

    async function read(table: TableRef, id: number, lifetimeMs = SHORT_LIFETIME_MS): Promise<Row | null> {
      const tx = env.manager({ transactionLifetimeMs: lifetimeMs }).begin();
      const row = await tx.get({ ...table, partitionKey: [id] });
      await tx.commit();
      return row;
    }

    it('an expired grouped transaction is aborted in two steps (parent marker, then full id); its group write then fails', async () => {
      const table = await tableWithOld([1]);
      const prepared = gate();
      const release = gate();
      const manager = env.manager(
        groupCommitOn({
          hooks: {
            afterPrepare: async () => {
              prepared.open();
              await release.promise;
            },
          },
        }),
      );
      const writer = manager.begin();
      await writer.put({ ...table, partitionKey: [1], values: { v: 'new' } });
      const done = writer.commit();
      await prepared.promise;
      assert.equal((await env.physical(table, [1]))?.tx_id, writer.id);
      await sleep(SHORT_LIFETIME_MS + 50);

      assert.deepEqual(await read(table, 1), { id: 1, v: 'old' }, 'the reader sees the before image');
      const parentRow = await env.coordinatorRow(parentOf(writer.id));
      assert.equal(parentRow?.tx_state, 4, 'step 1: ABORTED on the parent id');
      assert.equal(parentRow?.tx_child_ids, null, '... with no children');
      assert.equal((await env.coordinatorRow(writer.id))?.tx_state, 4, 'step 2: ABORTED on the full id');
      await eventually(async () => (await env.physical(table, [1]))?.tx_state === 3, 'the record is rolled back');
      assert.equal((await env.physical(table, [1]))?.v, 'old');

      release.open();
      await assert.rejects(done, (e) => codeOf(e) === '40001', 'the group row exists: the writer is aborted');
      assert.equal(await manager.getState(writer.id), 'ABORTED');
    });

    it('an expired member that moved out of its committed group is aborted under its full id; its own write then fails', async () => {
      const table = await tableWithOld([1, 2]);
      const both = barrier(2);
      const release = gate();
      let slowChild = '';
      const manager = env.manager(
        groupCommitOn({
          groupCommitSlotCapacity: 2,
          groupCommitDelayedSlotMoveTimeoutMs: 100,
          hooks: {
            afterPrepare: async (id) => {
              await both.arrive();
              if (childOf(id) === slowChild) await release.promise;
            },
          },
        }),
      );
      const fast = manager.begin();
      const slow = manager.begin();
      slowChild = slow.id;
      await fast.put({ ...table, partitionKey: [1], values: { v: 'fast' } });
      await slow.put({ ...table, partitionKey: [2], values: { v: 'slow' } });
      const fastDone = fast.commit();
      const slowDone = slow.commit();
      await fastDone;
      assert.equal((await env.coordinatorRow(parentOf(fast.id)))?.tx_child_ids, childOf(fast.id));
      await sleep(SHORT_LIFETIME_MS + 50);

      assert.deepEqual(await read(table, 2), { id: 2, v: 'old' });
      assert.equal((await env.coordinatorRow(slow.id))?.tx_state, 4, 'ABORTED under the full id');
      assert.equal((await env.coordinatorRow(parentOf(slow.id)))?.tx_state, 3, "the group's row is untouched");
      assert.deepEqual(await read(table, 1), { id: 1, v: 'fast' });

      release.open();
      await assert.rejects(slowDone, (e) => codeOf(e) === '40001');
      await eventually(async () => (await env.physical(table, [2]))?.tx_state === 3, 'the record is rolled back');
      assert.equal((await env.physical(table, [2]))?.v, 'old');
    });

    it('a grouped transaction that stopped after its group committed is rolled forward by readers', async () => {
      const table = await tableWithOld([1]);
      const stuck = gate();
      const committed = gate();
      const manager = env.manager(
        groupCommitOn({
          hooks: {
            afterCommitState: async () => {
              committed.open();
              await stuck.promise;
            },
          },
        }),
      );
      const writer = manager.begin();
      await writer.put({ ...table, partitionKey: [1], values: { v: 'new' } });
      const done = writer.commit();
      await committed.promise;
      assert.equal((await env.physical(table, [1]))?.tx_state, 1, 'the record is still PREPARED');
      assert.equal((await env.coordinatorRow(parentOf(writer.id)))?.tx_child_ids, childOf(writer.id));

      assert.deepEqual(await read(table, 1, 60_000), { id: 1, v: 'new' });
      await eventually(async () => (await env.physical(table, [1]))?.tx_state === 3, 'the record is rolled forward');
      const record = await env.physical(table, [1]);
      assert.equal(record?.tx_id, writer.id);
      assert.equal(record?.tx_committed_at, (await env.coordinatorRow(parentOf(writer.id)))?.tx_created_at);
      stuck.open();
      await done;
    });
  });

  describe(`coordinator rows in ScalarDB's group commit format [${factory.name}]`, { skip: factory.skip }, () => {
    let env: TestStorage;
    before(async () => {
      env = await factory.setup();
    });
    after(() => env.teardown());

    // What a ScalarDB 3.16 node with group commit writes.
    const P1 = 'Ab3dE5gH7jK9mN1pQ3sT5vW7';
    const P2 = 'zY8xW6vU4tS2rQ0pO8nM6lK4';
    const [c1, c2, c3, c4, c5, c9] = Array.from({ length: 6 }, () => randomUUID());
    const committedAt = 1_700_000_000_000;

    async function putCoordinatorRow(id: string, state: 3 | 4, childIds?: string): Promise<void> {
      await env.storage.mutate([
        {
          type: 'put',
          namespace: 'coordinator',
          table: 'state',
          partitionKey: [id],
          values: { tx_state: state, tx_created_at: BigInt(committedAt), ...(childIds ? { tx_child_ids: childIds } : {}) },
          condition: { kind: 'ifNotExists' },
        },
      ]);
    }

    /** An inserted record left PREPARED by `txId` (no before image). */
    async function putPrepared(table: TableRef, id: number, txId: string, preparedAtMs: number): Promise<void> {
      await env.storage.mutate([
        {
          type: 'put',
          namespace: table.namespace,
          table: table.table,
          partitionKey: [id],
          values: { v: `by ${id}`, tx_id: txId, tx_state: 1, tx_version: 1, tx_prepared_at: BigInt(preparedAtMs) },
          condition: { kind: 'ifNotExists' },
        },
      ]);
    }

    before(async () => {
      await putCoordinatorRow(P1, 3, `${c1},${c2}`); // a normal group of two
      await putCoordinatorRow(`${P1}$${c3}`, 3); // a member of P1 that was delayed
      await putCoordinatorRow(P2, 4); // lazy recovery's marker ...
      await putCoordinatorRow(`${P2}$${c4}`, 4); // ... and its abort of P2$c4
    });

    it('resolves states: parent row listing the child, else the full-id row, else unknown', async () => {
      const manager = env.manager();
      assert.equal(await manager.getState(`${P1}$${c1}`), 'COMMITTED');
      assert.equal(await manager.getState(`${P1}$${c2}`), 'COMMITTED');
      assert.equal(await manager.getState(`${P1}$${c3}`), 'COMMITTED', 'delayed: its own row');
      assert.equal(await manager.getState(`${P1}$${c9}`), 'UNKNOWN', 'not listed, no row of its own');
      assert.equal(await manager.getState(`${P2}$${c4}`), 'ABORTED');
      assert.equal(await manager.getState(`${P2}$${c5}`), 'UNKNOWN', 'the marker lists no child');
      assert.equal(await manager.getState(P1), 'COMMITTED', 'a plain id is read as is');
    });

    it('readers settle records of ScalarDB grouped transactions by those rows', async () => {
      const table = await env.createTable(SHAPE);
      const now = Date.now();
      await putPrepared(table, 1, `${P1}$${c1}`, now); // group committed
      await putPrepared(table, 3, `${P1}$${c3}`, now); // delayed, committed
      await putPrepared(table, 4, `${P2}$${c4}`, now); // aborted
      await putPrepared(table, 9, `${P1}$${c9}`, now - 60_000); // undecided and expired

      const tx = env.manager({ isolation: 'SERIALIZABLE' }).begin();
      const rows = await tx.scan({ ...table, kind: 'all' });
      await tx.commit();
      assert.deepEqual(
        rows.map((r) => r.id).sort(),
        [1, 3],
        'committed members are visible; the aborted and the expired one are not',
      );
      await eventually(async () => (await env.physical(table, [1]))?.tx_state === 3, 'rolled forward');
      assert.equal((await env.physical(table, [1]))?.tx_committed_at, BigInt(committedAt));
      await eventually(async () => (await env.physical(table, [3]))?.tx_state === 3, 'rolled forward');
      await eventually(async () => (await env.physical(table, [4])) === null, 'rolled back');
      await eventually(async () => (await env.physical(table, [9])) === null, 'rolled back');
      // The expired one was aborted in ScalarDB's way: the parent already had a row, so only the full id.
      assert.equal((await env.coordinatorRow(`${P1}$${c9}`))?.tx_state, 4);
      assert.equal((await env.coordinatorRow(P1))?.tx_child_ids, `${c1},${c2}`);
    });

    it('force-abort follows the rows (ScalarDB cases A and C): a listed child or a committed full id stays committed', async () => {
      const manager = env.manager();
      assert.equal(await manager.forceAbort(`${P1}$${c2}`), 'COMMITTED');
      assert.equal(await manager.forceAbort(`${P1}$${c3}`), 'COMMITTED');
      assert.equal(await env.coordinatorRow(`${P1}$${c2}`), null, 'nothing written for a listed child');
      const fresh = 'Qw3Er5Ty7Ui9Op1As3Df5Gh7';
      assert.equal(await manager.forceAbort(`${fresh}$${c5}`), 'ABORTED');
      assert.equal((await env.coordinatorRow(fresh))?.tx_state, 4);
      assert.equal((await env.coordinatorRow(fresh))?.tx_child_ids, null);
      assert.equal((await env.coordinatorRow(`${fresh}$${c5}`))?.tx_state, 4);
    });
  });
}
