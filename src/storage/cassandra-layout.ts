/**
 * ScalarDB 3.16's layout on Cassandra (CassandraAdmin), so that ScalarDB and polygres read each other's
 * tables:
 *
 * - a namespace is a keyspace of the same name (created with the configured replication; ScalarDB
 *   also creates its system keyspace "scalardb" when it creates a table, and so does polygres);
 * - a table is a CQL table with the same columns, partition key, clustering key and CLUSTERING ORDER,
 *   types per CQL_TYPES, SizeTieredCompactionStrategy (ScalarDB's default);
 * - there is no metadata table: table metadata is read from Cassandra's own schema (system_schema.*),
 *   which is what ScalarDB 3.16 does, and so another process's DDL is seen as soon as it is made;
 * - a secondary index is named `<table>_index_<column>` (an unquoted name, so Cassandra folds it to
 *   lower case); any index on a column counts, whatever its name;
 * - 3.16 has no namespaces table on Cassandra (a keyspace exists by itself).
 *
 * Two things Cassandra's schema does not record are kept in the table's comment, which ScalarDB
 * neither writes nor reads: the order of the non-key columns (system_schema lists them by name) and
 * which `timestamp` columns are TIMESTAMP rather than TIMESTAMPTZ. The hint is advisory: columns it
 * does not name (added by another tool) follow in name order, and without it a `timestamp` is
 * TIMESTAMPTZ, as ScalarDB reads it.
 */
import { SqlState } from '../errors.js';
import { InvalidOperationError } from './errors.js';
import type { ClusteringColumn, ColumnDefinition, DataType, TableMetadata, TableRef } from './types.js';
import { orderColumns } from './scalardb-layout.js';
import { CQL_TYPES, cqlString, dataTypeOfCql, quoteCql } from './cassandra-cql.js';

/** Cassandra's limit on keyspace names. */
export const MAX_KEYSPACE_NAME_CHARS = 48;
/** Keyspace and table names are limited to these characters by Cassandra. */
const SCHEMA_NAME = /^[A-Za-z0-9_]+$/;
/** Index names too (Cassandra's IndexMetadata.isNameValid). */
const INDEX_NAME = /^\w+$/;
const INDEX_NAME_INFIX = 'index';
const HINT_KEY = 'polygres';

export interface ReplicationOptions {
  readonly strategy: 'SimpleStrategy' | 'NetworkTopologyStrategy';
  readonly factor: number;
}

/** Keyspaces that belong to Cassandra; ScalarDB skips every name starting with "system". */
export function isSystemKeyspace(keyspace: string): boolean {
  return keyspace.startsWith('system');
}

export function checkKeyspaceName(keyspace: string, namespace: string): void {
  if (!SCHEMA_NAME.test(keyspace)) {
    throw new InvalidOperationError(SqlState.invalidName, `namespace "${namespace}" cannot be a Cassandra keyspace: use only letters, digits and "_"`);
  }
  if (keyspace.length > MAX_KEYSPACE_NAME_CHARS) {
    throw new InvalidOperationError(SqlState.nameTooLong, `keyspace name "${keyspace}" is longer than Cassandra's ${MAX_KEYSPACE_NAME_CHARS} characters`);
  }
}

export function checkCqlTableName(table: string): void {
  if (!SCHEMA_NAME.test(table)) {
    throw new InvalidOperationError(SqlState.invalidName, `table name "${table}" is not a Cassandra table name: use only letters, digits and "_"`);
  }
}

/** ScalarDB's index name: `<table>_index_<column>`. */
export function secondaryIndexName(table: string, column: string): string {
  return `${table}_${INDEX_NAME_INFIX}_${column}`;
}

export function checkIndexName(ref: TableRef, column: string): string {
  const name = secondaryIndexName(ref.table, column);
  if (!INDEX_NAME.test(name)) {
    throw new InvalidOperationError(SqlState.invalidName, `column "${column}" cannot have a Cassandra secondary index: its name "${name}" may hold only letters, digits and "_"`, {
      schema: ref.namespace,
      table: ref.table,
      column,
    });
  }
  return name;
}

// ---- the layout hint in the table comment ----

interface LayoutHint {
  /** Every column in ordinal order. */
  readonly columns: readonly string[];
  /** `timestamp` columns that are TIMESTAMP (without time zone). */
  readonly timestamp: readonly string[];
}

export function layoutComment(columns: readonly ColumnDefinition[]): string {
  const hint: LayoutHint = { columns: columns.map((c) => c.name), timestamp: columns.filter((c) => c.type === 'TIMESTAMP').map((c) => c.name) };
  return JSON.stringify({ [HINT_KEY]: hint });
}

function parseLayoutComment(comment: string | null | undefined): LayoutHint | null {
  if (!comment || !comment.startsWith(`{"${HINT_KEY}"`)) return null;
  try {
    const hint = (JSON.parse(comment) as Record<string, unknown>)[HINT_KEY] as Partial<LayoutHint> | undefined;
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return { columns: strings(hint?.columns), timestamp: strings(hint?.timestamp) };
  } catch {
    return null;
  }
}

// ---- reading system_schema ----

/** A row of system_schema.columns. */
export interface SchemaColumnRow {
  readonly column_name: string;
  readonly kind: string;
  readonly position: number;
  readonly clustering_order: string;
  readonly type: string;
}

/** A row of system_schema.indexes. */
export interface SchemaIndexRow {
  readonly index_name: string;
  readonly options: Readonly<Record<string, string>> | null;
}

/** The column an index target names (`col` or `"Col"`), or null for a collection target like `values(col)`. */
export function indexTargetColumn(target: string | undefined): string | null {
  if (target === undefined) return null;
  if (target.startsWith('"') && target.endsWith('"') && target.length >= 2) return target.slice(1, -1).replaceAll('""', '"');
  return /^\w+$/.test(target) ? target : null;
}

/** A table's metadata as ScalarDB 3.16 reads it from Cassandra's schema, in the order the hint records. */
export function metadataFromSchema(ref: TableRef, comment: string | null, columnRows: readonly SchemaColumnRow[], indexRows: readonly SchemaIndexRow[]): TableMetadata {
  const hint = parseLayoutComment(comment);
  const timestampWithoutZone = new Set(hint?.timestamp ?? []);
  const typeOf = (row: SchemaColumnRow): DataType => {
    const type = dataTypeOfCql(row.type);
    if (!type) {
      throw new InvalidOperationError(SqlState.dataException, `table ${ref.namespace}.${ref.table} has column "${row.column_name}" of CQL type ${row.type}, which polygres does not support`);
    }
    return type === 'TIMESTAMPTZ' && timestampWithoutZone.has(row.column_name) ? 'TIMESTAMP' : type;
  };
  const byPosition = (a: SchemaColumnRow, b: SchemaColumnRow) => a.position - b.position;
  const partition = columnRows.filter((r) => r.kind === 'partition_key').sort(byPosition);
  const clustering = columnRows.filter((r) => r.kind === 'clustering').sort(byPosition);
  const hinted = new Map((hint?.columns ?? []).map((name, i) => [name, i]));
  const others = columnRows
    .filter((r) => r.kind !== 'partition_key' && r.kind !== 'clustering')
    .sort((a, b) => (hinted.get(a.column_name) ?? Infinity) - (hinted.get(b.column_name) ?? Infinity) || compareNames(a.column_name, b.column_name));
  const ordered = [...partition, ...clustering, ...others];
  const columns = ordered.map((r) => ({ name: r.column_name, type: typeOf(r) }));
  const indexed = new Set(indexRows.map((r) => indexTargetColumn(r.options?.target)).filter((c): c is string => c !== null));
  return {
    namespace: ref.namespace,
    table: ref.table,
    columns,
    partitionKey: partition.map((r) => r.column_name),
    clusteringKey: clustering.map((r): ClusteringColumn => ({ name: r.column_name, order: r.clustering_order === 'desc' ? 'DESC' : 'ASC' })),
    secondaryIndexes: columns.map((c) => c.name).filter((name) => indexed.has(name)),
  };
}

/** Name order as system_schema keeps it (UTF-8 bytes). */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The index on `column` among a table's indexes (ScalarDB's name or any other), or null. */
export function indexOnColumn(indexRows: readonly SchemaIndexRow[], column: string): string | null {
  return indexRows.find((r) => indexTargetColumn(r.options?.target) === column)?.index_name ?? null;
}

// ---- DDL (CassandraAdmin's statements) ----

export function createKeyspaceStatement(keyspace: string, replication: ReplicationOptions, dataCenter: string, ifNotExists: boolean): string {
  const options = replication.strategy === 'SimpleStrategy'
    ? `'class': 'SimpleStrategy', 'replication_factor': ${cqlString(String(replication.factor))}`
    : `'class': 'NetworkTopologyStrategy', ${cqlString(dataCenter)}: ${cqlString(String(replication.factor))}`;
  return `CREATE KEYSPACE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteCql(keyspace)} WITH replication = {${options}}`;
}

export function qualifiedTable(keyspace: string, table: string): string {
  return `${quoteCql(keyspace)}.${quoteCql(table)}`;
}

export function createTableStatement(keyspace: string, metadata: TableMetadata): string {
  const ordered = orderColumns(metadata);
  const columns = ordered.map((c) => `${quoteCql(c.name)} ${CQL_TYPES[c.type]}`);
  const partition = metadata.partitionKey.map(quoteCql).join(', ');
  const primaryKey = [`(${partition})`, ...metadata.clusteringKey.map((c) => quoteCql(c.name))].join(', ');
  const options: string[] = [];
  if (metadata.clusteringKey.length > 0) {
    options.push(`CLUSTERING ORDER BY (${metadata.clusteringKey.map((c) => `${quoteCql(c.name)} ${c.order}`).join(', ')})`);
  }
  options.push("compaction = {'class': 'SizeTieredCompactionStrategy'}");
  options.push(`comment = ${cqlString(layoutComment(ordered))}`);
  return `CREATE TABLE ${qualifiedTable(keyspace, metadata.table)} (${columns.join(', ')}, PRIMARY KEY (${primaryKey})) WITH ${options.join(' AND ')}`;
}

export function createIndexStatement(keyspace: string, table: string, column: string, indexName: string): string {
  // Unquoted, as ScalarDB's SchemaBuilder writes it: Cassandra keeps it in lower case.
  return `CREATE INDEX ${indexName} ON ${qualifiedTable(keyspace, table)} (${quoteCql(column)})`;
}

export function dropIndexStatement(keyspace: string, indexName: string): string {
  return `DROP INDEX ${quoteCql(keyspace)}.${quoteCql(indexName)}`;
}

export function addColumnStatement(keyspace: string, table: string, column: ColumnDefinition): string {
  return `ALTER TABLE ${qualifiedTable(keyspace, table)} ADD ${quoteCql(column.name)} ${CQL_TYPES[column.type]}`;
}

export function commentStatement(keyspace: string, table: string, columns: readonly ColumnDefinition[]): string {
  return `ALTER TABLE ${qualifiedTable(keyspace, table)} WITH comment = ${cqlString(layoutComment(columns))}`;
}
