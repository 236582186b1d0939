/**
 * A deliberate slowdown, to check that the gate catches one: `RELAXED_MC_BENCH_SLOWDOWN=0.3`
 * makes every benchmarked task take 30 % longer. It is read here, by the harness, and applied
 * around the benchmark tasks only: the kernels never read it, and the calibration loop is never
 * wrapped (otherwise the normalisation would cancel the slowdown it is meant to reveal).
 *
 * After a task call that took `t` ms, the wrapper busy-waits a further `fraction * t` ms on the
 * main thread. The extra time is proportional to the task's own measured time, so it is a
 * `fraction` slowdown whatever the machine's speed or load at that moment.
 *
 * @packageDocumentation
 */
import { BenchInputError } from './errors.js';

/** The environment variable. */
export const SLOWDOWN_VARIABLE = 'RELAXED_MC_BENCH_SLOWDOWN';
/** Largest accepted fraction (10 = eleven times slower). */
const MAX_FRACTION = 10;

/**
 * @param env - the environment (`process.env`).
 * @returns the extra work as a fraction of each task's time (0 when unset or empty).
 * @throws BenchInputError when the value is not a decimal in [0, 10].
 *
 * @example
 * ```ts
 * readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '0.3' }); // 0.3
 * readSlowdown({}); // 0
 * ```
 */
export function readSlowdown(env: NodeJS.ProcessEnv): number {
  const raw = env[SLOWDOWN_VARIABLE];
  if (raw === undefined || raw.trim() === '') return 0;
  const text = raw.trim();
  const v = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(v >= 0 && v <= MAX_FRACTION)) {
    throw new BenchInputError(
      `${SLOWDOWN_VARIABLE} must be a decimal between 0 and ${MAX_FRACTION} (0.3 = 30 % extra work), but got '${raw}'.`,
    );
  }
  return v;
}

/**
 * Counts what a {@link Slowdown} added, so a run can show (and a test can check) where it acted.
 */
export class Slowdown {
  /** Task calls that were slowed. */
  calls = 0;
  /** Extra milliseconds spent in busy-waits. */
  extraMs = 0;

  /** @param fraction - extra time as a fraction of each task call's own time (0 disables). */
  constructor(readonly fraction: number) {}

  /**
   * @param fn - a benchmark task (sync or async); never the calibration loop.
   * @returns `fn` followed by a busy-wait of `fraction` times its duration; `fn` itself when
   *   the fraction is 0, so that a normal run measures exactly the task.
   */
  wrap<T>(fn: () => T | Promise<T>): () => T | Promise<T> {
    if (this.fraction === 0) return fn;
    return () => {
      const t0 = performance.now();
      const r = fn();
      if (r instanceof Promise) return r.then((v) => (this.spin(performance.now() - t0), v));
      this.spin(performance.now() - t0);
      return r;
    };
  }

  /** Busy-waits `fraction * ms` milliseconds (burning CPU, as real extra work would). */
  private spin(ms: number): void {
    const extra = this.fraction * ms;
    const end = performance.now() + extra;
    while (performance.now() < end) {
      // busy: the point is to take CPU time, as the extra work of a real regression would.
    }
    this.calls += 1;
    this.extraMs += extra;
  }
}
