/**
 * The transaction API that the SQL engine uses: Consensus Commit over the storage interface.
 * Records carry ScalarDB's metadata columns; callers see and pass user columns only.
 */
import type { Filter, Key, Row, TableMetadata, TableRef, Value } from '../storage/types.js';

export type Isolation = 'SERIALIZABLE' | 'SNAPSHOT' | 'READ_COMMITTED';

export interface BeginOptions {
  isolation?: Isolation;
  readOnly?: boolean;
}

/** A record address in user terms. */
export interface RecordKey extends TableRef {
  readonly partitionKey: Key;
  readonly clusteringKey?: Key;
}

export interface TxGet extends RecordKey {
  readonly projection?: readonly string[];
}

export interface TxClusteringBound {
  readonly key: Key;
  readonly inclusive: boolean;
}

/** Scans in user terms; the transaction rewrites filters to also match before-images, as ScalarDB does. */
export type TxScan =
  | (TableRef & {
      readonly kind: 'partition';
      readonly partitionKey: Key;
      readonly start?: TxClusteringBound;
      readonly end?: TxClusteringBound;
      readonly reverse?: boolean;
      readonly limit?: number;
    })
  | (TableRef & { readonly kind: 'index'; readonly column: string; readonly value: Value; readonly limit?: number })
  | (TableRef & { readonly kind: 'all'; readonly filter?: Filter; readonly limit?: number });

export interface TxWrite extends RecordKey {
  /** Non-key user columns to write; columns not named keep their value (NULL for a new record). */
  readonly values: Readonly<Record<string, Value>>;
}

export interface Transaction {
  /**
   * The transaction id, as records' tx_id and the coordinator know it. With coordinator group
   * commit on, a transaction that commits in two phases gets its group's parent id in front when
   * commit starts (`<24-char parent>$<id>`, as ScalarDB forms it); read this after commit.
   */
  readonly id: string;
  readonly isolation: Isolation;
  readonly readOnly: boolean;

  /** The committed (or this transaction's own) version of a record, or null. Repeatable except under READ_COMMITTED. */
  get(op: TxGet): Promise<Row | null>;
  /**
   * Matching records, merged with this transaction's own writes (read-your-writes). Results of a
   * partition scan come in clustering order; index and full scans in primary-key order of the storage.
   * A limit on an index or full scan returns some `limit` matching records (no order is implied).
   */
  scan(op: TxScan): Promise<Row[]>;

  /** Insert-or-update. If the record was not read in this transaction it is read at commit (implicit pre-read). */
  put(op: TxWrite): Promise<void>;
  /**
   * Insert a record believed absent, without reading it; commit fails with a conflict if it exists.
   * Throws 23505 at once when this transaction already saw the record (read it, or wrote it).
   */
  insert(op: TxWrite): Promise<void>;
  delete(op: RecordKey): Promise<void>;

  /** Marks the current write set so that a later rollbackTo can restore it (SQL SAVEPOINT). */
  savepoint(): SavepointId;
  rollbackTo(savepoint: SavepointId): void;
  release(savepoint: SavepointId): void;

  /**
   * Prepare, validate (SERIALIZABLE), commit-state, commit-records. Throws ConflictError (40001) when
   * another transaction got in the way (retry the whole transaction), UnknownTransactionOutcomeError
   * (40003) when the commit state could not be written and the outcome is not known (see
   * src/txn/errors.ts), and a storage's InvalidOperationError unchanged for bad input.
   */
  commit(): Promise<void>;
  /** Rolls back; safe to call in any state, and more than once. */
  abort(): Promise<void>;
}

export type SavepointId = number;

/** DDL on transactional tables: creates the physical table with the metadata and before-image columns. */
export interface TransactionAdmin {
  createCoordinatorTables(options?: { ifNotExists?: boolean }): Promise<void>;
  createNamespace(namespace: string, options?: { ifNotExists?: boolean }): Promise<void>;
  dropNamespace(namespace: string, options?: { ifExists?: boolean }): Promise<void>;
  /** `metadata` lists user columns only. */
  createTable(metadata: TableMetadata, options?: { ifNotExists?: boolean }): Promise<void>;
  dropTable(ref: TableRef, options?: { ifExists?: boolean }): Promise<void>;
  truncateTable(ref: TableRef): Promise<void>;
  /** User columns only; null when absent. */
  getTableMetadata(ref: TableRef): Promise<TableMetadata | null>;
  addColumn(ref: TableRef, column: { name: string; type: TableMetadata['columns'][number]['type'] }): Promise<void>;
  createIndex(ref: TableRef, column: string, options?: { ifNotExists?: boolean }): Promise<void>;
  dropIndex(ref: TableRef, column: string, options?: { ifExists?: boolean }): Promise<void>;
  /** Namespaces of every storage, the coordinator namespace left out. */
  listNamespaces(): Promise<string[]>;
  /** Transactional tables of a namespace (tables without the metadata columns are left out). */
  listTables(namespace: string): Promise<string[]>;
  coordinatorTablesExist(): Promise<boolean>;
}

export interface TransactionManager {
  begin(options?: BeginOptions): Transaction;
  readonly admin: TransactionAdmin;
  /** The coordinator state of a transaction id: COMMITTED, ABORTED or UNKNOWN (no row). */
  getState(transactionId: string): Promise<'COMMITTED' | 'ABORTED' | 'UNKNOWN'>;
  /** Aborts a transaction by id unless it committed first; returns the state that holds afterwards. */
  forceAbort(transactionId: string): Promise<'COMMITTED' | 'ABORTED'>;
  close(): Promise<void>;
}
