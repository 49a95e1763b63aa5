/**
 * Plan nodes: small immutable objects, one per operator. The executor (exec/build.ts) and EXPLAIN
 * (explain.ts) are the two walkers. Every node states its output columns, so a parent binds its
 * expressions to child slots by position.
 *
 * Joins, subquery scans, CTE scans, set operations and window functions are further node kinds in
 * this union (each with `inputs` and `columns`), built by the analyzer from the FROM/WITH/UNION
 * clauses and executed by operators of the same pull-based shape; nothing here assumes one table.
 */
import type { TypeRef } from '../types/registry.js';
import type { PredicateOp } from '../storage/types.js';
import type { ColumnInfo, IndexInfo, TableInfo } from '../catalog/model.js';
import type { SystemRelation } from '../catalog/system/relations.js';
import type { AggregateCall, Expr } from './expr.js';
import type { AggregateDefinition, ScalarFunction, WindowFunctionDefinition } from './functions/registry.js';

export interface OutputColumn {
  readonly name: string;
  readonly type: TypeRef;
  /** The table and attribute a plain column comes from (RowDescription), else 0. */
  readonly tableOid: number;
  readonly attnum: number;
  /** Not part of the result the client sees (sort keys, row ids). */
  readonly hidden?: boolean;
  /** A hidden system column (tableoid, xmin of a catalog table) that queries may still name. */
  readonly systemColumn?: boolean;
}

export type PlanNode =
  | ResultPlan
  | ValuesPlan
  | TableReadPlan
  | SystemScanPlan
  | FunctionScanPlan
  | FilterPlan
  | ProjectPlan
  | SortPlan
  | LimitPlan
  | DistinctPlan
  | AggregatePlan
  | NestedLoopJoinPlan
  | HashJoinPlan
  | LookupJoinPlan
  | SetOpPlan
  | WithPlan
  | CteScanPlan
  | RecursiveUnionPlan
  | WorkTableScanPlan
  | WindowPlan
  | ProjectSetPlan
  | InsertPlan
  | UpdatePlan
  | DeletePlan;

/** One row with no columns: SELECT without FROM. */
export interface ResultPlan {
  readonly kind: 'result';
  readonly columns: readonly OutputColumn[];
}

export interface ValuesPlan {
  readonly kind: 'values';
  readonly rows: ReadonlyArray<readonly Expr[]>;
  readonly columns: readonly OutputColumn[];
}

/** A predicate pushed to a storage scan: `column op value` (value evaluated at execution). */
export interface PushedPredicate {
  readonly column: ColumnInfo;
  readonly op: PredicateOp;
  readonly value: Expr | null;
}

/** How a table is read: one storage operation chosen by the planner (access.ts). */
export type TableAccess =
  /** The full storage key is known: one storage get. */
  | { readonly kind: 'get'; readonly key: readonly Expr[] }
  /** The partition key is known: one partition scan, optionally over a clustering range. */
  | {
      readonly kind: 'partition';
      readonly partitionKey: readonly Expr[];
      readonly start: { readonly key: readonly Expr[]; readonly inclusive: boolean } | null;
      readonly end: { readonly key: readonly Expr[]; readonly inclusive: boolean } | null;
    }
  /** Equality on every column of a unique index: a get on its hidden table, then on the row. */
  | { readonly kind: 'unique'; readonly index: IndexInfo; readonly key: readonly Expr[] }
  /** Equality on an indexed column: a storage index scan. */
  | { readonly kind: 'index'; readonly index: IndexInfo; readonly column: ColumnInfo; readonly value: Expr }
  /** Everything else: a full scan, with the filter pushed down in DNF where it can be. */
  | { readonly kind: 'all'; readonly filter: ReadonlyArray<readonly PushedPredicate[]> | null; readonly limit: Expr | null };

/**
 * Rows of a table: every live column in attnum order, then the hidden row id for a table without a
 * primary key. The planner guarantees only that rows satisfy the pushed part of the WHERE clause;
 * a Filter above applies the whole predicate.
 */
export interface TableReadPlan {
  readonly kind: 'tableRead';
  readonly table: TableInfo;
  readonly access: TableAccess;
  readonly columns: readonly OutputColumn[];
}

/**
 * The rows of a pg_catalog or information_schema relation, computed from the statement's catalog
 * snapshot: its columns, then its readable system columns.
 */
export interface SystemScanPlan {
  readonly kind: 'systemScan';
  readonly relation: SystemRelation;
  readonly columns: readonly OutputColumn[];
}

/** A function called in FROM or in a select list: set-returning (rows) or plain (one row). */
export interface FunctionCallSpec {
  readonly fn: ScalarFunction;
  readonly args: readonly Expr[];
  readonly type: TypeRef;
}

/**
 * Functions in FROM: `f(...)`, `ROWS FROM (f(...), g(...))`, `unnest(a, b)`, optionally WITH
 * ORDINALITY. The functions run side by side; a shorter one is padded with NULLs. Arguments are
 * evaluated once per scan (a LATERAL scan is rebuilt for each outer row).
 */
export interface FunctionScanPlan {
  readonly kind: 'functionScan';
  readonly functions: readonly FunctionCallSpec[];
  readonly ordinality: boolean;
  readonly columns: readonly OutputColumn[];
}

export interface FilterPlan {
  readonly kind: 'filter';
  readonly input: PlanNode;
  readonly predicate: Expr;
  readonly columns: readonly OutputColumn[];
}

export interface ProjectPlan {
  readonly kind: 'project';
  readonly input: PlanNode;
  readonly exprs: readonly Expr[];
  readonly columns: readonly OutputColumn[];
}

export interface SortKey {
  readonly expr: Expr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface SortPlan {
  readonly kind: 'sort';
  readonly input: PlanNode;
  readonly keys: readonly SortKey[];
  readonly columns: readonly OutputColumn[];
}

export interface LimitPlan {
  readonly kind: 'limit';
  readonly input: PlanNode;
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  /** FETCH FIRST n ROWS WITH TIES: the ORDER BY keys; rows equal to the last one kept are kept too. */
  readonly ties: readonly SortKey[] | null;
  readonly columns: readonly OutputColumn[];
}

/** DISTINCT (keys null: every visible column) or DISTINCT ON (keys). Keeps the first row of each group. */
export interface DistinctPlan {
  readonly kind: 'distinct';
  readonly input: PlanNode;
  readonly keys: readonly Expr[] | null;
  readonly columns: readonly OutputColumn[];
}

/**
 * Hash aggregation: output is the group keys, then the aggregates, in that order. With grouping
 * sets (GROUPING SETS, ROLLUP, CUBE) each input row counts once per set, the keys a set leaves out
 * are NULL in its rows, and a last column holds the set's GROUPING() mask (bit i, counted from the
 * last key, set when group key i is left out).
 */
export interface AggregatePlan {
  readonly kind: 'aggregate';
  readonly input: PlanNode;
  readonly groupKeys: readonly Expr[];
  readonly aggregates: readonly AggregateCall[];
  /** Indexes into groupKeys, one list per grouping set; null for a plain GROUP BY. */
  readonly groupingSets: ReadonlyArray<readonly number[]> | null;
  readonly columns: readonly OutputColumn[];
}

export type JoinType = 'inner' | 'left' | 'right' | 'full';

/**
 * Joins output the left row's columns, then the right row's. `condition` is over that combined
 * row; an outer join NULL-extends the rows of its preserved side(s) that matched nothing.
 */
export interface NestedLoopJoinPlan {
  readonly kind: 'nestedLoop';
  readonly joinType: JoinType;
  readonly left: PlanNode;
  readonly right: PlanNode;
  /**
   * LATERAL: the right side is run again for each left row, which it reads as its innermost outer
   * row (OuterColumnExpr depth 1). Otherwise the right side is read once and kept in memory.
   */
  readonly lateral: boolean;
  readonly condition: Expr | null;
  readonly columns: readonly OutputColumn[];
}

/** An equi-join: the right side is read into a hash table on `rightKeys`, the left side probes it. */
export interface HashJoinPlan {
  readonly kind: 'hashJoin';
  readonly joinType: JoinType;
  readonly left: PlanNode;
  readonly right: PlanNode;
  /** Over the left row and the right row respectively; NULL keys never match. */
  readonly leftKeys: readonly Expr[];
  readonly rightKeys: readonly Expr[];
  /** The rest of the join condition, over the combined row. */
  readonly condition: Expr | null;
  readonly columns: readonly OutputColumn[];
}

/**
 * An equi-join on the whole storage key (or a unique index) of a table: for each row of `outer`,
 * one storage get (two through a unique index), batched. `access` is a get or unique access whose
 * key expressions are evaluated over the outer row.
 */
export interface LookupJoinPlan {
  readonly kind: 'lookupJoin';
  /** left: outer rows that find nothing are kept, NULL-extended. */
  readonly joinType: 'inner' | 'left';
  readonly outer: PlanNode;
  readonly table: TableInfo;
  readonly access: Extract<TableAccess, { kind: 'get' | 'unique' }>;
  /** Output order: the outer row first (true), or the table row first (a join written the other way round). */
  readonly outerFirst: boolean;
  /** Over the output row; a looked-up row that fails it counts as no match. */
  readonly condition: Expr | null;
  readonly columns: readonly OutputColumn[];
}

/** UNION / INTERSECT / EXCEPT [ALL]: rows compared as wholes, NULLs equal. */
export interface SetOpPlan {
  readonly kind: 'setOp';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly columns: readonly OutputColumn[];
}

/** A WITH query: computed at most once per execution of the query that names it, when first read. */
export interface CteDefinition {
  /** Unique within a statement (work table scans refer to their recursive CTE by it). */
  readonly id: number;
  readonly name: string;
  /** A SELECT (or a RecursiveUnion), or INSERT/UPDATE/DELETE ... RETURNING. */
  readonly plan: PlanNode;
  /** Data-modifying: run to completion even when nothing reads it. */
  readonly modifies: boolean;
}

/** Makes `ctes` available to CteScans in `input` (and in its subqueries). */
export interface WithPlan {
  readonly kind: 'with';
  readonly ctes: readonly CteDefinition[];
  readonly input: PlanNode;
  readonly columns: readonly OutputColumn[];
}

export interface CteScanPlan {
  readonly kind: 'cteScan';
  readonly cte: CteDefinition;
  readonly columns: readonly OutputColumn[];
}

/**
 * WITH RECURSIVE: the non-recursive term's rows, then the recursive term run again and again over
 * the rows the previous round produced (its WorkTableScan), until a round produces none. UNION
 * (not ALL) drops rows already produced.
 */
export interface RecursiveUnionPlan {
  readonly kind: 'recursiveUnion';
  readonly cteId: number;
  readonly name: string;
  readonly all: boolean;
  readonly nonRecursive: PlanNode;
  readonly recursive: PlanNode;
  readonly columns: readonly OutputColumn[];
}

/** The recursive CTE's own name inside its recursive term: the previous round's rows. */
export interface WorkTableScanPlan {
  readonly kind: 'workTableScan';
  readonly cteId: number;
  readonly name: string;
  readonly columns: readonly OutputColumn[];
}

export type FrameBound =
  | { readonly kind: 'unboundedPreceding' | 'currentRow' | 'unboundedFollowing' }
  | { readonly kind: 'preceding' | 'following'; readonly offset: Expr };

/**
 * For RANGE frames with an offset: how `order value ± offset` is computed and compared with the
 * order values (PostgreSQL's in_range).
 */
export interface RangeOffsetOps {
  readonly add: ScalarFunction;
  readonly sub: ScalarFunction;
  /** order value >= bound, order value <= bound. */
  readonly ge: ScalarFunction;
  readonly le: ScalarFunction;
  readonly orderType: TypeRef;
  readonly offsetType: TypeRef;
  readonly boundType: TypeRef;
}

export interface WindowFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  readonly end: FrameBound;
  readonly exclude: 'noOthers' | 'currentRow' | 'group' | 'ties';
  readonly rangeOps: RangeOffsetOps | null;
}

export interface WindowCall {
  readonly fn: { readonly kind: 'window'; readonly def: WindowFunctionDefinition } | { readonly kind: 'aggregate'; readonly def: AggregateDefinition };
  readonly args: readonly Expr[];
  /** FILTER (WHERE ...), aggregates only. */
  readonly filter: Expr | null;
  readonly type: TypeRef;
}

/**
 * Window functions sharing one window: the input sorted by PARTITION BY then ORDER BY, each
 * function computed per row; output is the input row followed by one column per function, in that
 * sort order.
 */
export interface WindowPlan {
  readonly kind: 'window';
  readonly input: PlanNode;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortKey[];
  readonly frame: WindowFrame;
  readonly functions: readonly WindowCall[];
  readonly columns: readonly OutputColumn[];
}

/**
 * Set-returning functions of a select list: for each input row they run side by side, giving as
 * many rows as the longest (NULL-padding the others); output is the input row and one column each.
 */
export interface ProjectSetPlan {
  readonly kind: 'projectSet';
  readonly input: PlanNode;
  readonly functions: readonly FunctionCallSpec[];
  readonly columns: readonly OutputColumn[];
}

export interface OnConflictPlan {
  /** The arbiter: a unique index (primary key included), or null for DO NOTHING on any. */
  readonly arbiter: IndexInfo | null;
  readonly action: 'nothing' | 'update';
  /** SET targets, evaluated over [existing row columns..., excluded row columns...]. */
  readonly assignments: ReadonlyArray<{ readonly attnum: number; readonly expr: Expr }>;
  readonly where: Expr | null;
}

/**
 * INSERT: `input` yields one row per new row, its columns the values for `targetAttnums`. The other
 * columns take their defaults (evaluated per row).
 */
export interface InsertPlan {
  readonly kind: 'insert';
  readonly table: TableInfo;
  readonly input: PlanNode;
  readonly targetAttnums: readonly number[];
  /** One entry per table column (attnum order): its default, or null. */
  readonly defaults: readonly (Expr | null)[];
  readonly onConflict: OnConflictPlan | null;
  /** CHECK constraints bound over the new row. */
  readonly checks: readonly BoundCheck[];
  /** Over the new row (table layout); null without RETURNING. */
  readonly returning: readonly Expr[] | null;
  readonly columns: readonly OutputColumn[];
}

/** UPDATE: `input` yields the old rows in table layout; assignments are over that row. */
export interface UpdatePlan {
  readonly kind: 'update';
  readonly table: TableInfo;
  readonly input: PlanNode;
  /**
   * UPDATE ... FROM: input rows are the target row (table layout) then the FROM items' columns, and
   * one target row may come with several matches (it is changed once). Otherwise they are table rows.
   */
  readonly joined: boolean;
  readonly assignments: ReadonlyArray<{ readonly attnum: number; readonly expr: Expr }>;
  readonly checks: readonly BoundCheck[];
  readonly returning: readonly Expr[] | null;
  readonly columns: readonly OutputColumn[];
}

/** A CHECK constraint bound over a table row. */
export interface BoundCheck {
  readonly name: string;
  readonly expr: Expr;
}

export interface DeletePlan {
  readonly kind: 'delete';
  readonly table: TableInfo;
  readonly input: PlanNode;
  /** DELETE ... USING: as UpdatePlan's. */
  readonly joined: boolean;
  readonly returning: readonly Expr[] | null;
  readonly columns: readonly OutputColumn[];
}

export function visibleColumns(node: PlanNode): OutputColumn[] {
  return node.columns.filter((c) => !c.hidden);
}

/** The children of a node, for walkers (CTE definitions are walked where the WITH is). */
export function planInputs(node: PlanNode): PlanNode[] {
  switch (node.kind) {
    case 'result':
    case 'values':
    case 'tableRead':
    case 'systemScan':
    case 'functionScan':
    case 'cteScan':
    case 'workTableScan':
      return [];
    case 'nestedLoop':
    case 'hashJoin':
    case 'setOp':
      return [node.left, node.right];
    case 'lookupJoin':
      return [node.outer];
    case 'recursiveUnion':
      return [node.nonRecursive, node.recursive];
    case 'with':
      return [...node.ctes.map((c) => c.plan), node.input];
    default:
      return [node.input];
  }
}
