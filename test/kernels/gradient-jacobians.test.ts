import { describe, expect, it } from 'vitest';
import { PhiloxStream } from '../helpers/philox-uniforms.js';
import {
  type EstimatorName,
  createGradientWorkspace,
  estimateGradientGroups,
  uniformsPerGroup,
} from '../../src/kernels/gradient-estimators.js';
import { conditionalPerturbedLogits } from '../../src/kernels/gradient-conditional-gumbel.js';
import { quadraticObjective, type Objective } from '../../src/kernels/objectives.js';
import { normalise } from './gradient-helpers.js';

// The analytic Jacobian-vector products of the kernels against central finite differences of
// forward maps written here from the definitions (the conditional draw in its truncated-Gumbel
// form, x~_j = -log(e^{-M} + e^{-(theta_j + G_j)}), not the kernel's exponential form).
// Deterministic: the tolerance 1e-7 (relative to max(1, |value|)) is a regression bound; the
// finite-difference error with h = 1e-6 is about 1e-9 here, the observed disagreement <= 4.2e-10.

const H = 1e-6;
const TOL = 1e-7;

const gumbel = (u: number): number => -Math.log(-Math.log(u));

function softmaxT(x: ArrayLike<number>, tau: number): Float64Array {
  const top = Math.max(...Array.from(x));
  const e = Float64Array.from(x, (v) => Math.exp((v - top) / tau));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function lse(x: ArrayLike<number>): number {
  const top = Math.max(...Array.from(x));
  return top + Math.log(Array.from(x).reduce((a, v) => a + Math.exp(v - top), 0));
}

function argmax(x: ArrayLike<number>): number {
  let b = 0;
  for (let k = 1; k < x.length; k++) if (x[k] > x[b]) b = k;
  return b;
}

/** x~(theta) given b, from uniforms v: the truncated-Gumbel construction (A* sampling). */
function conditionalForward(theta: ArrayLike<number>, b: number, v: ArrayLike<number>): Float64Array {
  const M = lse(theta) + gumbel(v[b]);
  return Float64Array.from(theta, (t, j) => (j === b ? M : -Math.log(Math.exp(-M) + Math.exp(-(t + gumbel(v[j]))))));
}

/** Central-difference gradient of a scalar function of the logits. */
function fdGradient(theta: Float64Array, F: (t: Float64Array) => number): Float64Array {
  const g = new Float64Array(theta.length);
  const t = Float64Array.from(theta);
  for (let i = 0; i < theta.length; i++) {
    t[i] = theta[i] + H;
    const up = F(t);
    t[i] = theta[i] - H;
    const down = F(t);
    t[i] = theta[i];
    g[i] = (up - down) / (2 * H);
  }
  return g;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>): void {
  for (let k = 0; k < want.length; k++) {
    expect(Math.abs(got[k] - want[k])).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(want[k])));
  }
}

/** A smooth, non-polynomial user objective, so second-order terms are exercised. */
function sineObjective(K: number): Objective {
  const a = Float64Array.from({ length: K }, (_, k) => 1 + 0.7 * k);
  return {
    K,
    f(z) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[k] * z[k];
      return Math.sin(s) + z[0] * z[0];
    },
    grad(z, out) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[k] * z[k];
      const c = Math.cos(s);
      for (let k = 0; k < K; k++) out[k] = a[k] * c;
      out[0] += 2 * z[0];
    },
  };
}

const SETUPS: [string, number[], number][] = [
  ['K = 3, tau = 0.5', [0.5, -0.3, 0.2], 0.5],
  ['K = 5, tau = 1.5', [1.1, -0.4, 0.3, -2, 0.05], 1.5],
];

function oneEstimate(
  name: EstimatorName,
  logits: Float64Array,
  probs: Float64Array,
  tau: number,
  m: number,
  objective: Objective,
  u: Float64Array,
): Float64Array {
  const K = logits.length;
  const out = new Float64Array(K);
  estimateGradientGroups(name, 1, K, logits, probs, tau, m, objective, u, 0, out, 0, createGradientWorkspace(K, m));
  return out;
}

describe('analytic Jacobians agree with finite differences of the forward maps', () => {
  for (const [label, raw, tau] of SETUPS) {
    const K = raw.length;
    const { logits, probs } = normalise(raw);
    const objectives: [string, Objective][] = [
      ['quadratic', quadraticObjective(Array.from({ length: K }, (_, k) => (k % 3) / 2))],
      ['sine', sineObjective(K)],
    ];
    for (const [fname, objective] of objectives) {
      for (let trial = 0; trial < 3; trial++) {
        const tag = `${label}, ${fname} objective, draw ${trial}`;
        const rngFor = (j: number): PhiloxStream => new PhiloxStream(2024, 4 * trial + j);

        it(`gumbel-softmax: d/dtheta f(softmax((theta + G)/tau)) (${tag})`, () => {
          const u = new Float64Array(K);
          rngFor(0).fillUniform(u, 0, K);
          const G = Array.from(u, gumbel);
          const want = fdGradient(logits, (t) =>
            objective.f(
              softmaxT(
                t.map((v, k) => v + G[k]),
                tau,
              ),
            ),
          );
          expectClose(oneEstimate('gumbel-softmax', logits, probs, tau, 1, objective, u), want);
        });

        it(`straight-through: d/dtheta grad f(e_b) . softmax((theta + G)/tau), b frozen (${tag})`, () => {
          const u = new Float64Array(K);
          rngFor(1).fillUniform(u, 0, K);
          const G = Array.from(u, gumbel);
          const b = argmax(logits.map((v, k) => v + G[k]));
          const e = new Float64Array(K);
          e[b] = 1;
          const d = new Float64Array(K);
          objective.grad(e, d);
          const want = fdGradient(logits, (t) =>
            softmaxT(
              t.map((v, k) => v + G[k]),
              tau,
            ).reduce((a, z, k) => a + z * d[k], 0),
          );
          expectClose(oneEstimate('straight-through', logits, probs, tau, 1, objective, u), want);
        });

        it(`gumbel-rao: mean over m conditional draws of the straight-through product (${tag})`, () => {
          const m = 3;
          const u = new Float64Array(uniformsPerGroup('gumbel-rao', K, m));
          rngFor(2).fillUniform(u, 0, u.length);
          // b as Gumbel-max of the first K uniforms
          const b = argmax(logits.map((v, k) => v + gumbel(u[k])));
          const e = new Float64Array(K);
          e[b] = 1;
          const d = new Float64Array(K);
          objective.grad(e, d);
          const draws = Array.from({ length: m }, (_, r) =>
            conditionalForward(logits, b, u.subarray((r + 1) * K, (r + 2) * K)),
          );
          for (const x of draws) expect(argmax(x)).toBe(b);
          const want = fdGradient(logits, (t) => {
            let s = 0;
            for (const x of draws)
              s += softmaxT(
                x.map((v, k) => v + t[k] - logits[k]),
                tau,
              ).reduce((a, z, k) => a + z * d[k], 0);
            return s / m;
          });
          expectClose(oneEstimate('gumbel-rao', logits, probs, tau, m, objective, u), want);
        });

        it(`rebar: score term plus d/dtheta [f(sigma(theta + G)) - f(sigma(x~(theta)))] (${tag})`, () => {
          const u = new Float64Array(2 * K);
          rngFor(3).fillUniform(u, 0, 2 * K);
          const G = Array.from(u.subarray(0, K), gumbel);
          const v = u.subarray(K, 2 * K);
          const b = argmax(logits.map((x, k) => x + G[k]));
          const e = new Float64Array(K);
          e[b] = 1;
          const xt = conditionalForward(logits, b, v);
          const fc = objective.f(softmaxT(xt, tau));
          const score = Float64Array.from(probs, (p, k) => (objective.f(e) - fc) * ((k === b ? 1 : 0) - p));
          // x~ depends on theta through the normalised logits theta - LSE(theta) (b, v fixed)
          const path = fdGradient(logits, (t) => {
            const x = Float64Array.from(t, (val, k) => val + G[k]);
            return objective.f(softmaxT(x, tau)) - objective.f(softmaxT(conditionalForward(t, b, v), tau));
          });
          expectClose(
            oneEstimate('rebar', logits, probs, tau, 1, objective, u),
            score.map((s, k) => s + path[k]),
          );
        });
      }
    }

    it(`conditional draw: dx~_j/dtheta_i = w_j (delta_ij - pi_i) (${label})`, () => {
      const u = new Float64Array(K);
      new PhiloxStream(77, 0).fillUniform(u, 0, K);
      for (let b = 0; b < K; b++) {
        const xc = new Float64Array(K);
        const w = new Float64Array(K);
        conditionalPerturbedLogits(K, probs, 0, b, u, 0, xc, w);
        // the kernel's draw equals the truncated-Gumbel form at the normalised logits
        expectClose(xc, conditionalForward(logits, b, u));
        for (let j = 0; j < K; j++) {
          // normalised parameterisation: theta -> theta - LSE(theta), so x~_b is constant
          const col = fdGradient(logits, (t) => {
            const l = lse(t);
            return conditionalForward(
              t.map((x) => x - l),
              b,
              u,
            )[j];
          });
          expectClose(
            col,
            probs.map((p, i) => w[j] * ((i === j ? 1 : 0) - p)),
          );
        }
        expect(w[b]).toBe(0);
      }
    });
  }

  it('reinforce: the score e_b - pi is d/dtheta log softmax(theta)_b', () => {
    const { logits, probs } = normalise([0.5, -0.3, 0.2, 1]);
    const K = 4;
    const one: Objective = { K, f: () => 1, grad: (_z, out) => out.fill(0) };
    const u = new Float64Array(K);
    new PhiloxStream(3, 3).fillUniform(u, 0, K);
    const b = argmax(logits.map((v, k) => v - Math.log(-Math.log(u[k]))));
    const want = fdGradient(logits, (t) => t[b] - lse(t));
    expectClose(oneEstimate('reinforce', logits, probs, 1, 1, one, u), want);
  });
});
