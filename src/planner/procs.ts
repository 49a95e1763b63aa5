/**
 * pg_proc and pg_operator as the engine's function library declares them: every function,
 * aggregate, window function and operator of BUILTINS, plus the type I/O functions pg_type names.
 * Built-ins PostgreSQL also has keep PostgreSQL 15's OIDs; the others get stable OIDs of their own
 * below FirstNormalObjectId, numbered in signature order.
 */
import { INFORMATION_SCHEMA_NAMESPACE_OID, PG_CATALOG_NAMESPACE_OID } from '../catalog/model.js';
import type { OperatorEntry, ProcEntry } from '../catalog/system/context.js';
import { IO_PROCS } from '../catalog/system/procs.js';
import { BUILTIN_OPERATOR_OIDS, BUILTIN_PROC_OIDS } from '../catalog/system/builtin-oids.js';
import { Oid } from '../types/oids.js';
import { elementOf } from '../types/registry.js';
import { BUILTINS } from './functions/index.js';

/** Functions PostgreSQL keeps in information_schema rather than pg_catalog. */
export const INFORMATION_SCHEMA_FUNCTIONS: ReadonlySet<string> = new Set(['_pg_expandarray']);

/** OIDs polygres gives the built-ins PostgreSQL does not have: from here up, below FirstNormalObjectId. */
const OWN_OID_BASE = 8000;

export function signatureKey(name: string, argTypes: readonly number[]): string {
  return `${name}(${argTypes.join(',')})`;
}

interface ProcCatalog {
  readonly procs: readonly ProcEntry[];
  readonly operators: readonly OperatorEntry[];
  readonly byOid: ReadonlyMap<number, ProcEntry>;
}

let built: ProcCatalog | null = null;

/** The pg_proc and pg_operator rows (computed once: the library is fixed at startup). */
export function procCatalog(): ProcCatalog {
  if (built) return built;
  const procs: ProcEntry[] = [];
  const taken = new Set<number>();
  const pending: Array<Omit<ProcEntry, 'oid'>> = [];
  const ops: Array<{ name: string; left: number; right: number; result: number; proc: string }> = [];
  for (const d of BUILTINS.declarations()) {
    if (d.kind === 'o') {
      const [left, right] = d.argTypes.length === 2 ? [d.argTypes[0]!, d.argTypes[1]!] : [0, d.argTypes[0]!];
      ops.push({ name: d.name, left, right, result: d.returnType, proc: signatureKey(d.name, d.argTypes) });
      continue;
    }
    const out = d.outColumns;
    pending.push({
      name: d.name,
      schemaOid: INFORMATION_SCHEMA_FUNCTIONS.has(d.name) ? INFORMATION_SCHEMA_NAMESPACE_OID : PG_CATALOG_NAMESPACE_OID,
      kind: d.kind,
      argTypes: d.argTypes,
      returnType: d.returnType,
      variadicType: d.variadic ? (elementOf(d.argTypes[d.argTypes.length - 1] ?? 0) || Oid.anyelement) : 0,
      setReturning: d.setReturning,
      volatility: d.volatility,
      strict: d.strict,
      ...(out ? { outColumns: out } : {}),
    });
  }
  for (const [name, oid, args, ret, volatility, strict] of IO_PROCS) {
    pending.push({ name, schemaOid: PG_CATALOG_NAMESPACE_OID, kind: 'f', argTypes: args === '' ? [] : args.split(' ').map(Number), returnType: ret, variadicType: 0, setReturning: false, volatility, strict, source: name });
    taken.add(oid);
  }
  const ioOids = new Map(IO_PROCS.map((p) => [p[0], p[1]]));
  const seen = new Set<string>();
  const own: Array<Omit<ProcEntry, 'oid'>> = [];
  for (const p of pending) {
    const key = signatureKey(p.name, p.argTypes);
    if (seen.has(key)) continue;
    seen.add(key);
    const oid = ioOids.get(p.name) ?? BUILTIN_PROC_OIDS.get(key);
    if (oid !== undefined) {
      procs.push({ ...p, oid });
      taken.add(oid);
    } else {
      own.push(p);
    }
  }
  own.sort((a, b) => (signatureKey(a.name, a.argTypes) < signatureKey(b.name, b.argTypes) ? -1 : 1));
  procs.push(...withFreeOids(own, taken));
  procs.sort((a, b) => a.oid - b.oid);
  const procBySignature = new Map(procs.map((p) => [signatureKey(p.name, p.argTypes), p.oid]));
  const operators: OperatorEntry[] = [];
  const opTaken = new Set<number>();
  const ownOps: Array<Omit<OperatorEntry, 'oid'>> = [];
  for (const o of ops) {
    const entry = { name: o.name, kind: (o.left === 0 ? 'l' : 'b') as 'l' | 'b', left: o.left, right: o.right, result: o.result, procOid: procBySignature.get(o.proc) ?? 0 };
    const oid = BUILTIN_OPERATOR_OIDS.get(signatureKey(o.name, o.left === 0 ? [o.right] : [o.left, o.right]));
    if (oid !== undefined && !opTaken.has(oid)) {
      operators.push({ ...entry, oid });
      opTaken.add(oid);
    } else ownOps.push(entry);
  }
  operators.push(...withFreeOids(ownOps, opTaken));
  operators.sort((a, b) => a.oid - b.oid);
  built = { procs, operators, byOid: new Map(procs.map((p) => [p.oid, p])) };
  return built;
}

/** pg_proc rows named `name` (regproc input, to_regproc). */
export function procsNamed(name: string): ProcEntry[] {
  return procCatalog().procs.filter((p) => p.name === name);
}

export function procByOid(oid: number): ProcEntry | undefined {
  return procCatalog().byOid.get(oid);
}

/** polygres's own entries numbered from OWN_OID_BASE up, skipping the OIDs already `taken` (which it extends). */
function withFreeOids<T>(entries: readonly T[], taken: Set<number>): Array<T & { oid: number }> {
  let next = OWN_OID_BASE;
  return entries.map((e) => {
    while (taken.has(next)) next++;
    taken.add(next);
    return { ...e, oid: next++ };
  });
}
