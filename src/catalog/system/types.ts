/**
 * The types pg_type lists beyond the built-in base types of src/types/registry.ts: the domains of
 * information_schema, and a composite row type for every table, view and system relation (typrelid =
 * the relation). A user table's or view's row type has the relation's own OID: OIDs are unique per catalog in
 * PostgreSQL, and this keeps row types stable without storing anything.
 */
import { allTypes, formatType, isArrayType, parseTypeName, typeByOid, type TypeRef } from '../../types/registry.js';
import { SqlError, SqlState } from '../../errors.js';
import type { Catalog, Relation } from '../catalog.js';
import { relationName, relationOid, relationSchemaOid } from '../catalog.js';
import { INFORMATION_SCHEMA_NAMESPACE_OID, PG_CATALOG_NAMESPACE_OID, type TableInfo, type ViewInfo } from '../model.js';
import { SYSTEM_RELATIONS, type SystemRelation } from './relations.js';
import { splitQualifiedName, quoteIdent } from '../names.js';
import { INFORMATION_SCHEMA_DOMAINS, domainByOid } from './domains.js';

export { INFORMATION_SCHEMA_DOMAINS, domainByOid, type DomainType } from './domains.js';

/** A relation with a row type: a user table or view, or a system relation. */
export type RowTypeRelation = TableInfo | ViewInfo | SystemRelation;

const systemByRowType = new Map(SYSTEM_RELATIONS.map((r) => [r.rowTypeOid, r]));

/** The relation whose row type is `oid`, if any. */
export function rowTypeRelation(catalog: Catalog, oid: number): RowTypeRelation | undefined {
  return catalog.tableByOid(oid) ?? catalog.viewByOid(oid) ?? systemByRowType.get(oid);
}

export function rowTypeOid(r: RowTypeRelation): number {
  return r.kind === 'system' ? r.rowTypeOid : r.oid;
}

/** Whether pg_type has a row for `oid`. */
export function typeExists(catalog: Catalog, oid: number): boolean {
  return typeByOid(oid) !== undefined || domainByOid(oid) !== undefined || rowTypeRelation(catalog, oid) !== undefined;
}

/** The schema of a type (pg_type.typnamespace). */
export function typeSchemaOid(catalog: Catalog, oid: number): number | undefined {
  if (typeByOid(oid)) return PG_CATALOG_NAMESPACE_OID;
  if (domainByOid(oid) !== undefined) return INFORMATION_SCHEMA_NAMESPACE_OID;
  const r = rowTypeRelation(catalog, oid);
  return r ? r.schemaOid : undefined;
}

/** The type's pg_type.typname. */
export function typeName(catalog: Catalog, oid: number): string | undefined {
  const d = typeByOid(oid);
  if (d) return d.typname;
  const domain = domainByOid(oid);
  if (domain) return domain.name;
  return rowTypeRelation(catalog, oid)?.name;
}

/** Whether an unqualified type name finds `oid` (pg_type_is_visible): pg_catalog first, then the path. */
export function isTypeVisible(catalog: Catalog, oid: number, searchPath: readonly string[], user: string): boolean {
  const schemaOid = typeSchemaOid(catalog, oid);
  const name = typeName(catalog, oid);
  if (schemaOid === undefined || name === undefined) return false;
  for (const s of catalog.searchSchemas(searchPath, user)) {
    const found = typeNamed(catalog, s.oid, name);
    if (found !== undefined) return found === oid;
  }
  return false;
}

/** The type named `name` in schema `schemaOid`. */
function typeNamed(catalog: Catalog, schemaOid: number, name: string): number | undefined {
  if (schemaOid === PG_CATALOG_NAMESPACE_OID) {
    const d = allTypes().find((t) => t.typname === name);
    if (d) return d.oid;
  }
  if (schemaOid === INFORMATION_SCHEMA_NAMESPACE_OID) {
    const domain = INFORMATION_SCHEMA_DOMAINS.find((x) => x.name === name);
    if (domain) return domain.oid;
  }
  const r = catalog.relationIn(schemaOid, name);
  if (r && (r.kind === 'table' || r.kind === 'view' || r.kind === 'system')) return rowTypeOid(r);
  return undefined;
}

/**
 * format_type(oid, typmod) over every type pg_type lists: the built-ins as PostgreSQL spells them,
 * domains and row types schema-qualified when not visible. `typmod` undefined is format_type(oid, NULL).
 */
export function formatCatalogType(catalog: Catalog, oid: number, typmod: number | undefined, searchPath: readonly string[], user: string): string {
  if (typeByOid(oid)) return formatType(oid, typmod);
  const name = typeName(catalog, oid);
  if (name === undefined) return '???';
  const quoted = quoteIdent(name);
  if (isTypeVisible(catalog, oid, searchPath, user)) return quoted;
  const schema = catalog.schemaByOid(typeSchemaOid(catalog, oid) ?? -1)?.name ?? '';
  return `${quoteIdent(schema)}.${quoted}`;
}

/**
 * regtype input over every type: built-in names with modifiers and arrays (parseTypeName), then
 * domains and row types by (optionally qualified) name. 42704 `type "x" does not exist` otherwise.
 */
export function typeOidFromName(catalog: Catalog, text: string, searchPath: readonly string[], user: string): number {
  try {
    return parseTypeName(text).oid;
  } catch (e) {
    if (!(e instanceof SqlError) || e.code !== SqlState.undefinedObject) throw e;
    const parts = splitQualifiedName(text.trim());
    if (parts.length === 2) {
      const schema = catalog.schemaByName(parts[0]!);
      const found = schema ? typeNamed(catalog, schema.oid, parts[1]!) : undefined;
      if (found !== undefined) return found;
    } else if (parts.length === 1) {
      for (const s of catalog.searchSchemas(searchPath, user)) {
        const found = typeNamed(catalog, s.oid, parts[0]!);
        if (found !== undefined) return found;
      }
    }
    throw e;
  }
}

/** The value type a column of declared type `oid` has (a domain's base type). */
export function valueTypeOf(oid: number, typmod: number): TypeRef {
  const domain = domainByOid(oid);
  return domain ? { oid: domain.baseType, typmod: domain.typmod } : { oid, typmod };
}

export function isArray(oid: number): boolean {
  return isArrayType(oid);
}

/** The relation a pg_class OID names, as regclass output shows it: qualified unless visible. */
export function relationDisplayName(catalog: Catalog, r: Relation, searchPath: readonly string[], user: string): string {
  const name = quoteIdent(relationName(r));
  if (catalog.isRelationVisible(r, searchPath, user)) return name;
  return `${quoteIdent(catalog.schemaByOid(relationSchemaOid(r))?.name ?? '')}.${name}`;
}

export { relationOid };
