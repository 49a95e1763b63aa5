/** The string functions (lengths count characters, as PostgreSQL does in UTF8). */
import { createHash } from 'node:crypto';
import { SqlError, SqlState } from '../../errors.js';
import { Oid } from '../../types/oids.js';
import { formatText } from '../../types/codec.js';
import { SqlArray, type SqlValue } from '../../types/values.js';
import { BUILTINS as R } from './registry.js';
import { compileRegex, regexFlags } from './patterns.js';
import { quoteIdentifierIfNeeded } from '../settings.js';

function chars(s: string): string[] {
  return [...s];
}

const str = (v: SqlValue | undefined): string => v as string;
const int = (v: SqlValue | undefined): number => v as number;

R.fn('length', ['text'], 'int4', ([s]) => chars(str(s)).length);
R.fn('length', ['bpchar'], 'int4', ([s]) => chars(str(s).replace(/ +$/, '')).length);
R.fn('length', ['bytea'], 'int4', ([b]) => (b as Uint8Array).length);
R.fn('char_length', ['text'], 'int4', ([s]) => chars(str(s)).length);
R.fn('char_length', ['bpchar'], 'int4', ([s]) => chars(str(s).replace(/ +$/, '')).length);
R.fn('character_length', ['text'], 'int4', ([s]) => chars(str(s)).length);
R.fn('octet_length', ['text'], 'int4', ([s]) => Buffer.byteLength(str(s), 'utf8'));
R.fn('octet_length', ['bytea'], 'int4', ([b]) => (b as Uint8Array).length);
R.fn('bit_length', ['text'], 'int4', ([s]) => Buffer.byteLength(str(s), 'utf8') * 8);
R.fn('lower', ['text'], 'text', ([s]) => str(s).toLowerCase());
R.fn('upper', ['text'], 'text', ([s]) => str(s).toUpperCase());
R.fn('initcap', ['text'], 'text', ([s]) => str(s).toLowerCase().replace(/(^|[^a-zA-Z0-9])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()));

function substring(s: string, start: number, count: number | null): string {
  const cs = chars(s);
  if (count !== null && count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const from = start - 1;
  const to = count === null ? cs.length : from + count;
  return cs.slice(Math.max(0, from), Math.max(0, to)).join('');
}
R.fn('substr', ['text', 'int4'], 'text', ([s, f]) => substring(str(s), int(f), null));
R.fn('substr', ['text', 'int4', 'int4'], 'text', ([s, f, n]) => substring(str(s), int(f), int(n)));
R.fn('substring', ['text', 'int4'], 'text', ([s, f]) => substring(str(s), int(f), null));
R.fn('substring', ['text', 'int4', 'int4'], 'text', ([s, f, n]) => substring(str(s), int(f), int(n)));
R.fn('substring', ['text', 'text'], 'text', ([s, p]) => {
  const m = compileRegex(str(p), false).exec(str(s));
  if (!m) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
});
R.fn('substr', ['bytea', 'int4', 'int4'], 'bytea', ([b, f, n]) => (b as Uint8Array).subarray(Math.max(0, int(f) - 1), Math.max(0, int(f) - 1 + int(n))));
R.fn('substring', ['bytea', 'int4', 'int4'], 'bytea', ([b, f, n]) => (b as Uint8Array).subarray(Math.max(0, int(f) - 1), Math.max(0, int(f) - 1 + int(n))));

function position(s: string, sub: string): number {
  const i = s.indexOf(sub);
  return i < 0 ? 0 : chars(s.slice(0, i)).length + 1;
}
R.fn('strpos', ['text', 'text'], 'int4', ([s, sub]) => position(str(s), str(sub)));
R.fn('position', ['text', 'text'], 'int4', ([s, sub]) => position(str(s), str(sub)));

function trimChars(s: string, set: string, leading: boolean, trailing: boolean): string {
  const cs = chars(s);
  const drop = new Set(chars(set));
  let a = 0;
  let b = cs.length;
  if (leading) while (a < b && drop.has(cs[a]!)) a++;
  if (trailing) while (b > a && drop.has(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
}
R.fn('btrim', ['text'], 'text', ([s]) => trimChars(str(s), ' ', true, true));
R.fn('btrim', ['text', 'text'], 'text', ([s, c]) => trimChars(str(s), str(c), true, true));
R.fn('ltrim', ['text'], 'text', ([s]) => trimChars(str(s), ' ', true, false));
R.fn('ltrim', ['text', 'text'], 'text', ([s, c]) => trimChars(str(s), str(c), true, false));
R.fn('rtrim', ['text'], 'text', ([s]) => trimChars(str(s), ' ', false, true));
R.fn('rtrim', ['text', 'text'], 'text', ([s, c]) => trimChars(str(s), str(c), false, true));

function pad(s: string, length: number, fill: string, left: boolean): string {
  const cs = chars(s);
  if (length <= cs.length) return cs.slice(0, Math.max(0, length)).join('');
  const f = chars(fill);
  if (f.length === 0) return s;
  const padding: string[] = [];
  for (let i = 0; padding.length < length - cs.length; i++) padding.push(f[i % f.length]!);
  return left ? padding.join('') + s : s + padding.join('');
}
R.fn('lpad', ['text', 'int4'], 'text', ([s, n]) => pad(str(s), int(n), ' ', true));
R.fn('lpad', ['text', 'int4', 'text'], 'text', ([s, n, f]) => pad(str(s), int(n), str(f), true));
R.fn('rpad', ['text', 'int4'], 'text', ([s, n]) => pad(str(s), int(n), ' ', false));
R.fn('rpad', ['text', 'int4', 'text'], 'text', ([s, n, f]) => pad(str(s), int(n), str(f), false));
R.fn('replace', ['text', 'text', 'text'], 'text', ([s, a, b]) => (str(a) === '' ? str(s) : str(s).split(str(a)).join(str(b))));
R.fn('repeat', ['text', 'int4'], 'text', ([s, n]) => {
  const count = Math.max(0, int(n));
  if (str(s).length * count > 256 * 1024 * 1024) throw new SqlError(SqlState.programLimitExceeded, 'requested length too large');
  return str(s).repeat(count);
});
R.fn('reverse', ['text'], 'text', ([s]) => chars(str(s)).reverse().join(''));
R.fn('left', ['text', 'int4'], 'text', ([s, n]) => {
  const cs = chars(str(s));
  return (int(n) >= 0 ? cs.slice(0, int(n)) : cs.slice(0, Math.max(0, cs.length + int(n)))).join('');
});
R.fn('right', ['text', 'int4'], 'text', ([s, n]) => {
  const cs = chars(str(s));
  return (int(n) >= 0 ? cs.slice(Math.max(0, cs.length - int(n))) : cs.slice(-int(n))).join('');
});
R.fn('split_part', ['text', 'text', 'int4'], 'text', ([s, d, n]) => {
  const index = int(n);
  if (index === 0) throw new SqlError(SqlState.invalidParameterValue, 'field position must not be zero');
  const parts = str(d) === '' ? [str(s)] : str(s).split(str(d));
  const i = index > 0 ? index - 1 : parts.length + index;
  return parts[i] ?? '';
});
R.fn('starts_with', ['text', 'text'], 'bool', ([s, p]) => str(s).startsWith(str(p)));
R.fn('ascii', ['text'], 'int4', ([s]) => str(s).codePointAt(0) ?? 0);
R.fn('chr', ['int4'], 'text', ([n]) => {
  if (int(n) === 0) throw new SqlError(SqlState.programLimitExceeded, 'null character not permitted');
  if (int(n) < 0 || int(n) > 0x10ffff) throw new SqlError(SqlState.programLimitExceeded, 'requested character too large for encoding: ' + int(n));
  return String.fromCodePoint(int(n));
});
R.fn('md5', ['text'], 'text', ([s]) => createHash('md5').update(str(s), 'utf8').digest('hex'));
R.fn('md5', ['bytea'], 'text', ([b]) => createHash('md5').update(b as Uint8Array).digest('hex'));
R.fn('sha256', ['bytea'], 'bytea', ([b]) => createHash('sha256').update(b as Uint8Array).digest());
R.fn('to_hex', ['int4'], 'text', ([n]) => (int(n) >>> 0).toString(16));
R.fn('to_hex', ['int8'], 'text', ([n]) => BigInt.asUintN(64, n as bigint).toString(16));
R.fn('translate', ['text', 'text', 'text'], 'text', ([s, from, to]) => {
  const f = chars(str(from));
  const t = chars(str(to));
  return chars(str(s))
    .map((c) => {
      const i = f.indexOf(c);
      return i < 0 ? c : (t[i] ?? '');
    })
    .join('');
});
R.fn('quote_ident', ['text'], 'text', ([s]) => quoteIdentifierIfNeeded(str(s)));
R.fn('quote_literal', ['text'], 'text', ([s]) => quoteLiteral(str(s)));
R.fn('quote_literal', ['anyelement'], 'text', ([v], ctx, types) => quoteLiteral(formatText(types[0]!.oid, v!, ctx.codec)));
R.fn('quote_nullable', ['text'], 'text', ([s]) => (s === null ? 'NULL' : quoteLiteral(str(s))), { strict: false });
R.fn('quote_nullable', ['anyelement'], 'text', ([v], ctx, types) => (v === null ? 'NULL' : quoteLiteral(formatText(types[0]!.oid, v!, ctx.codec))), { strict: false });

function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

R.fn('concat', ['any'], 'text', (args, ctx, types) => args.map((v, i) => (v === null ? '' : formatText(types[i]!.oid, v, ctx.codec))).join(''), { strict: false, variadic: true, volatility: 's' });
R.fn('concat_ws', ['text', 'any'], 'text', (args, ctx, types) => {
  if (args[0] === null) return null;
  return args
    .slice(1)
    .map((v, i) => (v === null ? null : formatText(types[i + 1]!.oid, v, ctx.codec)))
    .filter((x): x is string => x !== null)
    .join(str(args[0]));
}, { strict: false, variadic: true, volatility: 's' });

/** format(): %s, %I, %L with optional position (n$), width and - flag. */
R.fn('format', ['text', 'any'], 'text', (args, ctx, types) => {
  if (args[0] === null) return null;
  const fmt = str(args[0]);
  let next = 1;
  return fmt.replace(/%(?:(\d+)\$)?(-)?(\d+)?([sIL%])/g, (_m, pos: string | undefined, minus: string | undefined, width: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const index = pos ? Number(pos) : next++;
    if (index >= args.length) throw new SqlError(SqlState.invalidParameterValue, 'too few arguments for format()');
    const v = args[index]!;
    const text = v === null ? null : formatText(types[index]!.oid, v, ctx.codec);
    let out: string;
    if (conv === 's') out = text ?? '';
    else if (conv === 'I') {
      if (text === null) throw new SqlError(SqlState.nullValueNotAllowed, 'null values cannot be formatted as an SQL identifier');
      out = quoteIdentifierIfNeeded(text);
    } else out = text === null ? 'NULL' : quoteLiteral(text);
    const w = width ? Number(width) : 0;
    return out.length >= w ? out : minus ? out.padEnd(w) : out.padStart(w);
  });
}, { strict: false, variadic: true, volatility: 's' });
R.fn('format', ['text'], 'text', ([f]) => str(f).replace(/%%/g, '%'));

R.fn('regexp_replace', ['text', 'text', 'text'], 'text', ([s, p, r]) => str(s).replace(compileRegex(str(p), false), jsReplacement(str(r))));
R.fn('regexp_replace', ['text', 'text', 'text', 'text'], 'text', ([s, p, r, f]) => {
  const { insensitive, global } = regexFlags(str(f));
  return str(s).replace(compileRegex(str(p), insensitive, global ? 'g' : ''), jsReplacement(str(r)));
});
R.fn('regexp_match', ['text', 'text'], '_text', ([s, p]) => regexpMatch(str(s), str(p), ''));
R.fn('regexp_match', ['text', 'text', 'text'], '_text', ([s, p, f]) => regexpMatch(str(s), str(p), str(f)));
R.fn('regexp_like', ['text', 'text'], 'bool', ([s, p]) => compileRegex(str(p), false).test(str(s)));
R.fn('regexp_like', ['text', 'text', 'text'], 'bool', ([s, p, f]) => compileRegex(str(p), regexFlags(str(f)).insensitive).test(str(s)));
R.fn('regexp_count', ['text', 'text'], 'int4', ([s, p]) => [...str(s).matchAll(compileRegex(str(p), false, 'g'))].length);

function regexpMatch(s: string, p: string, flags: string): SqlValue {
  const m = compileRegex(p, regexFlags(flags).insensitive).exec(s);
  if (!m) return null;
  const groups = m.length > 1 ? m.slice(1) : [m[0]];
  return new SqlArray(Oid.text, groups.map((g) => g ?? null));
}

/** PostgreSQL replacement strings use \1..\9 and \&; JS uses $1 and $&. */
function jsReplacement(r: string): string {
  return r.replace(/\$/g, '$$$$').replace(/\\(\d|&|\\)/g, (_m, c: string) => (c === '&' ? '$&' : c === '\\' ? '\\' : `$${c}`));
}

R.fn('string_to_array', ['text', 'text'], '_text', ([s, d]) => new SqlArray(Oid.text, splitToArray(str(s), d === null ? null : str(d))), { strict: false });
R.fn('string_to_array', ['text', 'text', 'text'], '_text', ([s, d, n]) => {
  if (s === null) return null;
  const parts = splitToArray(str(s), d === null ? null : str(d));
  return new SqlArray(Oid.text, n === null ? parts : parts.map((x) => (x === str(n) ? null : x)));
}, { strict: false });

function splitToArray(s: string | null, d: string | null): Array<string | null> {
  if (s === null) return [];
  if (s === '') return [];
  if (d === null) return chars(s);
  if (d === '') return [s];
  return s.split(d);
}
R.fn('array_to_string', ['anyarray', 'text'], 'text', ([a, d], ctx) => {
  const arr = a as SqlArray;
  return arr.elements.filter((e) => e !== null).map((e) => formatText(arr.elementOid, e!, ctx.codec)).join(str(d));
}, { volatility: 's' });
R.fn('array_to_string', ['anyarray', 'text', 'text'], 'text', ([a, d, n], ctx) => {
  if (a === null || d === null) return null;
  const arr = a as SqlArray;
  return arr.elements
    .filter((e) => e !== null || n !== null)
    .map((e) => (e === null ? str(n) : formatText(arr.elementOid, e, ctx.codec)))
    .join(str(d));
}, { strict: false, volatility: 's' });

R.fn('encode', ['bytea', 'text'], 'text', ([b, f]) => {
  const fmt = str(f).toLowerCase();
  const buf = Buffer.from(b as Uint8Array);
  if (fmt === 'hex') return buf.toString('hex');
  if (fmt === 'base64') return (buf.toString('base64').match(/.{1,76}/g) ?? ['']).join('\n');
  if (fmt === 'escape') return [...buf].map((x) => (x === 92 ? '\\\\' : x < 32 || x > 126 ? `\\${x.toString(8).padStart(3, '0')}` : String.fromCharCode(x))).join('');
  throw new SqlError(SqlState.invalidParameterValue, `unrecognized encoding: "${str(f)}"`);
});
R.fn('decode', ['text', 'text'], 'bytea', ([s, f]) => {
  const fmt = str(f).toLowerCase();
  if (fmt === 'hex') {
    if (!/^([0-9a-fA-F]{2})*$/.test(str(s))) throw new SqlError(SqlState.invalidParameterValue, 'invalid hexadecimal data: odd number of digits');
    return Buffer.from(str(s), 'hex');
  }
  if (fmt === 'base64') return Buffer.from(str(s).replace(/\s+/g, ''), 'base64');
  throw new SqlError(SqlState.invalidParameterValue, `unrecognized encoding: "${str(f)}"`);
});

/** SIMILAR TO's pattern as a POSIX regular expression (PostgreSQL's similar_to_escape). */
function similarToRegex(pattern: string, escape: string | null): string {
  let out = '^(?:';
  let inBracket = false;
  const cs = chars(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (escape !== null && c === escape) {
      const next = cs[++i];
      if (next === undefined) throw new SqlError(SqlState.invalidEscapeSequence, 'invalid escape string');
      out += /[a-zA-Z0-9]/.test(next) ? next : `\\${next}`;
    } else if (inBracket) {
      if (c === ']') inBracket = false;
      out += c;
    } else if (c === '[') {
      inBracket = true;
      out += c;
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (c === '.' || c === '^' || c === '$') out += `\\${c}`;
    else out += c;
  }
  return `${out})$`;
}
R.fn('similar_to_escape', ['text'], 'text', ([p]) => similarToRegex(str(p), '\\'));
R.fn('similar_to_escape', ['text', 'text'], 'text', ([p, e]) => similarToRegex(str(p), str(e) === '' ? null : str(e)));
R.fn('like_escape', ['text', 'text'], 'text', ([p]) => str(p));
