/**
 * One-phase commit is one storage mutation or nothing: a transaction whose writes do not fit in
 * one mutation (maxMutationsPerGroup) commits in two phases, so a failure between its mutations
 * leaves none of its records visible. This is what makes a large COPY or INSERT atomic.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TransientStorageError } from '../../src/storage/errors.js';
import type { Mutation, Storage, StorageRouter, TableRef } from '../../src/storage/types.js';
import { ConsensusCommitManager } from '../../src/txn/manager.js';
import { STORAGE_FACTORIES, type TestStorage } from './harness.js';

const GROUP = 100;

/** The same storage, with mutate calls counted and the `failAt`-th one (1-based) failing. */
function countingRouter(inner: Storage): { router: StorageRouter; calls: number[]; failAt: { n: number } } {
  const calls: number[] = [];
  const failAt = { n: 0 };
  const storage: Storage = Object.create(inner, {
    mutate: {
      value: async (mutations: readonly Mutation[]) => {
        calls.push(mutations.length);
        if (calls.length === failAt.n) throw new TransientStorageError('injected failure between the mutations of one commit');
        return inner.mutate(mutations);
      },
    },
  }) as Storage;
  return { router: { storages: [storage], storageFor: () => storage, close: async () => {} }, calls, failAt };
}

const sqlite = STORAGE_FACTORIES.find((f) => f.name === 'SQLite')!;

describe('one-phase commit never spans several storage mutations', () => {
  let env: TestStorage;
  let table: TableRef;
  before(async () => {
    env = await sqlite.setup();
    table = await env.createTable({ columns: [{ name: 'id', type: 'INT' }, { name: 'v', type: 'TEXT' }], partitionKey: ['id'], clusteringKey: [], secondaryIndexes: [] });
  });
  after(() => env.teardown());

  async function insertAll(manager: ConsensusCommitManager, from: number, count: number): Promise<string> {
    const tx = manager.begin();
    for (let id = from; id < from + count; id++) await tx.insert({ ...table, partitionKey: [id], values: { v: `row ${id}` } });
    await tx.commit();
    return tx.id;
  }

  async function visible(from: number, count: number): Promise<number> {
    const tx = env.manager().begin();
    const rows = await tx.scan({ ...table, kind: 'all' });
    await tx.commit();
    return rows.filter((r) => (r.id as number) >= from && (r.id as number) < from + count).length;
  }

  it('writes that fit in one mutation commit in one phase, without a coordinator row', async () => {
    const { router, calls } = countingRouter(env.storage);
    const manager = new ConsensusCommitManager(router, { maxMutationsPerGroup: GROUP });
    const id = await insertAll(manager, 0, GROUP);
    assert.deepEqual(calls, [GROUP]);
    assert.equal(await env.coordinatorRow(id), null);
    assert.equal(await visible(0, GROUP), GROUP);
    await manager.close();
  });

  it('writes that need several mutations commit in two phases, with COMMITTED in the coordinator', async () => {
    const { router, calls } = countingRouter(env.storage);
    const manager = new ConsensusCommitManager(router, { maxMutationsPerGroup: GROUP });
    const id = await insertAll(manager, 1000, GROUP * 2 + 50);
    // prepare (3 groups), the coordinator row, commit (3 groups)
    assert.deepEqual(calls, [GROUP, GROUP, 50, 1, GROUP, GROUP, 50]);
    assert.equal((await env.coordinatorRow(id))?.tx_state, 3);
    assert.equal(await visible(1000, GROUP * 2 + 50), GROUP * 2 + 50);
    await manager.close();
  });

  it('a failure after the first of several mutations leaves nothing visible', async () => {
    const { router, failAt } = countingRouter(env.storage);
    failAt.n = 2;
    const manager = new ConsensusCommitManager(router, { maxMutationsPerGroup: GROUP, parallelPrepare: false });
    await assert.rejects(insertAll(manager, 5000, GROUP * 3), (e: { code?: string }) => e.code === '40001');
    assert.equal(await visible(5000, GROUP * 3), 0);
    await manager.close();
  });
});
