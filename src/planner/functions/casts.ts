/**
 * Casts between types, as pg_cast describes them: which casts exist, in which context they apply
 * (implicit in expressions, on assignment to a column, or only when written explicitly), and what
 * they do, including the length/precision coercion a type modifier asks for (varchar(n),
 * numeric(p,s), ...). Text I/O casts use the codecs of src/types.
 */
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { elementOf, formatType, isArrayType, typeByOid, type TypeRef } from '../../types/registry.js';
import { formatText, parseText } from '../../types/codec.js';
import { fitCharLength } from '../../types/character.js';
import { integerOutOfRange } from '../../types/integer.js';
import { Numeric } from '../../types/numeric.js';
import { Jsonb, SqlArray, type SqlValue } from '../../types/values.js';
import type { EvalContext } from '../context.js';
import { numericFromInteger } from '../value-ops.js';
import { roundHalfEven } from '../../types/calendar.js';
import {
  dateToTimestamp,
  dateToTimestamptz,
  timestampToDate,
  timestampToTime,
  timestampToTimestamptz,
  timestamptzToDate,
  timestamptzToTimestamp,
} from '../../types/datetime.js';

export type CoercionContext = 'implicit' | 'assignment' | 'explicit';

/** Converts a non-null value; NULL never reaches a cast function. */
export type CastFunction = (value: SqlValue, ctx: EvalContext) => SqlValue;

const INT_TYPES = [Oid.int2, Oid.int4, Oid.int8] as const;
const STRING_TYPES: readonly number[] = [Oid.text, Oid.varchar, Oid.bpchar, Oid.name];
const REG_TYPES: readonly number[] = [Oid.regclass, Oid.regtype, Oid.regproc, Oid.regprocedure, Oid.regnamespace, Oid.regrole];

/**
 * int2vector and oidvector are binary-compatible with int2[] and oid[] (PostgreSQL's parse_coerce
 * treats them so): where an array is wanted they are read as one, keeping their lower bound 0.
 */
export const VECTOR_ARRAYS: ReadonlyMap<number, number> = new Map([[Oid.int2vector, Oid._int2], [Oid.oidvector, Oid._oid]]);

const CONTEXT_RANK: Record<CoercionContext, number> = { implicit: 0, assignment: 1, explicit: 2 };

/** pg_cast for the built-in types: from → to → context. */
const CAST_CONTEXT = new Map<string, CoercionContext>();
function cast(from: number, to: number, context: CoercionContext): void {
  CAST_CONTEXT.set(`${from}:${to}`, context);
}
for (const [from, tos] of [
  [Oid.int2, { [Oid.int4]: 'implicit', [Oid.int8]: 'implicit', [Oid.float4]: 'implicit', [Oid.float8]: 'implicit', [Oid.numeric]: 'implicit', [Oid.oid]: 'implicit' }],
  [Oid.int4, { [Oid.int2]: 'assignment', [Oid.int8]: 'implicit', [Oid.float4]: 'implicit', [Oid.float8]: 'implicit', [Oid.numeric]: 'implicit', [Oid.oid]: 'implicit', [Oid.bool]: 'explicit', [Oid.char]: 'explicit' }],
  [Oid.int8, { [Oid.int2]: 'assignment', [Oid.int4]: 'assignment', [Oid.float4]: 'implicit', [Oid.float8]: 'implicit', [Oid.numeric]: 'implicit', [Oid.oid]: 'implicit' }],
  [Oid.float4, { [Oid.int2]: 'assignment', [Oid.int4]: 'assignment', [Oid.int8]: 'assignment', [Oid.float8]: 'implicit', [Oid.numeric]: 'assignment' }],
  [Oid.float8, { [Oid.int2]: 'assignment', [Oid.int4]: 'assignment', [Oid.int8]: 'assignment', [Oid.float4]: 'assignment', [Oid.numeric]: 'assignment' }],
  [Oid.numeric, { [Oid.int2]: 'assignment', [Oid.int4]: 'assignment', [Oid.int8]: 'assignment', [Oid.float4]: 'implicit', [Oid.float8]: 'implicit' }],
  [Oid.oid, { [Oid.int4]: 'assignment', [Oid.int8]: 'assignment' }],
  [Oid.bool, { [Oid.int4]: 'explicit' }],
  [Oid.text, { [Oid.varchar]: 'implicit', [Oid.bpchar]: 'implicit', [Oid.name]: 'implicit', [Oid.char]: 'assignment', [Oid.regclass]: 'implicit' }],
  [Oid.varchar, { [Oid.text]: 'implicit', [Oid.bpchar]: 'implicit', [Oid.name]: 'implicit', [Oid.char]: 'assignment', [Oid.regclass]: 'implicit' }],
  [Oid.bpchar, { [Oid.text]: 'implicit', [Oid.varchar]: 'implicit', [Oid.name]: 'implicit', [Oid.char]: 'assignment' }],
  [Oid.name, { [Oid.text]: 'implicit', [Oid.varchar]: 'assignment', [Oid.bpchar]: 'assignment' }],
  [Oid.char, { [Oid.text]: 'implicit', [Oid.varchar]: 'assignment', [Oid.bpchar]: 'assignment', [Oid.int4]: 'explicit' }],
  [Oid.date, { [Oid.timestamp]: 'implicit', [Oid.timestamptz]: 'implicit' }],
  [Oid.timestamp, { [Oid.date]: 'assignment', [Oid.time]: 'assignment', [Oid.timestamptz]: 'implicit' }],
  [Oid.timestamptz, { [Oid.date]: 'assignment', [Oid.time]: 'assignment', [Oid.timestamp]: 'assignment' }],
  [Oid.time, { [Oid.interval]: 'implicit' }],
  [Oid.interval, { [Oid.time]: 'assignment' }],
  [Oid.json, { [Oid.jsonb]: 'explicit' }],
  [Oid.jsonb, { [Oid.json]: 'assignment', [Oid.bool]: 'explicit', [Oid.int2]: 'explicit', [Oid.int4]: 'explicit', [Oid.int8]: 'explicit', [Oid.float4]: 'explicit', [Oid.float8]: 'explicit', [Oid.numeric]: 'explicit' }],
] as const) {
  for (const [to, context] of Object.entries(tos)) cast(from, Number(to), context as CoercionContext);
}
for (const [vector, array] of VECTOR_ARRAYS) cast(vector, array, 'implicit');
for (const reg of REG_TYPES) {
  cast(Oid.oid, reg, 'implicit');
  cast(reg, Oid.oid, 'implicit');
  cast(Oid.int4, reg, 'implicit');
  cast(Oid.int8, reg, 'implicit');
  cast(reg, Oid.int4, 'assignment');
  cast(reg, Oid.int8, 'assignment');
}

function isStringType(oid: number): boolean {
  return STRING_TYPES.includes(oid);
}

/**
 * The weakest context in which `from` can be cast to `to`, or null when no cast exists.
 * Unknown literals go anywhere implicitly; every type has an assignment I/O cast to the string types
 * and an explicit one from them (PostgreSQL's automatic I/O conversion casts).
 */
export function castContext(from: number, to: number): CoercionContext | null {
  if (from === to) return 'implicit';
  if (from === Oid.unknown) return 'implicit';
  const direct = CAST_CONTEXT.get(`${from}:${to}`);
  if (direct) return direct;
  if (isArrayType(from) && isArrayType(to)) {
    const ef = elementOf(from);
    const et = elementOf(to);
    return castContext(ef, et);
  }
  if (isStringType(to) && from !== Oid.unknown) return isArrayType(from) || typeByOid(from) ? 'assignment' : null;
  if (isStringType(from) && typeByOid(to)) return 'explicit';
  return null;
}

export function canCoerce(from: number, to: number, context: CoercionContext): boolean {
  const c = castContext(from, to);
  return c !== null && CONTEXT_RANK[c] <= CONTEXT_RANK[context];
}

function typeLabel(t: TypeRef): string {
  return formatType(t.oid, t.typmod);
}

export function cannotCast(from: TypeRef, to: TypeRef): SqlError {
  return new SqlError(SqlState.cannotCoerce, `cannot cast type ${formatType(from.oid)} to ${typeLabel(to)}`);
}


function toIntegerKind(oid: number): 'int2' | 'int4' | 'int8' {
  return oid === Oid.int2 ? 'int2' : oid === Oid.int4 ? 'int4' : 'int8';
}

const INT_LIMITS = { int2: [-32768n, 32767n], int4: [-2147483648n, 2147483647n], int8: [-(2n ** 63n), 2n ** 63n - 1n] } as const;

function fitInteger(to: number, v: bigint): number | bigint {
  const kind = toIntegerKind(to);
  const [min, max] = INT_LIMITS[kind];
  if (v < min || v > max) throw integerOutOfRange(kind);
  return to === Oid.int8 ? v : Number(v);
}

/** Numeric to integer: rounds half away from zero, as numeric_int4 does. */
function numericToBigint(n: Numeric, to: number): bigint {
  const kind = toIntegerKind(to);
  const [min, max] = INT_LIMITS[kind];
  return n.toBigIntChecked(min, max, kind === 'int2' ? 'smallint' : kind === 'int4' ? 'integer' : 'bigint');
}

/** float → numeric through printf("%.15g") (float8) or "%.6g" (float4), as PostgreSQL does. */
function floatToNumeric(x: number, digits: number): Numeric {
  return Numeric.fromNumber(x, digits);
}

function numericToFloat(n: Numeric, to: number): number {
  const x = n.toNumber();
  if (to === Oid.float4) {
    const f = Math.fround(x);
    if (!Number.isFinite(f) && Number.isFinite(x)) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
    return f;
  }
  return x;
}


/** The conversion between two different types, without typmod coercion; null when there is none. */
function conversion(from: number, to: number): CastFunction | null {
  if (from === to || VECTOR_ARRAYS.get(from) === to) return (v) => v;
  // Integers, floats, numeric, oid.
  if ((INT_TYPES as readonly number[]).includes(to)) {
    if ((INT_TYPES as readonly number[]).includes(from) || from === Oid.oid || REG_TYPES.includes(from)) return (v) => fitInteger(to, BigInt(v as number | bigint));
    if (from === Oid.float4 || from === Oid.float8) {
      return (v) => {
        const x = v as number;
        if (!Number.isFinite(x)) throw integerOutOfRange(toIntegerKind(to));
        return fitInteger(to, BigInt(roundHalfEven(x)));
      };
    }
    if (from === Oid.numeric) return (v) => fitInteger(to, numericToBigint(v as Numeric, to));
    if (from === Oid.bool && to === Oid.int4) return (v) => (v ? 1 : 0);
    if (from === Oid.char && to === Oid.int4) return (v) => {
      const c = (v as string).codePointAt(0) ?? 0;
      return c > 127 ? c - 256 : c;
    };
  }
  if (to === Oid.float4 || to === Oid.float8) {
    if ((INT_TYPES as readonly number[]).includes(from)) return (v) => (to === Oid.float4 ? Math.fround(Number(v)) : Number(v));
    if (from === Oid.float4 || from === Oid.float8) {
      return (v) => {
        if (to === Oid.float8) return v;
        const f = Math.fround(v as number);
        if (!Number.isFinite(f) && Number.isFinite(v as number)) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
        if (f === 0 && (v as number) !== 0) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
        return f;
      };
    }
    if (from === Oid.numeric) return (v) => numericToFloat(v as Numeric, to);
  }
  if (to === Oid.numeric) {
    if ((INT_TYPES as readonly number[]).includes(from)) return (v) => numericFromInteger(v as number | bigint);
    if (from === Oid.float4) return (v) => floatToNumeric(v as number, 6);
    if (from === Oid.float8) return (v) => floatToNumeric(v as number, 15);
  }
  if (to === Oid.oid || REG_TYPES.includes(to)) {
    if (from === Oid.oid || REG_TYPES.includes(from)) return (v) => v;
    if (from === Oid.int4) return (v) => Number(BigInt.asUintN(32, BigInt(v as number)));
    if (from === Oid.int8) {
      return (v) => {
        const b = v as bigint;
        if (b < -2147483648n || b > 4294967295n) throw new SqlError(SqlState.numericValueOutOfRange, 'OID out of range');
        return Number(BigInt.asUintN(32, b));
      };
    }
  }
  if (to === Oid.bool && from === Oid.int4) return (v) => v !== 0;
  if (to === Oid.char && from === Oid.int4) return (v) => String.fromCharCode(((v as number) + 256) % 256);
  // Between string types; bpchar loses its trailing spaces when it becomes text or varchar.
  if (isStringType(to) && (isStringType(from) || from === Oid.char)) {
    if (from === Oid.bpchar && to !== Oid.bpchar) return (v) => (v as string).replace(/ +$/, '');
    if (to === Oid.name) return (v) => parseText(Oid.name, v as string);
    return (v) => v;
  }
  // Date and time (the session time zone for the timestamptz conversions).
  if (from === Oid.date && to === Oid.timestamp) return (v) => dateToTimestamp(v as number);
  if (from === Oid.date && to === Oid.timestamptz) return (v, ctx) => dateToTimestamptz(v as number, ctx.codec.timeZone);
  if (from === Oid.timestamp && to === Oid.date) return (v) => timestampToDate(v as bigint);
  if (from === Oid.timestamptz && to === Oid.date) return (v, ctx) => timestamptzToDate(v as bigint, ctx.codec.timeZone);
  if (from === Oid.timestamp && to === Oid.timestamptz) return (v, ctx) => timestampToTimestamptz(v as bigint, ctx.codec.timeZone);
  if (from === Oid.timestamptz && to === Oid.timestamp) return (v, ctx) => timestamptzToTimestamp(v as bigint, ctx.codec.timeZone);
  if (from === Oid.timestamp && to === Oid.time) return (v) => timestampToTime(v as bigint);
  if (from === Oid.timestamptz && to === Oid.time) return (v, ctx) => timestampToTime(timestamptzToTimestamp(v as bigint, ctx.codec.timeZone));
  if (from === Oid.time && to === Oid.interval) return (v) => ({ months: 0, days: 0, micros: v as bigint });
  if (from === Oid.json && to === Oid.jsonb) return (v) => parseText(Oid.jsonb, v as string);
  if (from === Oid.jsonb && CAST_CONTEXT.get(`${from}:${to}`) === 'explicit') return jsonbScalarCast(to);
  return null;
}


/**
 * Applies a type modifier (varchar(n), bpchar(n), numeric(p,s), time precision) to a value already
 * of the target type; `explicit` casts truncate strings silently instead of failing.
 */
export function typmodCoercion(type: TypeRef, explicit: boolean): CastFunction | null {
  if (type.typmod < 0) return null;
  switch (type.oid) {
    case Oid.varchar:
      return (v) => fitCharLength('varchar', v as string, type.typmod, explicit);
    case Oid.bpchar:
      return (v) => fitCharLength('bpchar', v as string, type.typmod, explicit);
    case Oid.numeric:
    case Oid.timestamp:
    case Oid.timestamptz:
    case Oid.time:
    case Oid.interval:
      // The input functions apply typmods; go through text so the rounding rules stay in src/types.
      return (v, ctx) => parseText(type.oid, formatText(type.oid, v, ctx.codec), type.typmod, ctx.codec);
    default:
      if (isArrayType(type.oid)) {
        const inner = typmodCoercion({ oid: elementOf(type.oid), typmod: type.typmod }, explicit);
        if (!inner) return null;
        return (v, ctx) => mapArray(v as SqlArray, (e) => inner(e, ctx));
      }
      return null;
  }
}

function mapArray(a: SqlArray, f: (v: SqlValue) => SqlValue, elementOid = a.elementOid): SqlArray {
  return new SqlArray(elementOid, a.elements.map((e) => (e === null ? null : f(e))), a.dims, a.lowerBounds);
}

/**
 * The cast from `from` to `to` in `context`, including typmod coercion; throws 42846 when there is
 * none. (Whether the context allows the cast is checked by the caller with `canCoerce`.)
 */
export function buildCast(from: TypeRef, to: TypeRef, explicit: boolean): CastFunction {
  const base = baseCast(from.oid, to.oid);
  if (!base) throw cannotCast(from, to);
  const mod = from.oid === to.oid && from.typmod === to.typmod ? null : typmodCoercion(to, explicit);
  if (!mod) return base;
  return (v, ctx) => {
    const x = base(v, ctx);
    return x === null ? null : mod(x, ctx);
  };
}

function baseCast(from: number, to: number): CastFunction | null {
  if (from === to) return (v) => v;
  if (from === Oid.unknown) {
    // An unknown literal reads as the target type's input; arrays included.
    return (v, ctx) => parseText(to, v as string, -1, ctx.codec);
  }
  const direct = conversion(from, to);
  if (direct) return direct;
  if (isArrayType(from) && isArrayType(to)) {
    const ef = elementOf(from);
    const et = elementOf(to);
    const inner = baseCast(ef, et);
    if (!inner) return null;
    return (v, ctx) => mapArray(v as SqlArray, (e) => inner(e, ctx), et);
  }
  // I/O conversion: output as text, input as the target.
  if (isStringType(to) || to === Oid.char) {
    return (v, ctx) => {
      const text = formatText(from, v, ctx.codec);
      return to === Oid.name ? parseText(Oid.name, text) : to === Oid.char ? parseText(Oid.char, text) : text;
    };
  }
  if (isStringType(from) || from === Oid.char) {
    const strip = from === Oid.bpchar;
    return (v, ctx) => parseText(to, strip ? (v as string).replace(/ +$/, '') : (v as string), -1, ctx.codec);
  }
  if (castContext(from, to) !== null || canIoConvert(from, to)) {
    return (v, ctx) => parseText(to, formatText(from, v, ctx.codec), -1, ctx.codec);
  }
  return null;
}

/** Conversions that exist in pg_cast but are done here through the text forms (session time zone etc.). */
function canIoConvert(from: number, to: number): boolean {
  const dt = [Oid.date, Oid.timestamp, Oid.timestamptz, Oid.time, Oid.interval] as number[];
  if (dt.includes(from) && dt.includes(to)) return CAST_CONTEXT.has(`${from}:${to}`);
  if (from === Oid.jsonb && CAST_CONTEXT.has(`${from}:${to}`)) return true;
  return false;
}

/** Casting a jsonb scalar to a SQL type, as jsonb_int4 & co. do (errors as PostgreSQL's). */
export function jsonbScalarCast(to: number): CastFunction {
  return (v, ctx) => {
    const root = (v as Jsonb).root;
    const name = formatType(to);
    if (to === Oid.bool) {
      if (typeof root !== 'boolean') throw new SqlError(SqlState.invalidParameterValue, `cannot cast jsonb ${jsonbKind(root)} to type boolean`);
      return root;
    }
    if (!(root instanceof Numeric)) throw new SqlError(SqlState.invalidParameterValue, `cannot cast jsonb ${jsonbKind(root)} to type ${name}`);
    const c = buildCast({ oid: Oid.numeric, typmod: -1 }, { oid: to, typmod: -1 }, true);
    return c(root, ctx);
  };
}

function jsonbKind(root: unknown): string {
  if (root === null) return 'null';
  if (typeof root === 'string') return 'string';
  if (typeof root === 'boolean') return 'boolean';
  if (root instanceof Numeric) return 'numeric';
  if (Array.isArray(root)) return 'array';
  return 'object';
}
