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
import {
  LIMB_COUNT,
  NORMALIZE_EVERY,
  PIECES,
  SPLIT_NAN,
  SPLIT_NEG_INF,
  SPLIT_POS_INF,
  highestNonZero,
  addText,
  magnitude,
  normalizeLimbs,
  roundMagnitude,
  splitDouble,
  textFits,
  textBody,
  wasNegative,
} from './exact-limbs.js';

/** A canonical text form never needs more (the hex significand is at most 536 digits). */
const MAX_JSON_LENGTH = 600;

const JSON_PATTERN = /^esum1:(?:0|(-?)([1-9a-f][0-9a-f]*)p(0|-?[1-9][0-9]*))(:nan)?(:\+inf)?(:-inf)?$/;

/** The flags of a text form, in the order they are written. */
function flagsText(nan: boolean, posInf: boolean, negInf: boolean): string {
  return `${nan ? ':nan' : ''}${posInf ? ':+inf' : ''}${negInf ? ':-inf' : ''}`;
}

/** The IEEE value of a total with these flags, or null when the limbs decide it. */
function specialValue(nan: boolean, posInf: boolean, negInf: boolean): number | null {
  if (nan || (posInf && negInf)) return NaN;
  if (posInf) return Infinity;
  if (negInf) return -Infinity;
  return null;
}

/** A text form, read and checked (see {@link readExactSumText}). */
export interface ExactSumText {
  /** H in hex (odd, no leading zero), or undefined for a zero total. */
  hex: string | undefined;
  /** E + 1074, where the total is ±H * 2^E. */
  shift: number;
  negative: boolean;
  nan: boolean;
  posInf: boolean;
  negInf: boolean;
}

/**
 * Reads a text form of {@link ExactSum.toJSON}, accepting only its canonical layout.
 *
 * @throws TypeError if `s` is not a string in the canonical layout or is out of range.
 */
export function readExactSumText(s: unknown, argument: string): ExactSumText {
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
  const hex = m[2];
  const shift = hex === undefined ? 0 : Number(m[3]) + 1074;
  if (hex !== undefined && ((parseInt(hex[hex.length - 1], 16) & 1) === 0 || !textFits(hex, shift))) {
    throw new TypeError(
      `ExactSum.fromJSON needs an odd significand and -1074 <= exponent with |total| < 2^${32 * (LIMB_COUNT - 1) - 1074}, but got '${s.slice(0, 80)}'.`,
      { argument, rule: Rule.exactSum },
    );
  }
  return {
    hex,
    shift,
    negative: m[1] === '-',
    nan: m[4] !== undefined,
    posInf: m[5] !== undefined,
    negInf: m[6] !== undefined,
  };
}

/**
 * The value and text of a total held in full-length limbs (normalised in place), with flags.
 *
 * @internal
 */
export function limbsValue(limbs: Float64Array, nan: boolean, posInf: boolean, negInf: boolean): number {
  const special = specialValue(nan, posInf, negInf);
  if (special !== null) return special;
  const v = roundMagnitude(magnitude(limbs));
  return wasNegative() ? -v : v;
}

/** @internal */
export function limbsText(limbs: Float64Array, nan: boolean, posInf: boolean, negInf: boolean): string {
  const mag = magnitude(limbs);
  return `esum1:${textBody(mag, wasNegative())}${flagsText(nan, posInf, negInf)}`;
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
    const j = splitDouble(x);
    if (j < 0) {
      if (j === SPLIT_NAN) this.sawNaN = true;
      else if (j === SPLIT_POS_INF) this.sawPosInf = true;
      else if (j === SPLIT_NEG_INF) this.sawNegInf = true;
      return;
    }
    const limbs = this.limbs;
    limbs[j] += PIECES[0];
    limbs[j + 1] += PIECES[1];
    limbs[j + 2] += PIECES[2];
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
    this.pending = 0;
    return limbsValue(this.limbs, this.sawNaN, this.sawPosInf, this.sawNegInf);
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
    this.pending = 0;
    return limbsText(this.limbs, this.sawNaN, this.sawPosInf, this.sawNegInf);
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
    const text = readExactSumText(s, argument);
    const sum = new ExactSum();
    if (text.hex !== undefined) {
      addText(sum.limbs, 0, text.hex, text.shift, text.negative);
      normalizeLimbs(sum.limbs);
    }
    sum.sawNaN = text.nan;
    sum.sawPosInf = text.posInf;
    sum.sawNegInf = text.negInf;
    return sum;
  }

  /**
   * A finite total from full-length limbs (copied), without flags: for `ExactSumArray`.
   *
   * @internal
   */
  static fromLimbs(limbs: Float64Array): ExactSum {
    const s = new ExactSum();
    s.limbs.set(limbs);
    normalizeLimbs(s.limbs);
    return s;
  }

  /**
   * Adds this total's limbs (not its flags) into full-length limbs: for `ExactSumArray`.
   *
   * @internal
   */
  addLimbsTo(out: Float64Array): void {
    this.normalize();
    for (let j = 0; j < LIMB_COUNT; j++) out[j] += this.limbs[j];
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
