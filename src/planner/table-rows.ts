/**
 * The row layout of a table inside the engine, and its conversion to and from storage records:
 * a table row is an array with one slot per live column (attnum order), then the hidden row id for
 * a table created without a primary key.
 */
import type { Row, Value } from '../storage/types.js';
import type { SqlValue } from '../types/values.js';
import { Oid } from '../types/oids.js';
import type { ColumnInfo, TableInfo } from '../catalog/model.js';
import { fromStorageValue, toStorageValue } from '../catalog/storage-mapping.js';
import type { OutputColumn } from './plan.js';

const ROW_ID_TYPE = { oid: Oid.text, typmod: -1 } as const;

export function tableOutputColumns(table: TableInfo): OutputColumn[] {
  const cols: OutputColumn[] = table.columns.map((c) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: c.attnum }));
  if (table.rowIdColumn !== null) cols.push({ name: table.rowIdColumn, type: ROW_ID_TYPE, tableOid: table.oid, attnum: 0, hidden: true });
  return cols;
}

/** Slot of each storage column name in the table layout. */
export function physicalSlots(table: TableInfo): Map<string, number> {
  const m = new Map<string, number>();
  table.columns.forEach((c, i) => m.set(c.physicalName, i));
  if (table.rowIdColumn !== null) m.set(table.rowIdColumn, table.columns.length);
  return m;
}

/** Decodes a storage record into the table layout. */
export function rowFromStorage(table: TableInfo, record: Row): SqlValue[] {
  const out: SqlValue[] = table.columns.map((c) => decodeColumn(c, record[c.physicalName] ?? null));
  if (table.rowIdColumn !== null) out.push((record[table.rowIdColumn] as string | undefined) ?? null);
  return out;
}

function decodeColumn(c: ColumnInfo, v: Value): SqlValue {
  return fromStorageValue(c.type.oid, v, c.type.typmod);
}

export interface StorageKey {
  readonly partitionKey: Value[];
  readonly clusteringKey: Value[];
}

/** The storage key of a table row. */
export function storageKeyOf(table: TableInfo, row: readonly SqlValue[]): StorageKey {
  const slots = physicalSlots(table);
  const value = (name: string): Value => {
    const slot = slots.get(name)!;
    const col = table.columns[slot];
    return col ? toStorageValue(col.type.oid, row[slot] ?? null, true) : (row[slot] as Value);
  };
  return { partitionKey: table.partitionKey.map(value), clusteringKey: table.clusteringKey.map(value) };
}

/** Non-key storage columns of a row (every live column that is not part of the storage key). */
export function storageValuesOf(table: TableInfo, row: readonly SqlValue[]): Record<string, Value> {
  const keys = new Set([...table.partitionKey, ...table.clusteringKey]);
  const out: Record<string, Value> = {};
  table.columns.forEach((c, i) => {
    if (!keys.has(c.physicalName)) out[c.physicalName] = toStorageValue(c.type.oid, row[i] ?? null);
  });
  return out;
}

/** The key columns (table columns, in storage key order) — for tables whose key is user columns. */
export function keyColumns(table: TableInfo): ColumnInfo[] {
  return [...table.partitionKey, ...table.clusteringKey].map((p) => table.columns.find((c) => c.physicalName === p)).filter((c): c is ColumnInfo => c !== undefined);
}

/** A string identifying a storage key (for de-duplication within a statement). */
export function storageKeyText(key: StorageKey): string {
  return JSON.stringify([...key.partitionKey, ...key.clusteringKey], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
}
