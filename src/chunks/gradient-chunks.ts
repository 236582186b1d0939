/**
 * What a worker does with one chunk of a gradients job: for every batch element, draw the
 * chunk's uniforms, run the estimator on blocks of groups (`gradient-blocks.ts`), and add the
 * estimates to sums that merge exactly (like the moments' power sums).
 *
 * Sums per batch element b, at `b * (6K + 2)` (d = estimate - shift, per component k):
 * ```
 * [ S1 = sum d | S2 = sum d^2 | S3 = sum d^3 | S4 = sum d^4 | G1 = sum dg | G2 = sum dg^2 | Q1 | Q2 ]
 *   K            K              K              K              K            K              1    1
 * ```
 * where `dg` is a group's mean estimate minus the shift (groups are independent, estimates within
 * a reinforce-loo group are not, so standard errors of the mean come from G1, G2), and
 * `Q = sum_k d_k^2` per estimate, whose spread gives the standard error of the total variance.
 *
 * @packageDocumentation
 */
import { estimatesPerGroup, uniformsPerGroup } from '../kernels/gradient-estimators.js';
import type { Objective } from '../kernels/objectives.js';
import { estimateGroupBlocks } from './gradient-blocks.js';
import { type JobViews, chunkRange } from './chunk-runners.js';
import { type ChunkResult, type GradientsJob, gradientSumsPerElement } from './layout.js';

/** Uniforms per block: 32 KiB, so a block's uniforms and estimates stay in cache. */
const BLOCK_UNIFORMS = 4096;

/**
 * Runs one chunk of a gradients job.
 *
 * @param v - the job's views (`extra` holds the `B * K` shifts).
 * @param job - the job (`v.job`, as a gradients job).
 * @param chunk - chunk index (groups `[chunk * chunkUnits, ...)` of every batch element).
 * @param threadId - reported back.
 * @param objective - the job's objective, built in this thread.
 * @returns the chunk's sums, or a stopped result.
 */
export function gradientChunk(
  v: JobViews,
  job: GradientsJob,
  chunk: number,
  threadId: number,
  objective: Objective,
): ChunkResult {
  const { B, K, seed } = job;
  const g = job.gradient;
  const name = g.estimator;
  const U = uniformsPerGroup(name, K, g.m);
  const E = estimatesPerGroup(name, g.m);
  const [first, end] = chunkRange(job, chunk);
  const groups = end - first;
  const per = gradientSumsPerElement(K);
  const sums = new Float64Array(B * per);
  const groupsPerBlock = Math.max(1, Math.floor(BLOCK_UNIFORMS / U));
  const study = { name, B, K, m: g.m, logits: v.logits, temperature: v.temperature, objective };
  const done = estimateGroupBlocks(study, seed, g.streamBase + chunk, groups, groupsPerBlock, v.control, (out, n, b) =>
    accumulateEstimates(n, E, K, out, v.extra, b * K, sums, b * per),
  );
  if (!done) return { threadId, stopped: true, sums: null, invalidRow: -1, invalidReason: null };
  return { threadId, stopped: false, sums, invalidRow: -1, invalidReason: null };
}

/**
 * Adds `groups` groups of `E` estimates to the sums of one batch element (layout above).
 *
 * @param groups - groups.
 * @param E - estimates per group.
 * @param K - components.
 * @param est - `groups * E * K` estimates.
 * @param shift - shifts, K from `so`.
 * @param so - first shift.
 * @param sums - the sums, `6K + 2` from `o`.
 * @param o - first sum.
 */
export function accumulateEstimates(
  groups: number,
  E: number,
  K: number,
  est: Float64Array,
  shift: Float64Array,
  so: number,
  sums: Float64Array,
  o: number,
): void {
  const g1 = o + 4 * K;
  const g2 = o + 5 * K;
  const q = o + 6 * K;
  for (let i = 0; i < groups; i++) {
    for (let e = 0; e < E; e++) {
      const base = (i * E + e) * K;
      let Q = 0;
      for (let k = 0; k < K; k++) {
        const d = est[base + k] - shift[so + k];
        const d2 = d * d;
        sums[o + k] += d;
        sums[o + K + k] += d2;
        sums[o + 2 * K + k] += d2 * d;
        sums[o + 3 * K + k] += d2 * d2;
        Q += d2;
      }
      sums[q] += Q;
      sums[q + 1] += Q * Q;
    }
    for (let k = 0; k < K; k++) {
      let m = 0;
      for (let e = 0; e < E; e++) m += est[(i * E + e) * K + k];
      const dg = m / E - shift[so + k];
      sums[g1 + k] += dg;
      sums[g2 + k] += dg * dg;
    }
  }
}
