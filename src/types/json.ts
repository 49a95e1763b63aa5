/**
 * json and jsonb. One lexer/parser follows PostgreSQL's (src/common/jsonapi.c) token by token so
 * that invalid input gets PostgreSQL's message, detail and "JSON data, line N: ..." context; json
 * keeps the validated text, jsonb builds a Jsonb document (keys sorted shorter-first then bytewise,
 * duplicates resolved last-wins, numbers as Numeric). Also jsonb output, ordering and equality keys.
 */
import { SqlError, SqlState } from '../errors.js';
import { Numeric, parseNumeric } from './numeric.js';
import { Jsonb, type JsonbNode, type JsonbObject } from './values.js';
import { encodeUtf8 } from './binary.js';

/** Nesting deeper than this is refused with 54001, as PostgreSQL refuses past its stack depth (about 5000 levels); ours is explicit and keeps the recursive parser, printer and comparator well inside the JS stack. */
export const JSON_MAX_DEPTH = 2000;

const enum Tok {
  /** Before the first token (PostgreSQL's JSON_TOKEN_INVALID). */
  Invalid,
  ObjectStart,
  ObjectEnd,
  ArrayStart,
  ArrayEnd,
  Comma,
  Colon,
  String,
  Number,
  True,
  False,
  Null,
  End,
}

type JsonErrorKind =
  | 'escapingInvalid'
  | 'escapingRequired'
  | 'expectedEnd'
  | 'expectedArrayNext'
  | 'expectedColon'
  | 'expectedJson'
  | 'expectedMore'
  | 'expectedObjectFirst'
  | 'expectedObjectNext'
  | 'expectedString'
  | 'invalidToken'
  | 'codePointZero'
  | 'unicodeEscapeFormat'
  | 'highSurrogate'
  | 'lowSurrogate';

class JsonLexFailure {
  constructor(readonly kind: JsonErrorKind) {}
}

const utf8 = new TextDecoder();

function isAlnumByte(b: number): boolean {
  // jsonapi.c treats every byte with the high bit set as part of a word.
  return (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b === 95 || b >= 128;
}

function utf8Length(lead: number): number {
  return lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/** The lexer state of jsonapi.c: positions are byte offsets into the UTF-8 input. */
class JsonLexer {
  tokenStart = -1;
  tokenTerminator = 0;
  tokenType: Tok = Tok.Invalid;
  lineNumber = 1;
  lineStart = 0;
  /** De-escaped text of the last string token (only when `needEscapes`). */
  strval = '';

  constructor(readonly input: Uint8Array, readonly needEscapes: boolean) {}

  /** Advances to the next token; throws JsonLexFailure for lexical errors. */
  lex(): void {
    const input = this.input;
    let s = this.tokenTerminator;
    while (s < input.length) {
      const b = input[s]!;
      if (b === 0x20 || b === 0x09 || b === 0x0d) s++;
      else if (b === 0x0a) {
        s++;
        this.lineNumber++;
        this.lineStart = s;
      } else break;
    }
    this.tokenStart = s;
    if (s >= input.length) {
      this.tokenType = Tok.End;
      this.tokenTerminator = s;
      return;
    }
    const b = input[s]!;
    const single: Record<number, Tok> = { 0x7b: Tok.ObjectStart, 0x7d: Tok.ObjectEnd, 0x5b: Tok.ArrayStart, 0x5d: Tok.ArrayEnd, 0x2c: Tok.Comma, 0x3a: Tok.Colon };
    const t = single[b];
    if (t !== undefined) {
      this.tokenTerminator = s + 1;
      this.tokenType = t;
      return;
    }
    if (b === 0x22) {
      this.lexString();
      this.tokenType = Tok.String;
      return;
    }
    if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
      this.lexNumber(b === 0x2d ? s + 1 : s);
      this.tokenType = Tok.Number;
      return;
    }
    let p = s;
    while (p < input.length && isAlnumByte(input[p]!)) p++;
    if (p === s) {
      this.tokenTerminator = s + utf8Length(b);
      throw new JsonLexFailure('invalidToken');
    }
    this.tokenTerminator = p;
    const word = utf8.decode(input.subarray(s, p));
    if (word === 'true') this.tokenType = Tok.True;
    else if (word === 'false') this.tokenType = Tok.False;
    else if (word === 'null') this.tokenType = Tok.Null;
    else throw new JsonLexFailure('invalidToken');
  }

  private lexNumber(start: number): void {
    const input = this.input;
    const isDigit = (i: number): boolean => i < input.length && input[i]! >= 0x30 && input[i]! <= 0x39;
    let s = start;
    let error = false;
    if (s < input.length && input[s] === 0x30) s++;
    else if (isDigit(s)) while (isDigit(s)) s++;
    else error = true;
    if (s < input.length && input[s] === 0x2e) {
      s++;
      if (!isDigit(s)) error = true;
      else while (isDigit(s)) s++;
    }
    if (s < input.length && (input[s] === 0x65 || input[s] === 0x45)) {
      s++;
      if (s < input.length && (input[s] === 0x2b || input[s] === 0x2d)) s++;
      if (!isDigit(s)) error = true;
      else while (isDigit(s)) s++;
    }
    // Letters glued to a number belong to the (invalid) token, for the error message.
    for (; s < input.length && isAlnumByte(input[s]!); s++) error = true;
    this.tokenTerminator = s;
    if (error) throw new JsonLexFailure('invalidToken');
  }

  private lexString(): void {
    const input = this.input;
    const need = this.needEscapes;
    let s = this.tokenStart;
    let hiSurrogate = -1;
    const parts: number[] = [];
    let out = '';
    const flush = (): void => {
      if (parts.length) {
        out += utf8.decode(Uint8Array.from(parts));
        parts.length = 0;
      }
    };
    for (;;) {
      s++;
      if (s >= input.length) {
        this.tokenTerminator = s;
        throw new JsonLexFailure('invalidToken');
      }
      const b = input[s]!;
      if (b === 0x22) break;
      if (b < 32) {
        this.tokenTerminator = s;
        throw new JsonLexFailure('escapingRequired');
      }
      if (b === 0x5c) {
        s++;
        if (s >= input.length) {
          this.tokenTerminator = s;
          throw new JsonLexFailure('invalidToken');
        }
        const e = input[s]!;
        if (e === 0x75) {
          let ch = 0;
          for (let i = 1; i <= 4; i++) {
            s++;
            if (s >= input.length) {
              this.tokenTerminator = s;
              throw new JsonLexFailure('invalidToken');
            }
            const h = input[s]!;
            const v = h >= 48 && h <= 57 ? h - 48 : h >= 97 && h <= 102 ? h - 87 : h >= 65 && h <= 70 ? h - 55 : -1;
            if (v < 0) {
              this.tokenTerminator = s + utf8Length(h);
              throw new JsonLexFailure('unicodeEscapeFormat');
            }
            ch = ch * 16 + v;
          }
          if (need) {
            if (ch >= 0xd800 && ch <= 0xdbff) {
              if (hiSurrogate !== -1) this.failAtChar(s, 'highSurrogate');
              hiSurrogate = ch;
              continue;
            } else if (ch >= 0xdc00 && ch <= 0xdfff) {
              if (hiSurrogate === -1) this.failAtChar(s, 'lowSurrogate');
              ch = 0x10000 + ((hiSurrogate - 0xd800) << 10) + (ch - 0xdc00);
              hiSurrogate = -1;
            }
            if (hiSurrogate !== -1) this.failAtChar(s, 'lowSurrogate');
            if (ch === 0) this.failAtChar(s, 'codePointZero');
            flush();
            out += String.fromCodePoint(ch);
          }
        } else {
          const simple: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };
          if (need && hiSurrogate !== -1) this.failAtChar(s, 'lowSurrogate');
          const c = simple[e];
          if (c === undefined) {
            this.tokenStart = s;
            this.tokenTerminator = s + utf8Length(e);
            throw new JsonLexFailure('escapingInvalid');
          }
          if (need) {
            flush();
            out += c;
          }
        }
      } else if (need) {
        if (hiSurrogate !== -1) this.failAtChar(s, 'lowSurrogate');
        parts.push(b);
      }
    }
    if (need && hiSurrogate !== -1) this.failAtChar(s, 'lowSurrogate');
    flush();
    this.strval = out;
    this.tokenTerminator = s + 1;
  }

  /** Fails with the error context ending after the character at `at`. */
  private failAtChar(at: number, kind: JsonErrorKind): never {
    this.tokenTerminator = at + utf8Length(this.input[at] ?? 0);
    throw new JsonLexFailure(kind);
  }

  tokenText(): string {
    return utf8.decode(this.input.subarray(this.tokenStart, this.tokenTerminator));
  }
}

type ParseContext = 'end' | 'value' | 'string' | 'arrayNext' | 'objectStart' | 'objectLabel' | 'objectNext';

class JsonParser {
  depth = 0;
  constructor(readonly lexer: JsonLexer, readonly build: boolean) {}

  /** The current token (a method so the compiler does not narrow it across lex() calls). */
  private peek(): Tok {
    return this.lexer.tokenType;
  }

  private fail(ctx: ParseContext): never {
    const lx = this.lexer;
    if (lx.tokenStart < 0 || lx.tokenType === Tok.End) throw new JsonLexFailure('expectedMore');
    const kinds: Record<ParseContext, JsonErrorKind> = {
      end: 'expectedEnd',
      value: 'expectedJson',
      string: 'expectedString',
      arrayNext: 'expectedArrayNext',
      objectStart: 'expectedObjectFirst',
      objectLabel: 'expectedColon',
      objectNext: 'expectedObjectNext',
    };
    throw new JsonLexFailure(kinds[ctx]);
  }

  private expect(ctx: ParseContext, tok: Tok): void {
    if (this.lexer.tokenType !== tok) this.fail(ctx);
    this.lexer.lex();
  }

  parseDocument(): JsonbNode {
    this.lexer.lex();
    const v = this.parseValue();
    this.expect('end', Tok.End);
    return v;
  }

  private parseValue(): JsonbNode {
    const tok = this.lexer.tokenType;
    if (tok === Tok.ObjectStart) return this.parseObject();
    if (tok === Tok.ArrayStart) return this.parseArray();
    return this.parseScalar();
  }

  private parseScalar(): JsonbNode {
    const lx = this.lexer;
    let v: JsonbNode;
    switch (lx.tokenType) {
      case Tok.String:
        v = this.build ? lx.strval : null;
        break;
      case Tok.Number:
        v = this.build ? parseNumeric(lx.tokenText()) : null;
        break;
      case Tok.True:
        v = true;
        break;
      case Tok.False:
        v = false;
        break;
      case Tok.Null:
        v = null;
        break;
      default:
        this.fail('value');
    }
    lx.lex();
    return v;
  }

  private enter(): void {
    if (++this.depth > JSON_MAX_DEPTH) {
      throw new SqlError(SqlState.statementTooComplex, 'stack depth limit exceeded', {
        hint: `JSON documents may nest at most ${JSON_MAX_DEPTH} levels.`,
      });
    }
  }

  private parseArray(): JsonbNode {
    this.enter();
    const lx = this.lexer;
    lx.lex();
    const items: JsonbNode[] = [];
    if (lx.tokenType !== Tok.ArrayEnd) {
      items.push(this.parseValue());
      while (this.peek() === Tok.Comma) {
        lx.lex();
        items.push(this.parseValue());
      }
    }
    this.expect('arrayNext', Tok.ArrayEnd);
    this.depth--;
    return items;
  }

  private parseObject(): JsonbNode {
    this.enter();
    const lx = this.lexer;
    lx.lex();
    const pairs: Array<[string, JsonbNode]> = [];
    if (lx.tokenType === Tok.String) {
      pairs.push(this.parseField());
      while (this.peek() === Tok.Comma) {
        lx.lex();
        pairs.push(this.parseField());
      }
    } else if (lx.tokenType !== Tok.ObjectEnd) {
      this.fail('objectStart');
    }
    this.expect('objectNext', Tok.ObjectEnd);
    this.depth--;
    return this.build ? makeJsonbObject(pairs) : null;
  }

  private parseField(): [string, JsonbNode] {
    const lx = this.lexer;
    if (lx.tokenType !== Tok.String) this.fail('string');
    const key = lx.strval;
    lx.lex();
    this.expect('objectLabel', Tok.Colon);
    return [key, this.parseValue()];
  }
}

/** Orders object keys as jsonb stores them: shorter (in bytes) first, then bytewise. */
export function compareJsonbKeys(a: string, b: string): number {
  const ab = encodeUtf8(a);
  const bb = encodeUtf8(b);
  if (ab.length !== bb.length) return ab.length - bb.length;
  for (let i = 0; i < ab.length; i++) if (ab[i] !== bb[i]) return ab[i]! - bb[i]!;
  return 0;
}

/** An object from key/value pairs in input order: sorted, and for a repeated key the last value wins. */
export function makeJsonbObject(pairs: ReadonlyArray<readonly [string, JsonbNode]>): JsonbObject {
  const indexed = pairs.map((p, i) => ({ p, i }));
  indexed.sort((x, y) => compareJsonbKeys(x.p[0], y.p[0]) || x.i - y.i);
  const entries: Array<readonly [string, JsonbNode]> = [];
  for (let k = 0; k < indexed.length; k++) {
    const next = indexed[k + 1];
    if (next && next.p[0] === indexed[k]!.p[0]) continue;
    entries.push(indexed[k]!.p);
  }
  return { kind: 'object', entries };
}

function detailFor(kind: JsonErrorKind, lx: JsonLexer): string {
  const token = (): string => lx.tokenText();
  switch (kind) {
    case 'escapingInvalid':
      return `Escape sequence "\\${token()}" is invalid.`;
    case 'escapingRequired':
      return `Character with value 0x${lx.input[lx.tokenTerminator]!.toString(16).padStart(2, '0')} must be escaped.`;
    case 'expectedEnd':
      return `Expected end of input, but found "${token()}".`;
    case 'expectedArrayNext':
      return `Expected "," or "]", but found "${token()}".`;
    case 'expectedColon':
      return `Expected ":", but found "${token()}".`;
    case 'expectedJson':
      return `Expected JSON value, but found "${token()}".`;
    case 'expectedMore':
      return 'The input string ended unexpectedly.';
    case 'expectedObjectFirst':
      return `Expected string or "}", but found "${token()}".`;
    case 'expectedObjectNext':
      return `Expected "," or "}", but found "${token()}".`;
    case 'expectedString':
      return `Expected string, but found "${token()}".`;
    case 'invalidToken':
      return `Token "${token()}" is invalid.`;
    case 'codePointZero':
      return '\\u0000 cannot be converted to text.';
    case 'unicodeEscapeFormat':
      return '"\\u" must be followed by four hexadecimal digits.';
    case 'highSurrogate':
      return 'Unicode high surrogate must not follow a high surrogate.';
    case 'lowSurrogate':
      return 'Unicode low surrogate must follow a high surrogate.';
  }
}

/** PostgreSQL's report_json_context: the current line up to the failing token, at most ~50 bytes. */
function contextFor(lx: JsonLexer): string {
  const input = lx.input;
  const lineStart = lx.lineStart;
  let contextStart = lineStart;
  const contextEnd = lx.tokenTerminator;
  while (contextEnd - contextStart >= 50) contextStart += input[contextStart]! >= 0x80 ? utf8Length(input[contextStart]!) : 1;
  if (contextStart - lineStart <= 3) contextStart = lineStart;
  const prefix = contextStart > lineStart ? '...' : '';
  const next = input[contextEnd];
  const suffix = lx.tokenType !== Tok.End && contextEnd < input.length && next !== 0x0a && next !== 0x0d ? '...' : '';
  return `JSON data, line ${lx.lineNumber}: ${prefix}${utf8.decode(input.subarray(contextStart, contextEnd))}${suffix}`;
}

function parseJsonDocument(text: string, build: boolean): JsonbNode {
  const lexer = new JsonLexer(encodeUtf8(text), build);
  try {
    return new JsonParser(lexer, build).parseDocument();
  } catch (e) {
    if (!(e instanceof JsonLexFailure)) throw e;
    const detail = detailFor(e.kind, lexer);
    const where = contextFor(lexer);
    if (e.kind === 'codePointZero') {
      throw new SqlError('22P05', 'unsupported Unicode escape sequence', { detail, where });
    }
    throw new SqlError(SqlState.invalidTextRepresentation, 'invalid input syntax for type json', { detail, where });
  }
}

/** json_in: validates and keeps the text exactly as given. */
export function parseJson(text: string): string {
  parseJsonDocument(text, false);
  return text;
}

/** jsonb_in. */
export function parseJsonb(text: string): Jsonb {
  return new Jsonb(parseJsonDocument(text, true));
}

/** escape_json: quotes and escapes a string as json output does. */
export function quoteJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += ch < ' ' ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    }
  }
  return `${out}"`;
}

function isJsonbObject(n: JsonbNode): n is JsonbObject {
  return typeof n === 'object' && n !== null && !Array.isArray(n) && !(n instanceof Numeric);
}

/** jsonb_out: `{"a": 1, "b": [1, 2]}`. */
export function formatJsonb(doc: Jsonb): string {
  return formatNode(doc.root);
}

export function formatNode(n: JsonbNode): string {
  return serializeNode(n, false);
}

/**
 * Writes a document without recursion (documents nest up to JSON_MAX_DEPTH): jsonb_out's layout, or
 * with `canonical` a compact form whose numbers drop trailing zeros (for equality keys).
 */
function serializeNode(root: JsonbNode, canonical: boolean): string {
  const out: string[] = [];
  const itemSeparator = canonical ? ',' : ', ';
  const keySeparator = canonical ? ':' : ': ';
  const stack: Array<JsonbNode | { text: string }> = [root];
  const isText = (w: JsonbNode | { text: string }): w is { text: string } =>
    typeof w === 'object' && w !== null && !Array.isArray(w) && !(w instanceof Numeric) && 'text' in w;
  while (stack.length > 0) {
    const w = stack.pop()!;
    if (isText(w)) {
      out.push(w.text);
    } else if (w === null) {
      out.push('null');
    } else if (typeof w === 'boolean') {
      out.push(w ? 'true' : 'false');
    } else if (typeof w === 'string') {
      out.push(quoteJsonString(w));
    } else if (w instanceof Numeric) {
      out.push((canonical ? w.trimScale() : w).toString());
    } else if (Array.isArray(w)) {
      stack.push({ text: ']' });
      for (let k = w.length - 1; k >= 0; k--) {
        stack.push(w[k]!);
        if (k > 0) stack.push({ text: itemSeparator });
      }
      stack.push({ text: '[' });
    } else {
      const entries = w.entries;
      stack.push({ text: '}' });
      for (let k = entries.length - 1; k >= 0; k--) {
        stack.push(entries[k]![1]);
        stack.push({ text: `${quoteJsonString(entries[k]![0])}${keySeparator}` });
        if (k > 0) stack.push({ text: itemSeparator });
      }
      stack.push({ text: '{' });
    }
  }
  return out.join('');
}

/** jsonb's type order for values of different types: null < string < number < boolean < array < object. */
function typeRank(n: JsonbNode): number {
  if (n === null) return 0;
  if (typeof n === 'string') return 1;
  if (n instanceof Numeric) return 2;
  if (typeof n === 'boolean') return 3;
  if (Array.isArray(n)) return 4;
  return 5;
}

/** Strings compare bytewise here (the C collation, which is code point order). */
function compareCodePoints(a: string, b: string): number {
  const ab = encodeUtf8(a);
  const bb = encodeUtf8(b);
  const n = Math.min(ab.length, bb.length);
  for (let i = 0; i < n; i++) if (ab[i] !== bb[i]) return ab[i]! - bb[i]!;
  return ab.length - bb.length;
}

function compareNodes(a: JsonbNode, b: JsonbNode): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return compareCodePoints(a as string, b as string);
    case 2:
      return (a as Numeric).compare(b as Numeric);
    case 3:
      return a === b ? 0 : a ? 1 : -1;
    case 4: {
      const x = a as JsonbNode[];
      const y = b as JsonbNode[];
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const c = compareNodes(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return 0;
    }
    default: {
      const x = (a as JsonbObject).entries;
      const y = (b as JsonbObject).entries;
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const ck = compareCodePoints(x[i]![0], y[i]![0]);
        if (ck !== 0) return ck;
        const cv = compareNodes(x[i]![1], y[i]![1]);
        if (cv !== 0) return cv;
      }
      return 0;
    }
  }
}

/**
 * jsonb's btree order. At the top level a scalar is a one-element pseudo-array, which makes an
 * empty array sort before every scalar and a non-empty one after it (PostgreSQL's documented quirk).
 */
export function compareJsonb(a: Jsonb, b: Jsonb): number {
  const aScalar = typeRank(a.root) < 4;
  const bScalar = typeRank(b.root) < 4;
  if (aScalar !== bScalar) {
    const arr = (aScalar ? b.root : a.root) as JsonbNode[] | JsonbObject;
    if (Array.isArray(arr)) {
      const arrayVsScalar = arr.length === 0 ? -1 : 1;
      return aScalar ? -arrayVsScalar : arrayVsScalar;
    }
  }
  return compareNodes(a.root, b.root);
}

/** A string equal for jsonb values PostgreSQL's = finds equal (numbers compare by value). */
export function jsonbKey(n: JsonbNode): string {
  return serializeNode(n, true);
}
