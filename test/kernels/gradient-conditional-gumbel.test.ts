import { describe, expect, it } from 'vitest';
import { PhiloxStream } from '../helpers/philox-uniforms.js';
import { conditionalPerturbedLogits } from '../../src/kernels/gradient-conditional-gumbel.js';
import { categoricalRace } from '../../src/kernels/gradient-common.js';
import { chiSquarePValue, chiSquareStat, ksPValue, ksStatistic } from '../helpers/stats.js';

// Unnormalised logits (LSE != 0), one rare class (pi ~ 4e-4), K = 5.
const THETA = Float64Array.of(1.3, 0.2, -0.5, 0.9, -6);
const K = THETA.length;
const LSE = Math.log(THETA.reduce((a, t) => a + Math.exp(t), 0));
const PROBS = THETA.map((t) => Math.exp(t - LSE));

const gumbelCdf = (x: number): number => Math.exp(-Math.exp(-x));
const logisticCdf = (x: number): number => 1 / (1 + Math.exp(-x));
const EULER_GAMMA = 0.5772156649015329;

// KS and chi-square tests reject at p < 1e-6: the false-failure rate is 1e-6 per test, about
// 2e-5 for the ~20 tests in this file (union bound). Moment checks use 5 standard errors
// (5.7e-7 each).
const P_MIN = 1e-6;

describe('conditional Gumbel draw given the argmax', () => {
  it('has its argmax at b in every draw, for every b (20000 draws each, rare class included)', () => {
    const n = 20_000;
    const u = new Float64Array(n * K);
    const xc = new Float64Array(K);
    for (let b = 0; b < K; b++) {
      new PhiloxStream(1, b).fillUniform(u, 0, u.length);
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        conditionalPerturbedLogits(K, PROBS, LSE, b, u, i * K, xc, null);
        for (let k = 0; k < K; k++) if (k !== b && !(xc[k] < xc[b])) wrong++;
      }
      expect(wrong).toBe(0);
    }
  });

  for (let b = 0; b < K; b++) {
    it(`its maximum is Gumbel(LSE theta) whatever b (b = ${b}, KS on 20000 draws)`, () => {
      const n = 20_000;
      const u = new Float64Array(n * K);
      new PhiloxStream(2, b).fillUniform(u, 0, u.length);
      const xc = new Float64Array(K);
      const top = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        conditionalPerturbedLogits(K, PROBS, LSE, b, u, i * K, xc, null);
        top[i] = xc[b] - LSE;
      }
      expect(ksPValue(ksStatistic(top, gumbelCdf), n)).toBeGreaterThan(P_MIN);
    });
  }

  describe('mixed over b ~ Categorical(pi), reproduces independent unconditional Gumbels', () => {
    const n = 100_000;
    const u = new Float64Array(n * 2 * K);
    new PhiloxStream(3, 0).fillUniform(u, 0, u.length);
    const g = Array.from({ length: K }, () => new Float64Array(n)); // x~_k - theta_k
    const counts = new Float64Array(K);
    const xc = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      const b = categoricalRace(K, PROBS, u, i * 2 * K);
      counts[b]++;
      conditionalPerturbedLogits(K, PROBS, LSE, b, u, i * 2 * K + K, xc, null);
      for (let k = 0; k < K; k++) g[k][i] = xc[k] - THETA[k];
    }

    it('the category counts are Categorical(pi) (chi-square)', () => {
      expect(chiSquarePValue(chiSquareStat(counts, PROBS), K - 1)).toBeGreaterThan(P_MIN);
    });

    for (let k = 0; k < K; k++) {
      it(`x~_${k} - theta_${k} is a standard Gumbel (KS, mean gamma, variance pi^2/6)`, () => {
        expect(ksPValue(ksStatistic(g[k], gumbelCdf), n)).toBeGreaterThan(P_MIN);
        const mean = g[k].reduce((a, x) => a + x, 0) / n;
        const variance = g[k].reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
        const v = Math.PI ** 2 / 6;
        expect(Math.abs(mean - EULER_GAMMA)).toBeLessThanOrEqual(5 * Math.sqrt(v / n));
        // SE of the sample variance: sqrt((mu_4 - sigma^4) / n), and mu_4 = (3 + 12/5) sigma^4
        // (the Gumbel's excess kurtosis is 12/5).
        expect(Math.abs(variance - v)).toBeLessThanOrEqual(5 * Math.sqrt(((3 + 12 / 5 - 1) * v * v) / n));
      });
    }

    it('pairs are independent: (x~_j - theta_j) - (x~_k - theta_k) is standard logistic (KS)', () => {
      for (const [j, k] of [
        [0, 1],
        [1, 3],
        [2, 4],
      ]) {
        const d = g[j].map((x, i) => x - g[k][i]);
        expect(ksPValue(ksStatistic(d, logisticCdf), n)).toBeGreaterThan(P_MIN);
      }
    });

    it('pairs are uncorrelated (sample correlation within 5 / sqrt(n) of 0)', () => {
      for (let j = 0; j < K; j++) {
        for (let k = j + 1; k < K; k++) {
          let sj = 0;
          let sk = 0;
          let sjk = 0;
          let sjj = 0;
          let skk = 0;
          for (let i = 0; i < n; i++) {
            sj += g[j][i];
            sk += g[k][i];
          }
          const mj = sj / n;
          const mk = sk / n;
          for (let i = 0; i < n; i++) {
            const a = g[j][i] - mj;
            const c = g[k][i] - mk;
            sjk += a * c;
            sjj += a * a;
            skk += c * c;
          }
          expect(Math.abs(sjk / Math.sqrt(sjj * skk))).toBeLessThanOrEqual(5 / Math.sqrt(n));
        }
      }
    });
  });

  it('uses u[b] for the maximum: x~_b = LSE - log(-log u_b)', () => {
    const u = Float64Array.of(0.3, 0.5, 0.7, 0.2, 0.9);
    const xc = new Float64Array(K);
    conditionalPerturbedLogits(K, PROBS, LSE, 2, u, 0, xc, null);
    expect(xc[2]).toBeCloseTo(LSE - Math.log(-Math.log(0.7)), 14);
  });

  it('sends a class of probability 0 to -Infinity with Jacobian weight 1', () => {
    const probs = Float64Array.of(0.5, 0, 0.5);
    const u = Float64Array.of(0.3, 0.5, 0.7);
    const xc = new Float64Array(3);
    const w = new Float64Array(3);
    conditionalPerturbedLogits(3, probs, 0, 0, u, 0, xc, w);
    expect(xc[1]).toBe(-Infinity);
    expect(w[1]).toBe(1);
    expect(Number.isFinite(xc[2]) && w[2] > 0 && w[2] < 1).toBe(true);
  });
});
