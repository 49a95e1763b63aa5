/**
 * Helpers of the group commit suites: holding transactions at commit hooks so that groups form
 * deterministically, and ScalarDB's id shapes.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TransactionManagerConfig } from '../../src/txn/config.js';

/** `<24-char parent>$<child>`, the child being this manager's UUID transaction id. */
export const FULL_ID = /^[0-9A-Za-z]{24}\$[0-9a-f-]{36}$/;

export function parentOf(fullId: string): string {
  assert.match(fullId, FULL_ID);
  return fullId.slice(0, 24);
}

export function childOf(fullId: string): string {
  assert.match(fullId, FULL_ID);
  return fullId.slice(25);
}

export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

/** Holds whoever awaits it until opened. */
export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Each caller waits until `parties` callers have arrived. */
export function barrier(parties: number): { arrive(): Promise<void>; readonly all: Promise<void> } {
  const all = gate();
  let arrived = 0;
  return {
    all: all.promise,
    arrive() {
      if (++arrived >= parties) all.open();
      return all.promise;
    },
  };
}

/** Polls until `check` holds (a bound far above what it takes, so a slow machine only waits longer). */
export async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting until ${what}`);
}

/**
 * Group commit with timeouts far beyond any test, so that only the rule under test closes groups:
 * a group fills up, or closes early because every member is ready.
 */
export function groupCommitOn(overrides: Partial<TransactionManagerConfig> = {}): Partial<TransactionManagerConfig> {
  return {
    onePhaseCommit: false,
    groupCommit: true,
    groupCommitSlotCapacity: 20,
    groupCommitSizeFixTimeoutMs: 600_000,
    groupCommitDelayedSlotMoveTimeoutMs: 600_000,
    groupCommitOldGroupAbortTimeoutMs: 600_000,
    ...overrides,
  };
}

/** What onGroupCommit reported. */
export function groupCommitLog(): { readonly sizes: string[]; observe(size: number, kind: 'normal' | 'delayed'): void } {
  const sizes: string[] = [];
  return { sizes, observe: (size, kind) => sizes.push(`${kind}:${size}`) };
}
