/**
 * The start of a gradients job that calls the objective, run in a worker thread: import the
 * objective (a user module is checked there: `f` and `grad` exported, finite at the centre of
 * the simplex), the exact reference gradients, and each estimator's pilot shift. A user
 * module's code therefore never runs on the coordinating thread, and a module that loops or
 * hangs is stopped by terminating the thread (on abort, or when it exceeds its time limit).
 *
 * @packageDocumentation
 */
import type { EstimatorName } from '../kernels/gradient-estimators.js';
import type { ObjectiveDescriptor } from './layout.js';
import { loadObjective } from './objective-loader.js';
import { MODULE_CHECK_FAILED, exactGradients, gradientPilotShift } from './gradient-study.js';

/** What the setup needs: the objective and the distribution's rows; `pilots` may be empty (a merge needs only the exact gradients). */
export interface GradientSetupTask {
  readonly kind: 'gradient-setup';
  readonly objective: ObjectiveDescriptor;
  readonly B: number;
  readonly K: number;
  readonly logits: Float64Array;
  readonly temperature: Float64Array;
  readonly seed: number;
  readonly groupSize: number;
  /** Estimators whose pilot shift to compute. */
  readonly pilots: readonly EstimatorName[];
}

/** The setup's answer (structured-cloned back to the coordinator). */
export interface GradientSetupResult {
  readonly discrete: Float64Array;
  readonly relaxed: Float64Array | null;
  /** One `B * K` shift per entry of `pilots`. */
  readonly shifts: Float64Array[];
}

/**
 * @param t - the task.
 * @returns the exact gradients and the pilot shifts.
 * @throws Error whose message says that the module failed its check, and why.
 */
export async function gradientSetup(t: GradientSetupTask): Promise<GradientSetupResult> {
  let objective;
  try {
    objective = await loadObjective(t.objective, t.K);
  } catch (err) {
    if (!('module' in t.objective)) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`relaxed-mc: objective module ${t.objective.module} ${MODULE_CHECK_FAILED}${why}`);
  }
  const exact = exactGradients(t.B, t.K, t.logits, t.temperature, t.objective, objective);
  const shifts = t.pilots.map((name) =>
    gradientPilotShift(name, t.seed, t.B, t.K, t.groupSize, t.logits, t.temperature, objective),
  );
  return { ...exact, shifts };
}
