/**
 * relaxed-mc against its peers, side by side in one run: for each reference workload, rounds
 * of [relaxed-mc with 2 threads, relaxed-mc with 1 thread, NumPy, PyTorch] run alternately, so
 * machine drift hits every implementation alike; the medians and their ratios are printed.
 *
 * The peers are the scripts of `shared/peers/` (NumPy 1.24 and PyTorch 1.13, vectorised and
 * chunked as well as those libraries allow), run with Debian's interpreter. A peer that is not
 * installed is skipped, saying so. W1g (tau = 0.37) is not in the peer scripts' table; it is
 * added to it in the interpreter before the script runs (the scripts read tau from the table).
 *
 * W3s is W3 streamed: relaxed-mc's `engine.sampleChunks` and NumPy's sampler (bench/numpy_w3_streamed.py)
 * both fill a reused block of STREAM_ROWS rows again and again, each block consumed by the same
 * checksum (first + last value): the cost of samples that are used and dropped, without the
 * page faults of a fresh 512 MiB array.
 *
 * Run: `npm run build && node --expose-gc dist/bench/peers.js [--rounds 5] [--only W1,W3,W3s] [--peers ../shared/peers]`
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, torch } from '../src/index.js';
import { WORKLOADS, type Workload, referenceLogits } from './workloads.js';
import { checked, readFlags, wholeNumber } from './cli-args.js';
import { PeerLauncher } from './peer-launcher.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const flags = readFlags('node --expose-gc dist/bench/peers.js [flags]', {
  rounds: { arg: 'N', help: 'interleaved rounds (default 3)' },
  only: { arg: 'W1,W3,...', help: 'the workloads to run (default all)' },
  peers: { arg: 'DIR', help: 'the NumPy and PyTorch peer scripts (default $RELAXED_MC_PEERS or ../shared/peers)' },
});
const peersDir = resolve(flags.peers ?? process.env.RELAXED_MC_PEERS ?? resolve(ROOT, '../shared/peers'));
const rounds = checked(() => wholeNumber('rounds', flags.rounds, 3, 1));
const only = flags.only?.split(',');
const PYTHON = '/usr/bin/python3';

/** Rows per block of W3s, on both sides (2^21 elements, 16 MiB: relaxed-mc's default at 2 threads). */
const STREAM_ROWS = 131072;
/** The workloads: the peers' table plus W3 streamed. */
const ALL: Workload[] = [...WORKLOADS, { id: 'W3s', kind: 'sample', K: 16, tau: 0.5, N: 2 ** 22 }];

interface Impl {
  name: string;
  run(w: Workload): Promise<number>; // seconds
}

// Started before the engines: this process is never forked between rounds (see peer-launcher.ts).
const launcher = existsSync(PYTHON) ? new PeerLauncher(PYTHON) : null;

/** Runs a peer command through the launcher and returns the seconds its last JSON line reports. */
async function peerSeconds(argv: string[], threads: string, cwd: string, what: string): Promise<number> {
  if (launcher === null) throw new Error(`${PYTHON} is not installed`);
  const r = await launcher.run(argv, { ...process.env, OMP_NUM_THREADS: threads }, cwd);
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr.trim().split('\n').pop()}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop() as string) as { seconds: number }).seconds;
}

function python(script: string, args: string[], w: Workload): Promise<number> {
  // Registers W1g in the peers' workload table, then runs the script as __main__.
  const prelude =
    `import sys, runpy; sys.path.insert(0, ${JSON.stringify(peersDir)}); import common; ` +
    `common.WORKLOADS['W1g'] = (16, 0.37, 1 << 24, 'moments'); ` +
    `sys.argv = [${JSON.stringify(script)}] + ${JSON.stringify(args)}; runpy.run_path(${JSON.stringify(resolve(peersDir, script))}, run_name='__main__')`;
  const threads = args.includes('--threads') ? args[args.indexOf('--threads') + 1] : '1';
  return peerSeconds([PYTHON, '-c', prelude], threads, peersDir, `${script} ${w.id}`);
}

function numpyStreamed(): Promise<number> {
  const script = resolve(ROOT, 'bench/numpy_w3_streamed.py');
  return peerSeconds([PYTHON, script, peersDir, String(STREAM_ROWS)], '1', ROOT, 'numpy_w3_streamed.py');
}

async function available(module: string): Promise<boolean> {
  if (launcher === null || !existsSync(resolve(peersDir, 'common.py'))) return false;
  return (await launcher.run([PYTHON, '-c', `import ${module}`], process.env, ROOT)).status === 0;
}

const engines = new Map([
  [1, new Engine({ threads: 1 })],
  [2, new Engine({ threads: 2 })],
]);
const ours = (threads: number): Impl => ({
  name: `relaxed-mc ${threads}T`,
  async run(w) {
    // As in engine.bench.ts: outputs of earlier calls are collected first (with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const engine = engines.get(threads) as Engine;
    const dist = new torch.distributions.RelaxedOneHotCategorical(w.tau, {
      logits: referenceLogits(w.K),
      validate_args: w.kind !== 'logprob',
    });
    if (w.kind === 'logprob') {
      // As the peers do, the values are drawn first and only the log-density is timed.
      const values = await engine.sample(dist, [w.N], { seed: 99 });
      const t = performance.now();
      const lp = await engine.logProb(dist, values);
      const s = (performance.now() - t) / 1000;
      if (!Number.isFinite(lp.data[0])) throw new Error('log_prob is not finite');
      return s;
    }
    const t = performance.now();
    if (w.kind === 'moments') await engine.moments(dist, { samples: w.N, seed: 1 });
    else if (w.id === 'W3s') {
      let checksum = 0;
      for await (const b of engine.sampleChunks(dist, [w.N], { seed: 1, rows: STREAM_ROWS })) {
        const d = b.value.data;
        checksum += d[0] + d[d.length - 1];
      }
      if (!Number.isFinite(checksum)) throw new Error('W3s checksum is not finite');
    } else await engine.sample(dist, [w.N], { seed: 1 });
    return (performance.now() - t) / 1000;
  },
});

const impls: Impl[] = [ours(2), ours(1)];
const skipped: string[] = [];
if (await available('numpy'))
  impls.push({
    name: 'NumPy',
    run: async (w) => (w.id === 'W3s' ? numpyStreamed() : python('bench_numpy.py', [w.id], w)),
  });
else skipped.push(`NumPy (${PYTHON} with numpy and ${peersDir} needed)`);
if (await available('torch')) {
  impls.push({
    name: 'PyTorch fused 2T',
    run: async (w) => python('bench_torch.py', ['fused', w.id, '--threads', '2'], w),
  });
  impls.push({
    name: 'PyTorch fused 1T',
    run: async (w) => python('bench_torch.py', ['fused', w.id, '--threads', '1'], w),
  });
} else skipped.push(`PyTorch (${PYTHON} with torch and ${peersDir} needed)`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const loadBefore = loadavg()[0];
const results = new Map<string, Map<string, number[]>>();
try {
  for (const w of ALL) {
    if (only && !only.includes(w.id)) continue;
    const perImpl = new Map<string, number[]>(impls.map((i) => [i.name, []]));
    await impls[0].run({ ...w, N: Math.max(1, w.N >> 4) }); // warm up the threads and the kernels
    for (let r = 0; r < rounds; r++) {
      for (const impl of impls) {
        // PyTorch has no streamed W3 script.
        if (w.id === 'W3s' && impl.name.startsWith('PyTorch')) continue;
        perImpl.get(impl.name)!.push(((await impl.run(w)) * 1e9) / (w.N * w.K));
      }
    }
    results.set(w.id, perImpl);
  }
} finally {
  for (const e of engines.values()) await e.close();
  launcher?.close();
}

console.log(`# relaxed-mc vs peers, ns per element: median (min-max) of ${rounds} interleaved rounds`);
console.log(
  `# ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, load ${loadBefore.toFixed(2)} before / ${loadavg()[0].toFixed(2)} after, ${new Date().toISOString()}`,
);
if (skipped.length) console.log(`# skipped: ${skipped.join('; ')}`);
console.log(
  `| workload | ${impls.map((i) => i.name).join(' | ')} | best peer | best peer / relaxed-mc 2T | best peer / relaxed-mc 1T |`,
);
console.log(`|---|${impls.map(() => '---:').join('|')}|---|---:|---:|`);
for (const [id, perImpl] of results) {
  const med = new Map([...perImpl].filter(([, v]) => v.length > 0).map(([k, v]) => [k, median(v)]));
  const peers = [...med].filter(([k]) => !k.startsWith('relaxed-mc'));
  const best = peers.sort((a, b) => a[1] - b[1])[0];
  const cells = impls.map((i) => {
    const v = perImpl.get(i.name) as number[];
    return v.length === 0
      ? 'n/a'
      : `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}-${Math.max(...v).toFixed(2)})`;
  });
  // Ratios per round (the rounds are interleaved), then their median and spread.
  const ratio = (name: string) => {
    if (!best) return 'n/a';
    const mine = perImpl.get(name) as number[];
    const theirs = perImpl.get(best[0]) as number[];
    const rs = mine.map((m, i) => theirs[i] / m);
    return `${median(rs).toFixed(2)} (${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)})`;
  };
  console.log(
    `| ${id} | ${cells.join(' | ')} | ${best ? best[0] : 'none'} | ${ratio('relaxed-mc 2T')} | ${ratio('relaxed-mc 1T')} |`,
  );
}
