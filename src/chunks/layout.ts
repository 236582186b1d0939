/**
 * The shared-memory layout of an engine job, in one place.
 *
 * Every job has two SharedArrayBuffers the coordinator fills before the first task and the
 * workers only read (apart from the output):
 *
 * ```
 * control: Int32Array
 * +-------------+
 * | kStopFlag   |  0 = run, 1 = stop: set by the coordinator on abort or on a failed chunk;
 * +-------------+  workers poll it between blocks and return early (the result is discarded).
 *
 * params: Float64Array, B = batch elements (the period of the rows), K = categories
 * +------------------------+------------------+------------------------------+
 * | logits  [B * K]        | temperature [B]  | extra                        |
 * +------------------------+------------------+------------------------------+
 *   kLogitsOffset = 0        B * K              B * K + B
 *   extra: moments   -> shift [B * K] (the per-component shift of the power sums)
 *          logProb   -> constants [B]  (lgamma(K) + (K - 1) log tau + sum l, per element)
 *          gradients -> shift [B * K] (of the gradient estimates)
 *          sample with a fused log-density -> constants [B], as logProb
 * ```
 *
 * Job data that is large lives in its own SharedArrayBuffer: `output` (sample: `N * B * K`,
 * logProb: `R`) and `values` (logProb input, `R * K`). A row of a job is one (draw, batch
 * element) pair, draws outermost, so row r belongs to batch element `r % B`.
 *
 * @packageDocumentation
 */

/** Index of the stop flag in the control Int32Array. */
export const kStopFlag = 0;
/** Length of the control Int32Array. */
export const kControlLength = 1;
/** Start of the logits in the params Float64Array. */
export const kLogitsOffset = 0;

/**
 * @param B - batch elements.
 * @param K - categories.
 * @returns offset of the temperatures in the params array.
 */
export function temperatureOffset(B: number, K: number): number {
  return B * K;
}

/**
 * @param B - batch elements.
 * @param K - categories.
 * @returns offset of the job-specific extra block in the params array.
 */
export function extraOffset(B: number, K: number): number {
  return B * K + B;
}

// The descriptors themselves are data with one schema per kind, in `src/jobs/task-schema.ts`.
export type {
  GradientJob,
  GradientsJob,
  JobDescriptor,
  JobKind,
  LogProbJob,
  MomentsJob,
  ObjectiveDescriptor,
  SampleJob,
  Task,
} from '../jobs/index.js';

/** Doubles of a gradients chunk's sums per batch element (see `gradient-chunks.ts`). */
export function gradientSumsPerElement(K: number): number {
  return 6 * K + 2;
}

/** What a worker returns for one chunk. */
export interface ChunkResult {
  /** The worker thread that ran it (evidence that work really ran in threads). */
  readonly threadId: number;
  /** True when the chunk stopped early because of the stop flag (its result is discarded). */
  readonly stopped: boolean;
  /** moments: `B * 4K` power sums, then `B * K * K` cross sums when asked; gradients: see `gradient-chunks.ts`. */
  readonly sums: Float64Array | null;
  /** logProb with validation: first row of the chunk off the support (-1 if none), and why. */
  readonly invalidRow: number;
  readonly invalidReason: 'simplex' | 'zero' | null;
}
