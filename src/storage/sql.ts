/**
 * SQL generation shared by the SQLite and PostgreSQL adapters: the two dialects agree on everything
 * here (quoted identifiers, `INSERT ... ON CONFLICT`, `LIMIT`, `LIKE ... ESCAPE`) except what the
 * SqlDialect supplies: physical table names, parameter placeholders, column types and value encoding.
 * Statements are built from operations that already passed operation-checker.ts.
 */
import type {
  ColumnDefinition, ColumnPredicate, DataType, Delete, Filter, Get, IndexScan, Key, Mutation, PartitionScan, Put, Row,
  ScanAll, TableMetadata, TableRef, Value,
} from './types.js';
import type { TableSchema } from './operation-checker.js';
import { clusteringOrderIndexName, hasMixedClusteringOrder, orderColumns, secondaryIndexName } from './scalardb-layout.js';

/** What a column is used for decides its physical type in some storages (ScalarDB's key/index types). */
export type ColumnRole = 'key' | 'index' | 'plain';

export interface SqlDialect {
  quote(identifier: string): string;
  /** The quoted physical name of a table. */
  tableName(ref: TableRef): string;
  /** Placeholder for the 1-based parameter `index`, holding a value of `type`. */
  placeholder(index: number, type: DataType): string;
  /** The driver parameter for a checked value of `type` (never called with null). */
  encode(type: DataType, value: Exclude<Value, null>): unknown;
  /** The select-list expression that reads `column` in the form `decode` expects. */
  selectExpression(column: ColumnDefinition): string;
  /** The driver's result value back to a Value (never called with null). */
  decode(type: DataType, raw: unknown): Value;
  columnType(type: DataType, role: ColumnRole): string;
  /** `ESCAPE` clause making `\` the LIKE escape, in the dialect's string-literal syntax. */
  readonly likeEscape: string;

  // ---- DDL where the storages differ (ScalarDB's RdbEngine methods) ----
  /** A text column of at most `maxChars` characters (ScalarDB's getTextType, used by the metadata tables). */
  textType(maxChars: number): string;
  createNamespaceStatements(namespace: string): string[];
  dropNamespaceStatements(namespace: string): string[];
  /** Statements creating the container of the metadata tables (a schema), if the storage has one. */
  metadataNamespaceStatements(): string[];
  truncateStatement(ref: TableRef): string;
  dropIndexStatement(ref: TableRef, indexName: string): string;
  /** ALTER for a column whose physical type differs once it is (or stops being) indexed; null if none. */
  indexedColumnTypeStatement(ref: TableRef, column: ColumnDefinition, indexed: boolean): string | null;
  /** Whether a mixed ASC/DESC clustering key gets its own unique index (PostgreSQL yes, SQLite no). */
  readonly createsClusteringOrderIndex: boolean;
}

export interface SqlStatement {
  readonly text: string;
  readonly params: unknown[];
}

/** A SELECT and the columns of its result, in order. */
export interface SqlQuery extends SqlStatement {
  readonly columns: readonly ColumnDefinition[];
}

/**
 * A write and what its row count means: `conditional` writes were applied iff exactly one row changed;
 * unconditional ones always apply.
 */
export interface SqlMutation extends SqlStatement {
  readonly conditional: boolean;
  /** Set when built from a Mutation: equal shapes (of one table) have equal texts. */
  readonly shape?: string;
}

/** Statement texts kept per table, by shape; beyond this many a table's texts are dropped. */
const MAX_SHAPES_PER_TABLE = 256;
/** Texts are kept for statements whose placeholders start at most here (the first parts of a combined statement). */
const MAX_CACHED_FIRST_PARAM = 256;

class Params {
  readonly values: unknown[] = [];
  /** `firstIndex`: the number of the first placeholder (statements combined into one number on). */
  constructor(
    private readonly dialect: SqlDialect,
    private readonly firstIndex = 1,
  ) {}

  add(type: DataType, value: Value): string {
    this.values.push(value === null ? null : this.dialect.encode(type, value));
    return this.dialect.placeholder(this.firstIndex + this.values.length - 1, type);
  }
}

export class SqlBuilder {
  /** The text of a get of every column, by table: the same for every key (Consensus Commit's reads). */
  readonly #wholeRecordGets = new WeakMap<TableSchema, { readonly text: string; readonly columns: readonly ColumnDefinition[] }>();
  /** Texts of mutations by table and shape (see `mutation`). */
  readonly #mutationTexts = new WeakMap<TableSchema, Map<string, string>>();

  constructor(readonly dialect: SqlDialect) {}

  selectGet(schema: TableSchema, op: Get): SqlQuery {
    const params = new Params(this.dialect);
    const key = [...op.partitionKey, ...(op.clusteringKey ?? [])];
    const cached = op.projection === undefined ? this.#wholeRecordGets.get(schema) : undefined;
    if (cached) {
      schema.keyColumns.forEach((c, i) => params.add(c.type, key[i]!));
      return { text: cached.text, params: params.values, columns: cached.columns };
    }
    const columns = this.#projected(schema, op.projection);
    const where = this.#keyConditions(schema.keyColumns, key, params);
    const text = `SELECT ${this.#selectList(columns)} FROM ${this.dialect.tableName(schema)} WHERE ${where.join(' AND ')}`;
    if (op.projection === undefined) this.#wholeRecordGets.set(schema, { text, columns });
    return { text, params: params.values, columns };
  }

  selectPartition(schema: TableSchema, op: PartitionScan): SqlQuery {
    const params = new Params(this.dialect);
    const columns = this.#projected(schema, op.projection);
    const where = this.#keyConditions(schema.partitionColumns, op.partitionKey, params);
    where.push(...this.#boundConditions(schema, op, params));
    const order = schema.clusteringColumns.map((c) => {
      const ascending = (c.order === 'ASC') !== (op.reverse === true);
      return `${this.dialect.quote(c.name)} ${ascending ? 'ASC' : 'DESC'}`;
    });
    const orderBy = order.length > 0 ? ` ORDER BY ${order.join(', ')}` : '';
    return {
      text: `SELECT ${this.#selectList(columns)} FROM ${this.dialect.tableName(schema)} WHERE ${where.join(' AND ')}${orderBy}${limitClause(op.limit)}`,
      params: params.values,
      columns,
    };
  }

  selectIndex(schema: TableSchema, op: IndexScan): SqlQuery {
    const params = new Params(this.dialect);
    const columns = this.#projected(schema, op.projection);
    const column = schema.column(op.column);
    const where = `${this.dialect.quote(column.name)} = ${params.add(column.type, op.value)}`;
    return { text: `SELECT ${this.#selectList(columns)} FROM ${this.dialect.tableName(schema)} WHERE ${where}${limitClause(op.limit)}`, params: params.values, columns };
  }

  selectAll(schema: TableSchema, op: ScanAll): SqlQuery {
    const params = new Params(this.dialect);
    const columns = this.#projected(schema, op.projection);
    const where = op.filter && op.filter.length > 0 ? ` WHERE ${this.#filter(schema, op.filter, params)}` : '';
    return { text: `SELECT ${this.#selectList(columns)} FROM ${this.dialect.tableName(schema)}${where}${limitClause(op.limit)}`, params: params.values, columns };
  }

  /**
   * `firstParam`: the number of its first placeholder, when the statement becomes part of a larger one.
   *
   * The text depends only on the mutation's shape (kind, condition, the names of the columns it sets,
   * its predicates' columns and operators): it is built once per shape, and later mutations of the
   * shape only encode their operands (`mutationOperands`, which lists them in placeholder order;
   * every newly built text checks that it agrees).
   */
  mutation(schema: TableSchema, m: Mutation, firstParam = 1): SqlMutation {
    // Deep inside a large multi-mutation, shapes seldom repeat: not worth keeping.
    if (firstParam > MAX_CACHED_FIRST_PARAM) return this.#buildMutation(schema, m, firstParam);
    const shape = mutationShape(m, firstParam);
    let texts = this.#mutationTexts.get(schema);
    if (!texts) this.#mutationTexts.set(schema, (texts = new Map()));
    const text = texts.get(shape);
    const conditional = m.condition !== undefined;
    if (text !== undefined) {
      const params = mutationOperands(schema, m).map(([type, value]) => (value === null ? null : this.dialect.encode(type, value)));
      return { text, params, conditional, shape };
    }
    const built = this.#buildMutation(schema, m, firstParam);
    const operands = mutationOperands(schema, m).map(([type, value]) => (value === null ? null : this.dialect.encode(type, value)));
    if (built.conditional !== conditional || operands.length !== built.params.length || operands.some((v, i) => !sameParam(v, built.params[i]))) {
      throw new Error(`internal error: the operands of a ${m.type} do not match its statement`);
    }
    if (texts.size >= MAX_SHAPES_PER_TABLE) texts.clear();
    texts.set(shape, built.text);
    return { ...built, shape };
  }

  #buildMutation(schema: TableSchema, m: Mutation, firstParam: number): SqlMutation {
    const params = new Params(this.dialect, firstParam);
    if (m.type === 'put') {
      switch (m.condition?.kind) {
        case undefined:
          return { ...this.#insert(schema, m, 'update', params), conditional: false };
        case 'ifNotExists':
          return { ...this.#insert(schema, m, 'nothing', params), conditional: true };
        case 'ifExists':
          return { ...this.#update(schema, m, [], params), conditional: true };
        case 'if':
          return { ...this.#update(schema, m, m.condition.predicates, params), conditional: true };
      }
    }
    switch (m.condition?.kind) {
      case undefined:
        return { ...this.#delete(schema, m, [], params), conditional: false };
      case 'ifExists':
        return { ...this.#delete(schema, m, [], params), conditional: true };
      case 'if':
        return { ...this.#delete(schema, m, m.condition.predicates, params), conditional: true };
      default:
        throw new Error('unreachable: operation-checker rejects other delete conditions');
    }
  }

  /**
   * PutIfNotExists inserts and does nothing on a key conflict (the row count says whether it applied,
   * and no unique-violation error aborts an enclosing transaction); a plain put is an upsert.
   */
  #insert(schema: TableSchema, put: Put, onConflict: 'nothing' | 'update', params: Params): SqlStatement {
    const names: string[] = [];
    const placeholders: string[] = [];
    const key = [...put.partitionKey, ...(put.clusteringKey ?? [])];
    schema.keyColumns.forEach((column, i) => {
      names.push(this.dialect.quote(column.name));
      placeholders.push(params.add(column.type, key[i]!));
    });
    const valueNames = Object.keys(put.values);
    for (const name of valueNames) {
      names.push(this.dialect.quote(name));
      placeholders.push(params.add(schema.column(name).type, put.values[name]!));
    }
    const keyList = schema.keyColumns.map((c) => this.dialect.quote(c.name)).join(', ');
    const conflict = onConflict === 'update' && valueNames.length > 0
      ? `ON CONFLICT (${keyList}) DO UPDATE SET ${valueNames.map((n) => `${this.dialect.quote(n)} = excluded.${this.dialect.quote(n)}`).join(', ')}`
      : 'ON CONFLICT DO NOTHING';
    return { text: `INSERT INTO ${this.dialect.tableName(schema)} (${names.join(', ')}) VALUES (${placeholders.join(', ')}) ${conflict}`, params: params.values };
  }

  #update(schema: TableSchema, put: Put, predicates: readonly ColumnPredicate[], params: Params): SqlStatement {
    const assignments = Object.keys(put.values).map((name) => `${this.dialect.quote(name)} = ${params.add(schema.column(name).type, put.values[name]!)}`);
    if (assignments.length === 0) {
      // A conditional put of no values still has to match (and lock) the row to report whether it applied.
      const first = this.dialect.quote(schema.keyColumns[0]!.name);
      assignments.push(`${first} = ${first}`);
    }
    const where = this.#recordConditions(schema, put, predicates, params);
    return { text: `UPDATE ${this.dialect.tableName(schema)} SET ${assignments.join(', ')} WHERE ${where}`, params: params.values };
  }

  #delete(schema: TableSchema, del: Delete, predicates: readonly ColumnPredicate[], params: Params): SqlStatement {
    const where = this.#recordConditions(schema, del, predicates, params);
    return { text: `DELETE FROM ${this.dialect.tableName(schema)} WHERE ${where}`, params: params.values };
  }

  #recordConditions(schema: TableSchema, m: Mutation, predicates: readonly ColumnPredicate[], params: Params): string {
    const conditions = this.#keyConditions(schema.keyColumns, [...m.partitionKey, ...(m.clusteringKey ?? [])], params);
    for (const p of predicates) conditions.push(this.#predicate(schema, p, params));
    return conditions.join(' AND ');
  }

  #keyConditions(columns: readonly ColumnDefinition[], key: Key, params: Params): string[] {
    return key.map((value, i) => `${this.dialect.quote(columns[i]!.name)} = ${params.add(columns[i]!.type, value)}`);
  }

  /**
   * ScalarDB's range semantics: every bound column but the last is an equality, the last one a
   * comparison (not a lexicographic tuple comparison).
   */
  #boundConditions(schema: TableSchema, op: PartitionScan, params: Params): string[] {
    const conditions: string[] = [];
    const bounds = [op.start && { ...op.start, lower: true }, op.end && { ...op.end, lower: false }].filter((b) => b !== undefined);
    const prefix = bounds[0]?.key.slice(0, -1) ?? [];
    conditions.push(...this.#keyConditions(schema.clusteringColumns, prefix, params));
    for (const bound of bounds) {
      const column = schema.clusteringColumns[bound.key.length - 1]!;
      const op = bound.lower ? (bound.inclusive ? '>=' : '>') : bound.inclusive ? '<=' : '<';
      conditions.push(`${this.dialect.quote(column.name)} ${op} ${params.add(column.type, bound.key[bound.key.length - 1]!)}`);
    }
    return conditions;
  }

  #filter(schema: TableSchema, filter: Filter, params: Params): string {
    return filter
      .map((conjunction) => (conjunction.length === 0 ? '(1 = 1)' : `(${conjunction.map((p) => this.#predicate(schema, p, params)).join(' AND ')})`))
      .join(' OR ');
  }

  #predicate(schema: TableSchema, p: ColumnPredicate, params: Params): string {
    const column = schema.column(p.column);
    const name = this.dialect.quote(column.name);
    switch (p.op) {
      case 'IS_NULL':
        return `${name} IS NULL`;
      case 'IS_NOT_NULL':
        return `${name} IS NOT NULL`;
      case 'LIKE':
        return `${name} LIKE ${params.add(column.type, p.value ?? null)} ${this.dialect.likeEscape}`;
      case 'NOT_LIKE':
        return `${name} NOT LIKE ${params.add(column.type, p.value ?? null)} ${this.dialect.likeEscape}`;
      default:
        // A NULL operand makes the comparison NULL, i.e. false, as in SQL.
        return `${name} ${COMPARISON_SQL[p.op]} ${params.add(column.type, p.value ?? null)}`;
    }
  }

  #projected(schema: TableSchema, projection: readonly string[] | undefined): ColumnDefinition[] {
    if (projection === undefined) return [...schema.columns.values()];
    return [...new Set(projection)].map((name) => schema.column(name));
  }

  #selectList(columns: readonly ColumnDefinition[]): string {
    return columns.map((c) => this.dialect.selectExpression(c)).join(', ');
  }

  /** The result row of a query (an array of raw values in select-list order) as a Row. */
  decodeRow(columns: readonly ColumnDefinition[], raw: readonly unknown[]): Row {
    const row: Row = {};
    columns.forEach((column, i) => {
      const value = raw[i];
      row[column.name] = value === null || value === undefined ? null : this.dialect.decode(column.type, value);
    });
    return row;
  }

  // ---- DDL (ScalarDB's JdbcAdmin statements) ----

  /** CREATE TABLE, then the mixed-order clustering index when the dialect keeps one. */
  createTable(metadata: TableMetadata): string[] {
    const keyNames = new Set([...metadata.partitionKey, ...metadata.clusteringKey.map((c) => c.name)]);
    const indexed = new Set(metadata.secondaryIndexes);
    const columns = orderColumns(metadata).map((c) => {
      const role: ColumnRole = keyNames.has(c.name) ? 'key' : indexed.has(c.name) ? 'index' : 'plain';
      return `${this.dialect.quote(c.name)} ${this.dialect.columnType(c.type, role)}`;
    });
    const primaryKey = [...keyNames].map((n) => this.dialect.quote(n)).join(',');
    const statements = [
      `CREATE TABLE ${this.dialect.tableName(metadata)}(${columns.join(',')}, PRIMARY KEY (${primaryKey}))`,
    ];
    if (this.dialect.createsClusteringOrderIndex && hasMixedClusteringOrder(metadata)) {
      const order = [
        ...metadata.partitionKey.map((n) => `${this.dialect.quote(n)} ASC`),
        ...metadata.clusteringKey.map((c) => `${this.dialect.quote(c.name)} ${c.order}`),
      ];
      statements.push(`CREATE UNIQUE INDEX ${this.dialect.quote(clusteringOrderIndexName(metadata))} ON ${this.dialect.tableName(metadata)} (${order.join(',')})`);
    }
    for (const column of metadata.secondaryIndexes) statements.push(this.createIndex(metadata, column));
    return statements;
  }

  createIndex(ref: TableRef, column: string): string {
    return `CREATE INDEX ${this.dialect.quote(secondaryIndexName(ref, column))} ON ${this.dialect.tableName(ref)} (${this.dialect.quote(column)})`;
  }

  addColumn(ref: TableRef, column: ColumnDefinition): string {
    return `ALTER TABLE ${this.dialect.tableName(ref)} ADD ${this.dialect.quote(column.name)} ${this.dialect.columnType(column.type, 'plain')}`;
  }
}

const COMPARISON_SQL = { EQ: '=', NE: '<>', GT: '>', GTE: '>=', LT: '<', LTE: '<=' } as const;

function sameParam(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
}

/** What decides a mutation's text besides its table (names cannot hold U+0000, operators are fixed words). */
function mutationShape(m: Mutation, firstParam: number): string {
  let shape = `${firstParam}\u0001${m.type}\u0001${m.condition?.kind ?? ''}\u0001`;
  if (m.type === 'put') shape += Object.keys(m.values).join('\u0000');
  if (m.condition?.kind === 'if') for (const p of m.condition.predicates) shape += `\u0001${p.column}\u0000${p.op}`;
  return shape;
}

/**
 * The operands of a mutation's statement, in placeholder order: an insert's key then values, an
 * update's values then key then predicate operands, a delete's key then predicate operands (as the
 * SqlBuilder's #insert, #update and #delete place them).
 */
function mutationOperands(schema: TableSchema, m: Mutation): [DataType, Value][] {
  const out: [DataType, Value][] = [];
  const key = (): void => {
    const values = [...m.partitionKey, ...(m.clusteringKey ?? [])];
    schema.keyColumns.forEach((c, i) => out.push([c.type, values[i]!]));
  };
  const predicates = (): void => {
    if (m.condition?.kind !== 'if') return;
    for (const p of m.condition.predicates) {
      if (p.op !== 'IS_NULL' && p.op !== 'IS_NOT_NULL') out.push([schema.column(p.column).type, p.value ?? null]);
    }
  };
  const values = (put: Put): void => {
    for (const name of Object.keys(put.values)) out.push([schema.column(name).type, put.values[name]!]);
  };
  if (m.type === 'put' && (m.condition === undefined || m.condition.kind === 'ifNotExists')) {
    key();
    values(m);
  } else if (m.type === 'put') {
    values(m);
    key();
    predicates();
  } else {
    key();
    predicates();
  }
  return out;
}

function limitClause(limit: number | undefined): string {
  // Validated as a non-negative safe integer, so it can be inlined.
  return limit ? ` LIMIT ${limit}` : '';
}

/** `"name"` with embedded quotes doubled: the identifier quoting both dialects share. */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
