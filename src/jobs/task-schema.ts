/**
 * What a worker receives: one schema per job kind, joined on `kind`. The coordinator builds
 * these descriptors; a worker checks each job once (on its first chunk) before it trusts the
 * shared buffers' sizes, so a descriptor from anywhere else (a queue, a test) cannot make a
 * kernel read out of bounds.
 *
 * @packageDocumentation
 */
import * as v from 'valibot';
import { Count, EstimatorNameSchema, ObjectiveDescriptorSchema, PositiveCount } from './fields.js';

const Shared = v.instance(SharedArrayBuffer);

/** Fields every job descriptor has (see the diagram in `chunks/layout.ts`). */
const jobBase = {
  /** Unique per engine; workers cache per-job work by it. */
  id: Count,
  /** Control flags. */
  control: Shared,
  /** Logits, temperatures and the kind's extra block. */
  params: Shared,
  /** Categories. */
  K: PositiveCount,
  /** Batch elements (period of the rows). */
  B: PositiveCount,
  /** Seed of the job's random streams. */
  seed: v.pipe(v.number(), v.safeInteger()),
  /** Units of work: draws (moments, sample), result rows (logProb) or groups (gradients). */
  units: Count,
  /** Units per chunk (independent of the thread count). */
  chunkUnits: PositiveCount,
};

/** A moments job: power sums (and cross sums) about the shift in `extra`. */
export const MomentsJobSchema = v.object({ kind: v.literal('moments'), ...jobBase, covariance: v.boolean() });
/**
 * A sample job: draws written to `output`, as simplex or log-simplex values; with
 * `logProbOutput`, the fused log-density of each row beside them (the `B` density constants then
 * in `extra`).
 */
export const SampleJobSchema = v.object({
  kind: v.literal('sample'),
  ...jobBase,
  logSpace: v.boolean(),
  output: Shared,
  /**
   * The units `[first, end)` the output holds (one block of a streamed job: unit u is at row
   * `(u - first) * B` of the output), or null when it holds the whole job.
   */
  window: v.nullable(
    v.pipe(
      v.tuple([Count, Count]),
      v.check(([first, end]) => first <= end, 'Invalid window: expected first <= end'),
    ),
  ),
  /** Where the log-density of each row goes (indexed like the output's rows), or null. */
  logProbOutput: v.nullable(Shared),
});
/**
 * A logProb job: the density of `values` written to `output`, after the support check when
 * `validate`; with `logSpace`, the values are log-simplex points.
 */
export const LogProbJobSchema = v.object({
  kind: v.literal('logProb'),
  ...jobBase,
  logSpace: v.boolean(),
  validate: v.boolean(),
  values: Shared,
  output: Shared,
});
/** What a gradients job adds: its estimator, group size, objective and stream base. */
export const GradientJobSchema = v.object({
  estimator: EstimatorNameSchema,
  /** Group size m (reinforce-loo: estimates per group; gumbel-rao: conditional draws). */
  m: PositiveCount,
  objective: ObjectiveDescriptorSchema,
  /** Added to the chunk index to form the stream index, so estimators draw from disjoint streams. */
  streamBase: Count,
});
/** A gradients job: one estimator's sums about the shift in `extra`. */
export const GradientsJobSchema = v.object({ kind: v.literal('gradients'), ...jobBase, gradient: GradientJobSchema });

/** Every job kind a worker runs, told apart by `kind`. */
export const JobDescriptorSchema = v.variant('kind', [
  MomentsJobSchema,
  SampleJobSchema,
  LogProbJobSchema,
  GradientsJobSchema,
]);

/** A Float64Array over any buffer (a structured clone gives a plain one, the coordinator may hold a shared one). */
const Float64s = v.custom<Float64Array>((x) => x instanceof Float64Array, 'Invalid type: expected a Float64Array');

/**
 * The start of a gradients job that calls the objective (`chunks/gradient-setup.ts`): the
 * objective, the distribution's rows, and the estimators whose pilot shift to compute.
 */
export const GradientSetupTaskSchema = v.object({
  kind: v.literal('gradient-setup'),
  objective: ObjectiveDescriptorSchema,
  B: PositiveCount,
  K: PositiveCount,
  logits: Float64s,
  temperature: Float64s,
  seed: Count,
  groupSize: PositiveCount,
  pilots: v.array(EstimatorNameSchema),
  /** Int32 steps done (rows of the exact gradients, then rows of each pilot), read by the coordinator for progress. */
  progress: v.optional(Shared),
});

/** One task: a chunk of a job, a start-up check, or the setup of a gradients job. */
export const TaskSchema = v.variant('kind', [
  v.object({ kind: v.literal('ping') }),
  // count > 1: the chunks chunk .. chunk + count - 1 in one task, answered by one result each.
  v.object({ kind: v.literal('chunk'), job: JobDescriptorSchema, chunk: Count, count: v.optional(PositiveCount) }),
  GradientSetupTaskSchema,
]);

/** A moments job's descriptor. */
export type MomentsJob = v.InferOutput<typeof MomentsJobSchema>;
/** A sample job's descriptor. */
export type SampleJob = v.InferOutput<typeof SampleJobSchema>;
/** A logProb job's descriptor. */
export type LogProbJob = v.InferOutput<typeof LogProbJobSchema>;
/** A gradients job's descriptor. */
export type GradientsJob = v.InferOutput<typeof GradientsJobSchema>;
/** What a gradients job adds to its descriptor. */
export type GradientJob = v.InferOutput<typeof GradientJobSchema>;
/** What every task carries to describe its job (structured-cloned; buffers are shared, not copied). */
export type JobDescriptor = v.InferOutput<typeof JobDescriptorSchema>;
/** The kinds of job a worker runs. */
export type JobKind = JobDescriptor['kind'];
/** One task: a chunk of a job, a start-up check, or the setup of a gradients job. */
export type Task = v.InferOutput<typeof TaskSchema>;
/** The setup of a gradients job. */
export type GradientSetupTask = v.InferOutput<typeof GradientSetupTaskSchema>;
/** The fields of a descriptor that depend on its kind (`kind` included). */
export type JobKindFields = JobDescriptor extends infer D
  ? D extends JobDescriptor
    ? Omit<D, keyof typeof jobBase>
    : never
  : never;
