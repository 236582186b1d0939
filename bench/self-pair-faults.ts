/**
 * Do the two sides of a paired run measure alike? Times this build against itself, paired, as
 * `relaxed-mc bench --compare` of a build with itself does, and counts the process's minor page
 * faults around every call of every benchmark, per side. A benchmark whose faults per call
 * differ between the two sides measures memory state, not code: that is how the `sample`
 * benchmarks with a fresh output per call made a build look 4-7 times slower than itself.
 *
 * Prints per benchmark: the median, least and largest per-round ratio, the faults per call of
 * each side, the fastest call of each side, and a least-squares slope of call time on faults
 * (the cost of one fresh page on this machine).
 *
 * Run: `npm run build && node dist/bench/self-pair-faults.js [--suite default] [--rounds 12]
 * [--outputs reused|fresh] [--only 'sample/*']`
 */
import { loadavg } from 'node:os';
import { ownBuild } from '../src/bench/package-api.js';
import { runSides } from '../src/bench/runner.js';
import { idMatcher } from '../src/bench/slowdown.js';
import { instantiateSuite, suiteNamed } from '../src/bench/suites.js';
import type { BenchTask, OutputMode } from '../src/bench/tasks.js';
import { checked, oneOf, readFlags, wholeNumber } from './cli-args.js';

const flags = readFlags('node dist/bench/self-pair-faults.js [flags]', {
  suite: { arg: 'NAME', help: 'the suite (default default)' },
  rounds: { arg: 'N', help: "paired rounds (default the suite's)" },
  outputs: { arg: 'reused|fresh', help: 'outputs reused across calls, or fresh per call (default reused)' },
  only: { arg: 'GLOB,...', help: 'the benchmarks to run (default all)' },
});
const { suite, rounds, outputs } = checked(() => {
  const s = suiteNamed(flags.suite ?? 'default');
  return {
    suite: s,
    rounds: wholeNumber('rounds', flags.rounds, s.rounds, 1),
    outputs: oneOf('outputs', flags.outputs, ['reused', 'fresh'] as const, 'reused') satisfies OutputMode,
  };
});
const patterns = (flags.only ?? '*').split(',').map(idMatcher);
const only = (id: string) => patterns.some((m) => m(id));
const build = ownBuild();
/** Per side and benchmark: [duration ms, faults] of every timed call. */
const calls = new Map<string, [number, number][]>();
let timed = false;

function counted(role: string, t: BenchTask): BenchTask {
  const list: [number, number][] = [];
  calls.set(`${role} ${t.id}`, list);
  return {
    ...t,
    run: async () => {
      const f0 = process.resourceUsage().minorPageFault;
      const t0 = performance.now();
      const r = await t.run();
      if (timed) list.push([performance.now() - t0, process.resourceUsage().minorPageFault - f0]);
      return r;
    },
  };
}

const insts = [
  await instantiateSuite(suite, { threads: 2, api: build.api, outputs }),
  await instantiateSuite(suite, { threads: 2, api: build.api, outputs }),
];
const loads = [loadavg()[0]];
try {
  const sides = (['candidate', 'baseline'] as const).map((role, s) => ({
    role,
    build,
    tasks: insts[s].tasks.filter((t) => only(t.id)).map((t) => counted(role, t)),
  }));
  const [cand, base] = await runSides(sides, {
    suite: suite.name,
    rounds,
    timePerTaskMs: suite.timePerTaskMs,
    minIterations: suite.minIterations,
    onRound: () => ((timed = true), loads.push(loadavg()[0])),
  });
  console.log(
    `suite ${suite.name}, ${rounds} rounds, outputs ${outputs}, the same build on both sides (node ${process.version})`,
  );
  for (const [i, b] of cand.benchmarks.entries()) {
    const q = b.best.rounds.map((x, r) => x / base.benchmarks[i].best.rounds[r]).sort((x, y) => x - y);
    const side = (role: string) => {
      const c = calls.get(`${role} ${b.id}`)!;
      return { faults: c.reduce((a, x) => a + x[1], 0) / c.length, fastest: Math.min(...c.map((x) => x[0])) };
    };
    const all = [...calls.get(`candidate ${b.id}`)!, ...calls.get(`baseline ${b.id}`)!];
    const mx = all.reduce((a, x) => a + x[1], 0) / all.length;
    const my = all.reduce((a, x) => a + x[0], 0) / all.length;
    const sxx = all.reduce((a, x) => a + (x[1] - mx) ** 2, 0);
    const slope = sxx > 0 ? all.reduce((a, x) => a + (x[1] - mx) * (x[0] - my), 0) / sxx : NaN;
    const c = side('candidate');
    const k = side('baseline');
    console.log(
      `${b.id.padEnd(30)} ratio median ${q[q.length >> 1].toFixed(3)} (${q[0].toFixed(3)}-${q[q.length - 1].toFixed(3)}); ` +
        `faults/call ${c.faults.toFixed(0)} / ${k.faults.toFixed(0)}; fastest ms ${c.fastest.toFixed(2)} / ${k.fastest.toFixed(2)}; ` +
        `${Number.isFinite(slope) ? `${(slope * 1000).toFixed(2)} us per fault` : 'no faults'}`,
    );
  }
  loads.sort((a, b) => a - b);
  console.log(
    `(candidate / baseline); 1-minute load average per round: min ${loads[0].toFixed(2)}, max ${loads[loads.length - 1].toFixed(2)}`,
  );
} finally {
  for (const inst of insts) await inst.close();
}
