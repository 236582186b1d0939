/**
 * Gradient estimators for a discrete choice: single-sample estimates of
 * `d/dtheta E[f(onehot(b))]`, `b ~ Categorical(softmax(theta))`, for one batch row, computed
 * from a block of uniforms. The one entry point the engine calls is
 * {@link estimateGradientGroups}; the estimators themselves live in `gradient-reinforce.ts`,
 * `gradient-pathwise.ts`, `gradient-rao.ts` and `gradient-rebar.ts`.
 *
 * | name | estimate | mean | uniforms per group | estimates per group |
 * |---|---|---|---|---|
 * | `reinforce` | `f(e_b)(e_b - pi)` | discrete gradient | K | 1 |
 * | `reinforce-loo` | `(f_i - mean_{j != i} f_j)(e_{b_i} - pi)` | discrete gradient | m K | m |
 * | `gumbel-softmax` | `J(x)^T grad f(z)` | relaxed gradient `d/dtheta E f(z)` | K | 1 |
 * | `straight-through` | `J(x)^T grad f(e_b)` | biased | K | 1 |
 * | `gumbel-rao` | `mean_r J(x~_r)^T grad f(e_b)`, `x~_r ~ x given b` | that of straight-through | (m + 1) K | 1 |
 * | `rebar` | REINFORCE + relaxed control variate (`eta = 1`, `lambda = tau`) | discrete gradient | 2 K | 1 |
 *
 * (`J(x)` is the Jacobian of `z = softmax(x / tau)`, `x = theta + G`.)
 *
 * Stream layout: group `i` of a call reads the uniforms
 * `[uOffset + i U, uOffset + (i + 1) U)` with `U = uniformsPerGroup(name, K, m)`, whatever the
 * data, so the engine can cut a job into chunks by counting groups; within a group each
 * estimator's file documents which K-block does what. Estimate `e` of group `i` is written to
 * `out[outOffset + (i E + e) K ...]` with `E = estimatesPerGroup(name, m)`. A `reinforce-loo`
 * group's m estimates are correlated: take standard errors from group means.
 *
 * @packageDocumentation
 */
import type { Objective } from './objectives.js';
import type { GradientWorkspace } from './gradient-common.js';
import { reinforceGroups, reinforceLooGroups } from './gradient-reinforce.js';
import { gumbelSoftmaxGroups, straightThroughGroups } from './gradient-pathwise.js';
import { gumbelRaoGroups } from './gradient-rao.js';
import { rebarGroups } from './gradient-rebar.js';
import { RangeError, Rule, type RuleName, TypeError } from '../errors.js';

/** The name of a gradient estimator. */
export type EstimatorName =
  'reinforce' | 'reinforce-loo' | 'gumbel-softmax' | 'straight-through' | 'gumbel-rao' | 'rebar';

/** Every estimator, in a fixed order (the order of reports). */
export const ESTIMATORS: readonly EstimatorName[] = Object.freeze([
  'reinforce',
  'reinforce-loo',
  'gumbel-softmax',
  'straight-through',
  'gumbel-rao',
  'rebar',
] as const);

/**
 * The estimators whose mean is the gradient of the discrete objective (`gumbel-softmax` is
 * unbiased only for the relaxed objective `E f(z)`).
 */
export const UNBIASED_ESTIMATORS: readonly EstimatorName[] = Object.freeze([
  'reinforce',
  'reinforce-loo',
  'rebar',
] as const);

/**
 * @param name - any value.
 * @returns whether it names an estimator.
 */
export function isEstimatorName(name: unknown): name is EstimatorName {
  return typeof name === 'string' && (ESTIMATORS as readonly string[]).includes(name);
}

/**
 * The smallest `m` an estimator accepts: 2 for `reinforce-loo` (the group size; a leave-one-out
 * baseline needs another draw), 1 for `gumbel-rao` (conditional draws per estimate), and 1 for
 * the others, which ignore `m`.
 *
 * @param name - the estimator.
 * @returns the minimum `m`.
 */
export function minimumM(name: EstimatorName): number {
  return name === 'reinforce-loo' ? 2 : 1;
}

/**
 * Uniforms one group consumes (a fixed count, independent of the data).
 *
 * @param name - the estimator.
 * @param K - categories.
 * @param m - group size (`reinforce-loo`) or conditional draws (`gumbel-rao`); ignored otherwise.
 * @returns the number of uniforms per group.
 *
 * @example
 * ```ts
 * uniformsPerGroup('gumbel-rao', 10, 4); // 50
 * ```
 */
export function uniformsPerGroup(name: EstimatorName, K: number, m: number): number {
  switch (name) {
    case 'reinforce-loo':
      return m * K;
    case 'gumbel-rao':
      return (m + 1) * K;
    case 'rebar':
      return 2 * K;
    default:
      return K;
  }
}

/**
 * Estimates one group yields: m for `reinforce-loo`, 1 otherwise.
 *
 * @param name - the estimator.
 * @param m - the group size (`reinforce-loo`); ignored otherwise.
 * @returns the number of K-vectors written per group.
 */
export function estimatesPerGroup(name: EstimatorName, m: number): number {
  return name === 'reinforce-loo' ? m : 1;
}

/** Relative (plus absolute) tolerance of the check `probs = softmax(logits)`. */
const PROBS_REL_TOL = 1e-9;
const PROBS_ABS_TOL = 1e-15;

function fail(argument: string, rule: RuleName, text: string, value: unknown): never {
  throw new RangeError(`estimateGradientGroups: ${text}, received ${String(value)}`, { argument, rule });
}

/** How a received array is named in a message: its length, or its type if it is not one. */
function describe(a: unknown): string {
  return a instanceof Float64Array ? `a Float64Array of length ${a.length}` : typeof a;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/**
 * Checks the arguments once and returns `LSE(logits)` (0 for normalised logits).
 */
function checkArguments(
  name: EstimatorName,
  groups: number,
  K: number,
  logits: Float64Array,
  probs: Float64Array,
  tau: number,
  m: number,
  objective: Objective,
  uniforms: Float64Array,
  uOffset: number,
  out: Float64Array,
  outOffset: number,
  ws: GradientWorkspace,
): number {
  if (!isEstimatorName(name)) {
    throw new TypeError(
      `estimateGradientGroups: name must be one of ${ESTIMATORS.join(', ')}, received ${String(name)}`,
      { argument: 'name', rule: Rule.oneOf },
    );
  }
  if (!isCount(groups)) fail('groups', Rule.nonNegativeInteger, 'groups must be a non-negative integer', groups);
  if (!isCount(K) || K < 1) fail('K', Rule.positiveInteger, 'K must be a positive integer', K);
  if (!(logits instanceof Float64Array) || logits.length !== K) {
    fail('logits', Rule.shape, `logits must be a Float64Array of length K = ${K}`, describe(logits));
  }
  if (!(probs instanceof Float64Array) || probs.length !== K) {
    fail('probs', Rule.shape, `probs must be a Float64Array of length K = ${K}`, describe(probs));
  }
  if (typeof tau !== 'number' || !Number.isFinite(tau) || !(tau > 0))
    fail('tau', Rule.positive, 'tau must be finite and > 0', tau);
  if (objective === null || typeof objective !== 'object' || objective.K !== K) {
    fail('objective.K', Rule.shape, `objective.K must equal K = ${K}`, (objective as Objective | null)?.K);
  }
  if (ws === null || typeof ws !== 'object' || ws.K !== K) {
    fail('workspace.K', Rule.shape, `workspace.K must equal K = ${K}`, (ws as GradientWorkspace | null)?.K);
  }
  const usesM = name === 'reinforce-loo' || name === 'gumbel-rao';
  if (usesM) {
    if (!isCount(m) || m < minimumM(name))
      fail('m', Rule.minimum, `m must be an integer >= ${minimumM(name)} for ${name}`, m);
    if (name === 'reinforce-loo' && m > ws.m) {
      fail('m', Rule.inRange, `m must be at most the workspace's m = ${ws.m} (createGradientWorkspace(K, m))`, m);
    }
  }
  const U = uniformsPerGroup(name, K, usesM ? m : 1);
  if (!(uniforms instanceof Float64Array) || !isCount(uOffset) || uOffset + groups * U > uniforms.length) {
    fail(
      'uniforms',
      Rule.shape,
      `uniforms must be a Float64Array holding groups * ${U} = ${groups * U} values from uOffset = ${uOffset}`,
      describe(uniforms),
    );
  }
  const need = groups * estimatesPerGroup(name, usesM ? m : 1) * K;
  if (!(out instanceof Float64Array) || !isCount(outOffset) || outOffset + need > out.length) {
    fail(
      'out',
      Rule.shape,
      `out must be a Float64Array with room for ${need} values from outOffset = ${outOffset}`,
      describe(out),
    );
  }
  // LSE(logits), then probs = exp(logits - LSE): the kernels use both and rely on it.
  let top = -Infinity;
  for (let k = 0; k < K; k++) {
    const l = logits[k];
    if (Number.isNaN(l) || l === Infinity)
      fail(`logits.${k}`, Rule.realVector, `logits[${k}] must be finite or -Infinity`, l);
    if (l > top) top = l;
  }
  if (top === -Infinity) fail('logits', Rule.realVector, 'logits must have a finite entry', 'all -Infinity');
  let sum = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(logits[k] - top);
  const lse = top + Math.log(sum);
  for (let k = 0; k < K; k++) {
    const p = probs[k];
    const q = Math.exp(logits[k] - lse);
    if (!(Math.abs(p - q) <= PROBS_REL_TOL * q + PROBS_ABS_TOL)) {
      fail(`probs.${k}`, Rule.simplex, `probs[${k}] must equal softmax(logits)[${k}] = ${q}`, p);
    }
  }
  return lse;
}

/**
 * Writes `groups * estimatesPerGroup(name, m)` single-sample estimates of the gradient of
 * `E[f(onehot(b))]` with respect to the logits (K values each) for one batch row.
 *
 * The arguments are checked once, here; the loops that follow never throw and allocate nothing
 * (a NaN from a user objective propagates into the estimates).
 *
 * @param name - the estimator (see the table in this module's documentation).
 * @param groups - the number of groups to produce.
 * @param K - categories (>= 1).
 * @param logits - the row's logits, length K, normalised (`LSE = 0`) in practice; `-Infinity`
 *   allowed for a class of probability 0.
 * @param probs - `softmax(logits)`, length K (checked to 1e-9 relative).
 * @param tau - the temperature (> 0): of the relaxed sample (`gumbel-softmax`,
 *   `straight-through`, `gumbel-rao`) and of REBAR's relaxation; ignored by REINFORCE.
 * @param m - group size for `reinforce-loo` (>= 2), conditional draws for `gumbel-rao` (>= 1);
 *   ignored by the others.
 * @param objective - `f`, with `objective.K === K`.
 * @param uniforms - uniforms strictly inside (0, 1).
 * @param uOffset - first uniform read; `groups * uniformsPerGroup(name, K, m)` are read.
 * @param out - destination of the estimates.
 * @param outOffset - first index written.
 * @param ws - a workspace from `createGradientWorkspace(K, m)` (m at least the LOO group size).
 * @throws TypeError - for an unknown estimator name.
 * @throws RangeError - naming the first argument that breaks its rule.
 *
 * @example
 * ```ts
 * import { WasmUniforms } from './wasm/kernels.js';
 * import { linearObjective } from './objectives.js';
 * import { createGradientWorkspace } from './gradient-common.js';
 *
 * const probs = Float64Array.of(0.2, 0.3, 0.5);
 * const logits = probs.map(Math.log); // normalised: LSE = 0
 * const f = linearObjective([1, 0, -1]);
 * const groups = 100_000;
 * const u = new Float64Array(groups * uniformsPerGroup('rebar', 3, 1)); // 6 per group
 * const rng = new WasmUniforms(u.length);
 * rng.start(42, 0); // the engine's stream of chunk 0 of seed 42
 * u.set(rng.fill(u.length));
 * const out = new Float64Array(groups * estimatesPerGroup('rebar', 1) * 3);
 * estimateGradientGroups('rebar', groups, 3, logits, probs, 0.5, 1, f, u, 0, out, 0, createGradientWorkspace(3));
 * out.subarray(0, 3); // [-0.01911..., 0.06415..., -0.04504...]: the first estimate
 * const mean = [0, 1, 2].map((k) => out.reduce((s, v, i) => (i % 3 === k ? s + v : s), 0) / groups);
 * mean.map((v) => v.toFixed(3)); // ['0.261', '0.090', '-0.351']
 * // the exact gradient pi_i (c_i - c . pi) is (0.26, 0.09, -0.35)
 * ```
 */
export function estimateGradientGroups(
  name: EstimatorName,
  groups: number,
  K: number,
  logits: Float64Array,
  probs: Float64Array,
  tau: number,
  m: number,
  objective: Objective,
  uniforms: Float64Array,
  uOffset: number,
  out: Float64Array,
  outOffset: number,
  ws: GradientWorkspace,
): void {
  const lse = checkArguments(name, groups, K, logits, probs, tau, m, objective, uniforms, uOffset, out, outOffset, ws);
  switch (name) {
    case 'reinforce':
      reinforceGroups(groups, K, probs, objective, uniforms, uOffset, out, outOffset, ws);
      return;
    case 'reinforce-loo':
      reinforceLooGroups(groups, K, m, probs, objective, uniforms, uOffset, out, outOffset, ws);
      return;
    case 'gumbel-softmax':
      gumbelSoftmaxGroups(groups, K, logits, tau, objective, uniforms, uOffset, out, outOffset, ws);
      return;
    case 'straight-through':
      straightThroughGroups(groups, K, logits, tau, objective, uniforms, uOffset, out, outOffset, ws);
      return;
    case 'gumbel-rao':
      gumbelRaoGroups(groups, K, m, probs, lse, tau, objective, uniforms, uOffset, out, outOffset, ws);
      return;
    case 'rebar':
      rebarGroups(groups, K, logits, probs, lse, tau, objective, uniforms, uOffset, out, outOffset, ws);
      return;
  }
}

export type { GradientWorkspace } from './gradient-common.js';
export { createGradientWorkspace } from './gradient-common.js';
