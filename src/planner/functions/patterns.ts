/**
 * LIKE/ILIKE and POSIX regular expressions, compiled to JS RegExps and cached by pattern (patterns are
 * usually constants, evaluated once per row).
 */
import { SqlError, SqlState } from '../../errors.js';

const CACHE_LIMIT = 512;
const likeCache = new Map<string, (s: string) => boolean>();
const regexCache = new Map<string, RegExp>();

function remember<V>(cache: Map<string, V>, key: string, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, v);
  }
  return v;
}

/** A matcher for `s LIKE pattern ESCAPE escape` (escape '' disables escaping). */
export function likeMatcher(pattern: string, caseInsensitive: boolean, escape: string): (s: string) => boolean {
  return remember(likeCache, `${caseInsensitive ? 'i' : 's'}${escape}\u0000${pattern}`, () => {
    let re = '^';
    const chars = [...pattern];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (escape !== '' && c === escape) {
        const next = chars[++i];
        if (next === undefined) {
          throw new SqlError(SqlState.invalidEscapeSequence, 'LIKE pattern must not end with escape character');
        }
        re += escapeRegExp(next);
      } else if (c === '%') re += '[\\s\\S]*';
      else if (c === '_') re += '[\\s\\S]';
      else re += escapeRegExp(c);
    }
    const compiled = new RegExp(`${re}$`, caseInsensitive ? 'iu' : 'u');
    return (s: string) => compiled.test(s);
  });
}

function escapeRegExp(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** POSIX character classes that JS lacks, as PostgreSQL's (ASCII) meanings. */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

/** Translates the POSIX ARE syntax PostgreSQL uses into a JS RegExp source. */
function translateRegex(pattern: string): string {
  return pattern
    .replace(/\[:([a-z]+):\]/g, (m, name: string) => POSIX_CLASSES[name] ?? m)
    .replace(/\\m/g, '\\b(?=\\w)')
    .replace(/\\M/g, '\\b(?<=\\w)')
    .replace(/\\y/g, '\\b')
    .replace(/\\Y/g, '\\B');
}

/** A compiled POSIX regular expression; `flags` adds JS flags (g for global replace). */
export function compileRegex(pattern: string, caseInsensitive: boolean, extraFlags = ''): RegExp {
  return remember(regexCache, `${caseInsensitive ? 'i' : 's'}${extraFlags}\u0000${pattern}`, () => {
    try {
      return new RegExp(translateRegex(pattern), `${caseInsensitive ? 'i' : ''}${extraFlags}u`);
    } catch (e) {
      throw new SqlError(SqlState.invalidRegularExpression, `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
    }
  });
}

export function regexMatcher(pattern: string, caseInsensitive: boolean): (s: string) => boolean {
  const re = compileRegex(pattern, caseInsensitive);
  return (s: string) => re.test(s);
}

/** Parses regexp_* flag strings: i (insensitive), c (sensitive), g (global), n/s/m (newline), x ignored. */
export function regexFlags(flags: string): { insensitive: boolean; global: boolean } {
  let insensitive = false;
  let global = false;
  for (const f of flags) {
    if (f === 'i') insensitive = true;
    else if (f === 'c') insensitive = false;
    else if (f === 'g') global = true;
    else if (!'nspwmtx'.includes(f)) throw new SqlError(SqlState.invalidParameterValue, `invalid regular expression option: "${f}"`);
  }
  return { insensitive, global };
}
