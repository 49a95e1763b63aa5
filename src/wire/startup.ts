/**
 * The start of a connection, up to an authenticated user: SSLRequest (TLS or 'N'), GSSENCRequest
 * ('N'), CancelRequest, StartupMessage (protocol version, parameters, `options` with -c), the
 * connection limit, the access rules and the authentication exchange.
 */
import { SqlError, SqlState } from '../errors.js';
import { authenticateClient, type AuthenticatedBy, type UserDirectory } from './auth.js';
import type { AccessRules } from './hba.js';
import type { StartupMessage } from './messages.js';
import type { MessageTransport } from './transport.js';

export const SUPPORTED_PROTOCOL_MAJOR = 3;
export const NEWEST_PROTOCOL_MINOR = 0;

export interface StartupPolicy {
  readonly accessRules: AccessRules;
  readonly users: UserDirectory;
  readonly mockSecret: Buffer;
  /** Refuse clients that do not use TLS. */
  readonly requireTls: boolean;
  /** Takes a connection slot; false when max connections is reached. */
  readonly admit: () => boolean;
  /** Handles a CancelRequest. */
  readonly cancel: (pid: number, secret: number) => void;
}

export interface AcceptedStartup {
  readonly user: string;
  readonly database: string;
  /** Startup parameters except user/database/replication, `options` expanded into name → value. */
  readonly parameters: ReadonlyMap<string, string>;
  readonly authenticatedBy: AuthenticatedBy;
}

function fatal(code: string, message: string, fields: { hint?: string; detail?: string } = {}): SqlError {
  return new SqlError(code, message, { ...fields, severity: 'FATAL' });
}

function unsupportedProtocol(major: number, minor: number): SqlError {
  return fatal(
    SqlState.featureNotSupported,
    `unsupported frontend protocol ${major}.${minor}: server supports ${SUPPORTED_PROTOCOL_MAJOR}.0 to ${SUPPORTED_PROTOCOL_MAJOR}.${NEWEST_PROTOCOL_MINOR}`,
  );
}

/**
 * Runs the handshake. Resolves the accepted startup, or null when the connection simply ends (a
 * cancel request, a client or health probe that leaves). Throws a FATAL SqlError to refuse.
 */
export async function negotiateStartup(transport: MessageTransport, policy: StartupPolicy): Promise<AcceptedStartup | null> {
  let encryptionNegotiated = false;
  let gssNegotiated = false;
  for (;;) {
    const message = await transport.next();
    if (message === null) return null;
    switch (message.type) {
      case 'sslRequest': {
        if (encryptionNegotiated) throw unsupportedProtocol(1234, 5679);
        encryptionNegotiated = true;
        const accept = transport.tlsAvailable;
        transport.send({ type: 'encryptionResponse', accept });
        await transport.flush();
        if (accept) {
          await transport.startTls();
          if (transport.closed) return null;
        }
        break;
      }
      case 'gssEncRequest':
        if (gssNegotiated) throw unsupportedProtocol(1234, 5680);
        gssNegotiated = true;
        transport.send({ type: 'encryptionResponse', accept: false });
        await transport.flush();
        break;
      case 'cancelRequest':
        policy.cancel(message.pid, message.secret);
        return null;
      case 'startup':
        return acceptStartup(transport, policy, message);
      default:
        throw fatal(SqlState.protocolViolation, `unexpected message type ${message.type} before startup`);
    }
  }
}

async function acceptStartup(transport: MessageTransport, policy: StartupPolicy, message: StartupMessage): Promise<AcceptedStartup | null> {
  if (message.protocolMajor !== SUPPORTED_PROTOCOL_MAJOR) throw unsupportedProtocol(message.protocolMajor, message.protocolMinor);

  const parameters = new Map<string, string>();
  const unrecognizedOptions: string[] = [];
  for (const [name, value] of message.parameters) {
    if (name.startsWith('_pq_.')) unrecognizedOptions.push(name);
    else if (name === 'options') for (const [k, v] of parseCommandLineOptions(value)) parameters.set(k, v);
    else parameters.set(name, value);
  }
  if (message.protocolMinor > NEWEST_PROTOCOL_MINOR || unrecognizedOptions.length > 0) {
    transport.send({ type: 'negotiateProtocolVersion', newestMinor: NEWEST_PROTOCOL_MINOR, unrecognizedOptions });
  }

  const user = parameters.get('user') ?? '';
  if (user === '') throw fatal(SqlState.invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet');
  const database = parameters.get('database') || user;
  const replication = parameters.get('replication');
  if (replication !== undefined && !['false', 'off', 'no', '0'].includes(replication.toLowerCase())) {
    throw fatal(SqlState.featureNotSupported, 'replication connections are not supported');
  }
  parameters.delete('user');
  parameters.delete('database');
  parameters.delete('replication');

  if (!policy.admit()) throw fatal(SqlState.tooManyConnections, 'sorry, too many clients already');

  const identity = { remoteAddress: transport.remoteAddress, ssl: transport.tls !== null, user, database };
  if (policy.requireTls && !identity.ssl) {
    throw fatal(
      SqlState.invalidAuthorizationSpecification,
      `no pg_hba.conf entry for host "${identity.remoteAddress ?? 'local'}", user "${user}", database "${database}", no encryption`,
    );
  }
  const method = policy.accessRules.methodFor(identity);
  const authenticatedBy = await authenticateClient({ transport, user, method, users: policy.users, mockSecret: policy.mockSecret });
  return authenticatedBy === null ? null : { user, database, parameters, authenticatedBy };
}

/**
 * The `options` startup parameter, read as PostgreSQL reads a backend command line: words split on
 * whitespace with backslash escapes, then `-c name=value`, `-cname=value` or `--name=value`
 * (dashes in the name become underscores).
 */
export function parseCommandLineOptions(options: string): Array<[string, string]> {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const c = options[i]!;
    if (c === '\\' && i + 1 < options.length) {
      word += options[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);

  const settings: Array<[string, string]> = [];
  const setting = (text: string, original: string): void => {
    const eq = text.indexOf('=');
    if (eq <= 0) {
      throw fatal(SqlState.syntaxError, `invalid command-line argument for server process: ${original}`, {
        hint: 'Try "postgres --help" for more information.',
      });
    }
    settings.push([text.slice(0, eq).replaceAll('-', '_'), text.slice(eq + 1)]);
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-c') {
      const next = words[++i];
      if (next === undefined) throw fatal(SqlState.syntaxError, 'invalid command-line argument for server process: -c');
      setting(next, next);
    } else if (w.startsWith('-c')) {
      setting(w.slice(2), w);
    } else if (w.startsWith('--')) {
      setting(w.slice(2), w);
    } else {
      throw fatal(SqlState.syntaxError, `invalid command-line argument for server process: ${w}`, {
        hint: 'Try "postgres --help" for more information.',
      });
    }
  }
  return settings;
}
