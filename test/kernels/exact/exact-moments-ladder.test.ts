/**
 * The exact moments across the whole temperature range, 1e-300 to 1e300, against references
 * derived independently of the quadrature in src/kernels/exact, and their limits.
 *
 * Everything here is deterministic (no randomness), so a tolerance is a regression bound with
 * no false-failure rate; each states the error observed when it was written.
 */
import { describe, expect, it } from 'vitest';
import {
  EXACT_MOMENT_ACCURACY,
  MAX_COVARIANCE_CATEGORIES,
  exactMoments,
} from '../../../src/kernels/exact/exact-moments.js';
import { integrateGroupMoments } from '../../../src/kernels/exact/moment-integrals.js';
import { torch } from '../../../src/index.js';

const LADDER = [1e-300, 1e-100, 1e-20, 1e-8, 1e-5, 1e-3, 0.01, 0.1, 0.5, 1, 2, 10, 1e3, 1e8, 1e20, 1e100, 1e300];

/** Sum with Neumaier compensation. */
function compensatedSum(terms: number[]): number {
  let sum = 0;
  let carry = 0;
  for (const x of terms) {
    const next = sum + x;
    carry += Math.abs(sum) >= Math.abs(x) ? sum - next + x : x - next + sum;
    sum = next;
  }
  return sum + carry;
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** Standard logistic density. */
const logistic = (x: number): number => {
  const e = Math.exp(-Math.abs(x));
  return e / ((1 + e) * (1 + e));
};

/**
 * `E[y_1]`, `E[y_1^2]` for K = 2 (`y_1 = sigmoid((gap + L) / tau)`, L standard logistic, spec
 * section 8.3), by a route that has nothing in common with the library's: for `tau <= 1`,
 * `l = -gap + tau s` splits each moment into `P(L > -gap) = sigmoid(gap)` plus `tau` times an
 * integral over `s > 0` of smooth terms (`sigmoid(s) - 1{s > 0}` is odd, so the jump at 0
 * cancels), computed with `s = e^u` by the trapezoidal rule (step 0.02 in u, analytic for
 * |Im u| < pi/2: error ~e^-490; the range u in [-60, 5] leaves below 1e-26). For `tau > 1` the
 * direct trapezoidal rule in `l` (step 0.02, |l| <= 45, tails below 3e-20).
 */
function logisticReference(gap: number, tau: number): [number, number] {
  const first: number[] = [];
  const second: number[] = [];
  if (tau > 1) {
    const step = 0.02;
    for (let i = -2250; i <= 2250; i++) {
      const l = i * step;
      const y = sigmoid((gap + l) / tau);
      first.push(step * logistic(l) * y);
      second.push(step * logistic(l) * y * y);
    }
    return [compensatedSum(first), compensatedSum(second)];
  }
  const du = 0.02;
  for (let i = -3000; i <= 250; i++) {
    const s = Math.exp(i * du);
    const w = du * s;
    const below = logistic(-gap - tau * s); // l = -gap - tau s, sigmoid(-s)
    const above = logistic(-gap + tau * s); // l = -gap + tau s, sigmoid(s) - 1 = -sigmoid(-s)
    const q = sigmoid(-s);
    first.push(w * (below - above) * q);
    // sigmoid(-s)^2 below; above, sigmoid(s)^2 - 1 = -sigmoid(-s) (1 + sigmoid(s)).
    second.push(w * (below * q * q - above * q * (1 + sigmoid(s))));
  }
  const p = sigmoid(gap);
  return [p + tau * compensatedSum(first), p + tau * compensatedSum(second)];
}

describe('exact moments on the temperature ladder 1e-300 ... 1e300', () => {
  it('match an independent logistic quadrature at K = 2 within 3e-15 for every rung and four logit gaps', () => {
    // observed <= 4.5e-16 for tau <= 10 and 1.2e-15 above (E[y^2] at 1e300 is 0.25 - 1.2e-15: the
    // outer integrand e^(-2x - 2e^-x) grows towards the edge of its strip, which costs the
    // trapezoidal rule a few ulps); the stated accuracy is EXACT_MOMENT_ACCURACY = 1e-14
    let worst = 0;
    for (const tau of LADDER) {
      for (const gap of [-5, -0.4, 0, 1.7]) {
        const got = exactMoments([gap, 0], tau);
        const [m1, m2] = logisticReference(gap, tau);
        const err = Math.max(Math.abs(got.mean[0] - m1), Math.abs(got.secondMoment[0] - m2));
        worst = Math.max(worst, err);
        expect(err, `tau ${tau} gap ${gap}`).toBeLessThanOrEqual(3e-15);
        expect(Math.abs(got.mean[0] + got.mean[1] - 1), `tau ${tau} gap ${gap}`).toBeLessThanOrEqual(1e-15);
      }
    }
    expect(worst).toBeLessThanOrEqual(EXACT_MOMENT_ACCURACY / 3);
  });

  it('reaches the tau -> 0 limit E[y] = pi, Var = pi (1 - pi), Cov = -pi_j pi_k within 1e-15 at tau <= 1e-20', () => {
    // the corrections are O(tau) (second moments) and O(tau^2) (means), far below one ulp here;
    // observed <= 2.3e-16 absolute, and rare classes (pi = 1e-12) within 1e-14 relative
    const probs = [0.5, 0.3, 0.15, 0.05 - 1e-12, 1e-12];
    const logits = probs.map(Math.log);
    for (const tau of [1e-300, 1e-100, 1e-20]) {
      const m = exactMoments(logits, tau, { covariance: true });
      const cov = m.covariance as Float64Array;
      for (let k = 0; k < 5; k++) {
        expect(Math.abs(m.mean[k] - probs[k]), `tau ${tau} k ${k}`).toBeLessThanOrEqual(1e-15);
        expect(Math.abs(m.mean[k] / probs[k] - 1), `tau ${tau} k ${k}`).toBeLessThanOrEqual(1e-14);
        expect(Math.abs(m.variance[k] - probs[k] * (1 - probs[k])), `tau ${tau} k ${k}`).toBeLessThanOrEqual(1e-15);
        for (let j = 0; j < 5; j++) {
          if (j === k) continue;
          expect(Math.abs(cov[j * 5 + k] + probs[j] * probs[k]), `tau ${tau} (${j}, ${k})`).toBeLessThanOrEqual(1e-15);
        }
      }
    }
  });

  it('approaches the tau -> 0 limit like E[y] - pi = O(tau^2), E[y^2] - pi = O(tau) from 1e-3 down', () => {
    // observed |E[y] - pi| <= 0.09 tau^2 and |E[y^2] - pi| <= 0.6 tau at every rung
    const probs = [0.2, 0.3, 0.5];
    for (const tau of [1e-3, 1e-5, 1e-8]) {
      const m = exactMoments(probs.map(Math.log), tau);
      for (let k = 0; k < 3; k++) {
        expect(Math.abs(m.mean[k] - probs[k])).toBeLessThanOrEqual(0.5 * tau ** 2 + 1e-15);
        expect(Math.abs(m.secondMoment[k] - probs[k])).toBeLessThanOrEqual(tau + 1e-15);
        expect(m.secondMoment[k]).toBeLessThan(probs[k]);
      }
    }
  });

  it('reaches the tau -> infinity limit 1/K, with the first-order mean (1e8) and variance (1e4) of spec 6.5', () => {
    // E[y_k] = 1/K + (l_k - mean l) / (K tau) + O(tau^-2); Var ~ (pi^2/6)(K-1)/(K^3 tau^2), which
    // the subtraction E[y^2] - E[y]^2 resolves only to ~1e-16 absolute (3e-4 relative at 1e6)
    const logits = [0.4, -0.3, 1.1, 0, -2];
    const K = logits.length;
    const lbar = logits.reduce((a, b) => a + b, 0) / K;
    for (const tau of [1e20, 1e100, 1e300]) {
      const m = exactMoments(logits, tau);
      for (let k = 0; k < K; k++) {
        expect(Math.abs(m.mean[k] - 1 / K), `tau ${tau}`).toBeLessThanOrEqual(1e-15);
        expect(m.variance[k], `tau ${tau}`).toBeLessThanOrEqual(1e-15);
      }
    }
    // At 1e8 the first-order term (~1e-9) is resolved and the next one (~1/tau^2) is below an ulp.
    const m = exactMoments(logits, 1e8);
    for (let k = 0; k < K; k++) {
      expect(Math.abs(m.mean[k] - (1 / K + (logits[k] - lbar) / (K * 1e8)))).toBeLessThanOrEqual(1e-15);
    }
    // At 1e4 the variance (~1e-9) is resolved to ~1e-7 relative; the next order is O(1/tau).
    const tau = 1e4;
    const w = exactMoments(logits, tau);
    for (let k = 0; k < K; k++) {
      const v = ((Math.PI ** 2 / 6) * (K - 1)) / (K ** 3 * tau ** 2);
      expect(Math.abs(w.variance[k] / v - 1), `k ${k}`).toBeLessThanOrEqual(2e-3);
    }
  });

  it('does not change by more than 3e-15 when the outer step is halved, anywhere on the ladder', () => {
    // observed <= 4.4e-16
    const gaps = Float64Array.from([0, -0.3, -1.2, -4]);
    const counts = Float64Array.from([1, 2, 1, 3]);
    for (const tau of [1e-300, 1e-6, 1e-3, 0.3, 0.9, 1.1, 3, 1e6, 1e300]) {
      const coarse = integrateGroupMoments(gaps, counts, tau, true);
      const fine = integrateGroupMoments(gaps, counts, tau, true, 0.125);
      for (let j = 0; j < 4; j++) {
        expect(Math.abs(coarse.mean[j] - fine.mean[j]), `tau ${tau}`).toBeLessThanOrEqual(3e-15);
        expect(Math.abs(coarse.secondMoment[j] - fine.secondMoment[j]), `tau ${tau}`).toBeLessThanOrEqual(3e-15);
      }
      const a = coarse.cross as Float64Array;
      const b = fine.cross as Float64Array;
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `tau ${tau}`).toBeLessThanOrEqual(3e-15);
    }
  });

  it('gives the same moments from the tabulated and the direct inner functions within 1e-15', () => {
    // observed <= 2.2e-16: the interpolation error is far below the quadrature's
    const gaps = Float64Array.from({ length: 40 }, (_, i) => -0.17 * i - 0.013 * i * i);
    const counts = new Float64Array(40).fill(1);
    for (const tau of [1e-200, 1e-2, 0.6, 1, 1.7, 40, 1e200]) {
      const direct = integrateGroupMoments(gaps, counts, tau, false, 0.25, false);
      const table = integrateGroupMoments(gaps, counts, tau, false, 0.25, true);
      for (let j = 0; j < 40; j++) {
        expect(Math.abs(direct.mean[j] - table.mean[j]), `tau ${tau} j ${j}`).toBeLessThanOrEqual(1e-15);
        expect(Math.abs(direct.secondMoment[j] - table.secondMoment[j]), `tau ${tau} j ${j}`).toBeLessThanOrEqual(
          1e-15,
        );
      }
    }
  });

  it('keeps the sum rules at K = 1000 across the ladder (means sum to 1 within 1e-14)', () => {
    // observed <= 3e-15
    const logits = Array.from({ length: 1000 }, (_, i) => Math.sin(i * 1.3) * 2);
    for (const tau of [1e-300, 1e-3, 0.5, 2, 1e300]) {
      const m = exactMoments(logits, tau);
      let sum = 0;
      for (const v of m.mean) sum += v;
      expect(Math.abs(sum - 1), `tau ${tau}`).toBeLessThanOrEqual(1e-14);
    }
  });

  it('refuses the covariance above K = 512 with a RangeError naming the limit', () => {
    const logits = new Array(MAX_COVARIANCE_CATEGORIES + 1).fill(0);
    expect(() => exactMoments(logits, 0.5, { covariance: true })).toThrow(/K <= 512.*K = 513/);
    expect(exactMoments(logits, 0.5).mean.length).toBe(513);
  });

  it('serves dist.mean and dist.variance as synchronous getters at tau = 1e-300 and 1e300', () => {
    const cold = new torch.distributions.RelaxedOneHotCategorical(1e-300, { probs: [0.7, 0.2, 0.1] });
    const mean = cold.mean.tolist() as number[];
    const variance = cold.variance.tolist() as number[];
    [0.7, 0.2, 0.1].forEach((p, k) => {
      expect(Math.abs(mean[k] - p)).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(variance[k] - p * (1 - p))).toBeLessThanOrEqual(1e-15);
    });
    const hot = new torch.distributions.RelaxedOneHotCategorical(1e300, { probs: [0.7, 0.2, 0.1] });
    for (const v of hot.mean.tolist() as number[]) expect(Math.abs(v - 1 / 3)).toBeLessThanOrEqual(1e-15);
  });
});
