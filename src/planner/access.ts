/**
 * Access-path selection for one table: the cheapest single storage operation that returns every row
 * the WHERE clause can accept.
 *
 *  1. equality on the whole storage key        → one get
 *  2. equality on the partition key (+ a range
 *     on the next clustering column)           → one partition scan
 *  3. equality on every column of a unique index → a get on its hidden table, then one get
 *  4. equality on a column with an index       → a storage index scan
 *  5. anything else                            → a full scan with the pushable part of the filter
 *                                                in DNF (the storage applies it where it can)
 *
 * The whole predicate is always applied again above the scan, so pushing down is only ever an
 * optimization and never changes results.
 */
import type { PredicateOp } from '../storage/types.js';
import { Oid } from '../types/oids.js';
import type { ColumnInfo, IndexInfo, TableInfo } from '../catalog/model.js';
import { storageEqualityMatchesSql, storageOrderMatchesSql } from '../catalog/storage-mapping.js';
import { conjuncts, isRowIndependent, type Expr } from './expr.js';
import type { PushedPredicate, TableAccess } from './plan.js';
import { COMMUTED_COMPARISON } from './functions/operators.js';

/** `column op value` found in a predicate, with the value row-independent. */
interface ColumnComparison {
  readonly column: ColumnInfo;
  readonly op: string;
  readonly value: Expr;
}

/** Casts that only relabel a value (the column's own value is what the storage compares). */
function stripRelabel(e: Expr): Expr {
  if (e.kind === 'cast') {
    const from = e.arg.type.oid;
    const to = e.type.oid;
    const textual = [Oid.text, Oid.varchar, Oid.name] as number[];
    if (textual.includes(from) && textual.includes(to) && e.type.typmod < 0) return stripRelabel(e.arg);
  }
  return e;
}

const COMPARISON_OPS = new Set(['=', '<', '<=', '>', '>=', '<>']);

function asComparison(table: TableInfo, e: Expr): ColumnComparison | null {
  if (e.kind !== 'call' || !e.fn.isOperator || e.args.length !== 2) return null;
  if (!COMPARISON_OPS.has(e.fn.name) && e.fn.name !== '~~') return null;
  const [a, b] = e.args as [Expr, Expr];
  const left = stripRelabel(a);
  const right = stripRelabel(b);
  if (left.kind === 'column' && isRowIndependent(right)) {
    const column = table.columns[left.slot];
    return column ? { column, op: e.fn.name, value: right } : null;
  }
  if (right.kind === 'column' && isRowIndependent(left) && e.fn.name !== '~~') {
    const column = table.columns[right.slot];
    return column ? { column, op: COMMUTED_COMPARISON[e.fn.name]!, value: left } : null;
  }
  return null;
}

/** Whether a comparison value can address storage keys: same type family as the column. */
function keyCompatible(c: ColumnComparison): boolean {
  const col = c.column.type.oid;
  const val = c.value.type.oid;
  if (col === val) return true;
  const ints = [Oid.int2, Oid.int4, Oid.int8] as number[];
  if (ints.includes(col) && ints.includes(val)) return true;
  const texts = [Oid.text, Oid.varchar, Oid.name] as number[];
  return texts.includes(col) && texts.includes(val);
}

export function chooseAccess(table: TableInfo, predicate: Expr | null): TableAccess {
  const parts = predicate ? conjuncts(predicate) : [];
  const comparisons = parts.map((p) => asComparison(table, p)).filter((c): c is ColumnComparison => c !== null);
  const equalities = new Map<string, ColumnComparison>();
  for (const c of comparisons) if (c.op === '=' && keyCompatible(c) && !equalities.has(c.column.physicalName)) equalities.set(c.column.physicalName, c);

  // 1 and 2: the storage key (only when it is made of user columns).
  if (table.rowIdColumn === null) {
    const pk = table.partitionKey.map((p) => equalities.get(p));
    if (pk.every((x) => x !== undefined)) {
      const ck = table.clusteringKey.map((p) => equalities.get(p));
      if (ck.every((x) => x !== undefined)) {
        return { kind: 'get', key: [...pk, ...ck].map((x) => x!.value) };
      }
      const prefix: Expr[] = [];
      for (const c of ck) {
        if (!c) break;
        prefix.push(c.value);
      }
      const next = table.clusteringKey[prefix.length];
      let start: { key: readonly Expr[]; inclusive: boolean } | null = prefix.length ? { key: prefix, inclusive: true } : null;
      let end: { key: readonly Expr[]; inclusive: boolean } | null = prefix.length ? { key: prefix, inclusive: true } : null;
      if (next !== undefined) {
        const column = table.columns.find((c) => c.physicalName === next);
        if (column && storageOrderMatchesSql(column.type.oid)) {
          for (const c of comparisons) {
            if (c.column !== column || c.value.type.oid !== column.type.oid) continue;
            if (c.op === '>' || c.op === '>=') start = { key: [...prefix, c.value], inclusive: c.op === '>=' };
            if (c.op === '<' || c.op === '<=') end = { key: [...prefix, c.value], inclusive: c.op === '<=' };
          }
        }
      }
      return { kind: 'partition', partitionKey: pk.map((x) => x!.value), start, end };
    }
  }
  // 3: a unique index (including a primary key added to a table with a hidden row id).
  for (const index of table.indexes) {
    if (!index.unique || !index.uniqueTable) continue;
    const cols = index.columns.map((n) => table.columns.find((c) => c.attnum === n));
    const values = cols.map((c) => (c ? equalities.get(c.physicalName) : undefined));
    if (values.every((v) => v !== undefined)) return { kind: 'unique', index, key: values.map((v) => v!.value) };
  }
  // 4: a secondary index on an equality column.
  for (const index of table.indexes) {
    if (!index.storageIndexColumn) continue;
    const eq = equalities.get(index.storageIndexColumn);
    if (eq && storageEqualityMatchesSql(eq.column.type.oid) && eq.value.type.oid === eq.column.type.oid) {
      return { kind: 'index', index, column: eq.column, value: eq.value };
    }
  }
  // 5: a full scan with what can be pushed down.
  return { kind: 'all', filter: pushableFilter(table, predicate), limit: null };
}

const OPS: Readonly<Record<string, PredicateOp>> = { '=': 'EQ', '<>': 'NE', '<': 'LT', '<=': 'LTE', '>': 'GT', '>=': 'GTE', '~~': 'LIKE' };

function pushable(table: TableInfo, e: Expr): PushedPredicate | null {
  if (e.kind === 'nullTest' && e.arg.kind === 'column') {
    const column = table.columns[e.arg.slot];
    return column ? { column, op: e.negated ? 'IS_NOT_NULL' : 'IS_NULL', value: null } : null;
  }
  const c = asComparison(table, e);
  if (!c || c.value.type.oid !== c.column.type.oid) return null;
  const op = OPS[c.op];
  if (!op) return null;
  const t = c.column.type.oid;
  if (op === 'LIKE') return t === Oid.text || t === Oid.varchar ? { column: c.column, op, value: c.value } : null;
  if (op === 'EQ' || op === 'NE') return storageEqualityMatchesSql(t) ? { column: c.column, op, value: c.value } : null;
  return storageOrderMatchesSql(t) && t !== Oid.float4 && t !== Oid.float8 ? { column: c.column, op, value: c.value } : null;
}

/** The predicate's pushable part in DNF, or null when nothing useful can be pushed. */
function pushableFilter(table: TableInfo, predicate: Expr | null): PushedPredicate[][] | null {
  if (!predicate) return null;
  // AND of pushable comparisons: one conjunction (dropping the parts that cannot be pushed is safe).
  const conj = conjuncts(predicate).map((p) => pushable(table, p)).filter((p): p is PushedPredicate => p !== null);
  if (conj.length > 0) return [conj];
  // A top-level OR whose every branch is a conjunction of pushable comparisons.
  if (predicate.kind === 'or') {
    const branches: PushedPredicate[][] = [];
    for (const branch of predicate.args) {
      const parts = conjuncts(branch);
      const pushed = parts.map((p) => pushable(table, p));
      if (pushed.some((p) => p === null)) return null;
      branches.push(pushed as PushedPredicate[]);
    }
    return branches;
  }
  return null;
}

/** `column = value` where the value is read from another row (a join's outer row). */
export interface KeyEquality {
  readonly column: ColumnInfo;
  readonly value: Expr;
}

/**
 * The lookup a join can make into `table` for each outer row, given equalities between the table's
 * columns and expressions over the outer row: a get when they cover the whole storage key, a get
 * through a unique index when they cover one, else null (the join reads the table instead).
 */
export function chooseLookupAccess(table: TableInfo, equalities: readonly KeyEquality[]): Extract<TableAccess, { kind: 'get' | 'unique' }> | null {
  const byColumn = new Map<string, Expr>();
  for (const e of equalities) {
    if (!byColumn.has(e.column.physicalName) && keyCompatible({ column: e.column, op: '=', value: e.value })) byColumn.set(e.column.physicalName, e.value);
  }
  if (table.rowIdColumn === null) {
    const key = [...table.partitionKey, ...table.clusteringKey].map((p) => byColumn.get(p));
    if (key.every((k) => k !== undefined)) return { kind: 'get', key: key as Expr[] };
  }
  for (const index of table.indexes) {
    if (!index.unique || !index.uniqueTable) continue;
    const values = index.columns.map((n) => table.columns.find((c) => c.attnum === n)).map((c) => (c ? byColumn.get(c.physicalName) : undefined));
    if (values.every((v) => v !== undefined)) return { kind: 'unique', index, key: values as Expr[] };
  }
  return null;
}

/** The table column an expression reads, looking through casts that only relabel text types. */
export function tableColumnOf(table: TableInfo, e: Expr, slotOffset: number): ColumnInfo | null {
  const x = stripRelabel(e);
  if (x.kind !== 'column') return null;
  return table.columns[x.slot - slotOffset] ?? null;
}

export function describeIndex(index: IndexInfo): string {
  return index.name;
}
