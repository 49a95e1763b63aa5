/**
 * Join operators: nested loop (also LATERAL), hash join and lookup join. Each emits the left row's
 * columns then the right row's (a lookup join may be written the other way round), keeps only
 * combined rows whose condition is true, and NULL-extends the unmatched rows of an outer join's
 * preserved side. Sides kept in memory (the nested loop's right side, the hash join's build side)
 * obey MAX_MATERIALIZED_ROWS.
 */
import type { SqlValue } from '../../types/values.js';
import { tableOutputColumns } from '../table-rows.js';
import { compileExpr, type CompiledExpr, type Row } from '../compile.js';
import type { HashJoinPlan, LookupJoinPlan, NestedLoopJoinPlan } from '../plan.js';
import { hashKey } from '../value-ops.js';
import { BATCH_ROWS, buildOperator, drain, generatorOperator, readTable, value, type ExecRuntime, type Operator } from './operators.js';

/** Distinct keys looked up at once by a lookup join (gets in flight on the transaction). */
export const LOOKUP_CONCURRENCY = 32;

function nulls(n: number): SqlValue[] {
  return new Array<SqlValue>(n).fill(null);
}

async function holds(cond: CompiledExpr | null, row: Row, rt: ExecRuntime): Promise<boolean> {
  if (!cond) return true;
  return (cond.async ? await cond.eval(row, rt.ctx) : cond.eval(row, rt.ctx)) === true;
}

export function nestedLoopOperator(plan: NestedLoopJoinPlan, rt: ExecRuntime): Operator {
  const left = buildOperator(plan.left, rt);
  const cond = plan.condition ? compileExpr(plan.condition) : null;
  const leftWidth = plan.left.columns.length;
  const rightWidth = plan.right.columns.length;
  const keepLeft = plan.joinType === 'left' || plan.joinType === 'full';
  const keepRight = plan.joinType === 'right' || plan.joinType === 'full';
  return generatorOperator(async function* () {
    // LATERAL: the right side runs once per left row, which it reads as its innermost outer row.
    const rightOnce = plan.lateral ? null : await drain(buildOperator(plan.right, rt), rt);
    const matchedRight = keepRight && rightOnce ? new Uint8Array(rightOnce.length) : null;
    let out: Row[] = [];
    for (;;) {
      const batch = await left.next();
      if (batch === null) break;
      rt.ctx.checkCancel();
      for (const l of batch) {
        let rightRows = rightOnce;
        if (!rightRows) {
          const inner: ExecRuntime = { ...rt, ctx: { ...rt.ctx, outerRows: [...rt.ctx.outerRows, l as SqlValue[]] } };
          rightRows = await drain(buildOperator(plan.right, inner), inner);
        }
        let matched = false;
        for (let k = 0; k < rightRows.length; k++) {
          const row = [...l, ...rightRows[k]!];
          if (!(await holds(cond, row, rt))) continue;
          matched = true;
          if (matchedRight) matchedRight[k] = 1;
          out.push(row);
          if (out.length >= BATCH_ROWS) {
            yield out;
            out = [];
          }
        }
        if (!matched && keepLeft) out.push([...l, ...nulls(rightWidth)]);
      }
      if (out.length >= BATCH_ROWS) {
        yield out;
        out = [];
      }
    }
    if (matchedRight && rightOnce) {
      for (let k = 0; k < rightOnce.length; k++) if (!matchedRight[k]) out.push([...nulls(leftWidth), ...rightOnce[k]!]);
    }
    if (out.length) yield out;
  }, () => [left]);
}

async function keyText(keys: readonly CompiledExpr[], types: readonly number[], row: Row, rt: ExecRuntime): Promise<string | null> {
  const parts: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const v = await value(keys[i]!, row, rt.ctx);
    // NULL equals nothing: the row can match no key.
    if (v === null) return null;
    parts.push(hashKey(types[i]!, v));
  }
  return parts.join('\u0002');
}

export function hashJoinOperator(plan: HashJoinPlan, rt: ExecRuntime): Operator {
  const left = buildOperator(plan.left, rt);
  const cond = plan.condition ? compileExpr(plan.condition) : null;
  const leftKeys = plan.leftKeys.map(compileExpr);
  const rightKeys = plan.rightKeys.map(compileExpr);
  const leftTypes = plan.leftKeys.map((k) => k.type.oid);
  const rightTypes = plan.rightKeys.map((k) => k.type.oid);
  const leftWidth = plan.left.columns.length;
  const rightWidth = plan.right.columns.length;
  const keepLeft = plan.joinType === 'left' || plan.joinType === 'full';
  const keepRight = plan.joinType === 'right' || plan.joinType === 'full';
  return generatorOperator(async function* () {
    const rightRows = await drain(buildOperator(plan.right, rt), rt);
    const table = new Map<string, number[]>();
    for (let k = 0; k < rightRows.length; k++) {
      const key = await keyText(rightKeys, rightTypes, rightRows[k]!, rt);
      if (key === null) continue;
      const list = table.get(key);
      if (list) list.push(k);
      else table.set(key, [k]);
    }
    const matchedRight = keepRight ? new Uint8Array(rightRows.length) : null;
    let out: Row[] = [];
    for (;;) {
      const batch = await left.next();
      if (batch === null) break;
      rt.ctx.checkCancel();
      for (const l of batch) {
        const key = await keyText(leftKeys, leftTypes, l, rt);
        let matched = false;
        for (const k of key === null ? [] : (table.get(key) ?? [])) {
          const row = [...l, ...rightRows[k]!];
          if (!(await holds(cond, row, rt))) continue;
          matched = true;
          if (matchedRight) matchedRight[k] = 1;
          out.push(row);
        }
        if (!matched && keepLeft) out.push([...l, ...nulls(rightWidth)]);
        if (out.length >= BATCH_ROWS) {
          yield out;
          out = [];
        }
      }
    }
    if (matchedRight) for (let k = 0; k < rightRows.length; k++) if (!matchedRight[k]) out.push([...nulls(leftWidth), ...rightRows[k]!]);
    if (out.length) yield out;
  }, () => [left]);
}

export function lookupJoinOperator(plan: LookupJoinPlan, rt: ExecRuntime): Operator {
  const outer = buildOperator(plan.outer, rt);
  const cond = plan.condition ? compileExpr(plan.condition) : null;
  const keys = plan.access.key.map(compileExpr);
  const keyTypes = plan.access.key.map((k) => k.type.oid);
  const tableWidth = tableOutputColumns(plan.table).length;
  const combine = (o: Row, t: Row): Row => (plan.outerFirst ? [...o, ...t] : [...t, ...o]);
  return generatorOperator(async function* () {
    for (;;) {
      const batch = await outer.next();
      if (batch === null) break;
      rt.ctx.checkCancel();
      // One read per distinct key of the batch, several in flight at once.
      const keyOf: Array<string | null> = [];
      const firstRowOf = new Map<string, Row>();
      for (const o of batch) {
        const k = await keyText(keys, keyTypes, o, rt);
        keyOf.push(k);
        if (k !== null && !firstRowOf.has(k)) firstRowOf.set(k, o);
      }
      const found = new Map<string, readonly Row[]>();
      const pending = [...firstRowOf];
      for (let i = 0; i < pending.length; i += LOOKUP_CONCURRENCY) {
        const chunk = pending.slice(i, i + LOOKUP_CONCURRENCY);
        const rows = await Promise.all(chunk.map(([, o]) => readTable(plan.table, plan.access, rt, o)));
        chunk.forEach(([k], j) => found.set(k, rows[j]!));
      }
      const out: Row[] = [];
      for (let i = 0; i < batch.length; i++) {
        const o = batch[i]!;
        const k = keyOf[i]!;
        let matched = false;
        for (const t of k === null ? [] : (found.get(k) ?? [])) {
          const row = combine(o, t);
          if (!(await holds(cond, row, rt))) continue;
          matched = true;
          out.push(row);
        }
        if (!matched && plan.joinType === 'left') out.push(combine(o, nulls(tableWidth)));
      }
      if (out.length) yield out;
    }
  }, () => [outer]);
}
