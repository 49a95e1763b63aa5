/**
 * The names and codes Consensus Commit writes into storage, exactly as ScalarDB 3.x writes them
 * (`Attribute.java`, `TransactionState.java`), so that ScalarDB and polygres can share one database.
 */
import type { ColumnDefinition } from '../storage/types.js';

/** Record metadata: the last writer and its progress ("after image"). */
export const TX_ID = 'tx_id';
export const TX_STATE = 'tx_state';
export const TX_VERSION = 'tx_version';
export const TX_PREPARED_AT = 'tx_prepared_at';
export const TX_COMMITTED_AT = 'tx_committed_at';

/** Every non-key column (user and metadata) has a `before_` twin holding the last committed value. */
export const BEFORE_PREFIX = 'before_';
export const BEFORE_TX_ID = 'before_tx_id';
export const BEFORE_TX_VERSION = 'before_tx_version';

/** Coordinator-only columns. */
export const TX_CHILD_IDS = 'tx_child_ids';
export const TX_CREATED_AT = 'tx_created_at';

/**
 * `tx_state` values. PREPARED and DELETED appear only in records, ABORTED only in the coordinator
 * table, COMMITTED in both.
 */
export const TxState = {
  PREPARED: 1,
  DELETED: 2,
  COMMITTED: 3,
  ABORTED: 4,
} as const;
export type TxStateCode = (typeof TxState)[keyof typeof TxState];

/** Metadata columns of the after image, in ScalarDB's order and types. */
export const AFTER_IMAGE_META_COLUMNS: readonly ColumnDefinition[] = [
  { name: TX_ID, type: 'TEXT' },
  { name: TX_STATE, type: 'INT' },
  { name: TX_VERSION, type: 'INT' },
  { name: TX_PREPARED_AT, type: 'BIGINT' },
  { name: TX_COMMITTED_AT, type: 'BIGINT' },
];

export const BEFORE_IMAGE_META_COLUMNS: readonly ColumnDefinition[] = AFTER_IMAGE_META_COLUMNS.map((c) => ({
  name: beforeColumn(c.name),
  type: c.type,
}));

export const TRANSACTION_META_COLUMN_NAMES: ReadonlySet<string> = new Set([
  ...AFTER_IMAGE_META_COLUMNS.map((c) => c.name),
  ...BEFORE_IMAGE_META_COLUMNS.map((c) => c.name),
]);

export function beforeColumn(column: string): string {
  return BEFORE_PREFIX + column;
}

/** The coordinator table: one row per decided transaction, keyed by its id. */
export const COORDINATOR_TABLE = 'state';
