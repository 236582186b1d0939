/**
 * Kernels: the Concrete log-density, row by row, from simplex values or from log-simplex values.
 *
 * One formula serves both densities of the specification (section 4):
 *
 *     log p = c_b - (tau + j) * sum_k x_k - K * LSE_k(l_k - tau * x_k),
 *     c_b   = lgamma(K) + (K - 1) log tau + sum_k l_k,
 *
 * with `x = log y`. `j = 1` is the simplex density (RelaxedOneHotCategorical: the Jacobian of
 * `y = exp(x)` adds `-sum x`), `j = 0` the log-simplex one (ExpRelaxedCategorical). Taking `x`
 * directly (log-space input) keeps the density finite where `exp(x)` would underflow to 0.
 * Pure loops over Float64Arrays: no allocation, never throws (bad input gives NaN/Infinity).
 *
 * `concreteLogProbRows` is the scalar reference of the formula; `log_prob` and the engine run its
 * WebAssembly twin (`wasmLogProbRows`), which the tests hold to it.
 *
 * @packageDocumentation
 */

/**
 * Tolerance of the simplex sum check of `log_prob`'s support, PyTorch's `1e-6` (strict: a row
 * is on the simplex when `|sum - 1| < 1e-6`). Written once, here, for the distributions'
 * constraint and for the engine's workers, which check values before the kernel runs.
 */
export const SIMPLEX_SUM_TOLERANCE = 1e-6;

/**
 * `log((K-1)!) = lgamma(K)` for a positive integer K, by a sum of logarithms (relative error
 * about K ulps, far inside the 1e-9 the golden tests allow).
 *
 * @param K - number of categories (>= 1).
 * @returns lgamma(K).
 */
export function lgammaInt(K: number): number {
  let s = 0;
  for (let i = 2; i < K; i++) s += Math.log(i);
  return s;
}

/**
 * Fills the per-batch-element constant `c_b = lgamma(K) + (K - 1) log tau_b + sum_k l_bk`.
 *
 * @param period - number of batch elements.
 * @param K - categories.
 * @param logits - `period * K` normalised logits.
 * @param temperature - `period` temperatures.
 * @param out - `period` constants.
 */
export function logProbConstants(
  period: number,
  K: number,
  logits: Float64Array,
  temperature: Float64Array,
  out: Float64Array,
): void {
  const g = lgammaInt(K);
  for (let b = 0; b < period; b++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += logits[b * K + k];
    out[b] = g + (K - 1) * Math.log(temperature[b]) + s;
  }
}

/**
 * Log-density of `n` rows of values.
 *
 * @param n - number of rows.
 * @param K - categories per row.
 * @param rowStart - index of the first row in the whole job; row r uses batch element
 *   `(rowStart + r) % period`.
 * @param period - number of batch elements.
 * @param logits - `period * K` normalised logits.
 * @param temperature - `period` temperatures.
 * @param constants - `period` constants from {@link logProbConstants}.
 * @param values - `n * K` values from `valueOffset`: simplex points, or their logarithms when
 *   `logSpace` is true.
 * @param valueOffset - first element of the rows in `values`.
 * @param logSpace - whether `values` already hold `x = log y`.
 * @param jacobian - 1 for the simplex density, 0 for the log-simplex (ExpRelaxed) density.
 * @param scratch - at least K elements of working space.
 * @param out - `n` results from `outOffset`.
 * @param outOffset - first result element.
 */
export function concreteLogProbRows(
  n: number,
  K: number,
  rowStart: number,
  period: number,
  logits: Float64Array,
  temperature: Float64Array,
  constants: Float64Array,
  values: Float64Array,
  valueOffset: number,
  logSpace: boolean,
  jacobian: number,
  scratch: Float64Array,
  out: Float64Array,
  outOffset: number,
): void {
  let b = rowStart % period;
  let v = valueOffset;
  for (let r = 0; r < n; r++) {
    const tau = temperature[b];
    const lo = b * K;
    let sx = 0;
    let m = -Infinity;
    for (let k = 0; k < K; k++) {
      const x = logSpace ? values[v + k] : Math.log(values[v + k]);
      sx += x;
      const s = logits[lo + k] - tau * x;
      scratch[k] = s;
      // `!(s <= m)` also lets NaN and +Infinity through, so they reach the result.
      if (!(s <= m)) m = s;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(scratch[k] - m);
    out[outOffset + r] = constants[b] - (tau + jacobian) * sx - K * (m + Math.log(sum));
    v += K;
    if (++b === period) b = 0;
  }
}
