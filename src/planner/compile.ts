/**
 * Expressions compiled once per plan into closures over the row slots. Most expressions are
 * synchronous; those that reach storage (nextval, setval) or run a subquery are compiled into async
 * closures, and only those pay for promises. SQL's three-valued logic and strictness live here.
 */
import { SqlError, SqlState } from '../errors.js';
import { SqlArray, type SqlValue } from '../types/values.js';
import { Oid } from '../types/oids.js';
import { elementOf, type TypeRef } from '../types/registry.js';
import type { EvalContext } from './context.js';
import type { Expr } from './expr.js';
import { exprAny } from './expr.js';
import type { ScalarFunction } from './functions/registry.js';
import { compareValues } from './value-ops.js';
import type { PlanNode } from './plan.js';
import type { CteStore } from './exec/cte.js';

export type Row = readonly SqlValue[];
export type SyncEvaluator = (row: Row, ctx: RuntimeContext) => SqlValue;
export type AsyncEvaluator = (row: Row, ctx: RuntimeContext) => Promise<SqlValue>;

/** Runs subquery plans for expressions (provided by the executor). */
export interface SubqueryRunner {
  /** All rows of `plan` evaluated with `outerRow` as the innermost outer row (first `limit` rows when given). */
  run(plan: PlanNode, outerRow: Row, ctx: RuntimeContext, limit?: number): Promise<SqlValue[][]>;
}

export interface RuntimeContext extends EvalContext {
  readonly subqueries: SubqueryRunner;
  /** The CTEs of the WITH clauses being executed (set by the With operator). */
  readonly ctes?: CteStore;
}

export type CompiledExpr = { readonly async: false; readonly eval: SyncEvaluator } | { readonly async: true; readonly eval: AsyncEvaluator };

function needsAsync(e: Expr): boolean {
  return exprAny(e, (x) => (x.kind === 'call' && x.fn.asyncImpl !== undefined) || x.kind === 'subquery');
}

/**
 * Compiled closures per expression object. Plans are immutable and shared through the plan cache,
 * and closures take the runtime context as an argument, so an expression is compiled once per plan
 * whatever the number of executions or sessions.
 */
const compiled = new WeakMap<Expr, CompiledExpr>();

export function compileExpr(e: Expr): CompiledExpr {
  let c = compiled.get(e);
  if (!c) {
    c = needsAsync(e) ? { async: true, eval: compileAsync(e) } : { async: false, eval: compileSync(e) };
    compiled.set(e, c);
  }
  return c;
}

/** Evaluates a compiled expression, awaiting only when it is async. */
export function evaluate(c: CompiledExpr, row: Row, ctx: RuntimeContext): SqlValue | Promise<SqlValue> {
  return c.eval(row, ctx);
}

function callFunction(fn: ScalarFunction, args: SqlValue[], ctx: RuntimeContext, types: readonly TypeRef[]): SqlValue {
  if (fn.strict && args.some((a) => a === null)) return null;
  return fn.impl!(args, ctx, types);
}

function truth(v: SqlValue): boolean | null {
  return v === null ? null : (v as boolean);
}

/** ANY/ALL over an array with SQL's NULL rules. */
function scalarArrayOp(fn: ScalarFunction, useOr: boolean, left: SqlValue, array: SqlValue, ctx: RuntimeContext, types: readonly TypeRef[]): SqlValue {
  if (array === null) return null;
  const elements = (array as SqlArray).elements;
  if (elements.length === 0) return !useOr;
  if (left === null && fn.strict) return null;
  let sawNull = false;
  for (const e of elements) {
    const r = fn.strict && e === null ? null : fn.impl!([left, e], ctx, types);
    if (r === null) sawNull = true;
    else if (r === useOr) return useOr;
  }
  return sawNull ? null : !useOr;
}

function subscript(arr: SqlValue, indexes: ReadonlyArray<{ lower: SqlValue; upper: SqlValue; slice: boolean }>): SqlValue {
  if (arr === null) return null;
  const a = arr as SqlArray;
  if (indexes.some((i) => i.slice)) {
    if (a.dims.length !== 1 || indexes.length !== 1) return a.dims.length === 0 ? a : null;
    const lb = a.lowerBounds[0] ?? 1;
    const lo = indexes[0]!.lower === null ? lb : Math.max(lb, indexes[0]!.lower as number);
    const hi = indexes[0]!.upper === null ? lb + a.dims[0]! - 1 : Math.min(lb + a.dims[0]! - 1, indexes[0]!.upper as number);
    if (lo > hi) return new SqlArray(a.elementOid, []);
    return new SqlArray(a.elementOid, a.elements.slice(lo - lb, hi - lb + 1));
  }
  if (indexes.length !== a.dims.length) return null;
  let offset = 0;
  for (let d = 0; d < indexes.length; d++) {
    const i = indexes[d]!.upper;
    if (i === null) return null;
    const k = (i as number) - (a.lowerBounds[d] ?? 1);
    if (k < 0 || k >= a.dims[d]!) return null;
    offset = offset * a.dims[d]! + k;
  }
  return a.elements[offset] ?? null;
}

function minmax(op: 'greatest' | 'least', values: SqlValue[], typeOid: number): SqlValue {
  let best: SqlValue = null;
  for (const v of values) {
    if (v === null) continue;
    if (best === null) best = v;
    else {
      const c = compareValues(typeOid, v, best);
      if ((op === 'greatest' && c > 0) || (op === 'least' && c < 0)) best = v;
    }
  }
  return best;
}

function boolTest(v: SqlValue, test: 'true' | 'false' | 'unknown', negated: boolean): boolean {
  const r = test === 'true' ? v === true : test === 'false' ? v === false : v === null;
  return negated ? !r : r;
}

function buildArray(elementValues: SqlValue[], type: number, elementExprTypes: readonly number[]): SqlArray {
  // ARRAY[ARRAY[...], ...]: a multidimensional array from equally shaped sub-arrays.
  if (elementExprTypes.length > 0 && elementExprTypes.every((t) => t === type) && elementValues.every((v) => v === null || v instanceof SqlArray)) {
    const subs = elementValues.filter((v): v is SqlArray => v !== null);
    if (subs.length === 0) return new SqlArray(subs[0]?.elementOid ?? Oid.text, []);
    const dims = subs[0]!.dims;
    if (subs.some((s) => s.dims.join() !== dims.join())) {
      throw new SqlError('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
    }
    return new SqlArray(subs[0]!.elementOid, subs.flatMap((s) => s.elements), [subs.length, ...dims]);
  }
  return new SqlArray(elementOidOf(type), elementValues);
}

function elementOidOf(arrayOid: number): number {
  return elementOf(arrayOid);
}

function compileSync(e: Expr): SyncEvaluator {
  switch (e.kind) {
    case 'const': {
      const v = e.value;
      return () => v;
    }
    case 'param': {
      const i = e.index;
      return (_r, ctx) => ctx.params[i] ?? null;
    }
    case 'column': {
      const s = e.slot;
      return (r) => r[s] ?? null;
    }
    case 'outerColumn': {
      const { depth, slot } = e;
      return (_r, ctx) => ctx.outerRows[ctx.outerRows.length - depth]?.[slot] ?? null;
    }
    case 'call': {
      const fn = e.fn;
      const args = e.args.map(compileSync);
      const types = e.args.map((a) => a.type);
      if (args.length === 1) {
        const a0 = args[0]!;
        return (r, ctx) => callFunction(fn, [a0(r, ctx)], ctx, types);
      }
      if (args.length === 2) {
        const [a0, a1] = args as [SyncEvaluator, SyncEvaluator];
        return (r, ctx) => callFunction(fn, [a0(r, ctx), a1(r, ctx)], ctx, types);
      }
      return (r, ctx) => callFunction(fn, args.map((a) => a(r, ctx)), ctx, types);
    }
    case 'cast': {
      const arg = compileSync(e.arg);
      const cast = e.cast;
      return (r, ctx) => {
        const v = arg(r, ctx);
        return v === null ? null : cast(v, ctx);
      };
    }
    case 'and': {
      const args = e.args.map(compileSync);
      return (r, ctx) => {
        let sawNull = false;
        for (const a of args) {
          const v = truth(a(r, ctx));
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'or': {
      const args = e.args.map(compileSync);
      return (r, ctx) => {
        let sawNull = false;
        for (const a of args) {
          const v = truth(a(r, ctx));
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'not': {
      const arg = compileSync(e.arg);
      return (r, ctx) => {
        const v = arg(r, ctx);
        return v === null ? null : !v;
      };
    }
    case 'nullTest': {
      const arg = compileSync(e.arg);
      const negated = e.negated;
      return (r, ctx) => isNullValue(arg(r, ctx)) !== negated;
    }
    case 'boolTest': {
      const arg = compileSync(e.arg);
      const { test, negated } = e;
      return (r, ctx) => boolTest(arg(r, ctx), test, negated);
    }
    case 'case': {
      const whens = e.whens.map((w) => ({ c: compileSync(w.condition), r: compileSync(w.result) }));
      const other = compileSync(e.elseResult);
      return (r, ctx) => {
        for (const w of whens) if (w.c(r, ctx) === true) return w.r(r, ctx);
        return other(r, ctx);
      };
    }
    case 'coalesce': {
      const args = e.args.map(compileSync);
      return (r, ctx) => {
        for (const a of args) {
          const v = a(r, ctx);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'minmax': {
      const args = e.args.map(compileSync);
      const { op } = e;
      const t = e.type.oid;
      return (r, ctx) => minmax(op, args.map((a) => a(r, ctx)), t);
    }
    case 'scalarArrayOp': {
      const left = compileSync(e.left);
      const right = compileSync(e.right);
      const { op, useOr } = e;
      const types = [e.left.type, { oid: elementOidOf(e.right.type.oid), typmod: -1 }];
      return (r, ctx) => scalarArrayOp(op, useOr, left(r, ctx), right(r, ctx), ctx, types);
    }
    case 'array': {
      const elements = e.elements.map(compileSync);
      const type = e.type.oid;
      const elementTypes = e.elements.map((x) => x.type.oid);
      return (r, ctx) => buildArray(elements.map((x) => x(r, ctx)), type, elementTypes);
    }
    case 'subscript': {
      const arg = compileSync(e.arg);
      const idx = e.indexes.map((i) => ({ lower: i.lower ? compileSync(i.lower) : null, upper: i.upper ? compileSync(i.upper) : null, slice: i.slice }));
      return (r, ctx) => subscript(arg(r, ctx), idx.map((i) => ({ lower: i.lower ? i.lower(r, ctx) : null, upper: i.upper ? i.upper(r, ctx) : null, slice: i.slice })));
    }
    case 'aggregateRef':
      throw new SqlError(SqlState.internalError, 'aggregate reference outside an aggregate node');
    case 'windowRef':
      throw new SqlError(SqlState.internalError, 'window function reference outside a window node');
    case 'setFunctionRef':
      throw new SqlError(SqlState.internalError, 'set-returning function reference outside a ProjectSet node');
    case 'groupingFunc':
      throw new SqlError(SqlState.internalError, 'GROUPING outside an aggregate node');
    case 'row':
      throw new SqlError(SqlState.featureNotSupported, 'row values are not supported yet');
    case 'subquery':
      throw new SqlError(SqlState.internalError, 'subquery compiled as synchronous');
  }
}

/** A SQL NULL, including a row or array? (only plain NULL here). */
function isNullValue(v: SqlValue): boolean {
  return v === null;
}

function compileAsync(e: Expr): AsyncEvaluator {
  if (!needsAsync(e)) {
    const s = compileSync(e);
    return async (r, ctx) => s(r, ctx);
  }
  switch (e.kind) {
    case 'call': {
      const fn = e.fn;
      const args = e.args.map(compileAsync);
      const types = e.args.map((a) => a.type);
      return async (r, ctx) => {
        const values: SqlValue[] = [];
        for (const a of args) values.push(await a(r, ctx));
        if (fn.strict && values.some((v) => v === null)) return null;
        if (fn.asyncImpl) return fn.asyncImpl(values, ctx, types);
        return fn.impl!(values, ctx, types);
      };
    }
    case 'cast': {
      const arg = compileAsync(e.arg);
      const cast = e.cast;
      return async (r, ctx) => {
        const v = await arg(r, ctx);
        return v === null ? null : cast(v, ctx);
      };
    }
    case 'and':
    case 'or': {
      const args = e.args.map(compileAsync);
      const isAnd = e.kind === 'and';
      return async (r, ctx) => {
        let sawNull = false;
        for (const a of args) {
          const v = truth(await a(r, ctx));
          if (v === !isAnd) return !isAnd;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : isAnd;
      };
    }
    case 'not': {
      const arg = compileAsync(e.arg);
      return async (r, ctx) => {
        const v = await arg(r, ctx);
        return v === null ? null : !v;
      };
    }
    case 'nullTest': {
      const arg = compileAsync(e.arg);
      return async (r, ctx) => isNullValue(await arg(r, ctx)) !== e.negated;
    }
    case 'boolTest': {
      const arg = compileAsync(e.arg);
      return async (r, ctx) => boolTest(await arg(r, ctx), e.test, e.negated);
    }
    case 'case': {
      const whens = e.whens.map((w) => ({ c: compileAsync(w.condition), r: compileAsync(w.result) }));
      const other = compileAsync(e.elseResult);
      return async (r, ctx) => {
        for (const w of whens) if ((await w.c(r, ctx)) === true) return w.r(r, ctx);
        return other(r, ctx);
      };
    }
    case 'coalesce': {
      const args = e.args.map(compileAsync);
      return async (r, ctx) => {
        for (const a of args) {
          const v = await a(r, ctx);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'minmax': {
      const args = e.args.map(compileAsync);
      return async (r, ctx) => {
        const values: SqlValue[] = [];
        for (const a of args) values.push(await a(r, ctx));
        return minmax(e.op, values, e.type.oid);
      };
    }
    case 'scalarArrayOp': {
      const left = compileAsync(e.left);
      const right = compileAsync(e.right);
      const types = [e.left.type, { oid: elementOidOf(e.right.type.oid), typmod: -1 }];
      return async (r, ctx) => scalarArrayOp(e.op, e.useOr, await left(r, ctx), await right(r, ctx), ctx, types);
    }
    case 'array': {
      const elements = e.elements.map(compileAsync);
      const elementTypes = e.elements.map((x) => x.type.oid);
      return async (r, ctx) => {
        const values: SqlValue[] = [];
        for (const x of elements) values.push(await x(r, ctx));
        return buildArray(values, e.type.oid, elementTypes);
      };
    }
    case 'subscript': {
      const arg = compileAsync(e.arg);
      const idx = e.indexes.map((i) => ({ lower: i.lower ? compileAsync(i.lower) : null, upper: i.upper ? compileAsync(i.upper) : null, slice: i.slice }));
      return async (r, ctx) => {
        const values = [];
        for (const i of idx) values.push({ lower: i.lower ? await i.lower(r, ctx) : null, upper: i.upper ? await i.upper(r, ctx) : null, slice: i.slice });
        return subscript(await arg(r, ctx), values);
      };
    }
    case 'subquery':
      return compileSubquery(e);
    default:
      throw new SqlError(SqlState.internalError, `cannot compile ${e.kind} asynchronously`);
  }
}

function compileSubquery(e: Extract<Expr, { kind: 'subquery' }>): AsyncEvaluator {
  const test = e.testExpr ? compileAsync(e.testExpr) : null;
  const visibleSlot = e.plan.columns.findIndex((c) => !c.hidden);
  const uncorrelatedCache = new WeakMap<RuntimeContext, SqlValue[][]>();
  const rowsFor = async (r: Row, ctx: RuntimeContext, limit?: number): Promise<SqlValue[][]> => {
    if (!e.correlated) {
      const cached = uncorrelatedCache.get(ctx);
      if (cached) return cached;
      const rows = await ctx.subqueries.run(e.plan, r, ctx);
      uncorrelatedCache.set(ctx, rows);
      return rows;
    }
    return ctx.subqueries.run(e.plan, r, ctx, limit);
  };
  switch (e.subKind) {
    case 'exists':
      return async (r, ctx) => (await rowsFor(r, ctx, 1)).length > 0;
    case 'scalar':
      return async (r, ctx) => {
        const rows = await rowsFor(r, ctx, 2);
        if (rows.length > 1) throw new SqlError(SqlState.cardinalityViolation, 'more than one row returned by a subquery used as an expression');
        return rows[0]?.[visibleSlot] ?? null;
      };
    case 'array':
      return async (r, ctx) => {
        const rows = await rowsFor(r, ctx);
        return new SqlArray(elementOidOf(e.type.oid), rows.map((x) => x[visibleSlot] ?? null));
      };
    case 'any':
    case 'all': {
      const useOr = e.subKind === 'any';
      const fn = e.compare!;
      const types = [e.testExpr!.type, e.plan.columns[visibleSlot]!.type];
      return async (r, ctx) => {
        const left = await test!(r, ctx);
        const rows = await rowsFor(r, ctx);
        const arr = new SqlArray(types[1]!.oid, rows.map((x) => x[visibleSlot] ?? null));
        return scalarArrayOp(fn, useOr, left, arr, ctx, types);
      };
    }
  }
}
