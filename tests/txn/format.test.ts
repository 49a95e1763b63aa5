/**
 * The on-storage format is ScalarDB's: after a commit the physical record and the coordinator row
 * hold exactly the metadata ScalarDB 3.16 writes and reads, and the admin lays tables out as
 * ScalarDB's ConsensusCommitAdmin does.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STORAGE_FACTORIES, NAMESPACE, type TestStorage } from './harness.js';
import type { TableMetadata } from '../../src/storage/types.js';

const ACCOUNT: Omit<TableMetadata, 'namespace' | 'table'> = {
  columns: [
    { name: 'id', type: 'INT' },
    { name: 'balance', type: 'BIGINT' },
    { name: 'owner', type: 'TEXT' },
  ],
  partitionKey: ['id'],
  clusteringKey: [],
  secondaryIndexes: ['owner'],
};

const BEFORE_COLUMNS = ['before_balance', 'before_owner', 'before_tx_id', 'before_tx_state', 'before_tx_version', 'before_tx_prepared_at', 'before_tx_committed_at'];

for (const factory of STORAGE_FACTORIES) {
  describe(`on-storage format [${factory.name}]`, { skip: factory.skip }, () => {
    let env: TestStorage;
    before(async () => {
      env = await factory.setup();
    });
    after(() => env.teardown());

    it('creates the physical table with metadata, before images and before_ indexes, and hides them from users', async () => {
      const table = await env.createTable(ACCOUNT);
      const physical = await env.storage.admin.getTableMetadata(table);
      assert.ok(physical);
      const types = Object.fromEntries(physical.columns.map((c) => [c.name, c.type]));
      assert.deepEqual(types, {
        id: 'INT',
        balance: 'BIGINT',
        owner: 'TEXT',
        tx_id: 'TEXT',
        tx_state: 'INT',
        tx_version: 'INT',
        tx_prepared_at: 'BIGINT',
        tx_committed_at: 'BIGINT',
        before_tx_id: 'TEXT',
        before_tx_state: 'INT',
        before_tx_version: 'INT',
        before_tx_prepared_at: 'BIGINT',
        before_tx_committed_at: 'BIGINT',
        before_balance: 'BIGINT',
        before_owner: 'TEXT',
      });
      assert.deepEqual([...physical.secondaryIndexes].sort(), ['before_owner', 'owner']);

      const user = await env.manager().admin.getTableMetadata(table);
      assert.ok(user);
      assert.deepEqual(
        user.columns.map((c) => c.name),
        ['id', 'balance', 'owner'],
      );
      assert.deepEqual(user.secondaryIndexes, ['owner']);
      assert.ok((await env.manager().admin.listTables(NAMESPACE)).includes(table.table));
    });

    it('creates the coordinator table as ScalarDB 3.16 does (tx_id, tx_child_ids, tx_state, tx_created_at)', async () => {
      const coordinator = await env.storage.admin.getTableMetadata({ namespace: 'coordinator', table: 'state' });
      assert.ok(coordinator);
      assert.deepEqual(
        Object.fromEntries(coordinator.columns.map((c) => [c.name, c.type])),
        { tx_id: 'TEXT', tx_child_ids: 'TEXT', tx_state: 'INT', tx_created_at: 'BIGINT' },
      );
      assert.deepEqual(coordinator.partitionKey, ['tx_id']);
      assert.equal(await env.manager().admin.getTableMetadata({ namespace: 'coordinator', table: 'state' }), null);
      assert.ok(!(await env.manager().admin.listNamespaces()).includes('coordinator'));
    });

    it('rejects user columns that collide with metadata', async () => {
      await assert.rejects(
        env.createTable({ ...ACCOUNT, columns: [...ACCOUNT.columns, { name: 'tx_state', type: 'INT' }] }),
        (e: { code?: string }) => e.code === '42701',
      );
      await assert.rejects(
        env.createTable({ ...ACCOUNT, columns: [...ACCOUNT.columns, { name: 'before_owner', type: 'TEXT' }] }),
        (e: { code?: string }) => e.code === '42701',
      );
    });

    it('a two-phase commit leaves exactly ScalarDB metadata on the record and a COMMITTED coordinator row', async () => {
      const table = await env.createTable(ACCOUNT);
      const manager = env.manager({ onePhaseCommit: false });
      const tx = manager.begin();
      await tx.put({ ...table, partitionKey: [1], values: { balance: 100n, owner: 'ann' } });
      await tx.commit();

      const record = await env.physical(table, [1]);
      assert.ok(record);
      assert.equal(record.tx_id, tx.id);
      assert.equal(record.tx_state, 3);
      assert.equal(record.tx_version, 1);
      assert.equal(typeof record.tx_prepared_at, 'bigint');
      assert.equal(typeof record.tx_committed_at, 'bigint');
      for (const c of BEFORE_COLUMNS) assert.equal(record[c], null, c);
      assert.equal(record.balance, 100n);

      const state = await env.coordinatorRow(tx.id);
      assert.ok(state);
      assert.equal(state.tx_state, 3);
      assert.equal(state.tx_child_ids, null);
      assert.equal(record.tx_committed_at, state.tx_created_at);
      assert.equal(await manager.getState(tx.id), 'COMMITTED');

      // An update bumps tx_version and clears the before image again.
      const tx2 = manager.begin();
      const row = await tx2.get({ ...table, partitionKey: [1] });
      assert.deepEqual(row, { id: 1, balance: 100n, owner: 'ann' });
      await tx2.put({ ...table, partitionKey: [1], values: { balance: 150n } });
      await tx2.commit();
      const updated = await env.physical(table, [1]);
      assert.ok(updated);
      assert.equal(updated.tx_id, tx2.id);
      assert.equal(updated.tx_version, 2);
      assert.equal(updated.tx_state, 3);
      assert.equal(updated.balance, 150n);
      assert.equal(updated.owner, 'ann');
      for (const c of BEFORE_COLUMNS) assert.equal(updated[c], null, c);
    });

    it('a one-phase commit writes the record COMMITTED directly and no coordinator row', async () => {
      const table = await env.createTable(ACCOUNT);
      const manager = env.manager({ onePhaseCommit: true, isolation: 'SNAPSHOT' });
      const tx = manager.begin();
      await tx.insert({ ...table, partitionKey: [7], values: { balance: 5n, owner: 'bo' } });
      await tx.commit();
      const record = await env.physical(table, [7]);
      assert.ok(record);
      assert.equal(record.tx_state, 3);
      assert.equal(record.tx_version, 1);
      assert.equal(record.tx_prepared_at, record.tx_committed_at);
      for (const c of BEFORE_COLUMNS) assert.equal(record[c], null, c);
      assert.equal(await env.coordinatorRow(tx.id), null);
    });

    it('read-only and write-less transactions write no coordinator row', async () => {
      const table = await env.createTable(ACCOUNT);
      const manager = env.manager();
      const tx = manager.begin();
      assert.equal(await tx.get({ ...table, partitionKey: [1] }), null);
      await tx.commit();
      assert.equal(await env.coordinatorRow(tx.id), null);
      const ro = manager.begin({ readOnly: true });
      await ro.scan({ ...table, kind: 'all' });
      await ro.commit();
      assert.equal(await env.coordinatorRow(ro.id), null);
    });

    it('a delete removes the record physically; deleting a missing record leaves nothing behind', async () => {
      const table = await env.createTable(ACCOUNT);
      const manager = env.manager({ onePhaseCommit: false });
      const tx = manager.begin();
      await tx.put({ ...table, partitionKey: [1], values: { balance: 1n } });
      await tx.commit();
      const tx2 = manager.begin();
      await tx2.delete({ ...table, partitionKey: [1] });
      await tx2.delete({ ...table, partitionKey: [2] }); // absent: a DELETED tombstone locks it until commit
      await tx2.commit();
      assert.equal(await env.physical(table, [1]), null);
      assert.equal(await env.physical(table, [2]), null);
      assert.equal((await env.coordinatorRow(tx2.id))?.tx_state, 3);
    });

    it('adds columns with their before_ twin, and indexes with their before_ index', async () => {
      const table = await env.createTable({ ...ACCOUNT, secondaryIndexes: [] });
      const admin = env.manager().admin;
      await admin.addColumn(table, { name: 'note', type: 'TEXT' });
      await admin.createIndex(table, 'note');
      const physical = await env.storage.admin.getTableMetadata(table);
      assert.ok(physical);
      assert.ok(physical.columns.some((c) => c.name === 'before_note' && c.type === 'TEXT'));
      assert.deepEqual([...physical.secondaryIndexes].sort(), ['before_note', 'note']);
      const user = await admin.getTableMetadata(table);
      assert.deepEqual(user?.columns.map((c) => c.name), ['id', 'balance', 'owner', 'note']);
      await admin.dropIndex(table, 'note');
      assert.deepEqual((await env.storage.admin.getTableMetadata(table))?.secondaryIndexes, []);
    });
  });
}
