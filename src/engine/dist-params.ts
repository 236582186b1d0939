/**
 * A distribution as recorded in a job's parameters (batch shape, temperatures, logits and, when
 * it was built from them, probabilities, exactly), and back.
 *
 * @packageDocumentation
 */
import { broadcastTo } from '../tensor/tensor.js';
import { RelaxedOneHotCategorical } from '../distributions/relaxed-one-hot-categorical.js';
import { paramsFromRows } from '../distributions/concrete-params.js';
import type { DistributionFields, JobParams } from '../jobs/index.js';
import { encodeNumbers } from './job-state.js';

/**
 * @param dist - a distribution.
 * @returns its parameters per batch element, exactly (non-finite numbers as strings).
 */
export function distributionFields(dist: RelaxedOneHotCategorical): DistributionFields {
  const p = dist._params;
  return {
    batchShape: [...p.batchShape],
    K: p.K,
    temperature: encodeNumbers(p.rowTemperature),
    logits: encodeNumbers(p.rowLogits),
    probs: p.probs === null ? null : encodeNumbers(broadcastTo(p.probs, [...p.batchShape, p.K])),
  };
}

/**
 * The distribution a saved job was run on, with the very bits of the original.
 *
 * @param params - a job's parameters (moments or gradients).
 * @returns the distribution.
 */
export function distributionFromParams(params: JobParams): RelaxedOneHotCategorical {
  const q = params;
  const decode = (v: readonly (number | string)[]) => Float64Array.from(v, Number);
  const rows = paramsFromRows(
    q.batchShape,
    q.K,
    decode(q.temperature),
    decode(q.logits),
    q.probs === null ? null : decode(q.probs),
  );
  return new RelaxedOneHotCategorical(0, { validate_args: false }, rows);
}
