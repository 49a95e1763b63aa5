/**
 * The group commit policy on its own (no storage): when a group closes and is emitted, who moves
 * out, what each member learns. The coordinator is a fake that records its writes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupCommitter, type GroupCommitSettings } from '../../src/txn/group-committer.js';
import { fullIdOf, newParentId, splitFullId } from '../../src/txn/group-commit.js';
import { TransientStorageError } from '../../src/storage/errors.js';
import { gate } from './group-commit-support.js';

interface Write {
  readonly id: string;
  readonly childIds: readonly string[];
}

/** A coordinator whose writes succeed unless told otherwise. */
function fakeCoordinator(answer: (w: Write) => Promise<boolean> = async () => true) {
  const writes: Write[] = [];
  return {
    writes,
    putState: async (id: string, _state: 'COMMITTED' | 'ABORTED', _createdAtMs: number, childIds: readonly string[] = []) => {
      const w = { id, childIds: [...childIds] };
      writes.push(w);
      return answer(w);
    },
  };
}

const LONG_MS = 600_000;

function committer(coordinator: ReturnType<typeof fakeCoordinator>, overrides: Partial<GroupCommitSettings> = {}): GroupCommitter {
  return new GroupCommitter(coordinator, {
    slotCapacity: 20,
    sizeFixTimeoutMs: LONG_MS,
    delayedSlotMoveTimeoutMs: LONG_MS,
    oldGroupAbortTimeoutMs: LONG_MS,
    timeoutCheckIntervalMs: 5,
    ...overrides,
  });
}

/** Lets pending promise callbacks and timers of the event loop run. */
const settle = () => sleep(20);

describe('group commit ids (ScalarDB DefaultGroupCommitKeyManipulator)', () => {
  it('parent ids are 24 characters of [0-9A-Za-z]; full ids are parent$child; anything else is not a full id', () => {
    const parent = newParentId();
    assert.match(parent, /^[0-9A-Za-z]{24}$/);
    const full = fullIdOf(parent, 'child-1');
    assert.equal(full, `${parent}$child-1`);
    assert.deepEqual(splitFullId(full), { parentId: parent, childId: 'child-1' });
    assert.equal(splitFullId('8a1b7c2e-0000-4000-8000-000000000000'), null);
    assert.equal(splitFullId(parent), null);
    assert.throws(() => fullIdOf(parent, 'a,b'));
    assert.throws(() => fullIdOf(parent, 'x'.repeat(40)));
    assert.doesNotThrow(() => fullIdOf(parent, 'x'.repeat(39)));
    assert.throws(() => fullIdOf('short', 'child'));
  });
});

describe('group commit policy', () => {
  it('emits a group as soon as every member is ready and nobody is about to join, long before the size-fix timeout', async () => {
    const coordinator = fakeCoordinator();
    const gc = committer(coordinator);
    const a = gc.reserve('a');
    const b = gc.reserve('b');
    assert.equal(splitFullId(a.fullId)?.parentId, splitFullId(b.fullId)?.parentId);
    const outcomeA = a.ready();
    await settle();
    assert.equal(coordinator.writes.length, 0, 'b is not ready yet');
    const outcomeB = b.ready();
    const [ra, rb] = await Promise.all([outcomeA, outcomeB]);
    assert.equal(ra.kind, 'committed');
    assert.deepEqual(ra, rb, 'every member learns the same commit time');
    assert.deepEqual(coordinator.writes, [{ id: splitFullId(a.fullId)?.parentId, childIds: ['a', 'b'] }]);
  });

  it('once a member waits, transactions that had not started to commit form the next group', async () => {
    const coordinator = fakeCoordinator();
    const gc = committer(coordinator);
    const a = gc.reserve('a');
    const b = gc.reserve('b');
    const outcomeA = a.ready();
    const c = gc.reserve('c');
    assert.notEqual(splitFullId(c.fullId)?.parentId, splitFullId(a.fullId)?.parentId, 'a waits only for b, already preparing');
    await Promise.all([outcomeA, b.ready(), c.ready()]);
    assert.deepEqual(coordinator.writes.map((w) => w.childIds), [['a', 'b'], ['c']]);
  });

  it('a transaction that started commit holds the open group until it takes a slot or leaves', async () => {
    const coordinator = fakeCoordinator();
    const gc = committer(coordinator);
    const leaveC = gc.approach();
    const leaveD = gc.approach();
    const a = gc.reserve('a');
    const outcomeA = a.ready();
    await settle();
    assert.equal(coordinator.writes.length, 0, 'c and d may still join');
    const c = gc.reserve('c');
    leaveC();
    leaveD(); // d committed in one phase, say: it joins nobody
    await settle();
    assert.equal(coordinator.writes.length, 0, 'c joined and is not ready');
    await c.ready();
    assert.equal((await outcomeA).kind, 'committed');
    assert.deepEqual(coordinator.writes.map((w) => w.childIds), [['a', 'c']]);
  });

  it('the size-fix timeout bounds the wait for a transaction that never takes its slot', async () => {
    const coordinator = fakeCoordinator();
    const gc = committer(coordinator, { sizeFixTimeoutMs: 30 });
    const leave = gc.approach();
    const a = gc.reserve('a');
    assert.equal((await a.ready()).kind, 'committed');
    leave();
    const b = gc.reserve('b');
    assert.notEqual(splitFullId(b.fullId)?.parentId, splitFullId(a.fullId)?.parentId, 'a new group after the emitted one');
    await b.ready();
  });

  it('a full group closes: the next transaction opens a new group', async () => {
    const coordinator = fakeCoordinator();
    const gc = committer(coordinator, { slotCapacity: 2 });
    const slots = ['a', 'b', 'c'].map((id) => gc.reserve(id));
    const parents = slots.map((s) => splitFullId(s.fullId)?.parentId);
    assert.equal(parents[0], parents[1]);
    assert.notEqual(parents[1], parents[2]);
    await Promise.all(slots.map((s) => s.ready()));
    assert.deepEqual(coordinator.writes.map((w) => w.childIds).sort(), [['a', 'b'], ['c']]);
  });

  it('a member not ready by the delayed-slot-move timeout moves out and later commits under its full id', async () => {
    const coordinator = fakeCoordinator();
    const gc = committer(coordinator, { slotCapacity: 2, delayedSlotMoveTimeoutMs: 30 });
    const a = gc.reserve('a');
    const slow = gc.reserve('slow');
    const outcomeA = await a.ready();
    assert.equal(outcomeA.kind, 'committed', 'a did not wait for the slow member');
    assert.deepEqual(coordinator.writes, [{ id: splitFullId(a.fullId)?.parentId, childIds: ['a'] }]);
    const outcomeSlow = await slow.ready();
    assert.equal(outcomeSlow.kind, 'committed');
    assert.deepEqual(coordinator.writes[1], { id: slow.fullId, childIds: [] });
  });

  it('a cancelled member (prepare failed) does not hold its group; a group of cancelled members writes nothing', async () => {
    const coordinator = fakeCoordinator();
    const gc = committer(coordinator);
    const a = gc.reserve('a');
    const b = gc.reserve('b');
    const outcomeA = a.ready();
    b.cancel();
    assert.equal((await outcomeA).kind, 'committed');
    assert.deepEqual(coordinator.writes.map((w) => w.childIds), [['a']]);
    const c = gc.reserve('c');
    c.cancel();
    await settle();
    assert.equal(coordinator.writes.length, 1);
  });

  it('the outcome of the group write is every member\'s: row exists, or write failed', async () => {
    const exists = fakeCoordinator(async () => false);
    const gc1 = committer(exists);
    const [a, b] = [gc1.reserve('a'), gc1.reserve('b')];
    assert.deepEqual(await Promise.all([a.ready(), b.ready()]), [{ kind: 'row exists' }, { kind: 'row exists' }]);

    const failure = new TransientStorageError('the coordinator is down');
    const failing = fakeCoordinator(async () => {
      throw failure;
    });
    const gc2 = committer(failing);
    const [c, d] = [gc2.reserve('c'), gc2.reserve('d')];
    const outcomes = await Promise.all([c.ready(), d.ready()]);
    for (const o of outcomes) assert.deepEqual(o, { kind: 'write failed', cause: failure });
  });

  it('a group older than the old-group-abort timeout fails its waiting members (expired) and abandons the rest', async () => {
    const hung = gate();
    const coordinator = fakeCoordinator(async () => {
      await hung.promise;
      return true;
    });
    const gc = committer(coordinator, { oldGroupAbortTimeoutMs: 40 });
    const a = gc.reserve('a');
    assert.deepEqual(await a.ready(), { kind: 'expired' }, 'its write never returned');
    hung.open();

    const idle = committer(fakeCoordinator(), { oldGroupAbortTimeoutMs: 40 });
    const b = idle.reserve('b');
    const c = idle.reserve('c');
    const outcomeB = b.ready();
    assert.deepEqual(await outcomeB, { kind: 'expired' }, 'c never became ready');
    assert.deepEqual(await c.ready(), { kind: 'abandoned' });
  });

  it('close lets ready members commit (the others move out), and takes no new slot', async () => {
    const coordinator = fakeCoordinator();
    const gc = committer(coordinator);
    const a = gc.reserve('a');
    const late = gc.reserve('late');
    const outcomeA = a.ready();
    await gc.close();
    assert.equal((await outcomeA).kind, 'committed');
    assert.throws(() => gc.reserve('x'), (e: { code?: string }) => e.code === '57P01');
    assert.equal((await late.ready()).kind, 'committed');
    assert.deepEqual(coordinator.writes.map((w) => w.id), [splitFullId(a.fullId)?.parentId, late.fullId]);
  });
});
