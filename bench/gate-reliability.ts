/**
 * How reliable is the performance-regression gate on this machine? Runs the real gate (the
 * `relaxed-mc bench` CLI, as a CI job would) many times, in three kinds of trial, interleaved so
 * that all see the same spells of load:
 *
 * - `--false N` trials without any slowdown: the gate should exit 0 (a failure is a false alarm);
 * - `--detect N` trials with `RELAXED_MC_BENCH_SLOWDOWN=<--slowdown, 0.3>` on the candidate side
 *   (every benchmark slower): the gate should exit 1;
 * - `--detect-group N` trials with `RELAXED_MC_BENCH_SLOWDOWN=<--group, 0.25@moments/K16/*>`
 *   (one group of benchmarks slower, the shape of a real regression): the gate should exit 1
 *   and name only benchmarks of that group.
 *
 * The baseline report comes from the build in `--base DIR` (default: this one). In the paired
 * mode (the default) the candidate's gate re-measures the baseline build beside itself, so the
 * baseline report only supplies the suite, the settings and the build's folder: it is made once
 * and reused by every trial (`--baseline-each` makes a fresh one per trial, as a CI job would).
 * With `--recorded` the candidate is compared with the recorded numbers, and a fresh baseline
 * report is made for every trial. `--hog` runs one busy CPU loop beside the trials (a second
 * process, stopped at the end), the "loaded" condition of the README's table.
 *
 * Prints one line per trial and the counts, with the 1-minute load average sampled every 10 s.
 *
 * Run: `npm run build && node dist/bench/gate-reliability.js [--suite ci|default] [--false 30] [--detect 10]
 * [--detect-group 10] [--slowdown 0.3] [--group '0.25@moments/K16/*'] [--threshold 0.15] [--base DIR]
 * [--recorded] [--baseline-each] [--hog] [--keep DIR]` (about 30 s per ci trial on 2 idle cores).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSlowdown } from '../src/bench/slowdown.js';
import { SUITES, suiteNamed } from '../src/bench/suites.js';
import { UsageError, checked, positiveNumber, readFlags, wholeNumber } from './cli-args.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

const flags = readFlags('node dist/bench/gate-reliability.js [flags]', {
  suite: { arg: 'NAME', help: `the suite: ${Object.keys(SUITES).join(', ')} (default ci)` },
  false: { arg: 'N', help: 'trials without a slowdown (default 30)' },
  detect: { arg: 'N', help: 'trials with every benchmark slowed (default 10)' },
  'detect-group': { arg: 'N', help: 'trials with one group slowed (default 10)' },
  slowdown: { arg: 'S', help: 'RELAXED_MC_BENCH_SLOWDOWN of the --detect trials (default 0.3)' },
  group: {
    arg: 'S@GLOB',
    help: "RELAXED_MC_BENCH_SLOWDOWN of the --detect-group trials (default '0.25@moments/K16/*')",
  },
  threshold: { arg: 'T', help: "the gate's --threshold (default 0.15)" },
  base: { arg: 'DIR', help: 'a built checkout whose build makes the baseline (default: this build)' },
  recorded: { help: 'compare with recorded numbers, a fresh baseline report per trial' },
  'baseline-each': { help: 'a fresh baseline report per trial in the paired mode' },
  hog: { help: 'run one busy CPU loop beside the trials' },
  keep: { arg: 'DIR', help: 'keep the reports in DIR (default: a temp folder, removed)' },
});
const { suite, counts, slowdown, group, threshold } = checked(() => {
  suiteNamed(flags.suite ?? 'ci');
  for (const [name, raw] of [
    ['slowdown', flags.slowdown],
    ['group', flags.group],
  ] as const)
    if (raw !== undefined) {
      const spec = readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: raw });
      if (spec.fraction === 0) throw new UsageError(`--${name} must slow something down, but got '${raw}'.`);
    }
  return {
    suite: flags.suite ?? 'ci',
    counts: {
      false: wholeNumber('false', flags.false, 30),
      uniform: wholeNumber('detect', flags.detect, 10),
      group: wholeNumber('detect-group', flags['detect-group'], 10),
    },
    slowdown: flags.slowdown ?? '0.3',
    group: flags.group ?? '0.25@moments/K16/*',
    threshold: String(positiveNumber('threshold', flags.threshold, 0.15)),
  };
});
const keep = flags.keep ?? null;
const baseMain = flags.base === undefined ? MAIN : join(resolve(flags.base), 'dist/src/cli/main.js');
const recorded = flags.recorded;
const baselineEach = recorded || flags['baseline-each'];
const hog = flags.hog;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'relaxed-mc-gate-'));

/** Runs `relaxed-mc bench ...` and returns its exit status and output. */
function gate(
  main: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [main, 'bench', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

type Kind = keyof typeof counts;
/** The trials in an order that spreads each kind evenly over the run. */
function plan(): Kind[] {
  const total = counts.false + counts.uniform + counts.group;
  const keyed: [number, Kind][] = [];
  for (const kind of Object.keys(counts) as Kind[])
    for (let j = 0; j < counts[kind]; j++) keyed.push([(j + 0.5) / counts[kind], kind]);
  return keyed
    .sort((a, b) => a[0] - b[0])
    .map(([, k]) => k)
    .slice(0, total);
}

const envOf: Record<Kind, Record<string, string>> = {
  false: {},
  uniform: { RELAXED_MC_BENCH_SLOWDOWN: slowdown },
  group: { RELAXED_MC_BENCH_SLOWDOWN: group },
};
const groupPattern = group.includes('@') ? group.slice(group.indexOf('@') + 1) : '*';
const groupTest = new RegExp(
  `^${groupPattern
    .replace(/[.\-/]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')}$`,
);

const loads: number[] = [loadavg()[0]];
const sampler = setInterval(() => loads.push(loadavg()[0]), 10_000);
let hogProcess: ChildProcess | null = null;
if (hog) hogProcess = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });

const result: Record<Kind, { failed: number; passed: number; wrongNames: number }> = {
  false: { failed: 0, passed: 0, wrongNames: 0 },
  uniform: { failed: 0, passed: 0, wrongNames: 0 },
  group: { failed: 0, passed: 0, wrongNames: 0 },
};
let errors = 0;
const t0 = performance.now();
console.log(
  `gate reliability: suite ${suite}, threshold ${threshold}; ${counts.false} trials without a slowdown, ${counts.uniform} with ` +
    `RELAXED_MC_BENCH_SLOWDOWN=${slowdown}, ${counts.group} with RELAXED_MC_BENCH_SLOWDOWN=${group}; ` +
    `${recorded ? 'against the recorded baseline numbers (--recorded)' : 'paired with the baseline build'}; ` +
    `${baselineEach ? 'a fresh baseline report per trial' : 'one baseline report for all trials'}; ${hog ? 'one CPU hog beside it' : 'no hog'} ` +
    `(node ${process.version}, ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)})`,
);
try {
  const shared = join(dir, 'base.json');
  if (!baselineEach) {
    const b = await gate(baseMain, ['--suite', suite, '--json', shared, '--quiet'], {});
    if (b.code !== 0) throw new Error(`the baseline run failed (exit ${b.code}): ${b.stderr}`);
  }
  for (const [i, kind] of plan().entries()) {
    const base = baselineEach ? join(dir, `base-${i + 1}.json`) : shared;
    if (baselineEach) {
      const b = await gate(baseMain, ['--suite', suite, '--json', base, '--quiet'], {});
      if (b.code !== 0) throw new Error(`baseline run ${i + 1} failed (exit ${b.code}): ${b.stderr}`);
    }
    const cand = join(dir, `cand-${i + 1}.json`);
    const args = [
      '--compare',
      base,
      '--threshold',
      threshold,
      '--json',
      cand,
      '--quiet',
      // Paired: keep the re-measured baseline too, so the per-round ratios can be read back from the reports.
      ...(recorded ? ['--recorded'] : ['--baseline-json', join(dir, `base-again-${i + 1}.json`)]),
    ];
    const c = await gate(MAIN, args, envOf[kind]);
    const lines = c.stdout.split('\n');
    const flagged = lines.filter((l) => /^regressed: /.test(l)).map((l) => l.split(/\s+/)[1].replace(/:$/, ''));
    const table = lines.filter((l) => !/^regressed: /.test(l));
    const suspects = table.filter((l) => /\s(regression \(|cleared \(|suspect$)/.test(l)).length;
    // The most confirmation rounds below the line among the confirmed: how near the decision came.
    const most = Math.max(0, ...table.map((l) => Number(/\((\d+)\/\d+ below\)$/.exec(l)?.[1] ?? 0)));
    // The smallest first-pass ratio of the table (4th column): how close an unchanged build came to the line.
    const ratios = table.map((l) => Number(l.split(/\s+/)[3])).filter((x) => Number.isFinite(x) && x > 0);
    const least = ratios.length > 0 ? Math.min(...ratios) : NaN;
    if (c.code === 1) result[kind].failed++;
    else if (c.code === 0) result[kind].passed++;
    else errors++;
    const wrong = kind === 'group' ? flagged.filter((id) => !groupTest.test(id)) : kind === 'false' ? flagged : [];
    if (wrong.length > 0) result[kind].wrongNames++;
    const verdict = c.code === 1 ? 'FAIL' : c.code === 0 ? 'pass' : `error ${c.code}`;
    console.log(
      `trial ${String(i + 1).padStart(2)} ${kind.padEnd(7)} -> ${verdict.padEnd(4)} (smallest ratio ${least.toFixed(3)}; ${suspects} suspect(s), at most ${most} confirmation rounds below the line; ` +
        `${flagged.length} regressed${flagged.length ? `: ${flagged.join(' ')}` : ''}${wrong.length ? ` [outside the slowed group: ${wrong.join(' ')}]` : ''}; ` +
        `load ${loadavg()[0].toFixed(2)}; ${((performance.now() - t0) / 60000).toFixed(1)} min)`,
    );
    if (c.code !== 0 && c.code !== 1) console.log(c.stderr);
  }
} finally {
  clearInterval(sampler);
  hogProcess?.kill();
}
loads.sort((a, b) => a - b);
console.log(
  `false alarms ${result.false.failed}/${counts.false}; detected ${result.uniform.failed}/${counts.uniform} slowdowns of ${slowdown} (all benchmarks); ` +
    `detected ${result.group.failed}/${counts.group} slowdowns of ${group} (${result.group.wrongNames} trial(s) also named a benchmark outside the group); errors ${errors}`,
);
console.log(
  `1-minute load average every 10 s during the trials: min ${loads[0].toFixed(2)}, median ${loads[loads.length >> 1].toFixed(2)}, max ${loads[loads.length - 1].toFixed(2)} ` +
    `on ${availableParallelism()} cores (${hog ? 'with' : 'without'} the hog); ${((performance.now() - t0) / 60000).toFixed(1)} min; reports in ${keep ?? '(deleted)'}`,
);
if (keep === null) rmSync(dir, { recursive: true, force: true });
