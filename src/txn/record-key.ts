/**
 * The identity of a record: namespace, table, partition key, clustering key. Snapshot sets are maps
 * keyed by its string encoding; this file is the one place that encoding is made.
 */
import type { Key, Row, Value } from '../storage/types.js';
import type { TransactionTableMetadata } from './table-metadata.js';

export interface RecordAddress {
  readonly namespace: string;
  readonly table: string;
  readonly partitionKey: Key;
  /** Empty for tables without a clustering key. */
  readonly clusteringKey: Key;
}

/** An injective string form: equal keys (by value and type) encode equally. */
export function encodeRecordKey(address: RecordAddress): string {
  return JSON.stringify([
    address.namespace,
    address.table,
    address.partitionKey.map(encodeValue),
    address.clusteringKey.map(encodeValue),
  ]);
}

/** The encoding of a partition only (for grouping by partition). */
export function encodePartition(namespace: string, table: string, partitionKey: Key): string {
  return JSON.stringify([namespace, table, partitionKey.map(encodeValue)]);
}

function encodeValue(v: Value): string {
  if (v === null) return 'z';
  switch (typeof v) {
    case 'string':
      return `s${v}`;
    case 'number':
      return `n${Object.is(v, -0) ? 0 : v}`;
    case 'bigint':
      return `i${v}`;
    case 'boolean':
      return v ? 'b1' : 'b0';
    default:
      return `x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  }
}

/** The address of a record read from storage. */
export function addressOfRow(meta: TransactionTableMetadata, row: Row): RecordAddress {
  return {
    namespace: meta.namespace,
    table: meta.table,
    partitionKey: meta.partitionKey.map((c) => row[c] ?? null),
    clusteringKey: meta.clusteringKey.map((c) => row[c.name] ?? null),
  };
}

/** A row holding just the key columns of an address. */
export function keyColumnsOf(meta: TransactionTableMetadata, address: RecordAddress): Row {
  const row: Row = {};
  meta.partitionKey.forEach((c, i) => (row[c] = address.partitionKey[i]));
  meta.clusteringKey.forEach((c, i) => (row[c.name] = address.clusteringKey[i]));
  return row;
}

/** The storage key fields of an address, as Get/Put/Delete take them. */
export function storageKeyOf(address: RecordAddress): { namespace: string; table: string; partitionKey: Key; clusteringKey?: Key } {
  return address.clusteringKey.length === 0
    ? { namespace: address.namespace, table: address.table, partitionKey: address.partitionKey }
    : { namespace: address.namespace, table: address.table, partitionKey: address.partitionKey, clusteringKey: address.clusteringKey };
}
