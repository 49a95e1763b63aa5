/**
 * Facts about catalog objects that several system relations and catalog functions show the same
 * way: roles and databases with their OIDs, owners, the text of constraints, indexes and defaults
 * (pg_get_constraintdef, pg_get_indexdef, pg_get_expr), the default operator class of a column
 * type, descriptions (COMMENT ON, and each schema's storage). One place, so that pg_constraint,
 * information_schema and the functions never disagree.
 */
import { parseSync, scanSync } from 'libpg-query';
import { Oid } from '../../types/oids.js';
import { typeByOid } from '../../types/registry.js';
import type { Catalog, Relation } from '../catalog.js';
import { quoteIdent, splitQualifiedName } from '../names.js';
import {
  INFORMATION_SCHEMA_NAMESPACE_OID,
  PG_CATALOG_NAMESPACE_OID,
  PG_TOAST_NAMESPACE_OID,
  PUBLIC_NAMESPACE_OID,
  type ConstraintInfo,
  type ForeignKeyAction,
  type IndexInfo,
  type SchemaInfo,
  type TableInfo,
  type ViewInfo,
} from '../model.js';
import type { SystemCatalogContext } from './context.js';
import { relationDisplayName } from './types.js';

/** PostgreSQL's bootstrap superuser (owner of everything built in). */
export const BOOTSTRAP_SUPERUSER_OID = 10;
export const BOOTSTRAP_SUPERUSER = 'postgres';
/** The role that owns the public schema in PostgreSQL 15. */
export const PG_DATABASE_OWNER_OID = 6171;
/** The database initdb creates. */
export const POSTGRES_DATABASE_OID = 5;
export const DEFAULT_TABLESPACE_OID = 1663;
export const GLOBAL_TABLESPACE_OID = 1664;
/** pg_am rows. */
export const HEAP_AM_OID = 2;
export const BTREE_AM_OID = 403;
/** pg_encoding: UTF8. */
export const UTF8_ENCODING = 6;
export const DEFAULT_COLLATION_OID = 100;
export const C_COLLATION_OID = 950;
/** The locale polygres sorts text in (code points: the C collation), as pg_database shows it. */
export const DATABASE_LOCALE = 'C.UTF-8';

export interface RoleInfo {
  readonly oid: number;
  readonly name: string;
  readonly superuser: boolean;
  readonly canLogin: boolean;
}

/** PostgreSQL 15's predefined roles, with their OIDs. */
const PREDEFINED_ROLES: ReadonlyArray<readonly [number, string]> = [
  [3373, 'pg_monitor'],
  [3374, 'pg_read_all_settings'],
  [3375, 'pg_read_all_stats'],
  [3377, 'pg_stat_scan_tables'],
  [4200, 'pg_signal_backend'],
  [4544, 'pg_checkpoint'],
  [4569, 'pg_read_server_files'],
  [4570, 'pg_write_server_files'],
  [4571, 'pg_execute_server_program'],
  [PG_DATABASE_OWNER_OID, 'pg_database_owner'],
  [6181, 'pg_read_all_data'],
  [6182, 'pg_write_all_data'],
];

/** pg_auth_members of PostgreSQL 15: pg_monitor's members. */
export const PREDEFINED_ROLE_MEMBERS: ReadonlyArray<readonly [number, number]> = [
  [3374, 3373],
  [3375, 3373],
  [3377, 3373],
];

/** FNV-1a: a stable number for a name. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(name, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The OID of a login role. polygres has no role catalog: every user that may connect is a
 * superuser role; "postgres" is PostgreSQL's bootstrap superuser (10), any other name gets a
 * stable OID of its own, far above the OIDs tables take.
 */
export function roleOid(name: string): number {
  if (name === BOOTSTRAP_SUPERUSER) return BOOTSTRAP_SUPERUSER_OID;
  const predefined = PREDEFINED_ROLES.find(([, n]) => n === name);
  if (predefined) return predefined[0];
  return 1_000_000_000 + (nameHash(name) % 1_000_000_000);
}

/** The roles pg_authid lists: the predefined ones, postgres, the owners of schemas, and the session's role. */
export function roles(catalog: Catalog, user: string): RoleInfo[] {
  const out: RoleInfo[] = [{ oid: BOOTSTRAP_SUPERUSER_OID, name: BOOTSTRAP_SUPERUSER, superuser: true, canLogin: true }];
  for (const [oid, name] of PREDEFINED_ROLES) out.push({ oid, name, superuser: false, canLogin: false });
  const owners = new Set<string>([user, ...catalog.schemas().map((s) => s.owner)]);
  for (const name of owners) {
    if (!out.some((r) => r.name === name)) out.push({ oid: roleOid(name), name, superuser: true, canLogin: true });
  }
  return out.sort((a, b) => a.oid - b.oid);
}

export function roleName(ctx: SystemCatalogContext, oid: number): string | undefined {
  return roles(ctx.catalog, ctx.user).find((r) => r.oid === oid)?.name;
}

export interface DatabaseInfo {
  readonly oid: number;
  readonly name: string;
}

/** The database OID a name has: postgres is 5 as after initdb, other names a stable OID of their own. */
export function databaseOid(name: string): number {
  return name === 'postgres' ? POSTGRES_DATABASE_OID : 1_000_000_000 + (nameHash(`database ${name}`) % 1_000_000_000);
}

/**
 * The databases pg_database lists: polygres serves one database under any name a client connects
 * with, so it lists postgres and the one this session uses.
 */
export function databases(ctx: SystemCatalogContext): DatabaseInfo[] {
  const names = [...new Set(['postgres', ctx.database])];
  return names.map((name) => ({ oid: databaseOid(name), name })).sort((a, b) => a.oid - b.oid);
}

/** pg_namespace.nspowner: public belongs to pg_database_owner and the built-in schemas to postgres, as in PostgreSQL 15. */
export function schemaOwnerOid(schema: SchemaInfo): number {
  if (schema.oid === PUBLIC_NAMESPACE_OID) return PG_DATABASE_OWNER_OID;
  if (isSystemSchema(schema.oid)) return BOOTSTRAP_SUPERUSER_OID;
  return roleOid(schema.owner);
}

/** Tables, sequences and indexes belong to postgres (polygres keeps no per-relation owner). */
export const RELATION_OWNER_OID = BOOTSTRAP_SUPERUSER_OID;

export function isSystemSchema(oid: number): boolean {
  return oid === PG_CATALOG_NAMESPACE_OID || oid === INFORMATION_SCHEMA_NAMESPACE_OID || oid === PG_TOAST_NAMESPACE_OID;
}

/** pg_toast: listed as PostgreSQL lists it; it holds nothing. */
export const PG_TOAST_SCHEMA: SchemaInfo = { kind: 'schema', oid: PG_TOAST_NAMESPACE_OID, name: 'pg_toast', namespace: 'pg_toast', owner: BOOTSTRAP_SUPERUSER };

/** Every schema pg_namespace lists, in OID order. */
export function allSchemas(catalog: Catalog): SchemaInfo[] {
  return [PG_TOAST_SCHEMA, ...catalog.schemas()].sort((a, b) => a.oid - b.oid);
}

/** PostgreSQL's descriptions of its own schemas. */
const BUILTIN_SCHEMA_DESCRIPTIONS: ReadonlyMap<number, string> = new Map([
  [PG_TOAST_NAMESPACE_OID, 'reserved schema for TOAST tables'],
  [PG_CATALOG_NAMESPACE_OID, 'system catalog schema'],
]);

/**
 * A schema's description (obj_description(oid, 'pg_namespace'), psql's `\dn+`): the COMMENT ON
 * SCHEMA text if any, and for a schema of a storage, which storage holds its tables and why, e.g.
 * `storage: cassandra (namespace_mapping)`.
 */
export function schemaDescription(ctx: SystemCatalogContext, schema: SchemaInfo): string | null {
  const builtin = BUILTIN_SCHEMA_DESCRIPTIONS.get(schema.oid);
  if (builtin !== undefined || isSystemSchema(schema.oid)) return schema.comment ?? builtin ?? null;
  const storage = ctx.schemaStorage(schema);
  const where = storage ? `storage: ${storage.name}${storage.kind !== 'unknown' && storage.kind !== storage.name ? ` [${storage.kind}]` : ''} (${storage.assignedBy})` : null;
  if (schema.comment !== undefined && where !== null) return `${schema.comment}\n${where}`;
  return schema.comment ?? where;
}

/** The rows of pg_description: comments on tables, columns, indexes, sequences, constraints, and schemas. */
export interface Description {
  readonly objoid: number;
  readonly classoid: number;
  readonly objsubid: number;
  readonly description: string;
}

export const PG_CLASS_OID = 1259;
export const PG_NAMESPACE_OID = 2615;
export const PG_CONSTRAINT_OID = 2606;
export const PG_TYPE_OID = 1247;
export const PG_PROC_OID = 1255;
export const PG_ATTRDEF_OID = 2604;
export const PG_REWRITE_OID = 2618;
export const PG_DATABASE_OID = 1262;
export const PG_EXTENSION_OID = 3079;
export const PG_LANGUAGE_OID = 2612;
/** pg_language rows and their descriptions, as PostgreSQL 15 has them. */
export const LANGUAGES: ReadonlyArray<readonly [oid: number, name: string, description: string]> = [
  [12, 'internal', 'built-in functions'],
  [13, 'c', 'dynamically-loaded C functions'],
  [14, 'sql', 'SQL-language functions'],
  [13563, 'plpgsql', 'PL/pgSQL procedural language'],
];
/** The one extension installed, as PostgreSQL 15 has it after initdb. */
export const PLPGSQL_EXTENSION_OID = 13559;

export function descriptions(ctx: SystemCatalogContext): Description[] {
  const out: Description[] = [];
  // Schemas: the COMMENT ON SCHEMA text only, which pg_dump dumps; obj_description (psql's \dn+)
  // adds the storage that holds the schema's tables.
  for (const schema of allSchemas(ctx.catalog)) {
    const d = schema.comment ?? BUILTIN_SCHEMA_DESCRIPTIONS.get(schema.oid) ?? (schema.oid === PUBLIC_NAMESPACE_OID ? 'standard public schema' : null);
    if (d !== null) out.push({ objoid: schema.oid, classoid: PG_NAMESPACE_OID, objsubid: 0, description: d });
  }
  for (const t of ctx.catalog.tables()) {
    if (t.comment !== undefined) out.push({ objoid: t.oid, classoid: PG_CLASS_OID, objsubid: 0, description: t.comment });
    for (const c of t.columns) if (c.comment !== undefined) out.push({ objoid: t.oid, classoid: PG_CLASS_OID, objsubid: c.attnum, description: c.comment });
    for (const i of t.indexes) if (i.comment !== undefined) out.push({ objoid: i.oid, classoid: PG_CLASS_OID, objsubid: 0, description: i.comment });
    for (const c of t.constraints) if (c.comment !== undefined) out.push({ objoid: c.oid, classoid: PG_CONSTRAINT_OID, objsubid: 0, description: c.comment });
  }
  for (const s of ctx.catalog.sequences()) if (s.comment !== undefined) out.push({ objoid: s.oid, classoid: PG_CLASS_OID, objsubid: 0, description: s.comment });
  for (const v of ctx.catalog.views()) {
    if (v.comment !== undefined) out.push({ objoid: v.oid, classoid: PG_CLASS_OID, objsubid: 0, description: v.comment });
    for (const c of v.columns) if (c.comment !== undefined) out.push({ objoid: v.oid, classoid: PG_CLASS_OID, objsubid: c.attnum, description: c.comment });
  }
  out.push({ objoid: PLPGSQL_EXTENSION_OID, classoid: PG_EXTENSION_OID, objsubid: 0, description: 'PL/pgSQL procedural language' });
  for (const [oid, , description] of LANGUAGES) out.push({ objoid: oid, classoid: PG_LANGUAGE_OID, objsubid: 0, description });
  return out;
}

/** obj_description / col_description: the description of one object. */
export function descriptionOf(ctx: SystemCatalogContext, objoid: number, classoid: number, objsubid: number): string | null {
  if (classoid === PG_NAMESPACE_OID && objsubid === 0) {
    const schema = allSchemas(ctx.catalog).find((s) => s.oid === objoid);
    return schema ? schemaDescription(ctx, schema) : null;
  }
  if (classoid === PG_CLASS_OID) {
    const r = ctx.catalog.relationByOid(objoid);
    if (!r) return null;
    if (r.kind === 'table' || r.kind === 'view') return (objsubid === 0 ? r.comment : r.columns.find((c) => c.attnum === objsubid)?.comment) ?? null;
    if (objsubid !== 0) return null;
    if (r.kind === 'sequence') return r.comment ?? null;
    if (r.kind === 'index') return r.index.comment ?? null;
    return null;
  }
  if (classoid === PG_EXTENSION_OID && objoid === PLPGSQL_EXTENSION_OID && objsubid === 0) return 'PL/pgSQL procedural language';
  if (classoid === PG_LANGUAGE_OID && objsubid === 0) return LANGUAGES.find(([oid]) => oid === objoid)?.[2] ?? null;
  if (classoid === PG_CONSTRAINT_OID && objsubid === 0) {
    for (const t of ctx.catalog.tables()) {
      const c = t.constraints.find((x) => x.oid === objoid);
      if (c) return c.comment ?? null;
    }
  }
  return null;
}

// ---- text of constraints, indexes and defaults ----------------------------------------------------

/**
 * The `'name'::regclass` constants of a stored expression (a default's nextval), with the relation
 * each names. Stored expressions name relations for the default search path (a serial's sequence
 * is qualified unless it is in public); PostgreSQL keeps the OID instead.
 */
export function regclassConstants(catalog: Catalog, text: string, user: string): Array<{ readonly literal: string; readonly relation: Relation }> {
  const out: Array<{ literal: string; relation: Relation }> = [];
  if (!text.includes('::regclass')) return out;
  for (const m of text.matchAll(/'((?:[^']|'')*)'::regclass/g)) {
    const parts = splitQualifiedName(m[1]!.replace(/''/g, "'"));
    if (parts.length < 1 || parts.length > 2) continue;
    const relation = catalog.findRelation({ schema: parts.length === 2 ? parts[0]! : null, name: parts[parts.length - 1]! }, ['public'], user);
    if (relation) out.push({ literal: m[0], relation });
  }
  return out;
}

/** A stored expression with its regclass constants named for `searchPath`, as pg_get_expr prints it. */
export function withRegclassNames(catalog: Catalog, text: string, searchPath: readonly string[], user: string): string {
  const found = regclassConstants(catalog, text, user);
  if (found.length === 0) return text;
  return text.replace(/'((?:[^']|'')*)'::regclass/g, (whole) => {
    const c = found.find((x) => x.literal === whole);
    return c ? `'${relationDisplayName(catalog, c.relation, searchPath, user).replace(/'/g, "''")}'::regclass` : whole;
  });
}

function columnName(table: TableInfo, attnum: number): string {
  return quoteIdent(table.columns.find((c) => c.attnum === attnum)?.name ?? `........pg.dropped.${attnum}........`);
}

const ACTION_TEXT: Readonly<Record<ForeignKeyAction, string>> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** Strips one pair of parentheses around the whole text (what pretty-printing leaves out). */
export function withoutOuterParens(text: string): string {
  if (!text.startsWith('(') || !text.endsWith(')')) return text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") inString = !inString;
    if (inString) continue;
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0 && i < text.length - 1) return text;
    }
  }
  return text.slice(1, -1);
}

/** pg_get_constraintdef(oid, pretty). */
export function constraintDefinition(catalog: Catalog, table: TableInfo, con: ConstraintInfo, pretty: boolean, searchPath: readonly string[], user: string): string {
  const cols = con.columns.map((a) => columnName(table, a)).join(', ');
  switch (con.type) {
    case 'p':
      return `PRIMARY KEY (${cols})`;
    case 'u':
      return `UNIQUE (${cols})`;
    case 'c': {
      const text = con.check?.text ?? '(true)';
      const wrapped = text.startsWith('(') && withoutOuterParens(text) !== text ? text : `(${text})`;
      return `CHECK (${pretty ? withoutOuterParens(wrapped) : wrapped})`;
    }
    case 'f': {
      const fk = con.foreignKey!;
      const ref = catalog.tableByOid(fk.refTableOid);
      const refName = ref ? relationDisplayName(catalog, ref, searchPath, user) : String(fk.refTableOid);
      const refCols = ref ? fk.refColumns.map((a) => columnName(ref, a)).join(', ') : '';
      let text = `FOREIGN KEY (${cols}) REFERENCES ${refName}(${refCols})`;
      if (fk.onUpdate !== 'a') text += ` ON UPDATE ${ACTION_TEXT[fk.onUpdate]}`;
      if (fk.onDelete !== 'a') text += ` ON DELETE ${ACTION_TEXT[fk.onDelete]}`;
      return text;
    }
  }
}

function qualifiedName(catalog: Catalog, table: TableInfo): string {
  return `${quoteIdent(catalog.schemaByOid(table.schemaOid)?.name ?? '')}.${quoteIdent(table.name)}`;
}

/**
 * pg_get_indexdef(oid, column, pretty): `CREATE [UNIQUE] INDEX name ON schema.table USING btree
 * (cols)` (the table unqualified when pretty and visible); with `column` > 0, that column's name.
 */
export function indexDefinition(catalog: Catalog, table: TableInfo, index: IndexInfo, column = 0, pretty = false, searchPath: readonly string[] = [], user = ''): string {
  if (column > 0) {
    const attnum = index.columns[column - 1];
    return attnum === undefined ? '' : columnName(table, attnum);
  }
  const cols = index.columns.map((a) => columnName(table, a)).join(', ');
  const on = pretty ? relationDisplayName(catalog, table, searchPath, user) : qualifiedName(catalog, table);
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} ON ${on} USING btree (${cols})`;
}

/** The constraint an index enforces (primary key or unique), if any. */
export function constraintOfIndex(table: TableInfo, index: IndexInfo): ConstraintInfo | undefined {
  return table.constraints.find((c) => c.indexOid === index.oid);
}

/**
 * The unique index of the referenced table a foreign key relies on (pg_constraint.conindid of a
 * foreign key): the one whose columns are the referenced columns.
 */
export function referencedIndex(catalog: Catalog, con: ConstraintInfo): IndexInfo | undefined {
  const fk = con.foreignKey;
  if (!fk) return undefined;
  const ref = catalog.tableByOid(fk.refTableOid);
  return ref?.indexes.find((i) => i.unique && i.columns.length === fk.refColumns.length && fk.refColumns.every((a) => i.columns.includes(a)));
}

/** The constraint of the referenced table a foreign key points at (information_schema's unique_constraint_name). */
export function referencedConstraint(catalog: Catalog, con: ConstraintInfo): { table: TableInfo; constraint: ConstraintInfo } | undefined {
  const index = referencedIndex(catalog, con);
  const ref = con.foreignKey ? catalog.tableByOid(con.foreignKey.refTableOid) : undefined;
  if (!index || !ref) return undefined;
  const constraint = constraintOfIndex(ref, index);
  return constraint ? { table: ref, constraint } : undefined;
}

/** pg_attrdef.oid of a column default: derived from the table and the column, stable and unique in pg_attrdef. */
export function attrdefOid(table: TableInfo, attnum: number): number {
  return (table.oid * 2048 + attnum) % 4294967296;
}

/** The table and column an attrdef OID belongs to. */
export function attrdefOwner(catalog: Catalog, oid: number): { table: TableInfo; attnum: number } | undefined {
  const table = catalog.tableByOid(Math.floor(oid / 2048));
  const attnum = oid % 2048;
  return table && table.columns.some((c) => c.attnum === attnum && c.default !== null) ? { table, attnum } : undefined;
}

/** PostgreSQL 15's default btree operator class per input type (pg_opclass.oid). */
export const DEFAULT_BTREE_OPCLASSES: ReadonlyArray<readonly [oid: number, name: string, inputType: number, family: number, familyName: string]> = [
  [1978, 'int4_ops', 23, 1976, 'integer_ops'],
  [1979, 'int2_ops', 21, 1976, 'integer_ops'],
  [1981, 'oid_ops', 26, 1989, 'oid_ops'],
  [3122, 'date_ops', 1082, 434, 'datetime_ops'],
  [3123, 'float8_ops', 701, 1970, 'float_ops'],
  [3124, 'int8_ops', 20, 1976, 'integer_ops'],
  [3125, 'numeric_ops', 1700, 1988, 'numeric_ops'],
  [3126, 'text_ops', 25, 1994, 'text_ops'],
  [3127, 'timestamptz_ops', 1184, 434, 'datetime_ops'],
  [3128, 'timestamp_ops', 1114, 434, 'datetime_ops'],
  [10000, 'array_ops', 2277, 397, 'array_ops'],
  [10003, 'bool_ops', 16, 424, 'bool_ops'],
  [10004, 'bpchar_ops', 1042, 426, 'bpchar_ops'],
  [10006, 'bytea_ops', 17, 428, 'bytea_ops'],
  [10007, 'char_ops', 18, 429, 'char_ops'],
  [10012, 'float4_ops', 700, 1970, 'float_ops'],
  [10015, 'inet_ops', 869, 1974, 'network_ops'],
  [10022, 'interval_ops', 1186, 1982, 'interval_ops'],
  [10028, 'name_ops', 19, 1994, 'text_ops'],
  [10032, 'oidvector_ops', 30, 1991, 'oidvector_ops'],
  [10034, 'record_ops', 2249, 2994, 'record_ops'],
  [10038, 'time_ops', 1083, 1996, 'time_ops'],
  [10065, 'uuid_ops', 2950, 2968, 'uuid_ops'],
  [10088, 'jsonb_ops', 3802, 4033, 'jsonb_ops'],
];

/** The btree operator class an index column of type `typeOid` uses (pg_index.indclass). */
export function defaultOpclass(typeOid: number): number {
  const input = typeOid === Oid.varchar ? Oid.text : typeByOid(typeOid)?.typcategory === 'A' ? 2277 : typeOid;
  return DEFAULT_BTREE_OPCLASSES.find(([, , t]) => t === input)?.[0] ?? 0;
}

/** The collation of a column of type `typeOid` (attcollation, indcollation): the type's own. */
export function collationOf(typeOid: number): number {
  return typeByOid(typeOid)?.typcollation ?? 0;
}

/**
 * A view's definition as pg_get_viewdef and pg_views show it: the query as written in CREATE VIEW,
 * in PostgreSQL's frame (a leading space, a closing semicolon), with each relation it reads named as
 * PostgreSQL names it for the current search path: bare when the name finds it, schema-qualified
 * otherwise, and by its current name after a rename. pg_dump dumps views with an empty search path,
 * so its CREATE VIEW qualifies every relation and restores anywhere. PostgreSQL prints its own
 * deparse of the rest of the query.
 */
export function viewDefinition(view: ViewInfo, catalog: Catalog, searchPath: readonly string[], user: string): string {
  return ` ${renamedRelations(view, catalog, searchPath, user)};`;
}

/** The view's text with its relation names replaced as viewDefinition says (the text as written if they cannot be matched). */
function renamedRelations(view: ViewInfo, catalog: Catalog, searchPath: readonly string[], user: string): string {
  let written: unknown;
  try {
    written = parseSync(view.text).stmts?.[0]?.stmt;
  } catch {
    return view.text;
  }
  // The stored query is the same parse of the same text with the relations' schemas filled in (and
  // names kept current by renames): the two trees list their relations in the same order.
  const asWritten = rangeVars((written as { SelectStmt?: unknown } | undefined)?.SelectStmt);
  const stored = rangeVars(view.query);
  if (asWritten.length !== stored.length) return view.text;
  const bytes = Buffer.from(view.text, 'utf8');
  const tokens = scanSync(view.text).tokens;
  const edits: { start: number; end: number; text: string }[] = [];
  stored.forEach((rv, i) => {
    // A relation without a schema in the stored query is a CTE's name.
    if (rv.schemaname === undefined || rv.relname === undefined) return;
    const relation = catalog.findRelation({ schema: rv.schemaname, name: rv.relname }, searchPath, user);
    const at = tokens.findIndex((t) => t.start === asWritten[i]!.location);
    if (!relation || at < 0) return;
    let last = at;
    while (tokens[last + 1]?.text === '.' && tokens[last + 2]) last += 2;
    let text = relationDisplayName(catalog, relation, searchPath, user);
    // Renamed since: the old name stays as an alias, so the query's references to it still hold.
    const original = asWritten[i]!;
    if (original.alias === undefined && original.relname !== undefined && original.relname !== rv.relname) text += ` ${quoteIdent(original.relname)}`;
    edits.push({ start: tokens[at]!.start, end: tokens[last]!.end, text });
  });
  let out = '';
  let from = 0;
  for (const e of edits.sort((a, b) => a.start - b.start)) {
    out += bytes.subarray(from, e.start).toString('utf8') + e.text;
    from = e.end;
  }
  return out + bytes.subarray(from).toString('utf8');
}

interface RangeVarNode {
  readonly schemaname?: string;
  readonly relname?: string;
  readonly alias?: unknown;
  readonly location?: number;
}

/** The RangeVar nodes of a parse tree, in a fixed walk order. */
function rangeVars(tree: unknown): RangeVarNode[] {
  const out: RangeVarNode[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'RangeVar') out.push(value as RangeVarNode);
        walk(value);
      }
    }
  };
  walk(tree);
  return out;
}
