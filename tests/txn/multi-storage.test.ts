/**
 * Transactions spanning storages: each storage is its own atomicity unit, so a transaction writing
 * to two commits in two phases through the coordinator (one phase only within one unit), and a
 * conflict in one storage rolls back what was prepared in the other.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STORAGE_FACTORIES, openStorage, type TestStorage } from './harness.js';
import { MultiStorage } from '../../src/storage/multi.js';
import type { Storage, TableMetadata, TableRef } from '../../src/storage/types.js';
import { ConsensusCommitManager } from '../../src/txn/manager.js';

const OTHER_NAMESPACE = 'txn_test_other';
const isConflict = (e: unknown): boolean => (e as { code?: string }).code === '40001';

const SHAPE: Omit<TableMetadata, 'namespace' | 'table'> = {
  columns: [
    { name: 'id', type: 'INT' },
    { name: 'v', type: 'BIGINT' },
  ],
  partitionKey: ['id'],
  clusteringKey: [],
  secondaryIndexes: [],
};

for (const factory of STORAGE_FACTORIES) {
  describe(`transactions across storages [${factory.name}]`, { skip: factory.skip }, () => {
    let env: TestStorage;
    let other: Storage;
    let manager: ConsensusCommitManager;
    let a: TableRef;
    let b: TableRef;
    before(async () => {
      env = await factory.setup();
      // A second storage instance: a separate atomicity unit, holding OTHER_NAMESPACE.
      other = openStorage(env.spec, 2, 'other');
      const router = new MultiStorage({
        storages: new Map([
          [env.storage.name, env.storage],
          ['other', other],
        ]),
        namespaceMapping: new Map([[OTHER_NAMESPACE, 'other']]),
        defaultStorage: env.storage.name,
      });
      manager = new ConsensusCommitManager(router, { onePhaseCommit: true });
      await manager.admin.createNamespace(OTHER_NAMESPACE, { ifNotExists: true });
      a = await env.createTable(SHAPE);
      b = { namespace: OTHER_NAMESPACE, table: `${a.table}_b` };
      await manager.admin.createTable({ ...b, ...SHAPE });
    });
    after(async () => {
      await manager.close();
      await other.close();
      await env.teardown();
    });

    async function values(): Promise<[unknown, unknown]> {
      const tx = manager.begin({ readOnly: true });
      const x = await tx.get({ ...a, partitionKey: [1] });
      const y = await tx.get({ ...b, partitionKey: [1] });
      await tx.commit();
      return [x?.v ?? null, y?.v ?? null];
    }

    it('a transaction writing to two storages commits through the coordinator; one writing to one storage in one phase', async () => {
      const both = manager.begin();
      await both.put({ ...a, partitionKey: [1], values: { v: 1n } });
      await both.put({ ...b, partitionKey: [1], values: { v: 1n } });
      await both.commit();
      assert.equal((await env.coordinatorRow(both.id))?.tx_state, 3);
      assert.deepEqual(await values(), [1n, 1n]);

      const one = manager.begin();
      await one.put({ ...b, partitionKey: [2], values: { v: 2n } });
      await one.commit();
      assert.equal(await env.coordinatorRow(one.id), null);
      assert.equal((await other.get({ ...b, partitionKey: [2] }))?.tx_state, 3);
    });

    it('a conflict in one storage rolls back what was prepared in the other', async () => {
      const t1 = manager.begin();
      const t2 = manager.begin();
      for (const t of [t1, t2]) {
        await t.get({ ...a, partitionKey: [1] });
        await t.get({ ...b, partitionKey: [1] });
      }
      await t1.put({ ...a, partitionKey: [1], values: { v: 10n } });
      await t1.commit();
      const before = await other.get({ ...b, partitionKey: [1] });
      await t2.put({ ...a, partitionKey: [1], values: { v: 20n } });
      await t2.put({ ...b, partitionKey: [1], values: { v: 20n } });
      await assert.rejects(t2.commit(), isConflict);
      assert.deepEqual(await values(), [10n, 1n]);
      const after = await other.get({ ...b, partitionKey: [1] });
      assert.equal(after?.tx_id, before?.tx_id, 'the record prepared in the other storage was restored');
      assert.equal(after?.tx_state, 3);
      assert.equal(after?.tx_version, before?.tx_version);
      assert.equal(after?.before_tx_id, null);
      assert.equal((await env.coordinatorRow(t2.id))?.tx_state, 4);
    });

    it('SERIALIZABLE write skew across storages is prevented', async () => {
      const t1 = manager.begin({ isolation: 'SERIALIZABLE' });
      const t2 = manager.begin({ isolation: 'SERIALIZABLE' });
      for (const t of [t1, t2]) {
        await t.get({ ...a, partitionKey: [3] });
        await t.get({ ...b, partitionKey: [3] });
      }
      await t1.put({ ...a, partitionKey: [3], values: { v: 1n } });
      await t2.put({ ...b, partitionKey: [3], values: { v: 1n } });
      await t1.commit();
      await assert.rejects(t2.commit(), isConflict);
    });
  });
}
