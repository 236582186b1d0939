/**
 * The moments job: mean, variance (and covariance) of every batch element from streamed draws,
 * checkpointable, resumable and shardable, with results that depend only on the seed.
 *
 * @packageDocumentation
 */
import { Tensor } from '../tensor/tensor.js';
import type { RelaxedOneHotCategorical } from '../distributions/relaxed-one-hot-categorical.js';
import { distributionFields } from './dist-params.js';
import { ENGINE_STREAM_VERSION } from '../rng/chunk-stream.js';
import { type EngineContext, TARGET_CHUNK_ELEMENTS, commonOptions, pow2Floor, randomSeed } from './context.js';
import { type MomentPartSums, type MomentsParams, type MomentsState, encodeNumbers } from './job-state.js';
import { longJobOptions } from './long-job-options.js';
import { MomentSums } from './moment-sums.js';
import { EXACT_SUM_BYTES } from '../kernels/exact-sum-array.js';
import { defineLazyField } from './lazy-field.js';
import { knownKeys, nonNegativeInteger, optionalBoolean, optionsObject, positiveInteger } from './options.js';
import { pilotShift } from './pilot.js';
import { runResumable } from './resumable.js';
import type { MomentsEstimate, MomentsOptions, WorkDone } from './types.js';
import { Rule, StateFileError, TypeError } from '../errors.js';

/** Fewest draws in a moments chunk, so the exact merge (4 sums per component) stays cheap beside the sampling. */
const MIN_MOMENT_DRAWS = 256;
const KEYS = [
  'samples',
  'seed',
  'covariance',
  'onProgress',
  'signal',
  'chunkSize',
  'order',
  'checkpoint',
  'checkpointInterval',
  'shard',
  'retries',
];

/**
 * Runs a moments job.
 *
 * @param ctx - the engine.
 * @param dist - the distribution.
 * @param options - see {@link MomentsOptions}.
 * @returns the estimate and the job's state.
 */
export async function runMoments(
  ctx: EngineContext,
  dist: RelaxedOneHotCategorical,
  options: MomentsOptions,
): Promise<MomentsEstimate> {
  const t0 = performance.now();
  const o = optionsObject(options, 'moments options');
  knownKeys(o, KEYS, 'moments options');
  if (o.samples === undefined)
    throw new TypeError('moments options: samples is required (draws per batch element).', {
      argument: 'samples',
      rule: Rule.required,
    });
  const N = positiveInteger(o.samples, 'samples');
  const seed = o.seed === undefined ? randomSeed() : nonNegativeInteger(o.seed, 'seed');
  const covariance = optionalBoolean(o.covariance, 'covariance', false);
  const common = commonOptions(o);
  const long = longJobOptions(o, ctx.retries);
  const p = dist._params;
  const B = p.rowTemperature.length;
  const K = p.K;
  const chunkUnits = common.chunkSize ?? Math.max(MIN_MOMENT_DRAWS, pow2Floor(TARGET_CHUNK_ELEMENTS / (B * K)));
  const chunks = Math.ceil(N / chunkUnits);
  if (covariance) {
    // Cross sums on this thread, and per thread the chunk's matrix being filled and two results
    // in flight: refused before any work rather than found when the first results arrive.
    const pairs = (B * K * (K + 1)) / 2;
    const bytes = pairs * EXACT_SUM_BYTES + 3 * ctx.threads * B * K * K * 8;
    ctx.checkBudget(
      'moments',
      bytes,
      `the covariance: ${B} x ${K} x ${K} entries, ${pairs} exact sums and ${3 * ctx.threads} matrices of ${B * K * K} doubles`,
      'Estimate fewer categories or batch elements with covariance: true, or raise maxBytes.',
    );
  }
  const params = momentsParams(dist, seed, N, chunkUnits, covariance);
  const shift = pilotShift(seed, B, K, p.rowLogits, p.rowTemperature);
  const job = ctx.describe({ kind: 'moments', covariance }, B, K, seed, N, chunkUnits, {
    extra: shift,
    logits: p.rowLogits,
    temperature: p.rowTemperature,
  });
  const drawsOf = (c: number) => Math.min(N, (c + 1) * chunkUnits) - c * chunkUnits;
  let sums = new MomentSums(B, K, covariance);
  const run = await runResumable<MomentsState>(
    [
      {
        name: 'moments',
        job,
        chunks,
        unitsIn: (a, b) => Math.min(N, b * chunkUnits) - a * chunkUnits,
        add: (c, r) => {
          ctx.noteThread(r.threadId);
          sums.addChunk(r.sums as Float64Array, drawsOf(c));
        },
        saveSums: (): MomentPartSums => ({ shift: encodeNumbers(shift), ...sums.toJSON() }),
        loadSums: (s: MomentPartSums) => {
          if (JSON.stringify(s.shift) !== JSON.stringify(encodeNumbers(shift)))
            throw new StateFileError("its shift differs from this job's", '', {
              argument: 'sums.shift',
              rule: Rule.sameShift,
            });
          sums = MomentSums.fromJSON(B, K, covariance, s);
        },
      },
    ],
    {
      pool: ctx.pool,
      start: () => (ctx.remote === null ? ctx.pool.start() : ctx.remote.start()),
      remote: ctx.remote,
      params,
      shard: long.shard,
      checkpoint: long.checkpoint,
      onProgress: common.onProgress,
      signal: common.signal,
      order: common.order,
      retries: long.retries,
    },
  );
  return momentsEstimate(p.batchShape, K, shift, sums, {
    seed,
    chunkSize: chunkUnits,
    chunks,
    threads: ctx.threads,
    elapsedMs: performance.now() - t0,
    state: () => run.state,
    work: {
      samples: run.computedUnits,
      loadedSamples: run.loadedUnits,
      threads: run.computedUnits > 0 ? ctx.threads : 0,
      elapsedMs: run.workMs,
    },
  });
}

/**
 * The parameters that change a moments job's answer (and the probabilities, so a merge can
 * rebuild the distribution exactly).
 *
 * @returns the parameters, in a fixed key order.
 */
export function momentsParams(
  dist: RelaxedOneHotCategorical,
  seed: number,
  samples: number,
  chunkSize: number,
  covariance: boolean,
): MomentsParams {
  return {
    kind: 'moments',
    generator: ENGINE_STREAM_VERSION,
    ...distributionFields(dist),
    seed,
    samples,
    chunkSize,
    covariance,
  };
}

/**
 * Forms the estimate from merged sums.
 *
 * @returns the estimate.
 */
export function momentsEstimate(
  batchShape: readonly number[],
  K: number,
  shift: Float64Array,
  sums: MomentSums,
  run: {
    seed: number;
    chunkSize: number;
    chunks: number;
    threads: number;
    elapsedMs: number;
    /** The state, built only when the estimate's `state` is first read. */
    state: () => MomentsState;
    work: WorkDone;
  },
): MomentsEstimate {
  const e = sums.estimate(shift);
  const shape = [...batchShape, K];
  const est: MomentsEstimate = {
    mean: new Tensor(e.mean, shape),
    variance: new Tensor(e.variance, shape),
    stderr: new Tensor(e.stderr, shape),
    varianceStderr: new Tensor(e.varianceStderr, shape),
    samples: sums.draws,
    seed: run.seed,
    chunkSize: run.chunkSize,
    chunks: run.chunks,
    threads: run.threads,
    elapsedMs: run.elapsedMs,
    generator: ENGINE_STREAM_VERSION,
    state: undefined as unknown as MomentsState,
    work: run.work,
  };
  defineLazyField(est, 'state', run.state);
  if (e.covariance !== null) est.covariance = new Tensor(e.covariance, [...shape, K]);
  return est;
}

/**
 * The estimate of a complete moments state (a merge of shards, or a finished checkpoint).
 *
 * @param state - a state whose part covers every chunk.
 * @param threads - reported in the estimate.
 * @param elapsedMs - reported in the estimate.
 * @returns the estimate: the same bits as the single run it stands for.
 */
export function momentsFromState(state: MomentsState, threads: number, elapsedMs: number): MomentsEstimate {
  const q = state.params;
  const { batchShape, K } = q;
  const B = batchShape.reduce((a, b) => a * b, 1);
  const part = state.parts[0];
  const s = part.sums;
  const shift = Float64Array.from(s.shift, Number);
  const sums = MomentSums.fromJSON(B, K, q.covariance, s);
  return momentsEstimate(batchShape, K, shift, sums, {
    seed: q.seed,
    chunkSize: q.chunkSize,
    chunks: part.chunks,
    threads,
    elapsedMs,
    state: () => state,
    work: { samples: 0, loadedSamples: sums.draws, threads: 0, elapsedMs: 0 },
  });
}

/**
 * Adds the sums of two disjoint moments states exactly.
 *
 * @param state - the job's parameters (shapes).
 * @param a - one part's sums.
 * @param b - another's.
 * @returns the merged sums, in their saved form.
 */
export function mergeMomentSums(state: MomentsState, sa: MomentPartSums, sb: MomentPartSums): MomentPartSums {
  const q = state.params;
  const K = q.K;
  const B = q.batchShape.reduce((x, y) => x * y, 1);
  if (JSON.stringify(sa.shift) !== JSON.stringify(sb.shift))
    throw new StateFileError('the parts were taken about different shifts', '', {
      argument: 'sums.shift',
      rule: Rule.sameShift,
    });
  const m = MomentSums.fromJSON(B, K, q.covariance, sa);
  m.addSums(MomentSums.fromJSON(B, K, q.covariance, sb));
  return { shift: sa.shift, ...m.toJSON() };
}
