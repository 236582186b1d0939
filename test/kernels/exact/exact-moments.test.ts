import { describe, expect, it } from 'vitest';
import { exactMoments } from '../../../src/kernels/exact/exact-moments.js';
import { NoiseLaws } from '../../../src/kernels/exact/noise-laws.js';
import { integrateGroupMoments } from '../../../src/kernels/exact/moment-integrals.js';
import { loadGolden } from '../../helpers/golden.js';

// Everything here is deterministic (the quadrature has no randomness and the "random" cases
// come from a fixed-seed generator), so a tolerance is a regression bound, with no
// false-failure rate. Each states the error observed when it was written.

/** Fixed-seed uniform generator on [0, 1) (Numerical Recipes LCG), for reproducible cases. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** PyTorch's probs-to-logits rule (spec section 1.1): log(clamp(p / sum p, eps, 1 - eps)). */
function logitsFromProbs(probs: number[]): number[] {
  const eps = 2 ** -52;
  const total = probs.reduce((a, b) => a + b, 0);
  return probs.map((p) => Math.log(Math.min(Math.max(p / total, eps), 1 - eps)));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** `E[y_1]` for K = 2, tau = 1 with `rho = pi_1 / pi_2 = e^x` (spec section 8.3), for |x| >= 0.5 or x = 0. */
function closedFormMean(x: number): number {
  if (x === 0) return 0.5;
  const rhoMinus1 = Math.expm1(x);
  return (Math.exp(x) * (rhoMinus1 - x)) / (rhoMinus1 * rhoMinus1);
}

/** Sum with Neumaier compensation, so that the references below are not limited by rounding. */
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

/**
 * `E[y_1]` and `E[y_1^2]` for K = 2 by an independent route: `y_1 = sigmoid((gap + L) / tau)`
 * with `L` standard logistic (spec section 8.2/8.3). Trapezoidal rule in `l`: the integrand is
 * analytic for |Im l| < min(pi, pi tau), so the step 0.02 min(1, tau) leaves ~e^-900; the
 * logistic tails beyond |l| = 45 weigh below 3e-20.
 */
function logisticMoments(gap: number, tau: number): [number, number] {
  const step = 0.02 * Math.min(1, tau);
  const n = Math.ceil(45 / step);
  const first: number[] = [];
  const second: number[] = [];
  for (let i = -n; i <= n; i++) {
    const e = Math.exp(-Math.abs(i * step));
    const density = e / ((1 + e) * (1 + e));
    const y = 1 / (1 + Math.exp(-(gap + i * step) / tau));
    first.push(density * y);
    second.push(density * y * y);
  }
  return [compensatedSum(first) * step, compensatedSum(second) * step];
}

/**
 * Modified Bessel function K_nu(z) = int_0^inf exp(-z cosh t) cosh(nu t) dt: trapezoidal rule
 * on the even integrand (analytic for |Im t| < pi/2, so the step 0.02 leaves ~e^-490), summed
 * with compensation because for tiny z the terms grow to ~1/z before the cut-off.
 */
function besselK(nu: number, z: number): number {
  const step = 0.02;
  const terms = [0.5 * Math.exp(-z)];
  for (let i = 1; z * Math.cosh(i * step) < 800; i++) {
    terms.push(Math.exp(-z * Math.cosh(i * step)) * Math.cosh(nu * i * step));
  }
  return compensatedSum(terms) * step;
}

describe('exactMoments against the golden moments.json', () => {
  const golden = loadGolden('moments.json');
  // Golden tolerance: 1e-10 absolute. The quadrature agrees to <= 6e-16 on every case (the
  // golden values themselves are stated to 1e-14), so the bound used here is 1e-13.
  const TOL = 1e-13;
  for (const c of golden.cases) {
    it(`${c.id} matches the golden mean, variance and covariance within ${TOL} (${c.note})`, () => {
      const logits: number[] = c.probs !== undefined ? logitsFromProbs(c.probs) : c.logits;
      const K = logits.length;
      const got = exactMoments(logits, c.temperature, { covariance: true });
      expect(maxAbsDiff(got.mean, c.mean)).toBeLessThanOrEqual(TOL);
      expect(maxAbsDiff(got.variance, c.variance)).toBeLessThanOrEqual(TOL);
      if (c.covariance !== undefined) {
        expect(maxAbsDiff(got.covariance as Float64Array, (c.covariance as number[][]).flat())).toBeLessThanOrEqual(
          TOL,
        );
      }
      for (let k = 0; k < K; k++) {
        expect(got.secondMoment[k] - got.mean[k] ** 2).toBeCloseTo(got.variance[k], 15);
      }
    });
  }
});

describe('exactMoments against closed forms and an independent quadrature', () => {
  it('matches E[y_1] = rho (rho - 1 - log rho) / (rho - 1)^2 at K = 2, tau = 1, down to rho = e^-200, to 2e-14 relative', () => {
    // observed <= 1e-14 relative (the rare classes are limited by exp of arguments ~200)
    for (const x of [-200, -100, -50, -20, -5, -1, -0.5, 0, 0.5, 1, 3, 10, 30]) {
      const got = exactMoments([x, 0], 1).mean[0];
      const want = closedFormMean(x);
      expect(Math.abs(got - want) / want, `log rho = ${x}`).toBeLessThanOrEqual(2e-14);
    }
  });

  it('matches a direct logistic quadrature of E[y_1] and E[y_1^2] at K = 2 for tau from 0.1 to 10 within 1e-14', () => {
    // observed <= 3e-16
    for (const tau of [0.1, 0.25, 0.5, 1, 2, 3, 10]) {
      for (const gap of [-3, -0.4, 0, 1.7]) {
        const got = exactMoments([gap, 0], tau);
        const [m1, m2] = logisticMoments(gap, tau);
        expect(Math.abs(got.mean[0] - m1), `tau ${tau} gap ${gap} mean`).toBeLessThanOrEqual(1e-14);
        expect(Math.abs(got.secondMoment[0] - m2), `tau ${tau} gap ${gap} E[y^2]`).toBeLessThanOrEqual(1e-14);
      }
    }
  });

  it('evaluates log Lambda, log Phi1, log Phi2 at tau = 1 like the Bessel closed forms, within 1e-13, for a in [-60, 3]', () => {
    // Lambda = z K1(z), Phi1 = 2c K0(z), Phi2 = 2c^(3/2) K1(z), c = e^a, z = 2 sqrt(c) (spec 6.2);
    // at tau = 1 they are F(-a), f(-a), f2(-a) of the noise laws. Observed <= 2e-13 up to a = 3,
    // where Lambda = e^-9; beyond, the values are below e^-20 and enter the moments only
    // multiplied by themselves (relative error 3e-7 at a = 5, i.e. 1e-16 absolute).
    const laws = new NoiseLaws(1);
    const out = new Float64Array(3);
    for (let n = -240; n <= 8; n++) {
      const a = n * 0.25;
      const c = Math.exp(a);
      const z = 2 * Math.sqrt(c);
      laws.evaluate(-a, out);
      const tol = a <= 2 ? 1e-13 : 1e-12;
      expect(Math.abs(out[1] - Math.log(z * besselK(1, z))), `log Lambda at a = ${a}`).toBeLessThanOrEqual(tol);
      expect(Math.abs(out[0] - Math.log(2 * c * besselK(0, z))), `log Phi1 at a = ${a}`).toBeLessThanOrEqual(tol);
      expect(Math.abs(out[2] - Math.log(2 * c ** 1.5 * besselK(1, z))), `log Phi2 at a = ${a}`).toBeLessThanOrEqual(
        tol,
      );
    }
  });

  it('does not change by more than 3e-15 when both quadrature steps are halved', () => {
    // observed <= 2.8e-16; the spec's own refinement check gave <= 5e-16
    const rand = lcg(11);
    for (const tau of [0.07, 0.3, 1, 1.7, 4, 30, 80]) {
      const gaps = Float64Array.from([0, -0.2 - 3 * rand(), -3 * rand() - 4, -1 - rand()])
        .sort()
        .reverse();
      const counts = Float64Array.from([1, 2, 1, 1]);
      const coarse = integrateGroupMoments(gaps, counts, tau, true);
      const fine = integrateGroupMoments(gaps, counts, tau, true, 0.125);
      expect(maxAbsDiff(coarse.mean, fine.mean), `tau ${tau}`).toBeLessThanOrEqual(3e-15);
      expect(maxAbsDiff(coarse.secondMoment, fine.secondMoment), `tau ${tau}`).toBeLessThanOrEqual(3e-15);
      expect(maxAbsDiff(coarse.cross as Float64Array, fine.cross as Float64Array), `tau ${tau}`).toBeLessThanOrEqual(
        3e-15,
      );
    }
  });
});

describe('exactMoments identities', () => {
  it('has means summing to 1 and covariance rows summing to 0 within 2e-15 on random cases', () => {
    // observed <= 2.2e-16 (sums) and <= 1.3e-15 (rows)
    const rand = lcg(2024);
    for (let trial = 0; trial < 12; trial++) {
      const K = 2 + Math.floor(rand() * 12);
      const tau = Math.exp(Math.log(0.1) + rand() * Math.log(500));
      const logits = Array.from({ length: K }, () => 4 * (rand() - 0.5));
      const m = exactMoments(logits, tau, { covariance: true });
      const cov = m.covariance as Float64Array;
      expect(Math.abs(m.mean.reduce((a, b) => a + b, 0) - 1), `K ${K} tau ${tau}`).toBeLessThanOrEqual(2e-15);
      for (let i = 0; i < K; i++) {
        let row = 0;
        for (let k = 0; k < K; k++) {
          row += cov[i * K + k];
          expect(cov[i * K + k]).toBe(cov[k * K + i]);
        }
        expect(Math.abs(row), `row ${i}, K ${K}, tau ${tau}`).toBeLessThanOrEqual(2e-15);
        expect(cov[i * K + i]).toBe(m.variance[i]);
      }
    }
  });

  it('depends on the logits only through their differences', () => {
    // Logits on a 2^-10 grid shift exactly, so the results are bitwise equal; a generic
    // offset moves the inputs by rounding only (<= 1e-14), and the results by less than 1e-13.
    const base = [0.5, -1.25, 2.125, 0];
    const shifted = base.map((v) => v + 100);
    expect(exactMoments(shifted, 0.4, { covariance: true })).toEqual(exactMoments(base, 0.4, { covariance: true }));
    const a = exactMoments([0.3, -1.1, 0.7], 0.8);
    const b = exactMoments([0.3 - 57.3, -1.1 - 57.3, 0.7 - 57.3], 0.8);
    expect(maxAbsDiff(a.mean, b.mean)).toBeLessThanOrEqual(1e-13);
    expect(maxAbsDiff(a.variance, b.variance)).toBeLessThanOrEqual(1e-13);
  });

  it('gives exactly 0 to -Infinity logits and leaves the other classes as without them', () => {
    const withZero = exactMoments([0.2, -Infinity, -0.5, -Infinity], 0.6, { covariance: true });
    const without = exactMoments([0.2, -0.5], 0.6, { covariance: true });
    const cov = withZero.covariance as Float64Array;
    for (const k of [1, 3]) {
      expect(withZero.mean[k]).toBe(0);
      expect(withZero.variance[k]).toBe(0);
      for (let j = 0; j < 4; j++) {
        expect(cov[k * 4 + j]).toBe(0);
        expect(cov[j * 4 + k]).toBe(0);
      }
    }
    expect([withZero.mean[0], withZero.mean[2]]).toEqual(Array.from(without.mean));
    expect([withZero.variance[0], withZero.variance[2]]).toEqual(Array.from(without.variance));
    expect(cov[0 * 4 + 2]).toBe((without.covariance as Float64Array)[1]);
  });

  it('gives mean [1] and variance [0] for K = 1, and for a single finite logit', () => {
    const one = exactMoments([3.7], 0.2, { covariance: true });
    expect(Array.from(one.mean)).toEqual([1]);
    expect(Array.from(one.variance)).toEqual([0]);
    expect(Array.from(one.covariance as Float64Array)).toEqual([0]);
    const single = exactMoments([-Infinity, 2, -Infinity], 5);
    expect(Array.from(single.mean)).toEqual([0, 1, 0]);
    expect(Array.from(single.variance)).toEqual([0, 0, 0]);
  });

  it('treats equal logits as one group without changing the result beyond rounding', () => {
    // [0, 0, 1] and [d, 0, 1] with d = 1e-9 differ by d times the derivative (to O(d^2) = 1e-18);
    // the grouped and ungrouped paths agree with that to 1e-14 (observed 1e-17).
    const d = 1e-9;
    const grouped = exactMoments([0, 0, 1], 0.7);
    const split = exactMoments([d, 0, 1], 0.7);
    const h = 1e-5;
    const up = exactMoments([h, 0, 1], 0.7);
    const down = exactMoments([-h, 0, 1], 0.7);
    for (let k = 0; k < 3; k++) {
      const slope = (up.mean[k] - down.mean[k]) / (2 * h);
      expect(Math.abs(split.mean[k] - grouped.mean[k] - d * slope), `class ${k}`).toBeLessThanOrEqual(1e-14);
    }
    expect(grouped.mean[0]).toBe(grouped.mean[1]);
  });

  it('approaches Categorical(pi) as tau -> 0: E[y] - pi = O(tau^2) and Cov - (diag(pi) - pi pi^T) = O(tau)', () => {
    // spec 6.5; observed |E[y] - pi| = 0.10 tau^2 and |Cov - limit| = 0.25 tau at tau = 0.04 and 0.02
    const probs = [0.2, 0.3, 0.5];
    for (const tau of [0.04, 0.02]) {
      const m = exactMoments(probs.map(Math.log), tau, { covariance: true });
      const cov = m.covariance as Float64Array;
      for (let j = 0; j < 3; j++) {
        expect(Math.abs(m.mean[j] - probs[j])).toBeLessThanOrEqual(0.5 * tau ** 2);
        for (let k = 0; k < 3; k++) {
          const limit = (j === k ? probs[j] : 0) - probs[j] * probs[k];
          expect(Math.abs(cov[j * 3 + k] - limit)).toBeLessThanOrEqual(0.5 * tau);
        }
      }
    }
  });

  it('approaches the barycentre as tau -> infinity with the first-order mean and variance of spec 6.5', () => {
    // E[y_k] = 1/K + (l_k - mean l)/(K tau) + O(tau^-2); Var and Cov to leading order (pi^2/6) / (K^3 tau^2)
    const logits = [0.4, -0.3, 1.1, 0];
    const K = logits.length;
    const lbar = logits.reduce((a, b) => a + b, 0) / K;
    const gumbelVar = Math.PI ** 2 / 6;
    for (const tau of [200, 1e4]) {
      const m = exactMoments(logits, tau, { covariance: true });
      const cov = m.covariance as Float64Array;
      for (let k = 0; k < K; k++) {
        expect(Math.abs(m.mean[k] - (1 / K + (logits[k] - lbar) / (K * tau)))).toBeLessThanOrEqual(1 / tau ** 2);
        const v = (gumbelVar * (K - 1)) / (K ** 3 * tau ** 2);
        expect(Math.abs(m.variance[k] / v - 1), `tau ${tau}`).toBeLessThanOrEqual(0.03);
      }
      const c = -gumbelVar / (K ** 3 * tau ** 2);
      expect(Math.abs(cov[1] / c - 1)).toBeLessThanOrEqual(0.03);
    }
  });

  it('keeps means in [0, 1] and variances >= 0 for extreme logit gaps and temperatures', () => {
    for (const [logits, tau] of [
      [[0, -700], 0.1],
      [[0, -1000], 0.1],
      [[0, -740, -20], 3],
      [[0, 1, 2], 1e300],
      [[-1e308, 0], 1],
    ] as [number[], number][]) {
      const m = exactMoments(logits, tau, { covariance: true });
      for (let k = 0; k < logits.length; k++) {
        expect(m.mean[k]).toBeGreaterThanOrEqual(0);
        expect(m.mean[k]).toBeLessThanOrEqual(1 + 1e-15);
        expect(m.variance[k]).toBeGreaterThanOrEqual(0);
      }
      expect(Math.abs(m.mean.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(2e-15);
    }
  });
});

describe('exactMoments smoothness in the logits (for central-difference gradients)', () => {
  it('has a central-difference derivative of E[y_1] equal to the closed form at K = 2, tau = 1 within 1e-7', () => {
    // d E[y_1] / d l_1 = rho ((rho + 1) log rho - 2 (rho - 1)) / (rho - 1)^3; observed error 5e-11 (h = 1e-4)
    const rho = 2;
    const want = (rho * ((rho + 1) * Math.log(rho) - 2 * (rho - 1))) / (rho - 1) ** 3;
    for (const h of [1e-4, 1e-5]) {
      const got =
        (exactMoments([Math.log(rho) + h, 0], 1).mean[0] - exactMoments([Math.log(rho) - h, 0], 1).mean[0]) / (2 * h);
      expect(Math.abs(got - want), `h = ${h}`).toBeLessThanOrEqual(1e-7);
    }
  });

  it('gives central differences of E[y] and E[y^2] that agree between steps 1e-4 and 1e-5 within 1e-7', () => {
    // observed <= 2e-10 (truncation error of the 1e-4 step); a jump of 1e-13 would show as 1e-8
    const base = [0.3, -0.7, 1.1, 0.2, -2.5];
    for (const tau of [0.25, 1, 3, 100]) {
      for (const j of [0, 2, 4]) {
        const diff = (h: number): number[] => {
          const up = base.slice();
          const down = base.slice();
          up[j] += h;
          down[j] -= h;
          const a = exactMoments(up, tau);
          const b = exactMoments(down, tau);
          return [...a.mean, ...a.secondMoment].map((v, i) => (v - [...b.mean, ...b.secondMoment][i]) / (2 * h));
        };
        expect(maxAbsDiff(diff(1e-4), diff(1e-5)), `tau ${tau}, logit ${j}`).toBeLessThanOrEqual(1e-7);
      }
    }
  });
});

describe('exactMoments arguments and cost', () => {
  it('throws a RangeError for an empty list, NaN or +Infinity logits, all -Infinity, and a bad temperature', () => {
    expect(() => exactMoments([], 1)).toThrow(RangeError);
    expect(() => exactMoments([0, NaN], 1)).toThrow(RangeError);
    expect(() => exactMoments([0, Infinity], 1)).toThrow(RangeError);
    expect(() => exactMoments([-Infinity, -Infinity], 1)).toThrow(RangeError);
    for (const tau of [0, -1, NaN, Infinity]) expect(() => exactMoments([0, 1], tau)).toThrow(RangeError);
    expect(() => exactMoments([0, 1], 0)).toThrow(/temperature/);
  });

  it('takes well under a second for K = 16 at tau = 0.25 with the covariance', () => {
    // observed ~30 ms on one core; the bound leaves room for a loaded machine
    const rand = lcg(16);
    const logits = Array.from({ length: 16 }, () => 2 * rand() - 1);
    const start = performance.now();
    exactMoments(logits, 0.25, { covariance: true });
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
