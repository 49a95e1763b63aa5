/**
 * Checks operations against the table before the transaction acts on them (ScalarDB's
 * `ConsensusCommitOperationChecker`): writes are buffered until commit, so a bad value must be
 * refused when it is given, not at prepare. Every refusal is an InvalidOperationError with the
 * SQLSTATE PostgreSQL would raise.
 */
import { SqlState } from '../errors.js';
import { InvalidOperationError } from '../storage/errors.js';
import type { Filter, Key, Row, Value } from '../storage/types.js';
import { checkColumnValue } from '../storage/values.js';
import type { RecordKey, TxScan } from './api.js';
import type { RecordAddress } from './record-key.js';
import type { TransactionTableMetadata } from './table-metadata.js';

/** The address of a fully given primary key. */
export function checkRecordKey(meta: TransactionTableMetadata, op: RecordKey): RecordAddress {
  checkKeyValues(meta, 'partition key', meta.partitionKey, op.partitionKey, true);
  const ck = op.clusteringKey ?? [];
  checkKeyValues(
    meta,
    'clustering key',
    meta.clusteringKey.map((c) => c.name),
    ck,
    true,
  );
  return { namespace: meta.namespace, table: meta.table, partitionKey: op.partitionKey, clusteringKey: ck };
}

/** Non-key user columns only, each with a value of its type. */
export function checkWriteValues(meta: TransactionTableMetadata, values: Readonly<Record<string, Value>>): Row {
  if (values === null || typeof values !== 'object') {
    throw new InvalidOperationError(SqlState.invalidParameterValue, 'values must be an object of column values');
  }
  const row: Row = {};
  for (const [column, value] of Object.entries(values)) {
    if (meta.keyColumns.has(column)) {
      throw new InvalidOperationError(SqlState.featureNotSupported, `cannot change primary key column "${column}" of ${meta.qualifiedName}`, {
        hint: 'Delete the row and insert it with the new key.',
      });
    }
    if (!meta.isValueColumn(column)) throw undefinedColumn(meta, column);
    checkValue(meta, column, value);
    row[column] = value;
  }
  return row;
}

export function checkProjection(meta: TransactionTableMetadata, projection: readonly string[] | undefined): void {
  for (const column of projection ?? []) {
    if (!meta.keyColumns.has(column) && !meta.isValueColumn(column)) throw undefinedColumn(meta, column);
  }
}

export function checkScan(meta: TransactionTableMetadata, scan: TxScan): void {
  const limit = scan.limit ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new InvalidOperationError(SqlState.invalidRowCountInLimitClause, `LIMIT must not be negative, got ${String(limit)}`);
  }
  switch (scan.kind) {
    case 'partition': {
      checkKeyValues(meta, 'partition key', meta.partitionKey, scan.partitionKey, true);
      const names = meta.clusteringKey.map((c) => c.name);
      for (const bound of [scan.start, scan.end]) {
        if (bound) checkKeyValues(meta, 'clustering bound', names, bound.key, false);
      }
      return;
    }
    case 'index': {
      if (!meta.keyColumns.has(scan.column) && !meta.isValueColumn(scan.column)) throw undefinedColumn(meta, scan.column);
      if (!meta.user.secondaryIndexes.includes(scan.column)) {
        throw new InvalidOperationError(SqlState.undefinedObject, `column "${scan.column}" of ${meta.qualifiedName} has no index`);
      }
      if (scan.value === null) {
        throw new InvalidOperationError(SqlState.invalidParameterValue, 'an index scan needs a non-NULL value');
      }
      checkValue(meta, scan.column, scan.value);
      return;
    }
    case 'all':
      checkFilter(meta, scan.filter);
      return;
  }
}

function checkFilter(meta: TransactionTableMetadata, filter: Filter | undefined): void {
  for (const conjunction of filter ?? []) {
    for (const p of conjunction) {
      if (!meta.keyColumns.has(p.column) && !meta.isValueColumn(p.column)) throw undefinedColumn(meta, p.column);
      if (p.op === 'IS_NULL' || p.op === 'IS_NOT_NULL') continue;
      if (p.op === 'LIKE' || p.op === 'NOT_LIKE') {
        if (meta.columnTypes.get(p.column) !== 'TEXT' || typeof p.value !== 'string') {
          throw new InvalidOperationError(SqlState.datatypeMismatch, `LIKE needs a TEXT column and a text pattern (column "${p.column}")`);
        }
        continue;
      }
      if (p.value === undefined || p.value === null) {
        throw new InvalidOperationError(SqlState.invalidParameterValue, `predicate ${p.op} on "${p.column}" needs a non-NULL value`);
      }
      checkValue(meta, p.column, p.value);
    }
  }
}

function checkKeyValues(meta: TransactionTableMetadata, what: string, columns: readonly string[], values: Key, complete: boolean): void {
  if (!Array.isArray(values) || (complete ? values.length !== columns.length : values.length > columns.length)) {
    throw new InvalidOperationError(
      SqlState.invalidParameterValue,
      `${what} of ${meta.qualifiedName} needs ${complete ? '' : 'at most '}${columns.length} value(s) (${columns.join(', ')}), got ${
        Array.isArray(values) ? values.length : 'none'
      }`,
    );
  }
  values.forEach((v, i) => {
    if (v === null || v === undefined) {
      throw new InvalidOperationError(SqlState.notNullViolation, `null value in column "${columns[i]}" of ${meta.qualifiedName} violates not-null constraint`, {
        column: columns[i],
        table: meta.table,
        schema: meta.namespace,
      });
    }
    checkValue(meta, columns[i], v);
  });
}

/** A value of the column's type, within the storage limits (storage/values.ts decides both). */
export function checkValue(meta: TransactionTableMetadata, column: string, value: Value): void {
  const type = meta.columnTypes.get(column);
  if (!type) throw undefinedColumn(meta, column);
  checkColumnValue({ name: column, type }, value, meta);
}

function undefinedColumn(meta: TransactionTableMetadata, column: string): InvalidOperationError {
  return new InvalidOperationError(SqlState.undefinedColumn, `column "${column}" of relation "${meta.qualifiedName}" does not exist`, {
    column,
    table: meta.table,
    schema: meta.namespace,
  });
}
