/**
 * PostgreSQL storage on a pg.Pool, in ScalarDB's JDBC layout for PostgreSQL (RdbEnginePostgresql): a
 * schema per namespace, TEXT key and indexed columns as VARCHAR(10485760), a unique index for a mixed
 * ASC/DESC clustering key, metadata in schema "scalardb".
 *
 * Conditional writes are single statements whose row count says whether they applied; under READ
 * COMMITTED a concurrent write to the same row waits for the row lock and re-evaluates the WHERE clause
 * on the new version, which makes each one a compare-and-set. A single mutation runs as one autocommit
 * statement; several run in one transaction.
 *
 * Values cross the wire without loss: bigints as decimal text; temporal parameters in PostgreSQL's
 * binary format (integer days / microseconds, no JS Date); temporal results converted to integers in the
 * SELECT list; float4 results rounded back to 4-byte floats; bytea in binary.
 */
import pg from 'pg';
import { SqlState } from '../errors.js';
import {
  FatalStorageError, InvalidOperationError, NotAppliedError, StorageError, TransientStorageError, UnknownOutcomeError,
} from './errors.js';
import type { ColumnDefinition, DataType, TableRef, Value } from './types.js';
import { quoteIdentifier, type ColumnRole, type SqlDialect, type SqlMutation, type SqlStatement } from './sql.js';
import { SqlStorage } from './sql-storage.js';
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
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** ScalarDB's key type for TEXT: PostgreSQL's largest VARCHAR. */
const KEY_TEXT_TYPE = 'VARCHAR(10485760)';

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
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
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
  },
};

/** Where a failure happened decides what it means for a write. */
type Phase = 'connect' | 'read' | 'autocommit-write' | 'before-commit' | 'commit';

export class PostgresStorage extends SqlStorage {
  readonly #pool: pg.Pool;
  #closed = false;

  constructor(options: PostgresStorageOptions) {
    super(options.name ?? 'postgres', postgresDialect);
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      database: options.database,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      application_name: 'polygres',
      // Detects a peer that vanished without closing the socket, instead of waiting on it forever.
      keepAlive: true,
      types: PG_TYPES,
    });
    // An idle connection that breaks is dropped by the pool; without a listener the error would crash the process.
    this.#pool.on('error', () => {});
  }

  protected override async query(statement: SqlStatement): Promise<unknown[][]> {
    const client = await this.#connect();
    let broken: unknown;
    try {
      const result = await client.query({ text: statement.text, values: statement.params, rowMode: 'array' });
      return result.rows as unknown[][];
    } catch (e) {
      broken = isConnectionFailure(e) ? e : undefined;
      throw toStorageError(e, 'read');
    } finally {
      client.release(broken as Error | undefined);
    }
  }

  protected override async executeAtomically(statements: readonly SqlMutation[]): Promise<void> {
    const client = await this.#connect();
    if (statements.length === 1) {
      // One statement is its own transaction: one round trip, and the row count is the outcome.
      const [statement] = statements;
      let broken: unknown;
      try {
        const result = await client.query({ text: statement!.text, values: statement!.params });
        if (statement!.conditional && result.rowCount !== 1) throw new NotAppliedError();
        return;
      } catch (e) {
        broken = isConnectionFailure(e) ? e : undefined;
        throw toStorageError(e, 'autocommit-write');
      } finally {
        client.release(broken as Error | undefined);
      }
    }
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

  protected override checkStorageName(kind: 'namespace' | 'table' | 'column', name: string): void {
    // PostgreSQL truncates longer identifiers silently, which would make different names collide.
    if (Buffer.byteLength(name, 'utf8') > 63) {
      throw new InvalidOperationError(SqlState.nameTooLong, `${kind} name "${name}" is longer than PostgreSQL's 63 bytes`);
    }
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #connect(): Promise<pg.PoolClient> {
    if (this.#closed) throw new FatalStorageError(`storage "${this.name}" is closed`, {}, '08003');
    try {
      return await this.#pool.connect();
    } catch (e) {
      throw toStorageError(e, 'connect');
    }
  }
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
