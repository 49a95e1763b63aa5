/**
 * Bad input gets a typed error with PostgreSQL's SQLSTATE (InvalidOperationError, whether the
 * transaction or the storage found it), the transaction stays usable, and nothing crashes. A commit
 * whose commit state cannot be written reports an unknown outcome (40003) and leaves its records
 * PREPARED for lazy recovery.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STORAGE_FACTORIES, openStorage, type TestStorage } from './harness.js';
import { InvalidOperationError } from '../../src/storage/errors.js';
import { MultiStorage } from '../../src/storage/multi.js';
import type { TableRef } from '../../src/storage/types.js';
import { UnknownTransactionOutcomeError } from '../../src/txn/errors.js';
import { ConsensusCommitManager } from '../../src/txn/manager.js';

const invalid = (code: string) => (e: unknown) => {
  assert.ok(e instanceof InvalidOperationError, `expected an InvalidOperationError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return true;
};

for (const factory of STORAGE_FACTORIES) {
  describe(`bad input and failures [${factory.name}]`, { skip: factory.skip }, () => {
    let env: TestStorage;
    let manager: ConsensusCommitManager;
    let table: TableRef;
    before(async () => {
      env = await factory.setup();
      manager = env.manager();
      table = await env.createTable({
        columns: [
          { name: 'p', type: 'INT' },
          { name: 'c1', type: 'INT' },
          { name: 'c2', type: 'TEXT' },
          { name: 'n', type: 'BIGINT' },
          { name: 's', type: 'TEXT' },
          { name: 'i', type: 'INT' },
        ],
        partitionKey: ['p'],
        clusteringKey: [
          { name: 'c1', order: 'ASC' },
          { name: 'c2', order: 'ASC' },
        ],
        secondaryIndexes: ['s'],
      });
    });
    after(() => env.teardown());

    const key = (p: number) => ({ partitionKey: [p], clusteringKey: [1, 'a'] });

    it('an unknown table or namespace is 42P01, also for the coordinator table', async () => {
      const tx = manager.begin();
      await assert.rejects(tx.get({ ...table, table: 'nope', partitionKey: [1] }), invalid('42P01'));
      await assert.rejects(tx.put({ namespace: 'no_such_ns', table: 't', partitionKey: [1], values: {} }), invalid('42P01'));
      await assert.rejects(tx.scan({ namespace: 'coordinator', table: 'state', kind: 'all' }), invalid('42P01'));
      await tx.abort();
    });

    it('a value of the wrong type is 42804; out of range is 22003', async () => {
      const tx = manager.begin();
      await assert.rejects(tx.put({ ...table, ...key(1), values: { n: 5 } }), invalid('42804')); // BIGINT needs a bigint
      await assert.rejects(tx.put({ ...table, ...key(1), values: { i: 'x' } }), invalid('42804'));
      await assert.rejects(tx.put({ ...table, ...key(1), values: { i: 2 ** 31 } }), invalid('22003'));
      await assert.rejects(tx.get({ ...table, partitionKey: ['1'], clusteringKey: [1, 'a'] }), invalid('42804'));
      await assert.rejects(tx.scan({ ...table, kind: 'index', column: 's', value: 3 }), invalid('42804'));
      await tx.abort();
    });

    it('a missing or NULL key column is refused', async () => {
      const tx = manager.begin();
      await assert.rejects(tx.get({ ...table, partitionKey: [] }), invalid('22023'));
      await assert.rejects(tx.get({ ...table, partitionKey: [1] }), invalid('22023')); // clustering key missing
      await assert.rejects(tx.put({ ...table, partitionKey: [1], clusteringKey: [1], values: {} }), invalid('22023'));
      await assert.rejects(tx.delete({ ...table, partitionKey: [null], clusteringKey: [1, 'a'] }), invalid('23502'));
      await tx.abort();
    });

    it('unknown, key and metadata columns cannot be written or read', async () => {
      const tx = manager.begin();
      await assert.rejects(tx.put({ ...table, ...key(1), values: { nope: 1 } }), invalid('42703'));
      await assert.rejects(tx.put({ ...table, ...key(1), values: { tx_state: 3 } }), invalid('42703'));
      await assert.rejects(tx.put({ ...table, ...key(1), values: { before_s: 'x' } }), invalid('42703'));
      await assert.rejects(tx.put({ ...table, ...key(1), values: { c1: 2 } }), invalid('0A000'));
      await assert.rejects(tx.get({ ...table, ...key(1), projection: ['tx_id'] }), invalid('42703'));
      await assert.rejects(tx.scan({ ...table, kind: 'all', filter: [[{ column: 'nope', op: 'EQ', value: 1 }]] }), invalid('42703'));
      await tx.abort();
    });

    it('oversized values are refused when given (54000)', async () => {
      const tx = manager.begin();
      await assert.rejects(tx.put({ ...table, ...key(1), values: { s: 'x'.repeat(16 * 1024 * 1024 + 1) } }), invalid('54000'));
      await assert.rejects(tx.put({ ...table, ...key(1), values: { s: 'nul\u0000' } }), invalid('22021'));
      await tx.abort();
    });

    it('malformed scans are refused: no index, negative limit, LIKE on a number, bounds of different shapes', async () => {
      const tx = manager.begin();
      await assert.rejects(tx.scan({ ...table, kind: 'index', column: 'n', value: 1n }), invalid('42704'));
      await assert.rejects(tx.scan({ ...table, kind: 'all', limit: -1 }), invalid('2201W'));
      await assert.rejects(tx.scan({ ...table, kind: 'all', filter: [[{ column: 'i', op: 'LIKE', value: '1%' }]] }), invalid('42804'));
      // Found by the storage, passed through unchanged.
      await assert.rejects(
        tx.scan({ ...table, kind: 'partition', partitionKey: [1], start: { key: [1], inclusive: true }, end: { key: [1, 'b'], inclusive: true } }),
        invalid('22023'),
      );
      await tx.abort();
    });

    it('after refused input the transaction goes on and commits its valid writes', async () => {
      const tx = manager.begin();
      await assert.rejects(tx.put({ ...table, ...key(5), values: { i: 'bad' } }), invalid('42804'));
      await tx.put({ ...table, ...key(5), values: { i: 5 } });
      await tx.commit();
      const check = manager.begin();
      assert.equal((await check.get({ ...table, ...key(5) }))?.i, 5);
      await check.commit();
    });

    it('a commit whose commit state cannot be written has an unknown outcome (40003) and leaves its records PREPARED', async () => {
      // The coordinator table lives behind a second connection that dies right after prepare.
      const coordinatorStorage = openStorage(env.spec, 1, 'coordinator');
      const router = new MultiStorage({
        storages: new Map([
          ['data', env.storage],
          ['coordinator', coordinatorStorage],
        ]),
        namespaceMapping: new Map([['coordinator', 'coordinator']]),
        defaultStorage: 'data',
      });
      const failing = new ConsensusCommitManager(router, {
        onePhaseCommit: false,
        coordinatorMaxAttempts: 2,
        coordinatorRetryBaseDelayMs: 1,
        hooks: { afterPrepare: () => coordinatorStorage.close() },
      });
      const tx = failing.begin();
      await tx.put({ ...table, ...key(7), values: { i: 7 } });
      await assert.rejects(tx.commit(), (e: unknown) => e instanceof UnknownTransactionOutcomeError && e.code === '40003');
      assert.equal(tx.state, 'outcome unknown');
      assert.equal((await env.physical(table, [7], [1, 'a']))?.tx_state, 1);
      await failing.close();

      // Later, anyone may settle it: here by aborting it explicitly.
      assert.equal(await manager.getState(tx.id), 'UNKNOWN');
      assert.equal(await manager.forceAbort(tx.id), 'ABORTED');
      const reader = manager.begin();
      assert.equal(await reader.get({ ...table, ...key(7) }), null);
      await reader.commit();
      assert.equal(await env.physical(table, [7], [1, 'a']), null);
    });
  });
}
