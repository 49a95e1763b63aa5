/**
 * One client session: the transaction state machine (idle / implicit transaction / block / failed
 * block, savepoints), settings, prepared statements, and statement execution through the planner,
 * the executor and Consensus Commit.
 *
 * A statement outside a block joins the implicit transaction that `sync` ends (commit, or rollback
 * after an error). The Consensus Commit transaction itself begins on the first statement that needs
 * one, with the isolation chosen by BEGIN/SET TRANSACTION/default_transaction_isolation.
 */
import type { Node } from '@pgsql/types';
import { SqlError, SqlState, toSqlError } from '../errors.js';
import { isStorageError } from '../storage/errors.js';
import type {
  BackendSession,
  CopyIn,
  CopyOut,
  Execution,
  FieldDescription,
  Notice,
  ParsedStatement,
  PreparedStatement,
  ProtocolNames,
  SessionStartup,
  TransactionStatus,
} from '../wire/backend.js';
import type { Isolation, SavepointId, Transaction } from '../txn/api.js';
import type { SqlValue } from '../types/values.js';
import type { CodecContext } from '../types/codec.js';
import { formatType, typeByOid } from '../types/registry.js';
import { Oid } from '../types/oids.js';
import type { Catalog } from '../catalog/catalog.js';
import type { CatalogTransactionState } from '../catalog/store.js';
import { isBuiltinSchema, storageAssignments } from '../catalog/storages.js';
import { SessionSettings, durationSettingMs, isIsolationLevelName, parseSearchPath, type IsolationLevelName } from './settings.js';
import { checkParamsResolved, Scope, type AnalyzerContext } from './analyze/scope.js';
import { analyzeSelect } from './analyze/select.js';
import { catalogRegResolver, ExpressionBinder, resolveTypeName } from './analyze/expressions.js';
import { formatInterval, parseInterval } from '../types/interval.js';
import { analyzeDelete, analyzeInsert, analyzeUpdate } from './analyze/dml.js';
import { defElemText, nodeAs, nodeTag, unsupported } from './analyze/ast.js';
import { canCoerce } from './functions/casts.js';
import { compileExpr, evaluate } from './compile.js';
import { Cursor, CURSOR_OPT_BINARY, CURSOR_OPT_HOLD, CURSOR_OPT_NO_SCROLL, CURSOR_OPT_SCROLL, planScrolls } from './cursor.js';
import type { PlanNode } from './plan.js';
import { buildOperator, type ExecRuntime, type Operator } from './exec/operators.js';
import type { ModifyOperator } from './exec/modify.js';
import type { RuntimeContext, SubqueryRunner } from './compile.js';
import { nowMicros, type SessionServices } from './context.js';
import { executeDdl, type DdlContext } from './ddl.js';
import { explainPlan } from './explain.js';
import { startCopy, type CopyHost } from './copy.js';
import type { ActivitySource, Engine } from './engine.js';
import type { CursorEntry, PreparedStatementEntry, SessionActivity, SettingEntry, SystemCatalogContext } from '../catalog/system/context.js';
import { procCatalog } from './procs.js';

/** A statement after analysis. */
type Analyzed =
  | { readonly kind: 'query'; readonly plan: PlanNode; readonly command: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'; readonly fields: FieldDescription[] | null }
  | { readonly kind: 'utility'; readonly node: Node; readonly fields: FieldDescription[] | null };

export class SessionStatement implements PreparedStatement {
  constructor(
    readonly sql: string,
    readonly paramTypes: readonly number[],
    readonly fields: readonly FieldDescription[] | null,
    readonly analyzed: Analyzed,
    /** The catalog version the statement was analyzed against (-1 for a transaction's own catalog). */
    readonly catalogVersion: number,
    readonly searchPath: string,
    readonly givenParamTypes: readonly number[],
    /** The whole query string the statement came in (pg_cursors and pg_prepared_statements show it). */
    readonly source: string = sql,
    /** One of several statements of a simple Query (an implicit transaction block). */
    readonly several: boolean = false,
  ) {}
}

/** A statement prepared with SQL PREPARE: kept for the session, across transactions. */
interface SqlPrepared {
  readonly name: string;
  /** The PREPARE statement's text, which error positions count in. */
  readonly sql: string;
  readonly source: string;
  readonly query: Node;
  /** The types PREPARE named; the rest were inferred. */
  readonly givenParamTypes: readonly number[];
  readonly prepareMicros: bigint;
  statement: SessionStatement;
  genericPlans: number;
  customPlans: number;
}

type BlockState = 'idle' | 'implicit' | 'block' | 'failed';

/** A statement of a query string, and that string (what pg_cursors shows of a DECLARE). */
interface SourcedStatement extends ParsedStatement {
  readonly source: string;
  /** One of several statements of a simple Query: PostgreSQL runs them as an implicit block. */
  readonly several: boolean;
}

/** LockingClause.strength as SQL writes it. */
const LOCK_STRENGTHS: Readonly<Record<string, string>> = {
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORUPDATE: 'FOR UPDATE',
};

/** Errors that may mean this node's catalog is behind another node's DDL. */
const MISSING_NAME_CODES: ReadonlySet<string> = new Set([SqlState.undefinedTable, SqlState.undefinedColumn, SqlState.invalidSchemaName, SqlState.undefinedObject]);

interface SavepointEntry {
  readonly name: string;
  readonly id: SavepointId;
  readonly catalog: { catalog: Catalog; nextOid: number } | null;
}

const TEXT_FIELD = (name: string): FieldDescription => ({ name, tableOid: 0, columnNumber: 0, typeOid: Oid.text, typeSize: -1, typeModifier: -1 });
/** `SHOW polygres.storages`: where each schema's tables (and the system namespaces) live. */
const STORAGES_SHOW_NAME = 'polygres.storages';
const STORAGES_SHOW_COLUMNS = ['schema', 'namespace', 'storage', 'kind', 'assigned_by'] as const;

function fieldsOf(plan: PlanNode): FieldDescription[] {
  return plan.columns
    .filter((c) => !c.hidden)
    .map((c) => ({
      name: c.name,
      tableOid: c.tableOid,
      columnNumber: c.attnum,
      typeOid: c.type.oid === Oid.unknown ? Oid.text : c.type.oid,
      typeSize: typeByOid(c.type.oid)?.typlen ?? -1,
      typeModifier: c.type.typmod,
    }));
}

function sameFields(a: readonly FieldDescription[] | null, b: readonly FieldDescription[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((f, i) => f.name === b[i]!.name && f.typeOid === b[i]!.typeOid && f.typeModifier === b[i]!.typeModifier);
}

export class SqlSession implements BackendSession, ActivitySource {
  private readonly settings: SessionSettings;
  private state: BlockState = 'idle';
  private tx: Transaction | null = null;
  private txStartMicros = 0n;
  /** Isolation/read-only chosen by BEGIN or SET TRANSACTION for the coming transaction. */
  private txOptions: { isolation: IsolationLevelName | null; readOnly: boolean | null } = { isolation: null, readOnly: null };
  private txUsed = false;
  private implicitFailed = false;
  private savepoints: SavepointEntry[] = [];
  private txCatalog: CatalogTransactionState | null = null;
  private rollbackActions: Array<() => Promise<void>> = [];
  private commitActions: Array<() => Promise<void>> = [];
  private readonly noticeListeners: Array<(n: Notice) => void> = [];
  private cancelReason: 'user' | 'timeout' | null = null;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly sequenceCurrent = new Map<number, bigint>();
  /** SQL PREPARE's statements and DECLARE's cursors, by name. */
  private readonly sqlPrepared = new Map<string, SqlPrepared>();
  private readonly cursors = new Map<string, Cursor>();
  private protocolNames: ProtocolNames | null = null;
  private lastSequenceValue: bigint | null = null;
  private closed = false;
  /** pg_stat_activity: the last statement's text and when things happened (µs since the epoch). */
  private lastQuery = '';
  private readonly backendStartMicros = nowMicros();
  private queryStartMicros: bigint | null = null;
  private stateChangeMicros: bigint | null = null;

  constructor(
    private readonly engine: Engine,
    readonly startup: SessionStartup,
  ) {
    this.settings = new SessionSettings(engine.settingDefinitions, new Map([['session_authorization', startup.user], ...startup.parameters]));
    engine.sessions.add(this);
  }

  /** This session as pg_stat_activity shows it. */
  activity(): SessionActivity {
    const address = this.startup.remoteAddress ?? null;
    const state = this.running ? 'active' : this.state === 'block' ? 'idle in transaction' : this.state === 'failed' ? 'idle in transaction (aborted)' : 'idle';
    return {
      pid: this.startup.backendPid,
      user: this.startup.user,
      database: this.startup.database,
      applicationName: this.settings.get('application_name', true) ?? '',
      clientAddress: address === null ? null : address.replace(/^::ffff:/, ''),
      clientPort: null,
      ssl: this.startup.ssl,
      backendStartMicros: this.backendStartMicros,
      transactionStartMicros: this.state === 'block' || this.state === 'failed' || this.running ? (this.txStartMicros || this.queryStartMicros) : null,
      queryStartMicros: this.queryStartMicros,
      stateChangeMicros: this.stateChangeMicros,
      state,
      query: this.lastQuery,
    };
  }

  // ---- BackendSession: parsing and preparation ----

  parse(sql: string): ParsedStatement[] {
    const statements = this.engine.parseQueryString(sql);
    const several = statements.filter((s) => s.ast !== null).length > 1;
    return statements.map((s): SourcedStatement => ({ sql: s.sql, offset: s.offset, empty: s.ast === null, source: sql, several }));
  }

  private catalog(): Catalog {
    return this.txCatalog?.catalog ?? this.engine.store.snapshot();
  }

  private searchPath(): string[] {
    return parseSearchPath(this.settings.get('search_path') ?? 'public');
  }

  private analyzerContext(sql: string, paramTypes: number[], catalog = this.catalog()): AnalyzerContext {
    return {
      catalog,
      searchPath: this.searchPath(),
      user: this.startup.user,
      registry: this.engine.registry,
      paramTypes,
      sql,
      notice: (message) => this.emitNotice(new SqlError(SqlState.warning, message, { severity: 'WARNING' })),
    };
  }

  async prepare(statement: ParsedStatement, paramTypes: readonly number[]): Promise<PreparedStatement> {
    const source = (statement as SourcedStatement).source ?? statement.sql;
    const several = (statement as SourcedStatement).several ?? false;
    try {
      return this.analyze(statement.sql, paramTypes, source, several);
    } catch (e) {
      // A name missing from this node's cached catalog may be another node's new object: check
      // the catalog version once (one storage read, on the error path only) before reporting it.
      if (e instanceof SqlError && MISSING_NAME_CODES.has(e.code) && this.txCatalog === null && (await this.engine.store.catchUp().catch(() => false))) {
        return this.analyze(statement.sql, paramTypes, source, several);
      }
      throw e;
    }
  }

  private analyze(sql: string, givenParamTypes: readonly number[], source = sql, several = false): SessionStatement {
    const ast = this.engine.parseOne(sql);
    if (ast === null) return new SessionStatement(sql, [], null, { kind: 'utility', node: {} as Node, fields: null }, -1, '', givenParamTypes);
    const catalog = this.catalog();
    const searchPath = this.settings.get('search_path') ?? '';
    const cacheable = this.txCatalog === null;
    const key = `${catalog.version}\u0000${searchPath}\u0000${givenParamTypes.join(',')}\u0000${sql}`;
    if (cacheable) {
      const hit = this.engine.planCache.get(key);
      if (hit) return hit;
    }
    const paramTypes = [...givenParamTypes];
    const analyzed = this.analyzeNode(ast, sql, paramTypes, catalog);
    checkParamsResolved({ paramTypes } as AnalyzerContext);
    const prepared = new SessionStatement(sql, paramTypes, analyzed.fields, analyzed, cacheable ? catalog.version : -1, searchPath, givenParamTypes, source, several);
    if (cacheable && analyzed.kind === 'query') this.engine.planCache.set(key, prepared);
    return prepared;
  }

  private analyzeNode(ast: Node, sql: string, paramTypes: number[], catalog: Catalog): Analyzed {
    const actx = this.analyzerContext(sql, paramTypes, catalog);
    switch (nodeTag(ast)) {
      case 'SelectStmt': {
        const plan = analyzeSelect(actx, nodeAs(ast, 'SelectStmt')!, null);
        return { kind: 'query', plan, command: 'SELECT', fields: fieldsOf(plan) };
      }
      case 'InsertStmt': {
        const plan = analyzeInsert(actx, nodeAs(ast, 'InsertStmt')!);
        return { kind: 'query', plan, command: 'INSERT', fields: plan.columns.length > 0 ? fieldsOf(plan) : null };
      }
      case 'UpdateStmt': {
        const plan = analyzeUpdate(actx, nodeAs(ast, 'UpdateStmt')!);
        return { kind: 'query', plan, command: 'UPDATE', fields: plan.columns.length > 0 ? fieldsOf(plan) : null };
      }
      case 'DeleteStmt': {
        const plan = analyzeDelete(actx, nodeAs(ast, 'DeleteStmt')!);
        return { kind: 'query', plan, command: 'DELETE', fields: plan.columns.length > 0 ? fieldsOf(plan) : null };
      }
      case 'VariableShowStmt': {
        const name = nodeAs(ast, 'VariableShowStmt')!.name ?? '';
        if (name.toLowerCase() === 'all') return { kind: 'utility', node: ast, fields: [TEXT_FIELD('name'), TEXT_FIELD('setting'), TEXT_FIELD('description')] };
        if (name.toLowerCase() === STORAGES_SHOW_NAME) return { kind: 'utility', node: ast, fields: STORAGES_SHOW_COLUMNS.map(TEXT_FIELD) };
        const display = this.showName(name);
        return { kind: 'utility', node: ast, fields: [TEXT_FIELD(display)] };
      }
      case 'ExplainStmt': {
        const e = nodeAs(ast, 'ExplainStmt')!;
        // Analyzed now so that errors surface at Parse and parameters get their types.
        this.analyzeNode(e.query!, sql, paramTypes, catalog);
        return { kind: 'utility', node: ast, fields: [TEXT_FIELD('QUERY PLAN')] };
      }
      case 'DeclareCursorStmt':
        // Analyzed now for its errors and parameter types; planned again when it runs.
        this.declaredQuery(nodeAs(ast, 'DeclareCursorStmt')!, sql, paramTypes, catalog);
        return { kind: 'utility', node: ast, fields: null };
      case 'FetchStmt': {
        // A FETCH returns the cursor's columns (none when the cursor does not exist yet, as in PostgreSQL).
        const f = nodeAs(ast, 'FetchStmt')!;
        const cursor = f.ismove ? undefined : this.cursors.get(f.portalname ?? '');
        return { kind: 'utility', node: ast, fields: cursor ? [...cursor.fields] : null };
      }
      case 'ExecuteStmt': {
        const p = this.sqlPrepared.get(nodeAs(ast, 'ExecuteStmt')!.name ?? '');
        return { kind: 'utility', node: ast, fields: p?.statement.fields ? [...p.statement.fields] : null };
      }
      default:
        return { kind: 'utility', node: ast, fields: null };
    }
  }

  private showName(name: string): string {
    const lower = name.toLowerCase();
    if (lower === 'transaction_isolation') return 'transaction_isolation';
    if (lower === 'timezone' || lower === 'time zone') return 'TimeZone';
    return this.settings.displayName(lower);
  }

  // ---- execution ----

  async execute(statement: PreparedStatement, params: readonly SqlValue[]): Promise<Execution> {
    if (this.closed) throw new SqlError(SqlState.connectionFailure, 'the session is closed');
    let stmt = statement as SessionStatement;
    const node = stmt.analyzed.kind === 'utility' ? stmt.analyzed.node : null;
    const txKind = node ? nodeAs(node, 'TransactionStmt')?.kind : undefined;
    if (this.state === 'failed' && !(txKind === 'TRANS_STMT_ROLLBACK' || txKind === 'TRANS_STMT_COMMIT' || txKind === 'TRANS_STMT_ROLLBACK_TO' || txKind === 'TRANS_STMT_PREPARE')) {
      throw new SqlError(SqlState.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    if (this.state === 'idle' && txKind === undefined) this.enterImplicit();
    this.lastQuery = stmt.sql;
    this.startStatement();
    try {
      // A plan made against an older catalog is made again (a DDL may have changed the table).
      if (stmt.analyzed.kind === 'query' && (stmt.catalogVersion === -1 || stmt.catalogVersion !== this.catalog().version || stmt.searchPath !== (this.settings.get('search_path') ?? ''))) {
        const fresh = this.analyze(stmt.sql, stmt.givenParamTypes);
        if (!sameFields(fresh.fields, stmt.fields)) {
          throw new SqlError(SqlState.featureNotSupported, 'cached plan must not change result type', { routine: 'RevalidateCachedQuery' });
        }
        stmt = fresh;
      }
      const result = await this.run(stmt, params);
      if (result.kind === 'command') this.endStatement();
      // COPY runs on while the wire streams its data: it ends (or fails) with the last of it.
      else if (result.kind === 'copyIn' || result.kind === 'copyOut') return this.statementCopy(result);
      return result;
    } catch (e) {
      this.endStatement();
      const err = this.mapError(e);
      this.noticeMissingStorageObject(err);
      this.failStatement();
      throw err;
    }
  }

  /**
   * A storage that says a table or column is missing means another node changed the schema: reload
   * the catalog now rather than at the next periodic check (this statement still fails).
   */
  private noticeMissingStorageObject(err: SqlError): void {
    if (isStorageError(err) && (err.code === SqlState.undefinedTable || err.code === SqlState.undefinedColumn || err.code === SqlState.invalidSchemaName)) {
      this.engine.store.refresh().catch(() => {});
    }
  }

  private mapError(e: unknown): SqlError {
    if (e instanceof SqlError) return e;
    return toSqlError(e);
  }

  private failStatement(): void {
    if (this.state === 'block') this.state = 'failed';
    else if (this.state === 'implicit') this.implicitFailed = true;
  }

  fail(error: SqlError): void {
    void error;
    this.failStatement();
  }

  private enterImplicit(): void {
    this.state = 'implicit';
    this.implicitFailed = false;
    this.settings.beginTransaction();
  }

  private startStatement(): void {
    this.cancelReason = null;
    this.running = true;
    this.queryStartMicros = nowMicros();
    this.stateChangeMicros = this.queryStartMicros;
    const timeoutMs = durationSettingMs(this.settings.get('statement_timeout') ?? '0');
    if (timeoutMs > 0) {
      this.timeoutTimer = setTimeout(() => {
        this.cancelReason = 'timeout';
      }, timeoutMs);
    }
  }

  private endStatement(): void {
    if (this.running) this.stateChangeMicros = nowMicros();
    this.running = false;
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = null;
  }

  private checkCancel(): void {
    if (this.cancelReason === 'timeout') throw new SqlError(SqlState.queryCanceled, 'canceling statement due to statement timeout');
    if (this.cancelReason === 'user') throw new SqlError(SqlState.queryCanceled, 'canceling statement due to user request');
  }

  cancel(): void {
    if (this.running) this.cancelReason = 'user';
  }

  /** BackendSession: how the wire writes and reads values, reg* names through this session's catalog. */
  codecContext(): CodecContext {
    return this.codec();
  }

  private codec(): CodecContext {
    return {
      dateStyle: this.settings.get('DateStyle') ?? 'ISO, MDY',
      timeZone: this.settings.get('TimeZone') ?? 'Etc/UTC',
      intervalStyle: this.settings.get('IntervalStyle') ?? 'postgres',
      extraFloatDigits: Number(this.settings.get('extra_float_digits') ?? '1'),
      byteaOutput: this.settings.get('bytea_output') ?? 'hex',
      regResolver: catalogRegResolver(this.catalog(), this.searchPath(), this.startup.user),
    };
  }

  // ---- COPY ----

  private copyHost(sql: string): CopyHost {
    return {
      analyzer: () => this.analyzerContext(sql, []),
      runtime: () => {
        const catalog = this.catalog();
        return this.execRuntime(this.runtime([], catalog), catalog);
      },
      planQuery: (node) => {
        const analyzed = this.analyzeNode(node, sql, [], this.catalog());
        if (analyzed.kind !== 'query') throw unsupported(`COPY (${nodeTag(node).replace(/Stmt$/, '')})`);
        if (analyzed.command !== 'SELECT') this.assertWritable(analyzed.command);
        return analyzed.plan;
      },
      assertWritable: (what) => this.assertWritable(what),
      checkCancel: () => this.checkCancel(),
    };
  }

  /** A COPY's data calls, each failing the statement on error; the statement ends with the COPY. */
  private statementCopy(copy: CopyIn | CopyOut): CopyIn | CopyOut {
    const failed = (e: unknown): never => {
      this.endStatement();
      this.failStatement();
      throw this.mapError(e);
    };
    if (copy.kind === 'copyOut') {
      return {
        kind: 'copyOut',
        format: copy.format,
        columnFormats: copy.columnFormats,
        next: async () => {
          try {
            const data = await copy.next();
            if (data === null) this.endStatement();
            return data;
          } catch (e) {
            return failed(e);
          }
        },
        tag: () => copy.tag(),
      };
    }
    return {
      kind: 'copyIn',
      format: copy.format,
      columnFormats: copy.columnFormats,
      write: async (chunk) => {
        try {
          await copy.write(chunk);
        } catch (e) {
          failed(e);
        }
      },
      finish: async () => {
        try {
          const tag = await copy.finish();
          this.endStatement();
          return tag;
        } catch (e) {
          return failed(e);
        }
      },
      fail: async (message) => {
        this.endStatement();
        this.failStatement();
        await copy.fail(message);
      },
    };
  }

  private isolationName(): IsolationLevelName {
    const chosen = this.txOptions.isolation ?? (this.settings.get('default_transaction_isolation') as IsolationLevelName);
    return isIsolationLevelName(chosen) ? chosen : 'serializable';
  }

  private ccIsolation(level: IsolationLevelName): Isolation {
    switch (level) {
      case 'serializable':
        return 'SERIALIZABLE';
      case 'repeatable read':
        return this.settings.get('polygres.repeatable_read_as') === 'snapshot' ? 'SNAPSHOT' : 'SERIALIZABLE';
      default:
        return 'READ_COMMITTED';
    }
  }

  private readOnly(): boolean {
    return this.txOptions.readOnly ?? this.settings.get('default_transaction_read_only') === 'on';
  }

  /** The Consensus Commit transaction of the current block, begun on first use. */
  private async transaction(): Promise<Transaction> {
    if (!this.tx) {
      this.tx = this.engine.txm.begin({ isolation: this.ccIsolation(this.isolationName()), readOnly: this.readOnly() });
      this.txStartMicros = nowMicros();
    }
    this.txUsed = true;
    return this.tx;
  }

  private services(): SessionServices {
    let system: SystemCatalogContext | null = null;
    return {
      systemCatalog: () => (system ??= this.systemCatalogContext()),
      user: this.startup.user,
      database: this.startup.database,
      backendPid: this.startup.backendPid,
      setting: (name, missingOk) => this.currentSetting(name, missingOk),
      setSetting: (name, value, local) => {
        this.settings.set(name, value, { local });
        return this.settings.get(name) ?? value;
      },
      catalog: () => this.catalog(),
      searchPath: () => this.searchPath(),
      nextval: async (oid) => {
        const seq = this.catalog().sequenceByOid(oid);
        if (!seq) throw new SqlError(SqlState.undefinedTable, `could not open relation with OID ${oid}`);
        if (this.readOnly()) throw new SqlError(SqlState.readOnlySqlTransaction, `cannot execute nextval() in a read-only transaction`);
        const v = await this.engine.sequences.nextval(seq);
        this.sequenceCurrent.set(oid, v);
        this.lastSequenceValue = v;
        return v;
      },
      currval: (oid) => {
        const v = this.sequenceCurrent.get(oid);
        if (v === undefined) {
          const name = this.catalog().sequenceByOid(oid)?.name ?? String(oid);
          throw new SqlError(SqlState.objectNotInPrerequisiteState, `currval of sequence "${name}" is not yet defined in this session`);
        }
        return v;
      },
      lastval: () => {
        if (this.lastSequenceValue === null) throw new SqlError(SqlState.objectNotInPrerequisiteState, 'lastval is not yet defined in this session');
        return this.lastSequenceValue;
      },
      setval: async (oid, value, isCalled) => {
        const seq = this.catalog().sequenceByOid(oid);
        if (!seq) throw new SqlError(SqlState.undefinedTable, `could not open relation with OID ${oid}`);
        const v = await this.engine.sequences.setval(seq, value, isCalled);
        if (isCalled) this.sequenceCurrent.set(oid, v);
        return v;
      },
      sequenceState: async (oid) => {
        const seq = this.catalog().sequenceByOid(oid);
        if (!seq) throw new SqlError(SqlState.undefinedTable, `could not open relation with OID ${oid}`);
        return this.engine.sequences.state(seq);
      },
      notice: (n) => this.emitNotice(n),
      schemaStorage: (name) => {
        const schema = this.catalog().schemaByName(name);
        if (schema && isBuiltinSchema(schema.oid)) return null;
        return this.engine.storages.storageOf(schema?.namespace ?? this.engine.namespaceForSchema(name));
      },
    };
  }

  /** What the pg_catalog and information_schema rows of one statement are computed from. */
  private systemCatalogContext(): SystemCatalogContext {
    const procs = procCatalog();
    return {
      catalog: this.catalog(),
      database: this.startup.database,
      user: this.startup.user,
      searchPath: this.searchPath(),
      backendPid: this.startup.backendPid,
      serverStartMicros: this.engine.startedMicros,
      procs: procs.procs,
      operators: procs.operators,
      settings: () => this.settingEntries(),
      sessions: () => [...this.engine.sessions].map((s) => s.activity()),
      preparedStatements: () => [...this.sqlPrepared.values()].map((p): PreparedStatementEntry => ({
        name: p.name, statement: p.source, prepareMicros: p.prepareMicros, paramTypes: p.statement.paramTypes, genericPlans: p.genericPlans, customPlans: p.customPlans,
      })),
      cursors: () => [...this.cursors.values()].map((c): CursorEntry => ({
        name: c.name, statement: c.statement, holdable: c.holdable, binary: c.binary, scrollable: c.scrollable, creationMicros: c.creationMicros,
      })),
      schemaStorage: (schema) => (isBuiltinSchema(schema.oid) || schema.name === 'pg_toast' ? null : this.engine.storages.storageOf(schema.namespace)),
    };
  }

  private settingEntries(): SettingEntry[] {
    return this.settings.all().map(([name, setting]) => {
      const def = this.engine.settingDefinitions.get(name.toLowerCase());
      const defaultValue = def?.defaultValue ?? setting;
      const fromClient = this.startup.parameters.has(name) || this.startup.parameters.has(name.toLowerCase());
      return {
        name,
        setting,
        defaultValue,
        context: def?.context ?? 'user',
        source: setting === defaultValue ? 'default' : fromClient ? 'client' : 'session',
        enumValues: null,
      };
    });
  }

  private currentSetting(name: string, missingOk: boolean): string | undefined {
    const lower = name.toLowerCase();
    if (lower === 'transaction_isolation') return this.isolationName();
    if (lower === 'transaction_read_only') return this.readOnly() ? 'on' : 'off';
    return this.settings.get(name, missingOk);
  }

  private runtime(params: readonly SqlValue[], catalog: Catalog): RuntimeContext {
    const subqueries: SubqueryRunner = {
      run: async (plan, outerRow, ctx, limit) => {
        const inner: RuntimeContext = { ...ctx, outerRows: [...ctx.outerRows, [...outerRow]] };
        const op = buildOperator(plan, this.execRuntime(inner, catalog));
        const rows: SqlValue[][] = [];
        for (;;) {
          const batch = await op.next();
          if (batch === null) break;
          for (const r of batch) rows.push([...r]);
          if (limit !== undefined && rows.length >= limit) break;
        }
        await op.close();
        return rows;
      },
    };
    return {
      params,
      codec: this.codec(),
      session: this.services(),
      statementStartMicros: nowMicros(),
      transactionStartMicros: this.txStartMicros || nowMicros(),
      outerRows: [],
      checkCancel: () => this.checkCancel(),
      subqueries,
    };
  }

  private execRuntime(ctx: RuntimeContext, catalog: Catalog): ExecRuntime {
    return { ctx, catalog, transaction: () => this.transaction(), storages: this.engine.storages };
  }

  private async run(stmt: SessionStatement, params: readonly SqlValue[]): Promise<Execution> {
    const analyzed = stmt.analyzed;
    if (analyzed.kind === 'query') {
      if (analyzed.command !== 'SELECT') {
        this.assertWritable(analyzed.command);
        await this.settleCursors();
      }
      this.txUsed = true;
      if (!this.tx) {
        // now() is the transaction's start: take it before the first read.
        this.txStartMicros = nowMicros();
      }
      const catalog = this.catalog();
      const ctx = this.runtime(params, catalog);
      const op = buildOperator(analyzed.plan, this.execRuntime(ctx, catalog));
      if (analyzed.command === 'SELECT') return this.rowStream(op, analyzed.plan, 'SELECT', stmt.fields!);
      if (analyzed.fields) return this.rowStream(op, analyzed.plan, analyzed.command, stmt.fields!);
      const modify = op as ModifyOperator;
      while ((await modify.next()) !== null) this.checkCancel();
      return { kind: 'command', tag: commandTag(analyzed.command, modify.rowCount()) };
    }
    if (Object.keys(analyzed.node).length === 0) return { kind: 'command', tag: '' };
    return this.runUtility(analyzed.node, stmt, params);
  }

  private assertWritable(what: string): void {
    if (this.readOnly() && (this.state === 'block' || this.state === 'failed' || this.txOptions.readOnly !== null || this.settings.get('default_transaction_read_only') === 'on')) {
      throw new SqlError(SqlState.readOnlySqlTransaction, `cannot execute ${what} in a read-only transaction`);
    }
  }

  private rowStream(op: Operator, plan: PlanNode, command: string, fields: readonly FieldDescription[]): Execution {
    const visible = plan.columns.map((c, i) => (c.hidden ? -1 : i)).filter((i) => i >= 0);
    const allVisible = visible.length === plan.columns.length;
    let pending: SqlValue[][] = [];
    let done = false;
    let count = 0;
    const modify = command !== 'SELECT' ? (op as ModifyOperator) : null;
    return {
      kind: 'rows',
      fields,
      next: async (maxRows: number) => {
        this.startStatementIfIdle();
        try {
          while (!done && (maxRows === 0 || pending.length < maxRows)) {
            this.checkCancel();
            const batch = await op.next();
            if (batch === null) {
              done = true;
              break;
            }
            for (const r of batch) pending.push(allVisible ? (r as SqlValue[]) : visible.map((i) => r[i] ?? null));
          }
        } catch (e) {
          this.endStatement();
          this.failStatement();
          throw this.mapError(e);
        }
        const take = maxRows === 0 ? pending.length : Math.min(maxRows, pending.length);
        const rows = pending.slice(0, take);
        pending = pending.slice(take);
        count += rows.length;
        const finished = done && pending.length === 0;
        if (finished) this.endStatement();
        return { rows, done: finished };
      },
      tag: () => (modify ? commandTag(command, modify.rowCount()) : `SELECT ${count}`),
      close: async () => {
        this.endStatement();
        await op.close();
      },
    };
  }

  private startStatementIfIdle(): void {
    if (!this.running) this.startStatement();
  }

  // ---- utility statements ----

  private async runUtility(node: Node, stmt: SessionStatement, params: readonly SqlValue[]): Promise<Execution> {
    const tag = nodeTag(node);
    const sql = stmt.sql;
    switch (tag) {
      case 'TransactionStmt':
        return { kind: 'command', tag: await this.transactionStatement(nodeAs(node, 'TransactionStmt')!) };
      case 'VariableSetStmt':
        return { kind: 'command', tag: this.setStatement(nodeAs(node, 'VariableSetStmt')!) };
      case 'VariableShowStmt':
        return this.showStatement(nodeAs(node, 'VariableShowStmt')!.name ?? '');
      case 'DiscardStmt':
        return { kind: 'command', tag: await this.discard(nodeAs(node, 'DiscardStmt')!.target ?? 'DISCARD_ALL') };
      case 'PrepareStmt':
        this.prepareStatement(nodeAs(node, 'PrepareStmt')!, sql, stmt.source);
        return { kind: 'command', tag: 'PREPARE' };
      case 'ExecuteStmt':
        return this.executePrepared(nodeAs(node, 'ExecuteStmt')!, sql);
      case 'DeallocateStmt':
        return { kind: 'command', tag: this.deallocate(nodeAs(node, 'DeallocateStmt')!) };
      case 'DeclareCursorStmt':
        await this.declareCursor(nodeAs(node, 'DeclareCursorStmt')!, stmt, params);
        return { kind: 'command', tag: 'DECLARE CURSOR' };
      case 'FetchStmt':
        return this.fetch(nodeAs(node, 'FetchStmt')!);
      case 'ClosePortalStmt':
        return { kind: 'command', tag: await this.closeCursor(nodeAs(node, 'ClosePortalStmt')!.portalname) };
      case 'ExplainStmt': {
        const e = nodeAs(node, 'ExplainStmt')!;
        const execute = nodeAs(e.query, 'ExecuteStmt');
        // EXPLAIN EXECUTE shows the prepared statement's plan.
        const analyzed = execute ? this.preparedNamed(execute.name ?? '').statement.analyzed : this.analyzeNode(e.query!, sql, [...params.map(() => 0)], this.catalog());
        const lines = analyzed.kind === 'query' ? explainPlan(analyzed.plan) : ['Utility Statement'];
        const rows = lines.map((l) => [l] as SqlValue[]);
        let sent = false;
        return {
          kind: 'rows',
          fields: [TEXT_FIELD('QUERY PLAN')],
          next: async () => {
            const out = sent ? [] : rows;
            sent = true;
            return { rows: out, done: true };
          },
          tag: () => 'EXPLAIN',
          close: async () => {},
        };
      }
      case 'VacuumStmt':
        return { kind: 'command', tag: nodeAs(node, 'VacuumStmt')!.is_vacuumcmd ? 'VACUUM' : 'ANALYZE' };
      case 'CheckPointStmt':
        return { kind: 'command', tag: 'CHECKPOINT' };
      case 'UnlistenStmt':
        return { kind: 'command', tag: 'UNLISTEN' };
      case 'ListenStmt':
      case 'NotifyStmt':
        throw unsupported(tag === 'ListenStmt' ? 'LISTEN' : 'NOTIFY');
      case 'LockStmt':
        if (this.state !== 'block') throw new SqlError(SqlState.noActiveSqlTransaction, 'LOCK TABLE can only be used in transaction blocks');
        return { kind: 'command', tag: 'LOCK TABLE' };
      case 'CreateExtensionStmt': {
        const ext = nodeAs(node, 'CreateExtensionStmt')!;
        // These extensions' functions (gen_random_uuid, uuid_generate_v4) are built in.
        if (!['uuid-ossp', 'pgcrypto', 'plpgsql'].includes(ext.extname ?? '')) {
          throw new SqlError('58P01', `extension "${ext.extname}" is not available`);
        }
        if (ext.if_not_exists) this.emitNotice(new SqlError('42710', `extension "${ext.extname}" already exists, skipping`, { severity: 'NOTICE' }));
        return { kind: 'command', tag: 'CREATE EXTENSION' };
      }
      case 'CreateStmt':
      case 'DropStmt':
      case 'CreateSchemaStmt':
      case 'AlterTableStmt':
      case 'RenameStmt':
      case 'IndexStmt':
      case 'CreateSeqStmt':
      case 'AlterSeqStmt':
      case 'TruncateStmt':
      case 'CommentStmt':
      case 'ViewStmt':
      case 'AlterOwnerStmt':
        return { kind: 'command', tag: await this.ddl(node, sql) };
      case 'CopyStmt':
        if (nodeAs(node, 'CopyStmt')!.is_from) await this.settleCursors();
        return startCopy(this.copyHost(sql), nodeAs(node, 'CopyStmt')!, sql);
      case 'DoStmt':
      case 'CreateFunctionStmt':
        throw unsupported('procedural code');
      default:
        throw unsupported(tag.replace(/Stmt$/, ''));
    }
  }

  private async ddl(node: Node, sql: string): Promise<string> {
    this.assertWritable(nodeTag(node) === 'TruncateStmt' ? 'TRUNCATE TABLE' : 'DDL');
    await this.settleCursors();
    const tx = await this.transaction();
    this.txCatalog ??= await this.engine.store.beginChange(tx, this.engine.store.snapshot());
    const ctx: DdlContext = {
      tx,
      store: this.engine.store,
      admin: this.engine.txm.admin,
      sequences: this.engine.sequences,
      state: this.txCatalog,
      analyzer: (catalog) => this.analyzerContext('', [], catalog),
      runtime: (catalog) => this.runtime([], catalog),
      sql,
      searchPath: this.searchPath(),
      user: this.startup.user,
      notice: (code, message, fields) => this.emitNotice(new SqlError(code, message, { ...fields, severity: code.startsWith('01') ? 'WARNING' : 'NOTICE' })),
      onRollback: (a) => this.rollbackActions.push(a),
      afterCommit: (a) => this.commitActions.push(a),
      namespaceForSchema: (s) => this.engine.namespaceForSchema(s),
      storageOf: (namespace) => this.engine.storages.storageOf(namespace),
    };
    return executeDdl(ctx, node);
  }

  private setStatement(s: NonNullable<ReturnType<typeof nodeAs<'VariableSetStmt'>>>): string {
    const name = s.name ?? '';
    switch (s.kind) {
      case 'VAR_SET_VALUE': {
        const lower = name.toLowerCase();
        if (lower === 'role' || lower === 'session_authorization') return 'SET';
        const value = (s.args ?? []).map((a) => timeZoneFromInterval(a) ?? defElemText(a) ?? '').join(', ');
        this.setSetting(name, value, s.is_local ?? false);
        return 'SET';
      }
      case 'VAR_SET_DEFAULT':
      case 'VAR_RESET': {
        if (name.toLowerCase() === 'session_authorization' || name.toLowerCase() === 'role') return s.kind === 'VAR_RESET' ? 'RESET' : 'SET';
        this.settings.reset(name);
        return s.kind === 'VAR_RESET' ? 'RESET' : 'SET';
      }
      case 'VAR_SET_CURRENT':
        return 'SET';
      case 'VAR_RESET_ALL':
        this.settings.resetAll();
        return 'RESET';
      case 'VAR_SET_MULTI':
        this.setTransactionCharacteristics(name, s.args ?? []);
        return 'SET';
      default:
        throw unsupported(`SET ${name}`);
    }
  }

  private setSetting(name: string, value: string, local: boolean): void {
    if (local && this.state !== 'block') {
      this.emitNotice(new SqlError(SqlState.noActiveSqlTransaction, 'SET LOCAL can only be used in transaction blocks', { severity: 'WARNING' }));
      return;
    }
    const lower = name.toLowerCase();
    if (lower === 'transaction_isolation' || lower === 'transaction_read_only') {
      this.setTransactionCharacteristics('TRANSACTION', [{ DefElem: { defname: lower, arg: { A_Const: { sval: { sval: value } } } } }]);
      return;
    }
    this.settings.set(name, value, { local });
  }

  private setTransactionCharacteristics(kind: string, args: readonly Node[]): void {
    const session = kind === 'SESSION CHARACTERISTICS';
    if (!session && this.state !== 'block') {
      this.emitNotice(new SqlError(SqlState.noActiveSqlTransaction, 'SET TRANSACTION can only be used in transaction blocks', { severity: 'WARNING' }));
      return;
    }
    for (const a of args) {
      const d = nodeAs(a, 'DefElem')!;
      const v = (defElemText(d.arg) ?? '').toLowerCase();
      if (d.defname === 'transaction_isolation') {
        if (!isIsolationLevelName(v)) throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "transaction_isolation": "${v}"`);
        if (session) this.settings.set('default_transaction_isolation', v, { local: false });
        else {
          if (this.txUsed) throw new SqlError(SqlState.activeSqlTransaction, 'SET TRANSACTION ISOLATION LEVEL must be called before any query');
          this.txOptions.isolation = v;
        }
      } else if (d.defname === 'transaction_read_only') {
        const ro = v === '1' || v === 'true' || v === 'on';
        if (session) this.settings.set('default_transaction_read_only', ro ? 'on' : 'off', { local: false });
        else this.txOptions.readOnly = ro;
      }
    }
  }

  private showStatement(name: string): Execution {
    const lower = name.toLowerCase();
    let rows: SqlValue[][];
    let fields: FieldDescription[];
    if (lower === 'all') {
      fields = [TEXT_FIELD('name'), TEXT_FIELD('setting'), TEXT_FIELD('description')];
      rows = this.settings.all().map(([n, v]) => [n, v, '']);
    } else if (lower === STORAGES_SHOW_NAME) {
      fields = STORAGES_SHOW_COLUMNS.map(TEXT_FIELD);
      rows = storageAssignments(this.catalog(), this.engine.storages, this.engine.store.options.systemNamespace).map((a) => [
        a.schema, a.namespace, a.storage.name, a.storage.kind, a.storage.assignedBy,
      ]);
    } else {
      const value = this.currentSetting(lower === 'time zone' ? 'TimeZone' : name, false)!;
      fields = [TEXT_FIELD(this.showName(name))];
      rows = [[value]];
    }
    let sent = false;
    return {
      kind: 'rows',
      fields,
      next: async () => {
        const out = sent ? [] : rows;
        sent = true;
        return { rows: out, done: true };
      },
      tag: () => 'SHOW',
      close: async () => {},
    };
  }

  private async discard(target: string): Promise<string> {
    if (target === 'DISCARD_ALL') {
      if (this.state === 'block' || this.state === 'failed') throw new SqlError(SqlState.activeSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
      this.settings.resetAll();
      this.sequenceCurrent.clear();
      this.lastSequenceValue = null;
      this.sqlPrepared.clear();
      this.protocolNames?.clearStatements();
      await this.dropCursors(() => true);
      return 'DISCARD ALL';
    }
    if (target === 'DISCARD_SEQUENCES') {
      this.sequenceCurrent.clear();
      this.lastSequenceValue = null;
      return 'DISCARD SEQUENCES';
    }
    return target === 'DISCARD_PLANS' ? 'DISCARD PLANS' : 'DISCARD TEMP';
  }

  // ---- SQL PREPARE / EXECUTE / DEALLOCATE ----

  private prepareStatement(p: NonNullable<ReturnType<typeof nodeAs<'PrepareStmt'>>>, sql: string, source: string): void {
    const name = p.name ?? '';
    const given = (p.argtypes ?? []).map((t) => resolveTypeName(nodeAs(t, 'TypeName')!).oid);
    const statement = this.analyzePrepared(p.query!, sql, given);
    // Checked after analysis, as PostgreSQL does (a bad query is reported first).
    if (this.sqlPrepared.has(name) || this.protocolNames?.hasStatement(name)) {
      throw new SqlError(SqlState.duplicatePreparedStatement, `prepared statement "${name}" already exists`);
    }
    this.sqlPrepared.set(name, { name, sql, source, query: p.query!, givenParamTypes: given, prepareMicros: nowMicros(), statement, genericPlans: 0, customPlans: 0 });
  }

  /** The statement of a PREPARE, planned; parameters nothing gave a type to are text, as in PostgreSQL. */
  private analyzePrepared(query: Node, sql: string, given: readonly number[]): SessionStatement {
    const catalog = this.catalog();
    const paramTypes = [...given];
    const analyzed = this.analyzeNode(query, sql, paramTypes, catalog);
    const resolved = paramTypes.map((t) => (t === 0 || t === Oid.unknown ? Oid.text : t));
    return new SessionStatement(sql, resolved, analyzed.fields, analyzed, this.txCatalog === null ? catalog.version : -1, this.settings.get('search_path') ?? '', given);
  }

  private async executePrepared(e: NonNullable<ReturnType<typeof nodeAs<'ExecuteStmt'>>>, sql: string): Promise<Execution> {
    const name = e.name ?? '';
    const prepared = this.preparedNamed(name);
    const types = prepared.statement.paramTypes;
    const args = e.params ?? [];
    if (args.length !== types.length) {
      throw new SqlError(SqlState.syntaxError, `wrong number of parameters for prepared statement "${name}"`, {
        detail: `Expected ${types.length} parameters but got ${args.length}.`,
      });
    }
    const params = await this.executeParams(args, types, sql);
    // A plan made against an older catalog is made again; its result columns must not change.
    let stmt = prepared.statement;
    if (stmt.catalogVersion === -1 || stmt.catalogVersion !== this.catalog().version || stmt.searchPath !== (this.settings.get('search_path') ?? '')) {
      const fresh = this.analyzePrepared(prepared.query, prepared.sql, prepared.givenParamTypes);
      if (!sameFields(fresh.fields, stmt.fields)) {
        throw new SqlError(SqlState.featureNotSupported, 'cached plan must not change result type', { routine: 'RevalidateCachedQuery' });
      }
      stmt = fresh;
      prepared.statement = fresh;
    }
    if (types.length === 0) prepared.genericPlans++;
    else prepared.customPlans++;
    return this.run(stmt, params);
  }

  private preparedNamed(name: string): SqlPrepared {
    const prepared = this.sqlPrepared.get(name);
    if (!prepared) throw new SqlError(SqlState.invalidSqlStatementName, `prepared statement "${name}" does not exist`);
    return prepared;
  }

  /** EXECUTE's arguments: constant expressions, assigned to the parameter types (EvaluateParams). */
  private async executeParams(args: readonly Node[], types: readonly number[], sql: string): Promise<SqlValue[]> {
    if (args.length === 0) return [];
    const catalog = this.catalog();
    const actx = this.analyzerContext(sql, [], catalog);
    const binder = new ExpressionBinder(actx, Scope.empty(), null, 'EXECUTE parameters').withoutAggregates('EXECUTE parameters');
    const ctx = this.runtime([], catalog);
    const values: SqlValue[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (nodeTag(arg) === 'SubLink') throw new SqlError(SqlState.featureNotSupported, 'cannot use subquery in EXECUTE parameter');
      const bound = binder.bind(arg);
      if (actx.paramTypes.length > 0) throw new SqlError(SqlState.undefinedParameter, `there is no parameter $${actx.paramTypes.length}`);
      const target = { oid: types[i]!, typmod: -1 };
      if (bound.type.oid !== target.oid && bound.type.oid !== Oid.unknown && !canCoerce(bound.type.oid, target.oid, 'assignment')) {
        throw new SqlError(SqlState.datatypeMismatch, `parameter $${i + 1} of type ${formatType(bound.type.oid)} cannot be coerced to the expected type ${formatType(target.oid)}`, {
          hint: 'You will need to rewrite or cast the expression.',
        });
      }
      values.push(await evaluate(compileExpr(binder.coerce(bound, target, 'assignment')), [], ctx));
    }
    return values;
  }

  private deallocate(d: NonNullable<ReturnType<typeof nodeAs<'DeallocateStmt'>>>): string {
    if (d.isall || d.name === undefined) {
      this.sqlPrepared.clear();
      this.protocolNames?.clearStatements();
      return 'DEALLOCATE ALL';
    }
    if (!this.sqlPrepared.delete(d.name) && !this.protocolNames?.deleteStatement(d.name)) {
      throw new SqlError(SqlState.invalidSqlStatementName, `prepared statement "${d.name}" does not exist`);
    }
    return 'DEALLOCATE';
  }

  attachProtocolNames(names: ProtocolNames): void {
    this.protocolNames = names;
  }

  // ---- cursors ----

  /** A DECLARE's query, analyzed. PostgreSQL's grammar allows only SELECT (and VALUES) there. */
  private declaredQuery(d: NonNullable<ReturnType<typeof nodeAs<'DeclareCursorStmt'>>>, sql: string, paramTypes: number[], catalog: Catalog) {
    const query = d.query!;
    const select = nodeAs(query, 'SelectStmt');
    const ctes = select?.withClause?.ctes ?? [];
    if (ctes.some((c) => nodeAs(nodeAs(c, 'CommonTableExpr')?.ctequery, 'SelectStmt') === undefined)) {
      throw new SqlError(SqlState.featureNotSupported, 'DECLARE CURSOR must not contain data-modifying statements in WITH');
    }
    const lock = nodeAs(select?.lockingClause?.[0], 'LockingClause');
    if (lock) {
      const strength = LOCK_STRENGTHS[lock.strength ?? 'LCS_FORUPDATE'] ?? 'FOR UPDATE';
      if ((d.options ?? 0) & CURSOR_OPT_HOLD) {
        throw new SqlError(SqlState.featureNotSupported, `DECLARE CURSOR WITH HOLD ... ${strength} is not supported`, { detail: 'Holdable cursors must be READ ONLY.' });
      }
      if ((d.options ?? 0) & CURSOR_OPT_SCROLL) {
        throw new SqlError(SqlState.featureNotSupported, `DECLARE SCROLL CURSOR ... ${strength} is not supported`, { detail: 'Scrollable cursors must be READ ONLY.' });
      }
    }
    const analyzed = this.analyzeNode(query, sql, paramTypes, catalog);
    if (analyzed.kind !== 'query' || analyzed.command !== 'SELECT') throw unsupported(`DECLARE CURSOR for ${nodeTag(query)}`);
    return analyzed;
  }

  private async declareCursor(d: NonNullable<ReturnType<typeof nodeAs<'DeclareCursorStmt'>>>, stmt: SessionStatement, params: readonly SqlValue[]): Promise<void> {
    const name = d.portalname ?? '';
    const options = d.options ?? 0;
    const hold = (options & CURSOR_OPT_HOLD) !== 0;
    if (!hold && this.state !== 'block' && !(this.state === 'implicit' && stmt.several)) {
      throw new SqlError(SqlState.noActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
    }
    if (name === '') throw new SqlError(SqlState.invalidCursorName, 'invalid cursor name: must not be empty');
    const catalog = this.catalog();
    const analyzed = this.declaredQuery(d, stmt.sql, [...stmt.paramTypes], catalog);
    if (this.cursors.has(name) || this.protocolNames?.hasPortal(name)) throw new SqlError(SqlState.duplicateCursor, `cursor "${name}" already exists`);
    this.txUsed = true;
    if (!this.tx) this.txStartMicros = nowMicros();
    const op = buildOperator(analyzed.plan, this.execRuntime(this.runtime(params, catalog), catalog));
    const visible = analyzed.plan.columns.map((c, i) => (c.hidden ? -1 : i)).filter((i) => i >= 0);
    const allVisible = visible.length === analyzed.plan.columns.length;
    const rows = {
      next: async () => {
        this.checkCancel();
        const batch = await op.next();
        return batch === null ? null : batch.map((r) => (allVisible ? (r as SqlValue[]) : visible.map((i) => r[i] ?? null)));
      },
      close: () => op.close(),
    };
    // A cursor that locks rows (FOR UPDATE) never scrolls, as in PostgreSQL.
    const locks = (nodeAs(d.query, 'SelectStmt')?.lockingClause?.length ?? 0) > 0;
    const scrollable = (options & CURSOR_OPT_SCROLL) !== 0 ? true : (options & CURSOR_OPT_NO_SCROLL) !== 0 || locks ? false : planScrolls(analyzed.plan);
    const binary = (options & CURSOR_OPT_BINARY) !== 0;
    this.cursors.set(name, new Cursor(name, stmt.source, analyzed.fields ?? [], rows, hold, binary, scrollable, nowMicros(), this.savepoints.length));
  }

  private async fetch(f: NonNullable<ReturnType<typeof nodeAs<'FetchStmt'>>>): Promise<Execution> {
    const name = f.portalname ?? '';
    const cursor = this.cursors.get(name);
    if (!cursor) throw new SqlError(SqlState.invalidCursorName, `cursor "${name}" does not exist`);
    const { rows, count } = await cursor.fetch(f.direction ?? 'FETCH_FORWARD', Number(f.howMany ?? 0), f.ismove ?? false);
    if (f.ismove) return { kind: 'command', tag: `MOVE ${count}` };
    let pending = rows;
    return {
      kind: 'rows',
      fields: cursor.fields,
      binary: cursor.binary,
      next: async (maxRows: number) => {
        const take = maxRows === 0 ? pending.length : Math.min(maxRows, pending.length);
        const out = pending.slice(0, take);
        pending = pending.slice(take);
        // Like PostgreSQL's portal over the FETCH's stored rows, a page that ends at the last row
        // is not yet known to be the end.
        const done = pending.length === 0 && (maxRows === 0 || out.length < maxRows);
        if (done) this.endStatement();
        return { rows: out, done };
      },
      tag: () => `FETCH ${count}`,
      close: async () => {},
    };
  }

  private async closeCursor(name: string | undefined): Promise<string> {
    if (name === undefined) {
      await this.dropCursors(() => true);
      return 'CLOSE CURSOR ALL';
    }
    const cursor = this.cursors.get(name);
    if (!cursor) throw new SqlError(SqlState.invalidCursorName, `cursor "${name}" does not exist`);
    this.cursors.delete(name);
    await cursor.close();
    return 'CLOSE CURSOR';
  }

  describeCursor(name: string): readonly FieldDescription[] | null | undefined {
    return this.cursors.get(name)?.fields;
  }

  private async dropCursors(which: (c: Cursor) => boolean): Promise<void> {
    for (const [name, cursor] of [...this.cursors]) {
      if (!which(cursor)) continue;
      this.cursors.delete(name);
      await cursor.close().catch(() => {});
    }
  }

  /**
   * Before the transaction writes, its open cursors read the rest of their rows: a cursor sees the
   * data as it was when it was declared, as in PostgreSQL, not the transaction's later changes.
   */
  private async settleCursors(): Promise<void> {
    for (const cursor of this.cursors.values()) if (cursor.live) await cursor.materialise();
  }

  /**
   * At commit: a WITH HOLD cursor declared in the transaction reads the rest of its rows while the
   * transaction is still there to read them; the other cursors close.
   */
  private async holdCursors(): Promise<void> {
    for (const [name, cursor] of [...this.cursors]) {
      if (!cursor.inTransaction) continue;
      if (!cursor.holdable) {
        this.cursors.delete(name);
        await cursor.close().catch(() => {});
        continue;
      }
      // It stays in the transaction until the commit succeeds.
      await cursor.materialise();
    }
  }

  // ---- transaction control ----

  private async transactionStatement(t: NonNullable<ReturnType<typeof nodeAs<'TransactionStmt'>>>): Promise<string> {
    switch (t.kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START': {
        if (this.state === 'block' || this.state === 'failed') {
          this.emitNotice(new SqlError(SqlState.activeSqlTransaction, 'there is already a transaction in progress', { severity: 'WARNING' }));
          return t.kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION';
        }
        if (this.state === 'idle') this.enterImplicit();
        this.state = 'block';
        this.setTransactionCharacteristics('TRANSACTION', t.options ?? []);
        return t.kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION';
      }
      case 'TRANS_STMT_COMMIT': {
        if (this.state === 'failed') {
          await this.rollbackTransaction();
          return 'ROLLBACK';
        }
        if (this.state !== 'block') {
          this.emitNotice(new SqlError(SqlState.noActiveSqlTransaction, 'there is no transaction in progress', { severity: 'WARNING' }));
          if (this.state === 'implicit') await this.commitTransaction();
          return 'COMMIT';
        }
        await this.commitTransaction();
        return 'COMMIT';
      }
      case 'TRANS_STMT_ROLLBACK': {
        if (this.state !== 'block' && this.state !== 'failed') {
          this.emitNotice(new SqlError(SqlState.noActiveSqlTransaction, 'there is no transaction in progress', { severity: 'WARNING' }));
        }
        await this.rollbackTransaction();
        return 'ROLLBACK';
      }
      case 'TRANS_STMT_SAVEPOINT': {
        if (this.state !== 'block') throw new SqlError(SqlState.noActiveSqlTransaction, 'SAVEPOINT can only be used in transaction blocks');
        const tx = await this.transaction();
        this.savepoints.push({
          name: t.savepoint_name ?? '',
          id: tx.savepoint(),
          catalog: this.txCatalog ? { catalog: this.txCatalog.catalog, nextOid: this.txCatalog.nextOid } : null,
        });
        return 'SAVEPOINT';
      }
      case 'TRANS_STMT_RELEASE': {
        if (this.state !== 'block' && this.state !== 'failed') throw new SqlError(SqlState.noActiveSqlTransaction, 'RELEASE SAVEPOINT can only be used in transaction blocks');
        const i = this.findSavepoint(t.savepoint_name ?? '');
        this.tx!.release(this.savepoints[i]!.id);
        this.savepoints = this.savepoints.slice(0, i);
        for (const c of this.cursors.values()) if (c.inTransaction && c.savepointDepth > i) c.savepointDepth = i;
        return 'RELEASE';
      }
      case 'TRANS_STMT_ROLLBACK_TO': {
        if (this.state !== 'block' && this.state !== 'failed') throw new SqlError(SqlState.noActiveSqlTransaction, 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
        const i = this.findSavepoint(t.savepoint_name ?? '');
        const sp = this.savepoints[i]!;
        this.tx!.rollbackTo(sp.id);
        // Cursors declared after the savepoint are gone with what they saw.
        await this.dropCursors((c) => c.inTransaction && c.savepointDepth > i);
        if (this.txCatalog) {
          if (sp.catalog) {
            this.txCatalog.catalog = sp.catalog.catalog;
            this.txCatalog.nextOid = sp.catalog.nextOid;
          } else {
            this.txCatalog.catalog = this.engine.store.snapshot();
          }
        }
        this.savepoints = this.savepoints.slice(0, i + 1);
        this.state = 'block';
        return 'ROLLBACK';
      }
      case 'TRANS_STMT_PREPARE':
      case 'TRANS_STMT_COMMIT_PREPARED':
      case 'TRANS_STMT_ROLLBACK_PREPARED':
        throw unsupported('two-phase commit (PREPARE TRANSACTION)');
      default:
        throw unsupported(`transaction statement ${t.kind ?? ''}`);
    }
  }

  private findSavepoint(name: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]!.name === name) return i;
    throw new SqlError('3B001', `savepoint "${name}" does not exist`);
  }

  /** Commits the current transaction (block or implicit); on failure it is rolled back and the error thrown. */
  private async commitTransaction(): Promise<void> {
    if (this.cursors.size > 0) {
      try {
        await this.holdCursors();
      } catch (e) {
        await this.rollbackTransaction();
        throw this.mapError(e);
      }
    }
    const tx = this.tx;
    const catalogState = this.txCatalog;
    const commitActions = this.commitActions;
    const rollbackActions = this.rollbackActions;
    this.resetTransactionState();
    if (!tx) {
      for (const c of this.cursors.values()) c.inTransaction = false;
      this.settings.endTransaction(true);
      return;
    }
    try {
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => {});
      this.settings.endTransaction(false);
      // A held cursor of a transaction that did not commit goes with it.
      if (this.cursors.size > 0) await this.dropCursors((c) => c.inTransaction);
      await this.runActions(rollbackActions);
      throw this.mapError(e);
    }
    for (const c of this.cursors.values()) c.inTransaction = false;
    if (catalogState) this.engine.store.adopt(catalogState.catalog);
    this.settings.endTransaction(true);
    await this.runActions(commitActions);
  }

  private async rollbackTransaction(): Promise<void> {
    // Cursors of the transaction go with it; WITH HOLD cursors of earlier ones stay.
    if (this.cursors.size > 0) await this.dropCursors((c) => c.inTransaction);
    const tx = this.tx;
    const rollbackActions = this.rollbackActions;
    this.resetTransactionState();
    if (tx) await tx.abort().catch(() => {});
    this.settings.endTransaction(false);
    await this.runActions(rollbackActions);
  }

  private resetTransactionState(): void {
    this.tx = null;
    this.txCatalog = null;
    this.savepoints = [];
    this.commitActions = [];
    this.rollbackActions = [];
    this.state = 'idle';
    this.txOptions = { isolation: null, readOnly: null };
    this.txUsed = false;
    this.implicitFailed = false;
    this.txStartMicros = 0n;
  }

  /** Storage clean-up after a transaction ended; failures are logged, never reported to the client. */
  private async runActions(actions: ReadonlyArray<() => Promise<void>>): Promise<void> {
    for (const a of actions) {
      try {
        await a();
      } catch (e) {
        this.engine.logger.warn({ err: (e as Error).message }, 'storage clean-up after a transaction failed');
      }
    }
  }

  async sync(): Promise<void> {
    if (this.state !== 'implicit') return;
    if (this.implicitFailed) await this.rollbackTransaction();
    else await this.commitTransaction();
  }

  get transactionStatus(): TransactionStatus {
    return this.state === 'block' ? 'T' : this.state === 'failed' ? 'E' : 'I';
  }

  reportedParameters(): ReadonlyMap<string, string> {
    return this.settings.reported();
  }

  setting(name: string): string | undefined {
    return this.settings.get(name, true);
  }

  onParameterChange(listener: (name: string, value: string) => void): void {
    this.settings.onChange(listener);
  }

  onNotice(listener: (notice: Notice) => void): void {
    this.noticeListeners.push(listener);
  }

  private emitNotice(n: SqlError): void {
    for (const l of this.noticeListeners) l(n);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.engine.sessions.delete(this);
    this.endStatement();
    await this.rollbackTransaction();
    await this.dropCursors(() => true);
  }
}

function commandTag(command: string, count: number): string {
  return command === 'INSERT' ? `INSERT 0 ${count}` : `${command} ${count}`;
}

/**
 * `SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE` (Sequelize sends it): the fixed offset as the
 * POSIX zone PostgreSQL's pg_tzset_offset names it, `<+05:30>-05:30`; null for any other argument.
 */
function timeZoneFromInterval(arg: Node): string | null {
  const cast = nodeAs(arg, 'TypeCast');
  const text = nodeAs(cast?.arg, 'A_Const')?.sval?.sval;
  if (!cast?.typeName || text === undefined) return null;
  const type = resolveTypeName(cast.typeName);
  if (type.oid !== Oid.interval) return null;
  const iv = parseInterval(text, type.typmod);
  if (iv.months !== 0 || iv.days !== 0) {
    const detail = `Cannot specify ${iv.months !== 0 ? 'months' : 'days'} in time zone interval.`;
    throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "TimeZone": "INTERVAL '${formatInterval(iv)}'"`, { detail });
  }
  const east = Number(iv.micros / 1_000_000n);
  const abs = Math.abs(east);
  const two = (n: number): string => String(n).padStart(2, '0');
  let offset = two(Math.floor(abs / 3600));
  if (abs % 3600 !== 0) offset += `:${two(Math.floor(abs / 60) % 60)}${abs % 60 !== 0 ? `:${two(abs % 60)}` : ''}`;
  return east < 0 ? `<-${offset}>+${offset}` : `<+${offset}>-${offset}`;
}
