/**
 * What the wire layer reports: a pino-compatible logger and metric callbacks. The wire only calls
 * them; the server wires them to pino and prom-client.
 */

type LogFn = (fields: object, message?: string) => void;

/** The subset of pino's Logger the wire uses (a pino logger fits as is). */
export interface WireLogger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}

export const silentLogger: WireLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export interface ConnectionOpenedEvent {
  readonly pid: number;
  readonly user: string;
  readonly database: string;
  readonly ssl: boolean;
  readonly remoteAddress: string | undefined;
  readonly applicationName: string | undefined;
  /** 'trust', 'password', 'md5', 'SCRAM-SHA-256' or 'SCRAM-SHA-256-PLUS'. */
  readonly authenticatedBy: string;
}

export interface ConnectionClosedEvent {
  readonly pid: number;
  readonly durationMs: number;
}

export interface StatementCompletedEvent {
  readonly pid: number;
  readonly protocol: 'simple' | 'extended';
  /** The CommandComplete tag ("SELECT 3", "INSERT 0 1", "COPY 100"...). */
  readonly tag: string;
  /** From receiving the statement (Query, or Execute) to its CommandComplete. */
  readonly durationMs: number;
}

export interface ErrorSentEvent {
  /** 0 before a session exists (startup and authentication failures). */
  readonly pid: number;
  readonly sqlState: string;
  readonly severity: string;
}

/** Metric hooks; every one is optional and must not throw (a throw is logged and ignored). */
export interface WireHooks {
  connectionOpened?(event: ConnectionOpenedEvent): void;
  connectionClosed?(event: ConnectionClosedEvent): void;
  statementCompleted?(event: StatementCompletedEvent): void;
  errorSent?(event: ErrorSentEvent): void;
}
