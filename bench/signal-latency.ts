/**
 * How fast `relaxed-mc` stops on a signal, in every phase: each case spawns the built command
 * line, waits for evidence that the phase has started (its progress line, or a delay), sends
 * SIGINT, SIGTERM or SIGHUP in turn, and measures the time from the signal to the process's
 * exit. It checks the exit status (128 + n) and that the folder holds only the inputs, and
 * prints the median, 95th percentile and maximum per phase and over all runs, beside the load
 * average (the target is a p95 under 200 ms; the tests only assert 2 s). The command runs with
 * `bench/signal-probe.ts` preloaded, which timestamps the signal's arrival at the handlers and
 * the start of the exit: each phase's latency is also split into delivery (kill to handler),
 * unwinding (handler to exit) and teardown (exit to the process being gone), p95 of each.
 *
 * Also measures the ETA's honesty: a run of about 8 s prints its plain progress lines; each ETA
 * given once 10% is done is compared with the time the run actually took to finish.
 *
 * Run: `npm run build && node dist/bench/signal-latency.js [--reps 10] [--only mc,exact] [--cli OTHER/dist/src/cli/main.js]`
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checked, readFlags, wholeNumber } from './cli-args.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// `--cli PATH` measures another build's entry point (a baseline), with this build's probe.
const flags = readFlags('node dist/bench/signal-latency.js [flags]', {
  reps: { arg: 'N', help: 'repetitions per phase and signal (default 10)' },
  only: { arg: 'PHASE,...', help: 'the phases to measure (default all)' },
  cli: { arg: 'FILE', help: "another build's dist/src/cli/main.js (default this build's)" },
});
const MAIN = flags.cli ?? join(ROOT, 'dist/src/cli/main.js');
const PROBE = join(ROOT, 'dist/bench/signal-probe.js');
const fixture = (name: string) => join(ROOT, 'test/fixtures/objectives', name);
const reps = checked(() => wholeNumber('reps', flags.reps, 10, 1));
const only = flags.only?.split(',');
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

const K = 1000;
const logits = JSON.stringify(Array.from({ length: K }, (_, k) => Math.sin(k)));
const temperatures = JSON.stringify(Array.from({ length: 40 }, (_, i) => 0.3 + i / 40));

interface Phase {
  name: string;
  files?: Record<string, string>;
  args: string[];
  ready: RegExp | number;
}

const PHASES: Phase[] = [
  { name: 'mc', args: ['estimate', '--samples', '1e12', '--threads', '2', '--out', 'e.json'], ready: /draws\/s/ },
  {
    name: 'exact',
    files: { 'l.json': logits },
    args: ['estimate', '--logits', '@l.json', '--temperature', temperatures, '--samples', '100', '--out', 'e.json'],
    ready: /\(exact\)/,
  },
  {
    name: 'module-setup',
    args: [
      'gradients',
      '--objective',
      fixture('loops-at-vertex.mjs'),
      '--probs',
      '0.2,0.3,0.5',
      '--temperature',
      '0.5',
      '--out',
      'g.json',
    ],
    ready: 2500,
  },
  {
    name: 'module-chunk',
    args: [
      'gradients',
      '--objective',
      fixture('loops-later.mjs'),
      '--probs',
      '0.2,0.3,0.5',
      '--temperature',
      '0.5',
      '--estimators',
      'reinforce',
      '--samples',
      '1e8',
      '--threads',
      '2',
      '--out',
      'g.json',
    ],
    ready: /estimates\/s/,
  },
  {
    name: 'write-csv',
    args: ['sample', '--probs', '0.7,0.2,0.1', '--samples', '4e6', '--out', 'z.csv'],
    // sample streams: it writes z.csv while it draws, so the phase begins with the first progress line.
    ready: /draws\/s/,
  },
  {
    name: 'read-csv',
    files: { 'v.csv': `y0,y1,y2\n${'0.25,0.25,0.5\n'.repeat(3e6)}` },
    args: ['log-prob', '--temperature', '0.5', '--probs', '0.7,0.2,0.1', '--values', 'v.csv', '--out', 'lp.npy'],
    ready: 1500,
  },
];

interface Run {
  ms: number;
  ok: boolean;
  why: string;
  /** Kill to handler, handler to exit, exit to gone (NaN when the probe did not report). */
  split: [number, number, number];
}

function once(p: Phase, signal: NodeJS.Signals): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-bench-signal-'));
  for (const [f, text] of Object.entries(p.files ?? {})) writeFileSync(join(dir, f), text);
  const before = readdirSync(dir).sort().join(',');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', PROBE, MAIN, ...p.args], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let sentAt = 0;
    let sentWall = 0;
    const send = () => {
      if (sentAt !== 0) return;
      sentAt = performance.now();
      sentWall = performance.timeOrigin + sentAt;
      child.kill(signal);
    };
    if (typeof p.ready === 'number') setTimeout(send, p.ready);
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (typeof p.ready !== 'number' && p.ready.test(stderr)) send();
    });
    let ms = 0;
    let goneWall = 0;
    child.on('exit', () => {
      ms = performance.now() - sentAt;
      goneWall = performance.timeOrigin + performance.now();
    });
    // The probe's lines are read once stderr has closed (the exit event may come first).
    child.on('close', (code, sig) => {
      const at = (what: string) => Number(new RegExp(`relaxed-mc-probe ${what} ([\\d.]+)`).exec(stderr)?.[1] ?? NaN);
      const [tSig, tExit] = [at('signal'), at('exit')];
      const split: [number, number, number] = [tSig - sentWall, tExit - tSig, goneWall - tExit];
      const after = readdirSync(dir).sort().join(',');
      rmSync(dir, { recursive: true, force: true });
      const ok = sentAt > 0 && sig === null && code === CODES[signal] && after === before;
      resolve({ ms, ok, split, why: ok ? '' : `code ${code} signal ${sig} files [${after}] ${stderr.slice(-200)}` });
    });
  });
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

const p95 = (xs: number[]) => (xs.length === 0 ? '-' : pct(xs, 0.95).toFixed(0));

async function etaHonesty(): Promise<void> {
  // About 8 s of drawing on 2 threads at a few tens of millions of draws per second.
  const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-bench-eta-'));
  const t0 = performance.now();
  const lines: { at: number; pct: number; eta: number }[] = [];
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, [MAIN, 'estimate', '--samples', '2e8', '--threads', '2', '--out', 'e.json'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      for (const m of s.matchAll(/estimate: ([\d.]+)% .* ETA (?:(\d+) min )?([\d.]+) s/g))
        lines.push({ at: performance.now(), pct: Number(m[1]), eta: Number(m[2] ?? 0) * 60 + Number(m[3]) });
    });
    child.on('exit', () => resolve());
  });
  const end = performance.now();
  rmSync(dir, { recursive: true, force: true });
  console.log(`ETA honesty: estimate --samples 2e8 --threads 2 took ${((end - t0) / 1000).toFixed(1)} s`);
  for (const l of lines) {
    const left = (end - l.at) / 1000;
    const ratio = l.eta / left;
    const verdict = l.pct < 10 ? '(before 10%)' : ratio >= 0.5 && ratio <= 2 ? 'within 2x' : 'NOT within 2x';
    console.log(
      `  at ${l.pct.toFixed(1)}%: ETA ${l.eta} s, actually ${left.toFixed(1)} s left: ratio ${ratio.toFixed(2)} ${verdict}`,
    );
  }
}

const all: number[] = [];
let failures = 0;
console.log(
  `signal latency, ${reps} runs per phase; load average before: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (const p of PHASES) {
  if (only !== undefined && !only.includes(p.name)) continue;
  const ms: number[] = [];
  const parts: number[][] = [[], [], []];
  for (let i = 0; i < reps; i++) {
    const r = await once(p, SIGNALS[i % SIGNALS.length]);
    ms.push(r.ms);
    r.split.forEach((x, j) => Number.isFinite(x) && parts[j].push(x));
    if (!r.ok) {
      failures++;
      console.log(`  ${p.name} run ${i}: FAILED ${r.why}`);
    }
  }
  all.push(...ms);
  console.log(
    `${p.name.padEnd(13)} p50 ${pct(ms, 0.5).toFixed(0).padStart(4)} ms  p95 ${pct(ms, 0.95).toFixed(0).padStart(4)} ms  max ${Math.max(
      ...ms,
    )
      .toFixed(0)
      .padStart(4)} ms  | p95 deliver ${p95(parts[0])} unwind ${p95(parts[1])} teardown ${p95(parts[2])} ms`,
  );
}
if (all.length > 0)
  console.log(
    `all phases    p50 ${pct(all, 0.5).toFixed(0)} ms  p95 ${pct(all, 0.95).toFixed(0)} ms  over ${all.length} runs, ${failures} failed; ` +
      `load average after: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
if (only === undefined || only.includes('eta')) await etaHonesty();
process.exitCode = failures > 0 ? 1 : 0;
