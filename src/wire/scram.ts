/**
 * Password verifiers and the server side of SCRAM-SHA-256 (RFC 5802 / RFC 7677) with the
 * `tls-server-end-point` channel binding (RFC 5929), as PostgreSQL implements them. Pure functions
 * and one small state object: no I/O here (auth.ts does the message exchange).
 *
 * Stored password formats (never the plain text), exactly as in pg_authid.rolpassword:
 *   SCRAM-SHA-256$<iterations>:<salt base64>$<StoredKey base64>:<ServerKey base64>
 *   md5<md5hex(password || username)>
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SqlError, SqlState } from '../errors.js';

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
export const SCRAM_SHA_256_PLUS = 'SCRAM-SHA-256-PLUS';
/** PostgreSQL's default scram_iterations. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;
const SCRAM_SALT_BYTES = 16;
const SCRAM_NONCE_BYTES = 18;
const SCRAM_KEY_BYTES = 32;

export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function deriveKeys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, SCRAM_KEY_BYTES, 'sha256');
  return { storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/**
 * A SCRAM-SHA-256 verifier for `password`, in PostgreSQL's rolpassword format. For configuration
 * tooling: the server only ever stores and reads the result.
 */
export function makeScramVerifier(password: string, iterations: number = DEFAULT_SCRAM_ITERATIONS, salt?: Buffer): string {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('SCRAM iterations must be a positive integer');
  const s = salt ?? randomBytes(SCRAM_SALT_BYTES);
  const { storedKey, serverKey } = deriveKeys(password, s, iterations);
  return `${SCRAM_SHA_256}$${iterations}:${s.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Parses a rolpassword-style SCRAM verifier; null when `text` is not one. */
export function parseScramVerifier(text: string): ScramVerifier | null {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) return null;
  const iterations = Number(m[1]);
  const salt = Buffer.from(m[2]!, 'base64');
  const storedKey = Buffer.from(m[3]!, 'base64');
  const serverKey = Buffer.from(m[4]!, 'base64');
  if (iterations < 1 || salt.length === 0 || storedKey.length !== SCRAM_KEY_BYTES || serverKey.length !== SCRAM_KEY_BYTES) return null;
  return { iterations, salt, storedKey, serverKey };
}

/** PostgreSQL's md5 rolpassword: "md5" + md5hex(password || username). */
export function makeMd5Verifier(user: string, password: string): string {
  return `md5${createHash('md5').update(password + user, 'utf8').digest('hex')}`;
}

export function isMd5Verifier(text: string): boolean {
  return /^md5[0-9a-f]{32}$/.test(text);
}

/** Checks an AuthenticationMD5Password reply ("md5" + md5hex(md5hex(password||user) || salt)). */
export function checkMd5Response(verifier: string, salt: Buffer, response: string): boolean {
  if (!isMd5Verifier(verifier)) return false;
  const expected = `md5${createHash('md5').update(Buffer.concat([Buffer.from(verifier.slice(3), 'ascii'), salt])).digest('hex')}`;
  return safeEqual(Buffer.from(expected), Buffer.from(response));
}

/** Checks a cleartext password against a stored verifier of either kind. */
export function checkCleartextPassword(verifier: string, user: string, password: string): boolean {
  const scram = parseScramVerifier(verifier);
  if (scram) {
    const { storedKey, serverKey } = deriveKeys(password, scram.salt, scram.iterations);
    return safeEqual(storedKey, scram.storedKey) && safeEqual(serverKey, scram.serverKey);
  }
  if (isMd5Verifier(verifier)) return safeEqual(Buffer.from(makeMd5Verifier(user, password)), Buffer.from(verifier));
  return false;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * SASLprep (RFC 4013) as PostgreSQL applies it to passwords: ASCII passes unchanged; otherwise
 * non-ASCII spaces map to U+0020, "mapped to nothing" characters go, and the result is NFKC. (The
 * prohibited-output and bidi checks are not applied: PostgreSQL then uses the raw password, and so
 * do we, which only differs for passwords no client would normalize anyway.)
 */
export function saslPrep(password: string): string {
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  return password
    .replace(/[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
    .replace(/[\u00ad\u034f\u1806\u180b-\u180d\u200c\u200d\u2060\ufe00-\ufe0f\ufeff]/g, '')
    .normalize('NFKC');
}

// ---------------------------------------------------------------------------------------------
// Channel binding: tls-server-end-point = hash of the server certificate (DER), with the hash of its
// signature algorithm, SHA-256 when that is MD5 or SHA-1 (RFC 5929 §4.1).

const SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/**
 * The tls-server-end-point channel binding data for a DER certificate, or null when its signature
 * algorithm has no defined hash (then SCRAM-SHA-256-PLUS is not offered, as in PostgreSQL).
 */
export function certificateEndPointHash(certificateDer: Buffer): Buffer | null {
  const oid = signatureAlgorithmOid(certificateDer);
  const hash = oid === null ? undefined : SIGNATURE_HASHES[oid];
  return hash === undefined ? null : createHash(hash).update(certificateDer).digest();
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE { OID, ... }, signature }. */
function signatureAlgorithmOid(der: Buffer): string | null {
  const header = (offset: number): { tag: number; start: number; end: number } | null => {
    if (offset + 2 > der.length) return null;
    const tag = der[offset]!;
    let length = der[offset + 1]!;
    let start = offset + 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      if (n === 0 || n > 4 || start + n > der.length) return null;
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!;
      start += n;
    }
    return start + length <= der.length ? { tag, start, end: start + length } : null;
  };
  const certificate = header(0);
  if (!certificate || certificate.tag !== 0x30) return null;
  const tbs = header(certificate.start);
  if (!tbs || tbs.tag !== 0x30) return null;
  const algorithm = header(tbs.end);
  if (!algorithm || algorithm.tag !== 0x30) return null;
  const oid = header(algorithm.start);
  if (!oid || oid.tag !== 0x06 || oid.end === oid.start) return null;
  const first = der[oid.start]!;
  const arcs = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (let i = oid.start + 1; i < oid.end; i++) {
    value = value * 128 + (der[i]! & 0x7f);
    if (!(der[i]! & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

// ---------------------------------------------------------------------------------------------
// The server side of one SCRAM exchange.

function malformed(detail: string): SqlError {
  return new SqlError(SqlState.protocolViolation, 'malformed SCRAM message', { detail, severity: 'FATAL' });
}

export interface ScramExchangeOptions {
  /** The user's verifier, or null for an unknown user (the exchange then fails at the proof, as PostgreSQL's mock authentication does). */
  readonly verifier: ScramVerifier | null;
  /** For an unknown user: a salt that stays the same for that name, so probing reveals nothing. */
  readonly mockSalt: Buffer;
  /** tls-server-end-point data when the connection is TLS and the certificate allows it; else null. */
  readonly channelBinding: Buffer | null;
  /** The server's part of the nonce; random unless given (test vectors). */
  readonly serverNonce?: string;
}

/**
 * SCRAM-SHA-256[-PLUS] server exchange: `start` takes the SASLInitialResponse and returns
 * server-first-message; `finish` takes client-final-message and returns server-final-message, or
 * null when the proof is wrong (the caller reports 28P01).
 */
export class ScramServerExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';
  private usesChannelBinding = false;
  private chosen: typeof SCRAM_SHA_256 | typeof SCRAM_SHA_256_PLUS = SCRAM_SHA_256;
  private readonly verifier: ScramVerifier;
  private readonly knownUser: boolean;

  constructor(private readonly options: ScramExchangeOptions) {
    this.knownUser = options.verifier !== null;
    this.verifier = options.verifier ?? {
      iterations: DEFAULT_SCRAM_ITERATIONS,
      salt: options.mockSalt,
      storedKey: randomBytes(SCRAM_KEY_BYTES),
      serverKey: randomBytes(SCRAM_KEY_BYTES),
    };
  }

  /** The mechanisms to offer: -PLUS only when channel binding is possible (TLS). */
  static mechanisms(channelBinding: Buffer | null): string[] {
    return channelBinding ? [SCRAM_SHA_256_PLUS, SCRAM_SHA_256] : [SCRAM_SHA_256];
  }

  start(mechanism: string, clientFirst: string): string {
    if (mechanism !== SCRAM_SHA_256 && !(mechanism === SCRAM_SHA_256_PLUS && this.options.channelBinding)) {
      throw new SqlError(SqlState.protocolViolation, 'client selected an invalid SASL authentication mechanism', { severity: 'FATAL' });
    }
    // gs2-header: cbind-flag "," [authzid] ","
    const m = /^(n|y|p=[A-Za-z0-9.-]+),(a=[^,]*)?,(.*)$/s.exec(clientFirst);
    if (!m) throw malformed('Unexpected channel-binding flag or missing comma.');
    const flag = m[1]!;
    if (m[2]) throw malformed('client uses authorization identity, but it is not supported');
    if (mechanism === SCRAM_SHA_256_PLUS) {
      if (flag !== 'p=tls-server-end-point') {
        if (flag.startsWith('p=')) throw malformed(`unsupported SCRAM channel-binding type "${flag.slice(2)}"`);
        throw malformed('The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.');
      }
      this.usesChannelBinding = true;
    } else if (flag.startsWith('p=')) {
      throw malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.');
    } else if (flag === 'y' && this.options.channelBinding) {
      throw new SqlError(SqlState.protocolViolation, 'SCRAM channel binding negotiation error', {
        detail: 'The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.',
        severity: 'FATAL',
      });
    }
    this.chosen = mechanism;
    this.gs2Header = `${flag},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const bare = /^n=[^,]*,r=([\x21-\x2b\x2d-\x7e]+)(,.*)?$/s.exec(this.clientFirstBare);
    if (!bare) throw malformed('Could not parse the client-first-message.');
    if (bare[2]?.startsWith(',m=')) throw malformed('client requires an unsupported SCRAM extension');
    this.nonce = bare[1]! + (this.options.serverNonce ?? randomBytes(SCRAM_NONCE_BYTES).toString('base64'));
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** The mechanism the client chose in `start`. */
  get mechanism(): typeof SCRAM_SHA_256 | typeof SCRAM_SHA_256_PLUS {
    return this.chosen;
  }

  finish(clientFinal: string): string | null {
    const m = /^c=([A-Za-z0-9+/=]*),r=([^,]*)((?:,[a-z]=[^,]*)*?),p=([A-Za-z0-9+/=]+)$/s.exec(clientFinal);
    if (!m) throw malformed('Could not parse the client-final-message.');
    const expectedBinding = this.usesChannelBinding
      ? Buffer.concat([Buffer.from(this.gs2Header), this.options.channelBinding ?? Buffer.alloc(0)])
      : Buffer.from(this.gs2Header);
    if (!safeEqual(Buffer.from(m[1]!, 'base64'), expectedBinding)) {
      if (this.usesChannelBinding) {
        throw new SqlError(SqlState.protocolViolation, 'SCRAM channel binding check failed', { severity: 'FATAL' });
      }
      throw malformed('Unexpected SCRAM channel-binding attribute in client-final-message.');
    }
    if (m[2] !== this.nonce) throw malformed('Nonce does not match.');
    const proof = Buffer.from(m[4]!, 'base64');
    if (proof.length !== SCRAM_KEY_BYTES) throw malformed('Malformed proof in client-final-message.');
    const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(',p='));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.alloc(SCRAM_KEY_BYTES);
    for (let i = 0; i < SCRAM_KEY_BYTES; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!safeEqual(sha256(clientKey), this.verifier.storedKey) || !this.knownUser) return null;
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}
