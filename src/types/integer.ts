/** smallint, integer, bigint, oid and "char": text input with PostgreSQL's syntax and range rules. */
import { SqlError, SqlState } from '../errors.js';
import { isCSpace } from './scan.js';

export type IntegerKind = 'int2' | 'int4' | 'int8';

const LABEL: Record<IntegerKind, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint' };
const RANGE: Record<IntegerKind, readonly [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};

/** The SQL name PostgreSQL uses in integer error messages ("smallint", "integer", "bigint"). */
export function integerLabel(kind: IntegerKind): string {
  return LABEL[kind];
}

export function integerRange(kind: IntegerKind): readonly [bigint, bigint] {
  return RANGE[kind];
}

/** The 22003 error raised when arithmetic or a cast leaves the type's range. */
export function integerOutOfRange(kind: IntegerKind): SqlError {
  return new SqlError(SqlState.numericValueOutOfRange, `${LABEL[kind]} out of range`);
}

const INTEGER_TEXT = /^[+-]?\d+$/;

/** Reads the digits between optional C whitespace; null when the syntax is wrong. */
function integerBody(text: string): string | null {
  let start = 0;
  let end = text.length;
  while (start < end && isCSpace(text[start])) start++;
  while (end > start && isCSpace(text[end - 1])) end--;
  const body = text.slice(start, end);
  return INTEGER_TEXT.test(body) ? body : null;
}

/** int2in / int4in / int8in (PostgreSQL 15 syntax: optional sign, decimal digits, surrounding spaces). */
export function parseInteger(kind: 'int2' | 'int4', text: string): number;
export function parseInteger(kind: 'int8', text: string): bigint;
export function parseInteger(kind: IntegerKind, text: string): number | bigint {
  const body = integerBody(text);
  if (body === null) {
    throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${LABEL[kind]}: "${text}"`);
  }
  const v = BigInt(body);
  const [min, max] = RANGE[kind];
  if (v < min || v > max) {
    throw new SqlError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type ${LABEL[kind]}`);
  }
  return kind === 'int8' ? v : Number(v);
}

/**
 * oidin: strtoul semantics, so a leading minus is accepted and wraps (-1 → 4294967295) as long as the
 * value fits in a signed or unsigned 32-bit integer.
 */
export function parseOid(text: string, label = 'oid'): number {
  const body = integerBody(text);
  if (body === null) throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${label}: "${text}"`);
  const v = BigInt(body);
  if (v > 4294967295n || v < -2147483648n) {
    throw new SqlError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type ${label}`);
  }
  return Number(BigInt.asUintN(32, v));
}
