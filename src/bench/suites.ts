/**
 * The suites: each names the jobs it times (kind, K, tau, sizes), at 1 thread and at N threads
 * (N = the machine's cores unless told otherwise), plus the in-process API, and how long each
 * task runs per round. `ci` is small enough that a whole gate (a baseline run, then the
 * candidate's paired run) takes under a minute on a 2-core machine; `default` sweeps more sizes,
 * for a closer look; `smoke` exists for the tests. Engine sizes reach past one chunk (2^20
 * elements), so the N-thread benchmarks really use N threads.
 *
 * @packageDocumentation
 */
import { BenchInputError } from './errors.js';
import type { PackageApi } from './package-api.js';
import {
  type BenchTask,
  type JobShape,
  engineGradients,
  engineLogProb,
  engineMoments,
  engineSample,
  inProcessLogProb,
  inProcessSample,
  type OutputMode,
  canReuseOutputs,
} from './tasks.js';
import { Rule } from '../index.js';

/** The jobs of a suite. */
interface Plan {
  moments: JobShape[];
  sample: JobShape[];
  logProb: JobShape[];
  gradients: JobShape[];
  inProcessSample: JobShape[];
  inProcessLogProb: JobShape[];
}

/** A suite: its plan and its measurement settings. */
export interface SuiteDefinition {
  /** `--suite` name. */
  name: string;
  /** One line for `--help` and the report. */
  summary: string;
  /** Timed rounds by default. */
  rounds: number;
  /** Least time each task is repeated for within a round, ms. */
  timePerTaskMs: number;
  /** Least calls of each task within a round. */
  minIterations: number;
  /** Also run the engine jobs at N threads (besides 1). */
  multiThread: boolean;
  /** The jobs. */
  plan: Plan;
}

/** An instantiated suite: tasks bound to live engines. */
export interface SuiteInstance {
  tasks: BenchTask[];
  /** Stops the engines' threads. */
  close(): Promise<void>;
}

const sizes = (K: number, tau: number, Ns: number[]): JobShape[] => Ns.map((N) => ({ K, tau, N }));

/** Every suite, by name. */
export const SUITES: Readonly<Record<string, SuiteDefinition>> = Object.freeze({
  ci: {
    name: 'ci',
    summary: 'every job kind at 2 sizes, 1 and N threads, and the in-process API (about 15 s; 30 s paired)',
    rounds: 10,
    timePerTaskMs: 40,
    minIterations: 2,
    multiThread: true,
    plan: {
      moments: sizes(16, 0.5, [2 ** 15, 2 ** 18]),
      sample: sizes(16, 0.5, [2 ** 14, 2 ** 17]),
      logProb: sizes(16, 0.5, [2 ** 14, 2 ** 17]),
      gradients: sizes(4, 0.5, [2 ** 12, 2 ** 15]),
      inProcessSample: sizes(16, 0.5, [2 ** 9, 2 ** 11]),
      inProcessLogProb: sizes(16, 0.5, [2 ** 11, 2 ** 13]),
    },
  },
  default: {
    name: 'default',
    summary:
      'every job kind at 3 sizes (and K = 1024 moments), 1 and N threads, and the in-process API (a few minutes)',
    rounds: 12,
    timePerTaskMs: 150,
    minIterations: 3,
    multiThread: true,
    plan: {
      moments: [...sizes(16, 0.5, [2 ** 15, 2 ** 17, 2 ** 19]), { K: 1024, tau: 1, N: 2 ** 12 }],
      sample: sizes(16, 0.5, [2 ** 14, 2 ** 16, 2 ** 18]),
      logProb: sizes(16, 0.5, [2 ** 14, 2 ** 16, 2 ** 18]),
      gradients: [...sizes(4, 0.5, [2 ** 12, 2 ** 14, 2 ** 16]), { K: 16, tau: 0.5, N: 2 ** 14 }],
      inProcessSample: sizes(16, 0.5, [2 ** 9, 2 ** 11, 2 ** 13]),
      inProcessLogProb: sizes(16, 0.5, [2 ** 11, 2 ** 13, 2 ** 15]),
    },
  },
  smoke: {
    name: 'smoke',
    summary: 'one small job of each kind at 1 thread and the in-process API (seconds; for tests)',
    rounds: 3,
    timePerTaskMs: 5,
    minIterations: 2,
    multiThread: false,
    plan: {
      moments: sizes(4, 0.5, [2 ** 10]),
      sample: sizes(4, 0.5, [2 ** 10]),
      logProb: sizes(4, 0.5, [2 ** 10]),
      gradients: sizes(3, 0.5, [2 ** 8]),
      inProcessSample: sizes(4, 0.5, [2 ** 6]),
      inProcessLogProb: sizes(4, 0.5, [2 ** 8]),
    },
  },
});

/**
 * @param name - a suite name.
 * @returns its definition.
 * @throws BenchInputError listing the known suites.
 */
export function suiteNamed(name: string): SuiteDefinition {
  const s = Object.hasOwn(SUITES, name) ? SUITES[name] : undefined;
  if (s === undefined)
    throw new BenchInputError(`--suite must be one of ${Object.keys(SUITES).join(', ')}, but got '${name}'.`, {
      argument: '--suite',
      rule: Rule.oneOf,
    });
  return s;
}

/**
 * Starts the engines and prepares every task (the log-density inputs are drawn here, untimed).
 *
 * @param suite - the definition.
 * @param o - `threads`: the N of the N-thread benchmarks; `api`: the build to time; `outputs`:
 *   how the sample / logProb tasks get their outputs (default `reused`; `fresh` when this build,
 *   or the one it is compared with, cannot reuse them, so both sides measure alike).
 * @returns the tasks and a `close` for the engines. A build without `Engine.gradients` (older
 *   than the gradients job) simply has no gradients tasks.
 */
export async function instantiateSuite(
  suite: SuiteDefinition,
  o: { threads: number; api: PackageApi; outputs?: OutputMode },
): Promise<SuiteInstance> {
  const counts = !suite.multiThread || o.threads === 1 ? [1] : [1, o.threads];
  const engines = counts.map((threads) => new o.api.Engine({ threads }));
  try {
    const tasks: BenchTask[] = [];
    const p = suite.plan;
    for (const engine of engines) {
      const outputs = canReuseOutputs(engine) ? (o.outputs ?? 'reused') : 'fresh';
      for (const s of p.moments) tasks.push(engineMoments(o.api, engine, s));
      for (const s of p.sample) tasks.push(engineSample(o.api, engine, s, outputs));
      for (const s of p.logProb) tasks.push(await engineLogProb(o.api, engine, s, outputs));
      if (typeof engine.gradients === 'function')
        for (const s of p.gradients) tasks.push(engineGradients(o.api, engine, s));
    }
    for (const s of p.inProcessSample) tasks.push(inProcessSample(o.api, s));
    for (const s of p.inProcessLogProb) tasks.push(inProcessLogProb(o.api, s));
    return { tasks, close: async () => void (await Promise.all(engines.map((e) => e.close()))) };
  } catch (err) {
    await Promise.all(engines.map((e) => e.close()));
    throw err;
  }
}
