/**
 * The operations on SQL values the engine takes from src/types (ordering, hashing, numeric
 * arithmetic), gathered in one module so the planner has a single dependency to follow.
 */
import { compareValues, hashKey, valuesEqual } from '../types/compare.js';
import { Numeric } from '../types/numeric.js';
import type { Interval, SqlValue } from '../types/values.js';

export { compareValues, hashKey, valuesEqual };

export function numericAdd(a: Numeric, b: Numeric): Numeric {
  return a.add(b);
}
export function numericSub(a: Numeric, b: Numeric): Numeric {
  return a.sub(b);
}
export function numericMul(a: Numeric, b: Numeric): Numeric {
  return a.mul(b);
}
export function numericDiv(a: Numeric, b: Numeric): Numeric {
  return a.div(b);
}
export function numericMod(a: Numeric, b: Numeric): Numeric {
  return a.mod(b);
}
export function numericFromInteger(v: number | bigint): Numeric {
  return Numeric.fromBigInt(BigInt(v));
}

export function isInterval(v: SqlValue): v is Interval {
  return typeof v === 'object' && v !== null && 'months' in v && 'micros' in v;
}
