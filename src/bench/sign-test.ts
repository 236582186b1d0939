/**
 * The sign test on paired rounds, and the confidence interval for a median that goes with it.
 * These are what the gate's confirmation step decides with: they assume nothing about the
 * shape of the rounds' scatter (a neighbour's burst makes it heavy-tailed and skewed), only
 * that the rounds are independent.
 *
 * ## Method
 *
 * Let `q_1..q_n` be independent per-round ratios and `m` their true median. Under the
 * hypothesis `m >= c`, each round falls below `c` with probability at most 1/2, so the number
 * `k` of rounds below `c` is stochastically at most Binomial(n, 1/2), and
 * `p = P(Binomial(n, 1/2) >= k)` is a valid p-value for `m < c` (exact, not asymptotic).
 * Inverting the same test gives the distribution-free interval for the median between two
 * order statistics: `[q_(j), q_(n+1-j)]` with `j` the largest index such that
 * `P(Binomial(n, 1/2) < j) <= (1 - level) / 2`.
 *
 * ## References
 *
 * - W. J. Dixon, A. M. Mood (1946), The statistical sign test, JASA 41(236), 557-566. doi:10.1080/01621459.1946.10501898
 * - W. J. Conover (1999), Practical Nonparametric Statistics, 3rd ed., §3.4 (sign test), §3.2 (interval for a quantile).
 *
 * @packageDocumentation
 */

/**
 * @param n - trials (a non-negative integer, at most 1000).
 * @param k - successes.
 * @returns `P(Binomial(n, 1/2) >= k)`, exactly up to rounding (1 for k <= 0, 0 for k > n).
 *
 * @example
 * ```ts
 * binomialHalfTail(10, 10); // 0.0009765625 (= 2^-10)
 * ```
 */
export function binomialHalfTail(n: number, k: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // Sum C(n, i) 2^-n for i >= k in log space: 2^-n underflows nothing for n <= 1000.
  let term = Math.exp(logChoose(n, k) - n * Math.LN2);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    sum += term;
    term *= (n - i) / (i + 1);
  }
  return Math.min(1, sum);
}

/**
 * The one-sided sign test of "the median of `ratios` is below `line`".
 *
 * @param ratios - independent per-round values.
 * @param line - the value tested against.
 * @returns `below` (rounds strictly below the line) and `p`, the probability of at least that
 *   many below when the median is at or above the line.
 *
 * @example
 * ```ts
 * signTestBelow([0.7, 0.72, 0.8, 0.69, 0.9], 0.85); // { below: 4, p: 0.1875 }
 * ```
 */
export function signTestBelow(ratios: readonly number[], line: number): { below: number; p: number } {
  const below = ratios.filter((q) => q < line).length;
  return { below, p: binomialHalfTail(ratios.length, below) };
}

/**
 * @param xs - independent values.
 * @param level - coverage, such as 0.95.
 * @returns the distribution-free interval `[low, high]` for their median at (at least) that
 *   level, from order statistics; `[-Infinity, Infinity]` when too few values reach it.
 *
 * @example
 * ```ts
 * medianInterval([5, 1, 4, 2, 3, 6, 8, 7, 9, 10], 0.95); // [2, 9]
 * ```
 */
export function medianInterval(xs: readonly number[], level: number): [number, number] {
  const n = xs.length;
  const s = [...xs].sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  // P(Binomial(n, 1/2) < j) = 1 - P(>= j); the largest j whose lower tail stays within `tail`.
  let j = 0;
  while (j + 1 <= n && 1 - binomialHalfTail(n, j + 1) <= tail) j++;
  if (j === 0) return [-Infinity, Infinity];
  return [s[j - 1], s[n - j]];
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}
