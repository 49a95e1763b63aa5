/**
 * COPY's options, read and checked as PostgreSQL's ProcessCopyOptions does: the same option names
 * (the old `WITH CSV HEADER ...` syntax reaches here as the same DefElems, the grammar rewrites
 * it), the same defaults, and the same checks in the same order with the same SQLSTATEs and
 * messages, so a client sees the error PostgreSQL would give first.
 */
import type { CopyStmt, DefElem, Node } from '@pgsql/types';
import { SqlError, SqlState } from '../errors.js';
import type { CopyFormat } from '../wire/backend.js';
import { defElemText, nodeAs, nodeTag, stringList } from './analyze/ast.js';
import { charPosition } from './parser.js';

export interface CopyOptions {
  readonly format: CopyFormat;
  /** One byte (text and CSV). */
  readonly delimiter: string;
  /** The text that stands for NULL: `\N` in text, the empty string in CSV. */
  readonly nullString: string;
  /** A header line: written by COPY TO, skipped (or checked, 'match') by COPY FROM. */
  readonly header: boolean | 'match';
  /** CSV only; one byte each. */
  readonly quote: string;
  readonly escape: string;
  /** CSV COPY TO: '*' or column names whose non-null values are always quoted. */
  readonly forceQuote: '*' | readonly string[];
  /** CSV COPY FROM: columns whose unquoted null string is read as that string. */
  readonly forceNotNull: readonly string[];
  /** CSV COPY FROM: columns whose null string is NULL even when quoted. */
  readonly forceNull: readonly string[];
}

/** Encoding names PostgreSQL knows (pg_char_to_encoding), compared without punctuation or case. */
const KNOWN_ENCODINGS = new Set(
  [
    'sql_ascii', 'eucjp', 'euccn', 'euckr', 'euctw', 'eucjis2004', 'utf8', 'unicode', 'muleinternal', 'latin1', 'latin2', 'latin3',
    'latin4', 'latin5', 'latin6', 'latin7', 'latin8', 'latin9', 'latin10', 'win1256', 'win1258', 'win866', 'win874', 'koi8r', 'koi8',
    'win1251', 'win1252', 'iso88595', 'iso88596', 'iso88597', 'iso88598', 'win1250', 'win1253', 'win1254', 'win1255', 'win1257',
    'koi8u', 'sjis', 'shiftjis', 'big5', 'gbk', 'uhc', 'gb18030', 'johab', 'shiftjis2004', 'iso885915', 'iso88591', 'iso88592',
    'iso88593', 'iso88594', 'iso88599', 'iso885910', 'iso885913', 'iso885914', 'iso885916', 'tcvn', 'tcvn5712', 'vscii', 'alt', 'windows1251',
    'windows1252', 'windows866', 'mskanji', 'abc', 'cp866', 'cp1251', 'cp1252', 'cp1250', 'cp1256', 'cp1258', 'cp874', 'cp949', 'cp936', 'cp932',
  ].map((n) => n.replace(/[^a-z0-9]/g, '')),
);

const UTF8_NAMES = new Set(['utf8', 'unicode']);

function conflicting(sql: string, d: DefElem): SqlError {
  return new SqlError(SqlState.syntaxError, 'conflicting or redundant options', { position: charPosition(sql, d.location) });
}

/** defGetString: the argument as text; an option that needs one and has none is 42601. */
function stringArg(d: DefElem): string {
  const text = defElemText(d.arg);
  if (text === null) throw new SqlError(SqlState.syntaxError, `${d.defname} requires a parameter`);
  return text;
}

/** defGetBoolean: no argument is true; 0/1, true/false, on/off (any case). */
function booleanArg(d: DefElem): boolean {
  if (d.arg === undefined) return true;
  const text = (defElemText(d.arg) ?? '').toLowerCase();
  if (text === 'true' || text === 'on' || text === '1') return true;
  if (text === 'false' || text === 'off' || text === '0') return false;
  throw new SqlError(SqlState.syntaxError, `${d.defname} requires a Boolean value`);
}

/** defGetCopyHeaderChoice: a Boolean, or "match" (COPY FROM only). */
function headerArg(d: DefElem, isFrom: boolean): boolean | 'match' {
  if (d.arg === undefined) return true;
  const text = (defElemText(d.arg) ?? '').toLowerCase();
  if (text === 'true' || text === 'on' || text === '1') return true;
  if (text === 'false' || text === 'off' || text === '0') return false;
  if (text === 'match') {
    if (!isFrom) throw new SqlError(SqlState.featureNotSupported, `cannot use "${defElemText(d.arg)}" with HEADER in COPY TO`);
    return 'match';
  }
  throw new SqlError(SqlState.syntaxError, `${d.defname} requires a Boolean value or "match"`);
}

/** FORCE_QUOTE takes `*` or a column list; FORCE_NOT_NULL and FORCE_NULL a column list. */
function columnListArg(d: DefElem, sql: string, starAllowed: boolean): '*' | string[] {
  const arg = d.arg;
  if (arg !== undefined && starAllowed && nodeAs(arg, 'A_Star')) return '*';
  const list = nodeAs(arg, 'List');
  if (arg !== undefined && list) return stringList(list.items as Node[] | undefined);
  throw new SqlError(SqlState.invalidParameterValue, `argument to option "${d.defname}" must be a list of column names`, {
    position: charPosition(sql, d.location),
  });
}

export function readCopyOptions(stmt: CopyStmt, sql: string): CopyOptions {
  const isFrom = stmt.is_from ?? false;
  let format: CopyFormat | undefined;
  let delimiter: string | undefined;
  let nullString: string | undefined;
  let header: boolean | 'match' | undefined;
  let quote: string | undefined;
  let escape: string | undefined;
  let forceQuote: '*' | string[] | undefined;
  let forceNotNull: string[] | undefined;
  let forceNull: string[] | undefined;
  let freeze: boolean | undefined;
  let encoding: string | undefined;

  for (const node of stmt.options ?? []) {
    const d = nodeAs(node, 'DefElem');
    if (!d) throw new SqlError(SqlState.syntaxError, `unexpected ${nodeTag(node)} among COPY options`);
    switch (d.defname) {
      case 'format': {
        if (format !== undefined) throw conflicting(sql, d);
        const name = stringArg(d);
        if (name !== 'text' && name !== 'csv' && name !== 'binary') {
          throw new SqlError(SqlState.invalidParameterValue, `COPY format "${name}" not recognized`, { position: charPosition(sql, d.location) });
        }
        format = name;
        break;
      }
      case 'freeze':
        if (freeze !== undefined) throw conflicting(sql, d);
        freeze = booleanArg(d);
        break;
      case 'delimiter':
        if (delimiter !== undefined) throw conflicting(sql, d);
        delimiter = stringArg(d);
        break;
      case 'null':
        if (nullString !== undefined) throw conflicting(sql, d);
        nullString = stringArg(d);
        break;
      case 'header':
        if (header !== undefined) throw conflicting(sql, d);
        header = headerArg(d, isFrom);
        break;
      case 'quote':
        if (quote !== undefined) throw conflicting(sql, d);
        quote = stringArg(d);
        break;
      case 'escape':
        if (escape !== undefined) throw conflicting(sql, d);
        escape = stringArg(d);
        break;
      case 'force_quote':
        if (forceQuote !== undefined) throw conflicting(sql, d);
        forceQuote = columnListArg(d, sql, true);
        break;
      case 'force_not_null':
        if (forceNotNull !== undefined) throw conflicting(sql, d);
        forceNotNull = columnListArg(d, sql, false) as string[];
        break;
      case 'force_null':
        if (forceNull !== undefined) throw conflicting(sql, d);
        forceNull = columnListArg(d, sql, false) as string[];
        break;
      case 'encoding': {
        if (encoding !== undefined) throw conflicting(sql, d);
        encoding = stringArg(d);
        const key = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
        if (!KNOWN_ENCODINGS.has(key)) {
          throw new SqlError(SqlState.invalidParameterValue, 'argument to option "encoding" must be a valid encoding name', {
            position: charPosition(sql, d.location),
          });
        }
        if (!UTF8_NAMES.has(key)) {
          throw new SqlError(SqlState.featureNotSupported, `COPY encoding "${encoding}" is not supported`, {
            detail: 'polygres reads and writes COPY data in UTF8 only.',
            hint: 'Convert the data to UTF8 (for example with iconv) and use ENCODING \'UTF8\' or leave ENCODING out.',
          });
        }
        break;
      }
      default:
        throw new SqlError(SqlState.syntaxError, `option "${d.defname}" not recognized`, { position: charPosition(sql, d.location) });
    }
  }

  const fmt: CopyFormat = format ?? 'text';
  const csv = fmt === 'csv';
  if (fmt === 'binary' && delimiter !== undefined) throw new SqlError(SqlState.syntaxError, 'cannot specify DELIMITER in BINARY mode');
  if (fmt === 'binary' && nullString !== undefined) throw new SqlError(SqlState.syntaxError, 'cannot specify NULL in BINARY mode');

  const delim = delimiter ?? (csv ? ',' : '\t');
  const nul = nullString ?? (csv ? '' : '\\N');
  const q = quote ?? (csv ? '"' : undefined);
  const esc = escape ?? (csv ? q : undefined);

  if (Buffer.byteLength(delim) !== 1) throw new SqlError(SqlState.featureNotSupported, 'COPY delimiter must be a single one-byte character');
  if (delim === '\r' || delim === '\n') throw new SqlError(SqlState.invalidParameterValue, 'COPY delimiter cannot be newline or carriage return');
  if (/[\r\n]/.test(nul)) throw new SqlError(SqlState.invalidParameterValue, 'COPY null representation cannot use newline or carriage return');
  if (!csv && '\\.abcdefghijklmnopqrstuvwxyz0123456789'.includes(delim)) {
    throw new SqlError(SqlState.invalidParameterValue, `COPY delimiter cannot be "${delim}"`);
  }
  if (fmt === 'binary' && header) throw new SqlError(SqlState.featureNotSupported, 'cannot specify HEADER in BINARY mode');
  if (!csv && quote !== undefined) throw new SqlError(SqlState.featureNotSupported, 'COPY quote available only in CSV mode');
  if (csv && Buffer.byteLength(q!) !== 1) throw new SqlError(SqlState.featureNotSupported, 'COPY quote must be a single one-byte character');
  if (csv && delim === q) throw new SqlError(SqlState.invalidParameterValue, 'COPY delimiter and quote must be different');
  if (!csv && escape !== undefined) throw new SqlError(SqlState.featureNotSupported, 'COPY escape available only in CSV mode');
  if (csv && Buffer.byteLength(esc!) !== 1) throw new SqlError(SqlState.featureNotSupported, 'COPY escape must be a single one-byte character');
  if (!csv && forceQuote !== undefined) throw new SqlError(SqlState.featureNotSupported, 'COPY force quote available only in CSV mode');
  if (forceQuote !== undefined && isFrom) throw new SqlError(SqlState.featureNotSupported, 'COPY force quote only available using COPY TO');
  if (!csv && forceNotNull !== undefined) throw new SqlError(SqlState.featureNotSupported, 'COPY force not null available only in CSV mode');
  if (forceNotNull !== undefined && !isFrom) throw new SqlError(SqlState.featureNotSupported, 'COPY force not null only available using COPY FROM');
  if (!csv && forceNull !== undefined) throw new SqlError(SqlState.featureNotSupported, 'COPY force null available only in CSV mode');
  if (forceNull !== undefined && !isFrom) throw new SqlError(SqlState.featureNotSupported, 'COPY force null only available using COPY FROM');
  if (nul.includes(delim)) throw new SqlError(SqlState.featureNotSupported, 'COPY delimiter must not appear in the NULL specification');
  if (csv && nul.includes(q!)) throw new SqlError(SqlState.featureNotSupported, 'CSV quote character must not appear in the NULL specification');
  if (freeze && !isFrom) throw new SqlError(SqlState.featureNotSupported, 'COPY freeze only available using COPY FROM');
  // FREEZE is accepted and has nothing to do: rows become visible when the transaction commits.

  return {
    format: fmt,
    delimiter: delim,
    nullString: nul,
    header: header ?? false,
    quote: q ?? '"',
    escape: esc ?? '"',
    forceQuote: forceQuote ?? [],
    forceNotNull: forceNotNull ?? [],
    forceNull: forceNull ?? [],
  };
}
