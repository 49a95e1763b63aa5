/**
 * The authentication exchange after StartupMessage: trust, cleartext password, md5 and
 * SCRAM-SHA-256[-PLUS], with PostgreSQL's rules for which one runs given the stored verifier:
 * `md5` with a SCRAM verifier runs SCRAM; `scram-sha-256` with an md5 verifier fails; an unknown
 * user goes through the same exchange as a known one and fails at the end, so that probing reveals
 * nothing about which users exist.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { SqlError, SqlState } from '../errors.js';
import { readPasswordMessage, readSaslInitialResponse } from './frontend-decoder.js';
import type { AuthMethod } from './hba.js';
import type { FrontendMessage } from './messages.js';
import {
  checkCleartextPassword,
  checkMd5Response,
  isMd5Verifier,
  parseScramVerifier,
  ScramServerExchange,
} from './scram.js';
import type { MessageTransport } from './transport.js';

/** Where verifiers come from: a name → stored verifier lookup (SCRAM or md5 form, never plain text). */
export type UserDirectory = (user: string) => string | undefined;

export interface ClientAuthentication {
  readonly transport: MessageTransport;
  readonly user: string;
  readonly method: Exclude<AuthMethod, 'reject'>;
  readonly users: UserDirectory;
  /** Server-wide secret from which unknown users get stable fake salts. */
  readonly mockSecret: Buffer;
}

export function passwordFailed(user: string): SqlError {
  return new SqlError(SqlState.invalidPassword, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

/** FATAL versions of the non-fatal errors a payload reader may raise. */
function fatal(e: unknown): unknown {
  return e instanceof SqlError && e.severity !== 'FATAL' ? new SqlError(e.code, e.message, { severity: 'FATAL' }) : e;
}

/** How a client was authenticated: the method, or the SASL mechanism for SCRAM. */
export type AuthenticatedBy = 'trust' | 'password' | 'md5' | 'SCRAM-SHA-256' | 'SCRAM-SHA-256-PLUS';

/**
 * Runs the exchange. Resolves how the client was authenticated (the caller then sends
 * AuthenticationOk), or null when the client left midway (libpq does that to prompt for a
 * password); throws a FATAL SqlError when the client is refused.
 */
export async function authenticateClient(request: ClientAuthentication): Promise<AuthenticatedBy | null> {
  const verifier = request.users(request.user);
  switch (request.method) {
    case 'trust':
      return 'trust';
    case 'password':
      return cleartextExchange(request, verifier);
    case 'md5':
      if (verifier !== undefined && parseScramVerifier(verifier)) return scramExchange(request, verifier);
      return md5Exchange(request, verifier);
    case 'scram-sha-256':
      return scramExchange(request, verifier);
  }
}

async function readResponse(transport: MessageTransport, expected: 'password' | 'SASL'): Promise<Buffer | null> {
  const message: FrontendMessage | null = await transport.next();
  if (message === null) return null;
  if (message.type !== 'authenticationResponse') {
    throw new SqlError(SqlState.protocolViolation, `expected ${expected} response, got message type ${message.type}`, { severity: 'FATAL' });
  }
  return message.payload;
}

async function cleartextExchange(request: ClientAuthentication, verifier: string | undefined): Promise<AuthenticatedBy | null> {
  const { transport, user } = request;
  transport.send({ type: 'authenticationCleartextPassword' });
  await transport.flush();
  const payload = await readResponse(transport, 'password');
  if (payload === null) return null;
  let password: string;
  try {
    password = readPasswordMessage(payload);
  } catch (e) {
    throw fatal(e);
  }
  if (password === '' || verifier === undefined || !checkCleartextPassword(verifier, user, password)) throw passwordFailed(user);
  return 'password';
}

async function md5Exchange(request: ClientAuthentication, verifier: string | undefined): Promise<AuthenticatedBy | null> {
  const { transport, user } = request;
  const salt = randomBytes(4);
  transport.send({ type: 'authenticationMd5Password', salt });
  await transport.flush();
  const payload = await readResponse(transport, 'password');
  if (payload === null) return null;
  let response: string;
  try {
    response = readPasswordMessage(payload);
  } catch (e) {
    throw fatal(e);
  }
  if (verifier === undefined || !isMd5Verifier(verifier) || !checkMd5Response(verifier, salt, response)) throw passwordFailed(user);
  return 'md5';
}

async function scramExchange(request: ClientAuthentication, verifier: string | undefined): Promise<AuthenticatedBy | null> {
  const { transport, user } = request;
  const channelBinding = transport.tls?.channelBinding ?? null;
  const exchange = new ScramServerExchange({
    verifier: verifier === undefined ? null : parseScramVerifier(verifier),
    mockSalt: createHmac('sha256', request.mockSecret).update(user).digest().subarray(0, 16),
    channelBinding,
  });
  transport.send({ type: 'authenticationSasl', mechanisms: ScramServerExchange.mechanisms(channelBinding) });
  await transport.flush();

  const initial = await readResponse(transport, 'SASL');
  if (initial === null) return null;
  let serverFirst: string;
  try {
    const { mechanism, data } = readSaslInitialResponse(initial);
    if (data === null) {
      throw new SqlError(SqlState.protocolViolation, 'malformed SCRAM message', { detail: 'The message is empty.', severity: 'FATAL' });
    }
    serverFirst = exchange.start(mechanism, data.toString('utf8'));
  } catch (e) {
    throw fatal(e);
  }
  transport.send({ type: 'authenticationSaslContinue', data: serverFirst });
  await transport.flush();

  const final = await readResponse(transport, 'SASL');
  if (final === null) return null;
  const serverFinal = exchange.finish(final.toString('utf8'));
  if (serverFinal === null) throw passwordFailed(user);
  transport.send({ type: 'authenticationSaslFinal', data: serverFinal });
  return exchange.mechanism;
}
