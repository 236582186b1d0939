/**
 * Cost of the exact moments (spec section 6) across the number of categories and the
 * temperature, with and without the covariance.
 *
 * The cost grows like K / tau^2 (outer nodes ~ 1/tau, inner terms ~ 1/tau, one inner pass per
 * distinct logit and node) plus K^2 / tau for the covariance; the mean-only run of each size
 * is the baseline its covariance run is compared with. Every result is checked (means sum to
 * 1, covariance rows sum to 0), so nothing is optimised away and a wrong result fails loudly.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/exact-moments.bench.js [--quick]`
 * (`--quick` keeps K <= 16). The reference implementation took 16.5 s (direct) and 1.0 s
 * (tabulated) for K = 50, tau = 0.1 in NumPy (spec section 6.3).
 */
import { Bench } from 'tinybench';
import { exactMoments } from '../src/stats/exact-moments.js';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [4, 16] : [4, 16, 50, 100];
const TEMPERATURES = [0.1, 0.25, 1, 10];

/** Deterministic logits in [-1, 1) (fixed-seed LCG), so every run times the same work. */
function logitsOf(K: number): number[] {
  let s = 12345 + K;
  return Array.from({ length: K }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (2 * s) / 4294967296 - 1;
  });
}

let checked = 0;

function check(K: number, tau: number, covariance: boolean): void {
  const m = exactMoments(logitsOf(K), tau, { covariance });
  let sum = 0;
  for (let k = 0; k < K; k++) sum += m.mean[k];
  if (Math.abs(sum - 1) > 1e-14) throw new Error(`K=${K} tau=${tau}: means sum to 1 + ${sum - 1}`);
  if (covariance) {
    const cov = m.covariance as Float64Array;
    for (let i = 0; i < K; i++) {
      let row = 0;
      for (let k = 0; k < K; k++) row += cov[i * K + k];
      if (Math.abs(row) > 1e-14) throw new Error(`K=${K} tau=${tau}: covariance row ${i} sums to ${row}`);
    }
  }
  checked++;
}

const bench = new Bench({ name: 'exactMoments', time: 300, iterations: 3, warmupIterations: 1, warmupTime: 0 });
for (const K of SIZES) {
  for (const tau of TEMPERATURES) {
    bench.add(`K=${K} tau=${tau} mean+var`, () => check(K, tau, false));
    bench.add(`K=${K} tau=${tau} +covariance`, () => check(K, tau, true));
  }
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
console.log(`${checked} results checked (sum of means = 1, covariance rows = 0, within 1e-14)`);
