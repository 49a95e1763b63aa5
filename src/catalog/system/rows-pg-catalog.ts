/**
 * The rows of the pg_catalog relations, computed from the catalog snapshot and the server's state
 * (SystemCatalogContext). Each builder writes its rows by column name (columns it leaves out are
 * NULL); relations polygres has no objects for (pg_trigger, pg_policy, pg_inherits, ...) have no
 * builder and are empty. Values follow PostgreSQL 15 for the same objects.
 */
import { Oid } from '../../types/oids.js';
import { allTypes, isArrayType, typeByOid } from '../../types/registry.js';
import { SqlArray } from '../../types/values.js';
import { TIMEZONE_ABBREVIATIONS } from '../../types/timezone-abbreviations.js';
import { numericAbbreviation, timeZoneFor } from '../../types/timezone.js';
import { INFORMATION_SCHEMA_NAMESPACE_OID, PG_CATALOG_NAMESPACE_OID, PUBLIC_NAMESPACE_OID, type SequenceInfo, type TableInfo } from '../model.js';
import type { SystemCatalogContext, SystemRow } from './context.js';
import {
  BOOTSTRAP_SUPERUSER_OID,
  BTREE_AM_OID,
  C_COLLATION_OID,
  DATABASE_LOCALE,
  DEFAULT_BTREE_OPCLASSES,
  DEFAULT_COLLATION_OID,
  DEFAULT_TABLESPACE_OID,
  GLOBAL_TABLESPACE_OID,
  HEAP_AM_OID,
  PG_ATTRDEF_OID,
  PG_CLASS_OID,
  PG_REWRITE_OID,
  PLPGSQL_EXTENSION_OID,
  PREDEFINED_ROLE_MEMBERS,
  RELATION_OWNER_OID,
  UTF8_ENCODING,
  allSchemas,
  attrdefOid,
  collationOf,
  databases,
  defaultOpclass,
  descriptions,
  indexDefinition,
  referencedIndex,
  roleOid,
  roles,
  schemaOwnerOid,
  viewDefinition,
  regclassConstants,
} from './facts.js';
import { SYSTEM_COLUMNS, SYSTEM_RELATIONS } from './relations.js';
import { INFORMATION_SCHEMA_DOMAINS } from './types.js';
import { ioProcOid } from './procs.js';

type Builder = (ctx: SystemCatalogContext) => Iterable<SystemRow>;

const NUL_CHAR = '';

/** The public schema's privileges in PostgreSQL 15: its owner pg_database_owner may create, everyone may use it. */
const PUBLIC_SCHEMA_ACL = new SqlArray(Oid.aclitem, ['pg_database_owner=UC/pg_database_owner', '=U/pg_database_owner']);

function int2vector(values: readonly number[]): SqlArray {
  return new SqlArray(Oid.int2, values, [values.length], [0]);
}

function oidvector(values: readonly number[]): SqlArray {
  return new SqlArray(Oid.oid, values, [values.length], [0]);
}

function int2array(values: readonly number[]): SqlArray {
  return new SqlArray(Oid.int2, values);
}

function textArray(values: readonly string[]): SqlArray {
  return new SqlArray(Oid.text, values);
}

/** pg_class.reloptions: `{fillfactor=100}`. */
function relOptions(table: TableInfo): SqlArray | null {
  const entries = Object.entries(table.options);
  return entries.length ? textArray(entries.map(([k, v]) => `${k}=${v}`)) : null;
}

const SHARED_CATALOGS = new Set(['pg_authid', 'pg_auth_members', 'pg_database', 'pg_shdescription', 'pg_tablespace', 'pg_shdepend']);

function classRow(fields: {
  oid: number;
  relname: string;
  relnamespace: number;
  reltype: number;
  relam: number;
  relkind: string;
  relnatts: number;
  relhasindex?: boolean;
  relchecks?: number;
  relisshared?: boolean;
  reloptions?: SqlArray | null;
  relowner?: number;
  relhastriggers?: boolean;
}): SystemRow {
  const storage = fields.relkind !== 'v';
  return {
    oid: fields.oid,
    relname: fields.relname,
    relnamespace: fields.relnamespace,
    reltype: fields.reltype,
    reloftype: 0,
    relowner: fields.relowner ?? RELATION_OWNER_OID,
    relam: fields.relam,
    relfilenode: storage ? fields.oid : 0,
    reltablespace: 0,
    // As PostgreSQL has them before any VACUUM: an index has its metapage, a sequence its one row.
    relpages: fields.relkind === 'i' || fields.relkind === 'S' ? 1 : 0,
    reltuples: fields.relkind === 'r' || fields.relkind === 'v' ? -1 : fields.relkind === 'S' ? 1 : 0,
    relallvisible: 0,
    reltoastrelid: 0,
    relhasindex: fields.relhasindex ?? false,
    relisshared: fields.relisshared ?? false,
    relpersistence: 'p',
    relkind: fields.relkind,
    relnatts: fields.relnatts,
    relchecks: fields.relchecks ?? 0,
    // A view is its _RETURN rule.
    relhasrules: fields.relkind === 'v',
    relhastriggers: fields.relhastriggers ?? false,
    relhassubclass: false,
    relrowsecurity: false,
    relforcerowsecurity: false,
    relispopulated: true,
    relreplident: fields.relkind === 'r' ? 'd' : 'n',
    relispartition: false,
    relrewrite: 0,
    relfrozenxid: 0,
    relminmxid: 0,
    relacl: null,
    reloptions: fields.reloptions ?? null,
    relpartbound: null,
  };
}

function* pgClass(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const r of SYSTEM_RELATIONS) {
    yield classRow({ oid: r.oid, relname: r.name, relnamespace: r.schemaOid, reltype: r.rowTypeOid, relam: r.relkind === 'r' ? HEAP_AM_OID : 0, relkind: r.relkind, relnatts: r.columns.length, relisshared: SHARED_CATALOGS.has(r.name) });
  }
  // Foreign keys are triggers in PostgreSQL: both tables of one have relhastriggers (psql then shows them).
  const withTriggers = new Set<number>();
  for (const t of ctx.catalog.tables()) {
    for (const c of t.constraints) {
      if (c.foreignKey) {
        withTriggers.add(t.oid);
        withTriggers.add(c.foreignKey.refTableOid);
      }
    }
  }
  for (const t of ctx.catalog.tables()) {
    yield classRow({
      oid: t.oid, relname: t.name, relnamespace: t.schemaOid, reltype: t.oid, relam: HEAP_AM_OID, relkind: 'r', relnatts: t.columns.length,
      relhasindex: t.indexes.length > 0, relchecks: t.constraints.filter((c) => c.type === 'c').length, reloptions: relOptions(t),
      relhastriggers: withTriggers.has(t.oid),
    });
    for (const i of t.indexes) {
      yield classRow({ oid: i.oid, relname: i.name, relnamespace: t.schemaOid, reltype: 0, relam: BTREE_AM_OID, relkind: 'i', relnatts: i.columns.length });
    }
  }
  for (const s of ctx.catalog.sequences()) {
    yield classRow({ oid: s.oid, relname: s.name, relnamespace: s.schemaOid, reltype: 0, relam: 0, relkind: 'S', relnatts: 3 });
  }
  for (const v of ctx.catalog.views()) {
    yield classRow({ oid: v.oid, relname: v.name, relnamespace: v.schemaOid, reltype: v.oid, relam: 0, relkind: 'v', relnatts: v.columns.length });
  }
}

interface AttributeFields {
  attrelid: number;
  attname: string;
  atttypid: number;
  attnum: number;
  atttypmod?: number;
  attnotnull?: boolean;
  atthasdef?: boolean;
  attidentity?: string;
}

function attributeRow(a: AttributeFields): SystemRow {
  const d = typeByOid(a.atttypid);
  const system = SYSTEM_COLUMNS.find((c) => c.attnum === a.attnum);
  return {
    attrelid: a.attrelid,
    attname: a.attname,
    atttypid: a.atttypid,
    attstattarget: a.attnum > 0 ? -1 : 0,
    attlen: system?.typlen ?? d?.typlen ?? -1,
    attnum: a.attnum,
    attndims: isArrayType(a.atttypid) ? 1 : 0,
    attcacheoff: -1,
    atttypmod: a.atttypmod ?? -1,
    attbyval: system?.typbyval ?? d?.typbyval ?? false,
    attalign: system?.typalign ?? d?.typalign ?? 'i',
    attstorage: d?.typstorage ?? 'p',
    attcompression: NUL_CHAR,
    attnotnull: a.attnotnull ?? a.attnum < 0,
    atthasdef: a.atthasdef ?? false,
    atthasmissing: false,
    attidentity: a.attidentity ?? NUL_CHAR,
    attgenerated: NUL_CHAR,
    attisdropped: false,
    attislocal: true,
    attinhcount: 0,
    attcollation: collationOf(a.atttypid),
    attacl: null,
    attoptions: null,
    attfdwoptions: null,
    attmissingval: null,
  };
}

function* systemColumnRows(relid: number): Iterable<SystemRow> {
  for (const c of SYSTEM_COLUMNS) yield attributeRow({ attrelid: relid, attname: c.name, atttypid: c.typeOid, attnum: c.attnum });
}

const SEQUENCE_COLUMNS: ReadonlyArray<readonly [string, number]> = [['last_value', Oid.int8], ['log_cnt', Oid.int8], ['is_called', Oid.bool]];

function* pgAttribute(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const r of SYSTEM_RELATIONS) {
    for (const c of r.columns) yield attributeRow({ attrelid: r.oid, attname: c.name, atttypid: c.declaredType, attnum: c.attnum, atttypmod: c.type.oid === c.declaredType ? c.type.typmod : -1, attnotnull: c.notNull });
    if (r.relkind === 'r') yield* systemColumnRows(r.oid);
  }
  for (const t of ctx.catalog.tables()) {
    for (const c of t.columns) {
      yield attributeRow({ attrelid: t.oid, attname: c.name, atttypid: c.type.oid, attnum: c.attnum, atttypmod: c.type.typmod, attnotnull: c.notNull, atthasdef: c.default !== null, attidentity: c.identity });
    }
    yield* systemColumnRows(t.oid);
    for (const i of t.indexes) {
      let n = 0;
      for (const attnum of i.columns) {
        const c = t.columns.find((x) => x.attnum === attnum);
        if (c) yield { ...attributeRow({ attrelid: i.oid, attname: c.name, atttypid: c.type.oid, attnum: ++n, atttypmod: c.type.typmod }), attstattarget: -1 };
      }
    }
  }
  for (const s of ctx.catalog.sequences()) {
    let n = 0;
    for (const [name, type] of SEQUENCE_COLUMNS) yield attributeRow({ attrelid: s.oid, attname: name, atttypid: type, attnum: ++n, attnotnull: true });
    yield* systemColumnRows(s.oid);
  }
  // A view has no system columns: it stores no rows.
  for (const v of ctx.catalog.views()) {
    for (const c of v.columns) yield attributeRow({ attrelid: v.oid, attname: c.name, atttypid: c.type.oid, attnum: c.attnum, atttypmod: c.type.typmod });
  }
}

function* pgType(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of allTypes()) {
    yield {
      oid: t.oid, typname: t.typname, typnamespace: PG_CATALOG_NAMESPACE_OID, typowner: BOOTSTRAP_SUPERUSER_OID, typlen: t.typlen, typbyval: t.typbyval,
      typtype: t.typtype, typcategory: t.typcategory, typispreferred: t.typispreferred, typisdefined: true, typdelim: t.typdelim, typrelid: 0,
      typsubscript: ioProcOid(t.typsubscript), typelem: t.typelem, typarray: t.typarray, typinput: ioProcOid(t.typinput), typoutput: ioProcOid(t.typoutput),
      typreceive: ioProcOid(t.typreceive), typsend: ioProcOid(t.typsend), typmodin: ioProcOid(t.typmodin), typmodout: ioProcOid(t.typmodout),
      typanalyze: ioProcOid(t.typanalyze), typalign: t.typalign, typstorage: t.typstorage, typnotnull: false, typbasetype: 0, typtypmod: -1, typndims: 0,
      typcollation: t.typcollation, typdefaultbin: null, typdefault: null, typacl: null,
    };
  }
  for (const d of INFORMATION_SCHEMA_DOMAINS) {
    const base = typeByOid(d.baseType)!;
    yield {
      oid: d.oid, typname: d.name, typnamespace: INFORMATION_SCHEMA_NAMESPACE_OID, typowner: BOOTSTRAP_SUPERUSER_OID, typlen: base.typlen, typbyval: base.typbyval,
      typtype: 'd', typcategory: base.typcategory, typispreferred: false, typisdefined: true, typdelim: ',', typrelid: 0, typsubscript: 0, typelem: 0,
      typarray: 0, typinput: ioProcOid('domain_in'), typoutput: ioProcOid(base.typoutput), typreceive: ioProcOid('domain_recv'), typsend: ioProcOid(base.typsend),
      typmodin: 0, typmodout: 0, typanalyze: 0, typalign: base.typalign, typstorage: base.typstorage, typnotnull: false, typbasetype: d.baseType,
      typtypmod: d.typmod, typndims: 0, typcollation: base.typcollation === 0 ? 0 : C_COLLATION_OID, typdefaultbin: null, typdefault: null, typacl: null,
    };
  }
  const rowType = (oid: number, name: string, schemaOid: number, relid: number): SystemRow => ({
    oid, typname: name, typnamespace: schemaOid, typowner: BOOTSTRAP_SUPERUSER_OID, typlen: -1, typbyval: false, typtype: 'c', typcategory: 'C',
    typispreferred: false, typisdefined: true, typdelim: ',', typrelid: relid, typsubscript: 0, typelem: 0, typarray: 0, typinput: ioProcOid('record_in'),
    typoutput: ioProcOid('record_out'), typreceive: ioProcOid('record_recv'), typsend: ioProcOid('record_send'), typmodin: 0, typmodout: 0, typanalyze: 0,
    typalign: 'd', typstorage: 'x', typnotnull: false, typbasetype: 0, typtypmod: -1, typndims: 0, typcollation: 0, typdefaultbin: null, typdefault: null, typacl: null,
  });
  for (const r of SYSTEM_RELATIONS) yield rowType(r.rowTypeOid, r.name, r.schemaOid, r.oid);
  for (const t of ctx.catalog.tables()) yield rowType(t.oid, t.name, t.schemaOid, t.oid);
  for (const v of ctx.catalog.views()) yield rowType(v.oid, v.name, v.schemaOid, v.oid);
}

function* pgNamespace(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const s of allSchemas(ctx.catalog)) yield { oid: s.oid, nspname: s.name, nspowner: schemaOwnerOid(s), nspacl: s.oid === PUBLIC_NAMESPACE_OID ? PUBLIC_SCHEMA_ACL : null };
}

function* pgAttrdef(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    for (const c of t.columns) if (c.default) yield { oid: attrdefOid(t, c.attnum), adrelid: t.oid, adnum: c.attnum, adbin: c.default.text };
  }
}

function* pgConstraint(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    for (const c of t.constraints) {
      const fk = c.foreignKey;
      yield {
        oid: c.oid, conname: c.name, connamespace: t.schemaOid, contype: c.type, condeferrable: false, condeferred: false, convalidated: true,
        conrelid: t.oid, contypid: 0, conindid: c.indexOid ?? (fk ? (referencedIndex(ctx.catalog, c)?.oid ?? 0) : 0), conparentid: 0,
        confrelid: fk?.refTableOid ?? 0, confupdtype: fk?.onUpdate ?? ' ', confdeltype: fk?.onDelete ?? ' ', confmatchtype: fk ? 's' : ' ',
        conislocal: true, coninhcount: 0, connoinherit: false, conkey: int2array(c.columns), confkey: fk ? int2array(fk.refColumns) : null,
        conpfeqop: null, conppeqop: null, conffeqop: null, confdelsetcols: null, conexclop: null,
        conbin: c.type === 'c' ? (c.check?.text ?? null) : null,
      };
    }
  }
}

function* pgIndex(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    for (const i of t.indexes) {
      const types = i.columns.map((a) => t.columns.find((c) => c.attnum === a)?.type.oid ?? 0);
      yield {
        indexrelid: i.oid, indrelid: t.oid, indnatts: i.columns.length, indnkeyatts: i.columns.length, indisunique: i.unique, indnullsnotdistinct: false,
        indisprimary: i.primary, indisexclusion: false, indimmediate: true, indisclustered: false, indisvalid: true, indcheckxmin: false, indisready: true,
        indislive: true, indisreplident: false, indkey: int2vector(i.columns), indcollation: oidvector(types.map(collationOf)),
        indclass: oidvector(types.map(defaultOpclass)), indoption: int2vector(i.columns.map(() => 0)), indexprs: null, indpred: null,
      };
    }
  }
}

function* pgDescription(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const d of descriptions(ctx)) yield { ...d };
}

function* pgShdescription(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const db of databases(ctx)) {
    if (db.name === 'postgres') yield { objoid: db.oid, classoid: 1262, description: 'default administrative connection database' };
  }
}

function* pgDatabase(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const db of databases(ctx)) {
    yield {
      oid: db.oid, datname: db.name, datdba: BOOTSTRAP_SUPERUSER_OID, encoding: UTF8_ENCODING, datlocprovider: 'c', datistemplate: false, datallowconn: true,
      datconnlimit: -1, datfrozenxid: 716, datminmxid: 1, dattablespace: DEFAULT_TABLESPACE_OID, datcollate: DATABASE_LOCALE, datctype: DATABASE_LOCALE,
      daticulocale: null, datcollversion: null, datacl: null,
    };
  }
}

function* pgAuthid(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const r of roles(ctx.catalog, ctx.user)) {
    yield {
      oid: r.oid, rolname: r.name, rolsuper: r.superuser, rolinherit: true, rolcreaterole: r.superuser, rolcreatedb: r.superuser, rolcanlogin: r.canLogin,
      rolreplication: r.superuser, rolbypassrls: r.superuser, rolconnlimit: -1, rolpassword: null, rolvaliduntil: null,
    };
  }
}

function* pgRoles(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const a of pgAuthid(ctx)) {
    yield {
      rolname: a.rolname!, rolsuper: a.rolsuper!, rolinherit: a.rolinherit!, rolcreaterole: a.rolcreaterole!, rolcreatedb: a.rolcreatedb!,
      rolcanlogin: a.rolcanlogin!, rolreplication: a.rolreplication!, rolconnlimit: -1, rolpassword: '********', rolvaliduntil: null,
      rolbypassrls: a.rolbypassrls!, rolconfig: null, oid: a.oid!,
    };
  }
}

function* pgUser(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const r of roles(ctx.catalog, ctx.user)) {
    if (!r.canLogin) continue;
    yield { usename: r.name, usesysid: r.oid, usecreatedb: r.superuser, usesuper: r.superuser, userepl: r.superuser, usebypassrls: r.superuser, passwd: '********', valuntil: null, useconfig: null };
  }
}

function* pgAuthMembers(): Iterable<SystemRow> {
  for (const [roleid, member] of PREDEFINED_ROLE_MEMBERS) yield { oid: 0, roleid, member, grantor: BOOTSTRAP_SUPERUSER_OID, admin_option: false };
}

const ACCESS_METHODS: ReadonlyArray<readonly [number, string, string, string]> = [
  [2, 'heap', 'heap_tableam_handler', 't'],
  [403, 'btree', 'bthandler', 'i'],
  [405, 'hash', 'hashhandler', 'i'],
  [783, 'gist', 'gisthandler', 'i'],
  [2742, 'gin', 'ginhandler', 'i'],
  [3580, 'brin', 'brinhandler', 'i'],
  [4000, 'spgist', 'spghandler', 'i'],
];

function* pgAm(): Iterable<SystemRow> {
  for (const [oid, amname, handler, amtype] of ACCESS_METHODS) yield { oid, amname, amhandler: ioProcOid(handler), amtype };
}

function* pgCollation(): Iterable<SystemRow> {
  const row = (oid: number, collname: string, provider: string, encoding: number, collate: string | null): SystemRow => ({
    oid, collname, collnamespace: PG_CATALOG_NAMESPACE_OID, collowner: BOOTSTRAP_SUPERUSER_OID, collprovider: provider, collisdeterministic: true,
    collencoding: encoding, collcollate: collate, collctype: collate, colliculocale: null, collversion: null,
  });
  yield row(DEFAULT_COLLATION_OID, 'default', 'd', -1, null);
  yield row(C_COLLATION_OID, 'C', 'c', -1, 'C');
  yield row(951, 'POSIX', 'c', -1, 'POSIX');
  yield row(12340, 'ucs_basic', 'c', UTF8_ENCODING, 'C');
}

function* pgProc(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const p of ctx.procs) {
    const out = p.outColumns;
    yield {
      oid: p.oid, proname: p.name, pronamespace: p.schemaOid, proowner: BOOTSTRAP_SUPERUSER_OID, prolang: p.schemaOid === PG_CATALOG_NAMESPACE_OID ? 12 : 14,
      procost: p.schemaOid === PG_CATALOG_NAMESPACE_OID ? 1 : 100, prorows: p.setReturning ? 1000 : 0, provariadic: p.variadicType, prosupport: 0, prokind: p.kind,
      prosecdef: false, proleakproof: false, proisstrict: p.strict, proretset: p.setReturning, provolatile: p.volatility, proparallel: 's',
      pronargs: p.argTypes.length, pronargdefaults: 0, prorettype: out ? Oid.record : p.returnType, proargtypes: oidvector(p.argTypes),
      proallargtypes: out ? new SqlArray(Oid.oid, [...p.argTypes, ...out.map((o) => o.type)]) : null,
      proargmodes: out ? new SqlArray(Oid.char, [...p.argTypes.map(() => 'i'), ...out.map(() => 'o')]) : null,
      proargnames: out ? textArray([...p.argTypes.map(() => ''), ...out.map((o) => o.name)]) : null,
      proargdefaults: null, protrftypes: null, prosrc: p.source ?? p.name, probin: null, prosqlbody: null, proconfig: null, proacl: null,
    };
  }
}

function* pgOperator(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const o of ctx.operators) {
    yield {
      oid: o.oid, oprname: o.name, oprnamespace: PG_CATALOG_NAMESPACE_OID, oprowner: BOOTSTRAP_SUPERUSER_OID, oprkind: o.kind, oprcanmerge: false,
      oprcanhash: false, oprleft: o.left, oprright: o.right, oprresult: o.result, oprcom: 0, oprnegate: 0, oprcode: o.procOid, oprrest: 0, oprjoin: 0,
    };
  }
}

function* pgExtension(): Iterable<SystemRow> {
  yield { oid: PLPGSQL_EXTENSION_OID, extname: 'plpgsql', extowner: BOOTSTRAP_SUPERUSER_OID, extnamespace: PG_CATALOG_NAMESPACE_OID, extrelocatable: false, extversion: '1.0', extconfig: null, extcondition: null };
}

function* pgAvailableExtensions(): Iterable<SystemRow> {
  yield { name: 'pgcrypto', default_version: '1.3', installed_version: null, comment: 'cryptographic functions' };
  yield { name: 'plpgsql', default_version: '1.0', installed_version: '1.0', comment: 'PL/pgSQL procedural language' };
  yield { name: 'uuid-ossp', default_version: '1.1', installed_version: null, comment: 'generate universally unique identifiers (UUIDs)' };
}

function* pgLanguage(): Iterable<SystemRow> {
  yield { oid: 12, lanname: 'internal', lanowner: BOOTSTRAP_SUPERUSER_OID, lanispl: false, lanpltrusted: false, lanplcallfoid: 0, laninline: 0, lanvalidator: 2246, lanacl: null };
  yield { oid: 13, lanname: 'c', lanowner: BOOTSTRAP_SUPERUSER_OID, lanispl: false, lanpltrusted: false, lanplcallfoid: 0, laninline: 0, lanvalidator: 2247, lanacl: null };
  yield { oid: 14, lanname: 'sql', lanowner: BOOTSTRAP_SUPERUSER_OID, lanispl: false, lanpltrusted: true, lanplcallfoid: 0, laninline: 0, lanvalidator: 2248, lanacl: null };
  yield { oid: 13563, lanname: 'plpgsql', lanowner: BOOTSTRAP_SUPERUSER_OID, lanispl: true, lanpltrusted: true, lanplcallfoid: 13560, laninline: 13561, lanvalidator: 13562, lanacl: null };
}

function sequenceOwner(ctx: SystemCatalogContext, s: SequenceInfo): { table: TableInfo; attnum: number } | undefined {
  const table = s.ownedBy ? ctx.catalog.tableByOid(s.ownedBy.tableOid) : undefined;
  return table && s.ownedBy ? { table, attnum: s.ownedBy.attnum } : undefined;
}

function* pgSequence(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const s of ctx.catalog.sequences()) {
    yield { seqrelid: s.oid, seqtypid: s.typeOid, seqstart: BigInt(s.start), seqincrement: BigInt(s.increment), seqmax: BigInt(s.max), seqmin: BigInt(s.min), seqcache: BigInt(s.cache), seqcycle: s.cycle };
  }
}

function* pgSequences(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const s of ctx.catalog.sequences()) {
    yield {
      schemaname: ctx.catalog.schemaByOid(s.schemaOid)?.name ?? null, sequencename: s.name, sequenceowner: 'postgres', data_type: s.typeOid,
      start_value: BigInt(s.start), min_value: BigInt(s.min), max_value: BigInt(s.max), increment_by: BigInt(s.increment), cycle: s.cycle,
      cache_size: BigInt(s.cache), last_value: null,
    };
  }
}

/** pg_depend: what psql and pg_get_serial_sequence read, a serial or identity sequence belonging to its column. */
function* pgDepend(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const s of ctx.catalog.sequences()) {
    const owner = sequenceOwner(ctx, s);
    if (!owner) continue;
    const column = owner.table.columns.find((c) => c.attnum === owner.attnum);
    yield { classid: PG_CLASS_OID, objid: s.oid, objsubid: 0, refclassid: PG_CLASS_OID, refobjid: owner.table.oid, refobjsubid: owner.attnum, deptype: column?.identity ? 'i' : 'a' };
  }
  for (const t of ctx.catalog.tables()) {
    for (const c of t.columns) {
      if (!c.default) continue;
      yield { classid: PG_ATTRDEF_OID, objid: attrdefOid(t, c.attnum), objsubid: 0, refclassid: PG_CLASS_OID, refobjid: t.oid, refobjsubid: c.attnum, deptype: 'a' };
      // A default depends on the relations it names (a serial's nextval on its sequence): pg_dump
      // creates the sequence first, and for a serial sees the loop table → default → sequence →
      // table and sets the default after the sequence.
      for (const { relation } of regclassConstants(ctx.catalog, c.default.text, ctx.user)) {
        if (relation.kind === 'sequence' || relation.kind === 'table') {
          yield { classid: PG_ATTRDEF_OID, objid: attrdefOid(t, c.attnum), objsubid: 0, refclassid: PG_CLASS_OID, refobjid: relation.oid, refobjsubid: 0, deptype: 'n' };
        }
      }
    }
  }
  // A view's _RETURN rule belongs to the view and depends on what the query reads (whole
  // relations: polygres does not record which columns).
  for (const v of ctx.catalog.views()) {
    yield { classid: PG_REWRITE_OID, objid: v.ruleOid, objsubid: 0, refclassid: PG_CLASS_OID, refobjid: v.oid, refobjsubid: 0, deptype: 'i' };
    for (const oid of v.dependsOn) yield { classid: PG_REWRITE_OID, objid: v.ruleOid, objsubid: 0, refclassid: PG_CLASS_OID, refobjid: oid, refobjsubid: 0, deptype: 'n' };
  }
}

/** pg_rewrite: the _RETURN rule of each view; ev_action holds the query as written rather than a node tree. */
function* pgRewrite(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const v of ctx.catalog.views()) {
    yield { oid: v.ruleOid, rulename: '_RETURN', ev_class: v.oid, ev_type: '1', ev_enabled: 'O', is_instead: true, ev_qual: '<>', ev_action: v.text };
  }
}

function* pgTablespace(): Iterable<SystemRow> {
  yield { oid: DEFAULT_TABLESPACE_OID, spcname: 'pg_default', spcowner: BOOTSTRAP_SUPERUSER_OID, spcacl: null, spcoptions: null };
  yield { oid: GLOBAL_TABLESPACE_OID, spcname: 'pg_global', spcowner: BOOTSTRAP_SUPERUSER_OID, spcacl: null, spcoptions: null };
}

function schemaName(ctx: SystemCatalogContext, oid: number): string | null {
  return ctx.catalog.schemaByOid(oid)?.name ?? null;
}

function* pgTables(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const r of SYSTEM_RELATIONS) {
    if (r.relkind !== 'r') continue;
    yield { schemaname: schemaName(ctx, r.schemaOid), tablename: r.name, tableowner: 'postgres', tablespace: SHARED_CATALOGS.has(r.name) ? 'pg_global' : null, hasindexes: false, hasrules: false, hastriggers: false, rowsecurity: false };
  }
  for (const t of ctx.catalog.tables()) {
    yield { schemaname: schemaName(ctx, t.schemaOid), tablename: t.name, tableowner: 'postgres', tablespace: null, hasindexes: t.indexes.length > 0, hasrules: false, hastriggers: false, rowsecurity: false };
  }
}

function* pgViews(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const r of SYSTEM_RELATIONS) {
    if (r.relkind === 'v') yield { schemaname: schemaName(ctx, r.schemaOid), viewname: r.name, viewowner: 'postgres', definition: null };
  }
  for (const v of ctx.catalog.views()) yield { schemaname: schemaName(ctx, v.schemaOid), viewname: v.name, viewowner: 'postgres', definition: viewDefinition(v, ctx.catalog, ctx.searchPath, ctx.user) };
}

function* pgIndexes(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    for (const i of t.indexes) yield { schemaname: schemaName(ctx, t.schemaOid), tablename: t.name, indexname: i.name, tablespace: null, indexdef: indexDefinition(ctx.catalog, t, i) };
  }
}

function settingType(value: string, enumValues: readonly string[] | null): string {
  if (enumValues) return 'enum';
  if (value === 'on' || value === 'off') return 'bool';
  if (/^-?\d+$/.test(value)) return 'integer';
  if (/^-?\d+\.\d+$/.test(value)) return 'real';
  return 'string';
}

function* pgSettings(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const s of ctx.settings()) {
    yield {
      name: s.name, setting: s.setting, unit: null, category: 'Ungrouped', short_desc: '', extra_desc: null,
      context: s.context, vartype: settingType(s.defaultValue, s.enumValues), source: s.source, min_val: null, max_val: null,
      enumvals: s.enumValues ? textArray(s.enumValues) : null, boot_val: s.defaultValue, reset_val: s.defaultValue, sourcefile: null,
      sourceline: null, pending_restart: false,
    };
  }
}

function* pgPreparedStatements(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const p of ctx.preparedStatements()) {
    yield {
      name: p.name, statement: p.statement, prepare_time: p.prepareMicros, parameter_types: new SqlArray(Oid.regtype, p.paramTypes),
      from_sql: true, generic_plans: BigInt(p.genericPlans), custom_plans: BigInt(p.customPlans),
    };
  }
}

function* pgCursors(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const c of ctx.cursors()) {
    yield {
      name: c.name, statement: c.statement, is_holdable: c.holdable, is_binary: c.binary, is_scrollable: c.scrollable, creation_time: c.creationMicros,
    };
  }
}

function* pgStatActivity(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const a of ctx.sessions()) {
    yield {
      datid: databases(ctx).find((d) => d.name === a.database)?.oid ?? null, datname: a.database, pid: a.pid, leader_pid: null, usesysid: roleOid(a.user),
      usename: a.user, application_name: a.applicationName, client_addr: a.clientAddress, client_hostname: null, client_port: a.clientPort,
      backend_start: a.backendStartMicros, xact_start: a.transactionStartMicros, query_start: a.queryStartMicros, state_change: a.stateChangeMicros,
      wait_event_type: a.state === 'idle' ? 'Client' : null, wait_event: a.state === 'idle' ? 'ClientRead' : null, state: a.state, backend_xid: null,
      backend_xmin: null, query_id: null, query: a.query, backend_type: 'client backend',
    };
  }
}

function* pgStatSsl(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const a of ctx.sessions()) yield { pid: a.pid, ssl: a.ssl, version: a.ssl ? 'TLSv1.3' : null, cipher: null, bits: null, client_dn: null, client_serial: null, issuer_dn: null };
}

/** Statistics views: polygres keeps no counters, so every counter is 0 (estimates from storage would cost a scan). */
function* pgStatTables(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    const hasIndex = t.indexes.length > 0;
    yield {
      relid: t.oid, schemaname: schemaName(ctx, t.schemaOid), relname: t.name, seq_scan: 0n, seq_tup_read: 0n, idx_scan: hasIndex ? 0n : null,
      idx_tup_fetch: hasIndex ? 0n : null, n_tup_ins: 0n, n_tup_upd: 0n, n_tup_del: 0n, n_tup_hot_upd: 0n, n_live_tup: 0n, n_dead_tup: 0n,
      n_mod_since_analyze: 0n, n_ins_since_vacuum: 0n, last_vacuum: null, last_autovacuum: null, last_analyze: null, last_autoanalyze: null,
      vacuum_count: 0n, autovacuum_count: 0n, analyze_count: 0n, autoanalyze_count: 0n,
    };
  }
}

function* pgStatioTables(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    const hasIndex = t.indexes.length > 0;
    yield {
      relid: t.oid, schemaname: schemaName(ctx, t.schemaOid), relname: t.name, heap_blks_read: 0n, heap_blks_hit: 0n, idx_blks_read: hasIndex ? 0n : null,
      idx_blks_hit: hasIndex ? 0n : null, toast_blks_read: null, toast_blks_hit: null, tidx_blks_read: null, tidx_blks_hit: null,
    };
  }
}

function* pgStatIndexes(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    for (const i of t.indexes) {
      yield { relid: t.oid, indexrelid: i.oid, schemaname: schemaName(ctx, t.schemaOid), relname: t.name, indexrelname: i.name, idx_scan: 0n, idx_tup_read: 0n, idx_tup_fetch: 0n };
    }
  }
}

function* pgStatDatabase(ctx: SystemCatalogContext): Iterable<SystemRow> {
  const sessions = ctx.sessions();
  for (const db of databases(ctx)) {
    yield {
      datid: db.oid, datname: db.name, numbackends: sessions.filter((s) => s.database === db.name).length, xact_commit: 0n, xact_rollback: 0n, blks_read: 0n,
      blks_hit: 0n, tup_returned: 0n, tup_fetched: 0n, tup_inserted: 0n, tup_updated: 0n, tup_deleted: 0n, conflicts: 0n, temp_files: 0n, temp_bytes: 0n,
      deadlocks: 0n, checksum_failures: null, checksum_last_failure: null, blk_read_time: 0, blk_write_time: 0, session_time: 0, active_time: 0,
      idle_in_transaction_time: 0, sessions: 0n, sessions_abandoned: 0n, sessions_fatal: 0n, sessions_killed: 0n, stats_reset: null,
    };
  }
}

function* pgOpclass(): Iterable<SystemRow> {
  for (const [oid, opcname, opcintype, opcfamily] of DEFAULT_BTREE_OPCLASSES) {
    yield { oid, opcmethod: BTREE_AM_OID, opcname, opcnamespace: PG_CATALOG_NAMESPACE_OID, opcowner: BOOTSTRAP_SUPERUSER_OID, opcfamily, opcintype, opcdefault: true, opckeytype: 0 };
  }
}

function* pgOpfamily(): Iterable<SystemRow> {
  const seen = new Set<number>();
  for (const [, , , family, familyName] of DEFAULT_BTREE_OPCLASSES) {
    if (seen.has(family)) continue;
    seen.add(family);
    yield { oid: family, opfmethod: BTREE_AM_OID, opfname: familyName, opfnamespace: PG_CATALOG_NAMESPACE_OID, opfowner: BOOTSTRAP_SUPERUSER_OID };
  }
}

/** pg_timezone_names: every zone the platform knows, with its abbreviation and offset now. */
function* pgTimezoneNames(): Iterable<SystemRow> {
  const now = Math.floor(Date.now() / 1000);
  for (const name of Intl.supportedValuesOf('timeZone')) {
    const zone = timeZoneFor(name);
    if (!zone) continue;
    const offset = zone.offsetAt(now);
    const january = zone.offsetAt(Date.UTC(new Date().getUTCFullYear(), 0, 1) / 1000);
    const july = zone.offsetAt(Date.UTC(new Date().getUTCFullYear(), 6, 1) / 1000);
    const standard = Math.min(january, july);
    yield { name, abbrev: zone.abbreviationAt(now) || numericAbbreviation(offset), utc_offset: { months: 0, days: 0, micros: BigInt(offset) * 1_000_000n }, is_dst: offset !== standard };
  }
}

function* pgTimezoneAbbrevs(): Iterable<SystemRow> {
  const now = Math.floor(Date.now() / 1000);
  for (const [abbrev, offsetOrZone, dst] of TIMEZONE_ABBREVIATIONS) {
    const offset = typeof offsetOrZone === 'number' ? offsetOrZone : (timeZoneFor(offsetOrZone)?.offsetAt(now) ?? 0);
    yield { abbrev, utc_offset: { months: 0, days: 0, micros: BigInt(offset) * 1_000_000n }, is_dst: dst };
  }
}

/** Builders by relation name; whether a relation's rows depend on the session (else only on the catalog snapshot). */
export const PG_CATALOG_BUILDERS: ReadonlyMap<string, { readonly build: Builder; readonly sessionDependent: boolean }> = new Map<string, { build: Builder; sessionDependent: boolean }>([
  ['pg_class', { build: pgClass, sessionDependent: false }],
  ['pg_attribute', { build: pgAttribute, sessionDependent: false }],
  ['pg_type', { build: pgType, sessionDependent: false }],
  ['pg_namespace', { build: pgNamespace, sessionDependent: false }],
  ['pg_attrdef', { build: pgAttrdef, sessionDependent: false }],
  ['pg_constraint', { build: pgConstraint, sessionDependent: false }],
  ['pg_index', { build: pgIndex, sessionDependent: false }],
  ['pg_description', { build: pgDescription, sessionDependent: true }],
  ['pg_shdescription', { build: pgShdescription, sessionDependent: true }],
  ['pg_database', { build: pgDatabase, sessionDependent: true }],
  ['pg_authid', { build: pgAuthid, sessionDependent: true }],
  ['pg_roles', { build: pgRoles, sessionDependent: true }],
  ['pg_user', { build: pgUser, sessionDependent: true }],
  ['pg_auth_members', { build: pgAuthMembers, sessionDependent: false }],
  ['pg_am', { build: pgAm, sessionDependent: false }],
  ['pg_collation', { build: pgCollation, sessionDependent: false }],
  ['pg_proc', { build: pgProc, sessionDependent: true }],
  ['pg_operator', { build: pgOperator, sessionDependent: true }],
  ['pg_extension', { build: pgExtension, sessionDependent: false }],
  ['pg_available_extensions', { build: pgAvailableExtensions, sessionDependent: false }],
  ['pg_language', { build: pgLanguage, sessionDependent: false }],
  ['pg_sequence', { build: pgSequence, sessionDependent: false }],
  ['pg_sequences', { build: pgSequences, sessionDependent: false }],
  ['pg_depend', { build: pgDepend, sessionDependent: false }],
  ['pg_tablespace', { build: pgTablespace, sessionDependent: false }],
  ['pg_tables', { build: pgTables, sessionDependent: false }],
  ['pg_views', { build: pgViews, sessionDependent: false }],
  ['pg_rewrite', { build: pgRewrite, sessionDependent: false }],
  ['pg_indexes', { build: pgIndexes, sessionDependent: false }],
  ['pg_settings', { build: pgSettings, sessionDependent: true }],
  ['pg_stat_activity', { build: pgStatActivity, sessionDependent: true }],
  ['pg_prepared_statements', { build: pgPreparedStatements, sessionDependent: true }],
  ['pg_cursors', { build: pgCursors, sessionDependent: true }],
  ['pg_stat_ssl', { build: pgStatSsl, sessionDependent: true }],
  ['pg_stat_user_tables', { build: pgStatTables, sessionDependent: false }],
  ['pg_stat_all_tables', { build: pgStatTables, sessionDependent: false }],
  ['pg_statio_user_tables', { build: pgStatioTables, sessionDependent: false }],
  ['pg_statio_all_tables', { build: pgStatioTables, sessionDependent: false }],
  ['pg_stat_user_indexes', { build: pgStatIndexes, sessionDependent: false }],
  ['pg_stat_database', { build: pgStatDatabase, sessionDependent: true }],
  ['pg_opclass', { build: pgOpclass, sessionDependent: false }],
  ['pg_opfamily', { build: pgOpfamily, sessionDependent: false }],
  ['pg_timezone_names', { build: pgTimezoneNames, sessionDependent: true }],
  ['pg_timezone_abbrevs', { build: pgTimezoneAbbrevs, sessionDependent: true }],
]);
