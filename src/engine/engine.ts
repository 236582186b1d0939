/**
 * The Monte Carlo engine: moments, samples, log-densities and gradient-estimator studies of a
 * RelaxedOneHotCategorical, computed across worker threads. Jobs are cut into chunks whose size
 * does not depend on the thread count; each chunk draws from its own stream (seed, chunk index)
 * and sums merge exactly, so the same seed gives the same bits with 1, 2 or 8 threads, across
 * checkpoints and resumes, and across shards run on different machines.
 *
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { Tensor } from '../tensor/tensor.js';
import { checkShape, formatShape, numelOf } from '../tensor/shape.js';
import type { TensorLike } from '../tensor/create.js';
import { RelaxedOneHotCategorical } from '../distributions/relaxed-one-hot-categorical.js';
import type { SampleShape } from '../distributions/distribution.js';
import { WorkerPool } from './pool.js';
import { checkThreads } from './thread-limit.js';
import { type EngineContext, checkBudget, makeDescriptor } from './context.js';
import { knownKeys, nonNegativeInteger, optionsObject, positiveInteger } from './options.js';
import { runMoments } from './moments-job.js';
import { runLogProb, runSample } from './sample-job.js';
import { runLogProbChunks, runSampleChunks } from './stream-job.js';
import { runGradients } from './gradients-job.js';
import { DEFAULT_CHUNKS_PER_JOB, DEFAULT_WINDOW, QueueCoordinator } from '../queue/coordinator.js';
import { DEFAULT_QUEUE, parseRedisUrl, queueName } from '../queue/redis-connection.js';
import type {
  EngineOptions,
  GradientStudy,
  GradientsOptions,
  JobOptions,
  LogProbBlock,
  LogProbOptions,
  MomentsEstimate,
  MomentsOptions,
  SampleBlock,
  SampleChunksOptions,
  SampleOptions,
} from './types.js';
import { QueueError, RangeError, Rule, RuntimeError, TypeError } from '../errors.js';
import { SharedBufferCache } from './buffer-cache.js';

export type { Progress } from './scheduler.js';
export type { ChunkOrder } from './chunk-order.js';
export type * from './types.js';

/** Extra attempts for a chunk whose worker failed, unless the engine or the job says otherwise. */
export const DEFAULT_RETRIES = 2;
/** Most bytes of finished streams' buffers an engine keeps for the next stream (or maxBytes, if smaller). */
const KEPT_BUFFER_BYTES = 128 * 2 ** 20;

/**
 * Runs large sampling, log-density, moment and gradient-study jobs across a pool of worker threads.
 *
 * @example
 * ```ts
 * import { torch, Engine } from 'relaxed-mc';
 * const engine = new Engine({ threads: 2 });
 * const dist = new torch.distributions.RelaxedOneHotCategorical(0.5, { probs: torch.tensor([0.7, 0.2, 0.1]) });
 * const est = await engine.moments(dist, { samples: 1e6, seed: 42 });
 * console.log(est.mean.shape, est.samples); // [ 3 ] 1000000
 * await engine.close();
 * ```
 */
export class Engine {
  /** Worker threads. */
  readonly threads: number;
  private readonly pool: WorkerPool;
  private readonly ctx: EngineContext;
  private readonly remote: QueueCoordinator | null;
  private readonly seenThreads = new Set<number>();
  private closed = false;

  /** @param options - threads, memory budget, retries, worker module; or a Redis queue. */
  constructor(options: EngineOptions = {}) {
    const o = optionsObject(options, 'Engine options');
    knownKeys(
      o,
      [
        'threads',
        'maxBytes',
        'retries',
        'workerFile',
        'resourceLimits',
        'redis',
        'queue',
        'chunksPerJob',
        'queueWindow',
        'workerTimeout',
        'queueWaitingAfter',
      ],
      'Engine options',
    );
    if (o.redis === undefined) {
      for (const k of ['queue', 'chunksPerJob', 'queueWindow', 'workerTimeout', 'queueWaitingAfter']) {
        if (o[k] !== undefined)
          throw new TypeError(`${k} needs redis (the URL of the queue's Redis).`, {
            argument: k,
            rule: Rule.needsRedis,
          });
      }
    }
    this.remote = o.redis === undefined ? null : queueCoordinator(o);
    if (this.remote !== null && o.threads !== undefined)
      throw new TypeError(
        'threads must not be given with redis: a queue coordinator runs no threads of its own (its workers have --threads).',
        { argument: 'threads', rule: Rule.notWithRedis },
      );
    this.threads =
      this.remote !== null
        ? 0
        : o.threads === undefined
          ? availableParallelism()
          : checkThreads(positiveInteger(o.threads, 'threads'), 'threads');
    if (o.maxBytes !== undefined) {
      if (typeof o.maxBytes !== 'number')
        throw new TypeError(`maxBytes must be a number, but got ${typeof o.maxBytes}.`, {
          argument: 'maxBytes',
          rule: Rule.number,
        });
      if (!(o.maxBytes > 0))
        throw new RangeError(`maxBytes must be positive, but got ${o.maxBytes}.`, {
          argument: 'maxBytes',
          rule: Rule.positive,
        });
    }
    const maxBytes = o.maxBytes as number | undefined;
    const retries = o.retries === undefined ? DEFAULT_RETRIES : nonNegativeInteger(o.retries, 'retries');
    if (o.workerFile !== undefined && typeof o.workerFile !== 'string' && !(o.workerFile instanceof URL)) {
      throw new TypeError('workerFile must be a path or a file URL.', { argument: 'workerFile', rule: Rule.path });
    }
    this.pool = new WorkerPool({
      // With redis the chunks run in the queue's workers; one thread still runs the gradients
      // setup (the exact references and the pilot run on the coordinator).
      threads: Math.max(1, this.threads),
      workerFile: o.workerFile as string | URL | undefined,
      resourceLimits: o.resourceLimits as EngineOptions['resourceLimits'],
    });
    let nextJobId = 1;
    this.ctx = {
      pool: this.pool,
      buffers: new SharedBufferCache(Math.min(maxBytes ?? Infinity, KEPT_BUFFER_BYTES)),
      threads: this.threads,
      retries,
      remote: this.remote,
      noteThread: (id) => {
        // Chunks from a queue carry no local thread (-1).
        if (id >= 0) this.seenThreads.add(id);
      },
      checkBudget: (kind, bytes, what, advice) => checkBudget(maxBytes, kind, bytes, what, advice),
      describe: (own, B, K, seed, units, chunkUnits, x) =>
        makeDescriptor(nextJobId++, own, B, K, seed, units, chunkUnits, x),
    };
  }

  /** Tasks the worker threads have completed (start-up checks included). */
  get completedTasks(): number {
    return this.pool.completed;
  }

  /** Ids of the worker threads that have run chunks so far. */
  get threadIds(): number[] {
    return [...this.seenThreads].sort((a, b) => a - b);
  }

  /**
   * Estimates the mean, variance and (optionally) covariance of every batch element from
   * `samples` draws each, without keeping the draws: memory stays O(threads * K^2). With
   * `checkpoint` the job survives a kill; with `shard` it runs one part of the job.
   *
   * @param dist - the distribution.
   * @param options - samples, seed, covariance, checkpoint, shard, retries, progress and abort.
   * @returns the estimate with standard errors, and the job's state.
   */
  async moments(dist: RelaxedOneHotCategorical, options: MomentsOptions): Promise<MomentsEstimate> {
    this.checkOpen();
    checkDist(dist);
    return runMoments(this.ctx, dist, options);
  }

  /**
   * Draws `sample_shape` samples of every batch element into shared memory.
   *
   * @param dist - the distribution.
   * @param sample_shape - `[]`, a number or an array, as for `dist.sample`.
   * @param options - seed, logSpace, progress and abort; `out` (a tensor of the result's shape,
   *   best from {@link Engine.empty}) to write into instead of a new tensor. When the job fails
   *   or is aborted it rejects, and `out` holds unspecified values.
   * @returns a tensor `[...sample_shape, ...batch_shape, K]` over a SharedArrayBuffer, or `out`.
   * @throws TypeError / RangeError when `out` is not a Tensor or not of the result's shape.
   *
   * @example
   * ```ts
   * const buf = engine.empty([4096, 3]); // reused: no fresh pages per call
   * for (let i = 0; i < 10; i++) await engine.sample(dist, [4096], { seed: i, out: buf });
   * console.log(buf.shape); // [ 4096, 3 ]
   * ```
   */
  async sample(
    dist: RelaxedOneHotCategorical,
    sample_shape: SampleShape = [],
    options: SampleOptions = {},
  ): Promise<Tensor> {
    this.checkOpen();
    this.checkLocal('sample');
    checkDist(dist);
    return runSample(this.ctx, dist, sample_shape, options);
  }

  /**
   * `dist.log_prob(value)`, bit for bit, computed across the threads.
   *
   * @param dist - the distribution.
   * @param value - simplex values, last dimension K, broadcastable with the batch shape.
   * @param options - progress and abort; `out` to write into, as for {@link Engine.sample} (it must
   *   not share its storage with `value`); `logSpace`, the values are log-simplex points x and the
   *   density of exp(x) is computed from x (finite at any temperature).
   * @returns log-densities of shape `broadcast(value.shape[:-1], batch_shape)` over a SharedArrayBuffer, or `out`.
   */
  async logProb(dist: RelaxedOneHotCategorical, value: TensorLike, options: LogProbOptions = {}): Promise<Tensor> {
    this.checkOpen();
    this.checkLocal('logProb');
    checkDist(dist);
    return runLogProb(this.ctx, dist, value, { ...options, reuse: null });
  }

  /**
   * Draws `sample_shape` samples of every batch element block by block, for jobs larger than
   * memory: an async iterator of `{ offset, value, logProb }` in order, `value` a
   * `[rows, ...batch_shape, K]` view into a small ring of reused shared buffers (memory stays
   * O(ring x block) however many samples). **A block is valid until the next one is requested**
   * (and the last one until this engine starts another stream, which reuses the ring's mapped
   * buffers): copy what must outlive it. The blocks, concatenated, are `engine.sample`'s bits for the same
   * seed; leaving the loop early stops the job.
   *
   * @example
   * ```ts
   * let sum = 0;
   * for await (const { value } of engine.sampleChunks(dist, [1e9], { seed: 1 })) sum += value.data[0];
   * ```
   *
   * @param dist - the distribution.
   * @param sample_shape - as for {@link Engine.sample}; blocks run along its flattened leading dimensions.
   * @param options - seed, logSpace, rows (draws per block), logProb (also yield each sample's
   *   log-density, computed from the draw in log space), progress and abort.
   * @returns the blocks.
   */
  sampleChunks(
    dist: RelaxedOneHotCategorical,
    sample_shape: SampleShape = [],
    options: SampleChunksOptions = {},
  ): AsyncGenerator<SampleBlock, void, undefined> {
    this.checkOpen();
    checkDist(dist);
    return runSampleChunks(this.ctx, dist, sample_shape, options);
  }

  /**
   * `logProb` over a stream of value blocks (`[rows, ...batch_shape, K]` tensors, from a sync or
   * async iterable, e.g. `sampleChunks` or a file read in blocks): yields `{ offset, value }` in
   * order, bit for bit `logProb` of each block. Outputs alternate between two reused buffers: a
   * block's result is valid until the block after next is requested.
   *
   * @param dist - the distribution.
   * @param blocks - the value blocks.
   * @param options - logSpace, progress and abort (per block).
   * @returns the log-density blocks.
   */
  logProbChunks(
    dist: RelaxedOneHotCategorical,
    blocks: Iterable<TensorLike> | AsyncIterable<TensorLike>,
    options: JobOptions & { logSpace?: boolean } = {},
  ): AsyncGenerator<LogProbBlock, void, undefined> {
    this.checkOpen();
    checkDist(dist);
    return runLogProbChunks(this.ctx, dist, blocks, options);
  }

  /**
   * A variance-of-estimator study: single-sample gradient estimates of
   * d/d logits E[f(onehot(b))], b ~ Categorical(softmax(logits)), by each estimator, reported
   * against the exact gradients (mean, bias, variance, MSE, SNR with standard errors).
   *
   * @param dist - the distribution (its temperature is the estimators' temperature).
   * @param options - objective, estimators, samples, seed, groupSize, checkpoint, progress and abort.
   * @returns the study.
   */
  async gradients(dist: RelaxedOneHotCategorical, options: GradientsOptions): Promise<GradientStudy> {
    this.checkOpen();
    checkDist(dist);
    return runGradients(this.ctx, dist, options);
  }

  /**
   * A zero-filled tensor whose storage is a whole SharedArrayBuffer: the `out` of
   * {@link Engine.sample} and {@link Engine.logProb} that the workers write in place. Reused
   * across calls it spares each call the first-touch page faults of fresh memory, which cost
   * more than the draws themselves on some machines.
   *
   * @param shape - the sizes (non-negative integers).
   * @returns the tensor.
   * @throws TypeError / ValueError for a malformed shape; RangeError beyond the memory budget.
   *
   * @example
   * ```ts
   * const out = engine.empty([2, 3]);
   * console.log(out.data.buffer instanceof SharedArrayBuffer, out.shape); // true [ 2, 3 ]
   * ```
   */
  empty(shape: readonly number[]): Tensor {
    const s = checkShape(shape, 'shape');
    const bytes = numelOf(s) * 8;
    this.ctx.checkBudget('empty', bytes, `${formatShape(s)} x 8 bytes`);
    return new Tensor(new Float64Array(new SharedArrayBuffer(bytes)), s);
  }

  /** Stops the worker threads. The engine cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ctx.buffers.clear();
    await Promise.all([this.pool.reset(), this.remote?.close()]);
  }

  /** For `await using engine = new Engine()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private checkLocal(method: string): void {
    if (this.remote === null) return;
    throw new QueueError(
      `relaxed-mc: engine.${method} runs on this machine only: its output is an array as long as the job, not a sum that ` +
        'workers can send back through a queue. Use an Engine without redis for sample and logProb.',
      { argument: 'redis', rule: Rule.localOnly },
    );
  }

  private checkOpen(): void {
    if (this.closed)
      throw new RuntimeError('relaxed-mc: this Engine is closed; create a new one.', {
        argument: 'engine',
        rule: Rule.open,
      });
  }
}

/**
 * @param o - the Engine options.
 * @returns the queue coordinator that `redis` and `queue` ask for.
 */
function queueCoordinator(o: Record<string, unknown>): QueueCoordinator {
  const redis = parseRedisUrl(o.redis, 'redis');
  const queue = queueName(o.queue ?? DEFAULT_QUEUE, 'queue');
  const chunksPerJob =
    o.chunksPerJob === undefined ? DEFAULT_CHUNKS_PER_JOB : positiveInteger(o.chunksPerJob, 'chunksPerJob');
  const window = o.queueWindow === undefined ? DEFAULT_WINDOW : positiveInteger(o.queueWindow, 'queueWindow');
  let workerTimeoutMs: number | null = null;
  if (o.workerTimeout !== undefined) {
    if (typeof o.workerTimeout !== 'number' || !(o.workerTimeout > 0))
      throw new RangeError(
        `workerTimeout must be a positive number of milliseconds, but got ${String(o.workerTimeout)}.`,
        { argument: 'workerTimeout', rule: Rule.positive },
      );
    workerTimeoutMs = o.workerTimeout;
  }
  const waitingAfterMs =
    o.queueWaitingAfter === undefined ? undefined : positiveInteger(o.queueWaitingAfter, 'queueWaitingAfter');
  return new QueueCoordinator({ redis, queue, chunksPerJob, window, workerTimeoutMs, waitingAfterMs });
}

function checkDist(dist: unknown): asserts dist is RelaxedOneHotCategorical {
  if (!(dist instanceof RelaxedOneHotCategorical)) {
    throw new TypeError('dist must be a torch.distributions.RelaxedOneHotCategorical from this package.', {
      argument: 'dist',
      rule: Rule.distribution,
    });
  }
}
