/**
 * A table of the noise laws (`noise-laws.ts`) on a fine uniform grid, for distributions with
 * many distinct logits: their cost then no longer grows with K times the number of nodes.
 *
 * ## Method
 *
 * `log f`, `log F` and `log f2` are tabulated at `z_i = z_0 + i d` with `d = 1/64` and read back
 * by barycentric Lagrange interpolation on the 12 nearest nodes. The three functions are
 * analytic in `|Im z| < pi/2`, so the interpolation error is of order
 * `(d / (pi/2))^12 * 12!/(6!)^2 ~ 1e-21` of their size; measured against direct evaluation
 * it stays below 1e-15 relative on the values (see `test/kernels/exact/exact-moments.test.ts`).
 * Outside the tabulated range the direct evaluation is used.
 *
 * ## References
 *
 * - J.-P. Berrut, L. N. Trefethen, "Barycentric Lagrange interpolation", SIAM Review 46 (2004).
 *
 * @packageDocumentation
 */
import { LOG_CDF, LOG_DENSITY, LOG_DENSITY2, type NoiseLaws } from './noise-laws.js';

/** Grid step of the table. */
const STEP = 1 / 64;
/** Interpolation nodes (even: the point lies between the two middle ones). */
const POINTS = 12;
const HALF = POINTS / 2;
/** Barycentric weights of equispaced nodes: `(-1)^i C(POINTS - 1, i)`. */
const WEIGHTS = new Float64Array(POINTS);
{
  let binom = 1;
  for (let i = 0; i < POINTS; i++) {
    WEIGHTS[i] = i % 2 === 0 ? binom : -binom;
    binom = (binom * (POINTS - 1 - i)) / (i + 1);
  }
}

/** Below this many needed points the direct evaluation is cheaper than any table. */
export const TABLE_MIN_POINTS = 4096;

/** Tabulated `log f`, `log F`, `log f2` of one temperature. */
export class NoiseTable {
  private readonly z0: number;
  private readonly length: number;
  private readonly logF1: Float64Array;
  private readonly logF: Float64Array;
  private readonly logF2: Float64Array;

  /**
   * @param laws - the direct evaluator.
   * @param zLo - first argument needed.
   * @param zHi - last argument needed.
   */
  constructor(
    private readonly laws: NoiseLaws,
    zLo: number,
    zHi: number,
  ) {
    this.z0 = Math.floor(zLo / STEP) * STEP - HALF * STEP;
    this.length = Math.ceil((zHi - this.z0) / STEP) + HALF + 1;
    this.logF1 = new Float64Array(this.length);
    this.logF = new Float64Array(this.length);
    this.logF2 = new Float64Array(this.length);
    const out = new Float64Array(3);
    for (let i = 0; i < this.length; i++) {
      laws.evaluate(this.z0 + i * STEP, out);
      this.logF1[i] = out[LOG_DENSITY];
      this.logF[i] = out[LOG_CDF];
      this.logF2[i] = out[LOG_DENSITY2];
    }
  }

  /**
   * Writes `log f(z)`, `log F(z)`, `log f2(z)` like {@link NoiseLaws.evaluate}.
   *
   * @param z - the argument.
   * @param out - receives the three logs.
   */
  evaluate(z: number, out: Float64Array): void {
    const u = (z - this.z0) / STEP;
    const i0 = Math.floor(u) - HALF + 1;
    if (i0 < 0 || i0 + POINTS > this.length) {
      this.laws.evaluate(z, out);
      return;
    }
    const { logF1, logF, logF2 } = this;
    // Far left the logs are -Infinity or huge: interpolation is pointless there.
    if (!(logF[i0] > -600)) {
      this.laws.evaluate(z, out);
      return;
    }
    let den = 0;
    let a = 0;
    let b = 0;
    let c = 0;
    for (let k = 0; k < POINTS; k++) {
      const d = u - (i0 + k);
      if (d === 0) {
        out[LOG_DENSITY] = logF1[i0 + k];
        out[LOG_CDF] = logF[i0 + k];
        out[LOG_DENSITY2] = logF2[i0 + k];
        return;
      }
      const t = WEIGHTS[k] / d;
      den += t;
      a += t * logF1[i0 + k];
      b += t * logF[i0 + k];
      c += t * logF2[i0 + k];
    }
    out[LOG_DENSITY] = a / den;
    out[LOG_CDF] = b / den;
    out[LOG_DENSITY2] = c / den;
  }
}
