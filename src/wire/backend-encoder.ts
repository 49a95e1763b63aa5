/**
 * Backend message encoder: BackendMessage objects in, bytes out. Messages accumulate in one growing
 * buffer so that a whole response (many DataRows, then ReadyForQuery) leaves in few socket writes.
 */
import type { SqlError } from '../errors.js';
import type { BackendMessage, RowDescriptionField } from './messages.js';

const INITIAL_BUFFER_BYTES = 16 * 1024;
const MAX_RETAINED_BUFFER_BYTES = 256 * 1024;

export class BackendMessageWriter {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
  private size = 0;
  private messageStart = -1;

  /** Bytes encoded and not yet taken. */
  get bufferedBytes(): number {
    return this.size;
  }

  /** Returns the encoded bytes and starts a fresh buffer. */
  take(): Buffer {
    // The filled buffer is handed over whole (no copy); the next response gets a fresh one.
    const out = this.buf.subarray(0, this.size);
    this.buf = Buffer.allocUnsafe(Math.min(this.buf.length, MAX_RETAINED_BUFFER_BYTES));
    this.size = 0;
    return out;
  }

  write(message: BackendMessage): void {
    switch (message.type) {
      case 'encryptionResponse':
        this.ensure(1);
        this.buf[this.size++] = message.accept ? 0x53 : 0x4e;
        return;
      case 'authenticationOk':
        return this.authentication(0);
      case 'authenticationCleartextPassword':
        return this.authentication(3);
      case 'authenticationMd5Password':
        this.begin('R');
        this.int32(5);
        this.bytes(message.salt);
        return this.finish();
      case 'authenticationSasl':
        this.begin('R');
        this.int32(10);
        for (const mechanism of message.mechanisms) this.cstring(mechanism);
        this.byte(0);
        return this.finish();
      case 'authenticationSaslContinue':
      case 'authenticationSaslFinal':
        this.begin('R');
        this.int32(message.type === 'authenticationSaslContinue' ? 11 : 12);
        this.text(message.data);
        return this.finish();
      case 'parameterStatus':
        this.begin('S');
        this.cstring(message.name);
        this.cstring(message.value);
        return this.finish();
      case 'backendKeyData':
        this.begin('K');
        this.int32(message.pid);
        this.int32(message.secret);
        return this.finish();
      case 'negotiateProtocolVersion':
        this.begin('v');
        this.int32(message.newestMinor);
        this.int32(message.unrecognizedOptions.length);
        for (const option of message.unrecognizedOptions) this.cstring(option);
        return this.finish();
      case 'readyForQuery':
        this.begin('Z');
        this.byte(message.status.charCodeAt(0));
        return this.finish();
      case 'rowDescription':
        return this.rowDescription(message.fields);
      case 'parameterDescription':
        this.begin('t');
        this.int16(message.typeOids.length);
        for (const oid of message.typeOids) this.uint32(oid);
        return this.finish();
      case 'dataRow':
        this.begin('D');
        this.int16(message.values.length);
        for (const value of message.values) {
          if (value === null) {
            this.int32(-1);
          } else if (typeof value === 'string') {
            const lengthAt = this.size;
            this.int32(0);
            const written = this.text(value);
            this.buf.writeInt32BE(written, lengthAt);
          } else {
            this.int32(value.byteLength);
            this.bytes(value);
          }
        }
        return this.finish();
      case 'commandComplete':
        this.begin('C');
        this.cstring(message.tag);
        return this.finish();
      case 'copyInResponse':
      case 'copyOutResponse':
        this.begin(message.type === 'copyInResponse' ? 'G' : 'H');
        this.byte(message.format);
        this.int16(message.columnFormats.length);
        for (const format of message.columnFormats) this.int16(format);
        return this.finish();
      case 'copyData':
        this.begin('d');
        this.bytes(message.data);
        return this.finish();
      case 'errorResponse':
      case 'noticeResponse':
        this.begin(message.type === 'errorResponse' ? 'E' : 'N');
        this.errorFields(message.error);
        return this.finish();
      case 'parseComplete':
        return this.empty('1');
      case 'bindComplete':
        return this.empty('2');
      case 'closeComplete':
        return this.empty('3');
      case 'noData':
        return this.empty('n');
      case 'portalSuspended':
        return this.empty('s');
      case 'emptyQueryResponse':
        return this.empty('I');
      case 'copyDone':
        return this.empty('c');
    }
  }

  private rowDescription(fields: readonly RowDescriptionField[]): void {
    this.begin('T');
    this.int16(fields.length);
    for (const f of fields) {
      this.cstring(f.name);
      this.uint32(f.tableOid);
      this.int16(f.columnNumber);
      this.uint32(f.typeOid);
      this.int16(f.typeSize);
      this.int32(f.typeModifier);
      this.int16(f.format);
    }
    this.finish();
  }

  /** ErrorResponse/NoticeResponse fields, each a code byte and a string, then a terminating 0. */
  private errorFields(e: SqlError): void {
    const field = (code: string, value: string | number | undefined): void => {
      if (value === undefined || value === '') return;
      this.byte(code.charCodeAt(0));
      this.cstring(String(value));
    };
    field('S', e.severity);
    field('V', e.severity);
    field('C', e.code);
    field('M', e.message);
    field('D', e.detail);
    field('H', e.hint);
    field('P', e.position);
    field('W', e.where);
    field('s', e.schema);
    field('t', e.table);
    field('c', e.column);
    field('d', e.dataType);
    field('n', e.constraint);
    field('R', e.routine);
    this.byte(0);
  }

  private authentication(code: number): void {
    this.begin('R');
    this.int32(code);
    this.finish();
  }

  private empty(code: string): void {
    this.begin(code);
    this.finish();
  }

  private begin(code: string): void {
    this.ensure(5);
    this.messageStart = this.size;
    this.buf[this.size] = code.charCodeAt(0);
    this.size += 5;
  }

  private finish(): void {
    this.buf.writeInt32BE(this.size - this.messageStart - 1, this.messageStart + 1);
    this.messageStart = -1;
  }

  private ensure(n: number): void {
    if (this.size + n <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < this.size + n) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buf.copy(grown, 0, 0, this.size);
    this.buf = grown;
  }

  private byte(v: number): void {
    this.ensure(1);
    this.buf[this.size++] = v;
  }

  private int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.size);
    this.size += 2;
  }

  private int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.size);
    this.size += 4;
  }

  private uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.size);
    this.size += 4;
  }

  private bytes(b: Uint8Array): void {
    this.ensure(b.byteLength);
    this.buf.set(b, this.size);
    this.size += b.byteLength;
  }

  /** Writes a string as UTF-8 (no terminator) and returns the byte count. */
  private text(s: string): number {
    const length = Buffer.byteLength(s, 'utf8');
    this.ensure(length);
    this.buf.write(s, this.size, length, 'utf8');
    this.size += length;
    return length;
  }

  /** A NUL-terminated string; an embedded NUL would end it early, so it is dropped. */
  private cstring(s: string): void {
    this.text(s.includes('\0') ? s.replaceAll('\0', '') : s);
    this.byte(0);
  }
}

/** Encodes a single message (for the few places that write outside a response, e.g. FATAL at startup). */
export function encodeBackendMessage(message: BackendMessage): Buffer {
  const writer = new BackendMessageWriter();
  writer.write(message);
  return writer.take();
}
