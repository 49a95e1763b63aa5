/**
 * What the rows of the system relations are computed from: the catalog snapshot of the statement,
 * and what only the running server knows (the session's settings, the sessions of this node, the
 * storage of each schema, the function library). The SQL engine provides it for each statement.
 */
import type { SqlValue } from '../../types/values.js';
import type { Catalog } from '../catalog.js';
import type { SchemaInfo } from '../model.js';
import type { NamespaceStorage } from '../storages.js';

/** One row of pg_proc (functions, aggregates, window functions) as the engine declares it. */
export interface ProcEntry {
  readonly oid: number;
  readonly name: string;
  /** pg_namespace of the function: pg_catalog, or information_schema for its helper functions. */
  readonly schemaOid: number;
  /** f function, a aggregate, w window function. */
  readonly kind: 'f' | 'a' | 'w';
  readonly argTypes: readonly number[];
  readonly returnType: number;
  /** 0, or the element type of a VARIADIC last argument. */
  readonly variadicType: number;
  readonly setReturning: boolean;
  readonly volatility: 'i' | 's' | 'v';
  readonly strict: boolean;
  /** OUT parameters of a record-returning function (pg_get_keywords, _pg_expandarray). */
  readonly outColumns?: ReadonlyArray<{ readonly name: string; readonly type: number }>;
  /** The C symbol PostgreSQL's prosrc shows; the name when absent. */
  readonly source?: string;
}

/** One row of pg_operator. */
export interface OperatorEntry {
  readonly oid: number;
  readonly name: string;
  /** 'b' infix, 'l' prefix. */
  readonly kind: 'b' | 'l';
  readonly left: number;
  readonly right: number;
  readonly result: number;
  /** The pg_proc row implementing it (0 when the engine has none listed). */
  readonly procOid: number;
}

/** A session setting as pg_settings shows it. */
export interface SettingEntry {
  readonly name: string;
  readonly setting: string;
  readonly defaultValue: string;
  /** internal settings cannot be changed (PostgreSQL's "internal" context); the rest are "user". */
  readonly context: 'user' | 'internal';
  /** Where the current value came from: 'default', or 'session' once changed. */
  readonly source: 'default' | 'session' | 'client';
  /** Allowed values of an enum setting. */
  readonly enumValues: readonly string[] | null;
}

/** One session of this node, as pg_stat_activity shows it. */
export interface SessionActivity {
  readonly pid: number;
  readonly user: string;
  readonly database: string;
  readonly applicationName: string;
  readonly clientAddress: string | null;
  readonly clientPort: number | null;
  readonly ssl: boolean;
  /** Microseconds since the epoch. */
  readonly backendStartMicros: bigint;
  readonly transactionStartMicros: bigint | null;
  readonly queryStartMicros: bigint | null;
  readonly stateChangeMicros: bigint | null;
  /** active, idle, idle in transaction, idle in transaction (aborted). */
  readonly state: string;
  readonly query: string;
}

/** A statement prepared with SQL PREPARE, as pg_prepared_statements shows it. */
export interface PreparedStatementEntry {
  readonly name: string;
  /** The query string that prepared it. */
  readonly statement: string;
  readonly prepareMicros: bigint;
  readonly paramTypes: readonly number[];
  readonly genericPlans: number;
  readonly customPlans: number;
}

/** An open cursor, as pg_cursors shows it. */
export interface CursorEntry {
  readonly name: string;
  /** The query string that declared it. */
  readonly statement: string;
  readonly holdable: boolean;
  readonly binary: boolean;
  readonly scrollable: boolean;
  readonly creationMicros: bigint;
}

export interface SystemCatalogContext {
  readonly catalog: Catalog;
  /** The database the session connected to. */
  readonly database: string;
  /** The session's role. */
  readonly user: string;
  readonly searchPath: readonly string[];
  readonly backendPid: number;
  /** When this server started, µs since the epoch (pg_postmaster_start_time). */
  readonly serverStartMicros: bigint;
  readonly procs: readonly ProcEntry[];
  readonly operators: readonly OperatorEntry[];
  settings(): readonly SettingEntry[];
  sessions(): readonly SessionActivity[];
  /** The session's SQL-prepared statements. */
  preparedStatements(): readonly PreparedStatementEntry[];
  /** The session's open cursors. */
  cursors(): readonly CursorEntry[];
  /** The storage holding a schema's tables; null for pg_catalog, information_schema and pg_toast. */
  schemaStorage(schema: SchemaInfo): NamespaceStorage | null;
}

/** A row as a builder writes it: values by column name; columns left out are NULL. */
export type SystemRow = Readonly<Record<string, SqlValue>>;
