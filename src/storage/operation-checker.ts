/**
 * Validation of storage operations against a table's metadata, shared by every adapter (as ScalarDB's
 * OperationChecker is): an adapter only ever translates operations that passed here, and a bad request
 * is always an InvalidOperationError with a PostgreSQL SQLSTATE, never a storage-specific failure.
 *
 * SQLSTATEs: unknown column 42703; a value of the wrong JS type 42804 (ranges: see values.ts); a key with
 * too few or too many values, a key column among a put's values, malformed bounds or options 22023; NULL
 * in a key 23502; LIKE on a non-TEXT column 42883; a LIKE pattern ending in the escape 22025; an index
 * scan on a column without an index 42704; a negative or fractional limit 2201W.
 */
import { SqlState } from '../errors.js';
import { InvalidOperationError } from './errors.js';
import type {
  ClusteringBound, ClusteringColumn, ColumnDefinition, ColumnPredicate, Filter, Get, Key, Mutation, MutationCondition,
  PredicateOp, Scan, TableMetadata, TableRef, Value,
} from './types.js';
import { DATA_TYPES } from './types.js';
import { MAX_COLUMN_NAME_CHARS, MAX_FULL_TABLE_NAME_CHARS, fullTableName } from './scalardb-layout.js';
import { checkColumnValue, describeJsType } from './values.js';

export interface ClusteringColumnDefinition extends ColumnDefinition {
  readonly order: ClusteringColumn['order'];
}

/** A table's metadata with the lookups every operation needs, built once per metadata read. */
export class TableSchema implements TableRef {
  readonly namespace: string;
  readonly table: string;
  readonly columns: ReadonlyMap<string, ColumnDefinition>;
  readonly partitionColumns: readonly ColumnDefinition[];
  readonly clusteringColumns: readonly ClusteringColumnDefinition[];
  /** The key columns, partition key first: the record's identity. */
  readonly keyColumns: readonly ColumnDefinition[];
  readonly keyColumnNames: ReadonlySet<string>;
  readonly indexedColumns: ReadonlySet<string>;

  constructor(readonly metadata: TableMetadata) {
    this.namespace = metadata.namespace;
    this.table = metadata.table;
    const columns = new Map(metadata.columns.map((c) => [c.name, c]));
    this.columns = columns;
    this.partitionColumns = metadata.partitionKey.map((name) => columns.get(name)!);
    this.clusteringColumns = metadata.clusteringKey.map((c) => ({ ...columns.get(c.name)!, order: c.order }));
    this.keyColumns = [...this.partitionColumns, ...this.clusteringColumns];
    this.keyColumnNames = new Set([...metadata.partitionKey, ...metadata.clusteringKey.map((c) => c.name)]);
    this.indexedColumns = new Set(metadata.secondaryIndexes);
  }

  column(name: string): ColumnDefinition {
    const column = typeof name === 'string' ? this.columns.get(name) : undefined;
    if (!column) {
      throw this.invalid(SqlState.undefinedColumn, `column "${String(name)}" of relation "${fullTableName(this)}" does not exist`, { column: String(name) });
    }
    return column;
  }

  invalid(code: string, message: string, fields: { column?: string } = {}): InvalidOperationError {
    return new InvalidOperationError(code, message, { schema: this.namespace, table: this.table, ...fields });
  }
}

const PREDICATE_OPS: ReadonlySet<PredicateOp> = new Set([
  'EQ', 'NE', 'GT', 'GTE', 'LT', 'LTE', 'IS_NULL', 'IS_NOT_NULL', 'LIKE', 'NOT_LIKE',
]);

export function checkGet(schema: TableSchema, op: Get): void {
  checkKey(schema, 'partition', op.partitionKey, schema.partitionColumns, true);
  checkKey(schema, 'clustering', op.clusteringKey ?? [], schema.clusteringColumns, true);
  checkProjection(schema, op.projection);
}

export function checkScan(schema: TableSchema, op: Scan): void {
  checkProjection(schema, op.projection);
  if (op.limit !== undefined && !(Number.isSafeInteger(op.limit) && op.limit >= 0)) {
    throw schema.invalid(SqlState.invalidRowCountInLimitClause, `scan limit must be a non-negative integer, got ${String(op.limit)}`);
  }
  switch (op.kind) {
    case 'partition':
      checkKey(schema, 'partition', op.partitionKey, schema.partitionColumns, true);
      checkClusteringRange(schema, op.start, op.end);
      return;
    case 'index': {
      const column = schema.column(op.column);
      if (!schema.indexedColumns.has(column.name)) {
        throw schema.invalid(SqlState.undefinedObject, `column "${column.name}" of relation "${fullTableName(schema)}" has no secondary index`, { column: column.name });
      }
      checkColumnValue(column, op.value ?? null, schema);
      return;
    }
    case 'all':
      if (op.filter !== undefined) checkFilter(schema, op.filter);
      return;
    default:
      throw schema.invalid(SqlState.invalidParameterValue, `unknown scan kind ${String((op as { kind: unknown }).kind)}`);
  }
}

export function checkMutation(schema: TableSchema, mutation: Mutation): void {
  checkKey(schema, 'partition', mutation.partitionKey, schema.partitionColumns, true);
  checkKey(schema, 'clustering', mutation.clusteringKey ?? [], schema.clusteringColumns, true);
  if (mutation.type === 'put') {
    if (typeof mutation.values !== 'object' || mutation.values === null) {
      throw schema.invalid(SqlState.invalidParameterValue, 'a put needs an object of column values');
    }
    for (const [name, value] of Object.entries(mutation.values)) {
      const column = schema.column(name);
      if (schema.keyColumnNames.has(name)) {
        throw schema.invalid(SqlState.invalidParameterValue, `key column "${name}" cannot be among a put's values; give it in the key`, { column: name });
      }
      checkValue(schema, column, value);
    }
  } else if (mutation.type === 'delete') {
    // The type forbids it, but callers from JS or casts can still send it.
    if ((mutation.condition as MutationCondition | undefined)?.kind === 'ifNotExists') {
      throw schema.invalid(SqlState.invalidParameterValue, 'a delete cannot have the condition ifNotExists');
    }
  } else {
    throw schema.invalid(SqlState.invalidParameterValue, `unknown mutation type ${String((mutation as { type: unknown }).type)}`);
  }
  if (mutation.condition !== undefined) checkCondition(schema, mutation.condition);
}

function checkCondition(schema: TableSchema, condition: MutationCondition): void {
  switch (condition.kind) {
    case 'ifExists':
    case 'ifNotExists':
      return;
    case 'if':
      if (!Array.isArray(condition.predicates) || condition.predicates.length === 0) {
        throw schema.invalid(SqlState.invalidParameterValue, "an 'if' condition needs at least one predicate");
      }
      for (const predicate of condition.predicates) checkPredicate(schema, predicate);
      return;
    default:
      throw schema.invalid(SqlState.invalidParameterValue, `unknown condition kind ${String((condition as { kind: unknown }).kind)}`);
  }
}

function checkFilter(schema: TableSchema, filter: Filter): void {
  if (!Array.isArray(filter)) throw schema.invalid(SqlState.invalidParameterValue, 'a filter is an array of conjunctions');
  for (const conjunction of filter) {
    if (!Array.isArray(conjunction)) throw schema.invalid(SqlState.invalidParameterValue, 'a conjunction is an array of predicates');
    for (const predicate of conjunction) checkPredicate(schema, predicate);
  }
}

export function checkPredicate(schema: TableSchema, predicate: ColumnPredicate): void {
  const column = schema.column(predicate.column);
  if (!PREDICATE_OPS.has(predicate.op)) {
    throw schema.invalid(SqlState.invalidParameterValue, `unknown predicate operator ${String(predicate.op)}`, { column: column.name });
  }
  if (predicate.op === 'IS_NULL' || predicate.op === 'IS_NOT_NULL') return;
  if (predicate.value === undefined) {
    throw schema.invalid(SqlState.invalidParameterValue, `predicate ${predicate.op} on "${column.name}" needs a value`, { column: column.name });
  }
  if (predicate.op === 'LIKE' || predicate.op === 'NOT_LIKE') {
    if (column.type !== 'TEXT') {
      throw schema.invalid(SqlState.undefinedFunction, `operator ${predicate.op} is not defined for column "${column.name}" of type ${column.type}`, { column: column.name });
    }
    if (typeof predicate.value === 'string' && endsWithEscape(predicate.value)) {
      throw schema.invalid(SqlState.invalidEscapeSequence, 'LIKE pattern must not end with escape character', { column: column.name });
    }
  }
  checkValue(schema, column, predicate.value);
}

/** True when the pattern's last character is an unescaped `\`. */
function endsWithEscape(pattern: string): boolean {
  let backslashes = 0;
  for (let i = pattern.length - 1; i >= 0 && pattern[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

function checkValue(schema: TableSchema, column: ColumnDefinition, value: Value | undefined): void {
  if (value === undefined) {
    throw schema.invalid(SqlState.invalidParameterValue, `no value given for column "${column.name}" (use null for NULL)`, { column: column.name });
  }
  checkColumnValue(column, value, schema);
}

/**
 * A key must have exactly one value per key column (`complete`), or for a bound a non-empty prefix
 * of them; key values are never NULL.
 */
function checkKey(schema: TableSchema, role: 'partition' | 'clustering' | 'bound', key: Key, columns: readonly ColumnDefinition[], complete: boolean): void {
  if (!Array.isArray(key)) {
    throw schema.invalid(SqlState.invalidParameterValue, `the ${role} key must be an array of values, got ${describeJsType(key as unknown as Value)}`);
  }
  const names = columns.map((c) => c.name).join(', ');
  if (complete ? key.length !== columns.length : key.length === 0 || key.length > columns.length) {
    throw schema.invalid(
      SqlState.invalidParameterValue,
      `the ${role} key of "${fullTableName(schema)}" is (${names}): expected ${complete ? '' : 'at most '}${columns.length} value(s), got ${key.length}`,
    );
  }
  key.forEach((value, i) => {
    const column = columns[i]!;
    if (value === null || value === undefined) {
      throw schema.invalid(SqlState.notNullViolation, `key column "${column.name}" cannot be NULL`, { column: column.name });
    }
    checkColumnValue(column, value, schema);
  });
}

/** Bounds are prefixes of the clustering key; with both given they have one length and share all but the last value. */
function checkClusteringRange(schema: TableSchema, start: ClusteringBound | undefined, end: ClusteringBound | undefined): void {
  for (const bound of [start, end]) {
    if (bound === undefined) continue;
    if (schema.clusteringColumns.length === 0) {
      throw schema.invalid(SqlState.invalidParameterValue, `"${fullTableName(schema)}" has no clustering key to bound a scan`);
    }
    checkKey(schema, 'bound', bound.key, schema.clusteringColumns, false);
  }
  if (start && end) {
    const sameShape = start.key.length === end.key.length && start.key.slice(0, -1).every((v, i) => valuesEqual(v, end.key[i]!));
    if (!sameShape) {
      throw schema.invalid(SqlState.invalidParameterValue, 'scan bounds must have the same length and differ only in their last value');
    }
  }
}

function checkProjection(schema: TableSchema, projection: readonly string[] | undefined): void {
  if (projection === undefined) return;
  if (!Array.isArray(projection)) throw schema.invalid(SqlState.invalidParameterValue, 'a projection is an array of column names');
  for (const name of projection) schema.column(name);
}

/** Equality of two values of one column type (NaN equals NaN, as in a key). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return Object.is(a, b) || a === b;
}

/** Structural checks of a table definition before any DDL runs. */
export function checkTableDefinition(metadata: TableMetadata): void {
  const where = { schema: metadata.namespace, table: metadata.table };
  const fail = (code: string, message: string): never => {
    throw new InvalidOperationError(code, message, where);
  };
  checkNamespaceName(metadata.namespace);
  checkTableName(metadata.table);
  if (fullTableName(metadata).length > MAX_FULL_TABLE_NAME_CHARS) {
    fail(SqlState.nameTooLong, `"${fullTableName(metadata)}" is longer than ${MAX_FULL_TABLE_NAME_CHARS} characters`);
  }
  if (!Array.isArray(metadata.columns) || metadata.columns.length === 0) fail(SqlState.invalidTableDefinition, 'a table needs at least one column');
  const names = new Set<string>();
  for (const column of metadata.columns) {
    checkColumnDefinition(column, where);
    if (names.has(column.name)) fail(SqlState.duplicateColumn, `column "${column.name}" specified more than once`);
    names.add(column.name);
  }
  if (!Array.isArray(metadata.partitionKey) || metadata.partitionKey.length === 0) {
    fail(SqlState.invalidTableDefinition, 'a table needs a partition key');
  }
  const keys = [...metadata.partitionKey, ...(metadata.clusteringKey ?? []).map((c) => c.name)];
  const seen = new Set<string>();
  for (const key of keys) {
    if (!names.has(key)) fail(SqlState.undefinedColumn, `key column "${key}" is not a column of the table`);
    if (seen.has(key)) fail(SqlState.invalidTableDefinition, `column "${key}" appears twice in the key`);
    seen.add(key);
  }
  for (const c of metadata.clusteringKey ?? []) {
    if (c.order !== 'ASC' && c.order !== 'DESC') fail(SqlState.invalidTableDefinition, `clustering order of "${c.name}" must be ASC or DESC`);
  }
  for (const index of metadata.secondaryIndexes ?? []) {
    if (!names.has(index)) fail(SqlState.undefinedColumn, `indexed column "${index}" is not a column of the table`);
  }
}

export function checkColumnDefinition(column: ColumnDefinition, where: { schema?: string; table?: string } = {}): void {
  checkName('column', column?.name, MAX_COLUMN_NAME_CHARS);
  if (!DATA_TYPES.includes(column.type)) {
    throw new InvalidOperationError(SqlState.datatypeMismatch, `unknown data type ${String(column.type)} for column "${column.name}"`, { ...where, column: column.name });
  }
}

/** An operation names its table with two strings; anything else (from JS callers) is refused up front. */
export function checkTableRef(ref: TableRef): void {
  if (typeof ref !== 'object' || ref === null || typeof ref.namespace !== 'string' || typeof ref.table !== 'string') {
    throw new InvalidOperationError(SqlState.invalidParameterValue, 'an operation needs a namespace and a table name');
  }
}

export function checkNamespaceName(namespace: string): void {
  checkName('namespace', namespace, MAX_FULL_TABLE_NAME_CHARS);
  // "<namespace>.<table>" is split at the first dot when read back, so a namespace cannot hold one.
  if (namespace.includes('.')) throw new InvalidOperationError(SqlState.invalidName, `namespace name "${namespace}" cannot contain "."`);
}

export function checkTableName(table: string): void {
  checkName('table', table, MAX_FULL_TABLE_NAME_CHARS);
}

function checkName(kind: string, name: unknown, maxChars: number): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidOperationError(SqlState.invalidName, `a ${kind} name must be a non-empty string`);
  }
  if (name.length > maxChars) throw new InvalidOperationError(SqlState.nameTooLong, `${kind} name "${name}" is longer than ${maxChars} characters`);
  if (name.includes('\u0000')) throw new InvalidOperationError(SqlState.invalidName, `a ${kind} name cannot contain U+0000`);
}
