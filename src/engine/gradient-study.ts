/**
 * Planning a gradient-estimator study: checking its options, loading the objective in this
 * thread first (so a broken user module fails fast with its own message), the exact reference
 * gradients, and each estimator's pilot shift.
 *
 * @packageDocumentation
 */
import {
  ESTIMATORS,
  type EstimatorName,
  createGradientWorkspace,
  estimateGradientGroups,
  estimatesPerGroup,
  isEstimatorName,
  minimumM,
  uniformsPerGroup,
} from '../kernels/gradient-estimators.js';
import type { Objective } from '../kernels/objectives.js';
import { discreteGradient, relaxedGradient } from '../stats/exact-gradients.js';
import { WasmUniforms } from '../kernels/wasm/kernels.js';
import type { ObjectiveDescriptor } from '../chunks/layout.js';
import { loadObjective, moduleUrl } from '../chunks/objective-loader.js';
import { softmaxInto } from '../kernels/softmax.js';
import { Rule, RuntimeError, ValueError } from '../errors.js';

/** How long a user objective module may take to load in the pre-flight check. */
export const MODULE_LOAD_TIMEOUT_MS = 10_000;
/** Default group size m (reinforce-loo's group, gumbel-rao's conditional draws). */
export const DEFAULT_GROUP_SIZE = 4;
/** Pilot groups per batch element for the shift of the sums. */
const PILOT_GROUPS = 64;
/** Streams of estimator i start at (i + 1) * 2^40: chunk indices stay below 2^40 - 1 (the last is the pilot's). */
export const STREAM_SPAN = 2 ** 40;

/**
 * @param estimators - a list of names, or 'all' / undefined for every estimator.
 * @returns the names, in the fixed report order.
 * @throws TypeError naming an unknown estimator.
 */
export function parseEstimators(estimators: unknown): EstimatorName[] {
  if (estimators === undefined || estimators === 'all') return [...ESTIMATORS];
  const list = typeof estimators === 'string' ? [estimators] : estimators;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`estimators must be 'all' or a non-empty array of names (${ESTIMATORS.join(', ')}).`);
  }
  for (const name of list) {
    if (!isEstimatorName(name))
      throw new TypeError(`estimators: unknown estimator "${String(name)}" (known: ${ESTIMATORS.join(', ')}).`);
  }
  return ESTIMATORS.filter((e) => list.includes(e));
}

/**
 * @param objective - `{ kind: 'linear', c }`, `{ kind: 'quadratic', target }` or `{ module }`.
 * @param K - categories.
 * @returns the objective as plain data (coefficients copied).
 * @throws TypeError / RangeError naming the field and the rule.
 */
export function parseObjective(objective: unknown, K: number): ObjectiveDescriptor {
  const o = objective as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object') {
    throw new TypeError("objective must be { kind: 'linear', c }, { kind: 'quadratic', target } or { module: path }.");
  }
  if ('module' in o) {
    if (typeof o.module !== 'string')
      throw new TypeError('objective.module must be a string (an absolute path or a file URL).');
    moduleUrl(o.module);
    return { module: o.module };
  }
  const field = o.kind === 'linear' ? 'c' : o.kind === 'quadratic' ? 'target' : null;
  if (field === null) throw new TypeError(`objective.kind must be 'linear' or 'quadratic', but got ${String(o.kind)}.`);
  const v = o[field];
  if (!Array.isArray(v) && !(v instanceof Float64Array))
    throw new TypeError(`objective.${field} must be an array of ${K} numbers.`);
  if (v.length !== K) throw new RangeError(`objective.${field} must have K = ${K} entries, but has ${v.length}.`);
  const arr = Array.from(v as ArrayLike<unknown>, (x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new RangeError(`objective.${field}[${i}] must be a finite number, but got ${String(x)}.`);
    return x;
  });
  return o.kind === 'linear' ? { kind: 'linear', c: arr } : { kind: 'quadratic', target: arr };
}

/**
 * Loads the objective in this thread, with a time limit for user modules.
 *
 * @param d - the objective.
 * @param K - categories.
 * @returns the objective.
 * @throws ValueError (rule `objective-module-check`) carrying the module's own error (its `cause`), or a timeout.
 */
export async function preflightObjective(d: ObjectiveDescriptor, K: number): Promise<Objective> {
  if (!('module' in d)) return loadObjective(d, K);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RuntimeError(`objective module ${d.module} did not load within ${MODULE_LOAD_TIMEOUT_MS / 1000} s.`, {
            argument: 'objective.module',
            rule: 'loads-in-time',
          }),
        ),
      MODULE_LOAD_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([loadObjective(d, K), timeout]);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ValueError(`relaxed-mc: objective module ${d.module} failed its check: ${why}`, {
      argument: 'objective.module',
      rule: Rule.objectiveModuleCheck,
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * @param name - an estimator.
 * @returns its stream base (estimators draw from disjoint streams of the job's seed).
 */
export function streamBaseOf(name: EstimatorName): number {
  return (ESTIMATORS.indexOf(name) + 1) * STREAM_SPAN;
}

/**
 * @param groupSize - the option (undefined for the default).
 * @param names - the estimators it applies to.
 * @returns m.
 */
export function parseGroupSize(groupSize: unknown, names: readonly EstimatorName[]): number {
  const m = groupSize === undefined ? DEFAULT_GROUP_SIZE : groupSize;
  if (typeof m !== 'number' || !Number.isSafeInteger(m) || m < 1) {
    throw new RangeError(`groupSize must be a positive integer, but got ${String(groupSize)}.`);
  }
  for (const name of names) {
    if (m < minimumM(name))
      throw new RangeError(`groupSize must be at least ${minimumM(name)} for ${name}, but got ${m}.`);
  }
  return m;
}

/**
 * Exact reference gradients per batch element: of the discrete objective (always) and of the
 * relaxed objective (built-in objectives with finite logits; NaN otherwise).
 *
 * @param B - batch elements.
 * @param K - categories.
 * @param logits - `B * K`.
 * @param temperature - `B`.
 * @param d - the objective descriptor.
 * @param objective - the objective.
 * @returns `{ discrete, relaxed }`, each `B * K`.
 */
export function exactGradients(
  B: number,
  K: number,
  logits: Float64Array,
  temperature: Float64Array,
  d: ObjectiveDescriptor,
  objective: Objective,
): { discrete: Float64Array; relaxed: Float64Array | null } {
  const discrete = new Float64Array(B * K);
  const relaxed = 'module' in d ? null : new Float64Array(B * K);
  for (let b = 0; b < B; b++) {
    const l = logits.subarray(b * K, (b + 1) * K);
    discrete.set(discreteGradient(l, objective), b * K);
    if (relaxed !== null) {
      if (l.every(Number.isFinite))
        relaxed.set(relaxedGradient(l, temperature[b], d as Exclude<ObjectiveDescriptor, { module: string }>), b * K);
      else relaxed.fill(NaN, b * K, (b + 1) * K);
    }
  }
  return { discrete, relaxed };
}

/**
 * The shift of an estimator's sums: the mean of a pilot run on its own reserved stream.
 *
 * @param name - the estimator.
 * @param seed - the job seed.
 * @param B - batch elements.
 * @param K - categories.
 * @param m - group size.
 * @param logits - `B * K`.
 * @param temperature - `B`.
 * @param objective - the objective.
 * @returns `B * K` shifts.
 */
export function gradientPilotShift(
  name: EstimatorName,
  seed: number,
  B: number,
  K: number,
  m: number,
  logits: Float64Array,
  temperature: Float64Array,
  objective: Objective,
): Float64Array {
  const U = uniformsPerGroup(name, K, m);
  const E = estimatesPerGroup(name, m);
  const uniforms = new WasmUniforms(PILOT_GROUPS * U);
  uniforms.start(seed, streamBaseOf(name) + STREAM_SPAN - 1);
  const out = new Float64Array(PILOT_GROUPS * E * K);
  const ws = createGradientWorkspace(K, m);
  const probs = new Float64Array(K);
  const shift = new Float64Array(B * K);
  for (let b = 0; b < B; b++) {
    const l = logits.subarray(b * K, (b + 1) * K);
    softmaxInto(l, probs);
    estimateGradientGroups(
      name,
      PILOT_GROUPS,
      K,
      l,
      probs,
      temperature[b],
      m,
      objective,
      uniforms.fill(PILOT_GROUPS * U),
      0,
      out,
      0,
      ws,
    );
    for (let i = 0; i < PILOT_GROUPS * E; i++) for (let k = 0; k < K; k++) shift[b * K + k] += out[i * K + k];
    for (let k = 0; k < K; k++) shift[b * K + k] /= PILOT_GROUPS * E;
  }
  return shift;
}
