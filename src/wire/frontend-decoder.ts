/**
 * Frontend message decoder: bytes from the socket in, FrontendMessage objects out. Incremental (a
 * message may arrive split over any number of chunks, and one chunk may hold many messages), with a
 * size limit checked on the length word before any byte of the body is buffered.
 *
 * Errors: a framing or layout violation is FATAL 08P01 and poisons the decoder (the connection must
 * close: nothing after it can be trusted). Invalid UTF-8 in a string is ERROR 22021 for that one
 * message only: it comes back as an UndecodableMessage and decoding continues with the next one.
 */
import { SqlError, SqlState } from '../errors.js';
import type { FormatCode, FrontendMessage, StartupMessage, UndecodableMessage } from './messages.js';

/** Request codes of the untyped startup packets (the int32 after the length). */
export const StartupCode = {
  protocol3: 3 << 16,
  cancelRequest: 80877102,
  sslRequest: 80877103,
  gssEncRequest: 80877104,
} as const;

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET_BYTES = 10_000;

export interface FrontendDecoderLimits {
  /** Largest body (length word minus 4) of a typed message. */
  readonly maxMessageBytes: number;
}

const EMPTY = Buffer.alloc(0);
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function protocolViolation(message: string): SqlError {
  return new SqlError(SqlState.protocolViolation, message, { severity: 'FATAL' });
}

export class FrontendDecoder {
  /** The buffer being read and the read offset in it. */
  private head: Buffer = EMPTY;
  private headOffset = 0;
  /** Chunks received after `head`, merged only once a whole message is available. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private phase: 'startup' | 'regular' | 'poisoned' = 'startup';

  constructor(private readonly limits: FrontendDecoderLimits) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0 || this.phase === 'poisoned') return;
    if (this.headOffset === this.head.length && this.pendingBytes === 0) {
      this.head = chunk;
      this.headOffset = 0;
    } else {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
  }

  /** Bytes received but not yet returned as messages. */
  get bufferedBytes(): number {
    return this.head.length - this.headOffset + this.pendingBytes;
  }

  /** True while the connection is still in its untyped startup packets. */
  get inStartupPhase(): boolean {
    return this.phase === 'startup';
  }

  /**
   * The next complete message, or null when more bytes are needed. Throws a FATAL SqlError (and the
   * decoder is poisoned) for a protocol violation; a message with invalid UTF-8 comes back as an
   * UndecodableMessage.
   */
  next(): FrontendMessage | null {
    if (this.phase === 'poisoned') throw protocolViolation('connection is in an unusable state after a protocol violation');
    try {
      return this.phase === 'startup' ? this.nextStartupPacket() : this.nextTypedMessage();
    } catch (e) {
      if (e instanceof SqlError && e.severity === 'FATAL') this.phase = 'poisoned';
      throw e;
    }
  }

  /** Makes `n` bytes contiguous in `head` from `headOffset`; false if fewer are buffered. */
  private ensure(n: number): boolean {
    if (this.head.length - this.headOffset >= n) return true;
    if (this.bufferedBytes < n) return false;
    this.head = Buffer.concat([this.head.subarray(this.headOffset), ...this.pending]);
    this.headOffset = 0;
    this.pending = [];
    this.pendingBytes = 0;
    return true;
  }

  private nextStartupPacket(): FrontendMessage | null {
    if (!this.ensure(4)) return null;
    const length = this.head.readInt32BE(this.headOffset);
    if (length < 8 || length > MAX_STARTUP_PACKET_BYTES) throw protocolViolation('invalid length of startup packet');
    if (!this.ensure(length)) return null;
    const start = this.headOffset;
    this.headOffset += length;
    const body = new PayloadReader(this.head, start + 4, start + length);
    try {
      return this.readStartupPacket(body);
    } catch (e) {
      // Nothing can be skipped before the session exists: every startup problem ends the connection.
      if (e instanceof SqlError && e.severity !== 'FATAL') throw new SqlError(e.code, e.message, { severity: 'FATAL' });
      throw e;
    }
  }

  private readStartupPacket(body: PayloadReader): FrontendMessage {
    const code = body.int32();
    switch (code) {
      case StartupCode.sslRequest:
        body.end();
        return { type: 'sslRequest' };
      case StartupCode.gssEncRequest:
        body.end();
        return { type: 'gssEncRequest' };
      case StartupCode.cancelRequest: {
        const pid = body.int32();
        const secret = body.int32();
        body.end();
        return { type: 'cancelRequest', pid, secret };
      }
      default:
        this.phase = 'regular';
        return readStartupMessage(code, body);
    }
  }

  private nextTypedMessage(): FrontendMessage | null {
    if (!this.ensure(5)) return null;
    const typeByte = this.head[this.headOffset]!;
    const length = this.head.readInt32BE(this.headOffset + 1);
    if (length < 4 || length - 4 > this.limits.maxMessageBytes) throw protocolViolation('invalid message length');
    if (!this.ensure(1 + length)) return null;
    const start = this.headOffset + 5;
    const end = this.headOffset + 1 + length;
    // Consumed before the body is read, so a message with bad text is skipped as a whole.
    this.headOffset = end;
    try {
      return readTypedMessage(typeByte, new PayloadReader(this.head, start, end));
    } catch (e) {
      const within = UNDECODABLE_WITHIN[String.fromCharCode(typeByte)];
      if (e instanceof SqlError && e.severity !== 'FATAL' && within) return { type: 'undecodable', within, error: e };
      throw e;
    }
  }
}

const UNDECODABLE_WITHIN: Partial<Record<string, UndecodableMessage['within']>> = {
  Q: 'query',
  P: 'parse',
  B: 'bind',
  D: 'describe',
  E: 'execute',
  C: 'close',
  f: 'copyFail',
};

function readStartupMessage(code: number, body: PayloadReader): StartupMessage {
  const protocolMajor = code >>> 16;
  const protocolMinor = code & 0xffff;
  const parameters: Array<readonly [string, string]> = [];
  if (protocolMajor === 3) {
    for (;;) {
      if (body.remaining === 0) throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
      const name = body.cstring();
      if (name === '') break;
      parameters.push([name, body.cstring()]);
    }
    body.end();
  }
  return { type: 'startup', protocolMajor, protocolMinor, parameters };
}

function readTypedMessage(typeByte: number, body: PayloadReader): FrontendMessage {
  switch (String.fromCharCode(typeByte)) {
    case 'Q': {
      const sql = body.cstring();
      body.end();
      return { type: 'query', sql };
    }
    case 'P': {
      const statement = body.cstring();
      const sql = body.cstring();
      const count = body.uint16();
      const paramTypes: number[] = [];
      for (let i = 0; i < count; i++) paramTypes.push(body.uint32());
      body.end();
      return { type: 'parse', statement, sql, paramTypes };
    }
    case 'B': {
      const portal = body.cstring();
      const statement = body.cstring();
      const paramFormats = body.formatCodes();
      const paramCount = body.uint16();
      const params: Array<string | Buffer | null> = [];
      for (let i = 0; i < paramCount; i++) {
        const length = body.int32();
        if (length < -1) throw protocolViolation('invalid message format');
        params.push(length === -1 ? null : body.bytes(length));
      }
      const resultFormats = body.formatCodes();
      body.end();
      // Text-format values become strings here, so that bad UTF-8 fails like any bad text (22021).
      // With an inconsistent number of format codes they stay bytes and the session reports 08P01.
      if (paramFormats.length <= 1 || paramFormats.length === paramCount) {
        for (let i = 0; i < paramCount; i++) {
          const value = params[i];
          const format = paramFormats.length === 0 ? 0 : paramFormats.length === 1 ? paramFormats[0] : paramFormats[i];
          if (format === 0 && value instanceof Buffer) params[i] = decodeUtf8(value);
        }
      }
      return { type: 'bind', portal, statement, paramFormats, params, resultFormats };
    }
    case 'D':
    case 'C': {
      const target = String.fromCharCode(body.byte());
      if (target !== 'S' && target !== 'P') {
        const what = typeByte === 0x44 ? 'DESCRIBE' : 'CLOSE';
        throw protocolViolation(`invalid ${what} message subtype ${target.charCodeAt(0)}`);
      }
      const name = body.cstring();
      body.end();
      return { type: typeByte === 0x44 ? 'describe' : 'close', target, name };
    }
    case 'E': {
      const portal = body.cstring();
      const maxRows = body.int32();
      body.end();
      return { type: 'execute', portal, maxRows: Math.max(0, maxRows) };
    }
    case 'S':
      body.end();
      return { type: 'sync' };
    case 'H':
      body.end();
      return { type: 'flush' };
    case 'X':
      body.end();
      return { type: 'terminate' };
    case 'd':
      return { type: 'copyData', data: body.bytes(body.remaining) };
    case 'c':
      body.end();
      return { type: 'copyDone' };
    case 'f': {
      const message = body.cstring();
      body.end();
      return { type: 'copyFail', message };
    }
    case 'p':
      return { type: 'authenticationResponse', payload: body.bytes(body.remaining) };
    case 'F':
      return { type: 'functionCall' };
    default:
      throw protocolViolation(`invalid frontend message type ${typeByte}`);
  }
}

/** Reads fields of one message body, never past `end`. */
class PayloadReader {
  constructor(
    private readonly buf: Buffer,
    private offset: number,
    private readonly end_: number,
  ) {}

  get remaining(): number {
    return this.end_ - this.offset;
  }

  private need(n: number): void {
    if (this.remaining < n) throw protocolViolation('insufficient data left in message');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  /** Counts are unsigned 16-bit, as PostgreSQL reads them. */
  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  cstring(): string {
    const nul = this.buf.indexOf(0, this.offset);
    if (nul < 0 || nul >= this.end_) throw protocolViolation('invalid string in message');
    const bytes = this.buf.subarray(this.offset, nul);
    this.offset = nul + 1;
    return decodeUtf8(bytes);
  }

  formatCodes(): FormatCode[] {
    const count = this.uint16();
    const codes: FormatCode[] = [];
    for (let i = 0; i < count; i++) {
      this.need(2);
      const code = this.buf.readInt16BE(this.offset);
      this.offset += 2;
      if (code !== 0 && code !== 1) throw protocolViolation(`unsupported format code: ${code}`);
      codes.push(code);
    }
    return codes;
  }

  end(): void {
    if (this.remaining !== 0) throw protocolViolation('invalid message format');
  }
}

/** Decodes UTF-8 strictly; an invalid sequence is PostgreSQL's 22021 with the offending bytes. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new SqlError(SqlState.characterNotInRepertoire, `invalid byte sequence for encoding "UTF8": ${describeInvalidUtf8(bytes)}`);
  }
}

/** The first invalid sequence as PostgreSQL prints it ("0xe2 0x28"). */
function describeInvalidUtf8(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const size = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = size > 0 && i + size <= bytes.length;
    for (let k = 1; ok && k < size; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok && size === 3) {
      const c = ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6);
      ok = c >= 0x800 && (c < 0xd800 || c > 0xdfff);
    }
    if (ok && size === 4) {
      const c = ((b & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12);
      ok = c >= 0x10000 && c <= 0x10ffff;
    }
    if (!ok) {
      const shown = Array.from(bytes.subarray(i, i + Math.max(1, Math.min(size, bytes.length - i))));
      return shown.map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(' ');
    }
    i += size;
  }
  return '0x00';
}

// ---------------------------------------------------------------------------------------------
// Readers for the payload of 'p', whose meaning depends on the authentication step.

/** PasswordMessage: the password (cleartext or "md5..."), NUL-terminated. */
export function readPasswordMessage(payload: Buffer): string {
  const body = new PayloadReader(payload, 0, payload.length);
  const password = body.cstring();
  body.end();
  return password;
}

/** SASLInitialResponse: mechanism name and the client-first-message (null when absent). */
export function readSaslInitialResponse(payload: Buffer): { mechanism: string; data: Buffer | null } {
  const body = new PayloadReader(payload, 0, payload.length);
  const mechanism = body.cstring();
  const length = body.int32();
  if (length < -1) throw protocolViolation('invalid message format');
  const data = length === -1 ? null : body.bytes(length);
  body.end();
  return { mechanism, data };
}
