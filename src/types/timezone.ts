/**
 * Time zones for timestamptz: UTC offsets of IANA zones through Intl (cached per day), fixed-offset
 * POSIX zones (`UTC+3`, `<+05>-05`, `+05:30` — POSIX signs: positive means west of Greenwich), and
 * PostgreSQL's resolution of local times that fall in a DST gap or overlap. Zone abbreviations
 * (for the SQL/Postgres/German DateStyles) come from the system tz database that PostgreSQL also
 * reads, when it is installed; otherwise from the offset (`+0530`), as tzdata writes unnamed zones.
 */
import { readFileSync } from 'node:fs';
import { SECS_PER_DAY, USECS_PER_SEC } from './calendar.js';

export interface TimeZone {
  /** The name as the TimeZone setting shows it. */
  readonly name: string;
  /** Seconds east of Greenwich in effect at `utcSeconds` (seconds since 1970 UTC). */
  offsetAt(utcSeconds: number): number;
  /** The abbreviation PostgreSQL prints (EST, CET, IST, +04, ...), at `utcSeconds`. */
  abbreviationAt(utcSeconds: number): string;
  /** True when the zone has one offset for all time (UTC, POSIX offsets). */
  readonly fixedOffset: boolean;
}

/** Intl's Date covers ±8.64e15 ms; beyond it the Gregorian 400-year cycle stands in. */
const INTL_LIMIT_SECONDS = 8.64e12 - 2 * 146097 * SECS_PER_DAY;
const CYCLE_SECONDS = 146097 * SECS_PER_DAY;
/** Per-zone memo of daily offsets; cleared when it grows past this many days. */
const MAX_CACHED_DAYS = 50_000;

interface DayOffsets {
  readonly start: number;
  readonly end: number;
  /** First second at which `end` applies (only when start !== end). */
  readonly switchAt: number;
}

class IntlTimeZone implements TimeZone {
  readonly fixedOffset = false;
  private readonly formatter: Intl.DateTimeFormat;
  private readonly days = new Map<number, DayOffsets>();
  private readonly abbreviations: ZoneAbbreviations | null;

  constructor(readonly name: string, canonical: string) {
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: canonical,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.abbreviations = loadZoneAbbreviations(name) ?? loadZoneAbbreviations(canonical);
  }

  /** The offset Intl reports, to the second, for one instant inside Intl's range. */
  private intlOffset(utcSeconds: number): number {
    const date = new Date(utcSeconds * 1000);
    let year = 0;
    let bc = false;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.formatter.formatToParts(date)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'era':
          bc = part.value === 'BC' || part.value === 'B';
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
      }
    }
    const local = new Date(0);
    local.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    local.setUTCHours(hour, minute, second, 0);
    return Math.round(local.getTime() / 1000 - Math.floor(utcSeconds));
  }

  private rawOffset(utcSeconds: number): number {
    let t = utcSeconds;
    while (t > INTL_LIMIT_SECONDS) t -= CYCLE_SECONDS;
    while (t < -INTL_LIMIT_SECONDS) t += CYCLE_SECONDS;
    return this.intlOffset(t);
  }

  offsetAt(utcSeconds: number): number {
    const s = Math.floor(utcSeconds);
    const day = Math.floor(s / SECS_PER_DAY);
    let entry = this.days.get(day);
    if (!entry) {
      const dayStart = day * SECS_PER_DAY;
      const start = this.rawOffset(dayStart);
      const end = this.rawOffset(dayStart + SECS_PER_DAY - 1);
      let switchAt = dayStart + SECS_PER_DAY;
      if (start !== end) {
        // Binary search for the first second that has the end-of-day offset.
        let lo = dayStart;
        let hi = dayStart + SECS_PER_DAY - 1;
        while (lo < hi) {
          const mid = Math.floor((lo + hi) / 2);
          if (this.rawOffset(mid) === end) hi = mid;
          else lo = mid + 1;
        }
        switchAt = lo;
      }
      if (this.days.size >= MAX_CACHED_DAYS) this.days.clear();
      entry = { start, end, switchAt };
      this.days.set(day, entry);
    }
    return s >= entry.switchAt ? entry.end : entry.start;
  }

  abbreviationAt(utcSeconds: number): string {
    const offset = this.offsetAt(utcSeconds);
    return this.abbreviations?.at(utcSeconds, offset) ?? numericAbbreviation(offset);
  }
}

/** A zone with one offset forever (UTC, POSIX `UTC+3`, `<+05>-05`). */
class FixedTimeZone implements TimeZone {
  readonly fixedOffset = true;
  constructor(readonly name: string, private readonly offset: number, private readonly abbreviation: string) {}
  offsetAt(): number {
    return this.offset;
  }
  abbreviationAt(): string {
    return this.abbreviation;
  }
}

/** tzdata's name for a zone without letters: +04, -03, +0530. */
export function numericAbbreviation(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const a = Math.abs(offsetSeconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const s = a % 60;
  return `${sign}${String(h).padStart(2, '0')}${m || s ? String(m).padStart(2, '0') : ''}${s ? String(s).padStart(2, '0') : ''}`;
}

const POSIX_OFFSET = /^(?:([A-Za-z]{3,})|<([^>]*)>)?([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?$/;

function fixedZone(name: string): TimeZone | undefined {
  const m = POSIX_OFFSET.exec(name);
  if (!m) return undefined;
  const hours = Number(m[4]);
  const minutes = Number(m[5] ?? '0');
  const seconds = Number(m[6] ?? '0');
  if (hours > 24 || minutes > 59 || seconds > 59) return undefined;
  // POSIX: "UTC+3" is three hours WEST of Greenwich.
  const west = (hours * 3600 + minutes * 60 + seconds) * (m[3] === '-' ? -1 : 1);
  const offset = west === 0 ? 0 : -west;
  return new FixedTimeZone(name, offset, m[1] ?? m[2] ?? '');
}

const zones = new Map<string, TimeZone | null>();

/** The zone for a TimeZone setting or a zone name in timestamp input; undefined if unknown. */
export function timeZoneFor(name: string): TimeZone | undefined {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = fixedZone(name) ?? null;
    if (!zone) {
      try {
        const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
        zone = /^(?:etc\/)?(?:utc|gmt|uct|zulu|universal|greenwich)$/i.test(name) || canonical === 'UTC'
          ? new FixedTimeZone(name, 0, /gmt|greenwich/i.test(name) ? 'GMT' : 'UTC')
          : new IntlTimeZone(name, canonical);
      } catch {
        zone = null;
      }
    }
    zones.set(name, zone);
  }
  return zone ?? undefined;
}

export const UTC: TimeZone = new FixedTimeZone('UTC', 0, 'UTC');

/** Local wall-clock µs for a UTC instant. */
export function utcToLocal(zone: TimeZone, utcMicros: bigint): bigint {
  return utcMicros + BigInt(zone.offsetAt(Number(utcMicros / USECS_PER_SEC) - (utcMicros < 0n && utcMicros % USECS_PER_SEC !== 0n ? 1 : 0))) * USECS_PER_SEC;
}

/**
 * The UTC offset (seconds east) that a local wall-clock time has in `zone`, resolved as PostgreSQL's
 * DetermineTimeZoneOffset does: a time skipped by a spring-forward gap takes the offset in effect
 * before the transition; a time repeated by a fall-back overlap takes the offset after it.
 */
export function offsetForLocal(zone: TimeZone, localSeconds: number): number {
  const before = zone.offsetAt(localSeconds - SECS_PER_DAY);
  const after = zone.offsetAt(localSeconds + SECS_PER_DAY);
  const validBefore = zone.offsetAt(localSeconds - before) === before;
  const validAfter = zone.offsetAt(localSeconds - after) === after;
  if (before === after) {
    if (validBefore) return before;
    // Two transitions within two days: fall back to the offset at the naive instant.
    return zone.offsetAt(localSeconds - before);
  }
  if (validBefore && validAfter) return after;
  if (validBefore) return before;
  if (validAfter) return after;
  return before;
}

/** UTC µs of a local wall-clock time in `zone` (gap/overlap resolved as offsetForLocal says). */
export function localToUtc(zone: TimeZone, localMicros: bigint): bigint {
  const seconds = Number(localMicros / USECS_PER_SEC) - (localMicros < 0n && localMicros % USECS_PER_SEC !== 0n ? 1 : 0);
  return localMicros - BigInt(offsetForLocal(zone, seconds)) * USECS_PER_SEC;
}

/** Zone abbreviations from a TZif file: transitions with their abbreviation, and the POSIX rule after them. */
class ZoneAbbreviations {
  constructor(
    private readonly transitions: readonly number[],
    private readonly typeOfTransition: readonly number[],
    private readonly types: ReadonlyArray<{ offset: number; abbreviation: string }>,
    private readonly footer: { std: string; dst: string | null; stdOffset: number } | null,
  ) {}

  at(utcSeconds: number, offset: number): string | undefined {
    const n = this.transitions.length;
    if (n === 0 || utcSeconds >= this.transitions[n - 1]!) {
      // After the last listed transition the POSIX rule in the footer applies.
      if (this.footer) return offset === this.footer.stdOffset || !this.footer.dst ? this.footer.std : this.footer.dst;
      if (n === 0) return this.types[0]?.abbreviation;
    }
    if (utcSeconds < this.transitions[0]!) {
      return this.types.find((t) => t.offset === offset)?.abbreviation ?? this.types[0]?.abbreviation;
    }
    // Last transition at or before the instant.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.transitions[mid]! <= utcSeconds) lo = mid;
      else hi = mid - 1;
    }
    const type = this.types[this.typeOfTransition[lo]!];
    return type && type.offset === offset ? type.abbreviation : undefined;
  }
}

const ZONEINFO_DIR = '/usr/share/zoneinfo';
/** A TZif file larger than this is not a zone file. */
const MAX_TZIF_BYTES = 1 << 20;

function loadZoneAbbreviations(name: string): ZoneAbbreviations | null {
  if (!/^[A-Za-z0-9_+\-]+(?:\/[A-Za-z0-9_+\-]+)*$/.test(name)) return null;
  let data: Buffer;
  try {
    data = readFileSync(`${ZONEINFO_DIR}/${name}`);
  } catch {
    return null;
  }
  if (data.length > MAX_TZIF_BYTES || data.toString('latin1', 0, 4) !== 'TZif') return null;
  try {
    return parseTzif(data);
  } catch {
    return null;
  }
}

function parseTzif(data: Buffer): ZoneAbbreviations | null {
  const header = (at: number): number[] => [0, 1, 2, 3, 4, 5].map((i) => data.readUInt32BE(at + 20 + i * 4));
  const version = data[4]!;
  let at = 0;
  let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = header(0) as [number, number, number, number, number, number];
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the 32-bit block; the 64-bit block follows with its own header.
    at = 44 + timecnt * 4 + timecnt + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
    [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = header(at) as [number, number, number, number, number, number];
    timeSize = 8;
  }
  let p = at + 44;
  const transitions: number[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize) {
    transitions.push(timeSize === 8 ? Number(data.readBigInt64BE(p)) : data.readInt32BE(p));
  }
  const typeOfTransition: number[] = [];
  for (let i = 0; i < timecnt; i++) typeOfTransition.push(data[p++]!);
  const rawTypes: Array<{ offset: number; abbrIndex: number }> = [];
  for (let i = 0; i < typecnt; i++, p += 6) rawTypes.push({ offset: data.readInt32BE(p), abbrIndex: data[p + 5]! });
  const chars = data.toString('latin1', p, p + charcnt);
  p += charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt;
  const types = rawTypes.map((t) => ({ offset: t.offset, abbreviation: chars.slice(t.abbrIndex, chars.indexOf('\0', t.abbrIndex)) }));
  let footer: { std: string; dst: string | null; stdOffset: number } | null = null;
  if (timeSize === 8 && data[p] === 0x0a) {
    const end = data.indexOf(0x0a, p + 1);
    const tz = data.toString('latin1', p + 1, end < 0 ? data.length : end);
    const m = /^(<[^>]*>|[A-Za-z]+)([+-]?\d{1,2}(?::\d{2}){0,2})(<[^>]*>|[A-Za-z]+)?/.exec(tz);
    if (m) {
      const [hh, mm, ss] = m[2]!.replace(/^[+-]/, '').split(':').map(Number) as [number, number?, number?];
      const west = ((hh ?? 0) * 3600 + (mm ?? 0) * 60 + (ss ?? 0)) * (m[2]!.startsWith('-') ? -1 : 1);
      const unbracket = (s: string): string => s.replace(/^<|>$/g, '');
      footer = { std: unbracket(m[1]!), dst: m[3] ? unbracket(m[3]) : null, stdOffset: -west };
    }
  }
  return new ZoneAbbreviations(transitions, typeOfTransition, types, footer);
}
