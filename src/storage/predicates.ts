/**
 * Value order and predicate evaluation in process, as the storages order and filter. Adapters use
 * them for what their storage cannot evaluate (Cassandra: filters of cross-partition scans, conditions
 * on columns of a batch); Consensus Commit where no storage is asked: re-filtering records after lazy
 * recovery, merging a transaction's own writes into scan results, and checking scan ranges during
 * validation.
 *
 * Invariant assumed from the storages: keys order as ScalarDB orders them (TEXT by code point, i.e.
 * UTF-8 byte order; BLOB bytewise; numbers numerically; false < true). A storage whose text order
 * differs (a PostgreSQL collation other than "C" on key columns) would make merged own writes land
 * at a slightly different place in a scan than the storage would put them.
 */
import type { ClusteringColumn, ColumnPredicate, Filter, Key, Row, Value } from './types.js';

/** Total order on non-null values of one type; NULL sorts first (it never occurs in keys). */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1; // NaN sorts last, as in PostgreSQL
    if (Number.isNaN(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  // Mixed number/bigint (an INT compared with a BIGINT literal): compare numerically.
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  // Values of different types never meet in a well-typed table; keep the order total anyway.
  return typeRank(a) - typeRank(b);
}

function typeRank(v: Value): number {
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number' || typeof v === 'bigint') return 2;
  if (typeof v === 'string') return 3;
  return 4;
}

/** Code point order (what UTF-8 byte order gives), not JavaScript's UTF-16 code unit order. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (U+D800–DFFF, encoding code points above U+FFFF) rank above U+E000–FFFF. */
function codeUnitRank(c: number): number {
  if (c < 0xd800) return c;
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

export function valuesEqual(a: Value, b: Value): boolean {
  return a !== null && b !== null && compareValues(a, b) === 0;
}

/** Lexicographic order of key values (equal-length prefixes compare equal). */
export function compareKeys(a: Key, b: Key): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/** Clustering order: each column ascending or descending as declared. Compares the common prefix. */
export function compareClustering(a: Key, b: Key, columns: readonly ClusteringColumn[]): number {
  const n = Math.min(a.length, b.length, columns.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return columns[i].order === 'DESC' ? -c : c;
  }
  return 0;
}

/** SQL semantics: a comparison with NULL is false; LIKE is case-sensitive with `\` as escape. */
export function matchesPredicate(row: Row, p: ColumnPredicate): boolean {
  const v = row[p.column] ?? null;
  switch (p.op) {
    case 'IS_NULL':
      return v === null;
    case 'IS_NOT_NULL':
      return v !== null;
  }
  const w = p.value ?? null;
  if (v === null || w === null) return false;
  switch (p.op) {
    case 'EQ':
      return compareValues(v, w) === 0;
    case 'NE':
      return compareValues(v, w) !== 0;
    case 'GT':
      return compareValues(v, w) > 0;
    case 'GTE':
      return compareValues(v, w) >= 0;
    case 'LT':
      return compareValues(v, w) < 0;
    case 'LTE':
      return compareValues(v, w) <= 0;
    case 'LIKE':
      return typeof v === 'string' && typeof w === 'string' && likePattern(w).test(v);
    case 'NOT_LIKE':
      return typeof v === 'string' && typeof w === 'string' && !likePattern(w).test(v);
  }
}

/** An absent or empty filter matches everything; otherwise any conjunction must match. */
export function matchesFilter(row: Row, filter: Filter | undefined): boolean {
  if (!filter || filter.length === 0) return true;
  return filter.some((conjunction) => conjunction.every((p) => matchesPredicate(row, p)));
}

const LIKE_CACHE_LIMIT = 256;
const likeCache = new Map<string, RegExp>();

function likePattern(pattern: string): RegExp {
  let re = likeCache.get(pattern);
  if (re) return re;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i]);
    } else if (ch === '%') {
      source += '[\\s\\S]*';
    } else if (ch === '_') {
      source += '[\\s\\S]';
    } else {
      source += escapeRegExp(ch);
    }
  }
  re = new RegExp(`^${source}$`, 'u');
  if (likeCache.size >= LIKE_CACHE_LIMIT) likeCache.clear();
  likeCache.set(pattern, re);
  return re;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
