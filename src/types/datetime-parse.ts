/**
 * Text input of date, time, timestamp and timestamptz, following PostgreSQL's datetime.c: the input
 * is split into typed fields (ParseDateTime), then the fields are decoded with the DateStyle field
 * order (DecodeDateTime / DecodeTimeOnly). Interval input reuses the field splitter (interval.ts).
 */
import { SqlError, SqlState } from '../errors.js';
import {
  POSTGRES_EPOCH_USECS,
  TIMESTAMP_INFINITY,
  TIMESTAMP_MINUS_INFINITY,
  USECS_PER_DAY,
  bigFloorDiv,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  isValidDate,
  isValidJulian,
  isValidTimestamp,
  roundHalfEven,
  roundMicros,
  timeOfDay,
  timestampToParts,
  DATE_MIN_DAYS,
  UNIX_EPOCH_JDATE,
} from './calendar.js';
import { localToUtc, offsetForLocal, timeZoneFor, utcToLocal, type TimeZone } from './timezone.js';
import { isCSpace } from './scan.js';
import { TIMEZONE_ABBREVIATIONS } from './timezone-abbreviations.js';

/** Session settings the date/time input and output depend on. */
export interface DateTimeSettings {
  readonly dateStyle: string;
  readonly timeZone: string;
  /** Current transaction timestamp (µs since 1970 UTC) for 'now', 'today', ...; defaults to the clock. */
  readonly now?: bigint;
}

export type DateOutputStyle = 'ISO' | 'SQL' | 'Postgres' | 'German';
export type DateFieldOrder = 'MDY' | 'DMY' | 'YMD';

const dateStyles = new Map<string, { style: DateOutputStyle; order: DateFieldOrder }>();

/** Reads a DateStyle setting such as "ISO, MDY" or "German" (whose default order is DMY). */
export function parseDateStyle(dateStyle: string): { style: DateOutputStyle; order: DateFieldOrder } {
  let parsed = dateStyles.get(dateStyle);
  if (!parsed) {
    parsed = readDateStyle(dateStyle);
    // Settings are few; the memo only guards against unbounded distinct strings.
    if (dateStyles.size > 64) dateStyles.clear();
    dateStyles.set(dateStyle, parsed);
  }
  return parsed;
}

function readDateStyle(dateStyle: string): { style: DateOutputStyle; order: DateFieldOrder } {
  let style: DateOutputStyle = 'ISO';
  let order: DateFieldOrder | null = null;
  for (const raw of dateStyle.split(/[\s,]+/)) {
    const w = raw.toLowerCase();
    if (w === 'iso') style = 'ISO';
    else if (w === 'sql') style = 'SQL';
    else if (w === 'postgres') style = 'Postgres';
    else if (w === 'german') {
      style = 'German';
      order ??= 'DMY';
    } else if (w === 'ymd') order = 'YMD';
    else if (w === 'dmy' || w === 'euro' || w === 'european') order = 'DMY';
    else if (w === 'mdy' || w === 'us' || w === 'noneuro' || w === 'noneuropean') order = 'MDY';
  }
  return { style, order: order ?? 'MDY' };
}

export function sessionTimeZone(name: string): TimeZone {
  const zone = timeZoneFor(name);
  if (!zone) throw new SqlError(SqlState.invalidParameterValue, `time zone "${name}" not recognized`);
  return zone;
}

// ---------------------------------------------------------------------------------------------
// Field splitting (ParseDateTime)

export type FieldType = 'number' | 'string' | 'date' | 'time' | 'tz' | 'special';
export interface DateTimeField {
  readonly text: string;
  type: FieldType;
}

/** The ways decoding fails, each with its own SQLSTATE and message. */
export type DateTimeFailureKind = 'badFormat' | 'fieldOverflow' | 'mdFieldOverflow' | 'intervalOverflow' | 'tzDispOverflow';

export class DateTimeFailure {
  constructor(readonly kind: DateTimeFailureKind) {}
}

function fail(kind: DateTimeFailureKind = 'badFormat'): never {
  throw new DateTimeFailure(kind);
}

/** PostgreSQL's DateTimeParseError. */
export function dateTimeError(kind: DateTimeFailureKind, text: string, typeName: string): SqlError {
  switch (kind) {
    case 'fieldOverflow':
      return new SqlError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`);
    case 'mdFieldOverflow':
      return new SqlError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`, {
        hint: 'Perhaps you need a different "datestyle" setting.',
      });
    case 'intervalOverflow':
      return new SqlError('22015', `interval field value out of range: "${text}"`);
    case 'tzDispOverflow':
      return new SqlError(SqlState.invalidTimeZoneDisplacementValue, `time zone displacement out of range: "${text}"`);
    default:
      return new SqlError(SqlState.invalidDatetimeFormat, `invalid input syntax for type ${typeName}: "${text}"`);
  }
}

/** MAXDATEFIELDS and the work buffer size of ParseDateTime: longer inputs are a format error. */
const MAX_DATE_FIELDS = 25;
const MAX_FIELD_BUFFER = 128 + MAX_DATE_FIELDS;

const isDigitCh = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlphaCh = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnumCh = (c: string | undefined): boolean => isDigitCh(c) || isAlphaCh(c);
const isPunctCh = (c: string | undefined): boolean => c !== undefined && /^[!-/:-@[-`{-~]$/.test(c);

/** Splits date/time text into typed fields, lower-casing words (ParseDateTime). */
export function splitDateTimeFields(input: string): DateTimeField[] {
  const fields: DateTimeField[] = [];
  let used = 0;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (isCSpace(c)) {
      i++;
      continue;
    }
    let text = '';
    let type: FieldType;
    if (isDigitCh(c)) {
      while (isDigitCh(input[i])) text += input[i++];
      if (input[i] === ':') {
        type = 'time';
        text += input[i++];
        while (isDigitCh(input[i]) || input[i] === ':' || input[i] === '.') text += input[i++];
      } else if (input[i] === '-' || input[i] === '/' || input[i] === '.') {
        const delim = input[i]!;
        text += input[i++];
        if (isDigitCh(input[i])) {
          type = delim === '.' ? 'number' : 'date';
          while (isDigitCh(input[i])) text += input[i++];
          // A three-field date needs the same delimiter twice.
          if (input[i] === delim) {
            type = 'date';
            text += input[i++];
            while (isDigitCh(input[i]) || input[i] === delim) text += input[i++];
          }
        } else {
          type = 'date';
          while (isAlnumCh(input[i]) || input[i] === delim) text += input[i++]!.toLowerCase();
        }
      } else type = 'number';
    } else if (c === '.') {
      text += input[i++];
      while (isDigitCh(input[i])) text += input[i++];
      type = 'number';
    } else if (isAlphaCh(c)) {
      type = 'string';
      while (isAlphaCh(input[i])) text += input[i++]!.toLowerCase();
      // Dates may embed '-', '/' or '.'; zone names may embed '/', '+', '-', '_' or ':'. A word
      // followed by a digit or '+' is a zone name unless it is a date/time keyword.
      let isDate = false;
      const next = input[i];
      if (next === '-' || next === '/' || next === '.') isDate = true;
      else if (next === '+' || isDigitCh(next)) isDate = lookupDateToken(text) === undefined;
      if (isDate) {
        type = 'date';
        do text += input[i++]!.toLowerCase();
        while (i < n && (input[i] === '+' || input[i] === '-' || input[i] === '/' || input[i] === '_' || input[i] === '.' || input[i] === ':' || isAlnumCh(input[i])));
      }
    } else if (c === '+' || c === '-') {
      text += input[i++];
      while (isCSpace(input[i])) i++;
      if (isDigitCh(input[i])) {
        type = 'tz';
        text += input[i++];
        while (isDigitCh(input[i]) || input[i] === ':' || input[i] === '.' || input[i] === '-') text += input[i++];
      } else if (isAlphaCh(input[i])) {
        type = 'special';
        while (isAlphaCh(input[i])) text += input[i++]!.toLowerCase();
      } else fail();
    } else if (isPunctCh(c)) {
      i++;
      continue;
    } else {
      fail();
    }
    used += text.length + 1;
    if (fields.length >= MAX_DATE_FIELDS || used >= MAX_FIELD_BUFFER) fail();
    fields.push({ text, type });
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Keyword tables

/** Token classes of PostgreSQL's datetime keyword table. */
const enum T {
  Reserved = 0,
  Month = 1,
  Year = 2,
  Day = 3,
  Julian = 4,
  Tz = 5,
  Dtz = 6,
  DynTz = 7,
  Ignore = 8,
  AmPm = 9,
  Hour = 10,
  Minute = 11,
  Second = 12,
  Millisecond = 13,
  Microsecond = 14,
  Doy = 15,
  Dow = 16,
  Units = 17,
  AdBc = 18,
  IsoTime = 23,
  DtzMod = 28,
}

const M = (t: number): number => 1 << t;
const DATE_MASK = M(T.Year) | M(T.Month) | M(T.Day);
const TIME_MASK = M(T.Hour) | M(T.Minute) | M(T.Second) | M(T.Millisecond) | M(T.Microsecond);
const ALL_SECS_MASK = M(T.Second) | M(T.Millisecond) | M(T.Microsecond);

type Reserved = 'now' | 'today' | 'tomorrow' | 'yesterday' | 'epoch' | 'infinity' | '-infinity' | 'allballs';
type UnitField = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'julian' | 'time';
type Token =
  | { cls: T.Reserved; value: Reserved }
  | { cls: T.Month | T.Dow | T.AmPm | T.AdBc | T.DtzMod | T.Ignore; value: number }
  | { cls: T.Units; value: UnitField | 'other' }
  | { cls: T.IsoTime; value: 'time' };

const AM = 0;
const PM = 1;
const HR24 = 2;
const AD = 0;
const BC = 1;

const DATE_TOKENS = new Map<string, Token>();
{
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  const fullMonths = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
  months.forEach((m, i) => DATE_TOKENS.set(m, { cls: T.Month, value: i + 1 }));
  fullMonths.forEach((m, i) => DATE_TOKENS.set(m, { cls: T.Month, value: i + 1 }));
  DATE_TOKENS.set('sept', { cls: T.Month, value: 9 });
  const dows: Array<[string, number]> = [
    ['sun', 0], ['sunday', 0], ['mon', 1], ['monday', 1], ['tue', 2], ['tues', 2], ['tuesday', 2],
    ['wed', 3], ['wednesday', 3], ['weds', 3], ['thu', 4], ['thur', 4], ['thurs', 4], ['thursday', 4],
    ['fri', 5], ['friday', 5], ['sat', 6], ['saturday', 6],
  ];
  for (const [k, v] of dows) DATE_TOKENS.set(k, { cls: T.Dow, value: v });
  for (const r of ['now', 'today', 'tomorrow', 'yesterday', 'epoch', 'infinity', '-infinity', 'allballs'] as const) {
    DATE_TOKENS.set(r, { cls: T.Reserved, value: r });
  }
  DATE_TOKENS.set('am', { cls: T.AmPm, value: AM });
  DATE_TOKENS.set('pm', { cls: T.AmPm, value: PM });
  DATE_TOKENS.set('ad', { cls: T.AdBc, value: AD });
  DATE_TOKENS.set('bc', { cls: T.AdBc, value: BC });
  DATE_TOKENS.set('at', { cls: T.Ignore, value: 0 });
  DATE_TOKENS.set('on', { cls: T.Ignore, value: 0 });
  DATE_TOKENS.set('dst', { cls: T.DtzMod, value: 3600 });
  DATE_TOKENS.set('t', { cls: T.IsoTime, value: 'time' });
  const units: Array<[string, UnitField | 'other']> = [
    ['y', 'year'], ['m', 'month'], ['d', 'day'], ['h', 'hour'], ['mm', 'minute'], ['s', 'second'],
    ['j', 'julian'], ['jd', 'julian'], ['julian', 'julian'], ['dow', 'other'], ['doy', 'other'], ['isodow', 'other'], ['isoyear', 'other'],
  ];
  for (const [k, v] of units) DATE_TOKENS.set(k, { cls: T.Units, value: v });
}

/** PostgreSQL compares keywords on their first TOKMAXLEN (10) characters. */
const TOKMAXLEN = 10;

function lookupDateToken(word: string): Token | undefined {
  return DATE_TOKENS.get(word.slice(0, TOKMAXLEN));
}

type ZoneAbbreviation = { kind: 'fixed'; offset: number; dst: boolean } | { kind: 'dynamic'; zone: string };

const ABBREVIATIONS = new Map<string, ZoneAbbreviation>(
  TIMEZONE_ABBREVIATIONS.map(([abbrev, value, dst]): [string, ZoneAbbreviation] =>
    typeof value === 'number' ? [abbrev, { kind: 'fixed', offset: value, dst }] : [abbrev, { kind: 'dynamic', zone: value }],
  ),
);

// ---------------------------------------------------------------------------------------------
// Decoding (DecodeDateTime / DecodeTimeOnly)

/** The broken-down value being decoded; `tz` is seconds WEST of Greenwich, as PostgreSQL keeps it. */
interface Tm {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  usec: number;
  yday: number;
  tz: number | null;
}

interface Decoded {
  kind: 'date' | 'epoch' | 'infinity' | '-infinity';
  tm: Tm;
  /** A named zone to resolve once the date is known. */
  namedZone?: TimeZone;
  dynamicZone?: TimeZone;
  fmask: number;
}

/** C strtol on a decimal prefix: [value, rest]. */
function strtoint(s: string): [number, string] {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return [0, s];
  const v = Number(m[1]);
  if (!Number.isSafeInteger(v) || v > 2147483647 || v < -2147483648) fail('fieldOverflow');
  return [v, s.slice(m[0].length)];
}

/** ".123456" → µs, rounding as rint(frac * 1e6). */
function parseFractionalSecond(s: string): number {
  if (!/^\.\d*$/.test(s)) fail();
  const frac = s === '.' ? 0 : Number(`0${s}`);
  return roundHalfEven(frac * 1e6);
}

/** DecodeTimezone: "+hh", "+hhmm", "+hh:mm", "+hh:mm:ss" → seconds west. */
export function decodeNumericTimezone(s: string): number {
  if (s[0] !== '+' && s[0] !== '-') fail();
  let [hr, rest] = strtoint(s.slice(1));
  let min = 0;
  let sec = 0;
  if (rest[0] === ':') {
    [min, rest] = strtoint(rest.slice(1));
    if (rest[0] === ':') [sec, rest] = strtoint(rest.slice(1));
  } else if (rest === '' && s.length > 3) {
    min = hr % 100;
    hr = Math.trunc(hr / 100);
  }
  if (hr < 0 || hr > 15 || min < 0 || min >= 60 || sec < 0 || sec >= 60) fail('tzDispOverflow');
  let tz = (hr * 60 + min) * 60 + sec;
  if (s[0] === '-') tz = -tz;
  if (rest !== '') fail();
  return -tz;
}

/** DecodeTime: hh:mm[:ss[.fff]] or mm:ss.fff. */
function decodeTime(s: string, tm: Tm): number {
  let [hour, rest] = strtoint(s);
  if (rest[0] !== ':') fail();
  let min: number;
  [min, rest] = strtoint(rest.slice(1));
  let sec = 0;
  let usec = 0;
  if (rest === '') {
    // hh:mm
  } else if (rest[0] === '.') {
    usec = parseFractionalSecond(rest);
    sec = min;
    min = hour;
    hour = 0;
  } else if (rest[0] === ':') {
    [sec, rest] = strtoint(rest.slice(1));
    if (rest === '') usec = 0;
    else if (rest[0] === '.') usec = parseFractionalSecond(rest);
    else fail();
  } else fail();
  if (hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || usec < 0 || usec > 1_000_000) fail('fieldOverflow');
  tm.hour = hour;
  tm.minute = min;
  tm.second = sec;
  tm.usec = usec;
  return TIME_MASK;
}

function timeOverflows(tm: Tm): boolean {
  if (tm.hour < 0 || tm.hour > 24 || tm.minute < 0 || tm.minute > 59 || tm.second < 0 || tm.second > 60 || tm.usec < 0 || tm.usec > 1_000_000) return true;
  // 24:00:00 is allowed, nothing later; a leap second only as exactly 60.
  if (tm.hour === 24 && (tm.minute > 0 || tm.second > 0 || tm.usec > 0)) return true;
  return tm.second * 1_000_000 + tm.usec > 60_000_000;
}

interface DecodeState {
  fmask: number;
  is2digits: boolean;
  order: DateFieldOrder;
}

/** DecodeNumberField: run-together yyyymmdd, hhmmss, hhmm, with an optional fraction. Returns the mask set. */
function decodeNumberField(str: string, fmask: number, tm: Tm, st: DecodeState): number {
  let s = str;
  const dot = s.indexOf('.');
  if (dot >= 0) {
    const fracText = s.slice(dot);
    tm.usec = fracText === '.' ? 0 : roundHalfEven(Number(`0${fracText}`) * 1e6);
    if (Number.isNaN(tm.usec)) fail();
    s = s.slice(0, dot);
  } else if ((fmask & DATE_MASK) !== DATE_MASK) {
    if (s.length >= 6) {
      tm.day = Number(s.slice(-2));
      tm.month = Number(s.slice(-4, -2));
      tm.year = Number(s.slice(0, -4));
      if (s.length - 4 === 2) st.is2digits = true;
      return DATE_MASK;
    }
  }
  if ((fmask & TIME_MASK) !== TIME_MASK) {
    if (s.length === 6) {
      tm.second = Number(s.slice(4));
      tm.minute = Number(s.slice(2, 4));
      tm.hour = Number(s.slice(0, 2));
      return TIME_MASK;
    } else if (s.length === 4) {
      tm.second = 0;
      tm.minute = Number(s.slice(2));
      tm.hour = Number(s.slice(0, 2));
      return TIME_MASK;
    }
  }
  fail();
}

/** DecodeNumber: one numeric field whose meaning depends on what is already known and DateStyle. */
function decodeNumber(str: string, haveTextMonth: boolean, fmask: number, tm: Tm, st: DecodeState): number {
  const flen = str.length;
  const [val, rest] = strtoint(str);
  if (rest === str) fail();
  if (rest[0] === '.') {
    // More than two digits before the point: a run-together date or time.
    if (str.length - rest.length > 2) return decodeNumberField(str, fmask | DATE_MASK, tm, st);
    tm.usec = parseFractionalSecond(rest);
  } else if (rest !== '') fail();
  if (flen === 3 && (fmask & DATE_MASK) === M(T.Year) && val >= 1 && val <= 366) {
    tm.yday = val;
    return M(T.Doy) | M(T.Month) | M(T.Day);
  }
  let tmask: number;
  switch (fmask & DATE_MASK) {
    case 0:
      if (flen >= 3 || st.order === 'YMD') {
        tmask = M(T.Year);
        tm.year = val;
      } else if (st.order === 'DMY') {
        tmask = M(T.Day);
        tm.day = val;
      } else {
        tmask = M(T.Month);
        tm.month = val;
      }
      break;
    case M(T.Year):
      tmask = M(T.Month);
      tm.month = val;
      break;
    case M(T.Month):
      if (haveTextMonth) {
        if (flen >= 3 || st.order === 'YMD') {
          tmask = M(T.Year);
          tm.year = val;
        } else {
          tmask = M(T.Day);
          tm.day = val;
        }
      } else {
        tmask = M(T.Day);
        tm.day = val;
      }
      break;
    case M(T.Year) | M(T.Month):
      if (haveTextMonth && flen >= 3 && st.is2digits) {
        // The first number was a day after all (DD-MON-YYYY).
        tmask = M(T.Day);
        tm.day = tm.year;
        tm.year = val;
        st.is2digits = false;
      } else {
        tmask = M(T.Day);
        tm.day = val;
      }
      break;
    case M(T.Day):
      tmask = M(T.Month);
      tm.month = val;
      break;
    case M(T.Month) | M(T.Day):
      tmask = M(T.Year);
      tm.year = val;
      break;
    case DATE_MASK:
      return decodeNumberField(str, fmask, tm, st);
    default:
      fail();
  }
  if (tmask === M(T.Year)) st.is2digits = flen <= 2;
  return tmask;
}

/** DecodeDate: a field such as 2024-01-02, 1/2/2024, jan-02-2024, 2024.01.02. */
function decodeDate(str: string, fmask: number, tm: Tm, st: DecodeState): number {
  const parts: string[] = [];
  let i = 0;
  while (i < str.length) {
    while (i < str.length && !isAlnumCh(str[i])) i++;
    if (i >= str.length) fail();
    let j = i;
    if (isDigitCh(str[j])) while (isDigitCh(str[j])) j++;
    else if (isAlphaCh(str[j])) while (isAlphaCh(str[j])) j++;
    parts.push(str.slice(i, j));
    i = j < str.length ? j + 1 : j;
    if (parts.length > MAX_DATE_FIELDS) fail();
  }
  let tmask = 0;
  let haveTextMonth = false;
  let mask = fmask;
  const numeric: string[] = [];
  for (const p of parts) {
    if (isAlphaCh(p[0])) {
      const tok = lookupDateToken(p);
      if (tok?.cls === T.Ignore) continue;
      if (tok?.cls !== T.Month) fail();
      tm.month = tok.value;
      haveTextMonth = true;
      if (mask & M(T.Month)) fail();
      mask |= M(T.Month);
      tmask |= M(T.Month);
    } else numeric.push(p);
  }
  for (const p of numeric) {
    if (p.length === 0) fail();
    const dmask = decodeNumber(p, haveTextMonth, mask, tm, st);
    if (mask & dmask) fail();
    mask |= dmask;
    tmask |= dmask;
  }
  if ((mask & ~(M(T.Doy) | M(T.Tz))) !== DATE_MASK) fail();
  return tmask;
}

/** ValidateDate: year adjustments (BC, two-digit years), day-of-year, month/day ranges. */
function validateDate(fmask: number, isJulian: boolean, is2digits: boolean, bc: boolean, tm: Tm): void {
  if (fmask & M(T.Year)) {
    if (isJulian) {
      // already astronomical
    } else if (bc) {
      if (tm.year <= 0) fail('fieldOverflow');
      tm.year = -(tm.year - 1);
    } else if (is2digits) {
      if (tm.year < 0) fail('fieldOverflow');
      if (tm.year < 70) tm.year += 2000;
      else if (tm.year < 100) tm.year += 1900;
    } else if (tm.year <= 0) fail('fieldOverflow');
  }
  if (fmask & M(T.Doy)) {
    const c = civilFromDays(daysFromCivil(tm.year, 1, 1) + tm.yday - 1);
    tm.year = c.year;
    tm.month = c.month;
    tm.day = c.day;
  }
  if (fmask & M(T.Month) && (tm.month < 1 || tm.month > 12)) fail('mdFieldOverflow');
  if (fmask & M(T.Day) && (tm.day < 1 || tm.day > 31)) fail('mdFieldOverflow');
  if ((fmask & DATE_MASK) === DATE_MASK && tm.day > daysInMonth(tm.year, tm.month)) fail('fieldOverflow');
}

function nowMicros(settings: DateTimeSettings): bigint {
  return settings.now ?? BigInt(Date.now()) * 1000n;
}

/** Sets tm to the current local date (and time if `withTime`) in the session zone; returns the offset (seconds west). */
function currentLocal(settings: DateTimeSettings, tm: Tm, withTime: boolean): number {
  const zone = sessionTimeZone(settings.timeZone);
  const now = nowMicros(settings);
  const local = utcToLocal(zone, now);
  const p = timestampToParts(local);
  tm.year = p.year;
  tm.month = p.month;
  tm.day = p.day;
  if (withTime) {
    tm.hour = p.hour;
    tm.minute = p.minute;
    tm.second = p.second;
    tm.usec = p.microsecond;
  }
  return Number((now - local) / 1_000_000n);
}

function shiftDays(tm: Tm, delta: number): void {
  const c = civilFromDays(daysFromCivil(tm.year, tm.month, tm.day) + delta);
  tm.year = c.year;
  tm.month = c.month;
  tm.day = c.day;
}

function newTm(): Tm {
  return { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, usec: 0, yday: 0, tz: null };
}

function resolveNamedZone(name: string, strict: boolean): TimeZone | undefined {
  const zone = timeZoneFor(name) ?? timeZoneFor(name.replace(/(^|\/|_|-)([a-z])/g, (_m, sep: string, ch: string) => sep + ch.toUpperCase()));
  if (!zone && strict) throw new SqlError(SqlState.invalidParameterValue, `time zone "${name}" not recognized`);
  return zone;
}

/** DecodeDateTime (timeOnly = false) and DecodeTimeOnly (timeOnly = true). */
function decodeFields(fields: DateTimeField[], settings: DateTimeSettings, timeOnly: boolean): Decoded {
  const st: DecodeState = { fmask: 0, is2digits: false, order: parseDateStyle(settings.dateStyle).order };
  const tm = newTm();
  let kind: Decoded['kind'] = 'date';
  let fmask = 0;
  let ptype: UnitField | null = null;
  let haveTextMonth = false;
  let isJulian = false;
  let bc = false;
  let mer = HR24;
  let namedZone: TimeZone | undefined;
  let dynamicZone: TimeZone | undefined;
  const nf = fields.length;

  for (let i = 0; i < nf; i++) {
    const f = fields[i]!;
    let tmask = 0;
    switch (f.type) {
      case 'date': {
        const alreadyHaveDate = (fmask & (M(T.Month) | M(T.Day))) === (M(T.Month) | M(T.Day));
        const dateAllowed = timeOnly
          ? i === 0 && nf >= 2 && (fields[nf - 1]!.type === 'date' || fields[1]!.type === 'time')
          : ptype === null && !alreadyHaveDate;
        if (dateAllowed) {
          tmask = decodeDate(f.text, fmask, tm, st);
        } else if (isDigitCh(f.text[0]) || ptype !== null) {
          // hhmmss-zz: a run-together time with a trailing zone.
          if (ptype !== null) {
            if (ptype !== 'time') fail();
            ptype = null;
          }
          if ((fmask & TIME_MASK) === TIME_MASK) fail();
          const dash = f.text.indexOf('-');
          if (dash < 0) fail();
          tm.tz = decodeNumericTimezone(f.text.slice(dash));
          tmask = decodeNumberField(f.text.slice(0, dash), timeOnly ? fmask | DATE_MASK : fmask, tm, st) | M(T.Tz);
        } else {
          namedZone = resolveNamedZone(f.text, true);
          tmask = M(T.Tz);
        }
        break;
      }
      case 'time':
        if (ptype !== null) {
          if (ptype !== 'time') fail();
          ptype = null;
        }
        tmask = decodeTime(f.text, tm);
        if (!timeOnly && timeOverflows(tm)) fail('fieldOverflow');
        break;
      case 'tz':
        tm.tz = decodeNumericTimezone(f.text);
        tmask = M(T.Tz);
        break;
      case 'number': {
        if (ptype !== null) {
          const [value, rest] = strtoint(f.text);
          if (rest[0] === '.') {
            if (ptype !== 'julian' && ptype !== 'time' && ptype !== 'second') fail();
          } else if (rest !== '') fail();
          switch (ptype) {
            case 'year':
              tm.year = value;
              tmask = M(T.Year);
              break;
            case 'month':
              if (fmask & M(T.Month) && fmask & M(T.Hour)) {
                tm.minute = value;
                tmask = M(T.Minute);
              } else {
                tm.month = value;
                tmask = M(T.Month);
              }
              break;
            case 'day':
              tm.day = value;
              tmask = M(T.Day);
              break;
            case 'hour':
              tm.hour = value;
              tmask = M(T.Hour);
              break;
            case 'minute':
              tm.minute = value;
              tmask = M(T.Minute);
              break;
            case 'second':
              tm.second = value;
              tmask = M(T.Second);
              if (rest[0] === '.') {
                tm.usec = parseFractionalSecond(rest);
                tmask = ALL_SECS_MASK;
              }
              break;
            case 'julian': {
              if (value < 0) fail('fieldOverflow');
              tmask = DATE_MASK;
              const c = civilFromDays(value - UNIX_EPOCH_JDATE);
              tm.year = c.year;
              tm.month = c.month;
              tm.day = c.day;
              isJulian = true;
              if (rest[0] === '.') {
                const frac = rest === '.' ? 0 : Number(`0${rest}`);
                if (Number.isNaN(frac)) fail();
                const us = Math.round(frac * 86_400_000_000);
                tm.hour = Math.floor(us / 3_600_000_000);
                tm.minute = Math.floor(us / 60_000_000) % 60;
                tm.second = Math.floor(us / 1_000_000) % 60;
                tm.usec = us % 1_000_000;
                tmask |= TIME_MASK;
              }
              break;
            }
            case 'time':
              tmask = decodeNumberField(f.text, fmask | DATE_MASK, tm, st);
              if (tmask !== TIME_MASK) fail();
              break;
          }
          ptype = null;
          kind = 'date';
        } else if (timeOnly) {
          const dot = f.text.indexOf('.');
          if (dot >= 0) {
            if (i === 0 && nf >= 2 && fields[nf - 1]!.type === 'date') tmask = decodeDate(f.text, fmask, tm, st);
            else if (dot > 2) tmask = decodeNumberField(f.text, fmask | DATE_MASK, tm, st);
            else fail();
          } else if (f.text.length > 4) tmask = decodeNumberField(f.text, fmask | DATE_MASK, tm, st);
          else tmask = decodeNumber(f.text, false, fmask | DATE_MASK, tm, st);
        } else {
          const flen = f.text.length;
          const dot = f.text.indexOf('.');
          if (dot >= 0 && !(fmask & DATE_MASK)) tmask = decodeDate(f.text, fmask, tm, st);
          else if (dot >= 0 && dot > 2) tmask = decodeNumberField(f.text, fmask, tm, st);
          else if (flen >= 6 && (!(fmask & DATE_MASK) || !(fmask & TIME_MASK))) tmask = decodeNumberField(f.text, fmask, tm, st);
          else tmask = decodeNumber(f.text, haveTextMonth, fmask, tm, st);
        }
        break;
      }
      case 'string':
      case 'special': {
        // Time zone abbreviations take precedence over the keywords.
        const abbrev = ABBREVIATIONS.get(f.text);
        if (abbrev) {
          if (abbrev.kind === 'fixed') {
            tmask = M(T.Tz);
            tm.tz = -abbrev.offset;
          } else {
            tmask = M(T.Tz);
            dynamicZone = resolveNamedZone(abbrev.zone, true);
          }
          break;
        }
        const tok = lookupDateToken(f.text);
        if (!tok) {
          // An all-letters zone name (e.g. "utc" is an abbreviation; "zulu", "singapore" are zones).
          namedZone = resolveNamedZone(f.text, false);
          if (!namedZone) fail();
          tmask = M(T.Tz);
          break;
        }
        if (tok.cls === T.Ignore) continue;
        switch (tok.cls) {
          case T.Reserved:
            switch (tok.value) {
              case 'now':
                tmask = DATE_MASK | TIME_MASK | M(T.Tz);
                kind = 'date';
                tm.tz = currentLocal(settings, tm, true);
                break;
              case 'today':
              case 'tomorrow':
              case 'yesterday':
                if (timeOnly) fail();
                tmask = DATE_MASK;
                kind = 'date';
                currentLocal(settings, tm, false);
                shiftDays(tm, tok.value === 'tomorrow' ? 1 : tok.value === 'yesterday' ? -1 : 0);
                break;
              case 'allballs':
                tmask = TIME_MASK | M(T.Tz);
                kind = 'date';
                tm.hour = tm.minute = tm.second = 0;
                tm.tz = 0;
                break;
              default:
                if (timeOnly) fail();
                tmask = DATE_MASK | TIME_MASK | M(T.Tz);
                kind = tok.value;
            }
            break;
          case T.Month:
            // A number already taken as the month was really the day ("2 Jan 2024").
            if (fmask & M(T.Month) && !haveTextMonth && !(fmask & M(T.Day)) && tm.month >= 1 && tm.month <= 31) {
              tm.day = tm.month;
              tmask = M(T.Day);
            } else tmask = M(T.Month);
            haveTextMonth = true;
            tm.month = tok.value;
            break;
          case T.DtzMod:
            tmask = M(T.DtzMod) | M(T.Dtz);
            if (tm.tz === null) fail();
            tm.tz -= tok.value;
            break;
          case T.AmPm:
            tmask = M(T.AmPm);
            mer = tok.value;
            break;
          case T.AdBc:
            tmask = M(T.AdBc);
            bc = tok.value === BC;
            break;
          case T.Dow:
            tmask = M(T.Dow);
            break;
          case T.Units:
            if (ptype !== null) fail();
            if (tok.value === 'other') fail();
            ptype = tok.value;
            tmask = 0;
            break;
          case T.IsoTime: {
            if (!timeOnly && (fmask & DATE_MASK) !== DATE_MASK) fail();
            const next = fields[i + 1];
            if (!next || (next.type !== 'number' && next.type !== 'time' && next.type !== 'date')) fail();
            ptype = 'time';
            tmask = 0;
            break;
          }
        }
        break;
      }
    }
    if (tmask & fmask) fail();
    fmask |= tmask;
  }

  // epoch/infinity claim every field but carry no civil date to validate.
  if (kind === 'date') validateDate(fmask, isJulian, st.is2digits, bc, tm);
  if (mer !== HR24 && tm.hour > 12) fail('fieldOverflow');
  if (mer === AM && tm.hour === 12) tm.hour = 0;
  else if (mer === PM && tm.hour !== 12) tm.hour += 12;

  if (timeOnly) {
    if (timeOverflows(tm)) fail('fieldOverflow');
    if ((fmask & TIME_MASK) !== TIME_MASK) fail();
    // A zone with daylight-saving history needs a date to pick its offset.
    if (namedZone && !namedZone.fixedOffset && (fmask & DATE_MASK) !== DATE_MASK) fail();
  } else if (kind === 'date') {
    if ((fmask & DATE_MASK) !== DATE_MASK) fail();
    if (fmask & M(T.DtzMod) && (namedZone || dynamicZone)) fail();
    if (!(fmask & M(T.Tz)) && fmask & M(T.DtzMod)) fail();
  }
  return { kind, tm, namedZone, dynamicZone, fmask };
}

function decode(text: string, typeName: string, settings: DateTimeSettings, timeOnly: boolean): Decoded {
  try {
    return decodeFields(splitDateTimeFields(text), settings, timeOnly);
  } catch (e) {
    if (e instanceof DateTimeFailure) throw dateTimeError(e.kind, text, typeName);
    throw e;
  }
}

function outOfRange(typeName: string, text: string): SqlError {
  return new SqlError(SqlState.datetimeFieldOverflow, `${typeName} out of range: "${text}"`);
}

/** Local timestamp (µs since 1970, no zone) of decoded fields; null when out of the Julian range. */
function localTimestamp(tm: Tm): bigint | null {
  if (!isValidJulian(tm.year, tm.month)) return null;
  const days = daysFromCivil(tm.year, tm.month, tm.day);
  return BigInt(days) * USECS_PER_DAY + timeOfDay(tm.hour, tm.minute, tm.second, tm.usec);
}

/** Rounds a timestamp to `typmod` fractional digits, symmetric around 2000-01-01 as PostgreSQL is. */
export function roundTimestampToTypmod(ts: bigint, typmod: number): bigint {
  if (typmod < 0 || typmod >= 6 || ts === TIMESTAMP_INFINITY || ts === TIMESTAMP_MINUS_INFINITY) return ts;
  return roundMicros(ts - POSTGRES_EPOCH_USECS, typmod) + POSTGRES_EPOCH_USECS;
}

function finishTimestamp(d: Decoded, text: string, typeName: string, withZone: boolean, settings: DateTimeSettings, typmod: number): bigint {
  if (d.kind === 'epoch') return 0n;
  if (d.kind === 'infinity') return TIMESTAMP_INFINITY;
  if (d.kind === '-infinity') return TIMESTAMP_MINUS_INFINITY;
  const local = localTimestamp(d.tm);
  if (local === null) throw outOfRange(typeName, text);
  let result = local;
  if (withZone) {
    let tzWest: number;
    const zone = d.namedZone ?? d.dynamicZone;
    if (zone) tzWest = -offsetForLocal(zone, Number(bigFloorDiv(local, 1_000_000n)));
    else if (d.tm.tz !== null && d.fmask & M(T.Tz)) tzWest = d.tm.tz;
    else return checkTimestamp(roundTimestampToTypmod(localToUtc(sessionTimeZone(settings.timeZone), local), typmod), typeName, text);
    result = local + BigInt(tzWest) * 1_000_000n;
  }
  return checkTimestamp(roundTimestampToTypmod(result, typmod), typeName, text);
}

function checkTimestamp(ts: bigint, typeName: string, text: string): bigint {
  if (!isValidTimestamp(ts)) throw outOfRange(typeName, text);
  return ts;
}

/** timestamp_in. */
export function parseTimestamp(text: string, typmod: number, settings: DateTimeSettings): bigint {
  return finishTimestamp(decode(text, 'timestamp', settings, false), text, 'timestamp', false, settings, typmod);
}

/** timestamptz_in: result is UTC µs. */
export function parseTimestamptz(text: string, typmod: number, settings: DateTimeSettings): bigint {
  return finishTimestamp(decode(text, 'timestamp with time zone', settings, false), text, 'timestamp', true, settings, typmod);
}

/** date_in: days since 1970 (±Infinity for ±infinity). */
export function parseDate(text: string, settings: DateTimeSettings): number {
  const d = decode(text, 'date', settings, false);
  if (d.kind === 'infinity') return Infinity;
  if (d.kind === '-infinity') return -Infinity;
  if (d.kind === 'epoch') return 0;
  const tm = d.tm;
  if (!isValidJulian(tm.year, tm.month)) throw outOfRange('date', text);
  const days = daysFromCivil(tm.year, tm.month, tm.day);
  if (!isValidDate(days) || days < DATE_MIN_DAYS) throw outOfRange('date', text);
  return days;
}

/** time_in: µs since midnight (24:00:00 allowed). */
export function parseTime(text: string, typmod: number, settings: DateTimeSettings): bigint {
  const d = decode(text, 'time', settings, true);
  const tm = d.tm;
  const us = timeOfDay(tm.hour, tm.minute, tm.second, tm.usec);
  return typmod >= 0 && typmod < 6 ? roundMicros(us, typmod) : us;
}
