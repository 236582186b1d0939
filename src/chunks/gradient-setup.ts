/**
 * The start of a gradients job that calls the objective, run in a worker thread: import the
 * objective (a user module is checked there: `f` and `grad` exported, finite at the centre of
 * the simplex), the exact reference gradients, and each estimator's pilot shift. A user
 * module's code therefore never runs on the coordinating thread, and a module that loops or
 * hangs is stopped by terminating the thread (on abort, or when it exceeds its time limit).
 *
 * @packageDocumentation
 */
import { ESTIMATORS, type EstimatorName, estimatesPerGroup } from '../kernels/gradient-estimators.js';
import type { Objective } from '../kernels/objectives.js';
import { discreteGradient, relaxedGradient } from '../kernels/exact/exact-gradients.js';
import { ObjectiveError, Rule, ValueError } from '../errors.js';
import type { GradientSetupTask, ObjectiveDescriptor } from '../jobs/index.js';
import { estimateGroupBlocks } from './gradient-blocks.js';
import { loadObjective } from './objective-loader.js';

/** In the message of a module that fails to load or fails its check (callers branch on the rule, not on this). */
export const MODULE_CHECK_FAILED = 'failed its check: ';
/** Pilot groups per batch element for the shift of the sums (drawn as one block). */
export const PILOT_GROUPS = 64;
/** Streams of estimator i start at (i + 1) * 2^40: chunk indices stay below 2^40 - 1 (the last is the pilot's). */
export const STREAM_SPAN = 2 ** 40;

/** What the setup needs (its schema: `GradientSetupTaskSchema` in `src/jobs/task-schema.ts`). */
export type { GradientSetupTask } from '../jobs/index.js';

/** The setup's answer (structured-cloned back to the coordinator). */
export interface GradientSetupResult {
  readonly kind: 'done';
  readonly discrete: Float64Array;
  readonly relaxed: Float64Array | null;
  /** One `B * K` shift per entry of `pilots`. */
  readonly shifts: Float64Array[];
}

/**
 * The objective returned a non-finite value or gradient. Sent as data, not thrown: a thrown
 * error crosses the thread boundary as a plain `Error`, and the coordinator rebuilds the
 * `ObjectiveError` (with its point) from this.
 */
export interface GradientSetupObjectiveError {
  readonly kind: 'objective-error';
  readonly message: string;
  readonly point: number[];
}

/**
 * @param t - the task.
 * @returns the exact gradients and the pilot shifts, or the point where the objective was not finite.
 * @throws ValueError (rule `objective-module-check`) saying that the module failed its check, and why.
 */
export async function gradientSetup(t: GradientSetupTask): Promise<GradientSetupResult | GradientSetupObjectiveError> {
  let objective;
  try {
    objective = await loadObjective(t.objective, t.K);
  } catch (err) {
    if (!('module' in t.objective)) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new ValueError(`relaxed-mc: objective module ${t.objective.module} ${MODULE_CHECK_FAILED}${why}`, {
      argument: 'objective.module',
      rule: Rule.objectiveModuleCheck,
      cause: err,
    });
  }
  // One step per row of the exact gradients and of each pilot: B * (1 + pilots) in all.
  const done = t.progress === undefined ? null : new Int32Array(t.progress);
  const step = () => {
    if (done !== null) Atomics.add(done, 0, 1);
  };
  try {
    const exact = exactGradients(t.B, t.K, t.logits, t.temperature, t.objective, objective, step);
    const shifts = t.pilots.map((name) =>
      gradientPilotShift(name, t.seed, t.B, t.K, t.groupSize, t.logits, t.temperature, objective, step),
    );
    return { kind: 'done', ...exact, shifts };
  } catch (err) {
    if (err instanceof ObjectiveError) return { kind: 'objective-error', message: err.message, point: err.point };
    throw err;
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
 * Exact reference gradients per batch element: of the discrete objective (always) and of the
 * relaxed objective (built-in objectives with finite logits; NaN otherwise).
 *
 * @param B - batch elements.
 * @param K - categories.
 * @param logits - `B * K`.
 * @param temperature - `B`.
 * @param d - the objective descriptor.
 * @param objective - the objective.
 * @param onRow - called after each batch element (for progress).
 * @returns `{ discrete, relaxed }`, each `B * K`.
 */
export function exactGradients(
  B: number,
  K: number,
  logits: Float64Array,
  temperature: Float64Array,
  d: ObjectiveDescriptor,
  objective: Objective,
  onRow?: () => void,
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
    onRow?.();
  }
  return { discrete, relaxed };
}

/**
 * The shift of an estimator's sums: the mean of a pilot run on its own reserved stream, through
 * the chunks' block loop (`gradient-blocks.ts`).
 *
 * @param name - the estimator.
 * @param seed - the job seed.
 * @param B - batch elements.
 * @param K - categories.
 * @param m - group size.
 * @param logits - `B * K`.
 * @param temperature - `B`.
 * @param objective - the objective.
 * @param onRow - called after each batch element (for progress).
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
  onRow?: () => void,
): Float64Array {
  const E = estimatesPerGroup(name, m);
  const shift = new Float64Array(B * K);
  // One block per batch element (the pattern of uniform requests is part of the pilot's stream).
  const study = { name, B, K, m, logits, temperature, objective };
  estimateGroupBlocks(
    study,
    seed,
    streamBaseOf(name) + STREAM_SPAN - 1,
    PILOT_GROUPS,
    PILOT_GROUPS,
    null,
    (est, n, b) => {
      for (let i = 0; i < n * E; i++) for (let k = 0; k < K; k++) shift[b * K + k] += est[i * K + k];
      onRow?.();
    },
  );
  for (let i = 0; i < shift.length; i++) shift[i] /= PILOT_GROUPS * E;
  return shift;
}
