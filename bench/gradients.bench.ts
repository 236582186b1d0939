/**
 * Cost per single-sample estimate of each gradient estimator (`estimateGradientGroups`) at
 * K = 2, 10 and 100, on the quadratic objective (which needs the objective's gradient at a
 * relaxed point, the costlier case), tau = 0.5, m = 4 (the LOO group size and the number of
 * Gumbel-Rao draws).
 *
 * A task is one call on a block of `max(64, 8192 / K)` groups with uniforms drawn beforehand,
 * so it times the kernel alone; the baseline beside it, in the same process, is Philox filling
 * the block's uniforms (what the engine pays on top: add it to the kernel for the whole cost).
 * Every output is added to a checksum that must be finite, so nothing is optimised away.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/gradients.bench.js [--quick]`
 * (`--quick` shortens the timing windows).
 */
import { Bench } from 'tinybench';
import { PhiloxStream } from '../test/helpers/philox-uniforms.js';
import {
  ESTIMATORS,
  createGradientWorkspace,
  estimateGradientGroups,
  estimatesPerGroup,
  uniformsPerGroup,
} from '../src/kernels/gradient-estimators.js';
import { quadraticObjective } from '../src/kernels/objectives.js';
import { readFlags } from './cli-args.js';

const quick = readFlags('node dist/bench/gradients.bench.js [flags]', { quick: { help: 'a short run' } }).quick;
const SIZES = [2, 10, 100];
const TAU = 0.5;
const M = 4;

/** Normalised, deterministic logits spread over about [-1.5, 1.5]. */
function rowOf(K: number): { logits: Float64Array; probs: Float64Array } {
  const raw = Float64Array.from({ length: K }, (_, k) => 1.5 * Math.sin(1.3 * k + 0.4));
  const top = Math.max(...raw);
  const lse = top + Math.log(raw.reduce((a, x) => a + Math.exp(x - top), 0));
  const logits = raw.map((x) => x - lse);
  return { logits, probs: logits.map(Math.exp) };
}

let checksum = 0;
let consumed = 0;

const bench = new Bench({ name: 'gradient estimators', time: quick ? 100 : 400, warmupTime: 50 });
/** Estimates per call of each task, to turn ms per call into ns per estimate. */
const estimatesPerCall = new Map<string, number>();

for (const K of SIZES) {
  const { logits, probs } = rowOf(K);
  const objective = quadraticObjective(Float64Array.from({ length: K }, (_, k) => (k % 3) / 2));
  const groups = Math.max(64, Math.floor(8192 / K));
  const ws = createGradientWorkspace(K, M);
  for (const name of ESTIMATORS) {
    const U = uniformsPerGroup(name, K, M);
    const E = estimatesPerGroup(name, M);
    const u = new Float64Array(groups * U);
    new PhiloxStream(2024, K).fillUniform(u, 0, u.length);
    const out = new Float64Array(groups * E * K);
    const task = `${name} K=${K}`;
    estimatesPerCall.set(task, groups * E);
    bench.add(task, () => {
      estimateGradientGroups(name, groups, K, logits, probs, TAU, M, objective, u, 0, out, 0, ws);
      let s = 0;
      for (let i = 0; i < out.length; i++) s += out[i];
      checksum += s;
      consumed += out.length;
    });
    const baseTask = `  + philox, ${U} uniforms/group (${name} K=${K})`;
    estimatesPerCall.set(baseTask, groups * E);
    let chunk = 0;
    bench.add(baseTask, () => {
      new PhiloxStream(7, chunk++).fillUniform(u, 0, u.length);
      checksum += u[0];
    });
  }
}

await bench.run();

console.log(`${bench.name}: quadratic objective, tau = ${TAU}, m = ${M} (node ${process.version})`);
console.table(
  bench.tasks.map((task) => {
    const ms = task.result?.latency.mean ?? NaN;
    const n = estimatesPerCall.get(task.name) ?? NaN;
    return {
      task: task.name,
      'ns/estimate': ((ms * 1e6) / n).toFixed(1),
      'µs/call': (ms * 1e3).toFixed(1),
      'rme %': task.result?.latency.rme.toFixed(1),
    };
  }),
);
if (!Number.isFinite(checksum)) {
  throw new Error(`checksum ${checksum} is not finite: an estimator produced NaN or Infinity`);
}
console.log(`checked: ${consumed} gradient components, checksum ${checksum.toExponential(6)}`);
