/**
 * Views. CREATE VIEW binds the query once, to fix the view's output columns (names and types, as
 * pg_attribute keeps them) and to find the relations it reads. A query that names the view binds
 * the stored query again as a subquery of its own, as PostgreSQL's rewriter expands a view's
 * _RETURN rule, so filters and joins over a view are planned like those over any subquery.
 *
 * The stored query names every relation with its schema (the binding at creation decides which
 * relation a name means), so a view reads the same relations whatever the search path of the
 * session that uses it.
 *
 * INSERT, UPDATE and DELETE on a view write to the table underneath when the view is automatically
 * updatable (viewTarget); otherwise they fail as PostgreSQL fails for such a view.
 */
import type { Node, RangeVar, SelectStmt } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { relationSchemaOid, type Relation } from '../../catalog/catalog.js';
import type { ColumnInfo, TableInfo, ViewColumn, ViewInfo } from '../../catalog/model.js';
import type { TypeRef } from '../../types/registry.js';
import { andOf, type Expr } from '../expr.js';
import type { OutputColumn, PlanNode } from '../plan.js';
import { tableOutputColumns } from '../table-rows.js';
import { nodeAs, nodeTag, stringList } from './ast.js';
import { ExpressionBinder } from './expressions.js';
import { Scope, type AnalyzerContext, type ScopeColumn } from './scope.js';
import { analyzeSelect } from './select.js';
import { withoutStatementCtes } from './cte.js';

type RelationNote = (rv: RangeVar, relation: Relation) => void;

/** While a CREATE VIEW query is bound: what each of its FROM names resolved to. */
const relationNotes = new WeakMap<AnalyzerContext, RelationNote>();
/** The views being expanded in an analysis (a view that reads itself would never end). */
const expanding = new WeakMap<AnalyzerContext, Set<number>>();

/** Called by FROM analysis for every name that resolved to a relation. */
export function noteRelation(ctx: AnalyzerContext, rv: RangeVar, relation: Relation): void {
  relationNotes.get(ctx)?.(rv, relation);
}

export interface ViewDefinition {
  readonly columns: ViewColumn[];
  /** The query with its relation names schema-qualified (a copy: the statement's tree is not changed). */
  readonly query: SelectStmt;
  /** Tables and views it reads. */
  readonly dependsOn: number[];
}

/** Binds the query of CREATE VIEW. */
export function defineView(ctx: AnalyzerContext, query: SelectStmt): ViewDefinition {
  const copy = structuredClone(query);
  if (copy.intoClause) throw new SqlError(SqlState.featureNotSupported, 'views must not contain SELECT INTO');
  if (containsModifyingCte(copy as unknown)) throw new SqlError(SqlState.featureNotSupported, 'views must not contain data-modifying statements in WITH');
  const found: Array<readonly [RangeVar, Relation]> = [];
  relationNotes.set(ctx, (rv, r) => found.push([rv, r]));
  let plan: PlanNode;
  try {
    plan = analyzeSelect(ctx, copy, null);
  } finally {
    relationNotes.delete(ctx);
  }
  if (ctx.paramTypes.length > 0) throw new SqlError(SqlState.undefinedParameter, 'there is no parameter $1');
  const dependsOn = new Set<number>();
  for (const [rv, r] of found) {
    rv.schemaname = ctx.catalog.schemaByOid(relationSchemaOid(r))?.name;
    if (r.kind === 'table' || r.kind === 'view') dependsOn.add(r.oid);
  }
  const columns = visibleColumns(plan).map(({ column }, i) => ({ name: column.name, attnum: i + 1, type: column.type }));
  return { columns, query: copy, dependsOn: [...dependsOn] };
}

/**
 * The rows of a view, as a plan whose columns are the view's: its stored query bound again, with
 * none of the statement's CTEs in scope and no reference to the enclosing query.
 */
export function expandView(ctx: AnalyzerContext, view: ViewInfo): PlanNode {
  // The view's own names are not the CREATE VIEW query's: they are not noted.
  const note = relationNotes.get(ctx);
  relationNotes.delete(ctx);
  let plan: PlanNode;
  try {
    plan = guarded(ctx, view, () => withoutStatementCtes(ctx, () => analyzeSelect(ctx, view.query as SelectStmt, null)));
  } catch (e) {
    // Positions would point into the view's text, not the statement's.
    if (e instanceof SqlError) e.position = undefined;
    throw e;
  } finally {
    if (note) relationNotes.set(ctx, note);
  }
  const visible = visibleColumns(plan);
  // Columns added to a table after the view was created come after the view's own (`*` is bound
  // again); they are left out, as PostgreSQL expanded `*` once at creation.
  const changed = visible.length < view.columns.length || view.columns.some((c, i) => visible[i]!.column.type.oid !== c.type.oid);
  if (changed) throw new SqlError(SqlState.featureNotSupported, `view "${view.name}" no longer matches the relations it reads`);
  const exprs: Expr[] = view.columns.map((c, i) => ({ kind: 'column', slot: visible[i]!.index, type: visible[i]!.column.type, name: c.name }));
  const columns: OutputColumn[] = view.columns.map((c) => ({ name: c.name, type: c.type, tableOid: view.oid, attnum: c.attnum }));
  return { kind: 'project', input: plan, exprs, columns };
}

function visibleColumns(plan: PlanNode): Array<{ column: OutputColumn; index: number }> {
  return plan.columns.map((column, index) => ({ column, index })).filter((c) => !c.column.hidden);
}

function containsModifyingCte(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsModifyingCte);
  if (typeof node !== 'object' || node === null) return false;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'CommonTableExpr') {
      const q = (value as { ctequery?: Node }).ctequery;
      if (q && ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'].includes(nodeTag(q))) return true;
    }
    if (containsModifyingCte(value)) return true;
  }
  return false;
}

/**
 * An automatically updatable view (PostgreSQL's rules: one table or updatable view in FROM, no
 * DISTINCT, GROUP BY, HAVING, set operation, WITH, LIMIT, aggregate, window or set-returning
 * function) as the target of INSERT, UPDATE or DELETE: the table underneath, the view's columns as
 * expressions over that table's row, and the view's conditions over it.
 */
export interface ViewTarget {
  readonly table: TableInfo;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: TypeRef; readonly expr: Expr; readonly base: ColumnInfo | null }>;
  readonly where: Expr | null;
}

export type DmlAction = 'INSERT' | 'UPDATE' | 'DELETE';

/** The table `view` writes to, or 55000 with PostgreSQL's reason when it is not automatically updatable. */
export function viewTarget(ctx: AnalyzerContext, view: ViewInfo, action: DmlAction): ViewTarget {
  const q = view.query as SelectStmt;
  const reason = notUpdatableReason(ctx, q);
  if (reason) throw notUpdatable(view, action, reason);
  const rv = nodeAs(q.fromClause![0], 'RangeVar')!;
  const rel = ctx.catalog.findRelation({ schema: rv.schemaname ?? null, name: rv.relname ?? '' }, ctx.searchPath, ctx.user);
  let table: TableInfo;
  let columns: ScopeColumn[];
  const where: Expr[] = [];
  if (rel?.kind === 'view') {
    const inner = guarded(ctx, rel, () => viewTarget(ctx, rel, action));
    table = inner.table;
    columns = inner.columns.map((c, i) => ({ name: c.name, type: c.type, slot: -1, tableOid: rel.oid, attnum: i + 1, hidden: false, computed: c.expr }));
    if (inner.where) where.push(inner.where);
  } else if (rel?.kind === 'table') {
    table = rel;
    columns = tableOutputColumns(rel).map((c, i) => ({ name: c.name, type: c.type, slot: i, tableOid: c.tableOid, attnum: c.attnum, hidden: c.hidden ?? false }));
  } else {
    throw notUpdatable(view, action, SINGLE_RELATION);
  }
  const aliasCols = stringList(rv.alias?.colnames);
  if (aliasCols.length) columns = columns.map((c, i) => ({ ...c, name: aliasCols[i] ?? c.name }));
  const scope = new Scope([{ refName: rv.alias?.aliasname ?? rv.relname ?? '', schemaName: rv.alias ? null : (rv.schemaname ?? null), columns }]);
  const planSub = (s: SelectStmt, sc: Scope): PlanNode => analyzeSelect(ctx, s, sc.parent);
  const binder = new ExpressionBinder(ctx, scope, null, 'WHERE', planSub).withoutAggregates('WHERE');
  if (q.whereClause) where.push(binder.coerceToBool(binder.bind(q.whereClause), 'WHERE'));
  const exprs: Expr[] = [];
  for (const t of q.targetList ?? []) {
    const rt = nodeAs(t, 'ResTarget')!;
    const ref = nodeAs(rt.val, 'ColumnRef');
    const names = ref ? stringList(ref.fields) : [];
    if (ref && names[names.length - 1] === '*') {
      for (const c of scope.expandStar(names.length > 1 ? names.slice(0, -1) : null)) exprs.push(Scope.columnRef(c));
    } else {
      exprs.push(binder.resolveUnknown(binder.bind(rt.val!)));
    }
  }
  const layout = tableOutputColumns(table);
  const out = view.columns.map((c, i) => {
    const e = exprs[i]!;
    const source = e.kind === 'column' ? layout[e.slot] : undefined;
    const base = source && !source.hidden ? (table.columns.find((x) => x.attnum === source.attnum) ?? null) : null;
    return { name: c.name, type: c.type, expr: e, base };
  });
  if (action !== 'DELETE' && out.every((c) => c.base === null)) throw notUpdatable(view, action, 'Views that have no updatable columns are not automatically updatable.');
  return { table, columns: out, where: andOf(where) };
}

/** 55000 for a column of a view that is not a column of the table underneath. */
export function viewColumnNotUpdatable(view: ViewInfo, action: DmlAction, column: string): SqlError {
  return new SqlError(SqlState.featureNotSupported, `cannot ${action === 'INSERT' ? 'insert into' : 'update'} column "${column}" of view "${view.name}"`, {
    detail: 'View columns that are not columns of their base relation are not updatable.',
  });
}

function guarded<T>(ctx: AnalyzerContext, view: ViewInfo, run: () => T): T {
  let active = expanding.get(ctx);
  if (!active) {
    active = new Set();
    expanding.set(ctx, active);
  }
  if (active.has(view.oid)) throw new SqlError(SqlState.invalidObjectDefinition, `infinite recursion detected in rules for relation "${view.name}"`);
  active.add(view.oid);
  try {
    return run();
  } finally {
    active.delete(view.oid);
  }
}

function notUpdatable(view: ViewInfo, action: DmlAction, detail: string): SqlError {
  const verb = action === 'INSERT' ? 'insert into' : action === 'UPDATE' ? 'update' : 'delete from';
  const gerund = action === 'INSERT' ? 'inserting into' : action === 'UPDATE' ? 'updating' : 'deleting from';
  return new SqlError(SqlState.objectNotInPrerequisiteState, `cannot ${verb} view "${view.name}"`, {
    detail,
    hint: `To enable ${gerund} the view, provide an INSTEAD OF ${action} trigger or an unconditional ON ${action} DO INSTEAD rule.`,
  });
}

const SINGLE_RELATION = 'Views that do not select from a single table or view are not automatically updatable.';

/** Why a view's query is not automatically updatable (view_query_is_auto_updatable, in its order), or null. */
function notUpdatableReason(ctx: AnalyzerContext, q: SelectStmt): string | null {
  const containing = (what: string) => `Views containing ${what} are not automatically updatable.`;
  const returning = (what: string) => `Views that return ${what} are not automatically updatable.`;
  if (q.distinctClause) return containing('DISTINCT');
  if (q.groupClause?.length) return containing('GROUP BY');
  if (q.havingClause) return containing('HAVING');
  if (q.op && q.op !== 'SETOP_NONE') return containing('UNION, INTERSECT, or EXCEPT');
  if (q.withClause) return containing('WITH');
  if (q.limitCount || q.limitOffset) return containing('LIMIT or OFFSET');
  const calls = (q.targetList ?? []).flatMap((t) => functionCalls(nodeAs(t, 'ResTarget')?.val));
  if (calls.some((c) => !c.over && ctx.registry.isAggregate(c.name))) return returning('aggregate functions');
  if (calls.some((c) => c.over)) return returning('window functions');
  if (calls.some((c) => setReturning(ctx).has(c.name))) return returning('set-returning functions');
  const from = q.fromClause ?? [];
  if (from.length !== 1 || nodeTag(from[0]!) !== 'RangeVar') return SINGLE_RELATION;
  return null;
}

/** Function calls in an expression, outside subqueries. */
function functionCalls(node: unknown): Array<{ name: string; over: boolean }> {
  if (Array.isArray(node)) return node.flatMap(functionCalls);
  if (typeof node !== 'object' || node === null) return [];
  const out: Array<{ name: string; over: boolean }> = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'SubLink') continue;
    if (key === 'FuncCall') {
      const call = value as { funcname?: Node[]; over?: unknown };
      out.push({ name: stringList(call.funcname).pop() ?? '', over: call.over !== undefined });
    }
    out.push(...functionCalls(value));
  }
  return out;
}

const setReturningNames = new WeakMap<object, Set<string>>();

function setReturning(ctx: AnalyzerContext): Set<string> {
  let names = setReturningNames.get(ctx.registry);
  if (!names) {
    names = new Set([...ctx.registry.declarations()].filter((d) => d.setReturning).map((d) => d.name));
    setReturningNames.set(ctx.registry, names);
  }
  return names;
}
