/**
 * Kernel: uniforms to standard Gumbel noise, in place.
 *
 * @packageDocumentation
 */

/**
 * `g = -log(-log u)` in place. The engine's uniforms lie strictly inside (0, 1), so every
 * Gumbel is finite (|g| < 38) and no clamping is needed here.
 *
 * @param n - number of elements.
 * @param buf - uniforms in, Gumbels out.
 * @param offset - first element.
 */
export function uniformToGumbel(n: number, buf: Float64Array, offset: number): void {
  const end = offset + n;
  for (let i = offset; i < end; i++) buf[i] = -Math.log(-Math.log(buf[i]));
}
