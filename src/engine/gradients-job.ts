/**
 * The gradients job: a variance-of-estimator study, one checkpointable part per estimator,
 * reported against the exact gradients.
 *
 * @packageDocumentation
 */
import { RangeError, Rule, StateFileError, TypeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { RelaxedOneHotCategorical } from '../distributions/relaxed-one-hot-categorical.js';
import { ENGINE_STREAM_VERSION } from '../rng/chunk-stream.js';
import { type EstimatorName, estimatesPerGroup, uniformsPerGroup } from '../kernels/gradient-estimators.js';
import { summarizeEstimates } from '../stats/gradient-report.js';
import { type EngineContext, TARGET_CHUNK_ELEMENTS, commonOptions, pow2Floor, randomSeed } from './context.js';
import { ExactVector } from './exact-vector.js';
import {
  STREAM_SPAN,
  parseEstimators,
  parseGroupSize,
  parseObjective,
  runGradientSetup,
  streamBaseOf,
} from './gradient-study.js';
import { defineLazyField } from './lazy-field.js';
import type { RangeSet } from './range-set.js';
import { type GradientPartSums, type GradientsState, type GradientsParams, encodeNumbers } from './job-state.js';
import { type ObjectiveDescriptor, gradientSumsPerElement } from '../chunks/layout.js';
import { longJobOptions } from './long-job-options.js';
import { moduleHash } from '../chunks/objective-loader.js';
import { knownKeys, nonNegativeInteger, optionalFunction, optionsObject, positiveInteger } from './options.js';
import type { Progress } from './scheduler.js';
import { type ResumablePart, runResumable } from './resumable.js';
import { distributionFields } from './dist-params.js';
import type { EstimatorReport, GradientStudy, GradientsOptions, WorkDone } from './types.js';
import { WorkerPool } from './pool.js';

const KEYS = [
  'objective',
  'estimators',
  'samples',
  'seed',
  'groupSize',
  'onProgress',
  'onSetupProgress',
  'signal',
  'chunkSize',
  'order',
  'checkpoint',
  'checkpointInterval',
  'shard',
  'retries',
];

/** One estimator's plan. */
interface Plan {
  name: EstimatorName;
  E: number;
  groups: number;
  chunkUnits: number;
  chunks: number;
}

/**
 * Runs a gradients job.
 *
 * @param ctx - the engine.
 * @param dist - the distribution.
 * @param options - see {@link GradientsOptions}.
 * @returns the study.
 */
export async function runGradients(
  ctx: EngineContext,
  dist: RelaxedOneHotCategorical,
  options: GradientsOptions,
): Promise<GradientStudy> {
  const t0 = performance.now();
  const o = optionsObject(options, 'gradients options');
  knownKeys(o, KEYS, 'gradients options');
  if (o.samples === undefined)
    throw new TypeError('gradients options: samples is required (estimates per estimator and batch element).', {
      argument: 'samples',
      rule: Rule.required,
    });
  const samples = positiveInteger(o.samples, 'samples');
  const seed = o.seed === undefined ? randomSeed() : nonNegativeInteger(o.seed, 'seed');
  const names = parseEstimators(o.estimators);
  const m = parseGroupSize(o.groupSize, names);
  const common = commonOptions(o);
  const long = longJobOptions(o, ctx.retries);
  const p = dist._params;
  const B = p.rowTemperature.length;
  const K = p.K;
  const objectiveSpec = parseObjective(o.objective, K);
  const plans: Plan[] = names.map((name) => {
    const E = estimatesPerGroup(name, m);
    const groups = Math.ceil(samples / E);
    const chunkUnits =
      common.chunkSize ?? Math.max(1, pow2Floor(TARGET_CHUNK_ELEMENTS / (B * uniformsPerGroup(name, K, m))));
    const chunks = Math.ceil(groups / chunkUnits);
    if (chunks >= STREAM_SPAN - 1) {
      throw new RangeError(
        `gradients: samples ${samples} make ${chunks} chunks of ${name}, beyond the ${STREAM_SPAN - 2} streams an ` +
          'estimator has; ask for fewer samples or raise chunkSize.',
        { argument: 'samples', rule: Rule.sizeLimit },
      );
    }
    return { name, E, groups, chunkUnits, chunks };
  });
  const params = gradientsParams(dist, seed, samples, m, plans, objectiveSpec);
  const per = gradientSumsPerElement(K);
  const setup = await runGradientSetup(
    ctx.pool,
    {
      objective: objectiveSpec,
      B,
      K,
      logits: p.rowLogits,
      temperature: p.rowTemperature,
      seed,
      groupSize: m,
      pilots: names,
    },
    common.signal,
    optionalFunction<(p: Progress) => void>(o.onSetupProgress, 'onSetupProgress'),
  );
  const exact = { discrete: setup.discrete, relaxed: setup.relaxed };
  const shifts = setup.shifts;
  const sums = plans.map(() => new ExactVector(B * per));
  const parts: ResumablePart<GradientPartSums>[] = plans.map((plan, i) => {
    const gradient = { estimator: plan.name, m, objective: objectiveSpec, streamBase: streamBaseOf(plan.name) };
    const job = ctx.describe({ kind: 'gradients', gradient }, B, K, seed, plan.groups, plan.chunkUnits, {
      logits: p.rowLogits,
      temperature: p.rowTemperature,
      extra: shifts[i],
    });
    return {
      name: plan.name,
      job,
      chunks: plan.chunks,
      unitsIn: (a, b) => (Math.min(plan.groups, b * plan.chunkUnits) - a * plan.chunkUnits) * plan.E,
      add: (_c, r) => {
        ctx.noteThread(r.threadId);
        sums[i].add(r.sums as Float64Array);
      },
      saveSums: (): GradientPartSums => ({ shift: encodeNumbers(shifts[i]), sums: sums[i].toJSON() }),
      loadSums: (s) => {
        if (JSON.stringify(s.shift) !== JSON.stringify(encodeNumbers(shifts[i])))
          throw new StateFileError(`the shift of ${plan.name} differs from this job's`, '', {
            argument: 'sums.shift',
            rule: Rule.sameShift,
          });
        sums[i] = ExactVector.fromJSON(s.sums, B * per, 'sums.sums');
      },
    };
  });
  const run = await runResumable<GradientsState>(parts, {
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
  });
  return study(p.batchShape, K, exact, plans, shifts, sums, {
    objective: objectiveSpec,
    groupSize: m,
    seed,
    threads: ctx.threads,
    elapsedMs: performance.now() - t0,
    completed: run.completed,
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
 * @returns the parameters that change a gradients job's answer, in a fixed key order (a user
 *   module's contents are hashed: editing it changes the answer).
 */
function gradientsParams(
  dist: RelaxedOneHotCategorical,
  seed: number,
  samples: number,
  groupSize: number,
  plans: readonly Plan[],
  objective: ObjectiveDescriptor,
): GradientsParams {
  return {
    kind: 'gradients',
    generator: ENGINE_STREAM_VERSION,
    ...distributionFields(dist),
    seed,
    samples,
    groupSize,
    estimators: plans.map((q) => q.name),
    chunkSizes: plans.map((q) => q.chunkUnits),
    objective,
    objectiveModuleHash: 'module' in objective ? moduleHash(objective.module) : null,
  };
}

function study(
  batchShape: readonly number[],
  K: number,
  exact: { discrete: Float64Array; relaxed: Float64Array | null },
  plans: readonly Plan[],
  shifts: readonly Float64Array[],
  sums: readonly ExactVector[],
  run: {
    objective: ObjectiveDescriptor;
    groupSize: number;
    seed: number;
    threads: number;
    elapsedMs: number;
    /** The chunks complete in each part. */
    completed: readonly RangeSet[];
    /** The state, built only when the study's `state` is first read. */
    state: () => GradientsState;
    work: WorkDone;
  },
): GradientStudy {
  const B = batchShape.reduce((a, b) => a * b, 1);
  const per = gradientSumsPerElement(K);
  const shape = [...batchShape, K];
  const reports: Record<string, EstimatorReport> = {};
  plans.forEach((plan, i) => {
    // The groups the sums hold: all of them, or a shard's (the state says which chunks are in).
    let groups = 0;
    for (const [a, b] of run.completed[i].toArray())
      groups += Math.min(plan.groups, b * plan.chunkUnits) - a * plan.chunkUnits;
    const merged = sums[i].values();
    const rows = Array.from({ length: B }, (_, b) =>
      summarizeEstimates(
        K,
        groups * plan.E,
        groups,
        merged.subarray(b * per, (b + 1) * per),
        shifts[i].subarray(b * K, (b + 1) * K),
        exact.discrete.subarray(b * K, (b + 1) * K),
      ),
    );
    type Row = (typeof rows)[number];
    const field = (f: (s: Row) => Float64Array) => {
      const out = new Float64Array(B * K);
      rows.forEach((a, b) => out.set(f(a), b * K));
      return new Tensor(out, shape);
    };
    const total = (f: (s: Row) => number) => new Tensor(Float64Array.from(rows, f), [...batchShape]);
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
        biasNorm: total((a) => a.totals.biasNorm),
        biasNormStderr: total((a) => a.totals.biasNormStderr),
        variance: total((a) => a.totals.variance),
        varianceStderr: total((a) => a.totals.varianceStderr),
        mse: total((a) => a.totals.mse),
        mseStderr: total((a) => a.totals.mseStderr),
        snr: total((a) => a.totals.snr),
        snrStderr: total((a) => a.totals.snrStderr),
      },
      samples: groups * plan.E,
      groups,
    };
  });
  const result: GradientStudy = {
    exact: {
      discrete: new Tensor(exact.discrete, shape),
      relaxed: exact.relaxed === null ? null : new Tensor(exact.relaxed, shape),
    },
    estimators: reports,
    objective: run.objective,
    groupSize: run.groupSize,
    seed: run.seed,
    threads: run.threads,
    elapsedMs: run.elapsedMs,
    generator: ENGINE_STREAM_VERSION,
    state: undefined as unknown as GradientsState,
    work: run.work,
  };
  defineLazyField(result, 'state', run.state);
  return result;
}

/**
 * The study of a complete gradients state (a merge of shards, or a finished checkpoint).
 *
 * @param state - a state whose parts cover every chunk.
 * @param threads - reported.
 * @param elapsedMs - reported.
 * @param options - `signal` stops the exact gradients (which call the objective, in a worker thread).
 * @returns the study: the same bits as the single run it stands for.
 */
export async function gradientsFromState(
  state: GradientsState,
  threads: number,
  elapsedMs: number,
  options: { signal?: AbortSignal } = {},
): Promise<GradientStudy> {
  const q = state.params;
  const { batchShape, K } = q;
  const B = batchShape.reduce((a, b) => a * b, 1);
  const m = q.groupSize;
  const objectiveSpec = q.objective;
  if ('module' in objectiveSpec && moduleHash(objectiveSpec.module) !== q.objectiveModuleHash) {
    throw new StateFileError(
      `the objective module ${objectiveSpec.module} has changed (or is missing) since the study ran: its exact gradients would not match the estimates.`,
      objectiveSpec.module,
      { argument: 'params.objective.module', rule: Rule.objectiveUnchanged },
    );
  }
  const logits = Float64Array.from(q.logits, Number);
  const temperature = Float64Array.from(q.temperature, Number);
  const names = q.estimators;
  const chunkSizes = q.chunkSizes;
  const plans = names.map((name, i) => {
    const E = estimatesPerGroup(name, m);
    const groups = Math.ceil(q.samples / E);
    return { name, E, groups, chunkUnits: chunkSizes[i], chunks: Math.ceil(groups / chunkSizes[i]) };
  });
  const loaded = plans.reduce((a, plan) => a + plan.groups * plan.E, 0);
  // The exact gradients call the objective: in a thread of a pool of one, never on this one.
  const pool = new WorkerPool({ threads: 1 });
  let exact: { discrete: Float64Array; relaxed: Float64Array | null };
  try {
    const task = { objective: objectiveSpec, B, K, logits, temperature, seed: 0, groupSize: m, pilots: [] };
    exact = await runGradientSetup(pool, task, options.signal);
  } finally {
    await pool.reset();
  }
  const per = gradientSumsPerElement(K);
  const shifts = state.parts.map((p) => Float64Array.from(p.sums.shift, Number));
  const sums = state.parts.map((p) => ExactVector.fromJSON(p.sums.sums, B * per, 'sums.sums'));
  return study(batchShape, K, exact, plans, shifts, sums, {
    objective: objectiveSpec,
    groupSize: m,
    seed: q.seed,
    threads,
    elapsedMs,
    completed: state.parts.map((p) => p.completed),
    state: () => state,
    work: { samples: 0, loadedSamples: loaded, threads: 0, elapsedMs: 0 },
  });
}

/**
 * Adds the sums of two disjoint gradients parts exactly.
 *
 * @param state - the job's parameters (shapes).
 * @param a - one part's saved sums.
 * @param b - another's.
 * @returns the merged sums, in their saved form.
 */
export function mergeGradientSums(state: GradientsState, sa: GradientPartSums, sb: GradientPartSums): GradientPartSums {
  const q = state.params;
  const B = q.batchShape.reduce((x, y) => x * y, 1);
  const len = B * gradientSumsPerElement(q.K);
  if (JSON.stringify(sa.shift) !== JSON.stringify(sb.shift))
    throw new StateFileError('the parts were taken about different shifts', '', {
      argument: 'sums.shift',
      rule: Rule.sameShift,
    });
  const v = ExactVector.fromJSON(sa.sums, len, 'sums.sums');
  v.addVector(ExactVector.fromJSON(sb.sums, len, 'sums.sums'));
  return { shift: sa.shift, sums: v.toJSON() };
}
