/**
 * Pieces of the transaction layer that need no storage: the value order and predicates used to
 * merge own writes and re-filter recovered records, and configuration from ScalarDB properties.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareValues, matchesFilter, matchesPredicate } from '../../src/storage/predicates.js';
import { resolveTransactionConfig, transactionConfigFromProperties } from '../../src/txn/config.js';

describe('value order and predicates (in-process twins of the storages)', () => {
  it('orders text by code point, as UTF-8 bytes order it, not by UTF-16 code unit', () => {
    assert.ok(compareValues('\uFFFF', '\u{1F600}') < 0);
    assert.ok(compareValues('B', 'a') < 0);
    assert.ok(compareValues('ab', 'abc') < 0);
    assert.equal(compareValues('x', 'x'), 0);
  });

  it('orders numbers, bigints, booleans and bytes; NaN last', () => {
    assert.ok(compareValues(-1, 2) < 0);
    assert.ok(compareValues(10n, 9n) > 0);
    assert.ok(compareValues(false, true) < 0);
    assert.ok(compareValues(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])) < 0);
    assert.ok(compareValues(Number.NaN, Number.POSITIVE_INFINITY) > 0);
  });

  it('compares with NULL as SQL does: false, except IS NULL', () => {
    const row = { a: null, b: 3 };
    assert.equal(matchesPredicate(row, { column: 'a', op: 'EQ', value: 1 }), false);
    assert.equal(matchesPredicate(row, { column: 'a', op: 'NE', value: 1 }), false);
    assert.equal(matchesPredicate(row, { column: 'a', op: 'IS_NULL' }), true);
    assert.equal(matchesPredicate(row, { column: 'b', op: 'GTE', value: 3 }), true);
  });

  it('evaluates LIKE case-sensitively with % _ and the \\ escape', () => {
    const like = (v: string, pattern: string) => matchesPredicate({ s: v }, { column: 's', op: 'LIKE', value: pattern });
    assert.ok(like('abc', 'a%'));
    assert.ok(!like('Abc', 'a%'));
    assert.ok(like('a\u{1F600}c', 'a_c'));
    assert.ok(like('100%', '100\\%'));
    assert.ok(!like('1000', '100\\%'));
    assert.ok(like('a.b', 'a.b') && !like('axb', 'a.b'));
  });

  it('a filter is an OR of ANDs; no filter matches everything', () => {
    const row = { a: 1, b: 'x' };
    assert.ok(matchesFilter(row, undefined));
    assert.ok(
      matchesFilter(row, [
        [{ column: 'a', op: 'EQ', value: 2 }],
        [
          { column: 'a', op: 'EQ', value: 1 },
          { column: 'b', op: 'EQ', value: 'x' },
        ],
      ]),
    );
    assert.ok(!matchesFilter(row, [[{ column: 'a', op: 'EQ', value: 1 }, { column: 'b', op: 'EQ', value: 'y' }]]));
  });
});

describe('configuration from scalar.db.consensus_commit.* properties', () => {
  it('maps ScalarDB keys, with validation and rollback following parallel commit', () => {
    const config = transactionConfigFromProperties(
      new Map([
        ['isolation_level', 'snapshot'],
        ['coordinator.namespace', 'coord'],
        ['parallel_commit.enabled', 'false'],
        ['one_phase_commit.enabled', 'true'],
        ['async_commit.enabled', 'true'],
        ['coordinator.group_commit.enabled', 'true'],
      ]),
    );
    assert.deepEqual(config, {
      isolation: 'SNAPSHOT',
      coordinatorNamespace: 'coord',
      parallelCommit: false,
      parallelValidation: false,
      parallelRollback: false,
      asyncCommit: true,
      onePhaseCommit: true,
      groupCommit: true,
    });
    const resolved = resolveTransactionConfig(config);
    assert.equal(resolved.transactionLifetimeMs, 15_000);
    assert.equal(resolved.parallelPrepare, true);
  });

  it('maps the group commit keys (the seed\'s settings), with ScalarDB\'s defaults for the rest', () => {
    const config = resolveTransactionConfig(
      transactionConfigFromProperties(
        new Map([
          ['coordinator.group_commit.enabled', 'true'],
          ['coordinator.group_commit.slot_capacity', '20'],
          ['coordinator.group_commit.group_size_fix_timeout_millis', '40'],
          ['coordinator.group_commit.delayed_slot_move_timeout_millis', '800'],
          ['coordinator.group_commit.old_group_abort_timeout_millis', '60000'],
        ]),
      ),
    );
    assert.equal(config.groupCommit, true);
    assert.equal(config.groupCommitSlotCapacity, 20);
    assert.equal(config.groupCommitSizeFixTimeoutMs, 40);
    assert.equal(config.groupCommitDelayedSlotMoveTimeoutMs, 800);
    assert.equal(config.groupCommitOldGroupAbortTimeoutMs, 60_000);
    assert.equal(config.groupCommitTimeoutCheckIntervalMs, 20);
    const defaults = resolveTransactionConfig({});
    assert.equal(defaults.groupCommit, false);
    assert.equal(defaults.groupCommitDelayedSlotMoveTimeoutMs, 1200);
    assert.throws(
      () => transactionConfigFromProperties(new Map([['coordinator.group_commit.slot_capacity', 'many']])),
      (e: { code?: string }) => e.code === 'F0000',
    );
    assert.throws(() => resolveTransactionConfig({ groupCommitSlotCapacity: 0 }), (e: { code?: string }) => e.code === '22023');
  });

  it('refuses malformed values with F0000', () => {
    assert.throws(() => transactionConfigFromProperties(new Map([['isolation_level', 'CHAOS']])), (e: { code?: string }) => e.code === 'F0000');
    assert.throws(() => transactionConfigFromProperties(new Map([['async_commit.enabled', 'yes']])), (e: { code?: string }) => e.code === 'F0000');
    assert.throws(() => resolveTransactionConfig({ transactionLifetimeMs: 0 }), (e: { code?: string }) => e.code === '22023');
  });
});
