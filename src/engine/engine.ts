/**
 * The Monte Carlo engine: moments, samples and log-densities of a RelaxedOneHotCategorical,
 * computed across worker threads. Jobs are cut into chunks whose size does not depend on the
 * thread count; each chunk draws from its own stream (seed, chunk index) and moments merge
 * exactly, so the same seed gives the same bits with 1, 2 or 64 threads.
 *
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { randomInt } from 'node:crypto';
import { AbortError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor, type TensorLike } from '../tensor/create.js';
import { numelOf } from '../tensor/shape.js';
import { RelaxedOneHotCategorical, offSimplexError, zeroEntryError } from '../distributions/relaxed-one-hot-categorical.js';
import { normalizeSampleShape, type SampleShape } from '../distributions/distribution.js';
import { planLogProb } from '../distributions/log-prob-plan.js';
import { ENGINE_STREAM_VERSION } from '../rng/chunk-stream.js';
import { WorkerPool } from './pool.js';
import { runChunks, type Progress } from './scheduler.js';
import { MomentSums } from './moment-sums.js';
import { pilotShift } from './pilot.js';
import { memoryBudget } from './budget.js';
import { type ChunkOrder, chunkSequence } from './chunk-order.js';
import { type GradientJob, type JobDescriptor, gradientSumsPerElement, kControlLength, extraOffset, temperatureOffset } from './layout.js';
import { ExactVector } from './exact-vector.js';
import { estimatesPerGroup, uniformsPerGroup } from '../kernels/gradient-estimators.js';
import { summarizeEstimates } from '../stats/gradient-report.js';
import {
  exactGradients, gradientPilotShift, parseEstimators, parseGroupSize, parseObjective, preflightObjective, streamBaseOf,
} from './gradient-study.js';
import type { ObjectiveDescriptor } from './layout.js';
import {
  formatBytes, knownKeys, nonNegativeInteger, optionalBoolean, optionalFunction, optionalSignal, optionsObject, positiveInteger,
} from './options.js';

export type { Progress } from './scheduler.js';

/** Options of the {@link Engine} constructor. */
export interface EngineOptions {
  /** Worker threads (default `os.availableParallelism()`). */
  threads?: number;
  /** Largest output a job may allocate, in bytes (default: half the free memory at job start, at least 768 MiB). */
  maxBytes?: number;
  /** A worker module to run instead of the built-in one (for fault-injection tests). */
  workerFile?: string | URL;
  /** V8 heap limits of each worker thread. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
}

export type { ChunkOrder } from './chunk-order.js';

/** Options shared by every job. */
export interface JobOptions {
  /** Called at least every second with `{ done, total, samplesPerSecond }`. */
  onProgress?: (p: Progress) => void;
  /** Stops the job; it then rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** Units per chunk (draws, or rows for logProb); the default depends only on the job's shape. */
  chunkSize?: number;
  /** Dispatch order of the chunks (default ascending). */
  order?: ChunkOrder;
}

/** Options of {@link Engine.moments}. */
export interface MomentsOptions extends JobOptions {
  /** Draws per batch element. */
  samples: number;
  /** Seed of the job's streams (default: a random one, reported in the result). */
  seed?: number;
  /** Also estimate the covariance matrix. */
  covariance?: boolean;
}

/** Options of {@link Engine.sample}. */
export interface SampleOptions extends JobOptions {
  /** Seed of the job's streams (default: a random one). */
  seed?: number;
  /** Return log-simplex values `x` (with `exp(x)` the sample) instead of simplex values. */
  logSpace?: boolean;
}

/** Options of {@link Engine.gradients}. */
export interface GradientsOptions extends JobOptions {
  /** `{ kind: 'linear', c }`, `{ kind: 'quadratic', target }` (K numbers each) or `{ module }` (absolute path or file URL). */
  objective: { kind: 'linear'; c: readonly number[] } | { kind: 'quadratic'; target: readonly number[] } | { module: string };
  /** Estimator names, or 'all' (the default). */
  estimators?: readonly string[] | 'all';
  /** Single-sample gradient estimates per estimator and batch element. */
  samples: number;
  /** Seed of the job's streams (default: a random one). */
  seed?: number;
  /** m: reinforce-loo's group size and gumbel-rao's conditional draws (default 4). */
  groupSize?: number;
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
  /** Single-sample estimates per batch element. */
  samples: number;
  /** Independent groups they came in. */
  groups: number;
}

/** The result of {@link Engine.gradients}. */
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
  /** Draws per batch element. */
  samples: number;
  /** The seed used. */
  seed: number;
  /** Draws per chunk. */
  chunkSize: number;
  /** Number of chunks. */
  chunks: number;
  /** Worker threads of the engine. */
  threads: number;
  /** Wall time of the job. */
  elapsedMs: number;
  /** Definition of the random streams (changes when the streams change). */
  generator: string;
}

/** Elements a chunk aims at: large enough to amortise a task round trip, small enough for prompt progress. */
const TARGET_CHUNK_ELEMENTS = 2 ** 20;
/** Fewest draws in a moments chunk, so the exact merge (4 sums per component) stays cheap beside the sampling. */
const MIN_MOMENT_DRAWS = 256;

/**
 * Runs large sampling, log-density and moment jobs across a pool of worker threads.
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
  private readonly maxBytes: number | undefined;
  private readonly seenThreads = new Set<number>();
  private nextJobId = 1;
  private closed = false;

  /** @param options - threads, memory budget, worker module. */
  constructor(options: EngineOptions = {}) {
    const o = optionsObject(options, 'Engine options');
    knownKeys(o, ['threads', 'maxBytes', 'workerFile', 'resourceLimits'], 'Engine options');
    this.threads = o.threads === undefined ? availableParallelism() : positiveInteger(o.threads, 'threads');
    if (o.maxBytes !== undefined) {
      if (typeof o.maxBytes !== 'number') throw new TypeError(`maxBytes must be a number, but got ${typeof o.maxBytes}.`);
      if (!(o.maxBytes > 0)) throw new RangeError(`maxBytes must be positive, but got ${o.maxBytes}.`);
    }
    this.maxBytes = o.maxBytes as number | undefined;
    if (o.workerFile !== undefined && typeof o.workerFile !== 'string' && !(o.workerFile instanceof URL)) {
      throw new TypeError('workerFile must be a path or a file URL.');
    }
    this.pool = new WorkerPool({
      threads: this.threads,
      workerFile: o.workerFile as string | URL | undefined,
      resourceLimits: o.resourceLimits as EngineOptions['resourceLimits'],
    });
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
   * `samples` draws each, without keeping the draws: memory stays O(threads * K^2).
   *
   * @param dist - the distribution.
   * @param options - samples, seed, covariance, progress and abort.
   * @returns the estimate with standard errors.
   */
  async moments(dist: RelaxedOneHotCategorical, options: MomentsOptions): Promise<MomentsEstimate> {
    const t0 = performance.now();
    this.checkOpen();
    checkDist(dist);
    const o = optionsObject(options, 'moments options');
    knownKeys(o, ['samples', 'seed', 'covariance', 'onProgress', 'signal', 'chunkSize', 'order'], 'moments options');
    if (o.samples === undefined) throw new TypeError('moments options: samples is required (draws per batch element).');
    const N = positiveInteger(o.samples, 'samples');
    const seed = o.seed === undefined ? randomSeed() : nonNegativeInteger(o.seed, 'seed');
    const covariance = optionalBoolean(o.covariance, 'covariance', false);
    const common = jobOptions(o);
    const p = dist._params;
    const B = p.rowTemperature.length;
    const K = p.K;
    const chunkUnits = common.chunkSize ?? Math.max(MIN_MOMENT_DRAWS, pow2Floor(TARGET_CHUNK_ELEMENTS / (B * K)));
    const chunks = Math.ceil(N / chunkUnits);

    const shift = pilotShift(seed, B, K, p.rowLogits, p.rowTemperature);
    const job = this.describe('moments', B, K, seed, N, chunkUnits, { covariance, extra: shift, logits: p.rowLogits, temperature: p.rowTemperature });
    const sums = new MomentSums(B, K, covariance);
    await this.pool.start();
    await runChunks({
      pool: this.pool,
      job,
      chunks: chunkSequence(chunks, common.order),
      onResult: (chunk, r) => {
        this.seenThreads.add(r.threadId);
        sums.addChunk(r.sums as Float64Array, Math.min(N, (chunk + 1) * chunkUnits) - chunk * chunkUnits);
      },
      onProgress: common.onProgress,
      signal: common.signal,
    });
    const e = sums.estimate(shift);
    const shape = [...p.batchShape, K];
    const est: MomentsEstimate = {
      mean: new Tensor(e.mean, shape),
      variance: new Tensor(e.variance, shape),
      stderr: new Tensor(e.stderr, shape),
      varianceStderr: new Tensor(e.varianceStderr, shape),
      samples: N,
      seed,
      chunkSize: chunkUnits,
      chunks,
      threads: this.threads,
      elapsedMs: performance.now() - t0,
      generator: ENGINE_STREAM_VERSION,
    };
    if (e.covariance !== null) est.covariance = new Tensor(e.covariance, [...shape, K]);
    return est;
  }

  /**
   * Draws `sample_shape` samples of every batch element into shared memory.
   *
   * @param dist - the distribution.
   * @param sample_shape - `[]`, a number or an array, as for `dist.sample`.
   * @param options - seed, logSpace, progress and abort.
   * @returns a tensor `[...sample_shape, ...batch_shape, K]` over a SharedArrayBuffer.
   */
  async sample(dist: RelaxedOneHotCategorical, sample_shape: SampleShape = [], options: SampleOptions = {}): Promise<Tensor> {
    this.checkOpen();
    checkDist(dist);
    const shapeN = normalizeSampleShape(sample_shape);
    const o = optionsObject(options, 'sample options');
    knownKeys(o, ['seed', 'logSpace', 'onProgress', 'signal', 'chunkSize', 'order'], 'sample options');
    const seed = o.seed === undefined ? randomSeed() : nonNegativeInteger(o.seed, 'seed');
    const logSpace = optionalBoolean(o.logSpace, 'logSpace', false);
    const common = jobOptions(o);
    const p = dist._params;
    const B = p.rowTemperature.length;
    const K = p.K;
    const N = numelOf(shapeN);
    const shape = [...shapeN, ...p.batchShape, K];
    const bytes = N * B * K * 8;
    this.checkBudget('sample', bytes, `${N} draws x ${B} batch elements x ${K} categories x 8 bytes`);
    const out = new SharedArrayBuffer(bytes);
    if (bytes === 0) return new Tensor(new Float64Array(out), shape);
    const chunkUnits = common.chunkSize ?? Math.max(1, pow2Floor(TARGET_CHUNK_ELEMENTS / (B * K)));
    const job = this.describe('sample', B, K, seed, N, chunkUnits, { logSpace, output: out, logits: p.rowLogits, temperature: p.rowTemperature });
    await this.pool.start();
    await runChunks({
      pool: this.pool,
      job,
      chunks: chunkSequence(Math.ceil(N / chunkUnits), common.order),
      onResult: (_c, r) => this.seenThreads.add(r.threadId),
      onProgress: common.onProgress,
      signal: common.signal,
    });
    return new Tensor(new Float64Array(out), shape);
  }

  /**
   * `dist.log_prob(value)`, bit for bit, computed across the threads.
   *
   * @param dist - the distribution.
   * @param value - simplex values, last dimension K, broadcastable with the batch shape.
   * @param options - progress and abort.
   * @returns log-densities of shape `broadcast(value.shape[:-1], batch_shape)` over a SharedArrayBuffer.
   */
  async logProb(dist: RelaxedOneHotCategorical, value: TensorLike, options: JobOptions = {}): Promise<Tensor> {
    this.checkOpen();
    checkDist(dist);
    const o = optionsObject(options, 'logProb options');
    knownKeys(o, ['onProgress', 'signal', 'chunkSize', 'order'], 'logProb options');
    const common = jobOptions(o);
    const v = value instanceof Tensor ? value : tensor(value, 'value');
    const plan = planLogProb(v, dist._params);
    const K = dist._params.K;
    const zeroCopy = plan.values === v.data && v.data.buffer instanceof SharedArrayBuffer && v.data.byteOffset === 0 && v.data.buffer.byteLength === v.data.byteLength;
    const inBytes = zeroCopy ? 0 : plan.rows * K * 8;
    const outBytes = plan.rows * 8;
    this.checkBudget('logProb', inBytes + outBytes, `${plan.rows} rows x 8 bytes of output${inBytes ? ` + a shared copy of the ${plan.rows} x ${K} values` : ''}`);
    let values: SharedArrayBuffer;
    if (zeroCopy) values = v.data.buffer as SharedArrayBuffer;
    else {
      values = new SharedArrayBuffer(inBytes);
      new Float64Array(values).set(plan.values);
    }
    const out = new SharedArrayBuffer(outBytes);
    if (plan.rows === 0) return new Tensor(new Float64Array(out), plan.resultShape);
    const chunkUnits = common.chunkSize ?? Math.max(1, pow2Floor(TARGET_CHUNK_ELEMENTS / K));
    const job = this.describe('logProb', plan.period, K, 0, plan.rows, chunkUnits, {
      validate: dist.validate_args, values, output: out, extra: plan.constants, logits: plan.logits, temperature: plan.temperature,
    });
    let simplexBad = false;
    let zeroBad = false;
    await this.pool.start();
    await runChunks({
      pool: this.pool,
      job,
      chunks: chunkSequence(Math.ceil(plan.rows / chunkUnits), common.order),
      onResult: (_c, r) => {
        this.seenThreads.add(r.threadId);
        if (r.invalidReason === 'simplex') simplexBad = true;
        else if (r.invalidReason === 'zero') zeroBad = true;
      },
      onProgress: common.onProgress,
      signal: common.signal,
    });
    // The same errors, in the same precedence, as dist.log_prob.
    if (simplexBad) throw offSimplexError(v);
    if (zeroBad) throw zeroEntryError(v);
    return new Tensor(new Float64Array(out), plan.resultShape);
  }

  /**
   * A variance-of-estimator study: single-sample gradient estimates of
   * d/d logits E[f(onehot(b))], b ~ Categorical(softmax(logits)), by each estimator, reported
   * against the exact gradients (mean, bias, variance, MSE, SNR with standard errors).
   *
   * @param dist - the distribution (its temperature is the estimators' temperature).
   * @param options - objective, estimators, samples, seed, groupSize, progress and abort.
   * @returns the study.
   */
  async gradients(dist: RelaxedOneHotCategorical, options: GradientsOptions): Promise<GradientStudy> {
    const t0 = performance.now();
    this.checkOpen();
    checkDist(dist);
    const o = optionsObject(options, 'gradients options');
    knownKeys(o, ['objective', 'estimators', 'samples', 'seed', 'groupSize', 'onProgress', 'signal', 'chunkSize', 'order'], 'gradients options');
    if (o.samples === undefined) throw new TypeError('gradients options: samples is required (estimates per estimator and batch element).');
    const samples = positiveInteger(o.samples, 'samples');
    const seed = o.seed === undefined ? randomSeed() : nonNegativeInteger(o.seed, 'seed');
    const names = parseEstimators(o.estimators);
    const m = parseGroupSize(o.groupSize, names);
    const common = jobOptions(o);
    const p = dist._params;
    const B = p.rowTemperature.length;
    const K = p.K;
    const objectiveSpec = parseObjective(o.objective, K);
    const objective = await preflightObjective(objectiveSpec, K);
    const exact = exactGradients(B, K, p.rowLogits, p.rowTemperature, objectiveSpec, objective);

    const plans = names.map((name) => {
      const E = estimatesPerGroup(name, m);
      const groups = Math.ceil(samples / E);
      const chunkUnits = common.chunkSize ?? Math.max(1, pow2Floor(TARGET_CHUNK_ELEMENTS / (B * uniformsPerGroup(name, K, m))));
      return { name, E, groups, chunkUnits, chunks: Math.ceil(groups / chunkUnits) };
    });
    const total = plans.reduce((a, q) => a + q.groups * q.E, 0);
    let doneBefore = 0;
    const shape = [...p.batchShape, K];
    const reports: Record<string, EstimatorReport> = {};
    await this.pool.start();
    for (const plan of plans) {
      const shift = gradientPilotShift(plan.name, seed, B, K, m, p.rowLogits, p.rowTemperature, objective);
      const job = this.describe('gradients', B, K, seed, plan.groups, plan.chunkUnits, {
        logits: p.rowLogits,
        temperature: p.rowTemperature,
        extra: shift,
        gradient: { estimator: plan.name, m, objective: objectiveSpec, streamBase: streamBaseOf(plan.name) },
      });
      const per = gradientSumsPerElement(K);
      const sums = new ExactVector(B * per);
      await runChunks({
        pool: this.pool,
        job,
        chunks: chunkSequence(plan.chunks, common.order),
        onResult: (_c, r) => {
          this.seenThreads.add(r.threadId);
          sums.add(r.sums as Float64Array);
        },
        onProgress: common.onProgress && ((q) => common.onProgress!({ ...q, done: doneBefore + q.done * plan.E, total })),
        signal: common.signal,
      });
      doneBefore += plan.groups * plan.E;
      const merged = sums.values();
      const arrays = Array.from({ length: B }, (_, b) =>
        summarizeEstimates(K, plan.groups * plan.E, plan.groups, merged.subarray(b * per, (b + 1) * per), shift.subarray(b * K, (b + 1) * K), exact.discrete.subarray(b * K, (b + 1) * K)),
      );
      const field = (f: (s: (typeof arrays)[number]) => Float64Array) => {
        const out = new Float64Array(B * K);
        arrays.forEach((a, b) => out.set(f(a), b * K));
        return new Tensor(out, shape);
      };
      const total1 = (f: (s: (typeof arrays)[number]) => number) => new Tensor(Float64Array.from(arrays, f), p.batchShape);
      reports[plan.name] = {
        mean: field((a) => a.mean),
        stderr: field((a) => a.stderr),
        bias: field((a) => a.bias),
        variance: field((a) => a.variance),
        varianceStderr: field((a) => a.varianceStderr),
        mse: field((a) => a.mse),
        mseStderr: field((a) => a.mseStderr),
        snr: field((a) => a.snr),
        snrStderr: field((a) => a.snrStderr),
        totals: {
          biasNorm: total1((a) => a.totals.biasNorm),
          biasNormStderr: total1((a) => a.totals.biasNormStderr),
          variance: total1((a) => a.totals.variance),
          varianceStderr: total1((a) => a.totals.varianceStderr),
          mse: total1((a) => a.totals.mse),
          mseStderr: total1((a) => a.totals.mseStderr),
          snr: total1((a) => a.totals.snr),
          snrStderr: total1((a) => a.totals.snrStderr),
        },
        samples: plan.groups * plan.E,
        groups: plan.groups,
      };
    }
    return {
      exact: {
        discrete: new Tensor(exact.discrete, shape),
        relaxed: exact.relaxed === null ? null : new Tensor(exact.relaxed, shape),
      },
      estimators: reports,
      objective: objectiveSpec,
      groupSize: m,
      seed,
      threads: this.threads,
      elapsedMs: performance.now() - t0,
      generator: ENGINE_STREAM_VERSION,
    };
  }

  /** Stops the worker threads. The engine cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.reset();
  }

  /** For `await using engine = new Engine()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('relaxed-mc: this Engine is closed; create a new one.');
  }

  private checkBudget(kind: string, bytes: number, what: string): void {
    const budget = memoryBudget(this.maxBytes);
    if (bytes > budget.bytes) {
      throw new RangeError(
        `relaxed-mc: the ${kind} job needs ${formatBytes(bytes)} (${what}) but the memory budget is ${formatBytes(budget.bytes)} ` +
          `(${budget.source}). Draw fewer samples per call, or use moments() which keeps no samples.`,
      );
    }
  }

  private describe(
    kind: JobDescriptor['kind'],
    B: number,
    K: number,
    seed: number,
    units: number,
    chunkUnits: number,
    x: {
      logits: Float64Array;
      temperature: Float64Array;
      extra?: Float64Array;
      covariance?: boolean;
      logSpace?: boolean;
      validate?: boolean;
      values?: SharedArrayBuffer;
      output?: SharedArrayBuffer;
      gradient?: GradientJob;
    },
  ): JobDescriptor {
    const extraLen = x.extra?.length ?? 0;
    const params = new SharedArrayBuffer((B * K + B + extraLen) * 8);
    const pv = new Float64Array(params);
    pv.set(x.logits, 0);
    pv.set(x.temperature, temperatureOffset(B, K));
    if (x.extra) pv.set(x.extra, extraOffset(B, K));
    return {
      id: this.nextJobId++,
      kind,
      control: new SharedArrayBuffer(kControlLength * 4),
      params,
      K,
      B,
      seed,
      units,
      chunkUnits,
      covariance: x.covariance ?? false,
      logSpace: x.logSpace ?? false,
      validate: x.validate ?? false,
      values: x.values ?? null,
      output: x.output ?? null,
      gradient: x.gradient ?? null,
    };
  }
}

function checkDist(dist: unknown): asserts dist is RelaxedOneHotCategorical {
  if (!(dist instanceof RelaxedOneHotCategorical)) {
    throw new TypeError('dist must be a torch.distributions.RelaxedOneHotCategorical from this package.');
  }
}

function jobOptions(o: Record<string, unknown>): { onProgress?: (p: Progress) => void; signal?: AbortSignal; chunkSize?: number; order: ChunkOrder } {
  const order = o.order ?? 'ascending';
  if (order !== 'ascending' && order !== 'descending' && order !== 'random') {
    throw new TypeError(`order must be 'ascending', 'descending' or 'random', but got ${String(order)}.`);
  }
  const signal = optionalSignal(o.signal);
  if (signal?.aborted) throw new AbortError('relaxed-mc: the signal was already aborted; no work was started.');
  return {
    onProgress: optionalFunction<(p: Progress) => void>(o.onProgress, 'onProgress'),
    signal,
    chunkSize: o.chunkSize === undefined ? undefined : positiveInteger(o.chunkSize, 'chunkSize'),
    order,
  };
}

function pow2Floor(x: number): number {
  return x < 1 ? 1 : 2 ** Math.floor(Math.log2(x));
}

function randomSeed(): number {
  return randomInt(0, 2 ** 48 - 1);
}

