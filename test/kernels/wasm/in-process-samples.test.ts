/**
 * The in-process sampler runs in WebAssembly but must give the samples the pure-JavaScript
 * stdlib path gave: the same seed, the same bits. Checked two ways: against samples recorded
 * from the stdlib implementation before the change (test/fixtures/in-process/samples-v1.json:
 * a SHA-256 of every sample's bits, the first values, and the generator state afterwards), and
 * the ln/exp ports against stdlib itself over the whole double range.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { torch } from 'relaxed-mc';
import { stdlibElementwise } from '../../../src/kernels/wasm/in-process-draws.js';

const require = createRequire(import.meta.url);
const stdlibLn = require('@stdlib/math-base-special-ln') as (x: number) => number;
const stdlibExp = require('@stdlib/math-base-special-exp') as (x: number) => number;

interface RecordedCase {
  name: string;
  seed: number;
  tau: number | number[][];
  logits: unknown[];
  n: number;
  kind: 'sample' | 'rsample' | 'exp';
  shape: number[];
  sha256: string;
  first: number[];
  last: number;
  stateAfterSha256: string;
}
const recorded = JSON.parse(
  readFileSync(new URL('../../fixtures/in-process/samples-v1.json', import.meta.url), 'utf8'),
) as { cases: RecordedCase[] };

const sha = (a: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

describe('in-process samples equal those recorded from the stdlib implementation, bit for bit', () => {
  for (const c of recorded.cases) {
    it(c.name, () => {
      const { RelaxedOneHotCategorical, ExpRelaxedCategorical } = torch.distributions;
      torch.manual_seed(c.seed);
      const temperature = Array.isArray(c.tau) ? torch.tensor(c.tau) : c.tau;
      const logits = torch.tensor(c.logits as number[]);
      const d =
        c.kind === 'exp'
          ? new ExpRelaxedCategorical(temperature, { logits })
          : new RelaxedOneHotCategorical(temperature, { logits });
      const t = c.kind === 'sample' ? d.sample([c.n]) : d.rsample([c.n]);
      expect(t.shape).toEqual(c.shape);
      expect(Array.from(t.data.subarray(0, 8))).toEqual(c.first);
      expect(t.data[t.data.length - 1]).toBe(c.last);
      expect(sha(t.data)).toBe(c.sha256);
      expect(sha(torch.get_rng_state())).toBe(c.stateAfterSha256);
    });
  }

  it('keeps the stream shared with torch.rand: draws after a sample continue the same MT19937 sequence', () => {
    const d = new torch.distributions.RelaxedOneHotCategorical(0.5, { logits: torch.tensor([0, 1, 2]) });
    torch.manual_seed(11);
    d.rsample([1000]);
    const afterKernel = torch.rand([5]).tolist();
    // The same number of uniforms drawn through stdlib's own generator leaves the same state.
    torch.manual_seed(11);
    torch.rand([3000]);
    expect(torch.rand([5]).tolist()).toEqual(afterKernel);
  });

  it('get_rng_state / set_rng_state keep stdlib layout and replay a sample exactly', () => {
    const d = new torch.distributions.RelaxedOneHotCategorical(0.37, { logits: torch.tensor([0.1, -0.4, 2]) });
    torch.manual_seed(3);
    const state = torch.get_rng_state();
    expect(state[0]).toBe(1); // stdlib's state-array version
    expect(state[2]).toBe(624);
    const a = d.sample([700]).data.slice();
    torch.set_rng_state(state);
    expect(Array.from(d.sample([700]).data)).toEqual(Array.from(a));
  });
});

function lcg(n: number, seed: number, f: (u: number) => number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = f((s + 0.5) / 2 ** 32);
  }
  return out;
}

function expectSameBits(which: 'ln' | 'exp' | 'ln-pairs' | 'exp-pairs', xs: Float64Array, ref: (x: number) => number) {
  const got = stdlibElementwise(which, xs);
  let mismatches = 0;
  let example = '';
  for (let i = 0; i < xs.length; i++) {
    if (!Object.is(got[i], ref(xs[i]))) {
      if (mismatches++ === 0) example = `${which}(${xs[i]}) = ${got[i]}, stdlib ${ref(xs[i])}`;
    }
  }
  expect(mismatches, example).toBe(0);
}

describe('the WebAssembly ports of stdlib ln and exp round exactly as stdlib does', () => {
  const positive = lcg(300_000, 1, (u) => Math.exp(-744 + u * (709 + 744))); // every binade
  const nearOne = lcg(100_000, 2, (u) => 1 + (u - 0.5) * 2 ** -18); // the small-f branches
  const powersOfTwo = Float64Array.from(
    { length: 4000 },
    (_, i) => 2 ** ((i % 2000) - 1000) * (1 + ((i >> 1) % 7) * 2 ** -52),
  );
  const units = lcg(200_000, 3, (u) => u); // the sampler's uniforms
  const gumbelInner = Float64Array.from(units, (u) => -stdlibLn(u));

  it('ln: scalar over every case (specials, subnormals, all binades) and pairs over positive normals', () => {
    const specials = Float64Array.of(
      0,
      -0,
      -1,
      NaN,
      Infinity,
      -Infinity,
      5e-324,
      1e-310,
      2.2250738585072014e-308,
      1,
      2,
      0.5,
    );
    for (const xs of [specials, positive, nearOne, powersOfTwo, units, gumbelInner]) expectSameBits('ln', xs, stdlibLn);
    const normal = (xs: Float64Array) => xs.filter((x) => x >= 2.2250738585072014e-308);
    for (const xs of [positive, nearOne, powersOfTwo, units, gumbelInner])
      expectSameBits('ln-pairs', normal(xs), stdlibLn);
  });

  it('exp: scalar and pairs over [-746, 710], tiny arguments, the subnormal range and specials', () => {
    const all = lcg(300_000, 4, (u) => -746 + u * 1456);
    const subnormal = lcg(100_000, 5, (u) => -745.2 + u * (745.2 - 707));
    const tiny = lcg(50_000, 6, (u) => (u - 0.5) * 2 ** -26);
    const specials = Float64Array.of(
      0,
      -0,
      709.78,
      709.79,
      710,
      Infinity,
      -745.13,
      -745.14,
      -Infinity,
      1e-300,
      -1e-300,
    );
    for (const xs of [all, subnormal, tiny, specials]) {
      expectSameBits('exp', xs, stdlibExp);
      expectSameBits('exp-pairs', xs, stdlibExp);
    }
  });
});
