/**
 * Cost of the exact moments (spec section 6) across the temperature ladder 1e-300 ... 1e300 and
 * the number of categories (K = 3, 16, 1000, 10^4), mean and variance only, plus the
 * covariance at K = 16 and K = 512 (the largest K it accepts).
 *
 * Goals (warm, one core): mean and variance under 50 ms for K = 16 and under 1 s for K = 1000
 * at every temperature; the cost must not grow as tau falls or rises. Every result is checked
 * (means sum to 1, covariance rows sum to 0), so nothing is optimised away and a wrong result
 * fails loudly. The table ends with the worst time per K over the ladder.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/exact-moments.bench.js [--quick]`
 * (`--quick` drops K = 10^4 and the K = 512 covariance).
 */
import { Bench } from 'tinybench';
import { exactMoments } from '../src/kernels/exact/exact-moments.js';
import { readFlags } from './cli-args.js';

const quick = readFlags('node dist/bench/exact-moments.bench.js [flags]', { quick: { help: 'a short run' } }).quick;
const SIZES = quick ? [3, 16, 1000] : [3, 16, 1000, 10000];
const LADDER = [1e-300, 1e-100, 1e-20, 1e-8, 1e-4, 1e-2, 0.1, 0.5, 1, 2, 10, 1e4, 1e20, 1e100, 1e300];

/** Deterministic logits in [-1, 1) (fixed-seed LCG), so every run times the same work. */
function logitsOf(K: number): number[] {
  let s = 12345 + K;
  return Array.from({ length: K }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (2 * s) / 4294967296 - 1;
  });
}

let checked = 0;

function check(logits: number[], tau: number, covariance: boolean): void {
  const K = logits.length;
  const m = exactMoments(logits, tau, { covariance });
  let sum = 0;
  for (let k = 0; k < K; k++) sum += m.mean[k];
  if (Math.abs(sum - 1) > 1e-13) throw new Error(`K=${K} tau=${tau}: means sum to 1 + ${sum - 1}`);
  if (covariance) {
    const cov = m.covariance as Float64Array;
    for (let i = 0; i < K; i++) {
      let row = 0;
      for (let k = 0; k < K; k++) row += cov[i * K + k];
      if (Math.abs(row) > 1e-13) throw new Error(`K=${K} tau=${tau}: covariance row ${i} sums to ${row}`);
    }
  }
  checked++;
}

const bench = new Bench({ name: 'exactMoments', time: 200, iterations: 3, warmupIterations: 1, warmupTime: 0 });
for (const K of SIZES) {
  const logits = logitsOf(K);
  for (const tau of LADDER) bench.add(`K=${K} tau=${tau} mean+var`, () => check(logits, tau, false));
}
for (const K of quick ? [16] : [16, 512]) {
  const logits = logitsOf(K);
  for (const tau of [1e-300, 0.5, 1e300]) bench.add(`K=${K} tau=${tau} +covariance`, () => check(logits, tau, true));
}

await bench.run();
console.table(
  bench.tasks.map((task) => ({
    task: task.name,
    'ms/call': task.result?.latency.mean.toFixed(2),
    'min ms': task.result?.latency.min.toFixed(2),
    samples: task.result?.latency.samples.length,
  })),
);
for (const K of SIZES) {
  const times = bench.tasks
    .filter((t) => t.name.startsWith(`K=${K} `) && t.name.endsWith('mean+var'))
    .map((t) => t.result?.latency.mean ?? NaN);
  console.log(
    `K=${K}: worst mean over the ladder ${Math.max(...times).toFixed(1)} ms, best ${Math.min(...times).toFixed(1)} ms`,
  );
}
console.log(`${checked} results checked (sum of means = 1, covariance rows = 0, within 1e-13)`);
