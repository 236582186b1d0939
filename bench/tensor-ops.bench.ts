/**
 * Tensor operations on tensors that do not require grad, this build against a baseline build
 * (e.g. the previous main), timed side by side in alternating rounds: the autograd must not
 * slow them down. Prints per-operation medians and the ratio baseline / this build (above 1:
 * this build is faster). Each result is consumed into a checksum.
 *
 * Run: `npm run build && node dist/bench/tensor-ops.bench.js --baseline /path/to/baseline/checkout [--rounds 5]`
 * (the baseline folder must hold a build: `dist/src/index.js`).
 */
import { Bench } from 'tinybench';
import { pathToFileURL } from 'node:url';
import { torch } from '../src/index.js';
import { UsageError, checked, readFlags, wholeNumber } from './cli-args.js';

type Torch = typeof torch;
const flags = readFlags('node dist/bench/tensor-ops.bench.js --baseline DIR [flags]', {
  baseline: { arg: 'DIR', help: 'a built checkout to time beside this one (required)' },
  rounds: { arg: 'N', help: 'rounds (default 5)' },
});
const { baseDir, rounds } = checked(() => {
  if (flags.baseline === undefined) throw new UsageError('--baseline DIR is required: the checkout to compare with.');
  return { baseDir: flags.baseline, rounds: wholeNumber('rounds', flags.rounds, 5, 1) };
});
const base = (await import(pathToFileURL(`${baseDir}/dist/src/index.js`).href)) as { torch: Torch };

const ROWS = 256;
const COLS = 64;
let checksum = 0;

function tasks(t: Torch): Record<string, () => void> {
  const data = Array.from({ length: ROWS }, (_, i) => Array.from({ length: COLS }, (_, j) => Math.sin(i + 0.1 * j)));
  const a = t.tensor(data);
  const b = t.tensor(data.map((r) => r.map((v) => v + 1)));
  const row = t.tensor(data[0]);
  return {
    'add (same shape)': () => (checksum += a.add(b).data[0]),
    'mul (broadcast row)': () => (checksum += a.mul(row).data[1]),
    'div (number)': () => (checksum += a.div(3).data[2]),
    exp: () => (checksum += a.exp().data[3]),
    'sum(1)': () => (checksum += a.sum(1).data[0]),
    'mean()': () => (checksum += a.mean().data[0]),
    'reshape + expand': () => (checksum += a.reshape([1, ROWS * COLS]).expand([2, ROWS * COLS]).data[5]),
  };
}

const builds: [string, Record<string, () => void>][] = [
  ['this', tasks(torch)],
  ['base', tasks(base.torch)],
];
const samples: Record<string, number[]> = {};
for (let r = 0; r < rounds; r++) {
  const bench = new Bench({ time: 150, warmupTime: 50 });
  const order = r % 2 === 0 ? builds : builds.slice().reverse();
  for (const name of Object.keys(builds[0][1])) {
    for (const [which, t] of order) bench.add(`${which}:${name}`, t[name]);
  }
  await bench.run();
  for (const t of bench.tasks) (samples[t.name] ??= []).push(t.result!.latency.p50 ?? t.result!.latency.mean);
}
const median = (v: number[]): number => v.slice().sort((x, y) => x - y)[Math.floor(v.length / 2)];
for (const name of Object.keys(builds[0][1])) {
  const mine = median(samples[`this:${name}`]);
  const theirs = median(samples[`base:${name}`]);
  console.log(
    `${name.padEnd(20)} this ${(mine * 1e3).toFixed(1).padStart(7)} us  base ${(theirs * 1e3).toFixed(1).padStart(7)} us  base/this ${(theirs / mine).toFixed(2)}`,
  );
}
console.log(`(${rounds} rounds, ${ROWS}x${COLS} tensors; checksum ${checksum.toFixed(3)})`);
