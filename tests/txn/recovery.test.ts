/**
 * Lazy recovery: a reader that meets a record another transaction left PREPARED or DELETED sees
 * the version the writer's coordinator state decides, and repairs the physical record:
 *
 *   COMMITTED            after image, rolled forward
 *   ABORTED              before image, rolled back
 *   absent and expired   the reader aborts the writer (ABORTED row), before image, rolled back
 *   absent, not expired  the reader waits briefly, then a conflict (40001); the record is left alone
 *
 * Writers are real transactions stopped inside commit by a test hook that never returns.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { STORAGE_FACTORIES, type TestStorage } from './harness.js';
import type { Row, TableRef } from '../../src/storage/types.js';
import type { ConsensusCommitManager } from '../../src/txn/manager.js';
import type { CommitHooks } from '../../src/txn/config.js';

const RECORDS = {
  columns: [
    { name: 'p', type: 'INT' as const },
    { name: 'c', type: 'INT' as const },
    { name: 'v', type: 'TEXT' as const },
  ],
  partitionKey: ['p'],
  clusteringKey: [{ name: 'c', order: 'ASC' as const }],
  secondaryIndexes: [],
};

type WriteKind = 'update' | 'insert' | 'delete' | 'delete of a missing record';
type WriterState = 'COMMITTED' | 'ABORTED' | 'absent and expired' | 'absent and not expired';

const KINDS: readonly WriteKind[] = ['update', 'insert', 'delete', 'delete of a missing record'];
const STATES: readonly WriterState[] = ['COMMITTED', 'ABORTED', 'absent and expired', 'absent and not expired'];
const SHORT_LIFETIME_MS = 300;
const never = () => new Promise<void>(() => {});

/** Polls until `check` holds (a bound far above what it takes, so a slow machine only waits longer). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting until ${what}`);
}

const BEFORE_COLUMNS = ['before_v', 'before_tx_id', 'before_tx_state', 'before_tx_version', 'before_tx_prepared_at', 'before_tx_committed_at'];

for (const factory of STORAGE_FACTORIES) {
  describe(`lazy recovery [${factory.name}]`, { skip: factory.skip }, () => {
    let env: TestStorage;
    let setup: ConsensusCommitManager;
    before(async () => {
      env = await factory.setup();
      setup = env.manager({ onePhaseCommit: false });
    });
    after(() => env.teardown());

    /** Leaves records (1,1) and (2,1) in the state a writer stuck at `stuckAt` leaves them. */
    async function stuckWriter(kind: WriteKind, stuckAt: keyof CommitHooks): Promise<{ table: TableRef; writerId: string; oldWriterId?: string }> {
      const table = await env.createTable(RECORDS);
      let oldWriterId: string | undefined;
      if (kind === 'update' || kind === 'delete') {
        const tx = setup.begin();
        for (const p of [1, 2]) await tx.insert({ ...table, partitionKey: [p], clusteringKey: [1], values: { v: 'old' } });
        await tx.commit();
        oldWriterId = tx.id;
      }
      const writerManager = env.manager({ onePhaseCommit: false, hooks: { [stuckAt]: never } });
      const writer = writerManager.begin({ isolation: 'SNAPSHOT' });
      for (const p of [1, 2]) {
        const key = { ...table, partitionKey: [p], clusteringKey: [1] };
        if (kind === 'update') await writer.put({ ...key, values: { v: 'new' } });
        else if (kind === 'insert') await writer.insert({ ...key, values: { v: 'new' } });
        else await writer.delete(key);
      }
      void writer.commit();
      const expectedState = kind.startsWith('delete') ? 2 : 1;
      await eventually(async () => {
        const rows = await Promise.all([1, 2].map((p) => env.physical(table, [p], [1])));
        const prepared = rows.every((r) => r?.tx_id === writer.id && r.tx_state === expectedState);
        return prepared && (stuckAt !== 'afterCommitState' || (await env.coordinatorRow(writer.id)) !== null);
      }, 'the writer prepared');
      return { table, writerId: writer.id, ...(oldWriterId ? { oldWriterId } : {}) };
    }

    for (const kind of KINDS) {
      for (const state of STATES) {
        it(`${kind} left undecided, writer ${state}: readers (get and scan) see the right version and the record is repaired`, async () => {
          const { table, writerId, oldWriterId } = await stuckWriter(kind, state === 'COMMITTED' ? 'afterCommitState' : 'afterPrepare');
          const existedBefore = kind === 'update' || kind === 'delete';
          const writerWins = state === 'COMMITTED';
          if (state === 'ABORTED') assert.equal(await env.manager().forceAbort(writerId), 'ABORTED');
          if (state === 'absent and expired') await sleep(SHORT_LIFETIME_MS + 50);
          const reader = env.manager({
            isolation: 'SERIALIZABLE',
            transactionLifetimeMs: state === 'absent and expired' ? SHORT_LIFETIME_MS : 60_000,
          });

          if (state === 'absent and not expired') {
            const tx = reader.begin();
            await assert.rejects(tx.get({ ...table, partitionKey: [1], clusteringKey: [1] }), (e: { code?: string; phase?: string }) => e.code === '40001' && e.phase === 'read');
            await assert.rejects(tx.scan({ ...table, kind: 'partition', partitionKey: [2] }), (e: { code?: string }) => e.code === '40001');
            await tx.abort();
            for (const p of [1, 2]) {
              const raw = await env.physical(table, [p], [1]);
              assert.equal(raw?.tx_id, writerId, 'the record is left to its live writer');
              assert.equal(raw?.tx_state, kind.startsWith('delete') ? 2 : 1);
            }
            assert.equal(await env.coordinatorRow(writerId), null);
            return;
          }

          const expected: Row | null = writerWins
            ? kind === 'update' || kind === 'insert'
              ? { p: 0, c: 1, v: 'new' }
              : null
            : existedBefore
              ? { p: 0, c: 1, v: 'old' }
              : null;
          const tx = reader.begin();
          const got = await tx.get({ ...table, partitionKey: [1], clusteringKey: [1] });
          const scanned = await tx.scan({ ...table, kind: 'partition', partitionKey: [2] });
          await tx.commit(); // also waits for the repairs the reads started
          assert.deepEqual(got, expected && { ...expected, p: 1 });
          assert.deepEqual(scanned, expected ? [{ ...expected, p: 2 }] : []);

          for (const p of [1, 2]) {
            const raw = await env.physical(table, [p], [1]);
            if (!expected) {
              assert.equal(raw, null, 'an aborted insert / a committed delete leaves no record');
              continue;
            }
            assert.ok(raw);
            assert.equal(raw.tx_state, 3);
            assert.equal(raw.v, expected.v);
            assert.equal(raw.tx_id, writerWins ? writerId : oldWriterId);
            assert.equal(raw.tx_version, writerWins && kind === 'update' ? 2 : 1);
            for (const c of BEFORE_COLUMNS) assert.equal(raw[c], null, c);
          }
          const coordinator = await env.coordinatorRow(writerId);
          assert.equal(coordinator?.tx_state, writerWins ? 3 : 4);
        });
      }
    }

    it('a reader waits for a live writer that decides within the wait, instead of failing', async () => {
      const table = await env.createTable(RECORDS);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const writerManager = env.manager({ onePhaseCommit: false, hooks: { afterPrepare: () => gate } });
      const writer = writerManager.begin();
      await writer.insert({ ...table, partitionKey: [1], clusteringKey: [1], values: { v: 'new' } });
      const committing = writer.commit();
      await eventually(async () => (await env.physical(table, [1], [1]))?.tx_state === 1, 'the writer prepared');
      const reader = env.manager({ uncommittedRecordWaitMs: 10_000 }).begin();
      const reading = reader.get({ ...table, partitionKey: [1], clusteringKey: [1] });
      setTimeout(release, 20);
      assert.deepEqual(await reading, { p: 1, c: 1, v: 'new' });
      await committing;
      await reader.commit();
    });

    it('a record without metadata (written outside transactions) is updated and rolled back with the before_tx_version 0 sentinel', async () => {
      const table = await env.createTable(RECORDS);
      await env.storage.mutate([{ type: 'put', ...table, partitionKey: [1], clusteringKey: [1], values: { v: 'imported' } }]);
      const plain = setup.begin();
      assert.deepEqual(await plain.get({ ...table, partitionKey: [1], clusteringKey: [1] }), { p: 1, c: 1, v: 'imported' });
      await plain.commit();

      const writer = env.manager({ onePhaseCommit: false, hooks: { afterPrepare: never } }).begin();
      await writer.put({ ...table, partitionKey: [1], clusteringKey: [1], values: { v: 'changed' } });
      void writer.commit();
      await eventually(async () => (await env.physical(table, [1], [1]))?.tx_state === 1, 'the writer prepared');
      const prepared = await env.physical(table, [1], [1]);
      assert.equal(prepared?.before_tx_version, 0);
      assert.equal(prepared?.before_tx_id, null);
      assert.equal(prepared?.before_v, 'imported');
      assert.equal(prepared?.tx_version, 1);

      assert.equal(await setup.forceAbort(writer.id), 'ABORTED');
      const reader = setup.begin();
      assert.deepEqual(await reader.get({ ...table, partitionKey: [1], clusteringKey: [1] }), { p: 1, c: 1, v: 'imported' });
      await reader.commit();
      const restored = await env.physical(table, [1], [1]);
      assert.equal(restored?.v, 'imported');
      for (const c of ['tx_id', 'tx_state', 'tx_version', 'tx_prepared_at', 'tx_committed_at', ...BEFORE_COLUMNS]) assert.equal(restored?.[c], null, c);

      // And a committed update of it starts the version count at 1.
      const update = setup.begin();
      await update.put({ ...table, partitionKey: [1], clusteringKey: [1], values: { v: 'updated' } });
      await update.commit();
      assert.equal((await env.physical(table, [1], [1]))?.tx_version, 1);
    });

    it('index and filtered scans find a record whose committed value matches while a writer holds it with another value', async () => {
      const table = await env.createTable({ ...RECORDS, secondaryIndexes: ['v'] });
      const tx = setup.begin();
      await tx.insert({ ...table, partitionKey: [1], clusteringKey: [1], values: { v: 'red' } });
      await tx.commit();
      const writer = env.manager({ onePhaseCommit: false, hooks: { afterPrepare: never } }).begin();
      await writer.put({ ...table, partitionKey: [1], clusteringKey: [1], values: { v: 'blue' } });
      void writer.commit();
      await eventually(async () => (await env.physical(table, [1], [1]))?.tx_state === 1, 'the writer prepared');
      await setup.forceAbort(writer.id);

      const reader = setup.begin();
      // Storage's current value is 'blue'; only the before_v index / before_v filter find 'red'.
      assert.deepEqual(await reader.scan({ ...table, kind: 'index', column: 'v', value: 'red' }), [{ p: 1, c: 1, v: 'red' }]);
      assert.deepEqual(await reader.scan({ ...table, kind: 'all', filter: [[{ column: 'v', op: 'EQ', value: 'red' }]] }), [{ p: 1, c: 1, v: 'red' }]);
      assert.deepEqual(await reader.scan({ ...table, kind: 'index', column: 'v', value: 'blue' }), []);
      await reader.commit();
      assert.equal((await env.physical(table, [1], [1]))?.v, 'red');
    });

    it('a read-only READ_COMMITTED reader takes the committed version and lets an expired writer commit', async () => {
      const table = await env.createTable(RECORDS);
      const tx = setup.begin();
      await tx.insert({ ...table, partitionKey: [1], clusteringKey: [1], values: { v: 'old' } });
      await tx.commit();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = env.manager({ onePhaseCommit: false, hooks: { afterPrepare: () => gate } }).begin();
      await slow.put({ ...table, partitionKey: [1], clusteringKey: [1], values: { v: 'late' } });
      const committing = slow.commit();
      await eventually(async () => (await env.physical(table, [1], [1]))?.tx_state === 1, 'the writer prepared');
      await sleep(SHORT_LIFETIME_MS + 50);
      const reader = env.manager({ transactionLifetimeMs: SHORT_LIFETIME_MS }).begin({ isolation: 'READ_COMMITTED', readOnly: true });
      assert.equal((await reader.get({ ...table, partitionKey: [1], clusteringKey: [1] }))?.v, 'old');
      await reader.commit();
      assert.equal(await setup.getState(slow.id), 'UNKNOWN');
      release();
      await committing;
      assert.equal(await setup.getState(slow.id), 'COMMITTED');
      const after = setup.begin();
      assert.equal((await after.get({ ...table, partitionKey: [1], clusteringKey: [1] }))?.v, 'late');
      await after.commit();
    });

    it('a writer that outlived its lifetime loses to the reader that aborted it', async () => {
      const table = await env.createTable(RECORDS);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = env.manager({ onePhaseCommit: false, hooks: { afterPrepare: () => gate } }).begin();
      await slow.insert({ ...table, partitionKey: [1], clusteringKey: [1], values: { v: 'late' } });
      const committing = slow.commit();
      await eventually(async () => (await env.physical(table, [1], [1]))?.tx_state === 1, 'the writer prepared');
      await sleep(SHORT_LIFETIME_MS + 50);
      const reader = env.manager({ transactionLifetimeMs: SHORT_LIFETIME_MS }).begin();
      assert.equal(await reader.get({ ...table, partitionKey: [1], clusteringKey: [1] }), null);
      await reader.commit();
      release();
      await assert.rejects(committing, (e: { code?: string; phase?: string }) => e.code === '40001' && e.phase === 'commit-state');
      assert.equal(await env.physical(table, [1], [1]), null);
      assert.equal(await setup.getState(slow.id), 'ABORTED');
    });
  });
}
