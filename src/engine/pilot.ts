/**
 * The shift of a moments job: a small pilot estimate of the mean, so that the power sums of
 * `y - shift` are well conditioned (the variance is a difference of nearly equal numbers
 * otherwise, e.g. at high temperature where Var ~ 1e-6 mean^2). The pilot draws from its own
 * reserved stream through the same block loop as the chunks (`chunks/draw-blocks.ts`), so the shift is a function of
 * (seed, parameters) only and every chunk, thread, checkpoint and shard of a job uses the same one.
 *
 * @packageDocumentation
 */
import { WasmDraws } from '../kernels/wasm/kernels.js';
import { drawRowBlocks } from '../chunks/draw-blocks.js';

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
  const Kp = draws.Kp;
  const add = (y: Float64Array, n: number, rowStart: number): void => {
    for (let r = 0; r < n; r++) {
      const o = ((rowStart + r) % B) * K;
      for (let k = 0; k < K; k++) shift[o + k] += y[r * Kp + k];
    }
  };
  try {
    drawRowBlocks(draws, 0, PILOT_DRAWS * B, 'simplex', null, add);
  } finally {
    draws.release();
  }
  for (let i = 0; i < shift.length; i++) shift[i] /= PILOT_DRAWS;
  return shift;
}
