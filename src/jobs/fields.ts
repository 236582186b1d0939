/**
 * Field schemas every job schema is built from: counts, encoded numbers, the objective of a
 * gradients job.
 *
 * @packageDocumentation
 */
import * as v from 'valibot';
import { ESTIMATORS } from '../kernels/gradient-estimators.js';

/** An integer from 0 to 2^53 - 1. */
export const Count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
/** An integer from 1 to 2^53 - 1. */
export const PositiveCount = v.pipe(v.number(), v.safeInteger(), v.minValue(1));

/** A double as saved in JSON: finite numbers as they are, NaN and the infinities as strings. */
export const EncodedNumber = v.union([v.pipe(v.number(), v.finite()), v.picklist(['NaN', 'Infinity', '-Infinity'])]);

/** A double as saved in JSON. */
export type EncodedNumberValue = v.InferOutput<typeof EncodedNumber>;

/** A list of {@link EncodedNumber}. */
export const EncodedNumbers = v.array(EncodedNumber);

/** The name of a gradient estimator. */
export const EstimatorNameSchema = v.picklist(ESTIMATORS as readonly (typeof ESTIMATORS)[number][]);

/** A finite double. */
const Finite = v.pipe(v.number(), v.finite());

/** The objective of a gradients job, as data a worker can rebuild it from. */
export const ObjectiveDescriptorSchema = v.union([
  v.strictObject({ kind: v.literal('linear'), c: v.array(Finite) }),
  v.strictObject({ kind: v.literal('quadratic'), target: v.array(Finite) }),
  v.strictObject({ module: v.string() }),
]);

/** The objective of a gradients job, as data a worker can rebuild it from. */
export type ObjectiveDescriptor = v.InferOutput<typeof ObjectiveDescriptorSchema>;
