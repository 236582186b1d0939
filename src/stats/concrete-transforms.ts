/**
 * The three universal functions behind the exact moments of the Concrete distribution
 * (spec section 6.2), evaluated in log space at the nodes of the outer quadrature.
 *
 * With `X = exp(a + G / tau)` and `G` a standard Gumbel variable,
 *
 *     Lambda(a) = E[exp(-X)],   Phi1(a) = E[X exp(-X)],   Phi2(a) = E[X^2 exp(-X)].
 *
 * ## Method
 *
 * In `zeta = log X` each is a convolution of the Gumbel density `tau f_G(tau (zeta - a))`
 * (`f_G(g) = exp(-g - e^-g)`) with `g0 = exp(-e^zeta)`, `g1 = e^zeta g0` or `g2 = e^2zeta g0`;
 * `1 - Lambda` uses `gc = 1 - exp(-e^zeta)`. Every integrand is log-concave, entire, and
 * analytic in a strip of half-width `min(pi/2, pi/(2 tau))`, so the trapezoidal rule with step
 * `h <= 0.25 min(1, 1/tau)` has relative error about `exp(-pi^2 / (h max(1, tau))) ~ e^-39`.
 *
 * The outer nodes are `a = n H + c_j` (`c_j = (logit_j - max logit) / tau`) with
 * `H = p h`, and the inner grid is `zeta_m = m h`, both anchored at 0. Hence
 * `zeta_m - a = (m - p n - q_j - frac_j) h` with `q_j + frac_j = c_j / h`: the Gumbel factor
 * is one kernel per class, sampled once at `(d - frac_j) h`, and each inner integral is a dot
 * product of that kernel with a precomputed `g` array, without any transcendental function
 * per term. This is what makes the "direct" method (inner functions evaluated at every outer
 * node, no interpolation table) affordable.
 *
 * `1 - Lambda` (needed when `Lambda` is close to 1, so that `log Lambda` keeps full accuracy,
 * spec section 6.3) has a heavy right tail `~ e^-(tau (zeta - a))`. Beyond `zeta >= SPLIT`,
 * `gc = 1 - O(e^-90)`, so that part of the sum is the kernel's own right tail: a cumulative
 * sum computed once per class. The sum stays exactly the full-line trapezoidal rule.
 *
 * For `tau > SCRATCH_TEMPERATURE` a global `zeta` grid of step `0.25 / ceil(tau)` would need
 * memory proportional to `tau`; the `g` values are then computed per node on the short
 * window the (then narrow) kernel covers.
 *
 * ## References
 *
 * - C. J. Maddison, A. Mnih, Y. W. Teh, "The Concrete Distribution", ICLR 2017 (the
 *   representation `y = softmax((logits + G) / tau)`).
 * - L. N. Trefethen, J. A. C. Weideman, "The exponentially convergent trapezoidal rule",
 *   SIAM Review 56 (2014) (the error of the trapezoidal rule for analytic integrands).
 * - Specification `relaxed-one-hot-categorical.md`, sections 6.1 to 6.3.
 *
 * @packageDocumentation
 */
import { logWindowSum } from './log-concave-sum.js';

/** Default outer step `H` in `sigma` (spec section 6.3: `Lambda`, `Phi_m` analytic for |Im a| < pi/2). */
export const OUTER_STEP = 0.25;

/** `zeta` beyond which `1 - exp(-e^zeta)` is 1 to within `e^-90`. */
const SPLIT = 4.5;

/**
 * The kernel is kept on `g = tau (zeta - a)` in `[-KERNEL_LEFT, KERNEL_RIGHT]`: `f_G(-12)` is
 * `e^-162742` (the left tail is doubly exponential) and `f_G(760)` underflows.
 */
const KERNEL_LEFT = 12;
const KERNEL_RIGHT = 760;

/** Above this temperature the `g` values are computed per node (see the method notes). */
const SCRATCH_TEMPERATURE = 64;

/**
 * For `tau > SCRATCH_TEMPERATURE` every inner integrand lives within `g` in `[-12, 140]`:
 * its right side decays like `e^-((1 - m / tau) g)`, below `e^-48` of the peak by `g ~ 50`.
 */
const SCRATCH_RIGHT = 140;

/** `log Lambda`, `log Phi1`, `log Phi2` at one outer node, written by {@link ConcreteTransforms.evaluate}. */
export type TransformValues = Float64Array;

/** Evaluator of the three transforms at the outer nodes of one Concrete distribution. */
export interface ConcreteTransforms {
  /** Outer step `H` of the nodes `sigma_n = n H`. */
  readonly outerStep: number;
  /** First outer node index the evaluator was built for. */
  readonly nLo: number;
  /** Last outer node index the evaluator was built for. */
  readonly nHi: number;
  /**
   * Writes `log Lambda(a)`, `log Phi1(a)`, `log Phi2(a)` at `a = n H + c_j`.
   *
   * @param j - class (group) index.
   * @param n - outer node index, within `[nLo, nHi]`.
   * @param out - receives the three logs in entries 0, 1, 2.
   */
  evaluate(j: number, n: number, out: TransformValues): void;
}

/**
 * One class's Gumbel kernel with the trapezoidal weight folded in, `h tau f_G(tau (d - frac) h)`,
 * for `d` in `[dLo, dLo + length)`. (Folding `h tau` in keeps the logs of order 1 even for
 * huge `tau`, where `log tau` and `log h` would each cost ~`1e-16 * |log tau|` absolute.)
 */
interface Kernel {
  readonly dLo: number;
  readonly frac: number;
  readonly log: Float64Array;
  readonly lin: Float64Array;
  /** `tail[i] = sum_{i' >= i} lin[i']`, including the analytic remainder past the end. */
  readonly tail: Float64Array;
  /** `exp((d - frac) h)` (only for the per-node `g` values above SCRATCH_TEMPERATURE). */
  readonly expU: Float64Array | null;
}

/** `g0`, `gc`, `g1`, `g2` and their logs on a run of `zeta` values. */
interface ZetaTable {
  readonly g0Log: Float64Array;
  readonly g0Lin: Float64Array;
  readonly gcLog: Float64Array;
  readonly gcLin: Float64Array;
  readonly g1Log: Float64Array;
  readonly g1Lin: Float64Array;
  readonly g2Log: Float64Array;
  readonly g2Lin: Float64Array;
}

function allocateTable(length: number): ZetaTable {
  return {
    g0Log: new Float64Array(length),
    g0Lin: new Float64Array(length),
    gcLog: new Float64Array(length),
    gcLin: new Float64Array(length),
    g1Log: new Float64Array(length),
    g1Lin: new Float64Array(length),
    g2Log: new Float64Array(length),
    g2Lin: new Float64Array(length),
  };
}

/** Fills entry `i` of the table for `zeta` (with `e^zeta` given, as the caller may have it cheaper). */
function fillEntry(t: ZetaTable, i: number, zeta: number, e: number): void {
  const g0 = Math.exp(-e);
  const gc = -Math.expm1(-e);
  t.g0Lin[i] = g0;
  t.g0Log[i] = -e;
  t.gcLin[i] = gc;
  // 1 - exp(-e) = e (1 - e/2 + ...): once e is tiny its log is zeta itself, which stays
  // finite (and log-concave) where gc would be subnormal or zero.
  t.gcLog[i] = e < 1e-250 ? zeta : Math.log(gc);
  t.g1Lin[i] = e * g0;
  t.g1Log[i] = zeta - e;
  t.g2Lin[i] = e * e * g0;
  t.g2Log[i] = 2 * zeta - e;
}

function makeKernel(tau: number, h: number, cOverH: number, uLo: number, uHi: number, withExpU: boolean): Kernel {
  const q = Math.floor(cOverH);
  const frac = cOverH - q;
  const dLo = Math.floor(uLo / h + frac);
  const dHi = Math.ceil(uHi / h + frac);
  const length = dHi - dLo + 1;
  const log = new Float64Array(length);
  const lin = new Float64Array(length);
  const tail = new Float64Array(length + 1);
  const expU = withExpU ? new Float64Array(length) : null;
  const tauH = tau * h;
  const logTauH = Math.log(tauH);
  for (let i = 0; i < length; i++) {
    const g = tauH * (i + dLo - frac);
    const v = logTauH - g - Math.exp(-g);
    log[i] = v;
    lin[i] = Math.exp(v);
    if (expU !== null) expU[i] = Math.exp(h * (i + dLo - frac));
  }
  // Past the end (g >= 80 for the ranges built below) f_G(g) = e^-g (1 + O(e^-g)): the
  // rest of the kernel is a geometric series.
  const gEnd = tauH * (length + dLo - frac);
  tail[length] = (tauH * Math.exp(-gEnd)) / -Math.expm1(-tauH);
  for (let i = length - 1; i >= 0; i--) tail[i] = lin[i] + tail[i + 1];
  return { dLo, frac, log, lin, tail, expU };
}

/**
 * Builds the evaluator of `log Lambda`, `log Phi1`, `log Phi2` for one temperature and a set
 * of classes, covering the outer nodes `n` in `[nLo, nHi]`.
 *
 * @param temperature - `tau > 0`, finite.
 * @param gaps - `logit_j - max logit` per class (all `<= 0`, finite).
 * @param nLo - first outer node index to support.
 * @param nHi - last outer node index to support.
 * @param outerStep - the outer step `H` (default {@link OUTER_STEP}; smaller only to check convergence).
 * @returns the evaluator.
 */
export function createConcreteTransforms(
  temperature: number,
  gaps: ArrayLike<number>,
  nLo: number,
  nHi: number,
  outerStep: number = OUTER_STEP,
): ConcreteTransforms {
  const tau = temperature;
  const H = outerStep;
  // Inner step h = H / p <= 0.25 min(1, 1/tau) (relative to the default H). Near tau = 1 the
  // kernel's left tail and g0 lose their decay on the same line Im zeta = pi/2, so where
  // Lambda is small (a > 3) h = 0.25 leaves relative errors up to 1e-3 in it (measured against
  // the Bessel forms at tau = 1); that costs ~2e-15 in the moments, halving h removes it.
  const p = tau <= 0.5 ? 1 : Math.max(2, Math.ceil(tau));
  const h = H / p;
  const tauH = tau * h;
  const scratch = tau > SCRATCH_TEMPERATURE;
  const G = gaps.length;
  const sigmaLo = nLo * H;
  const sigmaHi = nHi * H;

  const c = new Float64Array(G);
  let cMin = 0;
  for (let j = 0; j < G; j++) {
    c[j] = gaps[j] / tau;
    if (c[j] < cMin) cMin = c[j];
  }

  // zeta range of the global table: every inner window of every node lies inside it. For
  // tau < 1 the integrands at a << 0 peak near zeta = log(m - tau) and fall off to the left
  // like e^((1 - tau) zeta), hence the cap at -60 / (1 - tau).
  const aLoMin = sigmaLo + cMin;
  const zLo = (tau < 1 ? Math.max(aLoMin, -60 / (1 - tau)) : aLoMin) - KERNEL_LEFT / tau - 1;
  const zHi = tau < 1 ? 10 : Math.max(10, sigmaHi + 2);
  const m0 = Math.floor(zLo / h);
  const mSplit = Math.ceil(SPLIT / h);

  const kernels: Kernel[] = [];
  const q = new Float64Array(G);
  for (let j = 0; j < G; j++) {
    // c_j / h computed as gap * p / (tau H) so that it stays exact-ish for huge tau.
    const cOverH = (gaps[j] * p) / (tau * H);
    q[j] = Math.floor(cOverH);
    const uLo = scratch ? -KERNEL_LEFT / tau : Math.max(-KERNEL_LEFT / tau, zLo - (sigmaHi + c[j]));
    const uHi = scratch ? SCRATCH_RIGHT / tau : Math.min(KERNEL_RIGHT / tau, zHi - (sigmaLo + c[j]));
    kernels.push(makeKernel(tau, h, cOverH, uLo, uHi, scratch));
  }

  let table: ZetaTable;
  let tableLength: number;
  if (scratch) {
    tableLength = 0;
    for (const k of kernels) tableLength = Math.max(tableLength, k.log.length);
    table = allocateTable(tableLength);
  } else {
    tableLength = Math.ceil(zHi / h) - m0 + 1;
    table = allocateTable(tableLength);
    for (let i = 0; i < tableLength; i++) {
      const zeta = (m0 + i) * h;
      fillEntry(table, i, zeta, Math.exp(zeta));
    }
  }

  function evaluate(j: number, n: number, out: TransformValues): void {
    const k = kernels[j];
    const len = k.log.length;
    const a = n * H + c[j];
    let shift: number;
    let lo: number;
    let hi: number;
    let iSplit: number;
    if (scratch) {
      const ea = Math.exp(a);
      const expU = k.expU as Float64Array;
      for (let i = 0; i < len; i++) {
        fillEntry(table, i, a + h * (i + k.dLo - k.frac), ea * expU[i]);
      }
      shift = 0;
      lo = 0;
      hi = len - 1;
      iSplit = Math.ceil((SPLIT - a) / h + k.frac) - k.dLo;
    } else {
      shift = p * n + q[j] + k.dLo - m0;
      lo = Math.max(0, -shift);
      hi = Math.min(len - 1, tableLength - 1 - shift);
      iSplit = mSplit - m0 - shift;
    }

    if (a <= 0) {
      // Lambda >= ~0.25 here, so 1 - Lambda is the accurate quantity to sum.
      const partial = logWindowSum(k.log, k.lin, table.gcLog, table.gcLin, shift, lo, Math.min(hi, iSplit - 1));
      const tail = iSplit < len ? k.tail[Math.max(iSplit, 0)] : k.tail[len] * Math.exp(-tauH * (iSplit - len));
      const oneMinus = Math.exp(partial) + tail;
      out[0] = oneMinus < 0.5 ? Math.log1p(-oneMinus) : Math.log(1 - oneMinus);
    } else {
      out[0] = logWindowSum(k.log, k.lin, table.g0Log, table.g0Lin, shift, lo, hi);
    }
    out[1] = logWindowSum(k.log, k.lin, table.g1Log, table.g1Lin, shift, lo, hi);
    out[2] = logWindowSum(k.log, k.lin, table.g2Log, table.g2Lin, shift, lo, hi);
  }

  return { outerStep: H, nLo, nHi, evaluate };
}
