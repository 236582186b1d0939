import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine } from 'relaxed-mc';
import { loadGolden } from '../helpers/golden.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const golden = loadGolden('moments.json');
const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());

/** Two-sided binomial p-value of x successes in n trials with probability p (exact sum). */
function binomialTwoSided(x: number, n: number, p: number): number {
  const pmf = (k: number) => {
    let lg = 0;
    for (let i = 1; i <= k; i++) lg += Math.log((n - k + i) / i);
    return Math.exp(lg + k * Math.log(p) + (n - k) * Math.log1p(-p));
  };
  const px = pmf(x);
  let s = 0;
  for (let k = 0; k <= n; k++) {
    const q = pmf(k);
    if (q <= px * (1 + 1e-9)) s += q;
  }
  return Math.min(1, s);
}

describe('moments agree with the exact moments of golden moments.json', () => {
  for (const c of golden.cases) {
    const K = (c.probs ?? c.logits).length;
    it(`${c.id} (${c.note}): every mean and variance within 5 standard errors (false-failure rate about 6e-7 per number)`, async () => {
      const dist = new RelaxedOneHotCategorical(c.temperature, c.probs ? { probs: c.probs } : { logits: c.logits });
      const est = await engine.moments(dist, { samples: 200_000, seed: 100 + K });
      for (let k = 0; k < K; k++) {
        const zMean = (est.mean.data[k] - c.mean[k]) / est.stderr.data[k];
        expect(Math.abs(zMean), `mean[${k}] = ${est.mean.data[k]} vs ${c.mean[k]}`).toBeLessThan(5);
        const zVar = (est.variance.data[k] - c.variance[k]) / est.varianceStderr.data[k];
        expect(Math.abs(zVar), `variance[${k}] = ${est.variance.data[k]} vs ${c.variance[k]}`).toBeLessThan(5);
      }
    });
  }

  it('covariance agrees with the golden covariance (mom_03, K=3) within 5 standard errors of a replicate spread', async () => {
    const c = golden.cases.find((x: any) => x.id === 'mom_03');
    const dist = new RelaxedOneHotCategorical(c.temperature, { probs: c.probs });
    // The standard error of each covariance entry, from 20 independent replicates (chunked seeds).
    const reps = [];
    for (let s = 0; s < 20; s++)
      reps.push((await engine.moments(dist, { samples: 50_000, seed: 500 + s, covariance: true })).covariance!.data);
    for (let i = 0; i < 9; i++) {
      const xs = reps.map((r) => r[i]);
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
      const truth = c.covariance.flat()[i];
      // Student t with 19 degrees of freedom: |t| < 6 has a false-failure rate below 1e-5.
      expect(Math.abs(m - truth) / (sd / Math.sqrt(xs.length)), `entry ${i}`).toBeLessThan(6);
    }
  });
});

describe('standard errors are honest', () => {
  it('over 200 seeds, mean +- 1.96 stderr covers the exact mean at a rate consistent with 95% (binomial test, p > 1e-3 per component)', async () => {
    const dist = new RelaxedOneHotCategorical(0.5, { probs: [0.7, 0.2, 0.1] });
    const exact = dist.mean.data;
    const covered = [0, 0, 0];
    for (let s = 0; s < 200; s++) {
      const est = await engine.moments(dist, { samples: 5000, seed: 10_000 + s });
      for (let k = 0; k < 3; k++) if (Math.abs(est.mean.data[k] - exact[k]) <= 1.96 * est.stderr.data[k]) covered[k]++;
    }
    // Three components, each failing by chance with probability 1e-3: false-failure rate 3e-3.
    for (let k = 0; k < 3; k++)
      expect(binomialTwoSided(covered[k], 200, 0.95), `component ${k}: ${covered[k]}/200`).toBeGreaterThan(1e-3);
  });
});
