/**
 * One authenticated connection: the protocol state machine between the client's messages and the
 * SQL engine's BackendSession. It owns prepared statement and portal names, the skip-until-Sync
 * state of the extended protocol, COPY framing, ParameterStatus reporting, idle timeouts, and value
 * encoding through src/types/codec.ts. It never touches bytes: messages in, messages out.
 */
import { performance } from 'node:perf_hooks';
import { SqlError, SqlState } from '../errors.js';
import { decodeBinary, DEFAULT_CODEC_CONTEXT, encodeBinary, formatText, parseText, type CodecContext } from '../types/codec.js';
import { Oid } from '../types/oids.js';
import type { SqlValue } from '../types/values.js';
import type {
  Backend,
  BackendSession,
  CopyIn,
  CopyOut,
  Execution,
  FieldDescription,
  ParsedStatement,
  PreparedStatement,
  RowStream,
} from './backend.js';
import type { CancelKeyRegistry } from './cancel-keys.js';
import { DEFAULT_SCRAM_ITERATIONS } from './scram.js';
import type { Bind, Close, Describe, Execute, FormatCode, FrontendMessage, Parse, RowDescriptionField } from './messages.js';
import type { WireHooks, WireLogger } from './observability.js';
import type { AcceptedStartup } from './startup.js';
import type { MessageTransport } from './transport.js';

/** Rows asked of the backend at a time; bounds memory for big results. */
const ROWS_PER_BACKEND_FETCH = 1000;
/** Output buffered beyond this is written out before more rows are produced (backpressure). */
const OUTPUT_FLUSH_BYTES = 256 * 1024;

/** ParameterStatus values sent when the backend does not report its own (PostgreSQL 16 defaults). */
function defaultReportedParameters(serverVersion: string, startup: AcceptedStartup): Map<string, string> {
  const reported = new Map([
    ['application_name', startup.parameters.get('application_name') ?? ''],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['default_transaction_read_only', 'off'],
    ['in_hot_standby', 'off'],
    ['integer_datetimes', 'on'],
    ['IntervalStyle', 'postgres'],
    ['is_superuser', 'off'],
    ['server_encoding', 'UTF8'],
    ['server_version', serverVersion],
    ['session_authorization', startup.user],
    ['standard_conforming_strings', 'on'],
    ['TimeZone', 'Etc/UTC'],
  ]);
  if (Number.parseInt(serverVersion, 10) >= 16) reported.set('scram_iterations', String(DEFAULT_SCRAM_ITERATIONS));
  return reported;
}

export interface SessionServices {
  readonly backend: Backend;
  readonly serverVersion: string;
  /** Server-wide caps; a session setting may only make them shorter (0: no cap). */
  readonly idleSessionTimeoutMs: number;
  readonly idleInTransactionTimeoutMs: number;
  readonly maxPreparedStatements: number;
  readonly maxPortals: number;
  readonly cancelKeys: CancelKeyRegistry;
  readonly logger: WireLogger;
  readonly hooks: WireHooks;
}

interface StatementEntry {
  /** null for an empty statement (Execute answers EmptyQueryResponse). */
  readonly parsed: ParsedStatement | null;
  readonly prepared: PreparedStatement;
}

interface Portal {
  readonly statement: StatementEntry;
  readonly params: readonly SqlValue[];
  /** One format per result column. */
  readonly resultFormats: readonly FormatCode[];
  execution: Execution | null;
  /** Rows sent by earlier Executes that stopped at their row limit. */
  rowsSent: number;
  completedTag: string | null;
}

/** Thrown when the client vanished in the middle of an exchange: the session just ends. */
class ClientGone extends Error {}

function sqlError(code: string, message: string): SqlError {
  return new SqlError(code, message);
}

/** Expands Bind's format codes (none: all text; one: for all; else one each) to `count` codes. */
function expandFormats(codes: readonly FormatCode[], count: number): FormatCode[] | null {
  if (codes.length === 0) return new Array<FormatCode>(count).fill(0);
  if (codes.length === 1) return new Array<FormatCode>(count).fill(codes[0]!);
  return codes.length === count ? [...codes] : null;
}

/** Positions from prepare/execute count in the statement; the client counts in its query string. */
function shiftPosition(e: unknown, offset: number): void {
  if (offset > 0 && e instanceof SqlError && e.position !== undefined) e.position += offset;
}

/** PostgreSQL's duration settings as displayed ("0", "250ms", "10s", "5min"), in milliseconds. */
export function parseDurationMs(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(text);
  if (!m) return null;
  const factor = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] ?? 1;
  return Number(m[1]) * factor;
}

/** The shorter of two timeouts where 0 means none. */
function shorterTimeout(a: number, b: number | null): number {
  if (b === null || b <= 0) return a;
  return a <= 0 ? b : Math.min(a, b);
}

export class Session {
  private backendSession: BackendSession | null = null;
  private pid = 0;
  private readonly statements = new Map<string, StatementEntry>();
  private readonly portals = new Map<string, Portal>();
  private skipUntilSync = false;
  private readonly changedParameters = new Map<string, string>();
  private readonly sentParameters = new Map<string, string>();
  /** Errors raised by the backend itself (it already knows its statement failed). */
  private readonly backendErrors = new WeakSet<object>();
  /** ReadyForQuery was sent: the idle timeouts apply to the wait for the next message. */
  private awaitingCommand = false;
  /** Waiting for the client (notices are then flushed at once). */
  private idle = false;
  private terminated = false;
  private finished = false;

  constructor(
    private readonly transport: MessageTransport,
    private readonly services: SessionServices,
    private readonly startup: AcceptedStartup,
  ) {}

  /** Runs the session to its end; never throws. */
  async run(): Promise<void> {
    const key = this.services.cancelKeys.allocate({ cancel: () => this.backendSession?.cancel() });
    this.pid = key.pid;
    const openedAt = performance.now();
    let opened = false;
    try {
      this.transport.send({ type: 'authenticationOk' });
      let session: BackendSession;
      try {
        session = await this.services.backend.openSession({
          user: this.startup.user,
          database: this.startup.database,
          parameters: this.startup.parameters,
          backendPid: key.pid,
          remoteAddress: this.transport.remoteAddress,
          ssl: this.transport.tls !== null,
          serverVersion: this.services.serverVersion,
        });
      } catch (e) {
        const error = e instanceof SqlError ? e : this.internalError(e);
        this.sendError(new SqlError(error.code, error.message, { detail: error.detail, hint: error.hint, severity: 'FATAL' }));
        return;
      }
      this.backendSession = session;
      session.onParameterChange((name, value) => this.changedParameters.set(name, value));
      session.attachProtocolNames?.({
        hasStatement: (name) => name !== '' && this.statements.has(name),
        deleteStatement: (name) => name !== '' && this.statements.delete(name),
        clearStatements: () => {
          for (const name of [...this.statements.keys()]) if (name !== '') this.statements.delete(name);
        },
        hasPortal: (name) => name !== '' && this.portals.has(name),
      });
      session.onNotice((notice) => {
        this.transport.send({ type: 'noticeResponse', error: notice });
        if (this.idle) void this.transport.flush();
      });
      // A client that disconnects mid-statement does not wait for its result.
      this.transport.onClosed(() => {
        if (!this.idle && !this.finished) session.cancel();
      });
      opened = true;
      const authorized = {
        pid: key.pid,
        user: this.startup.user,
        database: this.startup.database,
        ssl: this.transport.tls !== null,
        remoteAddress: this.transport.remoteAddress,
        applicationName: this.startup.parameters.get('application_name'),
        authenticatedBy: this.startup.authenticatedBy,
      };
      // PostgreSQL's log_connections line, at debug level.
      this.services.logger.debug(authorized, 'connection authorized');
      this.callHook(() => this.services.hooks.connectionOpened?.(authorized));

      const initial = defaultReportedParameters(this.services.serverVersion, this.startup);
      for (const [name, value] of session.reportedParameters()) initial.set(name, value);
      this.changedParameters.clear();
      for (const [name, value] of [...initial].sort(byParameterName)) {
        this.transport.send({ type: 'parameterStatus', name, value });
        this.sentParameters.set(name, value);
      }
      this.transport.send({ type: 'backendKeyData', pid: key.pid, secret: key.secret });
      await this.readyForQuery();
      await this.serve(session);
    } catch (e) {
      if (!(e instanceof ClientGone)) this.sendError(e instanceof SqlError ? e : this.internalError(e));
    } finally {
      this.finished = true;
      this.services.cancelKeys.release(key.pid);
      if (this.backendSession) {
        try {
          await this.backendSession.close();
        } catch (e) {
          this.services.logger.error({ err: e, pid: this.pid }, 'closing the backend session failed');
        }
      }
      await this.transport.close();
      if (opened) this.callHook(() => this.services.hooks.connectionClosed?.({ pid: key.pid, durationMs: performance.now() - openedAt }));
    }
  }

  /** Ends the session from outside (server shutdown): FATAL to the client, statement cancelled. */
  terminate(error: SqlError): void {
    if (this.terminated) return;
    this.terminated = true;
    if (!this.idle) this.backendSession?.cancel();
    this.sendError(error);
    void this.transport.close();
  }

  private async serve(session: BackendSession): Promise<void> {
    while (!this.terminated) {
      const message = await this.nextCommandMessage(session);
      if (message === null) return;
      await this.dispatch(session, message);
    }
  }

  private async dispatch(session: BackendSession, message: FrontendMessage): Promise<void> {
    switch (message.type) {
      case 'query':
        if (!this.skipUntilSync) await this.simpleQuery(session, message.sql);
        return;
      case 'parse':
      case 'bind':
      case 'describe':
      case 'execute':
      case 'close':
        if (!this.skipUntilSync) await this.extendedMessage(session, message);
        return;
      case 'sync':
        this.skipUntilSync = false;
        await this.sync(session);
        return;
      case 'flush':
        await this.transport.flush();
        return;
      case 'terminate':
        this.terminated = true;
        return;
      case 'copyData':
      case 'copyDone':
      case 'copyFail':
        // The rest of a COPY that already failed: PostgreSQL ignores these too.
        return;
      case 'functionCall':
        if (this.skipUntilSync) return;
        this.reportError(sqlError(SqlState.featureNotSupported, 'fastpath function calls are not supported'));
        await this.endImplicitTransaction(session);
        await this.readyForQuery();
        return;
      case 'undecodable':
        if (this.skipUntilSync || message.within === 'copyFail') return;
        this.reportError(message.error);
        if (message.within === 'query') {
          await this.endImplicitTransaction(session);
          await this.readyForQuery();
        } else {
          this.skipUntilSync = true;
        }
        return;
      default:
        throw new SqlError(SqlState.protocolViolation, `unexpected message type ${message.type}`, { severity: 'FATAL' });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Simple query

  private async simpleQuery(session: BackendSession, sql: string): Promise<void> {
    // A simple Query drops the unnamed portal, as PostgreSQL does.
    await this.closePortal('');
    try {
      const statements = this.callBackendSync(() => session.parse(sql)).filter((s) => !s.empty);
      if (statements.length === 0) {
        this.transport.send({ type: 'emptyQueryResponse' });
        await this.callBackend(session.sync());
      }
      for (let i = 0; i < statements.length; i++) {
        const statement = statements[i]!;
        const startedAt = performance.now();
        let tag: string;
        try {
          const prepared = await this.callBackend(session.prepare(statement, []));
          const execution = await this.callBackend(session.execute(prepared, []));
          const formats = new Array<FormatCode>(execution.kind === 'rows' ? execution.fields.length : 0).fill(execution.kind === 'rows' && execution.binary ? 1 : 0);
          if (execution.kind === 'rows') {
            this.transport.send({ type: 'rowDescription', fields: describeFields(execution.fields, formats) });
          }
          const outcome = await this.runExecution(execution, formats, 0, 0);
          tag = outcome.tag ?? '';
        } catch (e) {
          shiftPosition(e, statement.offset);
          throw e;
        }
        // PostgreSQL commits the implicit transaction before the last CommandComplete, so a
        // failed commit is reported in its place.
        if (i === statements.length - 1) await this.callBackend(session.sync());
        this.transport.send({ type: 'commandComplete', tag });
        this.statementCompleted('simple', tag, startedAt);
      }
    } catch (e) {
      if (e instanceof ClientGone) throw e;
      this.reportError(e);
      await this.endImplicitTransaction(session);
    }
    await this.readyForQuery();
  }

  /** After an error outside the extended protocol: rolls the implicit transaction back. */
  private async endImplicitTransaction(session: BackendSession): Promise<void> {
    try {
      await this.callBackend(session.sync());
    } catch (e) {
      this.reportError(e);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Extended query

  private async extendedMessage(session: BackendSession, message: Parse | Bind | Describe | Execute | Close): Promise<void> {
    try {
      switch (message.type) {
        case 'parse':
          return await this.parse(session, message);
        case 'bind':
          return await this.bind(session, message);
        case 'describe':
          return this.describe(session, message);
        case 'execute':
          return await this.execute(session, message);
        case 'close':
          if (message.target === 'S') this.statements.delete(message.name);
          else await this.closePortal(message.name);
          this.transport.send({ type: 'closeComplete' });
          return;
      }
    } catch (e) {
      if (e instanceof ClientGone) throw e;
      this.reportError(e);
      this.skipUntilSync = true;
    }
  }

  private async parse(session: BackendSession, message: Parse): Promise<void> {
    const name = message.statement;
    if (name !== '' && this.statements.has(name)) {
      throw sqlError(SqlState.duplicatePreparedStatement, `prepared statement "${name}" already exists`);
    }
    if (name === '') this.statements.delete('');
    else if (this.statements.size >= this.services.maxPreparedStatements) {
      throw sqlError(SqlState.programLimitExceeded, `too many prepared statements (limit ${this.services.maxPreparedStatements})`);
    }
    const statements = this.callBackendSync(() => session.parse(message.sql)).filter((s) => !s.empty);
    if (statements.length > 1) throw sqlError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    let entry: StatementEntry;
    const statement = statements[0];
    if (statement === undefined) {
      entry = { parsed: null, prepared: { sql: message.sql, paramTypes: message.paramTypes, fields: null } };
    } else {
      try {
        entry = { parsed: statement, prepared: await this.callBackend(session.prepare(statement, message.paramTypes)) };
      } catch (e) {
        shiftPosition(e, statement.offset);
        throw e;
      }
    }
    this.statements.set(name, entry);
    this.transport.send({ type: 'parseComplete' });
  }

  private async bind(session: BackendSession, message: Bind): Promise<void> {
    const entry = this.statements.get(message.statement);
    if (!entry) throw missingStatement(message.statement);
    if (message.portal === '') await this.closePortal('');
    else if (this.portals.has(message.portal) || session.describeCursor?.(message.portal) !== undefined) {
      // A cursor opened with DECLARE holds the name too.
      throw sqlError(SqlState.duplicateCursor, `cursor "${message.portal}" already exists`);
    }
    else if (this.portals.size >= this.services.maxPortals) {
      throw sqlError(SqlState.programLimitExceeded, `too many open portals (limit ${this.services.maxPortals})`);
    }
    const types = entry.prepared.paramTypes;
    const count = message.params.length;
    if (message.paramFormats.length > 1 && message.paramFormats.length !== count) {
      throw sqlError(SqlState.protocolViolation, `bind message has ${message.paramFormats.length} parameter formats but ${count} parameters`);
    }
    if (count !== types.length) {
      throw sqlError(
        SqlState.protocolViolation,
        `bind message supplies ${count} parameters, but prepared statement "${message.statement}" requires ${types.length}`,
      );
    }
    const paramFormats = expandFormats(message.paramFormats, count)!;
    const ctx = this.codecContext();
    const params = message.params.map((value, i) => decodeParameter(value, types[i] ?? 0, paramFormats[i]!, i, ctx));
    const columns = entry.prepared.fields?.length ?? 0;
    const resultFormats = expandFormats(message.resultFormats, columns);
    if (resultFormats === null) {
      throw sqlError(SqlState.protocolViolation, `bind message has ${message.resultFormats.length} result formats but query has ${columns} columns`);
    }
    this.portals.set(message.portal, { statement: entry, params, resultFormats, execution: null, rowsSent: 0, completedTag: null });
    // Which formats clients really use (text or binary per parameter and column), at debug level.
    this.services.logger.debug({ pid: this.pid, statement: message.statement, paramFormats, resultFormats }, 'bind');
    this.transport.send({ type: 'bindComplete' });
  }

  private describe(session: BackendSession, message: Describe): void {
    if (message.target === 'S') {
      const entry = this.statements.get(message.name);
      if (!entry) throw missingStatement(message.name);
      this.transport.send({ type: 'parameterDescription', typeOids: entry.prepared.paramTypes });
      const fields = entry.prepared.fields;
      this.transport.send(fields ? { type: 'rowDescription', fields: describeFields(fields, null) } : { type: 'noData' });
      return;
    }
    const portal = this.portals.get(message.name);
    if (!portal) {
      // A cursor opened with DECLARE is a portal too (psycopg describes its named cursors so).
      const cursor = message.name === '' ? undefined : session.describeCursor?.(message.name);
      if (cursor === undefined) throw missingPortal(message.name);
      this.transport.send(cursor ? { type: 'rowDescription', fields: describeFields(cursor, null) } : { type: 'noData' });
      return;
    }
    const execution = portal.execution;
    const fields = execution?.kind === 'rows' ? execution.fields : portal.statement.prepared.fields;
    this.transport.send(fields ? { type: 'rowDescription', fields: describeFields(fields, portal.resultFormats) } : { type: 'noData' });
  }

  private async execute(session: BackendSession, message: Execute): Promise<void> {
    const portal = this.portals.get(message.portal);
    if (!portal) throw missingPortal(message.portal);
    const startedAt = performance.now();
    if (portal.statement.parsed === null) {
      this.transport.send({ type: 'emptyQueryResponse' });
      return;
    }
    if (portal.completedTag !== null) {
      // Run to completion already: a SELECT fetches nothing more, a command does not run again.
      this.transport.send({ type: 'commandComplete', tag: portal.execution?.kind === 'rows' ? 'SELECT 0' : portal.completedTag });
      return;
    }
    try {
      portal.execution ??= await this.callBackend(session.execute(portal.statement.prepared, portal.params));
      const outcome = await this.runExecution(portal.execution, portal.resultFormats, message.maxRows, portal.rowsSent);
      if (outcome.tag === null) {
        portal.rowsSent += outcome.rowsSent;
        this.transport.send({ type: 'portalSuspended' });
        return;
      }
      portal.completedTag = outcome.tag;
      this.transport.send({ type: 'commandComplete', tag: outcome.tag });
      this.statementCompleted('extended', outcome.tag, startedAt);
    } catch (e) {
      shiftPosition(e, portal.statement.parsed.offset);
      await this.closePortal(message.portal);
      throw e;
    }
  }

  private async sync(session: BackendSession): Promise<void> {
    try {
      await this.callBackend(session.sync());
    } catch (e) {
      this.reportError(e);
    }
    // Portals live as long as their transaction.
    if (session.transactionStatus === 'I') for (const name of [...this.portals.keys()]) await this.closePortal(name);
    await this.readyForQuery();
  }

  private async closePortal(name: string): Promise<void> {
    const portal = this.portals.get(name);
    if (!portal) return;
    this.portals.delete(name);
    if (portal.execution?.kind === 'rows' && portal.completedTag === null) {
      try {
        await portal.execution.close();
      } catch (e) {
        this.services.logger.warn({ err: e, pid: this.pid }, 'closing a result stream failed');
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Results and COPY

  /**
   * Sends an execution's results. `tag` is null when a row limit stopped it (PortalSuspended).
   * `rowsBefore` counts rows sent by earlier Executes of the same portal.
   */
  private async runExecution(
    execution: Execution,
    formats: readonly FormatCode[],
    maxRows: number,
    rowsBefore: number,
  ): Promise<{ tag: string | null; rowsSent: number }> {
    switch (execution.kind) {
      case 'command':
        return { tag: execution.tag, rowsSent: 0 };
      case 'copyIn':
        return { tag: await this.copyIn(execution), rowsSent: 0 };
      case 'copyOut':
        return { tag: await this.copyOut(execution), rowsSent: 0 };
      case 'rows': {
        const { sent, done } = await this.sendRows(execution, formats, maxRows);
        if (!done) return { tag: null, rowsSent: sent };
        const tag = execution.tag();
        // A portal read in several Executes reports the rows of the last one, as PostgreSQL does.
        const verb = /^(SELECT|FETCH) \d+$/.exec(tag)?.[1];
        return { tag: rowsBefore > 0 && verb ? `${verb} ${sent}` : tag, rowsSent: sent };
      }
    }
  }

  private async sendRows(stream: RowStream, formats: readonly FormatCode[], maxRows: number): Promise<{ sent: number; done: boolean }> {
    const ctx = this.codecContext();
    const fields = stream.fields;
    let sent = 0;
    for (;;) {
      const want = maxRows > 0 ? Math.min(ROWS_PER_BACKEND_FETCH, maxRows - sent) : ROWS_PER_BACKEND_FETCH;
      if (want === 0) return { sent, done: false };
      const batch = await this.callBackend(stream.next(want));
      for (const row of batch.rows) {
        const values = new Array<string | Uint8Array | null>(row.length);
        for (let i = 0; i < row.length; i++) {
          const value = row[i]!;
          const oid = fields[i]?.typeOid ?? Oid.text;
          values[i] = value === null ? null : formats[i] === 1 ? encodeBinary(oid, value) : formatText(oid, value, ctx);
        }
        this.transport.send({ type: 'dataRow', values });
      }
      sent += batch.rows.length;
      if (this.transport.pendingOutputBytes > OUTPUT_FLUSH_BYTES) await this.transport.flush();
      if (batch.done) return { sent, done: true };
    }
  }

  private async copyIn(copy: CopyIn): Promise<string> {
    this.transport.send({ type: 'copyInResponse', format: copy.format === 'binary' ? 1 : 0, columnFormats: copy.columnFormats });
    await this.transport.flush();
    for (;;) {
      let message: FrontendMessage | null;
      try {
        message = await this.transport.next();
      } catch (e) {
        await copy.fail('protocol violation');
        throw e;
      }
      if (message === null) {
        await copy.fail('client disconnected');
        throw new ClientGone();
      }
      switch (message.type) {
        case 'copyData':
          await this.callBackend(copy.write(message.data));
          break;
        case 'copyDone':
          return this.callBackend(copy.finish());
        case 'copyFail':
          await copy.fail(message.message);
          throw sqlError(SqlState.queryCanceled, `COPY from stdin failed: ${message.message}`);
        case 'undecodable':
          await copy.fail(message.error.message);
          throw message.error;
        case 'flush':
        case 'sync':
          // Ignored during COPY IN, as in PostgreSQL (drivers may send them right after the command).
          break;
        default:
          await copy.fail('unexpected message');
          throw sqlError(SqlState.protocolViolation, `unexpected message type ${message.type} during COPY from stdin`);
      }
    }
  }

  private async copyOut(copy: CopyOut): Promise<string> {
    this.transport.send({ type: 'copyOutResponse', format: copy.format === 'binary' ? 1 : 0, columnFormats: copy.columnFormats });
    for (;;) {
      const data = await this.callBackend(copy.next());
      if (data === null) break;
      this.transport.send({ type: 'copyData', data });
      if (this.transport.pendingOutputBytes > OUTPUT_FLUSH_BYTES) await this.transport.flush();
    }
    this.transport.send({ type: 'copyDone' });
    return copy.tag();
  }

  // -------------------------------------------------------------------------------------------
  // Idle, ReadyForQuery, errors

  private async readyForQuery(): Promise<void> {
    const session = this.backendSession;
    for (const [name, value] of [...this.changedParameters].sort(byParameterName)) {
      if (this.sentParameters.get(name) === value) continue;
      this.transport.send({ type: 'parameterStatus', name, value });
      this.sentParameters.set(name, value);
    }
    this.changedParameters.clear();
    this.transport.send({ type: 'readyForQuery', status: session?.transactionStatus ?? 'I' });
    await this.transport.flush();
    this.awaitingCommand = true;
  }

  /** The next message; after ReadyForQuery, with the idle timeout that applies (FATAL when it fires). */
  private async nextCommandMessage(session: BackendSession): Promise<FrontendMessage | null> {
    let timeoutMs = 0;
    let inTransaction = false;
    if (this.awaitingCommand) {
      this.awaitingCommand = false;
      inTransaction = session.transactionStatus !== 'I';
      timeoutMs = inTransaction
        ? shorterTimeout(this.services.idleInTransactionTimeoutMs, parseDurationMs(session.setting('idle_in_transaction_session_timeout')))
        : shorterTimeout(this.services.idleSessionTimeoutMs, parseDurationMs(session.setting('idle_session_timeout')));
    }
    this.idle = true;
    try {
      const next = this.transport.next();
      if (timeoutMs <= 0) return await next;
      next.catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), timeoutMs);
      });
      const first = await Promise.race([next, expired]);
      clearTimeout(timer);
      if (first === 'expired') {
        // Built only when it fires: a SqlError captures a stack, which is not free on every command.
        throw inTransaction
          ? new SqlError(SqlState.idleInTransactionSessionTimeout, 'terminating connection due to idle-in-transaction timeout', { severity: 'FATAL' })
          : new SqlError(SqlState.idleSessionTimeout, 'terminating connection due to idle-session timeout', { severity: 'FATAL' });
      }
      return first;
    } finally {
      this.idle = false;
    }
  }

  /** Sends an ErrorResponse; tells the backend when the failure is the wire's own finding. */
  private reportError(e: unknown): void {
    const fromBackend = typeof e === 'object' && e !== null && this.backendErrors.has(e);
    const error = e instanceof SqlError ? e : this.internalError(e);
    if ((!fromBackend || !(e instanceof SqlError)) && this.backendSession) this.backendSession.fail(error);
    this.sendError(error);
  }

  private sendError(error: SqlError): void {
    this.transport.send({ type: 'errorResponse', error });
    this.callHook(() => this.services.hooks.errorSent?.({ pid: this.pid, sqlState: error.code, severity: error.severity }));
    if (error.severity === 'FATAL' || error.severity === 'PANIC') this.terminated = true;
  }

  private internalError(e: unknown): SqlError {
    this.services.logger.error({ err: e, pid: this.pid }, 'internal error');
    return new SqlError(SqlState.internalError, e instanceof Error ? e.message : String(e));
  }

  private async callBackend<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (e) {
      if (typeof e === 'object' && e !== null) this.backendErrors.add(e);
      throw e;
    }
  }

  private callBackendSync<T>(work: () => T): T {
    try {
      return work();
    } catch (e) {
      if (typeof e === 'object' && e !== null) this.backendErrors.add(e);
      throw e;
    }
  }

  private codecContext(): CodecContext {
    const session = this.backendSession;
    if (!session) return DEFAULT_CODEC_CONTEXT;
    if (session.codecContext) return session.codecContext();
    const extraFloatDigits = Number(session.setting('extra_float_digits') ?? DEFAULT_CODEC_CONTEXT.extraFloatDigits);
    return {
      dateStyle: session.setting('DateStyle') ?? DEFAULT_CODEC_CONTEXT.dateStyle,
      timeZone: session.setting('TimeZone') ?? DEFAULT_CODEC_CONTEXT.timeZone,
      intervalStyle: session.setting('IntervalStyle') ?? DEFAULT_CODEC_CONTEXT.intervalStyle,
      extraFloatDigits: Number.isFinite(extraFloatDigits) ? extraFloatDigits : DEFAULT_CODEC_CONTEXT.extraFloatDigits,
      byteaOutput: session.setting('bytea_output') ?? DEFAULT_CODEC_CONTEXT.byteaOutput,
    };
  }

  private statementCompleted(protocol: 'simple' | 'extended', tag: string, startedAt: number): void {
    this.callHook(() => this.services.hooks.statementCompleted?.({ pid: this.pid, protocol, tag, durationMs: performance.now() - startedAt }));
  }

  private callHook(hook: () => void): void {
    try {
      hook();
    } catch (e) {
      this.services.logger.warn({ err: e }, 'a wire metrics hook threw');
    }
  }
}

/** PostgreSQL reports settings in the order of its settings table: by name, ignoring case. */
function byParameterName([a]: readonly [string, string], [b]: readonly [string, string]): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function missingStatement(name: string): SqlError {
  return sqlError(
    SqlState.invalidSqlStatementName,
    name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist`,
  );
}

function missingPortal(name: string): SqlError {
  return sqlError(SqlState.invalidCursorName, `portal "${name}" does not exist`);
}

function describeFields(fields: readonly FieldDescription[], formats: readonly FormatCode[] | null): RowDescriptionField[] {
  return fields.map((f, i) => ({
    name: f.name,
    tableOid: f.tableOid,
    columnNumber: f.columnNumber,
    typeOid: f.typeOid,
    typeSize: f.typeSize,
    typeModifier: f.typeModifier,
    format: formats?.[i] ?? 0,
  }));
}

function decodeParameter(value: string | Buffer | null, typeOid: number, format: FormatCode, index: number, ctx: CodecContext): SqlValue {
  if (value === null) return null;
  // A parameter the backend left untyped is passed as text.
  const oid = typeOid === 0 ? Oid.text : typeOid;
  if (format === 0) return parseText(oid, typeof value === 'string' ? value : value.toString('utf8'), -1, ctx);
  try {
    return decodeBinary(oid, typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
  } catch (e) {
    if (e instanceof SqlError && e.code === SqlState.invalidBinaryRepresentation) {
      throw new SqlError(SqlState.invalidBinaryRepresentation, `incorrect binary data format in bind parameter ${index + 1}`);
    }
    throw e;
  }
}
