/**
 * An immutable snapshot of the catalog: every schema, table, view and sequence at one catalog version, with
 * PostgreSQL's name resolution (search_path, pg_catalog first, "$user"). DDL builds a new snapshot
 * with `with`/`without`; readers keep the snapshot they started with.
 */
import { SqlError, SqlState } from '../errors.js';
import {
  type CatalogObject,
  type IndexInfo,
  type SchemaInfo,
  type SequenceInfo,
  type TableInfo,
  type ViewInfo,
  PG_CATALOG_NAMESPACE_OID,
} from './model.js';
import { isBuiltinSchema } from './storages.js';
import { systemRelationByOid, systemRelationIn, type SystemRelation } from './system/relations.js';

/** A relation name as written: optional schema, then the name (already folded). */
export interface QualifiedName {
  readonly schema: string | null;
  readonly name: string;
}

export function formatQualifiedName(q: QualifiedName): string {
  return q.schema === null ? q.name : `${q.schema}.${q.name}`;
}

export type IndexRelation = { readonly kind: 'index'; readonly table: TableInfo; readonly index: IndexInfo };

/** Anything pg_class lists: a table, a view, a sequence, an index, or a pg_catalog / information_schema relation. */
export type Relation = TableInfo | ViewInfo | SequenceInfo | IndexRelation | SystemRelation;

/** The pg_class OID of a relation. */
export function relationOid(r: Relation): number {
  return r.kind === 'index' ? r.index.oid : r.oid;
}

/** The name pg_class.relname shows. */
export function relationName(r: Relation): string {
  return r.kind === 'index' ? r.index.name : r.name;
}

/** The schema (pg_class.relnamespace) of a relation. */
export function relationSchemaOid(r: Relation): number {
  return r.kind === 'index' ? r.table.schemaOid : r.schemaOid;
}

export class Catalog {
  private readonly schemasByName: ReadonlyMap<string, SchemaInfo>;
  private readonly relationsByName: ReadonlyMap<string, Relation>;
  private readonly indexesByOid: ReadonlyMap<number, IndexRelation>;

  constructor(
    /** Bumped by every committed DDL; part of every plan-cache key. */
    readonly version: number,
    readonly objects: ReadonlyMap<number, CatalogObject>,
  ) {
    const schemas = new Map<string, SchemaInfo>();
    const relations = new Map<string, Relation>();
    const indexes = new Map<number, IndexRelation>();
    for (const o of objects.values()) {
      if (o.kind === 'schema') schemas.set(o.name, o);
    }
    for (const o of objects.values()) {
      if (o.kind === 'table') {
        relations.set(relationKey(o.schemaOid, o.name), o);
        for (const index of o.indexes) {
          const r: IndexRelation = { kind: 'index', table: o, index };
          relations.set(relationKey(o.schemaOid, index.name), r);
          indexes.set(index.oid, r);
        }
      } else if (o.kind === 'sequence' || o.kind === 'view') {
        relations.set(relationKey(o.schemaOid, o.name), o);
      }
    }
    this.schemasByName = schemas;
    this.relationsByName = relations;
    this.indexesByOid = indexes;
  }

  /** A new snapshot with `object` added or replaced. */
  with(version: number, ...changed: CatalogObject[]): Catalog {
    const objects = new Map(this.objects);
    for (const o of changed) objects.set(o.oid, o);
    return new Catalog(version, objects);
  }

  /** A new snapshot without the given objects. */
  without(version: number, ...oids: number[]): Catalog {
    const objects = new Map(this.objects);
    for (const oid of oids) objects.delete(oid);
    return new Catalog(version, objects);
  }

  schemas(): SchemaInfo[] {
    return [...this.schemasByName.values()];
  }

  tables(): TableInfo[] {
    return [...this.objects.values()].filter((o): o is TableInfo => o.kind === 'table');
  }

  sequences(): SequenceInfo[] {
    return [...this.objects.values()].filter((o): o is SequenceInfo => o.kind === 'sequence');
  }

  views(): ViewInfo[] {
    return [...this.objects.values()].filter((o): o is ViewInfo => o.kind === 'view');
  }

  /** The views whose query reads relation `oid`. */
  viewsUsing(oid: number): ViewInfo[] {
    return this.views().filter((v) => v.dependsOn.includes(oid));
  }

  schemaByName(name: string): SchemaInfo | undefined {
    return this.schemasByName.get(name);
  }

  schemaByOid(oid: number): SchemaInfo | undefined {
    const o = this.objects.get(oid);
    return o?.kind === 'schema' ? o : undefined;
  }

  tableByOid(oid: number): TableInfo | undefined {
    const o = this.objects.get(oid);
    return o?.kind === 'table' ? o : undefined;
  }

  sequenceByOid(oid: number): SequenceInfo | undefined {
    const o = this.objects.get(oid);
    return o?.kind === 'sequence' ? o : undefined;
  }

  viewByOid(oid: number): ViewInfo | undefined {
    const o = this.objects.get(oid);
    return o?.kind === 'view' ? o : undefined;
  }

  /** The relation named `name` in schema `schemaOid`, of any kind (pg_catalog's and information_schema's included). */
  relationIn(schemaOid: number, name: string): Relation | undefined {
    return this.relationsByName.get(relationKey(schemaOid, name)) ?? systemRelationIn(schemaOid, name);
  }

  /** The relation with pg_class OID `oid`, of any kind. */
  relationByOid(oid: number): Relation | undefined {
    const o = this.objects.get(oid);
    if (o?.kind === 'table' || o?.kind === 'sequence' || o?.kind === 'view') return o;
    return this.indexesByOid.get(oid) ?? systemRelationByOid(oid);
  }

  /** Whether an unqualified name finds `r` through the search path (pg_table_is_visible). */
  isRelationVisible(r: Relation, searchPath: readonly string[], user: string): boolean {
    const found = this.findRelation({ schema: null, name: relationName(r) }, searchPath, user);
    return found !== undefined && relationOid(found) === relationOid(r);
  }

  /**
   * The schemas an unqualified name is looked up in, in order: pg_catalog first unless the path
   * names it, then the path's existing schemas ("$user" is the session user's schema if it exists).
   */
  searchSchemas(searchPath: readonly string[], user: string): SchemaInfo[] {
    const out: SchemaInfo[] = [];
    const names = searchPath.map((n) => (n === '$user' ? user : n));
    if (!names.includes('pg_catalog')) {
      const pgCatalog = this.schemaByOid(PG_CATALOG_NAMESPACE_OID);
      if (pgCatalog) out.push(pgCatalog);
    }
    for (const n of names) {
      const s = this.schemaByName(n);
      if (s && !out.includes(s)) out.push(s);
    }
    return out;
  }

  /** The schema CREATE puts an unqualified name in: the first existing schema of the path. */
  creationSchema(searchPath: readonly string[], user: string, name: QualifiedName): SchemaInfo {
    if (name.schema !== null) {
      const s = this.schemaByName(name.schema);
      if (!s) throw new SqlError(SqlState.invalidSchemaName, `schema "${name.schema}" does not exist`);
      if (isBuiltinSchema(s.oid)) {
        throw new SqlError(SqlState.insufficientPrivilege, `permission denied to create "${name.schema}.${name.name}"`, { detail: 'System catalog modifications are currently disallowed.' });
      }
      return s;
    }
    for (const n of searchPath) {
      const s = this.schemaByName(n === '$user' ? user : n);
      if (s && !isBuiltinSchema(s.oid)) return s;
    }
    throw new SqlError(SqlState.invalidSchemaName, 'no schema has been selected to create in');
  }

  /** Looks a relation up by name; undefined when it does not exist. */
  findRelation(name: QualifiedName, searchPath: readonly string[], user: string): Relation | undefined {
    if (name.schema !== null) {
      // A missing schema is a missing relation for lookups (42P01), as in PostgreSQL.
      const s = this.schemaByName(name.schema);
      return s ? this.relationIn(s.oid, name.name) : undefined;
    }
    for (const s of this.searchSchemas(searchPath, user)) {
      const r = this.relationIn(s.oid, name.name);
      if (r) return r;
    }
    return undefined;
  }

  /** A table by name, or 42P01 `relation "x" does not exist` (42809 if it is not a table). */
  resolveTable(name: QualifiedName, searchPath: readonly string[], user: string): TableInfo {
    const r = this.findRelation(name, searchPath, user);
    if (!r) throw undefinedRelation(name);
    if (r.kind === 'system') throw new SqlError(SqlState.insufficientPrivilege, `permission denied: "${r.name}" is a system catalog`);
    if (r.kind !== 'table') throw new SqlError(SqlState.wrongObjectType, `"${name.name}" is not a table`);
    return r;
  }

  resolveSequence(name: QualifiedName, searchPath: readonly string[], user: string): SequenceInfo {
    const r = this.findRelation(name, searchPath, user);
    if (!r) throw undefinedRelation(name);
    if (r.kind !== 'sequence') throw new SqlError(SqlState.wrongObjectType, `"${name.name}" is not a sequence`);
    return r;
  }
}

export function undefinedRelation(name: QualifiedName): SqlError {
  return new SqlError(SqlState.undefinedTable, `relation "${formatQualifiedName(name)}" does not exist`);
}

function relationKey(schemaOid: number, name: string): string {
  return `${schemaOid}\u0000${name}`;
}
