/**
 * Robust summaries of a handful of repeated measurements: the median, the median absolute
 * deviation (MAD), and the standard error of a median estimated from the MAD. These are what
 * the gate's verdict is built on, because a few rounds disturbed by a neighbour on a shared
 * machine move a median far less than a mean.
 *
 * ## Method
 *
 * For `n` draws from a normal law with standard deviation `sigma`, the MAD estimates
 * `sigma / 1.4826` and the sample median has standard error `sqrt(pi / 2) * sigma / sqrt(n)`
 * (about `1.2533 * sigma / sqrt(n)`), so `medianStandardError = 1.2533 * 1.4826 * MAD / sqrt(n)`.
 *
 * ## References
 *
 * - F. R. Hampel (1974), The influence curve and its role in robust estimation, JASA 69 (MAD scale 1.4826).
 * - A. Stuart, K. Ord, Kendall's Advanced Theory of Statistics, vol. 1, §10.10 (variance of the median).
 *
 * @packageDocumentation
 */

/** `1.4826 * MAD` estimates the standard deviation of a normal sample. */
export const MAD_TO_SD = 1.4826;
/** The sample median's standard error is `sqrt(pi / 2)` times the mean's. */
const MEDIAN_EFFICIENCY = Math.sqrt(Math.PI / 2);

/**
 * @param xs - numbers (not modified).
 * @returns their median (the mean of the two middle values for an even count); NaN when empty.
 *
 * @example
 * ```ts
 * median([3, 1, 2, 10]); // 2.5
 * ```
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * @param xs - numbers.
 * @returns the median absolute deviation from the median (unscaled); NaN when empty.
 *
 * @example
 * ```ts
 * mad([1, 2, 3, 4, 100]); // 1
 * ```
 */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/**
 * @param xs - repeated measurements of one quantity.
 * @returns the standard error of their median relative to the median itself
 *   (`1.2533 * 1.4826 * MAD / (median * sqrt(n))`); Infinity for fewer than 2 values.
 *
 * @example
 * ```ts
 * relativeMedianError([0.9, 1, 1.1, 1, 1]); // 0 (the MAD of this sample is 0)
 * ```
 */
export function relativeMedianError(xs: readonly number[]): number {
  if (xs.length < 2) return Infinity;
  const m = median(xs);
  return (MEDIAN_EFFICIENCY * MAD_TO_SD * mad(xs)) / (Math.abs(m) * Math.sqrt(xs.length));
}
