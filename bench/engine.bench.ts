/**
 * The engine on the reference workloads, side by side in one run: 1 thread, 2 threads and the
 * in-process API (`dist.sample` / `dist.log_prob` on the main thread, on a smaller N because
 * it is far slower; rates are per element, so sizes compare). Every result is consumed into a
 * checksum printed at the end.
 *
 * Run: `npm run bench` (all workloads), or `node --expose-gc dist/bench/engine.bench.js --only W1,W3 --scale 0.25`.
 *
 * With `--expose-gc`, a garbage collection runs before every timed call (outside the timing): W3
 * allocates 512 MiB per call, and on a virtual machine, memory the guest has never used costs a
 * host-level fault on first touch, so letting dead outputs pile up between calls measures the
 * VM's memory growth (2-6x slower page faults here) instead of the steady state a program that
 * drops its samples sees.
 */
import { Bench } from 'tinybench';
import { Engine, torch } from '../src/index.js';
import { WORKLOADS, type Workload, referenceLogits } from './workloads.js';
import { checked, positiveNumber, readFlags, wholeNumber } from './cli-args.js';

const flags = readFlags('node --expose-gc dist/bench/engine.bench.js [flags]', {
  scale: { arg: 'S', help: 'fraction of the full-size workloads (default 1)' },
  only: { arg: 'W1,W3,...', help: 'the workloads to run (default all)' },
  iterations: { arg: 'N', help: 'tinybench iterations per task (default 3)' },
});
const scale = checked(() => positiveNumber('scale', flags.scale, 1));
const only = flags.only?.split(',');
const iterations = checked(() => wholeNumber('iterations', flags.iterations, 3, 1));
/** The in-process API draws this fraction of N (it is one to two orders of magnitude slower). */
const IN_PROCESS_FRACTION = 1 / 64;

/** A full collection when the process runs with --expose-gc (see the header). */
const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();

let checksum = 0;
const consume = (t: { data: Float64Array }) => {
  const d = t.data;
  checksum += d[0] + d[d.length - 1];
};

interface Row {
  workload: string;
  variant: string;
  N: number;
  K: number;
  nsPerElement: number;
}
const rows: Row[] = [];

async function runWorkload(w: Workload, engines: Map<number, Engine>): Promise<void> {
  const N = Math.max(1, Math.round(w.N * scale));
  const dist = new torch.distributions.RelaxedOneHotCategorical(w.tau, {
    logits: referenceLogits(w.K),
    validate_args: w.kind !== 'logprob',
  });
  const values = w.kind === 'logprob' ? await engines.get(2)!.sample(dist, [N], { seed: 99 }) : null;
  const bench = new Bench({ iterations, time: 0, warmup: true, warmupIterations: 1, warmupTime: 0 });
  const sizes = new Map<string, number>();
  for (const [threads, engine] of engines) {
    const name = `${threads} thread${threads > 1 ? 's' : ''}`;
    sizes.set(name, N);
    bench.add(
      name,
      async () => {
        if (w.kind === 'moments') consume((await engine.moments(dist, { samples: N, seed: 1 })).mean);
        else if (w.kind === 'sample') consume(await engine.sample(dist, [N], { seed: 1 }));
        else consume(await engine.logProb(dist, values!));
      },
      { beforeEach: collectGarbage },
    );
  }
  const n = Math.max(1, Math.round(N * IN_PROCESS_FRACTION));
  sizes.set('in-process', n);
  const small = values === null ? null : new torch.Tensor(values.data.subarray(0, n * w.K), [n, w.K]);
  bench.add('in-process', () => {
    if (w.kind === 'logprob') consume(dist.log_prob(small!));
    else {
      // moments in-process: draw in blocks and keep running sums, as a user of the API would.
      const block = Math.max(1, Math.floor(2 ** 16 / w.K));
      for (let done = 0; done < n; done += block) consume(dist.sample([Math.min(block, n - done)]).sum(0));
    }
  });
  await bench.run();
  for (const t of bench.tasks) {
    const size = sizes.get(t.name)!;
    const ms = t.result!.latency.p50 ?? t.result!.latency.mean;
    rows.push({ workload: w.id, variant: t.name, N: size, K: w.K, nsPerElement: (ms * 1e6) / (size * w.K) });
  }
}

const engines = new Map([
  [1, new Engine({ threads: 1 })],
  [2, new Engine({ threads: 2 })],
]);
try {
  for (const w of WORKLOADS) {
    if (only && !only.includes(w.id)) continue;
    await runWorkload(w, engines);
  }
} finally {
  for (const e of engines.values()) await e.close();
}

console.log('| workload | variant | N | K | ns/element | elements/s | vs 1 thread |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const one = rows.find((x) => x.workload === r.workload && x.variant === '1 thread');
  const ratio = one ? (one.nsPerElement / r.nsPerElement).toFixed(2) : '';
  console.log(
    `| ${r.workload} | ${r.variant} | ${r.N} | ${r.K} | ${r.nsPerElement.toFixed(2)} | ${(1e9 / r.nsPerElement).toExponential(3)} | ${ratio} |`,
  );
}
console.log(
  `(checksum ${checksum.toFixed(6)}; medians of ${iterations} runs after a warm-up; ${new Date().toISOString()})`,
);
