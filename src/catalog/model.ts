/**
 * SQL-level metadata: what PostgreSQL keeps in pg_namespace, pg_class, pg_attribute, pg_attrdef,
 * pg_constraint, pg_index, pg_sequence and pg_rewrite (views), in the shape polygres needs to bind, plan and execute.
 * Objects are plain immutable JSON-serializable records: they are stored as JSON in the catalog
 * table (see store.ts) and compared structurally.
 */
import type { DataType } from '../storage/types.js';
import type { TypeRef } from '../types/registry.js';

/** OIDs of the objects every database has, as in PostgreSQL. */
export const PG_CATALOG_NAMESPACE_OID = 11;
export const PUBLIC_NAMESPACE_OID = 2200;
/** information_schema's OID in PostgreSQL 15 (initdb assigns it; 15.x servers show this one). */
export const INFORMATION_SCHEMA_NAMESPACE_OID = 13207;
/** pg_toast, listed in pg_namespace as PostgreSQL has it (polygres keeps no TOAST tables). */
export const PG_TOAST_NAMESPACE_OID = 99;
/** PostgreSQL's FirstNormalObjectId: user objects get OIDs from here on. */
export const FIRST_USER_OID = 16384;

/** A schema (= a storage namespace). */
export interface SchemaInfo {
  readonly kind: 'schema';
  readonly oid: number;
  readonly name: string;
  /** The storage namespace that holds the schema's tables. */
  readonly namespace: string;
  readonly owner: string;
  /** COMMENT ON SCHEMA (pg_description). */
  readonly comment?: string;
}

/** How a column gets its value when an INSERT leaves it out. */
export interface ColumnDefault {
  /** The expression's parse tree (libpg-query JSON), bound again at each use. */
  readonly ast: unknown;
  /** The expression as pg_get_expr shows it, e.g. `nextval('t_id_seq'::regclass)`. */
  readonly text: string;
}

export interface ColumnInfo {
  readonly name: string;
  /** pg_attribute.attnum: 1-based, never reused within a table (dropped columns leave gaps). */
  readonly attnum: number;
  readonly type: TypeRef;
  readonly notNull: boolean;
  readonly default: ColumnDefault | null;
  /** pg_attribute.attidentity: 'a' GENERATED ALWAYS, 'd' BY DEFAULT, '' none. */
  readonly identity: '' | 'a' | 'd';
  /** The sequence behind an identity or serial column. */
  readonly sequenceOid?: number;
  /** The storage column that holds the values (renames and drops are logical). */
  readonly physicalName: string;
  /**
   * The storage column's type, chosen at creation for the table's storage (storage-mapping.ts
   * chooseStorageType); absent in catalogs written before it was recorded, which used the default.
   */
  readonly storageType?: DataType;
  /** COMMENT ON COLUMN (pg_description with objsubid = attnum). */
  readonly comment?: string;
}

export type ForeignKeyAction = 'a' | 'r' | 'c' | 'n' | 'd';

export interface ForeignKeyInfo {
  readonly refTableOid: number;
  /** attnums in the referenced table, matching `columns` one to one. */
  readonly refColumns: readonly number[];
  /** pg_constraint.confdeltype / confupdtype: a no action, r restrict, c cascade, n set null, d set default. */
  readonly onDelete: ForeignKeyAction;
  readonly onUpdate: ForeignKeyAction;
}

export interface ConstraintInfo {
  readonly oid: number;
  readonly name: string;
  /** pg_constraint.contype: p primary key, u unique, c check, f foreign key. */
  readonly type: 'p' | 'u' | 'c' | 'f';
  /** attnums of the constrained columns (for a check: the columns it mentions). */
  readonly columns: readonly number[];
  /** The index that enforces a primary key or unique constraint. */
  readonly indexOid?: number;
  /** Check constraints: the expression's parse tree and display text. */
  readonly check?: ColumnDefault;
  readonly foreignKey?: ForeignKeyInfo;
  /** COMMENT ON CONSTRAINT. */
  readonly comment?: string;
}

/**
 * An index. A primary key is the storage key itself; a unique index is a hidden table keyed by the
 * indexed columns (so a duplicate conflicts transactionally); a plain index is a storage secondary
 * index on its first column.
 */
export interface IndexInfo {
  readonly oid: number;
  readonly name: string;
  readonly columns: readonly number[];
  readonly unique: boolean;
  readonly primary: boolean;
  /** The hidden table of a unique index that is not the storage key. */
  readonly uniqueTable?: string;
  /** The storage column carrying a secondary index for this index (plain indexes). */
  readonly storageIndexColumn?: string;
  /** COMMENT ON INDEX. */
  readonly comment?: string;
}

export interface TableInfo {
  readonly kind: 'table';
  readonly oid: number;
  readonly schemaOid: number;
  readonly name: string;
  /** Storage namespace and table name. */
  readonly namespace: string;
  readonly physicalName: string;
  /** Live columns in attnum order. */
  readonly columns: readonly ColumnInfo[];
  /** The attnum the next added column gets. */
  readonly nextAttnum: number;
  /**
   * The storage key: partition key and clustering key as storage column names. They are the primary
   * key columns the table was created with, or the hidden row id for a table created without one.
   */
  readonly partitionKey: readonly string[];
  readonly clusteringKey: readonly string[];
  /** The hidden row id column, for tables created without a primary key. */
  readonly rowIdColumn: string | null;
  readonly constraints: readonly ConstraintInfo[];
  readonly indexes: readonly IndexInfo[];
  /** Storage parameters given in WITH (...), as text. */
  readonly options: Readonly<Record<string, string>>;
  /** Every storage column ever created for the table (so a new column never reuses an old name). */
  readonly physicalColumns: readonly string[];
  /** COMMENT ON TABLE. */
  readonly comment?: string;
}

export interface SequenceInfo {
  readonly kind: 'sequence';
  readonly oid: number;
  readonly schemaOid: number;
  readonly name: string;
  /** int2, int4 or int8 (pg_sequence.seqtypid). */
  readonly typeOid: number;
  /** bigint values are kept as decimal strings so the record stays JSON. */
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
  /** A serial or identity column's sequence belongs to it and is dropped with it. */
  readonly ownedBy: { readonly tableOid: number; readonly attnum: number } | null;
  /** COMMENT ON SEQUENCE. */
  readonly comment?: string;
}

/** A view's output column: name and type are fixed when the view is created (pg_attribute). */
export interface ViewColumn {
  readonly name: string;
  readonly attnum: number;
  readonly type: TypeRef;
  /**
   * INSERT and UPDATE can write it: the view is automatically updatable and the column is a column
   * of the table underneath (information_schema; decided when the view is created).
   */
  readonly updatable?: boolean;
  /** COMMENT ON COLUMN. */
  readonly comment?: string;
}

/**
 * A view: a stored SELECT that a query naming the view reads as a subquery. The query is kept as
 * its parse tree with every relation it reads schema-qualified, so it is bound again at each use
 * without depending on the search path of the session that uses it.
 */
export interface ViewInfo {
  readonly kind: 'view';
  readonly oid: number;
  readonly schemaOid: number;
  readonly name: string;
  readonly columns: readonly ViewColumn[];
  /** The SELECT's parse tree (libpg-query JSON). */
  readonly query: unknown;
  /** The SELECT as written in CREATE VIEW (pg_get_viewdef). */
  readonly text: string;
  /** Tables and views the query reads (pg_depend): they cannot be dropped while the view exists. */
  readonly dependsOn: readonly number[];
  /** The OID of the view's _RETURN rule (pg_rewrite). */
  readonly ruleOid: number;
  /** COMMENT ON VIEW. */
  readonly comment?: string;
}

export type CatalogObject = SchemaInfo | TableInfo | SequenceInfo | ViewInfo;

/** The storage column names polygres reserves in user tables (ScalarDB's metadata uses tx_ and before_). */
export const ROW_ID_COLUMN = 'polygres_row_id';

export function columnByName(table: TableInfo, name: string): ColumnInfo | undefined {
  return table.columns.find((c) => c.name === name);
}

export function columnByAttnum(table: TableInfo, attnum: number): ColumnInfo | undefined {
  return table.columns.find((c) => c.attnum === attnum);
}

export function primaryKeyOf(table: TableInfo): ConstraintInfo | undefined {
  return table.constraints.find((c) => c.type === 'p');
}

/** True when the storage key is exactly the primary key (the table was created with it). */
export function primaryKeyIsStorageKey(table: TableInfo): boolean {
  return table.rowIdColumn === null;
}
