/**
 * The benchmark tasks: one engine job (moments, sample, logProb, gradients) or one in-process
 * call (`dist.sample`, `dist.log_prob`) per call, on fixed, seeded inputs. Every task returns a
 * number read from its result, which the runner adds to a checksum, so no work can be skipped.
 *
 * The `sample` and `logProb` tasks write into an output made once and reused by every call
 * (`engine.empty`, `{ out }`). A fresh multi-MiB output per call costs first-touch page faults
 * (1-10 us per 4 KiB page, more than the draws on some virtual machines), and whether a call
 * gets fresh or recycled pages depends on the allocator and on when the isolates holding the
 * previous outputs (the main thread and that engine's workers) collect them: state that differs
 * between the two sides of a paired run, so one side of a build compared with itself ran 4-7
 * times slower than the other. With reused outputs both sides measure the code. A build without
 * `engine.empty` (older than reusable outputs) is measured with fresh outputs, and so is the
 * other side of its comparison (`outputs: 'fresh'`), so the two sides still measure alike.
 *
 * @packageDocumentation
 */
import type { Engine, torch } from '../index.js';
import type { PackageApi } from './package-api.js';
import type { BenchSettings } from './report.js';

/** What the runner times: one call is one job. */
export interface BenchTask {
  /** Stable name: kind, size and threads (`moments/K16/N65536/t2`). */
  id: string;
  /** Everything that defines the work; compared before two reports are. */
  settings: BenchSettings;
  /** What {@link BenchTask.unitsPerCall} counts. */
  unit: 'draws' | 'rows' | 'estimates';
  /** Units processed by one call. */
  unitsPerCall: number;
  /** The calibration that normalises it: `main` (in-process) or `workers-T` (engine at T threads). */
  calibration: string;
  /** One call; returns a value read from the result. */
  run(): number | Promise<number>;
}

/** The shape of one benchmarked job. */
export interface JobShape {
  /** Categories. */
  K: number;
  /** Temperature. */
  tau: number;
  /** Draws, rows or estimates per call. */
  N: number;
}

/**
 * How the `sample` / `logProb` tasks get their outputs: `reused` (one per task, made with
 * `engine.empty` and passed as `out`; recorded in the settings as `output: 'reused'`) or `fresh`
 * (a new one per call, as builds without `engine.empty` do; no `output` setting, as before).
 */
export type OutputMode = 'reused' | 'fresh';

/**
 * @param engine - an engine of the build.
 * @returns whether the build can write into reused outputs (`engine.empty` and `{ out }`).
 */
export function canReuseOutputs(engine: Engine): boolean {
  return typeof (engine as Partial<Engine>).empty === 'function';
}

/** Estimators of the gradients benchmark: a score-function one and a Rao-Blackwellised straight-through one. */
export const GRADIENT_ESTIMATORS = ['reinforce-loo', 'gumbel-rao'] as const;

/**
 * @param K - categories.
 * @returns deterministic logits spread over about [-1.5, 1.5] (no data file: the suites ship).
 */
export function benchLogits(K: number): number[] {
  return Array.from({ length: K }, (_, k) => 1.5 * Math.sin(1.3 * k + 0.4));
}

function distOf(api: PackageApi, s: JobShape): torch.distributions.RelaxedOneHotCategorical {
  return new api.torch.distributions.RelaxedOneHotCategorical(s.tau, { logits: benchLogits(s.K) });
}

/** First plus last value of a result: reads it without costing a pass over it. */
function touch(t: { data: Float64Array }): number {
  const d = t.data;
  return d[0] + d[d.length - 1];
}

function engineId(kind: string, s: JobShape, threads: number): string {
  return `${kind}/K${s.K}/N${s.N}/t${threads}`;
}

/**
 * @param api - the build to time.
 * @param engine - one of its engines (its thread count is recorded).
 * @param s - shape of the job.
 * @returns a task running `engine.moments` on `N` draws.
 */
export function engineMoments(api: PackageApi, engine: Engine, s: JobShape): BenchTask {
  const dist = distOf(api, s);
  return {
    id: engineId('moments', s, engine.threads),
    settings: { kind: 'moments', api: 'engine', K: s.K, tau: s.tau, N: s.N, threads: engine.threads, seed: 1 },
    unit: 'draws',
    unitsPerCall: s.N,
    calibration: `workers-${engine.threads}`,
    run: async () => touch((await engine.moments(dist, { samples: s.N, seed: 1 })).mean),
  };
}

/**
 * @param api - the build to time.
 * @param engine - one of its engines.
 * @param s - shape of the job.
 * @param output - `reused` (one output for every call) or `fresh` (see {@link OutputMode}).
 * @returns a task running `engine.sample` of `N` draws into shared memory.
 */
export function engineSample(api: PackageApi, engine: Engine, s: JobShape, output: OutputMode): BenchTask {
  const dist = distOf(api, s);
  const out = output === 'reused' ? engine.empty([s.N, s.K]) : undefined;
  return {
    id: engineId('sample', s, engine.threads),
    settings: {
      kind: 'sample',
      api: 'engine',
      K: s.K,
      tau: s.tau,
      N: s.N,
      threads: engine.threads,
      seed: 1,
      ...(out === undefined ? {} : { output }),
    },
    unit: 'draws',
    unitsPerCall: s.N,
    calibration: `workers-${engine.threads}`,
    run: async () => touch(await engine.sample(dist, [s.N], out === undefined ? { seed: 1 } : { seed: 1, out })),
  };
}

/**
 * @param api - the build to time.
 * @param engine - one of its engines.
 * @param s - shape of the job.
 * @param output - `reused` (one output for every call) or `fresh` (see {@link OutputMode}).
 * @returns a task running `engine.logProb` on `N` rows drawn once beforehand (seed 99),
 *   with argument validation on, as a user gets it by default.
 */
export async function engineLogProb(
  api: PackageApi,
  engine: Engine,
  s: JobShape,
  output: OutputMode,
): Promise<BenchTask> {
  const dist = distOf(api, s);
  const values = await engine.sample(dist, [s.N], { seed: 99 });
  const out = output === 'reused' ? engine.empty([s.N]) : undefined;
  return {
    id: engineId('logProb', s, engine.threads),
    settings: {
      kind: 'logProb',
      api: 'engine',
      K: s.K,
      tau: s.tau,
      N: s.N,
      threads: engine.threads,
      valuesSeed: 99,
      ...(out === undefined ? {} : { output }),
    },
    unit: 'rows',
    unitsPerCall: s.N,
    calibration: `workers-${engine.threads}`,
    run: async () => touch(await engine.logProb(dist, values, out === undefined ? {} : { out })),
  };
}

/**
 * @param api - the build to time.
 * @param engine - one of its engines.
 * @param s - shape of the job; `N` single-sample estimates per estimator.
 * @returns a task running `engine.gradients` with {@link GRADIENT_ESTIMATORS} on a quadratic
 *   objective (the whole job: the exact gradients by quadrature included, as a user pays them).
 */
export function engineGradients(api: PackageApi, engine: Engine, s: JobShape): BenchTask {
  const dist = distOf(api, s);
  const target = Array.from({ length: s.K }, (_, k) => (k % 3) / 2);
  const estimators = [...GRADIENT_ESTIMATORS];
  return {
    id: engineId('gradients', s, engine.threads),
    settings: {
      kind: 'gradients',
      api: 'engine',
      K: s.K,
      tau: s.tau,
      N: s.N,
      threads: engine.threads,
      objective: 'quadratic',
      estimators,
      seed: 1,
    },
    unit: 'estimates',
    unitsPerCall: s.N * estimators.length,
    calibration: `workers-${engine.threads}`,
    run: async () => {
      const g = await engine.gradients(dist, {
        objective: { kind: 'quadratic', target },
        estimators,
        samples: s.N,
        seed: 1,
      });
      return estimators.reduce((a, e) => a + touch(g.estimators[e].mean), 0);
    },
  };
}

/**
 * @param api - the build to time.
 * @param s - shape of the call.
 * @returns a task calling `dist.sample([N])` on the main thread (the global generator seeded once).
 */
export function inProcessSample(api: PackageApi, s: JobShape): BenchTask {
  const dist = distOf(api, s);
  api.torch.manual_seed(1);
  return {
    id: `in-process-sample/K${s.K}/N${s.N}`,
    settings: { kind: 'sample', api: 'in-process', K: s.K, tau: s.tau, N: s.N, threads: 1, seed: 1 },
    unit: 'draws',
    unitsPerCall: s.N,
    calibration: 'main',
    run: () => touch(dist.sample([s.N])),
  };
}

/**
 * @param api - the build to time.
 * @param s - shape of the call.
 * @returns a task calling `dist.log_prob` on `N` rows drawn once beforehand (seed 99).
 */
export function inProcessLogProb(api: PackageApi, s: JobShape): BenchTask {
  const dist = distOf(api, s);
  api.torch.manual_seed(99);
  const values = dist.sample([s.N]);
  return {
    id: `in-process-logProb/K${s.K}/N${s.N}`,
    settings: { kind: 'logProb', api: 'in-process', K: s.K, tau: s.tau, N: s.N, threads: 1, valuesSeed: 99 },
    unit: 'rows',
    unitsPerCall: s.N,
    calibration: 'main',
    run: () => touch(dist.log_prob(values)),
  };
}
