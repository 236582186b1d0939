/**
 * The engine's samples follow the Concrete law in each of its three draw forms (integer power
 * of 1/temperature, direct exponent, row-max shifted exponent). Fixed seeds; thresholds state
 * their false-failure rates.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine } from 'relaxed-mc';
import { chiSquarePValue, chiSquareStat, ksPValue, ksStatistic } from '../helpers/stats.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());

describe('K = 2 engine samples follow the closed-form CDF P(y1 <= t) = 1 / (1 + (p1/p2) ((1-t)/t)^tau)', () => {
  const [p1, p2] = [0.3, 0.7];
  // 0.5 and 1: integer powers; 0.37 and 3: the direct exponent.
  for (const tau of [0.5, 1, 0.37, 3]) {
    it(`tau = ${tau} (KS on y1, N = 5e4, p > 1e-4: false-failure rate 1e-4)`, async () => {
      const d = new RelaxedOneHotCategorical(tau, { probs: [p1, p2] });
      const y = await engine.sample(d, [50_000], { seed: 31 });
      const y1 = y.data.filter((_, i) => i % 2 === 0);
      const F = (t: number) => 1 / (1 + (p1 / p2) * Math.exp(tau * (Math.log1p(-t) - Math.log(t))));
      expect(ksPValue(ksStatistic(y1, F), y1.length)).toBeGreaterThan(1e-4);
    });
  }
  // 0.04: the row-max shifted form. Here y1 is within an ulp of 0 or 1 for about half the draws
  // (float64 cannot tell them from the vertex), so the same CDF is tested in log space:
  // P(y1 <= t) = P(x1 - x2 <= logit t), i.e. tau (x1 - x2) ~ Logistic(l1 - l2, 1).
  it('tau = 0.04 (KS on tau (x1 - x2) from log-space samples, N = 5e4, p > 1e-4: false-failure rate 1e-4)', async () => {
    const tau = 0.04;
    const d = new RelaxedOneHotCategorical(tau, { probs: [p1, p2] });
    const x = (await engine.sample(d, [50_000], { seed: 31, logSpace: true })).data;
    const v = new Float64Array(50_000);
    for (let i = 0; i < v.length; i++) v[i] = tau * (x[2 * i] - x[2 * i + 1]);
    const shift = Math.log(p1 / p2);
    expect(
      ksPValue(
        ksStatistic(v, (t) => 1 / (1 + Math.exp(-(t - shift)))),
        v.length,
      ),
    ).toBeGreaterThan(1e-4);
  });
});

describe('engine samples: argmax is Categorical(probs) and the pairwise logistic law holds per row', () => {
  it('for a batch whose rows use all three draw forms (7 tests, each with false-failure rate 1e-4)', async () => {
    const temps = [0.5, 0.37, 0.04];
    const logits = [
      [0.5, -1, 2, 0, 1],
      [-2, 0.3, 0.1, 1.5, -0.5],
      [1, 1, -1, 0, 3],
    ];
    const d = new RelaxedOneHotCategorical(torch.tensor(temps), { logits });
    const l = d.logits.data;
    const N = 40_000;
    const y = (await engine.sample(d, [N], { seed: 8 })).data;
    const x = (await engine.sample(d, [N], { seed: 8, logSpace: true })).data;
    const logistic = (v: number) => 1 / (1 + Math.exp(-v));
    for (let b = 0; b < 3; b++) {
      const stat = new Float64Array(N);
      const counts = new Float64Array(5);
      for (let n = 0; n < N; n++) {
        const o = (n * 3 + b) * 5;
        // log-space values: exact even where y underflows at tau = 0.04.
        stat[n] = temps[b] * (x[o + 1] - x[o + 3]) - (l[b * 5 + 1] - l[b * 5 + 3]);
        let best = 0;
        for (let k = 1; k < 5; k++) if (y[o + k] > y[o + best]) best = k;
        counts[best]++;
      }
      expect(ksPValue(ksStatistic(stat, logistic), N), `row ${b}: logistic`).toBeGreaterThan(1e-4);
      const probs = Array.from(l.subarray(b * 5, b * 5 + 5), Math.exp);
      expect(chiSquarePValue(chiSquareStat(counts, probs), 4), `row ${b}: argmax`).toBeGreaterThan(1e-4);
    }
    // Every draw is a point of the simplex.
    for (let r = 0; r < y.length / 5; r++) {
      let s = 0;
      for (let k = 0; k < 5; k++) s += y[r * 5 + k];
      if (Math.abs(s - 1) > 1e-14) throw new Error(`row ${r} sums to ${s}`);
    }
  });
});
