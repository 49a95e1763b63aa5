/**
 * Values between polygres and CQL, in one place: the CQL type of each DataType (ScalarDB's mapping),
 * the binary form a value is bound as, how a column is selected and decoded, and which values a
 * Cassandra column cannot hold exactly.
 *
 * Every parameter is bound as its CQL binary form (a Buffer the driver passes through), so no driver
 * type conversion (JS Date, LocalDate, LocalTime, Long) can round or reject a value. DATE, TIME and
 * TIMESTAMP columns are read through `<type>asblob(...)` for the same reason: a JS Date cannot hold a
 * timestamp beyond ±8.64e15 ms, nor LocalTime a value the driver considers out of range.
 *
 * What Cassandra cannot hold (see StorageCapabilities): `timestamp` counts milliseconds, so a value
 * with a sub-millisecond part is refused rather than truncated; `time` ends at 23:59:59.999999999, so
 * 24:00:00 is refused; a one-column partition key cannot be empty; a key component is at most 65535
 * bytes. Reads, conditions and scan bounds with such values are answered exactly instead (nothing
 * stored equals them; comparisons move to the nearest storable value).
 */
import { SqlState } from '../errors.js';
import type { ColumnPredicate, DataType, Value } from './types.js';
import { TIME_MAX_MICROS } from './values.js';

/** ScalarDB 3.16's CassandraAdmin.toCassandraDataType; TIMESTAMP (which ScalarDB refuses on Cassandra) is a `timestamp` too. */
export const CQL_TYPES: Readonly<Record<DataType, string>> = {
  BOOLEAN: 'boolean',
  INT: 'int',
  BIGINT: 'bigint',
  FLOAT: 'float',
  DOUBLE: 'double',
  TEXT: 'text',
  BLOB: 'blob',
  DATE: 'date',
  TIME: 'time',
  TIMESTAMP: 'timestamp',
  TIMESTAMPTZ: 'timestamp',
};

/** ScalarDB's fromCassandraDataType: a `timestamp` reads as TIMESTAMPTZ unless the layout hint says TIMESTAMP. */
export function dataTypeOfCql(cqlType: string): DataType | null {
  switch (cqlType) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int':
      return 'INT';
    case 'bigint':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'text':
    case 'varchar':
      return 'TEXT';
    case 'blob':
      return 'BLOB';
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return 'TIMESTAMPTZ';
    default:
      return null;
  }
}

/** A quoted CQL identifier: case is kept and any character allowed (ScalarDB quotes when necessary; the names agree). */
export function quoteCql(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** A CQL string literal (DDL options cannot be bound). */
export function cqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Cassandra stores a `date` as an unsigned day count centred on 1970-01-01. */
const DATE_CENTER = 2 ** 31;
const NANOS_PER_MICRO = 1000n;
const MICROS_PER_MILLI = 1000n;
/** Cassandra's limit on one partition key or clustering key component. */
export const MAX_KEY_COMPONENT_BYTES = 65_535;

function bytesOf(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function int64(value: bigint): Buffer {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeBigInt64BE(value);
  return buffer;
}

/**
 * The CQL binary form of a checked, storable value (never called with null). Keys are normalized
 * first (see normalizeKeyValue).
 */
export function encodeValue(type: DataType, value: Exclude<Value, null>): Buffer {
  switch (type) {
    case 'BOOLEAN':
      return Buffer.from([value ? 1 : 0]);
    case 'INT': {
      const buffer = Buffer.allocUnsafe(4);
      buffer.writeInt32BE(value as number);
      return buffer;
    }
    case 'BIGINT':
      return int64(value as bigint);
    case 'FLOAT': {
      const buffer = Buffer.allocUnsafe(4);
      buffer.writeFloatBE(value as number);
      return buffer;
    }
    case 'DOUBLE': {
      const buffer = Buffer.allocUnsafe(8);
      buffer.writeDoubleBE(value as number);
      return buffer;
    }
    case 'TEXT':
      return Buffer.from(value as string, 'utf8');
    case 'BLOB':
      return bytesOf(value as Uint8Array);
    case 'DATE': {
      const buffer = Buffer.allocUnsafe(4);
      buffer.writeUInt32BE((value as number) + DATE_CENTER);
      return buffer;
    }
    case 'TIME':
      return int64((value as bigint) * NANOS_PER_MICRO);
    case 'TIMESTAMP':
    case 'TIMESTAMPTZ':
      // Exact: writeProblem refused a sub-millisecond part, and conditions / bounds round (storedComparison).
      return int64((value as bigint) / MICROS_PER_MILLI);
  }
}

/** Driver parameter for a possibly-NULL value. */
export function encodeParam(type: DataType, value: Value): Buffer | null {
  return value === null ? null : encodeValue(type, value);
}

/** The select-list expression for a column, aliased `alias` (decodeColumn reads it). */
export function selectExpression(name: string, type: DataType, alias: string): string {
  const column = quoteCql(name);
  switch (type) {
    case 'DATE':
      return `dateasblob(${column}) AS ${alias}`;
    case 'TIME':
      return `timeasblob(${column}) AS ${alias}`;
    case 'TIMESTAMP':
    case 'TIMESTAMPTZ':
      return `timestampasblob(${column}) AS ${alias}`;
    default:
      return `${column} AS ${alias}`;
  }
}

/**
 * A driver result value as a Value. The client decodes `bigint` as a JS bigint (useBigIntAsLong);
 * temporal columns arrive as the blobs selectExpression asked for.
 */
export function decodeColumn(type: DataType, raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'BOOLEAN':
      return raw as boolean;
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE':
      return raw as number;
    case 'BIGINT':
      return raw as bigint;
    case 'TEXT':
      return raw as string;
    case 'BLOB':
      return raw as Buffer;
    case 'DATE':
      return (raw as Buffer).readUInt32BE(0) - DATE_CENTER;
    case 'TIME':
      return (raw as Buffer).readBigInt64BE(0) / NANOS_PER_MICRO;
    case 'TIMESTAMP':
    case 'TIMESTAMPTZ':
      return (raw as Buffer).readBigInt64BE(0) * MICROS_PER_MILLI;
  }
}

/**
 * Key values as Cassandra keys them: a FLOAT/DOUBLE -0 becomes 0. Cassandra orders and distinguishes
 * -0 from 0 (Java's Double.compare), polygres keys do not (as SQL, -0 = 0).
 */
export function normalizeKeyValue(type: DataType, value: Value): Value {
  return (type === 'FLOAT' || type === 'DOUBLE') && value === 0 ? 0 : value;
}

/**
 * A FLOAT operand as the column compares it: rounded to a 4-byte float, as the SQL storages round a
 * float4 parameter. Predicates evaluated here (filters, conditions decided in process) see what
 * Cassandra would compare.
 */
export function storedOperand(type: DataType, value: Value): Value {
  return type === 'FLOAT' && typeof value === 'number' ? Math.fround(value) : value;
}

export interface ValueProblem {
  readonly code: string;
  readonly message: string;
}

export type KeyRole = 'partition' | 'clustering' | 'value';

/**
 * Why Cassandra cannot store a checked value exactly, or null. `onlyPartitionColumn`: the column is
 * the whole partition key (Cassandra refuses an empty one; a component of a composite key may be empty).
 */
export function writeProblem(type: DataType, value: Value, role: KeyRole, onlyPartitionColumn: boolean): ValueProblem | null {
  if (value === null) return null;
  switch (type) {
    case 'TIMESTAMP':
    case 'TIMESTAMPTZ':
      if ((value as bigint) % MICROS_PER_MILLI !== 0n) {
        return {
          code: SqlState.datetimeFieldOverflow,
          message: `timestamp ${value} (microseconds since 1970-01-01) has a sub-millisecond part, which Cassandra's timestamp type cannot hold`,
        };
      }
      break;
    case 'TIME':
      if (value === TIME_MAX_MICROS) return { code: SqlState.datetimeFieldOverflow, message: "time 24:00:00 is beyond Cassandra's time type (00:00 to 23:59:59.999999999)" };
      break;
    case 'TEXT':
    case 'BLOB': {
      if (role === 'value') break;
      const size = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : (value as Uint8Array).byteLength;
      if (size === 0 && role === 'partition' && onlyPartitionColumn) {
        return { code: SqlState.featureNotSupported, message: `Cassandra cannot store an empty ${type} as a whole partition key` };
      }
      if (size > MAX_KEY_COMPONENT_BYTES) {
        return { code: SqlState.programLimitExceeded, message: `a ${type} key value of ${size} bytes exceeds Cassandra's limit of ${MAX_KEY_COMPONENT_BYTES} bytes` };
      }
      break;
    }
    default:
      break;
  }
  return null;
}

export type ComparisonOp = 'EQ' | 'NE' | 'GT' | 'GTE' | 'LT' | 'LTE';

/** One CQL comparison of a column with values: `col = ?`, `col != ?`, `col IN (?, ?)`... */
export interface CqlComparison {
  readonly operator: '=' | '!=' | '>' | '>=' | '<' | '<=' | 'IN';
  readonly values: readonly Exclude<Value, null>[];
}

/**
 * `column op value` (value not NULL) over what Cassandra stores, as Cassandra compares (Java's
 * Double.compare for floats: -0 < 0, NaN above everything, as PostgreSQL orders NaN):
 * - `never`: no stored value satisfies it;
 * - `not-null`: every non-NULL stored value does;
 * - `compare`: these comparisons, all of them, decide it.
 * A value Cassandra cannot hold sits between two storable ones, so a comparison moves to the nearest
 * storable value; equality with it is impossible. A float zero matches both zeros, as in SQL.
 */
export type StoredComparison =
  | { readonly kind: 'never' }
  | { readonly kind: 'not-null' }
  | { readonly kind: 'compare'; readonly comparisons: readonly CqlComparison[] };

const CQL_OPERATOR = { EQ: '=', NE: '!=', GT: '>', GTE: '>=', LT: '<', LTE: '<=' } as const;

export function storedComparison(type: DataType, op: ComparisonOp, value: Exclude<Value, null>): StoredComparison {
  const compare = (operator: CqlComparison['operator'], ...values: Exclude<Value, null>[]): StoredComparison => ({ kind: 'compare', comparisons: [{ operator, values }] });
  if ((type === 'TIMESTAMP' || type === 'TIMESTAMPTZ') && (value as bigint) % MICROS_PER_MILLI !== 0n) {
    const v = value as bigint;
    // The storable value just below v: x > v ⇔ x > below, x < v ⇔ x <= below.
    const below = (v / MICROS_PER_MILLI - (v < 0n ? 1n : 0n)) * MICROS_PER_MILLI;
    switch (op) {
      case 'EQ':
        return { kind: 'never' };
      case 'NE':
        return { kind: 'not-null' };
      case 'GT':
      case 'GTE':
        return compare('>', below);
      case 'LT':
      case 'LTE':
        return compare('<=', below);
    }
  }
  if (type === 'TIME' && value === TIME_MAX_MICROS) {
    // Nothing stored reaches 24:00:00.
    return op === 'NE' || op === 'LT' || op === 'LTE' ? { kind: 'not-null' } : { kind: 'never' };
  }
  if ((type === 'FLOAT' || type === 'DOUBLE') && value === 0) {
    switch (op) {
      case 'EQ':
        return compare('IN', 0, -0);
      case 'NE':
        return { kind: 'compare', comparisons: [{ operator: '!=', values: [0] }, { operator: '!=', values: [-0] }] };
      case 'GT':
      case 'LTE':
        return compare(CQL_OPERATOR[op], 0);
      case 'GTE':
      case 'LT':
        return compare(CQL_OPERATOR[op], -0);
    }
  }
  return compare(CQL_OPERATOR[op], value);
}

/** The predicates that compare with a value (the others are IS_NULL, IS_NOT_NULL, LIKE, NOT_LIKE). */
export function comparisonOp(p: ColumnPredicate): ComparisonOp | null {
  switch (p.op) {
    case 'EQ':
    case 'NE':
    case 'GT':
    case 'GTE':
    case 'LT':
    case 'LTE':
      return p.op;
    default:
      return null;
  }
}

/** Bytes a bound parameter takes in a request (its length prefix included). */
export function paramBytes(param: Buffer | null): number {
  return 4 + (param === null ? 0 : param.length);
}
