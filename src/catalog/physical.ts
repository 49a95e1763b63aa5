/**
 * The storage tables behind a SQL table: the table itself (its storage key is the primary key, or a
 * hidden row id), and one hidden table per unique index that is not the storage key, keyed by the
 * indexed columns and holding the storage key of the row it points to. Writing an entry of such a
 * table in the same transaction as the row makes a concurrent duplicate a write conflict.
 */
import type { ColumnDefinition, TableMetadata } from '../storage/types.js';
import type { IndexInfo, TableInfo } from './model.js';
import { columnStorageType } from './storage-mapping.js';

/** Storage metadata of the table itself (user columns only; the txn layer adds its own). */
export function tableMetadata(table: TableInfo, physicalColumns: readonly ColumnDefinition[]): TableMetadata {
  return {
    namespace: table.namespace,
    table: table.physicalName,
    columns: physicalColumns,
    partitionKey: table.partitionKey,
    clusteringKey: table.clusteringKey.map((name) => ({ name, order: 'ASC' as const })),
    secondaryIndexes: table.indexes.filter((i) => i.storageIndexColumn).map((i) => i.storageIndexColumn!),
  };
}

/**
 * Whether a non-unique index on `column` has a storage index behind it: CREATE INDEX makes one on
 * its first column unless the storage key already addresses that column alone (the hidden row id,
 * or a partition key of that one column). A column of a longer partition key is indexed.
 */
export function hasStorageIndex(table: TableInfo, column: string): boolean {
  return table.rowIdColumn !== column && !(table.partitionKey.length === 1 && table.partitionKey[0] === column);
}

/** The storage column holding component `i` of a unique-index key. */
export function uniqueKeyColumn(i: number): string {
  return `k${i}`;
}

/** The storage column holding component `i` of the referenced row's storage key. */
export function uniqueRefColumn(i: number): string {
  return `r${i}`;
}

/** The storage type of each storage-key column of a table. */
function storageKeyTypes(table: TableInfo): ColumnDefinition[] {
  return [...table.partitionKey, ...table.clusteringKey].map((name, i) => {
    const col = table.columns.find((c) => c.physicalName === name);
    return { name: uniqueRefColumn(i), type: col ? columnStorageType(col) : 'TEXT' };
  });
}

export function uniqueTableMetadata(table: TableInfo, index: IndexInfo): TableMetadata {
  const keyColumns: ColumnDefinition[] = index.columns.map((attnum, i) => {
    const col = table.columns.find((c) => c.attnum === attnum);
    return { name: uniqueKeyColumn(i), type: col ? columnStorageType(col) : 'TEXT' };
  });
  return {
    namespace: table.namespace,
    table: index.uniqueTable!,
    columns: [...keyColumns, ...storageKeyTypes(table)],
    partitionKey: keyColumns.map((c) => c.name),
    clusteringKey: [],
    secondaryIndexes: [],
  };
}

/** A storage-safe name derived from a SQL name: ScalarDB's metadata prefixes (tx_, before_) are avoided. */
export function physicalName(sqlName: string, fallback: string, taken: ReadonlySet<string>): string {
  let base = /^[a-z_][a-z0-9_]{0,47}$/.test(sqlName) && !sqlName.startsWith('tx_') && !sqlName.startsWith('before_') ? sqlName : fallback;
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}
