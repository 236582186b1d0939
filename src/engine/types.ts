/**
 * The engine's public option and result types.
 *
 * @packageDocumentation
 */
import type { Tensor } from '../tensor/tensor.js';
import type { ChunkOrder } from './chunk-order.js';
import type { ObjectiveDescriptor } from '../chunks/layout.js';
import type { Progress } from './scheduler.js';
import type { GradientsState, MomentsState } from './job-state.js';
import type { Shard } from './shards.js';

/** Options of the `Engine` constructor. */
export interface EngineOptions {
  /**
   * Worker threads (default `os.availableParallelism()`); at most 4 per core and what the memory
   * budget holds at 32 MiB a thread (`maxThreads()`), else a `RangeError` (rule `size-limit`) before any thread starts.
   */
  threads?: number;
  /** Largest output a job may allocate, in bytes (default: half the free memory at job start, at least 768 MiB). */
  maxBytes?: number;
  /**
   * Extra attempts for a chunk whose worker failed (default 2); chunks are deterministic, so a
   * retry gives the same bits. Chunks travel to the threads in groups of up to four: when a group
   * fails, each of its chunks first runs once alone, and only those attempts count.
   */
  retries?: number;
  /** A worker module to run instead of the built-in one (for fault-injection tests). */
  workerFile?: string | URL;
  /** V8 heap limits of each worker thread. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
  /**
   * A `redis://` or `rediss://` URL: `moments` and `gradients` then run their chunks through a BullMQ
   * queue on that Redis, taken by `relaxed-mc worker` processes anywhere, with the bits of a local
   * run; this engine starts no threads (`threads` must not be given). `sample` and `logProb` refuse.
   */
  redis?: string;
  /** Base name of the queue (default `relaxed-mc`); the stream version is appended to it. */
  queue?: string;
  /** With `redis`: consecutive chunks per queued job (default 32). */
  chunksPerJob?: number;
  /** With `redis`: queued jobs in Redis at a time (default 64). */
  queueWindow?: number;
  /** With `redis`: fail with a `QueueError` after this many milliseconds without a worker taking or finishing a chunk (default: wait). */
  workerTimeout?: number;
  /** With `redis`: milliseconds without a worker taking or finishing a chunk before progress reports `waitingForWorkers` (default 30 000). */
  queueWaitingAfter?: number;
}

/** Options shared by every job. */
export interface JobOptions {
  /** Called at least every second with `{ done, total, samplesPerSecond }`. */
  onProgress?: (p: Progress) => void;
  /** Stops the job; it then rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** Units per chunk (draws, rows for logProb, groups for gradients); the default depends only on the job's shape. */
  chunkSize?: number;
  /** Dispatch order of the chunks (default ascending); results never depend on it. */
  order?: ChunkOrder;
}

/** Options of jobs that can be checkpointed and sharded (moments, gradients). */
export interface LongJobOptions extends JobOptions {
  /** Path of a checkpoint: resumed from when it exists, written atomically every few seconds and at the end. */
  checkpoint?: string;
  /** Milliseconds between checkpoint writes (default 2000). */
  checkpointInterval?: number;
  /** Run only this fixed part of the chunks; the result's `state` can be merged with the other shards'. */
  shard?: Shard;
  /** Extra attempts for a failed chunk (default: the engine's, 2). */
  retries?: number;
}

/** Options of `Engine.moments`. */
export interface MomentsOptions extends LongJobOptions {
  /** Draws per batch element. */
  samples: number;
  /** Seed of the job's streams (default: a random one, reported in the result). */
  seed?: number;
  /**
   * Also estimate the covariance matrix (Monte Carlo). Unlike the exact covariance (refused
   * above `MAX_COVARIANCE_CATEGORIES` = 512 categories), it has no K limit of its own: it costs
   * `K^2 / 2` products per draw, `B * K^2` doubles per chunk in flight (3 per thread) and
   * `B * K (K + 1) / 2` exact sums of 70 bytes on this thread; a job whose total exceeds the
   * memory budget (`maxBytes`) is refused with a `RangeError` before any work (at K = 10^4,
   * 3.5 GB of sums alone; K = 2048 and one batch element need about 0.35 GB with 2 threads).
   */
  covariance?: boolean;
}

/** Options of `Engine.sample`. */
export interface SampleOptions extends JobOptions {
  /** Seed of the job's streams (default: a random one). */
  seed?: number;
  /** Return log-simplex values `x` (with `exp(x)` the sample) instead of simplex values. */
  logSpace?: boolean;
  /**
   * Write the draws into this tensor (of exactly the result's shape) and return it. A tensor from
   * `engine.empty` is written in place, so a buffer reused across calls costs no fresh pages; any
   * other tensor costs a copy at the end.
   */
  out?: Tensor;
}

/** Options of `engine.sampleChunks`. */
export interface SampleChunksOptions extends JobOptions {
  /** Seed of the job's streams (default: a random one); the same seed gives `engine.sample`'s bits. */
  seed?: number;
  /** Blocks of log-simplex values `x` instead of simplex values. */
  logSpace?: boolean;
  /** Draws per block (default: one chunk per thread, a few MiB). */
  rows?: number;
  /** The first draw to produce (default 0): blocks start there, e.g. to resume a stream. */
  start?: number;
  /** Also yield each sample's log-density, computed in log space from the draw (finite at any temperature). */
  logProb?: boolean;
}

/** One block of `engine.sampleChunks`. */
export interface SampleBlock {
  /** Index of the block's first draw along the flattened sample dimensions. */
  offset: number;
  /**
   * `[rows, ...batch_shape, K]`, a view into a buffer the engine reuses: valid until the next
   * block is requested, the last block until the engine's next stream starts (copy what must
   * outlive it).
   */
  value: Tensor;
  /** `[rows, ...batch_shape]` fused log-densities when `logProb` was asked (same validity), else null. */
  logProb: Tensor | null;
}

/** Options of `Engine.logProb`. */
export interface LogProbOptions extends JobOptions {
  /**
   * Write the log-densities into this tensor (of exactly the result's shape) and return it; as
   * for {@link SampleOptions.out}, a tensor from `engine.empty` is written in place.
   */
  out?: Tensor;
  /** The values are log-simplex points x (as `sample` with `logSpace` gives): the density of exp(x), from x. */
  logSpace?: boolean;
}

/** One block of `engine.logProbChunks`. */
export interface LogProbBlock {
  /** Index of the block's first row along the values' leading dimension. */
  offset: number;
  /** The block's log-densities, valid until the block after next is requested. */
  value: Tensor;
}

/**
 * What a call computed, as opposed to what it read back: a resumed job loads the chunks its
 * checkpoint holds, a finished checkpoint or a merge of shards loads them all.
 */
export interface WorkDone {
  /** Units computed by this call: draws per batch element (moments), estimates per batch element summed over the estimators (gradients). */
  samples: number;
  /** Units of the result read from a checkpoint or from partial results instead. */
  loadedSamples: number;
  /** Worker threads that computed them (0 when nothing was computed). */
  threads: number;
  /** Wall time of the computation (0 when nothing was computed). */
  elapsedMs: number;
}

/** A Monte Carlo estimate of the moments. */
export interface MomentsEstimate {
  /** Sample mean, `[...batch_shape, K]`. */
  mean: Tensor;
  /** Unbiased sample variance (divisor N - 1), `[...batch_shape, K]`. */
  variance: Tensor;
  /** Standard error of the mean, `sqrt(variance / N)`. */
  stderr: Tensor;
  /** Standard error of the variance estimate (from the fourth central moment). */
  varianceStderr: Tensor;
  /** Unbiased sample covariance, `[...batch_shape, K, K]`, when asked for. */
  covariance?: Tensor;
  /** Draws per batch element (of this shard, for a shard). */
  samples: number;
  /** The seed used. */
  seed: number;
  /** Draws per chunk. */
  chunkSize: number;
  /** Number of chunks of the whole job. */
  chunks: number;
  /** Worker threads of the engine. */
  threads: number;
  /** Wall time of the job. */
  elapsedMs: number;
  /** Definition of the random streams (changes when the streams change). */
  generator: string;
  /** The job's exact state: what a checkpoint holds; for a shard, the partial result to merge. */
  state: MomentsState;
  /** What this call drew itself, and what it loaded. */
  work: WorkDone;
}

/** Options of `Engine.gradients`. */
export interface GradientsOptions extends LongJobOptions {
  /** `{ kind: 'linear', c }`, `{ kind: 'quadratic', target }` (K numbers each) or `{ module }` (absolute path or file URL). */
  objective:
    { kind: 'linear'; c: readonly number[] } | { kind: 'quadratic'; target: readonly number[] } | { module: string };
  /** Estimator names, or 'all' (the default). */
  estimators?: readonly string[] | 'all';
  /** Single-sample gradient estimates per estimator and batch element. */
  samples: number;
  /** Seed of the job's streams (default: a random one). */
  seed?: number;
  /** m: reinforce-loo's group size and gumbel-rao's conditional draws (default 4). */
  groupSize?: number;
  /**
   * Progress of the job's setup, before its first chunk: the exact gradients and each
   * estimator's pilot, one step per batch element each (`B * (1 + estimators)` steps), reported
   * about every 250 ms while it runs in a worker thread. `onProgress` covers the chunks.
   */
  onSetupProgress?: (p: Progress) => void;
}

/** Per-component report of one estimator: Tensors `[...batch_shape, K]`, totals `[...batch_shape]`. */
export interface EstimatorReport {
  mean: Tensor;
  /** Standard error of the mean (from independent groups). */
  stderr: Tensor;
  /** mean - exact gradient of the discrete objective (its standard error is `stderr`). */
  bias: Tensor;
  /** Variance of a single-sample estimate (unbiased). */
  variance: Tensor;
  varianceStderr: Tensor;
  /** Single-sample mean squared error against the exact gradient: variance + bias^2. */
  mse: Tensor;
  mseStderr: Tensor;
  /** |mean| / sqrt(variance). */
  snr: Tensor;
  snrStderr: Tensor;
  /** Euclidean and summed versions of the above over the K components. */
  totals: {
    biasNorm: Tensor;
    biasNormStderr: Tensor;
    variance: Tensor;
    varianceStderr: Tensor;
    mse: Tensor;
    mseStderr: Tensor;
    snr: Tensor;
    snrStderr: Tensor;
  };
  /** Single-sample estimates per batch element (of this shard, for a shard). */
  samples: number;
  /** Independent groups they came in. */
  groups: number;
}

/** The result of `Engine.gradients`. */
export interface GradientStudy {
  /** Exact gradients: of the discrete objective, and of the relaxed objective E f(z) (built-in objectives). */
  exact: { discrete: Tensor; relaxed: Tensor | null };
  estimators: Record<string, EstimatorReport>;
  objective: ObjectiveDescriptor;
  groupSize: number;
  seed: number;
  threads: number;
  elapsedMs: number;
  generator: string;
  /** The job's exact state (checkpoint contents; a shard's partial result). */
  state: GradientsState;
  /** What this call computed itself, and what it loaded. */
  work: WorkDone;
}
