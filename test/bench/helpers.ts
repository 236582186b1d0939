/**
 * Synthetic bench reports: throughputs per round chosen by the test, normalised by the
 * calibration's median exactly as the runner does, so the comparison logic can be checked on
 * known numbers without timing anything.
 */
import { CALIBRATION_ITERATIONS, CALIBRATION_VERSION } from '../../src/bench/calibration.js';
import { type BenchReport, type BenchSettings, REPORT_SCHEMA, REPORT_VERSION } from '../../src/bench/report.js';
import { mad, median } from '../../src/bench/stats.js';

let runs = 0;

/** One synthetic benchmark: its throughput in each round, optionally its settings and confirmation rounds. */
export interface SyntheticBenchmark {
  rounds: number[];
  settings?: BenchSettings;
  /** Throughput in each confirmation round (paired runs). */
  confirmation?: number[];
}

/**
 * @param n - values.
 * @param center - their median.
 * @param spread - relative half-width: values spread evenly over center * (1 +- spread).
 * @returns n values with the given median, in a scrambled (not sorted) order.
 */
export function around(n: number, center: number, spread: number): number[] {
  const xs = Array.from({ length: n }, (_, i) => center * (1 + spread * (n === 1 ? 0 : (2 * i) / (n - 1) - 1)));
  // A fixed scramble: rounds are not measured in sorted order.
  return xs.map((_, i) => xs[(i * 7) % n]);
}

/**
 * @param benchmarks - id -> throughput per round (and settings).
 * @param o - calibration throughput per round (default 1e8 +- 1 %), suite name, calibration version,
 *   slowdown, and a run id (give two reports the same one to make them paired).
 * @returns a version-1 report.
 */
export function syntheticReport(
  benchmarks: Record<string, SyntheticBenchmark>,
  o: { calibration?: number[]; suite?: string; calibrationVersion?: string; slowdown?: number; runId?: string } = {},
): BenchReport {
  const cal = o.calibration ?? around(10, 1e8, 0.01);
  const calMedian = median(cal);
  const summary = (rounds: number[]) => ({ median: median(rounds), mad: mad(rounds), rounds });
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    createdAt: '2025-01-01T00:00:00.000Z',
    package: { name: 'relaxed-mc', version: '0.0.0-test', root: '/nowhere' },
    suite: o.suite ?? 'synthetic',
    environment: {
      node: 'v20.0.0',
      v8: '11',
      platform: 'linux',
      arch: 'x64',
      cpuModel: 'Test CPU',
      cores: 2,
      availableParallelism: 2,
      loadAverageStart: [0, 0, 0],
      loadAverageEnd: [0, 0, 0],
      totalMemory: 1,
      freeMemory: 1,
    },
    method: {
      rounds: cal.length,
      warmupRounds: 1,
      order: 'shuffled',
      seed: 1,
      timePerTaskMs: 1,
      minIterations: 1,
      normalization: 'test',
      slowdown: o.slowdown ?? 0,
      // Independent runs unless the test pairs two reports by giving them the same id.
      runId: o.runId ?? `run-${++runs}`,
      role: 'single',
    },
    calibration: {
      version: o.calibrationVersion ?? CALIBRATION_VERSION,
      loops: [
        {
          id: 'main',
          threads: 0,
          iterationsPerCall: CALIBRATION_ITERATIONS,
          throughput: summary(cal),
          best: summary(cal),
          cpu: summary(cal),
        },
      ],
    },
    benchmarks: Object.entries(benchmarks).map(([id, b]) => ({
      id,
      settings: b.settings ?? { kind: 'moments', api: 'engine', K: 16, tau: 0.5, N: 1024, threads: 1 },
      unit: 'draws',
      unitsPerCall: 1024,
      calibration: 'main',
      iterations: b.rounds.length,
      throughput: summary(b.rounds),
      best: summary(b.rounds),
      cpu: summary(b.rounds),
      normalized: summary(b.rounds.map((x) => x / calMedian)),
      checksum: 0,
      ...(b.confirmation === undefined ? {} : { confirmation: summary(b.confirmation) }),
    })),
  };
}
