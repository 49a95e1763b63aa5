/**
 * Reading the metadata of a physical record (ScalarDB's `TransactionResult`) and deriving the
 * committed version a reader may see from an undecided record: its after image once the writer
 * committed, its before image otherwise.
 *
 * A "committed row" below is a physical-shaped row (user columns + after-image metadata, before_*
 * NULL) holding one committed version; the snapshot keeps those, and prepare copies them into the
 * before image.
 */
import type { Row, Value } from '../storage/types.js';
import {
  BEFORE_TX_ID,
  BEFORE_TX_VERSION,
  TX_COMMITTED_AT,
  TX_ID,
  TX_PREPARED_AT,
  TX_STATE,
  TX_VERSION,
  TxState,
} from './attributes.js';
import type { TransactionTableMetadata } from './table-metadata.js';

export function txIdOf(row: Row): string | null {
  const v = row[TX_ID];
  return typeof v === 'string' ? v : null;
}

export function txStateOf(row: Row): number | null {
  const v = row[TX_STATE];
  return typeof v === 'number' ? v : null;
}

export function txVersionOf(row: Row): number | null {
  const v = row[TX_VERSION];
  return typeof v === 'number' ? v : null;
}

export function preparedAtMsOf(row: Row): number {
  return toMillis(row[TX_PREPARED_AT]);
}

export function toMillis(v: Value | undefined): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  return 0;
}

/** A record is committed when its state is COMMITTED or it has no metadata (an imported row). */
export function isCommittedRecord(row: Row): boolean {
  const state = txStateOf(row);
  return state === null || state === TxState.COMMITTED;
}

/**
 * Records without metadata are "deemed committed"; prepare then conditions on `tx_id IS NULL`. A
 * committed record written by a transaction always carries its tx_id.
 */
export function isDeemedCommitted(row: Row): boolean {
  return txIdOf(row) === null;
}

/** Whether rolling back restores a previous version (else the record did not exist before). */
export function hasBeforeImage(row: Row): boolean {
  return (row[BEFORE_TX_ID] ?? null) !== null || (row[BEFORE_TX_VERSION] ?? null) !== null;
}

/** tx_version of the next write: 1 for a new record or one without metadata, else +1. */
export function nextVersion(committed: Row | null): number {
  return (committed ? txVersionOf(committed) ?? 0 : 0) + 1;
}

/** The committed version an undecided record replaced, or null if it replaced nothing. */
export function beforeImageOf(meta: TransactionTableMetadata, row: Row): Row | null {
  if (!hasBeforeImage(row)) return null;
  const out = keyColumnsOfRow(meta, row);
  meta.afterImageColumns.forEach((c, i) => {
    out[c] = row[meta.beforeImageColumns[i]] ?? null;
  });
  // before_tx_version 0 is the sentinel prepare writes for a record that had no metadata.
  if (out[TX_VERSION] === 0) out[TX_VERSION] = null;
  for (const c of meta.beforeImageColumns) out[c] = null;
  return out;
}

/** The version an undecided record becomes once its writer's COMMITTED state is known. */
export function committedAfterImageOf(meta: TransactionTableMetadata, row: Row, committedAtMs: number): Row | null {
  if (txStateOf(row) === TxState.DELETED) return null;
  const out = keyColumnsOfRow(meta, row);
  for (const c of meta.afterImageColumns) out[c] = row[c] ?? null;
  out[TX_STATE] = TxState.COMMITTED;
  out[TX_COMMITTED_AT] = BigInt(committedAtMs);
  for (const c of meta.beforeImageColumns) out[c] = null;
  return out;
}

/** The user's view of a committed row: key and value columns only, in table order, optionally projected. */
export function userRowOf(meta: TransactionTableMetadata, row: Row, projection?: readonly string[]): Row {
  const out: Row = {};
  const columns = projection && projection.length > 0 ? projection : meta.user.columns.map((c) => c.name);
  for (const c of columns) out[c] = row[c] ?? null;
  return out;
}

function keyColumnsOfRow(meta: TransactionTableMetadata, row: Row): Row {
  const out: Row = {};
  for (const c of meta.keyColumns) out[c] = row[c] ?? null;
  return out;
}
