/**
 * The Window operator: reads its input (bounded by MAX_MATERIALIZED_ROWS), sorts it by PARTITION BY
 * then ORDER BY, and computes each window function over every partition. Peer groups are rows equal
 * under ORDER BY. Frames follow PostgreSQL: ROWS counts rows, GROUPS counts peer groups, RANGE
 * compares ORDER BY values (with an offset: `value ± offset`, NULLs only ever peers of NULLs);
 * EXCLUDE removes the current row, its group or its ties.
 *
 * Aggregates over a frame that starts at the partition's first row are stepped incrementally as the
 * frame's end advances; other frames are aggregated afresh for each row (a row whose frame equals the
 * previous row's reuses its result).
 */
import { SqlError, SqlState } from '../../errors.js';
import type { SqlValue } from '../../types/values.js';
import { compileExpr, type Row } from '../compile.js';
import type { FrameBound, WindowCall, WindowFrame, WindowPlan } from '../plan.js';
import type { WindowFrameRows, WindowPartition } from '../functions/registry.js';
import { compareValues, hashKey, isInterval } from '../value-ops.js';
import { Numeric } from '../../types/numeric.js';
import { Oid } from '../../types/oids.js';
import { BATCH_ROWS, buildOperator, drain, generatorOperator, sortRows, value, type ExecRuntime, type Operator } from './operators.js';

interface Offsets {
  readonly start: SqlValue;
  readonly end: SqlValue;
}

export function windowOperator(plan: WindowPlan, rt: ExecRuntime): Operator {
  const input = buildOperator(plan.input, rt);
  const partitionExprs = plan.partitionBy.map(compileExpr);
  const orderExprs = plan.orderBy.map((k) => compileExpr(k.expr));
  const calls = plan.functions.map((f) => ({ call: f, args: f.args.map(compileExpr), filter: f.filter ? compileExpr(f.filter) : null }));
  return generatorOperator(async function* () {
    const offsets = await frameOffsets(plan.frame, rt);
    const rows = sortRows(await drain(input, rt), [...plan.partitionBy.map((expr) => ({ expr, descending: false, nullsFirst: false })), ...plan.orderBy], rt.ctx);
    const partitionKeys: string[] = [];
    const orderValues: SqlValue[][] = [];
    for (const r of rows) {
      const parts: string[] = [];
      for (let k = 0; k < partitionExprs.length; k++) parts.push(hashKey(plan.partitionBy[k]!.type.oid, await value(partitionExprs[k]!, r, rt.ctx)));
      partitionKeys.push(parts.join('\u0002'));
      const ov: SqlValue[] = [];
      for (const o of orderExprs) ov.push(await value(o, r, rt.ctx));
      orderValues.push(ov);
    }
    let out: Row[] = [];
    for (let start = 0; start < rows.length; ) {
      let end = start + 1;
      while (end < rows.length && partitionKeys[end] === partitionKeys[start]) end++;
      rt.ctx.checkCancel();
      const partRows = rows.slice(start, end);
      const partition = new Partition(plan, partRows, orderValues.slice(start, end), offsets, rt);
      const results: SqlValue[][] = [];
      for (const c of calls) {
        const argValues: SqlValue[][] = [];
        const passes: boolean[] = [];
        for (const r of partRows) {
          const a: SqlValue[] = [];
          for (const e of c.args) a.push(await value(e, r, rt.ctx));
          argValues.push(a);
          passes.push(c.filter ? (await value(c.filter, r, rt.ctx)) === true : true);
        }
        results.push(computeFunction(c.call, partition.withArguments(argValues), passes, rt));
      }
      for (let i = 0; i < partRows.length; i++) {
        out.push([...partRows[i]!, ...results.map((r) => r[i]!)]);
        if (out.length >= BATCH_ROWS) {
          yield out;
          out = [];
        }
      }
      start = end;
    }
    if (out.length) yield out;
  }, () => [input]);
}

/** Frame offsets are constants: evaluated once, checked as PostgreSQL checks them. */
async function frameOffsets(frame: WindowFrame, rt: ExecRuntime): Promise<Offsets> {
  const one = async (b: FrameBound, which: 'starting' | 'ending'): Promise<SqlValue> => {
    if (b.kind !== 'preceding' && b.kind !== 'following') return null;
    const v = await value(compileExpr(b.offset), [], rt.ctx);
    if (v === null) throw new SqlError(SqlState.nullValueNotAllowed, `frame ${which} offset must not be null`);
    if (frame.mode === 'range') {
      if (isNegative(v)) throw new SqlError(SqlState.invalidPrecedingOrFollowingSize, 'invalid preceding or following size in window function');
    } else if (BigInt(v as number | bigint) < 0n) {
      throw new SqlError(SqlState.invalidPrecedingOrFollowingSize, `frame ${which} offset must not be negative`);
    }
    return v;
  };
  return { start: await one(frame.start, 'starting'), end: await one(frame.end, 'ending') };
}

function isNegative(v: SqlValue): boolean {
  if (typeof v === 'number') return v < 0;
  if (typeof v === 'bigint') return v < 0n;
  if (v instanceof Numeric) return v.sign() < 0;
  if (isInterval(v)) return compareValues(Oid.interval, v, { months: 0, days: 0, micros: 0n }) < 0;
  return false;
}

/** One partition in window order: peer groups and frames (the view window functions get). */
class Partition {
  /** Peer group of each row, and each group's first and last row. */
  private readonly groupOf: number[] = [];
  private readonly groupFirst: number[] = [];
  private readonly groupLast: number[] = [];
  /** Rows whose first ORDER BY value is not NULL: [nonNullFirst, nonNullEnd). */
  private nonNullFirst = 0;
  private nonNullEnd = 0;
  private argumentValues: SqlValue[][] = [];

  constructor(
    readonly plan: WindowPlan,
    readonly rows: readonly Row[],
    private readonly orderValues: readonly SqlValue[][],
    private readonly offsets: Offsets,
    private readonly rt: ExecRuntime,
  ) {
    for (let i = 0; i < rows.length; i++) {
      if (i === 0 || !this.peers(i - 1, i)) {
        this.groupFirst.push(i);
        this.groupLast.push(i);
      }
      this.groupOf.push(this.groupFirst.length - 1);
      this.groupLast[this.groupLast.length - 1] = i;
    }
    if (plan.frame.mode === 'range' && plan.frame.rangeOps) {
      const isNull = (i: number): boolean => orderValues[i]![0] === null;
      let first = 0;
      while (first < rows.length && isNull(first)) first++;
      let end = first;
      while (end < rows.length && !isNull(end)) end++;
      this.nonNullFirst = first;
      this.nonNullEnd = end;
    }
  }

  private peers(a: number, b: number): boolean {
    const x = this.orderValues[a]!;
    const y = this.orderValues[b]!;
    for (let k = 0; k < x.length; k++) {
      const p = x[k]!;
      const q = y[k]!;
      if (p === null || q === null) {
        if (p !== q) return false;
        continue;
      }
      if (compareValues(this.plan.orderBy[k]!.expr.type.oid, p, q) !== 0) return false;
    }
    return true;
  }

  get size(): number {
    return this.rows.length;
  }

  withArguments(values: SqlValue[][]): this {
    this.argumentValues = values;
    return this;
  }

  argument(arg: number, row: number): SqlValue {
    return this.argumentValues[row]?.[arg] ?? null;
  }

  peerGroup(row: number): { index: number; first: number; last: number } {
    const g = this.groupOf[row]!;
    return { index: g, first: this.groupFirst[g]!, last: this.groupLast[g]! };
  }

  frame(row: number): WindowFrameRows {
    const f = this.plan.frame;
    const n = this.rows.length;
    const first = Math.max(0, Math.min(n, this.bound(row, f.start, this.offsets.start, 'start')));
    const last = Math.min(n - 1, Math.max(-1, this.bound(row, f.end, this.offsets.end, 'end')));
    const g = this.groupOf[row]!;
    const excludes: (j: number) => boolean =
      f.exclude === 'currentRow' ? (j) => j === row : f.exclude === 'group' ? (j) => this.groupOf[j] === g : f.exclude === 'ties' ? (j) => j !== row && this.groupOf[j] === g : () => false;
    return { first, last, excludes };
  }

  /** A frame edge for `row`: first row of the frame (`start`) or last one (`end`). */
  private bound(row: number, b: FrameBound, offset: SqlValue, edge: 'start' | 'end'): number {
    const n = this.rows.length;
    const mode = this.plan.frame.mode;
    const g = this.groupOf[row]!;
    const groups = this.groupFirst.length;
    switch (b.kind) {
      case 'unboundedPreceding':
        return 0;
      case 'unboundedFollowing':
        return n - 1;
      case 'currentRow':
        if (mode === 'rows') return row;
        return edge === 'start' ? this.groupFirst[g]! : this.groupLast[g]!;
      case 'preceding':
      case 'following': {
        const sign = b.kind === 'preceding' ? -1 : 1;
        if (mode === 'rows') {
          const k = Number(offset as number | bigint) * sign + row;
          return edge === 'start' ? Math.max(k, 0) : Math.min(k, n - 1);
        }
        if (mode === 'groups') {
          const target = g + sign * Number(offset as number | bigint);
          if (edge === 'start') return target < 0 ? 0 : target >= groups ? n : this.groupFirst[target]!;
          return target < 0 ? -1 : target >= groups ? n - 1 : this.groupLast[target]!;
        }
        return this.rangeBound(row, b.kind, offset, edge);
      }
    }
  }

  /** RANGE with an offset: rows whose ORDER BY value is within `offset` of the current row's. */
  private rangeBound(row: number, kind: 'preceding' | 'following', offset: SqlValue, edge: 'start' | 'end'): number {
    const v = this.orderValues[row]![0]!;
    const g = this.groupOf[row]!;
    // NULL is only ever a peer of NULL.
    if (v === null) return edge === 'start' ? this.groupFirst[g]! : this.groupLast[g]!;
    const ops = this.plan.frame.rangeOps!;
    const descending = this.plan.orderBy[0]!.descending;
    const ctx = this.rt.ctx;
    const types = [ops.orderType, ops.offsetType];
    const bound = (kind === 'preceding') !== descending ? ops.sub.impl!([v, offset], ctx, types) : ops.add.impl!([v, offset], ctx, types);
    const cmpTypes = [ops.orderType, ops.boundType];
    // Ascending: values >= bound lie at or after the frame start, values <= bound at or before its end.
    const atOrAfterStart = (j: number): boolean => (descending ? ops.le : ops.ge).impl!([this.orderValues[j]![0]!, bound], ctx, cmpTypes) === true;
    const atOrBeforeEnd = (j: number): boolean => (descending ? ops.ge : ops.le).impl!([this.orderValues[j]![0]!, bound], ctx, cmpTypes) === true;
    let lo = this.nonNullFirst;
    let hi = this.nonNullEnd;
    if (edge === 'start') {
      // First row at or after the start (false...true over the sorted non-NULL rows).
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (atOrAfterStart(mid)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    }
    // Last row at or before the end (true...false).
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (atOrBeforeEnd(mid)) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

function computeFunction(call: WindowCall, p: Partition, passes: readonly boolean[], rt: ExecRuntime): SqlValue[] {
  if (call.fn.kind === 'window') return call.fn.def.evaluate(p as WindowPartition, rt.ctx);
  const def = call.fn.def;
  const argTypes = call.args.map((a) => a.type);
  const n = p.size;
  const out: SqlValue[] = new Array<SqlValue>(n);
  const admits = (j: number): boolean => passes[j]! && !(def.strict && call.args.some((_a, k) => p.argument(k, j) === null));
  const argsOf = (j: number): SqlValue[] => call.args.map((_a, k) => p.argument(k, j));
  const f = p.plan.frame;
  if (f.start.kind === 'unboundedPreceding' && f.exclude === 'noOthers') {
    // The frame only grows: step each row in once.
    let state = def.init(argTypes);
    let stepped = -1;
    for (let i = 0; i < n; i++) {
      const { last } = p.frame(i);
      if (last < stepped) return aggregateEachFrame(call, p, admits, argsOf, rt);
      while (stepped < last) {
        stepped++;
        if (admits(stepped)) state = def.step(state, argsOf(stepped), rt.ctx, argTypes);
      }
      out[i] = def.final(state, rt.ctx, argTypes);
    }
    return out;
  }
  return aggregateEachFrame(call, p, admits, argsOf, rt);
}

function aggregateEachFrame(call: WindowCall, p: Partition, admits: (j: number) => boolean, argsOf: (j: number) => SqlValue[], rt: ExecRuntime): SqlValue[] {
  const def = call.fn.def as import('../functions/registry.js').AggregateDefinition;
  const argTypes = call.args.map((a) => a.type);
  const out: SqlValue[] = [];
  let previous: { first: number; last: number; result: SqlValue } | null = null;
  const exclusion = p.plan.frame.exclude !== 'noOthers';
  for (let i = 0; i < p.size; i++) {
    const frame = p.frame(i);
    if (!exclusion && previous && previous.first === frame.first && previous.last === frame.last) {
      out.push(previous.result);
      continue;
    }
    let state = def.init(argTypes);
    for (let j = frame.first; j <= frame.last; j++) {
      if (frame.excludes(j) || !admits(j)) continue;
      state = def.step(state, argsOf(j), rt.ctx, argTypes);
    }
    const result = def.final(state, rt.ctx, argTypes);
    out.push(result);
    previous = { first: frame.first, last: frame.last, result };
  }
  return out;
}
