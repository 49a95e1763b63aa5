/**
 * The system relations polygres serves: every pg_catalog table and view and information_schema view
 * it knows, with PostgreSQL 15's OID, kind, row type and columns (names, types, type modifiers,
 * NOT NULL), in PostgreSQL's column order. This is the one place that defines their shape; the rows
 * come from src/catalog/system/rows-*.ts, computed from the catalog at the statement's snapshot.
 *
 * The column lists were generated from PostgreSQL 15's pg_attribute
 * (`SELECT attname, atttypid::regtype, atttypmod, attnotnull ... WHERE attnum > 0 ORDER BY attnum`)
 * and are checked against the real server by tests/sql/system-relations.test.ts. information_schema
 * columns keep their domain (sql_identifier, cardinal_number, character_data, yes_or_no,
 * time_stamp): pg_attribute shows the domain, values and RowDescription use its base type, as
 * PostgreSQL sends them.
 */
import { typeByName, type TypeRef } from '../../types/registry.js';
import { INFORMATION_SCHEMA_NAMESPACE_OID, PG_CATALOG_NAMESPACE_OID } from '../model.js';
import { INFORMATION_SCHEMA_DOMAINS } from './domains.js';

export interface SystemColumn {
  readonly name: string;
  /** 1-based, as pg_attribute.attnum. */
  readonly attnum: number;
  /** The type values have (a domain's base type), with its modifier. */
  readonly type: TypeRef;
  /** The declared type as pg_attribute shows it: the domain for information_schema columns. */
  readonly declaredType: number;
  readonly notNull: boolean;
}

export interface SystemRelation {
  readonly kind: 'system';
  readonly oid: number;
  readonly name: string;
  readonly schemaOid: number;
  /** pg_class.relkind: 'r' for catalog tables, 'v' for views. */
  readonly relkind: 'r' | 'v';
  /** pg_class.reltype: the relation's row type. */
  readonly rowTypeOid: number;
  readonly columns: readonly SystemColumn[];
}

/** System columns a catalog table has beyond its own (views have none), as pg_attribute lists them. */
export const SYSTEM_COLUMNS: ReadonlyArray<{ readonly name: string; readonly attnum: number; readonly typeOid: number; readonly typlen: number; readonly typbyval: boolean; readonly typalign: string }> = [
  { name: 'tableoid', attnum: -6, typeOid: 26, typlen: 4, typbyval: true, typalign: 'i' },
  { name: 'cmax', attnum: -5, typeOid: 29, typlen: 4, typbyval: true, typalign: 'i' },
  { name: 'xmax', attnum: -4, typeOid: 28, typlen: 4, typbyval: true, typalign: 'i' },
  { name: 'cmin', attnum: -3, typeOid: 29, typlen: 4, typbyval: true, typalign: 'i' },
  { name: 'xmin', attnum: -2, typeOid: 28, typlen: 4, typbyval: true, typalign: 'i' },
  { name: 'ctid', attnum: -1, typeOid: 27, typlen: 6, typbyval: false, typalign: 's' },
];

/** The system columns a query may name on a catalog table: tableoid, and xmin (DataGrip's state number). */
export const READABLE_SYSTEM_COLUMNS: ReadonlyArray<{ readonly name: 'tableoid' | 'xmin'; readonly type: TypeRef }> = [
  { name: 'tableoid', type: { oid: 26, typmod: -1 } },
  { name: 'xmin', type: { oid: 28, typmod: -1 } },
];

const P = PG_CATALOG_NAMESPACE_OID;
const I = INFORMATION_SCHEMA_NAMESPACE_OID;

/** `name:type[(typmod)][!]` items separated by spaces; `!` is NOT NULL. */
function rel(schemaOid: number, oid: number, name: string, relkind: 'r' | 'v', rowTypeOid: number, spec: string): SystemRelation {
  const columns = spec
    .trim()
    .split(/\s+/)
    .map((item, i): SystemColumn => {
      const m = /^([a-z_0-9]+):("?[a-z_0-9]+"?)(?:\((-?\d+)\))?(!?)$/.exec(item);
      if (!m) throw new Error(`bad system column spec ${item} in ${name}`);
      const [, column, typeName, typmod, notNull] = m as unknown as [string, string, string, string | undefined, string];
      const domain = INFORMATION_SCHEMA_DOMAINS.find((d) => d.name === typeName);
      const base = domain ? { oid: domain.baseType, typmod: domain.typmod } : { oid: typeByName(typeName)?.oid ?? 0, typmod: typmod === undefined ? -1 : Number(typmod) };
      if (base.oid === 0) throw new Error(`unknown type ${typeName} of ${name}.${column}`);
      return { name: column, attnum: i + 1, type: base, declaredType: domain?.oid ?? base.oid, notNull: notNull === '!' };
    });
  return { kind: 'system', oid, name, schemaOid, relkind, rowTypeOid, columns };
}

export const SYSTEM_RELATIONS: readonly SystemRelation[] = [
  rel(P, 2615, 'pg_namespace', 'r', 10047,
    'oid:oid! nspname:name! nspowner:oid! nspacl:_aclitem'),
  rel(P, 1259, 'pg_class', 'r', 83,
    'oid:oid! relname:name! relnamespace:oid! reltype:oid! reloftype:oid! relowner:oid! relam:oid! ' +
    'relfilenode:oid! reltablespace:oid! relpages:int4! reltuples:float4! relallvisible:int4! ' +
    'reltoastrelid:oid! relhasindex:bool! relisshared:bool! relpersistence:"char"! relkind:"char"! ' +
    'relnatts:int2! relchecks:int2! relhasrules:bool! relhastriggers:bool! relhassubclass:bool! ' +
    'relrowsecurity:bool! relforcerowsecurity:bool! relispopulated:bool! relreplident:"char"! ' +
    'relispartition:bool! relrewrite:oid! relfrozenxid:xid! relminmxid:xid! relacl:_aclitem ' +
    'reloptions:_text relpartbound:pg_node_tree'),
  rel(P, 1249, 'pg_attribute', 'r', 75,
    'attrelid:oid! attname:name! atttypid:oid! attstattarget:int4! attlen:int2! attnum:int2! ' +
    'attndims:int4! attcacheoff:int4! atttypmod:int4! attbyval:bool! attalign:"char"! ' +
    'attstorage:"char"! attcompression:"char"! attnotnull:bool! atthasdef:bool! atthasmissing:bool! ' +
    'attidentity:"char"! attgenerated:"char"! attisdropped:bool! attislocal:bool! attinhcount:int4! ' +
    'attcollation:oid! attacl:_aclitem attoptions:_text attfdwoptions:_text attmissingval:anyarray'),
  rel(P, 1247, 'pg_type', 'r', 71,
    'oid:oid! typname:name! typnamespace:oid! typowner:oid! typlen:int2! typbyval:bool! ' +
    'typtype:"char"! typcategory:"char"! typispreferred:bool! typisdefined:bool! typdelim:"char"! ' +
    'typrelid:oid! typsubscript:regproc! typelem:oid! typarray:oid! typinput:regproc! ' +
    'typoutput:regproc! typreceive:regproc! typsend:regproc! typmodin:regproc! typmodout:regproc! ' +
    'typanalyze:regproc! typalign:"char"! typstorage:"char"! typnotnull:bool! typbasetype:oid! ' +
    'typtypmod:int4! typndims:int4! typcollation:oid! typdefaultbin:pg_node_tree typdefault:text ' +
    'typacl:_aclitem'),
  rel(P, 2604, 'pg_attrdef', 'r', 10001,
    'oid:oid! adrelid:oid! adnum:int2! adbin:pg_node_tree!'),
  rel(P, 2606, 'pg_constraint', 'r', 10003,
    'oid:oid! conname:name! connamespace:oid! contype:"char"! condeferrable:bool! condeferred:bool! ' +
    'convalidated:bool! conrelid:oid! contypid:oid! conindid:oid! conparentid:oid! confrelid:oid! ' +
    'confupdtype:"char"! confdeltype:"char"! confmatchtype:"char"! conislocal:bool! coninhcount:int4! ' +
    'connoinherit:bool! conkey:_int2 confkey:_int2 conpfeqop:_oid conppeqop:_oid conffeqop:_oid ' +
    'confdelsetcols:_int2 conexclop:_oid conbin:pg_node_tree'),
  rel(P, 2610, 'pg_index', 'r', 10007,
    'indexrelid:oid! indrelid:oid! indnatts:int2! indnkeyatts:int2! indisunique:bool! ' +
    'indnullsnotdistinct:bool! indisprimary:bool! indisexclusion:bool! indimmediate:bool! ' +
    'indisclustered:bool! indisvalid:bool! indcheckxmin:bool! indisready:bool! indislive:bool! ' +
    'indisreplident:bool! indkey:int2vector! indcollation:oidvector! indclass:oidvector! ' +
    'indoption:int2vector! indexprs:pg_node_tree indpred:pg_node_tree'),
  rel(P, 2609, 'pg_description', 'r', 10041,
    'objoid:oid! classoid:oid! objsubid:int4! description:text!'),
  rel(P, 2396, 'pg_shdescription', 'r', 10062,
    'objoid:oid! classoid:oid! description:text!'),
  rel(P, 1262, 'pg_database', 'r', 1248,
    'oid:oid! datname:name! datdba:oid! encoding:int4! datlocprovider:"char"! datistemplate:bool! ' +
    'datallowconn:bool! datconnlimit:int4! datfrozenxid:xid! datminmxid:xid! dattablespace:oid! ' +
    'datcollate:text! datctype:text! daticulocale:text datcollversion:text datacl:_aclitem'),
  rel(P, 12000, 'pg_roles', 'v', 12002,
    'rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool rolcanlogin:bool ' +
    'rolreplication:bool rolconnlimit:int4 rolpassword:text rolvaliduntil:timestamptz ' +
    'rolbypassrls:bool rolconfig:_text oid:oid'),
  rel(P, 1260, 'pg_authid', 'r', 2842,
    'oid:oid! rolname:name! rolsuper:bool! rolinherit:bool! rolcreaterole:bool! rolcreatedb:bool! ' +
    'rolcanlogin:bool! rolreplication:bool! rolbypassrls:bool! rolconnlimit:int4! rolpassword:text ' +
    'rolvaliduntil:timestamptz'),
  rel(P, 12014, 'pg_user', 'v', 12016,
    'usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool usebypassrls:bool ' +
    'passwd:text valuntil:timestamptz useconfig:_text'),
  rel(P, 1261, 'pg_auth_members', 'r', 2843,
    'roleid:oid! member:oid! grantor:oid! admin_option:bool!'),
  rel(P, 2601, 'pg_am', 'r', 10015,
    'oid:oid! amname:name! amhandler:regproc! amtype:"char"!'),
  rel(P, 3456, 'pg_collation', 'r', 10095,
    'oid:oid! collname:name! collnamespace:oid! collowner:oid! collprovider:"char"! ' +
    'collisdeterministic:bool! collencoding:int4! collcollate:text collctype:text colliculocale:text ' +
    'collversion:text'),
  rel(P, 3501, 'pg_enum', 'r', 10045,
    'oid:oid! enumtypid:oid! enumsortorder:float4! enumlabel:name!'),
  rel(P, 3541, 'pg_range', 'r', 10101,
    'rngtypid:oid! rngsubtype:oid! rngmultitypid:oid! rngcollation:oid! rngsubopc:oid! ' +
    'rngcanonical:regproc! rngsubdiff:regproc!'),
  rel(P, 1255, 'pg_proc', 'r', 81,
    'oid:oid! proname:name! pronamespace:oid! proowner:oid! prolang:oid! procost:float4! ' +
    'prorows:float4! provariadic:oid! prosupport:regproc! prokind:"char"! prosecdef:bool! ' +
    'proleakproof:bool! proisstrict:bool! proretset:bool! provolatile:"char"! proparallel:"char"! ' +
    'pronargs:int2! pronargdefaults:int2! prorettype:oid! proargtypes:oidvector! proallargtypes:_oid ' +
    'proargmodes:_char proargnames:_text proargdefaults:pg_node_tree protrftypes:_oid prosrc:text! ' +
    'probin:text prosqlbody:pg_node_tree proconfig:_text proacl:_aclitem'),
  rel(P, 3079, 'pg_extension', 'r', 10074,
    'oid:oid! extname:name! extowner:oid! extnamespace:oid! extrelocatable:bool! extversion:text! ' +
    'extconfig:_oid extcondition:_text'),
  rel(P, 2224, 'pg_sequence', 'r', 10105,
    'seqrelid:oid! seqtypid:oid! seqstart:int8! seqincrement:int8! seqmax:int8! seqmin:int8! ' +
    'seqcache:int8! seqcycle:bool!'),
  rel(P, 12048, 'pg_sequences', 'v', 12050,
    'schemaname:name sequencename:name sequenceowner:name data_type:regtype start_value:int8 ' +
    'min_value:int8 max_value:int8 increment_by:int8 cycle:bool cache_size:int8 last_value:int8'),
  rel(P, 2611, 'pg_inherits', 'r', 10005,
    'inhrelid:oid! inhparent:oid! inhseqno:int4! inhdetachpending:bool!'),
  rel(P, 1213, 'pg_tablespace', 'r', 10056,
    'oid:oid! spcname:name! spcowner:oid! spcacl:_aclitem spcoptions:_text'),
  rel(P, 2620, 'pg_trigger', 'r', 10037,
    'oid:oid! tgrelid:oid! tgparentid:oid! tgname:name! tgfoid:oid! tgtype:int2! tgenabled:"char"! ' +
    'tgisinternal:bool! tgconstrrelid:oid! tgconstrindid:oid! tgconstraint:oid! tgdeferrable:bool! ' +
    'tginitdeferred:bool! tgnargs:int2! tgattr:int2vector! tgargs:bytea! tgqual:pg_node_tree ' +
    'tgoldtable:name tgnewtable:name'),
  rel(P, 12028, 'pg_views', 'v', 12030,
    'schemaname:name viewname:name viewowner:name definition:text'),
  rel(P, 12033, 'pg_tables', 'v', 12035,
    'schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool hasrules:bool ' +
    'hastriggers:bool rowsecurity:bool'),
  rel(P, 12038, 'pg_matviews', 'v', 12040,
    'schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:bool ' +
    'ispopulated:bool definition:text'),
  rel(P, 12043, 'pg_indexes', 'v', 12045,
    'schemaname:name tablename:name indexname:name tablespace:name indexdef:text'),
  rel(P, 12104, 'pg_settings', 'v', 12106,
    'name:text setting:text unit:text category:text short_desc:text extra_desc:text context:text ' +
    'vartype:text source:text min_val:text max_val:text enumvals:_text boot_val:text reset_val:text ' +
    'sourcefile:text sourceline:int4 pending_restart:bool'),
  rel(P, 12222, 'pg_stat_activity', 'v', 12224,
    'datid:oid datname:name pid:int4 leader_pid:int4 usesysid:oid usename:name application_name:text ' +
    'client_addr:inet client_hostname:text client_port:int4 backend_start:timestamptz ' +
    'xact_start:timestamptz query_start:timestamptz state_change:timestamptz wait_event_type:text ' +
    'wait_event:text state:text backend_xid:xid backend_xmin:xid query_id:int8 query:text ' +
    'backend_type:text'),
  rel(P, 12073, 'pg_locks', 'v', 12075,
    'locktype:text database:oid relation:oid page:int4 tuple:int2 virtualxid:text transactionid:xid ' +
    'classid:oid objid:oid objsubid:int2 virtualtransaction:text pid:int4 mode:text granted:bool ' +
    'fastpath:bool waitstart:timestamptz'),
  rel(P, 12161, 'pg_stat_user_tables', 'v', 12163,
    'relid:oid schemaname:name relname:name seq_scan:int8 seq_tup_read:int8 idx_scan:int8 ' +
    'idx_tup_fetch:int8 n_tup_ins:int8 n_tup_upd:int8 n_tup_del:int8 n_tup_hot_upd:int8 ' +
    'n_live_tup:int8 n_dead_tup:int8 n_mod_since_analyze:int8 n_ins_since_vacuum:int8 ' +
    'last_vacuum:timestamptz last_autovacuum:timestamptz last_analyze:timestamptz ' +
    'last_autoanalyze:timestamptz vacuum_count:int8 autovacuum_count:int8 analyze_count:int8 ' +
    'autoanalyze_count:int8'),
  rel(P, 12249, 'pg_stat_ssl', 'v', 12251,
    'pid:int4 ssl:bool version:text cipher:text bits:int4 client_dn:text client_serial:numeric ' +
    'issuer_dn:text'),
  rel(P, 3256, 'pg_policy', 'r', 10084,
    'oid:oid! polname:name! polrelid:oid! polcmd:"char"! polpermissive:bool! polroles:_oid! ' +
    'polqual:pg_node_tree polwithcheck:pg_node_tree'),
  rel(P, 3381, 'pg_statistic_ext', 'r', 10031,
    'oid:oid! stxrelid:oid! stxname:name! stxnamespace:oid! stxowner:oid! stxstattarget:int4! ' +
    'stxkeys:int2vector! stxkind:_char! stxexprs:pg_node_tree'),
  rel(P, 6104, 'pg_publication', 'r', 10107,
    'oid:oid! pubname:name! pubowner:oid! puballtables:bool! pubinsert:bool! pubupdate:bool! ' +
    'pubdelete:bool! pubtruncate:bool! pubviaroot:bool!'),
  rel(P, 6106, 'pg_publication_rel', 'r', 10111,
    'oid:oid! prpubid:oid! prrelid:oid! prqual:pg_node_tree prattrs:int2vector'),
  rel(P, 6237, 'pg_publication_namespace', 'r', 10109,
    'oid:oid! pnpubid:oid! pnnspid:oid!'),
  rel(P, 12126, 'pg_timezone_names', 'v', 12128,
    'name:text abbrev:text utc_offset:interval is_dst:bool'),
  rel(P, 12122, 'pg_timezone_abbrevs', 'v', 12124,
    'abbrev:text utc_offset:interval is_dst:bool'),
  rel(P, 2616, 'pg_opclass', 'r', 10013,
    'oid:oid! opcmethod:oid! opcname:name! opcnamespace:oid! opcowner:oid! opcfamily:oid! ' +
    'opcintype:oid! opcdefault:bool! opckeytype:oid!'),
  rel(P, 2753, 'pg_opfamily', 'r', 10011,
    'oid:oid! opfmethod:oid! opfname:name! opfnamespace:oid! opfowner:oid!'),
  rel(P, 2617, 'pg_operator', 'r', 10009,
    'oid:oid! oprname:name! oprnamespace:oid! oprowner:oid! oprkind:"char"! oprcanmerge:bool! ' +
    'oprcanhash:bool! oprleft:oid! oprright:oid! oprresult:oid! oprcom:oid! oprnegate:oid! ' +
    'oprcode:regproc! oprrest:regproc! oprjoin:regproc!'),
  rel(P, 3118, 'pg_foreign_table', 'r', 10082,
    'ftrelid:oid! ftserver:oid! ftoptions:_text'),
  rel(P, 1417, 'pg_foreign_server', 'r', 10078,
    'oid:oid! srvname:name! srvowner:oid! srvfdw:oid! srvtype:text srvversion:text srvacl:_aclitem ' +
    'srvoptions:_text'),
  rel(P, 2328, 'pg_foreign_data_wrapper', 'r', 10076,
    'oid:oid! fdwname:name! fdwowner:oid! fdwhandler:oid! fdwvalidator:oid! fdwacl:_aclitem ' +
    'fdwoptions:_text'),
  rel(P, 2608, 'pg_depend', 'r', 10051,
    'classid:oid! objid:oid! objsubid:int4! refclassid:oid! refobjid:oid! refobjsubid:int4! ' +
    'deptype:"char"!'),
  rel(P, 2618, 'pg_rewrite', 'r', 10035,
    'oid:oid! rulename:name! ev_class:oid! ev_type:"char"! ev_enabled:"char"! is_instead:bool! ' +
    'ev_qual:pg_node_tree! ev_action:pg_node_tree!'),
  rel(P, 2612, 'pg_language', 'r', 10021,
    'oid:oid! lanname:name! lanowner:oid! lanispl:bool! lanpltrusted:bool! lanplcallfoid:oid! ' +
    'laninline:oid! lanvalidator:oid! lanacl:_aclitem'),
  rel(P, 2605, 'pg_cast', 'r', 10043,
    'oid:oid! castsource:oid! casttarget:oid! castfunc:oid! castcontext:"char"! castmethod:"char"!'),
  rel(P, 3466, 'pg_event_trigger', 'r', 10039,
    'oid:oid! evtname:name! evtevent:name! evtowner:oid! evtfoid:oid! evtenabled:"char"! ' +
    'evttags:_text'),
  rel(P, 3350, 'pg_partitioned_table', 'r', 10099,
    'partrelid:oid! partstrat:"char"! partnatts:int2! partdefid:oid! partattrs:int2vector! ' +
    'partclass:oidvector! partcollation:oidvector! partexprs:pg_node_tree'),
  rel(P, 12142, 'pg_stat_all_tables', 'v', 12144,
    'relid:oid schemaname:name relname:name seq_scan:int8 seq_tup_read:int8 idx_scan:int8 ' +
    'idx_tup_fetch:int8 n_tup_ins:int8 n_tup_upd:int8 n_tup_del:int8 n_tup_hot_upd:int8 ' +
    'n_live_tup:int8 n_dead_tup:int8 n_mod_since_analyze:int8 n_ins_since_vacuum:int8 ' +
    'last_vacuum:timestamptz last_autovacuum:timestamptz last_analyze:timestamptz ' +
    'last_autoanalyze:timestamptz vacuum_count:int8 autovacuum_count:int8 analyze_count:int8 ' +
    'autoanalyze_count:int8'),
  rel(P, 12170, 'pg_statio_all_tables', 'v', 12172,
    'relid:oid schemaname:name relname:name heap_blks_read:int8 heap_blks_hit:int8 idx_blks_read:int8 ' +
    'idx_blks_hit:int8 toast_blks_read:int8 toast_blks_hit:int8 tidx_blks_read:int8 ' +
    'tidx_blks_hit:int8'),
  rel(P, 12179, 'pg_statio_user_tables', 'v', 12181,
    'relid:oid schemaname:name relname:name heap_blks_read:int8 heap_blks_hit:int8 idx_blks_read:int8 ' +
    'idx_blks_hit:int8 toast_blks_read:int8 toast_blks_hit:int8 tidx_blks_read:int8 ' +
    'tidx_blks_hit:int8'),
  rel(P, 12192, 'pg_stat_user_indexes', 'v', 12194,
    'relid:oid indexrelid:oid schemaname:name relname:name indexrelname:name idx_scan:int8 ' +
    'idx_tup_read:int8 idx_tup_fetch:int8'),
  rel(P, 12266, 'pg_stat_database', 'v', 12268,
    'datid:oid datname:name numbackends:int4 xact_commit:int8 xact_rollback:int8 blks_read:int8 ' +
    'blks_hit:int8 tup_returned:int8 tup_fetched:int8 tup_inserted:int8 tup_updated:int8 ' +
    'tup_deleted:int8 conflicts:int8 temp_files:int8 temp_bytes:int8 deadlocks:int8 ' +
    'checksum_failures:int8 checksum_last_failure:timestamptz blk_read_time:float8 ' +
    'blk_write_time:float8 session_time:float8 active_time:float8 idle_in_transaction_time:float8 ' +
    'sessions:int8 sessions_abandoned:int8 sessions_fatal:int8 sessions_killed:int8 ' +
    'stats_reset:timestamptz'),
  rel(P, 2600, 'pg_aggregate', 'r', 10027,
    'aggfnoid:regproc! aggkind:"char"! aggnumdirectargs:int2! aggtransfn:regproc! aggfinalfn:regproc! ' +
    'aggcombinefn:regproc! aggserialfn:regproc! aggdeserialfn:regproc! aggmtransfn:regproc! ' +
    'aggminvtransfn:regproc! aggmfinalfn:regproc! aggfinalextra:bool! aggmfinalextra:bool! ' +
    'aggfinalmodify:"char"! aggmfinalmodify:"char"! aggsortop:oid! aggtranstype:oid! ' +
    'aggtransspace:int4! aggmtranstype:oid! aggmtransspace:int4! agginitval:text aggminitval:text'),
  rel(P, 2607, 'pg_conversion', 'r', 10049,
    'oid:oid! conname:name! connamespace:oid! conowner:oid! conforencoding:int4! contoencoding:int4! ' +
    'conproc:regproc! condefault:bool!'),
  rel(P, 12327, 'pg_user_mappings', 'v', 12329,
    'umid:oid srvid:oid srvname:name umuser:oid usename:name umoptions:_text'),
  rel(P, 1214, 'pg_shdepend', 'r', 10060,
    'dbid:oid! classid:oid! objid:oid! objsubid:int4! refclassid:oid! refobjid:oid! deptype:"char"!'),
  rel(P, 3394, 'pg_init_privs', 'r', 10090,
    'objoid:oid! classoid:oid! objsubid:int4! privtype:"char"! initprivs:_aclitem!'),
  rel(P, 3596, 'pg_seclabel', 'r', 10092,
    'objoid:oid! classoid:oid! objsubid:int4! provider:text! label:text!'),
  rel(P, 826, 'pg_default_acl', 'r', 10088,
    'oid:oid! defaclrole:oid! defaclnamespace:oid! defaclobjtype:"char"! defaclacl:_aclitem!'),
  rel(P, 12090, 'pg_prepared_xacts', 'v', 12092,
    'transaction:xid gid:text prepared:timestamptz owner:name database:name'),
  rel(P, 12095, 'pg_prepared_statements', 'v', 12097,
    'name:text statement:text prepare_time:timestamptz parameter_types:_regtype from_sql:bool ' +
    'generic_plans:int8 custom_plans:int8'),
  rel(P, 12077, 'pg_cursors', 'v', 12079,
    'name:text statement:text is_holdable:bool is_binary:bool is_scrollable:bool ' +
    'creation_time:timestamptz'),
  rel(P, 12081, 'pg_available_extensions', 'v', 12083,
    'name:name default_version:text installed_version:text comment:text'),
  rel(P, 3602, 'pg_ts_config', 'r', 10064,
    'oid:oid! cfgname:name! cfgnamespace:oid! cfgowner:oid! cfgparser:oid!'),
  rel(P, 3576, 'pg_transform', 'r', 10103,
    'oid:oid! trftype:oid! trflang:oid! trffromsql:regproc! trftosql:regproc!'),
  rel(P, 2964, 'pg_db_role_setting', 'r', 10054, 'setdatabase:oid! setrole:oid! setconfig:_text'),
  rel(P, 6100, 'pg_subscription', 'r', 6101,
    'oid:oid! subdbid:oid! subskiplsn:pg_lsn! subname:name! subowner:oid! subenabled:bool! subbinary:bool! substream:bool! ' +
    'subtwophasestate:"char"! subdisableonerr:bool! subconninfo:text! subslotname:name subsynccommit:text! subpublications:_text!'),
  rel(P, 12227, 'pg_stat_replication', 'v', 12229,
    'pid:int4 usesysid:oid usename:name application_name:text client_addr:inet client_hostname:text client_port:int4 ' +
    'backend_start:timestamptz backend_xmin:xid state:text sent_lsn:pg_lsn write_lsn:pg_lsn flush_lsn:pg_lsn replay_lsn:pg_lsn ' +
    'write_lag:interval flush_lag:interval replay_lag:interval sync_priority:int4 sync_state:text reply_time:timestamptz'),
  rel(P, 3600, 'pg_ts_dict', 'r', 10068, 'oid:oid! dictname:name! dictnamespace:oid! dictowner:oid! dicttemplate:oid! dictinitoption:text'),
  rel(P, 3601, 'pg_ts_parser', 'r', 10070, 'oid:oid! prsname:name! prsnamespace:oid! prsstart:regproc! prstoken:regproc! prsend:regproc! prsheadline:regproc! prslextype:regproc!'),
  rel(P, 3764, 'pg_ts_template', 'r', 10072, 'oid:oid! tmplname:name! tmplnamespace:oid! tmplinit:regproc! tmpllexize:regproc!'),
  rel(P, 3603, 'pg_ts_config_map', 'r', 10066, 'mapcfg:oid! maptokentype:int4! mapseqno:int4! mapdict:oid!'),
  rel(P, 2602, 'pg_amop', 'r', 10017, 'oid:oid! amopfamily:oid! amoplefttype:oid! amoprighttype:oid! amopstrategy:int2! amoppurpose:"char"! amopopr:oid! amopmethod:oid! amopsortfamily:oid!'),
  rel(P, 2603, 'pg_amproc', 'r', 10019, 'oid:oid! amprocfamily:oid! amproclefttype:oid! amprocrighttype:oid! amprocnum:int2! amproc:regproc!'),
  rel(P, 12099, 'pg_seclabels', 'v', 12101, 'objoid:oid classoid:oid objsubid:int4 objtype:text objnamespace:oid objname:text provider:text label:text'),
  rel(P, 2995, 'pg_largeobject_metadata', 'r', 10023, 'oid:oid! lomowner:oid! lomacl:_aclitem'),
  rel(P, 3592, 'pg_shseclabel', 'r', 4066, 'objoid:oid! classoid:oid! provider:text! label:text!'),
  rel(I, 13382, 'schemata', 'v', 13384,
    'catalog_name:sql_identifier schema_name:sql_identifier schema_owner:sql_identifier ' +
    'default_character_set_catalog:sql_identifier default_character_set_schema:sql_identifier ' +
    'default_character_set_name:sql_identifier sql_path:character_data'),
  rel(I, 13425, 'tables', 'v', 13427,
    'table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier ' +
    'table_type:character_data self_referencing_column_name:sql_identifier ' +
    'reference_generation:character_data user_defined_type_catalog:sql_identifier ' +
    'user_defined_type_schema:sql_identifier user_defined_type_name:sql_identifier ' +
    'is_insertable_into:yes_or_no is_typed:yes_or_no commit_action:character_data'),
  rel(I, 13295, 'columns', 'v', 13297,
    'table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier ' +
    'column_name:sql_identifier ordinal_position:cardinal_number column_default:character_data ' +
    'is_nullable:yes_or_no data_type:character_data character_maximum_length:cardinal_number ' +
    'character_octet_length:cardinal_number numeric_precision:cardinal_number ' +
    'numeric_precision_radix:cardinal_number numeric_scale:cardinal_number ' +
    'datetime_precision:cardinal_number interval_type:character_data ' +
    'interval_precision:cardinal_number character_set_catalog:sql_identifier ' +
    'character_set_schema:sql_identifier character_set_name:sql_identifier ' +
    'collation_catalog:sql_identifier collation_schema:sql_identifier collation_name:sql_identifier ' +
    'domain_catalog:sql_identifier domain_schema:sql_identifier domain_name:sql_identifier ' +
    'udt_catalog:sql_identifier udt_schema:sql_identifier udt_name:sql_identifier ' +
    'scope_catalog:sql_identifier scope_schema:sql_identifier scope_name:sql_identifier ' +
    'maximum_cardinality:cardinal_number dtd_identifier:sql_identifier is_self_referencing:yes_or_no ' +
    'is_identity:yes_or_no identity_generation:character_data identity_start:character_data ' +
    'identity_increment:character_data identity_maximum:character_data ' +
    'identity_minimum:character_data identity_cycle:yes_or_no is_generated:character_data ' +
    'generation_expression:character_data is_updatable:yes_or_no'),
  rel(I, 13483, 'views', 'v', 13485,
    'table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier ' +
    'view_definition:character_data check_option:character_data is_updatable:yes_or_no ' +
    'is_insertable_into:yes_or_no is_trigger_updatable:yes_or_no is_trigger_deletable:yes_or_no ' +
    'is_trigger_insertable_into:yes_or_no'),
  rel(I, 13411, 'table_constraints', 'v', 13413,
    'constraint_catalog:sql_identifier constraint_schema:sql_identifier ' +
    'constraint_name:sql_identifier table_catalog:sql_identifier table_schema:sql_identifier ' +
    'table_name:sql_identifier constraint_type:character_data is_deferrable:yes_or_no ' +
    'initially_deferred:yes_or_no enforced:yes_or_no nulls_distinct:yes_or_no'),
  rel(I, 13329, 'key_column_usage', 'v', 13331,
    'constraint_catalog:sql_identifier constraint_schema:sql_identifier ' +
    'constraint_name:sql_identifier table_catalog:sql_identifier table_schema:sql_identifier ' +
    'table_name:sql_identifier column_name:sql_identifier ordinal_position:cardinal_number ' +
    'position_in_unique_constraint:cardinal_number'),
  rel(I, 13300, 'constraint_column_usage', 'v', 13302,
    'table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier ' +
    'column_name:sql_identifier constraint_catalog:sql_identifier constraint_schema:sql_identifier ' +
    'constraint_name:sql_identifier'),
  rel(I, 13339, 'referential_constraints', 'v', 13341,
    'constraint_catalog:sql_identifier constraint_schema:sql_identifier ' +
    'constraint_name:sql_identifier unique_constraint_catalog:sql_identifier ' +
    'unique_constraint_schema:sql_identifier unique_constraint_name:sql_identifier ' +
    'match_option:character_data update_rule:character_data delete_rule:character_data'),
  rel(I, 13260, 'check_constraints', 'v', 13262,
    'constraint_catalog:sql_identifier constraint_schema:sql_identifier ' +
    'constraint_name:sql_identifier check_clause:character_data'),
  rel(I, 13386, 'sequences', 'v', 13388,
    'sequence_catalog:sql_identifier sequence_schema:sql_identifier sequence_name:sql_identifier ' +
    'data_type:character_data numeric_precision:cardinal_number ' +
    'numeric_precision_radix:cardinal_number numeric_scale:cardinal_number start_value:character_data ' +
    'minimum_value:character_data maximum_value:character_data increment:character_data ' +
    'cycle_option:yes_or_no'),
  rel(I, 13377, 'routines', 'v', 13379,
    'specific_catalog:sql_identifier specific_schema:sql_identifier specific_name:sql_identifier ' +
    'routine_catalog:sql_identifier routine_schema:sql_identifier routine_name:sql_identifier ' +
    'routine_type:character_data module_catalog:sql_identifier module_schema:sql_identifier ' +
    'module_name:sql_identifier udt_catalog:sql_identifier udt_schema:sql_identifier ' +
    'udt_name:sql_identifier data_type:character_data character_maximum_length:cardinal_number ' +
    'character_octet_length:cardinal_number character_set_catalog:sql_identifier ' +
    'character_set_schema:sql_identifier character_set_name:sql_identifier ' +
    'collation_catalog:sql_identifier collation_schema:sql_identifier collation_name:sql_identifier ' +
    'numeric_precision:cardinal_number numeric_precision_radix:cardinal_number ' +
    'numeric_scale:cardinal_number datetime_precision:cardinal_number interval_type:character_data ' +
    'interval_precision:cardinal_number type_udt_catalog:sql_identifier ' +
    'type_udt_schema:sql_identifier type_udt_name:sql_identifier scope_catalog:sql_identifier ' +
    'scope_schema:sql_identifier scope_name:sql_identifier maximum_cardinality:cardinal_number ' +
    'dtd_identifier:sql_identifier routine_body:character_data routine_definition:character_data ' +
    'external_name:character_data external_language:character_data parameter_style:character_data ' +
    'is_deterministic:yes_or_no sql_data_access:character_data is_null_call:yes_or_no ' +
    'sql_path:character_data schema_level_routine:yes_or_no max_dynamic_result_sets:cardinal_number ' +
    'is_user_defined_cast:yes_or_no is_implicitly_invocable:yes_or_no security_type:character_data ' +
    'to_sql_specific_catalog:sql_identifier to_sql_specific_schema:sql_identifier ' +
    'to_sql_specific_name:sql_identifier as_locator:yes_or_no created:time_stamp ' +
    'last_altered:time_stamp new_savepoint_level:yes_or_no is_udt_dependent:yes_or_no ' +
    'result_cast_from_data_type:character_data result_cast_as_locator:yes_or_no ' +
    'result_cast_char_max_length:cardinal_number result_cast_char_octet_length:cardinal_number ' +
    'result_cast_char_set_catalog:sql_identifier result_cast_char_set_schema:sql_identifier ' +
    'result_cast_char_set_name:sql_identifier result_cast_collation_catalog:sql_identifier ' +
    'result_cast_collation_schema:sql_identifier result_cast_collation_name:sql_identifier ' +
    'result_cast_numeric_precision:cardinal_number ' +
    'result_cast_numeric_precision_radix:cardinal_number result_cast_numeric_scale:cardinal_number ' +
    'result_cast_datetime_precision:cardinal_number result_cast_interval_type:character_data ' +
    'result_cast_interval_precision:cardinal_number result_cast_type_udt_catalog:sql_identifier ' +
    'result_cast_type_udt_schema:sql_identifier result_cast_type_udt_name:sql_identifier ' +
    'result_cast_scope_catalog:sql_identifier result_cast_scope_schema:sql_identifier ' +
    'result_cast_scope_name:sql_identifier result_cast_maximum_cardinality:cardinal_number ' +
    'result_cast_dtd_identifier:sql_identifier'),
  rel(I, 13334, 'parameters', 'v', 13336,
    'specific_catalog:sql_identifier specific_schema:sql_identifier specific_name:sql_identifier ' +
    'ordinal_position:cardinal_number parameter_mode:character_data is_result:yes_or_no ' +
    'as_locator:yes_or_no parameter_name:sql_identifier data_type:character_data ' +
    'character_maximum_length:cardinal_number character_octet_length:cardinal_number ' +
    'character_set_catalog:sql_identifier character_set_schema:sql_identifier ' +
    'character_set_name:sql_identifier collation_catalog:sql_identifier ' +
    'collation_schema:sql_identifier collation_name:sql_identifier numeric_precision:cardinal_number ' +
    'numeric_precision_radix:cardinal_number numeric_scale:cardinal_number ' +
    'datetime_precision:cardinal_number interval_type:character_data ' +
    'interval_precision:cardinal_number udt_catalog:sql_identifier udt_schema:sql_identifier ' +
    'udt_name:sql_identifier scope_catalog:sql_identifier scope_schema:sql_identifier ' +
    'scope_name:sql_identifier maximum_cardinality:cardinal_number dtd_identifier:sql_identifier ' +
    'parameter_default:character_data'),
  rel(I, 13250, 'character_sets', 'v', 13252,
    'character_set_catalog:sql_identifier character_set_schema:sql_identifier ' +
    'character_set_name:sql_identifier character_repertoire:sql_identifier form_of_use:sql_identifier ' +
    'default_collate_catalog:sql_identifier default_collate_schema:sql_identifier ' +
    'default_collate_name:sql_identifier'),

];

const byOid = new Map(SYSTEM_RELATIONS.map((r) => [r.oid, r]));
const byName = new Map(SYSTEM_RELATIONS.map((r) => [`${r.schemaOid}.${r.name}`, r]));

export function systemRelationByOid(oid: number): SystemRelation | undefined {
  return byOid.get(oid);
}

/** The system relation `name` in schema `schemaOid` (pg_catalog or information_schema). */
export function systemRelationIn(schemaOid: number, name: string): SystemRelation | undefined {
  return schemaOid === P || schemaOid === I ? byName.get(`${schemaOid}.${name}`) : undefined;
}

export function systemRelation(schemaOid: number, name: string): SystemRelation {
  const r = systemRelationIn(schemaOid, name);
  if (!r) throw new Error(`no system relation ${name}`);
  return r;
}
