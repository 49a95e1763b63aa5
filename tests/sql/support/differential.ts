/**
 * The differential harness: a SQL script runs statement by statement against a fresh PostgreSQL
 * database and against polygres; for each statement the outcomes must agree on the command tag,
 * the column names and type OIDs, the rows (as text) and, for errors, the SQLSTATE.
 *
 * Directives in the comment lines just before a statement:
 *   -- @unordered                      compare rows as multisets (no ORDER BY in the statement)
 *   -- @expect-difference: <reason>    run on both sides but do not compare (the reason is required)
 *   -- @compare: error-only            compare only whether it failed and the SQLSTATE
 *   -- @compare: message               also compare the error message and detail text
 */
import type { SqlTarget, StatementOutcome } from './targets.js';

export interface ScriptStatement {
  readonly sql: string;
  readonly unordered: boolean;
  readonly expectDifference: string | null;
  readonly compareMessage: boolean;
  readonly errorOnly: boolean;
}

/**
 * Splits a script into statements: a statement ends with a line ending in ';' (scripts also hold
 * statements with deliberate syntax errors, so the real parser cannot split them). Comment lines
 * before a statement carry its directives.
 */
export function splitScript(script: string): ScriptStatement[] {
  const out: ScriptStatement[] = [];
  let directives: string[] = [];
  let body: string[] = [];
  for (const line of script.split('\n')) {
    const trimmed = line.trim();
    if (body.length === 0 && (trimmed === '' || trimmed.startsWith('--'))) {
      if (trimmed.startsWith('--')) directives.push(trimmed.replace(/^--\s*/, ''));
      continue;
    }
    body.push(line);
    if (trimmed.endsWith(';')) {
      const differs = directives.find((d) => d.startsWith('@expect-difference:'));
      if (differs !== undefined && differs.slice('@expect-difference:'.length).trim() === '') throw new Error(`@expect-difference needs a reason: ${body.join(' ')}`);
      out.push({
        sql: body.join('\n').trim(),
        unordered: directives.includes('@unordered'),
        expectDifference: differs ? differs.slice('@expect-difference:'.length).trim() : null,
        compareMessage: directives.includes('@compare: message'),
        errorOnly: directives.includes('@compare: error-only'),
      });
      directives = [];
      body = [];
    }
  }
  if (body.length) throw new Error(`script ends inside a statement: ${body.join(' ')}`);
  return out;
}

export interface Mismatch {
  readonly sql: string;
  readonly what: string;
  readonly postgres: unknown;
  readonly polygres: unknown;
}

function normalizeRows(o: StatementOutcome, unordered: boolean): string[] {
  const rows = o.rows.map((r) => JSON.stringify(r));
  return unordered ? rows.sort() : rows;
}

export function compareOutcomes(stmt: ScriptStatement, pgOut: StatementOutcome, polyOut: StatementOutcome): Mismatch | null {
  const mismatch = (what: string, a: unknown, b: unknown): Mismatch => ({ sql: stmt.sql, what, postgres: a, polygres: b });
  if (pgOut.error || polyOut.error) {
    if (!pgOut.error || !polyOut.error) return mismatch('error', pgOut.error ?? pgOut.command, polyOut.error ?? polyOut.command);
    if (pgOut.error.code !== polyOut.error.code) return mismatch('SQLSTATE', pgOut.error, polyOut.error);
    if (stmt.compareMessage && pgOut.error.message !== polyOut.error.message) return mismatch('error message', pgOut.error.message, polyOut.error.message);
    if (stmt.compareMessage && (pgOut.error.detail ?? null) !== (polyOut.error.detail ?? null)) return mismatch('error detail', pgOut.error.detail, polyOut.error.detail);
    return null;
  }
  if (stmt.errorOnly) return null;
  if (pgOut.command !== polyOut.command) return mismatch('command tag', pgOut.command, polyOut.command);
  const pf = pgOut.fields.map((f) => `${f.name}:${f.typeOid}`);
  const yf = polyOut.fields.map((f) => `${f.name}:${f.typeOid}`);
  if (pf.join(',') !== yf.join(',')) return mismatch('columns', pf, yf);
  const pr = normalizeRows(pgOut, stmt.unordered);
  const yr = normalizeRows(polyOut, stmt.unordered);
  if (pr.join('\n') !== yr.join('\n')) return mismatch('rows', pr, yr);
  return null;
}

export interface ScriptReport {
  readonly statements: number;
  readonly compared: number;
  readonly expectedDifferences: ReadonlyArray<{ sql: string; reason: string }>;
  readonly mismatches: readonly Mismatch[];
}

/** Runs a script on both targets, one statement per query string. */
export async function runDifferential(script: string, postgres: SqlTarget, polygres: SqlTarget): Promise<ScriptReport> {
  const statements = splitScript(script);
  const mismatches: Mismatch[] = [];
  const expected: Array<{ sql: string; reason: string }> = [];
  let compared = 0;
  for (const stmt of statements) {
    const [a] = await postgres.run(stmt.sql);
    const [b] = await polygres.run(stmt.sql);
    if (stmt.expectDifference !== null) {
      expected.push({ sql: stmt.sql, reason: stmt.expectDifference });
      continue;
    }
    compared++;
    const m = compareOutcomes(stmt, a!, b!);
    if (m) mismatches.push(m);
  }
  return { statements: statements.length, compared, expectedDifferences: expected, mismatches };
}
