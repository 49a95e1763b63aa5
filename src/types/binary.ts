/**
 * Reading and writing the binary (typsend/typreceive) forms. Every multi-byte value is big-endian,
 * as PostgreSQL's pq_sendint* write it. A reader that runs out of bytes, or a value with bytes left
 * over, is invalid binary input (22P03).
 */
import { SqlError, SqlState } from '../errors.js';

export function invalidBinary(message = 'incorrect binary data format'): SqlError {
  return new SqlError(SqlState.invalidBinaryRepresentation, message);
}

/** A cursor over one received binary value. */
export class BinaryReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  private need(n: number): number {
    if (n < 0 || this.offset + n > this.bytes.byteLength) throw invalidBinary('insufficient data left in message');
    const at = this.offset;
    this.offset += n;
    return at;
  }

  int8(): number {
    return this.view.getInt8(this.need(1));
  }
  uint8(): number {
    return this.view.getUint8(this.need(1));
  }
  int16(): number {
    return this.view.getInt16(this.need(2));
  }
  uint16(): number {
    return this.view.getUint16(this.need(2));
  }
  int32(): number {
    return this.view.getInt32(this.need(4));
  }
  uint32(): number {
    return this.view.getUint32(this.need(4));
  }
  int64(): bigint {
    return this.view.getBigInt64(this.need(8));
  }
  float32(): number {
    return this.view.getFloat32(this.need(4));
  }
  float64(): number {
    return this.view.getFloat64(this.need(8));
  }
  take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  rest(): Uint8Array {
    return this.take(this.remaining);
  }

  /** Every binary value must be consumed exactly. */
  end(): void {
    if (this.remaining !== 0) throw invalidBinary('incorrect binary data format');
  }
}

/** Accumulates a binary value. */
export class BinaryWriter {
  private buf: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialBytes = 64) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): number {
    if (this.length + n > this.buf.byteLength) {
      const next = new Uint8Array(Math.max(this.buf.byteLength * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  int8(v: number): this {
    const at = this.reserve(1);
    this.view.setInt8(at, v);
    return this;
  }
  uint8(v: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
    return this;
  }
  int16(v: number): this {
    const at = this.reserve(2);
    this.view.setInt16(at, v);
    return this;
  }
  uint16(v: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, v);
    return this;
  }
  int32(v: number): this {
    const at = this.reserve(4);
    this.view.setInt32(at, v);
    return this;
  }
  uint32(v: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, v);
    return this;
  }
  int64(v: bigint): this {
    const at = this.reserve(8);
    this.view.setBigInt64(at, v);
    return this;
  }
  float32(v: number): this {
    const at = this.reserve(4);
    this.view.setFloat32(at, v);
    return this;
  }
  float64(v: number): this {
    const at = this.reserve(8);
    this.view.setFloat64(at, v);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.reserve(b.byteLength);
    this.buf.set(b, at);
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/**
 * Decodes client bytes as UTF-8 the way PostgreSQL verifies them: invalid sequences and NUL bytes
 * raise 22021 with PostgreSQL's message.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    throw invalidUtf8(bytes, firstInvalidUtf8(bytes));
  }
  if (nul >= 0) throw invalidUtf8(bytes, nul);
  return text;
}

function invalidUtf8(bytes: Uint8Array, at: number): SqlError {
  // PostgreSQL shows the bytes of the bad sequence (up to the length its lead byte announces).
  const lead = bytes[at] ?? 0;
  // pg_utf_mblen: 0xf8..0xff and stray continuation bytes announce a length of 1.
  const len = (lead & 0xf8) === 0xf0 ? 4 : (lead & 0xf0) === 0xe0 ? 3 : (lead & 0xe0) === 0xc0 ? 2 : 1;
  const shown: string[] = [];
  for (let i = at; i < Math.min(bytes.length, at + len); i++) shown.push(`0x${bytes[i]!.toString(16).padStart(2, '0')}`);
  return new SqlError(SqlState.characterNotInRepertoire, `invalid byte sequence for encoding "UTF8": ${shown.join(' ')}`);
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || b === 0) return i;
    if (i + len > bytes.length) return i;
    try {
      utf8Decoder.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return 0;
}
