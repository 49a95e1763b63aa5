/**
 * The COPY statement: `COPY t [(cols)] FROM STDIN` and `COPY t [(cols)] | (query) TO STDOUT`, with
 * PostgreSQL's options in both syntaxes (copy-options.ts). The session runs it like any statement,
 * inside its implicit transaction or the open block; the wire then streams the data through the
 * returned CopyIn / CopyOut (copy-from.ts, copy-to.ts).
 *
 * polygres serves COPY data only over the connection: COPY to or from a file on the server, or a
 * program, is refused with 42501 as PostgreSQL refuses it to a user without those privileges.
 */
import type { CopyStmt, Node, SelectStmt } from '@pgsql/types';
import { SqlError, SqlState } from '../errors.js';
import type { ColumnInfo, TableInfo } from '../catalog/model.js';
import type { CopyIn, CopyOut } from '../wire/backend.js';
import { nodeAs, nodeTag, stringList } from './analyze/ast.js';
import { boundChecks, defaultExpression } from './analyze/dml.js';
import { ExpressionBinder } from './analyze/expressions.js';
import { Scope, type AnalyzerContext } from './analyze/scope.js';
import { compileExpr } from './compile.js';
import type { Expr } from './expr.js';
import { tableOutputColumns } from './table-rows.js';
import { CopyFromStdin } from './copy-from.js';
import { readCopyOptions, type CopyOptions } from './copy-options.js';
import { CopyToStdout } from './copy-to.js';
import { tableRowBuilder, TableWriter } from './exec/modify.js';
import { buildOperator, type ExecRuntime } from './exec/operators.js';
import type { PlanNode } from './plan.js';

/** What COPY needs from the session that runs it. */
export interface CopyHost {
  analyzer(): AnalyzerContext;
  /** The executor runtime of this statement (its transaction begun on first use). */
  runtime(): ExecRuntime;
  /** Plans the query of `COPY (query) TO`: a SELECT, or INSERT/UPDATE/DELETE ... RETURNING. */
  planQuery(node: Node): PlanNode;
  /** 25006 in a read-only transaction. */
  assertWritable(what: string): void;
  /** 57014 when the statement was cancelled or timed out. */
  checkCancel(): void;
}

const SERVER_SIDE_HINT = "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.";
const SERVER_SIDE_DETAIL = 'polygres serves COPY data only over the client connection (FROM STDIN, TO STDOUT); it does not read or write files or run programs on the server.';

function serverSideCopyError(stmt: CopyStmt): SqlError {
  const message = stmt.is_program
    ? 'must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program'
    : stmt.is_from
      ? 'must be superuser or have privileges of the pg_read_server_files role to COPY from a file'
      : 'must be superuser or have privileges of the pg_write_server_files role to COPY to a file';
  return new SqlError(SqlState.insufficientPrivilege, message, { detail: SERVER_SIDE_DETAIL, hint: SERVER_SIDE_HINT });
}

/** CopyGetAttnums: the COPY column list (every column when none), checked for unknown and repeated names. */
function copyColumns(table: TableInfo, attlist: readonly Node[] | undefined): ColumnInfo[] {
  if (!attlist?.length) return [...table.columns];
  const out: ColumnInfo[] = [];
  for (const name of stringList(attlist)) {
    const col = table.columns.find((c) => c.name === name);
    if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`);
    if (out.includes(col)) throw new SqlError(SqlState.duplicateColumn, `column "${name}" specified more than once`);
    out.push(col);
  }
  return out;
}

/** FORCE_* column lists name columns of the COPY (42703 unknown, 42P10 not in the COPY's list). */
function checkForcedColumns(option: string, names: readonly string[], all: readonly string[], copied: readonly string[], table: string | null): void {
  for (const name of names) {
    if (!all.includes(name)) {
      throw new SqlError(SqlState.undefinedColumn, table === null ? `column "${name}" does not exist` : `column "${name}" of relation "${table}" does not exist`);
    }
    if (!copied.includes(name)) throw new SqlError(SqlState.invalidColumnReference, `${option} column "${name}" not referenced by COPY`);
  }
}

function resolveTable(ctx: AnalyzerContext, stmt: CopyStmt): TableInfo {
  const rv = stmt.relation!;
  try {
    return ctx.catalog.resolveTable({ schema: rv.schemaname ?? null, name: rv.relname ?? '' }, ctx.searchPath, ctx.user);
  } catch (e) {
    if (e instanceof SqlError && e.code === SqlState.wrongObjectType) {
      // PostgreSQL names what the relation is: "cannot copy from sequence "s"".
      const rel = ctx.catalog.findRelation({ schema: rv.schemaname ?? null, name: rv.relname ?? '' }, ctx.searchPath, ctx.user);
      if (rel?.kind === 'sequence') throw new SqlError(SqlState.wrongObjectType, `cannot copy ${stmt.is_from ? 'to' : 'from'} sequence "${rv.relname}"`);
      if (rel?.kind === 'view') {
        throw new SqlError(SqlState.wrongObjectType, `cannot copy ${stmt.is_from ? 'to' : 'from'} view "${rv.relname}"`, {
          hint: stmt.is_from ? 'To enable copying to a view, provide an INSTEAD OF INSERT trigger.' : 'Try the COPY (SELECT ...) TO variant.',
        });
      }
    }
    throw e;
  }
}

/** Starts a COPY statement; the wire streams its data. */
export async function startCopy(host: CopyHost, stmt: CopyStmt, sql: string): Promise<CopyIn | CopyOut> {
  if (stmt.filename !== undefined || stmt.is_program) throw serverSideCopyError(stmt);
  const options = readCopyOptions(stmt, sql);
  return stmt.is_from ? copyFrom(host, stmt, sql, options) : copyTo(host, stmt, sql, options);
}

/** COPY FROM's WHERE, bound over the table's row layout: rows are filtered once their defaults are in. */
function copyWhere(ctx: AnalyzerContext, table: TableInfo, node: Node): Expr {
  const scope = Scope.ofColumns(table.name, ctx.catalog.schemaByOid(table.schemaOid)?.name ?? null, tableOutputColumns(table));
  const binder = new ExpressionBinder(ctx, scope, null, 'COPY FROM WHERE conditions').withoutAggregates('COPY FROM WHERE conditions');
  return binder.coerceToBool(binder.bind(node), 'WHERE');
}

async function copyFrom(host: CopyHost, stmt: CopyStmt, sql: string, options: CopyOptions): Promise<CopyIn> {
  const ctx = host.analyzer();
  const table = resolveTable(ctx, stmt);
  const where = stmt.whereClause ? copyWhere(ctx, table, stmt.whereClause) : null;
  const columns = copyColumns(table, stmt.attlist);
  const all = table.columns.map((c) => c.name);
  const copied = columns.map((c) => c.name);
  checkForcedColumns('FORCE_NOT_NULL', options.forceNotNull, all, copied, table.name);
  checkForcedColumns('FORCE_NULL', options.forceNull, all, copied, table.name);
  host.assertWritable('COPY FROM');
  // The INSERT path: the same defaults (identity and serial columns included), CHECKs and writer.
  // Like PostgreSQL, COPY writes given values into GENERATED ALWAYS identity columns.
  const plan = {
    table,
    targetAttnums: columns.map((c) => c.attnum),
    defaults: table.columns.map((c) => defaultExpression(ctx, table, c)),
  };
  const checks = boundChecks(ctx, table);
  const rt = host.runtime();
  const tx = await rt.transaction();
  const writer = new TableWriter(tx, rt, table, checks);
  return new CopyFromStdin(
    { table, columns, buildRow: tableRowBuilder(plan, rt), where: where ? compileExpr(where) : null, writer, ctx: rt.ctx },
    options,
    () => host.checkCancel(),
  );
}

/** `SELECT cols FROM schema.t` for `COPY t (cols) TO`, planned like any query. */
function tableQuery(ctx: AnalyzerContext, table: TableInfo, columns: readonly ColumnInfo[]): SelectStmt {
  const schema = ctx.catalog.schemaByOid(table.schemaOid)?.name;
  return {
    targetList: columns.map((c) => ({ ResTarget: { val: { ColumnRef: { fields: [{ String: { sval: c.name } }] } } } })),
    fromClause: [{ RangeVar: { schemaname: schema, relname: table.name, inh: true, relpersistence: 'p' } }],
    limitOption: 'LIMIT_OPTION_DEFAULT',
    op: 'SETOP_NONE',
  };
}

async function copyTo(host: CopyHost, stmt: CopyStmt, sql: string, options: CopyOptions): Promise<CopyOut> {
  if (stmt.whereClause) {
    throw new SqlError(SqlState.syntaxError, 'WHERE clause not allowed with COPY TO');
  }
  const ctx = host.analyzer();
  let plan: PlanNode;
  let copied: string[];
  let all: string[];
  let tableName: string | null = null;
  if (stmt.relation) {
    const table = resolveTable(ctx, stmt);
    const columns = copyColumns(table, stmt.attlist);
    plan = host.planQuery({ SelectStmt: tableQuery(ctx, table, columns) });
    copied = columns.map((c) => c.name);
    all = table.columns.map((c) => c.name);
    tableName = table.name;
  } else {
    const query = stmt.query!;
    const tag = nodeTag(query);
    if (tag !== 'SelectStmt') {
      const returning =
        nodeAs(query, 'InsertStmt')?.returningClause ?? nodeAs(query, 'UpdateStmt')?.returningClause ?? nodeAs(query, 'DeleteStmt')?.returningClause;
      if (!returning?.exprs?.length) throw new SqlError(SqlState.featureNotSupported, 'COPY query must have a RETURNING clause');
    }
    plan = host.planQuery(query);
    copied = plan.columns.filter((c) => !c.hidden).map((c) => c.name);
    all = copied;
  }
  const fq = options.forceQuote;
  if (fq !== '*') checkForcedColumns('FORCE_QUOTE', fq, all, copied, tableName);
  const rt = host.runtime();
  const columns = plan.columns.map((c, slot) => ({ name: c.name, typeOid: c.type.oid, slot, hidden: c.hidden ?? false })).filter((c) => !c.hidden);
  const operator = buildOperator(plan, rt);
  return new CopyToStdout({ operator, columns, codec: rt.ctx.codec }, options, () => host.checkCancel(), () => operator.close());
}
