/**
 * COPY ... FROM STDIN: the client's CopyData payloads are cut into records (text and CSV lines, or
 * binary tuples) wherever the frames split them, each record's fields are read with the column
 * types' input functions, and every row goes through the INSERT path (defaults, NOT NULL, CHECK,
 * primary key and unique indexes, foreign keys: TableWriter) inside the statement's transaction,
 * so a COPY is all or nothing like any other statement.
 *
 * Formats and errors follow PostgreSQL's copyfromparse.c: `\N`, backslash escapes (`\t`, `\\`,
 * `\x41`, octal), the `\.` end marker, CSV quoting with QUOTE/ESCAPE, HEADER (MATCH), FORCE_NOT_NULL
 * and FORCE_NULL, the binary PGCOPY format, and errors with PostgreSQL's SQLSTATE and message and
 * the CONTEXT line in `where` ("COPY t, line 3, column x: "abc"").
 */
import { SqlError, SqlState } from '../errors.js';
import { decodeUtf8 } from '../types/binary.js';
import { decodeBinary, parseText } from '../types/codec.js';
import type { SqlValue } from '../types/values.js';
import type { ColumnInfo, TableInfo } from '../catalog/model.js';
import type { CopyIn } from '../wire/backend.js';
import type { CopyOptions } from './copy-options.js';
import type { CompiledExpr, Row, RuntimeContext } from './compile.js';
import type { TableWriter } from './exec/modify.js';
import { value } from './exec/operators.js';

/** The 11-byte signature that starts binary COPY data. */
export const BINARY_COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** PostgreSQL's MAX_COPY_DATA_DISPLAY: longer values and lines are cut in error context. */
const MAX_DISPLAY_BYTES = 100;
/** A record (one line, or one quoted CSV value spanning lines) may not grow beyond this. */
const MAX_RECORD_BYTES = 1024 * 1024 * 1024;

const BACKSLASH = 0x5c;
const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** What COPY FROM writes into: the table, the COPY's column list, and the INSERT path. */
export interface CopyFromTarget {
  readonly table: TableInfo;
  /** The columns the data holds, in order (the COPY column list, or every column). */
  readonly columns: readonly ColumnInfo[];
  /** The full table row for values of `columns` (the others take their defaults). */
  readonly buildRow: (source: Row) => Promise<SqlValue[]>;
  /** COPY FROM ... WHERE over the table row: rows for which it is not true are skipped. */
  readonly where: CompiledExpr | null;
  readonly writer: TableWriter;
  readonly ctx: RuntimeContext;
}

/** One record cut out of the data: text/CSV fields or binary values, and where it came from. */
interface RawRecord {
  readonly fields: ReadonlyArray<string | null> | ReadonlyArray<Uint8Array | null>;
  readonly line: number;
  /** The record's text for error context (text and CSV), or null. */
  readonly text: string | null;
}

function badCopyFormat(message: string, where?: string): SqlError {
  return new SqlError('22P04', message, { where });
}

/** The error with PostgreSQL's CONTEXT line for COPY, unless it has one already. */
function withWhere(e: unknown, where: string): unknown {
  if (!(e instanceof SqlError) || e.where !== undefined) return e;
  return new SqlError(e.code, e.message, {
    detail: e.detail,
    hint: e.hint,
    position: e.position,
    where,
    schema: e.schema,
    table: e.table,
    column: e.column,
    dataType: e.dataType,
    constraint: e.constraint,
    routine: e.routine,
    severity: e.severity,
    cause: e.cause,
  });
}

/** PostgreSQL's limit_printout_length: at most 100 bytes, then "...". */
function shortened(text: string): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= MAX_DISPLAY_BYTES) return text;
  let cut = MAX_DISPLAY_BYTES;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return `${bytes.subarray(0, cut).toString('utf8')}...`;
}

export class CopyFromStdin implements CopyIn {
  readonly kind = 'copyIn';
  readonly format: CopyOptions['format'];
  readonly columnFormats: readonly number[];
  private readonly reader: RecordReader;
  private readonly forceNotNull: boolean[];
  private readonly forceNull: boolean[];
  private headerPending: boolean;
  private count = 0;
  private finished = false;

  constructor(
    private readonly target: CopyFromTarget,
    private readonly options: CopyOptions,
    private readonly checkCancel: () => void,
  ) {
    this.format = options.format;
    this.columnFormats = target.columns.map(() => (options.format === 'binary' ? 1 : 0));
    this.reader = options.format === 'binary' ? new BinaryRecordReader(target.columns.map((c) => c.name)) : new TextRecordReader(options);
    this.forceNotNull = target.columns.map((c) => options.forceNotNull.includes(c.name));
    this.forceNull = target.columns.map((c) => options.forceNull.includes(c.name));
    this.headerPending = options.header !== false;
  }

  private get tableName(): string {
    return this.target.table.name;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.finished) return;
    this.reader.push(chunk, this.tableName);
    await this.drain(false);
  }

  async finish(): Promise<string> {
    if (!this.finished) {
      await this.drain(true);
      this.finished = true;
    }
    return `COPY ${this.count}`;
  }

  async fail(_message: string): Promise<void> {
    // The statement fails; its transaction (implicit or the block's) throws the rows away.
    this.finished = true;
  }

  private async drain(final: boolean): Promise<void> {
    for (;;) {
      const record = this.reader.next(final, this.tableName);
      if (record === null) return;
      this.checkCancel();
      if (this.headerPending) {
        this.headerPending = false;
        if (this.options.header === 'match') this.matchHeader(record);
        continue;
      }
      await this.insert(record);
    }
  }

  private context(record: RawRecord, withText: boolean): string {
    const at = `COPY ${this.tableName}, line ${record.line}`;
    return withText && record.text !== null ? `${at}: "${shortened(record.text)}"` : at;
  }

  private matchHeader(record: RawRecord): void {
    const fields = record.fields as ReadonlyArray<string | null>;
    const columns = this.target.columns;
    if (fields.length !== columns.length) {
      throw badCopyFormat(`wrong number of fields in header line: got ${fields.length}, expected ${columns.length}`, this.context(record, true));
    }
    fields.forEach((name, i) => {
      const expected = columns[i]!.name;
      if (name === null) {
        throw badCopyFormat(
          `column name mismatch in header line field ${i + 1}: got null value ("${this.options.nullString}"), expected "${expected}"`,
          this.context(record, true),
        );
      }
      if (name !== expected) {
        throw badCopyFormat(`column name mismatch in header line field ${i + 1}: got "${name}", expected "${expected}"`, this.context(record, true));
      }
    });
  }

  private async insert(record: RawRecord): Promise<void> {
    const columns = this.target.columns;
    const fields = record.fields;
    if (fields.length > columns.length) throw badCopyFormat('extra data after last expected column', this.context(record, true));
    if (fields.length < columns.length) {
      throw badCopyFormat(`missing data for column "${columns[fields.length]!.name}"`, this.context(record, true));
    }
    const values: SqlValue[] = new Array<SqlValue>(columns.length);
    for (let i = 0; i < columns.length; i++) values[i] = this.readField(record, i);
    try {
      const row = await this.target.buildRow(values);
      if (this.target.where !== null && (await value(this.target.where, row, this.target.ctx)) !== true) return;
      await this.target.writer.insert(row, null);
    } catch (e) {
      // PostgreSQL's context: the line for NOT NULL and CHECK (checked as the row is read), the
      // line number alone for unique keys (checked as buffered rows are flushed), none for
      // foreign keys (checked at the end of the statement).
      if (e instanceof SqlError && e.code !== SqlState.foreignKeyViolation) throw withWhere(e, this.context(record, e.code !== SqlState.uniqueViolation));
      throw e;
    }
    this.count++;
  }

  private readField(record: RawRecord, i: number): SqlValue {
    const column = this.target.columns[i]!;
    const codec = this.target.ctx.codec;
    if (this.format === 'binary') {
      const bytes = (record.fields as ReadonlyArray<Uint8Array | null>)[i] ?? null;
      if (bytes === null) return null;
      try {
        return decodeBinary(column.type.oid, bytes, column.type.typmod);
      } catch (e) {
        throw withWhere(e, `COPY ${this.tableName}, line ${record.line}, column ${column.name}`);
      }
    }
    let text = (record.fields as ReadonlyArray<string | null>)[i] ?? null;
    if (this.format === 'csv') {
      if (text === null && this.forceNotNull[i]) text = this.options.nullString;
      else if (text !== null && this.forceNull[i] && text === this.options.nullString) text = null;
    }
    if (text === null) return null;
    try {
      return parseText(column.type.oid, text, column.type.typmod, codec);
    } catch (e) {
      throw withWhere(e, `COPY ${this.tableName}, line ${record.line}, column ${column.name}: "${shortened(text)}"`);
    }
  }
}

/** Cuts CopyData payloads into records, wherever the payloads split them. */
interface RecordReader {
  push(chunk: Uint8Array, table: string): void;
  /** The next complete record, or null; `final` once CopyDone came (the rest is the last record). */
  next(final: boolean, table: string): RawRecord | null;
}

/** Bytes received but not yet cut into records; compacted as records are consumed. */
class InputBuffer {
  buf: Buffer = Buffer.alloc(0);
  /** Start of the first unconsumed byte. */
  start = 0;

  push(chunk: Uint8Array): void {
    const rest = this.buf.length - this.start;
    if (rest > MAX_RECORD_BYTES) throw new SqlError(SqlState.programLimitExceeded, 'COPY record is too long (more than 1 GB)');
    // Frames may be slices of the connection's buffer: keep a copy of what stays.
    this.buf = rest === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf.subarray(this.start), chunk]);
    this.start = 0;
  }

  get available(): number {
    return this.buf.length - this.start;
  }
}

/**
 * Text and CSV: records are lines ended by \n, \r\n or \r (the first line decides, as in
 * PostgreSQL); in CSV a quoted value may span lines. `\.` ends the data.
 */
class TextRecordReader implements RecordReader {
  private readonly input = new InputBuffer();
  /** Scan position (absolute in input.buf) within the current, not yet complete, record. */
  private scan = 0;
  private inQuote = false;
  private lastWasEscape = false;
  /** Line breaks inside quoted CSV values seen in the current record. */
  private embeddedLines = 0;
  private eol: 'lf' | 'crlf' | 'cr' | null = null;
  private line = 0;
  private ended = false;
  private readonly csv: boolean;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly escape: number;
  /** The escape as the line reader sees it: none when it is the quote (then quotes just toggle). */
  private readonly lineEscape: number;
  private readonly nullBytes: Buffer;

  constructor(options: CopyOptions) {
    this.csv = options.format === 'csv';
    this.delimiter = options.delimiter.charCodeAt(0);
    this.quote = options.quote.charCodeAt(0);
    this.escape = options.escape.charCodeAt(0);
    this.lineEscape = this.escape === this.quote ? -1 : this.escape;
    this.nullBytes = Buffer.from(options.nullString);
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return; // data after the end marker is ignored, as in PostgreSQL
    const offset = this.input.start;
    this.input.push(chunk);
    this.scan -= offset;
  }

  next(final: boolean, table: string): RawRecord | null {
    if (this.ended) return null;
    const input = this.input;
    const buf = input.buf;
    let i = this.scan;
    while (i < buf.length) {
      const c = buf[i]!;
      if (this.csv) {
        if (this.inQuote && c === this.lineEscape) this.lastWasEscape = !this.lastWasEscape;
        if (c === this.quote && !this.lastWasEscape) this.inQuote = !this.inQuote;
        if (c !== this.lineEscape) this.lastWasEscape = false;
        if (this.inQuote) {
          // As in PostgreSQL, before the first line break the style is unknown and only \r counts.
          if (c === (this.eol === 'lf' ? LF : CR)) this.embeddedLines++;
          i++;
          continue;
        }
      }
      if (c === CR || c === LF) {
        if (c === CR && i + 1 >= buf.length && !final) break; // \r or \r\n: wait for the next byte
        const crlf = c === CR && buf[i + 1] === LF;
        this.checkLineEnd(c, crlf, table);
        const record = this.record(input.start, i, table);
        input.start = i + (crlf ? 2 : 1);
        this.scan = input.start;
        return record;
      }
      if (c === BACKSLASH && (!this.csv || i === input.start)) {
        if (i + 1 >= buf.length && !final) break;
        if (buf[i + 1] === DOT) {
          if (i + 2 >= buf.length && !final) break;
          const after = buf[i + 2];
          if (after === undefined || after === CR || after === LF) {
            // End of data: what precedes the marker on its line is still a row.
            this.ended = true;
            const record = i > input.start ? this.record(input.start, i, table) : null;
            input.start = buf.length;
            return record;
          }
          if (!this.csv) throw badCopyFormat('end-of-copy marker corrupt', `COPY ${table}, line ${this.line + 1}`);
        }
        // An escaped byte (a line break too) belongs to the value.
        if (!this.csv) {
          i += 2;
          continue;
        }
      }
      i++;
    }
    this.scan = i;
    if (final && input.available > 0) {
      const record = this.record(input.start, buf.length, table);
      input.start = buf.length;
      this.scan = buf.length;
      return record;
    }
    return null;
  }

  /** PostgreSQL insists on one line-break style throughout the data. */
  private checkLineEnd(c: number, crlf: boolean, table: string): void {
    const kind = crlf ? 'crlf' : c === CR ? 'cr' : 'lf';
    if (this.eol === null) {
      this.eol = kind;
      return;
    }
    if (kind === this.eol) return;
    const where = `COPY ${table}, line ${this.line + 1}`;
    const newline = this.eol === 'cr' || (this.eol === 'crlf' && kind === 'lf');
    if (this.csv) {
      throw newline
        ? new SqlError('22P04', 'unquoted newline found in data', { hint: 'Use quoted CSV field to represent newline.', where })
        : new SqlError('22P04', 'unquoted carriage return found in data', { hint: 'Use quoted CSV field to represent carriage return.', where });
    }
    throw newline
      ? new SqlError('22P04', 'literal newline found in data', { hint: 'Use "\\n" to represent newline.', where })
      : new SqlError('22P04', 'literal carriage return found in data', { hint: 'Use "\\r" to represent carriage return.', where });
  }

  private record(from: number, to: number, table: string): RawRecord {
    this.line += 1 + this.embeddedLines;
    this.embeddedLines = 0;
    this.inQuote = false;
    this.lastWasEscape = false;
    const bytes = this.input.buf.subarray(from, to);
    let text: string;
    try {
      text = decodeUtf8(bytes);
    } catch (e) {
      throw withWhere(e, `COPY ${table}, line ${this.line}`);
    }
    const line = this.line;
    try {
      const fields = this.csv ? this.csvFields(bytes) : this.textFields(bytes);
      return { fields, line, text };
    } catch (e) {
      throw withWhere(e, `COPY ${table}, line ${line}: "${shortened(text)}"`);
    }
  }

  private isNull(bytes: Buffer, from: number, to: number): boolean {
    const n = this.nullBytes;
    if (to - from !== n.length) return false;
    for (let k = 0; k < n.length; k++) if (bytes[from + k] !== n[k]) return false;
    return true;
  }

  /** CopyReadAttributesText: fields split at the delimiter, backslash escapes decoded. */
  private textFields(bytes: Buffer): Array<string | null> {
    const fields: Array<string | null> = [];
    let i = 0;
    for (;;) {
      const start = i;
      // The value's bytes once an escape makes it differ from the raw slice.
      let out: number[] | null = null;
      let sawDelimiter = false;
      let end = bytes.length;
      while (i < bytes.length) {
        const c = bytes[i]!;
        if (c === this.delimiter) {
          sawDelimiter = true;
          end = i++;
          break;
        }
        if (c !== BACKSLASH) {
          out?.push(c);
          i++;
          continue;
        }
        if (out === null) out = [...bytes.subarray(start, i)];
        // A backslash at the very end of the line is dropped, as in PostgreSQL.
        if (i + 1 >= bytes.length) {
          i = bytes.length;
          break;
        }
        const [byte, next] = unescape(bytes, i + 1);
        out.push(byte);
        i = next;
      }
      // NULL is recognized on the raw text, before escapes are decoded.
      if (this.isNull(bytes, start, end)) fields.push(null);
      else fields.push(out === null ? bytes.toString('utf8', start, end) : decodeUtf8(Uint8Array.from(out)));
      if (!sawDelimiter) return fields;
    }
  }

  /** CopyReadAttributesCSV: quoted values may hold the delimiter, quotes (escaped) and line breaks. */
  private csvFields(bytes: Buffer): Array<string | null> {
    const fields: Array<string | null> = [];
    let i = 0;
    for (;;) {
      const start = i;
      // The value's bytes once a quote makes it differ from the raw slice.
      let out: number[] | null = null;
      let sawDelimiter = false;
      let end = bytes.length;
      outer: while (i < bytes.length) {
        const c = bytes[i++]!;
        if (c === this.delimiter) {
          sawDelimiter = true;
          end = i - 1;
          break;
        }
        if (c !== this.quote) {
          out?.push(c);
          continue;
        }
        if (out === null) {
          out = [];
          for (let k = start; k < i - 1; k++) out.push(bytes[k]!);
        }
        for (;;) {
          if (i >= bytes.length) throw badCopyFormat('unterminated CSV quoted field');
          const q = bytes[i++]!;
          if (q === this.escape && i < bytes.length && (bytes[i] === this.quote || bytes[i] === this.escape)) {
            out.push(bytes[i++]!);
            continue;
          }
          if (q === this.quote) continue outer;
          out.push(q);
        }
      }
      if (out === null) fields.push(this.isNull(bytes, start, end) ? null : bytes.toString('utf8', start, end));
      else fields.push(Buffer.from(out).toString('utf8'));
      if (!sawDelimiter) return fields;
    }
  }
}

const isOctal = (b: number | undefined): b is number => b !== undefined && b >= 0x30 && b <= 0x37;

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

/** A text-format escape at `at` (just after its backslash): the byte it stands for and where the rest begins. */
function unescape(bytes: Buffer, at: number): [number, number] {
  const e = bytes[at]!;
  if (isOctal(e)) {
    let v = e - 0x30;
    let i = at + 1;
    for (let n = 0; n < 2 && isOctal(bytes[i]); n++, i++) v = v * 8 + (bytes[i]! - 0x30);
    return [v & 0xff, i];
  }
  switch (e) {
    case 0x78: {
      // \x takes one or two hex digits; without any it is a plain "x".
      const h1 = hexValue(bytes[at + 1]);
      if (h1 < 0) return [e, at + 1];
      const h2 = hexValue(bytes[at + 2]);
      return h2 < 0 ? [h1, at + 2] : [h1 * 16 + h2, at + 3];
    }
    case 0x62:
      return [0x08, at + 1];
    case 0x66:
      return [0x0c, at + 1];
    case 0x6e:
      return [LF, at + 1];
    case 0x72:
      return [CR, at + 1];
    case 0x74:
      return [0x09, at + 1];
    case 0x76:
      return [0x0b, at + 1];
    default:
      return [e, at + 1];
  }
}

/** Binary: the PGCOPY header, then tuples (int16 field count, int32 length + bytes each), then -1. */
class BinaryRecordReader implements RecordReader {
  private readonly input = new InputBuffer();
  private headerRead = false;
  private ended = false;
  private tuples = 0;

  private readonly columnCount: number;

  constructor(private readonly columnNames: readonly string[]) {
    this.columnCount = columnNames.length;
  }

  push(chunk: Uint8Array, table: string): void {
    if (this.ended) {
      if (chunk.byteLength > 0) throw badCopyFormat('received copy data after EOF marker', `COPY ${table}, line ${this.tuples}`);
      return;
    }
    this.input.push(chunk);
  }

  next(final: boolean, table: string): RawRecord | null {
    if (this.ended) return null;
    if (!this.headerRead && !this.readHeader(final)) return null;
    const { buf } = this.input;
    let i = this.input.start;
    let column: string | null = null;
    const need = (n: number): boolean => {
      if (i + n <= buf.length) return true;
      if (final) throw badCopyFormat('unexpected EOF in COPY data', `COPY ${table}, line ${this.tuples + 1}${column === null ? '' : `, column ${column}`}`);
      return false;
    };
    if (this.input.available === 0) return null;
    if (!need(2)) return null;
    const count = buf.readInt16BE(i);
    i += 2;
    if (count === -1) {
      this.ended = true;
      if (i < buf.length) throw badCopyFormat('received copy data after EOF marker', `COPY ${table}, line ${this.tuples}`);
      this.input.start = i;
      return null;
    }
    if (count !== this.columnCount) {
      throw badCopyFormat(`row field count is ${count}, expected ${this.columnCount}`, `COPY ${table}, line ${this.tuples + 1}`);
    }
    const fields: Array<Uint8Array | null> = [];
    for (let f = 0; f < count; f++) {
      column = this.columnNames[f]!;
      if (!need(4)) return null;
      const length = buf.readInt32BE(i);
      i += 4;
      if (length === -1) {
        fields.push(null);
        continue;
      }
      if (length < -1) throw badCopyFormat('invalid field size', `COPY ${table}, line ${this.tuples + 1}, column ${column}`);
      if (!need(length)) return null;
      fields.push(buf.subarray(i, i + length));
      i += length;
    }
    this.input.start = i;
    this.tuples++;
    return { fields, line: this.tuples, text: null };
  }

  private readHeader(final: boolean): boolean {
    const { buf } = this.input;
    const at = this.input.start;
    const signature = BINARY_COPY_SIGNATURE.length;
    if (buf.length - at < signature + 8) {
      if (!final) return false;
      if (buf.length - at < signature || !buf.subarray(at, at + signature).equals(BINARY_COPY_SIGNATURE)) throw badCopyFormat('COPY file signature not recognized');
      throw badCopyFormat(buf.length - at < signature + 4 ? 'invalid COPY file header (missing flags)' : 'invalid COPY file header (missing length)');
    }
    if (!buf.subarray(at, at + signature).equals(BINARY_COPY_SIGNATURE)) throw badCopyFormat('COPY file signature not recognized');
    const flags = buf.readInt32BE(at + signature);
    if ((flags & (1 << 16)) !== 0) throw badCopyFormat('invalid COPY file header (WITH OIDS)');
    if (flags >>> 17 !== 0) throw badCopyFormat('unrecognized critical flags in COPY file header');
    const extension = buf.readInt32BE(at + signature + 4);
    if (extension < 0) throw badCopyFormat('invalid COPY file header (missing length)');
    const end = at + signature + 8 + extension;
    if (end > buf.length) {
      if (final) throw badCopyFormat('invalid COPY file header (wrong length)');
      return false;
    }
    this.input.start = end;
    this.headerRead = true;
    return true;
  }
}
