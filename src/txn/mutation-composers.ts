/**
 * The storage mutations of each protocol step, record by record, exactly as ScalarDB composes them
 * (PrepareMutationComposer, CommitMutationComposer, RollbackMutationComposer,
 * OnePhaseCommitMutationComposer). Every write to a transactional record is conditional on the
 * record's tx_id (never on tx_version, as since ScalarDB 3.16).
 */
import type { ColumnPredicate, Delete, Mutation, MutationCondition, Put, Row } from '../storage/types.js';
import {
  BEFORE_TX_VERSION,
  TX_COMMITTED_AT,
  TX_ID,
  TX_PREPARED_AT,
  TX_STATE,
  TX_VERSION,
  TxState,
} from './attributes.js';
import { txIdOf, txStateOf, nextVersion, beforeImageOf } from './record.js';
import { storageKeyOf, type RecordAddress } from './record-key.js';
import type { WriteIntent } from './snapshot.js';
import type { TransactionTableMetadata } from './table-metadata.js';

/** Prepare: the record becomes PREPARED (or DELETED) by `txId`, keeping the committed version it replaces. */
export function composePrepare(txId: string, intent: WriteIntent, committed: Row | null, preparedAtMs: number): Put {
  const { meta } = intent;
  const replacesCommitted = committed !== null && !(intent.kind === 'put' && intent.mode === 'insert');
  const values: Row = intent.kind === 'put' ? userValuesOf(intent) : {};
  values[TX_ID] = txId;
  values[TX_STATE] = intent.kind === 'put' ? TxState.PREPARED : TxState.DELETED;
  values[TX_PREPARED_AT] = BigInt(preparedAtMs);
  if (replacesCommitted) {
    Object.assign(values, beforeImageColumns(meta, committed));
    values[TX_VERSION] = nextVersion(committed);
  } else {
    values[TX_VERSION] = nextVersion(null);
  }
  return {
    type: 'put',
    ...storageKeyOf(intent.address),
    values,
    // A missing record is locked by creating it (a DELETED tombstone for a delete), so a concurrent
    // insert of the same key conflicts.
    condition: replacesCommitted ? unchangedSince(committed) : { kind: 'ifNotExists' },
  };
}

/**
 * One-phase commit: the record goes straight to COMMITTED under the same condition prepare would
 * use. Deletes need the record to exist (a storage cannot delete-if-not-exists to lock a missing
 * key); commit.ts only chooses one phase when they do.
 */
export function composeOnePhase(txId: string, intent: WriteIntent, committed: Row | null, nowMs: number): Mutation {
  if (intent.kind === 'delete') {
    if (!committed) throw new Error('one-phase commit of a delete needs the record to exist');
    return { type: 'delete', ...storageKeyOf(intent.address), condition: unchangedSince(committed) as Delete['condition'] };
  }
  const replacesCommitted = committed !== null && intent.mode !== 'insert';
  const values = userValuesOf(intent);
  values[TX_ID] = txId;
  values[TX_STATE] = TxState.COMMITTED;
  values[TX_PREPARED_AT] = BigInt(nowMs);
  values[TX_COMMITTED_AT] = BigInt(nowMs);
  values[TX_VERSION] = nextVersion(replacesCommitted ? committed : null);
  if (replacesCommitted) for (const c of intent.meta.beforeImageColumns) values[c] = null;
  return {
    type: 'put',
    ...storageKeyOf(intent.address),
    values,
    condition: replacesCommitted ? unchangedSince(committed) : { kind: 'ifNotExists' },
  };
}

/** Commit-records: PREPARED → COMMITTED (before image cleared), DELETED → physically deleted. */
export function composeCommit(txId: string, intent: WriteIntent, committedAtMs: number): Mutation {
  return composeCommitOf(txId, intent.meta, intent.address, intent.kind === 'put' ? TxState.PREPARED : TxState.DELETED, committedAtMs);
}

/** Roll-forward of a record found undecided, whose writer committed (lazy recovery). */
export function composeRollForward(meta: TransactionTableMetadata, address: RecordAddress, record: Row, committedAtMs: number): Mutation | null {
  const writer = txIdOf(record);
  const state = txStateOf(record);
  if (writer === null || (state !== TxState.PREPARED && state !== TxState.DELETED)) return null;
  return composeCommitOf(writer, meta, address, state, committedAtMs);
}

function composeCommitOf(
  writer: string,
  meta: TransactionTableMetadata,
  address: RecordAddress,
  state: typeof TxState.PREPARED | typeof TxState.DELETED,
  committedAtMs: number,
): Mutation {
  const condition = writtenBy(writer, state);
  if (state === TxState.DELETED) return { type: 'delete', ...storageKeyOf(address), condition };
  const values: Row = { [TX_STATE]: TxState.COMMITTED, [TX_COMMITTED_AT]: BigInt(committedAtMs) };
  for (const c of meta.beforeImageColumns) values[c] = null;
  return { type: 'put', ...storageKeyOf(address), values, condition };
}

/**
 * Rollback of a record `writer` left PREPARED/DELETED (`observedState`): restore the committed
 * version it replaced, or delete the record if it replaced none. Conditional on the writer still
 * holding the record, so a rollback never undoes anything else.
 */
export function composeRollback(
  writer: string,
  meta: TransactionTableMetadata,
  address: RecordAddress,
  observedState: typeof TxState.PREPARED | typeof TxState.DELETED,
  restore: Row | null,
): Mutation {
  const condition = writtenBy(writer, observedState);
  if (!restore) return { type: 'delete', ...storageKeyOf(address), condition };
  const values: Row = {};
  for (const c of meta.afterImageColumns) values[c] = restore[c] ?? null;
  for (const c of meta.beforeImageColumns) values[c] = null;
  return { type: 'put', ...storageKeyOf(address), values, condition };
}

/** Rollback of an undecided record read from storage (lazy recovery, or after an unknown prepare). */
export function composeRollbackOfRecord(meta: TransactionTableMetadata, address: RecordAddress, record: Row): Mutation | null {
  const writer = txIdOf(record);
  const state = txStateOf(record);
  if (writer === null || (state !== TxState.PREPARED && state !== TxState.DELETED)) return null;
  return composeRollback(writer, meta, address, state, beforeImageOf(meta, record));
}

function userValuesOf(intent: Extract<WriteIntent, { kind: 'put' }>): Row {
  const values: Row = {};
  if (intent.mode === 'upsert') {
    Object.assign(values, intent.values);
  } else {
    // insert and replace write the whole record: unnamed columns are NULL.
    for (const c of intent.meta.valueColumns) values[c] = intent.values[c] ?? null;
  }
  return values;
}

function beforeImageColumns(meta: TransactionTableMetadata, committed: Row): Row {
  const values: Row = {};
  meta.afterImageColumns.forEach((c, i) => {
    values[meta.beforeImageColumns[i]] = committed[c] ?? null;
  });
  // Rollback deletes a record whose before image has neither tx_id nor tx_version; a record without
  // metadata must be restored, not deleted, so its missing version is recorded as 0.
  if (values[BEFORE_TX_VERSION] === null) values[BEFORE_TX_VERSION] = 0;
  return values;
}

/** The record still holds the committed version this transaction read. */
function unchangedSince(committed: Row): MutationCondition {
  const id = txIdOf(committed);
  const predicate: ColumnPredicate = id === null ? { column: TX_ID, op: 'IS_NULL' } : { column: TX_ID, op: 'EQ', value: id };
  return { kind: 'if', predicates: [predicate] };
}

function writtenBy(writer: string, state: number): { kind: 'if'; predicates: ColumnPredicate[] } {
  return {
    kind: 'if',
    predicates: [
      { column: TX_ID, op: 'EQ', value: writer },
      { column: TX_STATE, op: 'EQ', value: state },
    ],
  };
}
