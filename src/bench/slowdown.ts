/**
 * A deliberate slowdown, to check that the gate catches one. `RELAXED_MC_BENCH_SLOWDOWN=0.3`
 * makes every benchmarked task take 30 % longer; `RELAXED_MC_BENCH_SLOWDOWN='0.25@moments/K16/*'`
 * slows only the benchmarks whose id matches the pattern (`*` any run of characters, `?` one),
 * the shape of a real regression, which hits one kernel. It is read here, by the harness, and
 * applied around the benchmark tasks only: the kernels never read it, and the calibration loop
 * is never wrapped (otherwise the normalisation would cancel the slowdown it is meant to reveal).
 *
 * After a task call that took `t` ms, the wrapper busy-waits a further `fraction * t` ms on the
 * main thread. The extra time is proportional to the task's own measured time, so it is a
 * `fraction` slowdown whatever the machine's speed or load at that moment.
 *
 * @packageDocumentation
 */
import { BenchInputError } from './errors.js';
import { Rule } from '../index.js';

/** The environment variable. */
export const SLOWDOWN_VARIABLE = 'RELAXED_MC_BENCH_SLOWDOWN';
/** Largest accepted fraction (10 = eleven times slower). */
const MAX_FRACTION = 10;
/** What a benchmark-id pattern may hold: the characters of ids, and the wildcards. */
const PATTERN_CHARS = /^[A-Za-z0-9/_.\-*?]+$/;

/** A parsed `RELAXED_MC_BENCH_SLOWDOWN`. */
export interface SlowdownSpec {
  /** Extra work as a fraction of each slowed call's time (0: none). */
  fraction: number;
  /** Benchmarks slowed: an id pattern, or null for all of them. */
  pattern: string | null;
}

/**
 * @param env - the environment (`process.env`).
 * @returns the slowdown asked for: `{ fraction: 0, pattern: null }` when unset or empty.
 * @throws BenchInputError, naming the variable, when the value is not `FRACTION` or
 *   `FRACTION@PATTERN` with a decimal FRACTION in [0, 10] and a pattern of id characters and wildcards.
 *
 * @example
 * ```ts
 * readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '0.3' }); // { fraction: 0.3, pattern: null }
 * readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '0.25@moments/K16/*' }); // { fraction: 0.25, pattern: 'moments/K16/*' }
 * readSlowdown({}); // { fraction: 0, pattern: null }
 * ```
 */
export function readSlowdown(env: NodeJS.ProcessEnv): SlowdownSpec {
  const raw = env[SLOWDOWN_VARIABLE];
  if (raw === undefined || raw.trim() === '') return { fraction: 0, pattern: null };
  const text = raw.trim();
  const at = text.indexOf('@');
  const number = at < 0 ? text : text.slice(0, at).trim();
  const pattern = at < 0 ? null : text.slice(at + 1).trim();
  const v = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(number) ? Number(number) : NaN;
  if (!(v >= 0 && v <= MAX_FRACTION)) {
    throw new BenchInputError(
      `${SLOWDOWN_VARIABLE} must be a decimal between 0 and ${MAX_FRACTION} (0.3 = 30 % extra work), ` +
        `optionally followed by @ and a benchmark-id pattern (0.25@moments/K16/*), but got '${raw}'.`,
      { argument: SLOWDOWN_VARIABLE, rule: Rule.inRange },
    );
  }
  if (pattern !== null && !PATTERN_CHARS.test(pattern)) {
    throw new BenchInputError(
      `${SLOWDOWN_VARIABLE}: the pattern after @ must be a benchmark id with * and ? wildcards (letters, digits, / _ . -), ` +
        `such as moments/K16/*, but got '${pattern}'.`,
      { argument: SLOWDOWN_VARIABLE, rule: Rule.syntax },
    );
  }
  return { fraction: v, pattern };
}

/**
 * @param pattern - a benchmark-id pattern: `*` matches any run of characters (slashes included), `?` one character.
 * @returns a test of whole ids.
 *
 * @example
 * ```ts
 * idMatcher('moments/K16/*')('moments/K16/N32768/t2'); // true
 * idMatcher('moments/K16/*')('in-process-sample/K16/N512'); // false
 * ```
 */
export function idMatcher(pattern: string): (id: string) => boolean {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.\-/]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${body}$`);
  return (id) => re.test(id);
}

/**
 * Counts what a {@link Slowdown} added, so a run can show (and a test can check) where it acted.
 */
export class Slowdown {
  /** Task calls that were slowed. */
  calls = 0;
  /** Extra milliseconds spent in busy-waits. */
  extraMs = 0;
  /** Which benchmark ids it applies to. */
  private readonly matches: (id: string) => boolean;

  /**
   * @param fraction - extra time as a fraction of each slowed call's own time (0 disables).
   * @param pattern - the ids slowed (see {@link idMatcher}); null or absent for all.
   */
  constructor(
    readonly fraction: number,
    readonly pattern: string | null = null,
  ) {
    this.matches = pattern === null ? () => true : idMatcher(pattern);
  }

  /** @returns the value of {@link SLOWDOWN_VARIABLE} that asks for this slowdown, for reports and messages. */
  describe(): string {
    return this.pattern === null ? String(this.fraction) : `${this.fraction}@${this.pattern}`;
  }

  /**
   * @param id - a benchmark id.
   * @returns whether that benchmark's calls are slowed.
   */
  applies(id: string): boolean {
    return this.fraction > 0 && this.matches(id);
  }

  /**
   * @param fn - a benchmark task (sync or async); never the calibration loop.
   * @param id - the benchmark's id (all are slowed when absent and no pattern was given).
   * @returns `fn` followed by a busy-wait of `fraction` times its duration; `fn` itself when
   *   this benchmark is not slowed, so that a normal run measures exactly the task.
   */
  wrap<T>(fn: () => T | Promise<T>, id?: string): () => T | Promise<T> {
    if (this.fraction === 0 || (id !== undefined && !this.matches(id)) || (id === undefined && this.pattern !== null))
      return fn;
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
