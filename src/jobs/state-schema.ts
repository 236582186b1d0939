/**
 * The state file of a long job (a checkpoint, or a shard's partial result), one schema per
 * kind: the parameters of that kind and the saved sums of its parts. A file whose checksum is
 * valid but whose content does not fit is refused with the field at fault named; the sizes
 * that follow from the parameters (B, K, the estimators) are checked here too, so nothing
 * downstream meets an array of the wrong length.
 *
 * ```
 * { format: 'relaxed-mc/job-state', version: 1,
 *   paramsHash, params: { kind, generator, batchShape, K, temperature, logits, probs, seed, samples, ... },
 *   shard: { index, count } | null,
 *   parts: [ { name, chunks, completed: [[start, end), ...], sums } ],   // one per estimator (gradients) or one (moments)
 *   checksum }                                                           // sha256 of everything above
 * ```
 *
 * @packageDocumentation
 */
import * as v from 'valibot';
import { estimatesPerGroup } from '../kernels/gradient-estimators.js';
import { isExactSumJSON } from '../kernels/exact-sum.js';
import { Count, EncodedNumbers, PositiveCount } from './fields.js';
import { GradientsParamsSchema, type JobParams, MomentsParamsSchema } from './params-schema.js';
import type { SchemaIssue } from './validate.js';

/** Identifies the file type. */
export const JOB_STATE_FORMAT = 'relaxed-mc/job-state';
/** Version of the layout; other versions are refused. */
export const JOB_STATE_VERSION = 1;
/** Power sums per component: S1..S4 (see `kernels/moment-sums.ts`). */
const POWER_SUMS = 4;

/** The lossless text of one exact sum. */
const ExactSumText = v.pipe(
  v.string(),
  v.check((s: string) => isExactSumJSON(s), 'Invalid exact sum: expected the text form of an ExactSum'),
);

/** A moments part's sums: the shift they are taken about, the draws, and the exact power and cross sums. */
export const MomentPartSumsSchema = v.strictObject({
  shift: EncodedNumbers,
  draws: Count,
  power: v.array(ExactSumText),
  cross: v.array(ExactSumText),
});

/** One estimator's sums: the shift they are taken about and the exact sums (`6K + 2` per batch element). */
export const GradientPartSumsSchema = v.strictObject({
  shift: EncodedNumbers,
  sums: v.array(ExactSumText),
});

const Shard = v.nullable(
  v.pipe(
    v.strictObject({ index: Count, count: PositiveCount }),
    v.check((s) => s.index < s.count, 'Invalid shard: index must be below count'),
  ),
);

/** Sorted, disjoint, non-empty `[start, end)` ranges. */
const Ranges = v.pipe(
  v.array(v.strictTuple([Count, Count])),
  v.check(
    (rs) => rs.every(([a, b], i) => a < b && (i === 0 || rs[i - 1][1] < a)),
    'Invalid ranges: expected sorted, disjoint, non-empty [start, end) pairs',
  ),
);

function part<S extends v.GenericSchema>(sums: S) {
  return v.strictObject({ name: v.string(), chunks: Count, completed: Ranges, sums });
}

const header = {
  format: v.literal(JOB_STATE_FORMAT),
  version: v.literal(JOB_STATE_VERSION),
  paramsHash: v.string(),
  shard: Shard,
  checksum: v.string(),
};

/** A moments job's state file. */
export const MomentsStateFileSchema = v.strictObject({
  ...header,
  params: MomentsParamsSchema,
  parts: v.array(part(MomentPartSumsSchema)),
});

/** A gradients study's state file. */
export const GradientsStateFileSchema = v.strictObject({
  ...header,
  params: GradientsParamsSchema,
  parts: v.array(part(GradientPartSumsSchema)),
});

/** The state-file schema of each kind. */
export const STATE_FILE_SCHEMAS = {
  moments: MomentsStateFileSchema,
  gradients: GradientsStateFileSchema,
} as const;

/** A moments part's saved sums. */
export type MomentPartSums = v.InferOutput<typeof MomentPartSumsSchema>;
/** A gradients part's saved sums. */
export type GradientPartSums = v.InferOutput<typeof GradientPartSumsSchema>;
/** A moments job's state file. */
export type MomentsStateFile = v.InferOutput<typeof MomentsStateFileSchema>;
/** A gradients study's state file. */
export type GradientsStateFile = v.InferOutput<typeof GradientsStateFileSchema>;
/** A state file of any kind. */
export type StateFile = MomentsStateFile | GradientsStateFile;

/**
 * The sizes a state's arrays must have, given its parameters: what the schemas alone cannot say.
 *
 * @param s - a state file that fits its kind's schema.
 * @returns the first field whose size (or count) does not follow from the parameters, or null.
 */
export function stateSizeIssue(s: StateFile): SchemaIssue | null {
  const q: JobParams = s.params;
  const B = q.batchShape.reduce((a, b) => a * b, 1);
  const K = q.K;
  const want = (path: string, got: number, expected: number): SchemaIssue | null =>
    got === expected ? null : { path, message: `Invalid length: expected ${expected} but received ${got}` };
  const issues: (SchemaIssue | null)[] = [
    want('params.temperature', q.temperature.length, B),
    want('params.logits', q.logits.length, B * K),
    q.probs === null ? null : want('params.probs', q.probs.length, B * K),
  ];
  const chunksOf = (units: number, size: number) => Math.ceil(units / size);
  if (q.kind === 'moments') {
    const parts = (s as MomentsStateFile).parts;
    issues.push(want('parts', parts.length, 1));
    parts.forEach((p, i) => {
      issues.push(
        want(`parts.${i}.chunks`, p.chunks, chunksOf(q.samples, q.chunkSize)),
        want(`parts.${i}.sums.shift`, p.sums.shift.length, B * K),
        want(`parts.${i}.sums.power`, p.sums.power.length, B * POWER_SUMS * K),
        want(`parts.${i}.sums.cross`, p.sums.cross.length, q.covariance ? (B * K * (K + 1)) / 2 : 0),
      );
    });
  } else {
    const parts = (s as GradientsStateFile).parts;
    const o = q.objective;
    issues.push(
      'c' in o ? want('params.objective.c', o.c.length, K) : null,
      'target' in o ? want('params.objective.target', o.target.length, K) : null,
      want('params.chunkSizes', q.chunkSizes.length, q.estimators.length),
      want('parts', parts.length, q.estimators.length),
    );
    parts.forEach((p, i) => {
      const name = q.estimators[i];
      if (name === undefined) return;
      const groups = Math.ceil(q.samples / estimatesPerGroup(name, q.groupSize));
      issues.push(
        p.name === name ? null : { path: `parts.${i}.name`, message: `Invalid part: expected "${name}"` },
        q.chunkSizes[i] === undefined ? null : want(`parts.${i}.chunks`, p.chunks, chunksOf(groups, q.chunkSizes[i])),
        want(`parts.${i}.sums.shift`, p.sums.shift.length, B * K),
        want(`parts.${i}.sums.sums`, p.sums.sums.length, B * (6 * K + 2)),
      );
    });
  }
  s.parts.forEach((p, i) => {
    const last = p.completed.at(-1);
    if (last !== undefined && last[1] > p.chunks)
      issues.push({ path: `parts.${i}.completed`, message: `Invalid ranges: chunk ${last[1] - 1} of ${p.chunks}` });
  });
  return issues.find((x) => x !== null) ?? null;
}
