/**
 * The function and operator library: each built-in is declared once, as data (name, argument types,
 * result type, volatility, strictness, implementation), and found by PostgreSQL's resolution rules
 * (exact match, then implicit coercions, preferred types, unknown-literal categories). Other modules
 * register into `BUILTINS`; nothing else knows how a call is resolved.
 */
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { arrayOf, elementOf, formatType, isArrayType, typeByName, typeByOid, type TypeRef } from '../../types/registry.js';
import type { SqlValue } from '../../types/values.js';
import type { EvalContext } from '../context.js';
import { canCoerce, VECTOR_ARRAYS } from './casts.js';
import { recordType } from '../records.js';

export type Volatility = 'i' | 's' | 'v';

/** Implementation of a scalar function: called with non-null arguments when the function is strict. */
export type ScalarImpl = (args: readonly SqlValue[], ctx: EvalContext, argTypes: readonly TypeRef[]) => SqlValue;
export type AsyncScalarImpl = (args: readonly SqlValue[], ctx: EvalContext, argTypes: readonly TypeRef[]) => Promise<SqlValue>;
/** Implementation of a set-returning function: its rows (one value each), lazily. */
export type SetReturningImpl = (args: readonly SqlValue[], ctx: EvalContext, argTypes: readonly TypeRef[]) => Iterable<SqlValue>;

export interface ScalarFunction {
  readonly name: string;
  readonly isOperator: boolean;
  /** Declared argument types; may be polymorphic (anyelement, anyarray, anynonarray, any). */
  readonly argTypes: readonly number[];
  /** For VARIADIC functions: the declared type of each extra argument (the last declared one repeats). */
  readonly variadic: boolean;
  readonly returnType: number;
  readonly volatility: Volatility;
  /** Strict functions return NULL for any NULL argument without being called. */
  readonly strict: boolean;
  readonly impl?: ScalarImpl;
  /** Functions that must reach storage (nextval, setval) are asynchronous. */
  readonly asyncImpl?: AsyncScalarImpl;
  /** Computes the result type (with typmod) from the actual argument types, when not just `returnType`. */
  readonly resultType?: (argTypes: readonly TypeRef[]) => TypeRef;
  /**
   * Set-returning functions (generate_series, unnest) produce rows instead of one value: they run
   * in FROM (a FunctionScan) or in a select list (a ProjectSet), never as an ordinary call.
   */
  readonly setReturning?: SetReturningImpl;
  /**
   * OUT columns of a record-returning function (declared types, possibly polymorphic): its calls
   * return an anonymous record of these fields (src/planner/records.ts).
   */
  readonly outColumns?: ReadonlyArray<{ readonly name: string; readonly type: number }>;
}

/**
 * A window function proper (row_number, rank, lag, first_value...). It sees a whole partition at
 * once, in window order, and computes one value per row; aggregates used as window functions are
 * AggregateDefinitions instead (the executor runs them over each row's frame).
 */
export interface WindowFunctionDefinition {
  readonly name: string;
  readonly argTypes: readonly number[];
  readonly returnType: number;
  readonly variadic?: boolean;
  readonly resultType?: (argTypes: readonly TypeRef[]) => TypeRef;
  evaluate(partition: WindowPartition, ctx: EvalContext): SqlValue[];
}

/** What a window function sees of one partition (rows in window order). */
export interface WindowPartition {
  readonly size: number;
  /** The value of argument `arg` on row `row` (0-based, window order). */
  argument(arg: number, row: number): SqlValue;
  /** Row `row`'s peer group (rows equal under ORDER BY): index among groups, first and last row. */
  peerGroup(row: number): { readonly index: number; readonly first: number; readonly last: number };
  /** Row `row`'s frame: rows first..last (inclusive; empty when first > last) less the excluded ones. */
  frame(row: number): WindowFrameRows;
}

export interface WindowFrameRows {
  readonly first: number;
  readonly last: number;
  /** EXCLUDE CURRENT ROW / GROUP / TIES: whether row `j` (within first..last) is left out. */
  excludes(j: number): boolean;
}

/** State machine of an aggregate: one state per group. */
export interface AggregateDefinition {
  readonly name: string;
  readonly argTypes: readonly number[];
  readonly returnType: number;
  readonly resultType?: (argTypes: readonly TypeRef[]) => TypeRef;
  /** Strict aggregates skip rows where any argument is NULL (count(x), sum, ...). */
  readonly strict: boolean;
  init(argTypes: readonly TypeRef[]): unknown;
  step(state: unknown, args: readonly SqlValue[], ctx: EvalContext, argTypes: readonly TypeRef[]): unknown;
  /** Reads the result without consuming the state: a window aggregate steps on after each read. */
  final(state: unknown, ctx: EvalContext, argTypes: readonly TypeRef[]): SqlValue;
}

/** Polymorphic pseudo-types. */
const ANY = 2276;
const ANYELEMENT = Oid.anyelement;
const ANYARRAY = Oid.anyarray;
const ANYNONARRAY = 2776;

function isPolymorphic(oid: number): boolean {
  return oid === ANYELEMENT || oid === ANYARRAY || oid === ANYNONARRAY;
}

/** A type name in declarations: a pg_type name ("int4", "_text", "anyelement", "any"). */
export function typeOidByName(name: string): number {
  if (name === 'any') return ANY;
  if (name === 'anynonarray') return ANYNONARRAY;
  const d = typeByName(name);
  if (!d) throw new Error(`unknown type in a builtin declaration: ${name}`);
  return d.oid;
}

export interface ResolvedCall<F extends { argTypes: readonly number[] }> {
  readonly fn: F;
  /** The type each argument must be coerced to (polymorphic types resolved). */
  readonly argTypes: readonly TypeRef[];
  readonly returnType: TypeRef;
}

interface Candidate<F> {
  readonly fn: F;
  /** Declared types expanded to the call's arity (variadic repeated). */
  readonly declared: readonly number[];
}

export class FunctionRegistry {
  private readonly functions = new Map<string, ScalarFunction[]>();
  private readonly operators = new Map<string, ScalarFunction[]>();
  private readonly aggregates = new Map<string, AggregateDefinition[]>();
  private readonly windowFunctions = new Map<string, WindowFunctionDefinition[]>();

  /** Declares a function: `fn('lower', ['text'], 'text', impl)`. */
  fn(name: string, args: readonly string[], ret: string, impl: ScalarImpl, options: FunctionOptions = {}): void {
    this.add(this.functions, name, { name, isOperator: false, ...declare(args, ret, options), impl });
  }

  asyncFn(name: string, args: readonly string[], ret: string, asyncImpl: AsyncScalarImpl, options: FunctionOptions = {}): void {
    this.add(this.functions, name, { name, isOperator: false, ...declare(args, ret, { volatility: 'v', ...options }), asyncImpl });
  }

  /** Declares an operator: one argument for a prefix operator, two for an infix one. */
  op(name: string, args: readonly string[], ret: string, impl: ScalarImpl, options: FunctionOptions = {}): void {
    this.add(this.operators, name, { name, isOperator: true, ...declare(args, ret, options), impl });
  }

  /** Declares a set-returning function: `srf('unnest', ['anyarray'], 'anyelement', rows)`. */
  srf(name: string, args: readonly string[], ret: string, rows: SetReturningImpl, options: FunctionOptions = {}): void {
    this.add(this.functions, name, { name, isOperator: false, ...declare(args, ret, options), setReturning: rows });
  }

  /** Declares a window function proper. */
  win(definition: Omit<WindowFunctionDefinition, 'argTypes' | 'returnType'> & { args: readonly string[]; ret: string }): void {
    const { args, ret, ...rest } = definition;
    const def: WindowFunctionDefinition = { ...rest, argTypes: args.map(typeOidByName), returnType: typeOidByName(ret) };
    const list = this.windowFunctions.get(def.name) ?? [];
    list.push(def);
    this.windowFunctions.set(def.name, list);
  }

  agg(definition: Omit<AggregateDefinition, 'argTypes' | 'returnType'> & { args: readonly string[]; ret: string }): void {
    const { args, ret, ...rest } = definition;
    const def: AggregateDefinition = { ...rest, argTypes: args.map(typeOidByName), returnType: typeOidByName(ret) };
    const list = this.aggregates.get(def.name) ?? [];
    list.push(def);
    this.aggregates.set(def.name, list);
  }

  private add(map: Map<string, ScalarFunction[]>, name: string, f: ScalarFunction): void {
    const list = map.get(name) ?? [];
    list.push(f);
    map.set(name, list);
  }

  hasFunction(name: string): boolean {
    return this.functions.has(name);
  }

  /** Every declared function, aggregate, window function and operator, as pg_proc and pg_operator list them. */
  *declarations(): Iterable<FunctionDeclaration> {
    for (const list of this.functions.values()) {
      for (const f of list) yield { kind: 'f', name: f.name, argTypes: f.argTypes, returnType: f.returnType, variadic: f.variadic, setReturning: f.setReturning !== undefined, volatility: f.volatility, strict: f.strict, outColumns: f.outColumns };
    }
    for (const list of this.aggregates.values()) {
      for (const a of list) yield { kind: 'a', name: a.name, argTypes: a.argTypes, returnType: a.returnType, variadic: false, setReturning: false, volatility: 'i', strict: a.strict };
    }
    for (const list of this.windowFunctions.values()) {
      for (const w of list) yield { kind: 'w', name: w.name, argTypes: w.argTypes, returnType: w.returnType, variadic: w.variadic ?? false, setReturning: false, volatility: 'i', strict: false };
    }
    for (const list of this.operators.values()) {
      for (const o of list) yield { kind: 'o', name: o.name, argTypes: o.argTypes, returnType: o.returnType, variadic: false, setReturning: false, volatility: o.volatility, strict: o.strict };
    }
  }

  isAggregate(name: string): boolean {
    return this.aggregates.has(name);
  }

  isWindowFunction(name: string): boolean {
    return this.windowFunctions.has(name);
  }

  resolveWindowFunction(name: string, args: readonly TypeRef[]): ResolvedCall<WindowFunctionDefinition> {
    return resolveNamed(name, this.windowFunctions.get(name) ?? [], args);
  }

  /** Resolves `name(args)`; 42883 when nothing matches, 42725 when several match equally. */
  resolveFunction(name: string, args: readonly TypeRef[]): ResolvedCall<ScalarFunction> {
    return resolveNamed(name, this.functions.get(name) ?? [], args);
  }

  resolveAggregate(name: string, args: readonly TypeRef[]): ResolvedCall<AggregateDefinition> {
    return resolveNamed(name, this.aggregates.get(name) ?? [], args);
  }

  /** Resolves `left op right` (left null for a prefix operator). */
  resolveOperator(name: string, left: TypeRef | null, right: TypeRef): ResolvedCall<ScalarFunction> {
    const args = left ? [left, right] : [right];
    const list = (this.operators.get(name) ?? []).filter((o) => o.argTypes.length === args.length);
    const r = resolve(list, args, true);
    const shown = left ? `${typeText(left)} ${name} ${typeText(right)}` : `${name} ${typeText(right)}`;
    if (r === 'none') {
      throw new SqlError(SqlState.undefinedFunction, `operator does not exist: ${shown}`, {
        hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
      });
    }
    if (r === 'ambiguous') {
      throw new SqlError(SqlState.ambiguousFunction, `operator is not unique: ${shown}`, {
        hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
      });
    }
    return r;
  }
}

/** One declared built-in as the catalog shows it (pg_proc; operators: pg_operator). */
export interface FunctionDeclaration {
  /** f function, a aggregate, w window function (pg_proc.prokind), o operator. */
  readonly kind: 'f' | 'a' | 'w' | 'o';
  readonly name: string;
  readonly argTypes: readonly number[];
  readonly returnType: number;
  readonly variadic: boolean;
  readonly setReturning: boolean;
  readonly volatility: Volatility;
  readonly strict: boolean;
  readonly outColumns?: ReadonlyArray<{ readonly name: string; readonly type: number }>;
}

export interface FunctionOptions {
  readonly volatility?: Volatility;
  readonly strict?: boolean;
  readonly variadic?: boolean;
  readonly resultType?: (argTypes: readonly TypeRef[]) => TypeRef;
  /** OUT columns (name, type name) of a function returning `record`. */
  readonly outColumns?: ReadonlyArray<readonly [string, string]>;
}

function declare(args: readonly string[], ret: string, options: FunctionOptions): Omit<ScalarFunction, 'name' | 'isOperator' | 'impl' | 'asyncImpl'> {
  const outColumns = options.outColumns?.map(([name, type]) => ({ name, type: typeOidByName(type) }));
  return {
    argTypes: args.map(typeOidByName),
    returnType: typeOidByName(ret),
    variadic: options.variadic ?? false,
    volatility: options.volatility ?? 'i',
    strict: options.strict ?? true,
    resultType: options.resultType ?? (outColumns ? recordResultType(outColumns, args.map(typeOidByName)) : undefined),
    ...(outColumns ? { outColumns } : {}),
  };
}

/**
 * The anonymous record type of a call: the OUT columns with polymorphic types bound to the call's
 * argument types (anyelement becomes the element type of the anyarray argument).
 */
function recordResultType(out: ReadonlyArray<{ name: string; type: number }>, declared: readonly number[]): (argTypes: readonly TypeRef[]) => TypeRef {
  return (argTypes) => {
    let element = 0;
    declared.forEach((d, i) => {
      const actual = argTypes[i]?.oid ?? 0;
      if (d === ANYARRAY) element = elementOf(actual) || element;
      else if (d === ANYELEMENT || d === ANYNONARRAY) element = actual || element;
    });
    const bind = (t: number): number => (t === ANYELEMENT || t === ANYNONARRAY ? element : t === ANYARRAY ? arrayOf(element) : t);
    return recordType(out.map((o) => ({ name: o.name, type: { oid: bind(o.type), typmod: -1 } })));
  };
}

function typeText(t: TypeRef): string {
  return t.oid === Oid.unknown ? 'unknown' : formatType(t.oid);
}

function resolveNamed<F extends { argTypes: readonly number[]; variadic?: boolean; returnType: number; resultType?: (a: readonly TypeRef[]) => TypeRef }>(
  name: string,
  candidates: readonly F[],
  args: readonly TypeRef[],
): ResolvedCall<F> {
  const r = resolve(candidates, args, false);
  if (r === 'none') throw undefinedFunction(name, args);
  if (r === 'ambiguous') {
    throw new SqlError(SqlState.ambiguousFunction, `function ${name}(${args.map(typeText).join(', ')}) is not unique`, {
      hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
    });
  }
  return r;
}

function undefinedFunction(name: string, args: readonly TypeRef[]): SqlError {
  return new SqlError(SqlState.undefinedFunction, `function ${name}(${args.map(typeText).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

function category(oid: number): string {
  if (oid === Oid.unknown) return 'X';
  if (isPolymorphic(oid) || oid === ANY) return 'P';
  return typeByOid(oid)?.typcategory ?? 'U';
}

function isPreferred(oid: number): boolean {
  return typeByOid(oid)?.typispreferred ?? false;
}

function expand<F extends { argTypes: readonly number[]; variadic?: boolean }>(f: F, n: number): Candidate<F> | null {
  const declared = f.argTypes;
  if (f.variadic) {
    if (n < declared.length - 1) return null;
    const last = declared[declared.length - 1]!;
    const out = declared.slice(0, -1);
    while (out.length < n) out.push(last);
    return { fn: f, declared: out };
  }
  return declared.length === n ? { fn: f, declared } : null;
}

/**
 * Binds polymorphic declarations to the actual types: every anyelement is one type, anyarray its
 * array. Returns the concrete declared types, or null when the actual types are inconsistent.
 */
function bindPolymorphic(declared: readonly number[], actual: readonly TypeRef[]): number[] | null {
  let element = 0;
  for (let i = 0; i < declared.length; i++) {
    const d = declared[i]!;
    const a = d === ANYARRAY ? (VECTOR_ARRAYS.get(actual[i]!.oid) ?? actual[i]!.oid) : actual[i]!.oid;
    if (a === Oid.unknown) continue;
    let e = 0;
    if (d === ANYELEMENT || d === ANYNONARRAY) {
      if (d === ANYNONARRAY && isArrayType(a)) return null;
      e = a;
    } else if (d === ANYARRAY) {
      if (!isArrayType(a)) return null;
      e = elementOf(a);
    } else continue;
    if (element === 0) element = e;
    else if (element !== e) {
      // Mixed but compatible element types unify toward the one the other implicitly casts to.
      if (canCoerce(e, element, 'implicit')) continue;
      if (canCoerce(element, e, 'implicit')) element = e;
      else return null;
    }
  }
  // All-unknown polymorphic arguments resolve as text, as PostgreSQL does.
  if (element === 0 && declared.some(isPolymorphic)) element = Oid.text;
  return declared.map((d) => (d === ANYELEMENT || d === ANYNONARRAY ? element : d === ANYARRAY ? arrayOf(element) : d));
}

function resolve<F extends { argTypes: readonly number[]; variadic?: boolean; returnType: number; resultType?: (a: readonly TypeRef[]) => TypeRef }>(
  functions: readonly F[],
  args: readonly TypeRef[],
  isOperator: boolean,
): ResolvedCall<F> | 'none' | 'ambiguous' {
  const actual = args.map((a) => a.oid);
  let candidates: Array<Candidate<F> & { concrete: number[] }> = [];
  for (const f of functions) {
    const c = expand(f, args.length);
    if (!c) continue;
    const concrete = bindPolymorphic(c.declared, args);
    if (!concrete || concrete.some((x) => x === 0)) continue;
    if (concrete.every((d, i) => d === ANY || canCoerce(actual[i]!, d, 'implicit'))) candidates.push({ ...c, concrete });
  }
  if (candidates.length === 0) return 'none';
  // An exact match is on the declared types (a polymorphic declaration is never exact).
  const exact = candidates.filter((c) => c.declared.every((d, i) => d === actual[i]));
  if (exact.length === 1) return finish(exact[0]!, args);
  // A binary operator with one unknown side: try the other side's type for it first.
  if (isOperator && args.length === 2) {
    const [l, r] = actual as [number, number];
    if ((l === Oid.unknown) !== (r === Oid.unknown)) {
      const known = l === Oid.unknown ? r : l;
      const same = candidates.filter((c) => c.declared[0] === known && c.declared[1] === known);
      if (same.length === 1) return finish(same[0]!, args);
    }
  }
  if (candidates.length === 1) return finish(candidates[0]!, args);

  // Most exact matches on known inputs.
  // (Declared types: a polymorphic declaration is never an exact or preferred match.)
  candidates = keepMax(candidates, (c) => c.declared.filter((d, i) => actual[i] !== Oid.unknown && d === actual[i]).length);
  if (candidates.length === 1) return finish(candidates[0]!, args);
  // Most preferred types where a coercion is needed.
  candidates = keepMax(candidates, (c) => c.declared.filter((d, i) => actual[i] !== Oid.unknown && d !== actual[i] && isPreferred(d)).length);
  if (candidates.length === 1) return finish(candidates[0]!, args);

  // Unknown inputs: choose a category per position (string if any candidate takes one there).
  const unknownPositions = actual.map((a, i) => (a === Oid.unknown ? i : -1)).filter((i) => i >= 0);
  if (unknownPositions.length > 0) {
    // Categories of the declared types: a polymorphic declaration is its own category ('P').
    for (const i of unknownPositions) {
      const cats = new Set(candidates.map((c) => category(c.declared[i]!)));
      let chosen: string | null = null;
      if (cats.has('S')) chosen = 'S';
      else if (cats.size === 1) chosen = [...cats][0]!;
      if (chosen === null) continue;
      candidates = candidates.filter((c) => category(c.declared[i]!) === chosen);
      if (candidates.some((c) => isPreferred(c.declared[i]!))) candidates = candidates.filter((c) => isPreferred(c.declared[i]!));
    }
    if (candidates.length === 1) return finish(candidates[0]!, args);
    // Known inputs all of one type: assume the unknowns are of it too.
    const known = [...new Set(actual.filter((a) => a !== Oid.unknown))];
    if (known.length === 1) {
      const t = known[0]!;
      const fit = candidates.filter((c) => unknownPositions.every((i) => canCoerce(t, c.concrete[i]!, 'implicit')));
      if (fit.length === 1) return finish(fit[0]!, args);
      const exactFit = fit.filter((c) => unknownPositions.every((i) => c.concrete[i] === t));
      if (exactFit.length === 1) return finish(exactFit[0]!, args);
    }
  }
  return candidates.length === 1 ? finish(candidates[0]!, args) : 'ambiguous';
}

function keepMax<T>(items: T[], score: (x: T) => number): T[] {
  const best = Math.max(...items.map(score));
  return items.filter((x) => score(x) === best);
}

function finish<F extends { argTypes: readonly number[]; returnType: number; resultType?: (a: readonly TypeRef[]) => TypeRef }>(
  c: Candidate<F> & { concrete: number[] },
  args: readonly TypeRef[],
): ResolvedCall<F> {
  const argTypes: TypeRef[] = c.concrete.map((d, i) => (d === ANY ? (args[i]!.oid === Oid.unknown ? { oid: Oid.text, typmod: -1 } : args[i]!) : d === args[i]!.oid ? args[i]! : { oid: d, typmod: -1 }));
  let returnType: TypeRef;
  if (c.fn.resultType) returnType = c.fn.resultType(argTypes);
  else {
    const r = c.fn.returnType;
    if (r === ANYELEMENT || r === ANYNONARRAY || r === ANYARRAY) {
      const poly = c.fn.argTypes.findIndex((d) => isPolymorphic(d));
      const sample = poly >= 0 ? argTypes[poly]!.oid : Oid.text;
      const declaredPoly = poly >= 0 ? c.declared[poly]! : ANYELEMENT;
      const element = declaredPoly === ANYARRAY ? elementOf(sample) : sample;
      returnType = { oid: r === ANYARRAY ? arrayOf(element) : element, typmod: -1 };
    } else returnType = { oid: r, typmod: -1 };
  }
  return { fn: c.fn, argTypes, returnType };
}

/** The library every session uses; builtins register into it at module load (see functions/index.ts). */
export const BUILTINS = new FunctionRegistry();
