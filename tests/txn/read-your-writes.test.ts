/**
 * A transaction sees its own writes in every read, scans included (SQL does INSERT then SELECT all
 * the time): own inserts join scan results in order, own deletes vanish, own updates move records
 * into and out of filters, limits count what the user sees. Validation stays correct around them,
 * and savepoints undo writes.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STORAGE_FACTORIES, type TestStorage } from './harness.js';
import type { Row, TableMetadata, TableRef } from '../../src/storage/types.js';
import type { ConsensusCommitManager } from '../../src/txn/manager.js';
import type { Transaction } from '../../src/txn/api.js';

const isConflict = (e: unknown): boolean => (e as { code?: string }).code === '40001';

const ITEMS = {
  columns: [
    { name: 'grp', type: 'INT' as const },
    { name: 'seq', type: 'INT' as const },
    { name: 'val', type: 'TEXT' as const },
    { name: 'n', type: 'INT' as const },
  ],
  partitionKey: ['grp'],
  clusteringKey: [{ name: 'seq', order: 'ASC' as const }],
  secondaryIndexes: ['val'],
};

const seqs = (rows: Row[]) => rows.map((r) => r.seq);

for (const factory of STORAGE_FACTORIES) {
  describe(`read-your-writes and scans after writes [${factory.name}]`, { skip: factory.skip }, () => {
    let env: TestStorage;
    let serializable: ConsensusCommitManager;
    let snapshot: ConsensusCommitManager;
    before(async () => {
      env = await factory.setup();
      serializable = env.manager({ isolation: 'SERIALIZABLE' });
      snapshot = env.manager({ isolation: 'SNAPSHOT' });
    });
    after(() => env.teardown());

    /** A table with rows (grp 1, seq 10..50 step 10, val 'v<seq>', n seq). */
    async function items(meta: Partial<Omit<TableMetadata, 'namespace' | 'table'>> = {}): Promise<TableRef> {
      const table = await env.createTable({ ...ITEMS, ...meta });
      const tx = snapshot.begin();
      for (const seq of [10, 20, 30, 40, 50]) await tx.insert({ ...table, partitionKey: [1], clusteringKey: [seq], values: { val: `v${seq}`, n: seq } });
      await tx.commit();
      return table;
    }

    const at = (table: TableRef, seq: number, grp = 1) => ({ ...table, partitionKey: [grp], clusteringKey: [seq] });

    it('a get sees own inserts, partial updates merged with the committed row, and deletes', async () => {
      const table = await items();
      const tx = serializable.begin();
      await tx.insert({ ...at(table, 15), values: { val: 'new' } });
      assert.deepEqual(await tx.get(at(table, 15)), { grp: 1, seq: 15, val: 'new', n: null });
      await tx.put({ ...at(table, 20), values: { n: 99 } });
      assert.deepEqual(await tx.get(at(table, 20)), { grp: 1, seq: 20, val: 'v20', n: 99 });
      await tx.delete(at(table, 30));
      assert.equal(await tx.get(at(table, 30)), null);
      // A put after a delete replaces the whole record: unnamed columns are NULL.
      await tx.put({ ...at(table, 30), values: { n: 3 } });
      assert.deepEqual(await tx.get(at(table, 30)), { grp: 1, seq: 30, val: null, n: 3 });
      assert.deepEqual(await tx.get({ ...at(table, 20), projection: ['n'] }), { n: 99 });
      await tx.commit();
      const check = snapshot.begin();
      assert.deepEqual(await check.get(at(table, 30)), { grp: 1, seq: 30, val: null, n: 3 });
      assert.deepEqual(await check.get(at(table, 20)), { grp: 1, seq: 20, val: 'v20', n: 99 });
      await check.commit();
    });

    it('a partition scan merges own inserts in clustering order, hides own deletes and shows own updates', async () => {
      const table = await items();
      const tx = serializable.begin();
      await tx.insert({ ...at(table, 5), values: { val: 'a' } });
      await tx.insert({ ...at(table, 25), values: { val: 'b' } });
      await tx.insert({ ...at(table, 60), values: { val: 'c' } });
      await tx.insert({ ...at(table, 25, 2), values: { val: 'other partition' } });
      await tx.delete(at(table, 40));
      await tx.put({ ...at(table, 20), values: { val: 'updated' } });
      const rows = await tx.scan({ ...table, kind: 'partition', partitionKey: [1] });
      assert.deepEqual(seqs(rows), [5, 10, 20, 25, 30, 50, 60]);
      assert.equal(rows.find((r) => r.seq === 20)?.val, 'updated');
      const reversed = await tx.scan({ ...table, kind: 'partition', partitionKey: [1], reverse: true });
      assert.deepEqual(seqs(reversed), [60, 50, 30, 25, 20, 10, 5]);
      const range = await tx.scan({
        ...table,
        kind: 'partition',
        partitionKey: [1],
        start: { key: [20], inclusive: false },
        end: { key: [50], inclusive: true },
      });
      assert.deepEqual(seqs(range), [25, 30, 50]);
      await tx.commit(); // no false conflict from own writes under SERIALIZABLE
    });

    it('a limit counts what the user sees, reading further when own deletes hide committed rows', async () => {
      const table = await items();
      const tx = serializable.begin();
      await tx.delete(at(table, 10));
      await tx.delete(at(table, 20));
      await tx.delete(at(table, 30));
      await tx.insert({ ...at(table, 45), values: { val: 'x' } });
      assert.deepEqual(seqs(await tx.scan({ ...table, kind: 'partition', partitionKey: [1], limit: 2 })), [40, 45]);
      assert.deepEqual(seqs(await tx.scan({ ...table, kind: 'partition', partitionKey: [1], limit: 2, reverse: true })), [50, 45]);
      // The same scan again after another own delete (served from the scan's record, then read further).
      await tx.delete(at(table, 40));
      assert.deepEqual(seqs(await tx.scan({ ...table, kind: 'partition', partitionKey: [1], limit: 2 })), [45, 50]);
      await tx.commit();
    });

    it('own updates move records into and out of a filtered full scan; results come in key order', async () => {
      const table = await items();
      const tx = serializable.begin();
      const filter = [[{ column: 'n', op: 'GTE' as const, value: 30 }]];
      assert.deepEqual(seqs(await tx.scan({ ...table, kind: 'all', filter })), [30, 40, 50]);
      await tx.put({ ...at(table, 10), values: { n: 100 } }); // moves in (committed n=10 does not match)
      await tx.put({ ...at(table, 40), values: { n: 1 } }); // moves out
      await tx.insert({ ...at(table, 1, 0), values: { n: 31 } });
      await tx.insert({ ...at(table, 2, 0), values: { n: 29 } });
      assert.deepEqual(
        (await tx.scan({ ...table, kind: 'all', filter })).map((r) => [r.grp, r.seq]),
        [
          [0, 1],
          [1, 10],
          [1, 30],
          [1, 50],
        ],
      );
      assert.deepEqual(
        (await tx.scan({ ...table, kind: 'all', filter: [[{ column: 'val', op: 'LIKE', value: 'v_0' }]] })).map((r) => r.seq),
        [10, 20, 30, 40, 50],
      );
      await tx.commit();
    });

    it('an index scan sees own values, not the committed ones they replaced', async () => {
      const table = await items();
      const tx = serializable.begin();
      await tx.put({ ...at(table, 10), values: { val: 'v20' } });
      await tx.put({ ...at(table, 20), values: { val: 'other' } });
      const rows = await tx.scan({ ...table, kind: 'index', column: 'val', value: 'v20' });
      assert.deepEqual(seqs(rows), [10]);
      assert.deepEqual(seqs(await tx.scan({ ...table, kind: 'index', column: 'val', value: 'other' })), [20]);
      await tx.commit();
      const check = snapshot.begin();
      assert.deepEqual(seqs(await check.scan({ ...table, kind: 'index', column: 'val', value: 'v20' })), [10]);
      await check.commit();
    });

    it('own inserts land in place in a descending clustering order', async () => {
      const table = await items({ clusteringKey: [{ name: 'seq', order: 'DESC' }] });
      const tx = serializable.begin();
      await tx.insert({ ...at(table, 35), values: { val: 'x' } });
      assert.deepEqual(seqs(await tx.scan({ ...table, kind: 'partition', partitionKey: [1] })), [50, 40, 35, 30, 20, 10]);
      assert.deepEqual(seqs(await tx.scan({ ...table, kind: 'partition', partitionKey: [1], reverse: true, limit: 3 })), [10, 20, 30]);
      await tx.commit();
    });

    it('a repeated scan shows writes made after the first one', async () => {
      const table = await items();
      const tx = serializable.begin();
      assert.equal((await tx.scan({ ...table, kind: 'partition', partitionKey: [1] })).length, 5);
      await tx.insert({ ...at(table, 55), values: { val: 'y' } });
      await tx.delete(at(table, 10));
      assert.deepEqual(seqs(await tx.scan({ ...table, kind: 'partition', partitionKey: [1] })), [20, 30, 40, 50, 55]);
      await tx.commit();
    });

    it('SERIALIZABLE: a record inserted after the limit cut is no phantom; one before it is', async () => {
      const table = await items();
      for (const [seq, conflict] of [
        [60, false],
        [15, true],
      ] as const) {
        const t1 = serializable.begin();
        assert.deepEqual(seqs(await t1.scan({ ...table, kind: 'partition', partitionKey: [1], limit: 2 })), [10, 20]);
        await t1.put({ ...at(table, 10, 9), values: { val: 'elsewhere' } });
        const t2 = snapshot.begin();
        await t2.insert({ ...at(table, seq), values: { val: 'z' } });
        await t2.commit();
        if (conflict) await assert.rejects(t1.commit(), isConflict);
        else await t1.commit();
      }
    });

    it('SERIALIZABLE: a record another transaction inserted into a scanned range, then blindly updated by us, is a phantom', async () => {
      const table = await items();
      const t1 = serializable.begin();
      assert.equal((await t1.scan({ ...table, kind: 'partition', partitionKey: [2] })).length, 0);
      const t2 = snapshot.begin();
      await t2.insert({ ...at(table, 1, 2), values: { val: 'theirs' } });
      await t2.commit();
      await t1.put({ ...at(table, 1, 2), values: { n: 1 } }); // no read: the committed record is read at commit
      await assert.rejects(t1.commit(), isConflict);
    });

    it('SERIALIZABLE: an unordered scan cut by its limit depends only on the rows it returned', async () => {
      const table = await items();
      const filter = [[{ column: 'n', op: 'GT' as const, value: 0 }]];
      const t1 = serializable.begin();
      const [first] = await t1.scan({ ...table, kind: 'all', filter, limit: 1 });
      await t1.put({ ...at(table, 1, 8), values: { n: 1 } });
      const t2 = snapshot.begin();
      await t2.insert({ ...at(table, 99, 7), values: { n: 5 } });
      await t2.commit();
      await t1.commit();

      const t3 = serializable.begin();
      const [seen] = await t3.scan({ ...table, kind: 'all', filter, limit: 1 });
      await t3.put({ ...at(table, 2, 8), values: { n: 1 } });
      const t4 = snapshot.begin();
      await t4.put({ ...table, partitionKey: [seen.grp], clusteringKey: [seen.seq], values: { n: 1000 } });
      await t4.commit();
      await assert.rejects(t3.commit(), isConflict);
      assert.ok(first);
    });

    it('savepoints undo the writes made after them, and nest', async () => {
      const table = await items();
      const tx = serializable.begin();
      await tx.put({ ...at(table, 10), values: { n: 1 } });
      const sp1 = tx.savepoint();
      await tx.put({ ...at(table, 10), values: { n: 2 } });
      await tx.delete(at(table, 20));
      await tx.insert({ ...at(table, 21), values: { val: 'gone' } });
      const sp2 = tx.savepoint();
      await tx.delete(at(table, 30));
      tx.rollbackTo(sp2);
      assert.ok(await tx.get(at(table, 30)));
      assert.equal(await tx.get(at(table, 20)), null);
      tx.rollbackTo(sp1);
      assert.equal((await tx.get(at(table, 10)))?.n, 1);
      assert.ok(await tx.get(at(table, 20)));
      assert.equal(await tx.get(at(table, 21)), null);
      assert.deepEqual(seqs(await tx.scan({ ...table, kind: 'partition', partitionKey: [1] })), [10, 20, 30, 40, 50]);
      // The savepoint survives ROLLBACK TO; sp2 does not.
      await tx.put({ ...at(table, 50), values: { n: 5 } });
      tx.rollbackTo(sp1);
      assert.throws(() => tx.rollbackTo(sp2), (e: { code?: string }) => e.code === '3B001');
      await tx.put({ ...at(table, 40), values: { n: 4 } });
      tx.release(sp1);
      await tx.commit();
      const check = snapshot.begin();
      const rows = await check.scan({ ...table, kind: 'partition', partitionKey: [1] });
      assert.deepEqual(
        rows.map((r) => [r.seq, r.n]),
        [
          [10, 1],
          [20, 20],
          [30, 30],
          [40, 4],
          [50, 50],
        ],
      );
      await check.commit();
    });

    it('insert semantics: a duplicate of a seen record is 23505 at once; insert then delete leaves nothing', async () => {
      const table = await items();
      const tx: Transaction = serializable.begin();
      await tx.get(at(table, 10));
      await assert.rejects(tx.insert({ ...at(table, 10), values: { val: 'dup' } }), (e: { code?: string }) => e.code === '23505');
      await tx.insert({ ...at(table, 11), values: { val: 'x' } });
      await assert.rejects(tx.insert({ ...at(table, 11), values: { val: 'x' } }), (e: { code?: string }) => e.code === '23505');
      await tx.delete(at(table, 11));
      assert.equal(await tx.get(at(table, 11)), null);
      await tx.delete(at(table, 20));
      await tx.insert({ ...at(table, 20), values: { val: 'again' } }); // after a delete: replaces the record
      assert.deepEqual(await tx.get(at(table, 20)), { grp: 1, seq: 20, val: 'again', n: null });
      await tx.commit();
      assert.equal(await env.physical(table, [1], [11]), null);
      assert.equal((await env.physical(table, [1], [20]))?.val, 'again');
      // A blind insert of an existing record that was never read fails at commit, as a conflict.
      const blind = serializable.begin();
      await blind.insert({ ...at(table, 30), values: { val: 'blind' } });
      await assert.rejects(blind.commit(), isConflict);
    });
  });
}
