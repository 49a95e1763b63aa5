/**
 * Text and binary I/O of SQL values, as PostgreSQL's typinput/typoutput/typreceive/typsend do it.
 * The wire layer uses these for parameters and results; the SQL engine uses the text forms for
 * literals, casts to and from text, and COPY.
 *
 * (Initial skeleton: a few types only. src/types grows it to every type in the registry.)
 */
import { SqlError, SqlState } from '../errors.js';
import type { SqlValue } from './values.js';
import { Oid } from './oids.js';

/** Session settings that change how values are written and read. */
export interface CodecContext {
  /** DateStyle, e.g. "ISO, MDY". */
  readonly dateStyle: string;
  /** IANA zone name from the TimeZone setting, e.g. "Etc/UTC". */
  readonly timeZone: string;
  /** IntervalStyle: "postgres" (default), "postgres_verbose", "sql_standard" or "iso_8601". */
  readonly intervalStyle: string;
  /** extra_float_digits: 1 (default) means shortest round-trip output. */
  readonly extraFloatDigits: number;
  /** bytea_output: "hex" (default) or "escape". */
  readonly byteaOutput: string;
}

export const DEFAULT_CODEC_CONTEXT: CodecContext = {
  dateStyle: 'ISO, MDY',
  timeZone: 'Etc/UTC',
  intervalStyle: 'postgres',
  extraFloatDigits: 1,
  byteaOutput: 'hex',
};

/** The text form of a non-null value of type `oid`. */
export function formatText(oid: number, value: SqlValue, ctx: CodecContext = DEFAULT_CODEC_CONTEXT): string {
  void ctx;
  switch (oid) {
    case Oid.bool:
      return value ? 't' : 'f';
    case Oid.int2:
    case Oid.int4:
    case Oid.int8:
    case Oid.text:
    case Oid.varchar:
      return String(value);
    default:
      throw new SqlError(SqlState.featureNotSupported, `no text output for type ${oid}`);
  }
}

/**
 * Reads a value of type `oid` from its text form. `typmod` is the type modifier (-1 if none).
 * Invalid input raises the SQLSTATE PostgreSQL raises (22P02, 22003, 22007, ...).
 */
export function parseText(oid: number, text: string, typmod = -1, ctx: CodecContext = DEFAULT_CODEC_CONTEXT): SqlValue {
  void typmod;
  void ctx;
  switch (oid) {
    case Oid.text:
    case Oid.varchar:
      return text;
    case Oid.int4: {
      const t = text.trim();
      if (!/^[+-]?\d+$/.test(t)) {
        throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type integer: "${text}"`);
      }
      const n = Number(t);
      if (n > 2147483647 || n < -2147483648) {
        throw new SqlError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type integer`);
      }
      return n;
    }
    default:
      throw new SqlError(SqlState.featureNotSupported, `no text input for type ${oid}`);
  }
}

/** The binary (typsend) form of a non-null value. */
export function encodeBinary(oid: number, value: SqlValue): Uint8Array {
  switch (oid) {
    case Oid.int4: {
      const b = Buffer.alloc(4);
      b.writeInt32BE(value as number);
      return b;
    }
    default:
      throw new SqlError(SqlState.featureNotSupported, `no binary output for type ${oid}`);
  }
}

/** Reads a binary (typreceive) value; malformed input raises 22P03. */
export function decodeBinary(oid: number, bytes: Uint8Array): SqlValue {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (oid) {
    case Oid.int4:
      if (b.length !== 4) throw new SqlError(SqlState.invalidBinaryRepresentation, 'incorrect binary data format');
      return b.readInt32BE(0);
    default:
      throw new SqlError(SqlState.featureNotSupported, `no binary input for type ${oid}`);
  }
}
