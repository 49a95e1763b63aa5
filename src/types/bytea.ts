/** bytea text forms: hex (`\x0102`) and escape (`\001\\abc`), in and out. */
import { SqlError, SqlState } from '../errors.js';
import { encodeUtf8 } from './binary.js';

const HEX_DIGITS = '0123456789abcdef';

function hexValue(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** byteain. */
export function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) return parseHex(text.slice(2));
  return parseEscape(text);
}

function parseHex(hex: string): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < hex.length) {
    const ch = hex[i]!;
    // hex_decode skips these four, not every isspace() character.
    if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    const hi = hexValue(ch);
    if (hi < 0) throw new SqlError(SqlState.invalidParameterValue, `invalid hexadecimal digit: "${String.fromCodePoint(hex.codePointAt(i)!)}"`);
    const next = hex[i + 1];
    if (next === undefined) throw new SqlError(SqlState.invalidParameterValue, 'invalid hexadecimal data: odd number of digits');
    const lo = hexValue(next);
    if (lo < 0) throw new SqlError(SqlState.invalidParameterValue, `invalid hexadecimal digit: "${String.fromCodePoint(hex.codePointAt(i + 1)!)}"`);
    out.push(hi * 16 + lo);
    i += 2;
  }
  return Uint8Array.from(out);
}

function parseEscape(text: string): Uint8Array {
  const src = encodeUtf8(text);
  const out: number[] = [];
  const isOctal = (b: number | undefined): boolean => b !== undefined && b >= 48 && b <= 55;
  for (let i = 0; i < src.length; ) {
    const b = src[i]!;
    if (b !== 0x5c) {
      out.push(b);
      i++;
    } else if (src[i + 1] === 0x5c) {
      out.push(0x5c);
      i += 2;
    } else if (src[i + 1] !== undefined && src[i + 1]! >= 48 && src[i + 1]! <= 51 && isOctal(src[i + 2]) && isOctal(src[i + 3])) {
      out.push((src[i + 1]! - 48) * 64 + (src[i + 2]! - 48) * 8 + (src[i + 3]! - 48));
      i += 4;
    } else {
      throw new SqlError(SqlState.invalidTextRepresentation, 'invalid input syntax for type bytea');
    }
  }
  return Uint8Array.from(out);
}

/** byteaout under bytea_output = hex | escape. */
export function formatBytea(bytes: Uint8Array, output: string): string {
  if (output === 'escape') {
    let s = '';
    for (const b of bytes) {
      if (b === 0x5c) s += '\\\\';
      else if (b < 0x20 || b > 0x7e) s += `\\${b.toString(8).padStart(3, '0')}`;
      else s += String.fromCharCode(b);
    }
    return s;
  }
  let s = '\\x';
  for (const b of bytes) s += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  return s;
}
