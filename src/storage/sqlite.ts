/**
 * The embedded storage: one SQLite file through better-sqlite3, in ScalarDB's SQLite layout (a
 * namespace is the table-name prefix "<namespace>$", types per RdbEngineSqlite).
 *
 * better-sqlite3 is synchronous, so every get, scan and mutate runs start to finish inside one call
 * of the event loop: an async caller can never observe a half-applied multi-mutation, and no transaction
 * stays open across an await. Other processes on the same file are serialized by SQLite's locks
 * (WAL mode; writers take the write lock up front with BEGIN IMMEDIATE and wait `busyTimeoutMs`).
 *
 * Group commit: the mutates requested during one turn of the event loop are applied together in the
 * next (setImmediate), in one SQLite transaction, each inside its own savepoint, so that each applies
 * all or nothing and sees the ones before it, as if they had run one after another; they share one
 * COMMIT and so one sync of the WAL (with synchronous=FULL, the cost that dominates a small write).
 * A mutate returns only once that COMMIT is durable.
 *
 * Value representation (ScalarDB's where it is lossless):
 * - BOOLEAN 1/0, INT/BIGINT integers, DATE integer days, TIME integer nanoseconds of the day (as ScalarDB);
 * - TIMESTAMP/TIMESTAMPTZ integer microseconds since 1970 (ScalarDB 3.16 stores milliseconds encoded as
 *   `epochSecond * 1000 ± millis`, which cannot hold microseconds; so these columns are not readable by
 *   ScalarDB with the right value, although they order correctly);
 * - FLOAT/DOUBLE REAL, except NaN, which SQLite would turn into NULL: it is stored as the TEXT 'NaN',
 *   which SQLite orders after every number, as PostgreSQL orders NaN. SQLite does not keep -0 (reads 0).
 * - TEXT compares as UTF-8 bytes (code point order), BLOB bytewise.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LRUCache } from 'lru-cache';
import { SqlState } from '../errors.js';
import { FatalStorageError, InvalidOperationError, NotAppliedError, StorageError, TransientStorageError } from './errors.js';
import type { ColumnDefinition, DataType, TableRef, Value } from './types.js';
import { quoteIdentifier, type ColumnRole, type SqlDialect, type SqlMutation, type SqlStatement } from './sql.js';
import { SqlStorage, type CheckedMutation, type ReadAccess } from './sql-storage.js';

export interface SqliteStorageOptions {
  readonly name?: string;
  /** The database file; parent directories are created. ":memory:" for a private in-memory database. */
  readonly path: string;
  /**
   * FULL (default) syncs the WAL on every commit. Consensus Commit's commit point is one write to the
   * coordinator table: with NORMAL a power loss could undo a commit the client was told about.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** How long a writer waits for another process's lock before failing with a transient error. */
  readonly busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** Prepared statements kept per connection; statements are reused across operations of the same shape. */
const STATEMENT_CACHE_ENTRIES = 512;
/**
 * How long a group commit may wait for the event loop's next turn before a read commits it (see query);
 * it normally commits at that turn, well before.
 */
const MAX_GROUP_WAIT_MS = 2;
/** ScalarDB's namespace separator: table "t" of namespace "ns" is the SQLite table "ns$t". */
const NAMESPACE_SEPARATOR = '$';

const NANOS_PER_MICRO = 1000n;

export const sqliteDialect: SqlDialect = {
  quote: quoteIdentifier,
  tableName: (ref: TableRef) => quoteIdentifier(`${ref.namespace}${NAMESPACE_SEPARATOR}${ref.table}`),
  placeholder: () => '?',
  likeEscape: "ESCAPE '\\'",

  encode(type: DataType, value: Exclude<Value, null>): unknown {
    switch (type) {
      case 'BOOLEAN':
        return value ? 1n : 0n;
      case 'INT':
      case 'DATE':
        return BigInt(value as number);
      case 'FLOAT':
        return Number.isNaN(value) ? 'NaN' : Math.fround(value as number);
      case 'DOUBLE':
        return Number.isNaN(value) ? 'NaN' : value;
      case 'TIME':
        return (value as bigint) * NANOS_PER_MICRO;
      case 'BLOB': {
        const bytes = value as Uint8Array;
        return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      default:
        return value;
    }
  },

  selectExpression: (column: ColumnDefinition) => quoteIdentifier(column.name),

  decode(type: DataType, raw: unknown): Value {
    switch (type) {
      case 'BOOLEAN':
        return Number(raw) !== 0;
      case 'INT':
      case 'DATE':
        return Number(raw);
      case 'BIGINT':
      case 'TIMESTAMP':
      case 'TIMESTAMPTZ':
        return typeof raw === 'bigint' ? raw : BigInt(raw as number);
      case 'TIME':
        return (typeof raw === 'bigint' ? raw : BigInt(raw as number)) / NANOS_PER_MICRO;
      case 'FLOAT':
        return raw === 'NaN' ? NaN : Math.fround(Number(raw));
      case 'DOUBLE':
        return raw === 'NaN' ? NaN : Number(raw);
      case 'TEXT':
        return typeof raw === 'string' ? raw : Buffer.from(raw as Uint8Array).toString('utf8');
      case 'BLOB':
        return raw instanceof Uint8Array ? raw : Buffer.from(String(raw), 'utf8');
    }
  },

  /** RdbEngineSqlite.getDataTypeForEngine; SQLite has no separate key or index types. */
  columnType(type: DataType, _role: ColumnRole): string {
    switch (type) {
      case 'INT':
      case 'DATE':
        return 'INT';
      case 'BIGINT':
      case 'TIME':
      case 'TIMESTAMP':
      case 'TIMESTAMPTZ':
        return 'BIGINT';
      default:
        return type;
    }
  },

  textType: () => 'TEXT',
  createNamespaceStatements: () => [],
  dropNamespaceStatements: () => [],
  metadataNamespaceStatements: () => [],
  truncateStatement: (ref: TableRef) => `DELETE FROM ${sqliteDialect.tableName(ref)}`,
  dropIndexStatement: (_ref: TableRef, indexName: string) => `DROP INDEX ${quoteIdentifier(indexName)}`,
  indexedColumnTypeStatement: () => null,
  createsClusteringOrderIndex: false,
};

/** A mutate waiting for the next group commit. */
interface PendingMutate {
  readonly statements: readonly SqlMutation[];
  resolve(): void;
  reject(reason: unknown): void;
}

export class SqliteStorage extends SqlStorage {
  readonly #db: Database.Database;
  readonly #statements = new LRUCache<string, Database.Statement>({ max: STATEMENT_CACHE_ENTRIES });
  readonly #writeBatch: (statements: readonly SqlMutation[]) => void;
  /** Applies the pending mutates in one transaction; the failure of each (null: applied). */
  readonly #groupCommit: (batch: readonly PendingMutate[]) => (StorageError | null)[];
  #pending: PendingMutate[] = [];
  /** When the first pending mutate was requested (performance.now()). */
  #pendingSinceMs = 0;

  constructor(options: SqliteStorageOptions) {
    super(options.name ?? 'sqlite', sqliteDialect);
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    try {
      this.#db = new Database(options.path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      this.#db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
      // LIKE must be case-sensitive, as in PostgreSQL (SQLite's default folds ASCII case).
      this.#db.pragma('case_sensitive_like = ON');
    } catch (e) {
      throw new FatalStorageError(`cannot open the SQLite database ${options.path}: ${(e as Error).message}`, { cause: e }, SqlState.connectionException);
    }
    const transaction = this.#db.transaction((statements: readonly SqlMutation[]) => {
      for (const statement of statements) {
        const changes = this.#prepare(statement.text).run(...statement.params).changes;
        if (statement.conditional && changes !== 1) throw new NotAppliedError();
      }
    });
    // IMMEDIATE takes the write lock at BEGIN: a busy database fails before anything ran, never midway.
    this.#writeBatch = (statements) => transaction.immediate(statements);
    const group = this.#db.transaction((batch: readonly PendingMutate[]) =>
      batch.map((item) => {
        try {
          // Inside a transaction, better-sqlite3 runs a transaction function in a savepoint.
          transaction(item.statements);
          return null;
        } catch (e) {
          // SQLite ends the whole transaction on some failures (I/O error, disk full): the group failed.
          if (!this.#db.inTransaction) throw e;
          return toStorageError(e);
        }
      }),
    );
    this.#groupCommit = (batch) => group.immediate(batch);
  }

  protected override async query(statement: SqlStatement, _access: ReadAccess): Promise<unknown[][]> {
    // A caller that reads in a loop without ever yielding to the event loop would hold the group
    // back forever: a group that has waited long enough is committed first.
    if (this.#pending.length > 0 && performance.now() - this.#pendingSinceMs > MAX_GROUP_WAIT_MS) this.#commitPending();
    return this.#guard(() => this.#prepare(statement.text).all(...statement.params) as unknown[][]);
  }

  protected override applyMutations(mutations: readonly CheckedMutation[]): Promise<void> {
    const statements = mutations.map(({ schema, mutation }) => this.sql.mutation(schema, mutation));
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ statements, resolve, reject });
      if (this.#pending.length === 1) {
        this.#pendingSinceMs = performance.now();
        setImmediate(() => this.#commitPending());
      }
    });
  }

  /** The group commit of every pending mutate (see the file comment). */
  #commitPending(): void {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    let failures: (StorageError | null)[];
    try {
      failures = this.#guard(() => this.#groupCommit(batch));
    } catch (e) {
      // BEGIN or COMMIT failed, or SQLite rolled the group back: none of it applied.
      for (const item of batch) item.reject(e);
      return;
    }
    batch.forEach((item, i) => {
      const failure = failures[i];
      if (failure) item.reject(failure);
      else item.resolve();
    });
  }

  protected override async executeAtomically(statements: readonly SqlMutation[]): Promise<void> {
    const schemaChange = statements.some((s) => !/^(INSERT|UPDATE|DELETE)\b/.test(s.text));
    try {
      this.#guard(() => this.#writeBatch(statements));
    } finally {
      // Schema changes make cached statements stale (SQLite would re-prepare them, but dropped tables linger).
      if (schemaChange) this.#statements.clear();
    }
  }

  protected override checkStorageName(kind: 'namespace' | 'table' | 'column', name: string): void {
    if (kind !== 'column' && name.includes(NAMESPACE_SEPARATOR)) {
      throw new InvalidOperationError(SqlState.invalidName, `a ${kind} name cannot contain "${NAMESPACE_SEPARATOR}" in SQLite (it separates namespace and table)`);
    }
  }

  override async close(): Promise<void> {
    this.#commitPending();
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }

  #prepare(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#db.prepare(text);
      if (statement.reader) statement.raw(true);
      statement.safeIntegers(true);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #guard<T>(run: () => T): T {
    try {
      return run();
    } catch (e) {
      throw toStorageError(e);
    }
  }
}

/** SQLite result codes (better-sqlite3 puts the extended code name in `code`) to typed storage errors. */
function toStorageError(e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown })?.code;
  if (!(e instanceof Database.SqliteError) || typeof code !== 'string') {
    if (e instanceof TypeError && /not open/.test(message)) {
      return new FatalStorageError('the SQLite storage is closed', { cause: e }, '08003');
    }
    return new FatalStorageError(message, { cause: e });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new TransientStorageError(`the SQLite database is locked: ${message}`, { cause: e }, SqlState.lockNotAvailable);
  }
  if (code === 'SQLITE_TOOBIG') return new InvalidOperationError(SqlState.programLimitExceeded, message, { cause: e });
  if (code === 'SQLITE_ERROR' && /no such table/.test(message)) return new InvalidOperationError(SqlState.undefinedTable, message, { cause: e });
  if (code === 'SQLITE_ERROR' && /already exists/.test(message)) return new InvalidOperationError(SqlState.duplicateTable, message, { cause: e });
  if (code === 'SQLITE_ERROR' && /no such column|has no column/.test(message)) return new InvalidOperationError(SqlState.undefinedColumn, message, { cause: e });
  if (code.startsWith('SQLITE_CONSTRAINT')) return new InvalidOperationError(SqlState.integrityConstraintViolation, message, { cause: e });
  if (code === 'SQLITE_FULL') return new FatalStorageError(message, { cause: e }, '53100');
  if (code.startsWith('SQLITE_IOERR')) return new FatalStorageError(message, { cause: e }, '58030');
  return new FatalStorageError(`${code}: ${message}`, { cause: e });
}
