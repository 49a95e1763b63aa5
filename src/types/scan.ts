/** Small scanning rules shared by the text input functions, matching the C library PostgreSQL uses. */

/** C isspace() in the "C" locale: space, \t, \n, \v, \f, \r. (JS trim() removes more.) */
export function isCSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\v' || ch === '\f' || ch === '\r';
}

export function trimCSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isCSpace(s[start])) start++;
  while (end > start && isCSpace(s[end - 1])) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

export function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

export function isAsciiAlpha(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'));
}
