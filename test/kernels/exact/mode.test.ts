import { describe, expect, it } from 'vitest';
import { concreteMode } from '../../../src/kernels/exact/mode.js';
import { loadGolden } from '../../helpers/golden.js';

// Deterministic checks (fixed-seed cases, no sampling): tolerances are regression bounds
// with no false-failure rate; each states the error observed when it was written.

/** Fixed-seed uniform generator on [0, 1) (Numerical Recipes LCG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** PyTorch's probs-to-logits rule (spec section 1.1). */
function logitsFromProbs(probs: number[]): number[] {
  const eps = 2 ** -52;
  const total = probs.reduce((a, b) => a + b, 0);
  return probs.map((p) => Math.log(Math.min(Math.max(p / total, eps), 1 - eps)));
}

/** Concrete log-density on the simplex (spec section 4.2), without its constant. */
function logDensity(logits: number[], tau: number, y: ArrayLike<number>): number {
  const K = logits.length;
  const scores = logits.map((l, k) => l - tau * Math.log(y[k]));
  const top = Math.max(...scores);
  const lse = top + Math.log(scores.reduce((a, s) => a + Math.exp(s - top), 0));
  let sum = 0;
  for (let k = 0; k < K; k++) sum += logits[k] - (tau + 1) * Math.log(y[k]);
  return sum - K * lse;
}

/** max_k |K y_k + K tau q_k - (tau + 1)| with q = softmax(logits - tau log y) (spec section 7.2). */
function stationarityResidual(logits: number[], tau: number, y: ArrayLike<number>): number {
  const K = logits.length;
  const scores = logits.map((l, k) => l - tau * Math.log(y[k]));
  const top = Math.max(...scores);
  const z = scores.reduce((a, s) => a + Math.exp(s - top), 0);
  let worst = 0;
  for (let k = 0; k < K; k++) {
    const q = Math.exp(scores[k] - top) / z;
    worst = Math.max(worst, Math.abs(K * y[k] + K * tau * q - (tau + 1)));
  }
  return worst;
}

describe('concreteMode against the golden moments.json', () => {
  const golden = loadGolden('moments.json');
  for (const c of golden.cases) {
    it(`${c.id} matches the golden mode within 1e-12, NaN where the golden is NaN (${c.note})`, () => {
      // observed <= 1.7e-16 on the three cases with an interior mode
      const logits: number[] = c.probs !== undefined ? logitsFromProbs(c.probs) : c.logits;
      const got = concreteMode(logits, c.temperature);
      expect(got.length).toBe(logits.length);
      for (let k = 0; k < logits.length; k++) {
        if (Number.isNaN(c.mode[k])) expect(got[k]).toBeNaN();
        else expect(Math.abs(got[k] - c.mode[k])).toBeLessThanOrEqual(1e-12);
      }
    });
  }
});

describe('concreteMode is the interior maximiser when tau > K - 1', () => {
  it('satisfies K y_k + K tau q_k = tau + 1 and sums to 1 on random cases', () => {
    // 60 cases, K = 2..8, tau from (K-1)(1 + 1e-3) to 3(K-1) + 1, logit scales up to 8;
    // observed residual <= 1.3e-14 relative to tau + 1, |sum - 1| <= 2.3e-16
    const rand = lcg(7);
    for (let trial = 0; trial < 60; trial++) {
      const K = 2 + Math.floor(rand() * 7);
      const tau = (K - 1) * (1 + 1e-3 + 2 * rand()) + rand();
      const scale = 8 * rand();
      const logits = Array.from({ length: K }, () => scale * (rand() - 0.5));
      const y = concreteMode(logits, tau);
      expect(stationarityResidual(logits, tau, y) / (tau + 1), `K ${K} tau ${tau}`).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-15);
      for (const v of y) expect(v).toBeGreaterThan(0);
    }
  });

  it('has a larger density than every nearby point of the simplex', () => {
    // moves of size 1e-4 along every pair of coordinates must lower log p (a maximum, not a saddle)
    const rand = lcg(99);
    for (let trial = 0; trial < 10; trial++) {
      const K = 2 + Math.floor(rand() * 4);
      const tau = (K - 1) * (1.05 + rand());
      const logits = Array.from({ length: K }, () => 3 * (rand() - 0.5));
      const y = concreteMode(logits, tau);
      const best = logDensity(logits, tau, y);
      for (let i = 0; i < K; i++) {
        for (let j = 0; j < K; j++) {
          if (i === j) continue;
          const z = Float64Array.from(y);
          z[i] += 1e-4;
          z[j] -= 1e-4;
          expect(logDensity(logits, tau, z)).toBeLessThan(best);
        }
      }
    }
  });

  it('agrees with a root of d/dt log p(t, 1 - t) found by bisection at K = 2, within 1e-12', () => {
    // With r = (pi_2/pi_1) (t/(1-t))^tau the density of spec 8.3 gives
    // d/dt log p = -(tau + 1)(1/t - 1/(1 - t)) - 2 tau (r/(1 - t) - 1/t) / (1 + r),
    // which decreases through 0 at the mode when tau > 1. Observed agreement <= 1.7e-16.
    for (const [gap, tau] of [
      [0.3, 1.5],
      [-2, 3],
      [4, 1.01],
      [0, 2],
      [7, 40],
    ]) {
      const slope = (t: number): number => {
        const r = Math.exp(-gap + tau * (Math.log(t) - Math.log1p(-t)));
        return -(tau + 1) * (1 / t - 1 / (1 - t)) - (2 * tau * (r / (1 - t) - 1 / t)) / (1 + r);
      };
      let a = 0;
      let b = 1;
      for (;;) {
        const mid = (a + b) / 2;
        if (mid <= a || mid >= b) break;
        if (slope(mid) > 0) a = mid;
        else b = mid;
      }
      const got = concreteMode([gap, 0], tau);
      expect(Math.abs(got[0] - a), `gap ${gap} tau ${tau}`).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(got[1] - (1 - a)), `gap ${gap} tau ${tau}`).toBeLessThanOrEqual(1e-12);
    }
  });

  it('is the barycentre for equal logits', () => {
    for (const K of [2, 3, 6]) {
      const y = concreteMode(new Array<number>(K).fill(-1.5), K - 0.5);
      for (const v of y) expect(Math.abs(v - 1 / K)).toBeLessThanOrEqual(1e-15);
    }
  });

  it('depends on the logits only through their differences', () => {
    // logits on a 2^-10 grid shift exactly by 64, so the modes are bitwise equal
    const base = [0.5, -1.25, 2.125];
    expect(
      concreteMode(
        base.map((v) => v + 64),
        2.5,
      ),
    ).toEqual(concreteMode(base, 2.5));
  });
});

describe('concreteMode where there is no interior maximum', () => {
  it('returns NaN for tau <= K - 1, including tau = K - 1 exactly', () => {
    for (const [logits, tau] of [
      [[0, 1], 1],
      [[0, 1], 0.3],
      [[0, 1, 2], 2],
      [[0, 0, 0, 0], 2.9],
    ] as [number[], number][]) {
      const y = concreteMode(logits, tau);
      expect(y.length).toBe(logits.length);
      for (const v of y) expect(v).toBeNaN();
    }
  });

  it('returns NaN when some class has probability 0 (a -Infinity logit)', () => {
    for (const v of concreteMode([0, -Infinity, 1], 10)) expect(v).toBeNaN();
  });

  it('returns [1] for K = 1', () => {
    expect(Array.from(concreteMode([2.5], 0.1))).toEqual([1]);
  });

  it('throws a RangeError for an empty list, NaN or +Infinity logits, all -Infinity, and a bad temperature', () => {
    expect(() => concreteMode([], 1)).toThrow(RangeError);
    expect(() => concreteMode([0, NaN], 3)).toThrow(RangeError);
    expect(() => concreteMode([0, Infinity], 3)).toThrow(RangeError);
    expect(() => concreteMode([-Infinity, -Infinity], 3)).toThrow(RangeError);
    for (const tau of [0, -2, NaN, Infinity]) expect(() => concreteMode([0, 1], tau)).toThrow(RangeError);
  });
});
