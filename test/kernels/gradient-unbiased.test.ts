import { describe, expect, it } from 'vitest';
import { UNBIASED_ESTIMATORS } from '../../src/kernels/gradient-estimators.js';
import { linearObjective, quadraticObjective, type BuiltinObjective } from '../../src/kernels/objectives.js';
import { discreteGradient } from '../../src/kernels/exact/exact-gradients.js';
import { maxZ, norm, normalise, runEstimator } from './gradient-helpers.js';

// Each check: fixed seed; |mean_k - exact_k| <= 5 standard errors for every component. For an
// (asymptotically normal) mean the false-failure rate is 5.7e-7 per component, so below 6e-5 for
// the 90 components checked here (union bound). The sample size is asserted, not assumed: the
// standard-error vector must be shorter than 5% of the gradient's norm.

const GROUPS = 200_000;
const TAU = 0.5; // REBAR's relaxation temperature
const M = 4; // reinforce-loo group size

interface Case {
  K: number;
  raw: number[];
  objectives: [string, BuiltinObjective][];
}

const range = (K: number, f: (i: number) => number): number[] => Array.from({ length: K }, (_, i) => f(i));

const CASES: Case[] = [
  {
    K: 2,
    raw: [0.8, -0.4],
    objectives: [
      ['linear', linearObjective([1, -0.5])],
      ['quadratic', quadraticObjective([0.1, 0.8])],
    ],
  },
  {
    K: 3,
    raw: [0.5, -0.3, 0.2],
    objectives: [
      ['linear', linearObjective([1, -1, 0.3])],
      ['quadratic', quadraticObjective([0.9, 0.1, 0.5])],
    ],
  },
  {
    K: 10,
    raw: range(10, (i) => Math.sin(1.3 * i + 0.4)),
    objectives: [
      ['linear', linearObjective(range(10, (i) => Math.cos(2 * i)))],
      ['quadratic', quadraticObjective(range(10, (i) => ((i * 7) % 10) / 10))],
    ],
  },
];

describe('unbiased estimators match the exact gradient of the discrete objective', () => {
  for (const { K, raw, objectives } of CASES) {
    const { logits, probs } = normalise(raw);
    for (const [kind, objective] of objectives) {
      const exact = discreteGradient(logits, objective);
      for (const name of UNBIASED_ESTIMATORS) {
        it(`${name}: mean within 5 standard errors for K = ${K}, ${kind} objective`, () => {
          const st = runEstimator({
            name,
            logits,
            probs,
            tau: TAU,
            m: M,
            objective,
            groups: GROUPS,
            seed: 20240601 + K,
          });
          expect(norm(st.se)).toBeLessThan(0.05 * norm(exact));
          expect(maxZ(st.mean, exact, st.se)).toBeLessThanOrEqual(5);
        });
      }
    }
  }
});
