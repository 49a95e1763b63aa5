/**
 * Converting a lookup value to a key column's type. A value that cannot be represented in the
 * column's type (3000000000 for an int4 key) matches no row: the lookup returns nothing.
 */
import { Oid } from '../../types/oids.js';
import type { SqlValue } from '../../types/values.js';

const INT_RANGE: Readonly<Record<number, readonly [bigint, bigint]>> = {
  [Oid.int2]: [-32768n, 32767n],
  [Oid.int4]: [-2147483648n, 2147483647n],
  [Oid.int8]: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** `v` (of type `from`) as a value of type `to`, or undefined when no value of `to` equals it. */
export function convertKeyValue(v: SqlValue, from: number, to: number): SqlValue | undefined {
  if (from === to || v === null) return v;
  const range = INT_RANGE[to];
  if (range && (typeof v === 'number' || typeof v === 'bigint')) {
    if (typeof v === 'number' && !Number.isInteger(v)) return undefined;
    const b = BigInt(v);
    if (b < range[0] || b > range[1]) return undefined;
    return to === Oid.int8 ? b : Number(b);
  }
  return v;
}
