/**
 * What crosses the job queue (BullMQ on Redis): a queued group of chunks of a moments or gradients
 * job, and a worker's result for it. Both come from the network: a worker parses every job with
 * {@link QueuedJobSchema} before it runs anything, and a coordinator parses every result with
 * {@link QueuedResultSchema} before it merges it. The checks that relate fields to each other
 * (sizes that follow from B and K, chunk ranges, the decoded doubles) are in `queue/wire.ts`.
 *
 * @packageDocumentation
 */
import * as v from 'valibot';
import { EstimatorNameSchema } from './fields.js';

/** Version of the queued job and result format; part of the queue's name. */
export const WIRE_VERSION = 1;
/** Largest batch x categories a queued job may carry. */
export const MAX_QUEUED_PARAMS = 2 ** 20;
/** Largest group size m of a queued gradients job. */
export const MAX_QUEUED_GROUP_SIZE = 4096;

const Int = (min: number, max: number) => v.pipe(v.number(), v.safeInteger(), v.minValue(min), v.maxValue(max));
const Finite = v.pipe(v.number(), v.finite());
/** Doubles as base64 of their little-endian bytes (every bit kept: NaN payloads, -0, -Infinity). */
const Doubles = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'));

/** The objective of a queued gradients job: coefficients, or a module by file name and SHA-256. */
export const QueuedObjectiveSchema = v.union([
  v.strictObject({ kind: v.literal('linear'), c: v.array(Finite) }),
  v.strictObject({ kind: v.literal('quadratic'), target: v.array(Finite) }),
  v.strictObject({
    module: v.strictObject({
      name: v.pipe(v.string(), v.minLength(1), v.maxLength(255), v.excludes('\0')),
      sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits')),
    }),
  }),
]);

const base = {
  v: v.literal(WIRE_VERSION),
  B: Int(1, MAX_QUEUED_PARAMS),
  K: Int(1, 2 ** 16),
  seed: Int(0, Number.MAX_SAFE_INTEGER),
  units: Int(1, Number.MAX_SAFE_INTEGER),
  chunkUnits: Int(1, Number.MAX_SAFE_INTEGER),
  /** The doubles `logits [B K] | temperature [B] | shift [B K]`. */
  params: Doubles,
  /** The group: chunks `[first, end)`. */
  first: Int(0, Number.MAX_SAFE_INTEGER),
  end: Int(1, Number.MAX_SAFE_INTEGER),
};

/** A queued group of chunks of a moments job. */
export const QueuedMomentsJobSchema = v.strictObject({
  kind: v.literal('moments'),
  ...base,
  covariance: v.boolean(),
  gradient: v.null(),
});

/** A queued group of chunks of one estimator of a gradients job. */
export const QueuedGradientsJobSchema = v.strictObject({
  kind: v.literal('gradients'),
  ...base,
  covariance: v.literal(false),
  gradient: v.strictObject({
    estimator: EstimatorNameSchema,
    m: Int(1, MAX_QUEUED_GROUP_SIZE),
    streamBase: Int(0, Number.MAX_SAFE_INTEGER),
    objective: QueuedObjectiveSchema,
  }),
});

/** Every kind of queued job, told apart by `kind`. */
export const QueuedJobSchema = v.variant('kind', [QueuedMomentsJobSchema, QueuedGradientsJobSchema]);

/** A worker's result: the group's per-chunk sums, chunk after chunk. */
export const QueuedResultSchema = v.strictObject({
  v: v.literal(WIRE_VERSION),
  first: Int(0, Number.MAX_SAFE_INTEGER),
  end: Int(1, Number.MAX_SAFE_INTEGER),
  sums: Doubles,
});

/** A queued job, as the schema types it. */
export type QueuedJob = v.InferOutput<typeof QueuedJobSchema>;
/** A queued job's objective. */
export type QueuedObjective = v.InferOutput<typeof QueuedObjectiveSchema>;
/** A worker's result. */
export type QueuedResult = v.InferOutput<typeof QueuedResultSchema>;
