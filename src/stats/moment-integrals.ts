/**
 * The outer one-dimensional integrals of the exact moments (spec sections 6.2 and 6.3).
 *
 * With `a_j = sigma + c_j`,
 *
 *     E[y_k]     = int Phi1(a_k) prod_{j != k} Lambda(a_j) dsigma
 *     E[y_k^2]   = int Phi2(a_k) prod_{j != k} Lambda(a_j) dsigma
 *     E[y_j y_k] = int Phi1(a_j) Phi1(a_k) prod_{i != j,k} Lambda(a_i) dsigma
 *
 * ## Method
 *
 * Trapezoidal rule with step `H = 0.25` on the nodes `sigma_n = n H` (anchored at 0, so the
 * nodes do not move with the logits), every integrand formed in log space as
 * `S - log Lambda(a_k) + log Phi_m(a_k)` with `S = sum_j log Lambda(a_j)`. Each integrand is a
 * product of log-concave functions of `sigma`, hence unimodal: starting near the bulk, the
 * walk goes right, then left, and stops on a side once every integrand is falling and below
 * `e^-48` of its own largest value. A node therefore enters or leaves the sum only when its
 * contribution is ~1e-21 of that integrand: the result has no jumps above that level when a
 * logit moves.
 *
 * Classes with equal logits are one group: their transforms are evaluated once and enter `S`
 * with their multiplicity.
 *
 * @packageDocumentation
 */
import { createConcreteTransforms, OUTER_STEP, type ConcreteTransforms } from './concrete-transforms.js';
import { WINDOW_LEVEL } from './log-concave-sum.js';
import { RuntimeError } from '../errors.js';

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

/** How many times the a-priori node range may be doubled before giving up. */
const MAX_WIDENINGS = 6;

/**
 * Exact first and second moments of the Concrete distribution by the outer quadrature.
 *
 * @param gaps - `logit_j - max logit` per group (all `<= 0`, finite, the largest is 0).
 * @param counts - number of classes in each group.
 * @param temperature - `tau > 0`.
 * @param withCross - whether to compute the cross moments `E[y_j y_k]`.
 * @param outerStep - the outer step `H` (smaller only to check convergence).
 * @returns the moments per group.
 */
export function integrateGroupMoments(
  gaps: Float64Array,
  counts: Float64Array,
  temperature: number,
  withCross: boolean,
  outerStep: number = OUTER_STEP,
): GroupMoments {
  const tau = temperature;
  const rate = Math.min(tau, 1);
  // Where the mass of the integrands sits: the transforms leave their a -> -infinity
  // asymptotics (1 - Lambda ~ e^(rate a)) once sum_j e^(rate a_j) ~ 1.
  let weight = 0;
  for (let g = 0; g < gaps.length; g++) weight += counts[g] * Math.exp((rate * gaps[g]) / tau);
  const sigma0 = -Math.log(weight) / rate;
  // Left: the integrands decay like e^(rate sigma), e^-48 after 48 / rate. Right: Lambda of
  // the largest class decays like exp(-C e^(tau a / (1 + tau))).
  let nLo = Math.floor((sigma0 - 70 / rate - 10) / outerStep);
  let nHi = Math.ceil((sigma0 + (tau < 1 ? 6 * (1 + 1 / tau) + 5 : 15)) / outerStep);
  const nStart = Math.round(sigma0 / outerStep);

  for (let attempt = 0; attempt <= MAX_WIDENINGS; attempt++) {
    const transforms = createConcreteTransforms(tau, gaps, nLo, nHi, outerStep);
    const result = walk(transforms, counts, nStart, withCross);
    if (result !== 'left' && result !== 'right') return result;
    const width = nHi - nLo;
    if (result === 'left') nLo -= width;
    else nHi += width;
  }
  throw new RuntimeError(
    `exactMoments: the quadrature window did not close within [${nLo}, ${nHi}] * ${outerStep} (temperature ${tau})`,
    { argument: 'temperature', rule: 'quadrature-converges' },
  );
}

/**
 * Per-node logs of the integrands, their running maxima and previous values, and their sums.
 *
 * The sums are compensated (Neumaier): at small temperatures the window holds thousands of
 * nodes, and plain accumulation then drifts by ~1e-14 (seen as `sum_k E[y_k] - 1`); with the
 * compensation it stays at one or two ulps.
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
  transforms: ConcreteTransforms,
  counts: Float64Array,
  nStart: number,
  withCross: boolean,
): GroupMoments | 'left' | 'right' {
  const G = counts.length;
  const logLambda = new Float64Array(G);
  const logPhi1 = new Float64Array(G);
  const logPhi2 = new Float64Array(G);
  const ratio = new Float64Array(G);
  const scaled = new Float64Array(G);
  const values = new Float64Array(3);
  // Layout: [0, G) mean integrands, [G, 2G) second moments, then the cross moments of the
  // group pairs j <= k, row by row (the upper triangle, packed).
  const all = new Integrands(2 * G + (withCross ? (G * (G + 1)) / 2 : 0));
  const { value } = all;

  const visit = (n: number): void => {
    let S = 0;
    for (let j = 0; j < G; j++) {
      transforms.evaluate(j, n, values);
      logLambda[j] = values[0];
      logPhi1[j] = values[1];
      logPhi2[j] = values[2];
      S += counts[j] * values[0];
    }
    for (let j = 0; j < G; j++) {
      // Lambda underflows only far right, where Phi1, Phi2 of that class underflow as well.
      const finite = logLambda[j] > -Infinity;
      const m = finite ? S - logLambda[j] + logPhi1[j] : -Infinity;
      const q = finite ? S - logLambda[j] + logPhi2[j] : -Infinity;
      ratio[j] = finite ? logPhi1[j] - logLambda[j] : -Infinity;
      value[j] = m;
      value[G + j] = q;
      all.add(j, Math.exp(m));
      all.add(G + j, Math.exp(q));
    }
    if (withCross) {
      // Phi1_j Phi1_k prod_{i != j,k} Lambda_i = u_j u_k with u_j = exp(S/2 + log(Phi1_j/Lambda_j)).
      const half = S / 2;
      for (let j = 0; j < G; j++) scaled[j] = Math.exp(half + ratio[j]);
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
    if (n > transforms.nHi) return 'right';
    visit(n);
    if (all.closed()) break;
    all.prev.set(value);
  }
  all.prev.set(all.start);
  for (let n = nStart - 1; ; n--) {
    if (n < transforms.nLo) return 'left';
    visit(n);
    if (all.closed()) break;
    all.prev.set(value);
  }

  const H = transforms.outerStep;
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
    for (let k = j; k < G; k++, at++) cross[j * G + k] = H * all.total(at);
  }
  return { mean, secondMoment, cross };
}
