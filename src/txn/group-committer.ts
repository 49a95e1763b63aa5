/**
 * Group commit of coordinator writes, the policy (ScalarDB's `GroupCommitter`, `GroupManager` and
 * its three workers): transactions of this process that reach commit-state at about the same time
 * share one coordinator row. The rows are ScalarDB's (see group-commit.ts).
 *
 * A transaction takes a slot when it starts two-phase commit, because its records carry the full
 * id from prepare on; read-only, write-less and one-phase transactions write no coordinator row and
 * never take one. The slot is ready at commit-state. A group
 *
 *   accepts members   while open. It closes when full (slot capacity), at the size-fix timeout, or
 *                     early: as soon as one member is ready and no transaction of this process is
 *                     about to join (between "started commit" and "took a slot"). Later
 *                     transactions are far from commit and form the next group. Waiting for a full
 *                     group when fewer transactions are in flight would make every commit wait out
 *                     the size-fix timeout (measured on ScalarDB 3.16: ~40 ms per commit, 3× fewer
 *                     commits/s); the timeout only bounds the wait.
 *   is emitted        once closed and every member is ready: a member waits only for those that
 *                     were preparing alongside it.
 *   moves members out members still not ready at the delayed-slot-move timeout (from the group's
 *                     creation) each become a delayed group of one, which commits under the
 *                     member's full id when it is ready; the rest of the group no longer waits.
 *   expires           a group older than the old-group-abort timeout fails its waiting members
 *                     with an unknown outcome (its write may still land).
 *
 * The emit writes put-if-not-exists (parent id, COMMITTED, child ids); its outcome is every
 * member's. JavaScript runs this on one thread, so the state changes below need no locks.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Logger } from 'pino';
import type { Coordinator } from './coordinator.js';
import {
  DelayedGroup,
  NormalGroup,
  Slot,
  fullIdOf,
  newParentId,
  type Group,
  type GroupCommitOutcome,
  type GroupTimeouts,
} from './group-commit.js';

export interface GroupCommitSettings extends GroupTimeouts {
  readonly slotCapacity: number;
  readonly timeoutCheckIntervalMs: number;
  readonly onGroupCommit?: (size: number, kind: 'normal' | 'delayed') => void;
  readonly logger?: Logger;
}

/** A transaction's place in group commit, from the start of two-phase commit to its commit state. */
export interface GroupCommitSlot {
  /** `<parent id>$<child id>`: the transaction's id from prepare on. */
  readonly fullId: string;
  /** Marks the transaction ready for commit-state and waits for its group's coordinator write. */
  ready(): Promise<GroupCommitOutcome>;
  /** Leaves the group (prepare or validation failed); no effect once ready. */
  cancel(): void;
}

export class GroupCommitter {
  /** The group new slots join; null when none is open. */
  private current: NormalGroup | null = null;
  private readonly groups = new Set<Group>();
  /** Transactions that started commit and have not yet taken a slot or decided not to. */
  private approaching = 0;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    private readonly coordinator: Pick<Coordinator, 'putState'>,
    private readonly settings: GroupCommitSettings,
  ) {}

  /**
   * Announces a transaction that started to commit and may take a slot soon; the open group waits
   * for it (within the size-fix timeout). Call the returned function once it took a slot or will not.
   */
  approach(): () => void {
    this.approaching++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.approaching--;
      if (this.approaching === 0 && this.current) this.advance(this.current);
    };
  }

  /** A slot in the open group (a new group when none is open); `childId` is the transaction's own id. */
  reserve(childId: string): GroupCommitSlot {
    if (this.closing) throw new SqlError(SqlState.adminShutdown, 'the transaction manager is closing');
    let group = this.current;
    if (!group || group.status !== 'open') {
      group = new NormalGroup(newParentId(), Date.now(), this.settings);
      this.current = group;
      this.groups.add(group);
    }
    const slot = new Slot(childId, fullIdOf(group.parentId, childId), group);
    group.slots.set(childId, slot);
    if (group.slots.size >= this.settings.slotCapacity) this.fixSize(group);
    this.updateTimer();
    return {
      fullId: slot.fullId,
      ready: () => this.ready(slot),
      cancel: () => this.cancel(slot),
    };
  }

  /**
   * Stops taking slots, lets every group emit what is ready (members not ready move out to commit
   * on their own), and waits for the members already waiting.
   */
  async close(): Promise<void> {
    this.closing = true;
    const waiting: Promise<GroupCommitOutcome>[] = [];
    for (const group of [...this.groups]) {
      if (!(group instanceof NormalGroup)) continue;
      if (group.status === 'open') this.fixSize(group);
      if (group.status === 'size-fixed') this.moveDelayedSlots(group, Date.now(), { force: true });
      this.advance(group);
    }
    for (const group of this.groups) for (const slot of group.slots.values()) if (slot.isReady) waiting.push(slot.outcome);
    this.updateTimer();
    await Promise.all(waiting);
  }

  // --- slot events ----------------------------------------------------------------------------

  private ready(slot: Slot): Promise<GroupCommitOutcome> {
    if (slot.isSettled || slot.isReady) return slot.outcome;
    slot.isReady = true;
    const group = slot.group;
    if (group instanceof DelayedGroup) void this.emitDelayed(group);
    else this.advance(group);
    this.updateTimer();
    return slot.outcome;
  }

  private cancel(slot: Slot): void {
    if (slot.isReady || slot.isSettled) return;
    slot.settle({ kind: 'abandoned' });
    const group = slot.group;
    if (group instanceof DelayedGroup) {
      this.finish(group);
    } else {
      group.slots.delete(slot.childId);
      this.advance(group);
    }
    this.updateTimer();
  }

  // --- closing and emitting -------------------------------------------------------------------

  private fixSize(group: NormalGroup): void {
    if (group.status === 'open') group.status = 'size-fixed';
    if (this.current === group) this.current = null;
  }

  /**
   * Closes the open group early, and emits a closed group whose members are all ready. A group
   * closes once one of its members waits and no transaction of this process is about to join:
   * transactions that have not started to commit are far from it and go to the next group, so a
   * waiting member waits only for members that were already preparing alongside it.
   */
  private advance(group: NormalGroup): void {
    if (group.status === 'emitting' || group.status === 'done') return;
    if (group.slots.size === 0) {
      this.finish(group);
      return;
    }
    if (group.status === 'open' && group.hasReadyMember && (this.approaching === 0 || this.closing)) this.fixSize(group);
    if (group.status === 'open' || !group.allReady) return;
    void this.emitNormal(group);
  }

  private async emitNormal(group: NormalGroup): Promise<void> {
    group.status = 'emitting';
    const slots = [...group.slots.values()];
    const outcome = await this.writeCommitted(group.parentId, slots.map((s) => s.childId));
    if (outcome.kind === 'committed') this.observe(slots.length, 'normal');
    for (const slot of slots) slot.settle(outcome);
    this.finish(group);
  }

  private async emitDelayed(group: DelayedGroup): Promise<void> {
    group.status = 'emitting';
    const outcome = await this.writeCommitted(group.slot.fullId, []);
    if (outcome.kind === 'committed') this.observe(1, 'delayed');
    group.slot.settle(outcome);
    this.finish(group);
  }

  private observe(size: number, kind: 'normal' | 'delayed'): void {
    try {
      this.settings.onGroupCommit?.(size, kind);
    } catch (e) {
      this.settings.logger?.warn({ err: e }, 'group commit: the onGroupCommit observer failed');
    }
  }

  private async writeCommitted(id: string, childIds: readonly string[]): Promise<GroupCommitOutcome> {
    const committedAtMs = Date.now();
    try {
      const written = await this.coordinator.putState(id, 'COMMITTED', committedAtMs, childIds);
      return written ? { kind: 'committed', committedAtMs } : { kind: 'row exists' };
    } catch (cause) {
      return { kind: 'write failed', cause };
    }
  }

  private finish(group: Group): void {
    group.status = 'done';
    this.groups.delete(group);
    if (this.current === group) this.current = null;
    this.updateTimer();
  }

  // --- timeouts -------------------------------------------------------------------------------

  private checkTimeouts(): void {
    const now = Date.now();
    for (const group of [...this.groups]) {
      if (now > group.abortDeadlineMs) {
        this.abortOldGroup(group);
        continue;
      }
      if (!(group instanceof NormalGroup)) continue;
      if (group.status === 'open' && now > group.sizeFixDeadlineMs) this.fixSize(group);
      if (group.status === 'size-fixed' && now > group.delayedSlotMoveDeadlineMs) this.moveDelayedSlots(group, now, { force: false });
      this.advance(group);
    }
    this.updateTimer();
  }

  /**
   * Moves the members not ready yet each into a delayed group, so that the ready ones stop waiting.
   * When no member is ready nobody waits, and the deadline is pushed back instead (as ScalarDB does).
   */
  private moveDelayedSlots(group: NormalGroup, now: number, { force }: { force: boolean }): void {
    const notReady = group.notReadySlots();
    if (notReady.length === 0) return;
    if (notReady.length === group.slots.size && !force) {
      group.delayedSlotMoveDeadlineMs = now + this.settings.delayedSlotMoveTimeoutMs;
      return;
    }
    for (const slot of notReady) {
      group.slots.delete(slot.childId);
      const delayed = new DelayedGroup(slot, now, this.settings);
      slot.group = delayed;
      this.groups.add(delayed);
      this.settings.logger?.debug({ transactionId: slot.fullId }, 'group commit: a member not ready in time commits on its own');
    }
  }

  private abortOldGroup(group: Group): void {
    this.settings.logger?.warn(
      { group: group instanceof NormalGroup ? group.parentId : group.slot.fullId, members: group.slots.size },
      'group commit: a group outlived old_group_abort_timeout_millis; its members fail with an unknown outcome',
    );
    for (const slot of group.slots.values()) slot.settle(slot.isReady ? { kind: 'expired' } : { kind: 'abandoned' });
    this.finish(group);
  }

  /**
   * The timeout check runs while groups exist. It keeps the process alive only while a member
   * waits: a group whose members are all still preparing needs no timeout to make progress.
   */
  private updateTimer(): void {
    if (this.groups.size === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    this.timer ??= setInterval(() => this.checkTimeouts(), this.settings.timeoutCheckIntervalMs);
    if (this.hasWaitingMember()) this.timer.ref();
    else this.timer.unref();
  }

  private hasWaitingMember(): boolean {
    for (const group of this.groups) for (const slot of group.slots.values()) if (slot.isReady && !slot.isSettled) return true;
    return false;
  }
}
