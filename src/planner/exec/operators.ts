/**
 * The executor: a pull-based tree of operators built from a plan, one operator per plan node. Each
 * `next()` returns a batch of rows (null once exhausted). Reading operators turn storage records into
 * table rows; the others transform the rows of their input. Modify operators are in modify.ts.
 */
import { performance } from 'node:perf_hooks';
import { SqlError, SqlState } from '../../errors.js';
import type { Transaction } from '../../txn/api.js';
import type { Value } from '../../storage/types.js';
import type { SqlValue } from '../../types/values.js';
import type { Catalog } from '../../catalog/catalog.js';
import { toStorageValue } from '../../catalog/storage-mapping.js';
import type { TableInfo } from '../../catalog/model.js';
import type { StorageDirectory } from '../../catalog/storages.js';
import { compileExpr, type CompiledExpr, type Row, type RuntimeContext } from '../compile.js';
import type { Expr } from '../expr.js';
import type { AggregatePlan, PlanNode, SortKey, TableAccess } from '../plan.js';
import { rowFromStorage } from '../table-rows.js';
import { compareValues, hashKey } from '../value-ops.js';
import { buildModifyOperator } from './modify.js';
import { hashJoinOperator, lookupJoinOperator, nestedLoopOperator } from './joins.js';
import { setOpOperator } from './setops.js';
import { cteScanOperator, recursiveUnionOperator, withOperator, workTableScanOperator } from './cte.js';
import { windowOperator } from './window.js';
import { functionScanOperator, projectSetOperator } from './functions.js';
import { convertKeyValue } from './keys.js';
import { systemRelationRows } from '../../catalog/system/rows.js';

/** Rows per batch handed between operators. */
export const BATCH_ROWS = 256;
/** Rows an operator may hold in memory (sort, aggregate, distinct): a guard, not a tuning knob. */
export const MAX_MATERIALIZED_ROWS = 5_000_000;

export interface Operator {
  next(): Promise<Row[] | null>;
  close(): Promise<void>;
}

/** What operators need beyond the expression context: the transaction and the catalog. */
export interface ExecRuntime {
  readonly ctx: RuntimeContext;
  readonly catalog: Catalog;
  /** The transaction statements run in (begun on first use). */
  transaction(): Promise<Transaction>;
  /** Which storage holds a namespace; absent: every storage holds every key. */
  readonly storages?: StorageDirectory;
}

export async function value(c: CompiledExpr, row: Row, ctx: RuntimeContext): Promise<SqlValue> {
  return c.async ? c.eval(row, ctx) : c.eval(row, ctx);
}

export function buildOperator(plan: PlanNode, rt: ExecRuntime): Operator {
  switch (plan.kind) {
    case 'result':
      return fromRows(async () => [[]]);
    case 'values': {
      const rows = plan.rows.map((r) => r.map(compileExpr));
      return fromRows(async () => {
        const out: SqlValue[][] = [];
        for (const r of rows) {
          const vals: SqlValue[] = [];
          for (const c of r) vals.push(await value(c, [], rt.ctx));
          out.push(vals);
        }
        return out;
      });
    }
    case 'tableRead':
      return fromRows(() => readTable(plan.table, plan.access, rt));
    case 'systemScan':
      return fromRows(async () => systemRelationRows(plan.relation, rt.ctx.session.systemCatalog()));
    case 'functionScan':
      return functionScanOperator(plan, rt);
    case 'projectSet':
      return projectSetOperator(plan, rt);
    case 'nestedLoop':
      return nestedLoopOperator(plan, rt);
    case 'hashJoin':
      return hashJoinOperator(plan, rt);
    case 'lookupJoin':
      return lookupJoinOperator(plan, rt);
    case 'setOp':
      return setOpOperator(plan, rt);
    case 'with':
      return withOperator(plan, rt);
    case 'cteScan':
      return cteScanOperator(plan, rt);
    case 'workTableScan':
      return workTableScanOperator(plan, rt);
    case 'recursiveUnion':
      return recursiveUnionOperator(plan, rt);
    case 'window':
      return windowOperator(plan, rt);
    case 'filter': {
      const input = buildOperator(plan.input, rt);
      const predicate = compileExpr(plan.predicate);
      return {
        async next() {
          for (;;) {
            const batch = await input.next();
            if (batch === null) return null;
            rt.ctx.checkCancel();
            const out: Row[] = [];
            if (predicate.async) {
              for (const r of batch) if ((await predicate.eval(r, rt.ctx)) === true) out.push(r);
            } else {
              for (const r of batch) if (predicate.eval(r, rt.ctx) === true) out.push(r);
            }
            if (out.length > 0) return out;
          }
        },
        close: () => input.close(),
      };
    }
    case 'project': {
      const input = buildOperator(plan.input, rt);
      const exprs = plan.exprs.map(compileExpr);
      const anyAsync = exprs.some((e) => e.async);
      return {
        async next() {
          const batch = await input.next();
          if (batch === null) return null;
          if (!anyAsync) return batch.map((r) => exprs.map((e) => (e.eval as (r: Row, c: RuntimeContext) => SqlValue)(r, rt.ctx)));
          const out: Row[] = [];
          for (const r of batch) {
            const vals: SqlValue[] = [];
            for (const e of exprs) vals.push(await value(e, r, rt.ctx));
            out.push(vals);
          }
          return out;
        },
        close: () => input.close(),
      };
    }
    case 'sort': {
      const input = buildOperator(plan.input, rt);
      return fromRows(async () => sortRows(await drain(input, rt), plan.keys, rt.ctx));
    }
    case 'limit':
      return limitOperator(buildOperator(plan.input, rt), plan.limit, plan.offset, plan.ties, rt);
    case 'distinct': {
      const input = buildOperator(plan.input, rt);
      const keys = plan.keys?.map(compileExpr) ?? null;
      const visible = plan.columns.map((c, i) => ({ c, i })).filter((x) => !x.c.hidden);
      const seen = new Set<string>();
      return {
        async next() {
          for (;;) {
            const batch = await input.next();
            if (batch === null) return null;
            const out: Row[] = [];
            for (const r of batch) {
              const parts: string[] = [];
              if (keys) for (let k = 0; k < keys.length; k++) parts.push(hashKey(plan.keys![k]!.type.oid, await value(keys[k]!, r, rt.ctx)));
              else for (const v of visible) parts.push(hashKey(v.c.type.oid, r[v.i] ?? null));
              const key = parts.join('\u0002');
              if (seen.has(key)) continue;
              if (seen.size >= MAX_MATERIALIZED_ROWS) throw tooManyRows('DISTINCT');
              seen.add(key);
              out.push(r);
            }
            if (out.length) return out;
          }
        },
        close: () => input.close(),
      };
    }
    case 'aggregate':
      return aggregateOperator(plan, rt);
    case 'insert':
    case 'update':
    case 'delete':
      return buildModifyOperator(plan, rt);
  }
}

/**
 * An operator over an async generator of batches (operators whose rows come out of loops: joins,
 * set operations, windows, functions); closing it ends the generator and closes `inputs`.
 */
export function generatorOperator(run: () => AsyncGenerator<Row[]>, inputs: () => readonly Operator[]): Operator {
  let it: AsyncGenerator<Row[]> | null = null;
  let closed = false;
  return {
    async next() {
      if (closed) return null;
      await giveWayIfBusy();
      it ??= run();
      const r = await it.next();
      return r.done ? null : r.value;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (it) await it.return(undefined);
      for (const op of inputs()) await op.close();
    },
  };
}

function tooManyRows(what: string): SqlError {
  return new SqlError(SqlState.programLimitExceeded, `${what} needs more than ${MAX_MATERIALIZED_ROWS} rows in memory`);
}

/** An operator over rows produced all at once (storage reads return whole result sets). */
/** A running statement gives the event loop a turn at least this often. */
const YIELD_EVERY_MS = 20;
let lastYieldAt = performance.now();

/**
 * Storage reads on SQLite and in-memory work resolve as microtasks only: a long statement would
 * hold the event loop until it ends, and a CancelRequest (or another session) could not get in.
 * Leaf operators call this for each batch they produce, so every statement yields now and then.
 */
async function giveWayIfBusy(): Promise<void> {
  if (performance.now() - lastYieldAt < YIELD_EVERY_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastYieldAt = performance.now();
}

function fromRows(produce: () => Promise<Row[]>): Operator {
  let rows: Row[] | null = null;
  let offset = 0;
  return {
    async next() {
      await giveWayIfBusy();
      if (rows === null) rows = await produce();
      if (offset >= rows.length) return null;
      const batch = rows.slice(offset, offset + BATCH_ROWS);
      offset += batch.length;
      return batch;
    },
    async close() {
      rows = [];
    },
  };
}

export async function drain(op: Operator, rt: ExecRuntime, limit = MAX_MATERIALIZED_ROWS): Promise<Row[]> {
  const out: Row[] = [];
  for (;;) {
    const batch = await op.next();
    if (batch === null) break;
    rt.ctx.checkCancel();
    for (const r of batch) out.push(r);
    if (out.length > limit) throw tooManyRows('the query');
  }
  await op.close();
  return out;
}

// ---- table reads ------------------------------------------------------------------------------

async function keyValues(table: TableInfo, names: readonly string[], exprs: readonly Expr[], rt: ExecRuntime, row: Row): Promise<Value[] | null> {
  const out: Value[] = [];
  for (let i = 0; i < exprs.length; i++) {
    const column = table.columns.find((c) => c.physicalName === names[i]);
    const v = await value(compileExpr(exprs[i]!), row, rt.ctx);
    if (v === null || !column) return null;
    const converted = convertKeyValue(v, exprs[i]!.type.oid, column.type.oid);
    if (converted === undefined) return null;
    out.push(toStorageValue(column.type.oid, converted, true));
  }
  return out;
}

/**
 * The rows of `table` that `access` selects. Key and value expressions are evaluated over `row`:
 * empty for a table read, the outer row for a lookup join.
 */
export async function readTable(table: TableInfo, access: TableAccess, rt: ExecRuntime, row: Row = []): Promise<Row[]> {
  const tx = await rt.transaction();
  const ref = { namespace: table.namespace, table: table.physicalName };
  const keyNames = [...table.partitionKey, ...table.clusteringKey];
  switch (access.kind) {
    case 'get': {
      const key = await keyValues(table, keyNames, access.key, rt, row);
      if (!key) return [];
      const record = await tx.get({ ...ref, partitionKey: key.slice(0, table.partitionKey.length), clusteringKey: table.clusteringKey.length ? key.slice(table.partitionKey.length) : undefined });
      return record ? [rowFromStorage(table, record)] : [];
    }
    case 'partition': {
      const pk = await keyValues(table, table.partitionKey, access.partitionKey, rt, row);
      if (!pk) return [];
      const bound = async (b: { key: readonly Expr[]; inclusive: boolean } | null): Promise<{ key: Value[]; inclusive: boolean } | null | 'empty'> => {
        if (!b) return null;
        const k = await keyValues(table, table.clusteringKey, b.key, rt, row);
        return k ? { key: k, inclusive: b.inclusive } : 'empty';
      };
      const start = await bound(access.start);
      const end = await bound(access.end);
      if (start === 'empty' || end === 'empty') return [];
      const records = await tx.scan({ ...ref, kind: 'partition', partitionKey: pk, start: start ?? undefined, end: end ?? undefined });
      return records.map((r) => rowFromStorage(table, r));
    }
    case 'unique': {
      const index = access.index;
      const cols = index.columns.map((a) => table.columns.find((c) => c.attnum === a)!);
      const key: Value[] = [];
      for (let i = 0; i < cols.length; i++) {
        const v = await value(compileExpr(access.key[i]!), row, rt.ctx);
        if (v === null) return [];
        const converted = convertKeyValue(v, access.key[i]!.type.oid, cols[i]!.type.oid);
        if (converted === undefined) return [];
        key.push(toStorageValue(cols[i]!.type.oid, converted, true));
      }
      const entry = await tx.get({ namespace: table.namespace, table: index.uniqueTable!, partitionKey: key });
      if (!entry) return [];
      const refKey = keyNames.map((_n, i) => entry[`r${i}`] ?? null);
      const record = await tx.get({ ...ref, partitionKey: refKey.slice(0, table.partitionKey.length), clusteringKey: table.clusteringKey.length ? refKey.slice(table.partitionKey.length) : undefined });
      return record ? [rowFromStorage(table, record)] : [];
    }
    case 'index': {
      const v = await value(compileExpr(access.value), row, rt.ctx);
      if (v === null) return [];
      const records = await tx.scan({ ...ref, kind: 'index', column: access.column.physicalName, value: toStorageValue(access.column.type.oid, v) });
      return records.map((r) => rowFromStorage(table, r));
    }
    case 'all': {
      let filter: import('../../storage/types.js').Filter | undefined;
      if (access.filter) {
        const conjunctions: import('../../storage/types.js').ColumnPredicate[][] = [];
        for (const conj of access.filter) {
          const preds: import('../../storage/types.js').ColumnPredicate[] = [];
          let impossible = false;
          for (const p of conj) {
            if (p.value === null) {
              preds.push({ column: p.column.physicalName, op: p.op });
              continue;
            }
            const v = await value(compileExpr(p.value), row, rt.ctx);
            // A comparison with NULL is never true; the conjunction matches nothing.
            if (v === null) {
              impossible = true;
              break;
            }
            preds.push({ column: p.column.physicalName, op: p.op, value: toStorageValue(p.column.type.oid, v) });
          }
          if (!impossible) conjunctions.push(preds);
        }
        if (conjunctions.length === 0) return [];
        filter = conjunctions;
      }
      const records = await tx.scan({ ...ref, kind: 'all', filter });
      return records.map((r) => rowFromStorage(table, r));
    }
  }
}

// ---- sort / limit -----------------------------------------------------------------------------

export function sortRows(rows: Row[], keys: readonly SortKey[], ctx: RuntimeContext): Row[] {
  const compiled = keys.map((k) => ({ k, c: compileExpr(k.expr) }));
  if (compiled.some((x) => x.c.async)) throw new SqlError(SqlState.featureNotSupported, 'sorting by an expression that reads storage is not supported');
  const decorated = rows.map((r, i) => ({ r, i, v: compiled.map((x) => (x.c.eval as (r: Row, c: RuntimeContext) => SqlValue)(r, ctx)) }));
  decorated.sort((a, b) => {
    for (let j = 0; j < compiled.length; j++) {
      const { k } = compiled[j]!;
      const x = a.v[j]!;
      const y = b.v[j]!;
      let c: number;
      if (x === null || y === null) {
        if (x === null && y === null) c = 0;
        else c = (x === null) === k.nullsFirst ? -1 : 1;
        if (c !== 0) return c;
        continue;
      }
      c = compareValues(k.expr.type.oid, x, y);
      if (c !== 0) return k.descending ? -c : c;
    }
    return a.i - b.i;
  });
  return decorated.map((d) => d.r);
}

function limitOperator(input: Operator, limitExpr: Expr | null, offsetExpr: Expr | null, ties: readonly SortKey[] | null, rt: ExecRuntime): Operator {
  let remaining: bigint | null = null;
  let skip = 0n;
  let started = false;
  /** WITH TIES: the last row within the limit, while rows equal to it keep coming. */
  let tiesWith: Row | null = null;
  let finished = false;
  const tieKeys = ties?.map((k) => ({ c: compileExpr(k.expr), oid: k.expr.type.oid })) ?? null;
  const tied = async (a: Row, b: Row): Promise<boolean> => {
    for (const k of tieKeys!) {
      const x = await value(k.c, a, rt.ctx);
      const y = await value(k.c, b, rt.ctx);
      if (x === null || y === null ? x !== y : compareValues(k.oid, x, y) !== 0) return false;
    }
    return true;
  };
  return {
    async next() {
      if (!started) {
        started = true;
        if (limitExpr) {
          const v = await value(compileExpr(limitExpr), [], rt.ctx);
          if (v !== null) {
            remaining = BigInt(v as bigint);
            if (remaining < 0n) throw new SqlError(SqlState.invalidRowCountInLimitClause, 'LIMIT must not be negative');
          }
        }
        if (offsetExpr) {
          const v = await value(compileExpr(offsetExpr), [], rt.ctx);
          if (v !== null) {
            skip = BigInt(v as bigint);
            if (skip < 0n) throw new SqlError(SqlState.invalidRowCountInResultOffsetClause, 'OFFSET must not be negative');
          }
        }
      }
      for (;;) {
        if (finished || (remaining !== null && remaining <= 0n && tiesWith === null)) {
          await input.close();
          return null;
        }
        const batch = await input.next();
        if (batch === null) return null;
        let rows = batch;
        if (tiesWith !== null) {
          const out: Row[] = [];
          for (const r of rows) {
            if (!(await tied(tiesWith, r))) {
              finished = true;
              break;
            }
            out.push(r);
          }
          if (out.length) return out;
          continue;
        }
        if (skip > 0n) {
          const n = Number(skip < BigInt(rows.length) ? skip : BigInt(rows.length));
          rows = rows.slice(n);
          skip -= BigInt(n);
        }
        if (remaining !== null && BigInt(rows.length) > remaining) {
          const kept = rows.slice(0, Number(remaining));
          if (tieKeys && kept.length > 0) {
            const last = kept[kept.length - 1]!;
            for (const r of rows.slice(kept.length)) {
              if (!(await tied(last, r))) {
                finished = true;
                break;
              }
              kept.push(r);
            }
            if (!finished) tiesWith = last;
          }
          remaining = 0n;
          if (kept.length) return kept;
          continue;
        }
        if (remaining !== null) {
          remaining -= BigInt(rows.length);
          if (remaining === 0n && tieKeys && rows.length > 0) tiesWith = rows[rows.length - 1]!;
        }
        if (rows.length) return rows;
      }
    },
    close: () => input.close(),
  };
}

// ---- aggregation ------------------------------------------------------------------------------

interface GroupState {
  readonly keys: SqlValue[];
  /** The grouping set the group belongs to. */
  readonly set: number;
  readonly states: unknown[];
  /** Per DISTINCT aggregate: argument keys seen. */
  readonly distinctSeen: Array<Set<string> | null>;
  /** Per ORDER BY aggregate: collected argument rows, stepped at the end. */
  readonly ordered: Array<Array<{ args: SqlValue[]; sort: SqlValue[] }> | null>;
}

function aggregateOperator(plan: AggregatePlan, rt: ExecRuntime): Operator {
  const input = buildOperator(plan.input, rt);
  const groupKeys = plan.groupKeys.map(compileExpr);
  const aggs = plan.aggregates.map((a) => ({
    call: a,
    args: a.args.map(compileExpr),
    filter: a.filter ? compileExpr(a.filter) : null,
    order: a.orderBy.map((o) => compileExpr(o.expr)),
    argTypes: a.args.map((x) => x.type),
  }));
  const newGroup = (keys: SqlValue[], set: number): GroupState => ({
    keys,
    set,
    states: aggs.map((a) => a.call.fn.init(a.argTypes)),
    distinctSeen: aggs.map((a) => (a.call.distinct ? new Set<string>() : null)),
    ordered: aggs.map((a) => (a.call.orderBy.length ? [] : null)),
  });
  // A plain GROUP BY is the one grouping set of every key.
  const sets = plan.groupingSets ?? [plan.groupKeys.map((_k, i) => i)];
  const setMembers = sets.map((set) => plan.groupKeys.map((_k, i) => set.includes(i)));
  return fromRows(async () => {
    const groups = new Map<string, GroupState>();
    for (;;) {
      const batch = await input.next();
      if (batch === null) break;
      rt.ctx.checkCancel();
      for (const row of batch) {
        const values: SqlValue[] = [];
        for (const g of groupKeys) values.push(await value(g, row, rt.ctx));
        for (let s = 0; s < sets.length; s++) {
          const members = setMembers[s]!;
          const keys = members.every((m) => m) ? values : values.map((v, i) => (members[i] ? v : null));
          const keyText = `${s}\u0003${keys.map((k, i) => hashKey(plan.groupKeys[i]!.type.oid, k)).join('\u0002')}`;
          let group = groups.get(keyText);
          if (!group) {
            if (groups.size >= MAX_MATERIALIZED_ROWS) throw tooManyRows('GROUP BY');
            group = newGroup(keys, s);
            groups.set(keyText, group);
          }
          await accumulate(group, row);
        }
      }
    }
    await input.close();
    // A grouping set without keys (no GROUP BY at all, or `()`) yields one row even for no input.
    sets.forEach((set, s) => {
      if (set.length === 0 && ![...groups.values()].some((g) => g.set === s)) groups.set(`${s}\u0003`, newGroup(plan.groupKeys.map(() => null), s));
    });
    return [...groups.values()].map((g) => {
      const row = finalRow(g);
      if (plan.groupingSets) row.push(g.set);
      return row;
    });
  });

  async function accumulate(group: GroupState, row: Row): Promise<void> {
    for (let i = 0; i < aggs.length; i++) {
      const a = aggs[i]!;
      if (a.filter && (await value(a.filter, row, rt.ctx)) !== true) continue;
      const args: SqlValue[] = [];
      for (const c of a.args) args.push(await value(c, row, rt.ctx));
      if (a.call.fn.strict && args.some((v) => v === null)) continue;
      const seen = group.distinctSeen[i];
      if (seen) {
        const k = args.map((v, j) => hashKey(a.argTypes[j]!.oid, v)).join('\u0002');
        if (seen.has(k)) continue;
        seen.add(k);
      }
      const ordered = group.ordered[i];
      if (ordered) {
        const sort: SqlValue[] = [];
        for (const o of a.order) sort.push(await value(o, row, rt.ctx));
        ordered.push({ args, sort });
        continue;
      }
      group.states[i] = a.call.fn.step(group.states[i], args, rt.ctx, a.argTypes);
    }
  }

  function finalRow(g: GroupState): SqlValue[] {
    const row: SqlValue[] = [...g.keys];
    for (let i = 0; i < aggs.length; i++) {
      const a = aggs[i]!;
      let state = g.states[i];
      const ordered = g.ordered[i];
      if (ordered) {
        const keys = a.call.orderBy;
        ordered.sort((x, y) => {
          for (let j = 0; j < keys.length; j++) {
            const p = x.sort[j]!;
            const q = y.sort[j]!;
            if (p === null || q === null) {
              if (p === q) continue;
              return (p === null) === keys[j]!.nullsFirst ? -1 : 1;
            }
            const c = compareValues(keys[j]!.expr.type.oid, p, q);
            if (c !== 0) return keys[j]!.descending ? -c : c;
          }
          return 0;
        });
        for (const o of ordered) state = a.call.fn.step(state, o.args, rt.ctx, a.argTypes);
      }
      row.push(a.call.fn.final(state, rt.ctx, a.argTypes));
    }
    return row;
  }
}


