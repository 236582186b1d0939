/**
 * Runs benchmark tasks the way a noisy machine needs: in interleaved rounds. A round times
 * every benchmark and every calibration once (each for at least `timePerTaskMs` and
 * `minIterations` calls, with tinybench), in an order shuffled afresh each round, so a slow
 * spell of the machine spreads over all benchmarks instead of landing on a few. One untimed
 * warm-up round comes first. With two builds (a paired run), each benchmark is timed on both
 * back to back, in a random order, so the two see the same state of the machine.
 *
 * The report keeps, per benchmark and per round, the throughput of the round's median call,
 * of its fastest call, and per CPU-second; and the normalised throughput that `compare` uses:
 * the fastest-call throughput over the median fastest-call throughput of the matching
 * calibration loop in the same run (see `calibration.ts`).
 *
 * A paired run can then confirm: the benchmarks the gate suspects (see `compare.ts`) are timed
 * again on both builds, alone, in fresh rounds (no calibration needed: a per-round ratio of two
 * builds timed back to back cancels the machine's speed), and each report keeps those rounds
 * as the benchmark's `confirmation`. When the sides can start their tasks anew
 * ({@link Side.restart}), the confirmation runs in {@link CONFIRMATION_BLOCKS} blocks, each on
 * freshly started engines after a warm-up call: a state that one engine's threads happen to fall
 * into and keep for the rest of a run (seen here: one side's gradients job 1.5 times slower than
 * the other's, the same build on both sides, in every one of 30 rounds, while the next trials
 * measured them equal) then lasts one block at most, whereas a slowdown in the code shows in
 * every block.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { Bench } from 'tinybench';
import { CALIBRATION_VERSION, type Calibration, mainCalibration, workerCalibration } from './calibration.js';
import { captureEnvironment, finishEnvironment } from './environment.js';
import { ownBuild } from './package-api.js';
import {
  type BenchReport,
  type BenchmarkResult,
  type CalibrationResult,
  type Method,
  REPORT_SCHEMA,
  REPORT_VERSION,
  type Summary,
} from './report.js';
import { Slowdown } from './slowdown.js';
import { mad, median } from './stats.js';
import type { BenchTask } from './tasks.js';
import { InternalError, Rule, RuntimeError } from '../index.js';

/** How to run. */
export interface RunOptions {
  /** Suite name, for the report. */
  suite: string;
  /** Timed rounds. */
  rounds: number;
  /** Least time per task per round, ms. */
  timePerTaskMs: number;
  /** Least calls per task per round. */
  minIterations: number;
  /** Seed of the per-round shuffles (default 1). */
  seed?: number;
  /** Called after each round (the warm-up is round 0). */
  onRound?: (done: number, total: number) => void;
  /** Stops between two measurements. */
  signal?: AbortSignal;
  /** Paired runs: re-measure some benchmarks after the rounds (see {@link Confirmation}). */
  confirm?: Confirmation;
}

/** The confirmation step of a paired run. */
export interface Confirmation {
  /** Rounds of the confirmation. */
  rounds: number;
  /** Given the run's reports (one per side), the ids of the benchmarks to re-measure (none: no confirmation). */
  select(reports: readonly BenchReport[]): string[];
  /** Called when the confirmation starts, and after each of its rounds. */
  onRound?: (done: number, total: number, ids: readonly string[]) => void;
}

/** One build's tasks in a run. */
export interface Side {
  /** `single`, or `baseline` / `candidate` in a paired run. */
  role: Method['role'];
  /** The build the tasks come from. */
  build: { root: string; version: string };
  tasks: readonly BenchTask[];
  /** The deliberate slowdown of this side's tasks (default none); never applied to the calibrations. */
  slowdown?: Slowdown;
  /**
   * Starts this side's tasks anew (fresh engines and threads), for the confirmation's blocks;
   * `close` stops what it started. Without it, the confirmation reuses {@link Side.tasks}.
   */
  restart?: () => Promise<{ tasks: readonly BenchTask[]; close(): Promise<void> }>;
}

/** Blocks of the confirmation, each on freshly started tasks (when every side can restart). */
export const CONFIRMATION_BLOCKS = 3;

/** What one entry of a round measures, and its per-round results. */
interface Entry {
  name: string;
  /** Index of the side it times (-1 for a calibration). */
  side: number;
  units: number;
  fn: () => Promise<void>;
  median: number[];
  best: number[];
  cpu: number[];
  calls: number;
}

/**
 * Runs the tasks of one build.
 *
 * @param tasks - the benchmarks (from `instantiateSuite`).
 * @param o - rounds, timing, seed, progress; and the slowdown of the tasks.
 * @returns the report of the run.
 *
 * @example
 * ```ts
 * const inst = await instantiateSuite(SUITES.ci, { threads: 2, api: ownBuild().api });
 * const report = await runTasks(inst.tasks, { suite: 'ci', rounds: 10, timePerTaskMs: 40, minIterations: 2 });
 * await inst.close();
 * console.log(report.benchmarks.length); // 20
 * ```
 */
export async function runTasks(
  tasks: readonly BenchTask[],
  o: RunOptions & { slowdown?: Slowdown },
): Promise<BenchReport> {
  const [report] = await runSides([{ role: 'single', build: ownBuild(), tasks, slowdown: o.slowdown }], o);
  return report;
}

/**
 * Runs the tasks of one or two builds in the same rounds. With two sides (a paired run), the
 * two builds' versions of a benchmark are timed back to back, in a random order, so both see
 * the same state of the machine: their per-round ratio is free of the drift between runs.
 *
 * @param sides - the builds and their tasks.
 * @param o - rounds, timing, seed, progress.
 * @returns one report per side, sharing the calibrations and the run id.
 */
export async function runSides(sides: readonly Side[], o: RunOptions): Promise<BenchReport[]> {
  const env = captureEnvironment();
  const seed = o.seed ?? 1;
  const runId = randomBytes(8).toString('hex');
  const calibrations = await startCalibrations(sides.flatMap((s) => s.tasks));
  try {
    let calibrationSum = 0;
    const entry = freshEntry;
    const calEntries = calibrations.map((c) =>
      entry(`calibration ${c.id}`, -1, c.iterationsPerCall, async () => {
        calibrationSum += await c.run();
      }),
    );
    const sideData = sides.map((side, s) => {
      const slowdown = side.slowdown ?? new Slowdown(0);
      const checksums = side.tasks.map(() => 0);
      const entries = side.tasks.map((t, i) => {
        // The slowdown wraps the task only: the calibrations above are never slowed.
        const slowed = slowdown.wrap(() => t.run(), t.id);
        return entry(t.id, s, t.unitsPerCall, async () => {
          checksums[i] += await slowed();
        });
      });
      return { side, slowdown, checksums, entries };
    });
    // A unit of a round: a calibration, or one benchmark on every side that has it (timed back to back).
    const groups = new Map<string, Entry[]>();
    for (const d of sideData) d.entries.forEach((e) => groups.set(e.name, [...(groups.get(e.name) ?? []), e]));
    const units: Entry[][] = [...calEntries.map((e) => [e]), ...groups.values()];
    const random = mulberry32(seed);
    for (let round = 0; round <= o.rounds; round++) {
      for (const unit of shuffle(units, random)) for (const e of shuffle(unit, random)) await measure(e, o, round > 0);
      o.onRound?.(round, o.rounds);
    }
    if (!Number.isFinite(calibrationSum))
      throw new RuntimeError(`the calibration loop returned ${calibrationSum}; it must be finite.`, {
        argument: 'calibration',
        rule: Rule.finite,
      });
    const calResults: CalibrationResult[] = calibrations.map((c, i) => ({
      id: c.id,
      threads: c.threads,
      iterationsPerCall: c.iterationsPerCall,
      throughput: summary(calEntries[i].median),
      best: summary(calEntries[i].best),
      cpu: summary(calEntries[i].cpu),
    }));
    const environment = finishEnvironment(env);
    const reports = sideData.map(({ side, slowdown, checksums, entries }): BenchReport => ({
      schema: REPORT_SCHEMA,
      version: REPORT_VERSION,
      createdAt: new Date().toISOString(),
      package: { name: 'relaxed-mc', version: side.build.version, root: side.build.root },
      suite: o.suite,
      environment,
      method: {
        rounds: o.rounds,
        warmupRounds: 1,
        order:
          sides.length > 1
            ? 'every benchmark (both builds back to back, in a random order) and every calibration once per round, in an order shuffled afresh each round'
            : 'every benchmark and every calibration once per round, in an order shuffled afresh each round',
        seed,
        timePerTaskMs: o.timePerTaskMs,
        minIterations: o.minIterations,
        normalization: NORMALIZATION,
        slowdown: slowdown.fraction,
        ...(slowdown.pattern === null || slowdown.fraction === 0 ? {} : { slowdownPattern: slowdown.pattern }),
        runId,
        role: side.role,
      },
      calibration: { version: CALIBRATION_VERSION, loops: calResults },
      benchmarks: side.tasks.map((t, i): BenchmarkResult => {
        const e = entries[i];
        if (!Number.isFinite(checksums[i]))
          throw new RuntimeError(`benchmark ${t.id}: its results summed to ${checksums[i]}; they must be finite.`, {
            argument: t.id,
            rule: Rule.finite,
          });
        const cal = calResults.find((c) => c.id === t.calibration)!;
        return {
          id: t.id,
          settings: t.settings,
          unit: t.unit,
          unitsPerCall: t.unitsPerCall,
          calibration: t.calibration,
          iterations: e.calls,
          throughput: summary(e.median),
          best: summary(e.best),
          cpu: summary(e.cpu),
          normalized: summary(e.best.map((x) => x / cal.best.median)),
          checksum: checksums[i],
        };
      }),
    }));
    if (o.confirm !== undefined && sides.length > 1) await confirm(reports, sideData, groups, o.confirm, o, random);
    return reports;
  } finally {
    await Promise.all(calibrations.map((c) => c.close()));
  }
}

/** How `normalized` is computed, for the report. */
const NORMALIZATION =
  'per round: units / fastest call, divided by the median over the rounds of the same for the matching calibration loop (main thread, or T worker threads) of the same run';

/**
 * Re-measures the selected benchmarks on every side, back to back in a random order, for
 * `c.rounds` fresh rounds, and stores each side's rounds in its report as `confirmation`. When
 * every side can restart, the rounds are split into {@link CONFIRMATION_BLOCKS} blocks, each on
 * freshly started tasks after one untimed call of each.
 */
async function confirm(
  reports: BenchReport[],
  sides: readonly { side: Side; slowdown: Slowdown }[],
  groups: ReadonlyMap<string, Entry[]>,
  c: Confirmation,
  o: RunOptions,
  random: () => number,
): Promise<void> {
  const ids = c.select(reports).filter((id) => groups.has(id));
  if (ids.length === 0) return;
  const rounds = new Map(ids.map((id) => [id, sides.map((): number[] => [])]));
  const restart = sides.every((d) => d.side.restart !== undefined);
  const blocks = restart ? Math.min(CONFIRMATION_BLOCKS, c.rounds) : 1;
  c.onRound?.(0, c.rounds, ids);
  let done = 0;
  for (let block = 0; block < blocks; block++) {
    const started: { close(): Promise<void> }[] = [];
    try {
      let entries: Map<string, Entry[]>;
      if (restart) {
        entries = new Map(ids.map((id) => [id, []]));
        for (const [s, d] of sides.entries()) {
          const fresh = await d.side.restart!();
          started.push(fresh);
          for (const t of fresh.tasks) {
            const list = entries.get(t.id);
            if (list === undefined) continue;
            const slowed = d.slowdown.wrap(() => t.run(), t.id);
            list.push(freshEntry(t.id, s, t.unitsPerCall, async () => void (await slowed())));
          }
        }
        // The first calls of fresh engines pay for compilation and thread start: untimed.
        for (const id of ids) for (const e of entries.get(id)!) await measure(e, o, false);
      } else {
        entries = new Map(ids.map((id) => [id, groups.get(id)!.map((e) => freshEntry(e.name, e.side, e.units, e.fn))]));
      }
      const n = Math.round((c.rounds * (block + 1)) / blocks) - Math.round((c.rounds * block) / blocks);
      for (let round = 0; round < n; round++) {
        for (const id of shuffle(ids, random))
          for (const e of shuffle(entries.get(id)!, random)) await measure(e, o, true);
        c.onRound?.(++done, c.rounds, ids);
      }
      for (const [id, list] of entries) for (const e of list) rounds.get(id)![e.side].push(...e.best);
    } finally {
      await Promise.all(started.map((x) => x.close()));
    }
  }
  for (const [id, perSide] of rounds)
    perSide.forEach((r, s) => (reports[s].benchmarks.find((b) => b.id === id)!.confirmation = summary(r)));
}

/** An entry with no rounds yet. */
function freshEntry(name: string, side: number, units: number, fn: () => Promise<void>): Entry {
  return { name, side, units, fn, median: [], best: [], cpu: [], calls: 0 };
}

/** Times one entry for one round with tinybench, with the process's CPU time around it. */
async function measure(e: Entry, o: RunOptions, keep: boolean): Promise<void> {
  o.signal?.throwIfAborted();
  // No signal for tinybench (it would add a listener per Bench): the runner checks it between measurements.
  const bench = new Bench({ time: o.timePerTaskMs, iterations: o.minIterations, warmup: false, throws: true });
  bench.add(e.name, e.fn);
  const cpu0 = process.cpuUsage();
  await bench.run();
  const cpu = process.cpuUsage(cpu0);
  o.signal?.throwIfAborted();
  if (!keep) return;
  const r = bench.tasks[0].result!;
  const calls = r.latency.samples.length;
  e.median.push(e.units / (r.latency.p50! / 1000));
  e.best.push(e.units / (r.latency.min / 1000));
  e.cpu.push(e.units / ((cpu.user + cpu.system) / 1e6 / calls));
  e.calls += calls;
}

/** The main-thread calibration, and one on T workers for each thread count T of the engine tasks. */
async function startCalibrations(tasks: readonly BenchTask[]): Promise<Calibration[]> {
  const ids = new Set(tasks.map((t) => t.calibration));
  const out: Calibration[] = [mainCalibration()];
  try {
    for (const id of [...ids].filter((x) => x !== 'main').sort()) {
      const m = /^workers-(\d+)$/.exec(id);
      if (m === null) throw new InternalError(`unknown calibration '${id}': expected 'main' or 'workers-T'.`);
      out.push(await workerCalibration(Number(m[1])));
    }
  } catch (err) {
    await Promise.all(out.map((c) => c.close()));
    throw err;
  }
  return out;
}

function summary(rounds: number[]): Summary {
  return { median: median(rounds), mad: mad(rounds), rounds };
}

/** Fisher-Yates on a copy. */
function shuffle<T>(xs: readonly T[], random: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** A small seeded generator for the shuffles (mulberry32). */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
