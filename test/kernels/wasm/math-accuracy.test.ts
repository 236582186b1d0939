/**
 * The WebAssembly exp and log replace Math.exp and Math.log in the hot loops: their accuracy is
 * checked over the whole double range, against V8's own (fdlibm, < 1 ulp) functions.
 */
import { describe, expect, it } from 'vitest';
// The kernels are compiled by npm run build; the test exercises the built module.
import { wasmElementwise } from '../../../src/kernels/wasm/kernels.js';

/** Size of one unit in the last place at x (x finite, not 0). */
function ulp(x: number): number {
  const b = new Float64Array([Math.abs(x)]);
  const u = new BigUint64Array(b.buffer);
  u[0] += 1n;
  return b[0] - Math.abs(x);
}

/** Largest |got - want| in ulps of want, and the largest relative error, over finite nonzero wants. */
function errors(xs: Float64Array, got: Float64Array, f: (x: number) => number) {
  let maxUlp = 0;
  let maxRel = 0;
  for (let i = 0; i < xs.length; i++) {
    const want = f(xs[i]);
    if (!Number.isFinite(want) || want === 0) {
      expect(Object.is(got[i], want), `f(${xs[i]}) = ${got[i]}, want ${want}`).toBe(true);
      continue;
    }
    const d = Math.abs(got[i] - want);
    maxUlp = Math.max(maxUlp, d / ulp(want));
    // Subnormal results carry fewer bits: their relative error is bounded by ulp / value.
    if (Math.abs(want) >= 2.2250738585072014e-308) maxRel = Math.max(maxRel, d / Math.abs(want));
  }
  return { maxUlp, maxRel };
}

function seeded(n: number, seed: number, f: (u: number) => number): Float64Array {
  // A small LCG: the test needs spread, not statistical quality.
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = f(s / 2 ** 32);
  }
  return out;
}

describe('WebAssembly exp', () => {
  it('is within 1 ulp of Math.exp over its whole finite range [-746, 710] (max relative error <= 2.3e-16)', () => {
    const grid = Float64Array.from({ length: 400_001 }, (_, i) => -746 + (1456 * i) / 400_000);
    const rand = seeded(200_000, 1, (u) => -746 + 1456 * u);
    const small = seeded(50_000, 2, (u) => (u - 0.5) * 1e-6);
    for (const xs of [grid, rand, small]) {
      const { maxUlp, maxRel } = errors(xs, wasmElementwise('exp', xs), Math.exp);
      expect(maxUlp).toBeLessThanOrEqual(1);
      expect(maxRel).toBeLessThanOrEqual(2.3e-16);
    }
  });

  it('overflows, underflows and propagates special values as IEEE exp does', () => {
    const xs = Float64Array.of(
      0,
      -0,
      709.78,
      709.79,
      710,
      1e308,
      Infinity,
      -745.13,
      -745.14,
      -746,
      -1e308,
      -Infinity,
      NaN,
    );
    const got = wasmElementwise('exp', xs);
    xs.forEach((x, i) => expect(Object.is(got[i], Math.exp(x)), `exp(${x}) = ${got[i]}`).toBe(true));
  });
});

describe('WebAssembly log', () => {
  it('is within 1 ulp of Math.log for every binade from the smallest subnormal to MAX_VALUE (max relative error <= 2.3e-16)', () => {
    // log-uniform over the whole positive range, plus a dense neighbourhood of 1 where log is small.
    const all = seeded(400_000, 3, (u) => Math.exp(-744.4 + u * (709.78 + 744.4)));
    const near1 = seeded(100_000, 4, (u) => 1 + (u - 0.5) * 1e-3);
    const unit = seeded(100_000, 5, (u) => u + 1e-300);
    for (const xs of [all, near1, unit]) {
      const { maxUlp, maxRel } = errors(xs, wasmElementwise('log', xs), Math.log);
      expect(maxUlp).toBeLessThanOrEqual(1);
      expect(maxRel).toBeLessThanOrEqual(2.3e-16);
    }
  });

  it('handles 0, negatives, subnormals, Infinity and NaN as IEEE log does', () => {
    const xs = Float64Array.of(
      0,
      -0,
      -1,
      -Infinity,
      5e-324,
      1e-310,
      2.2250738585072014e-308,
      1,
      2,
      0.5,
      Number.MAX_VALUE,
      Infinity,
      NaN,
    );
    const got = wasmElementwise('log', xs);
    xs.forEach((x, i) => expect(Object.is(got[i], Math.log(x)), `log(${x}) = ${got[i]}`).toBe(true));
  });
});
