/**
 * Kernels: vector-Jacobian products of Concrete sampling and of the Concrete log-density, row
 * by row, accumulating the parameter gradients per batch element.
 *
 * ## Method
 * Sampling (spec section 3): `s = (l + g) / tau`, `x = s - LSE(s)`, `y = exp(x)`. With the
 * gradient `gx` of the log-sample (`gx = gy * y` for the simplex sample), the gradient of `s`
 * is `gs_k = gx_k - y_k sum_j gx_j` (softmax Jacobian), so `dl_k = gs_k / tau` and
 * `dtau = -sum_k gs_k s_k / tau = -sum_k gs_k x_k / tau` (the sum of `gs` is 0, so `s` may be
 * replaced by `x`).
 *
 * Log-density (spec sections 4.1-4.2): `lp = lgamma(K) + (K-1) log tau + sum_k l_k
 * - (tau + j) sum_k x_k - K LSE_k(l_k - tau x_k)`. With `q = softmax(l - tau x)` and the upstream
 * gradient `g`: `dl_k = g (1 - K q_k)`, `dtau = g ((K-1)/tau - sum_k x_k + K sum_k q_k x_k)`,
 * `dx_k = g (K tau q_k - tau - j)`, and for a simplex value `dy_k = dx_k / y_k`.
 *
 * Pure loops over Float64Arrays: no allocation, never throw.
 *
 * ## References
 * C. J. Maddison, A. Mnih, Y. W. Teh, "The Concrete Distribution", ICLR 2017, arXiv:1611.00712.
 * E. Jang, S. Gu, B. Poole, "Categorical Reparameterization with Gumbel-Softmax", ICLR 2017, arXiv:1611.01144.
 *
 * @packageDocumentation
 */

/**
 * Backward of Concrete sampling for `n` rows; row r uses batch element `r % period`.
 *
 * @param n - number of rows.
 * @param K - categories.
 * @param period - number of batch elements.
 * @param temperature - `period` temperatures.
 * @param x - `n * K` log-samples.
 * @param y - their exponentials when at hand (else null: recomputed).
 * @param g - `n * K` upstream gradients: of `y` when `simplexOut`, else of `x`.
 * @param simplexOut - whether `g` is the gradient of `y = exp(x)`.
 * @param gLogits - `period * K` accumulator for the normalised logits' gradient.
 * @param gTemp - `period` accumulator for the temperatures' gradient.
 */
export function concreteSampleVjpRows(
  n: number,
  K: number,
  period: number,
  temperature: Float64Array,
  x: Float64Array,
  y: Float64Array | null,
  g: Float64Array,
  simplexOut: boolean,
  gLogits: Float64Array,
  gTemp: Float64Array,
): void {
  let b = 0;
  for (let r = 0; r < n; r++) {
    const o = r * K;
    const inv = 1 / temperature[b];
    let sg = 0;
    for (let k = 0; k < K; k++) sg += simplexOut ? g[o + k] * (y !== null ? y[o + k] : Math.exp(x[o + k])) : g[o + k];
    let st = 0;
    const lo = b * K;
    for (let k = 0; k < K; k++) {
      const yk = y !== null ? y[o + k] : Math.exp(x[o + k]);
      const gx = simplexOut ? g[o + k] * yk : g[o + k];
      const gs = gx - yk * sg;
      gLogits[lo + k] += gs * inv;
      // Skip 0 * (-Infinity) when an entry underflowed: its gs is exactly 0 there.
      if (gs !== 0) st += gs * x[o + k];
    }
    gTemp[b] -= st * inv;
    if (++b === period) b = 0;
  }
}

/**
 * Backward of the Concrete log-density for `n` rows; row r uses batch element `r % period`.
 *
 * @param n - number of rows.
 * @param K - categories.
 * @param period - number of batch elements.
 * @param logits - `period * K` normalised logits.
 * @param temperature - `period` temperatures.
 * @param values - `n * K` values: simplex points, or log-simplex points when `logSpace`.
 * @param logSpace - whether `values` hold `x = log y`.
 * @param jacobian - 1 for the simplex density, 0 for the log-simplex density.
 * @param g - `n` upstream gradients (one per row).
 * @param gLogits - `period * K` accumulator for the logits' gradient.
 * @param gTemp - `period` accumulator for the temperatures' gradient.
 * @param gValues - `n * K` destination for the values' gradient, or null to skip it.
 * @param scratch - at least K elements of working space.
 */
export function concreteLogProbVjpRows(
  n: number,
  K: number,
  period: number,
  logits: Float64Array,
  temperature: Float64Array,
  values: Float64Array,
  logSpace: boolean,
  jacobian: number,
  g: Float64Array,
  gLogits: Float64Array,
  gTemp: Float64Array,
  gValues: Float64Array | null,
  scratch: Float64Array,
): void {
  let b = 0;
  for (let r = 0; r < n; r++) {
    const o = r * K;
    const lo = b * K;
    const tau = temperature[b];
    const gr = g[r];
    let m = -Infinity;
    let sx = 0;
    for (let k = 0; k < K; k++) {
      const x = logSpace ? values[o + k] : Math.log(values[o + k]);
      sx += x;
      const a = logits[lo + k] - tau * x;
      scratch[k] = a;
      if (!(a <= m)) m = a;
    }
    let z = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(scratch[k] - m);
      scratch[k] = e;
      z += e;
    }
    let qx = 0;
    for (let k = 0; k < K; k++) {
      const q = scratch[k] / z;
      const x = logSpace ? values[o + k] : Math.log(values[o + k]);
      if (q !== 0) qx += q * x;
      gLogits[lo + k] += gr * (1 - K * q);
      if (gValues !== null) {
        const dx = gr * (K * tau * q - tau - jacobian);
        gValues[o + k] = logSpace ? dx : dx / values[o + k];
      }
    }
    gTemp[b] += gr * ((K - 1) / tau - sx + K * qx);
    if (++b === period) b = 0;
  }
}
