/**
 * COPY ... TO STDOUT: the rows of a table or a query, one CopyData payload per row as PostgreSQL
 * sends them, in text (backslash escapes), CSV (quoting as needed, FORCE_QUOTE) or binary (PGCOPY)
 * format, with a header line on request. Values are written by the types' output functions
 * (src/types/codec.ts) with the session's settings.
 */
import { encodeBinary, formatText, type CodecContext } from '../types/codec.js';
import { Oid } from '../types/oids.js';
import type { SqlValue } from '../types/values.js';
import type { CopyOut } from '../wire/backend.js';
import type { CopyOptions } from './copy-options.js';
import { BINARY_COPY_SIGNATURE } from './copy-from.js';
import type { Operator } from './exec/operators.js';

export interface CopyToSource {
  /** Rows with (at least) the output columns in `slots`. */
  readonly operator: Operator;
  /** Output columns: name, type, and the slot of each in the operator's rows. */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly typeOid: number; readonly slot: number }>;
  readonly codec: CodecContext;
}

const BACKSLASH = 0x5c;

export class CopyToStdout implements CopyOut {
  readonly kind = 'copyOut';
  readonly format: CopyOptions['format'];
  readonly columnFormats: readonly number[];
  private pending: Buffer[] = [];
  private prefix: Buffer | null = null;
  private headerSent = false;
  private done = false;
  private count = 0;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly escape: number;
  private readonly forceQuote: boolean[];

  constructor(
    private readonly source: CopyToSource,
    private readonly options: CopyOptions,
    private readonly checkCancel: () => void,
    /** Called once the last row is out (or the operator failed): releases the statement. */
    private readonly onEnd: () => Promise<void>,
  ) {
    this.format = options.format;
    this.columnFormats = source.columns.map(() => (options.format === 'binary' ? 1 : 0));
    this.delimiter = options.delimiter.charCodeAt(0);
    this.quote = options.quote.charCodeAt(0);
    this.escape = options.escape.charCodeAt(0);
    const fq = options.forceQuote;
    this.forceQuote = source.columns.map((c) => fq === '*' || fq.includes(c.name));
    // The binary header travels in front of the first row (or of the trailer), as PostgreSQL sends it.
    if (this.format === 'binary') this.prefix = Buffer.concat([BINARY_COPY_SIGNATURE, Buffer.alloc(8)]);
  }

  tag(): string {
    return `COPY ${this.count}`;
  }

  async next(): Promise<Uint8Array | null> {
    if (!this.headerSent) {
      this.headerSent = true;
      if (this.options.header === true && this.format !== 'binary') return this.headerLine();
    }
    while (this.pending.length === 0) {
      if (this.done) return null;
      this.checkCancel();
      const batch = await this.source.operator.next();
      if (batch === null) {
        this.done = true;
        await this.onEnd();
        if (this.format === 'binary') return this.withPrefix(Buffer.from([0xff, 0xff]));
        return null;
      }
      for (const row of batch) this.pending.push(this.formatRow(row));
    }
    this.count++;
    return this.withPrefix(this.pending.shift()!);
  }

  private withPrefix(data: Buffer): Buffer {
    if (this.prefix === null) return data;
    const out = Buffer.concat([this.prefix, data]);
    this.prefix = null;
    return out;
  }

  private headerLine(): Buffer {
    const single = this.source.columns.length === 1;
    const parts = this.source.columns.map((c) => (this.format === 'csv' ? this.csvValue(c.name, false, single) : this.textValue(c.name)));
    return this.joinLine(parts);
  }

  private formatRow(row: readonly SqlValue[]): Buffer {
    const columns = this.source.columns;
    if (this.format === 'binary') {
      const parts: Buffer[] = [Buffer.alloc(2)];
      parts[0]!.writeInt16BE(columns.length);
      for (const c of columns) {
        const v = row[c.slot] ?? null;
        const length = Buffer.alloc(4);
        if (v === null) {
          length.writeInt32BE(-1);
          parts.push(length);
          continue;
        }
        const bytes = encodeBinary(c.typeOid, v);
        length.writeInt32BE(bytes.byteLength);
        parts.push(length, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      }
      return Buffer.concat(parts);
    }
    const single = columns.length === 1;
    const parts = columns.map((c, i) => {
      const v = row[c.slot] ?? null;
      if (v === null) return Buffer.from(this.options.nullString);
      const text = formatText(c.typeOid === Oid.unknown ? Oid.text : c.typeOid, v, this.source.codec);
      return this.format === 'csv' ? this.csvValue(text, this.forceQuote[i]!, single) : this.textValue(text);
    });
    return this.joinLine(parts);
  }

  private joinLine(parts: Buffer[]): Buffer {
    const out: Buffer[] = [];
    const delimiter = Buffer.from([this.delimiter]);
    parts.forEach((p, i) => {
      if (i > 0) out.push(delimiter);
      out.push(p);
    });
    out.push(Buffer.from('\n'));
    return Buffer.concat(out);
  }

  /** CopyAttributeOutText: control characters, backslash and the delimiter escaped. */
  private textValue(text: string): Buffer {
    const bytes = Buffer.from(text);
    let needs = false;
    for (const b of bytes) {
      if (b < 0x20 || b === BACKSLASH || b === this.delimiter) {
        needs = true;
        break;
      }
    }
    if (!needs) return bytes;
    const out: number[] = [];
    for (const b of bytes) {
      let escaped = -1;
      if (b < 0x20) {
        switch (b) {
          case 0x08:
            escaped = 0x62; // b
            break;
          case 0x0c:
            escaped = 0x66; // f
            break;
          case 0x0a:
            escaped = 0x6e; // n
            break;
          case 0x0d:
            escaped = 0x72; // r
            break;
          case 0x09:
            escaped = 0x74; // t
            break;
          case 0x0b:
            escaped = 0x76; // v
            break;
          default:
            if (b === this.delimiter) escaped = b;
        }
      } else if (b === BACKSLASH || b === this.delimiter) {
        escaped = b;
      }
      if (escaped >= 0) out.push(BACKSLASH, escaped);
      else out.push(b);
    }
    return Buffer.from(out);
  }

  /**
   * CopyAttributeOutCSV: quoted when forced, when it holds the delimiter, the quote, a line break,
   * when it reads as the NULL string, or when a single column's value is `\.` (the end marker).
   */
  private csvValue(text: string, force: boolean, singleColumn: boolean): Buffer {
    const bytes = Buffer.from(text);
    let quote = force || text === this.options.nullString || (singleColumn && text === '\\.');
    if (!quote) {
      for (const b of bytes) {
        if (b === this.delimiter || b === this.quote || b === 0x0a || b === 0x0d) {
          quote = true;
          break;
        }
      }
    }
    if (!quote) return bytes;
    const out: number[] = [this.quote];
    for (const b of bytes) {
      if (b === this.quote || b === this.escape) out.push(this.escape);
      out.push(b);
    }
    out.push(this.quote);
    return Buffer.from(out);
  }
}
