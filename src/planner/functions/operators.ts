/**
 * The built-in operators: comparison, arithmetic with PostgreSQL's overflow and division errors,
 * string concatenation, pattern matching. Registered as data into BUILTINS.
 */
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { integerOutOfRange } from '../../types/integer.js';
import { formatText } from '../../types/codec.js';
import { Numeric } from '../../types/numeric.js';
import { SqlArray, type SqlValue } from '../../types/values.js';
import type { TypeRef } from '../../types/registry.js';
import { compareValues, numericAdd, numericDiv, numericMod, numericMul, numericSub } from '../value-ops.js';
import { BUILTINS as R, type ScalarImpl } from './registry.js';
import { likeMatcher, regexMatcher } from './patterns.js';
import { dateToTimestamp } from '../../types/datetime.js';

export function divisionByZero(): SqlError {
  return new SqlError(SqlState.divisionByZero, 'division by zero');
}

// ---- comparison ----------------------------------------------------------------------------------

const COMPARISONS: ReadonlyArray<readonly [string, (c: number) => boolean]> = [
  ['=', (c) => c === 0],
  ['<>', (c) => c !== 0],
  ['<', (c) => c < 0],
  ['<=', (c) => c <= 0],
  ['>', (c) => c > 0],
  ['>=', (c) => c >= 0],
];

/** The negator of each comparison operator (for NOT pushdown and ALL). */
export const NEGATED_COMPARISON: Readonly<Record<string, string>> = { '=': '<>', '<>': '=', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };
/** The commutator (a < b is b > a), for key extraction with the column on the right. */
export const COMMUTED_COMPARISON: Readonly<Record<string, string>> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function registerComparisons(left: string, right: string, compareOid: number, convert?: (v: SqlValue, side: 0 | 1) => SqlValue): void {
  for (const [op, test] of COMPARISONS) {
    const impl: ScalarImpl = convert
      ? ([a, b]) => test(compareValues(compareOid, convert(a!, 0), convert(b!, 1)))
      : ([a, b]) => test(compareValues(compareOid, a!, b!));
    R.op(op, [left, right], 'bool', impl);
  }
}

const INT_NAMES = ['int2', 'int4', 'int8'] as const;
for (const l of INT_NAMES) for (const r of INT_NAMES) registerComparisons(l, r, Oid.int8);
for (const l of ['float4', 'float8']) for (const r of ['float4', 'float8']) registerComparisons(l, r, Oid.float8);
for (const t of ['bool', 'numeric', 'text', 'bpchar', 'name', 'bytea', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid', 'jsonb', 'oid']) {
  registerComparisons(t, t, Oid[t as keyof typeof Oid]);
}
// The one-byte "char" type (a bare `char` means character(1)).
registerComparisons('"char"', '"char"', Oid.char);
// Arrays compare by their actual type (element-wise).
for (const [op, test] of COMPARISONS) R.op(op, ['anyarray', 'anyarray'], 'bool', ([a, b], _ctx, types) => test(compareValues(types[0]!.oid, a!, b!)));

function dateAsTimestamp(v: SqlValue): SqlValue {
  return typeof v === 'number' ? dateToTimestamp(v) : v;
}
registerComparisons('date', 'timestamp', Oid.timestamp, dateAsTimestamp);
registerComparisons('timestamp', 'date', Oid.timestamp, dateAsTimestamp);

// ---- integer arithmetic --------------------------------------------------------------------------

type IntName = (typeof INT_NAMES)[number];
const WIDTH: Record<IntName, number> = { int2: 0, int4: 1, int8: 2 };
const LIMITS: Record<IntName, readonly [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
};

function fitInt(kind: IntName, v: bigint): number | bigint {
  const [min, max] = LIMITS[kind];
  if (v < min || v > max) throw integerOutOfRange(kind);
  return kind === 'int8' ? v : Number(v);
}

function intOp(kind: IntName, f: (a: bigint, b: bigint) => bigint): ScalarImpl {
  if (kind === 'int8') return ([a, b]) => fitInt(kind, f(BigInt(a as bigint | number), BigInt(b as bigint | number)));
  // int2/int4 results fit a double exactly; only the range needs checking.
  return ([a, b]) => fitInt(kind, f(BigInt(a as number), BigInt(b as number)));
}

function intDivide(a: bigint, b: bigint): bigint {
  if (b === 0n) throw divisionByZero();
  return a / b;
}

function intModulo(a: bigint, b: bigint): bigint {
  if (b === 0n) throw divisionByZero();
  return a % b;
}

for (const l of INT_NAMES) {
  for (const r of INT_NAMES) {
    const result: IntName = WIDTH[l] >= WIDTH[r] ? l : r;
    R.op('+', [l, r], result, intOp(result, (a, b) => a + b));
    R.op('-', [l, r], result, intOp(result, (a, b) => a - b));
    R.op('*', [l, r], result, intOp(result, (a, b) => a * b));
    R.op('/', [l, r], result, intOp(result, intDivide));
  }
  R.op('%', [l, l], l, intOp(l, intModulo));
  R.op('-', [l], l, ([a]) => fitInt(l, -BigInt(a as number | bigint)));
  R.op('+', [l], l, ([a]) => a!);
  R.op('@', [l], l, ([a]) => fitInt(l, BigInt(a as number | bigint) < 0n ? -BigInt(a as number | bigint) : BigInt(a as number | bigint)));
  R.op('&', [l, l], l, intOp(l, (a, b) => a & b));
  R.op('|', [l, l], l, intOp(l, (a, b) => a | b));
  R.op('#', [l, l], l, intOp(l, (a, b) => a ^ b));
  R.op('~', [l], l, ([a]) => fitInt(l, ~BigInt(a as number | bigint)));
  R.op('<<', [l, 'int4'], l, ([a, b]) => fitInt(l, BigInt.asIntN(l === 'int8' ? 64 : l === 'int4' ? 32 : 16, BigInt(a as number | bigint) << BigInt(b as number))));
  R.op('>>', [l, 'int4'], l, ([a, b]) => fitInt(l, BigInt(a as number | bigint) >> BigInt(b as number)));
}

// ---- float arithmetic ----------------------------------------------------------------------------

/** Checks a float result as PostgreSQL's float_overflow_error/float_underflow_error do. */
export function checkFloat(result: number, inputsInfinite: boolean, zeroAllowed: boolean, float4: boolean): number {
  const r = float4 ? Math.fround(result) : result;
  if (!Number.isFinite(r) && !Number.isNaN(r) && !inputsInfinite) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  if (r === 0 && !zeroAllowed) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
  return r;
}

function floatOp(result: 'float4' | 'float8', op: '+' | '-' | '*' | '/'): ScalarImpl {
  const f4 = result === 'float4';
  return ([a, b]) => {
    const x = a as number;
    const y = b as number;
    const inf = !Number.isFinite(x) || !Number.isFinite(y);
    switch (op) {
      case '+':
        return checkFloat(x + y, inf, true, f4);
      case '-':
        return checkFloat(x - y, inf, true, f4);
      case '*':
        return checkFloat(x * y, inf, x === 0 || y === 0, f4);
      case '/':
        if (y === 0 && !Number.isNaN(x)) throw divisionByZero();
        return checkFloat(x / y, inf, x === 0 || !Number.isFinite(y), f4);
    }
  };
}

for (const l of ['float4', 'float8'] as const) {
  for (const r of ['float4', 'float8'] as const) {
    const result = l === 'float8' || r === 'float8' ? 'float8' : 'float4';
    for (const op of ['+', '-', '*', '/'] as const) R.op(op, [l, r], result, floatOp(result, op));
  }
  R.op('-', [l], l, ([a]) => -(a as number));
  R.op('+', [l], l, ([a]) => a!);
  R.op('@', [l], l, ([a]) => Math.abs(a as number));
}
R.op('^', ['float8', 'float8'], 'float8', ([a, b]) => floatPower(a as number, b as number));
R.op('|/', ['float8'], 'float8', ([a]) => {
  if ((a as number) < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
  return Math.sqrt(a as number);
});
R.op('||/', ['float8'], 'float8', ([a]) => Math.cbrt(a as number));

export function floatPower(x: number, y: number): number {
  if (x === 0 && y < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y)) throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  return checkFloat(Math.pow(x, y), !Number.isFinite(x) || !Number.isFinite(y), true, false);
}

// ---- numeric arithmetic --------------------------------------------------------------------------

function isZeroNumeric(n: Numeric): boolean {
  return n.special === null && n.digits === 0n;
}

R.op('+', ['numeric', 'numeric'], 'numeric', ([a, b]) => numericAdd(a as Numeric, b as Numeric));
R.op('-', ['numeric', 'numeric'], 'numeric', ([a, b]) => numericSub(a as Numeric, b as Numeric));
R.op('*', ['numeric', 'numeric'], 'numeric', ([a, b]) => numericMul(a as Numeric, b as Numeric));
R.op('/', ['numeric', 'numeric'], 'numeric', ([a, b]) => {
  if (isZeroNumeric(b as Numeric)) throw divisionByZero();
  return numericDiv(a as Numeric, b as Numeric);
});
R.op('%', ['numeric', 'numeric'], 'numeric', ([a, b]) => {
  if (isZeroNumeric(b as Numeric)) throw divisionByZero();
  return numericMod(a as Numeric, b as Numeric);
});
R.op('-', ['numeric'], 'numeric', ([a]) => (a as Numeric).neg());
R.op('+', ['numeric'], 'numeric', ([a]) => a!);
R.op('@', ['numeric'], 'numeric', ([a]) => (a as Numeric).abs());

// ---- strings -------------------------------------------------------------------------------------

R.op('||', ['text', 'text'], 'text', ([a, b]) => (a as string) + (b as string));
R.op('||', ['text', 'anynonarray'], 'text', ([a, b], ctx, types) => (a as string) + formatText(types[1]!.oid, b!, ctx.codec));
R.op('||', ['anynonarray', 'text'], 'text', ([a, b], ctx, types) => formatText(types[0]!.oid, a!, ctx.codec) + (b as string));
R.op('||', ['bytea', 'bytea'], 'bytea', ([a, b]) => Buffer.concat([a as Uint8Array, b as Uint8Array]));

const PATTERN_OPS: ReadonlyArray<readonly [string, boolean, 'like' | 'regex', boolean]> = [
  ['~~', false, 'like', false],
  ['!~~', true, 'like', false],
  ['~~*', false, 'like', true],
  ['!~~*', true, 'like', true],
  ['~', false, 'regex', false],
  ['!~', true, 'regex', false],
  ['~*', false, 'regex', true],
  ['!~*', true, 'regex', true],
];
for (const [op, negate, kind, insensitive] of PATTERN_OPS) {
  for (const t of ['text', 'bpchar', 'name']) {
    const strip = t === 'bpchar' && kind === 'regex';
    R.op(op, [t, 'text'], 'bool', ([s, p]) => {
      const m = kind === 'like' ? likeMatcher(p as string, insensitive, '\\') : regexMatcher(p as string, insensitive);
      const subject = strip ? (s as string).replace(/ +$/, '') : (s as string);
      return m(subject) !== negate;
    });
  }
}
R.op('~~', ['bytea', 'bytea'], 'bool', ([s, p]) => likeMatcher(Buffer.from(p as Uint8Array).toString('latin1'), false, '\\')(Buffer.from(s as Uint8Array).toString('latin1')));

// ---- arrays --------------------------------------------------------------------------------------

function arrayConcat(a: SqlArray, b: SqlArray, elementOid: number): SqlArray {
  if (a.elements.length === 0) return b;
  if (b.elements.length === 0) return a;
  if (a.dims.length > 1 || b.dims.length > 1) {
    throw new SqlError(SqlState.featureNotSupported, 'concatenating multidimensional arrays is not supported yet');
  }
  return new SqlArray(elementOid, [...a.elements, ...b.elements], [a.elements.length + b.elements.length], [a.lowerBounds[0] ?? 1]);
}
function elementOfArrayType(types: readonly TypeRef[], i: number): number {
  const t = types[i]!;
  return t.oid;
}
// array_cat: a NULL side counts as an empty array.
R.op('||', ['anyarray', 'anyarray'], 'anyarray', ([a, b]) => (a === null ? (b ?? null) : b === null ? a : arrayConcat(a as SqlArray, b as SqlArray, (a as SqlArray).elementOid)), { strict: false });
R.op('||', ['anyarray', 'anynonarray'], 'anyarray', ([a, b], _ctx, types) => {
  const arr = (a as SqlArray | null) ?? new SqlArray(elementOfArrayType(types, 1), []);
  return arrayConcat(arr, new SqlArray(arr.elementOid, [b ?? null]), arr.elementOid);
}, { strict: false });
R.op('||', ['anynonarray', 'anyarray'], 'anyarray', ([a, b], _ctx, types) => {
  const arr = (b as SqlArray | null) ?? new SqlArray(elementOfArrayType(types, 0), []);
  return arrayConcat(new SqlArray(arr.elementOid, [a ?? null]), arr, arr.elementOid);
}, { strict: false });

function arrayContains(container: SqlArray, contained: SqlArray): boolean {
  return contained.elements.every((e) => e !== null && container.elements.some((c) => c !== null && compareValues(container.elementOid, c, e) === 0));
}
R.op('@>', ['anyarray', 'anyarray'], 'bool', ([a, b]) => arrayContains(a as SqlArray, b as SqlArray));
R.op('<@', ['anyarray', 'anyarray'], 'bool', ([a, b]) => arrayContains(b as SqlArray, a as SqlArray));
R.op('&&', ['anyarray', 'anyarray'], 'bool', ([a, b]) => {
  const x = a as SqlArray;
  const y = b as SqlArray;
  return x.elements.some((e) => e !== null && y.elements.some((f) => f !== null && compareValues(x.elementOid, e, f) === 0));
});

