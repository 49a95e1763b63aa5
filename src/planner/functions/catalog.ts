/**
 * The system catalog information functions clients call next to pg_catalog: format_type,
 * pg_get_expr / pg_get_constraintdef / pg_get_indexdef ..., visibility tests, descriptions,
 * privilege checks (every role polygres knows is a superuser, so they are true once their
 * arguments name real objects), to_reg*, sizes and statistics (polygres keeps none: 0), and the
 * record-returning helpers pg_get_keywords() and information_schema._pg_expandarray().
 */
import { SqlError, SqlState } from '../../errors.js';
import { SqlArray, type SqlValue } from '../../types/values.js';
import { Oid } from '../../types/oids.js';
import type { Catalog } from '../../catalog/catalog.js';
import { relationOid } from '../../catalog/catalog.js';
import type { SystemCatalogContext, ProcEntry } from '../../catalog/system/context.js';
import {
  PG_CLASS_OID,
  PG_CONSTRAINT_OID,
  PG_DATABASE_OID,
  PG_EXTENSION_OID,
  PG_LANGUAGE_OID,
  PG_NAMESPACE_OID,
  PG_PROC_OID,
  PG_TYPE_OID,
  allSchemas,
  constraintDefinition,
  databases,
  descriptionOf,
  indexDefinition,
  roles,
  viewDefinition,
  withoutOuterParens,
  withRegclassNames,
} from '../../catalog/system/facts.js';
import { formatCatalogType, isTypeVisible, typeExists, typeOidFromName } from '../../catalog/system/types.js';
import { quoteIdent, splitQualifiedName } from '../../catalog/names.js';
import type { EvalContext } from '../context.js';
import { recordValue } from '../records.js';
import { KEYWORDS } from './keywords.js';
import { BUILTINS as R } from './registry.js';

function sys(ctx: EvalContext): SystemCatalogContext {
  return ctx.session.systemCatalog();
}

function catalogOf(ctx: EvalContext): Catalog {
  return ctx.session.catalog();
}

// ---- types -----------------------------------------------------------------------------------------

R.fn('format_type', ['oid', 'int4'], 'text', ([oid, typmod], ctx) => {
  if (oid === null) return null;
  const s = sys(ctx);
  return formatCatalogType(s.catalog, oid as number, typmod === null ? undefined : (typmod as number), s.searchPath, s.user);
}, { strict: false, volatility: 's' });

// ---- deparsing -------------------------------------------------------------------------------------

function getExpr(ctx: EvalContext, text: string, pretty: boolean): string {
  const s = sys(ctx);
  // pg_dump, whose search_path is empty, gets 'public.t_id_seq'::regclass.
  const shown = withRegclassNames(s.catalog, text, s.searchPath, s.user);
  return pretty ? withoutOuterParens(shown) : shown;
}
R.fn('pg_get_expr', ['pg_node_tree', 'oid'], 'text', ([e], ctx) => getExpr(ctx, e as string, false), { volatility: 's' });
R.fn('pg_get_expr', ['pg_node_tree', 'oid', 'bool'], 'text', ([e, , p], ctx) => getExpr(ctx, e as string, p === true), { volatility: 's' });

function findConstraint(catalog: Catalog, oid: number) {
  for (const table of catalog.tables()) {
    const constraint = table.constraints.find((c) => c.oid === oid);
    if (constraint) return { table, constraint };
  }
  return undefined;
}

function constraintDef(ctx: EvalContext, oid: number, pretty: boolean): string | null {
  const s = sys(ctx);
  const found = findConstraint(s.catalog, oid);
  return found ? constraintDefinition(s.catalog, found.table, found.constraint, pretty, s.searchPath, s.user) : null;
}
R.fn('pg_get_constraintdef', ['oid'], 'text', ([oid], ctx) => constraintDef(ctx, oid as number, false), { volatility: 's' });
R.fn('pg_get_constraintdef', ['oid', 'bool'], 'text', ([oid, pretty], ctx) => constraintDef(ctx, oid as number, pretty === true), { volatility: 's' });

function indexDef(ctx: EvalContext, oid: number, column: number, pretty: boolean): string | null {
  const s = sys(ctx);
  const r = s.catalog.relationByOid(oid);
  return r?.kind === 'index' ? indexDefinition(s.catalog, r.table, r.index, column, pretty, s.searchPath, s.user) : null;
}
R.fn('pg_get_indexdef', ['oid'], 'text', ([oid], ctx) => indexDef(ctx, oid as number, 0, false), { volatility: 's' });
R.fn('pg_get_indexdef', ['oid', 'int4', 'bool'], 'text', ([oid, col, pretty], ctx) => indexDef(ctx, oid as number, col as number, pretty === true), { volatility: 's' });

/** pg_get_viewdef: the view's query as written, its relations named for the search path (a system view has none to show). */
function viewDef(ctx: EvalContext, oid: number): string | null {
  const s = sys(ctx);
  const view = s.catalog.viewByOid(oid);
  return view ? viewDefinition(view, s.catalog, s.searchPath, s.user) : null;
}
R.fn('pg_get_viewdef', ['oid'], 'text', ([oid], ctx) => viewDef(ctx, oid as number), { volatility: 's' });
R.fn('pg_get_viewdef', ['oid', 'bool'], 'text', ([oid], ctx) => viewDef(ctx, oid as number), { volatility: 's' });
R.fn('pg_get_viewdef', ['oid', 'int4'], 'text', ([oid], ctx) => viewDef(ctx, oid as number), { volatility: 's' });
R.fn('pg_get_viewdef', ['text'], 'text', ([name], ctx) => viewDef(ctx, relationOid(relationFromText(sys(ctx), name as string))), { volatility: 's' });
R.fn('pg_get_viewdef', ['text', 'bool'], 'text', ([name], ctx) => viewDef(ctx, relationOid(relationFromText(sys(ctx), name as string))), { volatility: 's' });

// polygres has no partitioned tables, rules other than views', triggers or extended statistics: nothing to show.
for (const [name, args] of [
  ['pg_get_partkeydef', ['oid']], ['pg_get_triggerdef', ['oid']], ['pg_get_triggerdef', ['oid', 'bool']], ['pg_get_ruledef', ['oid']], ['pg_get_ruledef', ['oid', 'bool']],
  ['pg_get_statisticsobjdef_columns', ['oid']], ['pg_get_statisticsobjdef', ['oid']], ['pg_get_function_sqlbody', ['oid']],
] as const) {
  R.fn(name, args, 'text', () => null, { volatility: 's' });
}

R.fn('pg_get_serial_sequence', ['text', 'text'], 'text', ([table, column], ctx) => {
  const s = sys(ctx);
  const rel = relationFromText(s, table as string);
  if (rel.kind !== 'table') return null;
  const col = rel.columns.find((c) => c.name === (column as string)) ?? rel.columns.find((c) => c.name === (column as string).toLowerCase());
  if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${column as string}" of relation "${rel.name}" does not exist`);
  const seq = s.catalog.sequences().find((q) => q.ownedBy?.tableOid === rel.oid && q.ownedBy.attnum === col.attnum);
  if (!seq) return null;
  return `${quoteIdent(s.catalog.schemaByOid(seq.schemaOid)?.name ?? '')}.${quoteIdent(seq.name)}`;
}, { volatility: 's' });

R.fn('pg_get_userbyid', ['oid'], 'name', ([oid], ctx) => roles(sys(ctx).catalog, sys(ctx).user).find((r) => r.oid === oid)?.name ?? `unknown (OID=${oid as number})`, { volatility: 's' });

/**
 * acldefault(objtype, owner): the privileges an object has while its ACL is NULL, as PostgreSQL 15
 * builds them (PUBLIC's entry first, then the owner's). pg_dump compares each ACL with it.
 */
const DEFAULT_PRIVILEGES: Readonly<Record<string, readonly [world: string, owner: string]>> = {
  c: ['', ''],
  r: ['', 'arwdDxt'],
  s: ['', 'rwU'],
  d: ['Tc', 'CTc'],
  f: ['X', 'X'],
  l: ['U', 'U'],
  L: ['', 'rw'],
  n: ['', 'UC'],
  t: ['', 'C'],
  F: ['', 'U'],
  S: ['', 'U'],
  T: ['U', 'U'],
  p: ['', ''],
};
function aclRoleName(name: string): string {
  return /^[A-Za-z0-9_]*$/.test(name) && name !== '' ? name : `"${name.replace(/"/g, '""')}"`;
}
R.fn('acldefault', ['"char"', 'oid'], '_aclitem', ([type, owner], ctx) => {
  const privileges = DEFAULT_PRIVILEGES[type as string];
  if (!privileges) throw new SqlError(SqlState.internalError, `unrecognized object type abbreviation: ${type as string}`);
  const s = sys(ctx);
  const name = aclRoleName(roles(s.catalog, s.user).find((r) => r.oid === owner)?.name ?? String(owner));
  const items: string[] = [];
  if (privileges[0] !== '') items.push(`=${privileges[0]}/${name}`);
  if (privileges[1] !== '') items.push(`${name}=${privileges[1]}/${name}`);
  return new SqlArray(Oid.aclitem, items);
}, { volatility: 'i' });

function procOf(ctx: EvalContext, oid: number): ProcEntry | undefined {
  return sys(ctx).procs.find((p) => p.oid === oid);
}

function procArguments(ctx: EvalContext, p: ProcEntry): string {
  const s = sys(ctx);
  const shown = p.argTypes.map((t, i) => {
    const name = formatCatalogType(s.catalog, t, undefined, s.searchPath, s.user);
    return i === p.argTypes.length - 1 && p.variadicType !== 0 ? `VARIADIC ${name}` : name;
  });
  if (p.outColumns) shown.push(...p.outColumns.map((o) => `OUT ${o.name} ${formatCatalogType(s.catalog, o.type, undefined, s.searchPath, s.user)}`));
  return shown.join(', ');
}

R.fn('pg_get_function_arguments', ['oid'], 'text', ([oid], ctx) => {
  const p = procOf(ctx, oid as number);
  return p ? procArguments(ctx, p) : null;
}, { volatility: 's' });
R.fn('pg_get_function_identity_arguments', ['oid'], 'text', ([oid], ctx) => {
  const p = procOf(ctx, oid as number);
  return p ? procArguments(ctx, { ...p, outColumns: undefined }) : null;
}, { volatility: 's' });
function pgGetFunctionResult(ctx: EvalContext, p: ProcEntry): string {
  const s = sys(ctx);
  if (p.outColumns) return `${p.setReturning ? 'SETOF ' : ''}record`;
  return `${p.setReturning ? 'SETOF ' : ''}${formatCatalogType(s.catalog, p.returnType, undefined, s.searchPath, s.user)}`;
}
R.fn('pg_get_function_result', ['oid'], 'text', ([oid], ctx) => {
  const p = procOf(ctx, oid as number);
  return p ? pgGetFunctionResult(ctx, p) : null;
}, { volatility: 's' });

const VOLATILITY_WORDS: Readonly<Record<string, string>> = { i: 'IMMUTABLE', s: 'STABLE', v: 'VOLATILE' };

/** pg_get_functiondef: the CREATE FUNCTION of a built-in, as PostgreSQL shows its internal functions. */
R.fn('pg_get_functiondef', ['oid'], 'text', ([oid], ctx) => {
  const p = procOf(ctx, oid as number);
  if (!p) return null;
  if (p.kind === 'a') throw new SqlError(SqlState.wrongObjectType, `"${p.name}" is an aggregate function`);
  const s = sys(ctx);
  const schema = s.catalog.schemaByOid(p.schemaOid)?.name ?? 'pg_catalog';
  const result = pgGetFunctionResult(ctx, p);
  return `CREATE OR REPLACE FUNCTION ${quoteIdent(schema)}.${quoteIdent(p.name)}(${procArguments(ctx, p)})\n RETURNS ${result}\n LANGUAGE internal\n ${VOLATILITY_WORDS[p.volatility]} PARALLEL SAFE${p.strict ? ' STRICT' : ''}\nAS $function$${p.source ?? p.name}$function$\n`;
}, { volatility: 's' });

// ---- visibility ------------------------------------------------------------------------------------

R.fn('pg_table_is_visible', ['oid'], 'bool', ([oid], ctx) => {
  const s = sys(ctx);
  const r = s.catalog.relationByOid(oid as number);
  return r ? s.catalog.isRelationVisible(r, s.searchPath, s.user) : null;
}, { volatility: 's' });
R.fn('pg_type_is_visible', ['oid'], 'bool', ([oid], ctx) => {
  const s = sys(ctx);
  return typeExists(s.catalog, oid as number) ? isTypeVisible(s.catalog, oid as number, s.searchPath, s.user) : null;
}, { volatility: 's' });
R.fn('pg_function_is_visible', ['oid'], 'bool', ([oid], ctx) => {
  const p = procOf(ctx, oid as number);
  return p ? p.schemaOid === 11 : null;
}, { volatility: 's' });
for (const name of ['pg_statistics_obj_is_visible', 'pg_collation_is_visible', 'pg_opclass_is_visible', 'pg_opfamily_is_visible', 'pg_operator_is_visible', 'pg_conversion_is_visible', 'pg_ts_config_is_visible']) {
  R.fn(name, ['oid'], 'bool', () => true, { volatility: 's' });
}
R.fn('pg_is_other_temp_schema', ['oid'], 'bool', () => false, { volatility: 's' });
R.fn('pg_my_temp_schema', [], 'oid', () => 0, { volatility: 's' });

// ---- descriptions ----------------------------------------------------------------------------------

/** The pg_class OID of a catalog named in obj_description's second argument. */
function catalogClassOid(name: string): number | null {
  const found = CATALOG_CLASS_OIDS.get(name.replace(/^pg_catalog\./, ''));
  return found ?? null;
}
const CATALOG_CLASS_OIDS: ReadonlyMap<string, number> = new Map([
  ['pg_class', PG_CLASS_OID], ['pg_namespace', PG_NAMESPACE_OID], ['pg_constraint', PG_CONSTRAINT_OID], ['pg_type', PG_TYPE_OID],
  ['pg_proc', PG_PROC_OID], ['pg_database', PG_DATABASE_OID], ['pg_extension', PG_EXTENSION_OID], ['pg_language', PG_LANGUAGE_OID],
]);

R.fn('obj_description', ['oid', 'name'], 'text', ([oid, catalog], ctx) => {
  const classoid = catalogClassOid(catalog as string);
  return classoid === null ? null : descriptionOf(sys(ctx), oid as number, classoid, 0);
}, { volatility: 's' });
R.fn('obj_description', ['oid'], 'text', ([oid], ctx) => {
  for (const classoid of CATALOG_CLASS_OIDS.values()) {
    const d = descriptionOf(sys(ctx), oid as number, classoid, 0);
    if (d !== null) return d;
  }
  return null;
}, { volatility: 's' });
R.fn('col_description', ['oid', 'int4'], 'text', ([oid, column], ctx) => descriptionOf(sys(ctx), oid as number, PG_CLASS_OID, column as number), { volatility: 's' });
R.fn('shobj_description', ['oid', 'name'], 'text', ([oid, catalog], ctx) => {
  if (catalog !== 'pg_database') return null;
  const db = databases(sys(ctx)).find((d) => d.oid === oid);
  return db?.name === 'postgres' ? 'default administrative connection database' : null;
}, { volatility: 's' });

// ---- privileges ------------------------------------------------------------------------------------

const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
const COLUMN_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'];
const SCHEMA_PRIVILEGES = ['CREATE', 'USAGE'];
const DATABASE_PRIVILEGES = ['CREATE', 'CONNECT', 'TEMPORARY', 'TEMP'];
const SEQUENCE_PRIVILEGES = ['USAGE', 'SELECT', 'UPDATE'];
const FUNCTION_PRIVILEGES = ['EXECUTE'];

/** Checks a privilege list ("select, update WITH GRANT OPTION") as PostgreSQL parses it. */
function checkPrivileges(text: string, allowed: readonly string[]): void {
  for (const raw of text.split(',')) {
    const p = raw.trim().toUpperCase().replace(/\s+WITH\s+GRANT\s+OPTION$/, '');
    if (!allowed.includes(p)) throw new SqlError(SqlState.invalidParameterValue, `unrecognized privilege type: "${raw.trim()}"`);
  }
}

function checkRole(ctx: EvalContext, role: SqlValue, byName: boolean): void {
  const known = roles(sys(ctx).catalog, sys(ctx).user);
  if (byName ? !known.some((r) => r.name === role) : !known.some((r) => r.oid === role)) {
    if (byName) throw new SqlError(SqlState.undefinedObject, `role "${role as string}" does not exist`);
  }
}

function relationFromText(s: SystemCatalogContext, text: string) {
  const parts = splitQualifiedName(text.trim());
  const name = parts[parts.length - 1] ?? '';
  const schema = parts.length > 1 ? parts[parts.length - 2]! : null;
  const r = s.catalog.findRelation({ schema, name }, s.searchPath, s.user);
  if (!r) throw new SqlError(SqlState.undefinedTable, `relation "${text.trim()}" does not exist`);
  return r;
}

/** has_X_privilege in all its forms: ([role,] object, privilege) with role and object by name or OID. */
function privilegeFunction(fn: string, objectTypes: readonly ('text' | 'oid')[], allowed: readonly string[], objectExists: (ctx: EvalContext, object: SqlValue, byName: boolean) => boolean): void {
  for (const objectType of objectTypes) {
    const check = (ctx: EvalContext, role: SqlValue | undefined, roleByName: boolean, object: SqlValue, privilege: SqlValue): SqlValue => {
      if (role !== undefined) checkRole(ctx, role, roleByName);
      checkPrivileges(privilege as string, allowed);
      return objectExists(ctx, object, objectType === 'text') ? true : null;
    };
    R.fn(fn, [objectType, 'text'], 'bool', ([o, p], ctx) => check(ctx, undefined, true, o!, p!), { volatility: 's' });
    R.fn(fn, ['name', objectType, 'text'], 'bool', ([r, o, p], ctx) => check(ctx, r!, true, o!, p!), { volatility: 's' });
    R.fn(fn, ['oid', objectType, 'text'], 'bool', ([r, o, p], ctx) => check(ctx, r!, false, o!, p!), { volatility: 's' });
  }
}

const relationExists = (ctx: EvalContext, object: SqlValue, byName: boolean): boolean => {
  const s = sys(ctx);
  if (byName) return relationFromText(s, object as string) !== undefined;
  return s.catalog.relationByOid(object as number) !== undefined;
};
privilegeFunction('has_table_privilege', ['text', 'oid'], TABLE_PRIVILEGES, relationExists);
privilegeFunction('has_any_column_privilege', ['text', 'oid'], COLUMN_PRIVILEGES, relationExists);
privilegeFunction('has_sequence_privilege', ['text', 'oid'], SEQUENCE_PRIVILEGES, relationExists);
privilegeFunction('has_schema_privilege', ['text', 'oid'], SCHEMA_PRIVILEGES, (ctx, object, byName) => {
  const schemas = allSchemas(catalogOf(ctx));
  if (!byName) return schemas.some((s) => s.oid === object);
  if (!schemas.some((s) => s.name === object)) throw new SqlError(SqlState.invalidSchemaName, `schema "${object as string}" does not exist`);
  return true;
});
privilegeFunction('has_database_privilege', ['text', 'oid'], DATABASE_PRIVILEGES, (ctx, object, byName) => {
  const dbs = databases(sys(ctx));
  if (!byName) return dbs.some((d) => d.oid === object);
  if (!dbs.some((d) => d.name === object)) throw new SqlError(SqlState.invalidCatalogName, `database "${object as string}" does not exist`);
  return true;
});
privilegeFunction('has_function_privilege', ['oid'], FUNCTION_PRIVILEGES, (ctx, object) => procOf(ctx, object as number) !== undefined);
R.fn('has_column_privilege', ['text', 'text', 'text'], 'bool', ([t, , p], ctx) => {
  checkPrivileges(p as string, COLUMN_PRIVILEGES);
  return relationExists(ctx, t, true);
}, { volatility: 's' });
R.fn('has_column_privilege', ['oid', 'int2', 'text'], 'bool', ([t, , p], ctx) => {
  checkPrivileges(p as string, COLUMN_PRIVILEGES);
  return relationExists(ctx, t, false) ? true : null;
}, { volatility: 's' });
R.fn('pg_has_role', ['name', 'text'], 'bool', () => true, { volatility: 's' });
R.fn('pg_has_role', ['name', 'name', 'text'], 'bool', () => true, { volatility: 's' });
R.fn('pg_has_role', ['oid', 'text'], 'bool', () => true, { volatility: 's' });

// ---- server facts ----------------------------------------------------------------------------------

const ENCODINGS: ReadonlyMap<number, string> = new Map([[0, 'SQL_ASCII'], [6, 'UTF8']]);
R.fn('getdatabaseencoding', [], 'name', () => 'UTF8', { volatility: 's' });
R.fn('pg_client_encoding', [], 'name', () => 'UTF8', { volatility: 's' });
R.fn('pg_encoding_to_char', ['int4'], 'name', ([e]) => ENCODINGS.get(e as number) ?? '', { volatility: 's' });
R.fn('pg_char_to_encoding', ['name'], 'int4', ([n]) => {
  for (const [k, v] of ENCODINGS) if (v.toLowerCase() === (n as string).toLowerCase().replace(/[-_]/g, '')) return k;
  return -1;
}, { volatility: 's' });
R.fn('pg_postmaster_start_time', [], 'timestamptz', (_a, ctx) => sys(ctx).serverStartMicros, { volatility: 's' });
R.fn('pg_conf_load_time', [], 'timestamptz', (_a, ctx) => sys(ctx).serverStartMicros, { volatility: 's' });
/** A transaction number for txid_current(): stable within a transaction, increasing across them. */
R.fn('txid_current', [], 'int8', (_a, ctx) => ctx.transactionStartMicros, { volatility: 's' });
R.fn('txid_current_if_assigned', [], 'int8', (_a, ctx) => ctx.transactionStartMicros, { volatility: 's' });
R.fn('age', ['xid'], 'int4', () => 0, { volatility: 's' });

for (const name of ['pg_relation_size', 'pg_total_relation_size', 'pg_table_size', 'pg_indexes_size']) {
  R.fn(name, ['regclass'], 'int8', () => 0n, { volatility: 'v' });
}
R.fn('pg_relation_size', ['regclass', 'text'], 'int8', () => 0n, { volatility: 'v' });
R.fn('pg_database_size', ['name'], 'int8', () => 0n, { volatility: 'v' });
R.fn('pg_database_size', ['oid'], 'int8', () => 0n, { volatility: 'v' });
R.fn('pg_size_pretty', ['int8'], 'text', ([b]) => sizePretty(BigInt(b as bigint)));
R.fn('pg_stat_get_numscans', ['oid'], 'int8', () => 0n, { volatility: 's' });
R.fn('pg_stat_get_live_tuples', ['oid'], 'int8', () => 0n, { volatility: 's' });
R.fn('pg_stat_get_dead_tuples', ['oid'], 'int8', () => 0n, { volatility: 's' });
R.fn('pg_tablespace_location', ['oid'], 'text', () => '', { volatility: 's' });
R.fn('pg_relation_is_publishable', ['regclass'], 'bool', ([oid], ctx) => catalogOf(ctx).tableByOid(oid as number) !== undefined, { volatility: 's' });
R.srf('pg_partition_ancestors', ['regclass'], 'regclass', () => [], { volatility: 'v' });
R.fn('pg_jit_available', [], 'bool', () => false, { volatility: 'v' });

/** pg_size_pretty: bytes below 10 kB, then kB, MB, GB, TB, PB, each rounded half away from zero. */
function sizePretty(bytes: bigint): string {
  const limit = 10n * 1024n;
  const limit2 = limit * 2n - 1n;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  if (abs(bytes) < limit) return `${bytes} bytes`;
  // One extra bit is kept for rounding.
  let size = bytes >> 9n;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  for (let i = 0; ; i++) {
    if (abs(size) < limit2 || i === units.length - 1) return `${(size + (size < 0n ? -1n : 1n)) / 2n} ${units[i]}`;
    size >>= 10n;
  }
}

// ---- to_reg* ---------------------------------------------------------------------------------------

/** A name that does not exist gives NULL instead of an error. */
function orNull(f: () => number): number | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof SqlError && (e.code === SqlState.undefinedTable || e.code === SqlState.undefinedObject || e.code === SqlState.undefinedFunction || e.code === SqlState.invalidSchemaName)) return null;
    throw e;
  }
}

R.fn('to_regclass', ['text'], 'regclass', ([t], ctx) => orNull(() => relationOid(relationFromText(sys(ctx), t as string))), { volatility: 's' });
R.fn('to_regtype', ['text'], 'regtype', ([t], ctx) => {
  const s = sys(ctx);
  return orNull(() => typeOidFromName(s.catalog, t as string, s.searchPath, s.user));
}, { volatility: 's' });
R.fn('to_regnamespace', ['text'], 'regnamespace', ([t], ctx) => {
  const parts = splitQualifiedName((t as string).trim());
  return parts.length === 1 ? (allSchemas(catalogOf(ctx)).find((s) => s.name === parts[0])?.oid ?? null) : null;
}, { volatility: 's' });
R.fn('to_regrole', ['text'], 'regrole', ([t], ctx) => roles(sys(ctx).catalog, sys(ctx).user).find((r) => r.name === splitQualifiedName((t as string).trim())[0])?.oid ?? null, { volatility: 's' });
R.fn('to_regproc', ['text'], 'regproc', ([t], ctx) => {
  const parts = splitQualifiedName((t as string).trim());
  const matches = sys(ctx).procs.filter((p) => p.name === parts[parts.length - 1]);
  return matches.length === 1 ? matches[0]!.oid : null;
}, { volatility: 's' });

// ---- record-returning helpers ----------------------------------------------------------------------

const CATEGORY_TEXT: Readonly<Record<string, string>> = {
  U: 'unreserved',
  C: 'unreserved (cannot be function or type name)',
  T: 'reserved (can be function or type name)',
  R: 'reserved',
};

const KEYWORD_ROWS: readonly SqlValue[] = KEYWORDS.flatMap(([code, bare, words]) => words.split(',').map((w) => ({ w, code, bare })))
  .sort((a, b) => (a.w < b.w ? -1 : a.w > b.w ? 1 : 0))
  .map(({ w, code, bare }) => recordValue([w, code, bare, CATEGORY_TEXT[code]!, bare ? 'can be bare label' : 'requires AS']));

R.srf('pg_get_keywords', [], 'record', () => KEYWORD_ROWS, {
  volatility: 's',
  outColumns: [['word', 'text'], ['catcode', '"char"'], ['barelabel', 'bool'], ['catdesc', 'text'], ['baredesc', 'text']],
});

/** pg_options_to_table(reloptions): each `name=value` option as (option_name, option_value). */
R.srf('pg_options_to_table', ['_text'], 'record', ([a]) => {
  return (a as SqlArray).elements.filter((e): e is string => typeof e === 'string').map((option) => {
    const eq = option.indexOf('=');
    return recordValue(eq < 0 ? [option, null] : [option.slice(0, eq), option.slice(eq + 1)]);
  });
}, { volatility: 's', outColumns: [['option_name', 'text'], ['option_value', 'text']] });

/** information_schema._pg_expandarray(a): each element with its 1-based position (x, n). */
R.srf('_pg_expandarray', ['anyarray'], 'record', ([a]) => {
  const arr = a as SqlArray;
  const count = arr.dims[0] ?? 0;
  const out: SqlValue[] = [];
  for (let i = 0; i < count; i++) out.push(recordValue([arr.elements[i] ?? null, i + 1]));
  return out;
}, { outColumns: [['x', 'anyelement'], ['n', 'int4']] });

