/**
 * Date/time functions and operators, registered over the date/time arithmetic of src/types
 * (calendar, time zones, truncation and field extraction live there, once).
 */
import { SqlError, SqlState } from '../../errors.js';
import { Numeric } from '../../types/numeric.js';
import type { Interval, SqlValue } from '../../types/values.js';
import {
  dateDifference,
  datePlusDays,
  dateToTimestamp,
  extractFromDate,
  extractFromInterval,
  extractFromTimestamp,
  extractFromTimestamptz,
  intervalTrunc,
  makeTimestamp,
  timestampAge,
  timestampDifference,
  timestampMinusInterval,
  timestampPlusInterval,
  timestampToTimestamptz,
  timestampTrunc,
  timestamptzAge,
  timestamptzMinusInterval,
  timestamptzPlusInterval,
  timestamptzToDate,
  timestamptzToTimestamp,
  timestamptzTrunc,
} from '../../types/datetime.js';
import { intervalAdd, intervalDiv, intervalMul, intervalNeg, intervalSub, justifyDays, justifyHours, justifyInterval } from '../../types/interval.js';
import { timeZoneFor } from '../../types/timezone.js';
import { daysInMonth, isFiniteTimestamp, USECS_PER_DAY } from '../../types/calendar.js';
import { formatText } from '../../types/codec.js';
import { Oid } from '../../types/oids.js';
import type { EvalContext } from '../context.js';
import { nowMicros } from '../context.js';
import { BUILTINS as R } from './registry.js';

const iv = (v: SqlValue | undefined): Interval => v as Interval;
const big = (v: SqlValue | undefined): bigint => v as bigint;
const zoneOf = (ctx: EvalContext): string => ctx.codec.timeZone;

/** A time zone named in AT TIME ZONE / timezone(); 22023 when unknown. */
function namedZone(name: string): string {
  if (!timeZoneFor(name)) throw new SqlError(SqlState.invalidParameterValue, `time zone "${name}" not recognized`);
  return name;
}

R.op('+', ['timestamp', 'interval'], 'timestamp', ([t, i]) => timestampPlusInterval(big(t), iv(i)));
R.op('+', ['interval', 'timestamp'], 'timestamp', ([i, t]) => timestampPlusInterval(big(t), iv(i)));
R.op('-', ['timestamp', 'interval'], 'timestamp', ([t, i]) => timestampMinusInterval(big(t), iv(i)));
R.op('+', ['timestamptz', 'interval'], 'timestamptz', ([t, i], ctx) => timestamptzPlusInterval(big(t), iv(i), zoneOf(ctx)), { volatility: 's' });
R.op('+', ['interval', 'timestamptz'], 'timestamptz', ([i, t], ctx) => timestamptzPlusInterval(big(t), iv(i), zoneOf(ctx)), { volatility: 's' });
R.op('-', ['timestamptz', 'interval'], 'timestamptz', ([t, i], ctx) => timestamptzMinusInterval(big(t), iv(i), zoneOf(ctx)), { volatility: 's' });
R.op('+', ['date', 'interval'], 'timestamp', ([d, i]) => timestampPlusInterval(dateToTimestamp(d as number), iv(i)));
R.op('-', ['date', 'interval'], 'timestamp', ([d, i]) => timestampMinusInterval(dateToTimestamp(d as number), iv(i)));
R.op('+', ['date', 'int4'], 'date', ([d, n]) => datePlusDays(d as number, n as number));
R.op('+', ['int4', 'date'], 'date', ([n, d]) => datePlusDays(d as number, n as number));
R.op('-', ['date', 'int4'], 'date', ([d, n]) => datePlusDays(d as number, -(n as number)));
R.op('-', ['date', 'date'], 'int4', ([a, b]) => dateDifference(a as number, b as number));
R.op('+', ['date', 'time'], 'timestamp', ([d, t]) => dateToTimestamp(d as number) + big(t));
R.op('-', ['timestamp', 'timestamp'], 'interval', ([a, b]) => timestampDifference(big(a), big(b)));
R.op('-', ['timestamptz', 'timestamptz'], 'interval', ([a, b]) => timestampDifference(big(a), big(b)));
R.op('-', ['time', 'time'], 'interval', ([a, b]) => ({ months: 0, days: 0, micros: big(a) - big(b) }));
R.op('+', ['time', 'interval'], 'time', ([t, i]) => (((big(t) + iv(i).micros) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY);
R.op('-', ['time', 'interval'], 'time', ([t, i]) => (((big(t) - iv(i).micros) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY);
R.op('+', ['interval', 'interval'], 'interval', ([a, b]) => intervalAdd(iv(a), iv(b)));
R.op('-', ['interval', 'interval'], 'interval', ([a, b]) => intervalSub(iv(a), iv(b)));
R.op('-', ['interval'], 'interval', ([a]) => intervalNeg(iv(a)));
R.op('*', ['interval', 'float8'], 'interval', ([i, f]) => intervalMul(iv(i), f as number));
R.op('*', ['float8', 'interval'], 'interval', ([f, i]) => intervalMul(iv(i), f as number));
R.op('/', ['interval', 'float8'], 'interval', ([i, f]) => {
  if ((f as number) === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
  return intervalDiv(iv(i), f as number);
});

R.fn('now', [], 'timestamptz', (_a, ctx) => ctx.transactionStartMicros, { volatility: 's' });
R.fn('transaction_timestamp', [], 'timestamptz', (_a, ctx) => ctx.transactionStartMicros, { volatility: 's' });
R.fn('statement_timestamp', [], 'timestamptz', (_a, ctx) => ctx.statementStartMicros, { volatility: 's' });
R.fn('clock_timestamp', [], 'timestamptz', () => nowMicros(), { volatility: 'v' });
R.fn('timeofday', [], 'text', (_a, ctx) => formatText(Oid.timestamptz, nowMicros(), ctx.codec), { volatility: 'v' });
/** The SQL value functions CURRENT_DATE, LOCALTIMESTAMP, LOCALTIME (the grammar's SQLValueFunction). */
R.fn('current_date', [], 'date', (_a, ctx) => timestamptzToDate(ctx.transactionStartMicros, zoneOf(ctx)), { volatility: 's' });
R.fn('localtimestamp', [], 'timestamp', (_a, ctx) => timestamptzToTimestamp(ctx.transactionStartMicros, zoneOf(ctx)), { volatility: 's' });
R.fn('localtime', [], 'time', (_a, ctx) => {
  const local = timestamptzToTimestamp(ctx.transactionStartMicros, zoneOf(ctx));
  return ((local % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
}, { volatility: 's' });

/** AT TIME ZONE (the grammar calls timezone(zone, value)). */
R.fn('timezone', ['text', 'timestamptz'], 'timestamp', ([z, t]) => timestamptzToTimestamp(big(t), namedZone(z as string)));
R.fn('timezone', ['text', 'timestamp'], 'timestamptz', ([z, t]) => timestampToTimestamptz(big(t), namedZone(z as string)));

R.fn('to_timestamp', ['float8'], 'timestamptz', ([s]) => {
  const x = s as number;
  if (Number.isNaN(x)) throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp cannot be NaN');
  if (!Number.isFinite(x)) return x > 0 ? 2n ** 63n - 1n : -(2n ** 63n);
  return BigInt(Math.round(x * 1e6));
});
R.fn('make_date', ['int4', 'int4', 'int4'], 'date', ([y, m, d]) => {
  const year = y as number;
  const month = m as number;
  const day = d as number;
  if (month < 1 || month > 12 || day < 1 || year === 0 || day > daysInMonth(year < 0 ? year + 1 : year, month)) {
    throw new SqlError(SqlState.datetimeFieldOverflow, `date field value out of range: ${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  }
  return Number(makeTimestamp(year < 0 ? year + 1 : year, month, day, 0n) / USECS_PER_DAY);
});
R.fn('make_timestamp', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], 'timestamp', ([y, mo, d, h, mi, s]) => {
  const micros = BigInt(Math.round((((h as number) * 60 + (mi as number)) * 60 + (s as number)) * 1e6));
  return makeTimestamp(y as number, mo as number, d as number, micros);
});
R.fn('isfinite', ['date'], 'bool', ([d]) => Number.isFinite(d as number));
R.fn('isfinite', ['timestamp'], 'bool', ([t]) => isFiniteTimestamp(big(t)));
R.fn('isfinite', ['timestamptz'], 'bool', ([t]) => isFiniteTimestamp(big(t)));
R.fn('justify_hours', ['interval'], 'interval', ([i]) => justifyHours(iv(i)));
R.fn('justify_days', ['interval'], 'interval', ([i]) => justifyDays(iv(i)));
R.fn('justify_interval', ['interval'], 'interval', ([i]) => justifyInterval(iv(i)));

R.fn('date_trunc', ['text', 'timestamp'], 'timestamp', ([u, t]) => timestampTrunc(u as string, big(t)));
R.fn('date_trunc', ['text', 'timestamptz'], 'timestamptz', ([u, t], ctx) => timestamptzTrunc(u as string, big(t), zoneOf(ctx)), { volatility: 's' });
R.fn('date_trunc', ['text', 'timestamptz', 'text'], 'timestamptz', ([u, t, z]) => timestamptzTrunc(u as string, big(t), namedZone(z as string)));
R.fn('date_trunc', ['text', 'interval'], 'interval', ([u, i]) => intervalTrunc(u as string, iv(i)));

/** extract() returns numeric; date_part() the same value as float8. */
function extractField(unit: string, kind: 'timestamp' | 'timestamptz' | 'date' | 'time' | 'interval', v: SqlValue, ctx: EvalContext): Numeric | null {
  switch (kind) {
    case 'timestamp':
      return extractFromTimestamp(unit, big(v));
    case 'timestamptz':
      return extractFromTimestamptz(unit, big(v), zoneOf(ctx));
    case 'date':
      return extractFromDate(unit, v as number);
    case 'interval':
      return extractFromInterval(unit, iv(v));
    case 'time':
      // A time of day is an interval of less than a day for every field extract knows.
      return extractFromInterval(unit, { months: 0, days: 0, micros: big(v) });
  }
}

for (const kind of ['timestamp', 'timestamptz', 'date', 'time', 'interval'] as const) {
  const volatility = kind === 'timestamptz' ? 's' : 'i';
  R.fn('extract', ['text', kind], 'numeric', ([u, v], ctx) => extractField(u as string, kind, v!, ctx), { volatility });
  R.fn('date_part', ['text', kind], 'float8', ([u, v], ctx) => {
    const n = extractField(u as string, kind, v!, ctx);
    return n === null ? null : n.toNumber();
  }, { volatility });
}

R.fn('age', ['timestamp', 'timestamp'], 'interval', ([a, b]) => timestampAge(big(a), big(b)));
R.fn('age', ['timestamptz', 'timestamptz'], 'interval', ([a, b], ctx) => timestamptzAge(big(a), big(b), zoneOf(ctx)), { volatility: 's' });
R.fn('age', ['timestamp'], 'interval', ([a], ctx) => {
  const today = timestamptzToDate(ctx.transactionStartMicros, zoneOf(ctx));
  return timestampAge(dateToTimestamp(today), big(a));
}, { volatility: 's' });
R.fn('age', ['timestamptz'], 'interval', ([a], ctx) => {
  const zone = zoneOf(ctx);
  const midnight = timestampToTimestamptz(dateToTimestamp(timestamptzToDate(ctx.transactionStartMicros, zone)), zone);
  return timestamptzAge(midnight, big(a), zone);
}, { volatility: 's' });
