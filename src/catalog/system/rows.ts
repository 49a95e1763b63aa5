/**
 * The rows of a system relation in its column order, then its readable system columns (tableoid,
 * xmin) for catalog tables. Rows that depend only on the catalog snapshot are computed once per
 * snapshot (snapshots are immutable); the others once per statement (the caller keeps them).
 */
import type { SqlValue } from '../../types/values.js';
import type { Catalog } from '../catalog.js';
import type { SystemCatalogContext, SystemRow } from './context.js';
import { READABLE_SYSTEM_COLUMNS, type SystemRelation } from './relations.js';
import { PG_CATALOG_BUILDERS } from './rows-pg-catalog.js';
import { INFORMATION_SCHEMA_BUILDERS } from './rows-information-schema.js';
import { PG_CATALOG_NAMESPACE_OID } from '../model.js';

/** The system columns a scan of `relation` outputs after its own columns. */
export function readableSystemColumns(relation: SystemRelation): typeof READABLE_SYSTEM_COLUMNS {
  return relation.relkind === 'r' ? READABLE_SYSTEM_COLUMNS : [];
}

const snapshotRows = new WeakMap<Catalog, Map<number, SqlValue[][]>>();
/** Session-dependent rows, per context (the engine makes one context per statement). */
const statementRows = new WeakMap<SystemCatalogContext, Map<number, SqlValue[][]>>();

function builderOf(relation: SystemRelation) {
  return (relation.schemaOid === PG_CATALOG_NAMESPACE_OID ? PG_CATALOG_BUILDERS : INFORMATION_SCHEMA_BUILDERS).get(relation.name);
}

/** Every row of `relation` (empty for relations of objects polygres does not have). */
export function systemRelationRows(relation: SystemRelation, ctx: SystemCatalogContext): SqlValue[][] {
  const builder = builderOf(relation);
  if (!builder) return [];
  if (!builder.sessionDependent) {
    let cache = snapshotRows.get(ctx.catalog);
    if (!cache) {
      cache = new Map();
      snapshotRows.set(ctx.catalog, cache);
    }
    let rows = cache.get(relation.oid);
    if (!rows) {
      rows = toArrays(relation, builder.build(ctx), ctx.catalog.version);
      cache.set(relation.oid, rows);
    }
    return rows;
  }
  let perStatement = statementRows.get(ctx);
  if (!perStatement) {
    perStatement = new Map();
    statementRows.set(ctx, perStatement);
  }
  let rows = perStatement.get(relation.oid);
  if (!rows) {
    rows = toArrays(relation, builder.build(ctx), ctx.catalog.version);
    perStatement.set(relation.oid, rows);
  }
  return rows;
}

function toArrays(relation: SystemRelation, rows: Iterable<SystemRow>, catalogVersion: number): SqlValue[][] {
  const names = relation.columns.map((c) => c.name);
  const system = readableSystemColumns(relation);
  const out: SqlValue[][] = [];
  for (const r of rows) {
    const values: SqlValue[] = names.map((n) => r[n] ?? null);
    // xmin: the catalog version, so that a tool comparing state numbers sees DDL as a change.
    for (const s of system) values.push(s.name === 'tableoid' ? relation.oid : catalogVersion);
    out.push(values);
  }
  return out;
}
