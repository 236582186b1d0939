/**
 * The gate's decision: a pure function of a baseline report, a candidate report and a threshold.
 *
 * ## Method
 *
 * Per benchmark in both reports, `ratio` is the candidate's throughput over the baseline's
 * (above 1 is faster) and the line is `1 - threshold`: a benchmark whose ratio is not below the
 * line never fails the gate, so the threshold keeps its meaning. How a ratio below the line is
 * judged depends on how the reports were made.
 *
 * **Paired** (one run timed the two builds back to back in every round; same `method.runId`):
 * the goal is a stated family-wise rate: a run in which no benchmark is slower than the
 * threshold allows fails the gate with probability at most {@link FAMILY_WISE_RATE} (1 %),
 * whatever the number of benchmarks B. Testing each of B benchmarks at about 3 sigma cannot
 * promise that: the chance that one of them crosses by noise grows with B, and a median/MAD
 * sigma from 10-12 rounds of a shared machine has far heavier tails than a normal law. So the
 * decision has two stages:
 *
 * 1. *Screen*: `ratio` = the median over the rounds of the per-round ratios; a benchmark whose
 *    ratio is below the line is a suspect. Nothing fails at this stage.
 * 2. *Confirm*: the suspects (at most {@link MAX_CONFIRMED}, those with the lowest ratios) are
 *    timed again on both builds in {@link CONFIRMATION_ROUNDS} fresh paired rounds (the runner
 *    does it; the reports carry the rounds as `confirmation`). For each, the one-sided sign test
 *    of "its median per-round ratio is below the line" gives an exact p-value from the count of
 *    rounds below the line (`sign-test.ts`): it assumes the rounds independent, nothing about
 *    the shape of their scatter. A suspect is a regression when `p <= FAMILY_WISE_RATE / m`,
 *    with m the number of benchmarks confirmed (Bonferroni over the confirmed family).
 *
 * Why the rate holds: the confirmation rounds are measured after the screen and independently
 * of it, so conditionally on whichever m benchmarks the screen picked, each one whose true
 * median ratio is at or above the line is declared a regression with probability at most
 * `FAMILY_WISE_RATE / m`, and the union of at most m such events has probability at most
 * `FAMILY_WISE_RATE`. That bound holds for every outcome of the screen, hence for the run, for
 * any B, and also for real changes smaller than the threshold. It needs the two sides to
 * measure the same way: a difference between them that is not in the code (memory state,
 * warm-up) is not noise, and no statistics can tell it from a regression; the suites are built
 * so that there is none (`tasks.ts`). One such difference remains that no suite can remove: a
 * state that one side's engine falls into and keeps for the rest of its life (seen once in 18
 * self-comparisons of the `ci` suite here: one side's `gradients/K4/N4096/t1` 1.5 times slower
 * than the other in every screen and confirmation round; compilation and heap state differ
 * between two isolates running the same code). So the runner confirms in 3 blocks of 10 rounds,
 * each on freshly started engines: such a state lasts one block, puts at most 10 of the 30
 * rounds below the line, and a second, independent one would be needed in another block to
 * reach the count below; a slowdown in the code shows in every block. With 30 confirmation
 * rounds, a benchmark is confirmed when at least 22 (m = 1) to 24 (m = 8) rounds fall below the
 * line.
 *
 * **Independent** (two runs, such as a baseline report from another job): `ratio` = median of
 * the candidate's normalised rounds over median of the baseline's; `sigma` = the larger of (a)
 * the standard errors of the four medians involved (the benchmark's and its calibration loop's,
 * in each report) in quadrature, and (b) the scatter of the log-ratios across all benchmarks of
 * the comparison (1.4826 * MAD): what moves between two runs of a shared machine that the spread
 * within one run does not show. A regression is `ratio < 1 - max(threshold, z * sigma)`, z =
 * {@link DEFAULT_Z}. The drift between two runs has no known law, so this mode states no
 * family-wise rate; there is no confirmation either (the baseline build is not there to time).
 *
 * In both modes, improvement when `ratio > 1 + max(threshold, z * sigma)` (it never fails);
 * missing / new when in one report only (reported, never a failure: suites change). The gate
 * fails when at least one benchmark regressed. Reports whose versions, calibration loops or
 * benchmark settings differ are refused rather than compared.
 *
 * ## References
 *
 * - S. Holm (1979), A simple sequentially rejective multiple test procedure, Scand. J. Statist. 6(2), 65-70
 *   (the Bonferroni bound on the family-wise error rate, without independence between the tests).
 * - W. J. Dixon, A. M. Mood (1946), The statistical sign test, JASA 41(236), 557-566. doi:10.1080/01621459.1946.10501898
 *
 * @packageDocumentation
 */
import { BenchInputError } from './errors.js';
import { type BenchReport, type BenchSettings, type BenchmarkResult, REPORT_VERSION } from './report.js';
import { medianInterval, signTestBelow } from './sign-test.js';
import { MAD_TO_SD, mad, median, relativeMedianError } from './stats.js';
import { Rule } from '../index.js';

/** Width of the noise band in standard errors (independent mode, and improvements). */
export const DEFAULT_Z = 3;
/** The default threshold: 15 % slower. */
export const DEFAULT_THRESHOLD = 0.15;
/** The stated probability that a paired run with no change beyond the threshold fails the gate. */
export const FAMILY_WISE_RATE = 0.01;
/** Paired rounds of the confirmation step: among 8 suspects, one is confirmed with up to 6 of its rounds above the line. */
export const CONFIRMATION_ROUNDS = 30;
/** Most suspects confirmed in one run (those with the lowest ratios): the confirmation's cost stays bounded. */
export const MAX_CONFIRMED = 8;
/** Coverage of the confidence intervals printed for a confirmed benchmark. */
export const INTERVAL_LEVEL = 0.95;
/** Fewest common benchmarks for the scatter across benchmarks to be estimated. */
const MIN_FOR_SCATTER = 5;

/**
 * What happened to one benchmark. `suspect`: a paired ratio below the line, not (yet)
 * re-measured; it never fails the gate by itself.
 */
export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'suspect' | 'missing' | 'new';

/** The confirmation of one suspect: its fresh paired rounds and the sign test on them. */
export interface ConfirmationResult {
  /** Confirmation rounds. */
  rounds: number;
  /** Rounds whose ratio was below the line. */
  below: number;
  /** The sign test's p-value; a regression when at most `FAMILY_WISE_RATE / confirmed`. */
  p: number;
  /** Median of the confirmation's per-round ratios. */
  ratio: number;
  /** Distribution-free {@link INTERVAL_LEVEL} interval for that median. */
  interval: [number, number];
  /** Spread of the per-round ratios: 1.4826 MAD / median. */
  spread: number;
}

/** One row of a comparison. */
export interface BenchmarkComparison {
  id: string;
  verdict: Verdict;
  /**
   * The baseline's and the candidate's median throughput (NaN when absent): in a paired run, units
   * per second of the fastest call, both measured in this run; otherwise the normalised throughputs.
   */
  baseline: number;
  candidate: number;
  /** candidate / baseline (NaN when absent); paired: the median of the per-round ratios. */
  ratio: number;
  /** Relative standard error of the ratio. */
  sigma: number;
  /** Spread of the rounds: paired, 1.4826 MAD / median of the per-round ratios; otherwise NaN. */
  spread: number;
  /**
   * Independent mode: the ratio's tolerance `max(threshold, z * sigma)`, a regression below
   * `1 - limit`. Paired mode: the threshold (the line; significance comes from the confirmation).
   */
  limit: number;
  /** Paired runs, for a benchmark re-measured by the confirmation step. */
  confirmation?: ConfirmationResult;
}

/** The whole comparison. */
export interface Comparison {
  /** `paired` (one run timed both builds) or `independent` (two runs). */
  mode: 'paired' | 'independent';
  /** One row per benchmark of either report, in the baseline's order, then new ones. */
  rows: BenchmarkComparison[];
  threshold: number;
  z: number;
  /** Paired mode: the family-wise false-alarm rate of the decision (NaN in independent mode). */
  familyWiseRate: number;
  /** Paired mode: benchmarks confirmed in this comparison (the m of the Bonferroni bound). */
  confirmed: number;
  /** Paired mode: the suspects still to re-measure, lowest ratio first, at most {@link MAX_CONFIRMED}. */
  toConfirm: string[];
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
 * @param o - `threshold` (a fraction in (0, 1), default 0.15), `z` (default 3) and
 *   `familyWiseRate` (paired mode, default {@link FAMILY_WISE_RATE}).
 * @returns a verdict per benchmark and overall; in paired mode, the suspects to confirm.
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
  o: { threshold?: number; z?: number; familyWiseRate?: number } = {},
): Comparison {
  const threshold = o.threshold ?? DEFAULT_THRESHOLD;
  const z = o.z ?? DEFAULT_Z;
  const alpha = o.familyWiseRate ?? FAMILY_WISE_RATE;
  if (!(threshold > 0 && threshold < 1))
    throw new BenchInputError(
      `the threshold must be a fraction between 0 and 1 (0.15 = 15 % slower), but got ${threshold}.`,
      { argument: 'threshold', rule: Rule.inRange },
    );
  if (!(z > 0 && Number.isFinite(z)))
    throw new BenchInputError(`z must be a positive number, but got ${z}.`, { argument: 'z', rule: Rule.positive });
  if (!(alpha > 0 && alpha < 1))
    throw new BenchInputError(`the family-wise rate must be a fraction between 0 and 1, but got ${alpha}.`, {
      argument: 'familyWiseRate',
      rule: Rule.inRange,
    });
  if (baseline.version !== REPORT_VERSION || candidate.version !== REPORT_VERSION) {
    throw new BenchInputError(
      `the reports have versions ${baseline.version} (baseline) and ${candidate.version} (candidate); only version ${REPORT_VERSION} can be compared.`,
      { argument: 'version', rule: Rule.stateVersion },
    );
  }
  if (baseline.calibration.version !== candidate.calibration.version) {
    throw new BenchInputError(
      `the reports were normalised by different calibration loops (${baseline.calibration.version} in the baseline, ` +
        `${candidate.calibration.version} in the candidate), so their throughputs are not comparable; re-run the baseline with this version.`,
      { argument: 'calibration.version', rule: Rule.consistent },
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
        { argument: `benchmarks.${b.id}.settings`, rule: Rule.consistent },
      );
    }
    if (paired && b.normalized.rounds.length !== c.normalized.rounds.length) {
      throw new BenchInputError(
        `benchmark ${b.id}: the paired reports hold ${b.normalized.rounds.length} and ${c.normalized.rounds.length} rounds; they must hold the same.`,
        { argument: `benchmarks.${b.id}.normalized.rounds`, rule: Rule.shape },
      );
    }
    if (paired && (b.confirmation?.rounds.length ?? 0) !== (c.confirmation?.rounds.length ?? 0)) {
      throw new BenchInputError(
        `benchmark ${b.id}: the paired reports hold ${b.confirmation?.rounds.length ?? 0} and ${c.confirmation?.rounds.length ?? 0} confirmation rounds; they must hold the same.`,
        { argument: `benchmarks.${b.id}.confirmation.rounds`, rule: Rule.shape },
      );
    }
    common.push([b, c]);
  }
  if (common.length === 0) {
    throw new BenchInputError(
      `the reports have no benchmark in common (baseline suite '${baseline.suite}', candidate suite '${candidate.suite}'); compare runs of the same suite.`,
      { argument: 'benchmarks', rule: Rule.nonEmpty },
    );
  }
  const line = 1 - threshold;
  const confirmed = paired ? common.filter(([b]) => b.confirmation !== undefined).length : 0;
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
      rows.push(absent(b.id, 'missing', b.normalized.median, NaN));
      continue;
    }
    const c = cand.get(b.id)!;
    const sigma = Math.max(m.sigma, scatter);
    const band = Math.max(threshold, z * sigma);
    const row: BenchmarkComparison = {
      id: b.id,
      verdict: m.ratio > 1 + band ? 'improvement' : 'unchanged',
      baseline: paired ? b.best.median : b.normalized.median,
      candidate: paired ? c.best.median : c.normalized.median,
      ratio: m.ratio,
      sigma,
      spread: m.spread,
      limit: paired ? threshold : band,
    };
    if (!paired) {
      if (m.ratio < 1 - band) row.verdict = 'regression';
    } else if (b.confirmation !== undefined && c.confirmation !== undefined) {
      row.confirmation = confirmationOf(b.confirmation.rounds, c.confirmation.rounds, line);
      // Bonferroni over the confirmed family: see the Method above.
      if (row.confirmation.p <= alpha / confirmed) row.verdict = 'regression';
    } else if (m.ratio < line) row.verdict = 'suspect';
    rows.push(row);
  }
  const base = new Set(baseline.benchmarks.map((b) => b.id));
  for (const c of candidate.benchmarks) if (!base.has(c.id)) rows.push(absent(c.id, 'new', NaN, c.normalized.median));
  const counts: Record<Verdict, number> = {
    regression: 0,
    improvement: 0,
    unchanged: 0,
    suspect: 0,
    missing: 0,
    new: 0,
  };
  for (const r of rows) counts[r.verdict] += 1;
  const toConfirm = rows
    .filter((r) => r.verdict === 'suspect')
    .sort((a, b) => a.ratio - b.ratio)
    .slice(0, MAX_CONFIRMED)
    .map((r) => r.id);
  return {
    mode: paired ? 'paired' : 'independent',
    rows,
    threshold,
    z,
    familyWiseRate: paired ? alpha : NaN,
    confirmed,
    toConfirm,
    scatter,
    counts,
    failed: counts.regression > 0,
    warnings: warningsOf(baseline, candidate),
  };
}

function absent(id: string, verdict: 'missing' | 'new', baseline: number, candidate: number): BenchmarkComparison {
  return { id, verdict, baseline, candidate, ratio: NaN, sigma: NaN, spread: NaN, limit: NaN };
}

/** Same rounds, timed back to back: the median of the per-round ratios, its standard error and spread. */
function pairedRatio(b: BenchmarkResult, c: BenchmarkResult): { ratio: number; sigma: number; spread: number } {
  const q = c.normalized.rounds.map((x, i) => x / b.normalized.rounds[i]);
  const ratio = median(q);
  return { ratio, sigma: relativeMedianError(q), spread: (MAD_TO_SD * mad(q)) / ratio };
}

/** The sign test of the confirmation's per-round ratios against the line, with the median's interval. */
function confirmationOf(base: readonly number[], cand: readonly number[], line: number): ConfirmationResult {
  const q = cand.map((x, i) => x / base[i]);
  const ratio = median(q);
  const { below, p } = signTestBelow(q, line);
  return {
    rounds: q.length,
    below,
    p,
    ratio,
    interval: medianInterval(q, INTERVAL_LEVEL),
    spread: (MAD_TO_SD * mad(q)) / ratio,
  };
}

/** Two runs: the ratio of medians, with the errors of both medians and of both calibrations. */
function independentRatio(
  b: BenchmarkResult,
  c: BenchmarkResult,
  calibration: number,
): { ratio: number; sigma: number; spread: number } {
  return {
    ratio: c.normalized.median / b.normalized.median,
    sigma: Math.hypot(relativeMedianError(b.normalized.rounds), relativeMedianError(c.normalized.rounds), calibration),
    spread: NaN,
  };
}

/** The relative errors of a calibration loop's medians in both reports, in quadrature. */
function calibrationError(a: BenchReport, b: BenchReport, id: string): number {
  const la = a.calibration.loops.find((l) => l.id === id);
  const lb = b.calibration.loops.find((l) => l.id === id);
  if (la === undefined || lb === undefined) {
    throw new BenchInputError(
      `calibration loop '${id}' is missing from the ${la === undefined ? 'baseline' : 'candidate'}; re-run it with this version.`,
      { argument: 'calibration.loops', rule: Rule.required },
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
  if (a.method.slowdown !== 0) w.push(`the baseline ran with RELAXED_MC_BENCH_SLOWDOWN=${slowdownOf(a)}.`);
  if (b.method.slowdown !== 0) w.push(`the candidate ran with RELAXED_MC_BENCH_SLOWDOWN=${slowdownOf(b)}.`);
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

function slowdownOf(r: BenchReport): string {
  const p = r.method.slowdownPattern;
  return p === undefined ? String(r.method.slowdown) : `${r.method.slowdown}@${p}`;
}
