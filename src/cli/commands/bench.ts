/**
 * `relaxed-mc bench`: runs a benchmark suite and writes a versioned JSON report; with
 * `--compare baseline.json`, also decides whether this build is slower than the baseline
 * (exit 1) or not (exit 0). The measuring lives in `src/bench/`; this file parses flags,
 * prints tables and maps errors to exit statuses.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { type Comparison, DEFAULT_THRESHOLD, compareReports } from '../../bench/compare.js';
import { BenchInputError, RegressionError } from '../../bench/errors.js';
import { type BenchReport, parseReport } from '../../bench/report.js';
import { type PackageBuild, loadBuild, ownBuild } from '../../bench/package-api.js';
import { type Side, runSides } from '../../bench/runner.js';
import { Slowdown, readSlowdown } from '../../bench/slowdown.js';
import { SUITES, type SuiteDefinition, type SuiteInstance, instantiateSuite, suiteNamed } from '../../bench/suites.js';
import { MAD_TO_SD } from '../../bench/stats.js';
import type { CommandSpec, Context } from '../command.js';
import { writeFileAtomically } from '../atomic-file.js';
import { checkOutputs } from '../output-check.js';
import { UsageError, fsReason, quote } from '../errors.js';
import { parseDecimal } from '../numbers.js';
import { countParser, threadsParser } from '../options.js';
import { formatTable } from '../table.js';

/** Flags of `bench`. */
export interface BenchFlags {
  /** Suite name (default `default`, or the baseline's suite with `--compare`). */
  suite?: string;
  /** Write the report here. */
  json?: string;
  /** Timed rounds (default: the suite's, or the baseline's with `--compare`). */
  rounds?: number;
  /** N of the N-thread benchmarks (default: the cores, or the baseline's with `--compare`). */
  threads?: number;
  /** The baseline report. */
  compare?: string;
  /** Largest tolerated slowdown, a fraction. */
  threshold: number;
  /** The baseline build's folder (default: the one recorded in the baseline report). */
  baselinePackage?: string;
  /** Compare with the recorded numbers only, without re-measuring the baseline build. */
  recorded?: boolean;
  /** With a paired run, also write the re-measured baseline report here. */
  baselineJson?: string;
  /** No progress lines. */
  quiet?: boolean;
}

/** The `bench` subcommand. */
export const bench: CommandSpec<BenchFlags> = {
  name: 'bench',
  summary: 'benchmark suites with a JSON report, and a performance-regression gate (--compare)',
  define(cmd: Command) {
    cmd
      .addOption(
        new Option(
          '--suite <name>',
          `suite: ${Object.keys(SUITES).join(', ')} (default: default, or the baseline's with --compare)`,
        ),
      )
      .addOption(new Option('--json <file>', 'write the report (versioned JSON) to this file'))
      .addOption(
        new Option('--rounds <n>', "timed rounds (default: the suite's, or the baseline's with --compare)").argParser(
          countParser('--rounds', 1, '10'),
        ),
      )
      .addOption(
        new Option(
          '--threads <n>',
          "N of the N-thread benchmarks (default: the cores, or the baseline's with --compare)",
        ).argParser(threadsParser),
      )
      .addOption(
        new Option(
          '--compare <baseline.json>',
          'compare with a baseline report: exit 1 when a benchmark is slower beyond the threshold and the noise',
        ),
      )
      .addOption(
        new Option('--threshold <fraction>', 'with --compare: slowdown tolerated, a fraction in (0, 1)')
          .argParser(thresholdOf)
          .default(DEFAULT_THRESHOLD, String(DEFAULT_THRESHOLD)),
      )
      .addOption(
        new Option(
          '--baseline-package <dir>',
          "the baseline build's folder, timed beside this one (default with --compare: the one recorded in the report)",
        ),
      )
      .addOption(
        new Option(
          '--recorded',
          "with --compare: use the baseline report's numbers only; do not re-measure the baseline build",
        ).conflicts('baselinePackage'),
      )
      .addOption(
        new Option('--baseline-json <file>', 'with --compare: also write the re-measured baseline report to this file'),
      )
      .addOption(new Option('--quiet', 'no progress on stderr'))
      .addHelpText(
        'after',
        `\nSuites:\n${Object.values(SUITES)
          .map((s) => `  ${s.name.padEnd(8)} ${s.summary}`)
          .join('\n')}\n` +
          '\nWith --compare, when the baseline build is still on disk (the folder recorded in the report, or --baseline-package),\n' +
          'both builds are timed back to back in every round of one run (paired), so drift of the machine between runs cannot\n' +
          "look like a regression; otherwise (or with --recorded) the candidate's run is compared with the recorded numbers.\n" +
          'Throughputs are normalised by a calibration loop timed in the same run, so a uniformly slower machine is not a regression.\n' +
          'RELAXED_MC_BENCH_SLOWDOWN=0.3 makes every benchmarked task of this build do 30 % extra work (to test the gate).\n' +
          '\nExamples:\n' +
          '  relaxed-mc bench --suite ci --json base.json\n' +
          '  relaxed-mc bench --compare base.json --threshold 0.15 --json candidate.json\n' +
          '  relaxed-mc bench --suite ci --baseline-package ../base        # paired, without a baseline report\n' +
          '\nExit status when comparing: 0 no regression, 1 regression, 2 bad usage or a malformed report.\n',
      );
  },
  async run(flags, ctx) {
    try {
      await runBench(flags, ctx);
    } catch (err) {
      if (err instanceof BenchInputError) throw new UsageError(err.message);
      throw err;
    }
  },
};

async function runBench(flags: BenchFlags, ctx: Context): Promise<void> {
  const say = (s: string) => flags.quiet || ctx.stderr.write(`bench: ${s}\n`);
  const slowdown = new Slowdown(readSlowdown(process.env));
  if (flags.compare === undefined && flags.recorded) throw new UsageError('--recorded needs --compare.');
  if (flags.compare === undefined && flags.baselinePackage === undefined && flags.baselineJson !== undefined) {
    throw new UsageError('--baseline-json needs --compare or --baseline-package.');
  }
  // Read the baseline first: a malformed file fails now, not after minutes of measuring.
  const baseline = flags.compare === undefined ? null : await readBaseline(flags.compare);
  const suite = suiteNamed(flags.suite ?? baseline?.suite ?? 'default');
  if (baseline !== null && baseline.suite !== suite.name) {
    throw new BenchInputError(
      `--suite ${suite.name}: the baseline ${flags.compare} ran suite '${baseline.suite}'; compare runs of the same suite.`,
    );
  }
  // Without a baseline report, --baseline-package alone still gives a paired comparison (handy before the baseline has this command).
  const baseBuild =
    baseline === null
      ? flags.baselinePackage === undefined
        ? null
        : await loadBuild(flags.baselinePackage, '--baseline-package')
      : flags.recorded
        ? null
        : await baselineBuild(baseline, flags, (m) => ctx.stderr.write(`bench: note: ${m}\n`));
  const threads = flags.threads ?? (baseline === null ? availableParallelism() : baselineThreads(baseline));
  const rounds = flags.rounds ?? baseline?.method.rounds ?? suite.rounds;
  const baseJson = baseBuild === null ? undefined : flags.baselineJson;
  // Checked now, written when measured: a run stopped before then leaves no file, not even a temporary one.
  checkOutputs(
    [
      { flag: '--json', path: flags.json },
      { flag: '--baseline-json', path: baseJson },
    ],
    [{ flag: '--compare', path: flags.compare }],
  );
  const [candidate, remeasured] = await measure(suite, { threads, rounds, slowdown, baseBuild }, say, ctx);
  for (const [path, flag, report] of [
    [flags.json, '--json', candidate],
    [baseJson, '--baseline-json', remeasured],
  ] as const) {
    if (path === undefined || report === undefined) continue;
    await writeFileAtomically(path, flag, `${JSON.stringify(report, null, 2)}\n`, ctx.signal);
  }
  const against = remeasured ?? baseline;
  if (against === null) {
    ctx.stdout.write(`${resultsTable(candidate)}\n`);
    return;
  }
  const comparison = compareReports(against, candidate, { threshold: flags.threshold });
  for (const w of comparison.warnings) ctx.stderr.write(`bench: note: ${w}\n`);
  ctx.stdout.write(
    `${comparisonTable(comparison, remeasured === undefined ? `the numbers recorded in ${flags.compare}` : `the build in ${baseBuild!.root}`)}\n`,
  );
  if (comparison.failed) {
    const ids = comparison.rows.filter((r) => r.verdict === 'regression').map((r) => r.id);
    throw new RegressionError(
      `${ids.length} of ${comparison.rows.length} benchmarks slower than the baseline beyond the threshold ` +
        `(${pct(comparison.threshold)}) and the noise: ${ids.join(', ')}.`,
    );
  }
}

/**
 * Times this build's tasks, and the baseline build's beside them when there is one.
 *
 * @returns this build's report, and the baseline's from the same rounds (paired) when measured.
 */
async function measure(
  suite: SuiteDefinition,
  o: { threads: number; rounds: number; slowdown: Slowdown; baseBuild: PackageBuild | null },
  say: (s: string) => void,
  ctx: Context,
): Promise<[BenchReport, BenchReport | undefined]> {
  const mine = ownBuild();
  const slow = o.slowdown.fraction > 0 ? `, RELAXED_MC_BENCH_SLOWDOWN=${o.slowdown.fraction}` : '';
  const insts: SuiteInstance[] = [];
  try {
    insts.push(await instantiateSuite(suite, { threads: o.threads, api: mine.api }));
    const sides: Side[] = [
      { role: o.baseBuild === null ? 'single' : 'candidate', build: mine, tasks: insts[0].tasks, slowdown: o.slowdown },
    ];
    if (o.baseBuild !== null) {
      insts.push(await instantiateSuite(suite, { threads: o.threads, api: o.baseBuild.api }));
      sides.push({ role: 'baseline', build: o.baseBuild, tasks: insts[1].tasks });
    }
    const threads = suite.multiThread ? `1 and ${o.threads} threads` : '1 thread';
    const paired = o.baseBuild === null ? '' : ', paired with the baseline build';
    say(
      `suite ${suite.name}: ${insts[0].tasks.length} benchmarks at ${threads}, 1 warm-up + ${o.rounds} rounds${paired}${slow}`,
    );
    const t0 = performance.now();
    const reports = await runSides(sides, {
      suite: suite.name,
      rounds: o.rounds,
      timePerTaskMs: suite.timePerTaskMs,
      minIterations: suite.minIterations,
      signal: ctx.signal,
      onRound: (done, total) =>
        say(
          `${done === 0 ? 'warm-up' : `round ${done}/${total}`} done (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
        ),
    });
    return [reports[0], reports[1]];
  } finally {
    for (const inst of insts) await inst.close();
  }
}

/** The baseline's build to re-measure beside this one, or null to use its recorded numbers. */
async function baselineBuild(
  baseline: BenchReport,
  flags: BenchFlags,
  note: (s: string) => void,
): Promise<PackageBuild | null> {
  if (flags.baselinePackage !== undefined) return loadBuild(flags.baselinePackage, '--baseline-package');
  try {
    return await loadBuild(baseline.package.root, `the baseline build recorded in ${flags.compare}`);
  } catch (err) {
    if (!(err instanceof BenchInputError)) throw err;
    note(`${err.message} Comparing with the recorded numbers instead (less robust to drift between runs).`);
    return null;
  }
}

async function readBaseline(path: string): Promise<BenchReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--compare ${path}: cannot read the baseline report (${fsReason(err)}).`);
  }
  return parseReport(text, `--compare ${path}`);
}

/** The N of the baseline's N-thread benchmarks (1 when it has none). */
function baselineThreads(r: BenchReport): number {
  return Math.max(
    1,
    ...r.benchmarks.map((b) =>
      b.settings.api === 'engine' && typeof b.settings.threads === 'number' ? b.settings.threads : 1,
    ),
  );
}

function thresholdOf(text: string): number {
  const v = parseDecimal(text.trim());
  if (v === null || !(v > 0 && v < 1)) {
    throw new UsageError(
      `--threshold must be a fraction between 0 and 1 such as 0.15 (15 % slower), but got ${quote(text)}.`,
    );
  }
  return v;
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-';
}

function resultsTable(r: BenchReport): string {
  const spread = (x: { median: number; mad: number }) => `±${pct((MAD_TO_SD * x.mad) / x.median)}`;
  const rows = r.benchmarks.map((b) => [
    b.id,
    `${b.best.median.toExponential(3)} ${b.unit}/s`,
    spread(b.best),
    `${b.throughput.median.toExponential(3)}`,
    b.normalized.median.toExponential(3),
    b.calibration,
    String(b.iterations),
  ]);
  for (const l of r.calibration.loops)
    rows.push([
      `(calibration ${l.id})`,
      `${l.best.median.toExponential(3)} loops/s`,
      spread(l.best),
      l.throughput.median.toExponential(3),
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

function comparisonTable(c: Comparison, against: string): string {
  const rows = c.rows.map((r) => [
    r.id,
    Number.isFinite(r.baseline) ? r.baseline.toExponential(3) : '-',
    Number.isFinite(r.candidate) ? r.candidate.toExponential(3) : '-',
    Number.isFinite(r.ratio) ? r.ratio.toFixed(3) : '-',
    Number.isFinite(r.sigma) ? `±${pct(r.sigma)}` : '-',
    !Number.isFinite(r.limit) ? '-' : r.limit >= 1 ? 'never' : `<${(1 - r.limit).toFixed(3)}`,
    r.verdict,
  ]);
  const n = c.counts;
  const how =
    c.mode === 'paired'
      ? `paired run against ${against}: ratio = median over rounds of candidate / baseline, both timed back to back each round`
      : `independent runs against ${against}: ratio = candidate / baseline median normalised throughput; ` +
        `sigma at least the scatter of the ratios across benchmarks (${pct(c.scatter)})`;
  return (
    `${formatTable(['benchmark', 'baseline', 'candidate', 'ratio', 'sigma', 'regression if', 'verdict'], rows, {
      left: new Set(['benchmark', 'verdict']),
    })}\n` +
    `${how}; above 1 is faster; sigma = the ratio's relative standard error; regression if ratio < 1 - max(threshold ${pct(c.threshold)}, ${c.z} sigma)\n` +
    `${c.failed ? 'FAIL' : 'PASS'}: ${n.regression} regression(s), ${n.improvement} improvement(s), ${n.unchanged} unchanged, ` +
    `${n.missing} missing from the candidate, ${n.new} new`
  );
}
