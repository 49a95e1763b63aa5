/**
 * The storage interface: one shape for every database that holds polygres records (SQLite, PostgreSQL,
 * Cassandra). It is modelled on ScalarDB's storage API and knows nothing of SQL or of transactions:
 * records are addressed by partition key and clustering key, reads are gets and scans, writes are puts
 * and deletes with optional conditions, and a multi-mutation is atomic within the adapter's atomicity unit.
 *
 * Consensus Commit (src/txn) builds serializable transactions from exactly these operations, so an
 * adapter must make every single-record read linearizable and every conditional write a compare-and-set.
 */

/** Column types, as ScalarDB names them; the physical type in each storage follows ScalarDB's mapping. */
export type DataType =
  | 'BOOLEAN'
  | 'INT'
  | 'BIGINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'TEXT'
  | 'BLOB'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP'
  | 'TIMESTAMPTZ';

export const DATA_TYPES: readonly DataType[] = [
  'BOOLEAN', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'TEXT', 'BLOB', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMPTZ',
];

/**
 * A column value. Each DataType has exactly one representation:
 *
 * | DataType    | JS value                                                        |
 * |-------------|-----------------------------------------------------------------|
 * | BOOLEAN     | boolean                                                         |
 * | INT         | number, a 32-bit integer                                        |
 * | BIGINT      | bigint, 64-bit signed                                           |
 * | FLOAT       | number (stored as a 4-byte float where the storage has one)     |
 * | DOUBLE      | number                                                          |
 * | TEXT        | string                                                          |
 * | BLOB        | Uint8Array (a Buffer is fine)                                   |
 * | DATE        | number: days since 1970-01-01                                   |
 * | TIME        | bigint: microseconds since midnight                             |
 * | TIMESTAMP   | bigint: microseconds since 1970-01-01 00:00:00, no time zone     |
 * | TIMESTAMPTZ | bigint: microseconds since 1970-01-01 00:00:00 UTC               |
 *
 * `null` is SQL NULL in every type.
 */
export type Value = null | boolean | number | bigint | string | Uint8Array;

/** A record as read from a storage: column name to value. Absent columns were not projected. */
export type Row = Record<string, Value>;

/** Key values in key-column order (a partition key, a clustering key, or a prefix of one). */
export type Key = readonly Value[];

export type ClusteringOrder = 'ASC' | 'DESC';

export interface ColumnDefinition {
  readonly name: string;
  readonly type: DataType;
}

export interface ClusteringColumn {
  readonly name: string;
  readonly order: ClusteringOrder;
}

export interface TableRef {
  readonly namespace: string;
  readonly table: string;
}

/**
 * A table as the storage knows it. `columns` holds every column, key columns included, in ordinal
 * order (ScalarDB orders partition key, then clustering key, then the rest).
 */
export interface TableMetadata extends TableRef {
  readonly columns: readonly ColumnDefinition[];
  readonly partitionKey: readonly string[];
  readonly clusteringKey: readonly ClusteringColumn[];
  /** Columns with a secondary index (single-column indexes, as in ScalarDB). */
  readonly secondaryIndexes: readonly string[];
}

/** Operators of a column predicate. Comparisons with a NULL column value are false, as in SQL. */
export type PredicateOp = 'EQ' | 'NE' | 'GT' | 'GTE' | 'LT' | 'LTE' | 'IS_NULL' | 'IS_NOT_NULL' | 'LIKE' | 'NOT_LIKE';

/** `column op value`; `value` is absent for IS_NULL / IS_NOT_NULL. LIKE uses SQL LIKE with `\` as escape. */
export interface ColumnPredicate {
  readonly column: string;
  readonly op: PredicateOp;
  readonly value?: Value;
}

/** A predicate in disjunctive normal form: OR of conjunctions (AND of column predicates). */
export type Conjunction = readonly ColumnPredicate[];
export type Filter = readonly Conjunction[];

/** Reads all columns unless `projection` names some. */
export interface Get extends TableRef {
  readonly partitionKey: Key;
  /** The full clustering key; omitted for tables without one. */
  readonly clusteringKey?: Key;
  readonly projection?: readonly string[];
}

/** One end of a clustering-key range: a prefix of the clustering key, inclusive or not. */
export interface ClusteringBound {
  readonly key: Key;
  readonly inclusive: boolean;
}

interface ScanBase extends TableRef {
  /** At most this many records; absent or 0 means no limit. */
  readonly limit?: number;
  readonly projection?: readonly string[];
}

/**
 * Records of one partition in clustering order (reversed when `reverse` is set), optionally limited
 * to a clustering range. Both bounds, when present, must share every column but the last.
 */
export interface PartitionScan extends ScanBase {
  readonly kind: 'partition';
  readonly partitionKey: Key;
  readonly start?: ClusteringBound;
  readonly end?: ClusteringBound;
  readonly reverse?: boolean;
}

/** Records whose indexed `column` equals `value`, in no particular order. */
export interface IndexScan extends ScanBase {
  readonly kind: 'index';
  readonly column: string;
  readonly value: Value;
}

/**
 * Every record of the table that passes `filter` (all records when absent), in no particular order.
 * SQL storages push the filter down; others apply it after reading.
 */
export interface ScanAll extends ScanBase {
  readonly kind: 'all';
  readonly filter?: Filter;
}

export type Scan = PartitionScan | IndexScan | ScanAll;

/**
 * A write condition, checked atomically with the write:
 * - `ifNotExists`: the record must be absent (a put then inserts it);
 * - `ifExists`: the record must be present;
 * - `if`: the record must be present and every predicate must hold.
 */
export type MutationCondition =
  | { readonly kind: 'ifNotExists' }
  | { readonly kind: 'ifExists' }
  | { readonly kind: 'if'; readonly predicates: readonly ColumnPredicate[] };

/**
 * Writes the given non-key columns of one record. Without a condition it inserts the record or
 * updates the given columns; columns not given keep their value (or are NULL on insert).
 */
export interface Put extends TableRef {
  readonly type: 'put';
  readonly partitionKey: Key;
  readonly clusteringKey?: Key;
  readonly values: Readonly<Record<string, Value>>;
  readonly condition?: MutationCondition;
}

/** Deletes one record; without a condition deleting an absent record is not an error. */
export interface Delete extends TableRef {
  readonly type: 'delete';
  readonly partitionKey: Key;
  readonly clusteringKey?: Key;
  readonly condition?: Exclude<MutationCondition, { kind: 'ifNotExists' }>;
}

export type Mutation = Put | Delete;

/**
 * The largest set of records one `mutate` call changes atomically: the whole database for SQL storages,
 * one partition of one table for Cassandra.
 */
export type AtomicityUnit = 'storage' | 'namespace' | 'table' | 'partition' | 'record';

/**
 * Where a storage holds less than the value table above promises. A storage without `capabilities`
 * holds every value; one with them rejects what it cannot hold exactly (never truncating it), so that
 * the layer above can choose a lossless encoding instead.
 */
export interface StorageCapabilities {
  /**
   * TIMESTAMP / TIMESTAMPTZ keep microseconds. When false they keep milliseconds: a value with a
   * sub-millisecond part is rejected in a write (22008); reads, filters and conditions compare exactly.
   */
  readonly timestampPrecisionMicros: boolean;
  /** TIME holds 24:00:00. When false a write of it is rejected (22008). */
  readonly timeOf24Hours: boolean;
  /** A one-column TEXT or BLOB partition key may be empty. When false a write with one is rejected (0A000). */
  readonly emptyPartitionKey: boolean;
  /**
   * The most bytes of keys, values and condition operands one `mutate` call may carry (54000 beyond);
   * absent when only the per-value limits of values.ts apply.
   */
  readonly maxMutationBytes?: number;
}

export interface Storage {
  /** The instance name (the storage's name in a multi-storage configuration). */
  readonly name: string;
  readonly atomicityUnit: AtomicityUnit;
  /** Absent: every value of every type is held exactly. */
  readonly capabilities?: StorageCapabilities;

  /** A linearizable read of one record; null when absent. */
  get(op: Get): Promise<Row | null>;
  scan(op: Scan): Promise<Row[]>;
  /**
   * Applies the mutations atomically; they must all fall in one atomicity unit. Throws NotAppliedError
   * (and applies nothing) when any condition does not hold.
   */
  mutate(mutations: readonly Mutation[]): Promise<void>;

  readonly admin: StorageAdmin;
  close(): Promise<void>;
  /**
   * Connections to the storage busy with a request now, for the connection_pool_active gauge. Absent
   * for an embedded storage, which has no connections.
   */
  connectionsInUse?(): number;
}

export interface StorageAdmin {
  createNamespace(namespace: string, options?: { ifNotExists?: boolean }): Promise<void>;
  /** The namespace must be empty. */
  dropNamespace(namespace: string, options?: { ifExists?: boolean }): Promise<void>;
  namespaceExists(namespace: string): Promise<boolean>;
  listNamespaces(): Promise<string[]>;

  createTable(metadata: TableMetadata, options?: { ifNotExists?: boolean }): Promise<void>;
  dropTable(ref: TableRef, options?: { ifExists?: boolean }): Promise<void>;
  truncateTable(ref: TableRef): Promise<void>;
  /** Metadata kept in the storage itself (ScalarDB's layout); null when the table does not exist. */
  getTableMetadata(ref: TableRef): Promise<TableMetadata | null>;
  listTables(namespace: string): Promise<string[]>;
  addColumn(ref: TableRef, column: ColumnDefinition): Promise<void>;
  createIndex(ref: TableRef, column: string, options?: { ifNotExists?: boolean }): Promise<void>;
  dropIndex(ref: TableRef, column: string, options?: { ifExists?: boolean }): Promise<void>;
}

/**
 * Routes each namespace to the storage that holds it. A multi-storage configuration maps namespaces
 * to named storages with a default; a single storage routes every namespace to itself.
 */
export interface StorageRouter {
  storageFor(namespace: string): Storage;
  readonly storages: readonly Storage[];
  close(): Promise<void>;
}
