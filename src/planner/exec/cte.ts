/**
 * WITH at run time. A With operator opens a CteStore for its CTEs (chained to any enclosing one and
 * carried in the runtime context, so subqueries see it too). Each CTE is computed at most once per
 * execution of the With, lazily: its rows are appended to the store as readers ask for them, so
 * several CteScans share one computation and `WITH RECURSIVE ... LIMIT n` stops early.
 * Data-modifying CTEs are run to completion before the main query.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Row, RuntimeContext } from '../compile.js';
import type { CteScanPlan, RecursiveUnionPlan, WithPlan, WorkTableScanPlan } from '../plan.js';
import { hashKey } from '../value-ops.js';
import { BATCH_ROWS, MAX_MATERIALIZED_ROWS, buildOperator, generatorOperator, type ExecRuntime, type Operator } from './operators.js';
import type { ModifyOperator } from './modify.js';

/**
 * Rows a WITH RECURSIVE query may produce in one execution. Recursion that never stops (a cycle
 * under UNION ALL) ends with 54000 instead of exhausting memory; a reader that stops early (LIMIT)
 * never reaches it.
 */
export const MAX_RECURSIVE_ROWS = 1_000_000;

/** One CTE's rows so far, filled from its plan's operator on demand. */
class CteRows {
  readonly rows: Row[] = [];
  done = false;
  private producer: Operator | null = null;
  private filling: Promise<void> | null = null;

  constructor(
    private readonly name: string,
    private readonly start: () => Operator,
  ) {}

  /** Reads one more batch (callers share a read in progress). */
  fill(): Promise<void> {
    this.filling ??= this.readBatch().finally(() => {
      this.filling = null;
    });
    return this.filling;
  }

  private async readBatch(): Promise<void> {
    if (this.done) return;
    this.producer ??= this.start();
    const batch = await this.producer.next();
    if (batch === null) {
      this.done = true;
      await this.producer.close();
      return;
    }
    for (const r of batch) this.rows.push(r);
    if (this.rows.length > MAX_MATERIALIZED_ROWS) {
      throw new SqlError(SqlState.programLimitExceeded, `WITH query "${this.name}" needs more than ${MAX_MATERIALIZED_ROWS} rows in memory`);
    }
  }

  async complete(): Promise<void> {
    while (!this.done) await this.fill();
  }

  async close(): Promise<void> {
    this.done = true;
    if (this.producer) await this.producer.close();
  }
}

export class CteStore {
  private readonly ctes = new Map<number, CteRows>();
  private readonly workTables = new Map<number, readonly Row[]>();

  constructor(readonly parent: CteStore | null) {}

  add(id: number, rows: CteRows): void {
    this.ctes.set(id, rows);
  }

  rowsOf(id: number): CteRows {
    for (let s: CteStore | null = this; s; s = s.parent) {
      const r = s.ctes.get(id);
      if (r) return r;
    }
    throw new SqlError(SqlState.internalError, `CTE ${id} is not available here`);
  }

  setWorkTable(id: number, rows: readonly Row[]): void {
    this.workTables.set(id, rows);
  }

  workTable(id: number): readonly Row[] {
    for (let s: CteStore | null = this; s; s = s.parent) {
      const r = s.workTables.get(id);
      if (r) return r;
    }
    throw new SqlError(SqlState.internalError, `work table ${id} is not available here`);
  }

  async close(): Promise<void> {
    for (const c of this.ctes.values()) await c.close();
  }
}

function storeOf(ctx: RuntimeContext): CteStore {
  if (!ctx.ctes) throw new SqlError(SqlState.internalError, 'a CTE is read outside its WITH');
  return ctx.ctes;
}

export function withOperator(plan: WithPlan, rt: ExecRuntime): Operator | ModifyOperator {
  const store = new CteStore(rt.ctx.ctes ?? null);
  const inner: ExecRuntime = { ...rt, ctx: { ...rt.ctx, ctes: store } };
  for (const def of plan.ctes) store.add(def.id, new CteRows(def.name, () => buildOperator(def.plan, inner)));
  const input = buildOperator(plan.input, inner);
  let started = false;
  const op: Operator = {
    async next() {
      if (!started) {
        started = true;
        for (const def of plan.ctes) if (def.modifies) await store.rowsOf(def.id).complete();
      }
      return input.next();
    },
    async close() {
      await input.close();
      await store.close();
    },
  };
  const modify = input as Partial<ModifyOperator>;
  return modify.rowCount ? { ...op, rowCount: () => modify.rowCount!() } : op;
}

export function cteScanOperator(plan: CteScanPlan, rt: ExecRuntime): Operator {
  const rows = storeOf(rt.ctx).rowsOf(plan.cte.id);
  let position = 0;
  return {
    async next() {
      while (position >= rows.rows.length && !rows.done) await rows.fill();
      if (position >= rows.rows.length) return null;
      const batch = rows.rows.slice(position, position + BATCH_ROWS);
      position += batch.length;
      return batch;
    },
    async close() {},
  };
}

export function workTableScanOperator(plan: WorkTableScanPlan, rt: ExecRuntime): Operator {
  const rows = storeOf(rt.ctx).workTable(plan.cteId);
  let position = 0;
  return {
    async next() {
      if (position >= rows.length) return null;
      const batch = rows.slice(position, position + BATCH_ROWS);
      position += batch.length;
      return batch;
    },
    async close() {},
  };
}

export function recursiveUnionOperator(plan: RecursiveUnionPlan, rt: ExecRuntime): Operator {
  const store = storeOf(rt.ctx);
  const types = plan.columns.map((c) => c.type.oid);
  let current: Operator | null = null;
  return generatorOperator(async function* () {
    const seen = plan.all ? null : new Set<string>();
    let produced = 0;
    let next: Row[] = [];
    const admit = (batch: readonly Row[]): Row[] => {
      const out: Row[] = [];
      for (const r of batch) {
        if (seen) {
          const key = r.map((v, i) => hashKey(types[i]!, v)).join('\u0002');
          if (seen.has(key)) continue;
          seen.add(key);
        }
        out.push(r);
      }
      produced += out.length;
      if (produced > MAX_RECURSIVE_ROWS) {
        throw new SqlError(SqlState.programLimitExceeded, `WITH RECURSIVE query "${plan.name}" produced more than ${MAX_RECURSIVE_ROWS} rows`, {
          hint: 'A recursive query that never stops (a cycle under UNION ALL) ends here; UNION instead of UNION ALL drops repeated rows.',
        });
      }
      for (const r of out) next.push(r);
      return out;
    };
    current = buildOperator(plan.nonRecursive, rt);
    for (;;) {
      const batch = await current.next();
      if (batch === null) break;
      const out = admit(batch);
      if (out.length) yield out;
    }
    await current.close();
    while (next.length > 0) {
      rt.ctx.checkCancel();
      store.setWorkTable(plan.cteId, next);
      next = [];
      current = buildOperator(plan.recursive, rt);
      for (;;) {
        const batch = await current.next();
        if (batch === null) break;
        const out = admit(batch);
        if (out.length) yield out;
      }
      await current.close();
    }
  }, () => (current ? [current] : []));
}
