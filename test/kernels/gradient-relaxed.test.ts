import { describe, expect, it } from 'vitest';
import { linearObjective, quadraticObjective, type BuiltinObjective } from '../../src/kernels/objectives.js';
import { discreteGradient, relaxedGradient } from '../../src/kernels/exact/exact-gradients.js';
import { maxZ, norm, normalise, runEstimator } from './gradient-helpers.js';

// Gumbel-Softmax is the pathwise gradient of f(z) for z = softmax((theta + G)/tau), so its mean is
// the gradient of the relaxed objective E f(z), computed exactly (to ~1e-11) by relaxedGradient.
// Check: every component within 5 standard errors (false-failure rate 5.7e-7 per component, below
// 5e-5 for the ~60 components here), with the standard-error vector shorter than 5% of the
// gradient's norm.

const GROUPS = 200_000;
const range = (K: number, f: (i: number) => number): number[] => Array.from({ length: K }, (_, i) => f(i));

const CASES: [number, number[], [string, BuiltinObjective][]][] = [
  [
    2,
    [0.8, -0.4],
    [
      ['linear', linearObjective([1, -0.5])],
      ['quadratic', quadraticObjective([0.1, 0.8])],
    ],
  ],
  [
    3,
    [0.5, -0.3, 0.2],
    [
      ['linear', linearObjective([1, -1, 0.3])],
      ['quadratic', quadraticObjective([0.9, 0.1, 0.5])],
    ],
  ],
  [
    10,
    range(10, (i) => Math.sin(1.3 * i + 0.4)),
    [
      ['linear', linearObjective(range(10, (i) => Math.cos(2 * i)))],
      ['quadratic', quadraticObjective(range(10, (i) => ((i * 7) % 10) / 10))],
    ],
  ],
];

describe('gumbel-softmax mean is the exact gradient of the relaxed objective', () => {
  for (const [K, raw, objectives] of CASES) {
    const { logits, probs } = normalise(raw);
    for (const [kind, objective] of objectives) {
      it(`within 5 standard errors for K = ${K}, ${kind}, tau = 0.5`, () => {
        const exact = relaxedGradient(logits, 0.5, objective.spec);
        const st = runEstimator({
          name: 'gumbel-softmax',
          logits,
          probs,
          tau: 0.5,
          m: 1,
          objective,
          groups: GROUPS,
          seed: 5,
        });
        expect(norm(st.se)).toBeLessThan(0.05 * norm(exact));
        expect(maxZ(st.mean, exact, st.se)).toBeLessThanOrEqual(5);
      });
    }
  }
});

// Bias against the discrete gradient, |mean_tau - grad|, at tau = 1, 0.5, 0.1. It must fall
// strictly, beyond the noise: bias(tau_1) - bias(tau_2) > 5 sqrt(|se_1|^2 + |se_2|^2), since the
// error of an estimated bias is at most |mean - E mean| (triangle inequality), whose typical size
// is |se| (the norm of the standard-error vector); a K-dimensional normal exceeds 5 times that
// with probability below 1e-5 for K = 3. (The bias need not fall monotonically for every
// problem: for K = 2, logits (0.8, -0.4), t = (0.1, 0.8) it rises from tau = 1 to 0.5.) At each
// temperature the mean also matches the exact relaxed gradient (5 standard errors, as above), and
// the exact relaxed bias falls too.
describe('gumbel-softmax bias against the discrete gradient shrinks as the temperature falls', () => {
  const { logits, probs } = normalise([0.5, -0.3, 0.2]);
  const objectives: [string, BuiltinObjective][] = [
    ['linear', linearObjective([1, -1, 0.3])],
    ['quadratic', quadraticObjective([0.9, 0.1, 0.5])],
  ];
  const TAUS = [1, 0.5, 0.1];
  for (const [kind, objective] of objectives) {
    it(`at tau = 1, 0.5, 0.1 (K = 3, ${kind})`, () => {
      const discrete = discreteGradient(logits, objective);
      const bias: number[] = [];
      const seNorm: number[] = [];
      const exactBias: number[] = [];
      for (const tau of TAUS) {
        const st = runEstimator({
          name: 'gumbel-softmax',
          logits,
          probs,
          tau,
          m: 1,
          objective,
          groups: GROUPS,
          seed: 11,
        });
        const relaxed = relaxedGradient(logits, tau, objective.spec);
        expect(maxZ(st.mean, relaxed, st.se)).toBeLessThanOrEqual(5);
        bias.push(norm(st.mean.map((v, k) => v - discrete[k])));
        seNorm.push(norm(st.se));
        exactBias.push(norm(relaxed.map((v, k) => v - discrete[k])));
      }
      for (let i = 1; i < TAUS.length; i++) {
        expect(bias[i - 1] - bias[i]).toBeGreaterThan(5 * Math.hypot(seNorm[i - 1], seNorm[i]));
        expect(exactBias[i]).toBeLessThan(exactBias[i - 1]);
      }
    });
  }
});
