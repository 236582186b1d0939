/**
 * Exact references for gradient-estimator studies: the true gradient of the discrete objective
 * `E[f(onehot(b))]` and the exact variance of REINFORCE, by enumeration over the K categories,
 * and the gradient of the relaxed objective `E[f(z)]`, `z ~ Concrete(theta, tau)`, for the
 * built-in objectives, through the exact moments.
 *
 * ## Method
 *
 * Discrete: `E f(e_b) = sum_k pi_k f(e_k)` and `d pi_k / d theta_i = pi_k (delta_ik - pi_i)`, so
 * `grad_i = pi_i (f(e_i) - F)` with `F = sum_k pi_k f(e_k)`. REINFORCE `g = f(e_b)(e_b - pi)`
 * has `E[g_i^2] = sum_b pi_b f(e_b)^2 (delta_bi - pi_i)^2`, hence its variance.
 *
 * Relaxed: `E f(z)` is `c . E[z]` (linear) or `sum_k E[z_k^2] - 2 t_k E[z_k] + t_k^2`
 * (quadratic), a smooth function of the logits through `exactMoments` (accurate to a few
 * 1e-16, smooth in the logits). Its gradient is computed by quadrature in one pass
 * (`relaxed-gradient.ts`: the derivative taken inside the integrals, `O(K)` work per node, so
 * its cost is that of the exact moments, bounded for every `tau`; absolute error a few 1e-16).
 * On request (`options.step` or `options.richardson`) it is taken by central differences with step
 * `h = 1e-5`: the truncation error is `h^2/6 |d^3 E f / d theta^3|`, about 2e-11 for the
 * O(1) third derivatives of these objectives, and rounding adds about `1e-16 / h = 1e-11`, so
 * each component is good to a few 1e-11, far inside the 1e-8 the studies need. How that was
 * checked (`test/kernels/exact/exact-gradients.test.ts`): against the derivative of the K = 2, tau = 1
 * closed form of spec section 8.3 (observed error <= 6e-12 at four logit gaps; steps 1e-4 and
 * 1e-6 are 5-10x worse, as the error model predicts), and against a Richardson extrapolation
 * from steps 1e-3 and 5e-4 (error O(h^4), itself within 1e-13 of the closed form), which agrees
 * to <= 1.4e-11 for K = 4, tau in {0.1, 0.5, 2}, both objectives.
 *
 * ## References
 *
 * - Specification `relaxed-one-hot-categorical.md`, sections 6 (exact moments) and 8.3.
 *
 * @packageDocumentation
 */
import { exactMoments } from './exact-moments.js';
import { checkConcreteArguments } from './concrete-arguments.js';
import { quadratureRelaxedGradient } from './relaxed-gradient.js';
import type { BuiltinObjectiveSpec, Objective } from '../objectives.js';
import { RangeError, Rule, TypeError } from '../../errors.js';

/** Central-difference step of {@link relaxedGradient} (see the module documentation). */
export const RELAXED_GRADIENT_STEP = 1e-5;

/** `softmax(logits)`, after the same checks as the exact moments. */
function softmaxOf(caller: string, logits: ArrayLike<number>): Float64Array {
  checkConcreteArguments(caller, logits, 1);
  const K = logits.length;
  let top = -Infinity;
  for (let k = 0; k < K; k++) if (logits[k] > top) top = logits[k];
  const p = new Float64Array(K);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    p[k] = Math.exp(logits[k] - top);
    sum += p[k];
  }
  for (let k = 0; k < K; k++) p[k] /= sum;
  return p;
}

/** `f(e_k)` for every k. */
function oneHotValues(caller: string, K: number, objective: Objective): Float64Array {
  if (objective === null || typeof objective !== 'object' || objective.K !== K) {
    throw new RangeError(
      `${caller}: objective.K must equal the number of logits (${K}), received ${String(objective?.K)}`,
      { argument: 'objective.K', rule: Rule.shape },
    );
  }
  const values = new Float64Array(K);
  const e = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    e[k] = 1;
    values[k] = objective.f(e);
    e[k] = 0;
  }
  return values;
}

/**
 * The exact gradient of the discrete objective, `d/dtheta E[f(onehot(b))]` with
 * `b ~ Categorical(softmax(theta))`, by enumeration: `grad_i = pi_i (f(e_i) - sum_k pi_k f(e_k))`.
 *
 * @param logits - `theta` (K entries, finite or `-Infinity`, at least one finite).
 * @param objective - `f`, with `objective.K = K`.
 * @returns the K partial derivatives (they sum to 0).
 * @throws RangeError - for invalid logits or a mismatched objective.
 *
 * @example
 * ```ts
 * discreteGradient([Math.log(0.2), Math.log(0.3), Math.log(0.5)], linearObjective([1, 0, -1]));
 * // Float64Array [0.26, 0.08999999999999998, -0.35]  (pi_i (c_i - c . pi), c . pi = -0.3)
 * ```
 */
export function discreteGradient(logits: ArrayLike<number>, objective: Objective): Float64Array {
  const pi = softmaxOf('discreteGradient', logits);
  const K = pi.length;
  const f = oneHotValues('discreteGradient', K, objective);
  let mean = 0;
  for (let k = 0; k < K; k++) mean += pi[k] * f[k];
  const grad = new Float64Array(K);
  for (let i = 0; i < K; i++) grad[i] = pi[i] * (f[i] - mean);
  return grad;
}

/**
 * The exact per-component variance of the single-sample REINFORCE estimate
 * `f(e_b)(e_b - pi)`, by enumeration over b.
 *
 * @param logits - `theta`.
 * @param objective - `f`, with `objective.K = K`.
 * @returns `Var(g_i)` for each of the K components.
 * @throws RangeError - for invalid logits or a mismatched objective.
 *
 * @example
 * ```ts
 * reinforceVariance([0, 0], linearObjective([1, 0])); // Float64Array [0.0625, 0.0625]
 * ```
 */
export function reinforceVariance(logits: ArrayLike<number>, objective: Objective): Float64Array {
  const pi = softmaxOf('reinforceVariance', logits);
  const K = pi.length;
  const f = oneHotValues('reinforceVariance', K, objective);
  const grad = discreteGradient(logits, objective);
  const variance = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let second = 0;
    for (let b = 0; b < K; b++) {
      const score = (b === i ? 1 : 0) - pi[i];
      second += pi[b] * f[b] * f[b] * score * score;
    }
    variance[i] = Math.max(0, second - grad[i] * grad[i]);
  }
  return variance;
}

function checkSpec(caller: string, K: number, spec: BuiltinObjectiveSpec): Float64Array {
  const kind = (spec as { kind?: unknown } | null)?.kind;
  const field = kind === 'linear' ? 'c' : kind === 'quadratic' ? 'target' : undefined;
  if (field === undefined) {
    throw new TypeError(`${caller}: spec.kind must be 'linear' or 'quadratic', received ${String(kind)}`, {
      argument: 'spec.kind',
      rule: Rule.oneOf,
    });
  }
  const coef = (spec as unknown as Record<string, ArrayLike<number> | null | undefined>)[field];
  if (coef === null || typeof coef !== 'object' || coef.length !== K) {
    throw new RangeError(`${caller}: spec.${field} must have K = ${K} entries, received ${String(coef?.length)}`, {
      argument: `spec.${field}`,
      rule: Rule.shape,
    });
  }
  const out = Float64Array.from(coef);
  for (let k = 0; k < K; k++) {
    if (!Number.isFinite(out[k])) {
      throw new RangeError(`${caller}: spec.${field}[${k}] must be a finite number, received ${out[k]}`, {
        argument: `spec.${field}.${k}`,
        rule: Rule.finite,
      });
    }
  }
  return out;
}

function relaxedValue(
  kind: 'linear' | 'quadratic',
  coef: Float64Array,
  logits: ArrayLike<number>,
  tau: number,
): number {
  const mom = exactMoments(logits, tau);
  let s = 0;
  for (let k = 0; k < coef.length; k++) {
    s +=
      kind === 'linear' ? coef[k] * mom.mean[k] : mom.secondMoment[k] - 2 * coef[k] * mom.mean[k] + coef[k] * coef[k];
  }
  return s;
}

/**
 * The relaxed objective `E[f(z)]`, `z ~ RelaxedOneHotCategorical(tau, logits)`, exactly (from
 * the exact first and second moments).
 *
 * @param logits - `theta`.
 * @param tau - the temperature (> 0).
 * @param spec - `{ kind: 'linear', c }` or `{ kind: 'quadratic', target }`.
 * @returns `E[f(z)]`.
 * @throws TypeError - for an unknown `spec.kind`.
 * @throws RangeError - for invalid logits, temperature or coefficients.
 *
 * @example
 * ```ts
 * relaxedObjective([0, 0], 1, { kind: 'linear', c: [1, 0] }); // 0.5 (y_1 ~ Uniform(0, 1))
 * ```
 */
export function relaxedObjective(logits: ArrayLike<number>, tau: number, spec: BuiltinObjectiveSpec): number {
  checkConcreteArguments('relaxedObjective', logits, tau);
  const coef = checkSpec('relaxedObjective', logits.length, spec);
  return relaxedValue(spec.kind, coef, logits, tau);
}

/**
 * The exact gradient of the relaxed objective, `d/dtheta E[f(z)]`: by quadrature (default; the
 * cost of one evaluation of the exact moments, absolute error a few 1e-16, any `tau`), or, when
 * `options.step` or `options.richardson` is given, by central differences of
 * {@link relaxedObjective} (2K evaluations of the exact moments; accurate to a few 1e-11 with
 * the default step, see the module documentation).
 *
 * @param logits - `theta` (finite entries: a `-Infinity` logit cannot be perturbed).
 * @param tau - the temperature (> 0).
 * @param spec - `{ kind: 'linear', c }` or `{ kind: 'quadratic', target }`.
 * @param options - (central differences instead of the quadrature) `step`: the central-difference
 *   step (default {@link RELAXED_GRADIENT_STEP});
 *   `richardson: true` combines steps h and h/2 (`(4 D(h/2) - D(h)) / 3`, error O(h^4), twice the
 *   cost), meant with a larger step such as 1e-3.
 * @returns the K partial derivatives.
 * @throws TypeError - for an unknown `spec.kind`.
 * @throws RangeError - for invalid logits (including `-Infinity`), temperature, coefficients or step.
 *
 * @example
 * ```ts
 * // K = 2, tau = 1: E[z_1] = rho (rho - 1 - log rho) / (rho - 1)^2 with rho = pi_1 / pi_2.
 * relaxedGradient([1, 0], 1, { kind: 'linear', c: [1, 0] });
 * // Float64Array [0.15094757870315334, -0.15094757870315334] (closed form 0.15094757870940287)
 * ```
 */
export function relaxedGradient(
  logits: ArrayLike<number>,
  tau: number,
  spec: BuiltinObjectiveSpec,
  options: { step?: number; richardson?: boolean } = {},
): Float64Array {
  checkConcreteArguments('relaxedGradient', logits, tau);
  const K = logits.length;
  for (let k = 0; k < K; k++) {
    if (!Number.isFinite(logits[k])) {
      throw new RangeError(`relaxedGradient: logits[${k}] must be finite (it is perturbed), received ${logits[k]}`, {
        argument: `logits.${k}`,
        rule: Rule.finite,
      });
    }
  }
  const coef = checkSpec('relaxedGradient', K, spec);
  if (options.step === undefined && options.richardson === undefined) {
    return quadratureRelaxedGradient(logits, tau, spec.kind, coef);
  }
  const h = options.step ?? RELAXED_GRADIENT_STEP;
  if (typeof h !== 'number' || !(h > 0) || !(h <= 0.1)) {
    throw new RangeError(`relaxedGradient: options.step must be in (0, 0.1], received ${String(h)}`, {
      argument: 'options.step',
      rule: Rule.inRange,
    });
  }
  const theta = Float64Array.from(logits);
  const central = (i: number, step: number): number => {
    const t0 = theta[i];
    theta[i] = t0 + step;
    const up = relaxedValue(spec.kind, coef, theta, tau);
    theta[i] = t0 - step;
    const down = relaxedValue(spec.kind, coef, theta, tau);
    theta[i] = t0;
    return (up - down) / (2 * step);
  };
  const grad = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    grad[i] = options.richardson === true ? (4 * central(i, h / 2) - central(i, h)) / 3 : central(i, h);
  }
  return grad;
}
