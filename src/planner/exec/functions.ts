/**
 * Functions that produce rows: a FunctionScan (functions in FROM, side by side, WITH ORDINALITY)
 * and a ProjectSet (set-returning functions of a select list, side by side for each input row).
 * Shorter functions are padded with NULLs; a plain function in FROM gives one row.
 */
import type { SqlValue } from '../../types/values.js';
import { compileExpr, type CompiledExpr, type Row } from '../compile.js';
import type { Expr } from '../expr.js';
import type { FunctionCallSpec, FunctionScanPlan, ProjectSetPlan } from '../plan.js';
import { BATCH_ROWS, buildOperator, generatorOperator, value, type ExecRuntime, type Operator } from './operators.js';

/** A plain function's call expression, made once per spec so its compiled closure is reused. */
const plainCalls = new WeakMap<FunctionCallSpec, CompiledExpr>();

function plainCall(spec: FunctionCallSpec): CompiledExpr {
  let c = plainCalls.get(spec);
  if (!c) {
    const call: Expr = { kind: 'call', fn: spec.fn, args: spec.args, type: spec.type };
    c = compileExpr(call);
    plainCalls.set(spec, c);
  }
  return c;
}

/** The rows of one function call over `row` (its arguments' input). */
async function callRows(spec: FunctionCallSpec, args: readonly CompiledExpr[], row: Row, rt: ExecRuntime): Promise<Iterator<SqlValue>> {
  if (!spec.fn.setReturning) return [await value(plainCall(spec), row, rt.ctx)][Symbol.iterator]();
  const values: SqlValue[] = [];
  for (const a of args) values.push(await value(a, row, rt.ctx));
  // A strict set-returning function of a NULL returns no rows.
  if (spec.fn.strict && values.some((v) => v === null)) return [][Symbol.iterator]();
  return spec.fn.setReturning(values, rt.ctx, spec.args.map((a) => a.type))[Symbol.iterator]();
}

/** Steps iterators side by side: their next values, or null once every one is exhausted. */
function zipNext(iterators: Array<Iterator<SqlValue> | null>): SqlValue[] | null {
  let any = false;
  const values: SqlValue[] = [];
  for (let i = 0; i < iterators.length; i++) {
    const it = iterators[i];
    const r = it ? it.next() : { done: true as const, value: undefined };
    if (r.done) {
      iterators[i] = null;
      values.push(null);
    } else {
      any = true;
      values.push(r.value);
    }
  }
  return any ? values : null;
}

export function functionScanOperator(plan: FunctionScanPlan, rt: ExecRuntime): Operator {
  const args = plan.functions.map((f) => f.args.map(compileExpr));
  return generatorOperator(async function* () {
    const iterators: Array<Iterator<SqlValue> | null> = [];
    for (let i = 0; i < plan.functions.length; i++) iterators.push(await callRows(plan.functions[i]!, args[i]!, [], rt));
    let ordinal = 0n;
    for (;;) {
      const out: Row[] = [];
      while (out.length < BATCH_ROWS) {
        const values = zipNext(iterators);
        if (values === null) break;
        if (plan.ordinality) values.push(++ordinal);
        out.push(values);
      }
      rt.ctx.checkCancel();
      if (out.length === 0) return;
      yield out;
    }
  }, () => []);
}

export function projectSetOperator(plan: ProjectSetPlan, rt: ExecRuntime): Operator {
  const input = buildOperator(plan.input, rt);
  const args = plan.functions.map((f) => f.args.map(compileExpr));
  return generatorOperator(async function* () {
    let out: Row[] = [];
    for (;;) {
      const batch = await input.next();
      if (batch === null) break;
      rt.ctx.checkCancel();
      for (const row of batch) {
        const iterators: Array<Iterator<SqlValue> | null> = [];
        for (let i = 0; i < plan.functions.length; i++) iterators.push(await callRows(plan.functions[i]!, args[i]!, row, rt));
        for (;;) {
          const values = zipNext(iterators);
          if (values === null) break;
          out.push([...row, ...values]);
          if (out.length >= BATCH_ROWS) {
            yield out;
            out = [];
          }
        }
      }
    }
    if (out.length) yield out;
  }, () => [input]);
}
