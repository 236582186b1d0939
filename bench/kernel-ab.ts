/**
 * The engine's draw kernels of this build beside another build's, in one process: both
 * `WasmDraws` alternate 2^20-element segments (which one goes first alternates too), so machine
 * drift and a core that runs slower for a while hit both alike; prints the medians and the
 * median of the per-pair ratios (baseline / this build) with its 10 % and 90 % quantiles.
 * Pin it to one core (`taskset -c 0`) on a machine whose cores differ.
 *
 * Run: `npm run build && taskset -c 0 node dist/bench/kernel-ab.js --baseline OTHER/ [--K 16] [--tau 0.5] [--mode moments] [--pairs 200]`
 * (OTHER: the root of a built checkout, e.g. a worktree of main).
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { WasmDraws } from '../src/kernels/wasm/kernels.js';
import { UsageError, checked, oneOf, positiveNumber, readFlags, wholeNumber } from './cli-args.js';

const flags = readFlags('node dist/bench/kernel-ab.js --baseline DIR [flags]', {
  baseline: { arg: 'DIR', help: 'the root of another built checkout (required)' },
  K: { arg: 'N', help: 'categories (default 16)' },
  tau: { arg: 'X', help: 'temperature (default 0.5)' },
  mode: { arg: 'M', help: 'moments, simplex or log-simplex (default moments)' },
  pairs: { arg: 'N', help: 'timed pairs of segments (default 200)' },
});
const { K, tau, mode, pairs, baseline } = checked(() => {
  if (flags.baseline === undefined) throw new UsageError('--baseline DIR is required.');
  return {
    K: wholeNumber('K', flags.K, 16, 1),
    tau: positiveNumber('tau', flags.tau, 0.5),
    mode: oneOf('mode', flags.mode, ['moments', 'simplex', 'log-simplex'] as const, 'moments'),
    pairs: wholeNumber('pairs', flags.pairs, 200, 1),
    baseline: flags.baseline,
  };
});

const other = (await import(pathToFileURL(resolve(baseline, 'dist/src/kernels/wasm/kernels.js')).href)) as {
  WasmDraws: typeof WasmDraws;
};
// Normalised logits sin(k) - logsumexp, one batch element.
const raw = Array.from({ length: K }, (_, k) => Math.sin(k));
const top = Math.max(...raw);
const lse = top + Math.log(raw.reduce((s, x) => s + Math.exp(x - top), 0));
const logits = Float64Array.from(raw, (x) => x - lse);
const temperature = Float64Array.of(tau);
const shift = new Float64Array(K).fill(1 / K);
const sides = {
  baseline: new other.WasmDraws(1, K, logits, temperature, shift),
  'this build': new WasmDraws(1, K, logits, temperature, shift),
};
for (const d of Object.values(sides)) d.start(1, 0);
const rows = Math.max(1, Math.floor(2 ** 20 / K));

/** ns per element of one segment. */
function segment(d: WasmDraws): number {
  const t = performance.now();
  for (let done = 0; done < rows;) {
    const n = Math.min(d.rowsPerBlock, rows - done);
    if (mode === 'moments') d.drawMoments(n, 0, false);
    else d.draw(n, 0, mode === 'log-simplex');
    done += n;
  }
  return ((performance.now() - t) * 1e6) / (rows * K);
}

for (let i = 0; i < 20; i++) for (const d of Object.values(sides)) segment(d);
const times = { baseline: [] as number[], 'this build': [] as number[] };
const ratios: number[] = [];
for (let i = 0; i < pairs; i++) {
  const order = i % 2 === 0 ? (['this build', 'baseline'] as const) : (['baseline', 'this build'] as const);
  const t = { baseline: 0, 'this build': 0 };
  for (const side of order) t[side] = segment(sides[side]);
  times.baseline.push(t.baseline);
  times['this build'].push(t['this build']);
  ratios.push(t.baseline / t['this build']);
}
const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
console.log(
  `K=${K} tau=${tau} ${mode}: baseline ${q(times.baseline, 0.5).toFixed(2)}, this build ${q(times['this build'], 0.5).toFixed(2)} ns per element (medians of ${pairs}); ` +
    `baseline / this build ${q(ratios, 0.5).toFixed(3)} (q10 ${q(ratios, 0.1).toFixed(3)}, q90 ${q(ratios, 0.9).toFixed(3)})`,
);
