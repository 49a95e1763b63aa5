/**
 * Group commit of coordinator writes, the data (ScalarDB's `util/groupcommit`: Group, NormalGroup,
 * DelayedGroup, Slot, DefaultGroupCommitKeyManipulator). The policy that opens, closes and emits
 * groups is group-committer.ts.
 *
 * Ids, exactly as ScalarDB forms them, so that either system reads the other's coordinator rows:
 *
 *   parent id   24 random characters from [0-9A-Za-z], one per normal group
 *   full id     `<parent id>$<child id>`: a grouped transaction's id, in its records' tx_id
 *
 * A normal group commits all its members with one coordinator row keyed by the parent id, whose
 * tx_child_ids lists the child ids. A member moved out of its group (a delayed group of one)
 * commits with a row keyed by its full id.
 */
import { randomInt } from 'node:crypto';
import { SqlError, SqlState } from '../errors.js';

export const PARENT_ID_LENGTH = 24;
const ID_DELIMITER = '$';
const FULL_ID_MAX_LENGTH = 64;
const CHILD_ID_MAX_LENGTH = FULL_ID_MAX_LENGTH - PARENT_ID_LENGTH - ID_DELIMITER.length;
/** Separates child ids in tx_child_ids, so a child id never contains it. */
export const CHILD_IDS_DELIMITER = ',';
const PARENT_ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function newParentId(): string {
  let id = '';
  for (let i = 0; i < PARENT_ID_LENGTH; i++) id += PARENT_ID_ALPHABET[randomInt(PARENT_ID_ALPHABET.length)];
  return id;
}

export function fullIdOf(parentId: string, childId: string): string {
  if (parentId.length !== PARENT_ID_LENGTH) {
    throw new SqlError(SqlState.internalError, `a group commit parent id has ${PARENT_ID_LENGTH} characters: ${parentId}`);
  }
  if (childId.length === 0 || childId.length > CHILD_ID_MAX_LENGTH || childId.includes(CHILD_IDS_DELIMITER)) {
    throw new SqlError(SqlState.internalError, `a group commit child id has 1..${CHILD_ID_MAX_LENGTH} characters and no "${CHILD_IDS_DELIMITER}": ${childId}`);
  }
  return `${parentId}${ID_DELIMITER}${childId}`;
}

/** The parts of a full id (ScalarDB's `isFullKey`: longer than a parent id, `$` right after it), or null. */
export function splitFullId(id: string): { readonly parentId: string; readonly childId: string } | null {
  if (id.length <= PARENT_ID_LENGTH || id[PARENT_ID_LENGTH] !== ID_DELIMITER) return null;
  return { parentId: id.slice(0, PARENT_ID_LENGTH), childId: id.slice(PARENT_ID_LENGTH + 1) };
}

/** What became of a member's commit state. */
export type GroupCommitOutcome =
  /** The group's row (or the delayed member's own row) says COMMITTED. */
  | { readonly kind: 'committed'; readonly committedAtMs: number }
  /** A row with the id existed: someone (lazy recovery) decided first; the member resolves its state. */
  | { readonly kind: 'row exists' }
  /** The coordinator write failed; unless the storage refused it outright, its outcome is unknown. */
  | { readonly kind: 'write failed'; readonly cause: unknown }
  /** The group outlived old_group_abort_timeout while this member waited: outcome unknown. */
  | { readonly kind: 'expired' }
  /** The member left its group, or the group expired before the member was ready; nothing was written for it. */
  | { readonly kind: 'abandoned' };

/** One member of a group: a transaction that started two-phase commit with the group's parent id. */
export class Slot {
  /** The member reached commit-state and waits for the group's coordinator write. */
  isReady = false;
  private settledWith: GroupCommitOutcome | null = null;
  private resolveOutcome!: (outcome: GroupCommitOutcome) => void;
  readonly outcome: Promise<GroupCommitOutcome>;

  constructor(
    readonly childId: string,
    readonly fullId: string,
    public group: NormalGroup | DelayedGroup,
  ) {
    this.outcome = new Promise((resolve) => (this.resolveOutcome = resolve));
  }

  get isSettled(): boolean {
    return this.settledWith !== null;
  }

  /** The first outcome wins (an expired group's late write changes nothing for its members). */
  settle(outcome: GroupCommitOutcome): void {
    if (this.settledWith) return;
    this.settledWith = outcome;
    this.resolveOutcome(outcome);
  }
}

/**
 *   open        accepts members
 *   size-fixed  full, timed out, or closed early; waits for its members to be ready
 *   emitting    its coordinator row is being written
 *   done        every member has its outcome (or the group was given up)
 */
export type GroupStatus = 'open' | 'size-fixed' | 'emitting' | 'done';

/** Members that commit together with one row keyed by the parent id. */
export class NormalGroup {
  status: GroupStatus = 'open';
  readonly slots = new Map<string, Slot>();
  readonly sizeFixDeadlineMs: number;
  delayedSlotMoveDeadlineMs: number;
  readonly abortDeadlineMs: number;

  constructor(
    readonly parentId: string,
    readonly createdAtMs: number,
    timeouts: GroupTimeouts,
  ) {
    this.sizeFixDeadlineMs = createdAtMs + timeouts.sizeFixTimeoutMs;
    this.delayedSlotMoveDeadlineMs = createdAtMs + timeouts.delayedSlotMoveTimeoutMs;
    this.abortDeadlineMs = createdAtMs + timeouts.oldGroupAbortTimeoutMs;
  }

  get hasReadyMember(): boolean {
    for (const slot of this.slots.values()) if (slot.isReady) return true;
    return false;
  }

  get allReady(): boolean {
    for (const slot of this.slots.values()) if (!slot.isReady) return false;
    return true;
  }

  notReadySlots(): Slot[] {
    return [...this.slots.values()].filter((s) => !s.isReady);
  }
}

/** One member moved out of its normal group; it commits with a row keyed by its full id. */
export class DelayedGroup {
  status: GroupStatus = 'size-fixed';
  readonly slots: ReadonlyMap<string, Slot>;
  readonly abortDeadlineMs: number;

  constructor(
    readonly slot: Slot,
    createdAtMs: number,
    timeouts: GroupTimeouts,
  ) {
    this.slots = new Map([[slot.childId, slot]]);
    this.abortDeadlineMs = createdAtMs + timeouts.oldGroupAbortTimeoutMs;
  }
}

export type Group = NormalGroup | DelayedGroup;

export interface GroupTimeouts {
  readonly sizeFixTimeoutMs: number;
  readonly delayedSlotMoveTimeoutMs: number;
  readonly oldGroupAbortTimeoutMs: number;
}
