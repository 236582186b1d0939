/**
 * Building blocks shared by the gradient-estimator kernels: the working space, the categorical
 * draw, Gumbel-perturbed logits, the tempered softmax and its pullback, and one-hot evaluation.
 *
 * Notation used in every `gradient-*.ts` file: `theta` are the logits (normalised in practice,
 * `LSE(theta) = 0`), `pi = softmax(theta)`, `tau` the temperature, `G_k = -log(-log u_k)` a
 * standard Gumbel made from a uniform `u_k` in (0, 1), `x = theta + G` the perturbed logits,
 * `z = softmax(x / tau)` the relaxed (Concrete) sample and `b = argmax x` the category.
 *
 * All functions are loops over Float64Arrays: no allocation, no closures, never throw.
 *
 * @packageDocumentation
 */
import type { Objective } from './objectives.js';
import { RangeError, Rule } from '../errors.js';

/**
 * Preallocated working space of the estimators for one K (and one group size / draw count m).
 * Made once per job per thread by {@link createGradientWorkspace}; the kernels only read and
 * write its arrays. `onehot` is all zeros between calls (see {@link objectiveAtOneHot}).
 */
export interface GradientWorkspace {
  /** The number of categories. */
  readonly K: number;
  /** The largest `m` (LOO group size, Gumbel-Rao draws) this space serves. */
  readonly m: number;
  /** Perturbed logits `x = theta + G` (K). */
  readonly x: Float64Array;
  /** Relaxed sample `softmax(x / tau)` (K). */
  readonly z: Float64Array;
  /** Conditional perturbed logits `x~` given the category (K). */
  readonly xc: Float64Array;
  /** Conditional relaxed sample `softmax(x~ / tau)` (K). */
  readonly zc: Float64Array;
  /** Objective gradient `df/dz` (K). */
  readonly g: Float64Array;
  /** Pullback `df/dx` through the tempered softmax (K). */
  readonly v: Float64Array;
  /** Jacobian weights of the conditional perturbed logits (REBAR, K). */
  readonly w: Float64Array;
  /** A one-hot vector, zero between uses (K). */
  readonly onehot: Float64Array;
  /** Objective values of a LOO group (m). */
  readonly values: Float64Array;
  /** Categories of a LOO group (m). */
  readonly choices: Int32Array;
}

/**
 * Allocates the working space of the gradient kernels.
 *
 * @param K - the number of categories (a positive integer).
 * @param m - the largest group size / draw count it will serve (a positive integer; 1 if unused).
 * @returns the workspace.
 * @throws RangeError - if K or m is not a positive integer.
 *
 * @example
 * ```ts
 * const ws = createGradientWorkspace(10, 4);
 * ws.x.length; // 10
 * ```
 */
export function createGradientWorkspace(K: number, m = 1): GradientWorkspace {
  if (!Number.isSafeInteger(K) || K < 1) {
    throw new RangeError(`createGradientWorkspace: K must be a positive integer, received ${String(K)}`, {
      argument: 'K',
      rule: Rule.positiveInteger,
    });
  }
  if (!Number.isSafeInteger(m) || m < 1) {
    throw new RangeError(`createGradientWorkspace: m must be a positive integer, received ${String(m)}`, {
      argument: 'm',
      rule: Rule.positiveInteger,
    });
  }
  return {
    K,
    m,
    x: new Float64Array(K),
    z: new Float64Array(K),
    xc: new Float64Array(K),
    zc: new Float64Array(K),
    g: new Float64Array(K),
    v: new Float64Array(K),
    w: new Float64Array(K),
    onehot: new Float64Array(K),
    values: new Float64Array(m),
    choices: new Int32Array(m),
  };
}

/**
 * Draws `b ~ Categorical(pi)` from K uniforms as an exponential race: `b = argmax_k pi_k / E_k`
 * with `E_k = -log u_k ~ Exp(1)` (the first of K independent clocks of rates `pi_k` to ring).
 * Since `theta_k + G_k = log(pi_k / E_k) + LSE(theta)`, this is exactly the Gumbel-max category of
 * the same uniforms (up to rounding ties, probability ~1e-16) at one logarithm per category
 * instead of two. A category with `pi_k = 0` is never chosen.
 *
 * @param K - categories.
 * @param probs - `pi`, K entries.
 * @param u - uniforms in (0, 1).
 * @param uo - first of the K uniforms used.
 * @returns the category `b`.
 */
export function categoricalRace(K: number, probs: Float64Array, u: Float64Array, uo: number): number {
  let best = 0;
  let top = -1;
  for (let k = 0; k < K; k++) {
    const r = probs[k] / -Math.log(u[uo + k]);
    if (r > top) {
      top = r;
      best = k;
    }
  }
  return best;
}

/**
 * Writes the perturbed logits `x_k = theta_k + G_k`, `G_k = -log(-log u_k)`, and returns their
 * argmax (the Gumbel-max category; a `-Infinity` logit is never chosen unless all are).
 *
 * @param K - categories.
 * @param logits - `theta`, K entries.
 * @param u - uniforms in (0, 1).
 * @param uo - first of the K uniforms used.
 * @param x - receives the K perturbed logits.
 * @returns `argmax_k x_k`.
 */
export function perturbLogits(K: number, logits: Float64Array, u: Float64Array, uo: number, x: Float64Array): number {
  let best = 0;
  let top = -Infinity;
  for (let k = 0; k < K; k++) {
    const xk = logits[k] - Math.log(-Math.log(u[uo + k]));
    x[k] = xk;
    if (xk > top) {
      top = xk;
      best = k;
    }
  }
  return best;
}

/**
 * `z = softmax(x / tau)`, shifted by the maximum so nothing overflows (entries far below the
 * maximum underflow to 0, harmlessly: their pullback weight `z_k` is then 0 too).
 *
 * @param K - categories.
 * @param x - K inputs (finite or `-Infinity`, at least one finite).
 * @param tau - the temperature (> 0).
 * @param z - receives the K probabilities.
 */
export function temperedSoftmax(K: number, x: Float64Array, tau: number, z: Float64Array): void {
  let top = -Infinity;
  for (let k = 0; k < K; k++) if (x[k] > top) top = x[k];
  const inv = 1 / tau;
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp((x[k] - top) * inv);
    z[k] = e;
    sum += e;
  }
  const norm = 1 / sum;
  for (let k = 0; k < K; k++) z[k] *= norm;
}

/**
 * Adds `scale * J^T d` to `out`, where `J = (diag(z) - z z^T) / tau` is the Jacobian of
 * `z = softmax(x / tau)` with respect to `x` (symmetric, so this is also `J d`):
 * `out_k += scale * z_k (d_k - z . d)` (the caller folds `1 / tau` into `scale`).
 *
 * Why it is also the gradient with respect to the logits: `x = theta + G` has `dx/dtheta = I`;
 * for normalised logits `theta = log softmax(theta')` the extra factor `(I - 1 pi^T)` changes
 * nothing because every column of `J` sums to 0 (softmax ignores a common shift).
 *
 * @param K - categories.
 * @param z - the softmax output, K entries.
 * @param d - the cotangent (`df/dz`), K entries.
 * @param scale - the factor (`1 / tau`, or `1 / (tau m)` for an average of m terms).
 * @param out - accumulates the K results from `oo`.
 * @param oo - first index written in `out`.
 */
export function addSoftmaxPullback(
  K: number,
  z: Float64Array,
  d: Float64Array,
  scale: number,
  out: Float64Array,
  oo: number,
): void {
  let zd = 0;
  for (let k = 0; k < K; k++) zd += z[k] * d[k];
  for (let k = 0; k < K; k++) out[oo + k] += scale * z[k] * (d[k] - zd);
}

/**
 * Writes `v = J^T d` (see {@link addSoftmaxPullback}) into `v`: `v_k = z_k (d_k - z . d) / tau`.
 *
 * @param K - categories.
 * @param z - the softmax output, K entries.
 * @param d - the cotangent, K entries.
 * @param tau - the temperature.
 * @param v - receives the K results from `vo` (may alias `d` when `vo = 0`).
 * @param vo - first index written in `v`.
 */
export function softmaxPullback(
  K: number,
  z: Float64Array,
  d: Float64Array,
  tau: number,
  v: Float64Array,
  vo: number,
): void {
  let zd = 0;
  for (let k = 0; k < K; k++) zd += z[k] * d[k];
  const inv = 1 / tau;
  for (let k = 0; k < K; k++) v[vo + k] = inv * z[k] * (d[k] - zd);
}

/**
 * `f(e_b)`, evaluated on the workspace's one-hot vector (set, call, reset: no allocation).
 *
 * @param objective - the objective.
 * @param onehot - an all-zero vector of length K; zero again on return.
 * @param b - the category.
 * @returns `f(e_b)`.
 */
export function objectiveAtOneHot(objective: Objective, onehot: Float64Array, b: number): number {
  onehot[b] = 1;
  const value = objective.f(onehot);
  onehot[b] = 0;
  return value;
}

/**
 * `grad f(e_b)` into `g`, evaluated on the workspace's one-hot vector.
 *
 * @param objective - the objective.
 * @param onehot - an all-zero vector of length K; zero again on return.
 * @param b - the category.
 * @param g - receives the K partial derivatives.
 */
export function objectiveGradAtOneHot(objective: Objective, onehot: Float64Array, b: number, g: Float64Array): void {
  onehot[b] = 1;
  objective.grad(onehot, g);
  onehot[b] = 0;
}

/**
 * Writes `scale * (e_b - pi)` to `out[oo .. oo + K)`: the score `d log pi_b / d theta` times a
 * weight (REINFORCE's `f(e_b) (e_b - pi)`).
 *
 * @param K - categories.
 * @param probs - `pi`.
 * @param b - the category.
 * @param scale - the weight.
 * @param out - destination.
 * @param oo - first index written.
 */
export function writeScore(
  K: number,
  probs: Float64Array,
  b: number,
  scale: number,
  out: Float64Array,
  oo: number,
): void {
  for (let k = 0; k < K; k++) out[oo + k] = -scale * probs[k];
  out[oo + b] += scale;
}
