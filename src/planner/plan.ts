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
import type { AggregateCall, Expr } from './expr.js';

export interface OutputColumn {
  readonly name: string;
  readonly type: TypeRef;
  /** The table and attribute a plain column comes from (RowDescription), else 0. */
  readonly tableOid: number;
  readonly attnum: number;
  /** Not part of the result the client sees (sort keys, row ids). */
  readonly hidden?: boolean;
}

export type PlanNode =
  | ResultPlan
  | ValuesPlan
  | TableReadPlan
  | FunctionScanPlan
  | FilterPlan
  | ProjectPlan
  | SortPlan
  | LimitPlan
  | DistinctPlan
  | AggregatePlan
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

/** A set-returning function in FROM (generate_series, unnest). */
export interface FunctionScanPlan {
  readonly kind: 'functionScan';
  readonly name: 'generate_series' | 'unnest';
  readonly args: readonly Expr[];
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
  readonly columns: readonly OutputColumn[];
}

/** DISTINCT (keys null: every visible column) or DISTINCT ON (keys). Keeps the first row of each group. */
export interface DistinctPlan {
  readonly kind: 'distinct';
  readonly input: PlanNode;
  readonly keys: readonly Expr[] | null;
  readonly columns: readonly OutputColumn[];
}

/** Hash aggregation: output is the group keys, then the aggregates, in that order. */
export interface AggregatePlan {
  readonly kind: 'aggregate';
  readonly input: PlanNode;
  readonly groupKeys: readonly Expr[];
  readonly aggregates: readonly AggregateCall[];
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
  readonly returning: readonly Expr[] | null;
  readonly columns: readonly OutputColumn[];
}

export function visibleColumns(node: PlanNode): OutputColumn[] {
  return node.columns.filter((c) => !c.hidden);
}

/** The children of a node, for walkers. */
export function planInputs(node: PlanNode): PlanNode[] {
  switch (node.kind) {
    case 'result':
    case 'values':
    case 'tableRead':
    case 'functionScan':
      return [];
    default:
      return [node.input];
  }
}
