/**
 * The rows of the information_schema views, as PostgreSQL 15's view definitions compute them over
 * pg_catalog (written anew for polygres's catalog; the column facts follow the definitions of
 * information_schema.columns: _pg_char_max_length, _pg_numeric_precision, _pg_datetime_precision...).
 * The current role is a superuser, so every object is listed.
 */
import { Oid } from '../../types/oids.js';
import { charTypmodLength, intervalTypmodPrecision, intervalTypmodRange, isArrayType, numericTypmodPrecision, numericTypmodScale, typeByOid, formatType, INTERVAL_FULL_PRECISION, INTERVAL_FULL_RANGE, IntervalField } from '../../types/registry.js';
import type { ColumnInfo, ConstraintInfo, ForeignKeyAction, SchemaInfo, TableInfo, ViewInfo } from '../model.js';
import type { SystemCatalogContext, SystemRow, ProcEntry } from './context.js';
import { allSchemas, constraintDefinition, referencedConstraint, schemaOwnerOid, roles, collationOf, viewDefinition } from './facts.js';
import { SYSTEM_RELATIONS, type SystemRelation } from './relations.js';
import { domainByOid, typeName, typeSchemaOid } from './types.js';

type Builder = (ctx: SystemCatalogContext) => Iterable<SystemRow>;

const YES = 'YES';
const NO = 'NO';
const yesNo = (b: boolean): string => (b ? YES : NO);

/** PostgreSQL's maximum bytes per character in UTF8 (pg_encoding_max_length). */
const MAX_UTF8_CHAR_BYTES = 4;
/** character_octet_length of an unlimited string: 1 GB. */
const UNLIMITED_OCTET_LENGTH = 1073741824;

function schemaName(ctx: SystemCatalogContext, oid: number): string | null {
  return ctx.catalog.schemaByOid(oid)?.name ?? null;
}

/** The per-type facts information_schema.columns, attributes, routines and parameters show. */
export function typeFacts(oid: number, typmod: number): {
  charMaxLength: number | null;
  charOctetLength: number | null;
  numericPrecision: number | null;
  numericPrecisionRadix: number | null;
  numericScale: number | null;
  datetimePrecision: number | null;
  intervalType: string | null;
} {
  const charMaxLength = (oid === Oid.varchar || oid === Oid.bpchar) && typmod >= 0 ? charTypmodLength(typmod) : null;
  const charOctetLength = oid === Oid.text || oid === Oid.varchar || oid === Oid.bpchar ? (charMaxLength === null ? UNLIMITED_OCTET_LENGTH : charMaxLength * MAX_UTF8_CHAR_BYTES) : null;
  let numericPrecision: number | null = null;
  let numericPrecisionRadix: number | null = null;
  let numericScale: number | null = null;
  switch (oid) {
    case Oid.int2:
    case Oid.int4:
    case Oid.int8:
      numericPrecision = oid === Oid.int2 ? 16 : oid === Oid.int4 ? 32 : 64;
      numericPrecisionRadix = 2;
      numericScale = 0;
      break;
    case Oid.float4:
    case Oid.float8:
      numericPrecision = oid === Oid.float4 ? 24 : 53;
      numericPrecisionRadix = 2;
      break;
    case Oid.numeric:
      numericPrecision = typmod < 0 ? null : numericTypmodPrecision(typmod);
      numericPrecisionRadix = 10;
      numericScale = typmod < 0 ? null : numericTypmodScale(typmod);
      break;
  }
  let datetimePrecision: number | null = null;
  let intervalType: string | null = null;
  if (oid === Oid.date) datetimePrecision = 0;
  else if (oid === Oid.time || oid === Oid.timetz || oid === Oid.timestamp || oid === Oid.timestamptz) datetimePrecision = typmod < 0 ? 6 : typmod;
  else if (oid === Oid.interval) {
    const precision = intervalTypmodPrecision(typmod);
    datetimePrecision = typmod < 0 || precision === INTERVAL_FULL_PRECISION ? 6 : precision;
    const range = intervalTypmodRange(typmod);
    if (typmod >= 0 && range !== INTERVAL_FULL_RANGE) intervalType = intervalFields(range);
  }
  return { charMaxLength, charOctetLength, numericPrecision, numericPrecisionRadix, numericScale, datetimePrecision, intervalType };
}

function intervalFields(range: number): string | null {
  const names: Array<[number, string]> = [[IntervalField.year, 'YEAR'], [IntervalField.month, 'MONTH'], [IntervalField.day, 'DAY'], [IntervalField.hour, 'HOUR'], [IntervalField.minute, 'MINUTE'], [IntervalField.second, 'SECOND']];
  const present = names.filter(([bit]) => (range & bit) !== 0).map(([, n]) => n);
  if (present.length === 0) return null;
  return present.length === 1 ? present[0]! : `${present[0]} TO ${present[present.length - 1]}`;
}

/** information_schema's data_type: ARRAY, the SQL name of a built-in, or USER-DEFINED. */
function dataTypeOf(ctx: SystemCatalogContext, oid: number): string {
  if (isArrayType(oid)) return 'ARRAY';
  if (typeByOid(oid)) return formatType(oid);
  const domain = domainByOid(oid);
  if (domain) return formatType(domain.baseType);
  return ctx.catalog.tableByOid(oid) ? 'USER-DEFINED' : 'USER-DEFINED';
}

function udt(ctx: SystemCatalogContext, oid: number): { udt_catalog: string; udt_schema: string | null; udt_name: string | null } {
  return { udt_catalog: ctx.database, udt_schema: schemaName(ctx, typeSchemaOid(ctx.catalog, oid) ?? -1), udt_name: typeName(ctx.catalog, oid) ?? null };
}

/** One column of information_schema.columns (a table's or a system relation's). */
function columnRow(
  ctx: SystemCatalogContext,
  owner: { schemaOid: number; name: string; isView: boolean },
  column: { name: string; attnum: number; typeOid: number; typmod: number; notNull: boolean; defaultText: string | null; identity: string; sequence?: { start: string; increment: string; max: string; min: string; cycle: boolean }; updatable?: boolean },
): SystemRow {
  const domain = domainByOid(column.typeOid);
  const base = domain ? domain.baseType : column.typeOid;
  const typmod = domain ? domain.typmod : column.typmod;
  const facts = typeFacts(base, typmod);
  const collation = collationOf(column.typeOid);
  const collationName = collation === 950 ? 'C' : null;
  return {
    table_catalog: ctx.database,
    table_schema: schemaName(ctx, owner.schemaOid),
    table_name: owner.name,
    column_name: column.name,
    ordinal_position: column.attnum,
    column_default: column.defaultText,
    is_nullable: yesNo(!column.notNull),
    data_type: dataTypeOf(ctx, column.typeOid),
    character_maximum_length: facts.charMaxLength,
    character_octet_length: facts.charOctetLength,
    numeric_precision: facts.numericPrecision,
    numeric_precision_radix: facts.numericPrecisionRadix,
    numeric_scale: facts.numericScale,
    datetime_precision: facts.datetimePrecision,
    interval_type: facts.intervalType,
    interval_precision: null,
    collation_catalog: collationName ? ctx.database : null,
    collation_schema: collationName ? 'pg_catalog' : null,
    collation_name: collationName,
    domain_catalog: domain ? ctx.database : null,
    domain_schema: domain ? 'information_schema' : null,
    domain_name: domain ? domain.name : null,
    ...udt(ctx, base),
    scope_catalog: null,
    scope_schema: null,
    scope_name: null,
    maximum_cardinality: null,
    dtd_identifier: String(column.attnum),
    is_self_referencing: NO,
    is_identity: yesNo(column.identity !== ''),
    identity_generation: column.identity === 'a' ? 'ALWAYS' : column.identity === 'd' ? 'BY DEFAULT' : null,
    identity_start: column.identity ? (column.sequence?.start ?? null) : null,
    identity_increment: column.identity ? (column.sequence?.increment ?? null) : null,
    identity_maximum: column.identity ? (column.sequence?.max ?? null) : null,
    identity_minimum: column.identity ? (column.sequence?.min ?? null) : null,
    identity_cycle: column.identity ? yesNo(column.sequence?.cycle ?? false) : NO,
    is_generated: 'NEVER',
    generation_expression: null,
    is_updatable: yesNo(column.updatable ?? !owner.isView),
  };
}

function* columns(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const r of SYSTEM_RELATIONS) {
    for (const c of r.columns) {
      yield columnRow(ctx, { schemaOid: r.schemaOid, name: r.name, isView: r.relkind === 'v' }, { name: c.name, attnum: c.attnum, typeOid: c.declaredType, typmod: c.type.oid === c.declaredType ? c.type.typmod : -1, notNull: c.notNull, defaultText: null, identity: '' });
    }
  }
  for (const t of ctx.catalog.tables()) {
    for (const c of t.columns) {
      const seq = c.sequenceOid !== undefined ? ctx.catalog.sequenceByOid(c.sequenceOid) : undefined;
      yield columnRow(ctx, { schemaOid: t.schemaOid, name: t.name, isView: false }, {
        name: c.name, attnum: c.attnum, typeOid: c.type.oid, typmod: c.type.typmod, notNull: c.notNull, defaultText: c.default?.text ?? null, identity: c.identity, sequence: seq,
      });
    }
  }
  for (const v of ctx.catalog.views()) {
    for (const c of v.columns) {
      yield columnRow(ctx, { schemaOid: v.schemaOid, name: v.name, isView: true }, { name: c.name, attnum: c.attnum, typeOid: c.type.oid, typmod: c.type.typmod, notNull: false, defaultText: null, identity: '', updatable: c.updatable === true });
    }
  }
}

function* schemata(ctx: SystemCatalogContext): Iterable<SystemRow> {
  const owners = roles(ctx.catalog, ctx.user);
  for (const s of allSchemas(ctx.catalog)) {
    yield { catalog_name: ctx.database, schema_name: s.name, schema_owner: owners.find((r) => r.oid === schemaOwnerOid(s))?.name ?? s.owner, default_character_set_catalog: null, default_character_set_schema: null, default_character_set_name: null, sql_path: null };
  }
}

function tableRow(ctx: SystemCatalogContext, schemaOid: number, name: string, type: 'BASE TABLE' | 'VIEW', insertable = type === 'BASE TABLE'): SystemRow {
  return {
    table_catalog: ctx.database, table_schema: schemaName(ctx, schemaOid), table_name: name, table_type: type, self_referencing_column_name: null,
    reference_generation: null, user_defined_type_catalog: null, user_defined_type_schema: null, user_defined_type_name: null,
    is_insertable_into: yesNo(insertable), is_typed: NO, commit_action: null,
  };
}

/** An automatically updatable view with a column INSERT and UPDATE can write (pg_relation_is_updatable). */
function viewIsUpdatable(v: ViewInfo): boolean {
  return v.columns.some((c) => c.updatable === true);
}

function* tables(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const r of SYSTEM_RELATIONS) yield tableRow(ctx, r.schemaOid, r.name, r.relkind === 'r' ? 'BASE TABLE' : 'VIEW');
  for (const t of ctx.catalog.tables()) yield tableRow(ctx, t.schemaOid, t.name, 'BASE TABLE');
  for (const v of ctx.catalog.views()) yield tableRow(ctx, v.schemaOid, v.name, 'VIEW', viewIsUpdatable(v));
}

function* views(ctx: SystemCatalogContext): Iterable<SystemRow> {
  const row = (schemaOid: number, name: string, definition: string | null, updatable: boolean): SystemRow => ({
    table_catalog: ctx.database, table_schema: schemaName(ctx, schemaOid), table_name: name, view_definition: definition, check_option: 'NONE', is_updatable: yesNo(updatable),
    is_insertable_into: yesNo(updatable), is_trigger_updatable: NO, is_trigger_deletable: NO, is_trigger_insertable_into: NO,
  });
  for (const r of SYSTEM_RELATIONS) if (r.relkind === 'v') yield row(r.schemaOid, r.name, null, false);
  for (const v of ctx.catalog.views()) yield row(v.schemaOid, v.name, viewDefinition(v, ctx.catalog, ctx.searchPath, ctx.user), viewIsUpdatable(v));
}

const CONSTRAINT_TYPES: Readonly<Record<ConstraintInfo['type'], string>> = { p: 'PRIMARY KEY', u: 'UNIQUE', f: 'FOREIGN KEY', c: 'CHECK' };

/** The NOT NULL columns of a table, which information_schema lists as CHECK constraints. */
interface NotNullConstraint {
  readonly schemaOid: number;
  readonly tableOid: number;
  readonly tableName: string;
  readonly column: string;
  readonly attnum: number;
}

function notNullConstraints(ctx: SystemCatalogContext): NotNullConstraint[] {
  const out: NotNullConstraint[] = [];
  for (const r of SYSTEM_RELATIONS) {
    if (r.relkind !== 'r') continue;
    for (const c of r.columns) if (c.notNull) out.push({ schemaOid: r.schemaOid, tableOid: r.oid, tableName: r.name, column: c.name, attnum: c.attnum });
  }
  for (const t of ctx.catalog.tables()) {
    for (const c of t.columns) if (c.notNull) out.push({ schemaOid: t.schemaOid, tableOid: t.oid, tableName: t.name, column: c.name, attnum: c.attnum });
  }
  return out;
}

function notNullName(n: NotNullConstraint): string {
  return `${n.schemaOid}_${n.tableOid}_${n.attnum}_not_null`;
}

function* tableConstraints(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    for (const c of t.constraints) {
      const schema = schemaName(ctx, t.schemaOid);
      yield {
        constraint_catalog: ctx.database, constraint_schema: schema, constraint_name: c.name, table_catalog: ctx.database, table_schema: schema, table_name: t.name,
        constraint_type: CONSTRAINT_TYPES[c.type], is_deferrable: NO, initially_deferred: NO, enforced: YES, nulls_distinct: c.type === 'p' || c.type === 'u' ? YES : null,
      };
    }
  }
  for (const n of notNullConstraints(ctx)) {
    const schema = schemaName(ctx, n.schemaOid);
    yield {
      constraint_catalog: ctx.database, constraint_schema: schema, constraint_name: notNullName(n), table_catalog: ctx.database, table_schema: schema, table_name: n.tableName,
      constraint_type: 'CHECK', is_deferrable: NO, initially_deferred: NO, enforced: YES, nulls_distinct: null,
    };
  }
}

function column(table: TableInfo, attnum: number): ColumnInfo | undefined {
  return table.columns.find((c) => c.attnum === attnum);
}

function* keyColumnUsage(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    const schema = schemaName(ctx, t.schemaOid);
    for (const c of t.constraints) {
      if (c.type === 'c') continue;
      const unique = c.type === 'f' ? referencedConstraint(ctx.catalog, c) : undefined;
      let position = 0;
      for (const attnum of c.columns) {
        position++;
        const col = column(t, attnum);
        if (!col) continue;
        const refAttnum = c.foreignKey?.refColumns[position - 1];
        const inUnique = unique && refAttnum !== undefined ? unique.constraint.columns.indexOf(refAttnum) + 1 : 0;
        yield {
          constraint_catalog: ctx.database, constraint_schema: schema, constraint_name: c.name, table_catalog: ctx.database, table_schema: schema, table_name: t.name,
          column_name: col.name, ordinal_position: position, position_in_unique_constraint: c.type === 'f' ? (inUnique > 0 ? inUnique : null) : null,
        };
      }
    }
  }
}

function* constraintColumnUsage(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    const schema = schemaName(ctx, t.schemaOid);
    for (const c of t.constraints) {
      const table = c.type === 'f' ? ctx.catalog.tableByOid(c.foreignKey!.refTableOid) : t;
      if (!table) continue;
      const attnums = c.type === 'f' ? c.foreignKey!.refColumns : c.columns;
      const names = new Set<string>();
      for (const a of attnums) {
        const col = column(table, a);
        if (col) names.add(col.name);
      }
      for (const name of names) {
        yield {
          table_catalog: ctx.database, table_schema: schemaName(ctx, table.schemaOid), table_name: table.name, column_name: name,
          constraint_catalog: ctx.database, constraint_schema: schema, constraint_name: c.name,
        };
      }
    }
  }
}

const RULES: Readonly<Record<ForeignKeyAction, string>> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

function* referentialConstraints(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    const schema = schemaName(ctx, t.schemaOid);
    for (const c of t.constraints) {
      if (c.type !== 'f') continue;
      const unique = referencedConstraint(ctx.catalog, c);
      yield {
        constraint_catalog: ctx.database, constraint_schema: schema, constraint_name: c.name,
        unique_constraint_catalog: unique ? ctx.database : null, unique_constraint_schema: unique ? schemaName(ctx, unique.table.schemaOid) : null,
        unique_constraint_name: unique?.constraint.name ?? null, match_option: 'NONE', update_rule: RULES[c.foreignKey!.onUpdate], delete_rule: RULES[c.foreignKey!.onDelete],
      };
    }
  }
}

function* checkConstraints(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const t of ctx.catalog.tables()) {
    const schema = schemaName(ctx, t.schemaOid);
    for (const c of t.constraints) {
      if (c.type !== 'c') continue;
      const def = constraintDefinition(ctx.catalog, t, c, false, ctx.searchPath, ctx.user);
      yield { constraint_catalog: ctx.database, constraint_schema: schema, constraint_name: c.name, check_clause: def.slice('CHECK '.length) };
    }
  }
  for (const n of notNullConstraints(ctx)) {
    yield { constraint_catalog: ctx.database, constraint_schema: schemaName(ctx, n.schemaOid), constraint_name: notNullName(n), check_clause: `${n.column} IS NOT NULL` };
  }
}

function* sequences(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const s of ctx.catalog.sequences()) {
    const facts = typeFacts(s.typeOid, -1);
    yield {
      sequence_catalog: ctx.database, sequence_schema: schemaName(ctx, s.schemaOid), sequence_name: s.name, data_type: formatType(s.typeOid),
      numeric_precision: facts.numericPrecision, numeric_precision_radix: facts.numericPrecisionRadix, numeric_scale: facts.numericScale,
      start_value: s.start, minimum_value: s.min, maximum_value: s.max, increment: s.increment, cycle_option: yesNo(s.cycle),
    };
  }
}

function specificName(p: ProcEntry): string {
  return `${p.name}_${p.oid}`;
}

function* routines(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const p of ctx.procs) {
    const schema = schemaName(ctx, p.schemaOid);
    const ret = p.outColumns ? Oid.record : p.returnType;
    yield {
      specific_catalog: ctx.database, specific_schema: schema, specific_name: specificName(p), routine_catalog: ctx.database, routine_schema: schema,
      routine_name: p.name, routine_type: p.kind === 'f' ? 'FUNCTION' : null, data_type: dataTypeOf(ctx, ret), ...prefixed('type_', udt(ctx, ret)),
      dtd_identifier: '0', routine_body: 'EXTERNAL', routine_definition: p.source ?? p.name, external_name: null, external_language: 'INTERNAL',
      parameter_style: 'GENERAL', is_deterministic: yesNo(p.volatility === 'i'), sql_data_access: 'MODIFIES', is_null_call: yesNo(p.strict),
      schema_level_routine: YES, is_user_defined_cast: NO, is_implicitly_invocable: null, security_type: 'INVOKER', as_locator: NO, is_udt_dependent: NO,
      result_cast_as_locator: null, new_savepoint_level: null, is_implicitly_invocable_text: null,
    };
  }
}

function prefixed(prefix: string, row: Record<string, string | null>): SystemRow {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [`${prefix}${k}`, v]));
}

function* parameters(ctx: SystemCatalogContext): Iterable<SystemRow> {
  for (const p of ctx.procs) {
    const schema = schemaName(ctx, p.schemaOid);
    const all = [...p.argTypes.map((t) => ({ type: t, mode: 'IN', name: null as string | null })), ...(p.outColumns ?? []).map((o) => ({ type: o.type, mode: 'OUT', name: o.name }))];
    let position = 0;
    for (const a of all) {
      position++;
      yield {
        specific_catalog: ctx.database, specific_schema: schema, specific_name: specificName(p), ordinal_position: position, parameter_mode: a.mode,
        is_result: NO, as_locator: NO, parameter_name: a.name, data_type: dataTypeOf(ctx, a.type), ...udt(ctx, a.type), dtd_identifier: String(position), parameter_default: null,
      };
    }
  }
}

function* characterSets(ctx: SystemCatalogContext): Iterable<SystemRow> {
  yield {
    character_set_catalog: null, character_set_schema: null, character_set_name: 'UTF8', character_repertoire: 'UCS', form_of_use: 'UTF8',
    default_collate_catalog: ctx.database, default_collate_schema: null, default_collate_name: null,
  };
}

export const INFORMATION_SCHEMA_BUILDERS: ReadonlyMap<string, { readonly build: Builder; readonly sessionDependent: boolean }> = new Map<string, { build: Builder; sessionDependent: boolean }>([
  ['schemata', { build: schemata, sessionDependent: true }],
  ['tables', { build: tables, sessionDependent: true }],
  ['columns', { build: columns, sessionDependent: true }],
  ['views', { build: views, sessionDependent: true }],
  ['table_constraints', { build: tableConstraints, sessionDependent: true }],
  ['key_column_usage', { build: keyColumnUsage, sessionDependent: true }],
  ['constraint_column_usage', { build: constraintColumnUsage, sessionDependent: true }],
  ['referential_constraints', { build: referentialConstraints, sessionDependent: true }],
  ['check_constraints', { build: checkConstraints, sessionDependent: true }],
  ['sequences', { build: sequences, sessionDependent: true }],
  ['routines', { build: routines, sessionDependent: true }],
  ['parameters', { build: parameters, sessionDependent: true }],
  ['character_sets', { build: characterSets, sessionDependent: true }],
]);

export type { SchemaInfo, SystemRelation };
