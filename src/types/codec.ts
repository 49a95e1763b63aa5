/**
 * Text and binary I/O of SQL values, as PostgreSQL's typinput/typoutput/typreceive/typsend do it.
 * The wire layer uses these for parameters and results; the SQL engine uses the text forms for
 * literals, casts to and from text, and COPY. Each type's rules live in its own module; this file
 * only dispatches on the type OID.
 */
import { SqlError, SqlState } from '../errors.js';
import { SqlArray, type Interval, type SqlValue, Jsonb } from './values.js';
import { Oid } from './oids.js';
import { BinaryReader, BinaryWriter, decodeUtf8, encodeUtf8, invalidBinary } from './binary.js';
import { formatFloat, parseFloat } from './float.js';
import { parseInteger, parseOid } from './integer.js';
import { type Numeric, decodeNumeric, encodeNumeric, parseNumeric } from './numeric.js';
import { charFromByte, charToByte, fitCharLength, formatChar, NAME_MAX_BYTES, parseChar, parseName } from './character.js';
import { formatBytea, parseBytea } from './bytea.js';
import { parseUuid, uuidFromBytes, uuidToBytes } from './uuid.js';
import { formatJsonb, parseJson, parseJsonb } from './json.js';
import { parseDate, parseTime, parseTimestamp, parseTimestamptz } from './datetime-parse.js';
import { formatDate, formatTime, formatTimestamp, formatTimestamptz } from './datetime-format.js';
import { formatInterval, parseInterval } from './interval.js';
import { POSTGRES_EPOCH_DAYS, isValidTimestamp, USECS_PER_DAY } from './calendar.js';
import { timestampFromPostgresEpoch, timestampToPostgresEpoch } from './datetime.js';
import { decodeArrayBinary, encodeArrayBinary, formatArrayText, parseArrayText } from './array.js';
import { elementOf, formatType, parseTypeName, typeByOid } from './registry.js';
import { isCSpace } from './scan.js';

/**
 * Names of catalog objects for the reg* types (regclass, regproc, ...). The catalog provides it;
 * without one, reg* values print as numbers and read only numbers (regtype knows built-in types).
 */
export interface RegObjectResolver {
  /** The name regclassout etc. print for `oid`, or undefined when no such object exists (the number is printed). */
  nameOf(regType: number, oid: number): string | undefined;
  /** The OID for a name as regclassin etc. read it; throws PostgreSQL's error (42P01, 42883, 42704) if unknown. */
  oidOf(regType: number, name: string): number;
}

/** Session settings that change how values are written and read. */
export interface CodecContext {
  /** DateStyle, e.g. "ISO, MDY". */
  readonly dateStyle: string;
  /** IANA zone name from the TimeZone setting, e.g. "Etc/UTC" (POSIX forms like "UTC+3" also work). */
  readonly timeZone: string;
  /** IntervalStyle: "postgres" (default), "postgres_verbose", "sql_standard" or "iso_8601". */
  readonly intervalStyle: string;
  /** extra_float_digits: 1 (default) means shortest round-trip output. */
  readonly extraFloatDigits: number;
  /** bytea_output: "hex" (default) or "escape". */
  readonly byteaOutput: string;
  /** Transaction start time, µs since 1970 UTC, for 'now'/'today'/...; the clock when absent. */
  readonly now?: bigint;
  /** Catalog lookups for regclass, regproc, ... text I/O. */
  readonly regResolver?: RegObjectResolver;
}

export const DEFAULT_CODEC_CONTEXT: CodecContext = {
  dateStyle: 'ISO, MDY',
  timeZone: 'Etc/UTC',
  intervalStyle: 'postgres',
  extraFloatDigits: 1,
  byteaOutput: 'hex',
};

const REG_TYPES = new Set<number>([Oid.regclass, Oid.regtype, Oid.regproc, Oid.regprocedure, Oid.regnamespace, Oid.regrole, Oid.regoper]);
const XID_OID = 28;
const VECTOR_TYPES = new Map<number, number>([[Oid.int2vector, Oid.int2], [Oid.oidvector, Oid.oid]]);
/** FUNC_MAX_ARGS: the most elements an int2vector/oidvector holds. */
const MAX_VECTOR_ELEMENTS = 100;

function unsupported(kind: string, oid: number): SqlError {
  return new SqlError(SqlState.featureNotSupported, `no ${kind} for type ${typeByOid(oid)?.typname ?? oid}`);
}

/** The text form of a non-null value of type `oid`. */
export function formatText(oid: number, value: SqlValue, ctx: CodecContext = DEFAULT_CODEC_CONTEXT): string {
  switch (oid) {
    case Oid.bool:
      return value ? 't' : 'f';
    case Oid.int2:
    case Oid.int4:
    case Oid.int8:
    case Oid.oid:
    case XID_OID:
      return String(value);
    case Oid.float4:
      return formatFloat('float4', value as number, ctx.extraFloatDigits);
    case Oid.float8:
      return formatFloat('float8', value as number, ctx.extraFloatDigits);
    case Oid.numeric:
      return (value as Numeric).toString();
    case Oid.text:
    case Oid.varchar:
    case Oid.bpchar:
    case Oid.name:
    case Oid.json:
    case Oid.unknown:
    case Oid.uuid:
    // Catalog types that polygres only ever produces (pg_catalog columns), held as their text.
    case Oid.pg_node_tree:
    case Oid.inet:
    case Oid.aclitem:
    case Oid.pg_lsn:
    case Oid.pg_ndistinct:
    case Oid.pg_dependencies:
    case Oid.pg_mcv_list:
      return value as string;
    case Oid.char:
      return formatChar(value as string);
    case Oid.bytea:
      return formatBytea(value as Uint8Array, ctx.byteaOutput);
    case Oid.jsonb:
      return formatJsonb(value as Jsonb);
    case Oid.date:
      return formatDate(value as number, ctx);
    case Oid.time:
      return formatTime(value as bigint);
    case Oid.timestamp:
      return formatTimestamp(value as bigint, ctx);
    case Oid.timestamptz:
      return formatTimestamptz(value as bigint, ctx);
    case Oid.interval:
      return formatInterval(value as Interval, ctx.intervalStyle);
    case Oid.void:
      return '';
  }
  if (REG_TYPES.has(oid)) return formatRegObject(oid, value as number, ctx);
  const vectorElement = VECTOR_TYPES.get(oid);
  if (vectorElement !== undefined) return (value as SqlArray).elements.map((e) => String(e)).join(' ');
  const element = elementOf(oid);
  if (element !== 0) {
    const delimiter = typeByOid(element)!.typdelim;
    return formatArrayText(value as SqlArray, delimiter, {
      parse: () => null,
      format: (v) => formatText(element, v, ctx),
    });
  }
  throw unsupported('text output', oid);
}

function formatRegObject(oid: number, value: number, ctx: CodecContext): string {
  if (value === 0) return '-';
  const name = ctx.regResolver?.nameOf(oid, value);
  if (name !== undefined) return name;
  if (oid === Oid.regtype && typeByOid(value)) return formatType(value);
  return String(value);
}

function parseRegObject(oid: number, text: string, ctx: CodecContext): number {
  const t = text.trim();
  if (t === '-') return 0;
  if (/^\d+$/.test(t)) return parseOid(t);
  if (ctx.regResolver) return ctx.regResolver.oidOf(oid, t);
  if (oid === Oid.regtype) return parseTypeName(t).oid;
  throw new SqlError(SqlState.undefinedObject, `cannot resolve "${t}" without a catalog`);
}

const BOOL_WORDS: ReadonlyArray<readonly [string, boolean]> = [
  ['true', true], ['false', false], ['yes', true], ['no', false], ['on', true], ['off', false],
];

/** boolin: t/true/y/yes/on/1 and f/false/n/no/off/0, any prefix that is unambiguous, any case, spaces around. */
function parseBool(text: string): boolean {
  let start = 0;
  let end = text.length;
  while (start < end && isCSpace(text[start])) start++;
  while (end > start && isCSpace(text[end - 1])) end--;
  const s = text.slice(start, end).toLowerCase();
  if (s === '1') return true;
  if (s === '0') return false;
  if (s.length > 0) {
    for (const [word, v] of BOOL_WORDS) {
      // "o" alone is ambiguous (on/off); on/off need two letters.
      const minLength = word === 'on' || word === 'off' ? 2 : 1;
      if (s.length >= minLength && word.startsWith(s)) return v;
    }
  }
  throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type boolean: "${text}"`);
}

/**
 * Reads a value of type `oid` from its text form. `typmod` is the type modifier (-1 if none).
 * Invalid input raises the SQLSTATE PostgreSQL raises (22P02, 22003, 22007, ...).
 */
export function parseText(oid: number, text: string, typmod = -1, ctx: CodecContext = DEFAULT_CODEC_CONTEXT): SqlValue {
  switch (oid) {
    case Oid.bool:
      return parseBool(text);
    case Oid.int2:
      return parseInteger('int2', text);
    case Oid.int4:
      return parseInteger('int4', text);
    case Oid.int8:
      return parseInteger('int8', text);
    case Oid.oid:
      return parseOid(text);
    case XID_OID:
      return parseOid(text, 'xid');
    case Oid.float4:
      return parseFloat('float4', text);
    case Oid.float8:
      return parseFloat('float8', text);
    case Oid.numeric:
      return parseNumeric(text, typmod);
    case Oid.text:
    case Oid.unknown:
      return text;
    case Oid.varchar:
      return fitCharLength('varchar', text, typmod);
    case Oid.bpchar:
      return fitCharLength('bpchar', text, typmod);
    case Oid.name:
      return parseName(text);
    case Oid.char:
      return parseChar(text);
    case Oid.bytea:
      return parseBytea(text);
    case Oid.uuid:
      return parseUuid(text);
    case Oid.json:
      return parseJson(text);
    case Oid.jsonb:
      return parseJsonb(text);
    case Oid.date:
      return parseDate(text, ctx);
    case Oid.time:
      return parseTime(text, typmod, ctx);
    case Oid.timestamp:
      return parseTimestamp(text, typmod, ctx);
    case Oid.timestamptz:
      return parseTimestamptz(text, typmod, ctx);
    case Oid.interval:
      return parseInterval(text, typmod, ctx.intervalStyle);
    case Oid.void:
      return null;
  }
  if (REG_TYPES.has(oid)) return parseRegObject(oid, text, ctx);
  const vectorElement = VECTOR_TYPES.get(oid);
  if (vectorElement !== undefined) {
    const parts = text.split(/[ \t\n\v\f\r]+/).filter((p) => p !== '');
    if (parts.length > MAX_VECTOR_ELEMENTS) {
      throw new SqlError(SqlState.invalidParameterValue, `${typeByOid(oid)!.typname} has too many elements`);
    }
    const elements = parts.map((p) => parseText(vectorElement, p, -1, ctx));
    return new SqlArray(vectorElement, elements, [elements.length], [0]);
  }
  const element = elementOf(oid);
  if (element !== 0) {
    const delimiter = typeByOid(element)!.typdelim;
    return parseArrayText(text, element, delimiter, {
      parse: (t) => parseText(element, t, typmod, ctx),
      format: () => '',
    });
  }
  throw unsupported('text input', oid);
}

const EPOCH_2000_DAYS = POSTGRES_EPOCH_DAYS;
const DATE_NOEND = 2147483647;
const DATE_NOBEGIN = -2147483648;

/** The binary (typsend) form of a non-null value. */
export function encodeBinary(oid: number, value: SqlValue): Uint8Array {
  const w = new BinaryWriter(16);
  switch (oid) {
    case Oid.bool:
      return w.uint8(value ? 1 : 0).finish();
    case Oid.int2:
      return w.int16(value as number).finish();
    case Oid.int4:
      return w.int32(value as number).finish();
    case Oid.int8:
      return w.int64(value as bigint).finish();
    case Oid.oid:
    case XID_OID:
      return w.uint32(value as number).finish();
    case Oid.float4:
      return w.float32(value as number).finish();
    case Oid.float8:
      return w.float64(value as number).finish();
    case Oid.numeric:
      return encodeNumeric(value as Numeric, w).finish();
    case Oid.text:
    case Oid.varchar:
    case Oid.bpchar:
    case Oid.name:
    case Oid.json:
    case Oid.unknown:
      return encodeUtf8(value as string);
    case Oid.char:
      return w.uint8(charToByte(value as string)).finish();
    case Oid.bytea:
      return Uint8Array.from(value as Uint8Array);
    case Oid.uuid:
      return uuidToBytes(value as string);
    case Oid.jsonb:
      return w.uint8(1).bytes(encodeUtf8(formatJsonb(value as Jsonb))).finish();
    case Oid.date: {
      const d = value as number;
      return w.int32(d === Infinity ? DATE_NOEND : d === -Infinity ? DATE_NOBEGIN : d - EPOCH_2000_DAYS).finish();
    }
    case Oid.time:
      return w.int64(value as bigint).finish();
    case Oid.timestamp:
    case Oid.timestamptz:
      return w.int64(timestampToPostgresEpoch(value as bigint)).finish();
    case Oid.interval: {
      const iv = value as Interval;
      return w.int64(iv.micros).int32(iv.days).int32(iv.months).finish();
    }
    case Oid.void:
      return new Uint8Array(0);
  }
  if (REG_TYPES.has(oid)) return w.uint32(value as number).finish();
  const vectorElement = VECTOR_TYPES.get(oid);
  const element = vectorElement ?? elementOf(oid);
  if (element) {
    return encodeArrayBinary(value as SqlArray, { encode: (v) => encodeBinary(element, v), decode: () => null });
  }
  throw unsupported('binary output', oid);
}

/** Reads a binary (typreceive) value; malformed input raises 22P03. `typmod` applies as the receive function does. */
export function decodeBinary(oid: number, bytes: Uint8Array, typmod = -1): SqlValue {
  const r = new BinaryReader(bytes);
  const done = <T extends SqlValue>(v: T): T => {
    r.end();
    return v;
  };
  switch (oid) {
    case Oid.bool:
      return done(r.uint8() !== 0);
    case Oid.int2:
      return done(r.int16());
    case Oid.int4:
      return done(r.int32());
    case Oid.int8:
      return done(r.int64());
    case Oid.oid:
    case XID_OID:
      return done(r.uint32());
    case Oid.float4:
      return done(r.float32());
    case Oid.float8:
      return done(r.float64());
    case Oid.numeric:
      return done(decodeNumeric(r, typmod));
    case Oid.text:
    case Oid.json:
    case Oid.unknown:
      return decodeUtf8(bytes);
    case Oid.varchar:
      return fitCharLength('varchar', decodeUtf8(bytes), typmod);
    case Oid.bpchar:
      return fitCharLength('bpchar', decodeUtf8(bytes), typmod);
    case Oid.name: {
      if (bytes.length > NAME_MAX_BYTES) {
        throw new SqlError(SqlState.nameTooLong, 'identifier too long', { detail: `Identifier must be less than ${NAME_MAX_BYTES + 1} characters.` });
      }
      return decodeUtf8(bytes);
    }
    case Oid.char:
      return done(charFromByte(r.uint8()));
    case Oid.bytea:
      return Uint8Array.from(bytes);
    case Oid.uuid:
      return uuidFromBytes(bytes);
    case Oid.jsonb: {
      const version = r.uint8();
      if (version !== 1) throw invalidBinary(`unsupported jsonb version number ${version}`);
      return parseJsonb(decodeUtf8(r.rest()));
    }
    case Oid.date: {
      const d = r.int32();
      r.end();
      if (d === DATE_NOEND) return Infinity;
      if (d === DATE_NOBEGIN) return -Infinity;
      const days = d + EPOCH_2000_DAYS;
      if (days < -2440588 || days > 2147483494 - 1 - 2440588) throw new SqlError(SqlState.datetimeFieldOverflow, 'date out of range');
      return days;
    }
    case Oid.time: {
      const t = r.int64();
      r.end();
      if (t < 0n || t > USECS_PER_DAY) throw new SqlError(SqlState.datetimeFieldOverflow, 'time out of range');
      return t;
    }
    case Oid.timestamp:
    case Oid.timestamptz: {
      const ts = timestampFromPostgresEpoch(r.int64());
      r.end();
      if (ts !== 9223372036854775807n && ts !== -9223372036854775808n && !isValidTimestamp(ts)) {
        throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
      }
      return ts;
    }
    case Oid.interval: {
      const micros = r.int64();
      const days = r.int32();
      const months = r.int32();
      r.end();
      return { months, days, micros };
    }
    case Oid.void:
      return done(null);
  }
  if (REG_TYPES.has(oid)) return done(r.uint32());
  const vectorElement = VECTOR_TYPES.get(oid);
  const element = vectorElement ?? elementOf(oid);
  if (element) {
    return decodeArrayBinary(bytes, element, {
      encode: () => new Uint8Array(0),
      decode: (b) => decodeBinary(element, b, typmod),
    }, (o) => typeByOid(o)?.typname ?? '???');
  }
  throw unsupported('binary input', oid);
}

