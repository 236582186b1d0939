/**
 * Philox4x32-10, the counter-based generator of Salmon et al. (SC 2011), and the per-chunk
 * uniform stream the worker engine draws from.
 *
 * A counter-based generator is a keyed bijection of a 128-bit counter: draw number `i` of a
 * stream is a pure function of (key, counter(i)). That is what lets the engine cut a job into
 * chunks: chunk `c` of a job with seed `s` reads the stream (key = s, counter high words = c),
 * whichever worker, thread or machine runs it, and jumping to any position costs nothing.
 *
 * ## Method
 *
 * One round maps the counter `(x0, x1, x2, x3)` with round key `(k0, k1)` to
 * `(hi(M1·x2) ^ x1 ^ k0, lo(M1·x2), hi(M0·x0) ^ x3 ^ k1, lo(M0·x0))`, where `hi`/`lo` are the
 * high and low 32-bit words of the 64-bit product, `M0 = 0xD2511F53`, `M1 = 0xCD9E8D57`. The
 * key is bumped by the Weyl constants `(0x9E3779B9, 0xBB67AE85)` between rounds; ten rounds.
 *
 * JavaScript numbers cannot hold a 64-bit product, so {@link mulhi32} recovers the high word
 * from the exact low word (`Math.imul`) and the rounded double product (see there).
 *
 * Stream layout (versioned by {@link GENERATOR_VERSION}; changing any of it is a new version):
 * - key = (seed mod 2^32, floor(seed / 2^32));
 * - counter of block `b` = (b mod 2^32, floor(b / 2^32), stream mod 2^32, floor(stream / 2^32));
 * - the stream is the sequence of 32-bit words out[0..3] of block 0, then block 1, ...;
 * - a uniform takes two consecutive words (a, b): see {@link uniformFromWords}. Starting from
 *   word 0, uniform `i` is block `floor(i / 2)`, words `2 (i mod 2)` and `2 (i mod 2) + 1`.
 *
 * ## References
 *
 * - J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers: as easy as
 *   1, 2, 3", SC 2011, doi:10.1145/2063384.2063405.
 * - Random123 distribution (D. E. Shaw Research), `tests/kat_vectors`, for the known answers.
 *
 * @packageDocumentation
 */

/** Identifies the stream definition (block function, key/counter layout, word-to-uniform map). */
export const GENERATOR_VERSION = 'philox4x32-10/v1';

/** Philox4x32 multipliers (Salmon et al. 2011; Random123 PHILOX_M4x32_0 and _1). */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
/** Key schedule (Weyl) increments: golden ratio - 1 and sqrt(3) - 1, as 32-bit fractions. */
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_32 = 1 / 4294967296;
const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;
const TWO_POW_MINUS_54 = 1 / 18014398509481984;
/** Words in one Philox4x32 block. */
const WORDS_PER_BLOCK = 4;

/**
 * The high 32 bits of the 64-bit product of two unsigned 32-bit integers, exactly.
 *
 * The double product `p = a * b` (< 2^64) is off by at most 2^10 (half an ulp at 2^64), and
 * `p - lo` adds at most another 2^10, where `lo = imul(a, b)` is the exact low word. So
 * `(p - lo) / 2^32` is within 2^-21 of the integer `hi`, and adding 1/2 then truncating
 * (`>>> 0`) recovers it exactly, with no 16-bit splitting and no BigInt.
 *
 * @param a - an unsigned 32-bit integer (0 <= a < 2^32).
 * @param b - an unsigned 32-bit integer.
 * @returns floor(a * b / 2^32), an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * mulhi32(0xffffffff, 0xffffffff); // 4294967294 (0xfffffffe)
 * ```
 */
export function mulhi32(a: number, b: number): number {
  const lo = Math.imul(a, b) >>> 0;
  return ((a * b - lo) * TWO_POW_MINUS_32 + 0.5) >>> 0;
}

/**
 * The Philox4x32-10 block function: encrypts one 128-bit counter under a 64-bit key.
 * Allocation-free; `out` may alias `ctr`.
 *
 * @param ctr - the counter, 4 words.
 * @param key - the key, 2 words.
 * @param out - receives the 4 output words.
 *
 * @example
 * ```ts
 * const out = new Uint32Array(4);
 * philox4x32_10(new Uint32Array(4), new Uint32Array(2), out);
 * [...out].map((w) => w.toString(16)); // ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']
 * ```
 */
export function philox4x32_10(ctr: Uint32Array, key: Uint32Array, out: Uint32Array): void {
  let x0 = ctr[0];
  let x1 = ctr[1];
  let x2 = ctr[2];
  let x3 = ctr[3];
  let k0 = key[0];
  let k1 = key[1];
  for (let round = 0; round < 10; round++) {
    // x0 and x2 are kept as unsigned values: they are the multiplicands of the next round.
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi0 = ((M0 * x0 - lo0) * TWO_POW_MINUS_32 + 0.5) >>> 0;
    const lo1 = Math.imul(M1, x2) >>> 0;
    const hi1 = ((M1 * x2 - lo1) * TWO_POW_MINUS_32 + 0.5) >>> 0;
    x0 = (hi1 ^ x1 ^ k0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ k1) >>> 0;
    x3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/**
 * Two Philox4x32-10 blocks at once, for counters (c0, c1, c2, c3) and that counter plus one
 * (carrying from word 0 into word 1). The result is exactly two {@link philox4x32_10} calls; the
 * point is speed: one block is a chain of ten dependent rounds, so interleaving two independent
 * chains lets the CPU overlap them (1.3x to 1.5x the throughput of single blocks in V8 on x64).
 *
 * @param c0 - counter word 0 of the first block.
 * @param c1 - counter word 1.
 * @param c2 - counter word 2 (shared).
 * @param c3 - counter word 3 (shared).
 * @param key - the key, 2 words.
 * @param out - receives 8 words: the first block, then the second.
 */
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
 *
 * @example
 * ```ts
 * uniformFromWords(0, 0); // 5.551115123125783e-17 (2^-54)
 * uniformFromWords(0xffffffff, 0xffffffff); // 0.9999999999999999 (1 - 2^-53)
 * ```
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

/**
 * One chunk's random stream: Philox4x32-10 keyed by the job seed, with the chunk index in the
 * high counter words, read as 32-bit words or as uniforms in (0, 1).
 *
 * All buffers are made in the constructor; drawing allocates nothing. The position is counted
 * in 32-bit words (a uniform takes two) and may reach 2^53 - 1; skipping is O(1).
 *
 * @example
 * ```ts
 * const rng = new PhiloxStream(42, 7);
 * const u = new Float64Array(4);
 * rng.fillUniform(u, 0, 4); // four doubles in (0, 1), the same on every machine
 * rng.wordPosition; // 8
 * ```
 */
export class PhiloxStream {
  /** The job seed this stream is keyed by. */
  readonly seed: number;
  /** The stream (chunk) index in the high counter words. */
  readonly stream: number;
  private readonly ctr = new Uint32Array(4);
  private readonly key = new Uint32Array(2);
  private readonly block = new Uint32Array(WORDS_PER_BLOCK);
  /** Output of two interleaved blocks in the bulk path of fillUniform. */
  private readonly pair = new Uint32Array(2 * WORDS_PER_BLOCK);
  /** Index of the block held in `block`, or -1. */
  private cachedBlock = -1;
  /** Index of the next word to hand out. */
  private pos = 0;

  /**
   * @param seed - the job seed, a non-negative safe integer; its two 32-bit words are the key.
   * @param stream - the chunk index, a non-negative safe integer; the high counter words.
   */
  constructor(seed: number, stream: number) {
    checkIndex('seed', seed);
    checkIndex('stream', stream);
    this.seed = seed;
    this.stream = stream;
    this.key[0] = seed >>> 0;
    this.key[1] = Math.floor(seed / TWO_POW_32);
    this.ctr[2] = stream >>> 0;
    this.ctr[3] = Math.floor(stream / TWO_POW_32);
  }

  /** The number of 32-bit words drawn or skipped so far (two per uniform). */
  get wordPosition(): number {
    return this.pos;
  }

  /**
   * Moves the stream forward without drawing: costs the same for any `n`.
   *
   * @param n - the number of 32-bit words to skip, a non-negative safe integer.
   */
  skipWords(n: number): void {
    checkIndex('n', n);
    this.seek(this.pos + n);
  }

  /**
   * Moves the stream forward by `n` uniforms (2 n words).
   *
   * @param n - the number of uniforms to skip, a non-negative safe integer.
   */
  skipUniforms(n: number): void {
    checkIndex('n', n);
    this.seek(this.pos + 2 * n);
  }

  /**
   * Jumps to an absolute word position (forwards or backwards).
   *
   * @param wordPosition - the index of the next word to draw, a non-negative safe integer.
   */
  seek(wordPosition: number): void {
    checkIndex('wordPosition', wordPosition);
    this.pos = wordPosition;
  }

  /** @returns the next 32-bit word of the stream, as an unsigned integer. */
  nextUint32(): number {
    const pos = this.pos;
    const blockIndex = Math.floor(pos / WORDS_PER_BLOCK);
    if (blockIndex !== this.cachedBlock) this.generate(blockIndex);
    this.pos = pos + 1;
    return this.block[pos - blockIndex * WORDS_PER_BLOCK];
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

  private generate(blockIndex: number): void {
    const c0 = blockIndex >>> 0;
    this.ctr[0] = c0;
    this.ctr[1] = (blockIndex - c0) * TWO_POW_MINUS_32;
    philox4x32_10(this.ctr, this.key, this.block);
    this.cachedBlock = blockIndex;
  }
}
