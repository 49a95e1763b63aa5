/**
 * The built-in types polygres supports, described exactly as PostgreSQL 15 describes them in pg_type
 * (the catalog builds pg_type from these descriptors), plus the type-name and type-modifier rules of
 * PostgreSQL's grammar and format_type().
 */
import { SqlError, SqlState } from '../errors.js';
import { Oid } from './oids.js';

/** One row of pg_type (the columns polygres needs), as PostgreSQL 15 has it. */
export interface TypeDescriptor {
  readonly oid: number;
  readonly typname: string;
  /** Always pg_catalog (11) for built-in types. */
  readonly typnamespace: number;
  readonly typlen: number;
  readonly typbyval: boolean;
  /** b = base, p = pseudo-type. */
  readonly typtype: 'b' | 'p';
  readonly typcategory: string;
  readonly typispreferred: boolean;
  readonly typdelim: string;
  /** Element type of an array type (also of name, int2vector, oidvector); 0 otherwise. */
  readonly typelem: number;
  /** The array type whose elements are this type; 0 if none. */
  readonly typarray: number;
  readonly typinput: string;
  readonly typoutput: string;
  readonly typreceive: string;
  readonly typsend: string;
  /** '-' when the type takes no modifier. */
  readonly typmodin: string;
  readonly typmodout: string;
  readonly typanalyze: string;
  readonly typsubscript: string;
  readonly typalign: 'c' | 's' | 'i' | 'd';
  readonly typstorage: 'p' | 'x' | 'm' | 'e';
  /** 100 (default collation) for collatable types, 950 ("C") for name, 0 otherwise. */
  readonly typcollation: number;
}

const PG_CATALOG_NAMESPACE = 11;

function t(
  oid: number,
  typname: string,
  typlen: number,
  typbyval: boolean,
  typtype: 'b' | 'p',
  typcategory: string,
  typispreferred: boolean,
  typelem: number,
  typarray: number,
  procs: readonly [string, string, string, string, string, string, string, string],
  typalign: 'c' | 's' | 'i' | 'd',
  typstorage: 'p' | 'x' | 'm' | 'e',
  typcollation: number,
): TypeDescriptor {
  const [typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze, typsubscript] = procs;
  return {
    oid, typname, typnamespace: PG_CATALOG_NAMESPACE, typlen, typbyval, typtype, typcategory, typispreferred,
    typdelim: ',', typelem, typarray, typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze,
    typsubscript, typalign, typstorage, typcollation,
  };
}

// Generated from `SELECT ... FROM pg_type` on PostgreSQL 15 and checked by tests/types/registry.test.ts.
const DESCRIPTORS: readonly TypeDescriptor[] = [
  t(16, "bool", 1, true, "b", "B", true, 0, 1000, ["boolin", "boolout", "boolrecv", "boolsend", "-", "-", "-", "-"], "c", "p", 0),
  t(17, "bytea", -1, false, "b", "U", false, 0, 1001, ["byteain", "byteaout", "bytearecv", "byteasend", "-", "-", "-", "-"], "i", "x", 0),
  t(18, "char", 1, true, "b", "Z", false, 0, 1002, ["charin", "charout", "charrecv", "charsend", "-", "-", "-", "-"], "c", "p", 0),
  t(19, "name", 64, false, "b", "S", false, 18, 1003, ["namein", "nameout", "namerecv", "namesend", "-", "-", "-", "raw_array_subscript_handler"], "c", "p", 950),
  t(20, "int8", 8, true, "b", "N", false, 0, 1016, ["int8in", "int8out", "int8recv", "int8send", "-", "-", "-", "-"], "d", "p", 0),
  t(21, "int2", 2, true, "b", "N", false, 0, 1005, ["int2in", "int2out", "int2recv", "int2send", "-", "-", "-", "-"], "s", "p", 0),
  t(22, "int2vector", -1, false, "b", "A", false, 21, 1006, ["int2vectorin", "int2vectorout", "int2vectorrecv", "int2vectorsend", "-", "-", "-", "array_subscript_handler"], "i", "p", 0),
  t(23, "int4", 4, true, "b", "N", false, 0, 1007, ["int4in", "int4out", "int4recv", "int4send", "-", "-", "-", "-"], "i", "p", 0),
  t(24, "regproc", 4, true, "b", "N", false, 0, 1008, ["regprocin", "regprocout", "regprocrecv", "regprocsend", "-", "-", "-", "-"], "i", "p", 0),
  t(25, "text", -1, false, "b", "S", true, 0, 1009, ["textin", "textout", "textrecv", "textsend", "-", "-", "-", "-"], "i", "x", 100),
  t(26, "oid", 4, true, "b", "N", true, 0, 1028, ["oidin", "oidout", "oidrecv", "oidsend", "-", "-", "-", "-"], "i", "p", 0),
  t(28, "xid", 4, true, "b", "U", false, 0, 1011, ["xidin", "xidout", "xidrecv", "xidsend", "-", "-", "-", "-"], "i", "p", 0),
  t(30, "oidvector", -1, false, "b", "A", false, 26, 1013, ["oidvectorin", "oidvectorout", "oidvectorrecv", "oidvectorsend", "-", "-", "-", "array_subscript_handler"], "i", "p", 0),
  t(114, "json", -1, false, "b", "U", false, 0, 199, ["json_in", "json_out", "json_recv", "json_send", "-", "-", "-", "-"], "i", "x", 0),
  t(194, "pg_node_tree", -1, false, "b", "Z", false, 0, 0, ["pg_node_tree_in", "pg_node_tree_out", "pg_node_tree_recv", "pg_node_tree_send", "-", "-", "-", "-"], "i", "x", 100),
  t(199, "_json", -1, false, "b", "A", false, 114, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(700, "float4", 4, true, "b", "N", false, 0, 1021, ["float4in", "float4out", "float4recv", "float4send", "-", "-", "-", "-"], "i", "p", 0),
  t(701, "float8", 8, true, "b", "N", true, 0, 1022, ["float8in", "float8out", "float8recv", "float8send", "-", "-", "-", "-"], "d", "p", 0),
  t(705, "unknown", -2, false, "p", "X", false, 0, 0, ["unknownin", "unknownout", "unknownrecv", "unknownsend", "-", "-", "-", "-"], "c", "p", 0),
  t(869, "inet", -1, false, "b", "I", true, 0, 1041, ["inet_in", "inet_out", "inet_recv", "inet_send", "-", "-", "-", "-"], "i", "m", 0),
  t(1000, "_bool", -1, false, "b", "A", false, 16, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1001, "_bytea", -1, false, "b", "A", false, 17, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1002, "_char", -1, false, "b", "A", false, 18, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1003, "_name", -1, false, "b", "A", false, 19, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 950),
  t(1005, "_int2", -1, false, "b", "A", false, 21, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1006, "_int2vector", -1, false, "b", "A", false, 22, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1007, "_int4", -1, false, "b", "A", false, 23, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1008, "_regproc", -1, false, "b", "A", false, 24, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1009, "_text", -1, false, "b", "A", false, 25, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 100),
  t(1011, "_xid", -1, false, "b", "A", false, 28, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1013, "_oidvector", -1, false, "b", "A", false, 30, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1014, "_bpchar", -1, false, "b", "A", false, 1042, 0, ["array_in", "array_out", "array_recv", "array_send", "bpchartypmodin", "bpchartypmodout", "array_typanalyze", "array_subscript_handler"], "i", "x", 100),
  t(1015, "_varchar", -1, false, "b", "A", false, 1043, 0, ["array_in", "array_out", "array_recv", "array_send", "varchartypmodin", "varchartypmodout", "array_typanalyze", "array_subscript_handler"], "i", "x", 100),
  t(1016, "_int8", -1, false, "b", "A", false, 20, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "d", "x", 0),
  t(1021, "_float4", -1, false, "b", "A", false, 700, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1022, "_float8", -1, false, "b", "A", false, 701, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "d", "x", 0),
  t(1028, "_oid", -1, false, "b", "A", false, 26, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1033, "aclitem", 12, false, "b", "U", false, 0, 1034, ["aclitemin", "aclitemout", "-", "-", "-", "-", "-", "-"], "i", "p", 0),
  t(1034, "_aclitem", -1, false, "b", "A", false, 1033, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1041, "_inet", -1, false, "b", "A", false, 869, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1042, "bpchar", -1, false, "b", "S", false, 0, 1014, ["bpcharin", "bpcharout", "bpcharrecv", "bpcharsend", "bpchartypmodin", "bpchartypmodout", "-", "-"], "i", "x", 100),
  t(1043, "varchar", -1, false, "b", "S", false, 0, 1015, ["varcharin", "varcharout", "varcharrecv", "varcharsend", "varchartypmodin", "varchartypmodout", "-", "-"], "i", "x", 100),
  t(1082, "date", 4, true, "b", "D", false, 0, 1182, ["date_in", "date_out", "date_recv", "date_send", "-", "-", "-", "-"], "i", "p", 0),
  t(1083, "time", 8, true, "b", "D", false, 0, 1183, ["time_in", "time_out", "time_recv", "time_send", "timetypmodin", "timetypmodout", "-", "-"], "d", "p", 0),
  t(1114, "timestamp", 8, true, "b", "D", false, 0, 1115, ["timestamp_in", "timestamp_out", "timestamp_recv", "timestamp_send", "timestamptypmodin", "timestamptypmodout", "-", "-"], "d", "p", 0),
  t(1115, "_timestamp", -1, false, "b", "A", false, 1114, 0, ["array_in", "array_out", "array_recv", "array_send", "timestamptypmodin", "timestamptypmodout", "array_typanalyze", "array_subscript_handler"], "d", "x", 0),
  t(1182, "_date", -1, false, "b", "A", false, 1082, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1183, "_time", -1, false, "b", "A", false, 1083, 0, ["array_in", "array_out", "array_recv", "array_send", "timetypmodin", "timetypmodout", "array_typanalyze", "array_subscript_handler"], "d", "x", 0),
  t(1184, "timestamptz", 8, true, "b", "D", true, 0, 1185, ["timestamptz_in", "timestamptz_out", "timestamptz_recv", "timestamptz_send", "timestamptztypmodin", "timestamptztypmodout", "-", "-"], "d", "p", 0),
  t(1185, "_timestamptz", -1, false, "b", "A", false, 1184, 0, ["array_in", "array_out", "array_recv", "array_send", "timestamptztypmodin", "timestamptztypmodout", "array_typanalyze", "array_subscript_handler"], "d", "x", 0),
  t(1186, "interval", 16, false, "b", "T", true, 0, 1187, ["interval_in", "interval_out", "interval_recv", "interval_send", "intervaltypmodin", "intervaltypmodout", "-", "-"], "d", "p", 0),
  t(1187, "_interval", -1, false, "b", "A", false, 1186, 0, ["array_in", "array_out", "array_recv", "array_send", "intervaltypmodin", "intervaltypmodout", "array_typanalyze", "array_subscript_handler"], "d", "x", 0),
  t(1231, "_numeric", -1, false, "b", "A", false, 1700, 0, ["array_in", "array_out", "array_recv", "array_send", "numerictypmodin", "numerictypmodout", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(1700, "numeric", -1, false, "b", "N", false, 0, 1231, ["numeric_in", "numeric_out", "numeric_recv", "numeric_send", "numerictypmodin", "numerictypmodout", "-", "-"], "i", "m", 0),
  t(2202, "regprocedure", 4, true, "b", "N", false, 0, 2207, ["regprocedurein", "regprocedureout", "regprocedurerecv", "regproceduresend", "-", "-", "-", "-"], "i", "p", 0),
  t(2205, "regclass", 4, true, "b", "N", false, 0, 2210, ["regclassin", "regclassout", "regclassrecv", "regclasssend", "-", "-", "-", "-"], "i", "p", 0),
  t(2206, "regtype", 4, true, "b", "N", false, 0, 2211, ["regtypein", "regtypeout", "regtyperecv", "regtypesend", "-", "-", "-", "-"], "i", "p", 0),
  t(2207, "_regprocedure", -1, false, "b", "A", false, 2202, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(2210, "_regclass", -1, false, "b", "A", false, 2205, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(2211, "_regtype", -1, false, "b", "A", false, 2206, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(2249, "record", -1, false, "p", "P", false, 0, 2287, ["record_in", "record_out", "record_recv", "record_send", "-", "-", "-", "-"], "d", "x", 0),
  t(2275, "cstring", -2, false, "p", "P", false, 0, 1263, ["cstring_in", "cstring_out", "cstring_recv", "cstring_send", "-", "-", "-", "-"], "c", "p", 0),
  t(2276, "any", 4, true, "p", "P", false, 0, 0, ["any_in", "any_out", "-", "-", "-", "-", "-", "-"], "i", "p", 0),
  t(2277, "anyarray", -1, false, "p", "P", false, 0, 0, ["anyarray_in", "anyarray_out", "anyarray_recv", "anyarray_send", "-", "-", "-", "-"], "d", "x", 0),
  t(2278, "void", 4, true, "p", "P", false, 0, 0, ["void_in", "void_out", "void_recv", "void_send", "-", "-", "-", "-"], "i", "p", 0),
  t(2283, "anyelement", 4, true, "p", "P", false, 0, 0, ["anyelement_in", "anyelement_out", "-", "-", "-", "-", "-", "-"], "i", "p", 0),
  t(2287, "_record", -1, false, "p", "P", false, 2249, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "d", "x", 0),
  t(2776, "anynonarray", 4, true, "p", "P", false, 0, 0, ["anynonarray_in", "anynonarray_out", "-", "-", "-", "-", "-", "-"], "i", "p", 0),
  t(2950, "uuid", 16, false, "b", "U", false, 0, 2951, ["uuid_in", "uuid_out", "uuid_recv", "uuid_send", "-", "-", "-", "-"], "c", "p", 0),
  t(2951, "_uuid", -1, false, "b", "A", false, 2950, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(3220, "pg_lsn", 8, true, "b", "U", false, 0, 3221, ["pg_lsn_in", "pg_lsn_out", "pg_lsn_recv", "pg_lsn_send", "-", "-", "-", "-"], "d", "p", 0),
  t(3221, "_pg_lsn", -1, false, "b", "A", false, 3220, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "d", "x", 0),
  t(3361, "pg_ndistinct", -1, false, "b", "Z", false, 0, 0, ["pg_ndistinct_in", "pg_ndistinct_out", "pg_ndistinct_recv", "pg_ndistinct_send", "-", "-", "-", "-"], "i", "x", 100),
  t(3402, "pg_dependencies", -1, false, "b", "Z", false, 0, 0, ["pg_dependencies_in", "pg_dependencies_out", "pg_dependencies_recv", "pg_dependencies_send", "-", "-", "-", "-"], "i", "x", 100),
  t(3802, "jsonb", -1, false, "b", "U", false, 0, 3807, ["jsonb_in", "jsonb_out", "jsonb_recv", "jsonb_send", "-", "-", "-", "jsonb_subscript_handler"], "i", "x", 0),
  t(3807, "_jsonb", -1, false, "b", "A", false, 3802, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(4089, "regnamespace", 4, true, "b", "N", false, 0, 4090, ["regnamespacein", "regnamespaceout", "regnamespacerecv", "regnamespacesend", "-", "-", "-", "-"], "i", "p", 0),
  t(4090, "_regnamespace", -1, false, "b", "A", false, 4089, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(4096, "regrole", 4, true, "b", "N", false, 0, 4097, ["regrolein", "regroleout", "regrolerecv", "regrolesend", "-", "-", "-", "-"], "i", "p", 0),
  t(4097, "_regrole", -1, false, "b", "A", false, 4096, 0, ["array_in", "array_out", "array_recv", "array_send", "-", "-", "array_typanalyze", "array_subscript_handler"], "i", "x", 0),
  t(5017, "pg_mcv_list", -1, false, "b", "Z", false, 0, 0, ["pg_mcv_list_in", "pg_mcv_list_out", "pg_mcv_list_recv", "pg_mcv_list_send", "-", "-", "-", "-"], "i", "x", 100),
];

const byOid = new Map<number, TypeDescriptor>(DESCRIPTORS.map((d) => [d.oid, d]));
const byTypname = new Map<string, TypeDescriptor>(DESCRIPTORS.map((d) => [d.typname, d]));

/** Every built-in type polygres knows, in OID order. */
export function allTypes(): readonly TypeDescriptor[] {
  return DESCRIPTORS;
}

export function typeByOid(oid: number): TypeDescriptor | undefined {
  return byOid.get(oid);
}

/** True for the array types (`_int4`, ...), not for name/int2vector/oidvector which also have a typelem. */
export function isArrayType(oid: number): boolean {
  const d = byOid.get(oid);
  return d !== undefined && d.typelem !== 0 && d.typsubscript === 'array_subscript_handler' && d.typname.startsWith('_');
}

/** The array type of `oid` (e.g. int4 → _int4), or 0 when it has none. */
export function arrayOf(oid: number): number {
  return byOid.get(oid)?.typarray ?? 0;
}

/** The element type of an array type (e.g. _int4 → int4), or 0 when `oid` is not an array type. */
export function elementOf(oid: number): number {
  return isArrayType(oid) ? byOid.get(oid)!.typelem : 0;
}

/**
 * SQL-standard spellings the grammar turns into catalog names. Keys are lower case with single spaces.
 * `char`/`character` alone mean character(1) (see DEFAULT_LENGTH_ONE); `"char"` (quoted) is the 1-byte type.
 */
const NAME_ALIASES: ReadonlyMap<string, string> = new Map([
  ['int', 'int4'], ['integer', 'int4'], ['smallint', 'int2'], ['bigint', 'int8'],
  ['real', 'float4'], ['float', 'float8'], ['double precision', 'float8'],
  ['decimal', 'numeric'], ['dec', 'numeric'],
  ['boolean', 'bool'],
  ['character varying', 'varchar'], ['char varying', 'varchar'],
  ['national character varying', 'varchar'], ['national char varying', 'varchar'], ['nchar varying', 'varchar'],
  ['character', 'bpchar'], ['char', 'bpchar'], ['national character', 'bpchar'], ['national char', 'bpchar'], ['nchar', 'bpchar'],
  ['timestamp without time zone', 'timestamp'], ['timestamp with time zone', 'timestamptz'],
  ['time without time zone', 'time'], ['time with time zone', 'timetz'],
]);

/** Spellings that imply a length of 1 when none is given (SQL: CHARACTER means CHARACTER(1)). */
const DEFAULT_LENGTH_ONE = new Set(['character', 'char', 'national character', 'national char', 'nchar']);

/**
 * The descriptor for a type name as a user may write it without modifiers: catalog names (`int4`,
 * `_int4`, `"char"`), SQL spellings (`integer`, `double precision`, `character varying`, ...), an
 * optional `pg_catalog.` prefix. Undefined if unknown. For modifiers and `[]` use `parseTypeName`.
 */
export function typeByName(name: string): TypeDescriptor | undefined {
  let n = name.trim();
  if (n.toLowerCase().startsWith('pg_catalog.')) n = n.slice('pg_catalog.'.length);
  if (n.startsWith('"') && n.endsWith('"') && n.length >= 2) return byTypname.get(n.slice(1, -1).replace(/""/g, '"'));
  const key = n.toLowerCase().replace(/\s+/g, ' ');
  return byTypname.get(NAME_ALIASES.get(key) ?? key);
}

/** A type as a column or cast has it: the OID and the type modifier (-1 when none). */
export interface TypeRef {
  readonly oid: number;
  readonly typmod: number;
}

const VARHDRSZ = 4;
/** Longest varchar/bpchar length PostgreSQL accepts in a type modifier. */
export const MAX_CHAR_LENGTH = 10 * 1024 * 1024;
export const NUMERIC_MAX_PRECISION = 1000;
export const NUMERIC_MIN_SCALE = -1000;
export const NUMERIC_MAX_SCALE = 1000;
/** Fractional-second digits of time/timestamp/interval. */
export const MAX_TIME_PRECISION = 6;

/** Interval field bits of the interval typmod (PostgreSQL's INTERVAL_MASK values). */
export const IntervalField = {
  month: 1 << 1,
  year: 1 << 2,
  day: 1 << 3,
  hour: 1 << 10,
  minute: 1 << 11,
  second: 1 << 12,
} as const;
export const INTERVAL_FULL_RANGE = 0x7fff;
export const INTERVAL_FULL_PRECISION = 0xffff;

/** The interval field lists the grammar accepts, as (range mask, text). */
const INTERVAL_RANGES: ReadonlyArray<readonly [number, string]> = [
  [IntervalField.year, 'year'],
  [IntervalField.month, 'month'],
  [IntervalField.day, 'day'],
  [IntervalField.hour, 'hour'],
  [IntervalField.minute, 'minute'],
  [IntervalField.second, 'second'],
  [IntervalField.year | IntervalField.month, 'year to month'],
  [IntervalField.day | IntervalField.hour, 'day to hour'],
  [IntervalField.day | IntervalField.hour | IntervalField.minute, 'day to minute'],
  [IntervalField.day | IntervalField.hour | IntervalField.minute | IntervalField.second, 'day to second'],
  [IntervalField.hour | IntervalField.minute, 'hour to minute'],
  [IntervalField.hour | IntervalField.minute | IntervalField.second, 'hour to second'],
  [IntervalField.minute | IntervalField.second, 'minute to second'],
];

export function intervalTypmod(range: number, precision: number): number {
  return ((range & 0x7fff) << 16) | (precision & 0xffff);
}
export function intervalTypmodRange(typmod: number): number {
  return typmod < 0 ? INTERVAL_FULL_RANGE : (typmod >> 16) & 0x7fff;
}
export function intervalTypmodPrecision(typmod: number): number {
  return typmod < 0 ? INTERVAL_FULL_PRECISION : typmod & 0xffff;
}

/** numeric(p,s) typmod → p. */
export function numericTypmodPrecision(typmod: number): number {
  return ((typmod - VARHDRSZ) >> 16) & 0xffff;
}
/** numeric(p,s) typmod → s (may be negative or exceed p, as PostgreSQL 15 allows). */
export function numericTypmodScale(typmod: number): number {
  return (((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024;
}
/** Length n of varchar(n) / character(n); -1 when unlimited. */
export function charTypmodLength(typmod: number): number {
  return typmod < VARHDRSZ ? -1 : typmod - VARHDRSZ;
}

function invalidParameter(message: string): SqlError {
  return new SqlError(SqlState.invalidParameterValue, message);
}

/** Receives the warnings PostgreSQL raises while reading a modifier (precision reduced); send them as notices. */
export type TypmodWarning = (message: string) => void;

/**
 * The typmod for a type written with modifiers, as PostgreSQL's typmodin functions compute it:
 * varchar(20) → 24, numeric(10,2) → 655366, timestamp(3) → 3. `modifiers` are the integers in the
 * parentheses; for interval, [rangeMask] or [rangeMask, precision] as the grammar produces them.
 * Array types take their element type's modifiers.
 */
export function typmodFromModifiers(oid: number, modifiers: readonly number[], warn?: TypmodWarning): number {
  if (modifiers.length === 0) return -1;
  const base = elementOf(oid) || oid;
  switch (base) {
    case Oid.varchar:
    case Oid.bpchar: {
      const typname = base === Oid.varchar ? 'varchar' : 'char';
      if (modifiers.length !== 1) throw invalidParameter('invalid type modifier');
      const n = modifiers[0]!;
      if (n < 1) throw invalidParameter(`length for type ${typname} must be at least 1`);
      if (n > MAX_CHAR_LENGTH) throw invalidParameter(`length for type ${typname} cannot exceed ${MAX_CHAR_LENGTH}`);
      return n + VARHDRSZ;
    }
    case Oid.numeric: {
      if (modifiers.length > 2) throw invalidParameter('invalid NUMERIC type modifier');
      const p = modifiers[0]!;
      const s = modifiers.length === 2 ? modifiers[1]! : 0;
      if (p < 1 || p > NUMERIC_MAX_PRECISION) {
        throw invalidParameter(`NUMERIC precision ${p} must be between 1 and ${NUMERIC_MAX_PRECISION}`);
      }
      if (s < NUMERIC_MIN_SCALE || s > NUMERIC_MAX_SCALE) {
        throw invalidParameter(`NUMERIC scale ${s} must be between ${NUMERIC_MIN_SCALE} and ${NUMERIC_MAX_SCALE}`);
      }
      return ((p << 16) | (s & 0x7ff)) + VARHDRSZ;
    }
    case Oid.time:
    case Oid.timestamp:
    case Oid.timestamptz:
    case Oid.timetz: {
      const label = base === Oid.time || base === Oid.timetz ? 'TIME' : 'TIMESTAMP';
      const tz = base === Oid.timestamptz || base === Oid.timetz ? ' WITH TIME ZONE' : '';
      if (modifiers.length !== 1) throw invalidParameter('invalid type modifier');
      const p = modifiers[0]!;
      if (p < 0) throw invalidParameter(`${label}(${p})${tz} precision must not be negative`);
      if (p > MAX_TIME_PRECISION) {
        warn?.(`${label}(${p})${tz} precision reduced to maximum allowed, ${MAX_TIME_PRECISION}`);
        return MAX_TIME_PRECISION;
      }
      return p;
    }
    case Oid.interval: {
      const range = modifiers[0]!;
      if (!INTERVAL_RANGES.some(([mask]) => mask === range) && range !== INTERVAL_FULL_RANGE) {
        throw invalidParameter('invalid INTERVAL type modifier');
      }
      if (modifiers.length === 1) return intervalTypmod(range, INTERVAL_FULL_PRECISION);
      if (modifiers.length > 2) throw invalidParameter('invalid INTERVAL type modifier');
      let p = modifiers[1]!;
      if (p < 0) throw invalidParameter(`INTERVAL(${p}) precision must not be negative`);
      if (p > MAX_TIME_PRECISION) {
        warn?.(`INTERVAL(${p}) precision reduced to maximum allowed, ${MAX_TIME_PRECISION}`);
        p = MAX_TIME_PRECISION;
      }
      return intervalTypmod(range, p);
    }
    default: {
      const name = typeByOid(base)?.typname ?? String(base);
      throw new SqlError(SqlState.syntaxError, `type modifier is not allowed for type "${name}"`);
    }
  }
}

/** The text PostgreSQL's typmodout functions append (e.g. "(10,2)"); '' when no modifier. */
function typmodSuffix(oid: number, typmod: number): string {
  if (typmod < 0) return '';
  switch (oid) {
    case Oid.varchar:
    case Oid.bpchar:
      return typmod >= VARHDRSZ ? `(${typmod - VARHDRSZ})` : '';
    case Oid.numeric:
      return typmod >= VARHDRSZ ? `(${numericTypmodPrecision(typmod)},${numericTypmodScale(typmod)})` : '';
    case Oid.time:
    case Oid.timetz:
    case Oid.timestamp:
    case Oid.timestamptz:
      return `(${typmod})`;
    case Oid.interval: {
      const range = intervalTypmodRange(typmod);
      const precision = intervalTypmodPrecision(typmod);
      const fields = INTERVAL_RANGES.find(([mask]) => mask === range)?.[1];
      const fieldText = fields ? ` ${fields}` : '';
      return precision !== INTERVAL_FULL_PRECISION ? `${fieldText}(${precision})` : fieldText;
    }
    default:
      return '';
  }
}

/** format_type's names for the types whose SQL spelling differs from typname. */
const SQL_NAMES: ReadonlyMap<number, string> = new Map([
  [Oid.bool, 'boolean'], [Oid.int2, 'smallint'], [Oid.int4, 'integer'], [Oid.int8, 'bigint'],
  [Oid.float4, 'real'], [Oid.float8, 'double precision'], [Oid.varchar, 'character varying'],
  [Oid.char, '"char"'],
  // A reserved word, so format_type quotes it.
  [2276, '"any"'],
]);

/**
 * PostgreSQL's format_type(oid, typmod): `integer`, `character varying(20)`, `numeric(10,2)`,
 * `timestamp(3) with time zone`, `integer[]`. `typmod` undefined means format_type(oid, NULL);
 * -1 means "given, but none" (bpchar then prints as `bpchar`, as psql's \d shows it). Unknown OIDs give `???`.
 */
export function formatType(oid: number, typmod?: number): string {
  const d = byOid.get(oid);
  if (!d) return '???';
  const given = typmod !== undefined;
  const mod = typmod ?? -1;
  // An array prints as its element type with the same modifier, then [].
  if (isArrayType(oid)) return `${formatType(d.typelem, typmod)}[]`;
  switch (oid) {
    case Oid.bpchar:
      if (mod >= 0) return `character${typmodSuffix(oid, mod)}`;
      return given ? 'bpchar' : 'character';
    case Oid.timestamp:
      return `timestamp${typmodSuffix(oid, mod)} without time zone`;
    case Oid.timestamptz:
      return `timestamp${typmodSuffix(oid, mod)} with time zone`;
    case Oid.time:
      return `time${typmodSuffix(oid, mod)} without time zone`;
    case Oid.timetz:
      return `time${typmodSuffix(oid, mod)} with time zone`;
    default:
      return `${SQL_NAMES.get(oid) ?? d.typname}${typmodSuffix(oid, mod)}`;
  }
}

function undefinedType(name: string): SqlError {
  return new SqlError(SqlState.undefinedObject, `type "${name}" does not exist`);
}

const INTERVAL_NAME =
  /^interval(?:\s*\(\s*(-?\d+)\s*\))?(?:\s+(year|month|day|hour|minute|second)(?:\s+to\s+(month|hour|minute|second))?(?:\s*\(\s*(-?\d+)\s*\))?)?$/i;

/**
 * Parses a type name as regtype's input and CAST targets write it: `varchar(20)`, `numeric(10, 2)`,
 * `timestamp(3) with time zone`, `interval day to second(3)`, `int[]`, `integer array`, `_int4`,
 * `float(24)`, `"char"`, `pg_catalog.text`. Unknown names raise 42704.
 */
export function parseTypeName(text: string, warn?: TypmodWarning): TypeRef {
  let s = text.trim().replace(/\s+/g, ' ');
  let isArray = false;
  // Trailing [] / [n] / ARRAY / ARRAY[n] make an array (dimensions are not enforced, as in PostgreSQL).
  for (;;) {
    const m = /^(.*?)\s*(?:\[\s*\d*\s*\]|\barray(?:\s*\[\s*\d*\s*\])?)$/i.exec(s);
    if (!m || m[1] === '') break;
    s = m[1]!;
    isArray = true;
  }
  let modifiers: number[] = [];
  let key = s;
  const timeMatch = /^(timestamp|time)\s*(?:\(\s*(-?\d+)\s*\))?(?:\s+(with|without) time zone)?$/i.exec(s);
  const intervalMatch = INTERVAL_NAME.exec(s);
  if (timeMatch) {
    const withTz = timeMatch[3]?.toLowerCase() === 'with';
    key = timeMatch[1]!.toLowerCase() + (withTz ? 'tz' : '');
    if (timeMatch[2] !== undefined) modifiers = [Number(timeMatch[2])];
  } else if (intervalMatch) {
    const [, leadingP, from, to, trailingP] = intervalMatch;
    key = 'interval';
    let range = INTERVAL_FULL_RANGE;
    if (from) {
      const fieldText = to ? `${from.toLowerCase()} to ${to.toLowerCase()}` : from.toLowerCase();
      const found = INTERVAL_RANGES.find(([, txt]) => txt === fieldText);
      if (!found) throw new SqlError(SqlState.syntaxError, `syntax error at or near "${to ?? from}"`);
      range = found[0];
    }
    const p = trailingP ?? leadingP;
    if (from || p !== undefined) modifiers = p !== undefined ? [range, Number(p)] : [range];
  } else {
    const m = /^(.*?)\s*\(([^()]*)\)$/.exec(s);
    if (m) {
      key = m[1]!;
      modifiers = m[2]!.split(',').map((x) => {
        const v = x.trim();
        if (!/^[+-]?\d+$/.test(v)) throw new SqlError(SqlState.syntaxError, `invalid type name "${text}"`);
        return Number(v);
      });
    }
  }
  if (key.toLowerCase().startsWith('pg_catalog.')) key = key.slice('pg_catalog.'.length);
  const lower = key.toLowerCase();
  let oid: number;
  let typmod = -1;
  if (lower === 'float' && modifiers.length === 1) {
    // float(p) picks real or double precision by the number of binary digits.
    const p = modifiers[0]!;
    if (p < 1) throw invalidParameter('precision for type float must be at least 1 bit');
    if (p > 53) throw invalidParameter('precision for type float must be less than 54 bits');
    oid = p <= 24 ? Oid.float4 : Oid.float8;
  } else {
    const d = typeByName(key);
    if (!d) throw undefinedType(text.trim());
    oid = d.oid;
    if (modifiers.length === 0 && DEFAULT_LENGTH_ONE.has(lower)) modifiers = [1];
    typmod = typmodFromModifiers(oid, modifiers, warn);
  }
  if (isArray && !isArrayType(oid)) {
    const arr = arrayOf(oid);
    if (arr === 0) throw undefinedType(text.trim());
    oid = arr;
  }
  return { oid, typmod };
}
