/**
 * Set-returning functions: generate_series (integers, numeric, timestamps), unnest and
 * generate_subscripts. Each yields its rows lazily, so `generate_series(1, 1000000000) LIMIT 3`
 * produces three rows. They run in FROM (FunctionScan) and in select lists (ProjectSet).
 */
import { SqlError, SqlState } from '../../errors.js';
import { Numeric } from '../../types/numeric.js';
import { SqlArray, type Interval, type SqlValue } from '../../types/values.js';
import { compareIntervals } from '../../types/interval.js';
import { timestampPlusInterval, timestamptzPlusInterval } from '../../types/datetime.js';
import { BUILTINS as R } from './registry.js';

function stepIsZero(): SqlError {
  return new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
}

function* integerSeries(start: bigint, stop: bigint, step: bigint, asInt8: boolean): Iterable<SqlValue> {
  if (step === 0n) throw stepIsZero();
  for (let v = start; step > 0n ? v <= stop : v >= stop; v += step) yield asInt8 ? v : Number(v);
}

for (const t of ['int4', 'int8'] as const) {
  const asInt8 = t === 'int8';
  R.srf('generate_series', [t, t], t, ([a, b]) => integerSeries(BigInt(a as number | bigint), BigInt(b as number | bigint), 1n, asInt8));
  R.srf('generate_series', [t, t, t], t, ([a, b, s]) => integerSeries(BigInt(a as number | bigint), BigInt(b as number | bigint), BigInt(s as number | bigint), asInt8));
}

function* numericSeries(start: Numeric, stop: Numeric, step: Numeric): Iterable<SqlValue> {
  for (const [v, what] of [[start, 'start'], [stop, 'stop'], [step, 'step size']] as const) {
    if (v.isNaN) throw new SqlError(SqlState.invalidParameterValue, `${what} value cannot be NaN`);
    if (!v.isFinite && what !== 'stop') throw new SqlError(SqlState.invalidParameterValue, `${what} value cannot be infinity`);
  }
  const direction = step.sign();
  if (direction === 0) throw stepIsZero();
  for (let v = start; direction > 0 ? v.compare(stop) <= 0 : v.compare(stop) >= 0; v = v.add(step)) yield v;
}
R.srf('generate_series', ['numeric', 'numeric'], 'numeric', ([a, b]) => numericSeries(a as Numeric, b as Numeric, Numeric.ONE));
R.srf('generate_series', ['numeric', 'numeric', 'numeric'], 'numeric', ([a, b, s]) => numericSeries(a as Numeric, b as Numeric, s as Numeric));

function* timestampSeries(start: bigint, stop: bigint, step: Interval, add: (t: bigint, i: Interval) => bigint): Iterable<SqlValue> {
  const direction = compareIntervals(step, { months: 0, days: 0, micros: 0n });
  if (direction === 0) throw stepIsZero();
  for (let v = start; direction > 0 ? v <= stop : v >= stop; v = add(v, step)) yield v;
}
R.srf('generate_series', ['timestamp', 'timestamp', 'interval'], 'timestamp', ([a, b, s]) => timestampSeries(a as bigint, b as bigint, s as Interval, timestampPlusInterval));
R.srf('generate_series', ['timestamptz', 'timestamptz', 'interval'], 'timestamptz', ([a, b, s], ctx) =>
  timestampSeries(a as bigint, b as bigint, s as Interval, (t, i) => timestamptzPlusInterval(t, i, ctx.codec.timeZone)),
{ volatility: 's' });

R.srf('unnest', ['anyarray'], 'anyelement', ([a]) => (a as SqlArray).elements);

function* subscripts(arr: SqlArray, dim: number, reverse: boolean): Iterable<SqlValue> {
  if (dim < 1 || dim > arr.dims.length) return;
  const lower = arr.lowerBounds[dim - 1] ?? 1;
  const upper = lower + (arr.dims[dim - 1] ?? 0) - 1;
  if (reverse) for (let i = upper; i >= lower; i--) yield i;
  else for (let i = lower; i <= upper; i++) yield i;
}
R.srf('generate_subscripts', ['anyarray', 'int4'], 'int4', ([a, d]) => subscripts(a as SqlArray, d as number, false));
R.srf('generate_subscripts', ['anyarray', 'int4', 'bool'], 'int4', ([a, d, r]) => subscripts(a as SqlArray, d as number, r === true));
