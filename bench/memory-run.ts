/**
 * A long moments run with its resident memory watched: the engine keeps no draws, so memory
 * stays flat however many draws are asked for.
 *
 * Run: `npm run build && node dist/bench/memory-run.js [--samples 1e9] [--threads 2]`
 */
import { Engine, torch } from '../src/index.js';
import { referenceLogits } from './workloads.js';
import { checked, readFlags, wholeNumber } from './cli-args.js';

const flags = readFlags('node dist/bench/memory-run.js [flags]', {
  samples: { arg: 'N', help: 'draws (default 1e9)' },
  threads: { arg: 'N', help: 'worker threads (default 2)' },
});
const samples = checked(() => wholeNumber('samples', flags.samples, 1e9, 1));
const threads = checked(() => wholeNumber('threads', flags.threads, 2, 1));
const dist = new torch.distributions.RelaxedOneHotCategorical(0.5, { logits: referenceLogits(16) });
const engine = new Engine({ threads });
const rss: number[] = [];
const t0 = performance.now();
const est = await engine.moments(dist, { samples, seed: 2026, onProgress: () => rss.push(process.memoryUsage().rss) });
const s = (performance.now() - t0) / 1000;
await engine.close();
let maxZ = 0;
for (let k = 0; k < 16; k++) maxZ = Math.max(maxZ, Math.abs(est.mean.data[k] - dist.mean.data[k]) / est.stderr.data[k]);
const mib = (b: number) => (b / 2 ** 20).toFixed(1);
console.log(
  `${samples} draws x K = 16 on ${threads} threads in ${s.toFixed(1)} s (${((s * 1e9) / (samples * 16)).toFixed(2)} ns per element, ${est.chunks} chunks)`,
);
console.log(
  `resident memory: first ${mib(rss[0])} MiB, min ${mib(Math.min(...rss))} MiB, max ${mib(Math.max(...rss))} MiB over ${rss.length} progress reports`,
);
console.log(`largest |z| of the 16 means against the exact means: ${maxZ.toFixed(2)}`);
