/**
 * Date/time functions and the interval arithmetic operators. Calendar facts (field values, day
 * counts of dates, time zone offsets) come from the date/time codecs of src/types: a value is
 * written in ISO form and its fields read back, or an ISO text is read as a value, so this file holds
 * no second calendar or time zone database.
 */
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { formatText, parseText, type CodecContext } from '../../types/codec.js';
import { Numeric } from '../../types/numeric.js';
import type { Interval, SqlValue } from '../../types/values.js';
import type { EvalContext } from '../context.js';
import { nowMicros } from '../context.js';
import { BUILTINS as R } from './registry.js';
import { checkFloat } from './operators.js';

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;

function isoContext(ctx: EvalContext): CodecContext {
  return { ...ctx.codec, dateStyle: 'ISO, MDY', intervalStyle: 'postgres' };
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
}

/** Fields of a timestamp (no time zone) from its ISO text. */
function timestampFields(ts: bigint, ctx: EvalContext): Fields {
  const text = formatText(Oid.timestamp, ts, isoContext(ctx));
  const m = /^(\d+)-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?( BC)?$/.exec(text);
  if (!m) throw new SqlError(SqlState.datetimeFieldOverflow, `timestamp out of range: "${text}"`);
  const year = Number(m[1]);
  return {
    year: m[8] ? -(year - 1) : year,
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
    micro: m[7] ? Number(m[7].padEnd(6, '0')) : 0,
  };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function yearText(year: number): string {
  return year <= 0 ? `${String(1 - year).padStart(4, '0')}` : String(year).padStart(4, '0');
}

function fieldsToTimestamp(f: Fields, ctx: EvalContext): bigint {
  const bc = f.year <= 0 ? ' BC' : '';
  const text = `${yearText(f.year)}-${pad2(f.month)}-${pad2(f.day)} ${pad2(f.hour)}:${pad2(f.minute)}:${pad2(f.second)}.${String(f.micro).padStart(6, '0')}${bc}`;
  return parseText(Oid.timestamp, text, -1, isoContext(ctx)) as bigint;
}

/** timestamptz → the wall-clock timestamp in the session's time zone. */
export function toLocal(tz: bigint, ctx: EvalContext): bigint {
  const text = formatText(Oid.timestamptz, tz, isoContext(ctx));
  return parseText(Oid.timestamp, text.replace(/[+-]\d\d(:\d\d){0,2}( BC)?$/, '$2'), -1, isoContext(ctx)) as bigint;
}

/** A wall-clock timestamp in the session's time zone → timestamptz. */
export function fromLocal(ts: bigint, ctx: EvalContext): bigint {
  return parseText(Oid.timestamptz, formatText(Oid.timestamp, ts, isoContext(ctx)), -1, isoContext(ctx)) as bigint;
}

function daysInMonth(year: number, month: number): number {
  // Proleptic Gregorian, as PostgreSQL (year 0 = 1 BC is a leap year).
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function addMonths(ts: bigint, months: number, ctx: EvalContext): bigint {
  if (months === 0) return ts;
  const f = timestampFields(ts, ctx);
  const total = f.year * 12 + (f.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return fieldsToTimestamp({ ...f, year, month, day: Math.min(f.day, daysInMonth(year, month)) }, ctx);
}

function timestampPlusInterval(ts: bigint, iv: Interval, ctx: EvalContext): bigint {
  const shifted = addMonths(ts, iv.months, ctx);
  return shifted + BigInt(iv.days) * MICROS_PER_DAY + iv.micros;
}

/** timestamptz + interval: months and days move the local wall clock (DST-aware), the rest is exact time. */
function timestamptzPlusInterval(tz: bigint, iv: Interval, ctx: EvalContext): bigint {
  let t = tz;
  if (iv.months !== 0 || iv.days !== 0) {
    const local = toLocal(t, ctx);
    t = fromLocal(addMonths(local, iv.months, ctx) + BigInt(iv.days) * MICROS_PER_DAY, ctx);
  }
  return t + iv.micros;
}

function negate(iv: Interval): Interval {
  return { months: -iv.months, days: -iv.days, micros: -iv.micros };
}

const iv = (v: SqlValue | undefined): Interval => v as Interval;
const big = (v: SqlValue | undefined): bigint => v as bigint;

R.op('+', ['timestamp', 'interval'], 'timestamp', ([t, i], ctx) => timestampPlusInterval(big(t), iv(i), ctx));
R.op('+', ['interval', 'timestamp'], 'timestamp', ([i, t], ctx) => timestampPlusInterval(big(t), iv(i), ctx));
R.op('-', ['timestamp', 'interval'], 'timestamp', ([t, i], ctx) => timestampPlusInterval(big(t), negate(iv(i)), ctx));
R.op('+', ['timestamptz', 'interval'], 'timestamptz', ([t, i], ctx) => timestamptzPlusInterval(big(t), iv(i), ctx), { volatility: 's' });
R.op('+', ['interval', 'timestamptz'], 'timestamptz', ([i, t], ctx) => timestamptzPlusInterval(big(t), iv(i), ctx), { volatility: 's' });
R.op('-', ['timestamptz', 'interval'], 'timestamptz', ([t, i], ctx) => timestamptzPlusInterval(big(t), negate(iv(i)), ctx), { volatility: 's' });
R.op('+', ['date', 'interval'], 'timestamp', ([d, i], ctx) => timestampPlusInterval(BigInt(d as number) * MICROS_PER_DAY, iv(i), ctx));
R.op('-', ['date', 'interval'], 'timestamp', ([d, i], ctx) => timestampPlusInterval(BigInt(d as number) * MICROS_PER_DAY, negate(iv(i)), ctx));
R.op('+', ['time', 'interval'], 'time', ([t, i]) => (((big(t) + iv(i).micros) % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY);
R.op('-', ['time', 'interval'], 'time', ([t, i]) => (((big(t) - iv(i).micros) % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY);

/** interval * factor, spilling fractional months into days and fractional days into time, as interval_mul. */
function intervalTimes(i: Interval, factor: number): Interval {
  if (!Number.isFinite(factor)) throw new SqlError(SqlState.datetimeFieldOverflow, 'interval out of range');
  const monthsF = i.months * factor;
  const months = Math.trunc(monthsF);
  const daysF = i.days * factor + (monthsF - months) * 30;
  const days = Math.trunc(daysF);
  const microsF = Number(i.micros) * factor + (daysF - days) * 86_400_000_000;
  return { months, days, micros: BigInt(Math.round(microsF)) };
}
R.op('*', ['interval', 'float8'], 'interval', ([i, f]) => intervalTimes(iv(i), f as number));
R.op('*', ['float8', 'interval'], 'interval', ([f, i]) => intervalTimes(iv(i), f as number));
R.op('/', ['interval', 'float8'], 'interval', ([i, f]) => {
  if ((f as number) === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
  return intervalTimes(iv(i), 1 / (f as number));
});

R.fn('now', [], 'timestamptz', (_a, ctx) => ctx.transactionStartMicros, { volatility: 's' });
R.fn('transaction_timestamp', [], 'timestamptz', (_a, ctx) => ctx.transactionStartMicros, { volatility: 's' });
R.fn('statement_timestamp', [], 'timestamptz', (_a, ctx) => ctx.statementStartMicros, { volatility: 's' });
R.fn('clock_timestamp', [], 'timestamptz', () => nowMicros(), { volatility: 'v' });
R.fn('timeofday', [], 'text', (_a, ctx) => formatText(Oid.timestamptz, nowMicros(), ctx.codec), { volatility: 'v' });
/** The SQL value functions CURRENT_DATE, LOCALTIMESTAMP, LOCALTIME (the grammar's SQLValueFunction). */
R.fn('current_date', [], 'date', (_a, ctx) => {
  const local = toLocal(ctx.transactionStartMicros, ctx);
  return Number((local - (((local % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY)) / MICROS_PER_DAY);
}, { volatility: 's' });
R.fn('localtimestamp', [], 'timestamp', (_a, ctx) => toLocal(ctx.transactionStartMicros, ctx), { volatility: 's' });
R.fn('localtime', [], 'time', (_a, ctx) => ((toLocal(ctx.transactionStartMicros, ctx) % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY, { volatility: 's' });

R.fn('to_timestamp', ['float8'], 'timestamptz', ([s]) => {
  const x = s as number;
  if (!Number.isFinite(x)) throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
  return BigInt(Math.round(x * 1e6));
});
R.fn('make_date', ['int4', 'int4', 'int4'], 'date', ([y, m, d], ctx) => {
  const year = y as number;
  const text = `${yearText(year < 0 ? year + 1 : year)}-${pad2(m as number)}-${pad2(d as number)}${year < 0 ? ' BC' : ''}`;
  try {
    return parseText(Oid.date, text, -1, isoContext(ctx));
  } catch {
    throw new SqlError(SqlState.datetimeFieldOverflow, `date field value out of range: ${year}-${pad2(m as number)}-${pad2(d as number)}`);
  }
});
R.fn('make_timestamp', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], 'timestamp', ([y, mo, d, h, mi, s], ctx) => {
  const sec = s as number;
  const whole = Math.floor(sec);
  return fieldsToTimestamp({ year: y as number, month: mo as number, day: d as number, hour: h as number, minute: mi as number, second: whole, micro: Math.round((sec - whole) * 1e6) }, ctx);
});
R.fn('isfinite', ['date'], 'bool', ([d]) => Number.isFinite(d as number));
R.fn('isfinite', ['timestamp'], 'bool', ([t]) => big(t) !== -(2n ** 63n) && big(t) !== 2n ** 63n - 1n);
R.fn('isfinite', ['timestamptz'], 'bool', ([t]) => big(t) !== -(2n ** 63n) && big(t) !== 2n ** 63n - 1n);

R.fn('justify_hours', ['interval'], 'interval', ([i]) => {
  const days = iv(i).micros / MICROS_PER_DAY;
  return { months: iv(i).months, days: iv(i).days + Number(days), micros: iv(i).micros - days * MICROS_PER_DAY };
});
R.fn('justify_days', ['interval'], 'interval', ([i]) => {
  const months = Math.trunc(iv(i).days / 30);
  return { months: iv(i).months + months, days: iv(i).days - months * 30, micros: iv(i).micros };
});

// ---- date_trunc / date_part / extract ----------------------------------------------------------------

const TRUNC_UNITS = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium'] as const;
type TruncUnit = (typeof TRUNC_UNITS)[number];

function truncUnit(text: string, typeName: string): TruncUnit {
  const u = text.toLowerCase().replace(/s$/, '');
  const aliases: Record<string, TruncUnit> = { microsecond: 'microseconds', millisecond: 'milliseconds', us: 'microseconds', ms: 'milliseconds', sec: 'second', min: 'minute', hr: 'hour', mon: 'month', yr: 'year', qtr: 'quarter', decades: 'decade', centurie: 'century', millennia: 'millennium' };
  const found = (TRUNC_UNITS as readonly string[]).includes(u) ? (u as TruncUnit) : aliases[u];
  if (!found) throw new SqlError(SqlState.invalidParameterValue, `unit "${text}" not recognized for type ${typeName}`);
  return found;
}

function truncateTimestamp(ts: bigint, unit: TruncUnit, ctx: EvalContext): bigint {
  const f = timestampFields(ts, ctx);
  switch (unit) {
    case 'microseconds':
      return ts;
    case 'milliseconds':
      return fieldsToTimestamp({ ...f, micro: Math.floor(f.micro / 1000) * 1000 }, ctx);
    case 'second':
      return fieldsToTimestamp({ ...f, micro: 0 }, ctx);
    case 'minute':
      return fieldsToTimestamp({ ...f, second: 0, micro: 0 }, ctx);
    case 'hour':
      return fieldsToTimestamp({ ...f, minute: 0, second: 0, micro: 0 }, ctx);
    case 'day':
      return fieldsToTimestamp({ ...f, hour: 0, minute: 0, second: 0, micro: 0 }, ctx);
    case 'week': {
      const day = fieldsToTimestamp({ ...f, hour: 0, minute: 0, second: 0, micro: 0 }, ctx);
      const dayNumber = Number(floorDiv(day, MICROS_PER_DAY));
      const isoDow = ((((dayNumber + 3) % 7) + 7) % 7); // 1970-01-01 was a Thursday: Monday = 0
      return day - BigInt(isoDow) * MICROS_PER_DAY;
    }
    case 'month':
      return fieldsToTimestamp({ ...f, day: 1, hour: 0, minute: 0, second: 0, micro: 0 }, ctx);
    case 'quarter':
      return fieldsToTimestamp({ ...f, month: Math.floor((f.month - 1) / 3) * 3 + 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0 }, ctx);
    case 'year':
      return fieldsToTimestamp({ ...f, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0 }, ctx);
    case 'decade':
      return fieldsToTimestamp({ ...f, year: Math.floor(f.year / 10) * 10, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0 }, ctx);
    case 'century':
      return fieldsToTimestamp({ ...f, year: Math.floor((f.year - 1) / 100) * 100 + 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0 }, ctx);
    case 'millennium':
      return fieldsToTimestamp({ ...f, year: Math.floor((f.year - 1) / 1000) * 1000 + 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0 }, ctx);
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

R.fn('date_trunc', ['text', 'timestamp'], 'timestamp', ([u, t], ctx) => truncateTimestamp(big(t), truncUnit(u as string, 'timestamp without time zone'), ctx));
R.fn('date_trunc', ['text', 'timestamptz'], 'timestamptz', ([u, t], ctx) => {
  const unit = truncUnit(u as string, 'timestamp with time zone');
  if (unit === 'microseconds' || unit === 'milliseconds' || unit === 'second' || unit === 'minute') {
    return fromLocal(truncateTimestamp(toLocal(big(t), ctx), unit, ctx), ctx);
  }
  return fromLocal(truncateTimestamp(toLocal(big(t), ctx), unit, ctx), ctx);
}, { volatility: 's' });
R.fn('date_trunc', ['text', 'interval'], 'interval', ([u, i]) => {
  const unit = truncUnit(u as string, 'interval');
  const v = iv(i);
  const second = 1_000_000n;
  const minute = 60n * second;
  const hour = 60n * minute;
  switch (unit) {
    case 'microseconds':
      return v;
    case 'milliseconds':
      return { ...v, micros: (v.micros / 1000n) * 1000n };
    case 'second':
      return { ...v, micros: (v.micros / second) * second };
    case 'minute':
      return { ...v, micros: (v.micros / minute) * minute };
    case 'hour':
      return { ...v, micros: (v.micros / hour) * hour };
    case 'day':
      return { ...v, micros: 0n };
    case 'month':
      return { months: v.months, days: 0, micros: 0n };
    case 'year':
      return { months: Math.trunc(v.months / 12) * 12, days: 0, micros: 0n };
    default:
      throw new SqlError(SqlState.featureNotSupported, `unit "${u as string}" not supported for type interval`);
  }
});

/** A date/time field as numeric (extract) — date_part converts it to float8. */
function extractField(field: string, source: { kind: 'timestamp' | 'timestamptz' | 'date' | 'time' | 'interval'; value: SqlValue }, ctx: EvalContext): Numeric {
  const f = field.toLowerCase();
  const typeName = { timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone', date: 'date', time: 'time without time zone', interval: 'interval' }[source.kind];
  const unsupported = (): SqlError => new SqlError(SqlState.featureNotSupported, `unit "${field}" not supported for type ${typeName}`);
  const n = (x: number | bigint, scale = 0): Numeric => Numeric.of(BigInt(x), scale);
  if (source.kind === 'interval') {
    const v = iv(source.value);
    const totalMicros = v.micros;
    switch (f) {
      case 'epoch': {
        const micros = (BigInt(v.months) * 30n + BigInt(v.days)) * MICROS_PER_DAY + totalMicros;
        // months count as 365.25/12 days in epoch, as PostgreSQL.
        const yearsMicros = BigInt(Math.trunc(v.months / 12)) * 31_557_600n * MICROS_PER_SECOND;
        const restMonths = BigInt(v.months % 12) * 30n * MICROS_PER_DAY;
        return n(yearsMicros + restMonths + BigInt(v.days) * MICROS_PER_DAY + totalMicros + (micros - micros), 6);
      }
      case 'year':
      case 'years':
        return n(Math.trunc(v.months / 12));
      case 'month':
      case 'months':
        return n(v.months % 12);
      case 'day':
      case 'days':
        return n(v.days);
      case 'hour':
      case 'hours':
        return n(totalMicros / 3_600_000_000n);
      case 'minute':
      case 'minutes':
        return n((totalMicros % 3_600_000_000n) / 60_000_000n);
      case 'second':
      case 'seconds':
        return n(totalMicros % 60_000_000n, 6);
      case 'millisecond':
      case 'milliseconds':
        return n(totalMicros % 60_000_000n, 3);
      case 'microsecond':
      case 'microseconds':
        return n(totalMicros % 60_000_000n);
      default:
        throw unsupported();
    }
  }
  if (source.kind === 'time') {
    const t = big(source.value);
    switch (f) {
      case 'hour':
        return n(t / 3_600_000_000n);
      case 'minute':
        return n((t % 3_600_000_000n) / 60_000_000n);
      case 'second':
        return n(t % 60_000_000n, 6);
      case 'millisecond':
      case 'milliseconds':
        return n(t % 60_000_000n, 3);
      case 'microsecond':
      case 'microseconds':
        return n(t % 60_000_000n);
      case 'epoch':
        return n(t, 6);
      default:
        throw unsupported();
    }
  }
  const isDate = source.kind === 'date';
  const utc = source.kind === 'date' ? BigInt(source.value as number) * MICROS_PER_DAY : big(source.value);
  const ts = source.kind === 'timestamptz' ? toLocal(utc, ctx) : utc;
  if (f === 'epoch') return isDate ? n(utc / MICROS_PER_SECOND) : n(utc, 6);
  const fl = timestampFields(ts, ctx);
  const dayNumber = Number(floorDiv(ts, MICROS_PER_DAY));
  const dow = (((dayNumber + 4) % 7) + 7) % 7;
  switch (f) {
    case 'year':
      return n(fl.year <= 0 ? fl.year - 1 : fl.year);
    case 'month':
      return n(fl.month);
    case 'day':
      return n(fl.day);
    case 'hour':
      if (isDate) throw unsupported();
      return n(fl.hour);
    case 'minute':
      if (isDate) throw unsupported();
      return n(fl.minute);
    case 'second':
      if (isDate) throw unsupported();
      return n(BigInt(fl.second) * 1_000_000n + BigInt(fl.micro), 6);
    case 'millisecond':
    case 'milliseconds':
      if (isDate) throw unsupported();
      return n(BigInt(fl.second) * 1_000_000n + BigInt(fl.micro), 3);
    case 'microsecond':
    case 'microseconds':
      if (isDate) throw unsupported();
      return n(BigInt(fl.second) * 1_000_000n + BigInt(fl.micro));
    case 'dow':
      return n(dow);
    case 'isodow':
      return n(dow === 0 ? 7 : dow);
    case 'doy': {
      const jan1 = fieldsToTimestamp({ ...fl, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0 }, ctx);
      return n(Number(floorDiv(ts - jan1, MICROS_PER_DAY)) + 1);
    }
    case 'quarter':
      return n(Math.floor((fl.month - 1) / 3) + 1);
    case 'week': {
      const thursday = dayNumber - (dow === 0 ? 6 : dow - 1) + 3;
      const thursdayYear = timestampFields(BigInt(thursday) * MICROS_PER_DAY, ctx).year;
      const jan1 = Number(floorDiv(fieldsToTimestamp({ year: thursdayYear, month: 1, day: 1, hour: 0, minute: 0, second: 0, micro: 0 }, ctx), MICROS_PER_DAY));
      return n(Math.floor((thursday - jan1) / 7) + 1);
    }
    case 'decade':
      return n(Math.floor(fl.year / 10));
    case 'century':
      return n(fl.year > 0 ? Math.floor((fl.year + 99) / 100) : -Math.floor((99 - (fl.year - 1)) / 100));
    case 'millennium':
      return n(fl.year > 0 ? Math.floor((fl.year + 999) / 1000) : -Math.floor((999 - (fl.year - 1)) / 1000));
    case 'julian':
      return n(dayNumber + 2440588);
    case 'timezone':
      if (source.kind !== 'timestamptz') throw unsupported();
      return n((ts - utc) / MICROS_PER_SECOND);
    default:
      throw new SqlError(SqlState.invalidParameterValue, `unit "${field}" not recognized for type ${typeName}`);
  }
}

function trimScale(x: Numeric): Numeric {
  return x;
}

for (const [t, kind] of [['timestamp', 'timestamp'], ['timestamptz', 'timestamptz'], ['date', 'date'], ['time', 'time'], ['interval', 'interval']] as const) {
  R.fn('extract', ['text', t], 'numeric', ([u, v], ctx) => trimScale(extractField(u as string, { kind, value: v! }, ctx)), { volatility: kind === 'timestamptz' ? 's' : 'i' });
  R.fn('date_part', ['text', t], 'float8', ([u, v], ctx) => checkFloat(Number(extractField(u as string, { kind, value: v! }, ctx).toString()), true, true, false), { volatility: kind === 'timestamptz' ? 's' : 'i' });
}

/** age(a, b): the symbolic difference in years, months and days, as PostgreSQL's timestamp_age. */
function age(a: bigint, b: bigint, ctx: EvalContext): Interval {
  const fa = timestampFields(a, ctx);
  const fb = timestampFields(b, ctx);
  const sign = a < b ? -1 : 1;
  const [hi, lo] = sign < 0 ? [fb, fa] : [fa, fb];
  let micros = (((hi.hour - lo.hour) * 60 + (hi.minute - lo.minute)) * 60 + (hi.second - lo.second)) * 1_000_000 + (hi.micro - lo.micro);
  let days = hi.day - lo.day;
  let months = hi.month - lo.month;
  let years = hi.year - lo.year;
  while (micros < 0) {
    micros += 86_400_000_000;
    days -= 1;
  }
  while (days < 0) {
    const prevMonth = hi.month - 1 < 1 ? 12 : hi.month - 1;
    days += daysInMonth(hi.month - 1 < 1 ? hi.year - 1 : hi.year, prevMonth);
    months -= 1;
  }
  while (months < 0) {
    months += 12;
    years -= 1;
  }
  return { months: sign * (years * 12 + months), days: sign * days, micros: BigInt(sign * micros) };
}
R.fn('age', ['timestamp', 'timestamp'], 'interval', ([a, b], ctx) => age(big(a), big(b), ctx));
R.fn('age', ['timestamptz', 'timestamptz'], 'interval', ([a, b], ctx) => age(toLocal(big(a), ctx), toLocal(big(b), ctx), ctx), { volatility: 's' });
R.fn('age', ['timestamp'], 'interval', ([a], ctx) => {
  const today = toLocal(ctx.transactionStartMicros, ctx);
  return age(floorDiv(today, MICROS_PER_DAY) * MICROS_PER_DAY, big(a), ctx);
}, { volatility: 's' });
R.fn('age', ['timestamptz'], 'interval', ([a], ctx) => {
  const today = toLocal(ctx.transactionStartMicros, ctx);
  return age(floorDiv(today, MICROS_PER_DAY) * MICROS_PER_DAY, toLocal(big(a), ctx), ctx);
}, { volatility: 's' });
