/**
 * Bound expressions: what the analyzer makes of the parse tree once names are resolved and every
 * node has a type. They are small immutable objects; `compile.ts` turns them into closures once per
 * plan, and the planner reads them to find key lookups and filters it can push to the storage.
 */
import type { TypeRef } from '../types/registry.js';
import type { SqlValue } from '../types/values.js';
import { Oid } from '../types/oids.js';
import type { AggregateDefinition, ScalarFunction } from './functions/registry.js';
import type { CastFunction } from './functions/casts.js';
import type { PlanNode } from './plan.js';

export type Expr =
  | ConstExpr
  | ParamExpr
  | ColumnExpr
  | OuterColumnExpr
  | CallExpr
  | CastExpr
  | BoolExpr
  | NotExpr
  | NullTestExpr
  | BoolTestExpr
  | CaseExpr
  | CoalesceExpr
  | MinMaxExpr
  | ScalarArrayOpExpr
  | ArrayExpr
  | SubscriptExpr
  | AggregateRefExpr
  | SubqueryExpr
  | RowExpr
  | WindowRefExpr
  | SetFunctionRefExpr
  | GroupingFuncExpr;

export interface ConstExpr {
  readonly kind: 'const';
  readonly type: TypeRef;
  readonly value: SqlValue;
}

/** `$n`; `index` is 0-based. */
export interface ParamExpr {
  readonly kind: 'param';
  readonly index: number;
  readonly type: TypeRef;
}

/** A column of the input row of the node that evaluates the expression. */
export interface ColumnExpr {
  readonly kind: 'column';
  readonly slot: number;
  readonly type: TypeRef;
  readonly name: string;
}

/**
 * A column of an enclosing query's current row (correlated subqueries): `depth` levels out.
 * Evaluated from the outer-row stack of the evaluation context.
 */
export interface OuterColumnExpr {
  readonly kind: 'outerColumn';
  readonly depth: number;
  readonly slot: number;
  readonly type: TypeRef;
  readonly name: string;
}

export interface CallExpr {
  readonly kind: 'call';
  readonly fn: ScalarFunction;
  readonly args: readonly Expr[];
  readonly type: TypeRef;
}

export interface CastExpr {
  readonly kind: 'cast';
  readonly arg: Expr;
  readonly type: TypeRef;
  readonly cast: CastFunction;
}

export interface BoolExpr {
  readonly kind: 'and' | 'or';
  readonly args: readonly Expr[];
  readonly type: TypeRef;
}

export interface NotExpr {
  readonly kind: 'not';
  readonly arg: Expr;
  readonly type: TypeRef;
}

export interface NullTestExpr {
  readonly kind: 'nullTest';
  readonly arg: Expr;
  readonly negated: boolean;
  readonly type: TypeRef;
}

/** IS [NOT] TRUE / FALSE / UNKNOWN. */
export interface BoolTestExpr {
  readonly kind: 'boolTest';
  readonly arg: Expr;
  readonly test: 'true' | 'false' | 'unknown';
  readonly negated: boolean;
  readonly type: TypeRef;
}

export interface CaseExpr {
  readonly kind: 'case';
  readonly whens: ReadonlyArray<{ readonly condition: Expr; readonly result: Expr }>;
  readonly elseResult: Expr;
  readonly type: TypeRef;
}

export interface CoalesceExpr {
  readonly kind: 'coalesce';
  readonly args: readonly Expr[];
  readonly type: TypeRef;
}

export interface MinMaxExpr {
  readonly kind: 'minmax';
  readonly op: 'greatest' | 'least';
  readonly args: readonly Expr[];
  readonly type: TypeRef;
}

/**
 * `left op ANY/ALL (array)`, also IN (list) as `= ANY` over an ArrayExpr: SQL's three-valued result
 * (NULL when nothing matched and a NULL was seen).
 */
export interface ScalarArrayOpExpr {
  readonly kind: 'scalarArrayOp';
  readonly op: ScalarFunction;
  readonly useOr: boolean;
  readonly left: Expr;
  readonly right: Expr;
  readonly type: TypeRef;
}

export interface ArrayExpr {
  readonly kind: 'array';
  readonly elements: readonly Expr[];
  readonly type: TypeRef;
}

export interface SubscriptExpr {
  readonly kind: 'subscript';
  readonly arg: Expr;
  /** One entry per dimension; `upper` set for a slice. */
  readonly indexes: ReadonlyArray<{ readonly lower: Expr | null; readonly upper: Expr | null; readonly slice: boolean }>;
  readonly type: TypeRef;
}

/** The result of aggregate number `index` of the enclosing Aggregate node. */
export interface AggregateRefExpr {
  readonly kind: 'aggregateRef';
  readonly index: number;
  readonly type: TypeRef;
}

/** An aggregate call as the analyzer collects it (the Aggregate node evaluates these). */
export interface AggregateCall {
  readonly fn: AggregateDefinition;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter: Expr | null;
  readonly orderBy: ReadonlyArray<{ readonly expr: Expr; readonly descending: boolean; readonly nullsFirst: boolean }>;
  readonly type: TypeRef;
}

/** The result of window function number `index` of the query (placed by the Window nodes). */
export interface WindowRefExpr {
  readonly kind: 'windowRef';
  readonly index: number;
  readonly type: TypeRef;
}

/** GROUPING(a, b, ...): which of its arguments (group keys) the current grouping set leaves out. */
export interface GroupingFuncExpr {
  readonly kind: 'groupingFunc';
  readonly args: readonly Expr[];
  readonly type: TypeRef;
}

/** The current value of set-returning function number `index` of the select list (ProjectSet node). */
export interface SetFunctionRefExpr {
  readonly kind: 'setFunctionRef';
  readonly index: number;
  readonly type: TypeRef;
}

/**
 * A subquery in an expression (EXISTS, scalar, IN/ANY, ARRAY). Planned as its own tree; correlated
 * ones reference outer rows through OuterColumnExpr.
 */
export interface SubqueryExpr {
  readonly kind: 'subquery';
  readonly subKind: 'exists' | 'scalar' | 'any' | 'all' | 'array';
  readonly plan: PlanNode;
  /** For ANY/ALL: the comparison against the subquery's single column. */
  readonly testExpr: Expr | null;
  readonly compare: ScalarFunction | null;
  readonly correlated: boolean;
  readonly type: TypeRef;
}

/** ROW(a, b) — for row comparisons and record output. */
export interface RowExpr {
  readonly kind: 'row';
  readonly args: readonly Expr[];
  readonly type: TypeRef;
}

export const BOOL_TYPE: TypeRef = { oid: Oid.bool, typmod: -1 };
export const TEXT_TYPE: TypeRef = { oid: Oid.text, typmod: -1 };
export const INT4_TYPE: TypeRef = { oid: Oid.int4, typmod: -1 };
export const INT8_TYPE: TypeRef = { oid: Oid.int8, typmod: -1 };
export const UNKNOWN_TYPE: TypeRef = { oid: Oid.unknown, typmod: -1 };

export function typeOf(e: Expr): TypeRef {
  return e.type;
}

export function constant(type: TypeRef, value: SqlValue): ConstExpr {
  return { kind: 'const', type, value };
}

/** The direct sub-expressions of `e`, for walkers. (Subquery plans are not entered.) */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'const':
    case 'param':
    case 'column':
    case 'outerColumn':
    case 'aggregateRef':
    case 'windowRef':
    case 'setFunctionRef':
      return [];
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
    case 'minmax':
    case 'row':
    case 'groupingFunc':
      return e.args;
    case 'cast':
    case 'not':
    case 'nullTest':
    case 'boolTest':
      return [e.arg];
    case 'case':
      return [...e.whens.flatMap((w) => [w.condition, w.result]), e.elseResult];
    case 'scalarArrayOp':
      return [e.left, e.right];
    case 'array':
      return e.elements;
    case 'subscript':
      return [e.arg, ...e.indexes.flatMap((i) => [i.lower, i.upper].filter((x): x is Expr => x !== null))];
    case 'subquery':
      return e.testExpr ? [e.testExpr] : [];
  }
}

/** True if `pred` holds for `e` or any sub-expression. */
export function exprAny(e: Expr, pred: (x: Expr) => boolean): boolean {
  if (pred(e)) return true;
  return children(e).some((c) => exprAny(c, pred));
}

/** True when evaluating `e` needs no input row (constants, parameters, stable functions of those). */
export function isRowIndependent(e: Expr): boolean {
  return !exprAny(e, (x) => x.kind === 'column' || x.kind === 'outerColumn' || x.kind === 'aggregateRef' || x.kind === 'subquery' || (x.kind === 'call' && x.fn.volatility === 'v'));
}

/** Splits an AND tree into its conjuncts. */
export function conjuncts(e: Expr): Expr[] {
  if (e.kind === 'and') return e.args.flatMap(conjuncts);
  return [e];
}

export function andOf(parts: readonly Expr[]): Expr | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!;
  return { kind: 'and', args: parts, type: BOOL_TYPE };
}

/** A copy of `e` with each direct child replaced by `f(child)`. */
export function mapChildren(e: Expr, f: (c: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'call':
      return { ...e, args: e.args.map(f) };
    case 'and':
    case 'or':
      return { ...e, args: e.args.map(f) };
    case 'coalesce':
    case 'minmax':
    case 'row':
    case 'groupingFunc':
      return { ...e, args: e.args.map(f) };
    case 'cast':
    case 'not':
    case 'nullTest':
    case 'boolTest':
      return { ...e, arg: f(e.arg) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ condition: f(w.condition), result: f(w.result) })), elseResult: f(e.elseResult) };
    case 'scalarArrayOp':
      return { ...e, left: f(e.left), right: f(e.right) };
    case 'array':
      return { ...e, elements: e.elements.map(f) };
    case 'subscript':
      return { ...e, arg: f(e.arg), indexes: e.indexes.map((i) => ({ lower: i.lower ? f(i.lower) : null, upper: i.upper ? f(i.upper) : null, slice: i.slice })) };
    case 'subquery':
      return e.testExpr ? { ...e, testExpr: f(e.testExpr) } : e;
    default:
      return e;
  }
}

/** Structural equality of bound expressions (functions compared by identity). */
export function exprEquals(a: Expr, b: Expr): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.type.oid !== b.type.oid) return false;
  switch (a.kind) {
    case 'column':
      return a.slot === (b as typeof a).slot;
    case 'outerColumn':
      return a.slot === (b as typeof a).slot && a.depth === (b as typeof a).depth;
    case 'param':
      return a.index === (b as typeof a).index;
    case 'const':
      return valueKey(a.value) === valueKey((b as typeof a).value);
    case 'aggregateRef':
    case 'windowRef':
    case 'setFunctionRef':
      return a.index === (b as typeof a).index;
    case 'call':
      if (a.fn !== (b as typeof a).fn && !(a.fn.name === (b as typeof a).fn.name && a.fn.argTypes.join() === (b as typeof a).fn.argTypes.join())) return false;
      break;
    case 'nullTest':
      if (a.negated !== (b as typeof a).negated) return false;
      break;
    case 'subquery':
      return false;
    default:
      break;
  }
  const ca = children(a);
  const cb = children(b);
  return ca.length === cb.length && ca.every((x, i) => exprEquals(x, cb[i]!));
}

function valueKey(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}

/** The depth-0 column slots `e` reads (outer columns and subquery plans are not entered). */
export function columnSlots(e: Expr, into: Set<number> = new Set()): Set<number> {
  if (e.kind === 'column') into.add(e.slot);
  for (const c of children(e)) columnSlots(c, into);
  return into;
}

/** True when `e` contains a subquery (its plan may read this row's columns through outer references). */
export function containsSubquery(e: Expr): boolean {
  return exprAny(e, (x) => x.kind === 'subquery');
}

/**
 * `e` reading a row laid out differently: depth-0 column slot `s` becomes `slotMap(s)`. Only for
 * expressions without subqueries, whose plans could also read the row (see containsSubquery).
 */
export function remapColumns(e: Expr, slotMap: (slot: number) => number): Expr {
  if (e.kind === 'column') {
    const slot = slotMap(e.slot);
    return slot === e.slot ? e : { ...e, slot };
  }
  return mapChildren(e, (c) => remapColumns(c, slotMap));
}
