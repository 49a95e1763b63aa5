/**
 * interval: text input (PostgreSQL's DecodeInterval and DecodeISO8601Interval), output in the four
 * IntervalStyles, typmod truncation/rounding, and interval arithmetic (+, -, * and / by a number,
 * justify_*), with PostgreSQL's 22008 "interval out of range" on overflow.
 */
import { SqlError, SqlState } from '../errors.js';
import { USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC, roundHalfEven } from './calendar.js';
import { DateTimeFailure, dateTimeError, splitDateTimeFields, type DateTimeField } from './datetime-parse.js';
import { IntervalField, INTERVAL_FULL_PRECISION, INTERVAL_FULL_RANGE, intervalTypmodPrecision, intervalTypmodRange } from './registry.js';
import { secondsText } from './datetime-format.js';
import type { Interval } from './values.js';

const DAYS_PER_MONTH = 30;
const MONTHS_PER_YEAR = 12;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

export const ZERO_INTERVAL: Interval = { months: 0, days: 0, micros: 0n };

export function makeInterval(months: number, days: number, micros: bigint): Interval {
  return { months, days, micros };
}

export function intervalOutOfRange(): SqlError {
  return new SqlError(SqlState.datetimeFieldOverflow, 'interval out of range');
}

function checkInt32(v: number): number {
  if (!Number.isFinite(v) || v > INT32_MAX || v < INT32_MIN) throw intervalOutOfRange();
  return v;
}

function checkInt64(v: bigint): bigint {
  if (v > INT64_MAX || v < INT64_MIN) throw intervalOutOfRange();
  return v;
}

// ---------------------------------------------------------------------------------------------
// Input

/** pg_itm_in: the fields accumulated while decoding. */
interface ItmIn {
  usec: bigint;
  days: number;
  months: number;
  years: number;
}

function overflow(): never {
  throw new DateTimeFailure('fieldOverflow');
}
function badFormat(): never {
  throw new DateTimeFailure('badFormat');
}

function addInt32(a: number, b: number): number {
  const r = a + b;
  if (r > INT32_MAX || r < INT32_MIN || !Number.isFinite(r)) overflow();
  return r;
}
function addInt64(a: bigint, b: bigint): bigint {
  const r = a + b;
  if (r > INT64_MAX || r < INT64_MIN) overflow();
  return r;
}

/** Adds frac × scale µs, rounding the fractional microsecond half away from zero (AdjustFractMicroseconds). */
function adjustFractMicros(itm: ItmIn, frac: number, scale: number): void {
  if (frac === 0) return;
  const f = frac * scale;
  let usec = Math.trunc(f);
  const rest = f - usec;
  if (rest > 0.5) usec++;
  else if (rest < -0.5) usec--;
  if (!Number.isFinite(usec)) overflow();
  itm.usec = addInt64(itm.usec, BigInt(usec));
}
function adjustFractDays(itm: ItmIn, frac: number, scale: number): void {
  if (frac === 0) return;
  const f = frac * scale;
  const extraDays = Math.trunc(f);
  itm.days = addInt32(itm.days, extraDays);
  adjustFractMicros(itm, f - extraDays, Number(USECS_PER_DAY));
}
function adjustFractYears(itm: ItmIn, frac: number, scale: number): void {
  const extraMonths = roundHalfEven(frac * scale * MONTHS_PER_YEAR);
  itm.months = addInt32(itm.months, extraMonths);
}
function adjustMicros(itm: ItmIn, val: bigint, frac: number, scale: bigint): void {
  const v = val * scale;
  if (v > INT64_MAX || v < INT64_MIN) overflow();
  itm.usec = addInt64(itm.usec, v);
  adjustFractMicros(itm, frac, Number(scale));
}
function adjustDays(itm: ItmIn, val: bigint, scale: number): void {
  const d = Number(val) * scale;
  if (d > INT32_MAX || d < INT32_MIN) overflow();
  itm.days = addInt32(itm.days, d);
}
function adjustMonths(itm: ItmIn, val: bigint): void {
  const m = Number(val);
  if (m > INT32_MAX || m < INT32_MIN) overflow();
  itm.months = addInt32(itm.months, m);
}
function adjustYears(itm: ItmIn, val: bigint, scale: number): void {
  const y = Number(val) * scale;
  if (y > INT32_MAX || y < INT32_MIN) overflow();
  itm.years = addInt32(itm.years, y);
}

type Unit = 'microsecond' | 'millisecond' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year' | 'decade' | 'century' | 'millennium' | 'quarter' | 'other';

/** PostgreSQL's interval unit words (deltatktbl), compared on their first 10 characters. */
const UNIT_WORDS = new Map<string, Unit | 'ago'>([
  ['ago', 'ago'],
  ['c', 'century'], ['cent', 'century'], ['centuries', 'century'], ['century', 'century'],
  ['d', 'day'], ['day', 'day'], ['days', 'day'],
  ['dec', 'decade'], ['decade', 'decade'], ['decades', 'decade'], ['decs', 'decade'],
  ['h', 'hour'], ['hour', 'hour'], ['hours', 'hour'], ['hr', 'hour'], ['hrs', 'hour'],
  ['m', 'minute'], ['min', 'minute'], ['mins', 'minute'], ['minute', 'minute'], ['minutes', 'minute'],
  ['microsecon', 'microsecond'], ['us', 'microsecond'], ['usec', 'microsecond'], ['usecs', 'microsecond'], ['useconds', 'microsecond'],
  ['mil', 'millennium'], ['millennia', 'millennium'], ['millennium', 'millennium'], ['mils', 'millennium'],
  ['millisecon', 'millisecond'], ['ms', 'millisecond'], ['msec', 'millisecond'], ['msecs', 'millisecond'], ['mseconds', 'millisecond'],
  ['mon', 'month'], ['mons', 'month'], ['month', 'month'], ['months', 'month'],
  ['qtr', 'quarter'], ['quarter', 'quarter'],
  ['s', 'second'], ['sec', 'second'], ['second', 'second'], ['seconds', 'second'], ['secs', 'second'],
  ['timezone', 'other'], ['timezone_h', 'other'], ['timezone_m', 'other'],
  ['w', 'week'], ['week', 'week'], ['weeks', 'week'],
  ['y', 'year'], ['year', 'year'], ['years', 'year'], ['yr', 'year'], ['yrs', 'year'],
]);

/** The unit a word names (for date_trunc/extract field names too), or undefined. */
export function intervalUnitOf(word: string): Unit | 'ago' | undefined {
  return UNIT_WORDS.get(word.toLowerCase().slice(0, 10));
}

/** C strtoi64 on a prefix: [value, rest]; no digits gives [0, s]. */
function strtoi64(s: string): [bigint, string] {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return [0n, s];
  const v = BigInt(m[1]!);
  if (v > INT64_MAX || v < INT64_MIN) overflow();
  return [v, s.slice(m[0].length)];
}

/** DecodeTimeForInterval: [h]h:mm[:ss[.fff]] (or mm:ss when the range says so) → µs. */
function decodeIntervalTime(s: string, range: number): bigint {
  const m = /^(\d+):(\d+)(?::(\d+))?(\.\d*)?$/.exec(s);
  if (!m) badFormat();
  let hour = BigInt(m[1]!);
  let min = Number(m[2]);
  let sec = m[3] === undefined ? 0 : Number(m[3]);
  let usec = 0;
  if (m[4] !== undefined) usec = m[4] === '.' ? 0 : roundHalfEven(Number(`0${m[4]}`) * 1e6);
  if (m[3] === undefined && (m[4] !== undefined || range === (IntervalField.minute | IntervalField.second))) {
    // mm:ss[.fff]
    sec = min;
    min = Number(hour);
    hour = 0n;
  }
  if (min > 59 || sec > 60 || usec > 1_000_000) overflow();
  return checkIntervalMicros(hour * USECS_PER_HOUR + BigInt(min) * USECS_PER_MINUTE + BigInt(sec) * USECS_PER_SEC + BigInt(usec));
}

function checkIntervalMicros(v: bigint): bigint {
  if (v > INT64_MAX || v < INT64_MIN) overflow();
  return v;
}

/** ParseFraction: ".123" → 0.123 (a lone "." is zero). */
function parseFraction(s: string): number {
  if (s === '.') return 0;
  if (!/^\.\d+(?:[eE][+-]?\d+)?$/.test(s)) badFormat();
  return Number(s);
}

function defaultUnitForRange(range: number): Unit {
  const { year, month, day, hour, minute, second } = IntervalField;
  switch (range) {
    case year:
      return 'year';
    case month:
    case year | month:
      return 'month';
    case day:
      return 'day';
    case hour:
    case day | hour:
      return 'hour';
    case minute:
    case hour | minute:
    case day | hour | minute:
      return 'minute';
    default:
      return 'second';
  }
}

/** DecodeInterval over fields read right to left, so units come before their numbers. */
function decodeIntervalFields(fields: DateTimeField[], range: number, sqlStandard: boolean): ItmIn {
  const itm: ItmIn = { usec: 0n, days: 0, months: 0, years: 0 };
  let forceNegative = false;
  if (sqlStandard && fields.length > 0 && fields[0]!.text[0] === '-') {
    // SQL standard: a leading minus applies to every field unless another sign appears.
    forceNegative = !fields.slice(1).some((f) => f.text[0] === '-' || f.text[0] === '+');
  }
  let isBefore = false;
  let type: Unit | null = null;
  let fmask = 0;
  const bit: Record<Unit, number> = {
    microsecond: 1, millisecond: 2, second: 4, minute: 8, hour: 16, day: 32, week: 64, month: 128, year: 256,
    decade: 512, century: 1024, millennium: 2048, quarter: 4096, other: 8192,
  };
  for (let i = fields.length - 1; i >= 0; i--) {
    const f = fields[i]!;
    let tmask = 0;
    const numeric = (): void => {
      type ??= defaultUnitForRange(range);
      let [val, rest] = strtoi64(f.text);
      let fval = 0;
      if (rest[0] === '-') {
        // SQL "years-months".
        const m = /^-(\d+)$/.exec(rest);
        if (!m) {
          if (/^-\d+/.test(rest)) badFormat();
          overflow();
        }
        let months = Number(m[1]);
        if (months >= MONTHS_PER_YEAR) overflow();
        type = 'month';
        if (f.text[0] === '-') months = -months;
        val = val * 12n + BigInt(months);
      } else if (rest[0] === '.') {
        fval = parseFraction(rest);
        if (f.text[0] === '-') fval = -fval;
      } else if (rest !== '') badFormat();
      if (forceNegative) {
        if (val > 0n) val = -val;
        if (fval > 0) fval = -fval;
      }
      switch (type) {
        case 'microsecond':
          adjustMicros(itm, val, fval, 1n);
          break;
        case 'millisecond':
          adjustMicros(itm, val, fval, 1000n);
          break;
        case 'second':
          adjustMicros(itm, val, fval, USECS_PER_SEC);
          // Fractional seconds also claim the millisecond and microsecond fields.
          tmask = fval === 0 ? bit.second : bit.second | bit.millisecond | bit.microsecond;
          break;
        case 'minute':
          adjustMicros(itm, val, fval, USECS_PER_MINUTE);
          break;
        case 'hour':
          adjustMicros(itm, val, fval, USECS_PER_HOUR);
          tmask = bit.hour;
          type = 'day';
          return;
        case 'day':
          adjustDays(itm, val, 1);
          adjustFractMicros(itm, fval, Number(USECS_PER_DAY));
          break;
        case 'week':
          adjustDays(itm, val, 7);
          adjustFractDays(itm, fval, 7);
          break;
        case 'month':
          adjustMonths(itm, val);
          adjustFractDays(itm, fval, DAYS_PER_MONTH);
          break;
        case 'year':
          adjustYears(itm, val, 1);
          adjustFractYears(itm, fval, 1);
          break;
        case 'decade':
          adjustYears(itm, val, 10);
          adjustFractYears(itm, fval, 10);
          break;
        case 'century':
          adjustYears(itm, val, 100);
          adjustFractYears(itm, fval, 100);
          break;
        case 'millennium':
          adjustYears(itm, val, 1000);
          adjustFractYears(itm, fval, 1000);
          break;
        default:
          badFormat();
      }
      if (tmask === 0) tmask = bit[type];
    };
    switch (f.type) {
      case 'time':
        itm.usec = addInt64(itm.usec, decodeIntervalTime(f.text, range));
        if (forceNegative && itm.usec > 0n) itm.usec = -itm.usec;
        tmask = bit.hour | bit.minute | bit.second | bit.millisecond | bit.microsecond;
        type = 'day';
        break;
      case 'tz':
        if (f.text.slice(1).includes(':')) {
          let t: bigint | null = null;
          try {
            t = decodeIntervalTime(f.text.slice(1), range);
          } catch (e) {
            if (!(e instanceof DateTimeFailure)) throw e;
          }
          if (t !== null) {
            if (f.text[0] === '-') t = -t;
            itm.usec = addInt64(itm.usec, t);
            if (forceNegative && itm.usec > 0n) itm.usec = -itm.usec;
            tmask = bit.hour | bit.minute | bit.second | bit.millisecond | bit.microsecond;
            type = 'day';
            break;
          }
        }
        numeric();
        break;
      case 'date':
      case 'number':
        numeric();
        break;
      case 'string':
      case 'special': {
        if (f.text === '@') continue;
        const unit = intervalUnitOf(f.text);
        if (unit === undefined) badFormat();
        if (unit === 'ago') {
          isBefore = true;
          type = null;
        } else {
          type = unit;
        }
        tmask = 0;
        break;
      }
      default:
        badFormat();
    }
    if (tmask & fmask) badFormat();
    fmask |= tmask;
  }
  if (fmask === 0) badFormat();
  if (isBefore) {
    itm.usec = -itm.usec;
    itm.days = -itm.days;
    itm.months = -itm.months;
    itm.years = -itm.years;
  }
  return itm;
}

/** ParseISO8601Number: signed integer part and fraction, both with the sign. */
function parseIso8601Number(s: string, at: number): { ipart: bigint; fpart: number; end: number } {
  let i = at;
  let sign = 1n;
  if (s[i] === '-') {
    sign = -1n;
    i++;
  }
  const start = i;
  let ipart = 0n;
  let fpart = 0;
  const digits = /^\d+/.exec(s.slice(i));
  if (digits) {
    ipart = BigInt(digits[0]) * sign;
    if (ipart > INT64_MAX || ipart < INT64_MIN) badFormat();
    i += digits[0].length;
  }
  let moved = i !== start;
  if (s[i] === '.') {
    const frac = /^\.\d+(?:[eE][+-]?\d+)?/.exec(s.slice(i));
    if (frac) {
      fpart = Number(frac[0]) * Number(sign);
      i += frac[0].length;
    } else {
      i++;
    }
    moved = true;
  }
  if (!moved) badFormat();
  return { ipart, fpart, end: i };
}

function integerWidth(s: string, at: number): number {
  let i = at;
  if (s[i] === '-') i++;
  const m = /^\d*/.exec(s.slice(i))!;
  return m[0].length;
}

/** DecodeISO8601Interval: P1Y2M3DT4H5M6S, P1W, P0001-02-03T04:05:06, P00010203T040506. */
function decodeIso8601Interval(s: string): ItmIn {
  const itm: ItmIn = { usec: 0n, days: 0, months: 0, years: 0 };
  if (s.length < 2 || s[0] !== 'P') badFormat();
  let i = 1;
  let datePart = true;
  let haveField = false;
  while (i < s.length) {
    if (s[i] === 'T') {
      datePart = false;
      haveField = false;
      i++;
      continue;
    }
    const fieldStart = i;
    let { ipart: val, fpart: fval, end } = parseIso8601Number(s, i);
    i = end;
    const unit = s[i] ?? '';
    i++;
    if (datePart) {
      switch (unit) {
        case 'Y':
          adjustYears(itm, val, 1);
          adjustFractYears(itm, fval, 1);
          break;
        case 'M':
          adjustMonths(itm, val);
          adjustFractDays(itm, fval, DAYS_PER_MONTH);
          break;
        case 'W':
          adjustDays(itm, val, 7);
          adjustFractDays(itm, fval, 7);
          break;
        case 'D':
          adjustDays(itm, val, 1);
          adjustFractMicros(itm, fval, Number(USECS_PER_DAY));
          break;
        case 'T':
        case '':
        case '-': {
          if (unit !== '-' && integerWidth(s, fieldStart) === 8 && !haveField) {
            adjustYears(itm, val / 10000n, 1);
            adjustMonths(itm, (val / 100n) % 100n);
            adjustDays(itm, val % 100n, 1);
            adjustFractMicros(itm, fval, Number(USECS_PER_DAY));
            if (unit === '') return itm;
            datePart = false;
            haveField = false;
            continue;
          }
          if (haveField) badFormat();
          adjustYears(itm, val, 1);
          adjustFractYears(itm, fval, 1);
          if (unit === '') return itm;
          if (unit === 'T') {
            datePart = false;
            haveField = false;
            continue;
          }
          ({ ipart: val, fpart: fval, end } = parseIso8601Number(s, i));
          i = end;
          adjustMonths(itm, val);
          adjustFractDays(itm, fval, DAYS_PER_MONTH);
          if (i >= s.length) return itm;
          if (s[i] === 'T') {
            datePart = false;
            haveField = false;
            i++;
            continue;
          }
          if (s[i] !== '-') badFormat();
          i++;
          ({ ipart: val, fpart: fval, end } = parseIso8601Number(s, i));
          i = end;
          adjustDays(itm, val, 1);
          adjustFractMicros(itm, fval, Number(USECS_PER_DAY));
          if (i >= s.length) return itm;
          if (s[i] === 'T') {
            datePart = false;
            haveField = false;
            i++;
            continue;
          }
          badFormat();
          break;
        }
        default:
          badFormat();
      }
    } else {
      switch (unit) {
        case 'H':
          adjustMicros(itm, val, fval, USECS_PER_HOUR);
          break;
        case 'M':
          adjustMicros(itm, val, fval, USECS_PER_MINUTE);
          break;
        case 'S':
          adjustMicros(itm, val, fval, USECS_PER_SEC);
          break;
        case '':
        case ':': {
          if (unit === '' && integerWidth(s, fieldStart) === 6 && !haveField) {
            adjustMicros(itm, val / 10000n, 0, USECS_PER_HOUR);
            adjustMicros(itm, (val / 100n) % 100n, 0, USECS_PER_MINUTE);
            adjustMicros(itm, val % 100n, 0, USECS_PER_SEC);
            adjustFractMicros(itm, fval, 1);
            return itm;
          }
          if (haveField) badFormat();
          adjustMicros(itm, val, fval, USECS_PER_HOUR);
          if (unit === '') return itm;
          ({ ipart: val, fpart: fval, end } = parseIso8601Number(s, i));
          i = end;
          adjustMicros(itm, val, fval, USECS_PER_MINUTE);
          if (i >= s.length) return itm;
          if (s[i] !== ':') badFormat();
          i++;
          ({ ipart: val, fpart: fval, end } = parseIso8601Number(s, i));
          i = end;
          adjustMicros(itm, val, fval, USECS_PER_SEC);
          if (i >= s.length) return itm;
          badFormat();
          break;
        }
        default:
          badFormat();
      }
    }
    haveField = true;
  }
  return itm;
}

/** interval_in: text (any IntervalStyle's output, verbose, ISO 8601) with an optional typmod. */
export function parseInterval(text: string, typmod = -1, intervalStyle = 'postgres'): Interval {
  const range = intervalTypmodRange(typmod);
  let itm: ItmIn;
  try {
    try {
      itm = decodeIntervalFields(splitDateTimeFields(text), range, intervalStyle === 'sql_standard');
    } catch (e) {
      if (!(e instanceof DateTimeFailure) || e.kind !== 'badFormat') throw e;
      itm = decodeIso8601Interval(text);
    }
  } catch (e) {
    if (e instanceof DateTimeFailure) throw dateTimeError(e.kind === 'fieldOverflow' ? 'intervalOverflow' : e.kind, text, 'interval');
    throw e;
  }
  const months = itm.years * MONTHS_PER_YEAR + itm.months;
  if (months > INT32_MAX || months < INT32_MIN) throw intervalOutOfRange();
  return adjustIntervalForTypmod({ months, days: itm.days, micros: itm.usec }, typmod);
}

/** AdjustIntervalForTypmod: zero the fields right of the last one named, round fractional seconds. */
export function adjustIntervalForTypmod(iv: Interval, typmod: number): Interval {
  if (typmod < 0) return iv;
  const range = intervalTypmodRange(typmod);
  const precision = intervalTypmodPrecision(typmod);
  const { year, month, day, hour, minute, second } = IntervalField;
  let { months, days, micros } = iv;
  if (range === INTERVAL_FULL_RANGE) {
    // nothing to zero
  } else if (range === year) {
    months = Math.trunc(months / 12) * 12;
    days = 0;
    micros = 0n;
  } else if (range === month || range === (year | month)) {
    days = 0;
    micros = 0n;
  } else if (range === day) {
    micros = 0n;
  } else if (range === hour || range === (day | hour)) {
    micros = (micros / USECS_PER_HOUR) * USECS_PER_HOUR;
  } else if (range === minute || range === (day | hour | minute) || range === (hour | minute)) {
    micros = (micros / USECS_PER_MINUTE) * USECS_PER_MINUTE;
  }
  if (precision !== INTERVAL_FULL_PRECISION && precision < 6) {
    const unit = 10n ** BigInt(6 - precision);
    const half = unit / 2n;
    micros = micros >= 0n ? ((micros + half) / unit) * unit : -(((-micros + half) / unit) * unit);
  }
  return { months, days, micros };
}

// ---------------------------------------------------------------------------------------------
// Output

interface IntervalParts {
  year: number;
  mon: number;
  mday: number;
  hour: bigint;
  min: number;
  sec: number;
  fsec: number;
}

/** interval2itm: C truncating division, so every part carries the sign of its source field. */
function intervalParts(iv: Interval): IntervalParts {
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months - year * 12;
  let t = iv.micros;
  const hour = t / USECS_PER_HOUR;
  t -= hour * USECS_PER_HOUR;
  const min = Number(t / USECS_PER_MINUTE);
  t -= BigInt(min) * USECS_PER_MINUTE;
  const sec = Number(t / USECS_PER_SEC);
  const fsec = Number(t - BigInt(sec) * USECS_PER_SEC);
  return { year, mon: mon === 0 ? 0 : mon, mday: iv.days, hour, min, sec, fsec };
}

function absBig(v: bigint): bigint {
  return v < 0n ? -v : v;
}

function pad2(n: number | bigint): string {
  return String(n).padStart(2, '0');
}

/** interval_out in the given IntervalStyle. */
export function formatInterval(iv: Interval, intervalStyle = 'postgres'): string {
  const { year, mon, mday, hour, min, sec, fsec } = intervalParts(iv);
  switch (intervalStyle) {
    case 'sql_standard': {
      const hasNegative = year < 0 || mon < 0 || mday < 0 || hour < 0n || min < 0 || sec < 0 || fsec < 0;
      const hasPositive = year > 0 || mon > 0 || mday > 0 || hour > 0n || min > 0 || sec > 0 || fsec > 0;
      const hasYearMonth = year !== 0 || mon !== 0;
      const hasDayTime = mday !== 0 || hour !== 0n || min !== 0 || sec !== 0 || fsec !== 0;
      const standard = !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime);
      let prefix = '';
      let y = year, mo = mon, d = mday, h = hour, mi = min, s = sec, f = fsec;
      if (hasNegative && standard) {
        prefix = '-';
        y = -y; mo = -mo; d = -d; h = -h; mi = -mi; s = -s; f = -f;
      }
      if (!hasNegative && !hasPositive) return '0';
      if (!standard) {
        const yearSign = y < 0 || mo < 0 ? '-' : '+';
        const daySign = d < 0 ? '-' : '+';
        const secSign = h < 0n || mi < 0 || s < 0 || f < 0 ? '-' : '+';
        return `${prefix}${yearSign}${Math.abs(y)}-${Math.abs(mo)} ${daySign}${Math.abs(d)} ${secSign}${absBig(h)}:${pad2(Math.abs(mi))}:${secondsText(s, f, true)}`;
      }
      if (hasYearMonth) return `${prefix}${y}-${mo}`;
      if (d !== 0) return `${prefix}${d} ${h}:${pad2(mi)}:${secondsText(s, f, true)}`;
      return `${prefix}${h}:${pad2(mi)}:${secondsText(s, f, true)}`;
    }
    case 'iso_8601': {
      if (year === 0 && mon === 0 && mday === 0 && hour === 0n && min === 0 && sec === 0 && fsec === 0) return 'PT0S';
      let out = 'P';
      const part = (v: number | bigint, unit: string): void => {
        if (v !== 0 && v !== 0n) out += `${v}${unit}`;
      };
      part(year, 'Y');
      part(mon, 'M');
      part(mday, 'D');
      if (hour !== 0n || min !== 0 || sec !== 0 || fsec !== 0) out += 'T';
      part(hour, 'H');
      part(min, 'M');
      if (sec !== 0 || fsec !== 0) {
        if (sec < 0 || fsec < 0) out += '-';
        out += `${secondsText(sec, fsec, false)}S`;
      }
      return out;
    }
    case 'postgres_verbose': {
      let out = '@';
      let isZero = true;
      let isBefore = false;
      const part = (v0: number | bigint, unit: string): void => {
        let v = BigInt(v0);
        if (v === 0n) return;
        if (isZero) {
          isBefore = v < 0n;
          v = absBig(v);
        } else if (isBefore) v = -v;
        out += ` ${v} ${unit}${v === 1n ? '' : 's'}`;
        isZero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      part(hour, 'hour');
      part(min, 'min');
      if (sec !== 0 || fsec !== 0) {
        out += ' ';
        if (sec < 0 || (sec === 0 && fsec < 0)) {
          if (isZero) isBefore = true;
          else if (!isBefore) out += '-';
        } else if (isBefore) out += '-';
        out += `${secondsText(sec, fsec, false)} sec${Math.abs(sec) !== 1 || fsec !== 0 ? 's' : ''}`;
        isZero = false;
      }
      if (isZero) out += ' 0';
      if (isBefore) out += ' ago';
      return out;
    }
    default: {
      let out = '';
      let isZero = true;
      let isBefore = false;
      const part = (v: number, unit: string): void => {
        if (v === 0) return;
        out += `${isZero ? '' : ' '}${isBefore && v > 0 ? '+' : ''}${v} ${unit}${v !== 1 ? 's' : ''}`;
        isBefore = v < 0;
        isZero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      if (isZero || hour !== 0n || min !== 0 || sec !== 0 || fsec !== 0) {
        const minus = hour < 0n || min < 0 || sec < 0 || fsec < 0;
        out += `${isZero ? '' : ' '}${minus ? '-' : isBefore ? '+' : ''}${pad2(absBig(hour))}:${pad2(Math.abs(min))}:${secondsText(sec, fsec, true)}`;
      }
      return out;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

export function intervalNeg(a: Interval): Interval {
  return { months: checkInt32(-a.months), days: checkInt32(-a.days), micros: checkInt64(-a.micros) };
}

export function intervalAdd(a: Interval, b: Interval): Interval {
  return { months: checkInt32(a.months + b.months), days: checkInt32(a.days + b.days), micros: checkInt64(a.micros + b.micros) };
}

export function intervalSub(a: Interval, b: Interval): Interval {
  return { months: checkInt32(a.months - b.months), days: checkInt32(a.days - b.days), micros: checkInt64(a.micros - b.micros) };
}

/** TSROUND: round to microsecond-ish precision to undo float noise. */
function tsRound(x: number): number {
  return roundHalfEven(x * 1e6) / 1e6;
}

function fitsInt64(x: number): boolean {
  return Number.isFinite(x) && x >= -9223372036854775808 && x < 9223372036854775808;
}

/**
 * interval * float8 (and / via `divide`): whole months and days scale, and their fractions cascade
 * down (a month is 30 days, a day 24 hours) but never up, as PostgreSQL's interval_mul does.
 */
export function intervalMul(span: Interval, factor: number): Interval {
  const monthsD = span.months * factor;
  if (Number.isNaN(monthsD) || monthsD > INT32_MAX || monthsD < INT32_MIN) throw intervalOutOfRange();
  const months = Math.trunc(monthsD);
  const daysD = span.days * factor;
  if (Number.isNaN(daysD) || daysD > INT32_MAX || daysD < INT32_MIN) throw intervalOutOfRange();
  let days = Math.trunc(daysD);
  const monthRemainderDays = tsRound((span.months * factor - months) * DAYS_PER_MONTH);
  let secRemainder = tsRound((span.days * factor - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400);
  if (Math.abs(secRemainder) >= 86400) {
    days = checkInt32(days + Math.trunc(secRemainder / 86400));
    secRemainder -= Math.trunc(secRemainder / 86400) * 86400;
  }
  days = checkInt32(days + Math.trunc(monthRemainderDays));
  const time = roundHalfEven(Number(span.micros) * factor + secRemainder * 1e6);
  if (!fitsInt64(time)) throw intervalOutOfRange();
  return { months, days, micros: BigInt(time) };
}

export function intervalDiv(span: Interval, factor: number): Interval {
  if (factor === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero');
  const months = Math.trunc(span.months / factor);
  let days = Math.trunc(span.days / factor);
  if (!Number.isFinite(months) || !Number.isFinite(days)) throw intervalOutOfRange();
  const monthRemainderDays = tsRound((span.months / factor - months) * DAYS_PER_MONTH);
  let secRemainder = tsRound((span.days / factor - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400);
  if (Math.abs(secRemainder) >= 86400) {
    days += Math.trunc(secRemainder / 86400);
    secRemainder -= Math.trunc(secRemainder / 86400) * 86400;
  }
  days += Math.trunc(monthRemainderDays);
  const time = roundHalfEven(Number(span.micros) / factor + secRemainder * 1e6);
  if (!fitsInt64(time)) throw intervalOutOfRange();
  return { months: checkInt32(months), days: checkInt32(days), micros: BigInt(time) };
}

/** justify_hours: whole days out of the time part, signs made consistent. */
export function justifyHours(span: Interval): Interval {
  let micros = span.micros;
  const wholeDays = micros / USECS_PER_DAY;
  micros -= wholeDays * USECS_PER_DAY;
  let days = checkInt32(span.days + Number(wholeDays));
  if (days > 0 && micros < 0n) {
    micros += USECS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= USECS_PER_DAY;
    days++;
  }
  return { months: span.months, days, micros };
}

/** justify_days: 30-day groups into months. */
export function justifyDays(span: Interval): Interval {
  const wholeMonths = Math.trunc(span.days / DAYS_PER_MONTH);
  let days = span.days - wholeMonths * DAYS_PER_MONTH;
  let months = checkInt32(span.months + wholeMonths);
  if (months > 0 && days < 0) {
    days += DAYS_PER_MONTH;
    months--;
  } else if (months < 0 && days > 0) {
    days -= DAYS_PER_MONTH;
    months++;
  }
  return { months, days, micros: span.micros };
}

/** justify_interval: both, with one sign throughout. */
export function justifyInterval(span: Interval): Interval {
  let { months, days, micros } = span;
  if ((days > 0 && micros > 0n) || (days < 0 && micros < 0n)) {
    const wm = Math.trunc(days / DAYS_PER_MONTH);
    days -= wm * DAYS_PER_MONTH;
    months = checkInt32(months + wm);
  }
  const wholeDays = micros / USECS_PER_DAY;
  micros -= wholeDays * USECS_PER_DAY;
  days += Number(wholeDays);
  const wm = Math.trunc(days / DAYS_PER_MONTH);
  days -= wm * DAYS_PER_MONTH;
  months = checkInt32(months + wm);
  if (months > 0 && (days < 0 || (days === 0 && micros < 0n))) {
    days += DAYS_PER_MONTH;
    months--;
  } else if (months < 0 && (days > 0 || (days === 0 && micros > 0n))) {
    days -= DAYS_PER_MONTH;
    months++;
  }
  if (days > 0 && micros < 0n) {
    micros += USECS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= USECS_PER_DAY;
    days++;
  }
  return { months, days, micros };
}

/**
 * The single number PostgreSQL orders and compares intervals by (interval_cmp_value): a month is
 * 30 days and a day 24 hours, so '1 mon' = '30 days' = '720 hours'.
 */
export function intervalCompareValue(iv: Interval): bigint {
  return iv.micros + (BigInt(iv.days) + BigInt(iv.months) * 30n) * USECS_PER_DAY;
}

export function compareIntervals(a: Interval, b: Interval): number {
  const x = intervalCompareValue(a);
  const y = intervalCompareValue(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
