/**
 * Many exact sums in a few flat arrays, for the merged state of a job (one sum per moment and
 * component: hundreds of thousands for a wide batch).
 *
 * ## Method
 *
 * Each sum is the integer `N` of {@link ExactSum} (same totals, same rounding, same text form),
 * but holds only a window of {@link WINDOW} consecutive limbs, placed where its first addend
 * falls, with room for addends a few binary orders of magnitude either side and for carries.
 * The addends of one sum (a chunk's power sum of one component) are of similar size, so the
 * window almost always suffices; a sum whose addend falls outside it moves to a full
 * {@link ExactSum} and carries on there. So the whole array costs `8 * WINDOW + 4` bytes per
 * sum instead of an object of 68 limbs (544 bytes), and building, adding, rounding and writing
 * it scan memory once, with no allocation per sum: a few milliseconds per 10^5 sums, where an
 * array of `ExactSum` objects took over a second for its construction, estimate and text form.
 *
 * Carries: within a window the top limb takes the carries and keeps the sign, as the top limb
 * of a full sum does; it stays far below 2^53 (an addend puts at most 2^21 in it, and carries
 * are propagated every 2^20 additions), and is checked at every propagation.
 *
 * @packageDocumentation
 */
import { ExactSum, limbsText, limbsValue, readExactSumText } from './exact-sum.js';
import {
  LIMB_COUNT,
  NORMALIZE_EVERY,
  PIECES,
  SPLIT_NAN,
  SPLIT_NEG_INF,
  SPLIT_POS_INF,
  magnitude,
  normalizeLimbs,
  roundFrom,
  splitDouble,
  addText,
  textFrom,
  textTopLimb,
  wasNegative,
} from './exact-limbs.js';

/**
 * Limbs kept per sum: two below its first addend's lowest piece, three for it, two above, and a
 * top limb for the carries.
 */
export const WINDOW = 8;
/** Memory per sum: its limbs, carry count, window position and flags. */
export const EXACT_SUM_BYTES = 8 * WINDOW + 4 + 1 + 1;
const EMPTY = -1;
const MOVED = -2;
const NAN = 1;
const POS_INF = 2;
const NEG_INF = 4;
/** A window's top limb beyond this moves the sum to a full accumulator (never reached in practice). */
const TOP_LIMIT = 2 ** 40;

/** Full-length scratch limbs for rounding and writing one sum (single-threaded use only). */
const FULL = new Float64Array(LIMB_COUNT);
/** One window's normalised magnitude, and its sign (see `ExactSumArray.window`). */
const WS = new Float64Array(WINDOW);
let windowNegative = false;
/** `ExactSumArray.window` results that are not limb indices. */
const NONE = -1;
const FULL_PATH = -2;

/**
 * A fixed number of exact sums, each giving the same bits and text as an {@link ExactSum} fed
 * the same addends.
 *
 * @example
 * ```ts
 * const s = new ExactSumArray(2);
 * s.addAll(Float64Array.of(1e300, 0.5));
 * s.addAll(Float64Array.of(1, 0.25));
 * s.addAll(Float64Array.of(-1e300, 0));
 * [s.value(0), s.value(1)]; // [1, 0.75]
 * ```
 */
export class ExactSumArray {
  /** Limbs of sum i: `limbs[i * WINDOW + w]` weighs 2^(32 (base[i] + w)). */
  private readonly limbs: Float64Array;
  /** Lowest limb index of each window; `EMPTY` for a zero total, `MOVED` once in `moved`. */
  private readonly base: Int8Array;
  private readonly pending: Int32Array;
  /** NaN and infinity flags of every sum (also of moved ones, whose accumulators have none). */
  private readonly flags: Uint8Array;
  private readonly moved = new Map<number, ExactSum>();

  /** @param length - the number of sums, all zero. */
  constructor(readonly length: number) {
    // Touched now (a fresh array's pages fault on first write): the first chunk merged into a
    // wide job's sums would otherwise pay for every page in one step.
    this.limbs = new Float64Array(length * WINDOW).fill(0);
    this.base = new Int8Array(length).fill(EMPTY);
    this.pending = new Int32Array(length);
    this.flags = new Uint8Array(length);
  }

  /**
   * Adds one double exactly to sum `i`.
   *
   * @param i - which sum.
   * @param x - any double.
   */
  add(i: number, x: number): void {
    const j = splitDouble(x);
    if (j < 0) {
      if (j === SPLIT_NAN) this.flags[i] |= NAN;
      else if (j === SPLIT_POS_INF) this.flags[i] |= POS_INF;
      else if (j === SPLIT_NEG_INF) this.flags[i] |= NEG_INF;
      return;
    }
    let b = this.base[i];
    if (b === EMPTY) {
      b = Math.min(Math.max(j - 2, 0), LIMB_COUNT - WINDOW);
      this.base[i] = b;
    } else if (b === MOVED || j < b || j + 2 >= b + WINDOW - 1) {
      (this.moved.get(i) ?? this.move(i)).add(x);
      return;
    }
    const o = i * WINDOW + j - b;
    const limbs = this.limbs;
    limbs[o] += PIECES[0];
    limbs[o + 1] += PIECES[1];
    limbs[o + 2] += PIECES[2];
    if (++this.pending[i] >= NORMALIZE_EVERY) this.normalize(i);
  }

  /**
   * Adds `values[k]` to sum `offset + k` for every k.
   *
   * @param values - the addends.
   * @param offset - the first sum.
   */
  addAll(values: ArrayLike<number>, offset = 0): void {
    for (let k = 0; k < values.length; k++) this.add(offset + k, values[k]);
  }

  /**
   * Adds another array's totals, sum by sum; `other` is unchanged.
   *
   * @param other - an array of the same length.
   */
  addArray(other: ExactSumArray): void {
    for (let i = 0; i < this.length; i++) {
      this.flags[i] |= other.flags[i];
      const ob = other.base[i];
      if (ob === EMPTY) continue;
      const b = this.base[i];
      if (b === ob && b >= 0 && this.pending[i] + other.pending[i] + 1 < NORMALIZE_EVERY) {
        for (let w = 0; w < WINDOW; w++) this.limbs[i * WINDOW + w] += other.limbs[i * WINDOW + w];
        this.pending[i] += other.pending[i] + 1;
      } else {
        const full = this.spread(i);
        other.addTo(i, full);
        this.pack(i, full);
      }
    }
  }

  /**
   * @param i - which sum.
   * @returns its exact total rounded once to the nearest double, as {@link ExactSum.value}.
   */
  value(i: number): number {
    const f = this.flags[i];
    if (f !== 0) return limbsValue(FULL, (f & NAN) !== 0, (f & POS_INF) !== 0, (f & NEG_INF) !== 0);
    const t = this.window(i);
    if (t < 0) return t === NONE ? 0 : limbsValue(this.spread(i), false, false, false);
    const v = roundFrom(WS, t, this.base[i]);
    if (v !== v) return limbsValue(this.spread(i), false, false, false);
    return windowNegative ? -v : v;
  }

  /**
   * @param i - which sum.
   * @returns its canonical text form, as {@link ExactSum.toJSON}.
   */
  text(i: number): string {
    const f = this.flags[i];
    const t = this.window(i);
    const body = t >= 0 ? textFrom(WS, t, this.base[i], windowNegative) : t === NONE ? '0' : null;
    if (body !== null && f === 0) return `esum1:${body}`;
    return limbsText(this.spread(i), (f & NAN) !== 0, (f & POS_INF) !== 0, (f & NEG_INF) !== 0);
  }

  /**
   * Loads sum i's window into {@link WS}, normalised magnitude limbs (sign in `windowNegative`).
   *
   * @returns the highest non-zero limb of the window, or `NONE` for a zero total, or `FULL_PATH`
   *   for a sum kept in a full accumulator.
   */
  private window(i: number): number {
    const b = this.base[i];
    if (b === EMPTY) return NONE;
    if (b === MOVED) return FULL_PATH;
    const ws = WS;
    const o = i * WINDOW;
    for (let w = 0; w < WINDOW; w++) ws[w] = this.limbs[o + w];
    normalizeLimbs(ws, 0, WINDOW - 1);
    windowNegative = ws[WINDOW - 1] < 0;
    if (windowNegative) {
      for (let w = 0; w < WINDOW; w++) ws[w] = -ws[w];
      normalizeLimbs(ws, 0, WINDOW - 1);
    }
    let t = WINDOW - 1;
    while (t >= 0 && ws[t] === 0) t--;
    return t < 0 ? NONE : t;
  }

  /** @returns every sum's text form, in order. */
  toJSON(): string[] {
    const out = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.text(i);
    return out;
  }

  /**
   * Sets sum `i` from a text form (replacing its total).
   *
   * @param i - which sum.
   * @param s - a text form of {@link ExactSum.toJSON}.
   * @param argument - where it was read from, for an error.
   * @throws TypeError as {@link ExactSum.fromJSON}.
   */
  setText(i: number, s: unknown, argument: string): void {
    const text = readExactSumText(s, argument);
    this.flags[i] = (text.nan ? NAN : 0) | (text.posInf ? POS_INF : 0) | (text.negInf ? NEG_INF : 0);
    this.moved.delete(i);
    this.pending[i] = 0;
    const o = i * WINDOW;
    this.limbs.fill(0, o, o + WINDOW);
    if (text.hex === undefined) {
      this.base[i] = EMPTY;
      return;
    }
    // Placed as a first addend would be, when its span leaves the window's top limb free.
    const b = Math.min(Math.max((text.shift >>> 5) - 2, 0), LIMB_COUNT - WINDOW);
    if (textTopLimb(text.hex, text.shift) + 1 < b + WINDOW - 1) {
      this.base[i] = b;
      addText(this.limbs, b - o, text.hex, text.shift, text.negative);
      this.pending[i] = 1;
      return;
    }
    FULL.fill(0);
    addText(FULL, 0, text.hex, text.shift, text.negative);
    this.pack(i, FULL);
  }

  /**
   * @param json - text forms, one per sum.
   * @param argument - where they were read from (`sums.power`), for an error.
   * @returns the array.
   * @throws TypeError for a malformed entry (named `argument.i`).
   */
  static fromJSON(json: readonly unknown[], argument: string): ExactSumArray {
    const a = new ExactSumArray(json.length);
    for (let i = 0; i < json.length; i++) a.setText(i, json[i], `${argument}.${i}`);
    return a;
  }

  /** The finite total of sum i spread over zeroed full-length scratch limbs. */
  private spread(i: number): Float64Array {
    FULL.fill(0);
    this.addTo(i, FULL);
    return FULL;
  }

  /** Adds the finite total of sum i into full-length limbs. */
  private addTo(i: number, out: Float64Array): void {
    const b = this.base[i];
    if (b === MOVED) (this.moved.get(i) as ExactSum).addLimbsTo(out);
    else if (b >= 0) for (let w = 0; w < WINDOW; w++) out[b + w] += this.limbs[i * WINDOW + w];
  }

  /**
   * Stores a finite total given in full-length limbs as sum i: in a window placed on its span
   * when it fits with a free top limb, else as a full accumulator.
   */
  private pack(i: number, full: Float64Array): void {
    this.moved.delete(i);
    this.pending[i] = 0;
    this.limbs.fill(0, i * WINDOW, (i + 1) * WINDOW);
    const mag = magnitude(full);
    const negative = wasNegative();
    let lo = 0;
    while (lo < LIMB_COUNT && mag[lo] === 0) lo++;
    if (lo === LIMB_COUNT) {
      this.base[i] = EMPTY;
      return;
    }
    let hi = LIMB_COUNT - 1;
    while (mag[hi] === 0) hi--;
    const b = Math.min(Math.max(lo - 2, 0), LIMB_COUNT - WINDOW);
    if (hi >= b + WINDOW - 1) {
      this.base[i] = MOVED;
      this.moved.set(i, ExactSum.fromLimbs(negative ? negated(mag) : mag));
      return;
    }
    this.base[i] = b;
    for (let w = 0; w < WINDOW; w++) this.limbs[i * WINDOW + w] = negative ? -mag[b + w] : mag[b + w];
  }

  /** Moves sum i to a full accumulator (an addend outside its window). */
  private move(i: number): ExactSum {
    const s = ExactSum.fromLimbs(this.spread(i));
    this.limbs.fill(0, i * WINDOW, (i + 1) * WINDOW);
    this.pending[i] = 0;
    this.moved.set(i, s);
    this.base[i] = MOVED;
    return s;
  }

  private normalize(i: number): void {
    const o = i * WINDOW;
    normalizeLimbs(this.limbs, o, o + WINDOW - 1);
    this.pending[i] = 0;
    if (Math.abs(this.limbs[o + WINDOW - 1]) > TOP_LIMIT) this.move(i);
  }
}

const NEGATED = new Float64Array(LIMB_COUNT);
function negated(mag: Float64Array): Float64Array {
  for (let j = 0; j < LIMB_COUNT; j++) NEGATED[j] = -mag[j];
  return NEGATED;
}
