/**
 * ScalarDB's on-storage layout for JDBC storages (read from ScalarDB 3.16's JdbcAdmin and the
 * RdbEngine classes), shared by the SQLite and PostgreSQL adapters so that ScalarDB and polygres can
 * read each other's tables:
 *
 * - table metadata lives in `scalardb.metadata` (one row per column; a schema on PostgreSQL, the table
 *   `scalardb$metadata` on SQLite), keyed by `full_table_name` = "<namespace>.<table>";
 * - namespaces live in `scalardb.namespaces (namespace_name)`, the table ScalarDB 4 introduced: 3.16 has
 *   no such table (a SQLite namespace is only a table-name prefix and cannot exist without a table), but
 *   polygres needs empty namespaces. Namespaces of tables in the metadata table count too, so a
 *   storage written by ScalarDB 3.16 reads correctly;
 * - a secondary index is named `index_<namespace>_<table>_<column>`; a clustering key that mixes ASC
 *   and DESC gets a unique index `<namespace>.<table>_clustering_order_idx` (PostgreSQL only).
 */
import { SqlState } from '../errors.js';
import { InvalidOperationError } from './errors.js';
import type { ClusteringOrder, ColumnDefinition, DataType, TableMetadata, TableRef } from './types.js';
import { DATA_TYPES } from './types.js';

/** ScalarDB's system namespace (`scalar.db.system_namespace_name`, default "scalardb"). */
export const METADATA_NAMESPACE = 'scalardb';
export const METADATA_TABLE = 'metadata';
export const NAMESPACES_TABLE = 'namespaces';

/** ScalarDB's metadata table sizes its name columns VARCHAR(128). */
export const MAX_FULL_TABLE_NAME_CHARS = 128;
export const MAX_COLUMN_NAME_CHARS = 128;

export type KeyType = 'PARTITION' | 'CLUSTERING';

/** One row of the metadata table, as ScalarDB writes it. */
export interface MetadataRow {
  readonly full_table_name: string;
  readonly column_name: string;
  readonly data_type: DataType;
  readonly key_type: KeyType | null;
  readonly clustering_order: ClusteringOrder | null;
  readonly indexed: boolean;
  readonly ordinal_position: number;
}

export const METADATA_COLUMNS = [
  'full_table_name', 'column_name', 'data_type', 'key_type', 'clustering_order', 'indexed', 'ordinal_position',
] as const;

export function fullTableName(ref: TableRef): string {
  return `${ref.namespace}.${ref.table}`;
}

export function secondaryIndexName(ref: TableRef, column: string): string {
  return `index_${ref.namespace}_${ref.table}_${column}`;
}

export function clusteringOrderIndexName(ref: TableRef): string {
  return `${fullTableName(ref)}_clustering_order_idx`;
}

/** ScalarDB creates columns partition key first, then clustering key, then the rest in given order. */
export function orderColumns(metadata: TableMetadata): ColumnDefinition[] {
  const byName = new Map(metadata.columns.map((c) => [c.name, c]));
  const keyNames = [...metadata.partitionKey, ...metadata.clusteringKey.map((c) => c.name)];
  const keys = keyNames.map((name) => byName.get(name)!);
  const keySet = new Set(keyNames);
  return [...keys, ...metadata.columns.filter((c) => !keySet.has(c.name))];
}

export function hasMixedClusteringOrder(metadata: TableMetadata): boolean {
  const orders = new Set(metadata.clusteringKey.map((c) => c.order));
  return orders.size > 1;
}

export function metadataRows(metadata: TableMetadata): MetadataRow[] {
  const clustering = new Map(metadata.clusteringKey.map((c) => [c.name, c.order]));
  const partition = new Set(metadata.partitionKey);
  const indexed = new Set(metadata.secondaryIndexes);
  return orderColumns(metadata).map((column, i) => ({
    full_table_name: fullTableName(metadata),
    column_name: column.name,
    data_type: column.type,
    key_type: partition.has(column.name) ? 'PARTITION' : clustering.has(column.name) ? 'CLUSTERING' : null,
    clustering_order: clustering.get(column.name) ?? null,
    indexed: indexed.has(column.name),
    ordinal_position: i + 1,
  }));
}

/** Rebuilds a table's metadata from its rows (any order); null when there are none. */
export function tableMetadataFromRows(ref: TableRef, rows: readonly MetadataRow[]): TableMetadata | null {
  if (rows.length === 0) return null;
  const sorted = [...rows].sort((a, b) => a.ordinal_position - b.ordinal_position);
  const columns: ColumnDefinition[] = [];
  const partitionKey: string[] = [];
  const clusteringKey: { name: string; order: ClusteringOrder }[] = [];
  const secondaryIndexes: string[] = [];
  for (const row of sorted) {
    if (!(DATA_TYPES as readonly string[]).includes(row.data_type)) {
      throw new InvalidOperationError(SqlState.dataException, `table ${fullTableName(ref)} has column "${row.column_name}" of unknown data type ${row.data_type}`);
    }
    columns.push({ name: row.column_name, type: row.data_type });
    if (row.indexed) secondaryIndexes.push(row.column_name);
    if (row.key_type === 'PARTITION') partitionKey.push(row.column_name);
    else if (row.key_type === 'CLUSTERING') clusteringKey.push({ name: row.column_name, order: row.clustering_order === 'DESC' ? 'DESC' : 'ASC' });
  }
  return { namespace: ref.namespace, table: ref.table, columns, partitionKey, clusteringKey, secondaryIndexes };
}

/** The namespace part of a full table name ("ns.table"); ScalarDB splits at the first dot. */
export function namespaceOfFullTableName(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

/**
 * Table metadata read from the storage, cached per instance. DDL through the instance invalidates its
 * entry; a miss re-reads, so a table another process created becomes visible. Absence is not cached.
 */
export class TableMetadataCache<T extends TableRef> {
  readonly #tables = new Map<string, T>();

  get(ref: TableRef): T | undefined {
    return this.#tables.get(fullTableName(ref));
  }

  set(table: T): void {
    this.#tables.set(fullTableName(table), table);
  }

  invalidate(ref: TableRef): void {
    this.#tables.delete(fullTableName(ref));
  }

  invalidateNamespace(namespace: string): void {
    for (const [name] of this.#tables) {
      if (namespaceOfFullTableName(name) === namespace) this.#tables.delete(name);
    }
  }

  clear(): void {
    this.#tables.clear();
  }
}
