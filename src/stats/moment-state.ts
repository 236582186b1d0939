/**
 * Moments, standard errors and covariances from merged sums of shifted powers.
 *
 * The engine accumulates, per component, `S_p = Σ d^p` (p = 1..4) of `d = y - c`, where the shift
 * `c` is fixed for the whole job and close to the mean. With exact merging ({@link ExactSum}) the
 * sums are additive over chunks, so they are the mergeable state; this module turns the totals
 * (each rounded once) into estimates.
 *
 * ## Method
 *
 * With `μ' = S1/n` and `a_p = S_p/n`, the biased central moments are the binomial expansions
 *   m2 = a2 − μ'²,
 *   m3 = a3 − 3μ' a2 + 2μ'³,
 *   m4 = a4 − 4μ' a3 + 6μ'² a2 − 3μ'⁴,
 * and the mean is `c + μ'`. Central moments do not depend on `c`; the shift only keeps the
 * expansion well conditioned: its terms are of size (|μ'| + σ)^k while the result is of size
 * σ^k, so with `c` within a few σ of the mean little is cancelled (with `c` = 0 and data
 * 1e6 ± 1e-3, `a2 − μ'²` is 1e12 − 1e12 = 1e-6 and no digit survives).
 *
 * - unbiased variance `s² = m2 · n/(n−1)`; standard error of the mean `sqrt(s²/n)`;
 * - standard error of `s²`: for i.i.d. data, `Var(s²) = (μ4 − (n−3)/(n−1) σ⁴)/n` exactly
 *   (the classical variance of the sample variance, e.g. Kenney & Keeping, Part II). We plug
 *   in `μ4 ≈ m4` and `σ² ≈ s²`: a consistent estimate whose relative bias is O(1/n) (−4/n for
 *   normal data), negligible at Monte Carlo sample sizes. It is non-negative in exact
 *   arithmetic (m4 ≥ m2² and (n−3)n²/(n−1)³ < 1); a rounding below zero is clamped to 0;
 * - covariance `(S_jk − S1_j S1_k / n)/(n−1)` from co-moment sums `S_jk = Σ d_j d_k` (also
 *   shift-invariant).
 *
 * Rounding can leave m2 or m4 a hair below zero for (nearly) constant data; they are clamped
 * to 0, their true sign.
 *
 * ## References
 *
 * - P. Pébay, "Formulas for robust, one-pass parallel computation of covariances and arbitrary-
 *   order statistical moments", Sandia report SAND2008-6212 (2008): mergeable higher moments.
 * - J. F. Kenney, E. S. Keeping, "Mathematics of Statistics", Part II, 2nd ed. (1951):
 *   moments of the sample variance.
 *
 * @packageDocumentation
 */
import { RangeError, Rule } from '../errors.js';

/** Estimates for one component. */
export interface MomentSummary {
  /** Number of samples. */
  readonly n: number;
  /** Sample mean (NaN when n = 0). */
  readonly mean: number;
  /** Unbiased sample variance, divisor n − 1 (NaN when n < 2). */
  readonly variance: number;
  /** Standard error of the mean, sqrt(variance / n) (NaN when n < 2). */
  readonly stderr: number;
  /** Estimated standard error of `variance` (NaN when n < 2). */
  readonly varianceStderr: number;
  /** Biased second central moment, divisor n (NaN when n = 0). */
  readonly m2: number;
  /** Biased third central moment (NaN when n = 0). */
  readonly m3: number;
  /** Biased fourth central moment (NaN when n = 0). */
  readonly m4: number;
}

function checkCount(n: number): void {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`n must be a non-negative safe integer (the sample count), but got ${String(n)}.`, {
      argument: 'n',
      rule: Rule.nonNegativeInteger,
    });
  }
}

/**
 * Mean, variance, their standard errors and central moments from sums of shifted powers.
 * With n = 1 the variance is undefined: variance, stderr and varianceStderr are NaN (never a
 * throw); with n = 0 everything but `n` is NaN.
 *
 * @param n - the number of samples, a non-negative safe integer.
 * @param shift - the shift c the sums were taken about (`d = y − c`).
 * @param s1 - Σ d.
 * @param s2 - Σ d².
 * @param s3 - Σ d³.
 * @param s4 - Σ d⁴.
 * @returns the summary.
 * @throws RangeError if `n` is not a non-negative safe integer.
 *
 * @example
 * ```ts
 * // y = 1, 2, 3, 4 about c = 2: d = -1, 0, 1, 2
 * summarizeShiftedSums(4, 2, 2, 6, 8, 18);
 * // { n: 4, mean: 2.5, variance: 1.6666666666666667, stderr: 0.6454972243679028,
 * //   varianceStderr: 0.6396432744260808, m2: 1.25, m3: 0, m4: 2.5625 }
 * ```
 */
export function summarizeShiftedSums(
  n: number,
  shift: number,
  s1: number,
  s2: number,
  s3: number,
  s4: number,
): MomentSummary {
  checkCount(n);
  if (n === 0) {
    return { n, mean: NaN, variance: NaN, stderr: NaN, varianceStderr: NaN, m2: NaN, m3: NaN, m4: NaN };
  }
  const mu = s1 / n;
  const a2 = s2 / n;
  const a3 = s3 / n;
  const a4 = s4 / n;
  const mu2 = mu * mu;
  const m2 = Math.max(a2 - mu2, 0);
  const m3 = a3 - 3 * mu * a2 + 2 * mu2 * mu;
  const m4 = Math.max(a4 - 4 * mu * a3 + 6 * mu2 * a2 - 3 * mu2 * mu2, 0);
  const mean = shift + mu;
  if (n === 1) return { n, mean, variance: NaN, stderr: NaN, varianceStderr: NaN, m2, m3, m4 };
  const variance = (m2 * n) / (n - 1);
  const varOfVariance = (m4 - ((n - 3) / (n - 1)) * variance * variance) / n;
  return {
    n,
    mean,
    variance,
    stderr: Math.sqrt(variance / n),
    varianceStderr: Math.sqrt(Math.max(varOfVariance, 0)),
    m2,
    m3,
    m4,
  };
}

/**
 * Unbiased sample covariance from co-moment sums of shifted values (any fixed shifts c_j, c_k).
 *
 * @param n - the number of samples, a non-negative safe integer.
 * @param s1j - Σ d_j with d_j = y_j − c_j.
 * @param s1k - Σ d_k.
 * @param sjk - Σ d_j d_k.
 * @returns (sjk − s1j s1k / n) / (n − 1); NaN when n < 2.
 * @throws RangeError if `n` is not a non-negative safe integer.
 *
 * @example
 * ```ts
 * // (y_j, y_k) = (1, 2), (2, 4), (3, 6) with no shift
 * shiftedCovariance(3, 6, 12, 28); // 2
 * ```
 */
export function shiftedCovariance(n: number, s1j: number, s1k: number, sjk: number): number {
  checkCount(n);
  if (n < 2) return NaN;
  return (sjk - (s1j * s1k) / n) / (n - 1);
}
