/**
 * How SQL values are stored: the storage DataType of each SQL type, and the conversion of values
 * both ways. Types the storages have natively map one to one; the others (numeric, uuid, interval,
 * json, jsonb, arrays, ...) are stored as TEXT in their canonical text form, written and read with
 * the codecs of src/types under a fixed context so that a value round-trips exactly whatever the
 * session's DateStyle or TimeZone. The catalog keeps the SQL type, so reading knows how to decode.
 */
import type { DataType, StorageCapabilities, Value } from '../storage/types.js';
import { Oid } from '../types/oids.js';
import { DEFAULT_CODEC_CONTEXT, formatText, parseText, type CodecContext } from '../types/codec.js';
import type { SqlValue } from '../types/values.js';
import { Numeric } from '../types/numeric.js';

/** The fixed context used to store encoded values (never a session's settings). */
const STORAGE_CODEC_CONTEXT: CodecContext = { ...DEFAULT_CODEC_CONTEXT, extraFloatDigits: 1, intervalStyle: 'postgres' };

/** The default storage type of a SQL type: the one every storage holds losslessly but Cassandra (see chooseStorageType). */
export function storageDataType(typeOid: number): DataType {
  switch (typeOid) {
    case Oid.bool:
      return 'BOOLEAN';
    case Oid.int2:
    case Oid.int4:
      return 'INT';
    case Oid.int8:
    // oid and the reg* types are unsigned 32-bit: they do not fit a signed INT.
    case Oid.oid:
    case Oid.regclass:
    case Oid.regtype:
    case Oid.regproc:
    case Oid.regprocedure:
    case Oid.regnamespace:
    case Oid.regrole:
      return 'BIGINT';
    case Oid.float4:
      return 'FLOAT';
    case Oid.float8:
      return 'DOUBLE';
    case Oid.bytea:
      return 'BLOB';
    case Oid.date:
      return 'DATE';
    case Oid.time:
      return 'TIME';
    case Oid.timestamp:
      return 'TIMESTAMP';
    case Oid.timestamptz:
      return 'TIMESTAMPTZ';
    default:
      return 'TEXT';
  }
}

/**
 * The storage type of a new column of SQL type `typeOid` in a storage with `capabilities` (absent:
 * the storage holds every value exactly). Where the storage's own type would lose part of a value,
 * a lossless type is chosen instead: Cassandra's timestamp keeps milliseconds and its time stops
 * before 24:00:00, so timestamp, timestamptz and time are kept there as BIGINT microseconds.
 *
 * Invariant: the chosen type never changes the value. time, timestamp and timestamptz are bigint
 * microseconds in memory (src/types/values.ts) and in the storage interface, whichever of TIME,
 * TIMESTAMP(TZ) or BIGINT holds them, and BIGINT orders and compares them as SQL does; so
 * toStorageValue / fromStorageValue need not know the choice. The catalog records it
 * (ColumnInfo.storageType) because it is the column's physical type for good: a table keeps it when
 * the namespace mapping later changes, and ScalarDB clients see it as the column's type.
 */
export function chooseStorageType(typeOid: number, capabilities: StorageCapabilities | undefined): DataType {
  const type = storageDataType(typeOid);
  if (!capabilities) return type;
  if ((type === 'TIMESTAMP' || type === 'TIMESTAMPTZ') && !capabilities.timestampPrecisionMicros) return 'BIGINT';
  if (type === 'TIME' && !capabilities.timeOf24Hours) return 'BIGINT';
  return type;
}

/** The storage type of an existing column: as recorded at its creation, or the default for columns recorded before the choice was kept. */
export function columnStorageType(column: { readonly type: { readonly oid: number }; readonly storageType?: DataType }): DataType {
  return column.storageType ?? storageDataType(column.type.oid);
}

/** True when the storage compares values of this SQL type as SQL does (so ranges can be pushed down). */
export function storageOrderMatchesSql(typeOid: number): boolean {
  switch (typeOid) {
    case Oid.int2:
    case Oid.int4:
    case Oid.int8:
    case Oid.oid:
    case Oid.float4:
    case Oid.float8:
    case Oid.date:
    case Oid.time:
    case Oid.timestamp:
    case Oid.timestamptz:
    case Oid.bool:
      return true;
    // Text compares bytewise in every storage, which is PostgreSQL's "C" collation order.
    case Oid.text:
    case Oid.varchar:
    case Oid.name:
    case Oid.uuid:
      return true;
    default:
      return false;
  }
}

/** True when equal storage values mean equal SQL values and vice versa (so equality can be pushed down). */
export function storageEqualityMatchesSql(typeOid: number): boolean {
  if (storageOrderMatchesSql(typeOid)) return typeOid !== Oid.float4 && typeOid !== Oid.float8;
  return typeOid === Oid.bytea;
}

/** A SQL value as the storage holds it. `key` asks for the normalized form used in key columns. */
export function toStorageValue(typeOid: number, value: SqlValue, key = false): Value {
  if (value === null) return null;
  switch (storageDataType(typeOid)) {
    case 'BOOLEAN':
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMPTZ':
    case 'BLOB':
      return value as Value;
    case 'BIGINT':
      return typeof value === 'number' ? BigInt(value) : (value as bigint);
    case 'TEXT':
      if (typeof value === 'string' && isPlainTextType(typeOid)) return value;
      // Numeric keys are normalized so that 1.0 and 1.00 are the same key, as they are equal in SQL.
      if (key && value instanceof Numeric) return normalizedNumericText(value);
      return formatText(typeOid, value, STORAGE_CODEC_CONTEXT);
  }
}

/** A stored value back as the SQL value of `typeOid` (typmod re-applied by the caller where needed). */
export function fromStorageValue(typeOid: number, value: Value, typmod = -1): SqlValue {
  if (value === null || value === undefined) return null;
  switch (storageDataType(typeOid)) {
    case 'BIGINT':
      return typeOid === Oid.int8 ? (value as bigint) : Number(value);
    case 'TEXT':
      if (isPlainTextType(typeOid)) return value as string;
      return parseText(typeOid, value as string, typmod, STORAGE_CODEC_CONTEXT);
    case 'BLOB':
      return value as Uint8Array;
    default:
      return value as SqlValue;
  }
}

function isPlainTextType(typeOid: number): boolean {
  return typeOid === Oid.uuid || typeOid === Oid.text || typeOid === Oid.varchar || typeOid === Oid.bpchar || typeOid === Oid.name || typeOid === Oid.char || typeOid === Oid.json;
}

function normalizedNumericText(n: Numeric): string {
  if (n.special) return n.special;
  let digits = n.digits;
  let scale = n.scale;
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n;
    scale -= 1;
  }
  return Numeric.of(digits, scale).toString();
}
