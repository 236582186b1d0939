/**
 * Exact, order-independent summation of doubles, so that merged Monte Carlo results have the
 * same bits whatever the order in which chunks finish and however they are grouped into shards.
 *
 * ## Method
 *
 * Every finite double is an integer multiple of 2^-1074 (the smallest subnormal), so a sum of
 * doubles is `N * 2^-1074` for an integer `N` with |N| < 2^2098 per term. {@link ExactSum} keeps
 * `N` in 68 limbs of 32 bits, each limb a Float64 holding an integer. Adding a double splits its
 * 53-bit significand, shifted to its bit position, over three limbs, with no carry: a limb
 * changes by less than 2^32 per addition and stays exact up to 2^53, so carries are propagated
 * only once every 2^20 additions ("lazy carries", as in Neal's small superaccumulator).
 * Integer addition is associative and commutative, so `N` and everything computed from it
 * depend only on the multiset of addends. The total is rounded once, to nearest with ties to
 * even, in {@link ExactSum.value}.
 *
 * NaN and the infinities are not representable in `N`; they are recorded as three flags, and
 * the value follows IEEE 754: NaN if any NaN was added or both +Infinity and -Infinity were,
 * else the infinity that was added. A finite total beyond the double range rounds to ±Infinity.
 *
 * Signed zero: `N` has no sign, so an exactly zero total is +0, including the sum of no values
 * and a sum of only -0 addends (where naive IEEE summation would give -0). This keeps the state
 * a plain integer plus flags, which merges and serialises without special cases.
 *
 * ## References
 *
 * - R. M. Neal, "Fast exact summation using small and large superaccumulators", arXiv:1505.05571
 *   (2015): the lazily-carried fixed-point accumulator idea.
 * - U. Kulisch, "Computer Arithmetic and Validity" (2008): the long fixed-point accumulator
 *   covering the full double range.
 * - J. R. Shewchuk, "Adaptive precision floating-point arithmetic and fast robust geometric
 *   predicates" (1997): exact sums as an alternative (expansions; not used here).
 *
 * @packageDocumentation
 */
import { Rule, TypeError } from '../errors.js';

/** Number of 32-bit limbs: bits 0..2097 hold any one term; the rest is headroom for carries. */
const LIMB_COUNT = 68;
const TOP = LIMB_COUNT - 1;
const LIMB = 4294967296; // 2^32
const INV_LIMB = 1 / 4294967296;
const TWO_POW_64 = 18446744073709551616;
const INV_TWO_POW_64 = 1 / 18446744073709551616;
/**
 * Carries are propagated after this many unnormalised additions. Between normalisations a limb
 * is below (pending + 1) * 2^32 in magnitude, which must stay under 2^53 for exact arithmetic.
 */
const NORMALIZE_EVERY = 1 << 20;
/** A canonical text form never needs more (the hex significand is at most 536 digits). */
const MAX_JSON_LENGTH = 600;
/** |N| must stay below 2^MAX_BITS for the limbs to hold it with headroom. */
const MAX_BITS = 32 * TOP;

const JSON_PATTERN = /^esum1:(?:0|(-?)([1-9a-f][0-9a-f]*)p(0|-?[1-9][0-9]*))(:nan)?(:\+inf)?(:-inf)?$/;

/** Scratch for reading and building IEEE bit patterns (big-endian, fixed). */
const VIEW = new DataView(new ArrayBuffer(8));
/** 2^s for s = 0..31, built by doubling so every entry is exact. */
const POW2_SHIFT = new Float64Array(32);
POW2_SHIFT[0] = 1;
for (let s = 1; s < 32; s++) POW2_SHIFT[s] = POW2_SHIFT[s - 1] * 2;
/** Scratch limbs for the magnitude of a negative total (value/toJSON only; single-threaded). */
const SCRATCH = new Float64Array(LIMB_COUNT);

/** 2^k for an integer k >= -1074, exactly (Infinity past 1023), built from its bit pattern. */
function pow2(k: number): number {
  if (k > 1023) return Infinity;
  if (k < -1022) return pow2(k + 1074) * Number.MIN_VALUE; // a subnormal: exact
  VIEW.setUint32(0, (k + 1023) << 20);
  VIEW.setUint32(4, 0);
  return VIEW.getFloat64(0);
}

/** Propagates carries so limbs 0..TOP-1 lie in [0, 2^32); the top limb keeps the sign. */
function normalizeLimbs(limbs: Float64Array): void {
  let carry = 0;
  for (let j = 0; j < TOP; j++) {
    const t = limbs[j] + carry;
    const q = Math.floor(t * INV_LIMB);
    limbs[j] = t - q * LIMB;
    carry = q;
  }
  limbs[TOP] += carry;
}

/**
 * Normalises `limbs` and returns the limbs of |N| (`limbs` itself, or {@link SCRATCH} holding
 * the negation) with the sign of N.
 */
function magnitude(limbs: Float64Array): { mag: Float64Array; negative: boolean } {
  normalizeLimbs(limbs);
  // With the lower limbs in [0, 2^32), N < 0 exactly when the top limb is negative.
  if (limbs[TOP] >= 0) return { mag: limbs, negative: false };
  for (let j = 0; j < LIMB_COUNT; j++) SCRATCH[j] = -limbs[j];
  normalizeLimbs(SCRATCH);
  return { mag: SCRATCH, negative: true };
}

function highestNonZero(mag: Float64Array): number {
  let t = TOP;
  while (t >= 0 && mag[t] === 0) t--;
  return t;
}

/** sum of mag[lo..hi] * 2^(32 (j - lo)) as a BigInt. */
function limbsToBigInt(mag: Float64Array, lo: number, hi: number): bigint {
  let r = 0n;
  for (let j = hi; j >= lo; j--) r = (r << 32n) | BigInt(mag[j]);
  return r;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * Rounds |N| * 2^-1074 to the nearest double, ties to even. Only the highest non-zero limb and
 * the two below it (65 to 96 bits) enter the significand; any lower non-zero limb is a sticky bit, which matters
 * only to break an exact tie upwards.
 */
function roundMagnitude(mag: Float64Array): number {
  const t = highestNonZero(mag);
  if (t < 0) return 0;
  const lo = Math.max(t - 2, 0);
  const m = limbsToBigInt(mag, lo, t);
  let sticky = false;
  for (let j = 0; j < lo; j++) if (mag[j] !== 0) sticky = true;
  const e = 32 * lo - 1074; // the value is (m + fraction) * 2^e, fraction in [0, 1)
  const len = bitLength(m);
  // len <= 53 only when lo = 0 (else m >= 2^64): exact, even as a subnormal (its unit is 2^-1074).
  if (len <= 53) return Number(m) * pow2(e);
  const s = len - 53;
  let q = m >> BigInt(s);
  const rem = m - (q << BigInt(s));
  const half = 1n << BigInt(s - 1);
  if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q += 1n;
  // q <= 2^53 and the result is at least 2^-1021, so this product is exact unless it overflows,
  // and it overflows to Infinity exactly when the rounded value reaches 2^1024.
  return Number(q) * pow2(s + e);
}

/**
 * An exact accumulator of doubles: `add` in any order, `addSum` in any grouping, and `value()`
 * gives the same bits, the exact total correctly rounded once.
 *
 * @example
 * ```ts
 * const s = new ExactSum();
 * for (const x of [1e300, 1, -1e300]) s.add(x);
 * s.value(); // 1 (naive left-to-right summation gives 0)
 * ExactSum.fromJSON(s.toJSON()).value(); // 1
 * ```
 */
export class ExactSum {
  /** N = sum of limbs[j] * 2^(32 j); the total is N * 2^-1074. */
  private readonly limbs = new Float64Array(LIMB_COUNT);
  /** Additions since carries were last propagated. */
  private pending = 0;
  private sawNaN = false;
  private sawPosInf = false;
  private sawNegInf = false;

  /**
   * Adds one double exactly (a few tens of ns; no allocation).
   *
   * @param x - any double, including ±0, subnormals, ±Infinity and NaN.
   */
  add(x: number): void {
    VIEW.setFloat64(0, x);
    const hi = VIEW.getUint32(0);
    const lo = VIEW.getUint32(4);
    const biased = (hi >>> 20) & 0x7ff;
    if (biased === 0x7ff) {
      if (x !== x) this.sawNaN = true;
      else if (x > 0) this.sawPosInf = true;
      else this.sawNegInf = true;
      return;
    }
    const fraction = hi & 0xfffff;
    if (biased === 0 && fraction === 0 && lo === 0) return; // ±0
    // x = significand * 2^(biased - 1075) (normal) or fraction * 2^-1074 (subnormal), so
    // x * 2^1074 = significand * 2^p with p = biased - 1 (or 0): bit p of N, limb p >>> 5.
    const significand = (biased === 0 ? fraction : fraction + 0x100000) * LIMB + lo;
    const p = biased === 0 ? 0 : biased - 1;
    const j = p >>> 5;
    // Below 2^85 with 53 significant bits: exact, and so are the three pieces split off below.
    const v = significand * POW2_SHIFT[p & 31];
    const c2 = Math.floor(v * INV_TWO_POW_64);
    const r = v - c2 * TWO_POW_64;
    const c1 = Math.floor(r * INV_LIMB);
    const c0 = r - c1 * LIMB;
    const limbs = this.limbs;
    if (hi >>> 31) {
      limbs[j] -= c0;
      limbs[j + 1] -= c1;
      limbs[j + 2] -= c2;
    } else {
      limbs[j] += c0;
      limbs[j + 1] += c1;
      limbs[j + 2] += c2;
    }
    if (++this.pending >= NORMALIZE_EVERY) this.normalize();
  }

  /**
   * Adds another accumulator's exact total (and its NaN/Infinity flags); `other` is unchanged.
   *
   * @param other - the accumulator to merge in (may be `this`).
   */
  addSum(other: ExactSum): void {
    if (this.pending + other.pending + 1 > NORMALIZE_EVERY) this.normalize();
    const pending = this.pending + other.pending + 1;
    const a = this.limbs;
    const b = other.limbs;
    for (let j = 0; j < LIMB_COUNT; j++) a[j] += b[j];
    this.pending = pending;
    if (pending >= NORMALIZE_EVERY) this.normalize();
    this.sawNaN ||= other.sawNaN;
    this.sawPosInf ||= other.sawPosInf;
    this.sawNegInf ||= other.sawNegInf;
  }

  /**
   * @returns the exact total rounded once to the nearest double, ties to even (subnormal
   *   results are exact; a total past the double range gives ±Infinity); NaN if a NaN or both
   *   infinities were added; ±Infinity if only that infinity was; +0 for an exactly zero total.
   */
  value(): number {
    if (this.sawNaN || (this.sawPosInf && this.sawNegInf)) return NaN;
    if (this.sawPosInf) return Infinity;
    if (this.sawNegInf) return -Infinity;
    const { mag, negative } = magnitude(this.limbs);
    this.pending = 0;
    const v = roundMagnitude(mag);
    return negative ? -v : v;
  }

  /** @returns true if the exact total is zero and no NaN or infinity was added. */
  isZero(): boolean {
    if (this.sawNaN || this.sawPosInf || this.sawNegInf) return false;
    // Normalised limbs are unique, so N = 0 exactly when they are all zero.
    this.normalize();
    return highestNonZero(this.limbs) < 0;
  }

  /** @returns an independent accumulator with the same state. */
  clone(): ExactSum {
    const c = new ExactSum();
    c.limbs.set(this.limbs);
    c.pending = this.pending;
    c.sawNaN = this.sawNaN;
    c.sawPosInf = this.sawPosInf;
    c.sawNegInf = this.sawNegInf;
    return c;
  }

  /**
   * A lossless, canonical text form: equal states give equal strings.
   *
   * Layout: `esum1:` then `0`, or `[-]<hex H>p<E>` meaning H * 2^E with H odd (so the total is
   * H * 2^E exactly and E >= -1074), then `:nan`, `:+inf`, `:-inf` for each flag set, in that order.
   *
   * @returns the text form, e.g. `esum1:3p-1` for 1.5.
   */
  toJSON(): string {
    const { mag, negative } = magnitude(this.limbs);
    this.pending = 0;
    let body = '0';
    const t = highestNonZero(mag);
    if (t >= 0) {
      let lo = 0;
      while (mag[lo] === 0) lo++;
      let h = limbsToBigInt(mag, lo, t);
      let e = 32 * lo - 1074;
      while ((h & 0xffn) === 0n) {
        h >>= 8n;
        e += 8;
      }
      while ((h & 1n) === 0n) {
        h >>= 1n;
        e += 1;
      }
      body = `${negative ? '-' : ''}${h.toString(16)}p${e}`;
    }
    return `esum1:${body}${this.sawNaN ? ':nan' : ''}${this.sawPosInf ? ':+inf' : ''}${this.sawNegInf ? ':-inf' : ''}`;
  }

  /**
   * Parses the text form of {@link ExactSum.toJSON}, accepting only its canonical layout.
   *
   * @param s - the text form.
   * @param argument - where it was read from, for an error (`sums.power.0`).
   * @returns the accumulator.
   * @throws TypeError if `s` is not a string in the canonical layout or is out of range.
   */
  static fromJSON(s: string, argument = 's'): ExactSum {
    if (typeof s !== 'string') {
      throw new TypeError(`ExactSum.fromJSON needs a string, but got ${typeof s}.`, { argument, rule: Rule.string });
    }
    const m = s.length <= MAX_JSON_LENGTH ? JSON_PATTERN.exec(s) : null;
    if (m === null) {
      throw new TypeError(
        `ExactSum.fromJSON needs 'esum1:0' or 'esum1:[-]<odd hex>p<exponent>' with optional ':nan', ':+inf', ':-inf', but got '${s.slice(0, 80)}'.`,
        { argument, rule: Rule.exactSum },
      );
    }
    const sum = new ExactSum();
    const [, sign, hexDigits, exponent, nan, posInf, negInf] = m;
    if (hexDigits !== undefined) {
      const e = Number(exponent);
      const shift = e + 1074;
      const h = BigInt(`0x${hexDigits}`);
      if ((h & 1n) === 0n || shift < 0 || bitLength(h) + shift > MAX_BITS) {
        throw new TypeError(
          `ExactSum.fromJSON needs an odd significand and -1074 <= exponent with |total| < 2^${MAX_BITS - 1074}, but got '${s.slice(0, 80)}'.`,
          { argument, rule: Rule.exactSum },
        );
      }
      let n = h << BigInt(shift);
      const negative = sign === '-';
      for (let j = 0; n !== 0n; j++) {
        const w = Number(n & 0xffffffffn);
        sum.limbs[j] = negative ? -w : w;
        n >>= 32n;
      }
      normalizeLimbs(sum.limbs);
    }
    sum.sawNaN = nan !== undefined;
    sum.sawPosInf = posInf !== undefined;
    sum.sawNegInf = negInf !== undefined;
    return sum;
  }

  private normalize(): void {
    normalizeLimbs(this.limbs);
    this.pending = 0;
  }
}

/**
 * The exact sum of `values`, correctly rounded once (see {@link ExactSum}).
 *
 * @param values - the addends.
 * @returns the correctly rounded total.
 *
 * @example
 * ```ts
 * exactSumOf([0.1, 0.2, 0.3]); // 0.6 (naive summation gives 0.6000000000000001)
 * ```
 */
export function exactSumOf(values: ArrayLike<number>): number {
  const s = new ExactSum();
  for (let i = 0; i < values.length; i++) s.add(values[i]);
  return s.value();
}

/**
 * @param s - a value read from a file.
 * @returns whether {@link ExactSum.fromJSON} accepts it (for the state-file schemas).
 */
export function isExactSumJSON(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  try {
    ExactSum.fromJSON(s);
    return true;
  } catch {
    return false;
  }
}
