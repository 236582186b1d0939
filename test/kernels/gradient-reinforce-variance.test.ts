import { describe, expect, it } from 'vitest';
import { linearObjective, quadraticObjective, type Objective } from '../../src/kernels/objectives.js';
import { reinforceVariance } from '../../src/kernels/exact/exact-gradients.js';
import { normalise, runEstimator } from './gradient-helpers.js';

// The exact single-sample variance of REINFORCE, enumerated here independently of the library:
// the estimate is g = f(e_b)(e_b - pi) with probability pi_b, so
// Var(g_i) = sum_b pi_b (f(e_b)(delta_bi - pi_i))^2 - (sum_b pi_b f(e_b)(delta_bi - pi_i))^2.
function enumeratedVariance(probs: Float64Array, objective: Objective): Float64Array {
  const K = probs.length;
  const variance = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let first = 0;
    let second = 0;
    for (let b = 0; b < K; b++) {
      const e = new Float64Array(K);
      e[b] = 1;
      const value = objective.f(e) * ((b === i ? 1 : 0) - probs[i]);
      first += probs[b] * value;
      second += probs[b] * value * value;
    }
    variance[i] = second - first * first;
  }
  return variance;
}

// Sample variance vs exact: |s^2 - sigma^2| <= 5 standard errors of s^2, the SE from the fourth
// central moment, sqrt((mu_4 - sigma^4) / n). The sample variance of 4e5 draws is close to
// normal, so the false-failure rate is about 5.7e-7 per component (1e-5 for the 10 components).
const GROUPS = 400_000;

const CASES: [string, number[], Objective][] = [
  ['K = 2, linear', [0.8, -0.4], linearObjective([1, -0.5])],
  ['K = 2, quadratic (the REBAR toy, t = 0.45)', [0, 0], quadraticObjective([0.45, 0.55])],
  ['K = 3, linear', [0.5, -0.3, 0.2], linearObjective([1, -1, 0.3])],
  ['K = 3, quadratic', [1.2, -0.7, 0], quadraticObjective([0.9, 0.1, 0.5])],
];

describe('REINFORCE single-sample variance', () => {
  for (const [label, raw, objective] of CASES) {
    const { logits, probs } = normalise(raw);
    const exact = enumeratedVariance(probs, objective);

    it(`matches the exact variance by enumeration (${label})`, () => {
      const st = runEstimator({ name: 'reinforce', logits, probs, tau: 1, m: 1, objective, groups: GROUPS, seed: 31 });
      for (let k = 0; k < exact.length; k++) {
        expect(Math.abs(st.variance[k] - exact[k])).toBeLessThanOrEqual(5 * st.varianceSe[k]);
        // and the test has power: the SE is a small fraction of the variance itself
        expect(st.varianceSe[k]).toBeLessThan(0.01 * exact[k]);
      }
    });

    it(`reinforceVariance agrees with the test's own enumeration (${label})`, () => {
      const lib = reinforceVariance(logits, objective);
      for (let k = 0; k < exact.length; k++) expect(Math.abs(lib[k] - exact[k])).toBeLessThanOrEqual(1e-15);
    });
  }
});
