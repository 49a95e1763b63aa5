/**
 * The identity of a record as one string: namespace, table, partition key, clustering key. Equal
 * keys (by value and type) encode equally and different keys differently, so the string can key
 * maps and sets, and its order is a total order of records (not the storage's key order). This file
 * is the one place that encoding is made.
 *
 * Every part is self-delimiting (names and text as JSON strings, other values as a type letter and
 * digits ended by ";"), so the concatenation is injective.
 */
import type { Key, Value } from './types.js';

export function encodeRecordIdentity(namespace: string, table: string, partitionKey: Key, clusteringKey: Key): string {
  return `${encodePartitionIdentity(namespace, table, partitionKey)}|${encodeKey(clusteringKey)}`;
}

/** The identity of a partition only. */
export function encodePartitionIdentity(namespace: string, table: string, partitionKey: Key): string {
  return `${JSON.stringify(namespace)}${JSON.stringify(table)}${encodeKey(partitionKey)}`;
}

function encodeKey(key: Key): string {
  let out = '';
  for (const v of key) out += encodeKeyValue(v);
  return out;
}

function encodeKeyValue(v: Value): string {
  if (v === null) return 'z;';
  switch (typeof v) {
    case 'string':
      return `s${JSON.stringify(v)}`;
    case 'number':
      return `n${Object.is(v, -0) ? 0 : v};`;
    case 'bigint':
      return `i${v};`;
    case 'boolean':
      return v ? 'b1;' : 'b0;';
    default:
      return `x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')};`;
  }
}
