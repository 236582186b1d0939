/**
 * Planning a gradient-estimator study: checking its options, and running the setup that calls
 * the objective (`src/chunks/gradient-setup.ts`: a broken user module fails fast with its own
 * message) in a worker thread.
 *
 * @packageDocumentation
 */
import { ESTIMATORS, type EstimatorName, isEstimatorName, minimumM } from '../kernels/gradient-estimators.js';
import type { ObjectiveDescriptor } from '../chunks/layout.js';
import { moduleUrl } from '../chunks/objective-loader.js';
import {
  AbortError,
  ObjectiveError,
  RangeError,
  Rule,
  TypeError,
  ValueError,
  fromErrorData,
  isCodedError,
  isErrorData,
} from '../errors.js';
import {
  type GradientSetupObjectiveError,
  type GradientSetupResult,
  type GradientSetupTask,
  MODULE_CHECK_FAILED,
} from '../chunks/gradient-setup.js';
import type { WorkerPool } from './pool.js';

export { STREAM_SPAN, streamBaseOf } from '../chunks/gradient-setup.js';

/** How long a user objective module may take to load, pass its check and give the exact gradients and pilots. */
export const MODULE_SETUP_TIMEOUT_MS = 30_000;
/** Default group size m (reinforce-loo's group, gumbel-rao's conditional draws). */
export const DEFAULT_GROUP_SIZE = 4;

/**
 * @param estimators - a list of names, or 'all' / undefined for every estimator.
 * @returns the names, in the fixed report order.
 * @throws TypeError naming an unknown estimator.
 */
export function parseEstimators(estimators: unknown): EstimatorName[] {
  if (estimators === undefined || estimators === 'all') return [...ESTIMATORS];
  const list = typeof estimators === 'string' ? [estimators] : estimators;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`estimators must be 'all' or a non-empty array of names (${ESTIMATORS.join(', ')}).`, {
      argument: 'estimators',
      rule: Rule.oneOf,
    });
  }
  for (const name of list) {
    if (!isEstimatorName(name))
      throw new TypeError(`estimators: unknown estimator "${String(name)}" (known: ${ESTIMATORS.join(', ')}).`, {
        argument: 'estimators',
        rule: Rule.oneOf,
      });
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
    throw new TypeError("objective must be { kind: 'linear', c }, { kind: 'quadratic', target } or { module: path }.", {
      argument: 'objective',
      rule: Rule.oneOf,
    });
  }
  if ('module' in o) {
    if (typeof o.module !== 'string')
      throw new TypeError('objective.module must be a string (an absolute path or a file URL).', {
        argument: 'objective.module',
        rule: Rule.string,
      });
    moduleUrl(o.module);
    return { module: o.module };
  }
  const field = o.kind === 'linear' ? 'c' : o.kind === 'quadratic' ? 'target' : null;
  if (field === null)
    throw new TypeError(`objective.kind must be 'linear' or 'quadratic', but got ${String(o.kind)}.`, {
      argument: 'objective.kind',
      rule: Rule.oneOf,
    });
  const v = o[field];
  if (!Array.isArray(v) && !(v instanceof Float64Array))
    throw new TypeError(`objective.${field} must be an array of ${K} numbers.`, {
      argument: `objective.${field}`,
      rule: Rule.array,
    });
  if (v.length !== K)
    throw new RangeError(`objective.${field} must have K = ${K} entries, but has ${v.length}.`, {
      argument: `objective.${field}`,
      rule: Rule.shape,
    });
  const arr = Array.from(v as ArrayLike<unknown>, (x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new RangeError(`objective.${field}[${i}] must be a finite number, but got ${String(x)}.`, {
        argument: `objective.${field}.${i}`,
        rule: Rule.finite,
      });
    return x;
  });
  return o.kind === 'linear' ? { kind: 'linear', c: arr } : { kind: 'quadratic', target: arr };
}

/**
 * Runs the part of a gradients job's start that calls the objective (importing and checking a
 * user module, the exact gradients, the pilot shifts) in a worker thread of the pool: a user
 * module never runs on this thread. The thread is terminated when `signal` fires, or when a
 * user module's setup exceeds {@link MODULE_SETUP_TIMEOUT_MS}.
 *
 * @param pool - the engine's pool (started here if needed).
 * @param task - the objective, the distribution's rows, and the estimators to pilot.
 * @param signal - the job's signal.
 * @returns the exact gradients and the pilot shifts.
 * @throws AbortError on abort; an `ObjectiveModuleError` for a module that fails its check or its time
 *   limit; an `ObjectiveError` where the objective was not finite.
 */
export async function runGradientSetup(
  pool: WorkerPool,
  task: Omit<GradientSetupTask, 'kind'>,
  signal?: AbortSignal,
): Promise<GradientSetupResult> {
  await pool.start();
  const stop = new AbortController();
  let timedOut = false;
  const timer =
    'module' in task.objective
      ? setTimeout(() => {
          timedOut = true;
          stop.abort();
        }, MODULE_SETUP_TIMEOUT_MS)
      : undefined;
  const onAbort = () => stop.abort();
  if (signal?.aborted) stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let r: GradientSetupResult | GradientSetupObjectiveError;
  try {
    r = await pool.run<GradientSetupResult | GradientSetupObjectiveError>(
      { kind: 'gradient-setup', ...task },
      stop.signal,
    );
  } catch (err) {
    if (signal?.aborted)
      throw new AbortError('relaxed-mc: the gradients job was aborted during its setup; no result is returned.');
    const mod = 'module' in task.objective ? task.objective.module : '';
    if (timedOut)
      throw moduleError(
        `relaxed-mc: objective module ${mod} ${MODULE_CHECK_FAILED}it did not load and give the exact gradients ` +
          `within ${MODULE_SETUP_TIMEOUT_MS / 1000} s (does f or grad loop?).`,
      );
    // The worker sends its errors as data (see workers/worker.ts).
    const e = isErrorData(err) ? fromErrorData(err) : err;
    if (isCodedError(e) && e.rule === Rule.objectiveModuleCheck) throw moduleError(e.message, e);
    throw e;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  if (r.kind === 'objective-error') {
    // Rebuilt here: the class and its point do not survive the thread boundary as a thrown error.
    const e = new ObjectiveError('f', r.point, NaN, '');
    e.message = r.message;
    throw e;
  }
  return r;
}

function moduleError(message: string, cause?: unknown): ValueError {
  return new ValueError(message, { argument: 'objective.module', rule: Rule.objectiveModuleCheck, cause });
}

/**
 * @param groupSize - the option (undefined for the default).
 * @param names - the estimators it applies to.
 * @returns m.
 */
export function parseGroupSize(groupSize: unknown, names: readonly EstimatorName[]): number {
  const m = groupSize === undefined ? DEFAULT_GROUP_SIZE : groupSize;
  if (typeof m !== 'number' || !Number.isSafeInteger(m) || m < 1) {
    throw new RangeError(`groupSize must be a positive integer, but got ${String(groupSize)}.`, {
      argument: 'groupSize',
      rule: Rule.positiveInteger,
    });
  }
  for (const name of names) {
    if (m < minimumM(name))
      throw new RangeError(`groupSize must be at least ${minimumM(name)} for ${name}, but got ${m}.`, {
        argument: 'groupSize',
        rule: Rule.minimum,
      });
  }
  return m;
}
