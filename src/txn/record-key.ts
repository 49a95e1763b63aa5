/**
 * The identity of a record: namespace, table, partition key, clustering key. Snapshot sets are maps
 * keyed by its string encoding (storage/keys.ts).
 */
import { encodePartitionIdentity, encodeRecordIdentity } from '../storage/keys.js';
import type { Key, Row } from '../storage/types.js';
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
  return encodeRecordIdentity(address.namespace, address.table, address.partitionKey, address.clusteringKey);
}

/** The encoding of a partition only (for grouping by partition). */
export function encodePartition(namespace: string, table: string, partitionKey: Key): string {
  return encodePartitionIdentity(namespace, table, partitionKey);
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
