/**
 * The longest synchronous step on the main thread of `relaxed-mc`, per command phase: each case
 * runs the built command line with `RELAXED_MC_LOOP_DELAY=1`, which makes it print, at exit, the
 * largest delay of its event loop (`perf_hooks.monitorEventLoopDelay`, 10 ms resolution; a
 * step that holds the thread for t ms shows as a delay of about t ms). The target is 100 ms in
 * every phase; the cases stopped by a signal also show that the signal is heard.
 *
 * Phases: planning at the largest accepted size (stopped after a while), Monte Carlo with exact
 * references at K = 1000 and the JSON result, the sweep figure at K = 1000 (SVG and PNG), the
 * gradients setup and figure, writing a large CSV and a large .npy, reading them back in
 * `log-prob`.
 *
 * Run: `npm run build && node dist/bench/loop-delay.js [--reps 3] [--only sample-csv,read-csv]`
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checked, readFlags, wholeNumber } from './cli-args.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist/src/cli/main.js');
const flags = readFlags('node dist/bench/loop-delay.js [flags]', {
  reps: { arg: 'N', help: 'repetitions per phase (default 3)' },
  only: { arg: 'PHASE,...', help: 'the phases to measure (default all)' },
});
const reps = checked(() => wholeNumber('reps', flags.reps, 3, 1));
const only = flags.only?.split(',');

const K = 1000;
const logits = JSON.stringify(Array.from({ length: K }, (_, k) => Math.sin(k)));
const temperatures = JSON.stringify(Array.from({ length: 40 }, (_, i) => 0.3 + i / 40));

interface Case {
  name: string;
  args: string[];
  /** Stop the run with SIGINT after this many milliseconds. */
  stopAfter?: number;
}

const CASES: Case[] = [
  {
    name: 'planning',
    args: ['estimate', '--samples', '9007199254740991', '--no-exact', '--out', 'e.json'],
    stopAfter: 3000,
  },
  {
    name: 'estimate-exact',
    args: ['estimate', '--logits', '@l.json', '--temperature', temperatures, '--samples', '1e4', '--out', 'e.json'],
  },
  {
    name: 'sweep-plot',
    args: [
      'sweep',
      '--logits',
      '@l.json',
      '--temperatures',
      '0.2,0.5,1,2',
      '--samples',
      '1e4',
      '--out',
      's.json',
      '--plot',
      's.svg',
      '--plot',
      's.png',
    ],
  },
  {
    name: 'gradients',
    args: [
      'gradients',
      '--objective',
      'quadratic',
      '--target',
      '0.3',
      '--logits',
      '@l.json',
      '--temperatures',
      '0.2,0.5,1,2',
      '--estimators',
      'reinforce,gumbel-softmax',
      '--samples',
      '2e3',
      '--out',
      'g.json',
      '--plot',
      'g.png',
    ],
  },
  { name: 'sample-csv', args: ['sample', '--probs', '0.7,0.2,0.1', '--samples', '3e6', '--out', 'z.csv'] },
  { name: 'sample-npy', args: ['sample', '--probs', '0.7,0.2,0.1', '--samples', '3e7', '--out', 'z.npy'] },
  {
    name: 'read-csv',
    args: ['log-prob', '--temperature', '0.5', '--probs', '0.7,0.2,0.1', '--values', 'z.csv', '--out', 'lp.npy'],
  },
  {
    name: 'read-npy',
    args: ['log-prob', '--temperature', '0.5', '--probs', '0.7,0.2,0.1', '--values', 'z.npy', '--out', 'lp2.npy'],
  },
];

function once(dir: string, c: Case): Promise<{ maxMs: number; p99Ms: number; code: number | null; tail: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...c.args, '--quiet'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, RELAXED_MC_LOOP_DELAY: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    if (c.stopAfter !== undefined) setTimeout(() => child.kill('SIGINT'), c.stopAfter);
    child.on('exit', (code) => {
      const m = /event-loop delay max ([\d.]+) ms, p99 ([\d.]+) ms/.exec(stderr);
      resolve({ maxMs: m ? Number(m[1]) : NaN, p99Ms: m ? Number(m[2]) : NaN, code, tail: stderr.slice(-300) });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-bench-loop-'));
writeFileSync(join(dir, 'l.json'), logits);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
console.log(`longest event-loop delay per phase, ${reps} runs each (target: under 100 ms); load average ${load()}`);
let over = 0;
try {
  for (const c of CASES) {
    // The reading cases read what the writing cases wrote: run those first even when not listed.
    const listed = only === undefined || only.includes(c.name);
    const needed = !listed && only?.some((o) => o.startsWith('read-')) && c.name.startsWith('sample-');
    if (!listed && !needed) continue;
    const maxes: number[] = [];
    for (let i = 0; i < (listed ? reps : 1); i++) {
      const r = await once(dir, c);
      const expected = c.stopAfter !== undefined ? 130 : 0;
      if (r.code !== expected || Number.isNaN(r.maxMs)) console.log(`  ${c.name}: exit ${r.code}: ${r.tail}`);
      maxes.push(r.maxMs);
    }
    if (!listed) continue;
    const worst = Math.max(...maxes);
    if (worst > 100) over++;
    console.log(
      `${c.name.padEnd(15)} max ${worst.toFixed(0).padStart(4)} ms  (runs: ${maxes.map((m) => m.toFixed(0)).join(', ')})${worst > 100 ? '  OVER 100 ms' : ''}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${over} phase(s) over 100 ms; load average after: ${load()}`);
