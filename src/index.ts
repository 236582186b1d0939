/**
 * relaxed-mc: the Relaxed One-Hot Categorical (Concrete / Gumbel-Softmax) distribution on
 * Node.js: a torch-like API and a worker-pool Monte Carlo engine.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * const roc = new torch.distributions.RelaxedOneHotCategorical(0.5, { probs: torch.tensor([0.25, 0.25, 0.25, 0.25]) });
 * console.log(roc.rsample().shape); // [ 4 ]
 * ```
 *
 * @packageDocumentation
 */
export * as torch from './torch.js';
export { ValueError, TypeError, RangeError, RuntimeError, NotImplementedError, AbortError } from './errors.js';
export { ChunkError, WorkerLoadError, StateFileError, QueueError, ObjectiveError, InternalError } from './errors.js';
export { ERROR_CLASSES, Rule, isCodedError, toErrorData, fromErrorData, isErrorData } from './errors.js';
export type { ErrorCode, ErrorData, ErrorDetails, CodedError, RuleName } from './errors.js';
export { Engine } from './engine/engine.js';
export { maxThreads } from './engine/thread-limit.js';
export { ESTIMATORS, UNBIASED_ESTIMATORS, minimumM } from './kernels/gradient-estimators.js';
export type { EstimatorName } from './kernels/gradient-estimators.js';
export { DEFAULT_GROUP_SIZE } from './engine/gradient-study.js';
export { EXACT_MOMENT_ACCURACY, MAX_COVARIANCE_CATEGORIES } from './kernels/exact/exact-moments.js';
export { computeExactRows } from './engine/exact-job.js';
export { mergeStateFiles, mergeStates, resultOfState } from './engine/merge.js';
export { distributionFromParams } from './engine/dist-params.js';
export { readStateFile, writeStateFile } from './engine/state-file.js';
export { startQueueWorker } from './queue/queue-worker.js';
export { AllowedModules } from './queue/allowed-modules.js';
export { DEFAULT_QUEUE, STREAM_TAG, parseRedisUrl, queueName } from './queue/redis-connection.js';
export type { QueueWorker, QueueWorkerOptions } from './queue/queue-worker.js';
export type { RedisUrl } from './queue/redis-connection.js';
export { ENGINE_STREAM_VERSION } from './rng/chunk-stream.js';
export type {
  EngineOptions,
  JobOptions,
  LongJobOptions,
  MomentsOptions,
  SampleOptions,
  LogProbOptions,
  MomentsEstimate,
  ChunkOrder,
  Progress,
  GradientsOptions,
  GradientStudy,
  WorkDone,
  EstimatorReport,
} from './engine/engine.js';
export type { JobState, MomentsState, GradientsState, JobParams, PartState } from './engine/job-state.js';
export type { Shard } from './engine/shards.js';
export type { MergedResult, NamedState } from './engine/merge.js';
