/**
 * Uniform doubles in (0, 1) from the Philox4x32-10 word stream of `src/rng/philox.ts`: the
 * engine's uniform stream before stream version 2, kept for the tests and benchmarks that
 * still draw from it (the gradient-estimator tests, the moment tests, `bench/gradients.bench.ts`,
 * `bench/philox.bench.ts`). The library itself only reads words from Philox, to seed xoshiro.
 *
 * ## Method
 *
 * A uniform takes two consecutive words (a, b): see {@link uniformFromWords}. Starting from
 * word 0, uniform `i` is block `floor(i / 2)`, words `2 (i mod 2)` and `2 (i mod 2) + 1`. The
 * bulk path computes two blocks at once (two independent chains of ten dependent rounds, which
 * the CPU overlaps: 1.3x to 1.5x the throughput of single blocks in V8 on x64).
 *
 * ## References
 *
 * - J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers: as easy as
 *   1, 2, 3", SC 2011, doi:10.1145/2063384.2063405.
 */
import { PhiloxStream as PhiloxWords } from '../../src/rng/philox.js';

/** Identifies this stream definition (block function, key/counter layout, word-to-uniform map). */
export const GENERATOR_VERSION = 'philox4x32-10/v1';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW_MINUS_32 = 1 / 4294967296;
const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;
const TWO_POW_MINUS_54 = 1 / 18014398509481984;
const WORDS_PER_BLOCK = 4;

/**
 * Maps two random 32-bit words to a double strictly inside (0, 1) with 53 random bits.
 *
 * `k = (a >>> 5) * 2^26 + (b >>> 6)` is uniform on [0, 2^53) and `u = k / 2^53`, except that
 * `k = 0` gives `u = 2^-54` instead of 0. Why the open interval: the Gumbel transform
 * `-log(-log u)` is -Infinity at u = 0 and +Infinity at u = 1, and one infinite Gumbel turns a
 * relaxed one-hot sample into NaN. Why not the midpoint `(k + 0.5) / 2^53`: for k >= 2^52 that
 * number needs 54 significant bits, so it rounds (ties to even) onto its neighbours, two
 * adjacent k share a value and k = 2^53 - 1 rounds to exactly 1. Here every value is exact:
 * the largest is 1 - 2^-53, the smallest 2^-54, and the mean is off 1/2 by under 2^-53.
 *
 * @param a - a random 32-bit word (its top 27 bits are used).
 * @param b - a random 32-bit word (its top 26 bits are used).
 * @returns the uniform double.
 */
export function uniformFromWords(a: number, b: number): number {
  const k = (a >>> 5) * TWO_POW_26 + (b >>> 6);
  return k === 0 ? TWO_POW_MINUS_54 : k * TWO_POW_MINUS_53;
}

function checkIndex(name: string, value: number): void {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a non-negative safe integer, but got ${typeof value}.`);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, but got ${String(value)}.`);
  }
}

/** Two blocks at once, for counters (c0, c1, c2, c3) and that counter plus one (carrying into c1). */
function philox4x32_10x2(c0: number, c1: number, c2: number, c3: number, key: Uint32Array, out: Uint32Array): void {
  let x0 = c0;
  let x1 = c1;
  let x2 = c2;
  let x3 = c3;
  let y0 = (c0 + 1) >>> 0;
  let y1 = y0 === 0 ? (c1 + 1) >>> 0 : c1;
  let y2 = c2;
  let y3 = c3;
  let k0 = key[0];
  let k1 = key[1];
  for (let round = 0; round < 10; round++) {
    const lo0 = Math.imul(M0, x0) >>> 0;
    const lo1 = Math.imul(M1, x2) >>> 0;
    const lo2 = Math.imul(M0, y0) >>> 0;
    const lo3 = Math.imul(M1, y2) >>> 0;
    const hi0 = ((M0 * x0 - lo0) * TWO_POW_MINUS_32 + 0.5) >>> 0;
    const hi1 = ((M1 * x2 - lo1) * TWO_POW_MINUS_32 + 0.5) >>> 0;
    const hi2 = ((M0 * y0 - lo2) * TWO_POW_MINUS_32 + 0.5) >>> 0;
    const hi3 = ((M1 * y2 - lo3) * TWO_POW_MINUS_32 + 0.5) >>> 0;
    x0 = (hi1 ^ x1 ^ k0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ k1) >>> 0;
    x3 = lo0;
    y0 = (hi3 ^ y1 ^ k0) >>> 0;
    y1 = lo3;
    y2 = (hi2 ^ y3 ^ k1) >>> 0;
    y3 = lo2;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  out[4] = y0;
  out[5] = y1;
  out[6] = y2;
  out[7] = y3;
}

/**
 * The Philox word stream read as uniforms in (0, 1), with O(1) skipping.
 *
 * @example
 * ```ts
 * const rng = new PhiloxStream(42, 7);
 * const u = new Float64Array(4);
 * rng.fillUniform(u, 0, 4); // four doubles in (0, 1), the same on every machine
 * rng.wordPosition; // 8
 * ```
 */
export class PhiloxStream extends PhiloxWords {
  /** Output of two interleaved blocks in the bulk path of fillUniform. */
  private readonly pair = new Uint32Array(2 * WORDS_PER_BLOCK);

  /** @param n - the number of 32-bit words to skip, a non-negative safe integer. */
  skipWords(n: number): void {
    checkIndex('n', n);
    this.seek(this.pos + n);
  }

  /** @param n - the number of uniforms (2 words each) to skip, a non-negative safe integer. */
  skipUniforms(n: number): void {
    checkIndex('n', n);
    this.seek(this.pos + 2 * n);
  }

  /** @param wordPosition - the index of the next word to draw, a non-negative safe integer. */
  seek(wordPosition: number): void {
    checkIndex('wordPosition', wordPosition);
    this.pos = wordPosition;
  }

  /** @returns the next uniform double in (0, 1), from the next two words. */
  nextUniform(): number {
    const a = this.nextUint32();
    return uniformFromWords(a, this.nextUint32());
  }

  /**
   * Fills `out[offset .. offset + n)` with uniforms strictly inside (0, 1), 53 random bits each;
   * the same values as `n` calls of {@link PhiloxStream.nextUniform}.
   *
   * @param out - the destination.
   * @param offset - the first index written.
   * @param n - the number of uniforms to draw.
   */
  fillUniform(out: Float64Array, offset: number, n: number): void {
    if (!(offset >= 0 && n >= 0 && offset + n <= out.length) || offset % 1 !== 0 || n % 1 !== 0) {
      throw new RangeError(
        `fillUniform needs integers 0 <= offset and offset + n <= out.length (${out.length}), but got offset=${offset}, n=${n}.`,
      );
    }
    if (this.pos + 2 * n > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`the stream position would pass 2^53 - 1 words (at ${this.pos}, drawing ${n} uniforms).`);
    }
    let i = offset;
    const end = offset + n;
    // Head: finish a partly used block word by word. (After an odd number of nextUint32 calls
    // the position is odd and never block-aligned again, so every uniform takes this path.)
    while (i < end && this.pos % WORDS_PER_BLOCK !== 0) out[i++] = this.nextUniform();
    if (end - i >= 2) {
      // Body: whole blocks, two at a time while four or more uniforms remain, with the 64-bit
      // block counter kept as two words (c0 low, c1 high).
      const key = this.key;
      const block = this.block;
      const pair = this.pair;
      const c2 = this.ctr[2];
      const c3 = this.ctr[3];
      let blockIndex = this.pos / WORDS_PER_BLOCK;
      let c0 = blockIndex >>> 0;
      let c1 = (blockIndex - c0) * TWO_POW_MINUS_32;
      while (end - i >= 4) {
        philox4x32_10x2(c0, c1, c2, c3, key, pair);
        out[i] = uniformFromWords(pair[0], pair[1]);
        out[i + 1] = uniformFromWords(pair[2], pair[3]);
        out[i + 2] = uniformFromWords(pair[4], pair[5]);
        out[i + 3] = uniformFromWords(pair[6], pair[7]);
        i += 4;
        blockIndex += 2;
        c0 = (c0 + 2) >>> 0;
        if (c0 < 2) c1++;
      }
      if (end - i >= 2) {
        this.generate(blockIndex);
        out[i] = uniformFromWords(block[0], block[1]);
        out[i + 1] = uniformFromWords(block[2], block[3]);
        i += 2;
        blockIndex++;
      }
      this.pos = blockIndex * WORDS_PER_BLOCK;
    }
    // Tail: one uniform from the first half of the next block (the rest stays cached).
    if (i < end) out[i] = this.nextUniform();
  }
}
