/**
 * Mode of the Concrete (Relaxed One-Hot Categorical) density on the open simplex (spec section 7).
 *
 * ## Method
 *
 * The density is bounded with an interior maximum only when `tau > K - 1` and every class has
 * positive probability (spec section 7.1). Maximising `log p` on the simplex with a Lagrange
 * multiplier gives, with `q = softmax(logits - tau log y)`,
 *
 *     K y_k + K tau q_k = tau + 1   for every k,
 *
 * i.e. `h(y_k) = c pi_k` for one `c > 0`, where `h(y) = ((tau + 1)/K - y) y^tau` rises on
 * `(0, tau/K)` and falls on `(tau/K, (tau + 1)/K)` (spec section 7.2). Since `tau/K >= 1/2`,
 * only the most probable class `m` can sit on the falling branch. Parametrising by
 * `t = y_m`, every other `y_k(t)` is the root of `h(y) = h(t) pi_k / pi_m` on the rising
 * branch, found by bisection on `log h` in `log y` (which resolves tiny roots), and
 * `t + sum_k y_k(t) = 1` is solved by bisection in `t` (spec section 7.3). When that sum
 * already exceeds 1 at `t = tau/K` the root lies on the rising branch, where the sum is
 * increasing in `t`, so the stationary point found there is the unique one.
 * Both bisections run until the bracket cannot shrink, so the result is limited only by
 * rounding and the conditioning of `h` near its maximum.
 *
 * ## References
 *
 * - C. J. Maddison, A. Mnih, Y. W. Teh, "The Concrete Distribution", ICLR 2017 (the density).
 * - Specification `relaxed-one-hot-categorical.md`, section 7.
 *
 * @packageDocumentation
 */
import { checkConcreteArguments } from './concrete-arguments.js';

/**
 * The mode (maximiser of the density on the open simplex) of the Concrete distribution.
 *
 * Returns the interior maximiser when `tau > K - 1`; a vector of NaN when `tau <= K - 1`
 * (the density is unbounded near the vertices, or for `tau = K - 1` its supremum is only
 * approached on the boundary) or when some class has probability 0 (`-Infinity` logit: the
 * density is 0 on the open simplex). The one-hot `argmax` is never returned: it is not a
 * mode of this density. `K = 1` gives `[1]`.
 *
 * @param logits - unnormalised log-probabilities, one per category (`K >= 1`); finite or `-Infinity`.
 * @param temperature - the temperature `tau`, finite and `> 0`.
 * @returns the mode, length K (all NaN when there is none).
 * @throws RangeError - for an empty `logits`, a NaN or `+Infinity` logit, all logits `-Infinity`,
 *   or a temperature that is not finite and positive.
 *
 * @example
 * ```ts
 * import { concreteMode } from './mode.js';
 *
 * concreteMode([Math.log(0.5), Math.log(1.5)], 3); // Float64Array(2) [ 0.3985898695609403, 0.6014101304390598 ]
 * concreteMode([0, 0, 0], 2.5);  // Float64Array(3) [ 0.33333333333333337, 0.33333333333333337, 0.33333333333333337 ]
 * concreteMode([0, 1, 2], 1.5);  // Float64Array(3) [ NaN, NaN, NaN ]  (tau <= K - 1)
 * ```
 */
export function concreteMode(logits: ArrayLike<number>, temperature: number): Float64Array {
  checkConcreteArguments('concreteMode', logits, temperature);
  const K = logits.length;
  const tau = temperature;
  const y = new Float64Array(K);
  if (K === 1) {
    y[0] = 1;
    return y;
  }
  let m = 0;
  for (let k = 0; k < K; k++) {
    if (logits[k] === -Infinity) return y.fill(NaN);
    if (logits[k] > logits[m]) m = k;
  }
  if (!(tau > K - 1)) return y.fill(NaN);

  const A = (tau + 1) / K;
  const B = tau / K;
  const logA = Math.log(A);
  const logB = Math.log(B);
  const logh = (v: number): number => Math.log(A - v) + tau * Math.log(v);

  /** Root in `(0, tau/K]` of `log h(y) = target`, on the rising branch. */
  const risingRoot = (target: number): number => {
    // log h(e^v) <= log A + tau v, so the root is at or above vLo.
    let lo = (target - logA) / tau;
    let hi = logB;
    if (!(Math.log(A - B) + tau * logB > target)) return B;
    for (;;) {
      const mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) break;
      if (Math.log(A - Math.exp(mid)) + tau * mid < target) lo = mid;
      else hi = mid;
    }
    return Math.exp(0.5 * (lo + hi));
  };

  /** Fills `y` for `y_m = t` and returns `sum_k y_k`. */
  const fill = (t: number): number => {
    const base = logh(t);
    let sum = t;
    y[m] = t;
    for (let k = 0; k < K; k++) {
      if (k === m) continue;
      y[k] = risingRoot(base + (logits[k] - logits[m]));
      sum += y[k];
    }
    return sum;
  };

  let lo: number;
  let hi: number;
  if (fill(B) >= 1) {
    lo = 0;
    hi = B;
  } else {
    lo = B;
    hi = A;
  }
  for (;;) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (fill(mid) < 1) lo = mid;
    else hi = mid;
  }
  // lo and hi are adjacent doubles: keep the one whose coordinates sum closer to 1.
  const missLo = lo > 0 ? Math.abs(fill(lo) - 1) : Infinity;
  if (Math.abs(fill(hi) - 1) > missLo) fill(lo);
  return y;
}
