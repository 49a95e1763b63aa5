/**
 * SELECT analysis and planning: WITH → FROM and WHERE (joins.ts: access paths, joins, pushed-down
 * filters) → GROUP BY/aggregates → HAVING → window functions → set-returning functions → target
 * list → DISTINCT → ORDER BY → LIMIT/OFFSET, each step one plan node over the previous. Set
 * operations combine whole SELECTs; VALUES is its own leaf.
 */
import type { Node, SelectStmt, SortBy } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { INT4_TYPE, INT8_TYPE, exprAny, exprEquals, mapChildren, type AggregateCall, type Expr } from '../expr.js';
import type { ScalarFunction } from '../functions/registry.js';
import type { FunctionCallSpec, OutputColumn, PlanNode, SortKey, WindowCall } from '../plan.js';
import { chooseAccess } from '../access.js';
import { charPosition } from '../parser.js';
import { intValue, locationOf, nodeAs, nodeTag, stringList, unsupported } from './ast.js';
import { ExpressionBinder, type AggregateSink, type SetFunctionSink } from './expressions.js';
import { columnNameFor } from './names.js';
import { Scope, type AnalyzerContext } from './scope.js';
import { analyzeFrom, entryRelationOid } from './from.js';
import { primaryKeyOf } from '../../catalog/model.js';
import { planFrom } from './joins.js';
import { analyzeWith, nestedSelect } from './cte.js';
import { WindowCollector, type WindowSpec } from './windows.js';

export interface SelectOptions {
  /** Leave unknown-typed outputs unknown (INSERT ... SELECT coerces them to the target columns). */
  readonly resolveUnknowns: boolean;
}

interface TargetItem {
  readonly name: string;
  readonly expr: Expr;
  readonly node: Node | null;
  readonly tableOid: number;
  readonly attnum: number;
}

class AggregateCollector implements AggregateSink {
  readonly calls: AggregateCall[] = [];
  readonly allowed = true;
  constructor(readonly clause: string) {}
  add(call: AggregateCall): number {
    this.calls.push(call);
    return this.calls.length - 1;
  }
}

class SetFunctionCollector implements SetFunctionSink {
  readonly calls: FunctionCallSpec[] = [];
  add(call: FunctionCallSpec): number {
    this.calls.push(call);
    return this.calls.length - 1;
  }
}

export function analyzeSelect(ctx: AnalyzerContext, stmt: SelectStmt, parentScope: Scope | null, options: SelectOptions = { resolveUnknowns: true }): PlanNode {
  return nestedSelect(ctx, () => {
    const { withClause, ...body } = stmt;
    if (withClause) return analyzeWith(ctx, withClause, parentScope, () => analyzeSelectBody(ctx, body, parentScope, options));
    return analyzeSelectBody(ctx, body, parentScope, options);
  });
}

function analyzeSelectBody(ctx: AnalyzerContext, stmt: SelectStmt, parentScope: Scope | null, options: SelectOptions): PlanNode {
  if (stmt.intoClause) throw unsupported('SELECT INTO');
  if (stmt.op && stmt.op !== 'SETOP_NONE') return analyzeSetOperation(ctx, stmt, parentScope);
  if (stmt.valuesLists) return analyzeValues(ctx, stmt, parentScope, options);
  const planSub = (s: SelectStmt, scope: Scope): PlanNode => analyzeSelect(ctx, s, scope.parent, { resolveUnknowns: true });

  // FROM and WHERE
  const from = analyzeFrom(ctx, stmt.fromClause ?? [], parentScope);
  const scope = from.scope;
  let where: Expr | null = null;
  if (stmt.whereClause) {
    const wb = new ExpressionBinder(ctx, scope, null, 'WHERE', planSub).withoutAggregates('WHERE');
    where = wb.coerceToBool(wb.bind(stmt.whereClause), 'WHERE');
  }
  const input = planFrom(from, where);

  // Target list, HAVING, ORDER BY and DISTINCT ON may contain aggregates; the select list and
  // ORDER BY also window functions and set-returning functions.
  const collector = new AggregateCollector('SELECT');
  const windows = new WindowCollector(ctx, scope, collector, stmt.windowClause, planSub);
  const setFunctions = new SetFunctionCollector();
  const aggBinder = new ExpressionBinder(ctx, scope, collector, 'SELECT', planSub, { windows, setFunctions });
  const targets = bindTargets(aggBinder, scope, stmt.targetList ?? []);
  if (options.resolveUnknowns) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (t.expr.type.oid === Oid.unknown) targets[i] = { ...t, expr: aggBinder.resolveUnknown(t.expr) };
    }
  }

  const groupBinder = new ExpressionBinder(ctx, scope, { add: () => 0, allowed: false, clause: 'GROUP BY' }, 'GROUP BY', planSub);
  const { keys: groupExprs, sets: groupingSets } = bindGroupClause(groupBinder, stmt.groupClause ?? [], targets);
  const having = stmt.havingClause ? aggBinder.coerceToBool(new ExpressionBinder(ctx, scope, collector, 'HAVING', planSub).bind(stmt.havingClause), 'HAVING') : null;

  // ORDER BY items: output column positions or names, else expressions over the input.
  const sortItems = (stmt.sortClause ?? []).map((s) => nodeAs(s, 'SortBy')!);
  const sortRefs = sortItems.map((sb) => resolveSortTarget(aggBinder, sb, targets));

  // DISTINCT ON keys
  const distinctClause = stmt.distinctClause;
  const isDistinct = distinctClause !== undefined;
  const distinctOn = isDistinct && distinctClause.length > 0 && !(distinctClause.length === 1 && isEmptyNode(distinctClause[0]!)) ? distinctClause.map((d) => resolveSortTarget(aggBinder, { node: d }, targets)) : null;

  const usesGrouping = [...targets.map((t) => t.expr), ...sortRefs.filter((r): r is Expr => typeof r !== 'number'), ...(having ? [having] : [])].some((e) => exprAny(e, (x) => x.kind === 'groupingFunc'));
  const grouped = collector.calls.length > 0 || groupExprs.length > 0 || groupingSets !== null || having !== null || usesGrouping;
  let top: PlanNode = input;
  let targetExprs = targets.map((t) => t.expr);
  let sortExprs = sortRefs.map((r) => (typeof r === 'number' ? null : r));
  let distinctExprs = distinctOn?.map((r) => (typeof r === 'number' ? null : r)) ?? null;
  let windowCalls = windows.calls;
  let srfCalls = setFunctions.calls;
  if (grouped && groupingSets === null) {
    const used = [...targetExprs, ...sortExprs, ...(distinctExprs ?? []), ...(having ? [having] : []), ...windowCalls.flatMap((w) => [...w.call.args, ...w.spec.partitionBy, ...w.spec.orderBy.map((k) => k.expr)]), ...srfCalls.flatMap((f) => f.args)];
    groupExprs.push(...functionallyDependentColumns(ctx, scope, groupExprs, used.filter((e): e is Expr => e !== null)));
  }
  if (grouped) {
    const aggColumns: OutputColumn[] = [
      ...groupExprs.map((g, i) => ({ name: `group${i + 1}`, type: g.type, tableOid: 0, attnum: 0 })),
      ...collector.calls.map((a, i) => ({ name: `agg${i + 1}`, type: a.type, tableOid: 0, attnum: 0 })),
    ];
    if (groupingSets) aggColumns.push({ name: 'grouping_set', type: INT4_TYPE, tableOid: 0, attnum: 0 });
    top = { kind: 'aggregate', input, groupKeys: groupExprs, aggregates: collector.calls, groupingSets, columns: aggColumns };
    const over: AggregateOutput = { groups: groupExprs, scope, sets: groupingSets, setSlot: groupExprs.length + collector.calls.length };
    const rewrite = (e: Expr): Expr => rewriteOverAggregate(e, over);
    targetExprs = targetExprs.map(rewrite);
    sortExprs = sortExprs.map((e) => (e ? rewrite(e) : null));
    distinctExprs = distinctExprs?.map((e) => (e ? rewrite(e) : null)) ?? null;
    windowCalls = windowCalls.map((w) => ({ call: mapWindowCall(w.call, rewrite), spec: mapWindowSpec(w.spec, rewrite) }));
    srfCalls = srfCalls.map((f) => ({ ...f, args: f.args.map(rewrite) }));
    if (having) top = { kind: 'filter', input: top, predicate: rewrite(having), columns: top.columns };
  }

  // Window functions: one Window node per distinct window, each appending its functions' columns.
  const windowSlots: number[] = [];
  const windowGroups = new Map<string, number[]>();
  windowCalls.forEach((w, i) => windowGroups.set(w.spec.key, [...(windowGroups.get(w.spec.key) ?? []), i]));
  for (const indexes of windowGroups.values()) {
    const spec = windowCalls[indexes[0]!]!.spec;
    const base = top.columns.length;
    const functions = indexes.map((i) => windowCalls[i]!.call);
    indexes.forEach((i, k) => (windowSlots[i] = base + k));
    top = {
      kind: 'window',
      input: top,
      partitionBy: spec.partitionBy,
      orderBy: spec.orderBy,
      frame: spec.frame,
      functions,
      columns: [...top.columns, ...functions.map((f, k) => ({ name: `window${indexes[k]! + 1}`, type: f.type, tableOid: 0, attnum: 0 }))],
    };
  }
  const overWindows = (e: Expr): Expr => replaceRefs(e, 'windowRef', windowSlots);
  targetExprs = targetExprs.map(overWindows);
  sortExprs = sortExprs.map((e) => (e ? overWindows(e) : null));
  distinctExprs = distinctExprs?.map((e) => (e ? overWindows(e) : null)) ?? null;

  // Set-returning functions of the select list: a ProjectSet node.
  if (srfCalls.length > 0) {
    const base = top.columns.length;
    const functions = srfCalls.map((f) => ({ ...f, args: f.args.map(overWindows) }));
    top = { kind: 'projectSet', input: top, functions, columns: [...top.columns, ...functions.map((f, i) => ({ name: `srf${i + 1}`, type: f.type, tableOid: 0, attnum: 0 }))] };
    const slots = functions.map((_f, i) => base + i);
    const overSets = (e: Expr): Expr => replaceRefs(e, 'setFunctionRef', slots);
    targetExprs = targetExprs.map(overSets);
    sortExprs = sortExprs.map((e) => (e ? overSets(e) : null));
    distinctExprs = distinctExprs?.map((e) => (e ? overSets(e) : null)) ?? null;
  }

  // Project: visible targets, then hidden sort/distinct keys that are not targets.
  const projectExprs = [...targetExprs];
  const projectColumns: OutputColumn[] = targets.map((t, i) => ({ name: t.name, type: targetExprs[i]!.type, tableOid: t.tableOid, attnum: t.attnum }));
  const keySlot = (ref: number | null, expr: Expr | null): number => {
    if (ref !== null) return ref;
    const existing = projectExprs.findIndex((p) => exprEquals(p, expr!));
    if (existing >= 0) return existing;
    projectExprs.push(expr!);
    projectColumns.push({ name: '?sort?', type: expr!.type, tableOid: 0, attnum: 0, hidden: true });
    return projectExprs.length - 1;
  };
  if (isDistinct && !distinctOn) {
    sortRefs.forEach((r, i) => {
      if (typeof r !== 'number' && !targetExprs.some((t) => exprEquals(t, sortExprs[i]!))) {
        throw new SqlError(SqlState.invalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', {
          position: charPosition(ctx.sql, locationOf(sortItems[i]!.node)),
        });
      }
    });
  }
  const sortSlots = sortRefs.map((r, i) => keySlot(typeof r === 'number' ? r : null, sortExprs[i] ?? null));
  const distinctSlots = distinctOn?.map((r, i) => keySlot(typeof r === 'number' ? r : null, distinctExprs![i] ?? null)) ?? null;
  top = { kind: 'project', input: top, exprs: projectExprs, columns: projectColumns };

  const slotExpr = (slot: number): Expr => ({ kind: 'column', slot, type: projectColumns[slot]!.type, name: projectColumns[slot]!.name });
  const sortKeys: SortKey[] = sortItems.map((sb, i) => sortKeyOf(sb, slotExpr(sortSlots[i]!)));

  if (isDistinct) {
    if (distinctSlots) {
      // DISTINCT ON keeps the first row of each group in ORDER BY order; the keys must lead ORDER BY.
      const leading = sortSlots.slice(0, distinctSlots.length);
      if (sortSlots.length > 0 && !distinctSlots.every((s) => leading.includes(s))) {
        throw new SqlError(SqlState.invalidColumnReference, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
      }
      if (sortKeys.length) top = { kind: 'sort', input: top, keys: sortKeys, columns: top.columns };
      top = { kind: 'distinct', input: top, keys: distinctSlots.map(slotExpr), columns: top.columns };
    } else {
      top = { kind: 'distinct', input: top, keys: null, columns: top.columns };
      if (sortKeys.length) top = { kind: 'sort', input: top, keys: sortKeys, columns: top.columns };
    }
  } else if (sortKeys.length) {
    top = { kind: 'sort', input: top, keys: sortKeys, columns: top.columns };
  }
  return applyLimit(ctx, stmt, top, parentScope, sortKeys);
}

function sortKeyOf(sb: SortBy, expr: Expr): SortKey {
  if (sb.sortby_dir === 'SORTBY_USING') throw unsupported('ORDER BY ... USING');
  const descending = sb.sortby_dir === 'SORTBY_DESC';
  const nullsFirst = sb.sortby_nulls === 'SORTBY_NULLS_FIRST' || (sb.sortby_nulls !== 'SORTBY_NULLS_LAST' && descending);
  return { expr, descending, nullsFirst };
}

/** LIMIT / OFFSET / FETCH FIRST over a query's rows (`sortKeys`: its ORDER BY, for WITH TIES). */
function applyLimit(ctx: AnalyzerContext, stmt: SelectStmt, top: PlanNode, parentScope: Scope | null, sortKeys: readonly SortKey[]): PlanNode {
  if (!stmt.limitCount && !stmt.limitOffset) return top;
  const withTies = stmt.limitOption === 'LIMIT_OPTION_WITH_TIES';
  if (withTies && sortKeys.length === 0) throw new SqlError(SqlState.syntaxError, 'WITH TIES cannot be specified without ORDER BY clause');
  const planSub = (s: SelectStmt, scope: Scope): PlanNode => analyzeSelect(ctx, s, scope.parent);
  const limitBinder = new ExpressionBinder(ctx, Scope.empty(parentScope), null, 'LIMIT', planSub).withoutAggregates('LIMIT');
  const limit = stmt.limitCount && !isNullConst(stmt.limitCount) ? limitBinder.coerce(limitBinder.bind(stmt.limitCount), INT8_TYPE, 'implicit') : null;
  const offsetBinder = new ExpressionBinder(ctx, Scope.empty(parentScope), null, 'OFFSET', planSub).withoutAggregates('OFFSET');
  const offset = stmt.limitOffset ? offsetBinder.coerce(offsetBinder.bind(stmt.limitOffset), INT8_TYPE, 'implicit') : null;
  return { kind: 'limit', input: top, limit, offset, ties: withTies ? sortKeys : null, columns: top.columns };
}

function isNullConst(n: Node): boolean {
  return nodeAs(n, 'A_Const')?.isnull === true;
}

function isEmptyNode(n: Node): boolean {
  return Object.keys(n).length === 0 || (nodeTag(n) === 'List' && (nodeAs(n, 'List')!.items ?? []).length === 0);
}

/** A Filter over the source; over a table read it also chooses the access path. */
export function applyFilter(source: PlanNode, predicate: Expr): PlanNode {
  let input = source;
  if (source.kind === 'tableRead' && source.access.kind === 'all' && source.access.filter === null) {
    input = { ...source, access: chooseAccess(source.table, predicate) };
  }
  return { kind: 'filter', input, predicate, columns: input.columns };
}

/** `e` with references to window functions (or set-returning functions) replaced by the columns that hold them. */
function replaceRefs(e: Expr, kind: 'windowRef' | 'setFunctionRef', slots: readonly number[]): Expr {
  if (e.kind === kind) return { kind: 'column', slot: slots[e.index]!, type: e.type, name: kind === 'windowRef' ? 'window' : 'srf' };
  return mapChildren(e, (c) => replaceRefs(c, kind, slots));
}

function mapWindowCall(call: WindowCall, f: (e: Expr) => Expr): WindowCall {
  return { ...call, args: call.args.map(f), filter: call.filter ? f(call.filter) : null };
}

function mapWindowSpec(spec: WindowSpec, f: (e: Expr) => Expr): WindowSpec {
  return { ...spec, partitionBy: spec.partitionBy.map(f), orderBy: spec.orderBy.map((k) => ({ ...k, expr: f(k.expr) })) };
}

// ---- set operations -------------------------------------------------------------------------

const SET_OPS = { SETOP_UNION: 'union', SETOP_INTERSECT: 'intersect', SETOP_EXCEPT: 'except' } as const;

/** UNION / INTERSECT / EXCEPT with its own ORDER BY (result columns only) and LIMIT. */
function analyzeSetOperation(ctx: AnalyzerContext, stmt: SelectStmt, parentScope: Scope | null): PlanNode {
  const opName = SET_OPS[stmt.op as keyof typeof SET_OPS].toUpperCase();
  if (stmt.lockingClause?.length) throw new SqlError(SqlState.featureNotSupported, `FOR UPDATE is not allowed with UNION/INTERSECT/EXCEPT`);
  let top = setOperation(ctx, stmt, parentScope);
  const columns = top.columns;
  const scope = new Scope([{ refName: '', schemaName: null, relVisible: false, columns: columns.map((c, slot) => ({ name: c.name, type: c.type, slot, tableOid: 0, attnum: 0, hidden: false })) }], parentScope);
  const binder = new ExpressionBinder(ctx, scope, null, 'ORDER BY').withoutAggregates('ORDER BY');
  const sortKeys = (stmt.sortClause ?? []).map((s) => {
    const sb = nodeAs(s, 'SortBy')!;
    const node = sb.node!;
    const position = nodeTag(node) === 'A_Const' && nodeAs(node, 'A_Const')!.ival !== undefined ? intValue(node) : undefined;
    let expr: Expr;
    if (position !== undefined) {
      if (position < 1 || position > columns.length) {
        throw new SqlError(SqlState.invalidColumnReference, `ORDER BY position ${position} is not in select list`, { position: charPosition(ctx.sql, locationOf(node)) });
      }
      expr = { kind: 'column', slot: position - 1, type: columns[position - 1]!.type, name: columns[position - 1]!.name };
    } else {
      expr = binder.bind(node);
      if (expr.kind !== 'column') {
        throw new SqlError(SqlState.featureNotSupported, `invalid ${'UNION/INTERSECT/EXCEPT'} ORDER BY clause`, {
          detail: 'Only result column names can be used, not expressions or functions.',
          hint: `Add the expression/function to every SELECT, or move the ${opName} into a FROM clause.`,
          position: charPosition(ctx.sql, locationOf(node)),
        });
      }
    }
    return sortKeyOf(sb, expr);
  });
  if (sortKeys.length) top = { kind: 'sort', input: top, keys: sortKeys, columns };
  return applyLimit(ctx, stmt, top, parentScope, sortKeys);
}

/** The set operation tree of `stmt`; each node's columns typed as PostgreSQL resolves them. */
function setOperation(ctx: AnalyzerContext, stmt: SelectStmt, parentScope: Scope | null): PlanNode {
  const op = SET_OPS[stmt.op as keyof typeof SET_OPS];
  const opName = op.toUpperCase();
  const operand = (s: SelectStmt): PlanNode => {
    const isLeaf = !s.op || s.op === 'SETOP_NONE';
    // A parenthesized set operation with its own ORDER BY, LIMIT or WITH is a query of its own.
    const plan = isLeaf || s.sortClause?.length || s.limitCount || s.limitOffset || s.withClause ? analyzeSelect(ctx, s, parentScope, { resolveUnknowns: false }) : setOperation(ctx, s, parentScope);
    return visibleOnly(plan);
  };
  const left = operand(stmt.larg as SelectStmt);
  const right = operand(stmt.rarg as SelectStmt);
  if (left.columns.length !== right.columns.length) {
    throw new SqlError(SqlState.syntaxError, `each ${opName} query must have the same number of columns`, { position: charPosition(ctx.sql, firstTargetLocation(stmt.rarg as SelectStmt)) });
  }
  const binder = new ExpressionBinder(ctx, Scope.empty(parentScope), null, opName).withoutAggregates(opName);
  const ref = (p: PlanNode, i: number): Expr => ({ kind: 'column', slot: i, type: p.columns[i]!.type, name: p.columns[i]!.name });
  const types = left.columns.map((_c, i) => binder.commonType([ref(left, i), ref(right, i)], opName));
  const coerced = (p: PlanNode): PlanNode => {
    if (p.columns.every((c, i) => c.type.oid === types[i]!.oid)) return p;
    // Coercing a branch's own output expressions types its literals and parameters ($1 UNION SELECT 2).
    if (p.kind === 'project') {
      const exprs = p.exprs.map((e, i) => binder.coerce(e, types[i]!, 'implicit'));
      return { ...p, exprs, columns: p.columns.map((c, i) => ({ ...c, type: exprs[i]!.type })) };
    }
    const exprs = p.columns.map((_c, i) => binder.coerce(ref(p, i), types[i]!, 'implicit'));
    return { kind: 'project', input: p, exprs, columns: p.columns.map((c, i) => ({ ...c, type: exprs[i]!.type })) };
  };
  const columns: OutputColumn[] = left.columns.map((c, i) => {
    const sameTypmod = c.type.typmod === right.columns[i]!.type.typmod && c.type.oid === types[i]!.oid && right.columns[i]!.type.oid === types[i]!.oid;
    return { name: c.name, type: { oid: types[i]!.oid, typmod: sameTypmod ? c.type.typmod : -1 }, tableOid: 0, attnum: 0 };
  });
  return { kind: 'setOp', op, all: stmt.all ?? false, left: coerced(left), right: coerced(right), columns };
}

function firstTargetLocation(s: SelectStmt): number | undefined {
  const t = s.targetList?.[0];
  return t ? locationOf(t) : undefined;
}

/** A plan's visible columns only (a set operation compares whole rows). */
function visibleOnly(plan: PlanNode): PlanNode {
  if (plan.columns.every((c) => !c.hidden)) return plan;
  const visible = plan.columns.map((c, i) => ({ c, i })).filter((x) => !x.c.hidden);
  return { kind: 'project', input: plan, exprs: visible.map((x) => ({ kind: 'column', slot: x.i, type: x.c.type, name: x.c.name })), columns: visible.map((x) => x.c) };
}

// ---- VALUES -----------------------------------------------------------------------------------

function analyzeValues(ctx: AnalyzerContext, stmt: SelectStmt, parentScope: Scope | null, options: SelectOptions): PlanNode {
  const binder = new ExpressionBinder(ctx, Scope.empty(parentScope), null, 'VALUES').withoutAggregates('VALUES');
  const rows = (stmt.valuesLists ?? []).map((l) => (nodeAs(l, 'List')?.items ?? []).map((x) => binder.bind(x)));
  const width = rows[0]?.length ?? 0;
  if (rows.some((r) => r.length !== width)) throw new SqlError(SqlState.syntaxError, 'VALUES lists must all be the same length');
  const types = Array.from({ length: width }, (_v, i) => {
    const col = rows.map((r) => r[i]!);
    if (!options.resolveUnknowns && col.every((e) => e.type.oid === Oid.unknown)) return null;
    return binder.commonType(col, 'VALUES');
  });
  const coerced = rows.map((r) => r.map((e, i) => (types[i] ? binder.coerce(e, types[i]!, 'implicit') : e)));
  const columns: OutputColumn[] = types.map((t, i) => ({ name: `column${i + 1}`, type: t ?? { oid: Oid.unknown, typmod: -1 }, tableOid: 0, attnum: 0 }));
  let top: PlanNode = { kind: 'values', rows: coerced, columns };
  const scope = Scope.ofColumns('*VALUES*', null, columns, parentScope);
  const vb = new ExpressionBinder(ctx, scope, null, 'ORDER BY').withoutAggregates('ORDER BY');
  if (stmt.sortClause?.length) {
    const keys: SortKey[] = stmt.sortClause.map((s) => {
      const sb = nodeAs(s, 'SortBy')!;
      const pos = intValue(sb.node);
      const expr: Expr = pos !== undefined && nodeTag(sb.node!) === 'A_Const' ? { kind: 'column', slot: pos - 1, type: columns[pos - 1]!.type, name: columns[pos - 1]!.name } : vb.bind(sb.node!);
      const descending = sb.sortby_dir === 'SORTBY_DESC';
      return { expr, descending, nullsFirst: sb.sortby_nulls === 'SORTBY_NULLS_FIRST' || (sb.sortby_nulls !== 'SORTBY_NULLS_LAST' && descending) };
    });
    top = { kind: 'sort', input: top, keys, columns };
    return applyLimit(ctx, stmt, top, parentScope, keys);
  }
  return applyLimit(ctx, stmt, top, parentScope, []);
}

// ---- target list ------------------------------------------------------------------------------

function bindTargets(binder: ExpressionBinder, scope: Scope, targetList: readonly Node[]): TargetItem[] {
  const out: TargetItem[] = [];
  for (const t of targetList) {
    const rt = nodeAs(t, 'ResTarget')!;
    const val = rt.val!;
    const colRef = nodeAs(val, 'ColumnRef');
    if (colRef) {
      const names = stringList(colRef.fields);
      if (names[names.length - 1] === '*') {
        const qualifier = names.length > 1 ? names.slice(0, -1) : null;
        const cols = scope.expandStar(qualifier);
        if (qualifier === null && scope.entries.length === 0) {
          throw new SqlError(SqlState.syntaxError, 'SELECT * with no tables specified is not valid', { position: charPosition(binder.ctx.sql, colRef.location) });
        }
        for (const c of cols) out.push({ name: c.name, expr: Scope.columnRef(c), node: null, tableOid: c.tableOid, attnum: c.attnum });
        continue;
      }
    }
    const expr = binder.bind(val);
    const source = expr.kind === 'column' ? scope.entries.flatMap((e) => e.columns).find((c) => c.slot === expr.slot) : undefined;
    out.push({ name: rt.name ?? columnNameFor(val), expr, node: val, tableOid: source?.tableOid ?? 0, attnum: source?.attnum ?? 0 });
  }
  return out;
}

/**
 * Columns that the GROUP BY keys determine without naming them: every column of a table whose
 * primary key columns are all group keys (PostgreSQL's functional dependency rule), among those
 * `used` reads. They become group keys too, which changes no group.
 */
function functionallyDependentColumns(ctx: AnalyzerContext, scope: Scope, groups: readonly Expr[], used: readonly Expr[]): Expr[] {
  const groupSlots = new Set(groups.flatMap((g) => (g.kind === 'column' ? [g.slot] : [])));
  const extra: Expr[] = [];
  const consider = (e: Expr): boolean => {
    if (e.kind !== 'column' || groupSlots.has(e.slot)) return false;
    // A table of this query's FROM (not a subquery or CTE whose columns come from a table).
    const entry = scope.entries.find((en) => entryRelationOid(en) !== 0 && en.columns.some((c) => c.slot === e.slot && !c.computed));
    const table = entry ? ctx.catalog.tableByOid(entryRelationOid(entry)) : undefined;
    const key = table ? primaryKeyOf(table) : undefined;
    if (!entry || !table || !key) return false;
    const keySlots = key.columns.map((attnum) => entry.columns.find((c) => c.tableOid === table.oid && c.attnum === attnum && !c.computed)?.slot);
    if (keySlots.every((slot) => slot !== undefined && groupSlots.has(slot))) {
      groupSlots.add(e.slot);
      extra.push(e);
    }
    return false;
  };
  for (const e of used) exprAny(e, consider);
  return extra;
}

/** GROUP BY item: an output column number, an input expression, or an output column name. */
function bindGroupItem(binder: ExpressionBinder, node: Node, targets: readonly TargetItem[]): Expr {
  const pos = nodeTag(node) === 'A_Const' ? intValue(node) : undefined;
  if (pos !== undefined) {
    const t = targets[pos - 1];
    if (!t) throw new SqlError(SqlState.invalidColumnReference, `GROUP BY position ${pos} is not in select list`, { position: charPosition(binder.ctx.sql, locationOf(node)) });
    return t.expr;
  }
  try {
    return binder.resolveUnknown(binder.bind(node));
  } catch (e) {
    const ref = nodeAs(node, 'ColumnRef');
    if (e instanceof SqlError && e.code === SqlState.undefinedColumn && ref && (ref.fields?.length ?? 0) === 1) {
      const name = stringList(ref.fields)[0]!;
      const t = targets.find((x) => x.name === name);
      if (t) return t.expr;
    }
    throw e;
  }
}

/** ORDER BY / DISTINCT ON item: a target position (number), a target by name, or an expression. */
function resolveSortTarget(binder: ExpressionBinder, sb: Pick<SortBy, 'node'>, targets: readonly TargetItem[]): number | Expr {
  const node = sb.node!;
  if (nodeTag(node) === 'A_Const') {
    const pos = intValue(node);
    if (pos !== undefined && nodeAs(node, 'A_Const')!.ival !== undefined) {
      if (pos < 1 || pos > targets.length) {
        throw new SqlError(SqlState.invalidColumnReference, `ORDER BY position ${pos} is not in select list`, { position: charPosition(binder.ctx.sql, locationOf(node)) });
      }
      return pos - 1;
    }
  }
  const ref = nodeAs(node, 'ColumnRef');
  if (ref && (ref.fields?.length ?? 0) === 1) {
    const name = stringList(ref.fields)[0]!;
    const matches = targets.map((t, i) => (t.name === name ? i : -1)).filter((i) => i >= 0);
    if (matches.length > 1 && !matches.every((i) => exprEquals(targets[i]!.expr, targets[matches[0]!]!.expr))) {
      throw new SqlError(SqlState.ambiguousColumn, `ORDER BY "${name}" is ambiguous`, { position: charPosition(binder.ctx.sql, locationOf(node)) });
    }
    if (matches.length >= 1) return matches[0]!;
  }
  return binder.resolveUnknown(binder.bind(node));
}

// ---- grouping ---------------------------------------------------------------------------------

/** What an expression over an Aggregate node's output reads. */
interface AggregateOutput {
  readonly groups: readonly Expr[];
  readonly scope: Scope;
  readonly sets: ReadonlyArray<readonly number[]> | null;
  /** The column holding the grouping set's index (with grouping sets). */
  readonly setSlot: number;
}

/**
 * Rewrites an expression bound over the input row so that it reads the Aggregate node's output:
 * group expressions become its group columns, aggregate references its aggregate columns; any
 * other input column is a grouping error.
 */
function rewriteOverAggregate(e: Expr, over: AggregateOutput): Expr {
  const { groups, scope } = over;
  const g = groups.findIndex((x) => exprEquals(x, e));
  if (g >= 0) return { kind: 'column', slot: g, type: e.type, name: `group${g + 1}` };
  switch (e.kind) {
    case 'aggregateRef':
      return { kind: 'column', slot: groups.length + e.index, type: e.type, name: `agg${e.index + 1}` };
    case 'column': {
      const entry = scope.entries.find((en) => en.relVisible !== false && en.columns.some((c) => c.slot === e.slot));
      const qualified = entry ? `${entry.refName}.${e.name}` : e.name;
      throw new SqlError(SqlState.groupingError, `column "${qualified}" must appear in the GROUP BY clause or be used in an aggregate function`);
    }
    case 'groupingFunc': {
      const keys = e.args.map((a) => groups.findIndex((x) => exprEquals(x, a)));
      if (keys.some((k) => k < 0)) throw new SqlError(SqlState.groupingError, 'arguments to GROUPING must be grouping expressions of the associated query level');
      if (!over.sets) return { kind: 'const', type: INT4_TYPE, value: 0 };
      return { kind: 'call', fn: groupingFunction(keys, over.sets), args: [{ kind: 'column', slot: over.setSlot, type: INT4_TYPE, name: 'grouping_set' }], type: INT4_TYPE };
    }
    case 'const':
    case 'param':
    case 'outerColumn':
    case 'subquery':
      return e;
    default:
      return mapChildren(e, (c) => rewriteOverAggregate(c, over));
  }
}

/** GROUPING(keys...) for a row of grouping set `set`: a bit per key, first key highest, set when the set leaves it out. */
function groupingFunction(keys: readonly number[], sets: ReadonlyArray<readonly number[]>): ScalarFunction {
  return {
    name: 'grouping',
    isOperator: false,
    argTypes: [Oid.int4],
    variadic: false,
    returnType: Oid.int4,
    volatility: 'i',
    strict: true,
    impl: ([set]) => keys.reduce((mask, k) => (mask << 1) | (sets[set as number]!.includes(k) ? 0 : 1), 0),
  };
}

/** PostgreSQL's limit on the grouping sets one GROUP BY may expand to. */
const MAX_GROUPING_SETS = 4096;

/**
 * GROUP BY items: the distinct group expressions, and (with GROUPING SETS, ROLLUP or CUBE) each
 * grouping set as the indexes of its expressions — the product of the items' sets, as PostgreSQL
 * expands them.
 */
function bindGroupClause(binder: ExpressionBinder, items: readonly Node[], targets: readonly TargetItem[]): { keys: Expr[]; sets: number[][] | null } {
  const keys: Expr[] = [];
  const keyOf = (node: Node): number => {
    const e = bindGroupItem(binder, node, targets);
    let i = keys.findIndex((k) => exprEquals(k, e));
    if (i < 0) {
      keys.push(e);
      i = keys.length - 1;
    }
    return i;
  };
  // An element of ROLLUP / CUBE / GROUPING SETS: `(a, b)` is one element of two expressions.
  const element = (node: Node): number[] => {
    const row = nodeAs(node, 'RowExpr');
    return row ? (row.args ?? []).map(keyOf) : [keyOf(node)];
  };
  let hasSets = false;
  const expand = (node: Node): number[][] => {
    const gs = nodeAs(node, 'GroupingSet');
    if (!gs) return [element(node)];
    hasSets = true;
    const content = gs.content ?? [];
    switch (gs.kind) {
      case 'GROUPING_SET_EMPTY':
        return [[]];
      case 'GROUPING_SET_SETS':
        return content.flatMap(expand);
      case 'GROUPING_SET_ROLLUP': {
        const parts = content.map(element);
        return Array.from({ length: parts.length + 1 }, (_v, n) => parts.slice(0, parts.length - n).flat());
      }
      case 'GROUPING_SET_CUBE': {
        const parts = content.map(element);
        if (parts.length > 12) throw new SqlError(SqlState.programLimitExceeded, 'CUBE is limited to 12 elements');
        const subsets: number[][] = [];
        for (let mask = (1 << parts.length) - 1; mask >= 0; mask--) subsets.push(parts.filter((_p, i) => mask & (1 << (parts.length - 1 - i))).flat());
        return subsets;
      }
      default:
        throw unsupported(`grouping set ${gs.kind ?? ''}`);
    }
  };
  let sets: number[][] = [[]];
  for (const item of items) {
    const itemSets = expand(item);
    sets = sets.flatMap((a) => itemSets.map((b) => [...new Set([...a, ...b])]));
    if (sets.length > MAX_GROUPING_SETS) throw new SqlError(SqlState.statementTooComplex, `too many grouping sets present (maximum ${MAX_GROUPING_SETS})`);
  }
  return { keys, sets: hasSets ? sets : null };
}
