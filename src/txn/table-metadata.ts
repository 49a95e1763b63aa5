/**
 * A transactional table has two shapes: the user's (key and value columns) and the physical one in
 * storage (the user's columns + the record metadata + a `before_` twin of every non-key column), as
 * in ScalarDB's `ConsensusCommitUtils.buildTransactionTableMetadata` / `TransactionTableMetadata`.
 */
import { SqlState } from '../errors.js';
import { InvalidOperationError } from '../storage/errors.js';
import type { ColumnDefinition, DataType, StorageRouter, TableMetadata, TableRef } from '../storage/types.js';
import {
  AFTER_IMAGE_META_COLUMNS,
  BEFORE_IMAGE_META_COLUMNS,
  BEFORE_PREFIX,
  TRANSACTION_META_COLUMN_NAMES,
  beforeColumn,
} from './attributes.js';

export class TransactionTableMetadata {
  readonly namespace: string;
  readonly table: string;
  /** What users see: metadata columns hidden. */
  readonly user: TableMetadata;
  readonly physical: TableMetadata;
  readonly partitionKey: readonly string[];
  readonly clusteringKey: TableMetadata['clusteringKey'];
  readonly keyColumns: ReadonlySet<string>;
  /** Non-key user columns, in ordinal order. */
  readonly valueColumns: readonly string[];
  /** Columns a before image copies: non-key user columns, then the after-image metadata. */
  readonly afterImageColumns: readonly string[];
  readonly beforeImageColumns: readonly string[];
  readonly columnTypes: ReadonlyMap<string, DataType>;

  constructor(physical: TableMetadata) {
    this.physical = physical;
    this.namespace = physical.namespace;
    this.table = physical.table;
    this.partitionKey = physical.partitionKey;
    this.clusteringKey = physical.clusteringKey;
    this.keyColumns = new Set([...physical.partitionKey, ...physical.clusteringKey.map((c) => c.name)]);
    this.columnTypes = new Map(physical.columns.map((c) => [c.name, c.type]));
    const hidden = metadataColumnsOf(physical);
    const userColumns = physical.columns.filter((c) => !hidden.has(c.name));
    this.valueColumns = userColumns.filter((c) => !this.keyColumns.has(c.name)).map((c) => c.name);
    this.afterImageColumns = [...this.valueColumns, ...AFTER_IMAGE_META_COLUMNS.map((c) => c.name)];
    this.beforeImageColumns = this.afterImageColumns.map(beforeColumn);
    this.user = {
      namespace: physical.namespace,
      table: physical.table,
      columns: userColumns,
      partitionKey: physical.partitionKey,
      clusteringKey: physical.clusteringKey,
      secondaryIndexes: physical.secondaryIndexes.filter((c) => !hidden.has(c)),
    };
  }

  isValueColumn(name: string): boolean {
    return this.columnTypes.has(name) && !this.keyColumns.has(name) && !isMetadataColumnOf(name, this.columnTypes);
  }

  get qualifiedName(): string {
    return `${this.namespace}.${this.table}`;
  }
}

/** Metadata columns of a physical table: the ten tx_ columns and every `before_x` whose `x` exists. */
function metadataColumnsOf(physical: TableMetadata): Set<string> {
  const names = new Set(physical.columns.map((c) => c.name));
  const hidden = new Set<string>();
  for (const name of names) {
    if (isMetadataColumnOf(name, names)) hidden.add(name);
  }
  return hidden;
}

function isMetadataColumnOf(name: string, columns: { has(name: string): boolean }): boolean {
  if (TRANSACTION_META_COLUMN_NAMES.has(name)) return true;
  return name.startsWith(BEFORE_PREFIX) && columns.has(name.slice(BEFORE_PREFIX.length));
}

/** Whether a physical table carries every metadata column (ScalarDB's `isTransactionTableMetadata`). */
export function isTransactionTable(physical: TableMetadata): boolean {
  const names = new Set(physical.columns.map((c) => c.name));
  for (const name of TRANSACTION_META_COLUMN_NAMES) if (!names.has(name)) return false;
  const keys = new Set([...physical.partitionKey, ...physical.clusteringKey.map((c) => c.name)]);
  for (const c of physical.columns) {
    if (keys.has(c.name) || isMetadataColumnOf(c.name, names)) continue;
    if (!names.has(beforeColumn(c.name))) return false;
  }
  return true;
}

/** Rejects user column names that would collide with metadata (ScalarDB rejects the same). */
export function checkUserColumnNames(columns: readonly ColumnDefinition[], keyColumns: ReadonlySet<string>): void {
  const names = new Set(columns.map((c) => c.name));
  for (const c of columns) {
    if (TRANSACTION_META_COLUMN_NAMES.has(c.name)) {
      throw new InvalidOperationError(SqlState.duplicateColumn, `column name "${c.name}" is reserved for transaction metadata`);
    }
    if (!keyColumns.has(c.name) && names.has(beforeColumn(c.name))) {
      throw new InvalidOperationError(
        SqlState.duplicateColumn,
        `column name "${beforeColumn(c.name)}" is reserved for the before image of "${c.name}"`,
      );
    }
  }
}

/** The physical table for a user table: user columns, metadata, before images, before-image indexes. */
export function buildPhysicalTableMetadata(user: TableMetadata): TableMetadata {
  const keyColumns = new Set([...user.partitionKey, ...user.clusteringKey.map((c) => c.name)]);
  checkUserColumnNames(user.columns, keyColumns);
  const valueColumns = user.columns.filter((c) => !keyColumns.has(c.name));
  return {
    namespace: user.namespace,
    table: user.table,
    columns: [
      ...user.columns,
      ...AFTER_IMAGE_META_COLUMNS,
      ...BEFORE_IMAGE_META_COLUMNS,
      ...valueColumns.map((c) => ({ name: beforeColumn(c.name), type: c.type })),
    ],
    partitionKey: user.partitionKey,
    clusteringKey: user.clusteringKey,
    // An index scan must also find records whose committed (before) value matches while a writer
    // holds them PREPARED with another value; hence the before_ index next to every user index.
    secondaryIndexes: [
      ...user.secondaryIndexes,
      ...user.secondaryIndexes.filter((c) => !keyColumns.has(c)).map(beforeColumn),
    ],
  };
}

export interface TableMetadataCacheOptions {
  readonly ttlMs: number;
  /** The coordinator namespace is not a user namespace and has no transactional tables. */
  readonly coordinatorNamespace: string;
}

interface CacheEntry {
  readonly expiresAtMs: number;
  readonly value: Promise<TransactionTableMetadata | null>;
  /** The metadata once read (null: no such transactional table), so a hit costs no promise. */
  settled?: TransactionTableMetadata | null;
}

/** Table metadata read from the storages, cached for `ttlMs` (ScalarDB caches it for 60 s). */
export class TableMetadataCache {
  /** By namespace, then table. */
  private readonly entries = new Map<string, Map<string, CacheEntry>>();

  constructor(
    private readonly router: StorageRouter,
    private readonly options: TableMetadataCacheOptions,
  ) {}

  /** The table's metadata, or null when it does not exist or is not transactional. */
  find(ref: TableRef): Promise<TransactionTableMetadata | null> {
    const entry = this.entry(ref);
    return entry.settled !== undefined ? Promise.resolve(entry.settled) : entry.value;
  }

  /** The table's metadata; 42P01 when it does not exist. */
  async get(ref: TableRef): Promise<TransactionTableMetadata> {
    const entry = this.entry(ref);
    const meta = entry.settled !== undefined ? entry.settled : await entry.value;
    if (!meta) {
      throw new InvalidOperationError(SqlState.undefinedTable, `relation "${ref.namespace}.${ref.table}" does not exist`, {
        schema: ref.namespace,
        table: ref.table,
      });
    }
    return meta;
  }

  invalidate(ref?: TableRef): void {
    if (!ref) this.entries.clear();
    else this.entries.get(ref.namespace)?.delete(ref.table);
  }

  private entry(ref: TableRef): CacheEntry {
    if (ref.namespace === this.options.coordinatorNamespace) return { expiresAtMs: 0, value: Promise.resolve(null), settled: null };
    let tables = this.entries.get(ref.namespace);
    if (!tables) this.entries.set(ref.namespace, (tables = new Map()));
    const now = Date.now();
    const hit = tables.get(ref.table);
    if (hit && hit.expiresAtMs > now) return hit;
    const value = this.router
      .storageFor(ref.namespace)
      .admin.getTableMetadata({ namespace: ref.namespace, table: ref.table })
      .then((physical) => (physical && isTransactionTable(physical) ? new TransactionTableMetadata(physical) : null));
    const entry: CacheEntry = { expiresAtMs: now + this.options.ttlMs, value };
    const cached = tables;
    cached.set(ref.table, entry);
    value.then(
      (meta) => {
        entry.settled = meta;
      },
      () => {
        if (cached.get(ref.table) === entry) cached.delete(ref.table);
      },
    );
    return entry;
  }
}
