/**
 * PostgreSQL storage on a pg.Pool, in ScalarDB's JDBC layout for PostgreSQL (RdbEnginePostgresql): a
 * schema per namespace, TEXT key and indexed columns as VARCHAR(10485760), a unique index for a mixed
 * ASC/DESC clustering key, metadata in schema "scalardb".
 *
 * Conditional writes are single statements whose row count says whether they applied; under READ
 * COMMITTED a concurrent write to the same row waits for the row lock and re-evaluates the WHERE clause
 * on the new version, which makes each one a compare-and-set. A single mutation runs as one autocommit
 * statement. Several mutations of distinct records run as ONE autocommit statement too (one round
 * trip, see `combinedMutation`): each mutation a data-modifying CTE, and a final SELECT that raises an
 * error, undoing the whole statement, unless every conditional one changed its row. Anything else
 * (DDL batches, a record mutated twice) runs statement by statement in one transaction.
 *
 * Statements run as named prepared statements, one name per distinct text (PostgreSQL then parses and
 * plans each shape once per connection, not on every execution). A statement prepared before another
 * process changed a column's type (an index switches TEXT to VARCHAR) fails with "cached plan must not
 * change result type" before it executes; then every name is retired and the statement runs once more
 * under a new one. A connection that holds too many prepared statements is closed when released.
 *
 * Values cross the wire without loss: bigints as decimal text; temporal parameters in PostgreSQL's
 * binary format (integer days / microseconds, no JS Date); temporal results converted to integers in the
 * SELECT list; float4 results rounded back to 4-byte floats; bytea in binary.
 */
import pg from 'pg';
import { LRUCache } from 'lru-cache';
import { SqlState } from '../errors.js';
import {
  FatalStorageError, InvalidOperationError, NotAppliedError, StorageError, TransientStorageError, UnknownOutcomeError,
} from './errors.js';
import type { ColumnDefinition, DataType, TableRef, Value } from './types.js';
import { encodeRecordIdentity } from './keys.js';
import { quoteIdentifier, type ColumnRole, type SqlBuilder, type SqlDialect, type SqlMutation, type SqlStatement } from './sql.js';
import { SqlStorage, type CheckedMutation, type ReadAccess } from './sql-storage.js';
import { PipelineConnectError, PointReadPipeline } from './postgres-pipeline.js';
import { METADATA_NAMESPACE } from './scalardb-layout.js';

export interface PostgresStorageOptions {
  readonly name?: string;
  readonly connectionString?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a connection before failing with 08001 (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Pipelined connections for point reads, besides the pool (default 2; 0: point reads use the pool; see postgres-pipeline.ts). */
  readonly pointReadConnections?: number;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_POINT_READ_CONNECTIONS = 2;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** ScalarDB's key type for TEXT: PostgreSQL's largest VARCHAR. */
const KEY_TEXT_TYPE = 'VARCHAR(10485760)';

/** Statement texts with a prepared-statement name; a text evicted from here gets a new name when it returns. */
const PREPARED_NAMES = 512;
/**
 * Longer statements (large multi-mutations, whose shapes seldom repeat) run unnamed: a prepared
 * statement holds its plan in the PostgreSQL session until the connection closes.
 */
const MAX_NAMED_STATEMENT_CHARS = 16_384;
/** Prepared statements one connection may accumulate (names retired above stay prepared) before it is closed. */
const MAX_PREPARED_PER_CONNECTION = 2 * PREPARED_NAMES;
/** invalid_sql_statement_name: the named statement does not exist (its preparation failed). */
const UNPREPARED_STATEMENT = '26000';
/** What PostgreSQL says when a prepared SELECT's result types changed under it (SQLSTATE 0A000). */
const CHANGED_RESULT_TYPE = /cached plan must not change result type/;

/** PostgreSQL's limit on the parameters of one statement. */
const MAX_STATEMENT_PARAMS = 65_535;
/**
 * The text a combined mutation casts to an integer when a condition did not hold: the cast fails with
 * 22P02 quoting it, which aborts the statement, and the message tells that failure from any other.
 */
const NOT_APPLIED_MARKER = 'polygres: a mutation condition did not hold';

/** PostgreSQL counts dates and timestamps from 2000-01-01; polygres from 1970-01-01. */
const PG_EPOCH_DAYS = 10_957;
const PG_EPOCH_MICROS = 946_684_800_000_000n;

const PARAM_CAST: Record<DataType, string> = {
  BOOLEAN: 'bool', INT: 'int4', BIGINT: 'int8', FLOAT: 'float4', DOUBLE: 'float8', TEXT: 'text', BLOB: 'bytea',
  DATE: 'date', TIME: 'time', TIMESTAMP: 'timestamp', TIMESTAMPTZ: 'timestamptz',
};

const COLUMN_TYPE: Record<DataType, string> = {
  BOOLEAN: 'BOOLEAN', INT: 'INT', BIGINT: 'BIGINT', FLOAT: 'REAL', DOUBLE: 'DOUBLE PRECISION', TEXT: 'TEXT', BLOB: 'BYTEA',
  DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP', TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE',
};

function int64Param(value: bigint): Buffer {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeBigInt64BE(value);
  return buffer;
}

/** Text for a float parameter that PostgreSQL parses back to exactly this number (-0 and NaN included). */
function floatText(value: number): string {
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

export const postgresDialect: SqlDialect = {
  quote: quoteIdentifier,
  tableName: (ref: TableRef) => `${quoteIdentifier(ref.namespace)}.${quoteIdentifier(ref.table)}`,
  placeholder: (index: number, type: DataType) => `$${index}::${PARAM_CAST[type]}`,
  likeEscape: "ESCAPE E'\\\\'",

  encode(type: DataType, value: Exclude<Value, null>): unknown {
    switch (type) {
      case 'FLOAT':
        return floatText(Math.fround(value as number));
      case 'DOUBLE':
        return floatText(value as number);
      case 'BIGINT':
        return (value as bigint).toString();
      case 'BLOB': {
        const bytes = value as Uint8Array;
        return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      case 'DATE': {
        const buffer = Buffer.allocUnsafe(4);
        buffer.writeInt32BE((value as number) - PG_EPOCH_DAYS);
        return buffer;
      }
      case 'TIME':
        return int64Param(value as bigint);
      case 'TIMESTAMP':
      case 'TIMESTAMPTZ':
        return int64Param((value as bigint) - PG_EPOCH_MICROS);
      default:
        return value;
    }
  },

  selectExpression(column: ColumnDefinition): string {
    const name = quoteIdentifier(column.name);
    switch (column.type) {
      case 'DATE':
        return `(${name} - DATE '1970-01-01')`;
      case 'TIME':
      case 'TIMESTAMP':
      case 'TIMESTAMPTZ':
        // EXTRACT returns an exact numeric (PostgreSQL 14+), so the microseconds survive.
        return `(EXTRACT(EPOCH FROM ${name}) * 1000000)::int8`;
      default:
        return name;
    }
  },

  /** The pool's type parsers already produce Values (see PG_TYPES). */
  decode: (_type: DataType, raw: unknown) => raw as Value,

  columnType(type: DataType, role: ColumnRole): string {
    return type === 'TEXT' && role !== 'plain' ? KEY_TEXT_TYPE : COLUMN_TYPE[type];
  },

  textType: (maxChars: number) => `VARCHAR(${maxChars})`,
  // IF NOT EXISTS adopts a schema that exists but was never registered (e.g. "public").
  createNamespaceStatements: (namespace: string) => [`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(namespace)}`],
  dropNamespaceStatements: (namespace: string) => [`DROP SCHEMA ${quoteIdentifier(namespace)}`],
  metadataNamespaceStatements: () => [`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(METADATA_NAMESPACE)}`],
  truncateStatement: (ref: TableRef) => `TRUNCATE TABLE ${postgresDialect.tableName(ref)}`,
  dropIndexStatement: (ref: TableRef, indexName: string) => `DROP INDEX ${quoteIdentifier(ref.namespace)}.${quoteIdentifier(indexName)}`,
  indexedColumnTypeStatement(ref: TableRef, column: ColumnDefinition, indexed: boolean): string | null {
    if (column.type !== 'TEXT') return null;
    return `ALTER TABLE ${postgresDialect.tableName(ref)} ALTER COLUMN ${quoteIdentifier(column.name)} TYPE ${indexed ? KEY_TEXT_TYPE : 'TEXT'}`;
  },
  createsClusteringOrderIndex: true,
};

/**
 * Result parsers of this pool only (pg's global parsers stay untouched): int8 as bigint, float4 as a
 * 4-byte float, and temporal types as text, never JS Dates (the SELECT list converts them anyway).
 */
const PG_TYPES = {
  // pg asks for a parser per column of every result: they are looked up once per type.
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    const cache = format === 'binary' ? BINARY_PARSERS : TEXT_PARSERS;
    let parser = cache.get(oid);
    if (!parser) cache.set(oid, (parser = typeParser(oid, format)));
    return parser;
  },
};
const TEXT_PARSERS = new Map<number, (value: string) => unknown>();
const BINARY_PARSERS = new Map<number, (value: string) => unknown>();

function typeParser(oid: number, format: string | undefined): (value: string) => unknown {
  switch (oid) {
    case pg.types.builtins.INT8:
      return (text: string) => BigInt(text);
    case pg.types.builtins.FLOAT4:
      return (text: string) => Math.fround(Number.parseFloat(text));
    case pg.types.builtins.DATE:
    case pg.types.builtins.TIME:
    case pg.types.builtins.TIMESTAMP:
    case pg.types.builtins.TIMESTAMPTZ:
      return (text: string) => text;
    default:
      return pg.types.getTypeParser(oid, (format ?? 'text') as 'text') as (value: string) => unknown;
  }
}

/** Where a failure happened decides what it means for a write. */
type Phase = 'connect' | 'read' | 'autocommit-write' | 'before-commit' | 'commit';

/**
 * A name per statement text. Names are never reused for another text, so a connection that prepared a
 * name has prepared exactly this text under it.
 */
class PreparedStatementNames {
  readonly #names = new LRUCache<string, string>({ max: PREPARED_NAMES });
  #next = 0;

  nameOf(text: string): string {
    let name = this.#names.get(text);
    if (name === undefined) {
      name = `polygres_${this.#next++}`;
      this.#names.set(text, name);
    }
    return name;
  }

  /** Retires every name: statements prepared so far are prepared again, under new names, when next run. */
  retireAll(): void {
    this.#names.clear();
  }
}

export class PostgresStorage extends SqlStorage {
  readonly #pool: pg.Pool;
  readonly #pointReads: PointReadPipeline | null;
  readonly #names = new PreparedStatementNames();
  /** Names each connection has prepared. */
  readonly #prepared = new WeakMap<pg.ClientBase, Set<string>>();
  #closed = false;

  constructor(options: PostgresStorageOptions) {
    super(options.name ?? 'postgres', postgresDialect);
    const connection: pg.ClientConfig = {
      connectionString: options.connectionString,
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      database: options.database,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      application_name: 'polygres',
      // Detects a peer that vanished without closing the socket, instead of waiting on it forever.
      keepAlive: true,
      types: PG_TYPES,
    };
    this.#pool = new pg.Pool({ ...connection, max: options.poolSize ?? DEFAULT_POOL_SIZE });
    // An idle connection that breaks is dropped by the pool; without a listener the error would crash the process.
    this.#pool.on('error', () => {});
    const pointReadConnections = options.pointReadConnections ?? DEFAULT_POINT_READ_CONNECTIONS;
    this.#pointReads = pointReadConnections > 0 ? new PointReadPipeline(connection, pointReadConnections, isConnectionFailure) : null;
  }

  protected override async query(statement: SqlStatement, access: ReadAccess): Promise<unknown[][]> {
    const pointReads = this.#pointReads;
    if (access === 'point' && pointReads) {
      if (this.#closed) throw closedError(this.name);
      try {
        const result = await pointReads.run((client) => {
          const running = this.#run(client, statement);
          if ((this.#prepared.get(client)?.size ?? 0) > MAX_PREPARED_PER_CONNECTION) pointReads.retire(client);
          return running;
        });
        return result.rows as unknown[][];
      } catch (e) {
        throw e instanceof PipelineConnectError ? toStorageError(e.cause, 'connect') : toStorageError(e, 'read');
      }
    }
    const client = await this.#connect();
    let broken: unknown;
    try {
      const result = await this.#run(client, statement);
      return result.rows as unknown[][];
    } catch (e) {
      broken = isConnectionFailure(e) ? e : undefined;
      throw toStorageError(e, 'read');
    } finally {
      this.#release(client, broken);
    }
  }

  /**
   * Runs a statement as a prepared statement of this connection. A result-type change, or a name
   * whose preparation failed, refuses the statement before it runs (nothing read or written), so
   * running it once more is safe.
   */
  async #run(client: pg.ClientBase, statement: SqlStatement): Promise<pg.QueryResult> {
    if (statement.text.length > MAX_NAMED_STATEMENT_CHARS) return client.query({ text: statement.text, values: statement.params, rowMode: 'array' });
    const execute = () => {
      const name = this.#names.nameOf(statement.text);
      let prepared = this.#prepared.get(client);
      if (!prepared) this.#prepared.set(client, (prepared = new Set()));
      prepared.add(name);
      return client.query({ name, text: statement.text, values: statement.params, rowMode: 'array' });
    };
    try {
      return await execute();
    } catch (e) {
      if (!(e instanceof pg.DatabaseError)) throw e;
      if (e.code === SqlState.featureNotSupported && CHANGED_RESULT_TYPE.test(e.message)) {
        this.#names.retireAll();
      } else if (e.code !== UNPREPARED_STATEMENT) {
        throw e;
      }
      // Sent right behind a preparation of the same name that failed (pipelined): prepared this time,
      // it fails with the error that preparation met, or runs.
      return execute();
    }
  }

  /** Returns a connection to the pool; a broken one, or one holding too many prepared statements, is closed. */
  #release(client: pg.PoolClient, broken: unknown): void {
    if (!broken && (this.#prepared.get(client)?.size ?? 0) > MAX_PREPARED_PER_CONNECTION) {
      client.release(true);
      return;
    }
    client.release(broken as Error | undefined);
  }

  protected override applyMutations(mutations: readonly CheckedMutation[]): Promise<void> {
    const combined = mutations.length > 1 ? combinedMutation(this.sql, mutations) : null;
    return combined ? this.#autocommitWrite(combined) : super.applyMutations(mutations);
  }

  protected override async executeAtomically(statements: readonly SqlMutation[]): Promise<void> {
    if (statements.length === 1) return this.#autocommitWrite(statements[0]!);
    const client = await this.#connect();
    let phase: Phase = 'before-commit';
    let broken: unknown;
    try {
      // READ COMMITTED whatever the server default: it is what makes conditional UPDATEs compare-and-set.
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      for (const statement of statements) {
        const result = await client.query({ text: statement.text, values: statement.params });
        if (statement.conditional && result.rowCount !== 1) throw new NotAppliedError();
      }
      phase = 'commit';
      await client.query('COMMIT');
    } catch (e) {
      if (isConnectionFailure(e)) {
        broken = e;
      } else if (phase === 'before-commit') {
        // A failed COMMIT ends the transaction itself; otherwise roll back before the connection is reused.
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError;
        });
      }
      throw toStorageError(e, phase);
    } finally {
      client.release(broken as Error | undefined);
    }
  }

  /** One statement is its own transaction: one round trip, and the row count (or the marker) is the outcome. */
  async #autocommitWrite(statement: SqlMutation): Promise<void> {
    const client = await this.#connect();
    let broken: unknown;
    try {
      const result = await this.#run(client, statement);
      if (statement.conditional && result.rowCount !== 1) throw new NotAppliedError();
    } catch (e) {
      broken = isConnectionFailure(e) ? e : undefined;
      if (isNotAppliedMarker(e)) throw new NotAppliedError();
      throw toStorageError(e, 'autocommit-write');
    } finally {
      this.#release(client, broken);
    }
  }

  protected override checkStorageName(kind: 'namespace' | 'table' | 'column', name: string): void {
    // PostgreSQL truncates longer identifiers silently, which would make different names collide.
    if (Buffer.byteLength(name, 'utf8') > 63) {
      throw new InvalidOperationError(SqlState.nameTooLong, `${kind} name "${name}" is longer than PostgreSQL's 63 bytes`);
    }
  }

  /** Pool connections checked out, and pipelined read connections with a read in flight. */
  connectionsInUse(): number {
    return this.#pool.totalCount - this.#pool.idleCount + (this.#pointReads?.busyConnections() ?? 0);
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pool.end(), this.#pointReads?.close()]);
  }

  async #connect(): Promise<pg.PoolClient> {
    if (this.#closed) throw closedError(this.name);
    try {
      return await this.#pool.connect();
    } catch (e) {
      throw toStorageError(e, 'connect');
    }
  }
}

function closedError(name: string): FatalStorageError {
  return new FatalStorageError(`storage "${name}" is closed`, {}, '08003');
}

/**
 * Mutations of distinct records as one statement:
 *
 *   WITH m0 AS (UPDATE ... WHERE <key> AND tx_id = $3 RETURNING 1),
 *        m1 AS (INSERT ... ON CONFLICT DO NOTHING RETURNING 1),
 *        m2 AS (INSERT ... ON CONFLICT (<key>) DO UPDATE ...)
 *   SELECT (CASE WHEN (SELECT count(*) FROM m0) = 1 AND (SELECT count(*) FROM m1) = 1
 *           THEN '1' ELSE '<marker>' END)::int
 *
 * Every CTE runs to completion within the one statement (and so one transaction); each is the same
 * conditional write a lone mutation would be, with the same READ COMMITTED re-check of its WHERE
 * clause on a concurrently updated row. When a conditional one changed no row, the cast fails and
 * the error undoes the whole statement: nothing applies. The CTEs share one snapshot and cannot see
 * each other's writes, so a record mutated twice (whose second mutation depends on the first) is
 * left to the statement-by-statement path (null). Records are taken in one fixed order, so that two
 * combined mutations over the same records never wait on each other in a cycle (a deadlock, which
 * PostgreSQL breaks only after deadlock_timeout).
 */
function combinedMutation(sql: SqlBuilder, mutations: readonly CheckedMutation[]): SqlMutation | null {
  const ordered = mutations.map((m) => ({ ...m, identity: identityOf(m) })).sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
  const params: unknown[] = [];
  const statements: SqlMutation[] = [];
  // The shapes of the parts decide the text; without every part's shape the text is built each time.
  let shape: string | undefined = '';
  for (let i = 0; i < ordered.length; i++) {
    const { schema, mutation, identity } = ordered[i]!;
    if (i > 0 && identity === ordered[i - 1]!.identity) return null;
    const statement = sql.mutation(schema, mutation, params.length + 1);
    if (params.length + statement.params.length > MAX_STATEMENT_PARAMS) return null;
    params.push(...statement.params);
    statements.push(statement);
    shape = shape === undefined || statement.shape === undefined ? undefined : `${shape}${schemaId(schema)}\u0002${statement.shape}\u0003`;
  }
  let text = shape === undefined ? undefined : COMBINED_TEXTS.get(shape);
  if (text === undefined) {
    const ctes: string[] = [];
    const checks: string[] = [];
    statements.forEach((statement, i) => {
      if (statement.conditional) {
        ctes.push(`m${i} AS (${statement.text} RETURNING 1)`);
        checks.push(`(SELECT count(*) FROM m${i}) = 1`);
      } else {
        ctes.push(`m${i} AS (${statement.text})`);
      }
    });
    const outcome = checks.length === 0 ? '1' : `(CASE WHEN ${checks.join(' AND ')} THEN '1' ELSE '${NOT_APPLIED_MARKER}' END)::int`;
    text = `WITH ${ctes.join(', ')} SELECT ${outcome}`;
    if (shape !== undefined && text.length <= MAX_NAMED_STATEMENT_CHARS) {
      if (COMBINED_TEXTS.size >= MAX_COMBINED_TEXTS) COMBINED_TEXTS.clear();
      COMBINED_TEXTS.set(shape, text);
    }
  }
  return { text, params, conditional: false };
}

/** Texts of combined mutations by the shapes of their parts (texts are built once per shape; long ones are not kept). */
const COMBINED_TEXTS = new Map<string, string>();
const MAX_COMBINED_TEXTS = 512;
/** A number per table schema object: a table changed under the same name gets a new one. */
const SCHEMA_IDS = new WeakMap<object, number>();
let nextSchemaId = 0;

function schemaId(schema: object): number {
  let id = SCHEMA_IDS.get(schema);
  if (id === undefined) SCHEMA_IDS.set(schema, (id = nextSchemaId++));
  return id;
}

function identityOf({ mutation }: CheckedMutation): string {
  return encodeRecordIdentity(mutation.namespace, mutation.table, mutation.partitionKey, mutation.clusteringKey ?? []);
}

function isNotAppliedMarker(e: unknown): boolean {
  return e instanceof pg.DatabaseError && e.code === '22P02' && e.message.includes(NOT_APPLIED_MARKER);
}

const CONNECTION_ERROR_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTDOWN']);
const UNREACHABLE_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** The session is gone: a network failure, or the server ended it (shutdown, pg_terminate_backend). */
function isConnectionFailure(e: unknown): boolean {
  if (e instanceof pg.DatabaseError) return typeof e.code === 'string' && (e.code.startsWith('08') || e.code.startsWith('57P'));
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || UNREACHABLE_ERROR_CODES.has(code))) return true;
  return /Connection terminated|not queryable|socket hang up/i.test(e.message);
}

/**
 * pg failures to typed storage errors:
 * - 40001 / 40P01 / 55P03 / 57014: retryable, nothing applied;
 * - cannot connect (refused, unresolvable, pool timeout): fatal 08001;
 * - the session broke: before anything could commit transient 08006; while a write or COMMIT was in
 *   flight the outcome is unknown; during a read fatal 08006;
 * - classes 22, 23, 42, 54 and a few more: the request is wrong, InvalidOperationError with PostgreSQL's code;
 * - anything else: fatal 58000 carrying PostgreSQL's code in the detail.
 */
function toStorageError(e: unknown, phase: Phase): StorageError {
  if (e instanceof StorageError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const fields = { cause: e };
  if (e instanceof pg.DatabaseError && typeof e.code === 'string' && !isConnectionFailure(e)) {
    const code = e.code;
    const detail = { ...fields, detail: e.detail, hint: e.hint, schema: e.schema, table: e.table, column: e.column };
    if (code === SqlState.serializationFailure || code === SqlState.deadlockDetected || code === SqlState.lockNotAvailable || code === SqlState.queryCanceled) {
      return new TransientStorageError(message, detail, code);
    }
    if (code.startsWith('53')) return new TransientStorageError(message, detail, code);
    if (/^(22|23|42|54|2B|3F|0A)/.test(code)) return new InvalidOperationError(code, message, detail);
    return new FatalStorageError(`${message} (SQLSTATE ${code})`, detail);
  }
  if (phase === 'connect') {
    return new FatalStorageError(`cannot connect to PostgreSQL: ${message}`, fields, '08001');
  }
  if (isConnectionFailure(e)) {
    switch (phase) {
      case 'read':
        return new FatalStorageError(`the PostgreSQL connection broke: ${message}`, fields, SqlState.connectionFailure);
      case 'before-commit':
        return new TransientStorageError(`the PostgreSQL connection broke before commit; nothing was applied: ${message}`, fields, SqlState.connectionFailure);
      case 'autocommit-write':
      case 'commit':
        return new UnknownOutcomeError(`the PostgreSQL connection broke while a write was committing; it may or may not have been applied: ${message}`, fields);
    }
  }
  return new FatalStorageError(message, fields);
}
