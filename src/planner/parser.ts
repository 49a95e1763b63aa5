/**
 * Parsing with PostgreSQL's own grammar (libpg-query). The module is loaded once per process; after
 * that `parseSql` is synchronous. libpg-query reports statement boundaries and node locations as
 * UTF-8 byte offsets, while PostgreSQL reports positions to clients in characters: this module is the
 * one place that converts between the two.
 */
import { loadModule, parseSync } from 'libpg-query';
import type { Node, RawStmt } from '@pgsql/types';
import { SqlError, SqlState } from '../errors.js';

let loaded: Promise<void> | undefined;
let ready = false;

/** Loads the parser's WASM module; every entry point awaits this once before parsing. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

/** A statement split out of a query string, with its parse tree. */
export interface SourceStatement {
  /** The statement's own text. */
  readonly sql: string;
  /** Character offset of `sql` within the query string. */
  readonly offset: number;
  /** Null for an empty statement (only comments or whitespace). */
  readonly ast: Node | null;
}

/** Upper bound on a query string, as a guard against runaway input (PostgreSQL's own limit is 1 GB). */
export const MAX_QUERY_LENGTH_CHARS = 64 * 1024 * 1024;

interface LibpgQueryError {
  message: string;
  sqlDetails?: { message: string; cursorPosition: number };
}

function isParserError(e: unknown): e is LibpgQueryError {
  return typeof e === 'object' && e !== null && 'message' in e;
}

/**
 * Splits a query string into statements and parses each. A syntax error anywhere fails the whole
 * string with 42601 and PostgreSQL's message and position.
 */
export function parseSql(sql: string): SourceStatement[] {
  if (!ready) throw new SqlError(SqlState.internalError, 'the SQL parser is not loaded yet');
  if (sql.length > MAX_QUERY_LENGTH_CHARS) {
    throw new SqlError(SqlState.programLimitExceeded, `query string is too long (${sql.length} characters, limit ${MAX_QUERY_LENGTH_CHARS})`);
  }
  // libpg-query refuses an empty string; PostgreSQL answers it with EmptyQueryResponse.
  if (sql === '') return [{ sql, offset: 0, ast: null }];
  let stmts: RawStmt[];
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch (e) {
    throw toSyntaxError(e);
  }
  if (stmts.length === 0) return [{ sql, offset: 0, ast: null }];
  const bytes = Buffer.from(sql, 'utf8');
  const ascii = bytes.length === sql.length;
  const out: SourceStatement[] = [];
  for (const raw of stmts) {
    const startByte = raw.stmt_location ?? 0;
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : bytes.length;
    const text = ascii ? sql.slice(startByte, endByte) : bytes.subarray(startByte, endByte).toString('utf8');
    const offset = ascii ? startByte : bytes.subarray(0, startByte).toString('utf8').length;
    // Statement text from libpg-query may begin with whitespace or comments; keep it as PostgreSQL does.
    out.push({ sql: text, offset, ast: raw.stmt ?? null });
  }
  return out;
}

function toSyntaxError(e: unknown): SqlError {
  if (isParserError(e)) {
    const cursor = e.sqlDetails?.cursorPosition;
    // libpg-query's cursorPosition is a 0-based character offset; PostgreSQL's P field is 1-based.
    return new SqlError(SqlState.syntaxError, e.sqlDetails?.message ?? e.message, {
      position: cursor === undefined ? undefined : cursor + 1,
    });
  }
  return new SqlError(SqlState.syntaxError, String(e));
}

/**
 * Converts a node location (a byte offset into `sql`, as libpg-query reports it) into PostgreSQL's
 * 1-based character position; undefined stays undefined.
 */
export function charPosition(sql: string, byteLocation: number | undefined): number | undefined {
  if (byteLocation === undefined || byteLocation < 0) return undefined;
  const bytes = Buffer.from(sql, 'utf8');
  if (bytes.length === sql.length) return byteLocation + 1;
  return bytes.subarray(0, byteLocation).toString('utf8').length + 1;
}
