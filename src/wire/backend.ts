/**
 * The one interface where the wire protocol meets the SQL engine. The wire layer owns bytes, sockets,
 * authentication, statement and portal names; the backend owns SQL: parsing, typing, planning,
 * transactions and settings. Values cross as SqlValue with their type OIDs; the wire encodes and
 * decodes them with the codecs in src/types.
 */
import type { SqlError } from '../errors.js';
import type { CodecContext } from '../types/codec.js';
import type { SqlValue } from '../types/values.js';

/** What the client sent in its StartupMessage, after authentication. */
export interface SessionStartup {
  readonly user: string;
  readonly database: string;
  /** Startup parameters other than user/database, with `options` (-c name=value) already expanded. */
  readonly parameters: ReadonlyMap<string, string>;
  /** The process id reported in BackendKeyData (also what pg_backend_pid() returns). */
  readonly backendPid: number;
  readonly remoteAddress?: string;
  /** Whether the session runs over TLS (pg_stat_ssl). */
  readonly ssl: boolean;
  /**
   * The PostgreSQL version the wire reports ("16.4"), for server_version / server_version_num and
   * version(). The wire sends ParameterStatus server_version from reportedParameters() when the
   * backend reports it, else this.
   */
  readonly serverVersion?: string;
}

/** One column of a result, as RowDescription reports it. */
export interface FieldDescription {
  readonly name: string;
  /** OID of the table the column comes from, or 0. */
  readonly tableOid: number;
  /** Attribute number within that table, or 0. */
  readonly columnNumber: number;
  readonly typeOid: number;
  /** pg_type.typlen: -1 for variable length. */
  readonly typeSize: number;
  /** atttypmod: -1 when none (varchar(n) is n+4, numeric(p,s) is ((p << 16) | s) + 4). */
  readonly typeModifier: number;
}

/** A statement split out of a query string; parsing never touches storage. */
export interface ParsedStatement {
  /** The statement's own text (a slice of the query string). */
  readonly sql: string;
  /**
   * Offset of `sql` in the original query string, in characters, for error positions: errors from
   * prepare/execute of this statement carry positions within `sql`, and the wire adds this offset
   * (parse() errors are already positioned in the whole string).
   */
  readonly offset: number;
  /** True for an empty statement (only comments or whitespace): EmptyQueryResponse. */
  readonly empty: boolean;
}

/** A statement analyzed against the catalog, with its parameter and result types. */
export interface PreparedStatement {
  readonly sql: string;
  /** One OID per parameter ($1..$n): those given at Parse, the rest inferred. */
  readonly paramTypes: readonly number[];
  /** Result columns, or null when the statement returns no rows (NoData). */
  readonly fields: readonly FieldDescription[] | null;
}

/** Rows streamed out of a statement. */
export interface RowStream {
  readonly kind: 'rows';
  readonly fields: readonly FieldDescription[];
  /** Up to `maxRows` more rows (all when 0); `done` once the last row has been returned. */
  next(maxRows: number): Promise<{ rows: SqlValue[][]; done: boolean }>;
  /** The CommandComplete tag, valid once `done` (e.g. "SELECT 3", "INSERT 0 1" with RETURNING). */
  tag(): string;
  /** Releases the stream early (portal closed, transaction ended). */
  close(): Promise<void>;
  /** Rows of a BINARY cursor: a simple Query sends them in binary, as PostgreSQL does. */
  readonly binary?: boolean;
}

export interface CommandResult {
  readonly kind: 'command';
  readonly tag: string;
}

export type CopyFormat = 'text' | 'csv' | 'binary';

/** COPY ... FROM STDIN: the wire feeds CopyData payloads in. */
export interface CopyIn {
  readonly kind: 'copyIn';
  readonly format: CopyFormat;
  /** One format code per column (0 text, 1 binary), as CopyInResponse reports. */
  readonly columnFormats: readonly number[];
  write(chunk: Uint8Array): Promise<void>;
  /** CopyDone: completes the COPY and returns its tag ("COPY n"). */
  finish(): Promise<string>;
  /** CopyFail or a broken connection: abandons the COPY. */
  fail(message: string): Promise<void>;
}

/** COPY ... TO STDOUT: the wire pulls CopyData payloads out. */
export interface CopyOut {
  readonly kind: 'copyOut';
  readonly format: CopyFormat;
  readonly columnFormats: readonly number[];
  /** The next CopyData payload, or null when done. */
  next(): Promise<Uint8Array | null>;
  tag(): string;
}

export type Execution = RowStream | CommandResult | CopyIn | CopyOut;

/** NoticeResponse content: severity WARNING, NOTICE, INFO... with a SQLSTATE. */
export type Notice = SqlError;

export type TransactionStatus = 'I' | 'T' | 'E';

export interface BackendSession {
  /**
   * Splits a query string into statements with PostgreSQL's grammar. A syntax error anywhere fails
   * the whole string (42601), as in PostgreSQL's simple query.
   */
  parse(sql: string): ParsedStatement[];
  /**
   * Analyzes one statement: names, types, the plan. `paramTypes` are the OIDs given at Parse
   * (0 means unspecified, to be inferred). Errors such as 42P01 surface here, as at PostgreSQL's Parse.
   */
  prepare(statement: ParsedStatement, paramTypes: readonly number[]): Promise<PreparedStatement>;
  /**
   * Runs a prepared statement with decoded parameters. Outside an explicit transaction block the
   * statement joins the implicit transaction, which `sync` ends.
   */
  execute(statement: PreparedStatement, params: readonly SqlValue[]): Promise<Execution>;
  /**
   * Ends the implicit transaction (Sync, or the end of a simple Query): commits it, or rolls it back
   * after an error. A failed commit throws, and the wire reports it before ReadyForQuery.
   */
  sync(): Promise<void>;
  /** Marks the current statement failed (the wire saw an error mid-statement, e.g. a bad parameter). */
  fail(error: SqlError): void;
  readonly transactionStatus: TransactionStatus;

  /** Current values of the settings that PostgreSQL reports in ParameterStatus. */
  reportedParameters(): ReadonlyMap<string, string>;
  /** Settings the wire needs for encoding values (DateStyle, TimeZone, extra_float_digits, ...). */
  setting(name: string): string | undefined;
  /**
   * How values are written and read for this session: its settings and the catalog behind the
   * reg* types (regclass results print as names). Without it the wire builds one from setting().
   */
  codecContext?(): CodecContext;
  /** Called when a reported setting changes (SET, RESET, a rollback), so the wire sends ParameterStatus. */
  onParameterChange(listener: (name: string, value: string) => void): void;
  /** Called for each notice a statement raises, in order. */
  onNotice(listener: (notice: Notice) => void): void;

  /**
   * The result columns of an open SQL cursor (DECLARE), for a Describe of a portal of that name
   * (PostgreSQL's cursors are portals): null when it returns no rows, undefined when there is no
   * such cursor.
   */
  describeCursor?(name: string): readonly FieldDescription[] | null | undefined;
  /**
   * The wire's named statements and portals, which share their namespaces with SQL PREPARE and
   * DECLARE in PostgreSQL: DEALLOCATE and DISCARD ALL drop statements too, and PREPARE and DECLARE
   * refuse a name the wire holds.
   */
  attachProtocolNames?(names: ProtocolNames): void;

  /** Cancels the running statement (it fails with 57014); a no-op when idle. */
  cancel(): void;
  /** The connection is gone: rolls back and releases everything. */
  close(): Promise<void>;
}

/** The statements and portals a client named with Parse and Bind. */
export interface ProtocolNames {
  hasStatement(name: string): boolean;
  /** Drops one statement; false when there is none of that name. */
  deleteStatement(name: string): boolean;
  clearStatements(): void;
  hasPortal(name: string): boolean;
}

export interface Backend {
  /** Called once per connection after authentication; may reject (e.g. 3D000 unknown database). */
  openSession(startup: SessionStartup): Promise<BackendSession>;
}
