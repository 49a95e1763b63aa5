/**
 * Date/time arithmetic for the SQL engine, as PostgreSQL computes it: timestamp ± interval (months
 * clamp the day of month; timestamptz adds months and days in the session zone), timestamp −
 * timestamp (justified hours), date arithmetic, age(), date_trunc(), extract()/date_part(), and
 * conversions between date, timestamp and timestamptz.
 */
import { SqlError, SqlState } from '../errors.js';
import {
  POSTGRES_EPOCH_USECS,
  TIMESTAMP_INFINITY,
  TIMESTAMP_MINUS_INFINITY,
  USECS_PER_DAY,
  USECS_PER_SEC,
  bigFloorDiv,
  civilFromDays,
  dayOfWeek,
  daysFromCivil,
  daysFromIsoWeek,
  daysInMonth,
  isFiniteTimestamp,
  isValidDate,
  isValidTimestamp,
  isoWeek,
  partsToTimestamp,
  timestampToParts,
  UNIX_EPOCH_JDATE,
  type TimestampParts,
} from './calendar.js';
import { sessionTimeZone } from './datetime-parse.js';
import { intervalUnitOf, justifyHours } from './interval.js';
import { Numeric } from './numeric.js';
import { localToUtc, utcToLocal, type TimeZone } from './timezone.js';
import type { Interval } from './values.js';

export function timestampOutOfRange(): SqlError {
  return new SqlError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
}

function checkTimestamp(ts: bigint): bigint {
  if (!isValidTimestamp(ts)) throw timestampOutOfRange();
  return ts;
}

/** Adds months to civil fields, clamping the day to the month's length. */
function addMonthsToParts(p: TimestampParts, months: number): TimestampParts {
  const total = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return { ...p, year, month, day: Math.min(p.day, daysInMonth(year, month)) };
}

function addDaysToParts(p: TimestampParts, days: number): TimestampParts {
  const c = civilFromDays(daysFromCivil(p.year, p.month, p.day) + days);
  return { ...p, ...c };
}

/** timestamp + interval (no zone). */
export function timestampPlusInterval(ts: bigint, span: Interval): bigint {
  if (!isFiniteTimestamp(ts)) return ts;
  let t = ts;
  if (span.months !== 0) t = checkTimestamp(partsToTimestamp(addMonthsToParts(timestampToParts(checkTimestamp(t)), span.months)));
  if (span.days !== 0) t = checkTimestamp(partsToTimestamp(addDaysToParts(timestampToParts(checkTimestamp(t)), span.days)));
  return checkTimestamp(t + span.micros);
}

export function timestampMinusInterval(ts: bigint, span: Interval): bigint {
  return timestampPlusInterval(ts, { months: -span.months, days: -span.days, micros: -span.micros });
}

/** timestamptz + interval: months and days move the local wall clock in `zone`, then µs are added. */
export function timestamptzPlusInterval(ts: bigint, span: Interval, zone: TimeZone | string): bigint {
  if (!isFiniteTimestamp(ts)) return ts;
  const z = typeof zone === 'string' ? sessionTimeZone(zone) : zone;
  let t = ts;
  if (span.months !== 0) {
    const local = utcToLocal(z, checkTimestamp(t));
    t = checkTimestamp(localToUtc(z, partsToTimestamp(addMonthsToParts(timestampToParts(local), span.months))));
  }
  if (span.days !== 0) {
    const local = utcToLocal(z, checkTimestamp(t));
    t = checkTimestamp(localToUtc(z, partsToTimestamp(addDaysToParts(timestampToParts(local), span.days))));
  }
  return checkTimestamp(t + span.micros);
}

export function timestamptzMinusInterval(ts: bigint, span: Interval, zone: TimeZone | string): bigint {
  return timestamptzPlusInterval(ts, { months: -span.months, days: -span.days, micros: -span.micros }, zone);
}

/** timestamp − timestamp (either kind): the µs difference with whole days split out (justify_hours). */
export function timestampDifference(a: bigint, b: bigint): Interval {
  if (!isFiniteTimestamp(a) || !isFiniteTimestamp(b)) {
    throw new SqlError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite timestamps');
  }
  const diff = a - b;
  if (diff > 9223372036854775807n || diff < -9223372036854775808n) throw new SqlError(SqlState.datetimeFieldOverflow, 'interval out of range');
  return justifyHours({ months: 0, days: 0, micros: diff });
}

// ---------------------------------------------------------------------------------------------
// date

export function dateOutOfRange(): SqlError {
  return new SqlError(SqlState.datetimeFieldOverflow, 'date out of range');
}

/** date + integer days. */
export function datePlusDays(date: number, days: number): number {
  if (!Number.isFinite(date)) return date;
  const r = date + days;
  if (!isValidDate(r)) throw dateOutOfRange();
  return r;
}

/** date − date → integer days. */
export function dateDifference(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new SqlError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite dates');
  return a - b;
}

/** date → timestamp (midnight). */
export function dateToTimestamp(date: number): bigint {
  if (date === Infinity) return TIMESTAMP_INFINITY;
  if (date === -Infinity) return TIMESTAMP_MINUS_INFINITY;
  return checkTimestamp(BigInt(date) * USECS_PER_DAY);
}

/** date → timestamptz: local midnight in the zone. */
export function dateToTimestamptz(date: number, zone: TimeZone | string): bigint {
  const ts = dateToTimestamp(date);
  if (!isFiniteTimestamp(ts)) return ts;
  return checkTimestamp(localToUtc(typeof zone === 'string' ? sessionTimeZone(zone) : zone, ts));
}

/** timestamp → date (the day it falls on). */
export function timestampToDate(ts: bigint): number {
  if (ts === TIMESTAMP_INFINITY) return Infinity;
  if (ts === TIMESTAMP_MINUS_INFINITY) return -Infinity;
  return Number(bigFloorDiv(ts, USECS_PER_DAY));
}

/** timestamptz → date in the zone. */
export function timestamptzToDate(ts: bigint, zone: TimeZone | string): number {
  if (!isFiniteTimestamp(ts)) return timestampToDate(ts);
  return timestampToDate(utcToLocal(typeof zone === 'string' ? sessionTimeZone(zone) : zone, ts));
}

/** timestamp → timestamptz: the wall-clock time read in the zone. */
export function timestampToTimestamptz(ts: bigint, zone: TimeZone | string): bigint {
  if (!isFiniteTimestamp(ts)) return ts;
  return checkTimestamp(localToUtc(typeof zone === 'string' ? sessionTimeZone(zone) : zone, ts));
}

/** timestamptz → timestamp: the wall-clock time in the zone (also AT TIME ZONE). */
export function timestamptzToTimestamp(ts: bigint, zone: TimeZone | string): bigint {
  if (!isFiniteTimestamp(ts)) return ts;
  return checkTimestamp(utcToLocal(typeof zone === 'string' ? sessionTimeZone(zone) : zone, ts));
}

/** timestamp → time of day. */
export function timestampToTime(ts: bigint): bigint {
  return ts - bigFloorDiv(ts, USECS_PER_DAY) * USECS_PER_DAY;
}

// ---------------------------------------------------------------------------------------------
// age

/** age(a, b) on local civil fields: field-wise difference with borrows, months as PostgreSQL counts them. */
function ageOfParts(p1: TimestampParts, p2: TimestampParts, aBeforeB: boolean): Interval {
  let fsec = p1.microsecond - p2.microsecond;
  let sec = p1.second - p2.second;
  let min = p1.minute - p2.minute;
  let hour = p1.hour - p2.hour;
  let mday = p1.day - p2.day;
  let mon = p1.month - p2.month;
  let year = p1.year - p2.year;
  if (aBeforeB) {
    fsec = -fsec; sec = -sec; min = -min; hour = -hour; mday = -mday; mon = -mon; year = -year;
  }
  while (fsec < 0) { fsec += 1_000_000; sec--; }
  while (sec < 0) { sec += 60; min--; }
  while (min < 0) { min += 60; hour--; }
  while (hour < 0) { hour += 24; mday--; }
  while (mday < 0) {
    const ref = aBeforeB ? p1 : p2;
    mday += daysInMonth(ref.year, ref.month);
    mon--;
  }
  while (mon < 0) { mon += 12; year--; }
  if (aBeforeB) {
    fsec = -fsec; sec = -sec; min = -min; hour = -hour; mday = -mday; mon = -mon; year = -year;
  }
  const micros = ((BigInt(hour) * 60n + BigInt(min)) * 60n + BigInt(sec)) * USECS_PER_SEC + BigInt(fsec);
  return { months: year * 12 + mon, days: mday, micros };
}

export function timestampAge(a: bigint, b: bigint): Interval {
  if (!isFiniteTimestamp(a) || !isFiniteTimestamp(b)) throw new SqlError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite timestamps');
  return ageOfParts(timestampToParts(a), timestampToParts(b), a < b);
}

export function timestamptzAge(a: bigint, b: bigint, zone: TimeZone | string): Interval {
  if (!isFiniteTimestamp(a) || !isFiniteTimestamp(b)) throw new SqlError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite timestamps');
  const z = typeof zone === 'string' ? sessionTimeZone(zone) : zone;
  return ageOfParts(timestampToParts(utcToLocal(z, a)), timestampToParts(utcToLocal(z, b)), a < b);
}

// ---------------------------------------------------------------------------------------------
// date_trunc and extract

export type DateTimeUnit =
  | 'microseconds' | 'milliseconds' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'
  | 'decade' | 'century' | 'millennium' | 'dow' | 'isodow' | 'doy' | 'epoch' | 'julian' | 'isoyear'
  | 'timezone' | 'timezone_hour' | 'timezone_minute';

/** The unit a date_trunc/extract field name means (PostgreSQL accepts plurals and abbreviations). */
export function dateTimeUnit(name: string): DateTimeUnit | undefined {
  const w = name.toLowerCase();
  const special: Record<string, DateTimeUnit> = {
    dow: 'dow', isodow: 'isodow', doy: 'doy', epoch: 'epoch', julian: 'julian', j: 'julian', jd: 'julian',
    isoyear: 'isoyear', timezone: 'timezone', timezone_h: 'timezone_hour', timezone_hour: 'timezone_hour',
    timezone_m: 'timezone_minute', timezone_minute: 'timezone_minute',
  };
  if (special[w]) return special[w];
  const unit = intervalUnitOf(w);
  switch (unit) {
    case 'microsecond':
      return 'microseconds';
    case 'millisecond':
      return 'milliseconds';
    case 'second':
    case 'minute':
    case 'hour':
    case 'day':
    case 'week':
    case 'month':
    case 'quarter':
    case 'year':
    case 'decade':
    case 'century':
    case 'millennium':
      return unit;
    default:
      return undefined;
  }
}

function unitError(name: string, typeName: string, recognized: boolean): SqlError {
  return recognized
    ? new SqlError(SqlState.featureNotSupported, `unit "${name}" not supported for type ${typeName}`)
    : new SqlError(SqlState.invalidParameterValue, `unit "${name}" not recognized for type ${typeName}`);
}

/** Truncates civil fields to `unit`; null when the unit cannot truncate. */
function truncateParts(p: TimestampParts, unit: DateTimeUnit): TimestampParts | null {
  let { year, month, day, hour, minute, second, microsecond } = p;
  switch (unit) {
    case 'week': {
      const days = daysFromCivil(year, month, day);
      const { isoYear, week } = isoWeek(days);
      const c = civilFromDays(daysFromIsoWeek(isoYear, week));
      return { ...c, hour: 0, minute: 0, second: 0, microsecond: 0 };
    }
    case 'millennium':
      year = year > 0 ? Math.trunc((year + 999) / 1000) * 1000 - 999 : -Math.trunc((999 - (year - 1)) / 1000) * 1000 + 1;
      month = 1; day = 1; hour = 0; minute = 0; second = 0; microsecond = 0;
      break;
    case 'century':
      year = year > 0 ? Math.trunc((year + 99) / 100) * 100 - 99 : -Math.trunc((99 - (year - 1)) / 100) * 100 + 1;
      month = 1; day = 1; hour = 0; minute = 0; second = 0; microsecond = 0;
      break;
    case 'decade':
      year = year > 0 ? Math.trunc(year / 10) * 10 : -Math.trunc((8 - (year - 1)) / 10) * 10;
      month = 1; day = 1; hour = 0; minute = 0; second = 0; microsecond = 0;
      break;
    case 'year':
      month = 1; day = 1; hour = 0; minute = 0; second = 0; microsecond = 0;
      break;
    case 'quarter':
      month = 3 * Math.trunc((month - 1) / 3) + 1; day = 1; hour = 0; minute = 0; second = 0; microsecond = 0;
      break;
    case 'month':
      day = 1; hour = 0; minute = 0; second = 0; microsecond = 0;
      break;
    case 'day':
      hour = 0; minute = 0; second = 0; microsecond = 0;
      break;
    case 'hour':
      minute = 0; second = 0; microsecond = 0;
      break;
    case 'minute':
      second = 0; microsecond = 0;
      break;
    case 'second':
      microsecond = 0;
      break;
    case 'milliseconds':
      microsecond = Math.trunc(microsecond / 1000) * 1000;
      break;
    case 'microseconds':
      break;
    default:
      return null;
  }
  return { year, month, day, hour, minute, second, microsecond };
}

const DAY_OR_LARGER = new Set<DateTimeUnit>(['day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium']);

/** date_trunc(unit, timestamp). */
export function timestampTrunc(unitName: string, ts: bigint): bigint {
  const unit = dateTimeUnit(unitName);
  const typeName = 'timestamp without time zone';
  if (!unit) throw unitError(unitName, typeName, false);
  if (!isFiniteTimestamp(ts)) return ts;
  const p = truncateParts(timestampToParts(ts), unit);
  if (!p) throw unitError(unitName, typeName, true);
  return checkTimestamp(partsToTimestamp(p));
}

/** date_trunc(unit, timestamptz [, zone]): truncates the local time; day and larger units re-resolve the zone offset. */
export function timestamptzTrunc(unitName: string, ts: bigint, zone: TimeZone | string): bigint {
  const unit = dateTimeUnit(unitName);
  const typeName = 'timestamp with time zone';
  if (!unit) throw unitError(unitName, typeName, false);
  if (!isFiniteTimestamp(ts)) return ts;
  const z = typeof zone === 'string' ? sessionTimeZone(zone) : zone;
  const local = utcToLocal(z, ts);
  const p = truncateParts(timestampToParts(local), unit);
  if (!p) throw unitError(unitName, typeName, true);
  const truncated = partsToTimestamp(p);
  if (DAY_OR_LARGER.has(unit)) return checkTimestamp(localToUtc(z, truncated));
  return checkTimestamp(truncated - (local - ts));
}

/** date_trunc on an interval. */
export function intervalTrunc(unitName: string, iv: Interval): Interval {
  const unit = dateTimeUnit(unitName);
  if (!unit) throw unitError(unitName, 'interval', false);
  let year = Math.trunc(iv.months / 12);
  let mon = iv.months - year * 12;
  let day = iv.days;
  let t = iv.micros;
  const hourUs = 3_600_000_000n;
  const minUs = 60_000_000n;
  switch (unit) {
    case 'millennium':
      year = Math.trunc(year / 1000) * 1000; mon = 0; day = 0; t = 0n;
      break;
    case 'century':
      year = Math.trunc(year / 100) * 100; mon = 0; day = 0; t = 0n;
      break;
    case 'decade':
      year = Math.trunc(year / 10) * 10; mon = 0; day = 0; t = 0n;
      break;
    case 'year':
      mon = 0; day = 0; t = 0n;
      break;
    case 'quarter':
      mon = 3 * Math.trunc(mon / 3); day = 0; t = 0n;
      break;
    case 'month':
      day = 0; t = 0n;
      break;
    case 'day':
      t = 0n;
      break;
    case 'hour':
      t = (t / hourUs) * hourUs;
      break;
    case 'minute':
      t = (t / minUs) * minUs;
      break;
    case 'second':
      t = (t / USECS_PER_SEC) * USECS_PER_SEC;
      break;
    case 'milliseconds':
      t = (t / 1000n) * 1000n;
      break;
    case 'microseconds':
      break;
    default:
      throw unitError(unitName, 'interval', true);
  }
  return { months: year * 12 + mon, days: day, micros: t };
}

/** value / 10^scale as a numeric with that scale (int64_div_fast_to_numeric). */
function scaled(value: bigint, scale: number): Numeric {
  return Numeric.of(value, scale);
}

function civilField(unit: DateTimeUnit, p: TimestampParts): Numeric | undefined {
  const days = daysFromCivil(p.year, p.month, p.day);
  const y = p.year;
  switch (unit) {
    case 'day':
      return Numeric.fromBigInt(BigInt(p.day));
    case 'month':
      return Numeric.fromBigInt(BigInt(p.month));
    case 'quarter':
      return Numeric.fromBigInt(BigInt(Math.trunc((p.month - 1) / 3) + 1));
    case 'week':
      return Numeric.fromBigInt(BigInt(isoWeek(days).week));
    case 'year':
      return Numeric.fromBigInt(BigInt(y > 0 ? y : y - 1));
    case 'decade':
      return Numeric.fromBigInt(BigInt(y >= 0 ? Math.trunc(y / 10) : -Math.trunc((8 - (y - 1)) / 10)));
    case 'century':
      return Numeric.fromBigInt(BigInt(y > 0 ? Math.trunc((y + 99) / 100) : -Math.trunc((99 - (y - 1)) / 100)));
    case 'millennium':
      return Numeric.fromBigInt(BigInt(y > 0 ? Math.trunc((y + 999) / 1000) : -Math.trunc((999 - (y - 1)) / 1000)));
    case 'isoyear': {
      const iy = isoWeek(days).isoYear;
      return Numeric.fromBigInt(BigInt(iy <= 0 ? iy - 1 : iy));
    }
    case 'dow':
      return Numeric.fromBigInt(BigInt(dayOfWeek(days)));
    case 'isodow':
      return Numeric.fromBigInt(BigInt(dayOfWeek(days) || 7));
    case 'doy':
      return Numeric.fromBigInt(BigInt(days - daysFromCivil(y, 1, 1) + 1));
    default:
      return undefined;
  }
}

function timeField(unit: DateTimeUnit, p: TimestampParts): Numeric | undefined {
  const secUs = BigInt(p.second) * USECS_PER_SEC + BigInt(p.microsecond);
  switch (unit) {
    case 'microseconds':
      return Numeric.fromBigInt(secUs);
    case 'milliseconds':
      return scaled(secUs, 3);
    case 'second':
      return scaled(secUs, 6);
    case 'minute':
      return Numeric.fromBigInt(BigInt(p.minute));
    case 'hour':
      return Numeric.fromBigInt(BigInt(p.hour));
    default:
      return undefined;
  }
}

/** Fields that grow with time give ±Infinity for infinite inputs; the others give NULL. */
const MONOTONIC_UNITS = new Set<DateTimeUnit>(['year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'epoch']);

function nonFinitePart(unit: DateTimeUnit, positive: boolean): Numeric | null {
  if (!MONOTONIC_UNITS.has(unit)) return null;
  return positive ? Numeric.Infinity : Numeric.NegativeInfinity;
}

function julianOf(p: TimestampParts): Numeric {
  const jd = BigInt(daysFromCivil(p.year, p.month, p.day) + UNIX_EPOCH_JDATE);
  const dayUs = ((BigInt(p.hour) * 60n + BigInt(p.minute)) * 60n + BigInt(p.second)) * USECS_PER_SEC + BigInt(p.microsecond);
  return Numeric.fromBigInt(jd).add(Numeric.fromBigInt(dayUs).div(Numeric.fromBigInt(USECS_PER_DAY)));
}

/**
 * extract(field FROM timestamp) as numeric (date_part is its float8 value). NULL (null) for
 * non-monotonic fields of infinite timestamps.
 */
export function extractFromTimestamp(unitName: string, ts: bigint): Numeric | null {
  const unit = dateTimeUnit(unitName);
  const typeName = 'timestamp without time zone';
  if (!unit) throw unitError(unitName, typeName, false);
  if (!isFiniteTimestamp(ts)) {
    return nonFinitePart(unit, ts === TIMESTAMP_INFINITY);
  }
  if (unit === 'epoch') return scaled(ts, 6);
  const p = timestampToParts(ts);
  if (unit === 'julian') return julianOf(p);
  const v = timeField(unit, p) ?? civilField(unit, p);
  if (!v) throw unitError(unitName, typeName, true);
  return v;
}

/** extract(field FROM timestamptz) in the zone; timezone fields give the zone offset. */
export function extractFromTimestamptz(unitName: string, ts: bigint, zone: TimeZone | string): Numeric | null {
  const unit = dateTimeUnit(unitName);
  const typeName = 'timestamp with time zone';
  if (!unit) throw unitError(unitName, typeName, false);
  if (!isFiniteTimestamp(ts)) return nonFinitePart(unit, ts === TIMESTAMP_INFINITY);
  if (unit === 'epoch') return scaled(ts, 6);
  const z = typeof zone === 'string' ? sessionTimeZone(zone) : zone;
  const local = utcToLocal(z, ts);
  const offset = Number((local - ts) / USECS_PER_SEC);
  switch (unit) {
    case 'timezone':
      return Numeric.fromBigInt(BigInt(offset));
    case 'timezone_hour':
      return Numeric.fromBigInt(BigInt(Math.trunc(offset / 3600)));
    case 'timezone_minute':
      return Numeric.fromBigInt(BigInt(Math.trunc(offset / 60) % 60));
  }
  const p = timestampToParts(local);
  if (unit === 'julian') return julianOf(p);
  const v = timeField(unit, p) ?? civilField(unit, p);
  if (!v) throw unitError(unitName, typeName, true);
  return v;
}

/** extract(field FROM date): time-of-day fields are not supported for date. */
export function extractFromDate(unitName: string, date: number): Numeric | null {
  const unit = dateTimeUnit(unitName);
  if (!unit) throw unitError(unitName, 'date', false);
  if (!Number.isFinite(date)) {
    if (timeField(unit, timestampToParts(0n)) || unit.startsWith('timezone')) throw unitError(unitName, 'date', true);
    return nonFinitePart(unit, date > 0);
  }
  if (unit === 'epoch') return Numeric.fromBigInt(BigInt(date) * 86400n);
  if (unit === 'julian') return Numeric.fromBigInt(BigInt(date + UNIX_EPOCH_JDATE));
  const p = timestampToParts(BigInt(date) * USECS_PER_DAY);
  const v = civilField(unit, p);
  if (!v) throw unitError(unitName, 'date', true);
  return v;
}

/** extract(field FROM interval). */
export function extractFromInterval(unitName: string, iv: Interval): Numeric {
  const unit = dateTimeUnit(unitName);
  if (!unit) throw unitError(unitName, 'interval', false);
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months - year * 12;
  let t = iv.micros;
  const hour = t / 3_600_000_000n;
  t -= hour * 3_600_000_000n;
  const min = t / 60_000_000n;
  t -= min * 60_000_000n;
  switch (unit) {
    case 'microseconds':
      return Numeric.fromBigInt(t);
    case 'milliseconds':
      return scaled(t, 3);
    case 'second':
      return scaled(t, 6);
    case 'minute':
      return Numeric.fromBigInt(min);
    case 'hour':
      return Numeric.fromBigInt(hour);
    case 'day':
      return Numeric.fromBigInt(BigInt(iv.days));
    case 'month':
      return Numeric.fromBigInt(BigInt(mon));
    case 'quarter':
      return Numeric.fromBigInt(BigInt(Math.trunc(mon / 3) + 1));
    case 'year':
      return Numeric.fromBigInt(BigInt(year));
    case 'decade':
      return Numeric.fromBigInt(BigInt(Math.trunc(year / 10)));
    case 'century':
      return Numeric.fromBigInt(BigInt(Math.trunc(year / 100)));
    case 'millennium':
      return Numeric.fromBigInt(BigInt(Math.trunc(year / 1000)));
    case 'epoch': {
      // A year is 365.25 days and a month 30 days here (DAYS_PER_YEAR, DAYS_PER_MONTH).
      const secsFromDayMonth = (1461n * BigInt(year) + 120n * BigInt(mon) + 4n * BigInt(iv.days)) * 21600n;
      return scaled(secsFromDayMonth * USECS_PER_SEC + iv.micros, 6);
    }
    default:
      throw unitError(unitName, 'interval', true);
  }
}

/** Days since 1970 and time of day µs → timestamp; used by make_timestamp-style constructors. */
export function makeTimestamp(year: number, month: number, day: number, timeMicros: bigint): bigint {
  return checkTimestamp(BigInt(daysFromCivil(year, month, day)) * USECS_PER_DAY + timeMicros);
}

/** The binary forms count from 2000-01-01; these convert our 1970-based values. */
export function timestampToPostgresEpoch(ts: bigint): bigint {
  return isFiniteTimestamp(ts) ? ts - POSTGRES_EPOCH_USECS : ts;
}
export function timestampFromPostgresEpoch(ts: bigint): bigint {
  return isFiniteTimestamp(ts) ? ts + POSTGRES_EPOCH_USECS : ts;
}
