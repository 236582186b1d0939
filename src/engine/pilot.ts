/**
 * The shift of a moments job: a small pilot estimate of the mean, so that the power sums of
 * `y - shift` are well conditioned (the variance is a difference of nearly equal numbers
 * otherwise, e.g. at high temperature where Var ~ 1e-6 mean^2). The pilot draws from its own
 * reserved stream with the same kernels as the chunks, so the shift is a function of
 * (seed, parameters) only and every chunk, thread, checkpoint and shard of a job uses the same one.
 *
 * @packageDocumentation
 */
import { WasmDraws } from '../kernels/wasm/kernels.js';

/** Stream index reserved for the pilot; chunk indices never reach it. */
export const PILOT_STREAM = Number.MAX_SAFE_INTEGER;
/** Pilot draws per batch element: enough to land within a fraction of a standard deviation. */
export const PILOT_DRAWS = 32;

/**
 * @param seed - the job's seed.
 * @param B - batch elements.
 * @param K - categories.
 * @param logits - `B * K` logits.
 * @param temperature - `B` temperatures.
 * @returns `B * K` shifts (pilot means).
 */
export function pilotShift(
  seed: number,
  B: number,
  K: number,
  logits: Float64Array,
  temperature: Float64Array,
): Float64Array {
  const draws = new WasmDraws(B, K, logits, temperature, null);
  draws.start(seed, PILOT_STREAM);
  const shift = new Float64Array(B * K);
  const rows = PILOT_DRAWS * B;
  for (let r0 = 0; r0 < rows;) {
    const n = Math.min(draws.rowsPerBlock, rows - r0);
    const y = draws.draw(n, r0 % B, false);
    for (let r = 0; r < n; r++) {
      const o = ((r0 + r) % B) * K;
      for (let k = 0; k < K; k++) shift[o + k] += y[r * draws.Kp + k];
    }
    r0 += n;
  }
  for (let i = 0; i < shift.length; i++) shift[i] /= PILOT_DRAWS;
  return shift;
}
