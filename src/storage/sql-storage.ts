/**
 * Everything the SQLite and PostgreSQL adapters do alike: operation checks, statement building, the
 * ScalarDB metadata tables, the metadata cache and the admin operations. An adapter supplies its
 * SqlDialect and two primitives, a read (`query`) and an atomic batch of writes (`executeAtomically`),
 * and maps its driver's errors to the typed storage errors.
 *
 * DDL reads what it needs first, then runs as one atomic batch (both storages have transactional DDL),
 * so a crash never leaves a table without its metadata rows. Existence checks before the batch can race
 * with another process; the loser gets the storage's own duplicate / undefined error.
 */
import { SqlState } from '../errors.js';
import { InvalidOperationError, NotAppliedError } from './errors.js';
import type {
  ColumnDefinition, Get, Mutation, Row, Scan, Storage, StorageAdmin, TableMetadata, TableRef,
} from './types.js';
import {
  TableSchema, checkColumnDefinition, checkGet, checkMutation, checkNamespaceName, checkScan, checkTableDefinition,
  checkTableName, checkTableRef,
} from './operation-checker.js';
import {
  MAX_COLUMN_NAME_CHARS, MAX_FULL_TABLE_NAME_CHARS, METADATA_NAMESPACE, METADATA_TABLE, NAMESPACES_TABLE, TableMetadataCache,
  fullTableName, metadataRows, namespaceOfFullTableName, orderColumns, secondaryIndexName, tableMetadataFromRows,
  type MetadataRow,
} from './scalardb-layout.js';
import { SqlBuilder, type SqlDialect, type SqlMutation, type SqlStatement } from './sql.js';

/** The metadata table as a table of the storage, so the ordinary statement builder reads and writes it. */
const METADATA_TABLE_SCHEMA = new TableSchema({
  namespace: METADATA_NAMESPACE,
  table: METADATA_TABLE,
  columns: [
    { name: 'full_table_name', type: 'TEXT' },
    { name: 'column_name', type: 'TEXT' },
    { name: 'data_type', type: 'TEXT' },
    { name: 'key_type', type: 'TEXT' },
    { name: 'clustering_order', type: 'TEXT' },
    { name: 'indexed', type: 'BOOLEAN' },
    { name: 'ordinal_position', type: 'INT' },
  ],
  partitionKey: ['full_table_name'],
  clusteringKey: [{ name: 'column_name', order: 'ASC' }],
  secondaryIndexes: [],
});

const NAMESPACES_TABLE_SCHEMA = new TableSchema({
  namespace: METADATA_NAMESPACE,
  table: NAMESPACES_TABLE,
  columns: [{ name: 'namespace_name', type: 'TEXT' }],
  partitionKey: ['namespace_name'],
  clusteringKey: [],
  secondaryIndexes: [],
});

/** Failures that cached metadata explains when another process changed the table. */
const STALE_METADATA_CODES: ReadonlySet<string> = new Set([
  SqlState.undefinedTable, SqlState.undefinedColumn, SqlState.datatypeMismatch, SqlState.undefinedFunction,
]);

/** How a read finds its rows: one record by its full key, or a scan. */
export type ReadAccess = 'point' | 'scan';

/** A mutation that passed the operation checks, with the schema it was checked against. */
export interface CheckedMutation {
  readonly schema: TableSchema;
  readonly mutation: Mutation;
}

/** SQLSTATE PostgreSQL uses for a reserved name (e.g. a schema starting with "pg_"). */
const RESERVED_NAME = '42939';

export abstract class SqlStorage implements Storage, StorageAdmin {
  readonly atomicityUnit = 'storage' as const;
  readonly admin: StorageAdmin = this;
  protected readonly sql: SqlBuilder;
  readonly #tables = new TableMetadataCache<TableSchema>();

  protected constructor(readonly name: string, dialect: SqlDialect) {
    this.sql = new SqlBuilder(dialect);
  }

  /**
   * Runs one read in its own (autocommit) transaction; rows are arrays in select-list order. `access`
   * says whether it reads one record by its key ('point') or possibly many ('scan').
   */
  protected abstract query(statement: SqlStatement, access: ReadAccess): Promise<unknown[][]>;
  /**
   * Runs the statements in order in one transaction. When a conditional statement changes no row it
   * rolls everything back and throws NotAppliedError.
   */
  protected abstract executeAtomically(statements: readonly SqlMutation[]): Promise<void>;
  /** Names the storage cannot hold beyond the common rules (SQLite: no "$"; PostgreSQL: at most 63 bytes). */
  protected checkStorageName(_kind: 'namespace' | 'table' | 'column', _name: string): void {}
  abstract close(): Promise<void>;

  // ---- records ----

  async get(op: Get): Promise<Row | null> {
    return this.#withCurrentMetadata([op], async () => {
      const schema = await this.#schema(op);
      checkGet(schema, op);
      const query = this.sql.selectGet(schema, op);
      const rows = await this.query(query, 'point');
      return rows.length === 0 ? null : this.sql.decodeRow(query.columns, rows[0]!);
    });
  }

  async scan(op: Scan): Promise<Row[]> {
    return this.#withCurrentMetadata([op], async () => {
      const schema = await this.#schema(op);
      checkScan(schema, op);
      const query = op.kind === 'partition' ? this.sql.selectPartition(schema, op)
        : op.kind === 'index' ? this.sql.selectIndex(schema, op)
        : this.sql.selectAll(schema, op);
      const rows = await this.query(query, 'scan');
      return rows.map((raw) => this.sql.decodeRow(query.columns, raw));
    });
  }

  async mutate(mutations: readonly Mutation[]): Promise<void> {
    if (!Array.isArray(mutations)) throw new InvalidOperationError(SqlState.invalidParameterValue, 'mutate takes an array of mutations');
    if (mutations.length === 0) return;
    await this.#withCurrentMetadata(mutations, async () => {
      // Every mutation is checked before any runs, so a bad one cannot leave the others half-applied.
      const checked: CheckedMutation[] = [];
      for (const mutation of mutations) {
        const schema = await this.#schema(mutation);
        checkMutation(schema, mutation);
        checked.push({ schema, mutation });
      }
      await this.applyMutations(checked);
    });
  }

  /**
   * Applies checked mutations atomically, NotAppliedError when a condition does not hold. By default
   * one statement per mutation, in order, in one transaction; an adapter may do better.
   */
  protected applyMutations(mutations: readonly CheckedMutation[]): Promise<void> {
    return this.executeAtomically(mutations.map(({ schema, mutation }) => this.sql.mutation(schema, mutation)));
  }

  /**
   * Runs an operation built from cached metadata; when the operation finds the table or a column not as
   * the cache said (another process changed the table), it runs once more on freshly read metadata. A
   * retry is safe: such a failure applied nothing.
   */
  async #withCurrentMetadata<T>(refs: readonly TableRef[], run: () => Promise<T>): Promise<T> {
    refs.forEach(checkTableRef);
    const cached = refs.some((ref) => this.#tables.get(ref) !== undefined);
    try {
      return await run();
    } catch (e) {
      if (!(cached && e instanceof InvalidOperationError && STALE_METADATA_CODES.has(e.code))) throw e;
      for (const ref of refs) this.#tables.invalidate(ref);
      return run();
    }
  }

  // ---- namespaces ----

  async createNamespace(namespace: string, options: { ifNotExists?: boolean } = {}): Promise<void> {
    this.#checkNamespaceName(namespace);
    if (await this.namespaceExists(namespace)) {
      if (options.ifNotExists) return;
      throw new InvalidOperationError(SqlState.duplicateSchema, `schema "${namespace}" already exists`);
    }
    await this.#createMetadataTables();
    try {
      await this.executeAtomically([
        ...this.#metadataTablesStatements(),
        ...ddl(this.sql.dialect.createNamespaceStatements(namespace)),
        this.sql.mutation(NAMESPACES_TABLE_SCHEMA, { ...NAMESPACES_TABLE_SCHEMA, type: 'put', partitionKey: [namespace], values: {}, condition: { kind: 'ifNotExists' } }),
      ]);
    } catch (e) {
      // Another process registered it between the check and the insert.
      if (!(e instanceof NotAppliedError)) throw e;
      if (!options.ifNotExists) throw new InvalidOperationError(SqlState.duplicateSchema, `schema "${namespace}" already exists`);
    }
  }

  async dropNamespace(namespace: string, options: { ifExists?: boolean } = {}): Promise<void> {
    this.#checkNamespaceName(namespace);
    if (!(await this.namespaceExists(namespace))) {
      if (options.ifExists) return;
      throw undefinedNamespace(namespace);
    }
    const tables = await this.listTables(namespace);
    if (tables.length > 0) {
      throw new InvalidOperationError(SqlState.dependentObjectsStillExist, `cannot drop schema ${namespace} because other objects depend on it`, {
        detail: tables.map((t) => `table ${namespace}.${t} depends on schema ${namespace}`).join('\n'),
        hint: 'Drop its tables first.',
      });
    }
    await this.executeAtomically([
      ...this.#metadataTablesStatements(),
      ...ddl(this.sql.dialect.dropNamespaceStatements(namespace)),
      this.sql.mutation(NAMESPACES_TABLE_SCHEMA, { ...NAMESPACES_TABLE_SCHEMA, type: 'delete', partitionKey: [namespace] }),
    ]);
    this.#tables.invalidateNamespace(namespace);
  }

  /** A namespace exists when registered in the namespaces table or when it holds a table (ScalarDB 3.x). */
  async namespaceExists(namespace: string): Promise<boolean> {
    if (typeof namespace !== 'string') return false;
    if (namespace === METADATA_NAMESPACE) return true;
    const registered = await this.#readOptional(this.sql.selectAll(NAMESPACES_TABLE_SCHEMA, {
      ...NAMESPACES_TABLE_SCHEMA, kind: 'all', filter: [[{ column: 'namespace_name', op: 'EQ', value: namespace }]],
    }));
    return registered.length > 0 || (await this.#tableNames(namespace, 1)).length > 0;
  }

  /** User namespaces, sorted; the system namespace "scalardb" is not listed. */
  async listNamespaces(): Promise<string[]> {
    const names = new Set<string>();
    for (const [name] of await this.#readOptional(this.sql.selectAll(NAMESPACES_TABLE_SCHEMA, { ...NAMESPACES_TABLE_SCHEMA, kind: 'all' }))) {
      names.add(name as string);
    }
    const tables = this.sql.selectAll(METADATA_TABLE_SCHEMA, { ...METADATA_TABLE_SCHEMA, kind: 'all', projection: ['full_table_name'] });
    for (const [name] of await this.#readOptional(tables)) names.add(namespaceOfFullTableName(name as string));
    names.delete(METADATA_NAMESPACE);
    return [...names].sort();
  }

  // ---- tables ----

  async createTable(metadata: TableMetadata, options: { ifNotExists?: boolean } = {}): Promise<void> {
    const table: TableMetadata = {
      namespace: metadata?.namespace,
      table: metadata?.table,
      columns: metadata?.columns,
      partitionKey: metadata?.partitionKey,
      clusteringKey: metadata?.clusteringKey ?? [],
      secondaryIndexes: metadata?.secondaryIndexes ?? [],
    };
    checkTableDefinition(table);
    this.#checkNamespaceName(table.namespace);
    this.checkStorageName('table', table.table);
    for (const column of table.columns) this.checkStorageName('column', column.name);
    if (!(await this.namespaceExists(table.namespace))) throw undefinedNamespace(table.namespace);
    this.#tables.invalidate(table);
    if (await this.#readTableSchema(table)) {
      if (options.ifNotExists) return;
      throw new InvalidOperationError(SqlState.duplicateTable, `relation "${fullTableName(table)}" already exists`, { schema: table.namespace, table: table.table });
    }
    const ordered: TableMetadata = { ...table, columns: orderColumns(table) };
    await this.#createMetadataTables();
    await this.executeAtomically([
      ...this.#metadataTablesStatements(),
      ...ddl(this.sql.createTable(ordered)),
      ...metadataRows(ordered).map((row) => this.#putMetadataRow(row)),
    ]);
    this.#tables.invalidate(table);
  }

  async dropTable(ref: TableRef, options: { ifExists?: boolean } = {}): Promise<void> {
    checkTableRef(ref);
    this.#tables.invalidate(ref);
    const schema = await this.#readTableSchema(ref);
    if (!schema) {
      if (options.ifExists) return;
      throw await this.#undefinedTable(ref);
    }
    const d = this.sql.dialect;
    await this.executeAtomically([
      ...ddl([`DROP TABLE ${d.tableName(schema)}`]),
      {
        text: `DELETE FROM ${d.tableName(METADATA_TABLE_SCHEMA)} WHERE ${d.quote('full_table_name')} = ${d.placeholder(1, 'TEXT')}`,
        params: [d.encode('TEXT', fullTableName(schema))],
        conditional: false,
      },
    ]);
    this.#tables.invalidate(ref);
  }

  async truncateTable(ref: TableRef): Promise<void> {
    const schema = await this.#schema(ref);
    await this.executeAtomically(ddl([this.sql.dialect.truncateStatement(schema)]));
  }

  async getTableMetadata(ref: TableRef): Promise<TableMetadata | null> {
    checkTableRef(ref);
    const cached = this.#tables.get(ref);
    if (cached) return cached.metadata;
    return (await this.#readTableSchema(ref))?.metadata ?? null;
  }

  async listTables(namespace: string): Promise<string[]> {
    if (!(await this.namespaceExists(namespace))) throw undefinedNamespace(namespace);
    return (await this.#tableNames(namespace)).sort();
  }

  async addColumn(ref: TableRef, column: ColumnDefinition): Promise<void> {
    const schema = await this.#freshSchema(ref);
    checkColumnDefinition(column, { schema: schema.namespace, table: schema.table });
    this.checkStorageName('column', column.name);
    if (schema.columns.has(column.name)) {
      throw schema.invalid(SqlState.duplicateColumn, `column "${column.name}" of relation "${fullTableName(schema)}" already exists`, { column: column.name });
    }
    await this.executeAtomically([
      ...ddl([this.sql.addColumn(schema, column)]),
      this.#putMetadataRow({
        full_table_name: fullTableName(schema),
        column_name: column.name,
        data_type: column.type,
        key_type: null,
        clustering_order: null,
        indexed: false,
        ordinal_position: schema.columns.size + 1,
      }),
    ]);
    this.#tables.invalidate(ref);
  }

  async createIndex(ref: TableRef, columnName: string, options: { ifNotExists?: boolean } = {}): Promise<void> {
    const schema = await this.#freshSchema(ref);
    const column = schema.column(columnName);
    if (schema.indexedColumns.has(column.name)) {
      if (options.ifNotExists) return;
      throw schema.invalid(SqlState.duplicateTable, `relation "${secondaryIndexName(schema, column.name)}" already exists`, { column: column.name });
    }
    const retype = schema.keyColumnNames.has(column.name) ? null : this.sql.dialect.indexedColumnTypeStatement(schema, column, true);
    await this.executeAtomically([
      ...ddl(retype ? [retype] : []),
      ...ddl([this.sql.createIndex(schema, column.name)]),
      this.#setIndexed(schema, column.name, true),
    ]);
    this.#tables.invalidate(ref);
  }

  async dropIndex(ref: TableRef, columnName: string, options: { ifExists?: boolean } = {}): Promise<void> {
    const schema = await this.#freshSchema(ref);
    const column = schema.column(columnName);
    if (!schema.indexedColumns.has(column.name)) {
      if (options.ifExists) return;
      throw schema.invalid(SqlState.undefinedObject, `index "${secondaryIndexName(schema, column.name)}" does not exist`, { column: column.name });
    }
    const retype = schema.keyColumnNames.has(column.name) ? null : this.sql.dialect.indexedColumnTypeStatement(schema, column, false);
    await this.executeAtomically([
      ...ddl([this.sql.dialect.dropIndexStatement(schema, secondaryIndexName(schema, column.name))]),
      ...ddl(retype ? [retype] : []),
      this.#setIndexed(schema, column.name, false),
    ]);
    this.#tables.invalidate(ref);
  }

  // ---- metadata ----

  async #schema(ref: TableRef): Promise<TableSchema> {
    checkTableRef(ref);
    const schema = this.#tables.get(ref) ?? (await this.#readTableSchema(ref));
    if (!schema) throw await this.#undefinedTable(ref);
    return schema;
  }

  async #freshSchema(ref: TableRef): Promise<TableSchema> {
    checkTableRef(ref);
    this.#tables.invalidate(ref);
    return this.#schema(ref);
  }

  async #readTableSchema(ref: TableRef): Promise<TableSchema | null> {
    checkTableRef(ref);
    const query = this.sql.selectAll(METADATA_TABLE_SCHEMA, {
      ...METADATA_TABLE_SCHEMA, kind: 'all', filter: [[{ column: 'full_table_name', op: 'EQ', value: fullTableName(ref) }]],
    });
    const rows = (await this.#readOptional(query)).map((raw) => this.sql.decodeRow(query.columns, raw) as unknown as MetadataRow);
    const metadata = tableMetadataFromRows(ref, rows);
    if (!metadata) return null;
    const schema = new TableSchema(metadata);
    this.#tables.set(schema);
    return schema;
  }

  /** Table names of a namespace from the metadata table (at most `limit` when given). */
  async #tableNames(namespace: string, limit?: number): Promise<string[]> {
    const prefix = `${namespace}.`;
    const query = this.sql.selectAll(METADATA_TABLE_SCHEMA, {
      ...METADATA_TABLE_SCHEMA,
      kind: 'all',
      projection: ['full_table_name'],
      filter: [[{ column: 'full_table_name', op: 'LIKE', value: `${escapeLike(prefix)}%` }]],
      limit,
    });
    const names = new Set((await this.#readOptional(query)).map(([name]) => (name as string).slice(prefix.length)));
    return [...names];
  }

  /** A read of a metadata table, which is absent until the first DDL: no table means no rows. */
  async #readOptional(query: SqlStatement): Promise<unknown[][]> {
    try {
      return await this.query(query, 'scan');
    } catch (e) {
      if (e instanceof InvalidOperationError && e.code === SqlState.undefinedTable) return [];
      throw e;
    }
  }

  /**
   * Creates the metadata tables if absent, on their own first: two processes creating them at once can
   * collide inside PostgreSQL's catalog (23505 / 42P06 / 42P07) even with IF NOT EXISTS, and the loser's
   * second attempt finds them. DDL batches repeat these idempotent statements, since ScalarDB 3.16 drops
   * its metadata table when the last table goes.
   */
  async #createMetadataTables(): Promise<void> {
    try {
      await this.executeAtomically(this.#metadataTablesStatements());
    } catch (e) {
      if (!(e instanceof InvalidOperationError)) throw e;
      await this.executeAtomically(this.#metadataTablesStatements());
    }
  }

  #metadataTablesStatements(): SqlMutation[] {
    const d = this.sql.dialect;
    const q = (name: string) => d.quote(name);
    return [
      ...ddl(d.metadataNamespaceStatements()),
      ...ddl([
        `CREATE TABLE IF NOT EXISTS ${d.tableName(METADATA_TABLE_SCHEMA)}(`
          + `${q('full_table_name')} ${d.textType(MAX_FULL_TABLE_NAME_CHARS)},`
          + `${q('column_name')} ${d.textType(MAX_COLUMN_NAME_CHARS)},`
          + `${q('data_type')} ${d.textType(20)} NOT NULL,`
          + `${q('key_type')} ${d.textType(20)},`
          + `${q('clustering_order')} ${d.textType(10)},`
          + `${q('indexed')} ${d.columnType('BOOLEAN', 'plain')} NOT NULL,`
          + `${q('ordinal_position')} INTEGER NOT NULL,`
          + `PRIMARY KEY (${q('full_table_name')}, ${q('column_name')}))`,
        `CREATE TABLE IF NOT EXISTS ${d.tableName(NAMESPACES_TABLE_SCHEMA)}(${q('namespace_name')} ${d.textType(MAX_FULL_TABLE_NAME_CHARS)}, PRIMARY KEY (${q('namespace_name')}))`,
      ]),
      // ScalarDB 4 registers its own system namespace in the table.
      this.sql.mutation(NAMESPACES_TABLE_SCHEMA, { ...NAMESPACES_TABLE_SCHEMA, type: 'put', partitionKey: [METADATA_NAMESPACE], values: {} }),
    ];
  }

  #putMetadataRow(row: MetadataRow): SqlMutation {
    const { full_table_name, column_name, ...values } = row;
    return this.sql.mutation(METADATA_TABLE_SCHEMA, {
      ...METADATA_TABLE_SCHEMA, type: 'put', partitionKey: [full_table_name], clusteringKey: [column_name], values,
    });
  }

  #setIndexed(ref: TableRef, column: string, indexed: boolean): SqlMutation {
    return this.sql.mutation(METADATA_TABLE_SCHEMA, {
      ...METADATA_TABLE_SCHEMA, type: 'put', partitionKey: [fullTableName(ref)], clusteringKey: [column], values: { indexed }, condition: { kind: 'ifExists' },
    });
  }

  #checkNamespaceName(namespace: string): void {
    checkNamespaceName(namespace);
    this.checkStorageName('namespace', namespace);
    if (namespace === METADATA_NAMESPACE) {
      throw new InvalidOperationError(RESERVED_NAME, `namespace "${METADATA_NAMESPACE}" is reserved for the storage's metadata`);
    }
  }

  async #undefinedTable(ref: TableRef): Promise<InvalidOperationError> {
    checkNamespaceName(ref.namespace);
    checkTableName(ref.table);
    if (!(await this.namespaceExists(ref.namespace))) return undefinedNamespace(ref.namespace);
    return new InvalidOperationError(SqlState.undefinedTable, `relation "${fullTableName(ref)}" does not exist`, { schema: ref.namespace, table: ref.table });
  }
}

function undefinedNamespace(namespace: string): InvalidOperationError {
  return new InvalidOperationError(SqlState.invalidSchemaName, `schema "${namespace}" does not exist`, { schema: namespace });
}

function ddl(statements: readonly string[]): SqlMutation[] {
  return statements.map((text) => ({ text, params: [], conditional: false }));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
