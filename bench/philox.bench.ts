/**
 * Cost per uniform double of Philox4x32-10 read as uniforms (the engine's stream before stream
 * version 2, which is why it now only seeds xoshiro; the uniform reader lives in
 * test/helpers/philox-uniforms.ts), against `Math.random` filling the
 * same buffer in the same process (V8's xorshift128+, the cheapest baseline there is; it is not
 * counter-based, so it cannot serve the engine, but it bounds what a generator can cost).
 *
 * Sizes sweep a single Gumbel row (64) up to a large chunk slice (2^18). Every task adds its
 * buffer into a checksum that is checked at the end (each value must lie in (0, 1), so the mean
 * must be near 1/2), so nothing is optimised away.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/philox.bench.js [--quick]`
 */
import { Bench } from 'tinybench';
import { philox4x32_10 } from '../src/rng/philox.js';
import { PhiloxStream } from '../test/helpers/philox-uniforms.js';
import { readFlags } from './cli-args.js';

const quick = readFlags('node dist/bench/philox.bench.js [flags]', { quick: { help: 'a short run' } }).quick;
const SIZES = quick ? [64, 4096] : [64, 1024, 16384, 262144];

let checksum = 0;
let drawn = 0;

function consume(buf: Float64Array): void {
  let s = 0;
  for (let i = 0; i < buf.length; i++) s += buf[i];
  checksum += s;
  drawn += buf.length;
}

const bench = new Bench({ name: 'uniform doubles', time: quick ? 200 : 600, warmupTime: 100 });
for (const n of SIZES) {
  const buf = new Float64Array(n);
  let chunk = 0;
  bench.add(`philox fillUniform n=${n}`, () => {
    // A fresh stream per call, as the engine makes one per chunk.
    new PhiloxStream(20240601, chunk++).fillUniform(buf, 0, n);
    consume(buf);
  });
  const stream = new PhiloxStream(7, 0);
  bench.add(`philox nextUniform n=${n}`, () => {
    for (let i = 0; i < n; i++) buf[i] = stream.nextUniform();
    consume(buf);
  });
  bench.add(`Math.random n=${n}`, () => {
    for (let i = 0; i < n; i++) buf[i] = Math.random();
    consume(buf);
  });
}
// The bare block function: 4 words = 2 doubles per call.
const ctr = new Uint32Array(4);
const key = Uint32Array.of(1, 2);
const out = new Uint32Array(4);
let words = 0;
bench.add('philox4x32_10 block x1024', () => {
  for (let i = 0; i < 1024; i++) {
    ctr[0] = i;
    philox4x32_10(ctr, key, out);
    words ^= out[0];
  }
  ctr[1]++;
});

await bench.run();

const rows = bench.tasks.map((task) => {
  const ms = task.result?.latency.mean ?? NaN;
  const m = /n=(\d+)/.exec(task.name);
  const perCall = m ? Number(m[1]) : 2048; // the block task yields 2048 doubles' worth of words
  return {
    task: task.name,
    'ns/double': ((ms * 1e6) / perCall).toFixed(2),
    'µs/call': (ms * 1e3).toFixed(2),
    'rme %': task.result?.latency.rme.toFixed(1),
    samples: task.result?.latency.samples.length,
  };
});
console.log(`${bench.name} (node ${process.version})`);
console.table(rows);

const mean = checksum / drawn;
if (!(Math.abs(mean - 0.5) < 0.01)) throw new Error(`checksum mean ${mean} is not near 1/2: a generator is broken`);
console.log(`checked: ${drawn} doubles, mean ${mean.toFixed(6)}; block xor ${words >>> 0}`);
