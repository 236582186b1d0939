/**
 * The in-process sampler's inner loops in WebAssembly: MT19937 uniforms, Gumbel noise and the
 * log-sum-exp transform to Concrete rows, computed exactly as `@stdlib/random-base-mt19937`,
 * `@stdlib/random-base-gumbel` and stdlib's `exp`/`ln` compute them (see
 * `assembly/mt-concrete.ts`), so a seed gives the same bits as the pure-JavaScript loops it
 * replaces, at a fraction of the cost. Work goes through kernel memory in cache-sized blocks,
 * in an arena each call holds for its duration (acquiring a released one costs no instantiation).
 *
 * @packageDocumentation
 */
import { Arena } from './arena.js';

/** Below this many draws the closure path is cheaper than lending the state to the kernels. */
const KERNEL_MIN_DRAWS = 64;
/** Doubles per kernel call (32 KiB: the block stays in L1/L2 between the passes). */
const BLOCK_DOUBLES = 4096;
/** Words of the MT19937 state proper in stdlib's state array. */
const MT_WORDS = 624;
/** Where stdlib's state array keeps the words (after version, sections, length). */
const STATE_OFFSET = 3;
/** Where stdlib's state array keeps the index of the next word. */
const INDEX_OFFSET = MT_WORDS + 4;

/** The in-process generator as the kernels see it (`rng/mt-generator.ts`'s `MtGenerator`). */
export interface GumbelSource {
  /** Fills `out` with stdlib's Gumbel sampler. */
  fillGumbel(out: Float64Array): void;
  /** Lends a copy of the stdlib MT19937 state to `advance`, which updates it in place. */
  advanceWith(advance: (state: Uint32Array) => void): void;
}

/**
 * Fills `out` with standard Gumbel draws from a stdlib MT19937 state, advancing the state in
 * place: the same numbers, in the same order, as stdlib's Gumbel sampler on that generator
 * with uniforms clamped to `[2^-52, 1 - 2^-52]`.
 *
 * @param state - a stdlib MT19937 state array (`prng.state`), updated in place.
 * @param out - the destination.
 */
export function fillGumbelFromMtState(state: Uint32Array, out: Float64Array): void {
  const a = Arena.acquire();
  try {
    const st = lendState(a, state);
    const buf = a.alloc(BLOCK_DOUBLES * 8);
    const view = a.f64(buf, BLOCK_DOUBLES);
    for (let done = 0; done < out.length; done += BLOCK_DOUBLES) {
      const m = Math.min(BLOCK_DOUBLES, out.length - done);
      a.k.mtFillGumbel(st, buf, m);
      out.set(m === BLOCK_DOUBLES ? view : view.subarray(0, m), done);
    }
    takeState(a, st, state);
  } finally {
    a.release();
  }
}

/**
 * Draws Concrete rows from the in-process generator in one pass per block: the generator's
 * Gumbel noise and `gumbelToConcreteRows`'s transform, fused in kernel memory, so the only
 * traffic with JavaScript memory is the result itself. The same bits as the generator's own
 * `fillGumbel` followed by `gumbelToConcreteRows`.
 *
 * @param generator - the in-process generator, advanced past the `n * K` draws.
 * @param n - number of rows.
 * @param K - categories per row.
 * @param period - number of batch elements; row r uses batch element `r % period`.
 * @param logits - `period * K` normalised logits.
 * @param temperature - `period` temperatures.
 * @param x - destination of the `n * K` log-simplex values, or null when they are not wanted.
 * @param y - destination of their exponentials, or null when they are not wanted.
 */
export function drawConcreteRows(
  generator: GumbelSource,
  n: number,
  K: number,
  period: number,
  logits: Float64Array,
  temperature: Float64Array,
  x: Float64Array | null,
  y: Float64Array | null,
): void {
  if (!(n > 0)) return;
  if (n * K < KERNEL_MIN_DRAWS) {
    const noise = x ?? new Float64Array(n * K);
    generator.fillGumbel(noise);
    wasmGumbelToConcreteRows(n, K, 0, period, logits, temperature, noise, 0, y, 0);
    return;
  }
  generator.advanceWith((state) => {
    const a = Arena.acquire();
    try {
      const st = lendState(a, state);
      const rows = Math.max(1, Math.floor(BLOCK_DOUBLES / K));
      const lp = a.alloc(period * K * 8);
      const tp = a.alloc(period * 8);
      const xp = a.alloc(rows * K * 8);
      const yp = y === null ? 0 : a.alloc(rows * K * 8);
      a.f64(lp, period * K).set(logits.subarray(0, period * K));
      a.f64(tp, period).set(temperature.subarray(0, period));
      const xv = a.f64(xp, rows * K);
      const yv = y === null ? null : a.f64(yp, rows * K);
      let b0 = 0;
      for (let done = 0; done < n;) {
        const m = Math.min(rows, n - done);
        a.k.mtConcreteRows(st, m, K, b0, period, lp, tp, xp, yp);
        const len = m * K;
        if (x !== null) x.set(m === rows ? xv : xv.subarray(0, len), done * K);
        if (y !== null) y.set(m === rows ? yv! : yv!.subarray(0, len), done * K);
        done += m;
        b0 = (b0 + m) % period;
      }
      takeState(a, st, state);
    } finally {
      a.release();
    }
  });
}

/**
 * Copies a stdlib MT19937 state into a new region of kernel memory, laid out as the kernels
 * keep it (the words, the index, a cleared flag for their tempered copy).
 *
 * @param a - the arena.
 * @param state - the stdlib state array.
 * @returns the region's offset.
 */
function lendState(a: Arena, state: Uint32Array): number {
  const bytes = a.k.mtRegionBytes();
  const st = a.alloc(bytes);
  const words = new Uint32Array(a.k.memory.buffer, st, MT_WORDS + 2);
  words.set(state.subarray(STATE_OFFSET, STATE_OFFSET + MT_WORDS));
  words[MT_WORDS] = state[INDEX_OFFSET];
  // The region may hold an earlier owner's tempered words: they are not this state's.
  words[MT_WORDS + 1] = 0;
  return st;
}

/**
 * Copies the kernels' state back into the stdlib state array.
 *
 * @param a - the arena.
 * @param st - the region from {@link lendState}.
 * @param state - the stdlib state array, updated in place.
 */
function takeState(a: Arena, st: number, state: Uint32Array): void {
  const words = new Uint32Array(a.k.memory.buffer, st, MT_WORDS + 1);
  state.set(words.subarray(0, MT_WORDS), STATE_OFFSET);
  state[INDEX_OFFSET] = words[MT_WORDS];
}

/**
 * The WebAssembly version of `gumbelToConcreteRows` (same arguments, same bits).
 *
 * @param n - number of rows.
 * @param K - categories per row.
 * @param rowStart - index of the first row in the whole job (selects the batch element).
 * @param period - number of batch elements.
 * @param logits - `period * K` normalised logits.
 * @param temperature - `period` temperatures.
 * @param noise - `n * K` Gumbel draws from `noiseOffset`; overwritten with the log-sample.
 * @param noiseOffset - first element of the rows in `noise`.
 * @param simplex - destination of `exp(x)`, or null.
 * @param simplexOffset - first element of the rows in `simplex`.
 */
export function wasmGumbelToConcreteRows(
  n: number,
  K: number,
  rowStart: number,
  period: number,
  logits: Float64Array,
  temperature: Float64Array,
  noise: Float64Array,
  noiseOffset: number,
  simplex: Float64Array | null,
  simplexOffset: number,
): void {
  const a = Arena.acquire();
  try {
    const rows = Math.max(1, Math.floor(BLOCK_DOUBLES / K));
    const lp = a.alloc(period * K * 8);
    const tp = a.alloc(period * 8);
    const xp = a.alloc(rows * K * 8);
    const yp = simplex === null ? 0 : a.alloc(rows * K * 8);
    a.f64(lp, period * K).set(logits.subarray(0, period * K));
    a.f64(tp, period).set(temperature.subarray(0, period));
    const xv = a.f64(xp, rows * K);
    const yv = simplex === null ? null : a.f64(yp, rows * K);
    let b0 = rowStart % period;
    for (let done = 0; done < n;) {
      const m = Math.min(rows, n - done);
      const from = noiseOffset + done * K;
      xv.set(noise.subarray(from, from + m * K));
      a.k.concreteFromGumbel(m, K, b0, period, lp, tp, xp, yp);
      noise.set(xv.subarray(0, m * K), from);
      if (simplex !== null) simplex.set(yv!.subarray(0, m * K), simplexOffset + done * K);
      done += m;
      b0 = (b0 + m) % period;
    }
  } finally {
    a.release();
  }
}

/** Which stdlib function {@link stdlibElementwise} evaluates, and in which form. */
export type StdlibFunction = 'ln' | 'exp' | 'ln-pairs' | 'exp-pairs' | 'exp-pairs-sampler';

/**
 * Element-wise stdlib `ln` / `exp` as the in-process kernels compute them (for the tests that
 * check them against stdlib bit for bit). The paired forms take positive normal finite inputs
 * (`ln-pairs`) or non-NaN inputs (`exp-pairs`), as the sampler gives them; `exp-pairs-sampler`
 * is the form the sampler calls (a shorter path for pairs in [-708, 0]).
 *
 * @param which - the function and form.
 * @param xs - inputs.
 * @returns outputs.
 */
export function stdlibElementwise(which: StdlibFunction, xs: Float64Array): Float64Array {
  const a = Arena.acquire();
  try {
    const n = xs.length + (xs.length & 1);
    const p = a.alloc(n * 8);
    const v = a.f64(p, n);
    v.fill(1);
    v.set(xs);
    a.k.stdlibArray(['ln', 'exp', 'ln-pairs', 'exp-pairs', 'exp-pairs-sampler'].indexOf(which), p, n);
    return a.f64(p, xs.length).slice();
  } finally {
    a.release();
  }
}
