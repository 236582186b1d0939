/**
 * How the WebAssembly draw kernels turn Exp(1) draws into weights for each batch element: the
 * cheapest exact form for its temperature (see `assembly/concrete-rows.ts`), and the
 * constants it needs. A pure function of (logits, temperature), so every thread and every
 * chunk of a job draws identically.
 *
 * @packageDocumentation
 */

/** w_k = (pi_k / E_k)^n with n = 1/tau a small integer. */
export const MODE_POWER = 1;
/** w_k = exp(s_k - max s), s_k = a_k - log(E_k) / tau: every other temperature. */
export const MODE_SHIFTED = 2;
/** Doubles per batch element in the coefficient block: [mode, 1/tau, log2(e)/tau, n]. */
export const COEF_DOUBLES = 4;
/** Rows of Kp doubles per batch element in the weights block. */
export const WEIGHT_ROWS = 3;
/** The largest integer power drawn without exp. */
const MAX_POWER = 8;

/**
 * @param K - categories.
 * @returns the row width of the kernels: K rounded up to even (whole f64x2 pairs).
 */
export function paddedWidth(K: number): number {
  return K + (K & 1);
}

/**
 * Fills the per-batch-element coefficients and weights of the draw kernels.
 *
 * POWER needs no exp at all and is exact to a few ulps. SHIFTED subtracts the row maximum
 * before the exponential, as a log-sum-exp does: a single pass with a fixed offset would be
 * cheaper, but an offset large enough to rule out overflow for every draw puts exponents near
 * 700 and costs about 1e-13 of relative accuracy in every weight.
 *
 * @param B - batch elements.
 * @param K - categories.
 * @param logits - `B * K` normalised logits.
 * @param temperature - `B` temperatures.
 * @param coef - `B * 4` doubles out: [mode, 1/tau, log2(e)/tau, n].
 * @param wts - `B * 3 * Kp` doubles out: [a_k = l_k / tau (Kp) | pi_k (Kp) | a_k log2(e) (Kp)],
 *   padding a = -Infinity, pi = 0.
 */
export function drawCoefficients(
  B: number,
  K: number,
  logits: Float64Array,
  temperature: Float64Array,
  coef: Float64Array,
  wts: Float64Array,
): void {
  const Kp = paddedWidth(K);
  for (let b = 0; b < B; b++) {
    const tau = temperature[b];
    const inv = 1 / tau;
    const a = b * WEIGHT_ROWS * Kp;
    for (let k = 0; k < Kp; k++) {
      const l = k < K ? logits[b * K + k] : -Infinity;
      wts[a + k] = l * inv;
      wts[a + Kp + k] = Math.exp(l);
      wts[a + 2 * Kp + k] = l * inv * Math.LOG2E;
    }
    const n = Math.round(inv);
    const power = n >= 1 && n <= MAX_POWER && n === inv && 1 / n === tau;
    coef[b * COEF_DOUBLES] = power ? MODE_POWER : MODE_SHIFTED;
    coef[b * COEF_DOUBLES + 1] = inv;
    coef[b * COEF_DOUBLES + 2] = inv * Math.LOG2E;
    coef[b * COEF_DOUBLES + 3] = power ? n : 0;
  }
}
