/**
 * Kernel: Gumbel noise to a Concrete sample, row by row.
 *
 * Row `r` of the output belongs to batch element `(rowStart + r) % period`, which is how
 * `sample_shape ++ batch_shape` rows are laid out: the sample dimensions lead, so the batch
 * index cycles fastest. Pure loops over Float64Arrays: no allocation, never throws.
 *
 * @packageDocumentation
 */
import exp from '@stdlib/math-base-special-exp';
import ln from '@stdlib/math-base-special-ln';

/**
 * Turns standard Gumbel noise into ExpRelaxedCategorical samples (log-simplex) in place, and
 * optionally writes their exponentials (the simplex samples).
 *
 * For each row: `s_k = (l_k + g_k) / tau`, `x_k = s_k - LSE(s)` with a max-shifted LSE, so
 * `x` never overflows and `LSE(x) = 0` up to rounding; `y_k = exp(x_k)`. The exponential is
 * stdlib's pure-JavaScript one, so samples are identical on every platform.
 *
 * @param n - number of rows.
 * @param K - categories per row.
 * @param rowStart - index of the first row in the whole job (selects the batch element).
 * @param period - number of batch elements; row r uses batch element `(rowStart + r) % period`.
 * @param logits - `period * K` normalised logits.
 * @param temperature - `period` temperatures.
 * @param noise - `n * K` Gumbel draws from `noiseOffset`; overwritten with the log-sample `x`.
 * @param noiseOffset - first element of the rows in `noise`.
 * @param simplex - destination of `exp(x)` (`n * K` from `simplexOffset`), or null to skip it.
 * @param simplexOffset - first element of the rows in `simplex`.
 */
export function gumbelToConcreteRows(
  n: number,
  K: number,
  rowStart: number,
  period: number,
  logits: Float64Array,
  temperature: Float64Array,
  noise: Float64Array,
  noiseOffset: number,
  simplex: Float64Array | null,
  simplexOffset: number,
): void {
  let b = rowStart % period;
  let o = noiseOffset;
  let so = simplexOffset;
  for (let r = 0; r < n; r++) {
    const tau = temperature[b];
    const lo = b * K;
    let m = -Infinity;
    for (let k = 0; k < K; k++) {
      // Division (not multiplication by 1/tau) as PyTorch does, so samples match it closely.
      const s = (logits[lo + k] + noise[o + k]) / tau;
      noise[o + k] = s;
      if (s > m) m = s;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += exp(noise[o + k] - m);
    const lse = m + ln(sum);
    for (let k = 0; k < K; k++) noise[o + k] -= lse;
    if (simplex !== null) {
      for (let k = 0; k < K; k++) simplex[so + k] = exp(noise[o + k]);
      so += K;
    }
    o += K;
    if (++b === period) b = 0;
  }
}
