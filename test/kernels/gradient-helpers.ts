/**
 * Test-only driver for the gradient kernels: runs an estimator in-process on Philox uniforms,
 * block by block, and accumulates the statistics the tests need (means, per-component
 * variances, standard errors, the total variance and their standard errors).
 *
 * Standard errors come from group means (a `reinforce-loo` group's m estimates are
 * correlated; for the other estimators a group is one estimate). Power sums are taken about a
 * shift (the first block's mean) so the variances do not cancel catastrophically.
 */
import { PhiloxStream } from '../helpers/philox-uniforms.js';
import {
  type EstimatorName,
  createGradientWorkspace,
  estimateGradientGroups,
  estimatesPerGroup,
  uniformsPerGroup,
} from '../../src/kernels/gradient-estimators.js';
import type { Objective } from '../../src/kernels/objectives.js';

/** Normalised logits (LSE = 0) and their softmax. */
export function normalise(raw: ArrayLike<number>): { logits: Float64Array; probs: Float64Array } {
  let top = -Infinity;
  for (let k = 0; k < raw.length; k++) top = Math.max(top, raw[k]);
  let s = 0;
  for (let k = 0; k < raw.length; k++) s += Math.exp(raw[k] - top);
  const lse = top + Math.log(s);
  const logits = Float64Array.from(raw, (x) => x - lse);
  return { logits, probs: logits.map(Math.exp) };
}

/** Statistics of the group means of an estimator (per component, K each). */
export interface GradientStats {
  /** The number of groups. */
  n: number;
  mean: Float64Array;
  /** Unbiased variance of a group mean (one estimate, except for reinforce-loo). */
  variance: Float64Array;
  /** Standard error of `mean`. */
  se: Float64Array;
  /** Standard error of `variance` (from the fourth central moment). */
  varianceSe: Float64Array;
  /** Sum of the per-component variances. */
  totalVariance: number;
  /** Its standard error (from the variance of the squared deviation norms). */
  totalVarianceSe: number;
}

/** Options of {@link runEstimator}. */
export interface RunOptions {
  name: EstimatorName;
  logits: Float64Array;
  probs: Float64Array;
  tau: number;
  m: number;
  objective: Objective;
  groups: number;
  seed: number;
  stream?: number;
}

const BLOCK_GROUPS = 4096;

/**
 * Runs `groups` groups of an estimator and returns the statistics of the group means.
 *
 * @param o - what to run.
 * @returns the statistics.
 */
export function runEstimator(o: RunOptions): GradientStats {
  const K = o.logits.length;
  const U = uniformsPerGroup(o.name, K, o.m);
  const E = estimatesPerGroup(o.name, o.m);
  const u = new Float64Array(BLOCK_GROUPS * U);
  const out = new Float64Array(BLOCK_GROUPS * E * K);
  const ws = createGradientWorkspace(K, Math.max(1, o.m));
  const rng = new PhiloxStream(o.seed, o.stream ?? 0);
  const shift = new Float64Array(K);
  const s1 = new Float64Array(K);
  const s2 = new Float64Array(K);
  const s3 = new Float64Array(K);
  const s4 = new Float64Array(K);
  let q1 = 0;
  let q2 = 0;
  const gm = new Float64Array(K);
  let done = 0;
  let first = true;
  while (done < o.groups) {
    const n = Math.min(BLOCK_GROUPS, o.groups - done);
    rng.fillUniform(u, 0, n * U);
    estimateGradientGroups(o.name, n, K, o.logits, o.probs, o.tau, o.m, o.objective, u, 0, out, 0, ws);
    if (first) {
      // Shift = this block's mean: close to the true mean, so the power sums are well conditioned.
      for (let i = 0; i < n * E; i++) for (let k = 0; k < K; k++) shift[k] += out[i * K + k] / (n * E);
      first = false;
    }
    for (let i = 0; i < n; i++) {
      let norm2 = 0;
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let e = 0; e < E; e++) s += out[(i * E + e) * K + k];
        gm[k] = s / E - shift[k];
        const d = gm[k];
        const d2 = d * d;
        s1[k] += d;
        s2[k] += d2;
        s3[k] += d2 * d;
        s4[k] += d2 * d2;
        norm2 += d2;
      }
      q1 += norm2;
      q2 += norm2 * norm2;
    }
    done += n;
  }
  const N = o.groups;
  const mean = new Float64Array(K);
  const variance = new Float64Array(K);
  const se = new Float64Array(K);
  const varianceSe = new Float64Array(K);
  let totalVariance = 0;
  for (let k = 0; k < K; k++) {
    const a = s1[k] / N;
    mean[k] = shift[k] + a;
    const m2 = s2[k] / N - a * a;
    const m4 = s4[k] / N - 4 * a * (s3[k] / N) + 6 * a * a * (s2[k] / N) - 3 * a ** 4;
    variance[k] = (m2 * N) / (N - 1);
    se[k] = Math.sqrt(variance[k] / N);
    varianceSe[k] = Math.sqrt(Math.max(0, m4 - m2 * m2) / N);
    totalVariance += variance[k];
  }
  // Total variance = E|g - mu|^2; its SE from the spread of |g - shift|^2 (shift is within a
  // block's standard error of mu, which changes this spread negligibly).
  const qm = q1 / N;
  const totalVarianceSe = Math.sqrt(Math.max(0, q2 / N - qm * qm) / N);
  return { n: N, mean, variance, se, varianceSe, totalVariance, totalVarianceSe };
}

/** Euclidean norm. */
export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * v[k];
  return Math.sqrt(s);
}

/** Largest `|a_k - b_k| / se_k` (a z-score per component). */
export function maxZ(a: ArrayLike<number>, b: ArrayLike<number>, se: ArrayLike<number>): number {
  let z = 0;
  for (let k = 0; k < a.length; k++) z = Math.max(z, Math.abs(a[k] - b[k]) / se[k]);
  return z;
}
