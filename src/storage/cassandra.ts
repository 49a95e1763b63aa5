/**
 * Cassandra storage through cassandra-driver, in ScalarDB 3.16's Cassandra layout (cassandra-layout.ts)
 * and with its consistency (ScalarDB's Cassandra, StatementHandler, MutateStatementHandler):
 *
 * - every read is SERIAL: a linearizable Paxos read (gets, partition scans, index scans, scans of all
 *   records alike; a scan larger than one page is linearizable page by page);
 * - every conditional write is a lightweight transaction (`IF NOT EXISTS`, `IF EXISTS`, `IF col = ?`...)
 *   at consistency QUORUM with serial consistency SERIAL; `[applied]` false is NotAppliedError;
 * - an unconditional put is a plain INSERT (an upsert), a delete a plain DELETE, at QUORUM;
 * - the atomicity unit is one partition of one table: a multi-mutation is one batch (a conditional
 *   one is a single Paxos round), and a multi-mutation spanning partitions is refused (0A000).
 *   cassandra-mutations.ts gives a batch the storage interface's one-after-another semantics;
 * - a WriteTimeout during a conditional write's commit ("learn") phase means Paxos accepted it: the
 *   records are read back with SERIAL (which finishes the commit) and the write succeeds if they hold
 *   what it wrote; otherwise, and for a timeout in the Paxos phase, the outcome is unknown
 *   (cassandra-errors.ts has the whole mapping).
 *
 * Filters of scans over all records are applied here after reading (Cassandra cannot filter on
 * arbitrary columns), with the evaluator Consensus Commit uses (src/storage/predicates.ts). The driver
 * prepares every statement once per CQL text (`prepare: true`) and table metadata is cached, so the hot
 * path is one round trip.
 *
 * Limits (StorageCapabilities): timestamps in milliseconds, no TIME 24:00:00, no empty one-column
 * partition key, and at most MAX_MUTATION_BYTES per mutate (Cassandra refuses requests over 16 MiB).
 */
import cassandra from 'cassandra-driver';
import { SqlState } from '../errors.js';
import { FatalStorageError, InvalidOperationError, NotAppliedError, TransientStorageError, UnknownOutcomeError } from './errors.js';
import type {
  ColumnDefinition, ColumnPredicate, DataType, Filter, Get, IndexScan, Key, Mutation, PartitionScan, Row, Scan, ScanAll, Storage, StorageAdmin,
  StorageCapabilities, TableMetadata, TableRef, Value,
} from './types.js';
import {
  TableSchema, checkColumnDefinition, checkGet, checkMutation, checkNamespaceName, checkScan, checkTableDefinition, checkTableName,
  checkTableRef,
} from './operation-checker.js';
import { METADATA_NAMESPACE, TableMetadataCache, fullTableName } from './scalardb-layout.js';
import { INT_MAX } from './values.js';
import { matchesFilter } from './predicates.js';
import {
  decodeColumn, encodeParam, normalizeKeyValue, paramBytes, quoteCql, selectExpression, storedComparison, storedOperand, writeProblem,
  type CqlComparison,
} from './cassandra-cql.js';
import {
  addColumnStatement, checkCqlTableName, checkIndexName, checkKeyspaceName, commentStatement, createIndexStatement,
  createKeyspaceStatement, createTableStatement, dropIndexStatement, indexOnColumn, isSystemKeyspace, metadataFromSchema,
  qualifiedTable, type ReplicationOptions, type SchemaColumnRow, type SchemaIndexRow,
} from './cassandra-layout.js';
import {
  changeStatements, needsPriorRead, planChanges, priorConditionsHold, type CqlStatement, type RecordChange,
} from './cassandra-mutations.js';
import { isLearnPhaseTimeout, toStorageError, type CassandraPhase } from './cassandra-errors.js';

export interface CassandraStorageOptions {
  readonly name?: string;
  /** Host names or addresses of some nodes of the cluster. */
  readonly contactPoints: readonly string[];
  /** CQL port (default 9042). */
  readonly port?: number;
  /** The data center of this process (default "datacenter1", SimpleSnitch's name). */
  readonly localDataCenter?: string;
  readonly username?: string;
  readonly password?: string;
  /** Replication of the keyspaces polygres creates (default SimpleStrategy, factor 1, as ScalarDB). */
  readonly replication?: ReplicationOptions;
  /** Prepended to every keyspace name (default none: a namespace is the keyspace of the same name). */
  readonly keyspacePrefix?: string;
  /** Rows per page of a scan (default 1000). */
  readonly fetchSize?: number;
  /** How long to wait for a connection to a node (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** How long to wait for any answer before the request counts as lost (default 12 s; Cassandra's own timeouts are shorter). */
  readonly requestTimeoutMs?: number;
  /** How long DDL waits for every node to agree on the schema (default 30 s). */
  readonly schemaAgreementTimeoutMs?: number;
  /** How long createIndex waits for a new index to be built (default 60 s). */
  readonly indexBuildTimeoutMs?: number;
  /**
   * A driver client to use instead of one built from the options above (it must decode bigint as
   * JS bigint: `encoding: { useBigIntAsLong: true }`); the storage shuts it down on close.
   */
  readonly client?: cassandra.Client;
}

/**
 * Cassandra refuses a request larger than native_transport_max_frame_size (16 MiB by default); 64 KiB
 * are left for the frame, statement ids and length prefixes.
 */
export const MAX_MUTATION_BYTES = 16 * 1024 * 1024 - 64 * 1024;

const DEFAULT_FETCH_SIZE = 1000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 12_000;
const DEFAULT_SCHEMA_AGREEMENT_TIMEOUT_MS = 30_000;
const DEFAULT_INDEX_BUILD_TIMEOUT_MS = 60_000;
const SCHEMA_POLL_INTERVAL_MS = 50;
/** Prepared statements the driver keeps; statements are per table and shape, so a few per table. */
const MAX_PREPARED_STATEMENTS = 2_000;
/** Rounds of read-check-write for conditions CQL cannot state before giving up as contention. */
const MAX_PINNED_ATTEMPTS = 5;
/** Bytes a statement adds to a request besides its parameters (id, flags, counts). */
const STATEMENT_OVERHEAD_BYTES = 32;

const { consistencies } = cassandra.types;

/** Failures that cached metadata explains when another process changed the table. */
const STALE_METADATA_CODES: ReadonlySet<string> = new Set([
  SqlState.undefinedTable, SqlState.undefinedColumn, SqlState.datatypeMismatch, SqlState.undefinedFunction, SqlState.undefinedObject,
]);

/** SQLSTATE PostgreSQL uses for a reserved name. */
const RESERVED_NAME = '42939';

/** A table's metadata with the lookups every operation needs, and the keyspace that holds it. */
class CassandraTable extends TableSchema {
  constructor(metadata: TableMetadata, readonly keyspace: string) {
    super(metadata);
  }

  get qualifiedName(): string {
    return qualifiedTable(this.keyspace, this.table);
  }
}

/** A SELECT and the columns its rows decode to (c0, c1, ... in this order). */
interface SelectStatement {
  readonly query: string;
  readonly params: (Buffer | null)[];
  readonly columns: readonly ColumnDefinition[];
}

export class CassandraStorage implements Storage, StorageAdmin {
  readonly name: string;
  readonly atomicityUnit = 'partition' as const;
  readonly capabilities: StorageCapabilities = {
    timestampPrecisionMicros: false,
    timeOf24Hours: false,
    emptyPartitionKey: false,
    maxMutationBytes: MAX_MUTATION_BYTES,
  };
  readonly admin: StorageAdmin = this;

  readonly #client: cassandra.Client;
  readonly #keyspacePrefix: string;
  readonly #replication: ReplicationOptions;
  readonly #dataCenter: string;
  readonly #fetchSize: number;
  readonly #schemaAgreementTimeoutMs: number;
  readonly #indexBuildTimeoutMs: number;
  readonly #tables = new TableMetadataCache<CassandraTable>();
  #connecting: Promise<void> | null = null;
  #systemKeyspaceCreated = false;
  #closed = false;

  constructor(options: CassandraStorageOptions) {
    this.name = options.name ?? 'cassandra';
    this.#keyspacePrefix = options.keyspacePrefix ?? '';
    this.#replication = options.replication ?? { strategy: 'SimpleStrategy', factor: 1 };
    this.#dataCenter = options.localDataCenter ?? 'datacenter1';
    this.#fetchSize = Math.max(1, Math.trunc(options.fetchSize ?? DEFAULT_FETCH_SIZE));
    this.#schemaAgreementTimeoutMs = options.schemaAgreementTimeoutMs ?? DEFAULT_SCHEMA_AGREEMENT_TIMEOUT_MS;
    this.#indexBuildTimeoutMs = options.indexBuildTimeoutMs ?? DEFAULT_INDEX_BUILD_TIMEOUT_MS;
    if (!Array.isArray(options.contactPoints) || options.contactPoints.length === 0) {
      throw new InvalidOperationError(SqlState.configFileError, 'a Cassandra storage needs at least one contact point');
    }
    if (!Number.isInteger(this.#replication.factor) || this.#replication.factor < 1) {
      throw new InvalidOperationError(SqlState.configFileError, `the replication factor must be a positive integer, got ${String(this.#replication.factor)}`);
    }
    this.#client = options.client ?? new cassandra.Client({
      contactPoints: [...options.contactPoints],
      localDataCenter: this.#dataCenter,
      protocolOptions: {
        port: options.port ?? 9042,
        // The driver's own wait after each DDL; schema changes wait further in #ddl (with a bound).
        maxSchemaAgreementWaitSeconds: Math.ceil(this.#schemaAgreementTimeoutMs / 1000),
      },
      credentials: options.username !== undefined ? { username: options.username, password: options.password ?? '' } : undefined,
      encoding: { useBigIntAsLong: true },
      // One connection per node carries thousands of concurrent requests (protocol v4): plenty for 2 cores.
      pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 1, [cassandra.types.distance.remote]: 1 } },
      socketOptions: {
        connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        readTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        keepAlive: true,
      },
      queryOptions: { prepare: true, consistency: consistencies.quorum, fetchSize: this.#fetchSize },
      maxPrepared: MAX_PREPARED_STATEMENTS,
      policies: {
        // No client-side timestamps: a plain write then takes its coordinator's clock, the clock Paxos
        // ballots come from, so plain writes and lightweight transactions on a record order alike
        // (Cassandra warns against mixing client timestamps with LWTs). The driver types omit null.
        timestampGeneration: null as unknown as undefined,
      },
    });
  }

  // ---- records ----

  async get(op: Get): Promise<Row | null> {
    return this.#withCurrentMetadata([op], async () => {
      const table = await this.#table(op);
      checkGet(table, op);
      const key = readableKey(table, op.partitionKey, op.clusteringKey ?? []);
      if (!key) return null;
      const columns = projected(table, op.projection);
      const select = this.#select(table, columns, keyConditions(table.keyColumns, key));
      const rows = await this.#readRows(select, 1, null);
      return rows[0] ?? null;
    });
  }

  async scan(op: Scan): Promise<Row[]> {
    return this.#withCurrentMetadata([op], async () => {
      const table = await this.#table(op);
      checkScan(table, op);
      switch (op.kind) {
        case 'partition':
          return this.#scanPartition(table, op);
        case 'index':
          return this.#scanIndex(table, op);
        case 'all':
          return this.#scanAll(table, op);
      }
    });
  }

  /**
   * ScalarDB's range semantics: the bounds' columns but the last are equalities, the last one a
   * comparison; reversed order is the table's clustering order read backwards.
   */
  async #scanPartition(table: CassandraTable, op: PartitionScan): Promise<Row[]> {
    const partition = readableKey(table, op.partitionKey, []);
    if (!partition) return [];
    const conditions = keyConditions(table.partitionColumns, partition);
    const bounds = [op.start && { ...op.start, lower: true }, op.end && { ...op.end, lower: false }].filter((b) => b !== undefined);
    if (bounds.length > 0) {
      const prefixLength = bounds[0]!.key.length - 1;
      const prefix = readableKey(table, [], bounds[0]!.key.slice(0, prefixLength), true);
      if (!prefix) return [];
      conditions.push(...keyConditions(table.clusteringColumns, prefix));
      const column = table.clusteringColumns[prefixLength]!;
      for (const bound of bounds) {
        const value = normalizeKeyValue(column.type, bound.key[prefixLength]!);
        const op = bound.lower ? (bound.inclusive ? 'GTE' : 'GT') : bound.inclusive ? 'LTE' : 'LT';
        const stored = storedComparison(column.type, op, value as Exclude<Value, null>);
        if (stored.kind === 'never') return [];
        if (stored.kind === 'compare') conditions.push(...stored.comparisons.map((c) => comparisonCondition(column, c)));
      }
    }
    const order = op.reverse
      ? ` ORDER BY ${table.clusteringColumns.map((c) => `${quoteCql(c.name)} ${c.order === 'ASC' ? 'DESC' : 'ASC'}`).join(', ')}`
      : '';
    const select = this.#select(table, projected(table, op.projection), conditions, order, op.limit);
    return this.#readRows(select, op.limit ?? 0, null);
  }

  async #scanIndex(table: CassandraTable, op: IndexScan): Promise<Row[]> {
    const column = table.column(op.column);
    const value = op.value ?? null;
    if (value === null) return [];
    const stored = storedComparison(column.type, 'EQ', value);
    if (stored.kind !== 'compare') return [];
    // A secondary index cannot be queried with IN: a float zero (0 and -0) takes two queries.
    const equalities = stored.comparisons.flatMap((c) => c.values.map((v) => ({ operator: '=' as const, values: [v] })));
    const rows: Row[] = [];
    for (const equality of equalities) {
      const limit = op.limit ? op.limit - rows.length : 0;
      if (op.limit && limit <= 0) break;
      const select = this.#select(table, projected(table, op.projection), [comparisonCondition(column, equality)], '', limit);
      rows.push(...(await this.#readRows(select, limit, null)));
    }
    return rows;
  }

  /**
   * Reads the whole table page by page and filters here; a filter whose only conjunction fixes the
   * partition key reads that partition only.
   */
  async #scanAll(table: CassandraTable, op: ScanAll): Promise<Row[]> {
    const rawFilter = op.filter && op.filter.length > 0 ? op.filter : undefined;
    const wanted = projected(table, op.projection);
    // The filter reads columns the projection may leave out.
    const filterColumns = rawFilter ? rawFilter.flat().map((p) => table.column(p.column)) : [];
    const columns = [...new Map([...wanted, ...filterColumns].map((c) => [c.name, c])).values()];
    const conditions: Condition[] = [];
    const filter = rawFilter?.map((conjunction) => conjunction.map((p) => storedPredicate(table, p)));
    const partition = filter && partitionOfFilter(table, filter);
    if (partition === null) return [];
    if (partition) conditions.push(...keyConditions(table.partitionColumns, partition));
    const select = this.#select(table, columns, conditions, '', filter ? undefined : op.limit);
    const keep = filter ? (row: Row) => matchesFilter(row, filter) : null;
    const rows = await this.#readRows(select, op.limit ?? 0, keep);
    if (columns.length === wanted.length) return rows;
    return rows.map((row) => Object.fromEntries(wanted.map((c) => [c.name, row[c.name] ?? null])));
  }

  #select(table: CassandraTable, columns: readonly ColumnDefinition[], conditions: readonly Condition[], suffix = '', limit?: number): SelectStatement {
    // Columns are read under positional aliases, so any column name (even "__proto__") is a safe row property.
    const list = columns.length > 0
      ? columns.map((c, i) => selectExpression(c.name, c.type, `c${i}`)).join(', ')
      : `${quoteCql(table.keyColumns[0]!.name)} AS c0`;
    const where = conditions.length > 0 ? ` WHERE ${conditions.map((c) => c.cql).join(' AND ')}` : '';
    const params = conditions.flatMap((c) => c.params);
    let limitClause = '';
    if (limit) {
      limitClause = ' LIMIT ?';
      params.push(encodeParam('INT', Math.min(limit, INT_MAX)));
    }
    return { query: `SELECT ${list} FROM ${table.qualifiedName}${where}${suffix}${limitClause}`, params, columns };
  }

  /** Runs a SELECT at SERIAL, page by page, until `limit` rows (0: all) passed `keep`. */
  async #readRows(select: SelectStatement, limit: number, keep: ((row: Row) => boolean) | null): Promise<Row[]> {
    const out: Row[] = [];
    let pageState: string | undefined;
    do {
      const result = await this.#execute(select.query, select.params, {
        consistency: consistencies.serial,
        fetchSize: limit > 0 && !keep ? Math.min(limit, this.#fetchSize) : this.#fetchSize,
        pageState,
        isIdempotent: true,
      }, 'read');
      for (const raw of result.rows) {
        const row: Row = {};
        select.columns.forEach((c, i) => {
          row[c.name] = decodeColumn(c.type, (raw as unknown as Record<string, unknown>)[`c${i}`]);
        });
        if (keep && !keep(row)) continue;
        out.push(row);
        if (limit > 0 && out.length >= limit) return out;
      }
      pageState = result.pageState ?? undefined;
    } while (pageState);
    return out;
  }

  /** The whole record (SERIAL), or null. */
  async #readRecord(table: CassandraTable, partitionKey: Key, clusteringKey: Key): Promise<Row | null> {
    const select = this.#select(table, table.metadata.columns, keyConditions(table.keyColumns, [...partitionKey, ...clusteringKey]));
    return (await this.#readRows(select, 1, null))[0] ?? null;
  }

  // ---- writes ----

  async mutate(mutations: readonly Mutation[]): Promise<void> {
    if (!Array.isArray(mutations)) throw new InvalidOperationError(SqlState.invalidParameterValue, 'mutate takes an array of mutations');
    if (mutations.length === 0) return;
    await this.#withCurrentMetadata(mutations, async () => {
      // Every mutation is checked before anything runs, so a bad one cannot leave the others half-applied.
      const tables: CassandraTable[] = [];
      for (const mutation of mutations) {
        const table = await this.#table(mutation);
        checkMutation(table, mutation);
        checkStorable(table, mutation);
        tables.push(table);
      }
      const table = tables[0]!;
      const partitionKey = normalizedKey(table.partitionColumns, mutations[0]!.partitionKey);
      const partitionId = keyId(table.partitionColumns, partitionKey);
      for (const [i, mutation] of mutations.entries()) {
        // Names, not objects: a concurrent metadata read may have cached another object for the same table.
        if (tables[i]!.namespace !== table.namespace || tables[i]!.table !== table.table || keyId(table.partitionColumns, normalizedKey(table.partitionColumns, mutation.partitionKey)) !== partitionId) {
          throw new InvalidOperationError(SqlState.featureNotSupported, 'Cassandra applies a multi-mutation atomically only within one partition of one table', {
            schema: mutation.namespace,
            table: mutation.table,
            detail: `mutation ${i + 1} is for ${fullTableName(mutation)} partition (${mutation.partitionKey.map(String).join(', ')}), the first for ${fullTableName(table)} partition (${mutations[0]!.partitionKey.map(String).join(', ')})`,
            hint: 'Group mutations by partition (the storage\'s atomicityUnit is "partition").',
          });
        }
      }
      const plan = planChanges(table, mutations.map((m) => withStoredFloats(table, m)), (m) => {
        const key = normalizedKey(table.clusteringColumns, m.clusteringKey ?? []);
        return { key, id: keyId(table.clusteringColumns, key) };
      });
      if (plan.kind === 'not-applied') throw new NotAppliedError(`the mutation condition was not satisfied: ${plan.reason}`);
      await this.#applyChanges(table, partitionKey, plan.changes);
    });
  }

  async #applyChanges(table: CassandraTable, partitionKey: Key, changes: readonly RecordChange[]): Promise<void> {
    const needsRead = changes.map((c) => needsPriorRead(table, c));
    if (!needsRead.some(Boolean)) {
      const statements = changeStatements(table, table.keyspace, partitionKey, changes, new Map());
      if (!statements || !(await this.#send(table, partitionKey, changes, statements))) throw new NotAppliedError();
      return;
    }
    // Some condition needs the records read first: check everything on a SERIAL read, then write on
    // the condition that what was read is still there.
    const conditional = changes.flatMap((c, i) => (c.existence !== 'any' || c.predicates.length > 0 ? [i] : []));
    for (let attempt = 1; ; attempt++) {
      const priors = await Promise.all(conditional.map((i) => this.#readRecord(table, partitionKey, changes[i]!.clusteringKey)));
      const pinned = new Map<number, Row | null>();
      for (const [n, i] of conditional.entries()) {
        if (!priorConditionsHold(changes[i]!, priors[n]!)) throw new NotAppliedError();
        if (needsRead[i]) pinned.set(i, priors[n]!);
      }
      const statements = changeStatements(table, table.keyspace, partitionKey, changes, pinned);
      if (!statements) throw new NotAppliedError();
      if (await this.#send(table, partitionKey, changes, statements)) return;
      if (attempt >= MAX_PINNED_ATTEMPTS) {
        throw new TransientStorageError(`the records kept changing while a conditional write was checked (${attempt} attempts); nothing was applied`, {
          schema: table.namespace,
          table: table.table,
        });
      }
    }
  }

  /** Sends the statements as one request (a batch if several); false when its conditions did not hold. */
  async #send(table: CassandraTable, partitionKey: Key, changes: readonly RecordChange[], statements: readonly CqlStatement[]): Promise<boolean> {
    if (statements.length === 0) return true;
    const bytes = statements.reduce((sum, s) => sum + STATEMENT_OVERHEAD_BYTES + s.params.reduce((n, p) => n + paramBytes(p), 0), 0);
    if (bytes > MAX_MUTATION_BYTES) {
      throw new InvalidOperationError(SqlState.programLimitExceeded, `a write of ${bytes} bytes exceeds Cassandra's request limit of ${MAX_MUTATION_BYTES} bytes`, {
        schema: table.namespace,
        table: table.table,
        hint: 'Cassandra refuses requests larger than native_transport_max_frame_size (16 MiB by default).',
      });
    }
    const conditional = statements.some((s) => s.conditional);
    const options: cassandra.QueryOptions = {
      consistency: consistencies.quorum,
      isIdempotent: false,
      ...(conditional ? { serialConsistency: consistencies.serial } : {}),
    };
    const phase: CassandraPhase = conditional ? 'conditional-write' : 'write';
    try {
      await this.#ready();
      const result = statements.length === 1
        ? await this.#client.execute(statements[0]!.query, statements[0]!.params, options)
        : await this.#client.batch(statements.map((s) => ({ query: s.query, params: s.params })), { ...options, logged: true });
      return !conditional || result.wasApplied();
    } catch (e) {
      if (conditional && isLearnPhaseTimeout(e)) {
        await this.#confirmLearnedWrite(table, partitionKey, changes, e);
        return true;
      }
      throw toStorageError(e, phase);
    }
  }

  /**
   * After a commit-phase timeout of an accepted Paxos proposal: a SERIAL read finishes the commit;
   * the write succeeded if every record now holds what it wrote.
   */
  async #confirmLearnedWrite(table: CassandraTable, partitionKey: Key, changes: readonly RecordChange[], timeout: unknown): Promise<void> {
    let confirmed = false;
    try {
      const rows = await Promise.all(changes.map((c) => this.#readRecord(table, partitionKey, c.clusteringKey)));
      confirmed = changes.every((change, i) => {
        const row = rows[i]!;
        if (change.effect === 'delete') return row === null;
        return row !== null && [...change.values].every(([name, value]) => sameStoredValue(table.column(name).type, value, row[name] ?? null));
      });
    } catch {
      confirmed = false;
    }
    if (!confirmed) {
      throw new UnknownOutcomeError('a conditional write timed out in its commit phase and could not be confirmed; it may or may not have been applied', { cause: timeout });
    }
  }

  // ---- namespaces ----

  async createNamespace(namespace: string, options: { ifNotExists?: boolean } = {}): Promise<void> {
    const keyspace = this.#keyspaceOfNewNamespace(namespace);
    if (await this.namespaceExists(namespace)) {
      if (options.ifNotExists) return;
      throw duplicateNamespace(namespace);
    }
    try {
      await this.#ddl(createKeyspaceStatement(keyspace, this.#replication, this.#dataCenter, false));
    } catch (e) {
      // Another process created it between the check and the DDL.
      if (!(e instanceof InvalidOperationError && e.code === SqlState.duplicateSchema)) throw e;
      if (!options.ifNotExists) throw duplicateNamespace(namespace);
    }
  }

  async dropNamespace(namespace: string, options: { ifExists?: boolean } = {}): Promise<void> {
    const keyspace = this.#keyspaceOfNewNamespace(namespace);
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
    try {
      await this.#ddl(`DROP KEYSPACE ${quoteCql(keyspace)}`);
    } catch (e) {
      if (!(e instanceof InvalidOperationError && e.code === SqlState.invalidSchemaName && options.ifExists)) throw e;
    }
    this.#tables.invalidateNamespace(namespace);
  }

  /** A namespace exists when its keyspace does; ScalarDB's system namespace always does. */
  async namespaceExists(namespace: string): Promise<boolean> {
    if (typeof namespace !== 'string') return false;
    if (namespace === METADATA_NAMESPACE) return true;
    const result = await this.#execute('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [this.#keyspaceOf(namespace)], { consistency: consistencies.localOne, isIdempotent: true }, 'read');
    return result.rowLength > 0;
  }

  /** Namespaces with a keyspace (under the prefix), sorted; Cassandra's own and "scalardb" are not listed. */
  async listNamespaces(): Promise<string[]> {
    const result = await this.#execute('SELECT keyspace_name FROM system_schema.keyspaces', [], { consistency: consistencies.localOne, isIdempotent: true }, 'read');
    const names: string[] = [];
    for (const row of result.rows) {
      const keyspace = row.get('keyspace_name') as string;
      if (isSystemKeyspace(keyspace) || !keyspace.startsWith(this.#keyspacePrefix)) continue;
      const namespace = keyspace.slice(this.#keyspacePrefix.length);
      if (namespace !== METADATA_NAMESPACE && namespace.length > 0) names.push(namespace);
    }
    return names.sort();
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
    const keyspace = this.#keyspaceOfNewNamespace(table.namespace);
    checkCqlTableName(table.table);
    for (const column of table.secondaryIndexes) checkIndexName(table, column);
    if (!(await this.namespaceExists(table.namespace))) throw undefinedNamespace(table.namespace);
    this.#tables.invalidate(table);
    if (await this.#readTable(table)) {
      if (options.ifNotExists) return;
      throw duplicateTable(table);
    }
    await this.#createSystemKeyspace();
    try {
      await this.#ddl(createTableStatement(keyspace, table));
    } catch (e) {
      this.#tables.invalidate(table);
      if (!(e instanceof InvalidOperationError && e.code === SqlState.duplicateTable)) throw e;
      if (options.ifNotExists) return;
      throw duplicateTable(table);
    }
    for (const column of table.secondaryIndexes) await this.#createIndex(keyspace, table, column);
    this.#tables.invalidate(table);
  }

  async dropTable(ref: TableRef, options: { ifExists?: boolean } = {}): Promise<void> {
    checkTableRef(ref);
    this.#tables.invalidate(ref);
    const table = await this.#readTable(ref);
    if (!table) {
      if (options.ifExists) return;
      throw await this.#undefinedTable(ref);
    }
    try {
      await this.#ddl(`DROP TABLE ${table.qualifiedName}`);
    } catch (e) {
      if (!(options.ifExists && e instanceof InvalidOperationError && e.code === SqlState.undefinedTable)) throw e;
    } finally {
      this.#tables.invalidate(ref);
    }
  }

  async truncateTable(ref: TableRef): Promise<void> {
    const table = await this.#table(ref);
    await this.#ddl(`TRUNCATE TABLE ${table.qualifiedName}`, false);
  }

  /**
   * Always read from Cassandra's schema (and refreshes the cache the hot path uses), so that it shows
   * another process's DDL at once; callers cache it themselves (src/txn for 60 s, as ScalarDB).
   */
  async getTableMetadata(ref: TableRef): Promise<TableMetadata | null> {
    checkTableRef(ref);
    this.#tables.invalidate(ref);
    return (await this.#readTable(ref))?.metadata ?? null;
  }

  async listTables(namespace: string): Promise<string[]> {
    if (!(await this.namespaceExists(namespace))) throw undefinedNamespace(namespace);
    const result = await this.#execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [this.#keyspaceOf(namespace)], { consistency: consistencies.localOne, isIdempotent: true }, 'read');
    return result.rows.map((row) => row.get('table_name') as string).sort();
  }

  async addColumn(ref: TableRef, column: ColumnDefinition): Promise<void> {
    const table = await this.#freshTable(ref);
    checkColumnDefinition(column, { schema: table.namespace, table: table.table });
    if (table.columns.has(column.name)) {
      throw table.invalid(SqlState.duplicateColumn, `column "${column.name}" of relation "${fullTableName(table)}" already exists`, { column: column.name });
    }
    try {
      await this.#ddl(addColumnStatement(table.keyspace, table.table, column));
      // The column order (and whether a timestamp is TIMESTAMP) lives in the comment; without this
      // second step the new column would still come last, only its type could read as TIMESTAMPTZ.
      await this.#ddl(commentStatement(table.keyspace, table.table, [...table.metadata.columns, { name: column.name, type: column.type }]));
    } finally {
      this.#tables.invalidate(ref);
    }
  }

  async createIndex(ref: TableRef, columnName: string, options: { ifNotExists?: boolean } = {}): Promise<void> {
    const table = await this.#freshTable(ref);
    const column = table.column(columnName);
    if (table.indexedColumns.has(column.name)) {
      if (options.ifNotExists) return;
      throw table.invalid(SqlState.duplicateTable, `relation "${checkIndexName(table, column.name)}" already exists`, { column: column.name });
    }
    try {
      await this.#createIndex(table.keyspace, table, column.name);
    } finally {
      this.#tables.invalidate(ref);
    }
  }

  async dropIndex(ref: TableRef, columnName: string, options: { ifExists?: boolean } = {}): Promise<void> {
    const table = await this.#freshTable(ref);
    const column = table.column(columnName);
    const name = indexOnColumn(await this.#indexRows(table.keyspace, table.table), column.name);
    if (name === null) {
      if (options.ifExists) return;
      throw table.invalid(SqlState.undefinedObject, `index "${checkIndexName(table, column.name)}" does not exist`, { column: column.name });
    }
    try {
      await this.#ddl(dropIndexStatement(table.keyspace, name));
    } finally {
      this.#tables.invalidate(ref);
    }
  }

  /** CREATE INDEX, then wait until Cassandra has built it: until then queries on it fail. */
  async #createIndex(keyspace: string, ref: TableRef, column: string): Promise<void> {
    await this.#ddl(createIndexStatement(keyspace, ref.table, column, checkIndexName(ref, column)));
    const name = indexOnColumn(await this.#indexRows(keyspace, ref.table), column);
    if (name === null) return;
    const deadline = Date.now() + this.#indexBuildTimeoutMs;
    while (Date.now() < deadline) {
      // system."IndexInfo" lists built indexes per keyspace (its table_name column holds the keyspace).
      const built = await this.#execute('SELECT index_name FROM system."IndexInfo" WHERE table_name = ? AND index_name = ?', [keyspace, name], { consistency: consistencies.localOne, isIdempotent: true }, 'read');
      if (built.rowLength > 0) return;
      await delay(SCHEMA_POLL_INTERVAL_MS);
    }
    // The index exists; scans on it fail (transient) until Cassandra finishes building it.
  }

  // ---- metadata ----

  async #table(ref: TableRef): Promise<CassandraTable> {
    checkTableRef(ref);
    const table = this.#tables.get(ref) ?? (await this.#readTable(ref));
    if (!table) throw await this.#undefinedTable(ref);
    return table;
  }

  async #freshTable(ref: TableRef): Promise<CassandraTable> {
    checkTableRef(ref);
    this.#tables.invalidate(ref);
    return this.#table(ref);
  }

  /** The table's metadata from Cassandra's schema tables (as ScalarDB 3.16 reads it), cached. */
  async #readTable(ref: TableRef): Promise<CassandraTable | null> {
    checkTableRef(ref);
    const keyspace = this.#keyspaceOf(ref.namespace);
    const read = { consistency: consistencies.localOne, isIdempotent: true };
    const [tables, columns, indexes] = await Promise.all([
      this.#execute('SELECT comment FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [keyspace, ref.table], read, 'read'),
      this.#execute('SELECT column_name, kind, position, clustering_order, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [keyspace, ref.table], read, 'read'),
      this.#indexRows(keyspace, ref.table),
    ]);
    if (tables.rowLength === 0 || columns.rowLength === 0) return null;
    const columnRows = columns.rows.map((r): SchemaColumnRow => ({
      column_name: r.get('column_name') as string,
      kind: r.get('kind') as string,
      position: r.get('position') as number,
      clustering_order: r.get('clustering_order') as string,
      type: r.get('type') as string,
    }));
    const metadata = metadataFromSchema({ namespace: ref.namespace, table: ref.table }, tables.rows[0]!.get('comment') as string | null, columnRows, indexes);
    const table = new CassandraTable(metadata, keyspace);
    this.#tables.set(table);
    return table;
  }

  async #indexRows(keyspace: string, table: string): Promise<SchemaIndexRow[]> {
    const result = await this.#execute('SELECT index_name, options FROM system_schema.indexes WHERE keyspace_name = ? AND table_name = ?', [keyspace, table], { consistency: consistencies.localOne, isIdempotent: true }, 'read');
    return result.rows.map((r) => ({ index_name: r.get('index_name') as string, options: r.get('options') as Record<string, string> | null }));
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

  #keyspaceOf(namespace: string): string {
    return `${this.#keyspacePrefix}${namespace}`;
  }

  /** The keyspace of a namespace that DDL creates or drops, after checking its name. */
  #keyspaceOfNewNamespace(namespace: string): string {
    checkNamespaceName(namespace);
    if (namespace === METADATA_NAMESPACE) {
      throw new InvalidOperationError(RESERVED_NAME, `namespace "${METADATA_NAMESPACE}" is reserved for ScalarDB's system namespace`);
    }
    const keyspace = this.#keyspaceOf(namespace);
    if (isSystemKeyspace(keyspace)) throw new InvalidOperationError(RESERVED_NAME, `keyspace names starting with "system" are reserved for Cassandra (namespace "${namespace}")`);
    checkKeyspaceName(keyspace, namespace);
    return keyspace;
  }

  /** ScalarDB's CassandraAdmin.createTable creates its system keyspace first; so does polygres, once per instance. */
  async #createSystemKeyspace(): Promise<void> {
    if (this.#systemKeyspaceCreated) return;
    await this.#ddl(createKeyspaceStatement(this.#keyspaceOf(METADATA_NAMESPACE), this.#replication, this.#dataCenter, true));
    this.#systemKeyspaceCreated = true;
  }

  async #undefinedTable(ref: TableRef): Promise<InvalidOperationError> {
    checkNamespaceName(ref.namespace);
    checkTableName(ref.table);
    if (!(await this.namespaceExists(ref.namespace))) return undefinedNamespace(ref.namespace);
    return new InvalidOperationError(SqlState.undefinedTable, `relation "${fullTableName(ref)}" does not exist`, { schema: ref.namespace, table: ref.table });
  }

  // ---- the driver ----

  async #ready(): Promise<void> {
    if (this.#closed) throw new FatalStorageError(`storage "${this.name}" is closed`, {}, '08003');
    this.#connecting ??= this.#client.connect().catch((e: unknown) => {
      // The next operation tries again.
      this.#connecting = null;
      throw toStorageError(e, 'connect');
    });
    return this.#connecting;
  }

  async #execute(query: string, params: readonly unknown[], options: cassandra.QueryOptions, phase: CassandraPhase): Promise<cassandra.types.ResultSet> {
    await this.#ready();
    try {
      return await this.#client.execute(query, params as unknown[], { prepare: true, ...options });
    } catch (e) {
      throw toStorageError(e, phase);
    }
  }

  /** Runs a schema change and waits, within a bound, until every node has it. */
  async #ddl(statement: string, waitForAgreement = true): Promise<void> {
    await this.#ready();
    let result: cassandra.types.ResultSet;
    try {
      result = await this.#client.execute(statement, [], { prepare: false, isIdempotent: false });
    } catch (e) {
      throw toStorageError(e, 'ddl');
    }
    if (!waitForAgreement || (result.info as { isSchemaInAgreement?: boolean }).isSchemaInAgreement !== false) return;
    const metadata = this.#client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
    const deadline = Date.now() + this.#schemaAgreementTimeoutMs;
    while (Date.now() < deadline) {
      if (await metadata.checkSchemaAgreement().catch(() => false)) return;
      await delay(SCHEMA_POLL_INTERVAL_MS * 4);
    }
    // Still disagreeing: the DDL is applied; nodes that lag refuse the table until they catch up (42P01, retried).
  }

  /**
   * Connections carrying requests now. The driver multiplexes requests over its connections and
   * counts them per host, so this is each host's requests in flight, at most its open connections.
   */
  connectionsInUse(): number {
    const state = this.#client.getState();
    let busy = 0;
    for (const host of state.getConnectedHosts()) busy += Math.min(state.getInFlightQueries(host), state.getOpenConnections(host));
    return busy;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#tables.clear();
    await this.#client.shutdown();
  }
}

// ---------------------------------------------------------------------------------------------

/** A WHERE condition with its parameters. */
interface Condition {
  readonly cql: string;
  readonly params: (Buffer | null)[];
}

function keyConditions(columns: readonly ColumnDefinition[], key: Key): Condition[] {
  return key.map((value, i) => ({ cql: `${quoteCql(columns[i]!.name)} = ?`, params: [encodeParam(columns[i]!.type, value)] }));
}

function comparisonCondition(column: ColumnDefinition, comparison: CqlComparison): Condition {
  const name = quoteCql(column.name);
  const params = comparison.values.map((v) => encodeParam(column.type, v));
  const cql = comparison.operator === 'IN' ? `${name} IN (${params.map(() => '?').join(', ')})` : `${name} ${comparison.operator} ?`;
  return { cql, params };
}

function projected(table: TableSchema, projection: readonly string[] | undefined): ColumnDefinition[] {
  if (projection === undefined) return [...table.columns.values()];
  return [...new Set(projection)].map((name) => table.column(name));
}

function normalizedKey(columns: readonly ColumnDefinition[], key: Key): Key {
  return key.map((value, i) => normalizeKeyValue(columns[i]!.type, value));
}

/** An identity for a key: its values' CQL bytes. */
function keyId(columns: readonly ColumnDefinition[], key: Key): string {
  return key.map((value, i) => encodeParam(columns[i]!.type, value)?.toString('hex') ?? '').join(',');
}

/**
 * A checked key (partition values, then clustering values; or a clustering prefix) as Cassandra keys
 * it, or null when no stored record can have it (a value Cassandra cannot hold).
 */
function readableKey(table: CassandraTable, partitionKey: Key, clusteringKey: Key, clusteringOnly = false): Key | null {
  const partition = normalizedKey(table.partitionColumns, partitionKey);
  const clustering = normalizedKey(table.clusteringColumns, clusteringKey);
  const onlyPartitionColumn = table.partitionColumns.length === 1;
  const problem = partition.some((v, i) => writeProblem(table.partitionColumns[i]!.type, v, 'partition', onlyPartitionColumn))
    || clustering.some((v, i) => writeProblem(table.clusteringColumns[i]!.type, v, 'clustering', false));
  if (problem) return null;
  return clusteringOnly ? clustering : [...partition, ...clustering];
}

/** Refuses (before anything runs) a mutation with a key or value Cassandra cannot hold exactly. */
function checkStorable(table: CassandraTable, mutation: Mutation): void {
  const fail = (column: ColumnDefinition, problem: { code: string; message: string }): never => {
    throw new InvalidOperationError(problem.code, `${problem.message} (column "${column.name}")`, {
      schema: table.namespace,
      table: table.table,
      column: column.name,
      dataType: column.type,
    });
  };
  const onlyPartitionColumn = table.partitionColumns.length === 1;
  table.partitionColumns.forEach((c, i) => {
    const problem = writeProblem(c.type, mutation.partitionKey[i]!, 'partition', onlyPartitionColumn);
    if (problem) fail(c, problem);
  });
  table.clusteringColumns.forEach((c, i) => {
    const problem = writeProblem(c.type, mutation.clusteringKey![i]!, 'clustering', false);
    if (problem) fail(c, problem);
  });
  if (mutation.type === 'put') {
    for (const [name, value] of Object.entries(mutation.values)) {
      const column = table.column(name);
      const problem = writeProblem(column.type, value, 'value', false);
      if (problem) fail(column, problem);
    }
  }
}

/**
 * The partition a filter confines a scan to: when its only conjunction has an equality on every
 * partition key column. undefined: no such partition; null: the partition cannot exist.
 */
function partitionOfFilter(table: CassandraTable, filter: Filter): Key | null | undefined {
  if (filter.length !== 1) return undefined;
  const key: Value[] = [];
  for (const column of table.partitionColumns) {
    const eq = filter[0]!.find((p) => p.column === column.name && p.op === 'EQ');
    if (!eq || eq.value === undefined || eq.value === null) return undefined;
    key.push(eq.value);
  }
  return readableKey(table, key, []);
}

function storedPredicate(table: TableSchema, p: ColumnPredicate): ColumnPredicate {
  return p.value === undefined ? p : { ...p, value: storedOperand(table.column(p.column).type, p.value) };
}

/** The mutation with FLOAT values and operands rounded as Cassandra stores and compares them. */
function withStoredFloats(table: TableSchema, mutation: Mutation): Mutation {
  const condition = mutation.condition?.kind === 'if'
    ? { kind: 'if' as const, predicates: mutation.condition.predicates.map((p) => storedPredicate(table, p)) }
    : null;
  if (mutation.type === 'delete') return condition ? { ...mutation, condition } : mutation;
  const values = Object.fromEntries(Object.entries(mutation.values).map(([name, value]) => [name, storedOperand(table.column(name).type, value)]));
  return condition ? { ...mutation, values, condition } : { ...mutation, values };
}

/** Whether a value read back is the value written (a FLOAT is stored as a 4-byte float). */
function sameStoredValue(type: DataType, written: Value, read: Value): boolean {
  if (written === null || read === null) return written === read;
  if (written instanceof Uint8Array && read instanceof Uint8Array) return Buffer.compare(written, read) === 0;
  if (type === 'FLOAT') return Object.is(Math.fround(written as number), read);
  return Object.is(written, read);
}

function undefinedNamespace(namespace: string): InvalidOperationError {
  return new InvalidOperationError(SqlState.invalidSchemaName, `schema "${namespace}" does not exist`, { schema: namespace });
}

function duplicateNamespace(namespace: string): InvalidOperationError {
  return new InvalidOperationError(SqlState.duplicateSchema, `schema "${namespace}" already exists`);
}

function duplicateTable(ref: TableRef): InvalidOperationError {
  return new InvalidOperationError(SqlState.duplicateTable, `relation "${fullTableName(ref)}" already exists`, { schema: ref.namespace, table: ref.table });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
