/**
 * character varying(n), character(n), name and "char": the length rules of their input functions and
 * of the length-coercion casts. Lengths count characters (code points), as PostgreSQL does in UTF8.
 */
import { SqlError, SqlState } from '../errors.js';
import { charTypmodLength } from './registry.js';
import { encodeUtf8 } from './binary.js';

/** NAMEDATALEN - 1: the longest name in bytes. */
export const NAME_MAX_BYTES = 63;

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** The first `count` code points of `s`. */
function codePointPrefix(s: string, count: number): string {
  let i = 0;
  for (let n = 0; n < count && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return s.slice(0, i);
}

function tooLong(typeText: string): SqlError {
  return new SqlError(SqlState.stringDataRightTruncation, `value too long for type ${typeText}`);
}

/**
 * Fits `value` to varchar(n)/character(n) as an input function or an implicit/assignment cast does:
 * excess characters must all be spaces (they are cut), else 22001. `explicit` casts cut silently.
 * character(n) is then padded with spaces to n.
 */
export function fitCharLength(kind: 'varchar' | 'bpchar', value: string, typmod: number, explicit = false): string {
  const max = charTypmodLength(typmod);
  if (max < 0) return value;
  let out = value;
  const length = codePointLength(value);
  if (length > max) {
    const kept = codePointPrefix(value, max);
    if (!explicit && !/^ *$/.test(value.slice(kept.length))) {
      throw tooLong(kind === 'varchar' ? `character varying(${max})` : `character(${max})`);
    }
    out = kept;
  } else if (kind === 'bpchar' && length < max) {
    out = value + ' '.repeat(max - length);
  }
  return out;
}

/** namein: cut to 63 bytes without splitting a character. */
export function parseName(text: string): string {
  const bytes = encodeUtf8(text);
  if (bytes.length <= NAME_MAX_BYTES) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = encodeUtf8(ch).length;
    if (used + size > NAME_MAX_BYTES) break;
    out += ch;
    used += size;
  }
  return out;
}

/**
 * "char" holds one byte. polygres keeps it as a string of one character whose code is the byte
 * (0 is the empty string), so bytes >= 128 survive although they are not valid UTF-8 alone.
 */
export function parseChar(text: string): string {
  const octal = /^\\([0-7])([0-7])([0-7])$/.exec(text);
  let byte: number;
  if (octal) byte = (Number(octal[1]) * 64 + Number(octal[2]) * 8 + Number(octal[3])) & 0xff;
  else byte = text === '' ? 0 : encodeUtf8(text)[0]!;
  return charFromByte(byte);
}

export function charFromByte(byte: number): string {
  return byte === 0 ? '' : String.fromCharCode(byte);
}

export function charToByte(value: string): number {
  return value === '' ? 0 : value.charCodeAt(0) & 0xff;
}

/** charout: bytes with the high bit set print as \ooo. */
export function formatChar(value: string): string {
  const byte = charToByte(value);
  if (byte === 0) return '';
  if (byte >= 0x80) return `\\${byte.toString(8).padStart(3, '0')}`;
  return String.fromCharCode(byte);
}
