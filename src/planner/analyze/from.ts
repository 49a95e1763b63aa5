/**
 * FROM clause analysis: tables, views, CTE references, subqueries, VALUES, functions and joins become a
 * tree of FROM items, and their names a Scope, as PostgreSQL's transformFromClause builds its
 * namespace. Which operators read and join them is decided afterwards (joins.ts), once WHERE is
 * bound and can be pushed down.
 *
 * Row layout: every expression of the query reads one "FROM row", the columns of all leaves in the
 * order they are written (a subtree is a contiguous range of it). Join planning may produce rows in
 * another order internally; it restores this one wherever an expression needs it.
 *
 * LATERAL: an item that may refer to the items before it (a LATERAL subquery, any function in
 * FROM) is analyzed with those items as an enclosing scope level, so its references to them are
 * outer references (depth 1), read from the left row the nested loop pushes for it. When it turns
 * out not to refer to them, it is analyzed again without that level and joins like any other item.
 */
import type { Node, JoinExpr, RangeFunction, RangeSubselect, RangeVar, SelectStmt } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { formatType } from '../../types/registry.js';
import { type Expr, conjuncts, containsSubquery, remapColumns, INT8_TYPE } from '../expr.js';
import type { FunctionCallSpec, JoinType, OutputColumn, PlanNode } from '../plan.js';
import { tableOutputColumns } from '../table-rows.js';
import { charPosition } from '../parser.js';
import { nodeAs, nodeTag, stringList, unsupported } from './ast.js';
import { ExpressionBinder } from './expressions.js';
import { Scope, type AnalyzerContext, type RangeEntry, type ScopeColumn } from './scope.js';
import { analyzeSelect } from './select.js';
import { lookupCte } from './cte.js';
import { expandView, noteRelation } from './views.js';
import type { SystemRelation } from '../../catalog/system/relations.js';
import { readableSystemColumns } from '../../catalog/system/rows.js';
import { fieldSelectExpr, recordFields, recordType, recordValue } from '../records.js';
import type { SequenceInfo, TableInfo } from '../../catalog/model.js';
import type { ScalarFunction } from '../functions/registry.js';

export interface FromLeaf {
  readonly kind: 'leaf';
  readonly plan: PlanNode;
  /** First slot of the leaf in the FROM row. */
  readonly offset: number;
  readonly width: number;
}

/** A join condition conjunct. */
export interface JoinQual {
  readonly expr: Expr;
  /**
   * True: bound over the join's own input row (left then right, in FROM order) because it holds a
   * subquery, whose plan reads that row; it is evaluated at this join only. False: over the FROM row.
   */
  readonly local: boolean;
}

export interface FromJoin {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: FromNode;
  readonly right: FromNode;
  /** The right side reads the left row (LATERAL). */
  readonly lateral: boolean;
  readonly quals: readonly JoinQual[];
  readonly offset: number;
  readonly width: number;
}

export type FromNode = FromLeaf | FromJoin;

/** One comma-separated FROM item. */
export interface FromItem {
  readonly node: FromNode;
  /** Reads the row of the items before it (LATERAL). */
  readonly lateral: boolean;
}

export interface FromClause {
  readonly items: readonly FromItem[];
  /** The names of the FROM row (parent: the enclosing query's scope). */
  readonly scope: Scope;
  /** The FROM row's columns. */
  readonly columns: readonly OutputColumn[];
}

/** Where an item is analyzed: the scopes its expressions see, and where its columns start. */
interface ItemEnv {
  /** The enclosing level seen by LATERAL items (the items to their left, then the enclosing query). */
  readonly lateral: Scope | null;
  /** The same depth for everything else (it does not show the items to the left). */
  readonly opaque: Scope | null;
  readonly offset: number;
}

interface AnalyzedItem {
  readonly node: FromNode;
  /** Namespace entries it adds (slots in the FROM row). */
  readonly entries: RangeEntry[];
  /** Its columns as a join input sees them (for USING, NATURAL and the join's own entry). */
  readonly joinColumns: ScopeColumn[];
  /** Output columns of its rows, in FROM row order. */
  readonly columns: OutputColumn[];
}

/** Entries' extra facts for PostgreSQL's duplicate-name rule (checkNameSpaceConflicts). */
interface EntryFacts {
  readonly aliased: boolean;
  readonly relOid: number;
}
const entryFacts = new WeakMap<RangeEntry, EntryFacts>();

/** The OID of the table or catalog relation an entry of FROM reads directly; 0 for anything else. */
export function entryRelationOid(entry: RangeEntry): number {
  return entryFacts.get(entry)?.relOid ?? 0;
}

export function analyzeFrom(ctx: AnalyzerContext, from: readonly Node[], parentScope: Scope | null): FromClause {
  return fromItems(ctx, from, null, parentScope, parentScope);
}

/**
 * The FROM (USING) clause of UPDATE or DELETE: the target table is the first item, named for SET,
 * WHERE and RETURNING, while the other items do not see it. As in PostgreSQL, a reference to it
 * from a LATERAL item or a function is 42P10, from anywhere else in them a name that is not there.
 */
export function analyzeTargetFrom(ctx: AnalyzerContext, table: TableInfo, aliasName: string | undefined, from: readonly Node[]): FromClause {
  const plan: PlanNode = { kind: 'tableRead', table, access: { kind: 'all', filter: null, limit: null }, columns: tableOutputColumns(table) };
  const schema = aliasName ? null : (ctx.catalog.schemaByOid(table.schemaOid)?.name ?? null);
  const target = leafItem(plan, aliasName ?? table.name, schema, [], { lateral: null, opaque: null, offset: 0 }, { aliased: aliasName !== undefined, relOid: table.oid });
  const refused = new Scope(target.entries.map((e) => ({ ...e, refused: true })));
  return fromItems(ctx, from, target, null, refused);
}

/**
 * The items of `from` after `lead` (an item they may not read), under `parentScope`. LATERAL items
 * and functions see the items to their left, then `lateralParent`.
 */
function fromItems(ctx: AnalyzerContext, from: readonly Node[], lead: AnalyzedItem | null, parentScope: Scope | null, lateralParent: Scope | null): FromClause {
  const namespace: RangeEntry[] = [];
  const items: FromItem[] = lead ? [{ node: lead.node, lateral: false }] : [];
  const columns: OutputColumn[] = lead ? [...lead.columns] : [];
  const leadEntries = lead?.entries ?? [];
  for (const node of from) {
    const base: ItemEnv = { lateral: lateralParent, opaque: parentScope, offset: columns.length };
    let item: AnalyzedItem;
    let lateral = false;
    if (namespace.length > 0 && mayBeLateral(node)) {
      const left = new Scope([...namespace], lateralParent);
      item = analyzeItem(ctx, node, { lateral: left, opaque: Scope.empty(parentScope), offset: columns.length });
      if (left.ownHits() > 0) lateral = true;
      else item = analyzeItem(ctx, node, base);
    } else {
      item = analyzeItem(ctx, node, base);
    }
    checkNameConflicts([...leadEntries, ...namespace], item.entries);
    namespace.push(...item.entries);
    items.push({ node: item.node, lateral });
    columns.push(...item.columns);
  }
  return { items, scope: new Scope([...leadEntries, ...namespace], parentScope), columns };
}

/** Items that may read the items to their left: functions, LATERAL subqueries, joins holding one. */
function mayBeLateral(node: Node): boolean {
  switch (nodeTag(node)) {
    case 'RangeFunction':
      return true;
    case 'RangeSubselect':
      return nodeAs(node, 'RangeSubselect')!.lateral === true;
    case 'JoinExpr': {
      const j = nodeAs(node, 'JoinExpr')!;
      return mayBeLateral(j.larg!) || mayBeLateral(j.rarg!);
    }
    default:
      return false;
  }
}

function analyzeItem(ctx: AnalyzerContext, node: Node, env: ItemEnv): AnalyzedItem {
  switch (nodeTag(node)) {
    case 'RangeVar':
      return relationItem(ctx, nodeAs(node, 'RangeVar')!, env);
    case 'RangeSubselect':
      return subqueryItem(ctx, nodeAs(node, 'RangeSubselect')!, env);
    case 'RangeFunction':
      return functionItem(ctx, nodeAs(node, 'RangeFunction')!, env);
    case 'JoinExpr':
      return joinItem(ctx, nodeAs(node, 'JoinExpr')!, env);
    case 'RangeTableSample':
      throw unsupported('TABLESAMPLE');
    default:
      throw unsupported(`FROM item ${nodeTag(node)}`);
  }
}

/** A leaf whose rows are `plan`'s, named `refName` with optional column aliases. */
function leafItem(plan: PlanNode, refName: string, schemaName: string | null, aliasCols: readonly string[], env: ItemEnv, facts: EntryFacts): AnalyzedItem {
  const visibleCount = plan.columns.filter((c) => !c.hidden).length;
  if (aliasCols.length > visibleCount) {
    throw new SqlError(SqlState.invalidColumnReference, `table "${refName}" has ${visibleCount} columns available but ${aliasCols.length} columns specified`);
  }
  let visibleIndex = 0;
  const columns: ScopeColumn[] = plan.columns.map((c, i) => {
    const name = c.hidden ? c.name : (aliasCols[visibleIndex++] ?? c.name);
    const system = c.systemColumn === true;
    return { name, type: c.type, slot: env.offset + i, tableOid: c.tableOid, attnum: c.attnum, hidden: (c.hidden ?? false) && !system, system };
  });
  const entry: RangeEntry = { refName, schemaName, columns };
  entryFacts.set(entry, facts);
  return {
    node: { kind: 'leaf', plan, offset: env.offset, width: plan.columns.length },
    entries: [entry],
    joinColumns: columns.filter((c) => !c.hidden && !c.system),
    columns: plan.columns.map((c, i) => ({ ...c, name: columns[i]!.name })),
  };
}

function relationItem(ctx: AnalyzerContext, rv: RangeVar, env: ItemEnv): AnalyzedItem {
  const aliasName = rv.alias?.aliasname;
  const aliasCols = stringList(rv.alias?.colnames);
  if (!rv.schemaname) {
    const cte = lookupCte(ctx, rv.relname ?? '', rv.location);
    if (cte) return leafItem(cte.plan, aliasName ?? cte.name, null, aliasCols, env, { aliased: aliasName !== undefined, relOid: 0 });
  }
  let table;
  try {
    const name = { schema: rv.schemaname ?? null, name: rv.relname ?? '' };
    const found = ctx.catalog.findRelation(name, ctx.searchPath, ctx.user);
    if (found) noteRelation(ctx, rv, found);
    if (found?.kind === 'system') return systemRelationItem(ctx, found, aliasName, aliasCols, env);
    if (found?.kind === 'view') {
      const plan = expandView(ctx, found);
      const schema = aliasName ? null : (ctx.catalog.schemaByOid(found.schemaOid)?.name ?? null);
      return leafItem(plan, aliasName ?? found.name, schema, aliasCols, env, { aliased: aliasName !== undefined, relOid: found.oid });
    }
    if (found?.kind === 'sequence') return sequenceItem(ctx, found, aliasName, aliasCols, env);
    table = ctx.catalog.resolveTable(name, ctx.searchPath, ctx.user);
  } catch (e) {
    if (e instanceof SqlError && e.position === undefined) e.position = charPosition(ctx.sql, rv.location);
    throw e;
  }
  const plan: PlanNode = { kind: 'tableRead', table, access: { kind: 'all', filter: null, limit: null }, columns: tableOutputColumns(table) };
  const schema = aliasName ? null : (ctx.catalog.schemaByOid(table.schemaOid)?.name ?? null);
  return leafItem(plan, aliasName ?? table.name, schema, aliasCols, env, { aliased: aliasName !== undefined, relOid: table.oid });
}

/** A pg_catalog or information_schema relation: its columns, then its system columns (hidden, but nameable). */
function systemRelationItem(ctx: AnalyzerContext, relation: SystemRelation, aliasName: string | undefined, aliasCols: readonly string[], env: ItemEnv): AnalyzedItem {
  const columns: OutputColumn[] = relation.columns.map((c) => ({ name: c.name, type: c.type, tableOid: relation.oid, attnum: c.attnum }));
  for (const s of readableSystemColumns(relation)) columns.push({ name: s.name, type: s.type, tableOid: relation.oid, attnum: 0, hidden: true, systemColumn: true });
  const plan: PlanNode = { kind: 'systemScan', relation, columns };
  const schema = aliasName ? null : (ctx.catalog.schemaByOid(relation.schemaOid)?.name ?? null);
  return leafItem(plan, aliasName ?? relation.name, schema, aliasCols, env, { aliased: aliasName !== undefined, relOid: relation.oid });
}

/** The columns a sequence reads as, in PostgreSQL's order. */
const SEQUENCE_RELATION_FIELDS = [
  { name: 'last_value', type: INT8_TYPE },
  { name: 'log_cnt', type: INT8_TYPE },
  { name: 'is_called', type: { oid: Oid.bool, typmod: -1 } },
] as const;

/**
 * A sequence in FROM (`SELECT last_value, is_called FROM seq`, as pg_dump reads it): one row of its
 * stored state. log_cnt is 0: polygres logs no values ahead.
 */
function sequenceItem(ctx: AnalyzerContext, seq: SequenceInfo, aliasName: string | undefined, aliasCols: readonly string[], env: ItemEnv): AnalyzedItem {
  const type = recordType(SEQUENCE_RELATION_FIELDS);
  const read: ScalarFunction = {
    name: 'sequence_state',
    isOperator: false,
    argTypes: [],
    variadic: false,
    returnType: Oid.record,
    volatility: 'v',
    strict: false,
    asyncImpl: async (_args, evalCtx) => {
      const state = await evalCtx.session.sequenceState(seq.oid);
      return recordValue([state.lastValue, 0n, state.isCalled]);
    },
  };
  const record: Expr = { kind: 'call', fn: read, args: [], type };
  const state: PlanNode = { kind: 'project', input: { kind: 'result', columns: [] }, exprs: [record], columns: [{ name: 'state', type, tableOid: 0, attnum: 0 }] };
  const column: Expr = { kind: 'column', slot: 0, type, name: 'state' };
  const plan: PlanNode = {
    kind: 'project',
    input: state,
    exprs: SEQUENCE_RELATION_FIELDS.map((_f, i) => fieldSelectExpr(column, i)),
    columns: SEQUENCE_RELATION_FIELDS.map((f, i) => ({ name: f.name, type: f.type, tableOid: seq.oid, attnum: i + 1 })),
  };
  const schema = aliasName ? null : (ctx.catalog.schemaByOid(seq.schemaOid)?.name ?? null);
  return leafItem(plan, aliasName ?? seq.name, schema, aliasCols, env, { aliased: aliasName !== undefined, relOid: seq.oid });
}

function subqueryItem(ctx: AnalyzerContext, r: RangeSubselect, env: ItemEnv): AnalyzedItem {
  const sub = nodeAs(r.subquery!, 'SelectStmt');
  if (!sub) throw unsupported('this subquery in FROM');
  if (!r.alias?.aliasname) {
    throw new SqlError(SqlState.syntaxError, 'subquery in FROM must have an alias', { hint: 'For example, FROM (SELECT ...) [AS] foo.' });
  }
  const plan = analyzeSelect(ctx, sub as SelectStmt, r.lateral ? env.lateral : env.opaque);
  return leafItem(plan, r.alias.aliasname, null, stringList(r.alias.colnames), env, { aliased: true, relOid: 0 });
}

function functionItem(ctx: AnalyzerContext, rf: RangeFunction, env: ItemEnv): AnalyzedItem {
  // Functions in FROM may always refer to the items before them, as PostgreSQL allows.
  const binder = new ExpressionBinder(ctx, Scope.empty(env.lateral), null, 'functions in FROM', (s, scope) => analyzeSelect(ctx, s, scope.parent)).withoutAggregates('functions in FROM');
  const calls: Array<{ name: string; spec: FunctionCallSpec }> = [];
  for (const item of rf.functions ?? []) {
    const [callNode, columnDefs] = nodeAs(item, 'List')?.items ?? [];
    if (columnDefs && Object.keys(columnDefs).length > 0) throw unsupported('a column definition list for a function in FROM');
    const call = nodeAs(callNode, 'FuncCall');
    if (!call) throw unsupported(`${callNode ? nodeTag(callNode) : 'this'} in FROM`);
    if (call.over || call.agg_star || call.agg_distinct) throw unsupported('this function call in FROM');
    const name = stringList(call.funcname).pop()!;
    const args = (call.args ?? []).map((a) => binder.bind(a));
    if (name === 'unnest' && args.length > 1 && !rf.is_rowsfrom) {
      // unnest(a, b, ...) in FROM is ROWS FROM (unnest(a), unnest(b), ...).
      for (const a of args) calls.push({ name, spec: resolveFunctionInFrom(binder, name, [a]) });
    } else {
      calls.push({ name, spec: resolveFunctionInFrom(binder, name, args) });
    }
  }
  const aliasName = rf.alias?.aliasname;
  const aliasCols = stringList(rf.alias?.colnames);
  const refName = aliasName ?? calls[0]!.name;
  const fields = calls.length === 1 && !rf.ordinality ? recordFields(calls[0]!.spec.type) : undefined;
  if (fields) {
    // A record-returning function (OUT parameters) gives one column per field.
    const scan: PlanNode = { kind: 'functionScan', functions: calls.map((c) => c.spec), ordinality: false, columns: [{ name: calls[0]!.name, type: calls[0]!.spec.type, tableOid: 0, attnum: 0 }] };
    const record: Expr = { kind: 'column', slot: 0, type: calls[0]!.spec.type, name: calls[0]!.name };
    const exprs = fields.map((_f, i) => fieldSelectExpr(record, i));
    const plan: PlanNode = { kind: 'project', input: scan, exprs, columns: fields.map((f) => ({ name: f.name, type: f.type, tableOid: 0, attnum: 0 })) };
    return leafItem(plan, refName, null, aliasCols, env, { aliased: aliasName !== undefined, relOid: 0 });
  }
  // One scalar-valued function takes the table alias as its column name, as in PostgreSQL.
  const columns: OutputColumn[] = calls.map((c, i) => ({ name: i === 0 && calls.length === 1 && aliasName !== undefined ? aliasName : c.name, type: c.spec.type, tableOid: 0, attnum: 0 }));
  if (rf.ordinality) columns.push({ name: 'ordinality', type: INT8_TYPE, tableOid: 0, attnum: 0 });
  const plan: PlanNode = { kind: 'functionScan', functions: calls.map((c) => c.spec), ordinality: rf.ordinality ?? false, columns };
  return leafItem(plan, refName, null, aliasCols, env, { aliased: aliasName !== undefined, relOid: 0 });
}

function resolveFunctionInFrom(binder: ExpressionBinder, name: string, args: readonly Expr[]): FunctionCallSpec {
  if (!binder.ctx.registry.hasFunction(name)) {
    const shown = args.map((a) => (a.type.oid === Oid.unknown ? 'unknown' : formatType(a.type.oid))).join(', ');
    throw new SqlError(SqlState.undefinedFunction, `function ${name}(${shown}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  const call = binder.bindFunctionByName(name, args);
  if (call.kind !== 'call') throw unsupported(`${name} in FROM`);
  return { fn: call.fn, args: call.args, type: call.type };
}


// ---- joins ------------------------------------------------------------------------------------

const JOIN_TYPES: Readonly<Record<string, JoinType>> = { JOIN_INNER: 'inner', JOIN_LEFT: 'left', JOIN_RIGHT: 'right', JOIN_FULL: 'full' };

function joinItem(ctx: AnalyzerContext, j: JoinExpr, env: ItemEnv): AnalyzedItem {
  const joinType = JOIN_TYPES[j.jointype ?? 'JOIN_INNER'];
  if (!joinType) throw unsupported(`join type ${j.jointype}`);
  const left = analyzeItem(ctx, j.larg!, env);
  const leftWidth = left.columns.length;
  const rightEnv: ItemEnv = { lateral: env.lateral, opaque: env.opaque, offset: env.offset + leftWidth };
  let right: AnalyzedItem;
  let lateral = false;
  if (mayBeLateral(j.rarg!)) {
    // The right side sees the left side's names, with slots relative to the left row it is given.
    const leftLevel = new Scope(left.entries.map((e) => shiftEntry(e, -env.offset)), env.lateral);
    right = analyzeItem(ctx, j.rarg!, { lateral: leftLevel, opaque: Scope.empty(env.opaque), offset: rightEnv.offset });
    if (leftLevel.ownHits() > 0) lateral = true;
    else right = analyzeItem(ctx, j.rarg!, rightEnv);
  } else {
    right = analyzeItem(ctx, j.rarg!, rightEnv);
  }
  if (lateral && (joinType === 'right' || joinType === 'full')) {
    throw new SqlError(SqlState.invalidColumnReference, 'invalid reference to FROM-clause entry in a LATERAL item', {
      detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.',
    });
  }
  checkNameConflicts(left.entries, right.entries);

  const binder = new ExpressionBinder(ctx, Scope.empty(env.opaque), null, 'JOIN/USING').withoutAggregates('JOIN/USING');
  const quals: JoinQual[] = [];
  const merged: ScopeColumn[] = [];
  const mergedLeft = new Set<ScopeColumn>();
  const mergedRight = new Set<ScopeColumn>();
  const usingNames = j.isNatural ? naturalColumns(left.joinColumns, right.joinColumns) : stringList(j.usingClause);
  if (j.isNatural || j.usingClause?.length) {
    const seen = new Set<string>();
    for (const name of usingNames) {
      if (seen.has(name)) throw new SqlError(SqlState.duplicateColumn, `column name "${name}" appears more than once in USING clause`);
      seen.add(name);
      const l = usingColumn(left.joinColumns, name, 'left');
      const r = usingColumn(right.joinColumns, name, 'right');
      mergedLeft.add(l);
      mergedRight.add(r);
      const le = Scope.columnRef(l);
      const re = Scope.columnRef(r);
      const type = binder.commonType([le, re], 'JOIN/USING');
      const lc = binder.coerce(le, type, 'implicit');
      const rc = binder.coerce(re, type, 'implicit');
      quals.push({ expr: binder.operator('=', lc, rc), local: false });
      const value: Expr = joinType === 'full' ? { kind: 'coalesce', args: [lc, rc], type } : joinType === 'right' ? rc : lc;
      const source = joinType === 'right' ? r : l;
      if (value.kind === 'column') merged.push({ ...source, name });
      else merged.push({ name, type, slot: -1, tableOid: 0, attnum: 0, hidden: false, computed: value });
    }
  }
  if (j.quals) {
    // ON sees the two sides' names, over the join's own row (slots relative to its start).
    const local = [...left.entries, ...right.entries].map((e) => shiftEntry(e, -env.offset));
    const onScope = new Scope(local, env.opaque);
    const onBinder = new ExpressionBinder(ctx, onScope, null, 'JOIN conditions', (s, scope) => analyzeSelect(ctx, s, scope.parent)).withoutAggregates('JOIN conditions');
    const condition = onBinder.coerceToBool(onBinder.bind(j.quals), 'JOIN/ON');
    for (const part of conjuncts(condition)) {
      quals.push(containsSubquery(part) ? { expr: part, local: true } : { expr: remapColumns(part, (s) => s + env.offset), local: false });
    }
  }

  const joinColumns = [...merged, ...left.joinColumns.filter((c) => !mergedLeft.has(c)), ...right.joinColumns.filter((c) => !mergedRight.has(c))];
  const aliasName = j.alias?.aliasname;
  let entries: RangeEntry[];
  let visibleColumns = joinColumns;
  if (aliasName) {
    const aliasCols = stringList(j.alias?.colnames);
    if (aliasCols.length > joinColumns.length) {
      throw new SqlError(SqlState.invalidColumnReference, `table "${aliasName}" has ${joinColumns.length} columns available but ${aliasCols.length} columns specified`);
    }
    visibleColumns = joinColumns.map((c, i) => ({ ...c, name: aliasCols[i] ?? c.name }));
    const entry: RangeEntry = { refName: aliasName, schemaName: null, columns: visibleColumns };
    entryFacts.set(entry, { aliased: true, relOid: 0 });
    // An aliased join hides the names inside it.
    entries = [entry];
  } else {
    entries = [...left.entries, ...right.entries].map((e) => {
      const inner: RangeEntry = { ...e, colsVisible: false };
      const facts = entryFacts.get(e);
      if (facts) entryFacts.set(inner, facts);
      return inner;
    });
    entries.push({ refName: '', schemaName: null, columns: joinColumns, relVisible: false });
  }
  const usingAlias = j.join_using_alias?.aliasname;
  if (usingAlias) {
    const entry: RangeEntry = { refName: usingAlias, schemaName: null, columns: merged, colsVisible: false };
    entryFacts.set(entry, { aliased: true, relOid: 0 });
    entries.push(entry);
  }
  return {
    node: { kind: 'join', joinType, left: left.node, right: right.node, lateral, quals, offset: env.offset, width: leftWidth + right.columns.length },
    entries,
    joinColumns: visibleColumns,
    columns: [...left.columns, ...right.columns],
  };
}

/** NATURAL: the column names both sides have, in the left side's order. */
function naturalColumns(left: readonly ScopeColumn[], right: readonly ScopeColumn[]): string[] {
  const names: string[] = [];
  for (const c of left) if (!names.includes(c.name) && right.some((r) => r.name === c.name)) names.push(c.name);
  return names;
}

function usingColumn(columns: readonly ScopeColumn[], name: string, side: 'left' | 'right'): ScopeColumn {
  const matches = columns.filter((c) => c.name === name);
  if (matches.length === 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" specified in USING clause does not exist in ${side} table`);
  if (matches.length > 1) throw new SqlError(SqlState.ambiguousColumn, `common column name "${name}" appears more than once in ${side} table`);
  return matches[0]!;
}

/** The entry with its slots moved by `delta` (a scope over a row that starts elsewhere). */
function shiftEntry(e: RangeEntry, delta: number): RangeEntry {
  if (delta === 0) return e;
  return {
    ...e,
    columns: e.columns.map((c) => ({ ...c, slot: c.slot < 0 ? c.slot : c.slot + delta, computed: c.computed ? remapColumns(c.computed, (s) => s + delta) : undefined })),
  };
}

/** 42712 when two visible FROM items have the same name (two different unaliased tables may). */
function checkNameConflicts(existing: readonly RangeEntry[], added: readonly RangeEntry[]): void {
  for (const a of added) {
    if (a.relVisible === false) continue;
    for (const b of existing) {
      if (b.relVisible === false || a.refName !== b.refName) continue;
      const fa = entryFacts.get(a);
      const fb = entryFacts.get(b);
      if (fa && fb && !fa.aliased && !fb.aliased && fa.relOid !== 0 && fb.relOid !== 0 && fa.relOid !== fb.relOid) continue;
      throw new SqlError(SqlState.duplicateAlias, `table name "${a.refName}" specified more than once`);
    }
  }
}
