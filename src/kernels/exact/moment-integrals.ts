/**
 * The outer one-dimensional integrals of the exact moments.
 *
 * ## Method
 *
 * Spec section 6.2 writes the moments as integrals over `sigma` of `Lambda`, `Phi1`, `Phi2` at
 * `a_j = sigma + logit_j / tau`. With `s = -tau sigma` and the laws of `noise-laws.ts`
 * (`Lambda = F(-v)`, `Phi_m = tau f_m(-v)`, `v = tau a`), `ds = tau dsigma` cancels the
 * factors `tau` and, on the scale `x = s / kappa` (`kappa = max(1, tau)`, `c_j = logit_j / kappa`),
 *
 *     E[y_k]     = int f(x - c_k)  prod_{j != k} F(x - c_j) dx
 *     E[y_k^2]   = int f2(x - c_k) prod_{j != k} F(x - c_j) dx
 *     E[y_j y_k] = min(tau, 1) int f(x - c_j) f(x - c_k) prod_{i != j,k} F(x - c_i) dx.
 *
 * (The first line says that `E[y_k]` is the probability that `k` wins the Gumbel-max race
 * with noise `G + tau G'`, which is another way to see it.) The integrands are analytic in
 * `|Im x| < pi/2` whatever `tau` (spec section 6.3 has `pi/2` in `sigma`, which on the scale
 * `x` is `pi / (2 min(tau, 1))` before the change of variables above widens it), decay doubly
 * exponentially on the left and like `x e^-x` at worst on the right. So the trapezoidal rule
 * with the fixed step `H = 1/4` has error `~exp(-pi^2 / H) = e^-39` relative, and its window,
 * about 60 units wide, does not depend on `tau`: this is the change of variables that
 * follows the peak as `tau -> 0` (the old variable `sigma` needed `~1/tau` nodes).
 *
 * Nodes are `x_n = n H` (anchored at 0, so they do not move with the logits). Each integrand
 * is a product of log-concave functions of `x`, hence unimodal: starting at the bulk
 * (`x = log sum_j e^(c_j)`), the walk goes right, then left, and stops on a side once every
 * integrand is falling and below `e^-48` of its own largest value. A node enters or leaves the
 * sum only when its contribution is ~1e-21 of that integrand, so the result is smooth in the
 * logits to that level. Classes with equal logits are one group, evaluated once.
 *
 * @packageDocumentation
 */
import { LOG_CDF, LOG_DENSITY, LOG_DENSITY2, NoiseLaws } from './noise-laws.js';
import { NoiseTable, TABLE_MIN_POINTS } from './noise-table.js';
import { bug } from '../../errors.js';

/** Outer step `H` on the scale `x`. */
export const OUTER_STEP = 0.25;

/** Integrands further than this many nats below their largest value are dropped. */
export const WINDOW_LEVEL = 48;

/** The walk gives up (a bug, not an input) after this many nodes on one side. */
const MAX_NODES = 20000;

/** Moments per group of equal logits. */
export interface GroupMoments {
  /** `E[y_k]` for a class of each group. */
  readonly mean: Float64Array;
  /** `E[y_k^2]` for a class of each group. */
  readonly secondMoment: Float64Array;
  /**
   * `E[y_j y_k]` for two distinct classes of groups `g <= g'`, at `g * G + g'` (`G` groups);
   * for `g = g'` it is the value for two different members of that group. Only when requested.
   */
  readonly cross?: Float64Array;
}

/**
 * Sees every node the walk visits (and sums): the logs of `f`, `F`, `f2` per group and
 * `S = sum_g counts_g log F_g`. The arrays are reused: read them, do not keep them.
 */
export type NodeObserver = (logF1: Float64Array, logF: Float64Array, logF2: Float64Array, S: number) => void;

/** Values of `log f`, `log F`, `log f2` of one group at one node. */
interface NodeValues {
  evaluate(group: number, n: number, out: Float64Array): void;
}

/**
 * Exact first and second moments of the Concrete distribution by the outer quadrature.
 *
 * @param gaps - `logit_j - max logit` per group (all `<= 0`, finite, the largest is 0).
 * @param counts - number of classes in each group.
 * @param temperature - `tau > 0`, finite.
 * @param withCross - whether to compute the cross moments `E[y_j y_k]`.
 * @param outerStep - the outer step `H` (smaller only to check convergence).
 * @param interpolate - `true`/`false` forces the tabulated/direct inner functions (default: by cost).
 * @param observer - called at every node that enters the sums (for integrals beyond the moments).
 * @returns the moments per group.
 */
export function integrateGroupMoments(
  gaps: Float64Array,
  counts: Float64Array,
  temperature: number,
  withCross: boolean,
  outerStep: number = OUTER_STEP,
  interpolate?: boolean,
  observer?: NodeObserver,
): GroupMoments {
  const tau = temperature;
  const G = gaps.length;
  const laws = new NoiseLaws(tau);
  const kappa = laws.scale;
  const c = new Float64Array(G);
  let cMin = 0;
  for (let j = 0; j < G; j++) {
    c[j] = gaps[j] / kappa;
    if (c[j] < cMin) cMin = c[j];
  }
  // The bulk: prod_j F(x - c_j) leaves its doubly exponential left tail once sum_j e^(c_j - x) ~ 1.
  let weight = 0;
  for (let g = 0; g < G; g++) weight += counts[g] * Math.exp(c[g]);
  const x0 = Math.log(weight);
  const nStart = Math.round(x0 / outerStep);

  // Tabulating pays when the groups need more points than the table holds (about 64 per unit).
  const points = G * (70 / outerStep);
  const useTable = interpolate ?? (points > TABLE_MIN_POINTS && points > (75 - cMin) * 64);
  let values: NodeValues;
  if (useTable) {
    const table = new NoiseTable(laws, x0 - 10, x0 + 70 - cMin);
    values = {
      evaluate: (j, n, out) => table.evaluate(n * outerStep - c[j], out),
    };
  } else {
    values = {
      evaluate: (j, n, out) => laws.evaluate(n * outerStep - c[j], out),
    };
  }
  return walk(values, counts, nStart, withCross, outerStep, Math.min(tau, 1), observer);
}

/**
 * Per-node logs of the integrands, their running maxima and previous values, and their sums.
 *
 * The sums are compensated (Neumaier), so `sum_k E[y_k] - 1` stays at one or two ulps.
 */
class Integrands {
  readonly value: Float64Array;
  readonly max: Float64Array;
  readonly prev: Float64Array;
  readonly start: Float64Array;
  private readonly sum: Float64Array;
  private readonly carry: Float64Array;

  constructor(size: number) {
    this.value = new Float64Array(size);
    this.max = new Float64Array(size).fill(-Infinity);
    this.prev = new Float64Array(size);
    this.start = new Float64Array(size);
    this.sum = new Float64Array(size);
    this.carry = new Float64Array(size);
  }

  /** Adds `x` to sum `i`. */
  add(i: number, x: number): void {
    const s = this.sum[i];
    const t = s + x;
    this.carry[i] += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    this.sum[i] = t;
  }

  /** Sum `i`. */
  total(i: number): number {
    return this.sum[i] + this.carry[i];
  }

  /** Records the current values as the new maxima where larger. */
  updateMax(): void {
    const { value, max } = this;
    for (let i = 0; i < value.length; i++) if (value[i] > max[i]) max[i] = value[i];
  }

  /** Every integrand falls outwards and is below e^-48 of its largest value. */
  closed(): boolean {
    const { value, max, prev } = this;
    for (let i = 0; i < value.length; i++) {
      if (value[i] > max[i] - WINDOW_LEVEL || value[i] > prev[i]) return false;
    }
    return true;
  }
}

function walk(
  values: NodeValues,
  counts: Float64Array,
  nStart: number,
  withCross: boolean,
  H: number,
  crossFactor: number,
  observer: NodeObserver | undefined,
): GroupMoments {
  const G = counts.length;
  const logF = new Float64Array(G);
  const logF1 = new Float64Array(G);
  const logF2 = new Float64Array(G);
  const ratio = new Float64Array(G);
  const scaled = new Float64Array(G);
  const out = new Float64Array(3);
  // Layout: [0, G) mean integrands, [G, 2G) second moments, then the cross moments of the
  // group pairs j <= k, row by row (the upper triangle, packed).
  const all = new Integrands(2 * G + (withCross ? (G * (G + 1)) / 2 : 0));
  const { value } = all;

  const visit = (n: number): void => {
    let S = 0;
    for (let j = 0; j < G; j++) {
      values.evaluate(j, n, out);
      logF1[j] = out[LOG_DENSITY];
      logF[j] = out[LOG_CDF];
      logF2[j] = out[LOG_DENSITY2];
      S += counts[j] * out[LOG_CDF];
    }
    observer?.(logF1, logF, logF2, S);
    for (let j = 0; j < G; j++) {
      // F underflows only far left, where f and f2 of that group and the whole product do too.
      const finite = S > -Infinity;
      const m = finite ? S - logF[j] + logF1[j] : -Infinity;
      const q = finite ? S - logF[j] + logF2[j] : -Infinity;
      ratio[j] = finite ? logF1[j] - logF[j] : -Infinity;
      value[j] = m;
      value[G + j] = q;
      all.add(j, Math.exp(m));
      all.add(G + j, Math.exp(q));
    }
    if (withCross) {
      // f_j f_k prod_{i != j,k} F_i = u_j u_k with u_j = exp(S/2 + log(f_j / F_j)).
      const half = S / 2;
      for (let j = 0; j < G; j++) scaled[j] = S > -Infinity ? Math.exp(half + ratio[j]) : 0;
      let at = 2 * G;
      for (let j = 0; j < G; j++) {
        const rj = S + ratio[j];
        const uj = scaled[j];
        for (let k = j; k < G; k++, at++) {
          value[at] = rj + ratio[k];
          all.add(at, uj * scaled[k]);
        }
      }
    }
    all.updateMax();
  };

  visit(nStart);
  all.start.set(value);
  all.prev.set(value);
  for (let n = nStart + 1; ; n++) {
    if (n > nStart + MAX_NODES) bug('exactMoments: the quadrature window did not close on the right');
    visit(n);
    if (all.closed()) break;
    all.prev.set(value);
  }
  all.prev.set(all.start);
  for (let n = nStart - 1; ; n--) {
    if (n < nStart - MAX_NODES) bug('exactMoments: the quadrature window did not close on the left');
    visit(n);
    if (all.closed()) break;
    all.prev.set(value);
  }

  const mean = new Float64Array(G);
  const secondMoment = new Float64Array(G);
  for (let j = 0; j < G; j++) {
    mean[j] = H * all.total(j);
    secondMoment[j] = H * all.total(G + j);
  }
  if (!withCross) return { mean, secondMoment };
  const cross = new Float64Array(G * G);
  let at = 2 * G;
  for (let j = 0; j < G; j++) {
    for (let k = j; k < G; k++, at++) cross[j * G + k] = crossFactor * H * all.total(at);
  }
  return { mean, secondMoment, cross };
}
