/**
 * Kernel: the Gumbel-Rao estimator, straight-through Gumbel-Softmax Rao-Blackwellised over the
 * Gumbels given the category (Paulus, Maddison, Krause 2021).
 *
 * ## Method
 *
 * The straight-through estimate is `J(x)^T grad f(e_b)` with `J(x)` the Jacobian of
 * `softmax(x / tau)` and `b = argmax x`. Conditioning on `b` keeps the mean and cannot raise the
 * variance (Rao-Blackwell; law of total variance):
 *
 *     g_GR = E[J(x) | b]^T grad f(e_b),
 *
 * estimated with m draws `x~^(r) ~ (theta + G | argmax = b)` (see
 * `gradient-conditional-gumbel.ts`): `g = (1/m) sum_r J(x~^(r))^T grad f(e_b)`, i.e.
 * `(1/(tau m)) sum_r z~_i (d_i - z~ . d)` with `z~ = softmax(x~ / tau)`, `d = grad f(e_b)`.
 * Given b the m draws are independent, so `Var = Var(E[g_ST | b]) + E[Var(g_ST | b)] / m`, which
 * is at most `Var(g_ST)` for every m >= 1 (equal for m = 1, where `(b, x~)` has the law of
 * `(b, x)`: the estimate is distributed exactly as straight-through).
 *
 * Uniform layout of one estimate (`K (m + 1)` uniforms): K for the category `b` (an exponential
 * race, the Gumbel-max category of those uniforms), then m blocks of K for the conditional draws.
 * Only the category is taken from the first block: the ST sample `x` it came from is replaced by
 * the m fresh conditional draws.
 *
 * ## References
 *
 * - M. B. Paulus, C. J. Maddison, A. Krause, "Rao-Blackwellizing the straight-through
 *   Gumbel-Softmax gradient estimator", ICLR 2021, sections 3 and 4 (GR-MC_K).
 *
 * @packageDocumentation
 */
import type { Objective } from './objectives.js';
import {
  type GradientWorkspace,
  addSoftmaxPullback,
  categoricalRace,
  objectiveGradAtOneHot,
  temperedSoftmax,
} from './gradient-common.js';
import { conditionalPerturbedLogits } from './gradient-conditional-gumbel.js';

/**
 * Gumbel-Rao: `groups` estimates, each the straight-through gradient averaged over m
 * conditional Gumbel draws given the category, `K (m + 1)` uniforms each.
 *
 * @param groups - the number of estimates.
 * @param K - categories.
 * @param m - conditional draws per estimate (>= 1).
 * @param probs - `pi = softmax(theta)`.
 * @param lse - `LSE(theta)`.
 * @param tau - the temperature (> 0).
 * @param objective - `f`.
 * @param u - uniforms in (0, 1), `groups * K (m + 1)` from `uo`.
 * @param uo - first uniform.
 * @param out - receives `groups * K` values from `oo`.
 * @param oo - first output index.
 * @param ws - working space for K.
 */
export function gumbelRaoGroups(
  groups: number,
  K: number,
  m: number,
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
  const { xc, zc, g, onehot } = ws;
  const scale = 1 / (tau * m);
  for (let e = 0; e < groups; e++) {
    const b = categoricalRace(K, probs, u, uo);
    uo += K;
    objectiveGradAtOneHot(objective, onehot, b, g);
    for (let k = 0; k < K; k++) out[oo + k] = 0;
    for (let r = 0; r < m; r++) {
      conditionalPerturbedLogits(K, probs, lse, b, u, uo, xc, null);
      temperedSoftmax(K, xc, tau, zc);
      addSoftmaxPullback(K, zc, g, scale, out, oo);
      uo += K;
    }
    oo += K;
  }
}
