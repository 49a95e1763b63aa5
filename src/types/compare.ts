/**
 * Ordering and equality of values, as PostgreSQL's default btree operator classes decide them:
 * the one place ORDER BY, GROUP BY, DISTINCT, joins and indexes get "<" and "=" from. Text sorts in
 * the C collation (Unicode code point order), floats put NaN last and treat -0 as 0, numerics and
 * intervals compare by value ('1.0' = '1.00', '1 mon' = '30 days'), arrays element by element.
 */
import { SqlError, SqlState } from '../errors.js';
import { compareIntervals, intervalCompareValue } from './interval.js';
import { compareJsonb, jsonbKey } from './json.js';
import type { Numeric } from './numeric.js';
import { Oid } from './oids.js';
import { elementOf } from './registry.js';
import type { Interval, Jsonb, SqlArray, SqlValue } from './values.js';

/** Code point order of two JS strings (JS `<` compares UTF-16 units, which misorders astral characters). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Move surrogates above U+E000..U+FFFF so UTF-16 unit order becomes code point order.
    if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** bpchar compares without its trailing spaces. */
function stripTrailingSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** float4/float8 order: NaN equals NaN and sorts after everything; -0 equals 0. */
function compareFloats(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  return compareNumbers(a, b);
}

function compareBigInts(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return compareNumbers(a.length, b.length);
}

function noOrdering(oid: number, what: 'ordering' | 'equality'): SqlError {
  const name = oid === Oid.json ? 'json' : String(oid);
  return new SqlError(SqlState.undefinedFunction, `could not identify an ${what} operator for type ${name}`);
}

/** array_cmp: elements in order (NULL after non-NULL), then element count, dimensions, lower bounds. */
function compareArrays(elementOid: number, a: SqlArray, b: SqlArray): number {
  const n = Math.min(a.elements.length, b.elements.length);
  for (let i = 0; i < n; i++) {
    const x = a.elements[i]!;
    const y = b.elements[i]!;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = compareValues(elementOid, x, y);
    if (c !== 0) return c;
  }
  if (a.elements.length !== b.elements.length) return a.elements.length < b.elements.length ? -1 : 1;
  if (a.dims.length !== b.dims.length) return a.dims.length < b.dims.length ? -1 : 1;
  for (let k = 0; k < a.dims.length; k++) if (a.dims[k] !== b.dims[k]) return a.dims[k]! < b.dims[k]! ? -1 : 1;
  for (let k = 0; k < a.lowerBounds.length; k++) {
    if (a.lowerBounds[k] !== b.lowerBounds[k]) return a.lowerBounds[k]! < b.lowerBounds[k]! ? -1 : 1;
  }
  return 0;
}

/**
 * Negative, zero or positive as `a` sorts before, equal to, or after `b` in PostgreSQL's default
 * btree order for type `oid`. Both values are non-null (NULL ordering is the caller's: NULLS LAST by default).
 */
export function compareValues(oid: number, a: SqlValue, b: SqlValue): number {
  switch (oid) {
    case Oid.bool:
      return a === b ? 0 : a ? 1 : -1;
    case Oid.int2:
    case Oid.int4:
    case Oid.oid:
    case Oid.date:
    case Oid.regclass:
    case Oid.regtype:
    case Oid.regproc:
    case Oid.regprocedure:
    case Oid.regnamespace:
    case Oid.regrole:
      return compareNumbers(a as number, b as number);
    case Oid.float4:
    case Oid.float8:
      return compareFloats(a as number, b as number);
    case Oid.int8:
    case Oid.time:
    case Oid.timestamp:
    case Oid.timestamptz:
      return compareBigInts(a as bigint, b as bigint);
    case Oid.numeric:
      return (a as Numeric).compare(b as Numeric);
    case Oid.text:
    case Oid.varchar:
    case Oid.name:
    case Oid.unknown:
      return compareCodePoints(a as string, b as string);
    case Oid.bpchar:
      return compareCodePoints(stripTrailingSpaces(a as string), stripTrailingSpaces(b as string));
    case Oid.char:
      return compareNumbers((a as string).charCodeAt(0) || 0, (b as string).charCodeAt(0) || 0);
    case Oid.uuid:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case Oid.bytea:
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case Oid.interval:
      return compareIntervals(a as Interval, b as Interval);
    case Oid.jsonb:
      return compareJsonb(a as Jsonb, b as Jsonb);
    case Oid.json:
      throw noOrdering(oid, 'ordering');
  }
  const element = elementOf(oid);
  if (element !== 0) return compareArrays(element, a as SqlArray, b as SqlArray);
  throw new SqlError(SqlState.undefinedFunction, `could not identify an ordering operator for type ${oid}`);
}

/** Equality as PostgreSQL's = operator for the type decides it. */
export function valuesEqual(oid: number, a: SqlValue, b: SqlValue): boolean {
  return compareValues(oid, a, b) === 0;
}

function floatKey(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return v === 0 ? '0' : String(v);
}

/**
 * A string that is the same for values PostgreSQL's = finds equal (numeric 1.0 and 1.00, float 0
 * and -0, bpchar 'a' and 'a  ', interval '1 mon' and '30 days'), for hash joins, GROUP BY and DISTINCT.
 */
export function hashKey(oid: number, v: SqlValue): string {
  if (v === null) return '\u0000null';
  switch (oid) {
    case Oid.bool:
      return v ? 't' : 'f';
    case Oid.float4:
    case Oid.float8:
      return floatKey(v as number);
    case Oid.numeric:
      return (v as Numeric).trimScale().toString();
    case Oid.bpchar:
      return stripTrailingSpaces(v as string);
    case Oid.bytea:
      return Buffer.from((v as Uint8Array).buffer, (v as Uint8Array).byteOffset, (v as Uint8Array).byteLength).toString('hex');
    case Oid.interval:
      return intervalCompareValue(v as Interval).toString();
    case Oid.jsonb:
      return jsonbKey((v as Jsonb).root);
    case Oid.json:
      throw noOrdering(oid, 'equality');
  }
  const element = elementOf(oid);
  if (element !== 0) {
    const arr = v as SqlArray;
    const items = arr.elements.map((e) => (e === null ? '\u0000null' : hashKey(element, e)));
    return JSON.stringify([arr.dims, arr.lowerBounds, items]);
  }
  return String(v);
}
