/**
 * Kernel: the REBAR estimator (Tucker et al. 2017) with `eta = 1` and the relaxation's
 * temperature `lambda = tau`.
 *
 * ## Method
 *
 * With `x = theta + G`, `b = argmax x`, `sigma(x) = softmax(x / lambda)` and `x~` a draw of
 * `x` given `b` that is a smooth function `x~(theta, v; b)` of the logits for fixed noise `v`
 * and fixed `b` (`gradient-conditional-gumbel.ts`):
 *
 *     g = [f(e_b) - f(sigma(x~))] (e_b - pi) + d/dtheta f(sigma(x)) - d/dtheta f(sigma(x~)).
 *
 * Why it is unbiased: the first part without the control variate is REINFORCE. For the control
 * variate, `E_x[f(sigma(x))] = E_b E_{x~|b}[f(sigma(x~))]`, so differentiating both sides,
 * `E[d/dtheta f(sigma(x))] = E[f(sigma(x~)) (e_b - pi)] + E[d/dtheta f(sigma(x~))]` (score
 * function for `b`, reparameterisation for `x` and for `x~` given `b`): the three control-variate
 * terms have mean zero together. Only the joint law of `(b, x~)` matters, so `v` may be (and
 * here is) independent of the `G` that chose `b`, as in the paper.
 *
 * The two pathwise terms in closed form (no autograd):
 * - `d/dtheta f(sigma(x)) = J(x)^T grad f(sigma(x))`, `J` the tempered-softmax Jacobian
 *   (`dx/dtheta = I`; see `addSoftmaxPullback`);
 * - `d/dtheta f(sigma(x~))`: first `d = J(x~)^T grad f(sigma(x~))` (the cotangent on `x~`), then
 *   through `dx~_j/dtheta_i = w_j (delta_ij - pi_i)`, derived in `gradient-conditional-gumbel.ts`:
 *   component i is `w_i d_i - pi_i sum_j w_j d_j`.
 *
 * Uniform layout of one estimate (2 K uniforms): K for the Gumbels `G` of `x` (which also give
 * `b = argmax x`), then K for the conditional draw `x~` (`v_b` for its maximum, `v_j` for the
 * truncated Gumbel of category j).
 *
 * ## References
 *
 * - G. Tucker, A. Mnih, C. J. Maddison, D. Lawson, J. Sohl-Dickstein, "REBAR: Low-variance,
 *   unbiased gradient estimates for discrete latent variable models", NeurIPS 2017, eq. (4)-(6)
 *   and the appendix on categorical variables.
 *
 * @packageDocumentation
 */
import type { Objective } from './objectives.js';
import {
  type GradientWorkspace,
  addSoftmaxPullback,
  objectiveAtOneHot,
  perturbLogits,
  softmaxPullback,
  temperedSoftmax,
  writeScore,
} from './gradient-common.js';
import { conditionalPerturbedLogits, subtractConditionalPullback } from './gradient-conditional-gumbel.js';

/**
 * REBAR (`eta = 1`, `lambda = tau`): `groups` estimates, 2 K uniforms each.
 *
 * @param groups - the number of estimates.
 * @param K - categories.
 * @param logits - `theta`.
 * @param probs - `pi = softmax(theta)`.
 * @param lse - `LSE(theta)`.
 * @param tau - the relaxation temperature `lambda` (> 0).
 * @param objective - `f`.
 * @param u - uniforms in (0, 1), `groups * 2K` from `uo`.
 * @param uo - first uniform.
 * @param out - receives `groups * K` values from `oo`.
 * @param oo - first output index.
 * @param ws - working space for K.
 */
export function rebarGroups(
  groups: number,
  K: number,
  logits: Float64Array,
  probs: Float64Array,
  lse: number,
  tau: number,
  objective: Objective,
  u: Float64Array,
  uo: number,
  out: Float64Array,
  oo: number,
  ws: GradientWorkspace,
): void {
  const { x, z, xc, zc, g, v, w, onehot } = ws;
  const inv = 1 / tau;
  for (let e = 0; e < groups; e++) {
    const b = perturbLogits(K, logits, u, uo, x);
    const fb = objectiveAtOneHot(objective, onehot, b);
    conditionalPerturbedLogits(K, probs, lse, b, u, uo + K, xc, w);
    temperedSoftmax(K, xc, tau, zc);
    const fc = objective.f(zc);
    objective.grad(zc, g);
    softmaxPullback(K, zc, g, tau, v, 0);
    // [f(e_b) - f(sigma(x~))] (e_b - pi) - d/dtheta f(sigma(x~)) ...
    writeScore(K, probs, b, fb - fc, out, oo);
    subtractConditionalPullback(K, probs, w, v, out, oo);
    // ... + d/dtheta f(sigma(x)).
    temperedSoftmax(K, x, tau, z);
    objective.grad(z, g);
    addSoftmaxPullback(K, z, g, inv, out, oo);
    uo += 2 * K;
    oo += K;
  }
}
