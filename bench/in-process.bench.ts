/**
 * In-process sampling (`dist.sample` / `dist.rsample` on the main thread, the path ported
 * PyTorch code calls): ns per element at K = 16 for n = 4096 and 65536 draws, steady state
 * (after warm-up), medians of interleaved rounds with their spread, in wall time and in this
 * process's CPU time; and, separately, what a
 * fresh output array of that size costs to allocate and touch once (the share of each call that
 * is page faults, not sampling).
 *
 * With `--baseline PATH` (the `dist/src/index.js` of another build, e.g. of a worktree of the
 * main branch), every case also runs on that build, interleaved with this one round by round,
 * so both columns see the same machine load.
 *
 * Run: `npm run build && node --expose-gc dist/bench/in-process.bench.js [--rounds 7] [--baseline PATH]`
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { torch } from '../src/index.js';
import { referenceLogits } from './workloads.js';
import { checked, readFlags, wholeNumber } from './cli-args.js';

const flags = readFlags('node --expose-gc dist/bench/in-process.bench.js [flags]', {
  rounds: { arg: 'N', help: 'rounds (default 7)' },
  baseline: { arg: 'PATH', help: 'a baseline build to time beside this one' },
});
const rounds = checked(() => wholeNumber('rounds', flags.rounds, 7, 1));
const baselinePath = flags.baseline;
const K = 16;

/** The part of a build's `torch` this benchmark uses. */
type Torch = typeof torch;
const builds: { name: string; torch: Torch }[] = [{ name: 'this build', torch }];
if (baselinePath !== undefined) {
  const other = (await import(pathToFileURL(baselinePath).href)) as { torch: Torch };
  builds.push({ name: 'baseline', torch: other.torch });
}

const cases: { tau: number; n: number; kind: 'sample' | 'rsample' }[] = [];
for (const tau of [0.5, 0.37])
  for (const n of [4096, 65536]) for (const kind of ['sample', 'rsample'] as const) cases.push({ tau, n, kind });
const dists = builds.map(
  (b) =>
    new Map(
      [0.5, 0.37].map((tau) => [
        tau,
        new b.torch.distributions.RelaxedOneHotCategorical(tau, { logits: referenceLogits(K) }),
      ]),
    ),
);
let checksum = 0;
const results = new Map<string, number[]>();
// CPU time of this process: on an oversubscribed machine, wall time also counts the time the
// scheduler gave to other processes.
const cpuResults = new Map<string, number[]>();
const fresh = new Map<number, number[]>();
const push = (m: Map<string, number[]>, k: string, v: number) => {
  if (!m.has(k)) m.set(k, []);
  m.get(k)!.push(v);
};
const load0 = loadavg()[0];
for (const ds of dists) for (const c of cases) ds.get(c.tau)![c.kind]([c.n]); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const c of cases) {
    for (let b = 0; b < builds.length; b++) {
      const d = dists[b].get(c.tau)!;
      const reps = Math.max(2, Math.round(2 ** 21 / (c.n * K)));
      (globalThis as { gc?: () => void }).gc?.();
      const t = performance.now();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < reps; i++) {
        const z = d[c.kind]([c.n]);
        checksum += z.data[0];
      }
      const cpu = process.cpuUsage(cpu0);
      const key = `tau ${c.tau} ${c.kind} n=${c.n}${builds.length > 1 ? `, ${builds[b].name}` : ''}`;
      push(results, key, ((performance.now() - t) * 1e6) / (reps * c.n * K));
      push(cpuResults, key, ((cpu.user + cpu.system) * 1e3) / (reps * c.n * K));
    }
  }
  for (const n of [4096, 65536]) {
    const reps = Math.max(2, Math.round(2 ** 21 / (n * K)));
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    for (let i = 0; i < reps; i++) {
      const a = new Float64Array(n * K);
      for (let j = 0; j < a.length; j += 512) a[j] = 1;
      checksum += a[0];
    }
    if (!fresh.has(n)) fresh.set(n, []);
    fresh.get(n)!.push(((performance.now() - t) * 1e6) / (reps * n * K));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
console.log(
  `# in-process, K = ${K}, ns per element, median (min-max) of ${rounds} rounds; load ${load0.toFixed(2)} before / ${loadavg()[0].toFixed(2)} after`,
);
if (baselinePath !== undefined) console.log(`# baseline: ${baselinePath}`);
console.log('| case | ns/element, wall time | ns/element, CPU time |');
console.log('|---|---:|---:|');
for (const [k, v] of results) console.log(`| ${k} | ${fmt(v)} | ${fmt(cpuResults.get(k)!)} |`);
for (const [n, v] of fresh)
  console.log(`| a fresh Float64Array(${n} x ${K}), one write per page (first touch) | ${fmt(v)} | |`);
console.log(`(checksum ${checksum.toFixed(3)})`);
