/**
 * Anonymous record types, as PostgreSQL "blesses" them: a record-returning function (one with OUT
 * parameters, such as pg_get_keywords() or information_schema._pg_expandarray()) gives its result
 * the type `record` with a type modifier that identifies its field list. Field selection
 * (`(f(x)).n`) and expansion in FROM read the fields through it.
 *
 * A record value is held as a SqlArray of element type `record` whose elements are the fields.
 * Records exist only inside a statement: they cannot be stored, and are not sent to clients.
 */
import { SqlError, SqlState } from '../errors.js';
import { Oid } from '../types/oids.js';
import type { TypeRef } from '../types/registry.js';
import { SqlArray, type SqlValue } from '../types/values.js';
import type { Expr } from './expr.js';
import type { ScalarFunction } from './functions/registry.js';

export interface RecordField {
  readonly name: string;
  readonly type: TypeRef;
}

const descriptors: RecordField[][] = [];
const bySignature = new Map<string, number>();

/** The record type with these fields (the same fields always give the same type). */
export function recordType(fields: readonly RecordField[]): TypeRef {
  const signature = fields.map((f) => `${f.name}:${f.type.oid}:${f.type.typmod}`).join(',');
  let typmod = bySignature.get(signature);
  if (typmod === undefined) {
    typmod = descriptors.length;
    descriptors.push([...fields]);
    bySignature.set(signature, typmod);
  }
  return { oid: Oid.record, typmod };
}

/** The fields of a record type; undefined for a record whose fields are not known. */
export function recordFields(type: TypeRef): readonly RecordField[] | undefined {
  return type.oid === Oid.record && type.typmod >= 0 ? descriptors[type.typmod] : undefined;
}

export function recordValue(fields: readonly SqlValue[]): SqlArray {
  return new SqlArray(Oid.record, fields, [fields.length], [1]);
}

/** Field `index` of a record value. */
export function recordField(value: SqlValue, index: number): SqlValue {
  if (!(value instanceof SqlArray) || value.elementOid !== Oid.record) throw new SqlError(SqlState.internalError, 'record value expected');
  return value.elements[index] ?? null;
}

/** The expression reading field `index` of a record-valued expression of known fields. */
export function fieldSelectExpr(record: Expr, index: number): Expr {
  const field = recordFields(record.type)?.[index];
  if (!field) throw new SqlError(SqlState.internalError, `record field ${index} unknown`);
  const fn: ScalarFunction = {
    name: field.name,
    isOperator: false,
    argTypes: [record.type.oid],
    variadic: false,
    returnType: field.type.oid,
    volatility: 'i',
    strict: true,
    impl: ([v]) => recordField(v!, index),
  };
  return { kind: 'call', fn, args: [record], type: field.type };
}
