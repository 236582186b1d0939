/**
 * What the WebAssembly kernels' building blocks cost per element, on 4096-element blocks (in
 * cache): the uniform generator, the ziggurat Exp(1) sampler, log and exp. These bound what the
 * draw and log-density kernels can reach (see the README's benchmark notes). The two ziggurats
 * and 2^t are what the draws at any temperature are made of. Each result is
 * consumed into a checksum.
 *
 * Run: `npm run build && node dist/bench/primitives.bench.js`
 */
import { Bench } from 'tinybench';
import { kernelExports } from '../src/kernels/wasm/load.js';
import { Arena } from '../src/kernels/wasm/arena.js';
import { STREAM_STATE_BYTES, STREAM_STATE_WORDS, seedChunkStream } from '../src/rng/chunk-stream.js';

const N = 4096;
const k = kernelExports();
const a = new Arena(k);
const st = a.alloc(STREAM_STATE_BYTES);
const buf = a.alloc(N * 8);
const rej = a.alloc(N * 8);
const words = new Uint32Array(STREAM_STATE_WORDS);
seedChunkStream(7, 3, words);
new Uint32Array(k.memory.buffer, st, STREAM_STATE_WORDS).set(words);
const view = a.f64(buf, N);
let checksum = 0;
const consume = (): void => {
  checksum += view[0];
};
// log and exp get fresh uniforms before every call (untimed), so they always see the same kind of input.
const refill = (): void => k.fillUniform(st, buf, N / 2);
// The draw kernels' 2^t sees scores minus their row maximum: negative, mostly within a few dozen.
const refillNegative = (): void => {
  k.fillUniform(st, buf, N / 2);
  for (let i = 0; i < N; i++) view[i] *= -40;
};

const bench = new Bench({ time: 500, warmupTime: 200 });
bench
  .add('uniform (xoshiro256+, 2 lanes)', () => k.fillUniform(st, buf, N / 2), { afterEach: consume })
  .add('Exp(1) (ziggurat)', () => k.fillExponential(st, buf, N / 2, rej), { afterEach: consume })
  .add('log Exp(1) (two-sided ziggurat)', () => k.fillLogExponential(st, buf, N / 2, rej), { afterEach: consume })
  .add('log (all IEEE cases)', () => k.logArray(buf, N), { beforeEach: refill, afterEach: consume })
  .add('exp (whole range)', () => k.expArray(buf, N), { beforeEach: refill, afterEach: consume })
  .add('2^t, t <= 0 (draw kernels)', () => k.exp2NonPositiveArray(buf, N), {
    beforeEach: refillNegative,
    afterEach: consume,
  });
await bench.run();
for (const t of bench.tasks) {
  const ms = t.result!.latency.p50 ?? t.result!.latency.mean;
  console.log(`${t.name.padEnd(32)} ${((ms * 1e6) / N).toFixed(2)} ns/element`);
}
console.log(`(checksum ${checksum.toFixed(3)})`);
