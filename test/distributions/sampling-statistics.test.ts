/**
 * Statistical checks of the in-process sampler. Every test uses a fixed seed, so it either always
 * passes or always fails; the thresholds are chosen so that a correct sampler fails with the
 * stated probability over random seeds (the false-failure rate).
 */
import { describe, expect, it } from 'vitest';
import { torch } from 'relaxed-mc';
import { chiSquarePValue, chiSquareStat, ksPValue, ksStatistic } from '../helpers/stats.js';

const { RelaxedOneHotCategorical } = torch.distributions;

describe('argmax of a relaxed sample is Categorical(probs) (Gumbel-max), at any temperature', () => {
  const probs = [0.1, 0.2, 0.3, 0.4];
  for (const tau of [0.1, 1, 10]) {
    it(`chi-square at tau=${tau} (N=1e5, p > 1e-4: false-failure rate 1e-4)`, () => {
      torch.manual_seed(1000 + tau * 10);
      const d = new RelaxedOneHotCategorical(tau, { probs });
      const idx = d.sample([100_000]).argmax(-1).data;
      const counts = new Float64Array(4);
      for (const i of idx) counts[i]++;
      const p = chiSquarePValue(chiSquareStat(counts, probs), 3);
      expect(p).toBeGreaterThan(1e-4);
    });
  }
});

describe('K = 2 samples follow the closed-form CDF P(y1 <= t) = 1 / (1 + (p1/p2) ((1-t)/t)^tau)', () => {
  const [p1, p2] = [0.3, 0.7];
  for (const tau of [0.2, 1, 5]) {
    it(`Kolmogorov-Smirnov at tau=${tau} (N=2e4, p > 1e-4: false-failure rate 1e-4)`, () => {
      torch.manual_seed(2000 + tau * 10);
      const d = new RelaxedOneHotCategorical(tau, { probs: [p1, p2] });
      const y = d.sample(20_000).data;
      const y1 = y.filter((_, i) => i % 2 === 0);
      const F = (t: number) => 1 / (1 + (p1 / p2) * Math.exp(tau * (Math.log1p(-t) - Math.log(t))));
      const D = ksStatistic(y1, F);
      expect(ksPValue(D, y1.length)).toBeGreaterThan(1e-4);
    });
  }

  it('the same test rejects a sampler that mishandles the temperature (power check)', () => {
    // Samples drawn at tau = 1 judged against the tau = 0.8 CDF must fail: the test can fail.
    torch.manual_seed(2100);
    const y = new RelaxedOneHotCategorical(1, { probs: [p1, p2] }).sample(20_000).data.filter((_, i) => i % 2 === 0);
    const F = (t: number) => 1 / (1 + (p1 / p2) * Math.exp(0.8 * (Math.log1p(-t) - Math.log(t))));
    expect(ksPValue(ksStatistic(y, F), y.length)).toBeLessThan(1e-4);
  });
});

describe('pairwise logistic law: tau_b log(y_j / y_k) - (l_j - l_k) ~ Logistic(0, 1), per-row temperatures', () => {
  it('holds for every row of a K = 5 batch with temperatures [0.3, 1, 4] (6 KS tests, each p > 1e-4: false-failure rate 6e-4)', () => {
    torch.manual_seed(3000);
    const temps = [0.3, 1, 4];
    const logits = [
      [0.5, -1, 2, 0, 1],
      [-2, 0.3, 0.1, 1.5, -0.5],
      [1, 1, -1, 0, 3],
    ];
    const d = new RelaxedOneHotCategorical(torch.tensor(temps), { logits });
    const l = d.logits.data;
    const N = 20_000;
    const y = d.sample(N).data;
    const logistic = (x: number) => 1 / (1 + Math.exp(-x));
    for (let b = 0; b < 3; b++) {
      for (const [j, k] of [
        [0, 1],
        [2, 4],
      ]) {
        const stat = new Float64Array(N);
        for (let n = 0; n < N; n++) {
          const o = (n * 3 + b) * 5;
          stat[n] = temps[b] * Math.log(y[o + j] / y[o + k]) - (l[b * 5 + j] - l[b * 5 + k]);
        }
        expect(ksPValue(ksStatistic(stat, logistic), N), `row ${b}, pair ${j},${k}`).toBeGreaterThan(1e-4);
      }
    }
  });
});

describe('sample means agree with the exact (quadrature) mean', () => {
  const cases = [
    { name: 'K=3, tau=0.5', temperature: 0.5 as number | number[], params: { probs: [0.7, 0.2, 0.1] as unknown } },
    {
      name: 'batched temperatures [0.25, 1, 3] with logits [3, 4]',
      temperature: [0.25, 1, 3],
      params: {
        logits: [
          [0, 1, 2, -1],
          [1, 1, 1, 1],
          [2, -2, 0.5, 0],
        ] as unknown,
      },
    },
  ];
  for (const c of cases) {
    it(`${c.name}: every component within 5 standard errors (N=1e5; two-sided false-failure rate 5.7e-7 per component)`, () => {
      torch.manual_seed(4000);
      const d = new RelaxedOneHotCategorical(torch.tensor(c.temperature), c.params as any);
      const N = 100_000;
      const s = d.sample(N);
      const m = s.mean(0);
      const sd = s
        .sub(m)
        .mul(s.sub(m))
        .sum(0)
        .div(N - 1)
        .sqrt();
      const exact = d.mean;
      expect(exact.shape).toEqual(m.shape);
      for (let i = 0; i < m.data.length; i++) {
        const z = (m.data[i] - exact.data[i]) / (sd.data[i] / Math.sqrt(N));
        expect(Math.abs(z), `component ${i}: MC ${m.data[i]} vs exact ${exact.data[i]}`).toBeLessThan(5);
      }
    });
  }
});

describe('samples lie in the open simplex', () => {
  it('sum to 1 within a few ulps, with every entry in (0, 1] at moderate temperature', () => {
    torch.manual_seed(5000);
    const y = new RelaxedOneHotCategorical(0.3, { logits: [0, 1, -1, 2, 0.5] }).sample(10_000);
    const sums = y.sum(-1).data;
    for (const s of sums) expect(Math.abs(s - 1)).toBeLessThan(1e-14);
    // The largest entry may round to exactly 1 when the others sum below half an ulp of 1; none is 0.
    for (const v of y.data) expect(v > 0 && v <= 1).toBe(true);
  });
});

describe('rsample_with_log_prob keeps the density finite where the sample underflows', () => {
  it('tau = 0.01, K = 1000: entries of value are exactly 0, yet every log_prob is finite', () => {
    torch.manual_seed(6000);
    const d = new RelaxedOneHotCategorical(0.01, { logits: torch.zeros([1000]) });
    const { value, log_prob } = d.rsample_with_log_prob([4]);
    expect(value.shape).toEqual([4, 1000]);
    expect(log_prob.shape).toEqual([4]);
    expect(value.data.some((v) => v === 0)).toBe(true);
    for (const lp of log_prob.data) expect(Number.isFinite(lp)).toBe(true);
    // PyTorch's route (log of the underflowed value) gives NaN there.
    const viaValue = new RelaxedOneHotCategorical(0.01, { logits: torch.zeros([1000]), validate_args: false }).log_prob(
      value,
    );
    expect(viaValue.data.some(Number.isNaN)).toBe(true);
  });

  it('equals log_prob(value) to ~1e-12 relative where nothing underflows', () => {
    torch.manual_seed(6001);
    const d = new RelaxedOneHotCategorical(torch.tensor([0.5, 2]), {
      logits: [
        [0, 1, 2],
        [1, -1, 0],
      ],
    });
    const { value, log_prob } = d.rsample_with_log_prob(50);
    const direct = d.log_prob(value);
    for (let i = 0; i < direct.data.length; i++) {
      expect(Math.abs(log_prob.data[i] - direct.data[i])).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(direct.data[i])),
      );
    }
  });
});
