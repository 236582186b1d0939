/**
 * Kernel: Gumbel-perturbed logits conditioned on their argmax, as a differentiable function of
 * the logits (the "top-down" construction of Maddison, Tarlow, Minka 2014).
 *
 * ## Method
 *
 * Let `x_k = theta_k + G_k` with independent standard Gumbels and `Z = sum_k e^theta_k`. The
 * maximum `max_k x_k` is `Gumbel(log Z)`, the argmax `b` is `Categorical(pi)`, and the two are
 * independent; given `b` and the maximum `M = x_b`, the other `x_j` are independent
 * `Gumbel(theta_j)` truncated to `(-inf, M)` (A* sampling, section 3; "Gumbel machinery").
 * Inverting the truncated CDF `exp(-e^{-(x - theta_j)}) / exp(-e^{-(M - theta_j)})` at a uniform
 * `v_j`, with `E_j = -log v_j ~ Exp(1)`:
 *
 *     x~_b = log Z - log E_b,
 *     x~_j = -log(e^{-M} + E_j e^{-theta_j}) = log Z - log(E_b + E_j / pi_j)      (j != b),
 *
 * since `e^{-M} = E_b / Z` and `e^{-theta_j} = 1 / (Z pi_j)`. So `x~_j < x~_b` and the
 * conditional law uses K uniforms: `v_b` for the maximum, `v_j` for the others. This is the
 * conditional sample of REBAR (Tucker et al. 2017, appendix, with `theta` as probabilities) and
 * of Gumbel-Rao (Paulus et al. 2021, section 3).
 *
 * Jacobian with respect to the logits, for fixed `v` and `b`. Write `A_j = E_b + E_j / pi_j`.
 * With normalised logits (`Z = 1`) `x~_b` does not depend on `theta`, and `x~_j` depends on
 * `theta` only through `pi_j`: `dx~_j/dpi_j = E_j / (A_j pi_j^2)`, and
 * `dpi_j/dtheta_i = pi_j (delta_ij - pi_i)`, so
 *
 *     dx~_j / dtheta_i = w_j (delta_ij - pi_i),   w_j = (E_j / pi_j) / A_j = 1 - e^{x~_j - x~_b},
 *
 * with `w_b = 0` and `0 < w_j < 1`. (For unnormalised logits every `x~_k` also moves by
 * `d log Z = pi_i`, a common shift that any softmax of `x~` ignores.) The pullback of a
 * cotangent `d` is therefore `((dx~/dtheta)^T d)_i = w_i d_i - pi_i sum_j w_j d_j`.
 *
 * Exactness in floating point: `x~_j < x~_b` holds unless `E_j / pi_j < 2^-53 E_b`, which needs
 * `v_j` within about 1e-15 of 1 (probability ~1e-15 per entry); then the two are equal.
 *
 * ## References
 *
 * - C. J. Maddison, D. Tarlow, T. Minka, "A* sampling", NeurIPS 2014, section 3.
 * - C. J. Maddison, D. Tarlow, "Gumbel machinery", blog post, 2017.
 * - G. Tucker et al., "REBAR", NeurIPS 2017, appendix (categorical case).
 * - M. B. Paulus, C. J. Maddison, A. Krause, "Rao-Blackwellizing the straight-through
 *   Gumbel-Softmax gradient estimator", ICLR 2021, section 3.
 *
 * @packageDocumentation
 */

/**
 * Writes perturbed logits `x~` distributed as `theta + G` conditioned on `argmax = b`, from K
 * uniforms (`u[uo + b]` gives the maximum, `u[uo + j]` the truncated Gumbel of category j), and,
 * when `w` is given, the Jacobian weights `w_j = 1 - e^{x~_j - x~_b}` (`dx~_j/dtheta_i =
 * w_j (delta_ij - pi_i)`, `w_b = 0`). A category with `pi_j = 0` gets `x~_j = -Infinity`,
 * `w_j = 1`.
 *
 * @param K - categories.
 * @param probs - `pi = softmax(theta)`.
 * @param lse - `LSE(theta)` (0 for normalised logits): the location of the maximum.
 * @param b - the conditioning category (`pi_b > 0`).
 * @param u - uniforms in (0, 1).
 * @param uo - first of the K uniforms used.
 * @param xc - receives the K conditional perturbed logits.
 * @param w - receives the K Jacobian weights, or null to skip them.
 *
 * @example
 * ```ts
 * const xc = new Float64Array(3);
 * conditionalPerturbedLogits(3, Float64Array.of(0.2, 0.3, 0.5), 0, 0, Float64Array.of(0.5, 0.9, 0.1), 0, xc, null);
 * xc; // [0.36651..., -0.04339..., -1.66738...]: argmax 0 whatever the uniforms, xc[0] = -log(log 2)
 * ```
 */
export function conditionalPerturbedLogits(
  K: number,
  probs: Float64Array,
  lse: number,
  b: number,
  u: Float64Array,
  uo: number,
  xc: Float64Array,
  w: Float64Array | null,
): void {
  const eb = -Math.log(u[uo + b]);
  for (let j = 0; j < K; j++) {
    if (j === b) continue;
    const ej = -Math.log(u[uo + j]);
    // pi_j = 0 gives E_j / pi_j = Infinity, hence -Infinity: the category cannot win.
    xc[j] = lse - Math.log(eb + ej / probs[j]);
    // w_j = (E_j/pi_j) / (E_b + E_j/pi_j), written so that pi_j = 0 gives 1, not Infinity/Infinity.
    if (w !== null) w[j] = 1 / (1 + (eb * probs[j]) / ej);
  }
  xc[b] = lse - Math.log(eb);
  if (w !== null) w[b] = 0;
}

/**
 * Adds `-(dx~/dtheta)^T d` to `out`: `out_i -= w_i d_i - pi_i sum_j w_j d_j` (the pullback of
 * a cotangent `d` through {@link conditionalPerturbedLogits}, subtracted as REBAR needs it).
 *
 * @param K - categories.
 * @param probs - `pi`.
 * @param w - the Jacobian weights from {@link conditionalPerturbedLogits}.
 * @param d - the cotangent `df/dx~`, K entries.
 * @param out - updated from `oo`.
 * @param oo - first index.
 */
export function subtractConditionalPullback(
  K: number,
  probs: Float64Array,
  w: Float64Array,
  d: Float64Array,
  out: Float64Array,
  oo: number,
): void {
  let wd = 0;
  for (let j = 0; j < K; j++) wd += w[j] * d[j];
  for (let i = 0; i < K; i++) out[oo + i] -= w[i] * d[i] - probs[i] * wd;
}
