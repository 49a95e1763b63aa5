/**
 * real (float4) and double precision (float8): text input as PostgreSQL's strtod/strtof-based
 * float4in/float8in, and text output as float4out/float8out under extra_float_digits.
 *
 * Output: extra_float_digits > 0 gives the shortest text that reads back to the same value (what
 * PostgreSQL 12+ does with Ryu); <= 0 gives printf("%.*g") with DBL_DIG/FLT_DIG + extra_float_digits
 * significant digits, computed here from the exact binary value (round half to even, as glibc does).
 */
import { SqlError, SqlState } from '../errors.js';
import { isCSpace } from './scan.js';

const DBL_DIG = 15;
const FLT_DIG = 6;

export type FloatKind = 'float4' | 'float8';

function typeLabel(kind: FloatKind): string {
  return kind === 'float4' ? 'real' : 'double precision';
}

function syntaxError(kind: FloatKind, text: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${typeLabel(kind)}: "${text}"`);
}

function rangeError(kind: FloatKind, numberText: string): SqlError {
  return new SqlError(SqlState.numericValueOutOfRange, `"${numberText}" is out of range for type ${typeLabel(kind)}`);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/;
const NAN_WITH_PAYLOAD = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?/i;
const INFINITY = /^[+-]?inf(?:inity)?/i;

/** Parses float4/float8 text input; errors as PostgreSQL raises them. */
export function parseFloat(kind: FloatKind, text: string): number {
  let start = 0;
  while (start < text.length && isCSpace(text[start])) start++;
  const num = text.slice(start);
  if (num === '') throw syntaxError(kind, text);
  let value: number;
  let consumed: number;
  let m: RegExpExecArray | null;
  if ((m = HEX.exec(num))) {
    consumed = m[0].length;
    value = hexToFloat(kind, m[0]);
  } else if ((m = DECIMAL.exec(num))) {
    consumed = m[0].length;
    value = kind === 'float8' ? Number(m[0]) : decimalToFloat32(m[0]);
  } else if ((m = NAN_WITH_PAYLOAD.exec(num))) {
    consumed = m[0].length;
    value = NaN;
  } else if ((m = INFINITY.exec(num))) {
    consumed = m[0].length;
    value = m[0].startsWith('-') ? -Infinity : Infinity;
  } else {
    throw syntaxError(kind, text);
  }
  let end = consumed;
  while (end < num.length && isCSpace(num[end])) end++;
  if (end !== num.length) throw syntaxError(kind, text);
  const numberText = num.slice(0, consumed);
  if (!Number.isNaN(value) && !/^[+-]?inf/i.test(numberText)) {
    // strtod reports ERANGE for overflow and for underflow to zero; PostgreSQL rejects both but
    // accepts subnormal results.
    if (!Number.isFinite(value)) throw rangeError(kind, numberText);
    if (value === 0 && /[1-9a-fA-F]/.test(mantissaPart(numberText))) throw rangeError(kind, numberText);
  }
  return value;
}

function mantissaPart(numberText: string): string {
  const hex = /^[+-]?0[xX]/.test(numberText);
  const body = hex ? numberText.replace(/^[+-]?0[xX]/, '') : numberText;
  return body.split(hex ? /[pP]/ : /[eE]/)[0]!;
}

/** Correctly rounded decimal → float32 (strtof): Number() then Math.fround() would round twice. */
function decimalToFloat32(s: string): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s)!;
  const negative = m[1] === '-';
  const digits = ((m[2] ?? '') + (m[3] ?? '')).replace(/^0+/, '');
  if (digits === '') return negative ? -0 : 0;
  const exp10 = Number(m[4] ?? '0') - (m[3] ?? '').length;
  // Far outside float32's range the answer is known without big arithmetic.
  const magnitude = exp10 + digits.length;
  let v: number;
  if (magnitude > 40) v = Infinity;
  else if (magnitude < -47) v = 0;
  else {
    const d = BigInt(digits);
    v = exp10 >= 0 ? ratioToFloat(d * 10n ** BigInt(exp10), 1n, 24, -126) : ratioToFloat(d, 10n ** BigInt(-exp10), 24, -126);
  }
  return negative ? -v : v;
}

function hexToFloat(kind: FloatKind, s: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(s)!;
  const negative = m[1] === '-';
  const hex = (m[2] ?? '') + (m[3] ?? '');
  const mant = BigInt(`0x${hex || '0'}`);
  if (mant === 0n) return negative ? -0 : 0;
  const exp2 = Number(m[4] ?? '0') - 4 * (m[3] ?? '').length;
  const bits = kind === 'float4' ? 24 : 53;
  const emin = kind === 'float4' ? -126 : -1022;
  let v: number;
  const magnitude = exp2 + mant.toString(2).length;
  if (magnitude > 1100) v = Infinity;
  else if (magnitude < -1200) v = 0;
  else v = exp2 >= 0 ? ratioToFloat(mant << BigInt(exp2), 1n, bits, emin) : ratioToFloat(mant, 1n << BigInt(-exp2), bits, emin);
  if (kind === 'float4') v = Math.fround(v);
  return negative ? -v : v;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * num/den (both > 0) rounded to nearest-even in a binary format with `mantissaBits` significant
 * bits and smallest normal exponent `minExponent`; subnormals and overflow (→ Infinity) included.
 */
export function ratioToFloat(num: bigint, den: bigint, mantissaBits: number, minExponent: number): number {
  let e = bitLength(num) - bitLength(den);
  if ((e >= 0 ? num < den << BigInt(e) : num << BigInt(-e) < den)) e--;
  const quantumExp = Math.max(e, minExponent) - (mantissaBits - 1);
  let n = num;
  let d = den;
  if (quantumExp <= 0) n <<= BigInt(-quantumExp);
  else d <<= BigInt(quantumExp);
  let q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) q += 1n;
  const result = Number(q) * 2 ** quantumExp;
  if (mantissaBits === 24) return Math.fround(result);
  return result;
}

/** The exact decimal value of a finite double: |x| = digits × 10^exp10. */
function exactDecimal(x: number): { digits: bigint; exp10: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2: number;
  if (biased === 0) exp2 = -1074;
  else {
    mant |= 1n << 52n;
    exp2 = biased - 1075;
  }
  if (exp2 >= 0) return { digits: mant << BigInt(exp2), exp10: 0 };
  return { digits: mant * 5n ** BigInt(-exp2), exp10: exp2 };
}

/** Rounds a finite non-zero |x| to `precision` significant digits, half to even on the exact value. */
function roundToSignificant(x: number, precision: number): { digits: string; exponent: number } {
  const { digits, exp10 } = exactDecimal(x);
  const s = digits.toString();
  let exponent = s.length - 1 + exp10;
  if (s.length <= precision) return { digits: s.padEnd(precision, '0'), exponent };
  let kept = BigInt(s.slice(0, precision));
  const restDigits = s.slice(precision);
  const first = restDigits.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(restDigits.slice(1));
  if (first > 5 || (first === 5 && (tail || (kept & 1n) === 1n))) kept += 1n;
  let out = kept.toString();
  if (out.length > precision) {
    out = out.slice(0, precision);
    exponent++;
  }
  return { digits: out, exponent };
}

/** printf's %e exponent: sign and at least two digits. */
function exponentText(exponent: number): string {
  return `e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/**
 * Lays out significant digits the way PostgreSQL does: fixed notation when -4 <= exponent < limit,
 * otherwise d.ddde±XX. Trailing zeros are dropped (both %g and the shortest form have none).
 */
function layout(negative: boolean, digits: string, exponent: number, limit: number): string {
  const d = digits.replace(/0+$/, '') || '0';
  let body: string;
  if (exponent < -4 || exponent >= limit) {
    body = (d.length > 1 ? `${d[0]}.${d.slice(1)}` : d) + exponentText(exponent);
  } else if (exponent < 0) {
    body = `0.${'0'.repeat(-exponent - 1)}${d}`;
  } else if (d.length <= exponent + 1) {
    body = d + '0'.repeat(exponent + 1 - d.length);
  } else {
    body = `${d.slice(0, exponent + 1)}.${d.slice(exponent + 1)}`;
  }
  return negative ? `-${body}` : body;
}

function specialText(x: number): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return null;
}

/** The adjacent value of the same format above (dir = 1) or below (dir = -1) a finite positive x. */
function neighbour(kind: FloatKind, x: number, dir: 1 | -1): number {
  if (kind === 'float4') {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, x);
    view.setUint32(0, view.getUint32(0) + dir);
    return view.getFloat32(0);
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(dir));
  return view.getFloat64(0);
}

/** True when digits×10^exponent-(len-1) lies exactly halfway between x and one of its neighbours. */
function isExactMidpoint(kind: FloatKind, x: number, digits: string, exponent: number): boolean {
  const d = { digits: BigInt(digits), exp10: exponent - (digits.length - 1) };
  for (const dir of [1, -1] as const) {
    const n = neighbour(kind, x, dir);
    if (!Number.isFinite(n) || n <= 0) continue;
    const a = exactDecimal(x);
    const b = exactDecimal(n);
    // 2·D == x + n, compared exactly at the smallest power of ten involved.
    const e = Math.min(d.exp10, a.exp10, b.exp10);
    const lhs = 2n * d.digits * 10n ** BigInt(d.exp10 - e);
    const rhs = a.digits * 10n ** BigInt(a.exp10 - e) + b.digits * 10n ** BigInt(b.exp10 - e);
    if (lhs === rhs) return true;
  }
  return false;
}

/**
 * Shortest digits strictly inside x's rounding interval, as PostgreSQL's Ryu-based output finds
 * them: a decimal exactly halfway to a neighbour is not used even though it would read back as x
 * (so 1e23 prints as 9.999999999999999e+22).
 */
function shortestDigits(kind: FloatKind, x: number): { digits: string; exponent: number } {
  const a = Math.abs(x);
  const maxPrecision = kind === 'float8' ? 17 : 9;
  const readsBack = (text: string): boolean => (kind === 'float8' ? Number(text) === a : decimalToFloat32(text) === a);
  let first = 1;
  if (kind === 'float8') {
    const [mant, exp] = a.toExponential().split('e') as [string, string];
    const digits = mant.replace('.', '');
    if (!isExactMidpoint(kind, a, digits, Number(exp))) return { digits, exponent: Number(exp) };
    first = digits.length + 1;
  }
  for (let precision = first; precision <= maxPrecision; precision++) {
    const nearest = a.toExponential(precision - 1);
    const [mant, exp] = nearest.split('e') as [string, string];
    const base = BigInt(mant.replace('.', ''));
    const exponent = Number(exp);
    // The nearest p-digit decimal may miss the rounding interval where it is lopsided (at powers of
    // two); its neighbours are tried too, and the closest candidate that reads back wins.
    let best: { digits: string; exponent: number; distance: number } | null = null;
    for (const candidate of [base, base - 1n, base + 1n]) {
      if (candidate <= 0n) continue;
      let cd = candidate.toString();
      let ce = exponent;
      if (cd.length > precision) {
        cd = cd.slice(0, precision);
        ce++;
      } else if (cd.length < precision) continue;
      const textForm = `${cd[0]}.${cd.slice(1)}e${ce}`;
      if (!readsBack(textForm) || isExactMidpoint(kind, a, cd, ce)) continue;
      const distance = Math.abs(Number(textForm) - a);
      // Equally close candidates: the one ending in an even digit, as Ryu rounds.
      const better = !best || distance < best.distance || (distance === best.distance && Number(cd.at(-1)) % 2 === 0);
      if (better) best = { digits: cd, exponent: ce, distance };
    }
    if (best) return { digits: best.digits, exponent: best.exponent };
  }
  throw new Error(`no shortest representation for ${kind} ${x}`);
}

/** float4out / float8out. */
export function formatFloat(kind: FloatKind, x: number, extraFloatDigits: number): string {
  const special = specialText(x);
  if (special !== null) return special;
  const negative = x < 0;
  const limit = kind === 'float4' ? FLT_DIG : DBL_DIG;
  if (extraFloatDigits > 0) {
    const { digits, exponent } = shortestDigits(kind, x);
    return layout(negative, digits, exponent, limit);
  }
  const precision = Math.max(1, limit + extraFloatDigits);
  const { digits, exponent } = roundToSignificant(Math.abs(x), precision);
  return layout(negative, digits, exponent, precision);
}

/** printf("%.*g", precision, x) for finite x, as PostgreSQL uses for float → numeric casts. */
export function formatFloatG(x: number, precision: number): string {
  const special = specialText(x);
  if (special !== null) return special === '-0' ? '-0' : special;
  const { digits, exponent } = roundToSignificant(Math.abs(x), precision);
  return layout(x < 0, digits, exponent, precision);
}
