/**
 * How polygres holds a SQL value in memory. Every PostgreSQL type has exactly one representation, and
 * a value always travels with its type OID (a column, a parameter, an expression result), so the same
 * JS type may serve several SQL types:
 *
 * | SQL type                         | JS value                                                  |
 * |----------------------------------|-----------------------------------------------------------|
 * | bool                             | boolean                                                   |
 * | int2, int4, oid                  | number (integer)                                          |
 * | int8                             | bigint                                                    |
 * | float4, float8                   | number                                                    |
 * | numeric                          | Numeric                                                   |
 * | text, varchar, bpchar, name, char| string (bpchar keeps its padding, as PostgreSQL stores it)|
 * |                                  | "char": one character whose code is the byte; 0 is ''     |
 * | bytea                            | Uint8Array                                                |
 * | date                             | number: days since 1970-01-01 (±Infinity for infinity)    |
 * | time                             | bigint: microseconds since midnight                       |
 * | timestamp, timestamptz           | bigint: microseconds since 1970-01-01 00:00 (UTC for tz)  |
 * |                                  | ±infinity: INT64 max/min (calendar.ts TIMESTAMP_INFINITY) |
 * | interval                         | Interval                                                  |
 * | uuid                             | string: lowercase canonical 8-4-4-4-12 form               |
 * | json                             | string: the text exactly as given                         |
 * | jsonb                            | Jsonb: the parsed document, numbers kept as Numeric       |
 * | arrays of any of these           | SqlArray                                                  |
 * | int2vector, oidvector            | SqlArray with lower bound 0                               |
 * | regclass, regtype, regproc...    | number (the OID)                                          |
 *
 * `null` is SQL NULL in every type.
 */
import type { Numeric } from './numeric.js';

export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: bigint;
}

/** A jsonb document: null, boolean, string, Numeric, an array, or an object with unique keys. */
export type JsonbNode = null | boolean | string | Numeric | JsonbNode[] | JsonbObject;
export interface JsonbObject {
  readonly kind: 'object';
  /** Keys sorted as PostgreSQL sorts them (shorter first, then bytewise); values in the same order. */
  readonly entries: ReadonlyArray<readonly [string, JsonbNode]>;
}

export class Jsonb {
  constructor(readonly root: JsonbNode) {}
}

/** A PostgreSQL array: elements in row-major order with per-dimension lengths and lower bounds. */
export class SqlArray {
  constructor(
    readonly elementOid: number,
    readonly elements: readonly SqlValue[],
    /** Empty arrays have no dimensions, as in PostgreSQL. */
    readonly dims: readonly number[] = elements.length === 0 ? [] : [elements.length],
    readonly lowerBounds: readonly number[] = dims.map(() => 1),
  ) {}
}

export type SqlValue = null | boolean | number | bigint | string | Uint8Array | Numeric | Interval | Jsonb | SqlArray;
