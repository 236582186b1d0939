/**
 * Exact mean, variance and covariance of the Concrete (Relaxed One-Hot Categorical)
 * distribution, by one-dimensional quadrature (spec section 6).
 *
 * ## Method
 *
 * `y = w / S` with `w_j = exp((logit_j + G_j) / tau)`; writing `1/S` and `1/S^2` as Laplace
 * integrals and using independence turns every first and second moment into a single
 * integral of products of three universal functions (spec section 6.2). Those functions are
 * the distribution function and density of `G + tau G'` and the density of
 * `G - tau log Gamma(2)` (`noise-laws.ts`), and on the scale `x = s / max(1, tau)` the outer
 * integrals (`moment-integrals.ts`) have a window and a smoothness that do not depend on
 * `tau`: the variable follows the peak as `tau -> 0` (where the old variable `sigma` of spec
 * section 6.3 needed ~`1/tau` nodes, and ~`1/tau^2` work) and as `tau -> infinity`. Both the
 * inner and the outer rules are trapezoidal with step 1/4 on integrands analytic in a strip of
 * half-width `pi/2`, so they converge like `e^-39`; tails are cut at `e^-48` or below. With many
 * distinct logits the inner functions are tabulated once per temperature and interpolated
 * (`noise-table.ts`), so the cost is `O(K)` per outer node plus a fixed table.
 *
 * Limits: at `tau = 1e-300` the noise is `G` to double precision and the results are
 * `E[y] = pi`, `Var = pi (1 - pi)` exactly as the limit says; at `tau = 1e300` they are `1/K`
 * and a variance that underflows to 0 (its true value, `~(pi^2/6)(K-1)/(K^3 tau^2)`, is below
 * the double range).
 *
 * ## References
 *
 * - C. J. Maddison, A. Mnih, Y. W. Teh, "The Concrete Distribution", ICLR 2017.
 * - E. Jang, S. Gu, B. Poole, "Categorical Reparameterization with Gumbel-Softmax", ICLR 2017.
 * - Specification `relaxed-one-hot-categorical.md`, sections 6.1 to 6.5.
 *
 * @packageDocumentation
 */
import { checkConcreteArguments } from './concrete-arguments.js';
import { integrateGroupMoments } from './moment-integrals.js';
import { RangeError, Rule } from '../../errors.js';

/** Exact moments of one Concrete distribution (one batch row). */
export interface ExactMoments {
  /** `E[y_k]`, length K. */
  mean: Float64Array;
  /** `E[y_k^2]`, length K. */
  secondMoment: Float64Array;
  /** `E[y_k^2] - E[y_k]^2`, length K. */
  variance: Float64Array;
  /** K*K row-major, only when `options.covariance`; the diagonal equals `variance`. */
  covariance?: Float64Array;
}

/**
 * A class whose mean is below `e^-750` (it underflows) is left out of the computation; its
 * effect on the other classes is of the same size, far below one ulp. For a class with
 * `logit - max logit = gap` the mean is about `e^(gap)` when `tau < 1` and `e^(gap / tau)`
 * otherwise (spec section 6.2, tails of the outer integrand).
 */
const NEGLIGIBLE_LOG_MEAN = -750;

/**
 * Stated absolute accuracy of every mean, second moment, variance and covariance entry from
 * {@link exactMoments}, for every `tau` in `(0, Infinity)` and every K: ten times the largest
 * error measured against independent references (golden data, closed forms, a logistic
 * quadrature at K = 2 from `tau = 1e-300` to `1e300`, refinement of both steps).
 */
export const EXACT_MOMENT_ACCURACY = 1e-14;

/**
 * Largest K for which {@link exactMoments} computes the covariance: its cost is about
 * `K^2 / 2` pair updates per outer node (~250 nodes), ~1 s at K = 512 on one core, and its
 * memory `K^2` doubles. Above it the covariance is refused with a `RangeError`.
 */
export const MAX_COVARIANCE_CATEGORIES = 512;

/**
 * Exact first and second moments of the Concrete distribution with the given logits and
 * temperature.
 *
 * The logits may be unnormalised (adding a constant changes nothing) and may contain
 * `-Infinity` (classes of probability 0, whose moments are exactly 0). The absolute error is at
 * most {@link EXACT_MOMENT_ACCURACY} (observed: a few units of 1e-16) for every entry and every
 * temperature (a variance that the subtraction `E[y^2] - E[y]^2` would round below zero is
 * returned as 0, so a variance far below `E[y]^2`, as at `tau >> K`, has this absolute accuracy
 * but not a relative one); means of rare classes keep about 1e-14 relative accuracy.
 * The cost does not grow as `tau` falls or rises: warm, on one core, about 5-30 ms for K = 16,
 * 40-100 ms for K = 1000 and about 1 s for K = 10^4, for any `tau` from 1e-300 to 1e300 (see
 * `bench/exact-moments.bench.ts`); memory is O(K). The covariance adds `K^2 / 2` work per node
 * and is refused above K = {@link MAX_COVARIANCE_CATEGORIES}.
 *
 * @param logits - unnormalised log-probabilities, one per category (`K >= 1`); finite or `-Infinity`.
 * @param temperature - the temperature `tau`, finite and `> 0`.
 * @param options - `covariance: true` also returns the K*K covariance matrix.
 * @returns the mean, second moment and variance of every coordinate (and the covariance).
 * @throws RangeError - for an empty `logits`, a NaN or `+Infinity` logit, all logits `-Infinity`,
 *   a temperature that is not finite and positive, or a covariance with more than
 *   {@link MAX_COVARIANCE_CATEGORIES} categories.
 *
 * @example
 * ```ts
 * import { exactMoments } from './exact-moments.js';
 *
 * // K = 2, tau = 1, equal logits: y_1 is Uniform(0, 1) (mean 1/2, variance 1/12).
 * const u = exactMoments([0, 0], 1, { covariance: true });
 * console.log(u.mean);       // Float64Array(2) [ 0.5, 0.5 ]
 * console.log(u.variance);   // Float64Array(2) [ 0.08333333333333337, 0.08333333333333337 ]
 * console.log(u.covariance); // Float64Array(4) [ 0.08333333333333337, -0.08333333333333331,
 *                            //                   -0.08333333333333331, 0.08333333333333337 ]
 *
 * // probs (0.3, 0.7) at tau = 0.5 (golden case mom_02)
 * const m = exactMoments([Math.log(0.3), Math.log(0.7)], 0.5);
 * console.log(m.mean);       // Float64Array(2) [ 0.3252533298591557, 0.6747466701408444 ]
 * console.log(m.variance);   // Float64Array(2) [ 0.12434684673986278, 0.12434684673986307 ]
 * ```
 */
export function exactMoments(
  logits: ArrayLike<number>,
  temperature: number,
  options: { covariance?: boolean } = {},
): ExactMoments {
  checkConcreteArguments('exactMoments', logits, temperature);
  const K = logits.length;
  const tau = temperature;
  const withCovariance = options.covariance === true;
  if (withCovariance && K > MAX_COVARIANCE_CATEGORIES) {
    throw new RangeError(
      `exactMoments: the covariance needs K <= ${MAX_COVARIANCE_CATEGORIES} categories (its cost grows like K^2), but got K = ${K}.`,
      { argument: 'covariance', rule: Rule.sizeLimit },
    );
  }
  const mean = new Float64Array(K);
  const secondMoment = new Float64Array(K);
  const variance = new Float64Array(K);
  const covariance = withCovariance ? new Float64Array(K * K) : undefined;

  const { groupOf, gaps, counts, live } = groupLogits(logits, tau);
  if (live === 1) {
    const only = groupOf.indexOf(0);
    mean[only] = 1;
    secondMoment[only] = 1;
    return withCovariance ? { mean, secondMoment, variance, covariance } : { mean, secondMoment, variance };
  }
  const G = gaps.length;
  const groups = integrateGroupMoments(gaps, counts, tau, withCovariance);

  for (let i = 0; i < K; i++) {
    const g = groupOf[i];
    if (g < 0) continue;
    mean[i] = groups.mean[g];
    secondMoment[i] = groups.secondMoment[g];
    // For a nearly deterministic coordinate the subtraction can round below zero; a variance
    // is never negative (and its square root is taken downstream), so floor it at 0.
    variance[i] = Math.max(0, groups.secondMoment[g] - groups.mean[g] * groups.mean[g]);
  }
  if (covariance === undefined) return { mean, secondMoment, variance };

  const cross = groups.cross as Float64Array;
  for (let i = 0; i < K; i++) {
    const gi = groupOf[i];
    if (gi < 0) continue;
    for (let k = 0; k < K; k++) {
      const gk = groupOf[k];
      if (gk < 0) continue;
      covariance[i * K + k] =
        i === k ? variance[i] : cross[Math.min(gi, gk) * G + Math.max(gi, gk)] - mean[i] * mean[k];
    }
  }
  return { mean, secondMoment, variance, covariance };
}

/** Classes grouped by equal logits, for the quadrature. */
export interface LogitGroups {
  /** Group of each class (-1: probability 0 or a mean below `e^-750`, left out). */
  groupOf: Int32Array;
  /** `logit - max logit` per group, largest (0) first. */
  gaps: Float64Array;
  /** Classes per group. */
  counts: Float64Array;
  /** Classes in some group. */
  live: number;
}

/**
 * Groups the classes that enter the quadrature by equal logits (their transforms are equal),
 * leaving out those of probability 0 and those whose mean underflows (see `NEGLIGIBLE_LOG_MEAN`).
 *
 * @param logits - checked logits (at least one finite).
 * @param tau - the temperature.
 * @returns the groups.
 */
export function groupLogits(logits: ArrayLike<number>, tau: number): LogitGroups {
  const K = logits.length;
  let top = -Infinity;
  for (let i = 0; i < K; i++) if (logits[i] > top) top = logits[i];
  const scale = 1 / Math.max(1, tau);
  const live: number[] = [];
  for (let i = 0; i < K; i++) {
    const gap = logits[i] - top;
    if (gap > -Infinity && gap * scale >= NEGLIGIBLE_LOG_MEAN) live.push(i);
  }
  live.sort((x, y) => logits[y] - logits[x]);
  const groupOf = new Int32Array(K).fill(-1);
  const gapList: number[] = [];
  const countList: number[] = [];
  for (const i of live) {
    const gap = logits[i] - top;
    const last = gapList.length - 1;
    if (last >= 0 && gapList[last] === gap) countList[last]++;
    else {
      gapList.push(gap);
      countList.push(1);
    }
    groupOf[i] = gapList.length - 1;
  }
  return { groupOf, gaps: Float64Array.from(gapList), counts: Float64Array.from(countList), live: live.length };
}
