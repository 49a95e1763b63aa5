/** uuid text and binary forms. Values are kept as the lowercase canonical 8-4-4-4-12 string. */
import { SqlError, SqlState } from '../errors.js';
import { invalidBinary } from './binary.js';

const HEX_PAIR = /^[0-9a-fA-F]{2}/;

/**
 * uuid_in: 32 hex digits, optionally in braces, with an optional hyphen after any group of four
 * digits (not after the last). No surrounding spaces.
 */
export function parseUuid(text: string): string {
  const fail = (): SqlError => new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type uuid: "${text}"`);
  let i = 0;
  const braces = text[0] === '{';
  if (braces) i++;
  let hex = '';
  for (let byte = 0; byte < 16; byte++) {
    const pair = HEX_PAIR.exec(text.slice(i, i + 2));
    if (!pair) throw fail();
    hex += pair[0].toLowerCase();
    i += 2;
    if (text[i] === '-' && byte % 2 === 1 && byte < 15) i++;
  }
  if (braces) {
    if (text[i] !== '}') throw fail();
    i++;
  }
  if (i !== text.length) throw fail();
  return canonicalUuid(hex);
}

function canonicalUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function uuidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw invalidBinary();
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return canonicalUuid(hex);
}
