/**
 * Arrays of any element type: PostgreSQL's text form (`{1,2}`, `{{1,2},{3,4}}`, `[0:1]={1,2}`,
 * quoting, NULL) and binary form (array_send/array_recv). Element values go through the element
 * type's own codec, passed in by codec.ts, so this one codec serves every element type.
 */
import { SqlError, SqlState } from '../errors.js';
import { BinaryReader, BinaryWriter, invalidBinary } from './binary.js';
import { isCSpace } from './scan.js';
import { SqlArray, type SqlValue } from './values.js';

/** PostgreSQL's MAXDIM. */
export const MAX_ARRAY_DIMENSIONS = 6;
/** MaxArraySize: the most elements an array may hold. */
export const MAX_ARRAY_ELEMENTS = 134217727;

export interface ElementCodec {
  parse(text: string): SqlValue;
  format(value: SqlValue): string;
}

function malformed(text: string, detail: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `malformed array literal: "${text}"`, { detail });
}

interface Level {
  items: Array<Level | { text: string; isNull: boolean }>;
}

/** array_in. `delimiter` is the element type's typdelim. */
export function parseArrayText(text: string, elementOid: number, delimiter: string, element: ElementCodec): SqlArray {
  let i = 0;
  const n = text.length;
  const skipSpace = (): void => {
    while (i < n && isCSpace(text[i])) i++;
  };
  skipSpace();
  let explicitDims: number[] | null = null;
  let explicitLower: number[] | null = null;
  if (text[i] === '[') {
    explicitDims = [];
    explicitLower = [];
    while (text[i] === '[') {
      i++;
      skipSpace();
      const first = /^[+-]?\d+/.exec(text.slice(i));
      if (!first) throw malformed(text, 'Missing array dimension value.');
      i += first[0].length;
      skipSpace();
      let lower = 1;
      let upper = Number(first[0]);
      if (text[i] === ':') {
        i++;
        skipSpace();
        const second = /^[+-]?\d+/.exec(text.slice(i));
        if (!second) throw malformed(text, 'Missing array dimension value.');
        i += second[0].length;
        skipSpace();
        lower = upper;
        upper = Number(second[0]);
      }
      if (text[i] !== ']') throw malformed(text, 'Missing "]" after array dimensions.');
      i++;
      if (upper < lower) throw new SqlError(SqlState.arraySubscriptError, 'upper bound cannot be less than lower bound');
      if (explicitDims.length >= MAX_ARRAY_DIMENSIONS) {
        throw new SqlError(SqlState.programLimitExceeded, `number of array dimensions (${explicitDims.length + 1}) exceeds the maximum allowed (${MAX_ARRAY_DIMENSIONS})`);
      }
      explicitDims.push(upper - lower + 1);
      explicitLower.push(lower);
      skipSpace();
    }
    if (text[i] !== '=') throw malformed(text, 'Missing "=" after array dimensions.');
    i++;
    skipSpace();
  }
  if (text[i] !== '{') throw malformed(text, 'Array value must start with "{" or dimension information.');

  const parseLevel = (depth: number): Level => {
    if (depth > MAX_ARRAY_DIMENSIONS) {
      throw new SqlError(SqlState.programLimitExceeded, `number of array dimensions (${depth}) exceeds the maximum allowed (${MAX_ARRAY_DIMENSIONS})`);
    }
    i++; // '{'
    const level: Level = { items: [] };
    skipSpace();
    if (text[i] === '}') {
      // Only the outermost braces may be empty.
      if (depth > 1) throw malformed(text, 'Unexpected "}" character.');
      i++;
      return level;
    }
    for (;;) {
      skipSpace();
      const c = text[i];
      if (c === undefined) throw malformed(text, 'Unexpected end of input.');
      if (c === '{') {
        if (level.items.length > 0 && !('items' in level.items[0]!)) throw malformed(text, 'Unexpected "{" character.');
        level.items.push(parseLevel(depth + 1));
      } else if (c === '}' || c === delimiter) {
        throw malformed(text, `Unexpected "${c}" character.`);
      } else {
        if (level.items.length > 0 && 'items' in level.items[0]!) throw malformed(text, 'Unexpected array element.');
        level.items.push(readElement());
      }
      skipSpace();
      const after = text[i];
      if (after === undefined) throw malformed(text, 'Unexpected end of input.');
      if (after === '}') {
        i++;
        return level;
      }
      if (after !== delimiter) {
        throw malformed(text, after === '{' ? 'Unexpected "{" character.' : 'Unexpected array element.');
      }
      i++;
    }
  };

  /** One element: quoted ("..." with \ escapes) or unquoted (trimmed; \ escapes; NULL). */
  const readElement = (): { text: string; isNull: boolean } => {
    let out = '';
    let quotedOrEscaped = false;
    if (text[i] === '"') {
      i++;
      quotedOrEscaped = true;
      for (;;) {
        const c = text[i];
        if (c === undefined) throw malformed(text, 'Unexpected end of input.');
        if (c === '\\') {
          const next = text[i + 1];
          if (next === undefined) throw malformed(text, 'Unexpected end of input.');
          out += next;
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          out += c;
          i++;
        }
      }
      return { text: out, isNull: false };
    }
    // Unquoted: up to the delimiter or a brace; trailing spaces are dropped, escaped ones kept.
    let keptLength = 0;
    for (;;) {
      const c = text[i];
      if (c === undefined) throw malformed(text, 'Unexpected end of input.');
      if (c === delimiter || c === '}' ) break;
      if (c === '{' || c === '"') throw malformed(text, 'Unexpected array element.');
      if (c === '\\') {
        const next = text[i + 1];
        if (next === undefined) throw malformed(text, 'Unexpected end of input.');
        out += next;
        quotedOrEscaped = true;
        i += 2;
        keptLength = out.length;
      } else {
        out += c;
        i++;
        if (!isCSpace(c)) keptLength = out.length;
      }
    }
    out = out.slice(0, keptLength);
    return { text: out, isNull: !quotedOrEscaped && out.toUpperCase() === 'NULL' };
  };

  const root = parseLevel(1);
  skipSpace();
  if (i < n) throw malformed(text, 'Junk after closing right brace.');

  // Dimensions from the nesting; every sub-array of a level must have the same length.
  const dims: number[] = [];
  const flat: Array<{ text: string; isNull: boolean }> = [];
  const walk = (level: Level, depth: number): void => {
    if (dims.length <= depth) {
      if (depth > 0 && level.items.length === 0) throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
      dims.push(level.items.length);
    } else if (dims[depth] !== level.items.length) {
      throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
    }
    for (const item of level.items) {
      if ('items' in item) walk(item, depth + 1);
      else {
        if (depth + 1 !== dims.length && dims.length > depth + 1) {
          throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
        }
        flat.push(item);
      }
    }
  };
  if (root.items.length === 0) {
    if (explicitDims && explicitDims.some((d) => d !== 0)) throw malformed(text, 'Specified array dimensions do not match array contents.');
    return new SqlArray(elementOid, [], [], []);
  }
  walk(root, 0);
  const total = dims.reduce((a, b) => a * b, 1);
  if (total !== flat.length) throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
  if (total > MAX_ARRAY_ELEMENTS) throw new SqlError(SqlState.programLimitExceeded, `array size exceeds the maximum allowed (${MAX_ARRAY_ELEMENTS})`);
  if (explicitDims) {
    if (explicitDims.length !== dims.length || explicitDims.some((d, k) => d !== dims[k])) {
      throw malformed(text, 'Specified array dimensions do not match array contents.');
    }
  }
  const elements = flat.map((e) => (e.isNull ? null : element.parse(e.text)));
  return new SqlArray(elementOid, elements, dims, explicitLower ?? dims.map(() => 1));
}

/** Whether array_out must quote an element's text. */
function needsQuotes(s: string, delimiter: string): boolean {
  if (s === '' || s.toUpperCase() === 'NULL') return true;
  for (const ch of s) {
    if (ch === '"' || ch === '\\' || ch === '{' || ch === '}' || ch === delimiter || isCSpace(ch)) return true;
  }
  return false;
}

/** array_out. */
export function formatArrayText(arr: SqlArray, delimiter: string, element: ElementCodec): string {
  if (arr.dims.length === 0 || arr.elements.length === 0) return '{}';
  let prefix = '';
  if (arr.lowerBounds.some((lb) => lb !== 1)) {
    prefix = `${arr.dims.map((d, k) => `[${arr.lowerBounds[k]!}:${arr.lowerBounds[k]! + d - 1}]`).join('')}=`;
  }
  const parts = arr.elements.map((v) => {
    if (v === null) return 'NULL';
    const s = element.format(v);
    return needsQuotes(s, delimiter) ? `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"` : s;
  });
  let k = 0;
  const build = (depth: number): string => {
    const count = arr.dims[depth]!;
    const items: string[] = [];
    for (let j = 0; j < count; j++) items.push(depth === arr.dims.length - 1 ? parts[k++]! : build(depth + 1));
    return `{${items.join(delimiter)}}`;
  };
  return prefix + build(0);
}

export interface BinaryElementCodec {
  encode(value: SqlValue): Uint8Array;
  decode(bytes: Uint8Array): SqlValue;
}

/** array_send. */
export function encodeArrayBinary(arr: SqlArray, element: BinaryElementCodec): Uint8Array {
  const w = new BinaryWriter(64);
  const ndim = arr.dims.length;
  w.int32(ndim).int32(arr.elements.some((e) => e === null) ? 1 : 0).uint32(arr.elementOid);
  for (let k = 0; k < ndim; k++) w.int32(arr.dims[k]!).int32(arr.lowerBounds[k]!);
  for (const v of arr.elements) {
    if (v === null) w.int32(-1);
    else {
      const b = element.encode(v);
      w.int32(b.byteLength).bytes(b);
    }
  }
  return w.finish();
}

/** array_recv: validates the header against the expected element type. */
export function decodeArrayBinary(bytes: Uint8Array, elementOid: number, element: BinaryElementCodec, elementTypeName: (oid: number) => string): SqlArray {
  const r = new BinaryReader(bytes);
  const ndim = r.int32();
  if (ndim < 0) throw invalidBinary(`invalid number of dimensions: ${ndim}`);
  if (ndim > MAX_ARRAY_DIMENSIONS) {
    throw new SqlError(SqlState.programLimitExceeded, `number of array dimensions (${ndim}) exceeds the maximum allowed (${MAX_ARRAY_DIMENSIONS})`);
  }
  const flags = r.int32();
  if (flags !== 0 && flags !== 1) throw invalidBinary('invalid array flags');
  const got = r.uint32();
  if (got !== elementOid) {
    throw new SqlError(SqlState.datatypeMismatch, `binary data has array element type ${got} (${elementTypeName(got)}) instead of expected ${elementOid} (${elementTypeName(elementOid)})`);
  }
  const dims: number[] = [];
  const lowerBounds: number[] = [];
  let total = ndim === 0 ? 0 : 1;
  for (let k = 0; k < ndim; k++) {
    const d = r.int32();
    const lb = r.int32();
    if (d < 0) throw invalidBinary('invalid array dimensions');
    if (lb + d - 1 > 2147483647) throw new SqlError(SqlState.programLimitExceeded, 'array upper bound is too large');
    dims.push(d);
    lowerBounds.push(lb);
    total *= d;
    if (total > MAX_ARRAY_ELEMENTS) throw new SqlError(SqlState.programLimitExceeded, `array size exceeds the maximum allowed (${MAX_ARRAY_ELEMENTS})`);
  }
  const elements: SqlValue[] = [];
  for (let k = 0; k < total; k++) {
    const len = r.int32();
    if (len === -1) {
      elements.push(null);
      continue;
    }
    if (len < 0) throw invalidBinary('insufficient data left in message');
    const chunk = r.take(len);
    try {
      elements.push(element.decode(chunk));
    } catch (e) {
      if (e instanceof SqlError && e.code === SqlState.invalidBinaryRepresentation) {
        throw invalidBinary(`improper binary format in array element ${k + 1}`);
      }
      throw e;
    }
  }
  r.end();
  if (total === 0) return new SqlArray(elementOid, [], [], []);
  return new SqlArray(elementOid, elements, dims, lowerBounds);
}
