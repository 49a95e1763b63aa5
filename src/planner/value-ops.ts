/**
 * The operations on SQL values that the engine takes from src/types (ordering, hashing, numeric and
 * date/time arithmetic, time zones). This is the only planner module that reaches into src/types for
 * them, so that when src/types grows or renames something, one file changes.
 *
 * src/types is being completed in parallel. Where a function it will provide is not there yet, the
 * function here says so: the ordering/hashing of the simple types is done here until
 * `compareValues`/`hashKey` land (marked PENDING), and the arithmetic that belongs to src/types
 * raises 0A000 rather than being written a second time here.
 */
import { SqlError, SqlState } from '../errors.js';
import { Numeric } from '../types/numeric.js';
import { Jsonb, SqlArray, type Interval, type SqlValue } from '../types/values.js';
import { formatText, DEFAULT_CODEC_CONTEXT } from '../types/codec.js';
import { Oid } from '../types/oids.js';
import * as numericModule from '../types/numeric.js';

function pending(what: string): SqlError {
  return new SqlError(SqlState.featureNotSupported, `${what} is not available yet (src/types)`);
}

type NumericOps = {
  add(a: Numeric, b: Numeric): Numeric;
  sub(a: Numeric, b: Numeric): Numeric;
  mul(a: Numeric, b: Numeric): Numeric;
  div(a: Numeric, b: Numeric): Numeric;
  mod(a: Numeric, b: Numeric): Numeric;
  compare(a: Numeric, b: Numeric): number;
};

/** The numeric module's functions when it exports them (looked up by name so this file compiles before they land). */
function numericFn<K extends keyof NumericOps>(name: K): NumericOps[K] | undefined {
  const m = numericModule as unknown as Record<string, unknown>;
  const fromModule = m[`numeric${name[0]!.toUpperCase()}${name.slice(1)}`] ?? m[name];
  if (typeof fromModule === 'function') return fromModule as NumericOps[K];
  const method = (Numeric.prototype as unknown as Record<string, unknown>)[name];
  if (typeof method === 'function') {
    return ((a: Numeric, b: Numeric) => (method as (this: Numeric, b: Numeric) => unknown).call(a, b)) as NumericOps[K];
  }
  return undefined;
}

function requireNumericFn<K extends keyof NumericOps>(name: K): NumericOps[K] {
  const f = numericFn(name);
  if (!f) throw pending(`numeric ${name}`);
  return f;
}

export function numericAdd(a: Numeric, b: Numeric): Numeric {
  return requireNumericFn('add')(a, b);
}
export function numericSub(a: Numeric, b: Numeric): Numeric {
  return requireNumericFn('sub')(a, b);
}
export function numericMul(a: Numeric, b: Numeric): Numeric {
  return requireNumericFn('mul')(a, b);
}
export function numericDiv(a: Numeric, b: Numeric): Numeric {
  return requireNumericFn('div')(a, b);
}
export function numericMod(a: Numeric, b: Numeric): Numeric {
  return requireNumericFn('mod')(a, b);
}

export function numericFromInteger(v: number | bigint): Numeric {
  return Numeric.of(BigInt(v), 0);
}

/** Exact comparison of two numerics; NaN sorts above everything, as in PostgreSQL. */
export function numericCompare(a: Numeric, b: Numeric): number {
  const f = numericFn('compare');
  if (f) return f(a, b);
  // PENDING: src/types numeric comparison.
  const rank = (n: Numeric): number => (n.special === 'NaN' ? 2 : n.special === 'Infinity' ? 1 : n.special === '-Infinity' ? -1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== 0 || rb !== 0) return ra === rb ? 0 : ra < rb ? -1 : 1;
  const scale = Math.max(a.scale, b.scale);
  const da = a.digits * 10n ** BigInt(scale - a.scale);
  const db = b.digits * 10n ** BigInt(scale - b.scale);
  return da < db ? -1 : da > db ? 1 : 0;
}

function compareNumbers(a: number, b: number): number {
  // PostgreSQL orders NaN above every other float, and NaN = NaN.
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Bytewise comparison of UTF-8 text: PostgreSQL's "C" collation. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length === 0 ? 0 : a.length < b.length ? -1 : 1;
}

/** An interval as PostgreSQL compares it: months as 30 days, days as 24 hours. */
function intervalSpanMicros(i: Interval): bigint {
  return (BigInt(i.months) * 30n + BigInt(i.days)) * 86_400_000_000n + i.micros;
}

/** bpchar compares without its trailing spaces. */
function stripTrailingSpaces(s: string): string {
  return s.replace(/ +$/, '');
}

/**
 * Total order of two non-null values of type `oid` (-1, 0, 1), as PostgreSQL's btree opclass.
 * PENDING: src/types `compareValues` (jsonb ordering in particular is approximated by text here).
 */
export function compareValues(oid: number, a: SqlValue, b: SqlValue): number {
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') {
    return oid === Oid.bpchar ? compareText(stripTrailingSpaces(a), stripTrailingSpaces(b)) : compareText(a, b);
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Numeric && b instanceof Numeric) return numericCompare(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (a instanceof SqlArray && b instanceof SqlArray) {
    const n = Math.min(a.elements.length, b.elements.length);
    for (let i = 0; i < n; i++) {
      const x = a.elements[i]!;
      const y = b.elements[i]!;
      if (x === null || y === null) {
        if (x === null && y === null) continue;
        return x === null ? 1 : -1;
      }
      const c = compareValues(a.elementOid, x, y);
      if (c !== 0) return c;
    }
    return a.elements.length === b.elements.length ? 0 : a.elements.length < b.elements.length ? -1 : 1;
  }
  if (a instanceof Jsonb && b instanceof Jsonb) {
    return compareText(formatText(Oid.jsonb, a, DEFAULT_CODEC_CONTEXT), formatText(Oid.jsonb, b, DEFAULT_CODEC_CONTEXT));
  }
  if (isInterval(a) && isInterval(b)) {
    const x = intervalSpanMicros(a);
    const y = intervalSpanMicros(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  // Mixed representations of one SQL type (an int8 seen as number) compare numerically.
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  throw new SqlError(SqlState.internalError, `cannot compare values of type ${oid}`);
}

export function isInterval(v: SqlValue): v is Interval {
  return typeof v === 'object' && v !== null && 'months' in v && 'micros' in v;
}

/**
 * A string equal for values that are equal under compareValues (for hash grouping and DISTINCT).
 * PENDING: src/types `hashKey`.
 */
export function hashKey(oid: number, v: SqlValue): string {
  if (v === null) return '\u0000N';
  if (typeof v === 'string') return oid === Oid.bpchar ? `s${stripTrailingSpaces(v)}` : `s${v}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'nNaN' : `n${v === 0 ? 0 : v}`;
  if (typeof v === 'bigint') return `n${v}`;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (v instanceof Numeric) {
    if (v.special) return `n${v.special}`;
    let digits = v.digits;
    let scale = v.scale;
    while (scale > 0 && digits % 10n === 0n) {
      digits /= 10n;
      scale--;
    }
    return scale === 0 ? `n${digits}` : `d${Numeric.of(digits, scale).toString()}`;
  }
  if (v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
  if (v instanceof SqlArray) return `a[${v.dims.join(',')}](${v.elements.map((e) => hashKey(v.elementOid, e)).join('\u0001')})`;
  if (v instanceof Jsonb) return `j${formatText(Oid.jsonb, v, DEFAULT_CODEC_CONTEXT)}`;
  if (isInterval(v)) return `i${intervalSpanMicros(v)}`;
  return `?${String(v)}`;
}

/** Equality under the btree order (NULLs excluded by the caller). */
export function valuesEqual(oid: number, a: SqlValue, b: SqlValue): boolean {
  return compareValues(oid, a, b) === 0;
}
