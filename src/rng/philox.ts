/**
 * Philox4x32-10, the counter-based generator of Salmon et al. (SC 2011), read as a stream of
 * 32-bit words: what seeds the engine's chunk streams.
 *
 * A counter-based generator is a keyed bijection of a 128-bit counter: word `i` of a stream is
 * a pure function of (key, counter(i)). Since stream version 2 (`chunk-stream.ts`) the engine
 * draws from xoshiro256+ lanes in WebAssembly, and Philox only hashes (seed, chunk index) into
 * each chunk's starting state: that is what keeps chunk `c` of a job with seed `s` the same
 * whichever worker, thread or machine runs it. (The uniform-double reader over this stream,
 * which the engine no longer uses, lives with the tests and benchmarks that still draw from
 * it: `test/helpers/philox-uniforms.ts`.)
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
 * Stream layout (part of `ENGINE_STREAM_VERSION`: changing any of it is a new version):
 * - key = (seed mod 2^32, floor(seed / 2^32));
 * - counter of block `b` = (b mod 2^32, floor(b / 2^32), stream mod 2^32, floor(stream / 2^32));
 * - the stream is the sequence of 32-bit words out[0..3] of block 0, then block 1, ...
 *
 * ## References
 *
 * - J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers: as easy as
 *   1, 2, 3", SC 2011, doi:10.1145/2063384.2063405.
 * - Random123 distribution (D. E. Shaw Research), `tests/kat_vectors`, for the known answers.
 *
 * @packageDocumentation
 */
import { RangeError, Rule, TypeError } from '../errors.js';

/** Philox4x32 multipliers (Salmon et al. 2011; Random123 PHILOX_M4x32_0 and _1). */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
/** Key schedule (Weyl) increments: golden ratio - 1 and sqrt(3) - 1, as 32-bit fractions. */
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_32 = 1 / 4294967296;
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

function checkIndex(name: string, value: number): void {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a non-negative safe integer, but got ${typeof value}.`, {
      argument: name,
      rule: Rule.number,
    });
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, but got ${String(value)}.`, {
      argument: name,
      rule: Rule.nonNegativeInteger,
    });
  }
}

/**
 * A Philox4x32-10 stream keyed by a job seed, with a stream (chunk) index in the high counter
 * words, read as 32-bit words. All buffers are made in the constructor; drawing allocates
 * nothing.
 *
 * @example
 * ```ts
 * const rng = new PhiloxStream(42, 7);
 * rng.nextUint32(); // the same word on every machine
 * rng.wordPosition; // 1
 * ```
 */
export class PhiloxStream {
  /** The job seed this stream is keyed by. */
  readonly seed: number;
  /** The stream (chunk) index in the high counter words. */
  readonly stream: number;
  protected readonly ctr = new Uint32Array(4);
  protected readonly key = new Uint32Array(2);
  protected readonly block = new Uint32Array(WORDS_PER_BLOCK);
  /** Index of the block held in `block`, or -1. */
  protected cachedBlock = -1;
  /** Index of the next word to hand out. */
  protected pos = 0;

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

  /** The number of 32-bit words drawn so far. */
  get wordPosition(): number {
    return this.pos;
  }

  /** @returns the next 32-bit word of the stream, as an unsigned integer. */
  nextUint32(): number {
    const pos = this.pos;
    const blockIndex = Math.floor(pos / WORDS_PER_BLOCK);
    if (blockIndex !== this.cachedBlock) this.generate(blockIndex);
    this.pos = pos + 1;
    return this.block[pos - blockIndex * WORDS_PER_BLOCK];
  }

  /** @param blockIndex - the block to compute into `block`. */
  protected generate(blockIndex: number): void {
    const c0 = blockIndex >>> 0;
    this.ctr[0] = c0;
    this.ctr[1] = (blockIndex - c0) * TWO_POW_MINUS_32;
    philox4x32_10(this.ctr, this.key, this.block);
    this.cachedBlock = blockIndex;
  }
}
