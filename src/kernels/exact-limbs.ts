/**
 * Integer arithmetic on the limbs of an exact sum (see `exact-sum.ts` for the representation):
 * splitting a double into limb pieces, propagating carries, rounding the total once, and the
 * canonical text form. Shared by {@link ExactSum} (one accumulator) and `ExactSumArray` (many,
 * packed), so both give the same bits and the same text for the same addends.
 *
 * The common cases (a total whose top limb is at least limb 2 and below 2^32, which is every
 * total from about 2^-1010 up to about 2^1070) are done in doubles holding integers below
 * 2^53, exactly; the rest falls back to BigInt. Both paths are checked against an independent
 * BigInt reference in the tests.
 *
 * @packageDocumentation
 * @internal
 */

/** Number of 32-bit limbs: bits 0..2097 hold any one term; the rest is headroom for carries. */
export const LIMB_COUNT = 68;
/** Index of the top limb, which keeps the sign and any carry out of the others. */
export const TOP = LIMB_COUNT - 1;
/** 2^32, the weight of one limb over the one below it. */
export const LIMB = 4294967296;
const INV_LIMB = 1 / 4294967296;
const TWO_POW_64 = 18446744073709551616;
const INV_TWO_POW_64 = 1 / 18446744073709551616;
/**
 * Carries are propagated after this many unnormalised additions. Between normalisations a limb
 * is below (pending + 1) * 2^32 in magnitude, which must stay under 2^53 for exact arithmetic.
 */
export const NORMALIZE_EVERY = 1 << 20;
/** |N| must stay below 2^MAX_BITS for the limbs to hold it with headroom. */
export const MAX_BITS = 32 * TOP;

/** Two hex digits per byte value: `Number.prototype.toString(16)` is far slower per word. */
const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** @returns the 8 hex digits of a 32-bit word, with leading zeros. */
function hexWord(w: number): string {
  return HEX_BYTE[w >>> 24] + HEX_BYTE[(w >>> 16) & 255] + HEX_BYTE[(w >>> 8) & 255] + HEX_BYTE[w & 255];
}

/** Scratch for reading and building IEEE bit patterns (big-endian, fixed). */
const VIEW = new DataView(new ArrayBuffer(8));
/** 2^s for s = 0..64, built by doubling so every entry is exact. */
const POW2_INT = new Float64Array(65);
POW2_INT[0] = 1;
for (let s = 1; s <= 64; s++) POW2_INT[s] = POW2_INT[s - 1] * 2;
/** Scratch limbs for the magnitude of a negative total (single-threaded use only). */
const SCRATCH = new Float64Array(LIMB_COUNT);

/** The three pieces of the last double split by {@link splitDouble}, lowest limb first. */
export const PIECES = new Float64Array(3);

/** {@link splitDouble}'s result for ±0 (nothing to add). */
export const SPLIT_ZERO = -1;
/** {@link splitDouble}'s result for NaN. */
export const SPLIT_NAN = -2;
/** {@link splitDouble}'s result for +Infinity. */
export const SPLIT_POS_INF = -3;
/** {@link splitDouble}'s result for -Infinity. */
export const SPLIT_NEG_INF = -4;

/**
 * Splits a finite non-zero double `x` into `x * 2^1074 = (PIECES[0] + PIECES[1] 2^32 +
 * PIECES[2] 2^64) * 2^(32 j)`, each piece an integer below 2^32, signed like `x`.
 *
 * @param x - any double.
 * @returns the limb index `j` (0..63) of the lowest piece, or one of the `SPLIT_*` codes.
 */
export function splitDouble(x: number): number {
  VIEW.setFloat64(0, x);
  const hi = VIEW.getUint32(0);
  const lo = VIEW.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  if (biased === 0x7ff) return x !== x ? SPLIT_NAN : x > 0 ? SPLIT_POS_INF : SPLIT_NEG_INF;
  const fraction = hi & 0xfffff;
  if (biased === 0 && fraction === 0 && lo === 0) return SPLIT_ZERO;
  // x = significand * 2^(biased - 1075) (normal) or fraction * 2^-1074 (subnormal), so
  // x * 2^1074 = significand * 2^p with p = biased - 1 (or 0): bit p of N, limb p >>> 5.
  const significand = (biased === 0 ? fraction : fraction + 0x100000) * LIMB + lo;
  const p = biased === 0 ? 0 : biased - 1;
  // Below 2^85 with 53 significant bits: exact, and so are the three pieces split off below.
  const v = significand * POW2_INT[p & 31];
  const c2 = Math.floor(v * INV_TWO_POW_64);
  const r = v - c2 * TWO_POW_64;
  const c1 = Math.floor(r * INV_LIMB);
  const c0 = r - c1 * LIMB;
  if (hi >>> 31) {
    PIECES[0] = -c0;
    PIECES[1] = -c1;
    PIECES[2] = -c2;
  } else {
    PIECES[0] = c0;
    PIECES[1] = c1;
    PIECES[2] = c2;
  }
  return p >>> 5;
}

/** 2^k for an integer k >= -1074, exactly (Infinity past 1023), built from its bit pattern. */
function pow2(k: number): number {
  if (k > 1023) return Infinity;
  if (k < -1022) return pow2(k + 1074) * Number.MIN_VALUE; // a subnormal: exact
  VIEW.setUint32(0, (k + 1023) << 20);
  VIEW.setUint32(4, 0);
  return VIEW.getFloat64(0);
}

/**
 * Propagates carries so limbs `from..top-1` lie in [0, 2^32); limb `top` keeps the sign.
 *
 * @param limbs - the limbs.
 * @param from - first limb (0 for a whole accumulator).
 * @param top - the limb that takes the last carry (exclusive end of the others).
 */
export function normalizeLimbs(limbs: Float64Array, from = 0, top = from + TOP): void {
  let carry = 0;
  for (let j = from; j < top; j++) {
    const t = limbs[j] + carry;
    const q = Math.floor(t * INV_LIMB);
    limbs[j] = t - q * LIMB;
    carry = q;
  }
  limbs[top] += carry;
}

/** Whether the last {@link magnitude} was of a negative total. */
let lastNegative = false;

/**
 * Normalises `limbs` (all {@link LIMB_COUNT} of them) and returns the limbs of |N|: `limbs`
 * itself, or a scratch array holding the negation; the sign is in {@link wasNegative}.
 */
export function magnitude(limbs: Float64Array): Float64Array {
  normalizeLimbs(limbs);
  // With the lower limbs in [0, 2^32), N < 0 exactly when the top limb is negative.
  lastNegative = limbs[TOP] < 0;
  if (!lastNegative) return limbs;
  for (let j = 0; j < LIMB_COUNT; j++) SCRATCH[j] = -limbs[j];
  normalizeLimbs(SCRATCH);
  return SCRATCH;
}

/** @returns whether the total of the last {@link magnitude} call was negative. */
export function wasNegative(): boolean {
  return lastNegative;
}

/** @returns the index of the highest non-zero limb, or -1. */
export function highestNonZero(mag: Float64Array): number {
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

/** @returns the number of bits of a non-negative BigInt. */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * Rounds |N| * 2^-1074 to the nearest double, ties to even, from normalised magnitude limbs.
 * Only the highest non-zero limb and the two below it (65 to 96 bits) enter the significand;
 * any lower non-zero limb is a sticky bit, which matters only to break an exact tie upwards.
 */
export function roundMagnitude(mag: Float64Array): number {
  const t = highestNonZero(mag);
  if (t < 0) return 0;
  const v = roundFrom(mag, t, 0);
  return v === v ? v : roundMagnitudeBig(mag, t);
}

/**
 * {@link roundMagnitude} of normalised magnitude limbs held from limb `offset` on: `mag[k]` is
 * limb `k + offset`, limbs below `offset` are zero, and `mag[t]` is the highest non-zero one.
 *
 * @returns the rounded value, or NaN for the rare totals this double path does not cover (a top
 *   limb of 2^32 or more, or below limb 2), which {@link roundMagnitude} takes in BigInt.
 */
export function roundFrom(mag: Float64Array, t: number, offset: number): number {
  const a = mag[t];
  const lo = t + offset - 2;
  if (lo < 0 || a >= LIMB) return NaN;
  const b = t >= 1 ? mag[t - 1] : 0;
  const c = t >= 2 ? mag[t - 2] : 0;
  let sticky = false;
  for (let k = 0; k < t - 2; k++) if (mag[k] !== 0) sticky = true;
  // m = a 2^64 + b 2^32 + c has len = 64 + bits(a) bits; keep the top 53: q = floor(m / 2^s).
  // The terms of q below occupy disjoint bit ranges below 2^53, so each sum is exact.
  const s = 11 + (32 - Math.clz32(a));
  let q: number;
  let rem: number;
  if (s <= 32) {
    const ch = Math.floor(c / POW2_INT[s]);
    q = a * POW2_INT[64 - s] + b * POW2_INT[32 - s] + ch;
    rem = c - ch * POW2_INT[s];
  } else {
    const d = s - 32;
    const bh = Math.floor(b / POW2_INT[d]);
    q = a * POW2_INT[64 - s] + bh;
    rem = (b - bh * POW2_INT[d]) * LIMB + c;
  }
  const half = POW2_INT[s - 1];
  if (rem > half || (rem === half && (sticky || q % 2 === 1))) q += 1;
  // q <= 2^53 and the result is at least 2^-1010, so this product is exact unless it overflows,
  // and it overflows to Infinity exactly when the rounded value reaches 2^1024.
  return q * pow2(s + 32 * lo - 1074);
}

/** {@link roundMagnitude} for the rare totals the double path does not cover, in BigInt. */
function roundMagnitudeBig(mag: Float64Array, t: number): number {
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
  return Number(q) * pow2(s + e);
}

/**
 * The body of the canonical text form of a total, `[-]<odd hex H>p<E>` for H * 2^E, or `0`.
 *
 * @param mag - normalised magnitude limbs (from {@link magnitude}).
 * @param negative - the total's sign.
 */
export function textBody(mag: Float64Array, negative: boolean): string {
  const t = highestNonZero(mag);
  if (t < 0) return '0';
  return textFrom(mag, t, 0, negative) ?? textBodyBig(mag, t, negative);
}

/**
 * {@link textBody} of normalised magnitude limbs held from limb `offset` on (as
 * {@link roundFrom}), `mag[t]` the highest non-zero one.
 *
 * @returns the body, or null for a top limb of 2^32 or more (taken in BigInt by {@link textBody}).
 */
export function textFrom(mag: Float64Array, t: number, offset: number, negative: boolean): string | null {
  if (mag[t] >= LIMB) return null;
  let lo = 0;
  while (mag[lo] === 0) lo++;
  const low = mag[lo] >>> 0;
  const tz = 31 - Math.clz32(low & -low);
  // H = (limbs lo..t) >> tz, written from its top 32-bit word down.
  let hex = '';
  for (let k = t; k >= lo; k--) {
    const above = k < t ? mag[k + 1] : 0;
    const w = tz === 0 ? mag[k] >>> 0 : ((mag[k] >>> tz) | (above << (32 - tz))) >>> 0;
    if (hex !== '') hex += hexWord(w);
    else if (w !== 0) hex = hexWord(w).slice(8 - ((35 - Math.clz32(w)) >>> 2));
  }
  return `${negative ? '-' : ''}${hex}p${32 * (lo + offset) - 1074 + tz}`;
}

function textBodyBig(mag: Float64Array, t: number, negative: boolean): string {
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
  return `${negative ? '-' : ''}${h.toString(16)}p${e}`;
}

/**
 * @param hexDigits - H, odd, with no leading zero.
 * @param shift - E + 1074.
 * @returns whether H * 2^E is a total the limbs can hold (|total| below 2^(MAX_BITS - 1074)).
 */
export function textFits(hexDigits: string, shift: number): boolean {
  const bits = 4 * (hexDigits.length - 1) + (32 - Math.clz32(parseInt(hexDigits[0], 16)));
  return shift >= 0 && bits + shift <= MAX_BITS;
}

/** @returns the highest limb H * 2^(shift - 1074) touches (see {@link textFits}). */
export function textTopLimb(hexDigits: string, shift: number): number {
  const bits = 4 * (hexDigits.length - 1) + (32 - Math.clz32(parseInt(hexDigits[0], 16)));
  return (bits + shift - 1) >>> 5;
}

/**
 * Adds ±H * 2^(shift - 1074) (a total that {@link textFits}) into limbs that start at limb
 * `from`, unnormalised: each limb gets less than 2^33 in magnitude.
 *
 * @param limbs - `limbs[k]` is limb `k + from` (`from` may be negative); must cover limbs
 *   `shift >>> 5` to {@link textTopLimb} + 1.
 */
export function addText(limbs: Float64Array, from: number, hexDigits: string, shift: number, negative: boolean): void {
  const scale = POW2_INT[shift & 31];
  const sign = negative ? -1 : 1;
  for (let end = hexDigits.length, k = (shift >>> 5) - from; end > 0; end -= 8, k++) {
    // w 2^(shift & 31) < 2^63 is exact; split it at 2^32 into this limb and the next.
    const v = parseInt(hexDigits.slice(Math.max(0, end - 8), end), 16) * scale;
    const hi = Math.floor(v * INV_LIMB);
    limbs[k] += sign * (v - hi * LIMB);
    limbs[k + 1] += sign * hi;
  }
}
