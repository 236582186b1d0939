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

/** The kinds of job a worker runs. */
export type JobKind = 'moments' | 'sample' | 'logProb' | 'gradients' | 'ping';

/** The objective of a gradients job, as data a worker can rebuild it from. */
export type ObjectiveDescriptor =
  | { readonly kind: 'linear'; readonly c: readonly number[] }
  | { readonly kind: 'quadratic'; readonly target: readonly number[] }
  | { readonly module: string };

/** What a gradients job adds to its descriptor. */
export interface GradientJob {
  readonly estimator: string;
  /** Group size m (reinforce-loo: estimates per group; gumbel-rao: conditional draws). */
  readonly m: number;
  readonly objective: ObjectiveDescriptor;
  /** Added to the chunk index to form the stream index, so estimators draw from disjoint streams. */
  readonly streamBase: number;
}

/** What every task carries to describe its job (structured-cloned; buffers are shared, not copied). */
export interface JobDescriptor {
  /** Unique per engine; workers cache their views of the buffers by it. */
  readonly id: number;
  readonly kind: Exclude<JobKind, 'ping'>;
  /** Control flags, see the diagram. */
  readonly control: SharedArrayBuffer;
  /** Parameters, see the diagram. */
  readonly params: SharedArrayBuffer;
  /** Categories. */
  readonly K: number;
  /** Batch elements (period of the rows). */
  readonly B: number;
  /** Seed of the job's random streams. */
  readonly seed: number;
  /** Units of work: draws (moments, sample) or result rows (logProb). */
  readonly units: number;
  /** Units per chunk (independent of the thread count). */
  readonly chunkUnits: number;
  /** moments: also accumulate cross sums. */
  readonly covariance: boolean;
  /** sample: write log-simplex values instead of simplex values. */
  readonly logSpace: boolean;
  /** logProb: check each value lies in the simplex (the distribution's validate_args). */
  readonly validate: boolean;
  /** logProb: `R * K` input values. */
  readonly values: SharedArrayBuffer | null;
  /** sample / logProb: the output. */
  readonly output: SharedArrayBuffer | null;
  /**
   * sample: the units `[first, end)` the output holds (one block of a streamed job: unit u is at
   * row `(u - first) * B` of the output), or null when it holds the whole job.
   */
  readonly window: readonly [number, number] | null;
  /**
   * sample: where the fused log-density of each row goes (indexed like the output's rows), or
   * null. The params' extra block then holds the `B` density constants.
   */
  readonly logProbOutput: SharedArrayBuffer | null;
  /** gradients: estimator, group size, objective. */
  readonly gradient: GradientJob | null;
}

/** One task: a chunk of a job, or a start-up check. */
export type Task =
  { readonly kind: 'ping' } | { readonly kind: 'chunk'; readonly job: JobDescriptor; readonly chunk: number };

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
