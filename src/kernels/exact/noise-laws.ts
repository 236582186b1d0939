/**
 * The laws of `G + tau G'` (two independent standard Gumbel variables, one scaled by the
 * temperature) behind the exact moments of the Concrete distribution, evaluated in log space.
 *
 * ## Method
 *
 * Write `W = G + tau G'` and `W2 = G - tau log(E1 + E2)` (`E1`, `E2` independent Exp(1)). The
 * three functions of spec section 6.2 are, with `v = tau a`,
 *
 *     Lambda(a) = P(W <= -v),   Phi1(a) = tau f_W(-v),   Phi2(a) = tau f_W2(-v),
 *
 * because `E[exp(-X)] = P(E' > X)` and `X^m e^-X / Gamma(m)` is, after the substitution
 * `t = a + G / tau`, the density of `log Gamma(m)` (see `moment-integrals.ts` for the outer
 * integral this feeds). So the moments only need the density and distribution function of
 * `W` and the density of `W2`.
 *
 * Let `kappa = max(1, tau)` and `rho = min(tau, 1/tau) <= 1`. On the scale `z = w / kappa`,
 * `W / kappa` is `A + rho B` with `A`, `B` standard Gumbel (`B = G'` for `tau <= 1`, `B = G`
 * otherwise), and `W2 / kappa` is `A + rho B` with one of `A`, `B` replaced by `-log Gamma(2)`
 * (the scaled side for `tau <= 1`, the unit side otherwise). Conditioning on `B`,
 *
 *     f(z) = E[f_A(z - rho B)],   F(z) = E[F_A(z - rho B)],   1 - F(z) = E[1 - F_A(z - rho B)],
 *
 * and with `w = exp(rho b - z)` every integrand is a fixed weight in `b` times `e^-w`, `w e^-w`,
 * `w^2 e^-w` or `1 - e^-w`: one exponential per quadrature node serves all four functions. The
 * rule is the trapezoidal rule in `b` with step `h = 1/4` on a fixed grid; every integrand is
 * analytic in the strip `|Im b| < pi/2` (the Gumbel density's, widened to `pi / (2 rho)` for
 * the `w` factors), so the discretisation error is about `exp(-pi^2 / h) = e^-39` relative
 * (Trefethen and Weideman). Nothing here depends on how small or large `tau` is: `rho` only
 * enters through `exp(rho b)`, so the cost is bounded for every `tau` in `(0, Infinity)`.
 *
 * Truncation: below `b = -4.5` the Gumbel density has mass `exp(-e^4.5) = e^-90`; on the right
 * the terms stop where `w > e^6` (the factor `e^-w` is then below `e^-400`) or where the weight
 * has decayed by `e^-50` from its largest value (`e^-(1 - rho) b` for the density and the upper
 * tail, `e^-(1 - 2 rho) b` for `W2` above `tau = 2`). `1 - F` is summed directly (as
 * `1 - e^-w`, with `expm1` for small `w`), so `log F = log1p(-(1 - F))` keeps full accuracy
 * where `F` is close to 1, and the right tails `f ~ e^-z` keep full relative accuracy.
 *
 * ## References
 *
 * - C. J. Maddison, A. Mnih, Y. W. Teh, "The Concrete Distribution", ICLR 2017.
 * - L. N. Trefethen, J. A. C. Weideman, "The exponentially convergent trapezoidal rule",
 *   SIAM Review 56 (2014).
 * - Specification `relaxed-one-hot-categorical.md`, sections 6.1 to 6.3.
 *
 * @packageDocumentation
 */

/** Step of the inner trapezoidal rule in `b`. */
export const INNER_STEP = 0.25;

/** Left end of the `b` grid: the standard Gumbel law has mass `e^-90` below it. */
const B_LOW = -4.5;

/** Decay (nats) of the weights at which the grid ends on the right. */
const WEIGHT_DECAY = 50;

/** `log w` beyond which `e^-w` is negligible (`e^-403`). */
const LOG_W_CUT = 6;

/** Beyond this `|z|`, `w` is formed per node as `exp(rho b - z)` (`e^-z` or `e^(rho b)` would leave the double range). */
const DIRECT_BEYOND = 700;

/** The grid reaches at least this far right (see the tail sums). */
const GUMBEL_TAIL_FROM = 40;

/** Output layout of {@link NoiseLaws.evaluate}. */
export const LOG_DENSITY = 0;
/** `log F(z)`, entry 1 of the output. */
export const LOG_CDF = 1;
/** `log f2(z)` (the density of `W2` on the same scale), entry 2 of the output. */
export const LOG_DENSITY2 = 2;

/**
 * Evaluator of `log f`, `log F` (of `W / kappa`) and `log f2` (of `W2 / kappa`) for one temperature.
 *
 * @example
 * ```ts
 * const laws = new NoiseLaws(1e-300); // W = G to double precision
 * const out = new Float64Array(3);
 * laws.evaluate(0, out); // out[1] = log P(G <= 0) = -1
 * ```
 */
export class NoiseLaws {
  /** `min(tau, 1 / tau)`. */
  readonly rho: number;
  /** `max(1, tau)`: the scale of `z`. */
  readonly scale: number;
  private readonly tau: number;
  private readonly cap: number;
  private b!: Float64Array;
  private r!: Float64Array;
  private p0!: Float64Array;
  private p1!: Float64Array;
  private p2!: Float64Array;
  /** `tail[i] = sum_{i' >= i} p0[i']`, with the analytic remainder past the grid. */
  private tail!: Float64Array;
  private readonly secondOnUnitSide: boolean;

  /**
   * @param temperature - `tau`, finite and `> 0`.
   * @param zHint - the largest `z` expected (the grid grows on demand past it).
   */
  constructor(temperature: number, zHint = 80) {
    this.tau = temperature;
    this.rho = Math.min(temperature, 1 / temperature);
    this.scale = Math.max(1, temperature);
    this.secondOnUnitSide = temperature > 1;
    const rho = this.rho;
    const slowest = this.secondOnUnitSide ? Math.min(1 - rho, 1 - 2 * rho) : 1 - rho;
    this.cap = slowest > 0 ? WEIGHT_DECAY / slowest + 1 : Infinity;
    this.build(Math.max(GUMBEL_TAIL_FROM, this.rightEnd(zHint)));
  }

  /** Last `b` any node at `z` needs. */
  private rightEnd(z: number): number {
    return Math.min(this.cap, (z + LOG_W_CUT) / this.rho);
  }

  private build(bTop: number): void {
    const h = INNER_STEP;
    const n = Math.max(1, Math.ceil((bTop - B_LOW) / h) + 1);
    const rho = this.rho;
    this.b = new Float64Array(n);
    this.r = new Float64Array(n);
    this.p0 = new Float64Array(n);
    this.p1 = new Float64Array(n);
    this.p2 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const b = B_LOW + i * h;
      const logGumbel = -b - Math.exp(-b);
      const rb = rho * b;
      this.b[i] = b;
      this.r[i] = Math.exp(rb);
      this.p0[i] = h * Math.exp(logGumbel);
      this.p1[i] = h * Math.exp(logGumbel + rb);
      // W2: the density of -log Gamma(2) at b is exp(-2b - e^-b); it sits on the scaled side
      // (tau <= 1, weight times w) or on the unit side (tau > 1, Gumbel weight times w^2).
      this.p2[i] = this.secondOnUnitSide ? h * Math.exp(logGumbel + 2 * rb) : h * Math.exp(-2 * b - Math.exp(-b) + rb);
    }
    // Past b = 40 the Gumbel density is e^-b to 1e-17, so the rest of the rule is geometric.
    this.tail = new Float64Array(n + 1);
    const bEnd = B_LOW + n * h;
    this.tail[n] = (h * Math.exp(-bEnd)) / -Math.expm1(-h);
    for (let i = n - 1; i >= 0; i--) this.tail[i] = this.p0[i] + this.tail[i + 1];
  }

  /**
   * Writes `log f(z)`, `log F(z)` and `log f2(z)` (entries {@link LOG_DENSITY}, {@link LOG_CDF},
   * {@link LOG_DENSITY2}); `-Infinity` where the value is below the double range.
   *
   * @param z - the argument on the scale `w / kappa`.
   * @param out - receives the three logs.
   */
  evaluate(z: number, out: Float64Array): void {
    const bTop = this.rightEnd(z);
    if (bTop < B_LOW) {
      out[LOG_DENSITY] = out[LOG_CDF] = out[LOG_DENSITY2] = -Infinity;
      return;
    }
    if (bTop > this.b[this.b.length - 1] + INNER_STEP) this.build(bTop);
    const { r, p0, p1, p2, b } = this;
    const rho = this.rho;
    const wCut = (z + LOG_W_CUT) / rho < this.cap;
    const last = Math.min(b.length - 1, Math.floor((bTop - B_LOW) / INNER_STEP));
    const ez = Math.exp(-z);
    const direct = Math.abs(z) > DIRECT_BEYOND;
    let sF = 0;
    let sF1 = 0;
    let sF2 = 0;
    let sS = 0;
    for (let i = 0; i <= last; i++) {
      const w = direct ? Math.exp(rho * b[i] - z) : ez * r[i];
      const e = Math.exp(-w);
      sF += p0[i] * e;
      sF1 += p1[i] * e;
      sF2 += p2[i] * e;
      // (1 - e^-w) / w, accurate for small w.
      const psi = w < 1e-8 ? 1 - 0.5 * w : (w < 0.5 ? -Math.expm1(-w) : 1 - e) / w;
      sS += p1[i] * psi;
    }
    // 1 - F: past a cut where w > e^6, 1 - e^-w = 1 and the terms are the Gumbel weights' tail;
    // past the weight cap (w still small there) they are below e^-50 of the sum and dropped.
    const rest = wCut ? this.tail[last + 1] : 0;
    out[LOG_DENSITY] = -z + Math.log(sF1);
    out[LOG_DENSITY2] = (this.secondOnUnitSide ? -2 * z : -z) + Math.log(sF2);
    if (sF < 0.5) out[LOG_CDF] = Math.log(sF);
    else out[LOG_CDF] = Math.log1p(-(Math.exp(-z + Math.log(sS)) + rest));
  }

  /** The temperature this evaluator was built for. */
  get temperature(): number {
    return this.tau;
  }
}
