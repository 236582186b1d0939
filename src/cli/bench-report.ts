/**
 * What `relaxed-mc bench` prints: the table of a run, and the comparison of two builds with
 * the gate's verdict. When the gate fails, the last lines name each regressed benchmark with
 * what a person needs to judge it (ratio, confidence interval, spread of the rounds) and the
 * command that re-measures just those.
 *
 * @packageDocumentation
 */
import type { BenchmarkComparison, Comparison } from '../bench/compare.js';
import type { BenchReport } from '../bench/report.js';
import { MAD_TO_SD } from '../bench/stats.js';
import { formatTable } from './table.js';

function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-';
}

function sci(x: number): string {
  return Number.isFinite(x) ? x.toExponential(3) : '-';
}

/**
 * @param r - a report.
 * @returns the table of its benchmarks and calibrations, and a footer on how to read it.
 */
export function resultsTable(r: BenchReport): string {
  const spread = (x: { median: number; mad: number }) => `±${pct((MAD_TO_SD * x.mad) / x.median)}`;
  const rows = r.benchmarks.map((b) => [
    b.id,
    `${sci(b.best.median)} ${b.unit}/s`,
    spread(b.best),
    sci(b.throughput.median),
    sci(b.normalized.median),
    b.calibration,
    String(b.iterations),
  ]);
  for (const l of r.calibration.loops)
    rows.push([
      `(calibration ${l.id})`,
      `${sci(l.best.median)} loops/s`,
      spread(l.best),
      sci(l.throughput.median),
      '',
      '',
      '',
    ]);
  const e = r.environment;
  return (
    `${formatTable(['benchmark', 'throughput', 'spread', 'median call', 'normalised', 'calibration', 'calls'], rows, { left: new Set(['benchmark', 'calibration']) })}\n` +
    `throughput = units / fastest call of a round, median over ${r.method.rounds} interleaved rounds (shuffled per round); spread = 1.4826 MAD / median; ` +
    `median call = the same from each round's median call; normalised = throughput / its calibration's throughput in this run (${r.calibration.version})\n` +
    `suite ${r.suite}; node ${e.node}, ${e.cpuModel} x ${e.cores}, load ${e.loadAverageStart.map((x) => x.toFixed(2)).join(' ')}`
  );
}

/** The verdict cell: a cleared suspect says so, with its count of rounds below the line. */
function verdictCell(r: BenchmarkComparison): string {
  const c = r.confirmation;
  if (c === undefined) return r.verdict;
  const counted = `${c.below}/${c.rounds} below`;
  return r.verdict === 'regression' ? `regression (${counted})` : `cleared (${counted})`;
}

/**
 * @param c - the comparison.
 * @param against - what the baseline is, for the footer (`the build in DIR`, `the numbers recorded in FILE`).
 * @param rerun - the command that re-measures given benchmarks the same way (`--only` appended).
 * @returns the table, how to read it, `PASS` or `FAIL`, and on failure one line per regression and the rerun command.
 */
export function comparisonText(c: Comparison, against: string, rerun: (ids: readonly string[]) => string): string {
  const paired = c.mode === 'paired';
  const rows = c.rows.map((r) => [
    r.id,
    sci(r.baseline),
    sci(r.candidate),
    Number.isFinite(r.ratio) ? r.ratio.toFixed(3) : '-',
    paired
      ? Number.isFinite(r.spread)
        ? `±${pct(r.spread)}`
        : '-'
      : Number.isFinite(r.sigma)
        ? `±${pct(r.sigma)}`
        : '-',
    !Number.isFinite(r.limit) ? '-' : r.limit >= 1 ? 'never' : `<${(1 - r.limit).toFixed(3)}`,
    verdictCell(r),
  ]);
  const head = paired
    ? ['benchmark', 'baseline', 'candidate', 'ratio', 'spread', 'regression if', 'verdict']
    : ['benchmark', 'baseline', 'candidate', 'ratio', 'sigma', 'regression if', 'verdict'];
  const n = c.counts;
  const how = paired
    ? `paired run against ${against}: baseline and candidate = units/s of the fastest call, median over the rounds, both measured in this run; ` +
      'ratio = median over the rounds of candidate / baseline (not the ratio of the two medians); spread = 1.4826 MAD / median of those per-round ratios.\n' +
      `A benchmark whose ratio is below 1 - threshold (${pct(c.threshold)}) is a suspect; the suspects are timed again in fresh paired rounds, ` +
      `and one is a regression when a sign test finds its ratio below the line at the family-wise false-alarm rate ${pct(c.familyWiseRate)} ` +
      `(Bonferroni over the ${c.confirmed} confirmed); above 1 is faster.`
    : `independent runs against ${against}: ratio = candidate / baseline median normalised throughput; ` +
      `sigma at least the scatter of the ratios across benchmarks (${pct(c.scatter)}); above 1 is faster; ` +
      `regression if ratio < 1 - max(threshold ${pct(c.threshold)}, ${c.z} sigma) (no stated false-alarm rate: the drift between runs has no known law).`;
  const summary =
    `${c.failed ? 'FAIL' : 'PASS'}: ${n.regression} regression(s), ${n.improvement} improvement(s), ${n.unchanged} unchanged, ` +
    `${n.suspect > 0 ? `${n.suspect} suspect(s) not re-measured, ` : ''}${n.missing} missing from the candidate, ${n.new} new`;
  const lines = [formatTable(head, rows, { left: new Set(['benchmark', 'verdict']) }), how, summary];
  const regressed = c.rows.filter((r) => r.verdict === 'regression');
  for (const r of regressed) lines.push(regressionLine(r, c));
  if (regressed.length > 0) lines.push(`rerun just these: ${rerun(regressed.map((r) => r.id))}`);
  return lines.join('\n');
}

/** One regressed benchmark in words. */
function regressionLine(r: BenchmarkComparison, c: Comparison): string {
  const k = r.confirmation;
  if (k === undefined) {
    return `regressed: ${r.id}: ratio ${r.ratio.toFixed(3)} (${pct(1 - r.ratio)} slower), sigma ±${pct(r.sigma)}, below ${(1 - r.limit).toFixed(3)}`;
  }
  const [lo, hi] = k.interval;
  return (
    `regressed: ${r.id}: ratio ${k.ratio.toFixed(3)} (${pct(1 - k.ratio)} slower), 95% CI ${lo.toFixed(3)}-${hi.toFixed(3)}, ` +
    `spread of the rounds ±${pct(k.spread)}; ${k.below} of ${k.rounds} confirmation rounds below ${(1 - c.threshold).toFixed(3)} ` +
    `(sign test p = ${k.p.toPrecision(2)} <= ${pct(c.familyWiseRate)} / ${c.confirmed}); first-pass ratio ${r.ratio.toFixed(3)}`
  );
}
