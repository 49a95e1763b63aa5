/**
 * Name scopes of a query: the FROM items visible to an expression, with their columns mapped to
 * slots of the row the expression will be evaluated on. Nested queries chain to their parent scope
 * (correlated references), resolved as PostgreSQL resolves column references.
 *
 * As in PostgreSQL's namespace, an entry may be visible by name only (a table inside an unaliased
 * JOIN: `t.c` works, but its columns are reached unqualified through the join's own entry) or by its
 * columns only (an unaliased JOIN, whose merged USING columns exist nowhere else).
 */
import { SqlError, SqlState } from '../../errors.js';
import type { TypeRef } from '../../types/registry.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { OutputColumn } from '../plan.js';
import { mapChildren, type Expr } from '../expr.js';
import { Oid } from '../../types/oids.js';

export interface ScopeColumn {
  readonly name: string;
  readonly type: TypeRef;
  readonly slot: number;
  readonly tableOid: number;
  readonly attnum: number;
  readonly hidden: boolean;
  /** A system column (tableoid, xmin): found by name, left out of `*`. */
  readonly system?: boolean;
  /**
   * A column that is an expression over the row rather than one slot: the merged column of a
   * FULL JOIN ... USING, COALESCE(left.c, right.c). Its column references are depth-0 slots.
   */
  readonly computed?: Expr;
}

/** One FROM item: a table, a subquery, a function, a join, with its reference name. */
export interface RangeEntry {
  /** The alias, or the table name when there is none. */
  readonly refName: string;
  /** For a table: its schema name (so `schema.table.column` resolves). */
  readonly schemaName: string | null;
  readonly columns: readonly ScopeColumn[];
  /** Reachable as `refName.column` (default true; false for an unaliased join). */
  readonly relVisible?: boolean;
  /** Its columns answer unqualified names and `*` (default true; false inside a join, whose entry shows them). */
  readonly colsVisible?: boolean;
  /**
   * Named but not to be referenced from here: the target of UPDATE ... FROM / DELETE ... USING as
   * its LATERAL items and functions see it. A reference to it is PostgreSQL's 42P10.
   */
  readonly refused?: boolean;
}

export class Scope {
  /** How many column references resolved to this scope's own entries (LATERAL and correlation detection). */
  private hits = 0;

  constructor(
    readonly entries: readonly RangeEntry[],
    readonly parent: Scope | null = null,
  ) {}

  static empty(parent: Scope | null = null): Scope {
    return new Scope([], parent);
  }

  /** A scope over a plan node's output, as one entry named `refName`. */
  static ofColumns(refName: string, schemaName: string | null, columns: readonly OutputColumn[], parent: Scope | null = null): Scope {
    return new Scope([entryOfColumns(refName, schemaName, columns)], parent);
  }

  /** References resolved in this scope or any enclosing one so far (compare before and after binding). */
  chainHits(): number {
    let n = 0;
    for (let s: Scope | null = this; s; s = s.parent) n += s.hits;
    return n;
  }

  /** References resolved in this scope's own entries so far. */
  ownHits(): number {
    return this.hits;
  }

  /**
   * Resolves a column reference (1 to 3 names) to an expression: a column of this scope, or an
   * outer column of an enclosing one.
   */
  resolveColumn(fields: readonly string[], depth = 0): Expr {
    const name = fields[fields.length - 1]!;
    if (fields.length === 1) {
      const matches: ScopeColumn[] = [];
      for (const e of this.entries) {
        if (e.colsVisible === false) continue;
        for (const c of e.columns) {
          if (c.hidden || c.name !== name) continue;
          if (e.refused) throw refusedReference(e);
          matches.push(c);
        }
      }
      if (matches.length > 1) throw new SqlError(SqlState.ambiguousColumn, `column reference "${name}" is ambiguous`);
      if (matches.length === 1) {
        this.hits++;
        return columnExpr(matches[0]!, depth);
      }
      if (this.parent) return this.parent.resolveColumnOrNull(fields, depth + 1) ?? this.throwUndefined(fields);
      return this.throwUndefined(fields);
    }
    const entry = this.findEntry(fields);
    if (!entry) {
      if (this.parent) {
        const r = this.parent.resolveColumnOrNull(fields, depth + 1);
        if (r) return r;
      }
      throw new SqlError(SqlState.undefinedTable, `missing FROM-clause entry for table "${fields[fields.length - 2]}"`);
    }
    if (entry.refused) throw refusedReference(entry);
    const col = entry.columns.find((c) => c.name === name && !c.hidden);
    if (!col) throw new SqlError(SqlState.undefinedColumn, `column ${fields.slice(-2).join('.')} does not exist`);
    this.hits++;
    return columnExpr(col, depth);
  }

  private resolveColumnOrNull(fields: readonly string[], depth: number): Expr | null {
    try {
      return this.resolveColumn(fields, depth);
    } catch (e) {
      if (e instanceof SqlError && (e.code === SqlState.undefinedColumn || e.code === SqlState.undefinedTable)) return null;
      throw e;
    }
  }

  private throwUndefined(fields: readonly string[]): never {
    throw new SqlError(SqlState.undefinedColumn, `column "${fields[fields.length - 1]}" does not exist`);
  }

  /** The entry a qualified reference (`t.c` or `s.t.c`) names. */
  findEntry(fields: readonly string[]): RangeEntry | undefined {
    const table = fields[fields.length - 2]!;
    const schema = fields.length >= 3 ? fields[fields.length - 3]! : null;
    return this.entries.find((e) => e.relVisible !== false && e.refName === table && (schema === null || e.schemaName === schema));
  }

  /** `*` or `t.*`: the visible columns in order. */
  expandStar(qualifier: readonly string[] | null): ScopeColumn[] {
    if (qualifier === null) return this.entries.filter((e) => e.colsVisible !== false).flatMap((e) => e.columns.filter((c) => !c.hidden && !c.system));
    const entry = this.findEntry([...qualifier, '*']);
    if (!entry) throw new SqlError(SqlState.undefinedTable, `missing FROM-clause entry for table "${qualifier[qualifier.length - 1]}"`);
    if (entry.refused) throw refusedReference(entry);
    this.hits++;
    return entry.columns.filter((c) => !c.hidden && !c.system);
  }

  /** The expression a scope column stands for, read at depth 0 (the row of this scope). */
  static columnRef(c: ScopeColumn): Expr {
    return columnExpr(c, 0);
  }
}

/** A range entry over a plan node's output columns (slots 0..n-1, shifted by `slotOffset`). */
export function entryOfColumns(refName: string, schemaName: string | null, columns: readonly OutputColumn[], slotOffset = 0): RangeEntry {
  return {
    refName,
    schemaName,
    columns: columns.map((c, i) => ({ name: c.name, type: c.type, slot: i + slotOffset, tableOid: c.tableOid, attnum: c.attnum, hidden: c.hidden ?? false })),
  };
}

function refusedReference(e: RangeEntry): SqlError {
  return new SqlError(SqlState.invalidColumnReference, `invalid reference to FROM-clause entry for table "${e.refName}"`, {
    hint: `There is an entry for table "${e.refName}", but it cannot be referenced from this part of the query.`,
  });
}

function columnExpr(c: ScopeColumn, depth: number): Expr {
  if (c.computed) return depth === 0 ? c.computed : asOuter(c.computed, depth);
  if (depth === 0) return { kind: 'column', slot: c.slot, type: c.type, name: c.name };
  return { kind: 'outerColumn', depth, slot: c.slot, type: c.type, name: c.name };
}

/** A depth-0 expression as seen from `depth` levels inside it. */
function asOuter(e: Expr, depth: number): Expr {
  if (e.kind === 'column') return { kind: 'outerColumn', depth, slot: e.slot, type: e.type, name: e.name };
  return mapChildren(e, (x) => asOuter(x, depth));
}

/** What analysis of one statement needs: catalog, names, the function library, parameter types. */
export interface AnalyzerContext {
  readonly catalog: Catalog;
  readonly searchPath: readonly string[];
  readonly user: string;
  readonly registry: FunctionRegistry;
  /** Parameter types: given at Parse or inferred; 0 while unknown. Mutated as inference proceeds. */
  readonly paramTypes: number[];
  /** The statement text (for error positions). */
  readonly sql: string;
  notice(message: string): void;
}

/** Records the type of `$n` once inferred; returns the type it now has. */
export function inferParam(ctx: AnalyzerContext, index: number, type: TypeRef): TypeRef {
  while (ctx.paramTypes.length <= index) ctx.paramTypes.push(0);
  const known = ctx.paramTypes[index]!;
  if (known === 0 || known === Oid.unknown) {
    ctx.paramTypes[index] = type.oid;
    return { oid: type.oid, typmod: -1 };
  }
  return { oid: known, typmod: -1 };
}

/** 42P18 for every parameter whose type nothing determined. */
export function checkParamsResolved(ctx: AnalyzerContext): void {
  ctx.paramTypes.forEach((t, i) => {
    if (t === 0 || t === Oid.unknown) {
      throw new SqlError(SqlState.indeterminateDatatype, `could not determine data type of parameter $${i + 1}`);
    }
  });
}
