/**
 * SELECT analysis and planning: FROM → WHERE (access path + filter) → GROUP BY/aggregates → HAVING
 * → target list → DISTINCT → ORDER BY → LIMIT/OFFSET, each step one plan node over the previous.
 */
import type { Node, SelectStmt, SortBy, RangeVar } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { elementOf, formatType, type TypeRef } from '../../types/registry.js';
import { INT8_TYPE, type AggregateCall, type Expr, children } from '../expr.js';
import type { OutputColumn, PlanNode, SortKey } from '../plan.js';
import { chooseAccess } from '../access.js';
import { tableOutputColumns } from '../table-rows.js';
import { charPosition } from '../parser.js';
import { intValue, locationOf, nodeAs, nodeTag, stringList, unsupported } from './ast.js';
import { ExpressionBinder, type AggregateSink } from './expressions.js';
import { columnNameFor } from './names.js';
import { Scope, type AnalyzerContext } from './scope.js';

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

export function analyzeSelect(ctx: AnalyzerContext, stmt: SelectStmt, parentScope: Scope | null, options: SelectOptions = { resolveUnknowns: true }): PlanNode {
  if (stmt.withClause) throw unsupported('WITH queries');
  if (stmt.op && stmt.op !== 'SETOP_NONE') throw unsupported('UNION, INTERSECT and EXCEPT');
  if (stmt.intoClause) throw unsupported('SELECT INTO');
  if (stmt.windowClause?.length) throw unsupported('window functions');
  const planSub = (s: SelectStmt, scope: Scope): PlanNode => analyzeSelect(ctx, s, scope.parent, { resolveUnknowns: true });

  if (stmt.valuesLists) return analyzeValues(ctx, stmt, parentScope, options);

  // FROM
  const { plan: source, scope } = analyzeFrom(ctx, stmt.fromClause ?? [], parentScope);
  const binder = new ExpressionBinder(ctx, scope, null, 'WHERE', planSub);

  // WHERE
  let input = source;
  if (stmt.whereClause) {
    const predicate = binder.withoutAggregates('WHERE').coerceToBool(binder.withoutAggregates('WHERE').bind(stmt.whereClause), 'WHERE');
    input = applyFilter(source, predicate);
  }

  // Target list, HAVING and ORDER BY may contain aggregates.
  const collector = new AggregateCollector('SELECT');
  const aggBinder = new ExpressionBinder(ctx, scope, collector, 'SELECT', planSub);
  const targets = bindTargets(aggBinder, scope, stmt.targetList ?? []);
  if (options.resolveUnknowns) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (t.expr.type.oid === Oid.unknown) targets[i] = { ...t, expr: aggBinder.resolveUnknown(t.expr) };
    }
  }

  const groupExprs = (stmt.groupClause ?? []).map((g) => bindGroupItem(aggBinder.withoutAggregates('GROUP BY'), g, targets));
  const having = stmt.havingClause ? aggBinder.coerceToBool(new ExpressionBinder(ctx, scope, collector, 'HAVING', planSub).bind(stmt.havingClause), 'HAVING') : null;

  // ORDER BY items: output column positions or names, else expressions over the input.
  const sortItems = (stmt.sortClause ?? []).map((s) => nodeAs(s, 'SortBy')!);
  const sortRefs = sortItems.map((sb) => resolveSortTarget(aggBinder, sb, targets));

  // DISTINCT ON keys
  const distinctClause = stmt.distinctClause;
  const isDistinct = distinctClause !== undefined;
  const distinctOn = isDistinct && distinctClause.length > 0 && !(distinctClause.length === 1 && isEmptyNode(distinctClause[0]!)) ? distinctClause.map((d) => resolveSortTarget(aggBinder, { node: d }, targets)) : null;

  const grouped = collector.calls.length > 0 || groupExprs.length > 0 || having !== null;
  let top: PlanNode = input;
  let targetExprs = targets.map((t) => t.expr);
  let sortExprs = sortRefs.map((r) => (typeof r === 'number' ? null : r));
  let distinctExprs = distinctOn?.map((r) => (typeof r === 'number' ? null : r)) ?? null;
  let havingExpr = having;
  if (grouped) {
    const aggColumns: OutputColumn[] = [
      ...groupExprs.map((g, i) => ({ name: `group${i + 1}`, type: g.type, tableOid: 0, attnum: 0 })),
      ...collector.calls.map((a, i) => ({ name: `agg${i + 1}`, type: a.type, tableOid: 0, attnum: 0 })),
    ];
    top = { kind: 'aggregate', input, groupKeys: groupExprs, aggregates: collector.calls, columns: aggColumns };
    const rewrite = (e: Expr): Expr => rewriteOverAggregate(e, groupExprs, scope);
    targetExprs = targetExprs.map(rewrite);
    sortExprs = sortExprs.map((e) => (e ? rewrite(e) : null));
    distinctExprs = distinctExprs?.map((e) => (e ? rewrite(e) : null)) ?? null;
    havingExpr = havingExpr ? rewrite(havingExpr) : null;
    if (havingExpr) top = { kind: 'filter', input: top, predicate: havingExpr, columns: top.columns };
  }

  // Project: visible targets, then hidden sort/distinct keys that are not targets.
  const projectExprs = [...targetExprs];
  const projectColumns: OutputColumn[] = targets.map((t, i) => ({ name: t.name, type: targetExprs[i]!.type, tableOid: t.tableOid, attnum: t.attnum }));
  const keySlot = (ref: number | null, expr: Expr | null): number => {
    if (ref !== null) return ref;
    const existing = projectExprs.findIndex((p, i) => i < targets.length && exprEquals(p, expr!));
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
  const sortKeys: SortKey[] = sortItems.map((sb, i) => {
    const descending = sb.sortby_dir === 'SORTBY_DESC';
    if (sb.sortby_dir === 'SORTBY_USING') throw unsupported('ORDER BY ... USING');
    const nullsFirst = sb.sortby_nulls === 'SORTBY_NULLS_FIRST' || (sb.sortby_nulls !== 'SORTBY_NULLS_LAST' && descending);
    return { expr: slotExpr(sortSlots[i]!), descending, nullsFirst };
  });

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

  if (stmt.limitCount || stmt.limitOffset) {
    if (stmt.limitOption === 'LIMIT_OPTION_WITH_TIES') throw unsupported('FETCH ... WITH TIES');
    const limitBinder = new ExpressionBinder(ctx, Scope.empty(parentScope), null, 'LIMIT', planSub).withoutAggregates('LIMIT');
    const limit = stmt.limitCount && !isNullConst(stmt.limitCount) ? limitBinder.coerce(limitBinder.bind(stmt.limitCount), INT8_TYPE, 'implicit') : null;
    const offsetBinder = new ExpressionBinder(ctx, Scope.empty(parentScope), null, 'OFFSET', planSub).withoutAggregates('OFFSET');
    const offset = stmt.limitOffset ? offsetBinder.coerce(offsetBinder.bind(stmt.limitOffset), INT8_TYPE, 'implicit') : null;
    top = { kind: 'limit', input: top, limit, offset, columns: top.columns };
  }
  return top;
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

// ---- FROM -------------------------------------------------------------------------------------

export function analyzeFrom(ctx: AnalyzerContext, from: readonly Node[], parentScope: Scope | null): { plan: PlanNode; scope: Scope } {
  if (from.length === 0) return { plan: { kind: 'result', columns: [] }, scope: Scope.empty(parentScope) };
  if (from.length > 1) throw unsupported('joins (several FROM items)');
  const item = from[0]!;
  switch (nodeTag(item)) {
    case 'RangeVar':
      return tableSource(ctx, nodeAs(item, 'RangeVar')!, parentScope);
    case 'RangeFunction':
      return functionSource(ctx, nodeAs(item, 'RangeFunction')!, parentScope);
    case 'RangeSubselect': {
      const r = nodeAs(item, 'RangeSubselect')!;
      if (r.lateral) throw unsupported('LATERAL');
      const sub = nodeAs(r.subquery!, 'SelectStmt');
      if (!sub) throw unsupported('this subquery in FROM');
      if (!r.alias?.aliasname) throw new SqlError(SqlState.syntaxError, 'subquery in FROM must have an alias');
      const plan = analyzeSelect(ctx, sub, parentScope);
      const aliasCols = stringList(r.alias.colnames);
      const visible = plan.columns.map((c, i) => ({ ...c, name: aliasCols[i] ?? c.name }));
      return { plan, scope: Scope.ofColumns(r.alias.aliasname, null, visible, parentScope) };
    }
    case 'JoinExpr':
      throw unsupported('JOIN');
    default:
      throw unsupported(`FROM item ${nodeTag(item)}`);
  }
}

function tableSource(ctx: AnalyzerContext, rv: RangeVar, parentScope: Scope | null): { plan: PlanNode; scope: Scope } {
  const name = { schema: rv.schemaname ?? null, name: rv.relname ?? '' };
  let table;
  try {
    table = ctx.catalog.resolveTable(name, ctx.searchPath, ctx.user);
  } catch (e) {
    if (e instanceof SqlError && e.position === undefined) e.position = charPosition(ctx.sql, rv.location);
    throw e;
  }
  const columns = tableOutputColumns(table);
  const refName = rv.alias?.aliasname ?? table.name;
  const aliasCols = stringList(rv.alias?.colnames);
  const scoped = columns.map((c, i) => (i < aliasCols.length ? { ...c, name: aliasCols[i]! } : c));
  const schema = ctx.catalog.schemaByOid(table.schemaOid);
  return {
    plan: { kind: 'tableRead', table, access: { kind: 'all', filter: null, limit: null }, columns },
    scope: Scope.ofColumns(refName, rv.alias ? null : (schema?.name ?? null), scoped, parentScope),
  };
}

function functionSource(ctx: AnalyzerContext, rf: NonNullable<ReturnType<typeof nodeAs<'RangeFunction'>>>, parentScope: Scope | null): { plan: PlanNode; scope: Scope } {
  const first = nodeAs(rf.functions?.[0], 'List')?.items?.[0];
  const call = nodeAs(first, 'FuncCall');
  if (!call || (rf.functions?.length ?? 0) !== 1 || rf.lateral || rf.ordinality) throw unsupported('this function in FROM');
  const name = stringList(call.funcname).pop()!;
  const binder = new ExpressionBinder(ctx, Scope.empty(parentScope), null, 'FROM').withoutAggregates('functions in FROM');
  const args = (call.args ?? []).map((a) => binder.bind(a));
  let type: TypeRef;
  let bound: Expr[];
  if (name === 'generate_series') {
    const common = binder.commonType(args, 'generate_series');
    const t = [Oid.int2, Oid.int4].includes(common.oid as 21) ? { oid: Oid.int4, typmod: -1 } : common.oid === Oid.int8 ? INT8_TYPE : common.oid === Oid.numeric ? common : null;
    if (!t || args.length < 2 || args.length > 3) {
      throw new SqlError(SqlState.undefinedFunction, `function generate_series(${args.map((a) => (a.type.oid === Oid.unknown ? 'unknown' : String(a.type.oid))).join(', ')}) does not exist`);
    }
    type = t;
    bound = args.map((a) => binder.coerce(a, t, 'implicit'));
  } else if (name === 'unnest') {
    if (args.length !== 1) throw unsupported('unnest with several arguments');
    const arg = args[0]!.type.oid === Oid.unknown ? binder.coerce(args[0]!, { oid: Oid._text, typmod: -1 }, 'implicit') : args[0]!;
    const elementOid = elementOf(arg.type.oid);
    if (elementOid === 0) throw new SqlError(SqlState.undefinedFunction, `function unnest(${formatType(arg.type.oid)}) does not exist`);
    type = { oid: elementOid, typmod: -1 };
    bound = [arg];
  } else {
    // Any other (scalar) function in FROM is a one-row, one-column relation: SELECT * FROM current_schema().
    const call = binder.bindFunctionByName(name, args);
    const alias = rf.alias?.aliasname ?? name;
    const colName = stringList(rf.alias?.colnames)[0] ?? alias;
    const columns: OutputColumn[] = [{ name: colName, type: call.type, tableOid: 0, attnum: 0 }];
    const plan: PlanNode = { kind: 'project', input: { kind: 'result', columns: [] }, exprs: [call], columns };
    return { plan, scope: Scope.ofColumns(alias, null, columns, parentScope) };
  }
  const alias = rf.alias?.aliasname ?? name;
  const colName = stringList(rf.alias?.colnames)[0] ?? (rf.alias?.aliasname ?? name);
  const columns: OutputColumn[] = [{ name: colName, type, tableOid: 0, attnum: 0 }];
  return { plan: { kind: 'functionScan', name, args: bound, columns }, scope: Scope.ofColumns(alias, null, columns, parentScope) };
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
  }
  if (stmt.limitCount || stmt.limitOffset) {
    const lb = new ExpressionBinder(ctx, Scope.empty(parentScope), null, 'LIMIT').withoutAggregates('LIMIT');
    top = {
      kind: 'limit',
      input: top,
      limit: stmt.limitCount && !isNullConst(stmt.limitCount) ? lb.coerce(lb.bind(stmt.limitCount), INT8_TYPE, 'implicit') : null,
      offset: stmt.limitOffset ? lb.coerce(lb.bind(stmt.limitOffset), INT8_TYPE, 'implicit') : null,
      columns,
    };
  }
  return top;
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
        for (const c of cols) out.push({ name: c.name, expr: { kind: 'column', slot: c.slot, type: c.type, name: c.name }, node: null, tableOid: c.tableOid, attnum: c.attnum });
        continue;
      }
    }
    const expr = binder.bind(val);
    const source = expr.kind === 'column' ? scope.entries.flatMap((e) => e.columns).find((c) => c.slot === expr.slot) : undefined;
    out.push({ name: rt.name ?? columnNameFor(val), expr, node: val, tableOid: source?.tableOid ?? 0, attnum: source?.attnum ?? 0 });
  }
  return out;
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

/**
 * Rewrites an expression bound over the input row so that it reads the Aggregate node's output:
 * group expressions become its group columns, aggregate references its aggregate columns; any
 * other input column is a grouping error.
 */
function rewriteOverAggregate(e: Expr, groups: readonly Expr[], scope: Scope): Expr {
  const g = groups.findIndex((x) => exprEquals(x, e));
  if (g >= 0) return { kind: 'column', slot: g, type: e.type, name: `group${g + 1}` };
  switch (e.kind) {
    case 'aggregateRef':
      return { kind: 'column', slot: groups.length + e.index, type: e.type, name: `agg${e.index + 1}` };
    case 'column': {
      const entry = scope.entries.find((en) => en.columns.some((c) => c.slot === e.slot));
      const qualified = entry ? `${entry.refName}.${e.name}` : e.name;
      throw new SqlError(SqlState.groupingError, `column "${qualified}" must appear in the GROUP BY clause or be used in an aggregate function`);
    }
    case 'const':
    case 'param':
    case 'outerColumn':
    case 'subquery':
      return e;
    default:
      return mapChildren(e, (c) => rewriteOverAggregate(c, groups, scope));
  }
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

