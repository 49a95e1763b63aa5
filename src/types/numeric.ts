/**
 * PostgreSQL's numeric: an exact decimal of arbitrary precision, plus NaN and ±Infinity.
 * The value is `digits × 10^-scale`, where `scale` is the display scale PostgreSQL keeps (1.50 has scale 2).
 */
export class Numeric {
  private constructor(
    /** Unscaled digits; meaningless when `special` is set. */
    readonly digits: bigint,
    /** Number of digits after the decimal point (>= 0). */
    readonly scale: number,
    readonly special: 'NaN' | 'Infinity' | '-Infinity' | null = null,
  ) {}

  static of(digits: bigint, scale: number): Numeric {
    return new Numeric(digits, scale);
  }

  static readonly NaN = new Numeric(0n, 0, 'NaN');
  static readonly Infinity = new Numeric(0n, 0, 'Infinity');
  static readonly NegativeInfinity = new Numeric(0n, 0, '-Infinity');

  /** Parses PostgreSQL's numeric input syntax; returns null when the text is not a number. */
  static parse(text: string): Numeric | null {
    const t = text.trim();
    const lower = t.toLowerCase();
    if (lower === 'nan') return Numeric.NaN;
    if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return Numeric.Infinity;
    if (lower === '-infinity' || lower === '-inf') return Numeric.NegativeInfinity;
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
    if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return null;
    const sign = m[1] === '-' ? -1n : 1n;
    const intPart = m[2] ?? '';
    const frac = m[3] ?? '';
    let exp = m[4] ? Number(m[4]) : 0;
    let digits = BigInt((intPart + frac) || '0');
    let scale = frac.length - exp;
    if (scale < 0) {
      digits *= 10n ** BigInt(-scale);
      scale = 0;
    }
    exp = 0;
    return new Numeric(sign * digits, scale);
  }

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
