/**
 * The one place that decides whether a JS value is a valid value of a column type (see the table in
 * types.ts), and the limits every adapter enforces. Adapters only translate values that passed here, so
 * an encoder never has to guess what an unexpected JS value means.
 *
 * Ranges are PostgreSQL's where PostgreSQL has the type (the widest storage polygres targets), so a value
 * accepted by one adapter is accepted by all of them.
 */
import { SqlState } from '../errors.js';
import { InvalidOperationError } from './errors.js';
import type { ColumnDefinition, DataType, Value } from './types.js';

/** Largest TEXT value, in UTF-8 bytes. Protects the process and the storages from unbounded inputs. */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;
/** Largest BLOB value, in bytes. */
export const MAX_BLOB_BYTES = 16 * 1024 * 1024;

export const INT_MIN = -2_147_483_648;
export const INT_MAX = 2_147_483_647;
export const BIGINT_MIN = -(2n ** 63n);
export const BIGINT_MAX = 2n ** 63n - 1n;
/** Largest finite 4-byte float. */
export const FLOAT_MAX = 3.4028234663852886e38;

/** DATE range: PostgreSQL's, 4714-11-24 BC .. 5874897-12-31, in days since 1970-01-01. */
export const DATE_MIN_DAYS = -2_440_588;
export const DATE_MAX_DAYS = 2_145_042_905;
/** TIME range: 00:00:00 .. 24:00:00 inclusive (PostgreSQL accepts 24:00:00), in microseconds. */
export const TIME_MAX_MICROS = 86_400_000_000n;
/**
 * TIMESTAMP / TIMESTAMPTZ range in microseconds since 1970-01-01: PostgreSQL's lower end (4714-11-24 BC);
 * the upper end is one below the int64 limit (year 294247; PostgreSQL's own is 294276, beyond int64):
 * PostgreSQL's EXTRACT(EPOCH ...) rounds exactly int64-max microseconds, so that one value would not
 * read back exactly.
 */
export const TIMESTAMP_MIN_MICROS = -210_866_803_200_000_000n;
export const TIMESTAMP_MAX_MICROS = BIGINT_MAX - 1n;

export interface ValueContext {
  readonly namespace: string;
  readonly table: string;
}

/** Throws InvalidOperationError unless `value` is a valid (possibly NULL) value of `column`'s type. */
export function checkColumnValue(column: ColumnDefinition, value: Value, at: ValueContext): void {
  if (value === null) return;
  const problem = valueProblem(column.type, value);
  if (problem) {
    throw new InvalidOperationError(problem.code, `${problem.message} for column "${column.name}" of type ${column.type}`, {
      schema: at.namespace,
      table: at.table,
      column: column.name,
      dataType: column.type,
    });
  }
}

interface ValueProblem {
  readonly code: string;
  readonly message: string;
}

function mismatch(type: DataType, value: Value): ValueProblem {
  return { code: SqlState.datatypeMismatch, message: `a ${describeJsType(value)} is not a ${type} value` };
}

function valueProblem(type: DataType, value: Exclude<Value, null>): ValueProblem | null {
  switch (type) {
    case 'BOOLEAN':
      return typeof value === 'boolean' ? null : mismatch(type, value);
    case 'INT':
      if (typeof value !== 'number' || !Number.isInteger(value)) return mismatch(type, value);
      if (value < INT_MIN || value > INT_MAX) return { code: SqlState.numericValueOutOfRange, message: `integer ${value} out of range` };
      return null;
    case 'BIGINT':
      if (typeof value !== 'bigint') return mismatch(type, value);
      if (value < BIGINT_MIN || value > BIGINT_MAX) return { code: SqlState.numericValueOutOfRange, message: `bigint ${value} out of range` };
      return null;
    case 'FLOAT':
      if (typeof value !== 'number') return mismatch(type, value);
      if (Number.isFinite(value) && !Number.isFinite(Math.fround(value))) {
        return { code: SqlState.numericValueOutOfRange, message: `${value} is out of range for a 4-byte float` };
      }
      return null;
    case 'DOUBLE':
      return typeof value === 'number' ? null : mismatch(type, value);
    case 'TEXT':
      return typeof value === 'string' ? textProblem(value) : mismatch(type, value);
    case 'BLOB':
      if (!(value instanceof Uint8Array)) return mismatch(type, value);
      if (value.byteLength > MAX_BLOB_BYTES) {
        return { code: SqlState.programLimitExceeded, message: `a BLOB of ${value.byteLength} bytes exceeds the limit of ${MAX_BLOB_BYTES} bytes` };
      }
      return null;
    case 'DATE':
      if (typeof value !== 'number' || !Number.isInteger(value)) return mismatch(type, value);
      if (value < DATE_MIN_DAYS || value > DATE_MAX_DAYS) return { code: SqlState.datetimeFieldOverflow, message: `date ${value} (days since 1970-01-01) out of range` };
      return null;
    case 'TIME':
      if (typeof value !== 'bigint') return mismatch(type, value);
      if (value < 0n || value > TIME_MAX_MICROS) return { code: SqlState.datetimeFieldOverflow, message: `time ${value} (microseconds since midnight) out of range` };
      return null;
    case 'TIMESTAMP':
    case 'TIMESTAMPTZ':
      if (typeof value !== 'bigint') return mismatch(type, value);
      if (value < TIMESTAMP_MIN_MICROS || value > TIMESTAMP_MAX_MICROS) {
        return { code: SqlState.datetimeFieldOverflow, message: `timestamp ${value} (microseconds since 1970-01-01) out of range` };
      }
      return null;
  }
}

/** A lone surrogate has no UTF-8 encoding; in unicode mode a proper pair is one code point and does not match. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function textProblem(value: string): ValueProblem | null {
  // A UTF-16 string takes at most 3 UTF-8 bytes per code unit: skip the exact count for short strings.
  if (value.length * 3 > MAX_TEXT_BYTES) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > MAX_TEXT_BYTES) {
      return { code: SqlState.programLimitExceeded, message: `a TEXT value of ${bytes} bytes exceeds the limit of ${MAX_TEXT_BYTES} bytes` };
    }
  }
  // PostgreSQL text cannot hold NUL; refusing it everywhere keeps the adapters interchangeable.
  if (value.includes('\u0000')) {
    return { code: SqlState.characterNotInRepertoire, message: 'a TEXT value cannot contain the character U+0000' };
  }
  if (LONE_SURROGATE.test(value)) {
    return { code: SqlState.characterNotInRepertoire, message: 'a TEXT value cannot contain an unpaired UTF-16 surrogate' };
  }
  return null;
}

export function describeJsType(value: Value): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'Uint8Array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer number' : 'number';
  return typeof value;
}
