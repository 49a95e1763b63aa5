/**
 * PostgreSQL's numeric: an exact decimal of arbitrary precision, plus NaN and ±Infinity.
 * The value is `digits × 10^-scale`, where `scale` is the display scale PostgreSQL keeps (1.50 has scale 2).
 *
 * Arithmetic follows numeric.c's result-scale rules (add/sub: larger scale; mul: sum of scales; div:
 * select_div_scale; mod: larger scale; sqrt: numeric_sqrt's scale) and its rounding (half away from
 * zero). Text and binary forms are at the end of this file. NOT DONE YET: exp, ln, log and power
 * (numeric_power's result scale rules); the SQL engine must raise 0A000 for them until they are added here.
 */
import { SqlError, SqlState } from '../errors.js';
import { BinaryReader, BinaryWriter, invalidBinary } from './binary.js';
import { numericTypmodPrecision, numericTypmodScale } from './registry.js';
import { isCSpace } from './scan.js';
import { formatFloatG } from './float.js';

type Special = 'NaN' | 'Infinity' | '-Infinity';

/** Largest display scale an operation may produce (NUMERIC_MAX_DISPLAY_SCALE). */
export const NUMERIC_MAX_DISPLAY_SCALE = 1000;
/** Division keeps at least this many significant digits (NUMERIC_MIN_SIG_DIGITS). */
const NUMERIC_MIN_SIG_DIGITS = 16;
/** Limits of the stored format: weight is an int16 count of base-10000 digits, dscale 14 bits. */
const NUMERIC_WEIGHT_MAX = 0x7fff;
const NUMERIC_DSCALE_MAX = 0x3fff;
/** Each base-10000 digit of the binary form holds four decimal digits. */
const DEC_DIGITS = 4;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function absBig(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** q = n / d rounded half away from zero (d > 0). */
function divRoundHalfAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (absBig(r) * 2n >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

function divisionByZero(): SqlError {
  return new SqlError(SqlState.divisionByZero, 'division by zero');
}

export function numericOverflow(): SqlError {
  return new SqlError(SqlState.numericValueOutOfRange, 'value overflows numeric format');
}

export class Numeric {
  private constructor(
    /** Unscaled digits; meaningless when `special` is set. */
    readonly digits: bigint,
    /** Number of digits after the decimal point (>= 0). */
    readonly scale: number,
    readonly special: Special | null = null,
  ) {}

  static of(digits: bigint, scale: number): Numeric {
    if (scale < 0) return new Numeric(digits * pow10(-scale), 0);
    return new Numeric(digits, scale);
  }

  static readonly NaN = new Numeric(0n, 0, 'NaN');
  static readonly Infinity = new Numeric(0n, 0, 'Infinity');
  static readonly NegativeInfinity = new Numeric(0n, 0, '-Infinity');
  static readonly ZERO = new Numeric(0n, 0);
  static readonly ONE = new Numeric(1n, 0);

  static fromBigInt(v: bigint): Numeric {
    return new Numeric(v, 0);
  }

  /**
   * float8 → numeric as PostgreSQL casts it: the value printed with 15 significant digits
   * (DBL_DIG), so 0.1::float8::numeric is 0.1 and 1/3.0 gives 0.333333333333333.
   * float4 casts use 6 digits (FLT_DIG): pass `significantDigits = 6`.
   */
  static fromNumber(v: number, significantDigits = 15): Numeric {
    if (Number.isNaN(v)) return Numeric.NaN;
    if (v === Infinity) return Numeric.Infinity;
    if (v === -Infinity) return Numeric.NegativeInfinity;
    if (v === 0) return Numeric.ZERO;
    return parseNumericText(formatFloatG(v, significantDigits));
  }

  /** Parses PostgreSQL's numeric input syntax; returns null when the text is not a number. */
  static parse(text: string): Numeric | null {
    try {
      return parseNumericText(text);
    } catch {
      return null;
    }
  }

  get isNaN(): boolean {
    return this.special === 'NaN';
  }

  get isFinite(): boolean {
    return this.special === null;
  }

  get isInfinite(): boolean {
    return this.special === 'Infinity' || this.special === '-Infinity';
  }

  /** -1, 0 or 1; NaN gives NaN. */
  sign(): number {
    if (this.special === 'NaN') return NaN;
    if (this.special === 'Infinity') return 1;
    if (this.special === '-Infinity') return -1;
    return this.digits === 0n ? 0 : this.digits < 0n ? -1 : 1;
  }

  /** The same value written with `scale` decimals (scale >= this.scale). */
  private digitsAt(scale: number): bigint {
    return this.digits * pow10(scale - this.scale);
  }

  neg(): Numeric {
    if (this.special === 'Infinity') return Numeric.NegativeInfinity;
    if (this.special === '-Infinity') return Numeric.Infinity;
    if (this.special) return this;
    return new Numeric(-this.digits, this.scale);
  }

  abs(): Numeric {
    if (this.special === '-Infinity') return Numeric.Infinity;
    if (this.special) return this;
    return this.digits < 0n ? new Numeric(-this.digits, this.scale) : this;
  }

  add(other: Numeric): Numeric {
    if (this.special || other.special) {
      if (this.isNaN || other.isNaN) return Numeric.NaN;
      if (this.isInfinite && other.isInfinite) return this.special === other.special ? this : Numeric.NaN;
      return this.isInfinite ? this : other;
    }
    const scale = Math.max(this.scale, other.scale);
    return new Numeric(this.digitsAt(scale) + other.digitsAt(scale), scale);
  }

  sub(other: Numeric): Numeric {
    return this.add(other.neg());
  }

  mul(other: Numeric): Numeric {
    if (this.special || other.special) {
      if (this.isNaN || other.isNaN) return Numeric.NaN;
      const s = this.sign() * other.sign();
      if (s === 0) return Numeric.NaN;
      return s > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
    }
    const scale = this.scale + other.scale;
    const product = new Numeric(this.digits * other.digits, scale);
    // The exact product is rounded only when its scale exceeds what the stored format can hold.
    return scale > NUMERIC_DSCALE_MAX ? product.round(NUMERIC_DSCALE_MAX) : product;
  }

  /** numeric / numeric with select_div_scale's result scale. */
  div(other: Numeric): Numeric {
    if (this.special || other.special) {
      if (this.isNaN || other.isNaN) return Numeric.NaN;
      if (this.isInfinite) {
        if (other.isInfinite) return Numeric.NaN;
        const s = other.sign();
        if (s === 0) throw divisionByZero();
        return s * this.sign() > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
      }
      // finite / ±Infinity
      return Numeric.ZERO;
    }
    if (other.digits === 0n) throw divisionByZero();
    return this.divRound(other, selectDivScale(this, other));
  }

  /** The quotient rounded (half away from zero) to `rscale` decimals. */
  divRound(other: Numeric, rscale: number): Numeric {
    if (other.digits === 0n) throw divisionByZero();
    // this/other = (d1 / 10^s1) / (d2 / 10^s2); scaled by 10^rscale.
    let num = this.digits * pow10(other.scale);
    let den = other.digits * pow10(this.scale);
    if (rscale >= 0) num *= pow10(rscale);
    else den *= pow10(-rscale);
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const q = divRoundHalfAway(num, den);
    return rscale >= 0 ? new Numeric(q, rscale) : new Numeric(q * pow10(-rscale), 0);
  }

  /**
   * sqrt(numeric): at least 16 significant digits and never fewer decimals than the input, correctly
   * rounded; negative input raises 2201F as PostgreSQL does.
   */
  sqrt(): Numeric {
    if (this.special === 'NaN' || this.special === 'Infinity') return this;
    if (this.special === '-Infinity' || this.digits < 0n) {
      throw new SqlError('2201F', 'cannot take square root of a negative number');
    }
    const weight = this.digits === 0n ? 0 : base10000Lead(this).weight;
    const sweight = Math.trunc(((weight + 1) * DEC_DIGITS) / 2) - 1;
    const rscale = Math.min(Math.max(NUMERIC_MIN_SIG_DIGITS - sweight, this.scale, 0), NUMERIC_MAX_DISPLAY_SCALE);
    // isqrt of the value scaled to rscale + 2 decimals (two guard digits), then round half up.
    const guard = 2;
    const shift = 2 * (rscale + guard) - this.scale;
    const n = shift >= 0 ? this.digits * pow10(shift) : this.digits / pow10(-shift);
    const root = isqrt(n);
    return new Numeric(divRoundHalfAway(root, pow10(guard)), rscale);
  }

  /** Integer part of the quotient (div(), truncating toward zero). */
  divTrunc(other: Numeric): Numeric {
    if (this.special || other.special) {
      if (this.isNaN || other.isNaN) return Numeric.NaN;
      if (this.isInfinite) {
        if (other.isInfinite) return Numeric.NaN;
        const s = other.sign();
        if (s === 0) throw divisionByZero();
        return s * this.sign() > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
      }
      return Numeric.ZERO;
    }
    if (other.digits === 0n) throw divisionByZero();
    return new Numeric((this.digits * pow10(other.scale)) / (other.digits * pow10(this.scale)), 0);
  }

  /** x % y = x - trunc(x / y) * y; the result has the larger of the two scales. */
  mod(other: Numeric): Numeric {
    if (this.special || other.special) {
      if (this.isNaN || other.isNaN) return Numeric.NaN;
      if (this.isInfinite) {
        if (!other.isInfinite && other.digits === 0n) throw divisionByZero();
        return Numeric.NaN;
      }
      return this;
    }
    if (other.digits === 0n) throw divisionByZero();
    const scale = Math.max(this.scale, other.scale);
    const a = this.digitsAt(scale);
    const b = other.digitsAt(scale);
    return new Numeric(a % b, scale);
  }

  /**
   * Compares as PostgreSQL's btree does: -Infinity < finite values < Infinity < NaN; NaN equals NaN.
   * 1.0 and 1.00 are equal.
   */
  compare(other: Numeric): number {
    const rank = (n: Numeric): number => (n.special === 'NaN' ? 3 : n.special === 'Infinity' ? 2 : n.special === '-Infinity' ? 0 : 1);
    const ra = rank(this);
    const rb = rank(other);
    if (ra !== rb) return ra < rb ? -1 : 1;
    if (ra !== 1) return 0;
    const scale = Math.max(this.scale, other.scale);
    const a = this.digitsAt(scale);
    const b = other.digitsAt(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Numeric): boolean {
    return this.compare(other) === 0;
  }

  /** round(x, s): half away from zero; a negative s rounds left of the point and gives scale 0. */
  round(scale = 0): Numeric {
    if (this.special) return this;
    if (scale >= this.scale) return new Numeric(this.digitsAt(scale), scale);
    const q = divRoundHalfAway(this.digits, pow10(this.scale - scale));
    return scale >= 0 ? new Numeric(q, scale) : new Numeric(q * pow10(-scale), 0);
  }

  /** trunc(x, s): toward zero. */
  trunc(scale = 0): Numeric {
    if (this.special) return this;
    if (scale >= this.scale) return new Numeric(this.digitsAt(scale), scale);
    const q = this.digits / pow10(this.scale - scale);
    return scale >= 0 ? new Numeric(q, scale) : new Numeric(q * pow10(-scale), 0);
  }

  ceil(): Numeric {
    if (this.special) return this;
    const t = this.trunc(0);
    return t.digits * pow10(this.scale) < this.digits ? new Numeric(t.digits + 1n, 0) : t;
  }

  floor(): Numeric {
    if (this.special) return this;
    const t = this.trunc(0);
    return t.digits * pow10(this.scale) > this.digits ? new Numeric(t.digits - 1n, 0) : t;
  }

  /**
   * Fits the value to numeric(p,s) as PostgreSQL's apply_typmod does: round to s decimals, then
   * raise 22003 "numeric field overflow" if it needs more than p - s integer digits.
   */
  applyTypmod(typmod: number, finiteOverflow = false): Numeric {
    if (typmod < 4) return this;
    const precision = numericTypmodPrecision(typmod);
    const scale = numericTypmodScale(typmod);
    if (finiteOverflow) {
      // Used by the parser for values far too large to build: the finite overflow error.
      const maxDigits = precision - scale;
      throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxDigits ? '10^' : ''}${maxDigits || 1}.`,
      });
    }
    if (this.special) {
      if (this.isNaN) return this;
      throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
      });
    }
    const rounded = this.round(scale);
    const maxDigits = precision - scale;
    if (rounded.digits !== 0n && absBig(rounded.digits) >= pow10(maxDigits + rounded.scale)) {
      throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxDigits ? '10^' : ''}${maxDigits || 1}.`,
      });
    }
    return rounded;
  }

  /** numeric → float8 (correctly rounded, as float8in reads numeric_out's text). */
  toNumber(): number {
    if (this.special === 'NaN') return NaN;
    if (this.special === 'Infinity') return Infinity;
    if (this.special === '-Infinity') return -Infinity;
    return Number(this.toString());
  }

  /**
   * numeric → int2/int4/int8: rounds half away from zero; NaN and infinities raise 0A000, values out
   * of [min, max] raise 22003 "<label> out of range".
   */
  toBigIntChecked(min: bigint, max: bigint, label: string): bigint {
    if (this.special === 'NaN') throw new SqlError(SqlState.featureNotSupported, `cannot convert NaN to ${label}`);
    if (this.special) throw new SqlError(SqlState.featureNotSupported, `cannot convert infinity to ${label}`);
    const v = this.round(0).digits;
    if (v < min || v > max) throw new SqlError(SqlState.numericValueOutOfRange, `${label} out of range`);
    return v;
  }

  /** Trailing fractional zeros removed (PostgreSQL's trim_scale). */
  trimScale(): Numeric {
    if (this.special || this.scale === 0) return this;
    let d = this.digits;
    let s = this.scale;
    while (s > 0 && d % 10n === 0n) {
      d /= 10n;
      s--;
    }
    return new Numeric(d, s);
  }

  /** numeric_out. */
  toString(): string {
    if (this.special) return this.special;
    const neg = this.digits < 0n;
    let s = (neg ? -this.digits : this.digits).toString();
    if (this.scale > 0) {
      s = s.padStart(this.scale + 1, '0');
      s = `${s.slice(0, s.length - this.scale)}.${s.slice(s.length - this.scale)}`;
    }
    return neg ? `-${s}` : s;
  }
}

/** floor(sqrt(n)) for n >= 0 (Newton's method on bigints). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Start above the root (2^ceil(bits/2)) so the iteration decreases monotonically.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) / 2n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

/** Weight and leading digit of a non-zero value in base 10000, as numeric.c stores it. */
function base10000Lead(n: Numeric): { weight: number; first: number } {
  const abs = absBig(n.digits);
  const e10 = abs.toString().length - 1 - n.scale;
  const weight = Math.floor(e10 / DEC_DIGITS);
  const shift = DEC_DIGITS * weight + n.scale;
  const first = shift >= 0 ? abs / pow10(shift) : abs * pow10(-shift);
  return { weight, first: Number(first) };
}

/**
 * select_div_scale: enough decimals for at least 16 significant digits, never fewer than either
 * input's scale, at most 1000.
 */
function selectDivScale(a: Numeric, b: Numeric): number {
  const la = a.digits === 0n ? { weight: 0, first: 0 } : base10000Lead(a);
  const lb = base10000Lead(b);
  let qweight = la.weight - lb.weight;
  if (la.first <= lb.first) qweight--;
  let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * DEC_DIGITS;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  return Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
}

/** Rejects values the stored format cannot hold (weight or display scale too large). */
function checkStorable(n: Numeric): Numeric {
  if (n.special || n.digits === 0n) {
    if (n.scale > NUMERIC_DSCALE_MAX) throw numericOverflow();
    return n;
  }
  const { weight } = base10000Lead(n);
  if (weight > NUMERIC_WEIGHT_MAX || n.scale > NUMERIC_DSCALE_MAX) throw numericOverflow();
  return n;
}

const NUMBER_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const SPECIAL_TEXT = /^(?:(nan)|([+-]?)inf(?:inity)?)$/i;

/** Parses numeric text; with a typmod, rounds and range-checks before the storage limits apply, as numeric_in does. */
function parseNumericText(text: string, typmod = -1): Numeric {
  let start = 0;
  let end = text.length;
  while (start < end && isCSpace(text[start])) start++;
  while (end > start && isCSpace(text[end - 1])) end--;
  const body = text.slice(start, end);
  const special = SPECIAL_TEXT.exec(body);
  if (special) {
    const v = special[1] ? Numeric.NaN : special[2] === '-' ? Numeric.NegativeInfinity : Numeric.Infinity;
    return v.applyTypmod(typmod);
  }
  const m = NUMBER_TEXT.exec(body);
  const intPart = m?.[2] ?? '';
  const frac = m?.[3] ?? '';
  if (!m || (intPart === '' && frac === '')) {
    throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type numeric: "${text}"`);
  }
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  // numeric.c refuses exponents whose magnitude reaches INT_MAX/2 before doing anything else.
  if (Math.abs(exponent) >= 1073741823) throw numericOverflow();
  const allDigits = (intPart + frac).replace(/^0+/, '');
  const negative = m[1] === '-';
  const displayScale = Math.max(frac.length - exponent, 0);
  if (allDigits === '') {
    const zero = Numeric.of(0n, displayScale).applyTypmod(typmod);
    return checkStorable(zero);
  }
  // The leading digit's power of ten bounds the value without building a big number.
  const leadingPower = allDigits.length - 1 - (frac.length - exponent);
  if (typmod >= 4) {
    const precision = numericTypmodPrecision(typmod);
    const scale = numericTypmodScale(typmod);
    if (leadingPower < -scale - 1) return checkStorable(Numeric.of(0n, Math.max(scale, 0)));
    if (leadingPower > precision - scale) {
      return Numeric.ZERO.applyTypmod(typmod, true);
    }
  }
  if (Math.floor(leadingPower / DEC_DIGITS) > NUMERIC_WEIGHT_MAX) throw numericOverflow();
  let scale = frac.length - exponent;
  let digits = BigInt(allDigits);
  if (scale < 0) {
    digits *= pow10(-scale);
    scale = 0;
  }
  if (negative) digits = -digits;
  const value = Numeric.of(digits, scale).applyTypmod(typmod);
  return checkStorable(value);
}

/** numeric_in with a typmod: parse, then fit to numeric(p,s). */
export function parseNumeric(text: string, typmod = -1): Numeric {
  return parseNumericText(text, typmod);
}

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
const NBASE = 10000n;

/** numeric_send: ndigits, weight, sign, dscale, then base-10000 digits (int16 each). */
export function encodeNumeric(n: Numeric, w: BinaryWriter = new BinaryWriter()): BinaryWriter {
  if (n.special) {
    const sign = n.special === 'NaN' ? NUMERIC_NAN : n.special === 'Infinity' ? NUMERIC_PINF : NUMERIC_NINF;
    // PostgreSQL reports a dscale of 32 for infinities and 0 for NaN (from its stored header bits).
    return w.int16(0).int16(0).uint16(sign).int16(n.special === 'NaN' ? 0 : 32);
  }
  if (n.digits === 0n) return w.int16(0).int16(0).uint16(NUMERIC_POS).int16(n.scale);
  const pad = (DEC_DIGITS - (n.scale % DEC_DIGITS)) % DEC_DIGITS;
  let rest = absBig(n.digits) * pow10(pad);
  const fracGroups = (n.scale + pad) / DEC_DIGITS;
  const groups: number[] = [];
  while (rest > 0n) {
    groups.push(Number(rest % NBASE));
    rest /= NBASE;
  }
  groups.reverse();
  const weight = groups.length - 1 - fracGroups;
  let last = groups.length;
  while (last > 0 && groups[last - 1] === 0) last--;
  w.int16(last).int16(weight).uint16(n.digits < 0n ? NUMERIC_NEG : NUMERIC_POS).int16(n.scale);
  for (let i = 0; i < last; i++) w.int16(groups[i]!);
  return w;
}

/** numeric_recv: validates the header and digits (22P03), drops digits beyond dscale, applies typmod. */
export function decodeNumeric(r: BinaryReader, typmod = -1): Numeric {
  const ndigits = r.int16();
  if (ndigits < 0) throw invalidBinary('invalid length in external "numeric" value');
  const weight = r.int16();
  const sign = r.uint16();
  const dscale = r.uint16();
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG && sign !== NUMERIC_NAN && sign !== NUMERIC_PINF && sign !== NUMERIC_NINF) {
    throw invalidBinary('invalid sign in external "numeric" value');
  }
  if ((dscale & NUMERIC_DSCALE_MAX) !== dscale) throw invalidBinary('invalid scale in external "numeric" value');
  let value = 0n;
  for (let i = 0; i < ndigits; i++) {
    const d = r.int16();
    if (d < 0 || d >= 10000) throw invalidBinary('invalid digit in external "numeric" value');
    value = value * NBASE + BigInt(d);
  }
  if (sign === NUMERIC_NAN) return Numeric.NaN;
  if (sign === NUMERIC_PINF || sign === NUMERIC_NINF) {
    return (sign === NUMERIC_PINF ? Numeric.Infinity : Numeric.NegativeInfinity).applyTypmod(typmod);
  }
  // value × 10000^(weight - ndigits + 1), expressed with dscale decimals (extra digits truncated).
  const exp10 = DEC_DIGITS * (weight - ndigits + 1) + dscale;
  let digits = exp10 >= 0 ? value * pow10(exp10) : value / pow10(-exp10);
  if (sign === NUMERIC_NEG) digits = -digits;
  return checkStorable(Numeric.of(digits, dscale)).applyTypmod(typmod);
}
