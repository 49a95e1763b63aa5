/**
 * The proleptic Gregorian calendar PostgreSQL uses for date, timestamp and timestamptz, with
 * astronomical year numbering (1 BC is year 0), and the representations of values.ts:
 * date = days since 1970-01-01 (±Infinity for ±infinity), timestamp = µs since 1970-01-01 00:00
 * (UTC for timestamptz) as bigint, with the two sentinels below for ±infinity.
 */

export const USECS_PER_SEC = 1_000_000n;
export const USECS_PER_MINUTE = 60_000_000n;
export const USECS_PER_HOUR = 3_600_000_000n;
export const USECS_PER_DAY = 86_400_000_000n;
export const SECS_PER_DAY = 86_400;

/** Julian day number of 1970-01-01 and of PostgreSQL's epoch 2000-01-01. */
export const UNIX_EPOCH_JDATE = 2_440_588;
export const POSTGRES_EPOCH_JDATE = 2_451_545;
/** 2000-01-01 in days since 1970 (binary date/timestamp forms count from 2000-01-01). */
export const POSTGRES_EPOCH_DAYS = POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE;
export const POSTGRES_EPOCH_USECS = BigInt(POSTGRES_EPOCH_DAYS) * USECS_PER_DAY;

/** timestamp 'infinity' / '-infinity' (PostgreSQL keeps INT64 max/min; so do we, unshifted). */
export const TIMESTAMP_INFINITY = 9223372036854775807n;
export const TIMESTAMP_MINUS_INFINITY = -9223372036854775808n;

/** First valid day: 4714-11-24 BC (Julian day 0). */
export const DATE_MIN_DAYS = -UNIX_EPOCH_JDATE;
/** Last valid date: 5874897-12-31. */
export const DATE_MAX_DAYS = 2_147_483_494 - 1 - UNIX_EPOCH_JDATE;
/** Valid finite timestamps: [4714-11-24 00:00 BC, 294277-01-01 00:00). */
export const TIMESTAMP_MIN_USECS = BigInt(DATE_MIN_DAYS) * USECS_PER_DAY;
export const TIMESTAMP_END_USECS = BigInt(109_203_528 - UNIX_EPOCH_JDATE) * USECS_PER_DAY;

export function isFiniteTimestamp(ts: bigint): boolean {
  return ts !== TIMESTAMP_INFINITY && ts !== TIMESTAMP_MINUS_INFINITY;
}

export function isValidTimestamp(ts: bigint): boolean {
  return ts >= TIMESTAMP_MIN_USECS && ts < TIMESTAMP_END_USECS;
}

export function isValidDate(days: number): boolean {
  return days >= DATE_MIN_DAYS && days <= DATE_MAX_DAYS;
}

/** PostgreSQL's IS_VALID_JULIAN: the coarse year/month range the Julian-day routines accept. */
export function isValidJulian(year: number, month: number): boolean {
  return (year > -4713 || (year === -4713 && month >= 11)) && (year < 5874898 || (year === 5874898 && month < 6));
}

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Days since 1970-01-01 of a civil date (month 1..12); any year. */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Count in 400-year eras starting on March 1 so the leap day is the last day of a cycle year.
  const y = month <= 2 ? year - 1 : year;
  const era = floorDiv(y, 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = floorDiv(153 * mp + 2, 5) + day - 1;
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36524) - floorDiv(doe, 146096), 365);
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
  const mp = floorDiv(5 * doy + 2, 153);
  const day = doy - floorDiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** 1..366. */
export function dayOfYear(days: number): number {
  const { year } = civilFromDays(days);
  return days - daysFromCivil(year, 1, 1) + 1;
}

/** Days since 1970 of the Monday starting ISO week 1 of ISO year `isoYear`. */
function isoYearStart(isoYear: number): number {
  const jan4 = daysFromCivil(isoYear, 1, 4);
  return jan4 - ((dayOfWeek(jan4) + 6) % 7);
}

/** ISO 8601 week-numbering year and week (1..53) of a day. */
export function isoWeek(days: number): { isoYear: number; week: number } {
  let { year } = civilFromDays(days);
  let start = isoYearStart(year + 1);
  if (days >= start) year += 1;
  else {
    start = isoYearStart(year);
    if (days < start) {
      year -= 1;
      start = isoYearStart(year);
    }
  }
  return { isoYear: year, week: Math.floor((days - start) / 7) + 1 };
}

/** Days since 1970 of the Monday of ISO week 1 of `isoYear` plus (week-1)*7 + (isoDow-1). */
export function daysFromIsoWeek(isoYear: number, week: number, isoDow = 1): number {
  return isoYearStart(isoYear) + (week - 1) * 7 + (isoDow - 1);
}

export function bigFloorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** A timestamp's civil fields (local to whatever zone it was expressed in). */
export interface TimestampParts extends CivilDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
}

export function timestampToParts(ts: bigint): TimestampParts {
  const days = bigFloorDiv(ts, USECS_PER_DAY);
  const time = ts - days * USECS_PER_DAY;
  const date = civilFromDays(Number(days));
  const t = Number(time);
  const totalSeconds = Math.floor(t / 1e6);
  return {
    ...date,
    hour: Math.floor(totalSeconds / 3600),
    minute: Math.floor(totalSeconds / 60) % 60,
    second: totalSeconds % 60,
    microsecond: t - totalSeconds * 1e6,
  };
}

/** Timestamp (µs since 1970) of civil fields; seconds may carry a fraction through `microsecond`. */
export function partsToTimestamp(p: TimestampParts): bigint {
  return BigInt(daysFromCivil(p.year, p.month, p.day)) * USECS_PER_DAY + timeOfDay(p.hour, p.minute, p.second, p.microsecond);
}

export function timeOfDay(hour: number, minute: number, second: number, microsecond: number): bigint {
  return BigInt(hour) * USECS_PER_HOUR + BigInt(minute) * USECS_PER_MINUTE + BigInt(second) * USECS_PER_SEC + BigInt(microsecond);
}

/** C's rint(): round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * Rounds µs to `precision` fractional-second digits (0..6) as AdjustTimestampForTypmod does:
 * half away from zero.
 */
export function roundMicros(us: bigint, precision: number): bigint {
  if (precision < 0 || precision >= 6) return us;
  const unit = 10n ** BigInt(6 - precision);
  const half = unit / 2n;
  if (us >= 0n) return ((us + half) / unit) * unit;
  return -(((-us + half) / unit) * unit);
}
