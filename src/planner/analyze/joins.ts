/**
 * Join planning: the FROM items and the WHERE clause become one plan whose rows are FROM rows that
 * satisfy WHERE.
 *
 *  - Each WHERE conjunct goes as far down as its columns allow: into one table's access path
 *    (`WHERE t.id = 1` stays one get), else to the lowest join that has all its columns. Through
 *    outer joins only the preserved side takes conjuncts; ON conjuncts of a LEFT join that read only
 *    its right side filter that side before the join.
 *  - A join whose equalities cover the whole storage key (or a unique index) of a table not
 *    otherwise narrowed is a lookup join: one get per outer row, batched. Other equi-joins are hash
 *    joins; the rest nested loops. LATERAL items are nested loops that run the item per left row.
 *  - Comma-separated items (inner joins) are joined in the order that allows lookups: first an item
 *    that no other item's key equality reaches, then items reachable by key, then by equality.
 *
 * Conjuncts holding subqueries stay where the FROM row is laid out as written (their plans read
 * it): at the top, or at the join whose ON clause they belong to.
 */
import type { TableInfo } from '../../catalog/model.js';
import { Oid } from '../../types/oids.js';
import { andOf, columnSlots, conjuncts, containsSubquery, isRowIndependent, remapColumns, type Expr } from '../expr.js';
import type { JoinType, OutputColumn, PlanNode } from '../plan.js';
import { chooseAccess, chooseLookupAccess, tableColumnOf, type KeyEquality } from '../access.js';
import type { FromClause, FromJoin, FromLeaf, FromNode, JoinQual } from './from.js';

/** A planned part of the FROM clause. */
interface Rel {
  readonly plan: PlanNode;
  /** The FROM-row slot each of the plan's output columns holds. */
  readonly slots: readonly number[];
  /** A table that would be read with a full scan: a join may look its rows up by key instead. */
  readonly lookup: { readonly table: TableInfo; readonly offset: number; readonly conjuncts: readonly Expr[] } | null;
}

export function planFrom(from: FromClause, where: Expr | null): PlanNode {
  const written = where ? conjuncts(where) : [];
  const parts = [...written, ...impliedConstants(written, from.items.flatMap((i) => innerJoinQuals(i.node)))];
  const simple = parts.filter((p) => !containsSubquery(p));
  const withSubqueries = parts.filter((p) => containsSubquery(p));
  const planner = new JoinPlanner(from.columns);
  if (from.items.length === 0) {
    return planner.filter({ kind: 'result', columns: [] }, parts);
  }
  const ranges = from.items.map((i) => range(i.node));
  const perItem: Expr[][] = from.items.map(() => []);
  const multi: Expr[] = [];
  const top: Expr[] = [];
  for (const c of simple) {
    const slots = columnSlots(c);
    const owner = slots.size === 0 ? -1 : ranges.findIndex((r) => [...slots].every((s) => s >= r.start && s < r.end));
    if (slots.size === 0) top.push(c);
    else if (owner >= 0) perItem[owner]!.push(c);
    else multi.push(c);
  }
  const rels = from.items.map((item, i) => planner.node(item.node, perItem[i]!));
  const joined = from.items.some((i) => i.lateral) ? planner.inOrder(from, rels, multi) : planner.greedy(rels, multi);
  let result = planner.logical(joined, 0, from.columns.length).plan;
  result = planner.filter(result, [...top, ...withSubqueries]);
  return result;
}

/** ON conjuncts that hold for every row of the FROM clause: those of inner joins not inside the NULL-extended side of an outer join. */
function innerJoinQuals(node: FromNode): Expr[] {
  if (node.kind === 'leaf') return [];
  const own = node.quals.filter((q) => !q.local).map((q) => q.expr);
  switch (node.joinType) {
    case 'inner':
      return [...own, ...innerJoinQuals(node.left), ...innerJoinQuals(node.right)];
    case 'left':
      return innerJoinQuals(node.left);
    case 'right':
      return innerJoinQuals(node.right);
    case 'full':
      return [];
  }
}

/**
 * Equalities with a constant implied through column equalities (`a.x = 5 AND a.x = b.y` implies
 * `b.y = 5`), as PostgreSQL's equivalence classes find them, so that each table's access path can
 * use them. Only between columns of one type, with the constant's own `=`.
 */
function impliedConstants(where: readonly Expr[], joinQuals: readonly Expr[]): Expr[] {
  const constants = new Map<number, Extract<Expr, { kind: 'call' }>>();
  const edges: Array<[Extract<Expr, { kind: 'column' }>, Extract<Expr, { kind: 'column' }>]> = [];
  for (const c of [...where, ...joinQuals]) {
    if (c.kind !== 'call' || !c.fn.isOperator || c.fn.name !== '=' || c.args.length !== 2) continue;
    const [a, b] = c.args as [Expr, Expr];
    if (a.kind === 'column' && b.kind === 'column') {
      if (a.type.oid === b.type.oid) edges.push([a, b]);
    } else if (where.includes(c)) {
      const [col, value] = a.kind === 'column' ? [a, b] : b.kind === 'column' ? [b, a] : [null, null];
      if (col && value && isRowIndependent(value) && value.type.oid === col.type.oid && !constants.has(col.slot)) {
        constants.set(col.slot, { ...c, args: [col, value] });
      }
    }
  }
  const derived: Expr[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const [a, b] of edges) {
      for (const [from, to] of [[a, b], [b, a]] as const) {
        const known = constants.get(from.slot);
        if (!known || constants.has(to.slot)) continue;
        const implied = { ...known, args: [to, known.args[1]!] };
        constants.set(to.slot, implied);
        derived.push(implied);
        changed = true;
      }
    }
  }
  return derived;
}

function range(node: FromNode): { start: number; end: number } {
  return { start: node.offset, end: node.offset + node.width };
}

function within(slots: ReadonlySet<number>, r: { start: number; end: number }): boolean {
  if (slots.size === 0) return false;
  for (const s of slots) if (s < r.start || s >= r.end) return false;
  return true;
}

class JoinPlanner {
  constructor(private readonly fromColumns: readonly OutputColumn[]) {}

  /** A Filter over `plan` (merged into a Filter already there). */
  filter(plan: PlanNode, predicates: readonly Expr[]): PlanNode {
    if (predicates.length === 0) return plan;
    if (plan.kind === 'filter') return { ...plan, predicate: andOf([plan.predicate, ...predicates])! };
    return { kind: 'filter', input: plan, predicate: andOf(predicates)!, columns: plan.columns };
  }

  /** Applies FROM-row conjuncts to a rel. */
  restrict(rel: Rel, predicates: readonly Expr[]): Rel {
    if (predicates.length === 0) return rel;
    return { plan: this.filter(rel.plan, predicates.map((p) => this.toRel(p, rel.slots))), slots: rel.slots, lookup: null };
  }

  /** A FROM-row expression over a rel's physical layout. */
  toRel(e: Expr, slots: readonly number[]): Expr {
    return remapColumns(e, (s) => {
      const i = slots.indexOf(s);
      if (i < 0) throw new Error(`join planning: slot ${s} is not produced here`);
      return i;
    });
  }

  node(node: FromNode, predicates: readonly Expr[]): Rel {
    return node.kind === 'leaf' ? this.leaf(node, predicates) : this.join(node, predicates);
  }

  private leaf(leaf: FromLeaf, predicates: readonly Expr[]): Rel {
    const slots = Array.from({ length: leaf.width }, (_v, i) => leaf.offset + i);
    const local = predicates.map((p) => remapColumns(p, (s) => s - leaf.offset));
    const plan = leaf.plan;
    if (plan.kind === 'tableRead' && plan.access.kind === 'all' && plan.access.filter === null) {
      const predicate = andOf(local);
      const access = chooseAccess(plan.table, predicate);
      const read: PlanNode = { ...plan, access };
      return {
        plan: this.filter(read, local),
        slots,
        lookup: access.kind === 'all' ? { table: plan.table, offset: leaf.offset, conjuncts: predicates } : null,
      };
    }
    return { plan: pushIntoProjection(plan, local) ?? this.filter(plan, local), slots, lookup: null };
  }

  private join(j: FromJoin, predicates: readonly Expr[]): Rel {
    const L = range(j.left);
    const R = range(j.right);
    const toLeft: Expr[] = [];
    const toRight: Expr[] = [];
    const atJoin: Expr[] = [];
    const local: Expr[] = [];
    const above: Expr[] = [];
    for (const p of predicates) {
      const s = columnSlots(p);
      const left = within(s, L);
      const right = within(s, R);
      if (j.joinType === 'inner') (left ? toLeft : right ? toRight : atJoin).push(p);
      else if (j.joinType === 'left' && left) toLeft.push(p);
      else if (j.joinType === 'right' && right) toRight.push(p);
      else above.push(p);
    }
    for (const q of j.quals as readonly JoinQual[]) {
      if (q.local) {
        local.push(q.expr);
        continue;
      }
      const s = columnSlots(q.expr);
      const left = within(s, L);
      const right = within(s, R);
      if ((j.joinType === 'inner' || j.joinType === 'right') && left) toLeft.push(q.expr);
      else if ((j.joinType === 'inner' || j.joinType === 'left') && right) toRight.push(q.expr);
      else atJoin.push(q.expr);
    }
    const left = this.node(j.left, toLeft);
    const right = this.node(j.right, toRight);
    const rel = this.combine(j.joinType, left, right, atJoin, local, j.lateral, j.offset, j.left.width);
    return this.restrict(rel, above);
  }

  /** `rel` with its columns in FROM-row order for [start, start + width). */
  logical(rel: Rel, start: number, width: number): Rel {
    if (rel.slots.length === width && rel.slots.every((s, i) => s === start + i)) return rel;
    const exprs: Expr[] = [];
    const columns: OutputColumn[] = [];
    for (let g = start; g < start + width; g++) {
      const i = rel.slots.indexOf(g);
      const c = rel.plan.columns[i]!;
      exprs.push({ kind: 'column', slot: i, type: c.type, name: c.name });
      columns.push(c);
    }
    return { plan: { kind: 'project', input: rel.plan, exprs, columns }, slots: Array.from({ length: width }, (_v, i) => start + i), lookup: null };
  }

  /**
   * Joins two rels. `conditions` are over the FROM row; `local` over the join's own row (left side
   * then right side in FROM order, starting at `start`).
   */
  combine(joinType: JoinType, left: Rel, right: Rel, written: readonly Expr[], local: readonly Expr[], lateral: boolean, start: number, leftWidth: number): Rel {
    // `ON true` (CROSS JOIN LATERAL, LEFT JOIN ... ON true) conditions nothing.
    const conditions = written.filter((c) => !(c.kind === 'const' && c.value === true));
    if (lateral || local.length > 0) {
      // The right side reads the left row (LATERAL), or a subquery reads the joined row: both as written.
      left = this.logical(left, start, leftWidth);
      if (local.length > 0) right = this.logical(right, start + leftWidth, right.slots.length);
    }
    const slots = [...left.slots, ...right.slots];
    const localInOutput = local.map((e) => remapColumns(e, (s) => slots.indexOf(start + s)));
    const columns = [...left.plan.columns, ...right.plan.columns];
    if (lateral) {
      const condition = andOf([...conditions.map((c) => this.toRel(c, slots)), ...localInOutput]);
      return { plan: { kind: 'nestedLoop', joinType, left: left.plan, right: right.plan, lateral: true, condition, columns }, slots, lookup: null };
    }

    const pairs = conditions.map((c) => equiPair(c, new Set(left.slots), new Set(right.slots)));
    // Look rows of the right side up by key for each left row ...
    if (right.lookup && (joinType === 'inner' || joinType === 'left')) {
      const access = this.lookupAccess(right.lookup, pairs, left.slots, 'right');
      if (access) {
        const outSlots = [...left.slots, ...range0(right.lookup.offset, right.slots.length)];
        const condition = andOf([...[...conditions, ...right.lookup.conjuncts].map((c) => this.toRel(c, outSlots)), ...local.map((e) => remapColumns(e, (s) => outSlots.indexOf(start + s)))]);
        const plan: PlanNode = { kind: 'lookupJoin', joinType, outer: left.plan, table: right.lookup.table, access, outerFirst: true, condition, columns: [...left.plan.columns, ...this.tableColumns(right)] };
        return { plan, slots: outSlots, lookup: null };
      }
    }
    // ... or rows of the left side for each right row.
    if (left.lookup && (joinType === 'inner' || joinType === 'right')) {
      const access = this.lookupAccess(left.lookup, pairs, right.slots, 'left');
      if (access) {
        const outSlots = [...range0(left.lookup.offset, left.slots.length), ...right.slots];
        const condition = andOf([...[...conditions, ...left.lookup.conjuncts].map((c) => this.toRel(c, outSlots)), ...local.map((e) => remapColumns(e, (s) => outSlots.indexOf(start + s)))]);
        const plan: PlanNode = {
          kind: 'lookupJoin',
          joinType: joinType === 'right' ? 'left' : 'inner',
          outer: right.plan,
          table: left.lookup.table,
          access,
          outerFirst: false,
          condition,
          columns: [...this.tableColumns(left), ...right.plan.columns],
        };
        return { plan, slots: outSlots, lookup: null };
      }
    }
    const hashable = pairs.filter((p): p is EquiPair => p !== null && hashCompatible(p.left.type.oid, p.right.type.oid));
    if (hashable.length > 0) {
      const used = new Set(hashable.map((p) => p.source));
      const rest = conditions.filter((c) => !used.has(c)).map((c) => this.toRel(c, slots));
      return {
        plan: {
          kind: 'hashJoin',
          joinType,
          left: left.plan,
          right: right.plan,
          leftKeys: hashable.map((p) => this.toRel(p.left, left.slots)),
          rightKeys: hashable.map((p) => this.toRel(p.right, right.slots)),
          condition: andOf([...rest, ...localInOutput]),
          columns,
        },
        slots,
        lookup: null,
      };
    }
    const condition = andOf([...conditions.map((c) => this.toRel(c, slots)), ...localInOutput]);
    return { plan: { kind: 'nestedLoop', joinType, left: left.plan, right: right.plan, lateral: false, condition, columns }, slots, lookup: null };
  }

  private tableColumns(rel: Rel): readonly OutputColumn[] {
    const start = rel.lookup!.offset;
    return rel.slots.map((_s, i) => this.fromColumns[start + i]!);
  }

  /** The key lookup into `target` that equalities with the other side's columns allow. */
  private lookupAccess(target: NonNullable<Rel['lookup']>, pairs: ReadonlyArray<EquiPair | null>, otherSlots: readonly number[], targetSide: 'left' | 'right') {
    const equalities: KeyEquality[] = [];
    for (const p of pairs) {
      if (!p) continue;
      const tableSide = targetSide === 'right' ? p.right : p.left;
      const otherSide = targetSide === 'right' ? p.left : p.right;
      const column = tableColumnOf(target.table, tableSide, target.offset);
      if (column) equalities.push({ column, value: this.toRel(otherSide, otherSlots) });
    }
    return chooseLookupAccess(target.table, equalities);
  }

  /** Could `target` be looked up by key from the rels in `others`, given these conditions? */
  reachableByKey(target: Rel, others: ReadonlySet<number>, conditions: readonly Expr[]): boolean {
    if (!target.lookup) return false;
    const own = new Set(target.slots);
    const pairs = conditions.map((c) => equiPair(c, others, own));
    const equalities: KeyEquality[] = [];
    for (const p of pairs) {
      const column = p ? tableColumnOf(target.lookup.table, p.right, target.lookup.offset) : null;
      if (p && column) equalities.push({ column, value: p.left });
    }
    return chooseLookupAccess(target.lookup.table, equalities) !== null;
  }

  /** Items in FROM order (some read the row of the items before them). */
  inOrder(from: FromClause, rels: readonly Rel[], conditions: readonly Expr[]): Rel {
    let acc = rels[0]!;
    let pending = [...conditions];
    for (let i = 1; i < rels.length; i++) {
      const next = rels[i]!;
      const have = new Set([...acc.slots, ...next.slots]);
      const now = pending.filter((c) => [...columnSlots(c)].every((s) => have.has(s)));
      pending = pending.filter((c) => !now.includes(c));
      const start = from.items[i]!.node.offset;
      acc = this.combine('inner', acc, next, now, [], from.items[i]!.lateral, 0, start);
    }
    return this.restrict(acc, pending);
  }

  /** Inner joins of independent items, ordered for lookups (see the module comment). */
  greedy(rels: readonly Rel[], conditions: readonly Expr[]): Rel {
    const slotsOf = (rs: readonly Rel[]): Set<number> => new Set(rs.flatMap((r) => r.slots));
    const selective = (r: Rel): boolean => {
      const read = r.plan.kind === 'filter' ? r.plan.input : r.plan;
      return read.kind === 'tableRead' && read.access.kind !== 'all';
    };
    let first = rels.findIndex((r) => selective(r));
    if (first < 0) first = rels.findIndex((r) => !this.reachableByKey(r, slotsOf(rels.filter((x) => x !== r)), conditions));
    if (first < 0) first = 0;
    let acc = rels[first]!;
    const remaining = rels.filter((_r, i) => i !== first);
    let pending = [...conditions];
    while (remaining.length > 0) {
      const have = new Set(acc.slots);
      let pick = remaining.findIndex((r) => this.reachableByKey(r, have, pending));
      if (pick < 0) pick = remaining.findIndex((r) => pending.some((c) => equiPair(c, have, new Set(r.slots)) !== null));
      if (pick < 0) pick = 0;
      const next = remaining.splice(pick, 1)[0]!;
      const both = new Set([...acc.slots, ...next.slots]);
      const now = pending.filter((c) => [...columnSlots(c)].every((s) => both.has(s)));
      pending = pending.filter((c) => !now.includes(c));
      acc = this.combine('inner', acc, next, now, [], false, 0, acc.slots.length);
    }
    return this.restrict(acc, pending);
  }
}

/**
 * Conjuncts over a subquery (a view, a derived table) that only renames columns of one table, with
 * or without its own WHERE: they go down to that table's read, so they choose its access path as
 * if written on the table (`WHERE id = 1` over a view of a table is one get). Null when the
 * subquery computes what a conjunct reads, or is anything but projections and a filter over a read.
 */
function pushIntoProjection(plan: PlanNode, predicates: readonly Expr[]): PlanNode | null {
  if (predicates.length === 0) return null;
  switch (plan.kind) {
    case 'project': {
      const below: Expr[] = [];
      for (const p of predicates) {
        if (![...columnSlots(p)].every((s) => plan.exprs[s]?.kind === 'column')) return null;
        below.push(remapColumns(p, (s) => (plan.exprs[s] as Extract<Expr, { kind: 'column' }>).slot));
      }
      const input = pushIntoProjection(plan.input, below);
      return input ? { ...plan, input } : null;
    }
    case 'filter': {
      const read = plan.input;
      if (read.kind !== 'tableRead' || !fullRead(read)) return null;
      const predicate = andOf([plan.predicate, ...predicates])!;
      return { kind: 'filter', input: { ...read, access: chooseAccess(read.table, predicate) }, predicate, columns: plan.columns };
    }
    case 'tableRead': {
      if (plan.access.kind !== 'all' || plan.access.filter !== null || plan.access.limit !== null) return null;
      const predicate = andOf(predicates)!;
      return { kind: 'filter', input: { ...plan, access: chooseAccess(plan.table, predicate) }, predicate, columns: plan.columns };
    }
    default:
      return null;
  }
}

/**
 * A read whose access path came from the Filter above it alone (the Filter keeps the whole
 * predicate, so the access path may be chosen again from a larger one).
 */
function fullRead(read: Extract<PlanNode, { kind: 'tableRead' }>): boolean {
  return read.access.kind !== 'all' || read.access.limit === null;
}

function range0(start: number, width: number): number[] {
  return Array.from({ length: width }, (_v, i) => start + i);
}

interface EquiPair {
  /** The side over the left rel's columns, and the side over the right rel's. */
  readonly left: Expr;
  readonly right: Expr;
  readonly source: Expr;
}

/** `l = r` with one side reading only the left rel and the other only the right rel. */
function equiPair(c: Expr, left: ReadonlySet<number>, right: ReadonlySet<number>): EquiPair | null {
  if (c.kind !== 'call' || !c.fn.isOperator || c.fn.name !== '=' || c.args.length !== 2) return null;
  const [a, b] = c.args as [Expr, Expr];
  const sa = columnSlots(a);
  const sb = columnSlots(b);
  const inside = (s: ReadonlySet<number>, side: ReadonlySet<number>): boolean => s.size > 0 && [...s].every((x) => side.has(x));
  if (inside(sa, left) && inside(sb, right)) return { left: a, right: b, source: c };
  if (inside(sa, right) && inside(sb, left)) return { left: b, right: a, source: c };
  return null;
}

const INTEGER_TYPES: ReadonlySet<number> = new Set([Oid.int2, Oid.int4, Oid.int8]);

/** Whether equal values of the two types have equal hash keys (hashKey in types/compare.ts). */
function hashCompatible(a: number, b: number): boolean {
  if (a === Oid.json || b === Oid.json) return false;
  return a === b || (INTEGER_TYPES.has(a) && INTEGER_TYPES.has(b));
}
