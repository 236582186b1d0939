/**
 * The gate's decision: a pure function of a baseline report, a candidate report and a threshold.
 *
 * ## Method
 *
 * Per benchmark in both reports, `ratio` is the candidate's normalised throughput over the
 * baseline's (above 1 is faster) and `sigma` its relative standard error, measured from the
 * reports themselves. How depends on how the reports were made:
 *
 * - **paired** (both reports come from one run that timed the two builds back to back in every
 *   round; same `method.runId`): `ratio` = the median over rounds of the per-round ratios, and
 *   `sigma` = the standard error of that median (`1.2533 * 1.4826 * MAD / sqrt(rounds)`,
 *   relative). Drift between runs cannot enter: both sides saw the same machine each round.
 * - **independent** (two runs, such as a baseline report from another job): `ratio` = median of
 *   the candidate's rounds over median of the baseline's; `sigma` = the larger of (a) the
 *   standard errors of the four medians involved (the benchmark's and its calibration loop's, in
 *   each report) in quadrature, and (b) the scatter of the log-ratios across all benchmarks of
 *   the comparison (1.4826 * MAD): what moves between two runs of a shared machine that the
 *   spread within one run does not show. A uniform slowdown shifts every ratio without widening
 *   (b), so it is still caught.
 *
 * Verdicts, with `limit = max(threshold, z * sigma)` and `z` = {@link DEFAULT_Z}:
 * regression when `ratio < 1 - limit` (slower than the threshold allows AND than the noise can
 * explain); improvement when `ratio > 1 + limit`; unchanged otherwise; missing / new when in
 * one report only (reported, never a failure: suites change). The gate fails when at least one
 * benchmark regressed. Reports whose versions, calibration loops or benchmark settings differ
 * are refused rather than compared.
 *
 * @packageDocumentation
 */
import { BenchInputError } from './errors.js';
import { type BenchReport, type BenchSettings, type BenchmarkResult, REPORT_VERSION } from './report.js';
import { MAD_TO_SD, mad, median, relativeMedianError } from './stats.js';

/** Width of the noise band in standard errors. */
export const DEFAULT_Z = 3;
/** The default threshold: 15 % slower. */
export const DEFAULT_THRESHOLD = 0.15;
/** Fewest common benchmarks for the scatter across benchmarks to be estimated. */
const MIN_FOR_SCATTER = 5;

/** What happened to one benchmark. */
export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'missing' | 'new';

/** One row of a comparison. */
export interface BenchmarkComparison {
  id: string;
  verdict: Verdict;
  /** Median normalised throughput in the baseline / candidate (NaN when absent). */
  baseline: number;
  candidate: number;
  /** candidate / baseline (NaN when absent). */
  ratio: number;
  /** Relative standard error of the ratio. */
  sigma: number;
  /** The ratio's tolerance: `max(threshold, z * sigma)`; a regression is below `1 - limit`. */
  limit: number;
}

/** The whole comparison. */
export interface Comparison {
  /** `paired` (one run timed both builds) or `independent` (two runs). */
  mode: 'paired' | 'independent';
  /** One row per benchmark of either report, in the baseline's order, then new ones. */
  rows: BenchmarkComparison[];
  threshold: number;
  z: number;
  /** Independent mode: the scatter of the log-ratios across benchmarks (0 in paired mode). */
  scatter: number;
  /** Rows with each verdict. */
  counts: Record<Verdict, number>;
  /** True when at least one benchmark regressed. */
  failed: boolean;
  /** Differences that do not stop the comparison but deserve a look (another CPU, a slowdown switch). */
  warnings: string[];
}

/**
 * @param baseline - the report to compare against (the main branch).
 * @param candidate - the report of the change.
 * @param o - `threshold` (a fraction in (0, 1), default 0.15) and `z` (default 3).
 * @returns a verdict per benchmark and overall.
 * @throws BenchInputError when the reports cannot be compared: different report versions or
 *   calibration loops, a benchmark whose settings changed, or no benchmark in common.
 *
 * @example
 * ```ts
 * const c = compareReports(base, cand, { threshold: 0.15 });
 * console.log(c.failed, c.counts.regression); // false 0
 * ```
 */
export function compareReports(
  baseline: BenchReport,
  candidate: BenchReport,
  o: { threshold?: number; z?: number } = {},
): Comparison {
  const threshold = o.threshold ?? DEFAULT_THRESHOLD;
  const z = o.z ?? DEFAULT_Z;
  if (!(threshold > 0 && threshold < 1))
    throw new BenchInputError(
      `the threshold must be a fraction between 0 and 1 (0.15 = 15 % slower), but got ${threshold}.`,
    );
  if (!(z > 0 && Number.isFinite(z))) throw new BenchInputError(`z must be a positive number, but got ${z}.`);
  if (baseline.version !== REPORT_VERSION || candidate.version !== REPORT_VERSION) {
    throw new BenchInputError(
      `the reports have versions ${baseline.version} (baseline) and ${candidate.version} (candidate); only version ${REPORT_VERSION} can be compared.`,
    );
  }
  if (baseline.calibration.version !== candidate.calibration.version) {
    throw new BenchInputError(
      `the reports were normalised by different calibration loops (${baseline.calibration.version} in the baseline, ` +
        `${candidate.calibration.version} in the candidate), so their throughputs are not comparable; re-run the baseline with this version.`,
    );
  }
  const paired = baseline.method.runId === candidate.method.runId;
  const cand = new Map(candidate.benchmarks.map((b) => [b.id, b]));
  const common: [BenchmarkResult, BenchmarkResult][] = [];
  for (const b of baseline.benchmarks) {
    const c = cand.get(b.id);
    if (c === undefined) continue;
    const diff = settingsDifference(b.settings, c.settings);
    if (diff !== null) {
      throw new BenchInputError(
        `benchmark ${b.id} was measured with different settings (${diff}); compare reports of the same suite and thread count, ` +
          'or re-run the baseline.',
      );
    }
    if (paired && b.normalized.rounds.length !== c.normalized.rounds.length) {
      throw new BenchInputError(
        `benchmark ${b.id}: the paired reports hold ${b.normalized.rounds.length} and ${c.normalized.rounds.length} rounds; they must hold the same.`,
      );
    }
    common.push([b, c]);
  }
  if (common.length === 0) {
    throw new BenchInputError(
      `the reports have no benchmark in common (baseline suite '${baseline.suite}', candidate suite '${candidate.suite}'); compare runs of the same suite.`,
    );
  }
  const measured = new Map(
    common.map(([b, c]) => [
      b.id,
      paired ? pairedRatio(b, c) : independentRatio(b, c, calibrationError(baseline, candidate, b.calibration)),
    ]),
  );
  const logs = [...measured.values()].map((m) => Math.log(m.ratio));
  const scatter = !paired && logs.length >= MIN_FOR_SCATTER ? MAD_TO_SD * mad(logs) : 0;
  const rows: BenchmarkComparison[] = [];
  for (const b of baseline.benchmarks) {
    const m = measured.get(b.id);
    if (m === undefined) {
      rows.push({
        id: b.id,
        verdict: 'missing',
        baseline: b.normalized.median,
        candidate: NaN,
        ratio: NaN,
        sigma: NaN,
        limit: NaN,
      });
      continue;
    }
    const sigma = Math.max(m.sigma, scatter);
    const limit = Math.max(threshold, z * sigma);
    const verdict: Verdict = m.ratio < 1 - limit ? 'regression' : m.ratio > 1 + limit ? 'improvement' : 'unchanged';
    rows.push({
      id: b.id,
      verdict,
      baseline: b.normalized.median,
      candidate: cand.get(b.id)!.normalized.median,
      ratio: m.ratio,
      sigma,
      limit,
    });
  }
  const base = new Set(baseline.benchmarks.map((b) => b.id));
  for (const c of candidate.benchmarks) {
    if (!base.has(c.id))
      rows.push({
        id: c.id,
        verdict: 'new',
        baseline: NaN,
        candidate: c.normalized.median,
        ratio: NaN,
        sigma: NaN,
        limit: NaN,
      });
  }
  const counts: Record<Verdict, number> = { regression: 0, improvement: 0, unchanged: 0, missing: 0, new: 0 };
  for (const r of rows) counts[r.verdict] += 1;
  return {
    mode: paired ? 'paired' : 'independent',
    rows,
    threshold,
    z,
    scatter,
    counts,
    failed: counts.regression > 0,
    warnings: warningsOf(baseline, candidate),
  };
}

/** Same rounds, timed back to back: the median of the per-round ratios and its standard error. */
function pairedRatio(b: BenchmarkResult, c: BenchmarkResult): { ratio: number; sigma: number } {
  const q = c.normalized.rounds.map((x, i) => x / b.normalized.rounds[i]);
  return { ratio: median(q), sigma: relativeMedianError(q) };
}

/** Two runs: the ratio of medians, with the errors of both medians and of both calibrations. */
function independentRatio(
  b: BenchmarkResult,
  c: BenchmarkResult,
  calibration: number,
): { ratio: number; sigma: number } {
  return {
    ratio: c.normalized.median / b.normalized.median,
    sigma: Math.hypot(relativeMedianError(b.normalized.rounds), relativeMedianError(c.normalized.rounds), calibration),
  };
}

/** The relative errors of a calibration loop's medians in both reports, in quadrature. */
function calibrationError(a: BenchReport, b: BenchReport, id: string): number {
  const la = a.calibration.loops.find((l) => l.id === id);
  const lb = b.calibration.loops.find((l) => l.id === id);
  if (la === undefined || lb === undefined) {
    throw new BenchInputError(
      `calibration loop '${id}' is missing from the ${la === undefined ? 'baseline' : 'candidate'}; re-run it with this version.`,
    );
  }
  return Math.hypot(relativeMedianError(la.best.rounds), relativeMedianError(lb.best.rounds));
}

/** @returns the first setting that differs, described, or null when all agree. */
function settingsDifference(a: BenchSettings, b: BenchSettings): string | null {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = JSON.stringify(a[k]);
    const y = JSON.stringify(b[k]);
    if (x !== y) return `${k}: ${x ?? 'absent'} in the baseline, ${y ?? 'absent'} in the candidate`;
  }
  return null;
}

function warningsOf(a: BenchReport, b: BenchReport): string[] {
  const w: string[] = [];
  const ea = a.environment;
  const eb = b.environment;
  if (ea.cpuModel !== eb.cpuModel || ea.cores !== eb.cores) {
    w.push(
      `the runs were on different machines (${ea.cpuModel} x ${ea.cores} vs ${eb.cpuModel} x ${eb.cores}); the calibration corrects uniform speed differences only.`,
    );
  }
  if (ea.node !== eb.node) w.push(`the runs used different Node.js versions (${ea.node} vs ${eb.node}).`);
  if (a.method.slowdown !== 0) w.push(`the baseline ran with RELAXED_MC_BENCH_SLOWDOWN=${a.method.slowdown}.`);
  if (b.method.slowdown !== 0) w.push(`the candidate ran with RELAXED_MC_BENCH_SLOWDOWN=${b.method.slowdown}.`);
  const runs =
    a.method.runId === b.method.runId
      ? ([['paired run', eb]] as const)
      : ([
          ['baseline', ea],
          ['candidate', eb],
        ] as const);
  for (const [who, e] of runs) {
    const load = Math.max(...(e.loadAverageStart ?? []), ...(e.loadAverageEnd ?? []));
    if (load > e.cores)
      w.push(`the ${who} ran on a busy machine (load average ${load.toFixed(2)} on ${e.cores} cores).`);
  }
  return w;
}
