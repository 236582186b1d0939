/**
 * The shift of a moments job: a small pilot estimate of the mean, so that the power sums of
 * `y - shift` are well conditioned (the variance is a difference of nearly equal numbers
 * otherwise, e.g. at high temperature where Var ~ 1e-6 mean^2). The pilot draws from its own
 * reserved stream, so the shift is a function of (seed, parameters) only and every chunk,
 * thread, checkpoint and shard of a job uses the same one.
 *
 * @packageDocumentation
 */
import { PhiloxStream } from '../rng/philox.js';
import { uniformToGumbel } from '../kernels/gumbel-noise.js';
import { gumbelToConcreteRows } from '../kernels/relaxed-sample.js';

/** Stream index reserved for the pilot; chunk indices never reach it. */
export const PILOT_STREAM = Number.MAX_SAFE_INTEGER;
/** Pilot draws per batch element. */
export const PILOT_DRAWS = 64;

/**
 * @param seed - the job's seed.
 * @param B - batch elements.
 * @param K - categories.
 * @param logits - `B * K` logits.
 * @param temperature - `B` temperatures.
 * @returns `B * K` shifts (pilot means).
 */
export function pilotShift(seed: number, B: number, K: number, logits: Float64Array, temperature: Float64Array): Float64Array {
  const rows = PILOT_DRAWS * B;
  const buf = new Float64Array(rows * K);
  new PhiloxStream(seed, PILOT_STREAM).fillUniform(buf, 0, buf.length);
  uniformToGumbel(buf.length, buf, 0);
  gumbelToConcreteRows(rows, K, 0, B, logits, temperature, buf, 0, buf, 0);
  const shift = new Float64Array(B * K);
  for (let r = 0; r < rows; r++) {
    const o = (r % B) * K;
    for (let k = 0; k < K; k++) shift[o + k] += buf[r * K + k];
  }
  for (let i = 0; i < shift.length; i++) shift[i] /= PILOT_DRAWS;
  return shift;
}
