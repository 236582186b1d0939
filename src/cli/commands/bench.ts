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
import { CONFIRMATION_ROUNDS, DEFAULT_THRESHOLD, compareReports } from '../../bench/compare.js';
import { BenchInputError, RegressionError } from '../../bench/errors.js';
import { type BenchReport, parseReport } from '../../bench/report.js';
import { type PackageApi, type PackageBuild, loadBuild, ownBuild } from '../../bench/package-api.js';
import { type Side, runSides } from '../../bench/runner.js';
import { SLOWDOWN_VARIABLE, Slowdown, idMatcher, readSlowdown } from '../../bench/slowdown.js';
import { SUITES, type SuiteDefinition, type SuiteInstance, instantiateSuite, suiteNamed } from '../../bench/suites.js';
import type { OutputMode } from '../../bench/tasks.js';
import { comparisonText, resultsTable } from '../bench-report.js';
import type { CommandSpec, Context } from '../command.js';
import { AtomicFile } from '../atomic-file.js';
import { UsageError, fsReason, quote } from '../errors.js';
import { parseDecimal } from '../numbers.js';
import { countParser } from '../options.js';
import { Rule } from '../../index.js';

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
  /** Only the benchmarks whose ids match one of these comma-separated patterns. */
  only?: string;
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
        ).argParser(countParser('--threads', 1, '2')),
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
      .addOption(
        new Option(
          '--only <patterns>',
          'only the benchmarks whose ids match one of these comma-separated patterns (* any characters, ? one), such as moments/K16/*',
        ),
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
          'A paired comparison re-measures the suspects (ratio below 1 - threshold) in fresh paired rounds and fails only when\n' +
          'a sign test confirms them at a family-wise false-alarm rate of 1 %, whatever the number of benchmarks.\n' +
          'RELAXED_MC_BENCH_SLOWDOWN=0.3 makes every benchmarked task of this build do 30 % extra work, and\n' +
          "RELAXED_MC_BENCH_SLOWDOWN='0.25@moments/K16/*' only those whose ids match the pattern (to test the gate).\n" +
          '\nExamples:\n' +
          '  relaxed-mc bench --suite ci --json base.json\n' +
          '  relaxed-mc bench --compare base.json --threshold 0.15 --json candidate.json\n' +
          '  relaxed-mc bench --suite ci --baseline-package ../base        # paired, without a baseline report\n' +
          "  relaxed-mc bench --compare base.json --only 'sample/*'        # re-measure some benchmarks only\n" +
          '\nExit status when comparing: 0 no regression, 1 regression, 2 bad usage or a malformed report.\n',
      );
  },
  async run(flags, ctx) {
    try {
      await runBench(flags, ctx);
    } catch (err) {
      if (err instanceof BenchInputError) throw new UsageError(err.message, { argument: err.argument, rule: err.rule });
      throw err;
    }
  },
};

async function runBench(flags: BenchFlags, ctx: Context): Promise<void> {
  const say = (s: string) => flags.quiet || ctx.stderr.write(`bench: ${s}\n`);
  const spec = readSlowdown(process.env);
  const slowdown = new Slowdown(spec.fraction, spec.pattern);
  const only = flags.only === undefined ? null : onlyMatcher(flags.only);
  if (flags.compare === undefined && flags.recorded)
    throw new UsageError('--recorded needs --compare.', { argument: '--recorded', rule: Rule.needs });
  if (flags.compare === undefined && flags.baselinePackage === undefined && flags.baselineJson !== undefined) {
    throw new UsageError('--baseline-json needs --compare or --baseline-package.', {
      argument: '--baseline-json',
      rule: Rule.needs,
    });
  }
  // Read the baseline first: a malformed file fails now, not after minutes of measuring.
  const baseline = flags.compare === undefined ? null : await readBaseline(flags.compare);
  const suite = suiteNamed(flags.suite ?? baseline?.suite ?? 'default');
  if (baseline !== null && baseline.suite !== suite.name) {
    throw new BenchInputError(
      `--suite ${suite.name}: the baseline ${flags.compare} ran suite '${baseline.suite}'; compare runs of the same suite.`,
      { argument: '--suite', rule: Rule.consistent },
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
  const out = flags.json === undefined ? null : await AtomicFile.create(flags.json, '--json');
  const baseOut =
    flags.baselineJson === undefined || baseBuild === null
      ? null
      : await AtomicFile.create(flags.baselineJson, '--baseline-json');
  const outputs = outputModeOf(baseline, baseBuild);
  if (outputs === 'fresh')
    say('note: the baseline cannot reuse sample/logProb outputs, so both sides are measured with fresh outputs.');
  try {
    const [candidate, remeasured] = await measure(
      suite,
      { threads, rounds, slowdown, baseBuild, only, outputs, threshold: flags.threshold },
      say,
      ctx,
    );
    for (const [file, report] of [
      [out, candidate],
      [baseOut, remeasured],
    ] as const) {
      if (file === null || report === undefined) continue;
      await file.write(`${JSON.stringify(report, null, 2)}\n`);
      await file.commit(ctx.signal);
    }
    const against = remeasured ?? (baseline === null || only === null ? baseline : selected(baseline, only));
    if (against === null) {
      ctx.stdout.write(`${resultsTable(candidate)}\n`);
      return;
    }
    const comparison = compareReports(against, candidate, { threshold: flags.threshold });
    for (const w of comparison.warnings) ctx.stderr.write(`bench: note: ${w}\n`);
    const what =
      remeasured === undefined ? `the numbers recorded in ${flags.compare}` : `the build in ${baseBuild!.root}`;
    ctx.stdout.write(`${comparisonText(comparison, what, (ids) => rerunCommand(flags, suite.name, ids))}\n`);
    if (comparison.failed) {
      const ids = comparison.rows.filter((r) => r.verdict === 'regression').map((r) => r.id);
      throw new RegressionError(
        `${ids.length} of ${comparison.rows.length} benchmarks slower than the baseline beyond the threshold ` +
          `(${(100 * comparison.threshold).toFixed(1)}%) and the noise: ${ids.join(', ')}.`,
      );
    }
  } finally {
    await out?.discard();
    await baseOut?.discard();
  }
}

/**
 * Times this build's tasks, and the baseline build's beside them when there is one.
 *
 * @returns this build's report, and the baseline's from the same rounds (paired) when measured.
 */
async function measure(
  suite: SuiteDefinition,
  o: {
    threads: number;
    rounds: number;
    slowdown: Slowdown;
    baseBuild: PackageBuild | null;
    only: ((id: string) => boolean) | null;
    outputs: OutputMode;
    threshold: number;
  },
  say: (s: string) => void,
  ctx: Context,
): Promise<[BenchReport, BenchReport | undefined]> {
  const mine = ownBuild();
  const slow = o.slowdown.fraction > 0 ? `, ${SLOWDOWN_VARIABLE}=${o.slowdown.describe()}` : '';
  const insts: SuiteInstance[] = [];
  const pick = (inst: SuiteInstance) => (o.only === null ? inst.tasks : inst.tasks.filter((t) => o.only!(t.id)));
  try {
    insts.push(await instantiateSuite(suite, { threads: o.threads, api: mine.api, outputs: o.outputs }));
    const tasks = pick(insts[0]);
    if (tasks.length === 0)
      throw new BenchInputError(
        `--only matches no benchmark of suite ${suite.name}; its ids are ${insts[0].tasks.map((t) => t.id).join(', ')}.`,
        { argument: '--only', rule: Rule.nonEmpty },
      );
    if (o.slowdown.pattern !== null && !tasks.some((t) => o.slowdown.applies(t.id)))
      throw new BenchInputError(
        `${SLOWDOWN_VARIABLE}: the pattern '${o.slowdown.pattern}' matches no benchmark measured (suite ${suite.name}: ` +
          `${tasks.map((t) => t.id).join(', ')}).`,
        { argument: SLOWDOWN_VARIABLE, rule: Rule.nonEmpty },
      );
    // The confirmation's blocks start each side's suite anew (see runner.ts): fresh engines and threads.
    const restart = (api: PackageApi) => async () => {
      const inst = await instantiateSuite(suite, { threads: o.threads, api, outputs: o.outputs });
      return { tasks: pick(inst), close: () => inst.close() };
    };
    const sides: Side[] = [
      {
        role: o.baseBuild === null ? 'single' : 'candidate',
        build: mine,
        tasks,
        slowdown: o.slowdown,
        restart: restart(mine.api),
      },
    ];
    if (o.baseBuild !== null) {
      insts.push(await instantiateSuite(suite, { threads: o.threads, api: o.baseBuild.api, outputs: o.outputs }));
      sides.push({ role: 'baseline', build: o.baseBuild, tasks: pick(insts[1]), restart: restart(o.baseBuild.api) });
    }
    const threads = suite.multiThread ? `1 and ${o.threads} threads` : '1 thread';
    const paired = o.baseBuild === null ? '' : ', paired with the baseline build';
    say(
      `suite ${suite.name}: ${tasks.length} benchmarks at ${threads}, 1 warm-up + ${o.rounds} rounds${paired}${slow}`,
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
      confirm: {
        rounds: CONFIRMATION_ROUNDS,
        // The screen of the decision rule: the paired suspects, lowest ratio first (reports are in the sides' order).
        select: ([cand, base]) => compareReports(base, cand, { threshold: o.threshold }).toConfirm,
        onRound: (done, total, ids) =>
          say(
            done === 0
              ? `confirming ${ids.length} suspect(s) in ${total} fresh paired rounds: ${ids.join(', ')}`
              : `confirmation round ${done}/${total} done (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
          ),
      },
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
    throw new UsageError(`--compare ${path}: cannot read the baseline report (${fsReason(err)}).`, {
      argument: '--compare',
      rule: Rule.readable,
    });
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
      { argument: '--threshold', rule: Rule.inRange },
    );
  }
  return v;
}

/**
 * Both sides must measure alike: with reused sample/logProb outputs only when the baseline
 * can reuse them too (its build has `engine.empty`, or its report was measured that way).
 */
function outputModeOf(baseline: BenchReport | null, baseBuild: PackageBuild | null): OutputMode {
  if (baseBuild !== null) return typeof baseBuild.api.Engine.prototype.empty === 'function' ? 'reused' : 'fresh';
  if (baseline === null) return 'reused';
  const jobs = baseline.benchmarks.filter(
    (b) => b.settings.api === 'engine' && (b.settings.kind === 'sample' || b.settings.kind === 'logProb'),
  );
  return jobs.length > 0 && jobs.every((b) => b.settings.output === undefined) ? 'fresh' : 'reused';
}

/** A test of ids from `--only`'s comma-separated patterns. */
function onlyMatcher(text: string): (id: string) => boolean {
  const patterns = text.split(',').map((p) => p.trim());
  for (const p of patterns) {
    if (!/^[A-Za-z0-9/_.\-*?]+$/.test(p))
      throw new UsageError(
        `--only must be comma-separated benchmark ids with * and ? wildcards, such as 'moments/K16/*,sample/*', but got ${quote(text)}.`,
        { argument: '--only', rule: Rule.syntax },
      );
  }
  const tests = patterns.map(idMatcher);
  return (id) => tests.some((t) => t(id));
}

/** The baseline report restricted to the benchmarks `--only` selects (so the others are not listed as missing). */
function selected(r: BenchReport, only: (id: string) => boolean): BenchReport {
  return { ...r, benchmarks: r.benchmarks.filter((b) => only(b.id)) };
}

/** The command that re-measures `ids` as this run did. */
function rerunCommand(flags: BenchFlags, suite: string, ids: readonly string[]): string {
  const q = (s: string) => (/^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  const args = ['relaxed-mc', 'bench'];
  if (flags.compare !== undefined) args.push('--compare', q(flags.compare));
  else args.push('--suite', suite);
  if (flags.baselinePackage !== undefined) args.push('--baseline-package', q(flags.baselinePackage));
  if (flags.recorded) args.push('--recorded');
  if (flags.threads !== undefined) args.push('--threads', String(flags.threads));
  if (flags.threshold !== DEFAULT_THRESHOLD) args.push('--threshold', String(flags.threshold));
  args.push('--only', q(ids.join(',')));
  return args.join(' ');
}
