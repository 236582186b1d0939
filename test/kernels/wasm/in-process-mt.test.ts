/**
 * The kernels' MT19937 (twist and tempering four words at a time, uniforms two at a time) and
 * the fused draw of Concrete rows must continue stdlib's own stream from any state: any index
 * (odd ones included, where a uniform's two words straddle a twist), any length, any block
 * split. The reference is stdlib itself (`@stdlib/random-base-mt19937` and
 * `@stdlib/random-base-gumbel`), compared bit for bit, state afterwards included.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  drawConcreteRows,
  fillGumbelFromMtState,
  stdlibElementwise,
} from '../../../src/kernels/wasm/in-process-draws.js';
import { gumbelToConcreteRows } from '../../../src/kernels/relaxed-sample.js';
import { EPS, MtGenerator } from '../../../src/rng/mt-generator.js';

const require = createRequire(import.meta.url);
const stdlibExp = require('@stdlib/math-base-special-exp') as (x: number) => number;
interface StdlibPrng {
  (): number;
  normalized: () => number;
  state: Uint32Array;
}
const mt19937 = require('@stdlib/random-base-mt19937') as {
  factory(options: { seed?: number; state?: Uint32Array; copy?: boolean }): StdlibPrng;
};
const gumbel = require('@stdlib/random-base-gumbel') as {
  factory(mu: number, beta: number, options: { prng: () => number }): () => number;
};

const bits = (x: Float64Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length * 2));

/** A stdlib state after `words` single-word draws from `seed` (index = words mod 624, after twists). */
function stateAfterWords(seed: number, words: number): Uint32Array {
  const g = mt19937.factory({ seed });
  for (let i = 0; i < words; i++) g();
  return g.state;
}

/** stdlib's own Gumbel draws from a state, and the state they leave. */
function stdlibGumbel(state: Uint32Array, n: number): { out: Float64Array; state: Uint32Array } {
  const g = mt19937.factory({ state, copy: true });
  const u = g.normalized;
  const draw = gumbel.factory(0, 1, {
    prng: () => {
      const v = u();
      return v < EPS ? EPS : v > 1 - EPS ? 1 - EPS : v;
    },
  });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return { out, state: g.state };
}

// Word counts giving index 0 (fresh), even and odd indices, the last word before a twist (a
// uniform straddles it) and odd indices after several twists.
const wordCounts = [0, 1, 2, 311, 622, 623, 625, 624 * 3 + 77];
const lengths = [1, 2, 3, 311, 312, 313, 1247, 5001];

describe('the kernels continue stdlib MT19937 + Gumbel from any state, bit for bit', () => {
  for (const words of wordCounts) {
    it(`after ${words} single-word draws (index ${words === 0 ? 624 : ((words - 1) % 624) + 1})`, () => {
      for (const n of lengths) {
        const start = stateAfterWords(20261205 + words, words);
        const ref = stdlibGumbel(start, n);
        const state = start.slice();
        const out = new Float64Array(n);
        fillGumbelFromMtState(state, out);
        expect(bits(out), `n = ${n}`).toEqual(bits(ref.out));
        expect(Array.from(state), `state after n = ${n}`).toEqual(Array.from(ref.state));
      }
    });
  }
});

describe('drawConcreteRows equals stdlib Gumbel noise followed by gumbelToConcreteRows', () => {
  const cases: { K: number; n: number; period: number; words: number }[] = [
    { K: 16, n: 700, period: 1, words: 0 }, // several blocks, a partial last one
    { K: 16, n: 256, period: 1, words: 623 }, // exactly one block, from an odd index
    { K: 3, n: 2000, period: 3, words: 1 }, // odd rows, rows cycling over batch elements
    { K: 5, n: 13, period: 1, words: 0 }, // 65 draws: just above the closure path
    { K: 4, n: 15, period: 1, words: 0 }, // 60 draws: the closure path
    { K: 300, n: 40, period: 2, words: 5 }, // rows wider than a quarter of a block
    { K: 5000, n: 3, period: 1, words: 0 }, // one row wider than a block
  ];
  for (const c of cases) {
    it(`K ${c.K}, n ${c.n}, period ${c.period}, after ${c.words} words: x, y or both`, () => {
      const logits = Float64Array.from({ length: c.period * c.K }, (_, i) => Math.sin(i * 1.3) * 2);
      const temperature = Float64Array.from({ length: c.period }, (_, b) => 0.37 + 0.5 * b);
      const start = stateAfterWords(7 + c.K, c.words);
      const ref = new MtGenerator();
      ref.setState(start);
      const rx = new Float64Array(c.n * c.K);
      const ry = new Float64Array(c.n * c.K);
      ref.fillGumbel(rx);
      gumbelToConcreteRows(c.n, c.K, 0, c.period, logits, temperature, rx, 0, ry, 0);
      for (const want of ['x', 'y', 'both'] as const) {
        const g = new MtGenerator();
        g.setState(start);
        const x = want === 'y' ? null : new Float64Array(c.n * c.K);
        const y = want === 'x' ? null : new Float64Array(c.n * c.K);
        drawConcreteRows(g, c.n, c.K, c.period, logits, temperature, x, y);
        if (x !== null) expect(bits(x), `x (${want})`).toEqual(bits(rx));
        if (y !== null) expect(bits(y), `y (${want})`).toEqual(bits(ry));
        expect(Array.from(g.getState()), `state (${want})`).toEqual(Array.from(ref.getState()));
      }
    });
  }
});

describe("the sampler's exponential (a shorter path on [-708, 0]) rounds exactly as stdlib's exp", () => {
  it('over [-746, 1], around -708 and 0, mixed pairs and specials', () => {
    let s = 9;
    const uniform = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s + 0.5) / 2 ** 32;
    };
    const xs: number[] = [];
    for (let i = 0; i < 200_000; i++) xs.push(-746 + uniform() * 747); // every branch, and positive inputs
    for (let i = 0; i < 50_000; i++) xs.push(-708 + (uniform() - 0.5) * 1e-9); // the edge of the short path
    for (let i = 0; i < 50_000; i++) xs.push(-(uniform() ** 8) * 2 ** -20); // near 0, where 1 + x is returned
    for (let i = 0; i < 50_000; i++) xs.push(-uniform() * 40); // the sampler's usual range
    // Specials, each paired with an ordinary value in both lane orders. (Not NaN, which the
    // sampler never passes: see the last assertion.)
    for (const v of [0, -0, -708, -708.0000001, -745.2, -Infinity, Infinity, 709.8, 2 ** -28, -(2 ** -28)])
      xs.push(v, -1.5, -1.5, v);
    const input = Float64Array.from(xs);
    const got = stdlibElementwise('exp-pairs-sampler', input);
    let mismatches = 0;
    let example = '';
    for (let i = 0; i < input.length; i++) {
      if (!Object.is(got[i], stdlibExp(input[i])) && mismatches++ === 0)
        example = `exp(${input[i]}) = ${got[i]}, stdlib ${stdlibExp(input[i])}`;
    }
    expect(mismatches, example).toBe(0);
    // A NaN lane takes the general pair, exactly as before the shorter path existed.
    const nan = Float64Array.of(NaN, -1.5, -1.5, NaN);
    expect(bits(stdlibElementwise('exp-pairs-sampler', nan))).toEqual(bits(stdlibElementwise('exp-pairs', nan)));
  });
});
