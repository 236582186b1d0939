/**
 * Kernels: sums of shifted powers, the summable (and so exactly mergeable) form of a sample's
 * moments.
 *
 * With a fixed shift `c` per component (the same for every chunk of a job, close to the mean
 * so that the sums are well conditioned), a chunk contributes `S_p = sum (y - c)^p` for
 * p = 1..4 and, when asked, the cross sums `sum (y_j - c_j)(y_k - c_k)`. Sums from any chunks
 * add up to the sums of their union, so merging is addition and can be made exact.
 *
 * Layout of `sums` for batch element b: `[S1 (K) | S2 (K) | S3 (K) | S4 (K)]` at `b * 4K` (accumulated by
 * the WebAssembly kernel `accumulatePowers`).
 * Layout of `cross` for batch element b: a K x K row-major block at `b * K * K`; only the upper
 * triangle `j <= k` is accumulated (the rest is left untouched).
 *
 * @packageDocumentation
 */

/** Number of power sums per component. */
export const POWER_SUMS = 4;

/**
 * Adds `n` rows to the upper triangle of the cross sums of their batch elements.
 *
 * @param n - number of rows.
 * @param K - components per row.
 * @param rowStart - index of the first row in the job.
 * @param period - number of batch elements.
 * @param y - values, rows of `stride >= K` elements from `offset`.
 * @param offset - first element of the rows.
 * @param stride - elements from one row to the next.
 * @param shift - `period * K` shifts.
 * @param scratch - at least K elements of working space.
 * @param cross - `period * K * K` cross sums, upper triangle updated.
 */
export function accumulateCrossSums(
  n: number,
  K: number,
  rowStart: number,
  period: number,
  y: Float64Array,
  offset: number,
  stride: number,
  shift: Float64Array,
  scratch: Float64Array,
  cross: Float64Array,
): void {
  let b = rowStart % period;
  let o = offset;
  for (let r = 0; r < n; r++) {
    const so = b * K;
    const co = b * K * K;
    for (let k = 0; k < K; k++) scratch[k] = y[o + k] - shift[so + k];
    for (let j = 0; j < K; j++) {
      const dj = scratch[j];
      const row = co + j * K;
      for (let k = j; k < K; k++) cross[row + k] += dj * scratch[k];
    }
    o += stride;
    if (++b === period) b = 0;
  }
}
