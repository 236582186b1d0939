import { describe, expect, it } from 'vitest';
import { linearObjective, quadraticObjective, type Objective } from '../../src/kernels/objectives.js';
import { normalise, runEstimator, type GradientStats } from './gradient-helpers.js';

// Gumbel-Rao is straight-through conditioned on the category, so (tower property) its mean is
// straight-through's and (law of total variance) its variance is
// Var(E[ST | b]) + E[Var(ST | b)] / m <= Var(ST). The two are run on independent streams.
//
// Means: |mean_GR - mean_ST| <= 5 sqrt(se_GR^2 + se_ST^2) per component (false-failure rate
// 5.7e-7 per component, < 2e-5 over the 26 components here).
// Variances: total variance (the trace of the covariance) of GR <= that of ST + 5 standard
// errors of the difference (one-sided; the false-failure rate is at most 3e-7 per comparison,
// and far less when GR's variance is truly smaller, as here).

const GROUPS = 200_000;

function sameMean(a: GradientStats, b: GradientStats): number {
  let z = 0;
  for (let k = 0; k < a.mean.length; k++) {
    z = Math.max(z, Math.abs(a.mean[k] - b.mean[k]) / Math.hypot(a.se[k], b.se[k]));
  }
  return z;
}

const CASES: [string, number[], number, Objective][] = [
  ['K = 2, quadratic, tau = 1', [0.8, -0.4], 1, quadraticObjective([0.1, 0.8])],
  ['K = 3, quadratic, tau = 0.5', [0.5, -0.3, 0.2], 0.5, quadraticObjective([0.9, 0.1, 0.5])],
  ['K = 3, linear, tau = 0.25', [0.5, -0.3, 0.2], 0.25, linearObjective([1, -1, 0.3])],
  [
    'K = 10, quadratic, tau = 0.5',
    Array.from({ length: 10 }, (_, i) => Math.sin(1.3 * i + 0.4)),
    0.5,
    quadraticObjective(Array.from({ length: 10 }, (_, i) => ((i * 7) % 10) / 10)),
  ],
];

describe('gumbel-rao against straight-through', () => {
  for (const [label, raw, tau, objective] of CASES) {
    const { logits, probs } = normalise(raw);
    const run = (name: 'straight-through' | 'gumbel-rao', m: number, stream: number): GradientStats =>
      runEstimator({ name, logits, probs, tau, m, objective, groups: GROUPS, seed: 7, stream });

    it(`has the same mean and no larger variance with m = 8 (${label})`, () => {
      const st = run('straight-through', 1, 0);
      const gr = run('gumbel-rao', 8, 1);
      expect(sameMean(gr, st)).toBeLessThanOrEqual(5);
      const margin = 5 * Math.hypot(gr.totalVarianceSe, st.totalVarianceSe);
      expect(gr.totalVariance).toBeLessThanOrEqual(st.totalVariance + margin);
      // The reduction is real here, not only "no larger": at least 20% of ST's variance.
      expect(gr.totalVariance).toBeLessThan(0.8 * st.totalVariance);
    });

    if (label.startsWith('K = 3, quadratic')) {
      it(`with m = 1 is distributed as straight-through: same mean, same variance (${label})`, () => {
        const st = run('straight-through', 1, 2);
        const gr = run('gumbel-rao', 1, 3);
        expect(sameMean(gr, st)).toBeLessThanOrEqual(5);
        const diff = Math.abs(gr.totalVariance - st.totalVariance);
        expect(diff).toBeLessThanOrEqual(5 * Math.hypot(gr.totalVarianceSe, st.totalVarianceSe));
      });

      it(`variance falls with m as Var(E[ST|b]) + E[Var(ST|b)] / m (${label})`, () => {
        // V(m) = A + B / m: from V(1) and V(4), B = 4 (V(1) - V(4)) / 3 and
        // V(16) = A + B / 16 = (5 V(4) - V(1)) / 4, with SE sqrt((5 se4 / 4)^2 + (se1 / 4)^2).
        const v1 = run('gumbel-rao', 1, 4);
        const v4 = run('gumbel-rao', 4, 5);
        const v16 = run('gumbel-rao', 16, 6);
        const B = (4 * (v1.totalVariance - v4.totalVariance)) / 3;
        const seB = (4 / 3) * Math.hypot(v1.totalVarianceSe, v4.totalVarianceSe);
        expect(seB).toBeLessThan(0.1 * B); // the m-dependent part is resolved
        const predicted = (5 * v4.totalVariance - v1.totalVariance) / 4;
        const sePred = Math.hypot((5 * v4.totalVarianceSe) / 4, v1.totalVarianceSe / 4);
        expect(Math.abs(v16.totalVariance - predicted)).toBeLessThanOrEqual(
          5 * Math.hypot(sePred, v16.totalVarianceSe),
        );
      });
    }
  }
});
