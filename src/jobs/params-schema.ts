/**
 * The parameters of a long job as its state file records them (every one that changes the
 * answer, in a fixed key order, hashed into `paramsHash`): one schema per kind, joined on `kind`.
 * The same schemas describe a job that arrives as data (a queue), so a new kind or parameter is
 * written here once.
 *
 * @packageDocumentation
 */
import * as v from 'valibot';
import { Count, EncodedNumbers, EstimatorNameSchema, ObjectiveDescriptorSchema, PositiveCount } from './fields.js';

/** The distribution's part of a job's parameters (per batch element, exactly). */
export const distributionFields = {
  /** The version of the engine's random streams the job drew from. */
  generator: v.string(),
  batchShape: v.array(Count),
  K: PositiveCount,
  /** `B` temperatures. */
  temperature: EncodedNumbers,
  /** `B * K` normalised logits. */
  logits: EncodedNumbers,
  /** `B * K` probabilities when the distribution was built from them, else null. */
  probs: v.nullable(EncodedNumbers),
};

/** A moments job's parameters. */
export const MomentsParamsSchema = v.strictObject({
  kind: v.literal('moments'),
  ...distributionFields,
  seed: v.pipe(v.number(), v.safeInteger()),
  samples: PositiveCount,
  chunkSize: PositiveCount,
  covariance: v.boolean(),
});

/** A gradients study's parameters (a user module's contents are hashed: editing it changes the answer). */
export const GradientsParamsSchema = v.strictObject({
  kind: v.literal('gradients'),
  ...distributionFields,
  seed: v.pipe(v.number(), v.safeInteger()),
  samples: PositiveCount,
  groupSize: PositiveCount,
  estimators: v.array(EstimatorNameSchema),
  chunkSizes: v.array(PositiveCount),
  objective: ObjectiveDescriptorSchema,
  objectiveModuleHash: v.nullable(v.string()),
});

/** Every kind of long job, told apart by `kind`. */
export const JobParamsSchema = v.variant('kind', [MomentsParamsSchema, GradientsParamsSchema]);

/** A moments job's parameters. */
export type MomentsParams = v.InferOutput<typeof MomentsParamsSchema>;
/** A gradients study's parameters. */
export type GradientsParams = v.InferOutput<typeof GradientsParamsSchema>;
/** Every parameter that changes a long job's answer, in a fixed key order. */
export type JobParams = v.InferOutput<typeof JobParamsSchema>;
/** The distribution's part of a job's parameters. */
export type DistributionFields = Pick<MomentsParams, Exclude<keyof typeof distributionFields, 'generator'>>;
