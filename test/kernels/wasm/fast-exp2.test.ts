/**
 * The draw kernels' 2^t for t <= 0 (assembly/fast-exp2.ts) gives up the last ulp for speed: its
 * error is measured here over the whole range it serves, [-1080, 0] (normal and subnormal
 * results, and 0), against a double-double reference, and must stay at most 2 ulp.
 */
import { describe, expect, it } from 'vitest';
import { wasmElementwise } from '../../../src/kernels/wasm/kernels.js';

// Double-double arithmetic (Dekker / Knuth error-free transformations), enough for a reference
// with a relative error near 1e-30.
type DD = [number, number];
const SPLIT = 134217729; // 2^27 + 1
function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
function twoProd(a: number, b: number): DD {
  const p = a * b;
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
function ddAdd(x: DD, y: DD): DD {
  const [s, e] = twoSum(x[0], y[0]);
  return twoSum(s, e + x[1] + y[1]);
}
function ddMul(x: DD, y: DD): DD {
  const [p, e] = twoProd(x[0], y[0]);
  return twoSum(p, e + x[0] * y[1] + x[1] * y[0]);
}
function ddMulScalar(x: DD, s: number): DD {
  const [p, e] = twoProd(x[0], s);
  return twoSum(p, e + x[1] * s);
}
// ln 2 as a double-double.
const LN2: DD = [0.6931471805599453, 2.3190468138462996e-17];

/** 2^f for f in [0, 1), as a double-double (Taylor series of exp(f ln 2), 30 terms). */
function exp2dd(f: number): DD {
  const z = ddMulScalar(LN2, f);
  let term: DD = [1, 0];
  let sum: DD = [1, 0];
  for (let i = 1; i <= 30; i++) {
    term = ddMul(term, z);
    term = [term[0] / i, (term[1] + (term[0] - (term[0] / i) * i)) / i];
    sum = ddAdd(sum, term);
  }
  return sum;
}

/** Error of `got` against 2^t in ulps of the exact result (the subnormal ulp below 2^-1022). */
function ulpError(t: number, got: number): number {
  const n = Math.floor(t);
  const [hi, lo] = exp2dd(t - n); // 2^t = (hi + lo) 2^n, hi in [1, 2)
  // got 2^-n, exactly (two steps: 2^-n can exceed the double range).
  const h = Math.floor(-n / 2);
  const scaled = got * 2 ** h * 2 ** (-n - h);
  const diff = Math.abs(scaled - hi - lo);
  // ulp of the exact result: 2^(n - 52) when it is normal, 2^-1074 below.
  const ulpExp = Math.max(n - 52, -1074);
  return diff * 2 ** (n - ulpExp);
}

function lcg(n: number, seed: number, f: (u: number) => number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = f((s + 0.5) / 2 ** 32);
  }
  return out;
}

describe('the draw kernels 2^t, t <= 0', () => {
  it('is within 2 ulp of the exact value over [-1080, 0] (measured maximum printed; grid, random and near-0 points)', () => {
    const grid = Float64Array.from({ length: 300_001 }, (_, i) => (-1080 * i) / 300_000);
    const rand = lcg(300_000, 7, (u) => -1080 * u);
    const near0 = lcg(100_000, 8, (u) => -u * 1e-3);
    const subnormal = lcg(100_000, 9, (u) => -1022 - 53 * u);
    let worst = 0;
    let at = 0;
    for (const ts of [grid, rand, near0, subnormal]) {
      const got = wasmElementwise('exp2-nonpositive', ts);
      for (let i = 0; i < ts.length; i++) {
        const e = ulpError(ts[i], got[i]);
        if (e > worst) [worst, at] = [e, ts[i]];
      }
    }
    console.log(`2^t, t in [-1080, 0]: max error ${worst.toFixed(3)} ulp (at t = ${at})`);
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('gives exactly 1 at 0, exactly 2^-k at integers, 0 at and below -1075, and 0 for -Infinity', () => {
    const ts = Float64Array.of(0, -0, -1, -52, -1022, -1074, -1075.5, -1076, -1080, -5000, -Infinity);
    const got = wasmElementwise('exp2-nonpositive', ts);
    expect(Array.from(got)).toEqual([1, 1, 0.5, 2 ** -52, 2 ** -1022, 2 ** -1074, 0, 0, 0, 0, 0]);
  });
});
