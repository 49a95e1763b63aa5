/**
 * Java-style .properties files, as ScalarDB reads them: `key=value`, `key: value` or `key value`,
 * `#`/`!` comments, backslash line continuations and escapes; then `${NAME}` / `${NAME:-default}`
 * substitution from the environment, which the seed's scalardb.properties relies on.
 */
import { SqlError, SqlState } from '../errors.js';

export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // A line ending in an odd number of backslashes continues on the next one.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    const sep = findSeparator(line);
    const rawKey = sep === -1 ? line : line.slice(0, sep);
    let rest = sep === -1 ? '' : line.slice(sep);
    rest = rest.replace(/^[ \t\f]*[=:]?[ \t\f]*/, '');
    out.set(unescape(rawKey), unescape(rest));
  }
  return out;
}

function findSeparator(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') return i;
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[e] ?? e;
  });
}

/** Replaces `${NAME}` and `${NAME:-default}` in every value; a missing variable names the key. */
export function substituteEnvironment(
  props: Map<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of props) {
    out.set(
      key,
      value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
        const v = env[name];
        if (v !== undefined) return v;
        if (fallback !== undefined) return fallback;
        throw new SqlError(SqlState.configFileError, `configuration key "${key}" refers to environment variable ${name}, which is not set`);
      }),
    );
  }
  return out;
}
