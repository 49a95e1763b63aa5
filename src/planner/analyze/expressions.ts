/**
 * Expression analysis: parse-tree expressions to typed, bound Expr, with PostgreSQL's rules for
 * literals (unknown until context decides), operator and function resolution, implicit and
 * assignment coercion, common types (CASE, COALESCE, IN, ARRAY), and parameter type inference.
 */
import type { Node, FuncCall, A_Expr, TypeName, SubLink, SelectStmt, WindowDef } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { arrayOf, elementOf, formatType, isArrayType, parseTypeName, typeByName, typeByOid, typmodFromModifiers, type TypeRef } from '../../types/registry.js';
import { parseText, DEFAULT_CODEC_CONTEXT } from '../../types/codec.js';
import { catalogRegResolver, regclassFromText, regclassText } from '../reg-objects.js';
import { Numeric } from '../../types/numeric.js';
import { charFromByte } from '../../types/character.js';
import { encodeUtf8 } from '../../types/binary.js';
import type { SqlValue } from '../../types/values.js';
import {
  BOOL_TYPE,
  TEXT_TYPE,
  UNKNOWN_TYPE,
  type AggregateCall,
  type Expr,
  type ScalarArrayOpExpr,
} from '../expr.js';
import { buildCast, canCoerce, castContext, typmodCoercion, VECTOR_ARRAYS, type CoercionContext } from '../functions/casts.js';
import { INFORMATION_SCHEMA_FUNCTIONS } from '../procs.js';
import { fieldSelectExpr, recordFields } from '../records.js';
import type { ScalarFunction } from '../functions/registry.js';
import { charPosition } from '../parser.js';
import { intValue, locationOf, nodeAs, nodeTag, stringList, unsupported } from './ast.js';
import { Scope, inferParam, type AnalyzerContext } from './scope.js';
import type { FunctionCallSpec, PlanNode, WindowCall } from '../plan.js';
import { likeMatcher } from '../functions/patterns.js';
import { inSubLink } from './cte.js';

/** Where aggregate calls found while binding go; null where aggregates are not allowed. */
export interface AggregateSink {
  add(call: AggregateCall): number;
  /** The clause name for "aggregate functions are not allowed in X" when disallowed. */
  readonly allowed: boolean;
  readonly clause: string;
}

/** Where window function calls go (the select analyzer, which builds Window nodes); returns the call's index. */
export interface WindowSink {
  add(call: WindowCall, over: WindowDef): number;
}

/** Where set-returning functions of a select list go (a ProjectSet node); returns the call's index. */
export interface SetFunctionSink {
  add(call: FunctionCallSpec): number;
}

/** Sinks other than aggregates: absent where the clause does not allow the construct. */
export interface BinderSinks {
  readonly windows?: WindowSink | null;
  readonly setFunctions?: SetFunctionSink | null;
}

/** Plans a subquery (set by the select analyzer, which owns query planning). */
export type SubqueryPlanner = (stmt: SelectStmt, scope: Scope) => PlanNode;

/** reg* types other than regclass: their literals name catalog objects. */
const OBJECT_IDENTIFIER_TYPES: ReadonlySet<number> = new Set([Oid.regtype, Oid.regproc, Oid.regprocedure, Oid.regnamespace, Oid.regrole, Oid.regoper]);

/** Types whose text input depends on session settings (DateStyle, TimeZone): parsed at run time. */
const SESSION_DEPENDENT_INPUT: ReadonlySet<number> = new Set([Oid.date, Oid.time, Oid.timestamp, Oid.timestamptz, Oid.timetz, Oid.interval]);

export function isSessionDependentInput(oid: number): boolean {
  const base = elementOf(oid) || oid;
  // regnamespace input needs the catalog (the codec's regResolver), which is there at run time.
  return SESSION_DEPENDENT_INPUT.has(base) || base === Oid.regclass || base === Oid.regnamespace;
}

export class ExpressionBinder {
  constructor(
    readonly ctx: AnalyzerContext,
    readonly scope: Scope,
    readonly aggregates: AggregateSink | null,
    readonly clause: string,
    readonly planSubquery: SubqueryPlanner | null = null,
    readonly sinks: BinderSinks = {},
  ) {}

  withScope(scope: Scope, clause = this.clause): ExpressionBinder {
    return new ExpressionBinder(this.ctx, scope, this.aggregates, clause, this.planSubquery, this.sinks);
  }

  /** A binder for a clause that allows no aggregates, window functions or set-returning functions. */
  withoutAggregates(clause: string): ExpressionBinder {
    return new ExpressionBinder(this.ctx, this.scope, { add: () => 0, allowed: false, clause }, clause, this.planSubquery);
  }

  /** Binds `node`; errors carry the node's position. */
  bind(node: Node, typeHint: TypeRef | null = null): Expr {
    try {
      return this.bindNode(node, typeHint);
    } catch (e) {
      if (e instanceof SqlError && e.position === undefined) {
        const loc = locationOf(node);
        if (loc !== undefined && positionedCodes.has(e.code)) e.position = charPosition(this.ctx.sql, loc);
      }
      throw e;
    }
  }

  private bindNode(node: Node, typeHint: TypeRef | null): Expr {
    const tag = nodeTag(node);
    switch (tag) {
      case 'A_Const':
        return this.bindConst(nodeAs(node, 'A_Const')!);
      case 'ColumnRef': {
        const fields = nodeAs(node, 'ColumnRef')!.fields ?? [];
        const names = stringList(fields);
        if (names.includes('*')) throw new SqlError(SqlState.syntaxError, 'row expansion via "*" is not supported here');
        return this.scope.resolveColumn(names);
      }
      case 'ParamRef': {
        const n = nodeAs(node, 'ParamRef')!.number ?? 0;
        if (n < 1 || n > MAX_PARAMS) throw new SqlError(SqlState.undefinedParameter, `there is no parameter $${n}`);
        while (this.ctx.paramTypes.length < n) this.ctx.paramTypes.push(0);
        const known = this.ctx.paramTypes[n - 1]!;
        return { kind: 'param', index: n - 1, type: known === 0 ? UNKNOWN_TYPE : { oid: known, typmod: -1 } };
      }
      case 'A_Expr':
        return this.bindAExpr(nodeAs(node, 'A_Expr')!);
      case 'BoolExpr': {
        const b = nodeAs(node, 'BoolExpr')!;
        const args = (b.args ?? []).map((a) => this.coerceToBool(this.bind(a), b.boolop === 'AND_EXPR' ? 'AND' : b.boolop === 'OR_EXPR' ? 'OR' : 'NOT'));
        if (b.boolop === 'NOT_EXPR') return { kind: 'not', arg: args[0]!, type: BOOL_TYPE };
        return { kind: b.boolop === 'AND_EXPR' ? 'and' : 'or', args, type: BOOL_TYPE };
      }
      case 'NullTest': {
        const t = nodeAs(node, 'NullTest')!;
        // IS NULL gives no type to a parameter (PostgreSQL then reports 42P18); a literal is text.
        const bound = this.bind(t.arg!);
        const arg = bound.kind === 'param' ? bound : this.resolveUnknown(bound);
        return { kind: 'nullTest', arg, negated: t.nulltesttype === 'IS_NOT_NULL', type: BOOL_TYPE };
      }
      case 'BooleanTest': {
        const t = nodeAs(node, 'BooleanTest')!;
        const arg = this.coerceToBool(this.bind(t.arg!), 'IS');
        const kind = t.booltesttype ?? 'IS_TRUE';
        return {
          kind: 'boolTest',
          arg,
          test: kind.includes('TRUE') ? 'true' : kind.includes('FALSE') ? 'false' : 'unknown',
          negated: kind.startsWith('IS_NOT'),
          type: BOOL_TYPE,
        };
      }
      case 'TypeCast': {
        const c = nodeAs(node, 'TypeCast')!;
        const target = this.resolveTypeName(c.typeName!);
        const arg = this.bind(c.arg!, target);
        return this.coerce(arg, target, 'explicit');
      }
      case 'FuncCall':
        return this.bindFuncCall(nodeAs(node, 'FuncCall')!);
      case 'CaseExpr':
        return this.bindCase(nodeAs(node, 'CaseExpr')!);
      case 'CoalesceExpr': {
        const args = (nodeAs(node, 'CoalesceExpr')!.args ?? []).map((a) => this.bind(a));
        const type = this.commonType(args, 'COALESCE');
        return { kind: 'coalesce', args: args.map((a) => this.coerce(a, type, 'implicit')), type };
      }
      case 'MinMaxExpr': {
        const m = nodeAs(node, 'MinMaxExpr')!;
        const op = m.op === 'IS_GREATEST' ? 'greatest' : 'least';
        const args = (m.args ?? []).map((a) => this.bind(a));
        const type = this.commonType(args, op.toUpperCase());
        return { kind: 'minmax', op, args: args.map((a) => this.coerce(a, type, 'implicit')), type };
      }
      case 'SQLValueFunction':
        return this.bindSqlValueFunction(nodeAs(node, 'SQLValueFunction')!.op ?? '');
      case 'A_ArrayExpr':
        return this.bindArray(nodeAs(node, 'A_ArrayExpr')!.elements ?? [], typeHint);
      case 'A_Indirection':
        return this.bindIndirection(nodeAs(node, 'A_Indirection')!);
      case 'CollateClause': {
        const c = nodeAs(node, 'CollateClause')!;
        const collation = stringList(c.collname).pop() ?? '';
        if (!['C', 'default', 'POSIX', 'C.UTF-8', 'ucs_basic'].includes(collation)) {
          throw new SqlError(SqlState.undefinedObject, `collation "${collation}" for encoding "UTF8" does not exist`);
        }
        const arg = this.bind(c.arg!);
        return arg.type.oid === Oid.unknown ? this.coerce(arg, TEXT_TYPE, 'implicit') : arg;
      }
      case 'SubLink':
        return this.bindSubLink(nodeAs(node, 'SubLink')!);
      case 'RowExpr':
        throw unsupported('a row constructor in this position');
      case 'GroupingFunc': {
        if (!this.aggregates?.allowed) {
          throw new SqlError(SqlState.groupingError, this.clause === NESTED_AGGREGATE ? 'aggregate function calls cannot contain grouping operations' : `grouping operations are not allowed in ${this.clause}`);
        }
        const args = (nodeAs(node, 'GroupingFunc')!.args ?? []).map((a) => this.withoutAggregates(this.clause).bind(a));
        if (args.length > 31) throw new SqlError('54023', 'GROUPING must have fewer than 32 arguments');
        return { kind: 'groupingFunc', args, type: { oid: Oid.int4, typmod: -1 } };
      }
      case 'SetToDefault':
        throw new SqlError(SqlState.syntaxError, 'DEFAULT is not allowed in this context');
      default:
        throw unsupported(`expression ${tag}`);
    }
  }

  // ---- literals ---------------------------------------------------------------------------------

  private bindConst(c: NonNullable<ReturnType<typeof nodeAs<'A_Const'>>>): Expr {
    if (c.isnull) return { kind: 'const', type: UNKNOWN_TYPE, value: null };
    if (c.ival !== undefined) return { kind: 'const', type: { oid: Oid.int4, typmod: -1 }, value: c.ival.ival ?? 0 };
    if (c.fval !== undefined) {
      const text = c.fval.fval ?? '0';
      // An integer too wide for int4 is int8 when it fits, as PostgreSQL's make_const does.
      if (/^[+-]?\d+$/.test(text)) {
        const v = BigInt(text);
        if (v >= -(2n ** 63n) && v < 2n ** 63n) return { kind: 'const', type: { oid: Oid.int8, typmod: -1 }, value: v };
      }
      const n = Numeric.parse(text);
      if (!n) throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type numeric: "${text}"`);
      return { kind: 'const', type: { oid: Oid.numeric, typmod: -1 }, value: n };
    }
    if (c.boolval !== undefined) return { kind: 'const', type: BOOL_TYPE, value: c.boolval.boolval ?? false };
    if (c.sval !== undefined) return { kind: 'const', type: UNKNOWN_TYPE, value: c.sval.sval ?? '' };
    if (c.bsval !== undefined) throw unsupported('bit string literals');
    return { kind: 'const', type: UNKNOWN_TYPE, value: null };
  }

  // ---- coercion ---------------------------------------------------------------------------------

  /**
   * Converts `e` to `target` in `context`. Unknown literals are read as the target type; unknown
   * parameters take the target type. Fails with PostgreSQL's errors when no such cast exists.
   */
  coerce(e: Expr, target: TypeRef, context: CoercionContext, columnName?: string): Expr {
    if (e.type.oid === target.oid && (target.typmod < 0 || e.type.typmod === target.typmod)) {
      return e.type.typmod === target.typmod || target.typmod < 0 ? e : this.castExpr(e, target, context);
    }
    if (e.kind === 'param' && e.type.oid === Oid.unknown) {
      const t = inferParam(this.ctx, e.index, target);
      const p: Expr = { kind: 'param', index: e.index, type: t };
      return t.oid === target.oid && target.typmod < 0 ? p : this.coerce(p, target, context, columnName);
    }
    if (e.kind === 'const' && e.type.oid === Oid.unknown) return this.coerceLiteral(e.value, target, context);
    if (target.oid === Oid.anyelement || target.oid === 2276) return e;
    if (!canCoerce(e.type.oid, target.oid, context)) {
      if (context === 'assignment' && columnName !== undefined) {
        throw new SqlError(SqlState.datatypeMismatch, `column "${columnName}" is of type ${formatType(target.oid, target.typmod)} but expression is of type ${formatType(e.type.oid, e.type.typmod)}`, {
          hint: 'You will need to rewrite or cast the expression.',
        });
      }
      if (context === 'explicit' || castContext(e.type.oid, target.oid) === null) {
        throw new SqlError(SqlState.cannotCoerce, `cannot cast type ${formatType(e.type.oid, e.type.typmod)} to ${formatType(target.oid, target.typmod)}`);
      }
      throw new SqlError(SqlState.datatypeMismatch, `argument of ${this.clause} must be type ${formatType(target.oid)}, not type ${formatType(e.type.oid)}`);
    }
    return this.castExpr(e, target, context);
  }

  private castExpr(e: Expr, target: TypeRef, context: CoercionContext): Expr {
    if (target.oid === Oid.regclass && e.type.oid !== Oid.regclass && (e.type.oid === Oid.text || e.type.oid === Oid.varchar)) {
      return { kind: 'cast', arg: e, type: target, cast: (v, ectx) => regclassFromText(v as string, ectx.session.catalog(), ectx.session.searchPath(), ectx.session.user) };
    }
    if (e.type.oid === Oid.regclass && (target.oid === Oid.text || target.oid === Oid.varchar || target.oid === Oid.name)) {
      return { kind: 'cast', arg: e, type: target, cast: (v, ectx) => regclassText(v as number, ectx.session.catalog(), ectx.session.searchPath(), ectx.session.user) };
    }
    return { kind: 'cast', arg: e, type: target, cast: buildCast(e.type, target, context === 'explicit') };
  }

  /** An unknown literal read as `target` (at bind time unless the input depends on session settings). */
  private coerceLiteral(value: SqlValue, target: TypeRef, context: CoercionContext): Expr {
    if (value === null) return { kind: 'const', type: target, value: null };
    // Read with the type's input function, then apply the type modifier as a cast in this
    // context would ('abc'::varchar(2) truncates; assigning it to a varchar(2) column fails).
    const length = target.typmod >= 0 && (target.oid === Oid.varchar || target.oid === Oid.bpchar) ? typmodCoercion(target, context === 'explicit') : null;
    if (length) {
      const base = this.coerceLiteral(value, { oid: target.oid, typmod: -1 }, context);
      return base.kind === 'const' && base.value !== null ? { kind: 'const', type: target, value: length(base.value, undefined as never) } : base;
    }
    const text = value as string;
    if (target.oid === Oid.regclass) {
      return { kind: 'const', type: target, value: regclassFromText(text, this.ctx.catalog, this.ctx.searchPath, this.ctx.user) };
    }
    if (OBJECT_IDENTIFIER_TYPES.has(target.oid)) {
      // Names of catalog objects are resolved once, at analysis, as PostgreSQL does for 'x'::regproc.
      const codec = { ...DEFAULT_CODEC_CONTEXT, regResolver: catalogRegResolver(this.ctx.catalog, this.ctx.searchPath, this.ctx.user) };
      return { kind: 'const', type: target, value: parseText(target.oid, text, target.typmod, codec) };
    }
    if (isSessionDependentInput(target.oid)) {
      return { kind: 'cast', arg: { kind: 'const', type: UNKNOWN_TYPE, value: text }, type: target, cast: (v, ectx) => parseText(target.oid, v as string, target.typmod, ectx.codec) };
    }
    if (target.oid === Oid.unknown) return { kind: 'const', type: TEXT_TYPE, value: text };
    if (!typeByOid(target.oid)) throw unsupported(`input of type ${target.oid}`);
    return { kind: 'const', type: target, value: parseText(target.oid, text, target.typmod, DEFAULT_CODEC_CONTEXT) };
  }

  /** An expression still of unknown type (an untyped literal or parameter) becomes text. */
  resolveUnknown(e: Expr): Expr {
    return e.type.oid === Oid.unknown ? this.coerce(e, TEXT_TYPE, 'implicit') : e;
  }

  coerceToBool(e: Expr, clause: string): Expr {
    if (e.type.oid === Oid.bool) return e;
    if (e.type.oid === Oid.unknown) return this.coerce(e, BOOL_TYPE, 'implicit');
    if (!canCoerce(e.type.oid, Oid.bool, 'implicit')) {
      throw new SqlError(SqlState.datatypeMismatch, `argument of ${clause} must be type boolean, not type ${formatType(e.type.oid)}`);
    }
    return this.coerce(e, BOOL_TYPE, 'implicit');
  }

  /**
   * PostgreSQL's select_common_type: the type all of `exprs` convert to (unknowns → text when alone);
   * 42804 "X types a and b cannot be matched" otherwise.
   */
  commonType(exprs: readonly Expr[], context: string): TypeRef {
    const known = exprs.filter((e) => e.type.oid !== Oid.unknown);
    if (known.length === 0) return TEXT_TYPE;
    let chosen = known[0]!.type;
    const category = (oid: number): string => typeByOid(oid)?.typcategory ?? 'U';
    for (const e of known.slice(1)) {
      const t = e.type;
      if (t.oid === chosen.oid) {
        if (t.typmod !== chosen.typmod) chosen = { oid: chosen.oid, typmod: -1 };
        continue;
      }
      if (category(t.oid) !== category(chosen.oid)) {
        throw new SqlError(SqlState.datatypeMismatch, `${context} types ${formatType(chosen.oid)} and ${formatType(t.oid)} cannot be matched`);
      }
      const preferred = typeByOid(chosen.oid)?.typispreferred ?? false;
      if (!preferred && canCoerce(chosen.oid, t.oid, 'implicit') && !canCoerce(t.oid, chosen.oid, 'implicit')) chosen = { oid: t.oid, typmod: -1 };
    }
    for (const e of known) {
      if (!canCoerce(e.type.oid, chosen.oid, 'implicit')) {
        throw new SqlError(SqlState.datatypeMismatch, `${context} could not convert type ${formatType(e.type.oid)} to ${formatType(chosen.oid)}`);
      }
    }
    return chosen;
  }

  // ---- type names -------------------------------------------------------------------------------

  resolveTypeName(t: TypeName): TypeRef {
    return resolveTypeName(t, (m) => this.ctx.notice(m));
  }

  // ---- operators --------------------------------------------------------------------------------

  /** Binds `left op right` (left null for prefix operators) to a call of the resolved operator. */
  operator(name: string, left: Expr | null, right: Expr): Expr {
    const r = this.ctx.registry.resolveOperator(name, left ? left.type : null, right.type);
    const args = left ? [left, right] : [right];
    const coerced = args.map((a, i) => this.coerce(a, r.argTypes[i]!, 'implicit'));
    return { kind: 'call', fn: r.fn, args: coerced, type: r.returnType };
  }

  private bindAExpr(a: A_Expr): Expr {
    const opName = stringList(a.name).pop() ?? '';
    switch (a.kind) {
      case 'AEXPR_OP': {
        if (a.lexpr && nodeTag(a.lexpr) === 'RowExpr' && a.rexpr && nodeTag(a.rexpr) === 'RowExpr') return this.bindRowComparison(opName, a.lexpr, a.rexpr);
        const left = a.lexpr ? this.bind(a.lexpr) : null;
        const right = this.bind(a.rexpr!);
        return this.operator(opName, left, right);
      }
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL':
        return this.bindArrayComparison(opName, this.bind(a.lexpr!), a.rexpr!, a.kind === 'AEXPR_OP_ANY');
      case 'AEXPR_DISTINCT':
      case 'AEXPR_NOT_DISTINCT': {
        const eq = this.operator('=', this.bind(a.lexpr!), this.bind(a.rexpr!));
        if (eq.kind !== 'call') throw new SqlError(SqlState.internalError, 'unexpected IS DISTINCT FROM operator');
        return { kind: 'call', fn: distinctFunction(eq.fn, a.kind === 'AEXPR_DISTINCT'), args: eq.args, type: BOOL_TYPE };
      }
      case 'AEXPR_NULLIF': {
        const left = this.bind(a.lexpr!);
        const right = this.bind(a.rexpr!);
        const eq = this.operator('=', left, right);
        if (eq.kind !== 'call') throw new SqlError(SqlState.internalError, 'unexpected NULLIF operator');
        return { kind: 'call', fn: nullifFunction(eq.fn), args: eq.args, type: eq.args[0]!.type };
      }
      case 'AEXPR_IN': {
        const left = this.bind(a.lexpr!);
        const items = (nodeAs(a.rexpr!, 'List')?.items ?? []).map((x) => this.bind(x));
        const type = this.commonType([left, ...items], 'IN');
        const l = this.coerce(left, type, 'implicit');
        const elements = items.map((x) => this.coerce(x, type, 'implicit'));
        const op = this.ctx.registry.resolveOperator(opName, type, type);
        const arrayType = arrayOf(type.oid);
        if (arrayType === 0) {
          // No array type: expand into an OR/AND chain.
          const parts: Expr[] = elements.map((x) => ({ kind: 'call', fn: op.fn, args: [l, x], type: BOOL_TYPE }));
          return { kind: opName === '=' ? 'or' : 'and', args: parts, type: BOOL_TYPE };
        }
        const arr: Expr = { kind: 'array', elements, type: { oid: arrayType, typmod: -1 } };
        return { kind: 'scalarArrayOp', op: op.fn, useOr: opName === '=', left: l, right: arr, type: BOOL_TYPE } satisfies ScalarArrayOpExpr;
      }
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE':
      case 'AEXPR_SIMILAR':
        return this.bindPattern(a, opName);
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM': {
        const [lo, hi] = nodeAs(a.rexpr!, 'List')?.items ?? [];
        const x = this.bind(a.lexpr!);
        const low = this.bind(lo!);
        const high = this.bind(hi!);
        const negated = a.kind === 'AEXPR_NOT_BETWEEN' || a.kind === 'AEXPR_NOT_BETWEEN_SYM';
        const range = (l: Expr, h: Expr): Expr =>
          negated
            ? { kind: 'or', args: [this.operator('<', x, l), this.operator('>', x, h)], type: BOOL_TYPE }
            : { kind: 'and', args: [this.operator('>=', x, l), this.operator('<=', x, h)], type: BOOL_TYPE };
        if (a.kind === 'AEXPR_BETWEEN_SYM' || a.kind === 'AEXPR_NOT_BETWEEN_SYM') {
          return { kind: negated ? 'and' : 'or', args: [range(low, high), range(high, low)], type: BOOL_TYPE };
        }
        return range(low, high);
      }
      default:
        throw unsupported(`operator kind ${a.kind ?? ''}`);
    }
  }

  /** `(a, b) = (x, y)`: element-wise, combined with AND (= ) or OR (<>). */
  private bindRowComparison(opName: string, l: Node, r: Node): Expr {
    const left = nodeAs(l, 'RowExpr')!.args ?? [];
    const right = nodeAs(r, 'RowExpr')!.args ?? [];
    if (left.length !== right.length) throw new SqlError(SqlState.syntaxError, 'unequal number of entries in row expressions');
    if (opName !== '=' && opName !== '<>') throw unsupported(`row comparison with ${opName}`);
    const parts = left.map((x, i) => this.operator(opName, this.bind(x), this.bind(right[i]!)));
    return { kind: opName === '=' ? 'and' : 'or', args: parts, type: BOOL_TYPE };
  }

  /** int2vector and oidvector read as the arrays they are binary-compatible with (subscripts, ANY). */
  private asArray(e: Expr): Expr {
    const array = VECTOR_ARRAYS.get(e.type.oid);
    return array === undefined ? e : this.coerce(e, { oid: array, typmod: -1 }, 'implicit');
  }

  private bindArrayComparison(opName: string, left: Expr, rightNode: Node, useOr: boolean): Expr {
    if (nodeTag(rightNode) === 'SubLink') throw unsupported('ANY/ALL over a subquery written this way');
    let right = this.asArray(this.bind(rightNode));
    let l = left;
    if (right.type.oid === Oid.unknown) {
      const base = l.type.oid === Oid.unknown ? TEXT_TYPE : l.type;
      l = this.coerce(l, base, 'implicit');
      right = this.coerce(right, { oid: arrayOf(base.oid), typmod: -1 }, 'implicit');
    }
    if (!isArrayType(right.type.oid)) {
      throw new SqlError(SqlState.wrongObjectType, `op ANY/ALL (array) requires array on right side`);
    }
    const element: TypeRef = { oid: elementOf(right.type.oid), typmod: -1 };
    const r = this.ctx.registry.resolveOperator(opName, l.type, element);
    if (r.returnType.oid !== Oid.bool) throw new SqlError(SqlState.wrongObjectType, 'op ANY/ALL (array) requires operator to yield boolean');
    const coercedLeft = this.coerce(l, r.argTypes[0]!, 'implicit');
    const coercedRight = this.coerce(right, { oid: arrayOf(r.argTypes[1]!.oid), typmod: -1 }, 'implicit');
    return { kind: 'scalarArrayOp', op: r.fn, useOr, left: coercedLeft, right: coercedRight, type: BOOL_TYPE };
  }

  private bindPattern(a: A_Expr, opName: string): Expr {
    const left = this.bind(a.lexpr!);
    const rexpr = a.rexpr!;
    const call = nodeAs(rexpr, 'FuncCall');
    const fname = call ? stringList(call.funcname).pop() : undefined;
    if (call && (fname === 'like_escape' || fname === 'similar_to_escape')) {
      const args = (call.args ?? []).map((x) => this.coerce(this.bind(x), TEXT_TYPE, 'implicit'));
      if (fname === 'like_escape') {
        const insensitive = opName.includes('*');
        const negated = opName.startsWith('!');
        const fn: ScalarFunction = {
          name: opName,
          isOperator: true,
          argTypes: [Oid.text, Oid.text, Oid.text],
          variadic: false,
          returnType: Oid.bool,
          volatility: 'i',
          strict: true,
          impl: ([s, p, esc]) => likeMatcher(p as string, insensitive, (esc as string).slice(0, 1))(s as string) !== negated,
        };
        const subject = this.coerce(left, TEXT_TYPE, 'implicit');
        return { kind: 'call', fn, args: [subject, args[0]!, args[1]!], type: BOOL_TYPE };
      }
      const pattern = this.bindFunctionByName('similar_to_escape', args);
      return this.operator(opName, left, pattern);
    }
    return this.operator(opName, left, this.bind(rexpr));
  }

  // ---- functions --------------------------------------------------------------------------------

  bindFunctionByName(name: string, args: readonly Expr[]): Expr {
    const r = this.ctx.registry.resolveFunction(name, args.map((a) => a.type));
    const coerced = args.map((a, i) => (a.type.oid === Oid.unknown || a.type.oid !== r.argTypes[i]!.oid ? this.coerce(a, r.argTypes[i]!, 'implicit') : a));
    return { kind: 'call', fn: r.fn, args: coerced, type: r.returnType };
  }

  private bindFuncCall(f: FuncCall): Expr {
    const names = stringList(f.funcname);
    const schema = names.length > 1 ? names[names.length - 2]! : null;
    const name = names[names.length - 1]!;
    if (schema !== null && schema !== 'pg_catalog' && schema !== 'public' && !(schema === 'information_schema' && INFORMATION_SCHEMA_FUNCTIONS.has(name))) {
      if (schema === 'information_schema') {
        throw new SqlError(SqlState.undefinedFunction, `function ${names.join('.')}(${(f.args ?? []).map(() => '...').join(', ')}) does not exist`);
      }
      throw new SqlError(SqlState.invalidSchemaName, `schema "${schema}" does not exist`);
    }
    if (f.over) return this.bindWindowCall(f, name);
    if (this.ctx.registry.isWindowFunction(name)) {
      throw new SqlError(SqlState.wrongObjectType, `window function ${name} requires an OVER clause`);
    }
    const isAggregate = this.ctx.registry.isAggregate(name);
    if (isAggregate) return this.bindAggregate(f, name);
    if (f.agg_star) throw new SqlError(SqlState.wrongObjectType, `${name}(*) specified, but ${name} is not an aggregate function`);
    if (f.agg_distinct || f.agg_order || f.agg_filter) {
      throw new SqlError(SqlState.wrongObjectType, `DISTINCT specified, but ${name} is not an aggregate function`);
    }
    const args = (f.args ?? []).map((a) => this.bind(a));
    // pg_typeof reports the argument's type as analysis found it, "unknown" included.
    if (name === 'pg_typeof' && args.length === 1) return { kind: 'const', type: { oid: Oid.regtype, typmod: -1 }, value: args[0]!.type.oid };
    if (!this.ctx.registry.hasFunction(name)) {
      throw new SqlError(SqlState.undefinedFunction, `function ${name}(${args.map((a) => (a.type.oid === Oid.unknown ? 'unknown' : formatType(a.type.oid))).join(', ')}) does not exist`, {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      });
    }
    const call = this.bindFunctionByName(name, args);
    if (call.kind === 'call' && call.fn.setReturning) return this.setFunctionRef(call.fn, call.args, call.type);
    return call;
  }

  /** A set-returning function in an expression: a column of the ProjectSet node, where allowed. */
  private setFunctionRef(fn: ScalarFunction, args: readonly Expr[], type: TypeRef): Expr {
    const sink = this.sinks.setFunctions;
    if (!sink) {
      if (this.clause === NESTED_AGGREGATE) {
        throw new SqlError(SqlState.featureNotSupported, 'aggregate function calls cannot contain set-returning function calls', {
          hint: 'You might be able to move the set-returning function into a LATERAL FROM item.',
        });
      }
      if (this.clause === NESTED_WINDOW) {
        throw new SqlError(SqlState.featureNotSupported, 'window function calls cannot contain set-returning function calls', {
          hint: 'You might be able to move the set-returning function into a LATERAL FROM item.',
        });
      }
      throw new SqlError(SqlState.featureNotSupported, `set-returning functions are not allowed in ${this.clause}`);
    }
    return { kind: 'setFunctionRef', index: sink.add({ fn, args, type }), type };
  }

  /** `f(...) OVER (...)`: a window function proper, or an aggregate used as one. */
  private bindWindowCall(f: FuncCall, name: string): Expr {
    const sink = this.sinks.windows;
    if (!sink) {
      if (this.clause === NESTED_AGGREGATE) throw new SqlError(SqlState.groupingError, 'aggregate function calls cannot contain window function calls');
      if (this.clause === NESTED_WINDOW) throw new SqlError(SqlState.windowingError, 'window function calls cannot be nested');
      throw new SqlError(SqlState.windowingError, `window functions are not allowed in ${this.clause}`);
    }
    const isWindow = this.ctx.registry.isWindowFunction(name);
    const isAggregate = this.ctx.registry.isAggregate(name);
    if (!isWindow && !isAggregate) {
      throw new SqlError(SqlState.wrongObjectType, `OVER specified, but ${name} is not a window function nor an aggregate function`);
    }
    if (f.agg_distinct) throw new SqlError(SqlState.featureNotSupported, 'DISTINCT is not implemented for window functions');
    if (f.agg_order?.length) throw new SqlError(SqlState.featureNotSupported, 'aggregate ORDER BY is not implemented for window functions');
    if (f.agg_filter && !isAggregate) throw new SqlError(SqlState.featureNotSupported, 'FILTER is not implemented for non-aggregate window functions');
    if (f.agg_star && !isAggregate) throw new SqlError(SqlState.wrongObjectType, `${name}(*) specified, but ${name} is not an aggregate function`);
    // Arguments may hold aggregates (of the grouped query), but no window or set-returning function.
    const inner = new ExpressionBinder(this.ctx, this.scope, this.aggregates, NESTED_WINDOW, this.planSubquery);
    const args = f.agg_star ? [] : (f.args ?? []).map((a) => inner.bind(a));
    let call: WindowCall;
    if (isWindow) {
      const r = this.ctx.registry.resolveWindowFunction(name, args.map((a) => a.type));
      const coerced = args.map((a, i) => inner.coerce(a, r.argTypes[i]!, 'implicit'));
      const type = r.fn.resultType ? r.fn.resultType(coerced.map((a) => a.type)) : r.returnType;
      call = { fn: { kind: 'window', def: r.fn }, args: coerced, filter: null, type };
    } else {
      const r = this.ctx.registry.resolveAggregate(name, args.map((a) => a.type));
      const coerced = args.map((a, i) => (r.argTypes[i]!.oid === 2276 ? inner.resolveUnknown(a) : inner.coerce(a, r.argTypes[i]!, 'implicit')));
      const filter = f.agg_filter ? inner.coerceToBool(inner.bind(f.agg_filter), 'FILTER') : null;
      const type = r.fn.resultType ? r.fn.resultType(coerced.map((a) => a.type)) : r.returnType;
      call = { fn: { kind: 'aggregate', def: r.fn }, args: coerced, filter, type };
    }
    return { kind: 'windowRef', index: sink.add(call, f.over!), type: call.type };
  }

  private bindAggregate(f: FuncCall, name: string): Expr {
    const sink = this.aggregates;
    if (!sink || !sink.allowed) {
      const clause = sink?.clause ?? this.clause;
      throw new SqlError(SqlState.groupingError, clause === NESTED_AGGREGATE ? 'aggregate function calls cannot be nested' : `aggregate functions are not allowed in ${clause}`);
    }
    const inner = this.withoutAggregates(NESTED_AGGREGATE);
    const args = f.agg_star ? [] : (f.args ?? []).map((a) => inner.bindAggArg(a));
    const r = this.ctx.registry.resolveAggregate(name, args.map((a) => a.type));
    const coerced = args.map((a, i) => (r.argTypes[i]!.oid === 2276 ? inner.resolveUnknown(a) : inner.coerce(a, r.argTypes[i]!, 'implicit')));
    const argTypes = coerced.map((a) => a.type);
    const filter = f.agg_filter ? inner.coerceToBool(inner.bindAggArg(f.agg_filter), 'FILTER') : null;
    const orderBy = (f.agg_order ?? []).map((s) => {
      const sb = nodeAs(s, 'SortBy')!;
      const descending = sb.sortby_dir === 'SORTBY_DESC';
      return {
        expr: inner.resolveUnknown(inner.bindAggArg(sb.node!)),
        descending,
        nullsFirst: sb.sortby_nulls === 'SORTBY_NULLS_FIRST' || (sb.sortby_nulls !== 'SORTBY_NULLS_LAST' && descending),
      };
    });
    const call: AggregateCall = { fn: r.fn, args: coerced, distinct: f.agg_distinct ?? false, filter, orderBy, type: r.fn.resultType ? r.fn.resultType(argTypes) : r.returnType };
    const index = sink.add(call);
    return { kind: 'aggregateRef', index, type: call.type };
  }

  /** Binds an aggregate's argument (a nested aggregate fails through the NESTED_AGGREGATE sink). */
  private bindAggArg(node: Node): Expr {
    return this.bind(node);
  }

  private bindSqlValueFunction(op: string): Expr {
    const f = SQL_VALUE_FUNCTIONS[op];
    if (!f?.fn) throw unsupported(op.replace('SVFOP_', '').toLowerCase());
    return this.bindFunctionByName(f.fn, []);
  }

  private bindCase(c: NonNullable<ReturnType<typeof nodeAs<'CaseExpr'>>>): Expr {
    const operand = c.arg ? this.bind(c.arg) : null;
    const whens = (c.args ?? []).map((w) => nodeAs(w, 'CaseWhen')!);
    const results = whens.map((w) => this.bind(w.result!));
    const elseResult = c.defresult ? this.bind(c.defresult) : { kind: 'const' as const, type: UNKNOWN_TYPE, value: null };
    const type = this.commonType([...results, elseResult], 'CASE');
    let operandExpr = operand;
    if (operand) {
      const values = whens.map((w) => this.bind(w.expr!));
      const t = this.commonType([operand, ...values], 'CASE/WHEN');
      operandExpr = this.coerce(operand, t, 'implicit');
      return {
        kind: 'case',
        whens: whens.map((_w, i) => ({ condition: this.operator('=', operandExpr!, this.coerce(values[i]!, t, 'implicit')), result: this.coerce(results[i]!, type, 'implicit') })),
        elseResult: this.coerce(elseResult, type, 'implicit'),
        type,
      };
    }
    return {
      kind: 'case',
      whens: whens.map((w, i) => ({ condition: this.coerceToBool(this.bind(w.expr!), 'CASE/WHEN'), result: this.coerce(results[i]!, type, 'implicit') })),
      elseResult: this.coerce(elseResult, type, 'implicit'),
      type,
    };
  }

  private bindArray(elements: readonly Node[], typeHint: TypeRef | null): Expr {
    const hintElement = typeHint && isArrayType(typeHint.oid) ? { oid: elementOf(typeHint.oid), typmod: typeHint.typmod } : null;
    const bound = elements.map((e) => this.bind(e, hintElement));
    if (bound.length === 0) {
      if (!typeHint || !isArrayType(typeHint.oid)) {
        throw new SqlError(SqlState.indeterminateDatatype, 'cannot determine type of empty array', {
          hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].',
        });
      }
      return { kind: 'array', elements: [], type: typeHint };
    }
    // Nested ARRAY[ARRAY[...]] builds a multidimensional array of the inner element type.
    const elementType = hintElement && bound.every((b) => b.type.oid === Oid.unknown) ? hintElement : this.commonType(bound, 'ARRAY');
    if (isArrayType(elementType.oid)) {
      return { kind: 'array', elements: bound.map((b) => this.coerce(b, elementType, 'implicit')), type: elementType };
    }
    const arrayType = arrayOf(elementType.oid);
    if (arrayType === 0) throw new SqlError(SqlState.undefinedObject, `could not find array type for data type ${formatType(elementType.oid)}`);
    return { kind: 'array', elements: bound.map((b) => this.coerce(b, elementType, 'implicit')), type: { oid: arrayType, typmod: -1 } };
  }

  private bindIndirection(ind: NonNullable<ReturnType<typeof nodeAs<'A_Indirection'>>>): Expr {
    let arg = this.bind(ind.arg!);
    const steps = ind.indirection ?? [];
    // Field selection from a record: (f(x)).n, (sub.keys).x.
    let first = 0;
    for (; first < steps.length; first++) {
      const field = nodeAs(steps[first], 'String');
      if (!field) break;
      arg = selectField(arg, field.sval ?? '');
    }
    if (first === steps.length) return arg;
    if (arg.type.oid === Oid.name) return this.bindNameSubscript(arg, steps.slice(first));
    arg = this.asArray(arg);
    const subscripts: Array<{ lower: Expr | null; upper: Expr | null; slice: boolean }> = [];
    for (const step of steps.slice(first)) {
      const idx = nodeAs(step, 'A_Indices');
      if (!idx) throw unsupported('field selection from a composite value');
      const toInt = (n: Node | undefined): Expr | null => (n ? this.coerce(this.bind(n), { oid: Oid.int4, typmod: -1 }, 'implicit') : null);
      subscripts.push({ lower: toInt(idx.lidx), upper: toInt(idx.uidx), slice: idx.is_slice ?? false });
    }
    if (arg.type.oid === Oid.unknown) arg = this.coerce(arg, { oid: Oid._text, typmod: -1 }, 'implicit');
    if (!isArrayType(arg.type.oid)) {
      throw new SqlError(SqlState.datatypeMismatch, `cannot subscript type ${formatType(arg.type.oid)} because it does not support subscripting`);
    }
    const slice = subscripts.some((s) => s.slice);
    const type = slice ? arg.type : { oid: elementOf(arg.type.oid), typmod: arg.type.typmod };
    return { kind: 'subscript', arg, indexes: subscripts, type };
  }

  /**
   * `name[i]`: a name is a fixed-length array of 64 "char" starting at 0 (pg_dump reads
   * `typname[0] = '_'`); past the end is NULL, slices are refused as PostgreSQL refuses them.
   */
  private bindNameSubscript(arg: Expr, steps: readonly Node[]): Expr {
    const idx = steps.length === 1 ? nodeAs(steps[0], 'A_Indices') : undefined;
    if (!idx || idx.is_slice || !idx.uidx) {
      throw new SqlError(SqlState.featureNotSupported, 'slices of fixed-length arrays not implemented');
    }
    const index = this.coerce(this.bind(idx.uidx), { oid: Oid.int4, typmod: -1 }, 'implicit');
    return { kind: 'call', fn: NAME_SUBSCRIPT, args: [arg, index], type: { oid: Oid.char, typmod: -1 } };
  }

  private bindSubLink(s: SubLink): Expr {
    if (!this.planSubquery) throw unsupported('subqueries here');
    const select = nodeAs(s.subselect!, 'SelectStmt');
    if (!select) throw unsupported('this kind of subquery');
    const childScope = Scope.empty(this.scope);
    // Correlated: some name inside resolved to this query or an enclosing one.
    const hitsBefore = this.scope.chainHits();
    const plan = inSubLink(this.ctx, () => this.planSubquery!(select, childScope));
    const visible = plan.columns.filter((c) => !c.hidden);
    const correlated = this.scope.chainHits() > hitsBefore;
    switch (s.subLinkType) {
      case 'EXISTS_SUBLINK':
        return { kind: 'subquery', subKind: 'exists', plan, testExpr: null, compare: null, correlated, type: BOOL_TYPE };
      case 'EXPR_SUBLINK':
        if (visible.length !== 1) throw new SqlError(SqlState.syntaxError, 'subquery must return only one column');
        return { kind: 'subquery', subKind: 'scalar', plan, testExpr: null, compare: null, correlated, type: visible[0]!.type };
      case 'ARRAY_SUBLINK': {
        if (visible.length !== 1) throw new SqlError(SqlState.syntaxError, 'subquery must return only one column');
        const arr = arrayOf(visible[0]!.type.oid);
        if (arr === 0) throw new SqlError(SqlState.undefinedObject, `could not find array type for data type ${formatType(visible[0]!.type.oid)}`);
        return { kind: 'subquery', subKind: 'array', plan, testExpr: null, compare: null, correlated, type: { oid: arr, typmod: -1 } };
      }
      case 'ANY_SUBLINK':
      case 'ALL_SUBLINK': {
        if (visible.length !== 1) throw new SqlError(SqlState.syntaxError, visible.length > 1 ? 'subquery has too many columns' : 'subquery has too few columns');
        const opName = s.operName ? stringList(s.operName).pop()! : '=';
        const left = this.bind(s.testexpr!);
        const colType = visible[0]!.type;
        const r = this.ctx.registry.resolveOperator(opName, left.type, colType);
        const testExpr = this.coerce(left, r.argTypes[0]!, 'implicit');
        if (r.argTypes[1]!.oid !== colType.oid && !canCoerce(colType.oid, r.argTypes[1]!.oid, 'implicit')) {
          throw new SqlError(SqlState.datatypeMismatch, `operator does not exist: ${formatType(left.type.oid)} ${opName} ${formatType(colType.oid)}`);
        }
        const compare = r.argTypes[1]!.oid === colType.oid ? r.fn : castingSecondArgument(r.fn, buildCast(colType, r.argTypes[1]!, false));
        return { kind: 'subquery', subKind: s.subLinkType === 'ANY_SUBLINK' ? 'any' : 'all', plan, testExpr, compare, correlated, type: BOOL_TYPE };
      }
      default:
        throw unsupported(`${s.subLinkType ?? 'this'} subquery`);
    }
  }
}

/**
 * The grammar's SQL value functions (CURRENT_DATE, CURRENT_USER, ...): the function that computes
 * each, and the result column name PostgreSQL gives it. CURRENT_TIME (timetz) is not supported.
 */
export const SQL_VALUE_FUNCTIONS: Readonly<Record<string, { readonly fn: string | null; readonly column: string }>> = {
  SVFOP_CURRENT_DATE: { fn: 'current_date', column: 'current_date' },
  SVFOP_CURRENT_TIME: { fn: null, column: 'current_time' },
  SVFOP_CURRENT_TIME_N: { fn: null, column: 'current_time' },
  SVFOP_CURRENT_TIMESTAMP: { fn: 'now', column: 'current_timestamp' },
  SVFOP_CURRENT_TIMESTAMP_N: { fn: 'now', column: 'current_timestamp' },
  SVFOP_LOCALTIME: { fn: 'localtime', column: 'localtime' },
  SVFOP_LOCALTIME_N: { fn: 'localtime', column: 'localtime' },
  SVFOP_LOCALTIMESTAMP: { fn: 'localtimestamp', column: 'localtimestamp' },
  SVFOP_LOCALTIMESTAMP_N: { fn: 'localtimestamp', column: 'localtimestamp' },
  SVFOP_CURRENT_ROLE: { fn: 'current_role', column: 'current_role' },
  SVFOP_CURRENT_USER: { fn: 'current_user', column: 'current_user' },
  SVFOP_USER: { fn: 'user', column: 'user' },
  SVFOP_SESSION_USER: { fn: 'session_user', column: 'session_user' },
  SVFOP_CURRENT_CATALOG: { fn: 'current_catalog', column: 'current_catalog' },
  SVFOP_CURRENT_SCHEMA: { fn: 'current_schema', column: 'current_schema' },
};

/** Error codes whose message refers to a spot in the statement, so they get a position. */
const positionedCodes: ReadonlySet<string> = new Set([
  SqlState.undefinedColumn, SqlState.undefinedTable, SqlState.undefinedFunction, SqlState.ambiguousColumn, SqlState.ambiguousFunction,
  SqlState.datatypeMismatch, SqlState.cannotCoerce, SqlState.invalidTextRepresentation, SqlState.groupingError, SqlState.undefinedObject,
  SqlState.indeterminateDatatype, SqlState.undefinedParameter, SqlState.numericValueOutOfRange, SqlState.invalidDatetimeFormat,
  SqlState.syntaxError, SqlState.invalidSchemaName,
]);

/** The clause name of the sink inside an aggregate's arguments. */
const NESTED_AGGREGATE = 'an aggregate argument';
/** The clause name inside a window function's arguments. */
const NESTED_WINDOW = 'a window function argument';

/** PostgreSQL's limit on parameters in one statement. */
export const MAX_PARAMS = 65535;

/** The type a TypeName node names (with modifiers and array bounds); 42704 when unknown. */
export function resolveTypeName(t: TypeName, warn?: (message: string) => void): TypeRef {
  const names = stringList(t.names);
  const name = names[names.length - 1]!;
  const schema = names.length > 1 ? names[names.length - 2]! : null;
  if (schema !== null && schema !== 'pg_catalog') throw new SqlError(SqlState.undefinedObject, `type "${names.join('.')}" does not exist`);
  // The grammar turns SQL spellings into catalog names (`char(3)` is pg_catalog.bpchar), so a name
  // here is a catalog name first: `"char"` is the 1-byte type, not character(1).
  const d = typeByName(`"${name.replace(/"/g, '""')}"`) ?? typeByName(name);
  if (!d || d.typtype === 'p') {
    if (name === 'serial' || name === 'bigserial' || name === 'smallserial' || name === 'serial4' || name === 'serial8' || name === 'serial2') {
      throw new SqlError(SqlState.undefinedObject, `type "${name}" does not exist`);
    }
    throw new SqlError(SqlState.undefinedObject, `type "${names.join('.')}" does not exist`);
  }
  const modifiers = (t.typmods ?? []).map((m) => {
    const v = intValue(m);
    if (v === undefined) throw new SqlError(SqlState.syntaxError, 'type modifiers must be simple constants or identifiers');
    return v;
  });
  let oid = d.oid;
  const typmod = modifiers.length ? typmodFromModifiers(oid, modifiers, warn) : -1;
  if ((t.arrayBounds?.length ?? 0) > 0 && !isArrayType(oid)) {
    const arr = arrayOf(oid);
    if (arr === 0) throw new SqlError(SqlState.undefinedObject, `type "${name}[]" does not exist`);
    oid = arr;
  }
  return { oid, typmod };
}

/** `(record).field`: a call that picks the field out of a record of known fields. */
function selectField(arg: Expr, field: string): Expr {
  const fields = recordFields(arg.type);
  if (!fields) {
    throw new SqlError(SqlState.wrongObjectType, `column notation .${field} applied to type ${formatType(arg.type.oid)}, which is not a composite type`);
  }
  const index = fields.findIndex((f) => f.name === field);
  if (index < 0) throw new SqlError(SqlState.undefinedColumn, `column "${field}" not found in data type record`);
  return fieldSelectExpr(arg, index);
}

/** `a IS [NOT] DISTINCT FROM b` over the resolved equality operator. */
function distinctFunction(eq: ScalarFunction, distinct: boolean): ScalarFunction {
  const impl = eq.impl!;
  return {
    ...eq,
    name: distinct ? 'IS DISTINCT FROM' : 'IS NOT DISTINCT FROM',
    strict: false,
    impl: (args, ctx, types) => {
      const [a, b] = args;
      if (a === null || b === null) return (a === null && b === null) !== distinct;
      return (impl(args, ctx, types) === true) !== distinct;
    },
  };
}

/** NAMEDATALEN: the bytes of a name, its subscripts 0 .. 63. */
const NAME_BYTES = 64;
const NAME_SUBSCRIPT: ScalarFunction = {
  name: 'name_subscript',
  isOperator: false,
  argTypes: [Oid.name, Oid.int4],
  variadic: false,
  returnType: Oid.char,
  volatility: 'i',
  strict: true,
  impl: ([value, index]) => {
    const i = index as number;
    if (i < 0 || i >= NAME_BYTES) return null;
    return charFromByte(encodeUtf8(value as string)[i] ?? 0);
  },
};

function nullifFunction(eq: ScalarFunction): ScalarFunction {
  const impl = eq.impl!;
  return {
    ...eq,
    name: 'nullif',
    strict: false,
    returnType: eq.argTypes[0]!,
    impl: (args, ctx, types) => {
      const [a, b] = args;
      if (a === null) return null;
      if (b === null) return a;
      return impl(args, ctx, types) === true ? null : a;
    },
  };
}

/** Wraps a comparison so that its second argument is cast first (subquery column of another type). */
function castingSecondArgument(fn: ScalarFunction, cast: (v: SqlValue, ctx: import('../context.js').EvalContext) => SqlValue): ScalarFunction {
  const impl = fn.impl!;
  return { ...fn, impl: (args, ctx, types) => impl([args[0]!, args[1] === null ? null : cast(args[1]!, ctx)], ctx, types) };
}

export { catalogRegResolver, regclassFromText, regclassText } from '../reg-objects.js';
