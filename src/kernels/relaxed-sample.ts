/**
 * Kernel: Gumbel noise to a Concrete sample, row by row.
 *
 * Row `r` of the output belongs to batch element `(rowStart + r) % period`, which is how
 * `sample_shape ++ batch_shape` rows are laid out: the sample dimensions lead, so the batch
 * index cycles fastest. Pure loops over Float64Arrays: no allocation, never throws.
 *
 * @packageDocumentation
 */
import { wasmGumbelToConcreteRows } from './wasm/in-process-draws.js';

/**
 * Turns standard Gumbel noise into ExpRelaxedCategorical samples (log-simplex) in place, and
 * optionally writes their exponentials (the simplex samples).
 *
 * For each row: `s_k = (l_k + g_k) / tau`, `x_k = s_k - LSE(s)` with a max-shifted LSE, so
 * `x` never overflows and `LSE(x) = 0` up to rounding; `y_k = exp(x_k)`. The exponential and
 * logarithm round exactly as stdlib's pure-JavaScript ones (the loop runs in WebAssembly, see
 * `wasm/assembly/mt-concrete.ts`), so samples are identical on every platform.
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
  if (n === 0) return;
  wasmGumbelToConcreteRows(n, K, rowStart, period, logits, temperature, noise, noiseOffset, simplex, simplexOffset);
}
