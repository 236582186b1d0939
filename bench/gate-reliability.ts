/**
 * How reliable is the performance-regression gate on this machine? Runs the real gate (the
 * `relaxed-mc bench` CLI, baseline then candidate, as a CI job would) many times:
 * `--detect` trials with `RELAXED_MC_BENCH_SLOWDOWN=0.3` on the candidate side (the gate should
 * exit 1) and `--false` trials without it (the gate should exit 0), each against a baseline
 * measured just before it in the same job. The two kinds of trial are interleaved, so both see
 * the same spells of load. Prints one line per trial and the counts, with the load averages.
 *
 * The baseline comes from the build in `--base DIR` (default: this one) and the candidate from
 * this build, as a CI job with two checkouts would run them; the candidate's gate re-measures
 * the baseline build beside itself (a paired run) unless `--recorded` is given.
 *
 * Run: `npm run build && node dist/bench/gate-reliability.js [--suite ci] [--detect 10] [--false 30]
 * [--slowdown 0.3] [--threshold 0.15] [--base DIR] [--recorded] [--keep DIR]`
 * (about 45 s per trial with the ci suite on 2 cores).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const suite = arg('suite', 'ci');
const detectTrials = Number(arg('detect', '10'));
const falseTrials = Number(arg('false', '30'));
const slowdown = arg('slowdown', '0.3');
const threshold = arg('threshold', '0.15');
const keep = process.argv.includes('--keep') ? arg('keep', '') : null;
const baseMain = process.argv.includes('--base') ? join(resolve(arg('base', '.')), 'dist/src/cli/main.js') : MAIN;
const recorded = process.argv.includes('--recorded');
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

/** Detection trials spread evenly among the false-alarm trials. */
const plan: boolean[] = [];
for (let i = 0, d = 0; i < detectTrials + falseTrials; i++) {
  const slowed = d < detectTrials && (i + 1) * detectTrials >= (d + 1) * (detectTrials + falseTrials);
  plan.push(slowed);
  if (slowed) d++;
}

const loads: number[] = [];
let detected = 0;
let falseAlarms = 0;
let errors = 0;
const t0 = performance.now();
console.log(
  `gate reliability: suite ${suite}, threshold ${threshold}, ${detectTrials} trials with RELAXED_MC_BENCH_SLOWDOWN=${slowdown}, ${falseTrials} without, ` +
    `${recorded ? 'against the recorded baseline numbers (--recorded)' : 'paired with the baseline build'} (node ${process.version})`,
);
for (const [i, slowed] of plan.entries()) {
  const base = join(dir, `base-${i + 1}.json`);
  const cand = join(dir, `cand-${i + 1}.json`);
  loads.push(loadavg()[0]);
  const b = await gate(baseMain, ['--suite', suite, '--json', base, '--quiet'], {});
  if (b.code !== 0) throw new Error(`baseline run ${i + 1} failed (exit ${b.code}): ${b.stderr}`);
  const args = [
    '--compare',
    base,
    '--threshold',
    threshold,
    '--json',
    cand,
    '--quiet',
    ...(recorded ? ['--recorded'] : []),
  ];
  const c = await gate(MAIN, args, slowed ? { RELAXED_MC_BENCH_SLOWDOWN: slowdown } : {});
  loads.push(loadavg()[0]);
  const lines = c.stdout.split('\n');
  const flagged = lines.filter((l) => / regression$/.test(l)).map((l) => l.split(/\s+/)[0]);
  // The smallest ratio of the table (4th column): how close an unchanged build came to the line.
  const ratios = lines.map((l) => Number(l.split(/\s+/)[3])).filter((x) => Number.isFinite(x) && x > 0);
  const least = ratios.length > 0 ? Math.min(...ratios) : NaN;
  if (c.code === 1 && slowed) detected++;
  else if (c.code === 1) falseAlarms++;
  else if (c.code !== 0) errors++;
  const what = slowed ? 'slowed  ' : 'unchanged';
  const verdict = c.code === 1 ? 'FAIL' : c.code === 0 ? 'pass' : `error ${c.code}`;
  console.log(
    `trial ${String(i + 1).padStart(2)} ${what} -> ${verdict.padEnd(4)} (smallest ratio ${least.toFixed(3)}; ${flagged.length} flagged${flagged.length ? `: ${flagged.join(' ')}` : ''}; ` +
      `load ${loadavg()[0].toFixed(2)}; ${((performance.now() - t0) / 60000).toFixed(1)} min)`,
  );
  if (c.code !== 0 && c.code !== 1) console.log(c.stderr);
}
loads.sort((a, b) => a - b);
console.log(
  `detected ${detected}/${detectTrials} slowdowns of ${slowdown}; false alarms ${falseAlarms}/${falseTrials}; errors ${errors}`,
);
console.log(
  `1-minute load average during the trials: min ${loads[0].toFixed(2)}, median ${loads[loads.length >> 1].toFixed(2)}, max ${loads[loads.length - 1].toFixed(2)} ` +
    `on ${availableParallelism()} cores; reports in ${keep ?? '(deleted)'}`,
);
if (keep === null) rmSync(dir, { recursive: true, force: true });
