/**
 * Kernels: score-function (REINFORCE) estimators of `d/dtheta E[f(onehot(b))]`,
 * `b ~ Categorical(softmax(theta))`.
 *
 * ## Method
 *
 * `d/dtheta E f(e_b) = sum_b f(e_b) d pi_b/dtheta = E[f(e_b) d log pi_b/dtheta]` and
 * `d log pi_b / d theta = e_b - pi` (log-softmax), so `f(e_b)(e_b - pi)` is unbiased (Williams
 * 1992). Leave-one-out (Kool, van Hoof, Welling 2019; Mnih & Rezende 2016): with m independent
 * draws, `(f_i - mean_{j != i} f_j)(e_{b_i} - pi)` is still unbiased for each i, because the
 * baseline is independent of `b_i` and `E[e_{b_i} - pi] = 0`. The m estimates of a group are
 * correlated (they share the baselines), so standard errors must come from group means.
 *
 * Uniform layout: one draw takes K uniforms (an exponential race, equal to the Gumbel-max
 * category of the same uniforms, see `categoricalRace`); a `reinforce` group is 1 draw (K
 * uniforms), a `reinforce-loo` group is m draws (m K uniforms, draw i at `i K`).
 *
 * ## References
 *
 * - R. J. Williams, "Simple statistical gradient-following algorithms for connectionist
 *   reinforcement learning", Machine Learning 8, 1992.
 * - W. Kool, H. van Hoof, M. Welling, "Buy 4 REINFORCE samples, get a baseline for free!",
 *   ICLR 2019 workshop (DeepRLStructPred).
 *
 * @packageDocumentation
 */
import type { Objective } from './objectives.js';
import { type GradientWorkspace, categoricalRace, objectiveAtOneHot, writeScore } from './gradient-common.js';

/**
 * REINFORCE: `groups` estimates `f(e_b)(e_b - pi)`, K uniforms each.
 *
 * @param groups - the number of estimates.
 * @param K - categories.
 * @param probs - `pi = softmax(theta)`.
 * @param objective - `f`.
 * @param u - uniforms in (0, 1), `groups * K` from `uo`.
 * @param uo - first uniform.
 * @param out - receives `groups * K` values from `oo` (estimate e at `oo + e K`).
 * @param oo - first output index.
 * @param ws - working space for K.
 */
export function reinforceGroups(
  groups: number,
  K: number,
  probs: Float64Array,
  objective: Objective,
  u: Float64Array,
  uo: number,
  out: Float64Array,
  oo: number,
  ws: GradientWorkspace,
): void {
  const onehot = ws.onehot;
  for (let e = 0; e < groups; e++) {
    const b = categoricalRace(K, probs, u, uo);
    writeScore(K, probs, b, objectiveAtOneHot(objective, onehot, b), out, oo);
    uo += K;
    oo += K;
  }
}

/**
 * REINFORCE with the leave-one-out baseline: per group, m draws and m estimates
 * `(f_i - (S - f_i)/(m - 1))(e_{b_i} - pi)` with `S = sum_j f_j`, m K uniforms per group.
 *
 * @param groups - the number of groups.
 * @param K - categories.
 * @param m - draws per group (>= 2).
 * @param probs - `pi`.
 * @param objective - `f`.
 * @param u - uniforms, `groups * m * K` from `uo`.
 * @param uo - first uniform.
 * @param out - receives `groups * m * K` values from `oo`.
 * @param oo - first output index.
 * @param ws - working space for K and at least m.
 */
export function reinforceLooGroups(
  groups: number,
  K: number,
  m: number,
  probs: Float64Array,
  objective: Objective,
  u: Float64Array,
  uo: number,
  out: Float64Array,
  oo: number,
  ws: GradientWorkspace,
): void {
  const { onehot, values, choices } = ws;
  const scale = 1 / (m - 1);
  for (let grp = 0; grp < groups; grp++) {
    let sum = 0;
    for (let i = 0; i < m; i++) {
      const b = categoricalRace(K, probs, u, uo);
      const fb = objectiveAtOneHot(objective, onehot, b);
      choices[i] = b;
      values[i] = fb;
      sum += fb;
      uo += K;
    }
    for (let i = 0; i < m; i++) {
      const fi = values[i];
      writeScore(K, probs, choices[i], fi - (sum - fi) * scale, out, oo);
      oo += K;
    }
  }
}
