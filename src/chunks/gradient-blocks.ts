/**
 * The block loop every gradient estimate of the engine goes through: a chunk's estimates in the
 * workers, and each estimator's pilot in the setup of a gradients job. For each batch element
 * in turn, groups are estimated `groupsPerBlock` at a time from one uniform stream (a block's
 * uniforms and estimates stay in cache), so the same stream, group count and block size give the
 * same estimates whoever runs the loop.
 *
 * @packageDocumentation
 */
import {
  type EstimatorName,
  createGradientWorkspace,
  estimateGradientGroups,
  estimatesPerGroup,
  uniformsPerGroup,
} from '../kernels/gradient-estimators.js';
import type { Objective } from '../kernels/objectives.js';
import { softmaxInto } from '../kernels/softmax.js';
import { WasmUniforms } from '../kernels/wasm/kernels.js';
import { kStopFlag } from './layout.js';

/** What the estimates are of: an estimator on a batch of distributions, and the objective. */
export interface GradientBlockStudy {
  readonly name: EstimatorName;
  /** Batch elements. */
  readonly B: number;
  /** Categories. */
  readonly K: number;
  /** Group size. */
  readonly m: number;
  /** `B * K` logits. */
  readonly logits: Float64Array;
  /** `B` temperatures. */
  readonly temperature: Float64Array;
  readonly objective: Objective;
}

/**
 * Called once per block, with the block's estimates.
 *
 * @param est - `n * E * K` estimates (`E` per group; a view valid until the next block).
 * @param n - groups in the block.
 * @param b - the batch element they belong to.
 */
export type EstimateVisitor = (est: Float64Array, n: number, b: number) => void;

/**
 * Estimates `groups` groups of every batch element from stream `stream` of `seed`, block by block.
 * The uniforms are asked for in blocks of `groupsPerBlock * U` (the last block of each batch
 * element shorter), and a stream's values depend on that pattern: callers keep theirs fixed.
 *
 * @param study - the estimator, the distributions and the objective.
 * @param seed - the job's seed.
 * @param stream - the uniform stream.
 * @param groups - groups per batch element.
 * @param groupsPerBlock - groups per block.
 * @param control - the job's control flags, looked at before each block; null never stops.
 * @param visit - called after each block.
 * @returns false when the stop flag ended the loop early, else true.
 */
export function estimateGroupBlocks(
  study: GradientBlockStudy,
  seed: number,
  stream: number,
  groups: number,
  groupsPerBlock: number,
  control: Int32Array | null,
  visit: EstimateVisitor,
): boolean {
  const { name, B, K, m, objective } = study;
  const U = uniformsPerGroup(name, K, m);
  const E = estimatesPerGroup(name, m);
  const uniforms = new WasmUniforms(groupsPerBlock * U);
  uniforms.start(seed, stream);
  const out = new Float64Array(groupsPerBlock * E * K);
  const ws = createGradientWorkspace(K, m);
  const probs = new Float64Array(K);
  for (let b = 0; b < B; b++) {
    const logits = study.logits.subarray(b * K, (b + 1) * K);
    softmaxInto(logits, probs);
    for (let done = 0; done < groups;) {
      if (control !== null && Atomics.load(control, kStopFlag) !== 0) return false;
      const n = Math.min(groupsPerBlock, groups - done);
      const u = uniforms.fill(n * U);
      estimateGradientGroups(name, n, K, logits, probs, study.temperature[b], m, objective, u, 0, out, 0, ws);
      visit(out, n, b);
      done += n;
    }
  }
  return true;
}
