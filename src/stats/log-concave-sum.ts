/**
 * Windowed sum of a discretely log-concave product of two sampled functions.
 *
 * @packageDocumentation
 */

/**
 * Terms further than this many nats below the largest one are dropped. A log-concave
 * sequence decays at least geometrically beyond its `e^-48` level set, so the dropped mass
 * is below `e^-48 / (1 - e^-slope)`, about 1e-18 of the sum even for the slowest decay the
 * quadrature meets (spec section 6.3 uses `e^-42` for the inner and `e^-48` for the outer window).
 */
export const WINDOW_LEVEL = 48;

/** Below this log-size the plain products could reach the subnormal range; rescale instead. */
const RESCALE_BELOW = -650;

/**
 * `log sum_i kLin[i] * gLin[i + shift]` over `i` in `[lo, hi]`, keeping only the terms within
 * {@link WINDOW_LEVEL} nats of the largest one.
 *
 * The log-term `L(i) = kLog[i] + gLog[i + shift]` must be concave in `i` (both inner integrands
 * of spec section 6.2 are: a Gumbel log-density plus `m*zeta - e^zeta`), so its peak and both
 * level crossings are found by bisection; only the window between them is summed. Because the
 * window is chosen relative to the peak, a term enters or leaves it only when it is ~e^-48 of
 * the peak: the sum has no jumps larger than that when the inputs move. (Galloping from the
 * previous node's window was tried and measured slower: the sums, not the searches, dominate.)
 *
 * @param kLog - log of the first factor (the kernel), finite on `[lo, hi]`.
 * @param kLin - the first factor itself, `exp(kLog)`.
 * @param gLog - log of the second factor, finite on `[lo + shift, hi + shift]`.
 * @param gLin - the second factor itself.
 * @param shift - index of `gLog`/`gLin` paired with index 0 of `kLog`/`kLin`.
 * @param lo - first index of the kernel to consider.
 * @param hi - last index of the kernel to consider (an empty range gives `-Infinity`).
 * @returns the log of the windowed sum.
 */
export function logWindowSum(
  kLog: Float64Array,
  kLin: Float64Array,
  gLog: Float64Array,
  gLin: Float64Array,
  shift: number,
  lo: number,
  hi: number,
): number {
  if (lo > hi) return -Infinity;
  let l = lo;
  let r = hi;
  while (l < r) {
    const mid = (l + r) >> 1;
    if (kLog[mid + 1] + gLog[mid + 1 + shift] > kLog[mid] + gLog[mid + shift]) l = mid + 1;
    else r = mid;
  }
  const peak = l;
  const top = kLog[peak] + gLog[peak + shift];
  if (!(top > -Infinity)) return -Infinity;
  const level = top - WINDOW_LEVEL;

  l = lo;
  r = peak;
  while (l < r) {
    const mid = (l + r) >> 1;
    if (kLog[mid] + gLog[mid + shift] >= level) r = mid;
    else l = mid + 1;
  }
  const left = l;
  l = peak;
  r = hi;
  while (l < r) {
    const mid = (l + r + 1) >> 1;
    if (kLog[mid] + gLog[mid + shift] >= level) l = mid;
    else r = mid - 1;
  }
  const right = l;

  let sum = 0;
  if (top > RESCALE_BELOW) {
    for (let i = left; i <= right; i++) sum += kLin[i] * gLin[i + shift];
    return Math.log(sum);
  }
  for (let i = left; i <= right; i++) sum += Math.exp(kLog[i] + gLog[i + shift] - top);
  return top + Math.log(sum);
}
