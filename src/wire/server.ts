/**
 * The PostgreSQL wire server: listens, applies the connection limits, runs each connection's
 * handshake (startup.ts) and then its Session. The SQL engine comes in as a Backend.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { SqlError, SqlState } from '../errors.js';
import type { UserDirectory } from './auth.js';
import type { Backend } from './backend.js';
import { CancelKeyRegistry } from './cancel-keys.js';
import { AccessRules, type AccessRule, type AuthMethod } from './hba.js';
import { silentLogger, type WireHooks, type WireLogger } from './observability.js';
import { certificateEndPointHash, isMd5Verifier, parseScramVerifier } from './scram.js';
import { Session, type SessionServices } from './session.js';
import { negotiateStartup, type AcceptedStartup } from './startup.js';
import { SocketTransport, type TlsSetup } from './transport.js';

export interface WireLimits {
  /** Authenticated sessions at once; the next client gets FATAL 53300. */
  readonly maxConnections: number;
  /** Connections still in their handshake beyond which new sockets are dropped unanswered. */
  readonly maxStartingConnections: number;
  /** Largest frontend message body (CopyData, Bind, Query...); larger ones are FATAL 08P01. */
  readonly maxMessageBytes: number;
  /** Time allowed from connect to authenticated (PostgreSQL's authentication_timeout). */
  readonly authenticationTimeoutMs: number;
  /** Close sessions idle outside a transaction after this long (57P05); 0: never. */
  readonly idleSessionTimeoutMs: number;
  /** Close sessions idle inside a transaction after this long (25P03); 0: never. */
  readonly idleInTransactionTimeoutMs: number;
  readonly maxPreparedStatementsPerSession: number;
  readonly maxPortalsPerSession: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = {
  maxConnections: 100,
  maxStartingConnections: 64,
  maxMessageBytes: 64 * 1024 * 1024,
  authenticationTimeoutMs: 60_000,
  idleSessionTimeoutMs: 0,
  idleInTransactionTimeoutMs: 0,
  maxPreparedStatementsPerSession: 10_000,
  maxPortalsPerSession: 1_000,
};

export interface WireTlsOptions {
  /** PEM private key and certificate chain (server certificate first). */
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  readonly ca?: string | Buffer;
  /** Refuse clients that do not use TLS (28000, as a pg_hba without `host` lines would). */
  readonly required?: boolean;
}

export interface WireAuthOptions {
  /** Ordered pg_hba-style rules (see parseAccessRules); default: every client uses `method`. */
  readonly rules?: readonly AccessRule[];
  /** The method when no rules are given; default 'trust'. */
  readonly method?: AuthMethod;
  /**
   * Users and their stored verifiers: `SCRAM-SHA-256$...` (see makeScramVerifier) or `md5...`
   * (makeMd5Verifier). Plain-text passwords are refused at startup.
   */
  readonly users?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | UserDirectory;
}

export interface CancelForwardRequest {
  readonly nodeId: number;
  readonly pid: number;
  readonly secret: number;
}

export interface WireServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 5433; 0 picks a free port. */
  readonly port?: number;
  readonly backend: Backend;
  readonly tls?: WireTlsOptions;
  readonly auth?: WireAuthOptions;
  readonly limits?: Partial<WireLimits>;
  readonly logger?: WireLogger;
  /** PostgreSQL version reported to clients; default "16.4" (server_version_num 160004). */
  readonly serverVersion?: string;
  /** This node's id (0..1023), encoded in every pid so cancel requests can be routed. */
  readonly nodeId?: number;
  /** Receives cancel requests for sessions of other nodes (see cancel-keys.ts). */
  readonly forwardCancel?: (request: CancelForwardRequest) => void;
  readonly hooks?: WireHooks;
}

export interface WireServer {
  readonly host: string;
  readonly port: number;
  /** Authenticated sessions currently open. */
  connectionCount(): number;
  /** Stops listening, ends every session with FATAL 57P01 and waits for them to finish. */
  close(): Promise<void>;
}

export const DEFAULT_SERVER_VERSION = '16.4';

/** server_version_num for a server_version: "16.4" → 160004. */
export function serverVersionNum(version: string): number {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) throw new Error(`invalid server version "${version}"`);
  return Number(m[1]) * 10_000 + Number(m[2] ?? 0);
}

/** How long close() waits for sessions to end before dropping their sockets. */
const SHUTDOWN_GRACE_MS = 5_000;

function userDirectory(users: WireAuthOptions['users']): UserDirectory {
  if (users === undefined) return () => undefined;
  if (typeof users === 'function') return users;
  const entries = users instanceof Map ? [...users] : Object.entries(users as Readonly<Record<string, string>>);
  for (const [name, verifier] of entries) {
    if (!parseScramVerifier(verifier) && !isMd5Verifier(verifier)) {
      throw new Error(`user "${name}": the password must be stored as a SCRAM-SHA-256 or md5 verifier, not as plain text`);
    }
  }
  const map = new Map(entries);
  return (user) => map.get(user);
}

function tlsSetup(tls: WireTlsOptions | undefined): TlsSetup | null {
  if (!tls) return null;
  const secureContext = createSecureContext({ key: tls.key, cert: tls.cert, ...(tls.ca === undefined ? {} : { ca: tls.ca }) });
  const certificate = new X509Certificate(tls.cert);
  return { secureContext, channelBinding: certificateEndPointHash(certificate.raw) };
}

export async function startWireServer(options: WireServerOptions): Promise<WireServer> {
  const limits: WireLimits = { ...DEFAULT_WIRE_LIMITS, ...options.limits };
  const logger = options.logger ?? silentLogger;
  const hooks = options.hooks ?? {};
  const serverVersion = options.serverVersion ?? DEFAULT_SERVER_VERSION;
  serverVersionNum(serverVersion);
  const tls = tlsSetup(options.tls);
  const accessRules = new AccessRules(
    options.auth?.rules ?? [{ type: 'host', databases: 'all', users: 'all', address: 'all', method: options.auth?.method ?? 'trust' }],
  );
  const users = userDirectory(options.auth?.users);
  const mockSecret = randomBytes(32);
  const cancelKeys = new CancelKeyRegistry(options.nodeId ?? 0, options.forwardCancel);
  const services: SessionServices = {
    backend: options.backend,
    serverVersion,
    idleSessionTimeoutMs: limits.idleSessionTimeoutMs,
    idleInTransactionTimeoutMs: limits.idleInTransactionTimeoutMs,
    maxPreparedStatements: limits.maxPreparedStatementsPerSession,
    maxPortals: limits.maxPortalsPerSession,
    cancelKeys,
    logger,
    hooks,
  };

  let admitted = 0;
  let starting = 0;
  let closing = false;
  const sockets = new Set<Socket>();
  const sessions = new Set<Session>();
  const handshakes = new Set<SocketTransport>();
  const connections = new Set<Promise<void>>();

  const reportStartupError = (error: SqlError): void => {
    try {
      hooks.errorSent?.({ pid: 0, sqlState: error.code, severity: error.severity });
    } catch (e) {
      logger.warn({ err: e }, 'a wire metrics hook threw');
    }
  };

  async function serveConnection(socket: Socket): Promise<void> {
    const transport = new SocketTransport(socket, {
      maxMessageBytes: limits.maxMessageBytes,
      tls,
      onSocketError: (err) => logger.debug({ err, remoteAddress: socket.remoteAddress }, 'client socket error'),
    });
    let admittedHere = false;
    let accepted: AcceptedStartup | null = null;
    handshakes.add(transport);
    const authTimer = setTimeout(() => void transport.close(), limits.authenticationTimeoutMs);
    try {
      accepted = await negotiateStartup(transport, {
        accessRules,
        users,
        mockSecret,
        requireTls: options.tls?.required ?? false,
        admit: () => {
          if (admitted >= limits.maxConnections || closing) return false;
          admitted++;
          admittedHere = true;
          return true;
        },
        cancel: (pid, secret) => {
          const outcome = cancelKeys.cancel(pid, secret);
          logger.debug({ pid, outcome }, 'cancel request');
        },
      });
    } catch (e) {
      const error = e instanceof SqlError ? e : new SqlError(SqlState.internalError, 'internal error during connection startup', { severity: 'FATAL' });
      if (!(e instanceof SqlError)) logger.error({ err: e }, 'connection startup failed');
      else logger.info({ code: error.code, remoteAddress: socket.remoteAddress, message: error.message }, 'connection refused');
      transport.send({ type: 'errorResponse', error });
      reportStartupError(error);
    } finally {
      clearTimeout(authTimer);
      handshakes.delete(transport);
      starting--;
    }
    try {
      if (accepted && !transport.closed) {
        const session = new Session(transport, services, accepted);
        sessions.add(session);
        await session.run();
        sessions.delete(session);
      }
    } finally {
      await transport.close();
      if (admittedHere) admitted--;
    }
  }

  const server = createServer({ noDelay: true, keepAlive: true });
  server.on('connection', (socket: Socket) => {
    if (closing || starting >= limits.maxStartingConnections) {
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    starting++;
    sockets.add(socket);
    const done = serveConnection(socket)
      .catch((e: unknown) => logger.error({ err: e }, 'connection failed'))
      .finally(() => {
        sockets.delete(socket);
        connections.delete(done);
      });
    connections.add(done);
  });
  server.on('error', (err) => logger.error({ err }, 'wire server error'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5433, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port, tls: tls !== null }, 'wire server listening');

  return {
    host: address.address,
    port: address.port,
    connectionCount: () => admitted,
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const shutdown = new SqlError(SqlState.adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' });
      for (const session of sessions) session.terminate(shutdown);
      for (const transport of handshakes) void transport.close();
      const grace = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, SHUTDOWN_GRACE_MS);
      await Promise.allSettled([...connections]);
      clearTimeout(grace);
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
