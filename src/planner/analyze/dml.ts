/** INSERT, UPDATE and DELETE analysis: target columns, assignment coercion, defaults, RETURNING. */
import type { Node, InsertStmt, UpdateStmt, DeleteStmt, RangeVar, OnConflictClause, WithClause } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import type { ColumnInfo, IndexInfo, TableInfo, ViewInfo } from '../../catalog/model.js';
import { andOf, type Expr } from '../expr.js';
import type { BoundCheck, InsertPlan, OnConflictPlan, OutputColumn, PlanNode, UpdatePlan, DeletePlan, WithPlan } from '../plan.js';
import { tableOutputColumns } from '../table-rows.js';
import { charPosition } from '../parser.js';
import { locationOf, nodeAs, nodeTag, stringList, unsupported } from './ast.js';
import { ExpressionBinder } from './expressions.js';
import { columnNameFor } from './names.js';
import { Scope, type AnalyzerContext, type RangeEntry } from './scope.js';
import { analyzeSelect, applyFilter } from './select.js';
import { analyzeWith } from './cte.js';
import { analyzeTargetFrom, type FromClause } from './from.js';
import { planFrom } from './joins.js';
import { viewColumnNotUpdatable, viewTarget, type DmlAction, type ViewTarget } from './views.js';

/**
 * What an INSERT, UPDATE or DELETE writes to: a table, or an automatically updatable view over one
 * (then the statement's names are the view's columns, and the view's conditions narrow UPDATE and
 * DELETE).
 */
interface Target {
  readonly table: TableInfo;
  readonly view: ViewInfo | null;
  readonly viewTarget: ViewTarget | null;
}

function resolveTarget(ctx: AnalyzerContext, rv: RangeVar, action: DmlAction): Target {
  try {
    const name = { schema: rv.schemaname ?? null, name: rv.relname ?? '' };
    const found = ctx.catalog.findRelation(name, ctx.searchPath, ctx.user);
    if (found?.kind === 'view') {
      const vt = viewTarget(ctx, found, action);
      return { table: vt.table, view: found, viewTarget: vt };
    }
    return { table: ctx.catalog.resolveTable(name, ctx.searchPath, ctx.user), view: null, viewTarget: null };
  } catch (e) {
    if (e instanceof SqlError && e.position === undefined) e.position = charPosition(ctx.sql, rv.location);
    throw e;
  }
}

/** The names a statement's expressions see for its target, over the table's row. */
function targetEntry(ctx: AnalyzerContext, target: Target, refName: string): RangeEntry {
  const { view, viewTarget: vt } = target;
  if (!view || !vt) return tableEntry(ctx, target.table, refName);
  const schema = ctx.catalog.schemaByOid(view.schemaOid);
  return {
    refName,
    schemaName: schema?.name ?? null,
    columns: vt.columns.map((c, i) => ({ name: c.name, type: c.type, slot: -1, tableOid: view.oid, attnum: i + 1, hidden: false, computed: c.expr })),
  };
}

/** The table column a target column name stands for. */
function targetColumn(ctx: AnalyzerContext, target: Target, action: DmlAction, name: string, node: Node | undefined): ColumnInfo {
  const { view, viewTarget: vt } = target;
  if (!view || !vt) return columnOf(ctx, target.table, name, node);
  const c = vt.columns.find((x) => x.name === name);
  if (!c) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${view.name}" does not exist`, { position: charPosition(ctx.sql, locationOf(node)) });
  if (!c.base) throw viewColumnNotUpdatable(view, action, name);
  return c.base;
}

function tableEntry(ctx: AnalyzerContext, table: TableInfo, refName: string, slotOffset = 0): RangeEntry {
  const schema = ctx.catalog.schemaByOid(table.schemaOid);
  return {
    refName,
    schemaName: schema?.name ?? null,
    columns: tableOutputColumns(table).map((c, i) => ({ name: c.name, type: c.type, slot: i + slotOffset, tableOid: c.tableOid, attnum: c.attnum, hidden: c.hidden ?? false })),
  };
}

/** The expression a column takes for DEFAULT: its default, its identity sequence, or NULL. */
export function defaultExpression(ctx: AnalyzerContext, table: TableInfo, column: ColumnInfo): Expr | null {
  const binder = new ExpressionBinder(ctx, Scope.empty(), null, 'DEFAULT expressions').withoutAggregates('DEFAULT expressions');
  if (column.identity !== '' && column.sequenceOid !== undefined) {
    const call = binder.bindFunctionByName('nextval', [{ kind: 'const', type: { oid: Oid.regclass, typmod: -1 }, value: column.sequenceOid }]);
    return binder.coerce(call, column.type, 'assignment', column.name);
  }
  if (!column.default) return null;
  const e = binder.bind(column.default.ast as Node);
  void table;
  return binder.coerce(e, column.type, 'assignment', column.name);
}

function returningList(binder: ExpressionBinder, scope: Scope, list: readonly Node[] | undefined): { exprs: Expr[]; columns: OutputColumn[] } | null {
  if (!list || list.length === 0) return null;
  const exprs: Expr[] = [];
  const columns: OutputColumn[] = [];
  for (const item of list) {
    const rt = nodeAs(item, 'ResTarget')!;
    const ref = nodeAs(rt.val!, 'ColumnRef');
    const names = ref ? stringList(ref.fields) : [];
    if (ref && names[names.length - 1] === '*') {
      for (const c of scope.expandStar(names.length > 1 ? names.slice(0, -1) : null)) {
        exprs.push(Scope.columnRef(c));
        columns.push({ name: c.name, type: c.type, tableOid: c.tableOid, attnum: c.attnum });
      }
      continue;
    }
    const e = binder.resolveUnknown(binder.bind(rt.val!));
    const src = e.kind === 'column' ? scope.entries.flatMap((en) => en.columns).find((c) => c.slot === e.slot) : undefined;
    exprs.push(e);
    columns.push({ name: rt.name ?? columnNameFor(rt.val), type: e.type, tableOid: src?.tableOid ?? 0, attnum: src?.attnum ?? 0 });
  }
  return { exprs, columns };
}

function columnOf(ctx: AnalyzerContext, table: TableInfo, name: string, node: Node | undefined): ColumnInfo {
  const c = table.columns.find((x) => x.name === name);
  if (!c) {
    throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`, { position: charPosition(ctx.sql, locationOf(node)) });
  }
  return c;
}

/** INSERT, UPDATE and DELETE with a WITH clause: the statement's plan under a With node. */
function withCtes<T extends PlanNode>(ctx: AnalyzerContext, stmt: { withClause?: WithClause }, analyze: () => T): T | WithPlan {
  return stmt.withClause ? (analyzeWith(ctx, stmt.withClause, null, analyze) as WithPlan) : analyze();
}

export function analyzeInsert(ctx: AnalyzerContext, stmt: InsertStmt): InsertPlan | WithPlan {
  return withCtes(ctx, stmt, () => insertPlan(ctx, stmt));
}

function insertPlan(ctx: AnalyzerContext, stmt: InsertStmt): InsertPlan {
  const target = resolveTarget(ctx, stmt.relation!, 'INSERT');
  const table = target.table;
  const refName = stmt.relation!.alias?.aliasname ?? target.view?.name ?? table.name;
  const overriding = stmt.override === 'OVERRIDING_SYSTEM_VALUE';

  const targets: ColumnInfo[] = [];
  if (stmt.cols?.length) {
    for (const c of stmt.cols) {
      const rt = nodeAs(c, 'ResTarget')!;
      if (rt.indirection?.length) throw unsupported('INSERT into array elements or fields');
      const col = targetColumn(ctx, target, 'INSERT', rt.name ?? '', c);
      if (targets.includes(col)) throw new SqlError(SqlState.duplicateColumn, `column "${rt.name}" specified more than once`, { position: charPosition(ctx.sql, rt.location) });
      targets.push(col);
    }
  } else if (target.viewTarget) {
    for (const c of target.viewTarget.columns) targets.push(targetColumn(ctx, target, 'INSERT', c.name, undefined));
  } else {
    targets.push(...table.columns);
  }

  const binder = new ExpressionBinder(ctx, Scope.empty(), null, 'VALUES', (s, scope) => analyzeSelect(ctx, s, scope.parent)).withoutAggregates('VALUES');
  const defaults = table.columns.map((c) => defaultExpression(ctx, table, c));
  const identityCheck = (col: ColumnInfo, node: Node): void => {
    if (col.identity === 'a' && !overriding) {
      throw new SqlError('428C9', `cannot insert a non-DEFAULT value into column "${col.name}"`, {
        detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`,
        hint: 'Use OVERRIDING SYSTEM VALUE to override.',
        position: charPosition(ctx.sql, locationOf(node)),
      });
    }
  };

  let input: PlanNode;
  let targetAttnums: number[];
  const select = stmt.selectStmt ? nodeAs(stmt.selectStmt, 'SelectStmt') : undefined;
  if (!select) {
    // DEFAULT VALUES
    input = { kind: 'values', rows: [[]], columns: [] };
    targetAttnums = [];
  } else if (select.valuesLists && !select.sortClause && !select.limitCount && !select.limitOffset) {
    const rows = select.valuesLists.map((l) => nodeAs(l, 'List')?.items ?? []);
    for (const row of rows) {
      if (row.length > targets.length) throw new SqlError(SqlState.syntaxError, 'INSERT has more expressions than target columns', { position: charPosition(ctx.sql, locationOf(row[targets.length])) });
      if (row.length < targets.length && stmt.cols?.length) throw new SqlError(SqlState.syntaxError, 'INSERT has more target columns than expressions', { position: charPosition(ctx.sql, locationOf(stmt.cols[row.length])) });
    }
    const width = Math.max(...rows.map((r) => r.length));
    const used = targets.slice(0, width);
    const bound = rows.map((row) =>
      used.map((col, i) => {
        const item = row[i];
        if (!item || nodeTag(item) === 'SetToDefault') {
          const d = defaults[table.columns.indexOf(col)] ?? null;
          return d ?? { kind: 'const' as const, type: col.type, value: null };
        }
        identityCheck(col, item);
        const e = binder.bind(item, col.type);
        try {
          return binder.coerce(e, col.type, 'assignment', col.name);
        } catch (err) {
          if (err instanceof SqlError && err.position === undefined) err.position = charPosition(ctx.sql, locationOf(item));
          throw err;
        }
      }),
    );
    input = { kind: 'values', rows: bound, columns: used.map((c) => ({ name: c.name, type: c.type, tableOid: 0, attnum: 0 })) };
    targetAttnums = used.map((c) => c.attnum);
  } else {
    const sub = analyzeSelect(ctx, select, null, { resolveUnknowns: false });
    const visible = sub.columns.map((c, i) => ({ c, i })).filter((x) => !x.c.hidden);
    if (visible.length > targets.length) throw new SqlError(SqlState.syntaxError, 'INSERT has more expressions than target columns');
    if (visible.length < targets.length && stmt.cols?.length) throw new SqlError(SqlState.syntaxError, 'INSERT has more target columns than expressions');
    const used = targets.slice(0, visible.length);
    for (const col of used) if (col.identity === 'a' && !overriding) identityCheck(col, stmt.selectStmt!);
    const exprs = used.map((col, k) => binder.coerce({ kind: 'column', slot: visible[k]!.i, type: visible[k]!.c.type, name: visible[k]!.c.name }, col.type, 'assignment', col.name));
    input = { kind: 'project', input: sub, exprs, columns: used.map((c) => ({ name: c.name, type: c.type, tableOid: 0, attnum: 0 })) };
    targetAttnums = used.map((c) => c.attnum);
  }

  // Expressions over the new row (RETURNING) and, for ON CONFLICT, over [existing, excluded].
  const rowScope = new Scope([targetEntry(ctx, target, refName)]);
  if (stmt.onConflictClause && target.view && stmt.onConflictClause.action !== 'ONCONFLICT_NOTHING') throw unsupported('ON CONFLICT DO UPDATE on a view');
  const onConflict = stmt.onConflictClause ? analyzeOnConflict(ctx, target, refName, stmt.onConflictClause) : null;
  const returning = returningList(new ExpressionBinder(ctx, rowScope, null, 'RETURNING').withoutAggregates('RETURNING'), rowScope, stmt.returningClause?.exprs);
  return {
    kind: 'insert',
    table,
    input,
    targetAttnums,
    defaults,
    onConflict,
    checks: boundChecks(ctx, table),
    returning: returning?.exprs ?? null,
    columns: returning?.columns ?? [],
  };
}

function analyzeOnConflict(ctx: AnalyzerContext, target: Target, refName: string, clause: OnConflictClause): OnConflictPlan {
  const table = target.table;
  let arbiter: IndexInfo | null = null;
  const infer = clause.infer;
  if (infer?.conname) {
    const con = table.constraints.find((c) => c.name === infer.conname);
    if (!con) throw new SqlError(SqlState.undefinedObject, `constraint "${infer.conname}" for table "${table.name}" does not exist`);
    arbiter = table.indexes.find((i) => i.oid === con.indexOid) ?? null;
    if (!arbiter) throw new SqlError(SqlState.wrongObjectType, 'constraint in ON CONFLICT clause has no associated index');
  } else if (infer?.indexElems?.length) {
    const attnums = infer.indexElems.map((e) => {
      const el = nodeAs(e, 'IndexElem')!;
      if (!el.name) throw unsupported('expressions in an ON CONFLICT target');
      return targetColumn(ctx, target, 'INSERT', el.name, e).attnum;
    });
    arbiter = table.indexes.find((i) => i.unique && i.columns.length === attnums.length && i.columns.every((a) => attnums.includes(a))) ?? null;
    if (!arbiter) {
      throw new SqlError(SqlState.invalidColumnReference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    }
  }
  if (clause.action === 'ONCONFLICT_NOTHING') return { arbiter, action: 'nothing', assignments: [], where: null };
  if (!arbiter) {
    throw new SqlError(SqlState.syntaxError, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', {
      hint: 'For example, ON CONFLICT (column_name).',
    });
  }
  const width = tableOutputColumns(table).length;
  const scope = new Scope([tableEntry(ctx, table, refName), tableEntry(ctx, table, 'excluded', width)]);
  const binder = new ExpressionBinder(ctx, scope, null, 'ON CONFLICT DO UPDATE').withoutAggregates('ON CONFLICT DO UPDATE');
  const assignments = setAssignments(ctx, binder, target, clause.targetList ?? []);
  const where = clause.whereClause ? binder.coerceToBool(binder.bind(clause.whereClause), 'WHERE') : null;
  return { arbiter, action: 'update', assignments, where };
}

function setAssignments(ctx: AnalyzerContext, binder: ExpressionBinder, target: Target, targetList: readonly Node[]): Array<{ attnum: number; expr: Expr }> {
  const table = target.table;
  const out: Array<{ attnum: number; expr: Expr }> = [];
  for (const t of targetList) {
    const rt = nodeAs(t, 'ResTarget')!;
    if (rt.indirection?.length) throw unsupported('assignment to array elements or fields');
    if (rt.val && nodeTag(rt.val) === 'MultiAssignRef') throw unsupported('multiple-column assignment');
    const col = targetColumn(ctx, target, 'UPDATE', rt.name ?? '', t);
    if (out.some((a) => a.attnum === col.attnum)) throw new SqlError(SqlState.duplicateColumn, `multiple assignments to same column "${rt.name}"`);
    const isDefault = rt.val !== undefined && nodeTag(rt.val) === 'SetToDefault';
    if (col.identity === 'a' && !isDefault) {
      throw new SqlError('428C9', `column "${col.name}" can only be updated to DEFAULT`, {
        detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`,
        position: charPosition(ctx.sql, rt.location),
      });
    }
    let expr: Expr;
    if (isDefault) expr = defaultExpression(ctx, table, col) ?? { kind: 'const', type: col.type, value: null };
    else {
      const e = binder.bind(rt.val!, col.type);
      try {
        expr = binder.coerce(e, col.type, 'assignment', col.name);
      } catch (err) {
        if (err instanceof SqlError && err.position === undefined) err.position = charPosition(ctx.sql, locationOf(rt.val));
        throw err;
      }
    }
    out.push({ attnum: col.attnum, expr });
  }
  return out;
}

/** The table's CHECK constraints bound over its row layout. */
export function boundChecks(ctx: AnalyzerContext, table: TableInfo): BoundCheck[] {
  const checks = table.constraints.filter((c) => c.type === 'c' && c.check);
  if (checks.length === 0) return [];
  const scope = new Scope([tableEntry(ctx, table, table.name)]);
  const binder = new ExpressionBinder(ctx, scope, null, 'check constraints').withoutAggregates('check constraints');
  return checks.map((c) => ({ name: c.name, expr: binder.coerceToBool(binder.bind(c.check!.ast as Node), 'CHECK') }));
}

export function analyzeUpdate(ctx: AnalyzerContext, stmt: UpdateStmt): UpdatePlan | WithPlan {
  return withCtes(ctx, stmt, () => updatePlan(ctx, stmt));
}

function updatePlan(ctx: AnalyzerContext, stmt: UpdateStmt): UpdatePlan {
  const target = resolveTarget(ctx, stmt.relation!, 'UPDATE');
  const table = target.table;
  const { scope, from } = targetScope(ctx, target, stmt.relation!.alias?.aliasname, stmt.fromClause, 'UPDATE ... FROM');
  const planSub = (s: import('@pgsql/types').SelectStmt, sc: Scope): PlanNode => analyzeSelect(ctx, s, sc.parent);
  const binder = new ExpressionBinder(ctx, scope, null, 'UPDATE', planSub).withoutAggregates('UPDATE');
  const assignments = setAssignments(ctx, binder, target, stmt.targetList ?? []);
  const input = targetInput(ctx, target, scope, from, stmt.whereClause, planSub);
  const returning = returningList(new ExpressionBinder(ctx, scope, null, 'RETURNING', planSub).withoutAggregates('RETURNING'), scope, stmt.returningClause?.exprs);
  return { kind: 'update', table, input, joined: from !== null, assignments, checks: boundChecks(ctx, table), returning: returning?.exprs ?? null, columns: returning?.columns ?? [] };
}

/**
 * The names UPDATE and DELETE see: the target alone, or (FROM / USING) the target table followed by
 * the other items, as one FROM clause whose rows start with the target row.
 */
function targetScope(
  ctx: AnalyzerContext,
  target: Target,
  alias: string | undefined,
  items: readonly Node[] | undefined,
  clause: string,
): { scope: Scope; from: FromClause | null } {
  if (!items?.length) return { scope: new Scope([targetEntry(ctx, target, alias ?? target.view?.name ?? target.table.name)]), from: null };
  if (target.view) throw unsupported(`${clause} on a view`);
  const from = analyzeTargetFrom(ctx, target.table, alias, items);
  return { scope: from.scope, from };
}

/**
 * The rows to change: the target table's, or the join of the target with the FROM (USING) items,
 * that pass the view's conditions (when the target is a view) and WHERE.
 */
function targetInput(
  ctx: AnalyzerContext,
  target: Target,
  scope: Scope,
  from: FromClause | null,
  whereClause: Node | undefined,
  planSub: (s: import('@pgsql/types').SelectStmt, sc: Scope) => PlanNode,
): PlanNode {
  const parts: Expr[] = [];
  if (target.viewTarget?.where) parts.push(target.viewTarget.where);
  if (whereClause) {
    const wb = new ExpressionBinder(ctx, scope, null, 'WHERE', planSub).withoutAggregates('WHERE');
    parts.push(wb.coerceToBool(wb.bind(whereClause), 'WHERE'));
  }
  const predicate = andOf(parts);
  if (from) return planFrom(from, predicate);
  const read: PlanNode = { kind: 'tableRead', table: target.table, access: { kind: 'all', filter: null, limit: null }, columns: tableOutputColumns(target.table) };
  return predicate ? applyFilter(read, predicate) : read;
}

export function analyzeDelete(ctx: AnalyzerContext, stmt: DeleteStmt): DeletePlan | WithPlan {
  return withCtes(ctx, stmt, () => deletePlan(ctx, stmt));
}

function deletePlan(ctx: AnalyzerContext, stmt: DeleteStmt): DeletePlan {
  const target = resolveTarget(ctx, stmt.relation!, 'DELETE');
  const table = target.table;
  const { scope, from } = targetScope(ctx, target, stmt.relation!.alias?.aliasname, stmt.usingClause, 'DELETE ... USING');
  const planSub = (s: import('@pgsql/types').SelectStmt, sc: Scope): PlanNode => analyzeSelect(ctx, s, sc.parent);
  const input = targetInput(ctx, target, scope, from, stmt.whereClause, planSub);
  const returning = returningList(new ExpressionBinder(ctx, scope, null, 'RETURNING', planSub).withoutAggregates('RETURNING'), scope, stmt.returningClause?.exprs);
  return { kind: 'delete', table, input, joined: from !== null, returning: returning?.exprs ?? null, columns: returning?.columns ?? [] };
}

