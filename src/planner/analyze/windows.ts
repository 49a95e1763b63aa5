/**
 * Window clauses: `OVER (...)`, `OVER name` and the WINDOW clause, resolved as PostgreSQL's
 * transformWindowDefinitions does (a window may copy a named one's PARTITION BY and ORDER BY, not
 * override them, nor copy one with a frame). Window function calls found while binding a select
 * list or ORDER BY are collected here with their window; calls over equal windows share one Window
 * node.
 */
import type { Node, WindowDef } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { formatType, type TypeRef } from '../../types/registry.js';
import { columnSlots, INT8_TYPE, type Expr } from '../expr.js';
import type { FrameBound, RangeOffsetOps, SortKey, WindowCall, WindowFrame } from '../plan.js';
import { charPosition } from '../parser.js';
import { locationOf, nodeAs, unsupported } from './ast.js';
import { ExpressionBinder, type AggregateSink, type SubqueryPlanner, type WindowSink } from './expressions.js';
import type { AnalyzerContext, Scope } from './scope.js';

/** PostgreSQL's FRAMEOPTION_* bits (nodes/parsenodes.h), as the parser reports frameOptions. */
const FRAME = {
  RANGE: 0x2,
  ROWS: 0x4,
  GROUPS: 0x8,
  START_UNBOUNDED_PRECEDING: 0x20,
  END_UNBOUNDED_FOLLOWING: 0x100,
  START_CURRENT_ROW: 0x200,
  END_CURRENT_ROW: 0x400,
  START_OFFSET_PRECEDING: 0x800,
  END_OFFSET_PRECEDING: 0x1000,
  START_OFFSET_FOLLOWING: 0x2000,
  END_OFFSET_FOLLOWING: 0x4000,
  EXCLUDE_CURRENT_ROW: 0x8000,
  EXCLUDE_GROUP: 0x10000,
  EXCLUDE_TIES: 0x20000,
} as const;
/** RANGE UNBOUNDED PRECEDING (to CURRENT ROW): the frame of a window without a frame clause. */
const DEFAULT_FRAME_OPTIONS = 0x2 | 0x20 | 0x400;

export interface WindowSpec {
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortKey[];
  readonly frame: WindowFrame;
  /** Equal keys: the same window (one Window node). */
  readonly key: string;
}

interface ResolvedDef {
  readonly partition: readonly Node[];
  readonly order: readonly Node[];
  readonly frameOptions: number;
  readonly startOffset: Node | undefined;
  readonly endOffset: Node | undefined;
}

export class WindowCollector implements WindowSink {
  readonly calls: Array<{ call: WindowCall; spec: WindowSpec }> = [];
  private readonly named = new Map<string, WindowDef>();
  private readonly binder: ExpressionBinder;

  constructor(
    private readonly ctx: AnalyzerContext,
    scope: Scope,
    aggregates: AggregateSink,
    windowClause: readonly Node[] | undefined,
    planSubquery: SubqueryPlanner,
  ) {
    // Window definitions may hold aggregates, but no window or set-returning function.
    this.binder = new ExpressionBinder(ctx, scope, aggregates, 'window definitions', planSubquery);
    for (const n of windowClause ?? []) {
      const def = nodeAs(n, 'WindowDef')!;
      const name = def.name ?? '';
      if (this.named.has(name)) {
        throw new SqlError(SqlState.windowingError, `window "${name}" is already defined`, { position: charPosition(ctx.sql, def.location) });
      }
      this.named.set(name, def);
    }
  }

  add(call: WindowCall, over: WindowDef): number {
    this.calls.push({ call, spec: this.specOf(over) });
    return this.calls.length - 1;
  }

  private specOf(over: WindowDef): WindowSpec {
    // `OVER name` is the named window itself; `OVER (name ...)` copies it.
    const isReference = over.name !== undefined && over.refname === undefined && !over.partitionClause?.length && !over.orderClause?.length;
    const def = isReference ? this.resolve(this.namedDef(over.name!, over.location)) : this.resolve(over);
    const partitionBy = def.partition.map((n) => this.binder.resolveUnknown(this.binder.bind(n)));
    const orderBy: SortKey[] = def.order.map((n) => {
      const sb = nodeAs(n, 'SortBy')!;
      if (sb.sortby_dir === 'SORTBY_USING') throw unsupported('ORDER BY ... USING');
      const descending = sb.sortby_dir === 'SORTBY_DESC';
      const nullsFirst = sb.sortby_nulls === 'SORTBY_NULLS_FIRST' || (sb.sortby_nulls !== 'SORTBY_NULLS_LAST' && descending);
      return { expr: this.binder.resolveUnknown(this.binder.bind(sb.node!)), descending, nullsFirst };
    });
    const frame = this.frameOf(def, orderBy, over);
    const key = JSON.stringify({ partitionBy, orderBy, frame }, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'function' ? undefined : v));
    return { partitionBy, orderBy, frame, key };
  }

  private namedDef(name: string, location: number | undefined): WindowDef {
    const def = this.named.get(name);
    if (!def) throw new SqlError(SqlState.undefinedObject, `window "${name}" does not exist`, { position: charPosition(this.ctx.sql, location) });
    return def;
  }

  /** A window definition with what it copies from a named window filled in. */
  private resolve(def: WindowDef): ResolvedDef {
    const own: ResolvedDef = {
      partition: def.partitionClause ?? [],
      order: def.orderClause ?? [],
      frameOptions: def.frameOptions ?? DEFAULT_FRAME_OPTIONS,
      startOffset: def.startOffset,
      endOffset: def.endOffset,
    };
    if (!def.refname) return own;
    const name = def.refname;
    const base = this.resolve(this.namedDef(name, def.location));
    const at = { position: charPosition(this.ctx.sql, def.location) };
    if (own.partition.length) throw new SqlError(SqlState.windowingError, `cannot override PARTITION BY clause of window "${name}"`, at);
    if (own.order.length && base.order.length) throw new SqlError(SqlState.windowingError, `cannot override ORDER BY clause of window "${name}"`, at);
    if ((base.frameOptions & ~0x1) !== DEFAULT_FRAME_OPTIONS) {
      throw new SqlError(SqlState.windowingError, `cannot copy window "${name}" because it has a frame clause`, { ...at, hint: 'Omit the parentheses in this OVER clause.' });
    }
    return { ...own, partition: base.partition, order: base.order.length ? base.order : own.order };
  }

  private frameOf(def: ResolvedDef, orderBy: readonly SortKey[], over: WindowDef): WindowFrame {
    const o = def.frameOptions;
    const mode = o & FRAME.ROWS ? 'rows' : o & FRAME.GROUPS ? 'groups' : 'range';
    const offsetBound = (kind: 'preceding' | 'following', node: Node | undefined): FrameBound => ({ kind, offset: this.frameOffset(mode, node!, orderBy, over) });
    const start: FrameBound =
      o & FRAME.START_UNBOUNDED_PRECEDING
        ? { kind: 'unboundedPreceding' }
        : o & FRAME.START_CURRENT_ROW
          ? { kind: 'currentRow' }
          : offsetBound(o & FRAME.START_OFFSET_PRECEDING ? 'preceding' : 'following', def.startOffset);
    const end: FrameBound =
      o & FRAME.END_UNBOUNDED_FOLLOWING
        ? { kind: 'unboundedFollowing' }
        : o & (FRAME.END_OFFSET_PRECEDING | FRAME.END_OFFSET_FOLLOWING)
          ? offsetBound(o & FRAME.END_OFFSET_PRECEDING ? 'preceding' : 'following', def.endOffset)
          : { kind: 'currentRow' };
    const exclude = o & FRAME.EXCLUDE_CURRENT_ROW ? 'currentRow' : o & FRAME.EXCLUDE_GROUP ? 'group' : o & FRAME.EXCLUDE_TIES ? 'ties' : 'noOthers';
    const usesOffset = start.kind === 'preceding' || start.kind === 'following' || end.kind === 'preceding' || end.kind === 'following';
    let rangeOps: RangeOffsetOps | null = null;
    if (mode === 'range' && usesOffset) rangeOps = this.rangeOps(orderBy[0]!.expr.type, this.rangeOffsetType(orderBy[0]!.expr.type));
    return { mode, start, end, exclude, rangeOps };
  }

  /** A frame offset: a constant (no column of the query) of the type the frame mode needs. */
  private frameOffset(mode: 'rows' | 'range' | 'groups', node: Node, orderBy: readonly SortKey[], over: WindowDef): Expr {
    const clause = mode.toUpperCase();
    const e = this.binder.withoutAggregates(clause).bind(node);
    if (columnSlots(e).size > 0) {
      throw new SqlError(SqlState.invalidColumnReference, `argument of ${clause} must not contain variables`, { position: charPosition(this.ctx.sql, locationOf(node)) });
    }
    if (mode !== 'range') return this.binder.withoutAggregates(clause).coerce(e, INT8_TYPE, 'implicit');
    if (orderBy.length !== 1) {
      throw new SqlError(SqlState.windowingError, 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', { position: charPosition(this.ctx.sql, over.location) });
    }
    const target = this.rangeOffsetType(orderBy[0]!.expr.type, locationOf(node));
    return this.binder.withoutAggregates(clause).coerce(e, target, 'implicit');
  }

  /** The offset type of PostgreSQL's in_range support for an ORDER BY type. */
  private rangeOffsetType(orderType: TypeRef, location?: number): TypeRef {
    switch (orderType.oid) {
      case Oid.int2:
      case Oid.int4:
      case Oid.int8:
        return INT8_TYPE;
      case Oid.numeric:
        return { oid: Oid.numeric, typmod: -1 };
      case Oid.float4:
      case Oid.float8:
        return { oid: Oid.float8, typmod: -1 };
      case Oid.date:
      case Oid.time:
      case Oid.timestamp:
      case Oid.timestamptz:
      case Oid.interval:
        return { oid: Oid.interval, typmod: -1 };
      default:
        throw new SqlError(SqlState.featureNotSupported, `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatType(orderType.oid)}`, {
          position: charPosition(this.ctx.sql, location),
        });
    }
  }

  private rangeOps(orderType: TypeRef, offsetType: TypeRef): RangeOffsetOps {
    const registry = this.ctx.registry;
    const add = registry.resolveOperator('+', orderType, offsetType);
    const sub = registry.resolveOperator('-', orderType, offsetType);
    const boundType = add.returnType;
    const ge = registry.resolveOperator('>=', orderType, boundType);
    const le = registry.resolveOperator('<=', orderType, boundType);
    return { add: add.fn, sub: sub.fn, ge: ge.fn, le: le.fn, orderType, offsetType, boundType };
  }
}
