/**
 * Text output of date, time, timestamp and timestamptz in the four DateStyles (EncodeDateOnly,
 * EncodeTimeOnly, EncodeDateTime of PostgreSQL's datetime.c). Fractional seconds print with up to
 * six digits and no trailing zeros; years <= 0 print as "<1-year> BC".
 */
import {
  TIMESTAMP_INFINITY,
  TIMESTAMP_MINUS_INFINITY,
  USECS_PER_SEC,
  bigFloorDiv,
  civilFromDays,
  dayOfWeek,
  daysFromCivil,
  timestampToParts,
  type TimestampParts,
} from './calendar.js';
import { parseDateStyle, sessionTimeZone, type DateTimeSettings } from './datetime-parse.js';
import { utcToLocal } from './timezone.js';

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The displayed year: 1 BC is year 0 internally. */
function displayYear(year: number): string {
  return pad(year > 0 ? year : -(year - 1), 4);
}

/** AppendSeconds: "ss" (zero-padded when `fillZeros`) plus ".ffffff" without trailing zeros. */
export function secondsText(seconds: number, micros: number, fillZeros: boolean): string {
  const s = fillZeros ? pad(Math.abs(seconds), 2) : String(Math.abs(seconds));
  if (micros === 0) return s;
  return `${s}.${pad(Math.abs(micros), 6).replace(/0+$/, '')}`;
}

/** EncodeTimezone: +hh, +hh:mm or +hh:mm:ss from seconds east. */
export function offsetText(offsetEast: number): string {
  const a = Math.abs(offsetEast);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const s = a % 60;
  const sign = offsetEast >= 0 ? '+' : '-';
  if (s !== 0) return `${sign}${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`;
  if (m !== 0) return `${sign}${pad(h, 2)}:${pad(m, 2)}`;
  return `${sign}${pad(h, 2)}`;
}

/** date_out. */
export function formatDate(days: number, settings: Pick<DateTimeSettings, 'dateStyle'>): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const { year, month, day } = civilFromDays(days);
  const { style, order } = parseDateStyle(settings.dateStyle);
  let s: string;
  switch (style) {
    case 'ISO':
      s = `${displayYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
      break;
    case 'SQL':
      s = order === 'DMY' ? `${pad(day, 2)}/${pad(month, 2)}` : `${pad(month, 2)}/${pad(day, 2)}`;
      s += `/${displayYear(year)}`;
      break;
    case 'German':
      s = `${pad(day, 2)}.${pad(month, 2)}.${displayYear(year)}`;
      break;
    default:
      s = order === 'DMY' ? `${pad(day, 2)}-${pad(month, 2)}` : `${pad(month, 2)}-${pad(day, 2)}`;
      s += `-${displayYear(year)}`;
  }
  return year <= 0 ? `${s} BC` : s;
}

/** time_out: hh:mm:ss[.ffffff]. */
export function formatTime(micros: bigint): string {
  const t = Number(micros);
  const totalSeconds = Math.floor(t / 1e6);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor(totalSeconds / 60) % 60;
  const s = totalSeconds % 60;
  return `${pad(h, 2)}:${pad(m, 2)}:${secondsText(s, t - totalSeconds * 1e6, true)}`;
}

/** EncodeDateTime with an optional zone (offset seconds east and abbreviation). */
function encodeDateTime(p: TimestampParts, settings: Pick<DateTimeSettings, 'dateStyle'>, zone: { offset: number; abbreviation: string } | null): string {
  const { style, order } = parseDateStyle(settings.dateStyle);
  const hm = `${pad(p.hour, 2)}:${pad(p.minute, 2)}:${secondsText(p.second, p.microsecond, true)}`;
  let s: string;
  switch (style) {
    case 'ISO':
      s = `${displayYear(p.year)}-${pad(p.month, 2)}-${pad(p.day, 2)} ${hm}`;
      if (zone) s += offsetText(zone.offset);
      break;
    case 'SQL':
    case 'German':
      if (style === 'German') s = `${pad(p.day, 2)}.${pad(p.month, 2)}.${displayYear(p.year)} ${hm}`;
      else {
        s = order === 'DMY' ? `${pad(p.day, 2)}/${pad(p.month, 2)}` : `${pad(p.month, 2)}/${pad(p.day, 2)}`;
        s += `/${displayYear(p.year)} ${hm}`;
      }
      if (zone) s += ` ${zone.abbreviation}`;
      break;
    default: {
      const dow = DAY_NAMES[dayOfWeek(daysFromCivil(p.year, p.month, p.day))]!;
      const md = order === 'DMY' ? `${pad(p.day, 2)} ${MONTH_NAMES[p.month - 1]}` : `${MONTH_NAMES[p.month - 1]} ${pad(p.day, 2)}`;
      s = `${dow} ${md} ${hm} ${displayYear(p.year)}`;
      if (zone) s += ` ${zone.abbreviation}`;
    }
  }
  return p.year <= 0 ? `${s} BC` : s;
}

/** timestamp_out. */
export function formatTimestamp(ts: bigint, settings: Pick<DateTimeSettings, 'dateStyle'>): string {
  if (ts === TIMESTAMP_INFINITY) return 'infinity';
  if (ts === TIMESTAMP_MINUS_INFINITY) return '-infinity';
  return encodeDateTime(timestampToParts(ts), settings, null);
}

/** timestamptz_out: the instant shown in the session TimeZone. */
export function formatTimestamptz(ts: bigint, settings: Pick<DateTimeSettings, 'dateStyle' | 'timeZone'>): string {
  if (ts === TIMESTAMP_INFINITY) return 'infinity';
  if (ts === TIMESTAMP_MINUS_INFINITY) return '-infinity';
  const zone = sessionTimeZone(settings.timeZone);
  const local = utcToLocal(zone, ts);
  const utcSeconds = Number(bigFloorDiv(ts, USECS_PER_SEC));
  const offset = Number((local - ts) / USECS_PER_SEC);
  return encodeDateTime(timestampToParts(local), settings, { offset, abbreviation: zone.abbreviationAt(utcSeconds) });
}
