/**
 * UNION / INTERSECT / EXCEPT [ALL]. Rows compare as wholes, NULL equal to NULL (hash keys of every
 * column). UNION ALL streams both sides; the others keep a hash table of rows (bounded by
 * MAX_MATERIALIZED_ROWS): UNION of the rows emitted, INTERSECT and EXCEPT of the right side's rows
 * with their counts.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Row } from '../compile.js';
import type { SetOpPlan } from '../plan.js';
import { hashKey } from '../value-ops.js';
import { MAX_MATERIALIZED_ROWS, buildOperator, generatorOperator, type ExecRuntime, type Operator } from './operators.js';

function tooMany(op: string): SqlError {
  return new SqlError(SqlState.programLimitExceeded, `${op} needs more than ${MAX_MATERIALIZED_ROWS} rows in memory`);
}

export function setOpOperator(plan: SetOpPlan, rt: ExecRuntime): Operator {
  const types = plan.columns.map((c) => c.type.oid);
  const rowKey = (r: Row): string => r.map((v, i) => hashKey(types[i]!, v)).join('\u0002');
  const left = buildOperator(plan.left, rt);
  let right: Operator | null = null;
  const name = plan.op.toUpperCase();
  return generatorOperator(async function* () {
    if (plan.op === 'union') {
      const seen = plan.all ? null : new Set<string>();
      for (const side of [left, (right = buildOperator(plan.right, rt))]) {
        for (;;) {
          const batch = await side.next();
          if (batch === null) break;
          rt.ctx.checkCancel();
          if (!seen) {
            yield batch;
            continue;
          }
          const out: Row[] = [];
          for (const r of batch) {
            const k = rowKey(r);
            if (seen.has(k)) continue;
            if (seen.size >= MAX_MATERIALIZED_ROWS) throw tooMany(name);
            seen.add(k);
            out.push(r);
          }
          if (out.length) yield out;
        }
      }
      return;
    }
    // INTERSECT / EXCEPT: count the right side's rows, then stream the left side against them.
    right = buildOperator(plan.right, rt);
    const counts = new Map<string, number>();
    for (;;) {
      const batch = await right.next();
      if (batch === null) break;
      rt.ctx.checkCancel();
      for (const r of batch) {
        const k = rowKey(r);
        if (!counts.has(k) && counts.size >= MAX_MATERIALIZED_ROWS) throw tooMany(name);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    const emitted = new Set<string>();
    for (;;) {
      const batch = await left.next();
      if (batch === null) break;
      rt.ctx.checkCancel();
      const out: Row[] = [];
      for (const r of batch) {
        const k = rowKey(r);
        const n = counts.get(k) ?? 0;
        if (plan.op === 'intersect') {
          if (n === 0) continue;
          if (plan.all) counts.set(k, n - 1);
          else counts.set(k, 0);
          out.push(r);
        } else if (plan.all) {
          if (n > 0) counts.set(k, n - 1);
          else out.push(r);
        } else {
          if (n > 0 || emitted.has(k)) continue;
          if (emitted.size >= MAX_MATERIALIZED_ROWS) throw tooMany(name);
          emitted.add(k);
          out.push(r);
        }
      }
      if (out.length) yield out;
    }
  }, () => (right ? [left, right] : [left]));
}
