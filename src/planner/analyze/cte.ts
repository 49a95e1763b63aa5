/**
 * WITH: common table expressions, as PostgreSQL's parse_cte.c treats them. Each CTE is analyzed
 * once into a CteDefinition; every reference to it becomes a CteScan of that one definition, so a
 * CTE named twice is computed once. WITH RECURSIVE CTEs whose query names itself become a
 * RecursiveUnion with a WorkTableScan for the self-reference. INSERT/UPDATE/DELETE may be CTEs at
 * the top level of a statement; they run to completion whether or not anything reads them.
 *
 * Names: CTEs of the statements being analyzed form a stack of frames per analysis (innermost
 * last), since derived tables and subqueries see the CTEs of every enclosing query.
 */
import type { CommonTableExpr, Node, SelectStmt, WithClause } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { formatType, type TypeRef } from '../../types/registry.js';
import type { CteDefinition, OutputColumn, PlanNode } from '../plan.js';
import { charPosition } from '../parser.js';
import { nodeAs, nodeTag, stringList, unsupported } from './ast.js';
import { ExpressionBinder } from './expressions.js';
import { Scope, type AnalyzerContext } from './scope.js';
import { analyzeSelect } from './select.js';
import { analyzeDelete, analyzeInsert, analyzeUpdate } from './dml.js';

interface CteName {
  readonly name: string;
  /** Set once analyzed; a recursive CTE's own term sees `workTable` instead. */
  def: CteDefinition | null;
  columns: OutputColumn[];
  /** While its recursive term is analyzed: the self-references found, by position (an item analyzed twice counts once). */
  workTable: { readonly cteId: number; readonly references: Set<number>; readonly subLinkDepth: number } | null;
}

interface AnalysisState {
  frames: CteName[][];
  nextId: number;
  /** How many SELECTs deep the analysis is (a data-modifying WITH must be at the top). */
  selectDepth: number;
  /** How many subqueries in expressions deep (a recursive reference must not be in one). */
  subLinkDepth: number;
}

const states = new WeakMap<AnalyzerContext, AnalysisState>();

function stateOf(ctx: AnalyzerContext): AnalysisState {
  let s = states.get(ctx);
  if (!s) {
    s = { frames: [], nextId: 1, selectDepth: 0, subLinkDepth: 0 };
    states.set(ctx, s);
  }
  return s;
}

/** Runs `analyze` one SELECT level deeper (for the top-level rule of data-modifying WITH). */
export function nestedSelect<T>(ctx: AnalyzerContext, analyze: () => T): T {
  const s = stateOf(ctx);
  s.selectDepth++;
  try {
    return analyze();
  } finally {
    s.selectDepth--;
  }
}

/** Runs `analyze` for a subquery in an expression (EXISTS, IN, scalar, ARRAY). */
export function inSubLink<T>(ctx: AnalyzerContext, analyze: () => T): T {
  const s = stateOf(ctx);
  s.subLinkDepth++;
  try {
    return analyze();
  } finally {
    s.subLinkDepth--;
  }
}

/**
 * Runs `analyze` (a view's query) with no CTE of the statement in scope: a view sees only its own
 * WITH. CTE ids keep counting in the statement's state, so the view's never clash with the
 * statement's.
 */
export function withoutStatementCtes<T>(ctx: AnalyzerContext, analyze: () => T): T {
  const s = stateOf(ctx);
  const { frames, subLinkDepth } = s;
  s.frames = [];
  s.subLinkDepth = 0;
  try {
    return nestedSelect(ctx, analyze);
  } finally {
    s.frames = frames;
    s.subLinkDepth = subLinkDepth;
  }
}

/** A CTE reference in FROM: the plan that reads it, or null when `name` is no CTE in scope. */
export function lookupCte(ctx: AnalyzerContext, name: string, location: number | undefined): { name: string; plan: PlanNode } | null {
  const frames = stateOf(ctx).frames;
  for (let f = frames.length - 1; f >= 0; f--) {
    const cte = frames[f]!.find((c) => c.name === name);
    if (!cte) continue;
    if (cte.workTable) {
      if (stateOf(ctx).subLinkDepth > cte.workTable.subLinkDepth) {
        throw new SqlError(SqlState.invalidRecursion, `recursive reference to query "${name}" must not appear within a subquery`, { position: charPosition(ctx.sql, location) });
      }
      cte.workTable.references.add(location ?? -1);
      if (cte.workTable.references.size > 1) {
        throw new SqlError(SqlState.invalidRecursion, `recursive reference to query "${name}" must not appear more than once`, { position: charPosition(ctx.sql, location) });
      }
      return { name, plan: { kind: 'workTableScan', cteId: cte.workTable.cteId, name, columns: cte.columns } };
    }
    if (!cte.def) throw new SqlError(SqlState.invalidRecursion, `recursive reference to query "${name}" must not appear within its non-recursive term`, { position: charPosition(ctx.sql, location) });
    if (cte.def.modifies && cte.columns.length === 0) {
      throw new SqlError(SqlState.featureNotSupported, `WITH query "${name}" does not have a RETURNING clause`, { position: charPosition(ctx.sql, location) });
    }
    return { name, plan: { kind: 'cteScan', cte: cte.def, columns: cte.columns } };
  }
  return null;
}

/**
 * Analyzes a WITH clause, then `body` with its CTEs in scope; the body's plan comes back wrapped in
 * the With node that holds the definitions.
 */
export function analyzeWith(ctx: AnalyzerContext, withClause: WithClause, parentScope: Scope | null, body: () => PlanNode): PlanNode {
  const state = stateOf(ctx);
  const frame: CteName[] = [];
  const defs: CteDefinition[] = [];
  state.frames.push(frame);
  try {
    for (const node of withClause.ctes ?? []) {
      const cte = nodeAs(node, 'CommonTableExpr')!;
      const name = cte.ctename ?? '';
      if (frame.some((c) => c.name === name)) {
        throw new SqlError(SqlState.duplicateAlias, `WITH query name "${name}" specified more than once`, { position: charPosition(ctx.sql, cte.location) });
      }
      if (cte.search_clause || cte.cycle_clause) throw unsupported('SEARCH and CYCLE clauses');
      const entry: CteName = { name, def: null, columns: [], workTable: null };
      frame.push(entry);
      const def = withClause.recursive && referencesName(cte.ctequery, name) ? analyzeRecursive(ctx, cte, entry, parentScope, state) : analyzePlain(ctx, cte, entry, parentScope, state);
      entry.def = def;
      defs.push(def);
    }
    const plan = body();
    return { kind: 'with', ctes: defs, input: plan, columns: plan.columns };
  } finally {
    state.frames.pop();
  }
}

function analyzePlain(ctx: AnalyzerContext, cte: CommonTableExpr, entry: CteName, parentScope: Scope | null, state: AnalysisState): CteDefinition {
  const query = cte.ctequery!;
  let plan: PlanNode;
  let modifies = false;
  switch (nodeTag(query)) {
    case 'SelectStmt':
      plan = analyzeSelect(ctx, nodeAs(query, 'SelectStmt')!, parentScope);
      break;
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
      if (state.selectDepth > 1 || state.frames.length > 1 || parentScope !== null) {
        throw new SqlError(SqlState.featureNotSupported, 'WITH clause containing a data-modifying statement must be at the top level', { position: charPosition(ctx.sql, cte.location) });
      }
      modifies = true;
      plan = nodeTag(query) === 'InsertStmt' ? analyzeInsert(ctx, nodeAs(query, 'InsertStmt')!) : nodeTag(query) === 'UpdateStmt' ? analyzeUpdate(ctx, nodeAs(query, 'UpdateStmt')!) : analyzeDelete(ctx, nodeAs(query, 'DeleteStmt')!);
      break;
    default:
      throw unsupported(`${nodeTag(query).replace(/Stmt$/, '')} in WITH`);
  }
  entry.columns = renamed(plan.columns, stringList(cte.aliascolnames), entry.name);
  return { id: state.nextId++, name: entry.name, plan, modifies };
}

/** Output columns with the CTE's column aliases applied to the visible ones. */
function renamed(columns: readonly OutputColumn[], aliases: readonly string[], cteName: string): OutputColumn[] {
  const visible = columns.filter((c) => !c.hidden).length;
  if (aliases.length > visible) {
    throw new SqlError(SqlState.invalidColumnReference, `WITH query "${cteName}" has ${visible} columns available but ${aliases.length} columns specified`);
  }
  let i = 0;
  return columns.map((c) => (c.hidden ? c : { ...c, name: aliases[i++] ?? c.name }));
}

/** `non-recursive term UNION [ALL] recursive term`, the second reading the first's rows round by round. */
function analyzeRecursive(ctx: AnalyzerContext, cte: CommonTableExpr, entry: CteName, parentScope: Scope | null, state: AnalysisState): CteDefinition {
  const query = nodeAs(cte.ctequery!, 'SelectStmt');
  const notTheForm = (): SqlError =>
    new SqlError(SqlState.invalidRecursion, `recursive query "${entry.name}" does not have the form non-recursive-term UNION [ALL] recursive-term`, {
      position: charPosition(ctx.sql, cte.location),
    });
  if (!query || query.op !== 'SETOP_UNION' || !query.larg || !query.rarg) throw notTheForm();
  if (query.sortClause?.length) throw new SqlError(SqlState.featureNotSupported, 'ORDER BY in a recursive query is not implemented');
  if (query.limitCount || query.limitOffset) throw new SqlError(SqlState.featureNotSupported, `${query.limitOffset && !query.limitCount ? 'OFFSET' : 'LIMIT'} in a recursive query is not implemented`);
  if (query.withClause) throw unsupported('WITH inside a recursive query');
  const nonRecursive = analyzeSelect(ctx, query.larg as SelectStmt, parentScope);
  entry.columns = renamed(nonRecursive.columns.filter((c) => !c.hidden), stringList(cte.aliascolnames), entry.name);
  const cteId = state.nextId++;
  entry.workTable = { cteId, references: new Set(), subLinkDepth: state.subLinkDepth };
  let recursive: PlanNode;
  try {
    recursive = analyzeSelect(ctx, query.rarg as SelectStmt, parentScope);
  } finally {
    entry.workTable = null;
  }
  const recVisible = recursive.columns.map((c, i) => ({ c, i })).filter((x) => !x.c.hidden);
  const nonRecVisible = nonRecursive.columns.map((c, i) => ({ c, i })).filter((x) => !x.c.hidden);
  if (recVisible.length !== nonRecVisible.length) throw new SqlError(SqlState.syntaxError, 'each UNION query must have the same number of columns');
  // The rows of both terms have the non-recursive term's types: PostgreSQL refuses a recursive
  // term that would widen them.
  const binder = new ExpressionBinder(ctx, Scope.empty(parentScope), null, 'UNION').withoutAggregates('UNION');
  const exprs = recVisible.map((r, k) => {
    const target = nonRecVisible[k]!.c.type;
    const ref = { kind: 'column' as const, slot: r.i, type: r.c.type, name: r.c.name };
    const overall = binder.commonType([{ kind: 'column', slot: 0, type: target, name: '' }, ref], 'UNION');
    if (overall.oid !== target.oid) {
      throw new SqlError(SqlState.datatypeMismatch, `recursive query "${entry.name}" column ${k + 1} has type ${typeName(target)} in non-recursive term but type ${typeName(overall)} overall`, {
        hint: 'Cast the output of the non-recursive term to the correct type.',
      });
    }
    return binder.coerce(ref, target, 'implicit');
  });
  const columns = entry.columns;
  const recursiveRows: PlanNode = { kind: 'project', input: recursive, exprs, columns };
  const nonRecursiveRows: PlanNode =
    nonRecVisible.length === nonRecursive.columns.length
      ? nonRecursive
      : { kind: 'project', input: nonRecursive, exprs: nonRecVisible.map((x) => ({ kind: 'column', slot: x.i, type: x.c.type, name: x.c.name })), columns };
  const plan: PlanNode = { kind: 'recursiveUnion', cteId, name: entry.name, all: query.all ?? false, nonRecursive: nonRecursiveRows, recursive: recursiveRows, columns };
  return { id: cteId, name: entry.name, plan, modifies: false };
}

function typeName(t: TypeRef): string {
  return formatType(t.oid);
}

/** Whether a query's text names `name` as a relation (a self-reference of a recursive CTE). */
function referencesName(node: Node | undefined, name: string): boolean {
  let found = false;
  const visit = (v: unknown): void => {
    if (found || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    const rv = (v as { RangeVar?: { relname?: string; schemaname?: string } }).RangeVar;
    if (rv && rv.relname === name && !rv.schemaname) {
      found = true;
      return;
    }
    for (const x of Object.values(v)) visit(x);
  };
  visit(node);
  return found;
}
