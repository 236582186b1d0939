/**
 * Kernels: pathwise estimators through the relaxed sample, Gumbel-Softmax and its
 * straight-through variant.
 *
 * ## Method
 *
 * `z = softmax((theta + G) / tau)` is a reparameterisation of the Concrete distribution, so for
 * fixed Gumbels `G`, `d f(z)/d theta_i = sum_j (dz_j/dtheta_i) df/dz_j` with
 * `dz_j/dtheta_i = z_j (delta_ij - z_i) / tau`, i.e.
 *
 *     g_i = (1/tau) z_i (grad f(z)_i - z . grad f(z)).
 *
 * Gumbel-Softmax (Jang, Gu, Poole 2017; Maddison, Mnih, Teh 2017) uses it as is: unbiased for
 * `d/dtheta E[f(z)]`, the gradient of the relaxed objective, biased for the discrete one (the
 * bias vanishes as `tau -> 0`, while the variance grows). Straight-through Gumbel-Softmax (Jang
 * et al. 2017, section 2.2; Bengio et al. 2013) evaluates the objective on the hard sample
 * `h = onehot(argmax z)` and borrows the relaxed Jacobian: the same product with `grad f(h)` in
 * place of `grad f(z)`. It is biased for both objectives.
 *
 * Uniform layout: one estimate takes K uniforms, the Gumbels `G_k = -log(-log u_k)`.
 *
 * ## References
 *
 * - E. Jang, S. Gu, B. Poole, "Categorical reparameterization with Gumbel-Softmax", ICLR 2017.
 * - C. J. Maddison, A. Mnih, Y. W. Teh, "The Concrete distribution", ICLR 2017.
 * - Y. Bengio, N. Leonard, A. Courville, "Estimating or propagating gradients through stochastic
 *   neurons for conditional computation", arXiv:1308.3432, 2013.
 *
 * @packageDocumentation
 */
import type { Objective } from './objectives.js';
import {
  type GradientWorkspace,
  objectiveGradAtOneHot,
  perturbLogits,
  softmaxPullback,
  temperedSoftmax,
} from './gradient-common.js';

/**
 * Gumbel-Softmax: `groups` estimates `(1/tau) z (grad f(z) - z . grad f(z))`, K uniforms each.
 *
 * @param groups - the number of estimates.
 * @param K - categories.
 * @param logits - `theta`.
 * @param tau - the temperature (> 0).
 * @param objective - `f`.
 * @param u - uniforms in (0, 1), `groups * K` from `uo`.
 * @param uo - first uniform.
 * @param out - receives `groups * K` values from `oo`.
 * @param oo - first output index.
 * @param ws - working space for K.
 */
export function gumbelSoftmaxGroups(
  groups: number,
  K: number,
  logits: Float64Array,
  tau: number,
  objective: Objective,
  u: Float64Array,
  uo: number,
  out: Float64Array,
  oo: number,
  ws: GradientWorkspace,
): void {
  const { x, z, g } = ws;
  for (let e = 0; e < groups; e++) {
    perturbLogits(K, logits, u, uo, x);
    temperedSoftmax(K, x, tau, z);
    objective.grad(z, g);
    softmaxPullback(K, z, g, tau, out, oo);
    uo += K;
    oo += K;
  }
}

/**
 * Straight-through Gumbel-Softmax: `groups` estimates `(1/tau) z (grad f(h) - z . grad f(h))`
 * with `h = onehot(argmax z)`, K uniforms each.
 *
 * @param groups - the number of estimates.
 * @param K - categories.
 * @param logits - `theta`.
 * @param tau - the temperature (> 0).
 * @param objective - `f`.
 * @param u - uniforms in (0, 1), `groups * K` from `uo`.
 * @param uo - first uniform.
 * @param out - receives `groups * K` values from `oo`.
 * @param oo - first output index.
 * @param ws - working space for K.
 */
export function straightThroughGroups(
  groups: number,
  K: number,
  logits: Float64Array,
  tau: number,
  objective: Objective,
  u: Float64Array,
  uo: number,
  out: Float64Array,
  oo: number,
  ws: GradientWorkspace,
): void {
  const { x, z, g, onehot } = ws;
  for (let e = 0; e < groups; e++) {
    const b = perturbLogits(K, logits, u, uo, x);
    temperedSoftmax(K, x, tau, z);
    objectiveGradAtOneHot(objective, onehot, b, g);
    softmaxPullback(K, z, g, tau, out, oo);
    uo += K;
    oo += K;
  }
}
