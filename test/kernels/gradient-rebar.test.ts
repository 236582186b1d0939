import { describe, expect, it } from 'vitest';
import { quadraticObjective } from '../../src/kernels/objectives.js';
import { discreteGradient, reinforceVariance } from '../../src/kernels/exact/exact-gradients.js';
import { maxZ, norm, normalise, runEstimator } from './gradient-helpers.js';

// The quadratic toy of REBAR / RELAX, f(z) = sum_k (z_k - t_k)^2 with t = (0.45, 0.55): twice
// (b - 0.45)^2 for K = 2, and a K = 3 version. REBAR (eta = 1, lambda = tau) is unbiased (its
// mean within 5 standard errors of the exact gradient, false-failure rate 5.7e-7 per component)
// and is not REINFORCE in disguise: its total variance differs from REINFORCE's exact total
// variance (by enumeration) by more than 5 of its standard errors. When written, the gaps were
// +127 and -137 standard errors, so the chance that noise shrinks them below 5 is nil; were the
// variances equal, this check would fail (correctly) with probability 1 - 5.7e-7.
// With eta fixed at 1 the control variate does not always help: on the K = 2 toy REBAR's
// variance is larger than REINFORCE's at every tau tried in [0.1, 2]; on the K = 3 toy it is
// smaller.

const GROUPS = 200_000;
const TAU = 0.5;

const CASES: [string, number[], number[], 'larger' | 'smaller'][] = [
  ['K = 2 toy, theta = 0, t = 0.45', [0, 0], [0.45, 0.55], 'larger'],
  ['K = 3 toy, t = (0.45, 0.55, 0.5)', [0.3, -0.2, 0], [0.45, 0.55, 0.5], 'smaller'],
];

describe('REBAR on the quadratic toy', () => {
  for (const [label, raw, target, direction] of CASES) {
    const { logits, probs } = normalise(raw);
    const objective = quadraticObjective(target);

    it(`is unbiased and its variance differs from REINFORCE's (${label}, tau = ${TAU})`, () => {
      const exact = discreteGradient(logits, objective);
      const st = runEstimator({ name: 'rebar', logits, probs, tau: TAU, m: 1, objective, groups: GROUPS, seed: 99 });
      expect(norm(st.se)).toBeLessThan(0.05 * norm(exact));
      expect(maxZ(st.mean, exact, st.se)).toBeLessThanOrEqual(5);

      const reinforce = reinforceVariance(logits, objective).reduce((a, b) => a + b, 0);
      const gap = st.totalVariance - reinforce;
      expect(Math.abs(gap)).toBeGreaterThan(5 * st.totalVarianceSe);
      expect(direction === 'larger' ? gap > 0 : gap < 0).toBe(true);
    });
  }
});
