/** Mathematical functions. Numeric rounding and exact arithmetic come from src/types via value-ops. */
import { randomInt } from 'node:crypto';
import { SqlError, SqlState } from '../../errors.js';
import { Numeric } from '../../types/numeric.js';
import { integerOutOfRange } from '../../types/integer.js';
import type { SqlValue } from '../../types/values.js';
import { BUILTINS as R } from './registry.js';
import { roundHalfEven } from '../../types/calendar.js';
import { checkFloat, divisionByZero, floatPower } from './operators.js';

const num = (v: SqlValue | undefined): number => v as number;
const dec = (v: SqlValue | undefined): Numeric => v as Numeric;

R.fn('abs', ['int2'], 'int2', ([a]) => Math.abs(num(a)));
R.fn('abs', ['int4'], 'int4', ([a]) => {
  if (num(a) === -2147483648) throw integerOutOfRange('int4');
  return Math.abs(num(a));
});
R.fn('abs', ['int8'], 'int8', ([a]) => {
  const v = a as bigint;
  if (v === -(2n ** 63n)) throw integerOutOfRange('int8');
  return v < 0n ? -v : v;
});
R.fn('abs', ['float4'], 'float4', ([a]) => Math.abs(num(a)));
R.fn('abs', ['float8'], 'float8', ([a]) => Math.abs(num(a)));
R.fn('abs', ['numeric'], 'numeric', ([a]) => dec(a).abs());

R.fn('round', ['numeric'], 'numeric', ([a]) => dec(a).round(0));
R.fn('round', ['numeric', 'int4'], 'numeric', ([a, s]) => dec(a).round(num(s)));
R.fn('round', ['float8'], 'float8', ([a]) => roundHalfEven(num(a)));
R.fn('trunc', ['numeric'], 'numeric', ([a]) => dec(a).trunc(0));
R.fn('trunc', ['numeric', 'int4'], 'numeric', ([a, s]) => dec(a).trunc(num(s)));
R.fn('trunc', ['float8'], 'float8', ([a]) => Math.trunc(num(a)));
R.fn('ceil', ['numeric'], 'numeric', ([a]) => dec(a).ceil());
R.fn('ceiling', ['numeric'], 'numeric', ([a]) => dec(a).ceil());
R.fn('ceil', ['float8'], 'float8', ([a]) => Math.ceil(num(a)));
R.fn('ceiling', ['float8'], 'float8', ([a]) => Math.ceil(num(a)));
R.fn('floor', ['numeric'], 'numeric', ([a]) => dec(a).floor());
R.fn('floor', ['float8'], 'float8', ([a]) => Math.floor(num(a)));


R.fn('sign', ['float8'], 'float8', ([a]) => Math.sign(num(a)));
R.fn('sign', ['numeric'], 'numeric', ([a]) => {
  const n = dec(a);
  if (n.special === 'NaN') return n;
  const s = n.special === 'Infinity' ? 1n : n.special === '-Infinity' ? -1n : n.digits > 0n ? 1n : n.digits < 0n ? -1n : 0n;
  return Numeric.of(s, 0);
});
R.fn('mod', ['int2', 'int2'], 'int2', ([a, b]) => intMod(a, b));
R.fn('mod', ['int4', 'int4'], 'int4', ([a, b]) => intMod(a, b));
R.fn('mod', ['int8', 'int8'], 'int8', ([a, b]) => {
  if ((b as bigint) === 0n) throw divisionByZero();
  return (a as bigint) % (b as bigint);
});
function intMod(a: SqlValue | undefined, b: SqlValue | undefined): number {
  if (num(b) === 0) throw divisionByZero();
  return num(a) % num(b);
}
R.fn('div', ['numeric', 'numeric'], 'numeric', ([a, b]) => {
  if (dec(b).special === null && dec(b).digits === 0n) throw divisionByZero();
  return dec(a).divTrunc(dec(b));
});
R.fn('sqrt', ['float8'], 'float8', ([a]) => {
  if (num(a) < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
  return Math.sqrt(num(a));
});
R.fn('cbrt', ['float8'], 'float8', ([a]) => Math.cbrt(num(a)));
R.fn('power', ['float8', 'float8'], 'float8', ([a, b]) => floatPower(num(a), num(b)));
R.fn('pow', ['float8', 'float8'], 'float8', ([a, b]) => floatPower(num(a), num(b)));
R.fn('exp', ['float8'], 'float8', ([a]) => checkFloat(Math.exp(num(a)), !Number.isFinite(num(a)), true, false));
R.fn('ln', ['float8'], 'float8', ([a]) => {
  if (num(a) === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (num(a) < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
  return Math.log(num(a));
});
R.fn('log', ['float8'], 'float8', ([a]) => {
  if (num(a) === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (num(a) < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
  return Math.log10(num(a));
});
R.fn('log10', ['float8'], 'float8', ([a]) => Math.log10(num(a)));
R.fn('pi', [], 'float8', () => Math.PI);
R.fn('degrees', ['float8'], 'float8', ([a]) => (num(a) * 180) / Math.PI);
R.fn('radians', ['float8'], 'float8', ([a]) => (num(a) * Math.PI) / 180);
for (const [name, f] of [
  ['sin', Math.sin], ['cos', Math.cos], ['tan', Math.tan], ['asin', Math.asin], ['acos', Math.acos], ['atan', Math.atan],
  ['sinh', Math.sinh], ['cosh', Math.cosh], ['tanh', Math.tanh],
] as const) {
  R.fn(name, ['float8'], 'float8', ([a]) => f(num(a)));
}
R.fn('atan2', ['float8', 'float8'], 'float8', ([a, b]) => Math.atan2(num(a), num(b)));
R.fn('random', [], 'float8', () => Math.random(), { volatility: 'v' });
R.fn('random', ['int4', 'int4'], 'int4', ([a, b]) => {
  if (num(a) > num(b)) throw new SqlError(SqlState.invalidParameterValue, 'lower bound must be less than or equal to upper bound');
  return randomInt(num(a), num(b) + 1);
}, { volatility: 'v' });
R.fn('setseed', ['float8'], 'void', () => null, { volatility: 'v' });
function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
R.fn('gcd', ['int4', 'int4'], 'int4', ([a, b]) => Number(gcd(BigInt(num(a)), BigInt(num(b)))));
R.fn('gcd', ['int8', 'int8'], 'int8', ([a, b]) => gcd(a as bigint, b as bigint));
R.fn('lcm', ['int4', 'int4'], 'int4', ([a, b]) => {
  const g = gcd(BigInt(num(a)), BigInt(num(b)));
  if (g === 0n) return 0;
  const v = (BigInt(num(a)) / g) * BigInt(num(b));
  const r = v < 0n ? -v : v;
  if (r > 2147483647n) throw integerOutOfRange('int4');
  return Number(r);
});
R.fn('scale', ['numeric'], 'int4', ([a]) => (dec(a).special ? null : dec(a).scale));
R.fn('min_scale', ['numeric'], 'int4', ([a]) => {
  const n = dec(a);
  if (n.special) return null;
  let s = n.scale;
  let d = n.digits;
  while (s > 0 && d % 10n === 0n) {
    d /= 10n;
    s--;
  }
  return s;
});
R.fn('trim_scale', ['numeric'], 'numeric', ([a]) => dec(a).trimScale());
R.fn('width_bucket', ['float8', 'float8', 'float8', 'int4'], 'int4', ([x, lo, hi, n]) => {
  const v = num(x);
  if (num(n) <= 0) throw new SqlError('2201G', 'count must be greater than zero');
  if (v < num(lo)) return 0;
  if (v >= num(hi)) return num(n) + 1;
  return Math.floor(((v - num(lo)) / (num(hi) - num(lo))) * num(n)) + 1;
});
