/**
 * DDL: CREATE/DROP/ALTER of schemas, tables, views, indexes and sequences, and TRUNCATE. Catalog changes
 * are written in the statement's transaction (so they commit or roll back with it). Storage tables
 * are created at once and dropped again if the transaction rolls back; what cannot be undone (a
 * storage table's drop) happens after the commit.
 */
import type { Node, CreateStmt, ColumnDef, Constraint, AlterTableStmt, IndexStmt, DropStmt, RenameStmt, CreateSeqStmt, AlterSeqStmt, TruncateStmt, CreateSchemaStmt, RangeVar, CommentStmt, ViewStmt, SelectStmt, AlterOwnerStmt, RoleSpec } from '@pgsql/types';
import { scanSync } from 'libpg-query';
import { SqlError, SqlState } from '../errors.js';
import type { Transaction, TransactionAdmin } from '../txn/api.js';
import type { ColumnDefinition } from '../storage/types.js';
import { Oid } from '../types/oids.js';
import { formatType, type TypeRef } from '../types/registry.js';
import { formatQualifiedName, undefinedRelation, type Catalog, type QualifiedName } from '../catalog/catalog.js';
import { isBuiltinSchema } from '../catalog/storages.js';
import {
  PUBLIC_NAMESPACE_OID,
  ROW_ID_COLUMN,
  type CatalogObject,
  type ColumnDefault,
  type ColumnInfo,
  type ConstraintInfo,
  type ForeignKeyAction,
  type IndexInfo,
  type SchemaInfo,
  type SequenceInfo,
  type TableInfo,
  type ViewInfo,
} from '../catalog/model.js';
import type { CatalogStore, CatalogTransactionState } from '../catalog/store.js';
import { BOOTSTRAP_SUPERUSER, roles } from '../catalog/system/facts.js';
import type { SequenceAllocator } from '../catalog/sequences.js';
import { chooseStorageType, columnStorageType, storageDataType, toStorageValue } from '../catalog/storage-mapping.js';
import type { NamespaceStorage } from '../catalog/storages.js';
import { hasStorageIndex, physicalName, tableMetadata, uniqueTableMetadata, uniqueRefColumn } from '../catalog/physical.js';
import { defElemText, nodeAs, nodeTag, stringList, unsupported } from './analyze/ast.js';
import { ExpressionBinder, resolveTypeName } from './analyze/expressions.js';
import { Scope, type AnalyzerContext } from './analyze/scope.js';
import { deparseExpr } from './analyze/deparse.js';
import { defineView, viewTarget } from './analyze/views.js';
import { tableOutputColumns, rowFromStorage, storageKeyOf } from './table-rows.js';
import { compileExpr, type RuntimeContext } from './compile.js';
import { value } from './exec/operators.js';
import { formatText, parseText } from '../types/codec.js';

export interface DdlContext {
  readonly tx: Transaction;
  readonly store: CatalogStore;
  readonly admin: TransactionAdmin;
  readonly sequences: SequenceAllocator;
  /** The catalog as this transaction sees it; DDL replaces it. */
  readonly state: CatalogTransactionState;
  readonly analyzer: (catalog: Catalog) => AnalyzerContext;
  readonly runtime: (catalog: Catalog) => RuntimeContext;
  /** The statement's text. */
  readonly sql: string;
  readonly searchPath: readonly string[];
  readonly user: string;
  notice(code: string, message: string, fields?: { detail?: string; hint?: string }): void;
  /** Undoes a storage change if the transaction rolls back. */
  onRollback(action: () => Promise<void>): void;
  /** Runs a storage change once the transaction has committed. */
  afterCommit(action: () => Promise<void>): void;
  /** The storage namespace a new schema's tables go to. */
  namespaceForSchema(schema: string): string;
  /** The storage that holds a namespace (its limits decide the storage types of new columns). */
  storageOf(namespace: string): NamespaceStorage;
}

const MAX_NAME_BYTES = 63;
/** PostgreSQL's invalid_foreign_key (not in src/errors.ts's table). */
const INVALID_FOREIGN_KEY = '42830';

function qualified(rv: RangeVar): QualifiedName {
  return { schema: rv.schemaname ?? null, name: rv.relname ?? '' };
}

function truncateName(name: string): string {
  const b = Buffer.from(name, 'utf8');
  if (b.length <= MAX_NAME_BYTES) return name;
  let s = b.subarray(0, MAX_NAME_BYTES).toString('utf8');
  while (Buffer.byteLength(s) > MAX_NAME_BYTES || s.endsWith('\ufffd')) s = s.slice(0, -1);
  return s;
}

/** PostgreSQL's ChooseRelationName: `table_columns_suffix`, made unique with a number. */
function chooseName(catalog: Catalog, schemaOid: number, parts: readonly string[], suffix: string, taken: ReadonlySet<string> = new Set()): string {
  const base = truncateName([...parts, suffix].join('_'));
  let name = base;
  for (let i = 1; catalog.relationIn(schemaOid, name) || taken.has(name); i++) name = truncateName(`${parts.join('_')}_${suffix}${i}`);
  return name;
}

class Change {
  readonly changed = new Map<number, CatalogObject | { oid: number; removed: true }>();

  constructor(readonly ctx: DdlContext) {}

  get catalog(): Catalog {
    return this.ctx.state.catalog;
  }

  allocateOid(): number {
    return this.ctx.state.nextOid++;
  }

  put(o: CatalogObject): void {
    this.changed.set(o.oid, o);
    this.ctx.state.catalog = this.catalog.with(this.ctx.state.baseVersion + 1, o);
  }

  remove(oid: number): void {
    this.changed.set(oid, { oid, removed: true });
    this.ctx.state.catalog = this.catalog.without(this.ctx.state.baseVersion + 1, oid);
  }

  async write(): Promise<void> {
    await this.ctx.store.write(this.ctx.tx, this.ctx.state, [...this.changed.values()]);
  }
}

export async function executeDdl(ctx: DdlContext, node: Node): Promise<string> {
  const change = new Change(ctx);
  const tag = await dispatch(change, node);
  await change.write();
  return tag;
}

async function dispatch(change: Change, node: Node): Promise<string> {
  switch (nodeTag(node)) {
    case 'CreateStmt':
      return createTable(change, nodeAs(node, 'CreateStmt')!);
    case 'DropStmt':
      return drop(change, nodeAs(node, 'DropStmt')!);
    case 'CreateSchemaStmt':
      return createSchema(change, nodeAs(node, 'CreateSchemaStmt')!);
    case 'AlterTableStmt':
      return alterTable(change, nodeAs(node, 'AlterTableStmt')!);
    case 'RenameStmt':
      return rename(change, nodeAs(node, 'RenameStmt')!);
    case 'IndexStmt':
      return createIndex(change, nodeAs(node, 'IndexStmt')!);
    case 'CreateSeqStmt':
      return createSequence(change, nodeAs(node, 'CreateSeqStmt')!);
    case 'AlterSeqStmt':
      return alterSequence(change, nodeAs(node, 'AlterSeqStmt')!);
    case 'TruncateStmt':
      return truncate(change, nodeAs(node, 'TruncateStmt')!);
    case 'CommentStmt':
      return comment(change, nodeAs(node, 'CommentStmt')!);
    case 'ViewStmt':
      return createView(change, nodeAs(node, 'ViewStmt')!);
    case 'AlterOwnerStmt':
      return alterOwner(change, nodeAs(node, 'AlterOwnerStmt')!);
    default:
      throw unsupported(nodeTag(node));
  }
}

// ---- COMMENT ON -------------------------------------------------------------------------------

/** COMMENT ON TABLE / VIEW / COLUMN / SCHEMA / SEQUENCE / INDEX / CONSTRAINT: kept on the catalog object (pg_description). */
async function comment(change: Change, stmt: CommentStmt): Promise<string> {
  const ctx = change.ctx;
  // NULL or '' removes the comment.
  const text = stmt.comment === undefined || stmt.comment === '' ? undefined : stmt.comment;
  const set = <T extends { readonly comment?: string }>(o: T): T => {
    const { comment: _old, ...rest } = o;
    void _old;
    return (text === undefined ? rest : { ...rest, comment: text }) as T;
  };
  const names = stmt.object ? (nodeTag(stmt.object) === 'String' ? [nodeAs(stmt.object, 'String')!.sval ?? ''] : stringList(nodeAs(stmt.object, 'List')?.items)) : [];
  const relationName = (parts: readonly string[]): QualifiedName => ({ schema: parts.length > 1 ? parts[parts.length - 2]! : null, name: parts[parts.length - 1] ?? '' });
  switch (stmt.objtype) {
    case 'OBJECT_SCHEMA': {
      const schema = change.catalog.schemaByName(names[0] ?? '');
      if (!schema) throw new SqlError(SqlState.invalidSchemaName, `schema "${names[0]}" does not exist`);
      if (isBuiltinSchema(schema.oid)) throw unsupported('COMMENT ON a built-in schema');
      change.put(set(schema));
      return 'COMMENT';
    }
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_SEQUENCE':
    case 'OBJECT_INDEX': {
      const name = relationName(names);
      const rel = change.catalog.findRelation(name, ctx.searchPath, ctx.user);
      if (!rel) throw new SqlError(SqlState.undefinedTable, `relation "${formatQualifiedName(name)}" does not exist`);
      const wanted = stmt.objtype === 'OBJECT_TABLE' ? 'table' : stmt.objtype === 'OBJECT_VIEW' ? 'view' : stmt.objtype === 'OBJECT_SEQUENCE' ? 'sequence' : 'index';
      if (rel.kind !== wanted) throw new SqlError(SqlState.wrongObjectType, `"${name.name}" is not a${wanted === 'index' ? 'n' : ''} ${wanted}`);
      if (rel.kind === 'index') change.put({ ...rel.table, indexes: rel.table.indexes.map((i) => (i.oid === rel.index.oid ? set(i) : i)) });
      else if (rel.kind === 'table' || rel.kind === 'sequence' || rel.kind === 'view') change.put(set(rel));
      return 'COMMENT';
    }
    case 'OBJECT_COLUMN': {
      const column = names[names.length - 1] ?? '';
      const view = change.catalog.findRelation(relationName(names.slice(0, -1)), ctx.searchPath, ctx.user);
      if (view?.kind === 'view') {
        if (!view.columns.some((c) => c.name === column)) throw new SqlError(SqlState.undefinedColumn, `column "${column}" of relation "${view.name}" does not exist`);
        change.put({ ...view, columns: view.columns.map((c) => (c.name === column ? set(c) : c)) });
        return 'COMMENT';
      }
      const table = change.catalog.resolveTable(relationName(names.slice(0, -1)), ctx.searchPath, ctx.user);
      if (!table.columns.some((c) => c.name === column)) throw new SqlError(SqlState.undefinedColumn, `column "${column}" of relation "${table.name}" does not exist`);
      change.put({ ...table, columns: table.columns.map((c) => (c.name === column ? set(c) : c)) });
      return 'COMMENT';
    }
    case 'OBJECT_TABCONSTRAINT': {
      const table = change.catalog.resolveTable(relationName(names.slice(0, -1)), ctx.searchPath, ctx.user);
      const conname = names[names.length - 1] ?? '';
      if (!table.constraints.some((c) => c.name === conname)) throw new SqlError(SqlState.undefinedObject, `constraint "${conname}" for table "${table.name}" does not exist`);
      change.put({ ...table, constraints: table.constraints.map((c) => (c.name === conname ? set(c) : c)) });
      return 'COMMENT';
    }
    default:
      throw unsupported(`COMMENT ON ${(stmt.objtype ?? '').replace('OBJECT_', '')}`);
  }
}

// ---- schemas ----------------------------------------------------------------------------------

const RESERVED_NAMESPACES = new Set(['coordinator', 'scalardb', 'polygres_system']);

async function createSchema(change: Change, s: CreateSchemaStmt): Promise<string> {
  const name = s.schemaname ?? '';
  if (s.schemaElts?.length) throw unsupported('CREATE SCHEMA with schema elements');
  if (change.catalog.schemaByName(name)) {
    if (s.if_not_exists) {
      change.ctx.notice('42P06', `schema "${name}" already exists, skipping`);
      return 'CREATE SCHEMA';
    }
    throw new SqlError(SqlState.duplicateSchema, `schema "${name}" already exists`);
  }
  if (name.startsWith('pg_')) {
    throw new SqlError('42939', `unacceptable schema name "${name}"`, { detail: 'The prefix "pg_" is reserved for system schemas.' });
  }
  const namespace = change.ctx.namespaceForSchema(name);
  if (RESERVED_NAMESPACES.has(namespace) || !/^[a-z_][a-z0-9_]{0,47}$/.test(namespace)) {
    throw new SqlError('42939', `unacceptable schema name "${name}"`, { detail: `The storage namespace "${namespace}" is reserved or not a valid storage name.` });
  }
  await change.ctx.admin.createNamespace(namespace, { ifNotExists: true });
  change.put({ kind: 'schema', oid: change.allocateOid(), name, namespace, owner: change.ctx.user });
  return 'CREATE SCHEMA';
}

// ---- tables -----------------------------------------------------------------------------------

interface PendingConstraint {
  readonly def: Constraint;
  /** Set for a column constraint: the column it was written on. */
  readonly column: string | null;
}

const SERIAL_TYPES: Readonly<Record<string, number>> = {
  serial: Oid.int4, serial4: Oid.int4, bigserial: Oid.int8, serial8: Oid.int8, smallserial: Oid.int2, serial2: Oid.int2,
};

async function createTable(change: Change, stmt: CreateStmt): Promise<string> {
  const ctx = change.ctx;
  if (stmt.inhRelations?.length) throw unsupported('table inheritance');
  if (stmt.partspec) throw unsupported('declarative partitioning');
  if (stmt.ofTypename) throw unsupported('typed tables');
  const rv = stmt.relation!;
  if (rv.relpersistence === 't') throw unsupported('temporary tables');
  const name = qualified(rv);
  const schema = change.catalog.creationSchema(ctx.searchPath, ctx.user, name);
  if (change.catalog.relationIn(schema.oid, name.name)) {
    if (stmt.if_not_exists) {
      ctx.notice('42P07', `relation "${name.name}" already exists, skipping`);
      return 'CREATE TABLE';
    }
    throw new SqlError(SqlState.duplicateTable, `relation "${name.name}" already exists`);
  }
  const options = tableOptions(stmt.options ?? []);
  const tableOid = change.allocateOid();
  const columns: ColumnInfo[] = [];
  const constraints: PendingConstraint[] = [];
  const sequences: SequenceInfo[] = [];
  const takenPhysical = new Set<string>([ROW_ID_COLUMN]);
  const takenNames = new Set<string>();
  for (const elt of stmt.tableElts ?? []) {
    const colDef = nodeAs(elt, 'ColumnDef');
    if (colDef) {
      const col = columnFromDef(change, schema, name.name, colDef, columns.length + 1, takenPhysical, constraints, sequences, takenNames);
      if (columns.some((c) => c.name === col.name)) throw new SqlError(SqlState.duplicateColumn, `column "${col.name}" specified more than once`);
      takenPhysical.add(col.physicalName);
      columns.push(col);
      continue;
    }
    const con = nodeAs(elt, 'Constraint');
    if (con) {
      constraints.push({ def: con, column: null });
      continue;
    }
    if (nodeAs(elt, 'TableLikeClause')) throw unsupported('CREATE TABLE ... LIKE');
    throw unsupported(`table element ${nodeTag(elt)}`);
  }
  // Storage key: the primary key (split by partition_key), or a hidden row id.
  const pkDefs = constraints.filter((c) => c.def.contype === 'CONSTR_PRIMARY');
  if (pkDefs.length > 1) throw new SqlError(SqlState.invalidTableDefinition, `multiple primary keys for table "${name.name}" are not allowed`);
  const pkColumns = pkDefs.length ? constraintColumns(pkDefs[0]!, columns, name.name) : [];
  for (const c of pkColumns) {
    const i = columns.indexOf(c);
    columns[i] = { ...c, notNull: true };
  }
  let partitionKey: string[];
  let clusteringKey: string[];
  let rowIdColumn: string | null = null;
  if (pkColumns.length) {
    const pkNames = pkColumns.map((c) => columns.find((x) => x.attnum === c.attnum)!.physicalName);
    const split = options.partition_key;
    if (split !== undefined) {
      const wanted = split.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const chosen = wanted.map((w) => pkColumns.find((c) => c.name === w));
      if (chosen.some((c) => c === undefined) || chosen.length === 0 || chosen.length > pkColumns.length) {
        throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "partition_key": "${split}"`, {
          detail: 'partition_key must name one or more columns of the primary key.',
        });
      }
      partitionKey = chosen.map((c) => c!.physicalName);
      clusteringKey = pkNames.filter((n) => !partitionKey.includes(n));
    } else {
      partitionKey = pkNames;
      clusteringKey = [];
    }
  } else {
    if (options.partition_key !== undefined) throw new SqlError(SqlState.invalidParameterValue, 'partition_key requires a primary key');
    partitionKey = [ROW_ID_COLUMN];
    clusteringKey = [];
    rowIdColumn = ROW_ID_COLUMN;
  }
  let table: TableInfo = {
    kind: 'table',
    oid: tableOid,
    schemaOid: schema.oid,
    name: name.name,
    namespace: schema.namespace,
    physicalName: physicalTableName(change.catalog, schema, name.name, tableOid),
    columns,
    nextAttnum: columns.length + 1,
    partitionKey,
    clusteringKey,
    rowIdColumn,
    constraints: [],
    indexes: [],
    options: Object.fromEntries(Object.entries(options)),
    physicalColumns: [...takenPhysical],
  };
  // Constraints, in the order PostgreSQL names them.
  for (const c of constraints) table = addConstraint(change, table, c, pkColumns.length > 0 && c.def.contype === 'CONSTR_PRIMARY', takenNames);
  const physicalColumns: ColumnDefinition[] = [
    ...(rowIdColumn ? [{ name: ROW_ID_COLUMN, type: 'TEXT' as const }] : []),
    ...columns.map((c) => ({ name: c.physicalName, type: columnStorageType(c) })),
  ];
  await createStorageTable(change.ctx, table, physicalColumns);
  for (const index of table.indexes) if (index.uniqueTable) await createUniqueTable(change.ctx, table, index);
  for (const seq of sequences) {
    change.put({ ...seq, ownedBy: seq.ownedBy ? { tableOid, attnum: seq.ownedBy.attnum } : null });
    await ctx.sequences.reset(seq);
  }
  change.put(table);
  return 'CREATE TABLE';
}

function physicalTableName(catalog: Catalog, schema: SchemaInfo, name: string, oid: number): string {
  const taken = new Set<string>();
  for (const t of catalog.tables()) {
    if (t.namespace !== schema.namespace) continue;
    taken.add(t.physicalName);
    for (const i of t.indexes) if (i.uniqueTable) taken.add(i.uniqueTable);
  }
  return physicalName(name, `t${oid}`, taken);
}

async function createStorageTable(ctx: DdlContext, table: TableInfo, columns: ColumnDefinition[]): Promise<void> {
  const meta = tableMetadata(table, columns);
  await ctx.admin.createTable(meta);
  ctx.onRollback(() => ctx.admin.dropTable({ namespace: table.namespace, table: table.physicalName }, { ifExists: true }));
}

async function createUniqueTable(ctx: DdlContext, table: TableInfo, index: IndexInfo): Promise<void> {
  await ctx.admin.createTable(uniqueTableMetadata(table, index));
  ctx.onRollback(() => ctx.admin.dropTable({ namespace: table.namespace, table: index.uniqueTable! }, { ifExists: true }));
}

function tableOptions(defs: readonly Node[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of defs) {
    const e = nodeAs(d, 'DefElem')!;
    const name = e.defnamespace ? `${e.defnamespace}.${e.defname}` : (e.defname ?? '');
    const v = defElemText(e.arg) ?? 'true';
    if (name === 'fillfactor') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 10 || n > 100) throw new SqlError(SqlState.invalidParameterValue, `value ${v} out of bounds for option "fillfactor"`, { detail: 'Valid values are between "10" and "100".' });
    } else if (name !== 'partition_key' && !name.startsWith('autovacuum_') && !name.startsWith('toast.') && !['parallel_workers', 'user_catalog_table', 'vacuum_index_cleanup', 'vacuum_truncate', 'log_autovacuum_min_duration'].includes(name)) {
      throw new SqlError(SqlState.invalidParameterValue, `unrecognized parameter "${name}"`);
    }
    out[name] = v;
  }
  return out;
}

function columnFromDef(
  change: Change,
  schema: SchemaInfo,
  tableName: string,
  def: ColumnDef,
  attnum: number,
  takenPhysical: Set<string>,
  constraints: PendingConstraint[],
  sequences: SequenceInfo[],
  takenNames: Set<string>,
): ColumnInfo {
  const ctx = change.ctx;
  const name = def.colname ?? '';
  const typeNames = stringList(def.typeName?.names);
  const serialBase = typeNames.length === 1 ? SERIAL_TYPES[typeNames[0]!] : undefined;
  let type: TypeRef;
  if (serialBase !== undefined) {
    if (def.typeName?.arrayBounds?.length) throw new SqlError(SqlState.featureNotSupported, 'array of serial is not implemented');
    type = { oid: serialBase, typmod: -1 };
  } else {
    type = resolveTypeName(def.typeName!, (m) => ctx.notice('01000', m));
  }
  if (def.collClause) {
    const coll = stringList(def.collClause.collname).pop();
    if (coll && !['C', 'default', 'POSIX', 'C.UTF-8'].includes(coll)) throw new SqlError(SqlState.undefinedObject, `collation "${coll}" for encoding "UTF8" does not exist`);
  }
  let notNull = false;
  let dflt: ColumnDefault | null = null;
  let identity: '' | 'a' | 'd' = '';
  let sequenceOid: number | undefined;
  const analyzer = ctx.analyzer(change.catalog);
  for (const c of def.constraints ?? []) {
    const con = nodeAs(c, 'Constraint')!;
    switch (con.contype) {
      case 'CONSTR_NOTNULL':
        notNull = true;
        break;
      case 'CONSTR_NULL':
        break;
      case 'CONSTR_DEFAULT': {
        if (serialBase !== undefined) throw new SqlError(SqlState.syntaxError, `multiple default values specified for column "${name}" of table "${tableName}"`);
        dflt = bindDefault(analyzer, con.raw_expr!, type, name);
        break;
      }
      case 'CONSTR_IDENTITY': {
        if (![Oid.int2, Oid.int4, Oid.int8].includes(type.oid as 21)) {
          throw new SqlError(SqlState.datatypeMismatch, `identity column type must be smallint, integer, or bigint`);
        }
        identity = con.generated_when === 'a' ? 'a' : 'd';
        notNull = true;
        const seq = makeSequence(change, schema, chooseName(change.catalog, schema.oid, [tableName, name], 'seq', takenNames), type.oid, con.options ?? [], { attnum });
        takenNames.add(seq.name);
        sequences.push(seq);
        sequenceOid = seq.oid;
        break;
      }
      case 'CONSTR_GENERATED':
        throw unsupported('generated columns');
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE':
      case 'CONSTR_CHECK':
      case 'CONSTR_FOREIGN':
        constraints.push({ def: { ...con, keys: con.keys ?? (con.contype === 'CONSTR_CHECK' || con.contype === 'CONSTR_FOREIGN' ? undefined : [{ String: { sval: name } }]), fk_attrs: con.contype === 'CONSTR_FOREIGN' ? [{ String: { sval: name } }] : con.fk_attrs }, column: name });
        break;
      default:
        throw unsupported(`column constraint ${con.contype ?? ''}`);
    }
  }
  if (serialBase !== undefined) {
    const seq = makeSequence(change, schema, chooseName(change.catalog, schema.oid, [tableName, name], 'seq', takenNames), serialBase, [], { attnum });
    takenNames.add(seq.name);
    sequences.push(seq);
    notNull = true;
    const qualifiedSeq = schema.name === 'public' ? seq.name : `${schema.name}.${seq.name}`;
    dflt = { ast: { FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [{ TypeCast: { arg: { A_Const: { sval: { sval: qualifiedSeq } } }, typeName: { names: [{ String: { sval: 'regclass' } }], typemod: -1 } } }] } }, text: `nextval('${qualifiedSeq}'::regclass)` };
  }
  return {
    name,
    attnum,
    type,
    notNull,
    default: dflt,
    identity,
    sequenceOid,
    physicalName: physicalName(name, `c${attnum}`, takenPhysical),
    storageType: chooseStorageType(type.oid, ctx.storageOf(schema.namespace).capabilities),
  };
}

function bindDefault(analyzer: AnalyzerContext, expr: Node, type: TypeRef, column: string): ColumnDefault {
  const binder = new ExpressionBinder(analyzer, Scope.empty(), null, 'DEFAULT expressions').withoutAggregates('DEFAULT expressions');
  try {
    binder.coerce(binder.bind(expr), type, 'assignment', column);
  } catch (e) {
    if (e instanceof SqlError && e.code === SqlState.undefinedColumn) {
      throw new SqlError(SqlState.featureNotSupported, 'cannot use column reference in DEFAULT expression');
    }
    throw e;
  }
  // A string literal default of a character type shows as a constant of that type, as pg_get_expr shows it.
  const literal = nodeAs(expr, 'A_Const');
  if (literal?.sval !== undefined && (type.oid === Oid.varchar || type.oid === Oid.bpchar)) {
    return { ast: expr, text: `'${(literal.sval.sval ?? '').replace(/'/g, "''")}'::${type.oid === Oid.varchar ? 'character varying' : 'bpchar'}` };
  }
  // Any other string literal becomes a constant of the column's type (DEFAULT '1' on a boolean is
  // `true`, DEFAULT '0' on an integer is `0`), shown as PostgreSQL's get_const_expr shows it.
  if (literal?.sval !== undefined) return { ast: expr, text: typedLiteralText(literal.sval.sval ?? '', type) };
  return { ast: expr, text: deparseExpr(expr) };
}

/** Date and time constants print in the session's settings; their text is kept as written. */
const SETTING_DEPENDENT_TYPES = new Set<number>([Oid.date, Oid.time, Oid.timetz, Oid.timestamp, Oid.timestamptz, Oid.interval]);

/** A literal read as a constant of `type`, as ruleutils' get_const_expr prints that constant. */
function typedLiteralText(text: string, type: TypeRef): string {
  let out = text;
  if (!SETTING_DEPENDENT_TYPES.has(type.oid)) {
    try {
      out = formatText(type.oid, parseText(type.oid, text));
    } catch {
      // a type without a text codec here: the literal as written
    }
  }
  if (type.oid === Oid.bool) return out === 't' ? 'true' : 'false';
  const quoted = `'${out.replace(/'/g, "''")}'`;
  if (type.oid === Oid.int4 && /^\d+$/.test(out)) return out;
  if (type.oid === Oid.numeric && /^[0-9.eE+]+$/.test(out) && /[.eE]/.test(out)) return out;
  return `${quoted}::${formatType(type.oid, -1)}`;
}

function makeSequence(change: Change, schema: SchemaInfo, name: string, typeOid: number, options: readonly Node[], ownedBy: { attnum: number } | null): SequenceInfo {
  const opts = new Map<string, Node | undefined>();
  for (const o of options) {
    const d = nodeAs(o, 'DefElem')!;
    opts.set(d.defname ?? '', d.arg);
  }
  const asType = opts.get('as');
  if (asType) typeOid = resolveTypeName(nodeAs(asType, 'TypeName')!).oid;
  const limits: Record<number, [bigint, bigint]> = { [Oid.int2]: [-32768n, 32767n], [Oid.int4]: [-2147483648n, 2147483647n], [Oid.int8]: [-(2n ** 63n), 2n ** 63n - 1n] };
  const [typeMin, typeMax] = limits[typeOid] ?? limits[Oid.int8]!;
  const num = (k: string): bigint | undefined => {
    const n = opts.get(k);
    if (n === undefined) return undefined;
    const t = defElemText(n);
    return t === null ? undefined : BigInt(t);
  };
  const increment = num('increment') ?? 1n;
  if (increment === 0n) throw new SqlError(SqlState.invalidParameterValue, 'INCREMENT must not be zero');
  const min = num('minvalue') ?? (increment > 0n ? 1n : typeMin);
  const max = num('maxvalue') ?? (increment > 0n ? typeMax : -1n);
  const start = num('start') ?? (increment > 0n ? min : max);
  if (start < min) throw new SqlError(SqlState.invalidParameterValue, `START value (${start}) cannot be less than MINVALUE (${min})`);
  if (start > max) throw new SqlError(SqlState.invalidParameterValue, `START value (${start}) cannot be greater than MAXVALUE (${max})`);
  const cycleNode = opts.get('cycle');
  return {
    kind: 'sequence',
    oid: change.allocateOid(),
    schemaOid: schema.oid,
    name,
    typeOid,
    start: String(start),
    increment: String(increment),
    min: String(min),
    max: String(max),
    cache: String(num('cache') ?? 1n),
    cycle: cycleNode ? defElemText(cycleNode) !== 'false' : false,
    ownedBy: ownedBy ? { tableOid: 0, attnum: ownedBy.attnum } : null,
  };
}

function constraintColumns(c: PendingConstraint, columns: readonly ColumnInfo[], tableName: string): ColumnInfo[] {
  const names = stringList(c.def.keys);
  const out: ColumnInfo[] = [];
  for (const n of names) {
    const col = columns.find((x) => x.name === n);
    if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${n}" named in key does not exist`);
    if (out.includes(col)) throw new SqlError(SqlState.duplicateColumn, `column "${n}" appears twice in ${c.def.contype === 'CONSTR_PRIMARY' ? 'primary key' : 'unique'} constraint`);
    out.push(col);
  }
  void tableName;
  return out;
}

/** Adds one constraint (and its index) to a table definition. */
function addConstraint(change: Change, table: TableInfo, c: PendingConstraint, isStorageKey: boolean, takenNames: Set<string>): TableInfo {
  const def = c.def;
  const schemaOid = table.schemaOid;
  switch (def.contype) {
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE': {
      const cols = constraintColumns(c, table.columns, table.name);
      const primary = def.contype === 'CONSTR_PRIMARY';
      if (primary && table.constraints.some((x) => x.type === 'p')) {
        throw new SqlError(SqlState.invalidTableDefinition, `multiple primary keys for table "${table.name}" are not allowed`);
      }
      const name = def.conname ?? chooseName(change.catalog, schemaOid, primary ? [table.name] : [table.name, ...cols.map((x) => x.name)], primary ? 'pkey' : 'key', takenNames);
      if (change.catalog.relationIn(schemaOid, name) || takenNames.has(name)) throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
      takenNames.add(name);
      const indexOid = change.allocateOid();
      const conOid = change.allocateOid();
      const index: IndexInfo = {
        oid: indexOid,
        name,
        columns: cols.map((x) => x.attnum),
        unique: true,
        primary,
        uniqueTable: isStorageKey ? undefined : `${table.physicalName}_u${indexOid}`,
      };
      const columns = primary ? table.columns.map((col) => (cols.includes(col) || cols.some((x) => x.attnum === col.attnum) ? { ...col, notNull: true } : col)) : table.columns;
      return {
        ...table,
        columns,
        indexes: [...table.indexes, index],
        constraints: [...table.constraints, { oid: conOid, name, type: primary ? 'p' : 'u', columns: index.columns, indexOid }],
      };
    }
    case 'CONSTR_CHECK': {
      const analyzer = change.ctx.analyzer(change.catalog);
      const scope = Scope.ofColumns(table.name, null, tableOutputColumns(table));
      const binder = new ExpressionBinder(analyzer, scope, null, 'check constraints').withoutAggregates('check constraints');
      const bound = binder.coerceToBool(binder.bind(def.raw_expr!), 'CHECK');
      const mentioned = new Set<number>();
      collectColumns(bound, mentioned);
      const cols = [...mentioned].map((slot) => table.columns[slot]).filter((x): x is ColumnInfo => x !== undefined);
      const nameParts = cols.length === 1 ? [table.name, cols[0]!.name] : [table.name];
      const name = def.conname ?? chooseConstraintName(table, nameParts, 'check');
      if (table.constraints.some((x) => x.name === name)) throw new SqlError(SqlState.duplicateObject, `constraint "${name}" for relation "${table.name}" already exists`);
      return { ...table, constraints: [...table.constraints, { oid: change.allocateOid(), name, type: 'c', columns: cols.map((x) => x.attnum), check: { ast: def.raw_expr, text: deparseExpr(def.raw_expr) } }] };
    }
    case 'CONSTR_FOREIGN': {
      const fkNames = stringList(def.fk_attrs);
      const fkCols = fkNames.map((n) => {
        const col = table.columns.find((x) => x.name === n);
        if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${n}" referenced in foreign key constraint does not exist`);
        return col;
      });
      const refName = qualified(def.pktable!);
      const parent = refName.name === table.name && (refName.schema === null || change.catalog.schemaByOid(table.schemaOid)?.name === refName.schema) ? table : change.catalog.resolveTable(refName, change.ctx.searchPath, change.ctx.user);
      let refCols: ColumnInfo[];
      const pkNames = stringList(def.pk_attrs);
      if (pkNames.length) {
        refCols = pkNames.map((n) => {
          const col = parent.columns.find((x) => x.name === n);
          if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${n}" referenced in foreign key constraint does not exist`);
          return col;
        });
      } else {
        const pk = parent.constraints.find((x) => x.type === 'p');
        if (!pk) throw new SqlError(SqlState.undefinedObject, `there is no primary key for referenced table "${parent.name}"`);
        refCols = pk.columns.map((a) => parent.columns.find((x) => x.attnum === a)!);
      }
      if (refCols.length !== fkCols.length) throw new SqlError(INVALID_FOREIGN_KEY, 'number of referencing and referenced columns for foreign key disagree');
      const matching = parent.indexes.find((i) => i.unique && i.columns.length === refCols.length && refCols.every((rc) => i.columns.includes(rc.attnum)));
      if (!matching) throw new SqlError(INVALID_FOREIGN_KEY, `there is no unique constraint matching given keys for referenced table "${parent.name}"`);
      fkCols.forEach((fc, i) => {
        const rc = refCols[i]!;
        const compatible = fc.type.oid === rc.type.oid || [Oid.int2, Oid.int4, Oid.int8].includes(fc.type.oid as 21) === [Oid.int2, Oid.int4, Oid.int8].includes(rc.type.oid as 21) && [Oid.int2, Oid.int4, Oid.int8].includes(rc.type.oid as 21) || ([Oid.text, Oid.varchar, Oid.bpchar] as number[]).includes(fc.type.oid) === true && ([Oid.text, Oid.varchar, Oid.bpchar] as number[]).includes(rc.type.oid);
        if (!compatible) {
          throw new SqlError(SqlState.datatypeMismatch, `foreign key constraint "${def.conname ?? `${table.name}_${fkNames.join('_')}_fkey`}" cannot be implemented`, {
            detail: `Key columns "${fc.name}" and "${rc.name}" are of incompatible types: ${formatType(fc.type.oid)} and ${formatType(rc.type.oid)}.`,
          });
        }
      });
      const name = def.conname ?? chooseConstraintName(table, [table.name, ...fkNames], 'fkey');
      const action = (a: string | undefined): ForeignKeyAction => (a === 'r' || a === 'c' || a === 'n' || a === 'd' ? a : 'a');
      const constraint: ConstraintInfo = {
        oid: change.allocateOid(),
        name,
        type: 'f',
        columns: fkCols.map((x) => x.attnum),
        foreignKey: { refTableOid: parent.oid, refColumns: refCols.map((x) => x.attnum), onDelete: action(def.fk_del_action), onUpdate: action(def.fk_upd_action) },
      };
      return { ...table, constraints: [...table.constraints, constraint] };
    }
    case 'CONSTR_EXCLUSION':
      throw unsupported('exclusion constraints');
    default:
      throw unsupported(`constraint ${def.contype ?? ''}`);
  }
}

function chooseConstraintName(table: TableInfo, parts: readonly string[], suffix: string): string {
  const base = truncateName([...parts, suffix].join('_'));
  let name = base;
  for (let i = 1; table.constraints.some((c) => c.name === name); i++) name = truncateName(`${parts.join('_')}_${suffix}${i}`);
  return name;
}

function collectColumns(e: import('./expr.js').Expr, out: Set<number>): void {
  if (e.kind === 'column') out.add(e.slot);
  for (const c of childrenOf(e)) collectColumns(c, out);
}

import { children as childrenOf } from './expr.js';

// ---- views -----------------------------------------------------------------------------------

async function createView(change: Change, stmt: ViewStmt): Promise<string> {
  const ctx = change.ctx;
  const rv = stmt.view!;
  if (rv.relpersistence === 't') throw unsupported('temporary views');
  if (stmt.options?.length) throw unsupported('view options');
  if (stmt.withCheckOption && stmt.withCheckOption !== 'NO_CHECK_OPTION') throw unsupported('WITH CHECK OPTION');
  const name = qualified(rv);
  const schema = change.catalog.creationSchema(ctx.searchPath, ctx.user, name);
  const existing = change.catalog.relationIn(schema.oid, name.name);
  if (existing && !stmt.replace) throw new SqlError(SqlState.duplicateTable, `relation "${name.name}" already exists`);
  if (existing && existing.kind !== 'view') throw new SqlError(SqlState.wrongObjectType, `"${name.name}" is not a view`);
  const def = defineView(ctx.analyzer(change.catalog), nodeAs(stmt.query!, 'SelectStmt') as SelectStmt);
  const aliases = stringList(stmt.aliases);
  if (aliases.length > def.columns.length) throw new SqlError(SqlState.syntaxError, 'CREATE VIEW specifies more column names than columns');
  const columns = def.columns.map((c, i) => ({ ...c, name: aliases[i] ?? c.name }));
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new SqlError(SqlState.duplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  if (existing) checkViewReplacement(existing, columns);
  const kept = existing ? columns.map((c, i) => (existing.columns[i]?.comment ? { ...c, comment: existing.columns[i]!.comment } : c)) : columns;
  const view: ViewInfo = {
    kind: 'view',
    oid: existing?.oid ?? change.allocateOid(),
    ruleOid: existing?.ruleOid ?? change.allocateOid(),
    schemaOid: schema.oid,
    name: name.name,
    columns: kept,
    query: def.query,
    text: viewQueryText(ctx.sql),
    dependsOn: def.dependsOn,
    ...(existing?.comment ? { comment: existing.comment } : {}),
  };
  change.put({ ...view, columns: updatableColumns(change, view) });
  return 'CREATE VIEW';
}

/** The view's columns with whether INSERT and UPDATE can write each (information_schema shows it). */
function updatableColumns(change: Change, view: ViewInfo): ViewInfo['columns'] {
  let writable: boolean[];
  try {
    writable = viewTarget(change.ctx.analyzer(change.catalog), view, 'DELETE').columns.map((c) => c.base !== null);
  } catch {
    writable = [];
  }
  return view.columns.map((c, i) => ({ ...c, updatable: writable[i] ?? false }));
}

/** CREATE OR REPLACE VIEW keeps the columns the view has (other views and clients rely on them); it may add some at the end. */
function checkViewReplacement(old: ViewInfo, columns: readonly ViewInfo['columns'][number][]): void {
  if (columns.length < old.columns.length) throw new SqlError(SqlState.invalidTableDefinition, 'cannot drop columns from view');
  old.columns.forEach((o, i) => {
    const n = columns[i]!;
    if (n.name !== o.name) {
      throw new SqlError(SqlState.invalidTableDefinition, `cannot change name of view column "${o.name}" to "${n.name}"`, {
        hint: 'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.',
      });
    }
    if (n.type.oid !== o.type.oid || n.type.typmod !== o.type.typmod) {
      throw new SqlError(SqlState.invalidTableDefinition, `cannot change data type of view column "${o.name}" from ${formatType(o.type.oid, o.type.typmod)} to ${formatType(n.type.oid, n.type.typmod)}`);
    }
  });
}

/** The query of a CREATE VIEW statement as written: what follows the first AS outside parentheses. */
function viewQueryText(sql: string): string {
  const bytes = Buffer.from(sql, 'utf8');
  let depth = 0;
  let start = -1;
  for (const t of scanSync(sql).tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.text.toUpperCase() === 'AS') {
      start = t.end;
      break;
    }
  }
  return bytes.subarray(start < 0 ? 0 : start).toString('utf8').trim().replace(/[\s;]+$/, '');
}

/** A view that must go when something it reads goes, with the line PostgreSQL's DETAIL gives it. */
interface DependentView {
  readonly view: ViewInfo;
  readonly detail: string;
}

/**
 * The views in `first` and every view that reads one of them, depth first in creation order (the
 * order PostgreSQL reports them). Views in `spared` (being dropped by the same statement) are left out.
 */
function dependentViews(catalog: Catalog, first: readonly ViewInfo[], detail: (v: ViewInfo) => string, spared: ReadonlySet<number> = new Set()): DependentView[] {
  const out: DependentView[] = [];
  const seen = new Set<number>(spared);
  const visit = (v: ViewInfo, line: string): void => {
    if (seen.has(v.oid)) return;
    seen.add(v.oid);
    out.push({ view: v, detail: line });
    for (const w of byOid(catalog.viewsUsing(v.oid))) visit(w, `view ${w.name} depends on view ${v.name}`);
  };
  for (const v of byOid(first)) visit(v, detail(v));
  return out;
}

function byOid<T extends { readonly oid: number }>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) => a.oid - b.oid);
}

function dependentObjectsError(what: string, details: readonly string[]): SqlError {
  return new SqlError(SqlState.dependentObjectsStillExist, `cannot drop ${what} because other objects depend on it`, {
    detail: details.join('\n'),
    hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
  });
}

/** PostgreSQL's notice for what a DROP ... CASCADE also dropped. */
function noticeCascade(ctx: DdlContext, dropped: readonly string[]): void {
  if (dropped.length === 1) ctx.notice('00000', `drop cascades to ${dropped[0]}`);
  else if (dropped.length > 1) ctx.notice('00000', `drop cascades to ${dropped.length} other objects`, { detail: dropped.map((d) => `drop cascades to ${d}`).join('\n') });
}

function dropView(change: Change, view: ViewInfo, cascade: boolean, spared: ReadonlySet<number>): void {
  const dependents = dependentViews(change.catalog, change.catalog.viewsUsing(view.oid), (v) => `view ${v.name} depends on view ${view.name}`, new Set([...spared, view.oid]));
  if (dependents.length && !cascade) throw dependentObjectsError(`view ${view.name}`, dependents.map((d) => d.detail));
  noticeCascade(change.ctx, dependents.map((d) => `view ${d.view.name}`));
  for (const d of dependents) change.remove(d.view.oid);
  change.remove(view.oid);
}

/** Whether a view's query may read column `column` of the relations it reads: it names it, or uses `*`. */
function mentionsColumn(view: ViewInfo, column: string): boolean {
  const visit = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(visit);
    if (typeof node !== 'object' || node === null) return false;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'A_Star') return true;
      if (key === 'String' && (value as { sval?: string }).sval === column) return true;
      if (visit(value)) return true;
    }
    return false;
  };
  return visit(view.query);
}

/** The views that read column `column` of relation `rel` (directly). */
function viewsUsingColumn(catalog: Catalog, rel: { readonly oid: number }, column: string): ViewInfo[] {
  return byOid(catalog.viewsUsing(rel.oid).filter((v) => mentionsColumn(v, column)));
}

/**
 * Follows a renamed relation or schema in the stored queries of the views: each names relations
 * schema-qualified, so the names are changed where they are written. A renamed relation keeps its
 * old name as the alias, so the view's column references still find it.
 */
function renameInViews(change: Change, rename: (rv: RangeVar) => boolean): void {
  for (const view of change.catalog.views()) {
    const query = structuredClone(view.query);
    let changed = false;
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'RangeVar' && rename(value as RangeVar)) changed = true;
        visit(value);
      }
    };
    visit(query);
    if (changed) change.put({ ...view, query });
  }
}

function renameRelationInViews(change: Change, schemaOid: number, oldName: string, newName: string): void {
  const schema = change.catalog.schemaByOid(schemaOid)?.name;
  renameInViews(change, (rv) => {
    if (rv.schemaname !== schema || rv.relname !== oldName) return false;
    rv.relname = newName;
    rv.alias ??= { aliasname: oldName };
    return true;
  });
}

/**
 * A view's stored query names columns as written: renaming a column a view reads would break it,
 * so it is refused (PostgreSQL binds views to columns by number and allows it).
 */
function refuseColumnRename(change: Change, rel: TableInfo | ViewInfo, column: string): void {
  const user = viewsUsingColumn(change.catalog, rel, column)[0];
  if (user) {
    throw new SqlError(SqlState.featureNotSupported, `cannot rename column "${column}" of ${rel.kind === 'view' ? 'view' : 'table'} "${rel.name}" because view ${user.name} uses it`, {
      hint: 'Drop the view, rename the column, and create the view again.',
    });
  }
}

// ---- DROP -------------------------------------------------------------------------------------

async function drop(change: Change, stmt: DropStmt): Promise<string> {
  const ctx = change.ctx;
  const cascade = stmt.behavior === 'DROP_CASCADE';
  switch (stmt.removeType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_SEQUENCE':
    case 'OBJECT_INDEX':
    case 'OBJECT_VIEW': {
      const kind = stmt.removeType === 'OBJECT_TABLE' ? 'table' : stmt.removeType === 'OBJECT_SEQUENCE' ? 'sequence' : stmt.removeType === 'OBJECT_INDEX' ? 'index' : 'view';
      const names = (stmt.objects ?? []).map((o) => stringList(nodeAs(o, 'List')?.items));
      const nameOf = (parts: readonly string[]): QualifiedName => ({ schema: parts.length > 1 ? parts[parts.length - 2]! : null, name: parts[parts.length - 1]! });
      // Views, and tables, dropped by the same statement do not hold each other back (pgbench -i
      // drops its tables, which may reference each other, in one statement).
      const named = new Set<number>();
      const dropping = new Set<number>();
      for (const parts of names) {
        let r;
        try {
          r = change.catalog.findRelation(nameOf(parts), ctx.searchPath, ctx.user);
        } catch {
          continue; // reported in order below
        }
        if (r?.kind === 'view') named.add(r.oid);
        if (r?.kind === 'table' && kind === 'table') dropping.add(r.oid);
      }
      for (const parts of names) {
        const name = nameOf(parts);
        let rel;
        try {
          rel = change.catalog.findRelation(name, ctx.searchPath, ctx.user);
        } catch (e) {
          if (stmt.missing_ok && e instanceof SqlError && e.code === SqlState.invalidSchemaName) rel = undefined;
          else throw e;
        }
        const shown = parts.join('.');
        if (!rel) {
          if (stmt.missing_ok) {
            ctx.notice('00000', `${kind} "${shown}" does not exist, skipping`);
            continue;
          }
          throw new SqlError(kind === 'index' ? SqlState.undefinedObject : SqlState.undefinedTable, `${kind} "${shown}" does not exist`);
        }
        if (rel.kind === 'system') throw new SqlError(SqlState.insufficientPrivilege, `permission denied: "${rel.name}" is a system catalog`);
        if (rel.kind !== kind) {
          const a = (k: string) => (k === 'index' ? `an ${k}` : `a ${k}`);
          throw new SqlError(SqlState.wrongObjectType, `"${name.name}" is not ${a(kind)}`, { hint: `Use DROP ${rel.kind.toUpperCase()} to remove ${a(rel.kind)}.` });
        }
        if (rel.kind === 'view') {
          dropView(change, rel, cascade, named);
          continue;
        }
        if (rel.kind === 'table') {
          dropTable(change, rel, cascade, dropping);
        } else if (rel.kind === 'sequence') {
          const owner = rel.ownedBy ? change.catalog.tableByOid(rel.ownedBy.tableOid) : undefined;
          const dependent = owner?.columns.find((c) => c.attnum === rel.ownedBy!.attnum && (c.sequenceOid === rel.oid || c.default?.text.includes(`'${rel.name}'`)));
          if (owner && dependent && !cascade) {
            throw new SqlError(SqlState.dependentObjectsStillExist, `cannot drop sequence ${rel.name} because other objects depend on it`, {
              detail: `default value for column ${dependent.name} of table ${owner.name} depends on sequence ${rel.name}`,
              hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
            });
          }
          if (owner && dependent) {
            ctx.notice('00000', `drop cascades to default value for column ${dependent.name} of table ${owner.name}`);
            change.put({ ...owner, columns: owner.columns.map((c) => (c === dependent ? { ...c, default: null, identity: '' as const, sequenceOid: undefined } : c)) });
          }
          change.remove(rel.oid);
          ctx.sequences.forget(rel.oid);
        } else {
          const con = rel.table.constraints.find((c) => c.indexOid === rel.index.oid);
          if (con) {
            throw new SqlError(SqlState.dependentObjectsStillExist, `cannot drop index ${rel.index.name} because constraint ${con.name} on table ${rel.table.name} requires it`, {
              hint: `You can drop constraint ${con.name} on table ${rel.table.name} instead.`,
            });
          }
          dropIndex(change, rel.table, rel.index);
        }
      }
      return kind === 'table' ? 'DROP TABLE' : kind === 'sequence' ? 'DROP SEQUENCE' : kind === 'index' ? 'DROP INDEX' : 'DROP VIEW';
    }
    case 'OBJECT_SCHEMA': {
      for (const o of stmt.objects ?? []) {
        const name = nodeAs(o, 'String')?.sval ?? '';
        const schema = change.catalog.schemaByName(name);
        if (!schema) {
          if (stmt.missing_ok) {
            ctx.notice('00000', `schema "${name}" does not exist, skipping`);
            continue;
          }
          throw new SqlError(SqlState.invalidSchemaName, `schema "${name}" does not exist`);
        }
        if (schema.oid < 16384 && schema.name !== 'public') throw new SqlError(SqlState.dependentObjectsStillExist, `cannot drop schema ${name} because it is required by the database system`);
        const tables = change.catalog.tables().filter((t) => t.schemaOid === schema.oid);
        const seqs = change.catalog.sequences().filter((s) => s.schemaOid === schema.oid);
        const views = byOid(change.catalog.views().filter((v) => v.schemaOid === schema.oid));
        if ((tables.length || seqs.length || views.length) && !cascade) {
          const first = tables[0] ? `table ${tables[0].name}` : views[0] ? `view ${views[0].name}` : `sequence ${seqs[0]!.name}`;
          throw new SqlError(SqlState.dependentObjectsStillExist, `cannot drop schema ${name} because other objects depend on it`, {
            detail: `${first} depends on schema ${name}`,
            hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
          });
        }
        for (const v of views) if (change.catalog.viewByOid(v.oid)) dropView(change, change.catalog.viewByOid(v.oid)!, true, new Set());
        for (const t of tables) if (change.catalog.tableByOid(t.oid)) dropTable(change, change.catalog.tableByOid(t.oid)!, true);
        for (const s of change.catalog.sequences().filter((x) => x.schemaOid === schema.oid)) change.remove(s.oid);
        change.remove(schema.oid);
      }
      return 'DROP SCHEMA';
    }
    default:
      throw unsupported(`DROP ${(stmt.removeType ?? '').replace('OBJECT_', '')}`);
  }
}

function dropTable(change: Change, table: TableInfo, cascade: boolean, dropping: ReadonlySet<number> = new Set()): void {
  const ctx = change.ctx;
  // Foreign keys of other tables that reference this one (tables dropped with it aside), and the views that read it.
  const dependents = change.catalog
    .tables()
    .filter((other) => other.oid !== table.oid && !dropping.has(other.oid))
    .map((other) => ({ other, refs: other.constraints.filter((c) => c.type === 'f' && c.foreignKey?.refTableOid === table.oid) }))
    .filter((d) => d.refs.length > 0);
  const views = dependentViews(change.catalog, change.catalog.viewsUsing(table.oid), (v) => `view ${v.name} depends on table ${table.name}`);
  if ((dependents.length || views.length) && !cascade) {
    throw dependentObjectsError(`table ${table.name}`, [
      ...dependents.flatMap((d) => d.refs.map((r) => `constraint ${r.name} on table ${d.other.name} depends on table ${table.name}`)),
      ...views.map((v) => v.detail),
    ]);
  }
  noticeCascade(ctx, [...dependents.flatMap((d) => d.refs.map((r) => `constraint ${r.name} on table ${d.other.name}`)), ...views.map((v) => `view ${v.view.name}`)]);
  for (const { other, refs } of dependents) change.put({ ...other, constraints: other.constraints.filter((c) => !refs.includes(c)) });
  for (const v of views) change.remove(v.view.oid);
  for (const s of change.catalog.sequences()) {
    if (s.ownedBy?.tableOid === table.oid) {
      change.remove(s.oid);
      ctx.sequences.forget(s.oid);
    }
  }
  change.remove(table.oid);
  const ref = { namespace: table.namespace, table: table.physicalName };
  ctx.afterCommit(async () => {
    await ctx.admin.dropTable(ref, { ifExists: true });
    for (const i of table.indexes) if (i.uniqueTable) await ctx.admin.dropTable({ namespace: table.namespace, table: i.uniqueTable }, { ifExists: true });
  });
}

function dropIndex(change: Change, table: TableInfo, index: IndexInfo): void {
  const current = change.catalog.tableByOid(table.oid)!;
  change.put({ ...current, indexes: current.indexes.filter((i) => i.oid !== index.oid) });
  const ctx = change.ctx;
  if (index.uniqueTable) ctx.afterCommit(() => ctx.admin.dropTable({ namespace: table.namespace, table: index.uniqueTable! }, { ifExists: true }));
  // A storage secondary index is left in place when another index still uses its column.
  if (index.storageIndexColumn && !current.indexes.some((i) => i.oid !== index.oid && i.storageIndexColumn === index.storageIndexColumn)) {
    ctx.afterCommit(() => ctx.admin.dropIndex({ namespace: table.namespace, table: table.physicalName }, index.storageIndexColumn!, { ifExists: true }));
  }
}

// ---- indexes ----------------------------------------------------------------------------------

async function createIndex(change: Change, stmt: IndexStmt): Promise<string> {
  const ctx = change.ctx;
  const table = change.catalog.resolveTable(qualified(stmt.relation!), ctx.searchPath, ctx.user);
  if (stmt.whereClause) throw unsupported('partial indexes');
  const cols = (stmt.indexParams ?? []).map((p) => {
    const e = nodeAs(p, 'IndexElem')!;
    if (!e.name) throw unsupported('indexes on expressions');
    const col = table.columns.find((c) => c.name === e.name);
    if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${e.name}" does not exist`);
    return col;
  });
  const name = stmt.idxname ?? chooseName(change.catalog, table.schemaOid, [table.name, ...cols.map((c) => c.name)], 'idx');
  if (change.catalog.relationIn(table.schemaOid, name)) {
    if (stmt.if_not_exists) {
      ctx.notice('42P07', `relation "${name}" already exists, skipping`);
      return 'CREATE INDEX';
    }
    throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  }
  const oid = change.allocateOid();
  if (stmt.unique) {
    const index: IndexInfo = { oid, name, columns: cols.map((c) => c.attnum), unique: true, primary: false, uniqueTable: `${table.physicalName}_u${oid}` };
    await createUniqueTable(ctx, table, index);
    await populateUniqueIndex(change, table, index, `could not create unique index "${name}"`);
    change.put({ ...table, indexes: [...table.indexes, index] });
    return 'CREATE INDEX';
  }
  const first = cols[0]!;
  const index: IndexInfo = { oid, name, columns: cols.map((c) => c.attnum), unique: false, primary: false, storageIndexColumn: first.physicalName };
  if (!table.indexes.some((i) => i.storageIndexColumn === first.physicalName) && hasStorageIndex(table, first.physicalName)) {
    await ctx.admin.createIndex({ namespace: table.namespace, table: table.physicalName }, first.physicalName, { ifNotExists: true });
  }
  change.put({ ...table, indexes: [...table.indexes, index] });
  return 'CREATE INDEX';
}

/** Fills a new unique index's hidden table from the existing rows (in the transaction); a duplicate fails. */
async function populateUniqueIndex(change: Change, table: TableInfo, index: IndexInfo, failure: string): Promise<void> {
  const tx = change.ctx.tx;
  const records = await tx.scan({ namespace: table.namespace, table: table.physicalName, kind: 'all' });
  const seen = new Set<string>();
  const rt = change.ctx.runtime(change.catalog);
  for (const r of records) {
    const row = rowFromStorage(table, r);
    const slots = index.columns.map((a) => table.columns.findIndex((c) => c.attnum === a));
    if (slots.some((s) => row[s] === null)) continue;
    const key = slots.map((s) => toStorageValue(table.columns[s]!.type.oid, row[s]!, true));
    const text = JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    if (seen.has(text)) {
      const names = slots.map((s) => table.columns[s]!.name).join(', ');
      const values = slots.map((s) => formatText(table.columns[s]!.type.oid, row[s]!, rt.codec)).join(', ');
      throw new SqlError(SqlState.uniqueViolation, failure, { detail: `Key (${names})=(${values}) is duplicated.` });
    }
    seen.add(text);
    const rowKey = storageKeyOf(table, row);
    const values: Record<string, import('../storage/types.js').Value> = {};
    [...rowKey.partitionKey, ...rowKey.clusteringKey].forEach((v, i) => (values[uniqueRefColumn(i)] = v));
    await tx.put({ namespace: table.namespace, table: index.uniqueTable!, partitionKey: key, values });
  }
}

// ---- sequences --------------------------------------------------------------------------------

async function createSequence(change: Change, stmt: CreateSeqStmt): Promise<string> {
  const ctx = change.ctx;
  const name = qualified(stmt.sequence!);
  const schema = change.catalog.creationSchema(ctx.searchPath, ctx.user, name);
  if (change.catalog.relationIn(schema.oid, name.name)) {
    if (stmt.if_not_exists) {
      ctx.notice('42P07', `relation "${name.name}" already exists, skipping`);
      return 'CREATE SEQUENCE';
    }
    throw new SqlError(SqlState.duplicateTable, `relation "${name.name}" already exists`);
  }
  const seq = makeSequence(change, schema, name.name, Oid.int8, stmt.options ?? [], null);
  await ctx.sequences.reset(seq);
  change.put(seq);
  return 'CREATE SEQUENCE';
}

/** OWNED BY table.column | NONE: the column the sequence belongs to (dropped with it), as pg_dump writes it for a serial. */
function sequenceOwnedBy(change: Change, seq: SequenceInfo, names: readonly string[]): SequenceInfo['ownedBy'] {
  const ctx = change.ctx;
  if (names.length === 1 && names[0] === 'none') return null;
  if (names.length < 2) throw new SqlError(SqlState.invalidParameterValue, 'invalid OWNED BY option', { hint: 'Specify OWNED BY table.column or OWNED BY NONE.' });
  const column = names[names.length - 1]!;
  const table = change.catalog.resolveTable({ schema: names.length > 2 ? names[names.length - 3]! : null, name: names[names.length - 2]! }, ctx.searchPath, ctx.user);
  if (table.schemaOid !== seq.schemaOid) throw new SqlError(SqlState.objectNotInPrerequisiteState, 'sequence must be in same schema as table it is linked to');
  const col = findColumn(table, column);
  return { tableOid: table.oid, attnum: col.attnum };
}

async function alterSequence(change: Change, stmt: AlterSeqStmt): Promise<string> {
  const ctx = change.ctx;
  let seq: SequenceInfo;
  try {
    seq = change.catalog.resolveSequence(qualified(stmt.sequence!), ctx.searchPath, ctx.user);
  } catch (e) {
    if (stmt.missing_ok) {
      ctx.notice('00000', `relation "${stmt.sequence!.relname}" does not exist, skipping`);
      return 'ALTER SEQUENCE';
    }
    throw e;
  }
  let restart: bigint | null = null;
  let updated: SequenceInfo = seq;
  for (const o of stmt.options ?? []) {
    const d = nodeAs(o, 'DefElem')!;
    const v = defElemText(d.arg);
    switch (d.defname) {
      case 'restart':
        restart = v === null ? BigInt(updated.start) : BigInt(v);
        break;
      case 'increment':
        updated = { ...updated, increment: v ?? '1' };
        break;
      case 'minvalue':
        updated = { ...updated, min: v ?? updated.min };
        break;
      case 'maxvalue':
        updated = { ...updated, max: v ?? updated.max };
        break;
      case 'start':
        updated = { ...updated, start: v ?? updated.start };
        break;
      case 'cycle':
        updated = { ...updated, cycle: v !== 'false' };
        break;
      case 'cache':
        updated = { ...updated, cache: v ?? '1' };
        break;
      case 'owned_by':
        updated = { ...updated, ownedBy: sequenceOwnedBy(change, updated, stringList(nodeAs(d.arg, 'List')?.items)) };
        break;
      default:
        throw unsupported(`ALTER SEQUENCE ... ${d.defname ?? ''}`);
    }
  }
  if (updated !== seq) change.put(updated);
  if (restart !== null) await ctx.sequences.reset(updated, restart, false);
  else ctx.sequences.forget(seq.oid);
  return 'ALTER SEQUENCE';
}

// ---- TRUNCATE ---------------------------------------------------------------------------------

async function truncate(change: Change, stmt: TruncateStmt): Promise<string> {
  const ctx = change.ctx;
  const tables = (stmt.relations ?? []).map((r) => change.catalog.resolveTable(qualified(nodeAs(r, 'RangeVar')!), ctx.searchPath, ctx.user));
  const cascade = stmt.behavior === 'DROP_CASCADE';
  for (const t of [...tables]) {
    for (const other of change.catalog.tables()) {
      if (tables.some((x) => x.oid === other.oid)) continue;
      const ref = other.constraints.find((c) => c.type === 'f' && c.foreignKey?.refTableOid === t.oid);
      if (!ref) continue;
      if (!cascade) {
        throw new SqlError(SqlState.featureNotSupported, 'cannot truncate a table referenced in a foreign key constraint', {
          detail: `Table "${other.name}" references "${t.name}".`,
          hint: `Truncate table "${other.name}" at the same time, or use TRUNCATE ... CASCADE.`,
        });
      }
      ctx.notice('00000', `truncate cascades to table "${other.name}"`);
      tables.push(other);
    }
  }
  // Rows are deleted in the transaction, so TRUNCATE rolls back like any other statement.
  for (const t of tables) {
    const ref = { namespace: t.namespace, table: t.physicalName };
    const records = await ctx.tx.scan({ ...ref, kind: 'all' });
    for (const r of records) {
      const row = rowFromStorage(t, r);
      const key = storageKeyOf(t, row);
      await ctx.tx.delete({ ...ref, partitionKey: key.partitionKey, clusteringKey: key.clusteringKey.length ? key.clusteringKey : undefined });
    }
    for (const i of t.indexes) {
      if (!i.uniqueTable) continue;
      const entries = await ctx.tx.scan({ namespace: t.namespace, table: i.uniqueTable, kind: 'all' });
      for (const e of entries) await ctx.tx.delete({ namespace: t.namespace, table: i.uniqueTable, partitionKey: i.columns.map((_c, k) => e[`k${k}`] ?? null) });
    }
    if (stmt.restart_seqs) {
      for (const s of change.catalog.sequences()) if (s.ownedBy?.tableOid === t.oid) await ctx.sequences.reset(s);
    }
  }
  return 'TRUNCATE TABLE';
}

// ---- ALTER TABLE / RENAME ---------------------------------------------------------------------

// ---- OWNER TO -----------------------------------------------------------------------------------

/** The role an OWNER TO names; 42704 for a role polygres does not know. */
function ownerRole(change: Change, spec: RoleSpec | undefined): string {
  const ctx = change.ctx;
  const name = spec?.roletype === 'ROLESPEC_CSTRING' ? (spec.rolename ?? '') : ctx.user;
  if (!roles(change.catalog, ctx.user).some((r) => r.name === name)) throw new SqlError(SqlState.undefinedObject, `role "${name}" does not exist`);
  return name;
}

/**
 * ALTER SCHEMA ... OWNER TO (what pg_dump writes after each CREATE SCHEMA): the schema's owner is
 * kept (pg_namespace.nspowner).
 */
async function alterOwner(change: Change, stmt: AlterOwnerStmt): Promise<string> {
  if (stmt.objectType !== 'OBJECT_SCHEMA') throw unsupported(`ALTER ${(stmt.objectType ?? '').replace('OBJECT_', '')} ... OWNER TO`);
  const name = nodeAs(stmt.object, 'String')?.sval ?? '';
  const schema = change.catalog.schemaByName(name);
  if (!schema) throw new SqlError(SqlState.invalidSchemaName, `schema "${name}" does not exist`);
  const owner = ownerRole(change, stmt.newowner);
  if (isBuiltinSchema(schema.oid)) {
    if (schemaOwnerName(schema) !== owner) throw unsupported('changing the owner of a built-in schema');
    return 'ALTER SCHEMA';
  }
  if (schema.owner !== owner) change.put({ ...schema, owner });
  return 'ALTER SCHEMA';
}

function schemaOwnerName(schema: SchemaInfo): string {
  return schema.oid === PUBLIC_NAMESPACE_OID ? 'pg_database_owner' : schema.owner;
}

/**
 * ALTER TABLE / SEQUENCE ... OWNER TO (pg_dump writes one for every relation): tables, sequences
 * and indexes belong to the bootstrap superuser in polygres, so naming it is accepted and any
 * other role is refused.
 */
function alterRelationOwner(change: Change, stmt: AlterTableStmt): string {
  const ctx = change.ctx;
  const kind = stmt.objtype === 'OBJECT_SEQUENCE' ? 'SEQUENCE' : stmt.objtype === 'OBJECT_INDEX' ? 'INDEX' : 'TABLE';
  const rel = change.catalog.findRelation(qualified(stmt.relation!), ctx.searchPath, ctx.user);
  if (!rel || rel.kind === 'system') {
    if (!rel && stmt.missing_ok) {
      ctx.notice('00000', `relation "${stmt.relation!.relname}" does not exist, skipping`);
      return `ALTER ${kind}`;
    }
    if (!rel) throw new SqlError(SqlState.undefinedTable, `relation "${formatQualifiedName(qualified(stmt.relation!))}" does not exist`);
    throw new SqlError(SqlState.insufficientPrivilege, `permission denied: "${rel.name}" is a system catalog`);
  }
  for (const c of stmt.cmds ?? []) {
    const owner = ownerRole(change, nodeAs(c, 'AlterTableCmd')!.newowner);
    if (owner !== BOOTSTRAP_SUPERUSER) throw new SqlError(SqlState.featureNotSupported, `cannot change the owner of "${stmt.relation!.relname}" to "${owner}": polygres relations belong to ${BOOTSTRAP_SUPERUSER}`);
  }
  return `ALTER ${kind}`;
}

async function alterTable(change: Change, stmt: AlterTableStmt): Promise<string> {
  const ctx = change.ctx;
  const cmds = (stmt.cmds ?? []).map((c) => nodeAs(c, 'AlterTableCmd')!);
  if (cmds.length > 0 && cmds.every((c) => c.subtype === 'AT_ChangeOwner')) return alterRelationOwner(change, stmt);
  if (stmt.objtype && stmt.objtype !== 'OBJECT_TABLE') throw unsupported(`ALTER ${stmt.objtype.replace('OBJECT_', '')}`);
  let table: TableInfo;
  try {
    table = change.catalog.resolveTable(qualified(stmt.relation!), ctx.searchPath, ctx.user);
  } catch (e) {
    if (stmt.missing_ok && e instanceof SqlError && e.code === SqlState.undefinedTable) {
      ctx.notice('00000', `relation "${stmt.relation!.relname}" does not exist, skipping`);
      return 'ALTER TABLE';
    }
    throw e;
  }
  for (const c of stmt.cmds ?? []) {
    const cmd = nodeAs(c, 'AlterTableCmd')!;
    table = await alterTableCommand(change, table, cmd);
    change.put(table);
  }
  return 'ALTER TABLE';
}

function findColumn(table: TableInfo, name: string): ColumnInfo {
  const col = table.columns.find((c) => c.name === name);
  if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`);
  return col;
}

async function alterTableCommand(change: Change, table: TableInfo, cmd: NonNullable<ReturnType<typeof nodeAs<'AlterTableCmd'>>>): Promise<TableInfo> {
  const ctx = change.ctx;
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      const def = nodeAs(cmd.def, 'ColumnDef')!;
      if (table.columns.some((c) => c.name === def.colname)) {
        if (cmd.missing_ok) {
          ctx.notice('42701', `column "${def.colname}" of relation "${table.name}" already exists, skipping`);
          return table;
        }
        throw new SqlError(SqlState.duplicateColumn, `column "${def.colname}" of relation "${table.name}" already exists`);
      }
      const schema = change.catalog.schemaByOid(table.schemaOid)!;
      const constraints: PendingConstraint[] = [];
      const sequences: SequenceInfo[] = [];
      // A column added by a transaction that rolled back stays in the storage: never reuse its name.
      const stored = await ctx.admin.getTableMetadata({ namespace: table.namespace, table: table.physicalName });
      const taken = new Set([...table.physicalColumns, ...(stored?.columns.map((c) => c.name) ?? [])]);
      const col = columnFromDef(change, schema, table.name, def, table.nextAttnum, taken, constraints, sequences, new Set());
      await ctx.admin.addColumn({ namespace: table.namespace, table: table.physicalName }, { name: col.physicalName, type: columnStorageType(col) });
      let next: TableInfo = { ...table, columns: [...table.columns, col], nextAttnum: table.nextAttnum + 1, physicalColumns: [...table.physicalColumns, col.physicalName] };
      for (const s of sequences) {
        change.put({ ...s, ownedBy: { tableOid: table.oid, attnum: col.attnum } });
        await ctx.sequences.reset(s);
      }
      await fillNewColumn(change, next, col);
      for (const pc of constraints) next = await addTableConstraint(change, next, pc.def);
      return next;
    }
    case 'AT_AddIdentity': {
      // ALTER TABLE t ALTER COLUMN c ADD GENERATED ... AS IDENTITY [(SEQUENCE NAME s, ...)]: how
      // pg_dump writes an identity column, after its CREATE TABLE.
      const col = findColumn(table, cmd.name ?? '');
      const con = nodeAs(cmd.def, 'Constraint')!;
      if (![Oid.int2, Oid.int4, Oid.int8].includes(col.type.oid as 21)) {
        throw new SqlError(SqlState.invalidParameterValue, `identity column type must be smallint, integer, or bigint`);
      }
      if (col.identity !== '') throw new SqlError(SqlState.objectNotInPrerequisiteState, `column "${col.name}" of relation "${table.name}" is already an identity column`);
      if (!col.notNull) throw new SqlError(SqlState.objectNotInPrerequisiteState, `column "${col.name}" of relation "${table.name}" must be declared NOT NULL before identity can be added`);
      if (col.default) throw new SqlError(SqlState.objectNotInPrerequisiteState, `column "${col.name}" of relation "${table.name}" already has a default value`);
      const options = con.options ?? [];
      const named = options.map((o) => nodeAs(o, 'DefElem')!).find((d) => d.defname === 'sequence_name');
      const schema = change.catalog.schemaByOid(table.schemaOid)!;
      let seqSchema = schema;
      let seqName: string;
      if (named) {
        const parts = stringList(nodeAs(named.arg, 'List')?.items);
        seqName = parts[parts.length - 1]!;
        if (parts.length > 1) {
          const found = change.catalog.schemaByName(parts[parts.length - 2]!);
          if (!found) throw new SqlError(SqlState.invalidSchemaName, `schema "${parts[parts.length - 2]}" does not exist`);
          seqSchema = found;
        }
        if (change.catalog.relationIn(seqSchema.oid, seqName)) throw new SqlError(SqlState.duplicateTable, `relation "${seqName}" already exists`);
      } else {
        seqName = chooseName(change.catalog, schema.oid, [table.name, col.name], 'seq');
      }
      const seq = makeSequence(change, seqSchema, seqName, col.type.oid, options.filter((o) => nodeAs(o, 'DefElem')!.defname !== 'sequence_name'), { attnum: col.attnum });
      change.put({ ...seq, ownedBy: { tableOid: table.oid, attnum: col.attnum } });
      await ctx.sequences.reset(seq);
      const identity: 'a' | 'd' = con.generated_when === 'a' ? 'a' : 'd';
      return { ...table, columns: table.columns.map((c) => (c === col ? { ...c, identity, sequenceOid: seq.oid } : c)) };
    }
    case 'AT_DropColumn': {
      const col = table.columns.find((c) => c.name === cmd.name);
      if (!col) {
        if (cmd.missing_ok) {
          ctx.notice('00000', `column "${cmd.name}" of relation "${table.name}" does not exist, skipping`);
          return table;
        }
        throw new SqlError(SqlState.undefinedColumn, `column "${cmd.name}" of relation "${table.name}" does not exist`);
      }
      if (table.partitionKey.includes(col.physicalName) || table.clusteringKey.includes(col.physicalName)) {
        throw new SqlError(SqlState.featureNotSupported, `cannot drop column ${col.name} of table ${table.name} because it is part of the storage key`, {
          detail: 'Primary key columns a table was created with hold its rows in the storage.',
        });
      }
      const cascade = cmd.behavior === 'DROP_CASCADE';
      const dependentConstraints = table.constraints.filter((c) => c.columns.includes(col.attnum));
      const referencing = change.catalog.tables().flatMap((t) => t.constraints.filter((c) => c.type === 'f' && c.foreignKey?.refTableOid === table.oid && c.foreignKey.refColumns.includes(col.attnum)).map((c) => ({ t, c })));
      const views = dependentViews(change.catalog, viewsUsingColumn(change.catalog, table, col.name), (v) => `view ${v.name} depends on column ${col.name} of table ${table.name}`);
      if ((referencing.length || views.length) && !cascade) {
        throw dependentObjectsError(`column ${col.name} of table ${table.name}`, [
          ...referencing.slice(0, 1).map((r) => `constraint ${r.c.name} on table ${r.t.name} depends on column ${col.name} of table ${table.name}`),
          ...views.map((v) => v.detail),
        ]);
      }
      noticeCascade(ctx, views.map((v) => `view ${v.view.name}`));
      for (const v of views) change.remove(v.view.oid);
      for (const r of referencing) change.put({ ...r.t, constraints: r.t.constraints.filter((c) => c !== r.c) });
      const droppedIndexes = table.indexes.filter((i) => i.columns.includes(col.attnum));
      for (const i of droppedIndexes) if (i.uniqueTable) ctx.afterCommit(() => ctx.admin.dropTable({ namespace: table.namespace, table: i.uniqueTable! }, { ifExists: true }));
      for (const s of change.catalog.sequences()) if (s.ownedBy?.tableOid === table.oid && s.ownedBy.attnum === col.attnum) change.remove(s.oid);
      return {
        ...table,
        columns: table.columns.filter((c) => c !== col),
        constraints: table.constraints.filter((c) => !dependentConstraints.includes(c)),
        indexes: table.indexes.filter((i) => !droppedIndexes.includes(i)),
      };
    }
    case 'AT_ColumnDefault': {
      const col = findColumn(table, cmd.name ?? '');
      const dflt = cmd.def ? bindDefault(ctx.analyzer(change.catalog), cmd.def, col.type, col.name) : null;
      return { ...table, columns: table.columns.map((c) => (c === col ? { ...c, default: dflt } : c)) };
    }
    case 'AT_SetNotNull': {
      const col = findColumn(table, cmd.name ?? '');
      const slot = table.columns.indexOf(col);
      const records = await ctx.tx.scan({ namespace: table.namespace, table: table.physicalName, kind: 'all', filter: [[{ column: col.physicalName, op: 'IS_NULL' }]] });
      if (records.some((r) => rowFromStorage(table, r)[slot] === null)) {
        throw new SqlError(SqlState.notNullViolation, `column "${col.name}" of relation "${table.name}" contains null values`);
      }
      return { ...table, columns: table.columns.map((c) => (c === col ? { ...c, notNull: true } : c)) };
    }
    case 'AT_DropNotNull': {
      const col = findColumn(table, cmd.name ?? '');
      if (table.constraints.some((c) => c.type === 'p' && c.columns.includes(col.attnum))) {
        throw new SqlError(SqlState.invalidTableDefinition, `column "${col.name}" is in a primary key`);
      }
      return { ...table, columns: table.columns.map((c) => (c === col ? { ...c, notNull: false } : c)) };
    }
    case 'AT_AddConstraint':
      return addTableConstraint(change, table, nodeAs(cmd.def, 'Constraint')!);
    case 'AT_DropConstraint': {
      const con = table.constraints.find((c) => c.name === cmd.name);
      if (!con) {
        if (cmd.missing_ok) {
          ctx.notice('00000', `constraint "${cmd.name}" of relation "${table.name}" does not exist, skipping`);
          return table;
        }
        throw new SqlError(SqlState.undefinedObject, `constraint "${cmd.name}" of relation "${table.name}" does not exist`);
      }
      const index = table.indexes.find((i) => i.oid === con.indexOid);
      if (con.type === 'p' && !index?.uniqueTable) {
        throw new SqlError(SqlState.featureNotSupported, `cannot drop the primary key of table "${table.name}"`, { detail: 'The primary key a table was created with holds its rows in the storage.' });
      }
      if (index?.uniqueTable) ctx.afterCommit(() => ctx.admin.dropTable({ namespace: table.namespace, table: index.uniqueTable! }, { ifExists: true }));
      return {
        ...table,
        constraints: table.constraints.filter((c) => c !== con),
        indexes: table.indexes.filter((i) => i !== index),
        columns: con.type === 'p' ? table.columns : table.columns,
      };
    }
    case 'AT_AlterColumnType': {
      const col = findColumn(table, cmd.name ?? '');
      const def = nodeAs(cmd.def, 'ColumnDef')!;
      const type = resolveTypeName(def.typeName!);
      const user = viewsUsingColumn(change.catalog, table, col.name)[0];
      if (user) {
        throw new SqlError(SqlState.featureNotSupported, 'cannot alter type of a column used by a view or rule', { detail: `rule _RETURN on view ${user.name} depends on column "${col.name}"` });
      }
      // The stored values stay as they are: both the default mapping and the column's recorded
      // storage type must fit the new SQL type.
      const storage = ctx.storageOf(table.namespace).capabilities;
      if (storageDataType(type.oid) !== storageDataType(col.type.oid) || chooseStorageType(type.oid, storage) !== columnStorageType(col)) {
        throw unsupported(`changing column "${col.name}" from ${formatType(col.type.oid, col.type.typmod)} to ${formatType(type.oid, type.typmod)} (a different storage type)`);
      }
      return { ...table, columns: table.columns.map((c) => (c === col ? { ...c, type } : c)) };
    }
    case 'AT_SetStorage':
    case 'AT_SetStatistics':
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
    case 'AT_ChangeOwner':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_EnableTrig':
    case 'AT_DisableTrig':
    case 'AT_ReplicaIdentity':
      return table;
    default:
      throw unsupported(`ALTER TABLE ${(cmd.subtype ?? '').replace('AT_', '')}`);
  }
}

/** ADD COLUMN with a default fills existing rows (in the transaction), as PostgreSQL does. */
async function fillNewColumn(change: Change, table: TableInfo, col: ColumnInfo): Promise<void> {
  const ctx = change.ctx;
  const analyzer = ctx.analyzer(change.catalog);
  const { defaultExpression } = await import('./analyze/dml.js');
  const expr = defaultExpression(analyzer, table, col);
  const ref = { namespace: table.namespace, table: table.physicalName };
  const records = await ctx.tx.scan({ ...ref, kind: 'all' });
  if (!expr) {
    if (col.notNull && records.length > 0) throw new SqlError(SqlState.notNullViolation, `column "${col.name}" of relation "${table.name}" contains null values`);
    return;
  }
  const compiled = compileExpr(expr);
  const rt = ctx.runtime(change.catalog);
  for (const r of records) {
    const row = rowFromStorage(table, r);
    const v = await value(compiled, [], rt);
    if (v === null && col.notNull) throw new SqlError(SqlState.notNullViolation, `column "${col.name}" of relation "${table.name}" contains null values`);
    const key = storageKeyOf(table, row);
    await ctx.tx.put({ ...ref, partitionKey: key.partitionKey, clusteringKey: key.clusteringKey.length ? key.clusteringKey : undefined, values: { [col.physicalName]: toStorageValue(col.type.oid, v) } });
  }
}

async function addTableConstraint(change: Change, table: TableInfo, def: Constraint): Promise<TableInfo> {
  const ctx = change.ctx;
  if (def.contype === 'CONSTR_PRIMARY' || def.contype === 'CONSTR_UNIQUE') {
    if (def.contype === 'CONSTR_PRIMARY' && table.constraints.some((c) => c.type === 'p')) {
      throw new SqlError(SqlState.invalidTableDefinition, `multiple primary keys for table "${table.name}" are not allowed`);
    }
    const cols = stringList(def.keys).map((n) => findColumn(table, n));
    if (def.contype === 'CONSTR_PRIMARY') {
      const slots = cols.map((c) => table.columns.indexOf(c));
      const records = await ctx.tx.scan({ namespace: table.namespace, table: table.physicalName, kind: 'all' });
      for (const r of records) {
        const row = rowFromStorage(table, r);
        for (const s of slots) {
          if (row[s] === null) throw new SqlError(SqlState.notNullViolation, `column "${table.columns[s]!.name}" of relation "${table.name}" contains null values`);
        }
      }
    }
    // A key added after creation cannot move the rows: it is a hidden unique index (lookups by it
    // are a get on that index, then a get on the row).
    const next = addConstraint(change, table, { def, column: null }, false, new Set());
    const index = next.indexes[next.indexes.length - 1]!;
    await createUniqueTable(ctx, next, index);
    const name = next.constraints[next.constraints.length - 1]!.name;
    await populateUniqueIndex(change, next, index, `could not create unique index "${name}"`);
    return next;
  }
  const next = addConstraint(change, table, { def, column: null }, false, new Set());
  const added = next.constraints[next.constraints.length - 1]!;
  // Existing rows must satisfy a new CHECK or FOREIGN KEY.
  if (added.type === 'c' || added.type === 'f') await validateExistingRows(change, next, added);
  return next;
}

async function validateExistingRows(change: Change, table: TableInfo, con: ConstraintInfo): Promise<void> {
  const ctx = change.ctx;
  const records = await ctx.tx.scan({ namespace: table.namespace, table: table.physicalName, kind: 'all' });
  if (records.length === 0) return;
  const rt = ctx.runtime(change.catalog);
  if (con.type === 'c') {
    const { boundChecks } = await import('./analyze/dml.js');
    const check = boundChecks(ctx.analyzer(change.catalog), table).find((c) => c.name === con.name)!;
    const compiled = compileExpr(check.expr);
    for (const r of records) {
      if ((await value(compiled, rowFromStorage(table, r), rt)) === false) {
        throw new SqlError(SqlState.checkViolation, `check constraint "${con.name}" of relation "${table.name}" is violated by some row`);
      }
    }
    return;
  }
  const parent = change.catalog.tableByOid(con.foreignKey!.refTableOid) ?? table;
  const { findRows } = await import('./exec/modify.js');
  for (const r of records) {
    const row = rowFromStorage(table, r);
    const values = con.columns.map((a) => row[table.columns.findIndex((c) => c.attnum === a)] ?? null);
    if (values.some((v) => v === null)) continue;
    const found = await findRows(ctx.tx, parent, con.foreignKey!.refColumns, values, 1);
    if (found.length === 0) {
      const names = con.columns.map((a) => table.columns.find((c) => c.attnum === a)!.name).join(', ');
      const shown = values.map((v, i) => formatText(table.columns.find((c) => c.attnum === con.columns[i])!.type.oid, v!, rt.codec)).join(', ');
      throw new SqlError(SqlState.foreignKeyViolation, `insert or update on table "${table.name}" violates foreign key constraint "${con.name}"`, {
        detail: `Key (${names})=(${shown}) is not present in table "${parent.name}".`,
      });
    }
  }
}

async function rename(change: Change, stmt: RenameStmt): Promise<string> {
  const ctx = change.ctx;
  switch (stmt.renameType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW': {
      // ALTER TABLE renames views too; ALTER VIEW only views.
      const tag = stmt.renameType === 'OBJECT_VIEW' ? 'ALTER VIEW' : 'ALTER TABLE';
      const name = qualified(stmt.relation!);
      const rel = change.catalog.findRelation(name, ctx.searchPath, ctx.user);
      if (!rel) {
        if (stmt.missing_ok) {
          ctx.notice('00000', `relation "${stmt.relation!.relname}" does not exist, skipping`);
          return tag;
        }
        throw undefinedRelation(name);
      }
      if (stmt.renameType === 'OBJECT_VIEW' && rel.kind !== 'view') throw new SqlError(SqlState.wrongObjectType, `"${name.name}" is not a view`);
      const renamed = rel.kind === 'view' ? rel : change.catalog.resolveTable(name, ctx.searchPath, ctx.user);
      const newName = stmt.newname ?? '';
      if (change.catalog.relationIn(renamed.schemaOid, newName)) throw new SqlError(SqlState.duplicateTable, `relation "${newName}" already exists`);
      renameRelationInViews(change, renamed.schemaOid, renamed.name, newName);
      // A view that reads itself was just rewritten: rename the newest version.
      change.put({ ...(change.catalog.viewByOid(renamed.oid) ?? renamed), name: newName });
      return tag;
    }
    case 'OBJECT_COLUMN': {
      const name = qualified(stmt.relation!);
      const rel = change.catalog.findRelation(name, ctx.searchPath, ctx.user);
      const tag = stmt.relationType === 'OBJECT_VIEW' ? 'ALTER VIEW' : 'ALTER TABLE';
      if (rel?.kind === 'view') {
        const col = rel.columns.find((c) => c.name === stmt.subname);
        if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${stmt.subname}" does not exist`);
        if (rel.columns.some((c) => c.name === stmt.newname)) throw new SqlError(SqlState.duplicateColumn, `column "${stmt.newname}" of relation "${rel.name}" already exists`);
        refuseColumnRename(change, rel, col.name);
        change.put({ ...rel, columns: rel.columns.map((c) => (c === col ? { ...c, name: stmt.newname ?? '' } : c)) });
        return tag;
      }
      if (stmt.relationType === 'OBJECT_VIEW' && rel) throw new SqlError(SqlState.wrongObjectType, `"${name.name}" is not a view`);
      const table = change.catalog.resolveTable(name, ctx.searchPath, ctx.user);
      const col = findColumn(table, stmt.subname ?? '');
      if (table.columns.some((c) => c.name === stmt.newname)) throw new SqlError(SqlState.duplicateColumn, `column "${stmt.newname}" of relation "${table.name}" already exists`);
      refuseColumnRename(change, table, col.name);
      change.put({ ...table, columns: table.columns.map((c) => (c === col ? { ...c, name: stmt.newname ?? '' } : c)) });
      return tag;
    }
    case 'OBJECT_TABCONSTRAINT': {
      const table = change.catalog.resolveTable(qualified(stmt.relation!), ctx.searchPath, ctx.user);
      const con = table.constraints.find((c) => c.name === stmt.subname);
      if (!con) throw new SqlError(SqlState.undefinedObject, `constraint "${stmt.subname}" for table "${table.name}" does not exist`);
      change.put({
        ...table,
        constraints: table.constraints.map((c) => (c === con ? { ...c, name: stmt.newname ?? '' } : c)),
        indexes: table.indexes.map((i) => (i.oid === con.indexOid ? { ...i, name: stmt.newname ?? '' } : i)),
      });
      return 'ALTER TABLE';
    }
    case 'OBJECT_INDEX': {
      const rel = change.catalog.findRelation(qualified(stmt.relation!), ctx.searchPath, ctx.user);
      if (!rel || rel.kind !== 'index') throw new SqlError(SqlState.undefinedTable, `relation "${stmt.relation!.relname}" does not exist`);
      change.put({ ...rel.table, indexes: rel.table.indexes.map((i) => (i === rel.index ? { ...i, name: stmt.newname ?? '' } : i)) });
      return 'ALTER INDEX';
    }
    case 'OBJECT_SEQUENCE': {
      const seq = change.catalog.resolveSequence(qualified(stmt.relation!), ctx.searchPath, ctx.user);
      change.put({ ...seq, name: stmt.newname ?? '' });
      return 'ALTER SEQUENCE';
    }
    case 'OBJECT_SCHEMA': {
      const schema = change.catalog.schemaByName(stmt.subname ?? '');
      if (!schema) throw new SqlError('3F000', `schema "${stmt.subname}" does not exist`);
      renameInViews(change, (rv) => {
        if (rv.schemaname !== schema.name) return false;
        rv.schemaname = stmt.newname ?? '';
        return true;
      });
      change.put({ ...change.catalog.schemaByOid(schema.oid)!, name: stmt.newname ?? '' });
      return 'ALTER SCHEMA';
    }
    default:
      throw unsupported(`ALTER ... RENAME of ${(stmt.renameType ?? '').replace('OBJECT_', '').toLowerCase()}`);
  }
}

