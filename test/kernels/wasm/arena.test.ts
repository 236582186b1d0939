/**
 * Kernel memory belongs to its user: whatever kernels run between two draws of a draw class
 * (sample and log_prob in process, the in-process Gumbel and Concrete kernels, the raw
 * log-density, exp/log/2^t, another draw object, a uniform fill), the second draw is bit for bit
 * the one of an undisturbed run. Temperature 1.3 is not of the form 1/n, so the draws take the
 * log-Exp(1) ziggurat path (its tables live in each arena's instance).
 */
import { describe, expect, it } from 'vitest';
import { WasmDraws, WasmUniforms, wasmElementwise, wasmLogProbRows } from '../../../src/kernels/wasm/kernels.js';
import {
  fillGumbelFromMtState,
  stdlibElementwise,
  wasmGumbelToConcreteRows,
} from '../../../src/kernels/wasm/in-process-draws.js';
import { logProbConstants } from '../../../src/kernels/log-prob.js';
import { torch } from '../../../src/index.js';

const B = 2;
const K = 5;
const logits = Float64Array.from([0.3, -1, 2, 0.1, 0.7, 1, 1, 0, -2, 0.5]);
// Normalised, as the engine passes them.
for (let b = 0; b < B; b++) {
  let m = -Infinity;
  for (let k = 0; k < K; k++) m = Math.max(m, logits[b * K + k]);
  let s = 0;
  for (let k = 0; k < K; k++) s += Math.exp(logits[b * K + k] - m);
  for (let k = 0; k < K; k++) logits[b * K + k] -= m + Math.log(s);
}
const temperature = Float64Array.from([0.5, 1.3]);
const shift = new Float64Array(B * K).fill(0.2);
const constants = new Float64Array(B);
logProbConstants(B, K, logits, temperature, constants);
const bits = (x: Float64Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length * 2));

/** Every other kernel entry point, with inputs large enough to need more memory than the draws. */
function disturb(): void {
  const dist = new torch.distributions.RelaxedOneHotCategorical(0.7, { probs: [0.1, 0.2, 0.3, 0.4, 0.0001] });
  dist.log_prob(dist.sample([3000]));
  const rows = 5000;
  const values = new Float64Array(rows * K).fill(1 / K);
  const out = new Float64Array(rows);
  wasmLogProbRows(rows, K, 0, B, logits, temperature, new Float64Array(B), values, 0, false, 1, out, 0);
  wasmElementwise('exp', new Float64Array(100_000).fill(0.5));
  wasmElementwise('exp2-nonpositive', new Float64Array(100_000).fill(-0.5));
  stdlibElementwise('ln-pairs', new Float64Array(100_000).fill(0.5));
  // A stdlib MT19937 state array: 3 header words, 624 state words, a length word, the index.
  const state = new Uint32Array(629);
  for (let i = 0; i < 624; i++) state[3 + i] = (i * 2654435761 + 1) >>> 0;
  state[628] = 624;
  const noise = new Float64Array(20_000 * K);
  fillGumbelFromMtState(state, noise);
  wasmGumbelToConcreteRows(20_000, K, 0, B, logits, temperature, noise, 0, new Float64Array(20_000 * K), 0);
  const other = new WasmDraws(B, K, logits, temperature, shift);
  other.start(99, 7);
  other.drawMoments(other.rowsPerBlock, 0, false);
  other.release();
  const u = new WasmUniforms(50_000);
  u.start(5, 5);
  u.fill(50_000);
}

type Draw = (d: WasmDraws) => Float64Array;
const drawClasses: [string, Draw, boolean][] = [
  ['draw (simplex)', (d) => d.draw(d.rowsPerBlock, 1, false).slice(), false],
  ['draw (log-simplex)', (d) => d.draw(d.rowsPerBlock, 1, true).slice(), false],
  [
    'drawMoments and readSums',
    (d) => {
      const y = (d.drawMoments(d.rowsPerBlock, 1, true) as Float64Array).slice();
      const sums = new Float64Array(B * 4 * K);
      d.readSums(sums);
      return Float64Array.from([...y, ...sums]);
    },
    true,
  ],
  [
    'drawMoments (rows not kept) and readSums',
    (d) => {
      d.drawMoments(d.rowsPerBlock, 1, false);
      const sums = new Float64Array(B * 4 * K);
      d.readSums(sums);
      return sums;
    },
    true,
  ],
  [
    'drawWithLogProb (simplex)',
    (d) => {
      const { y, logProb } = d.drawWithLogProb(d.rowsPerBlock, 1, false);
      return Float64Array.from([...y, ...logProb]);
    },
    false,
  ],
  [
    'drawWithLogProb (log-simplex)',
    (d) => {
      const { y, logProb } = d.drawWithLogProb(d.rowsPerBlock, 1, true);
      return Float64Array.from([...y, ...logProb]);
    },
    false,
  ],
];

describe('kernel memory belongs to its user', () => {
  for (const [name, draw, moments] of drawClasses) {
    it(`WasmDraws ${name}: kernels run between two draws leave the second draw unchanged`, () => {
      const run = (between: () => void) => {
        const d = new WasmDraws(B, K, logits, temperature, moments ? shift : null);
        d.enableLogProb(constants);
        d.start(42, 3);
        const first = draw(d);
        between();
        const second = draw(d);
        d.release();
        return [first, second];
      };
      const quiet = run(() => {});
      const busy = run(disturb);
      expect(bits(busy[0])).toEqual(bits(quiet[0]));
      expect(bits(busy[1])).toEqual(bits(quiet[1]));
      expect(bits(quiet[1])).not.toEqual(bits(quiet[0]));
    });
  }

  it('WasmUniforms fill: kernels run between two fills leave the second fill unchanged', () => {
    const run = (between: () => void) => {
      const u = new WasmUniforms(1001);
      u.start(42, 3);
      const first = u.fill(1001).slice();
      between();
      return [first, u.fill(1001).slice()];
    };
    const quiet = run(() => {});
    const busy = run(disturb);
    expect(bits(busy[1])).toEqual(bits(quiet[1]));
  });

  it('two live draw objects on one thread do not share memory', () => {
    const a = new WasmDraws(B, K, logits, temperature, null);
    const b = new WasmDraws(B, K, logits, temperature, null);
    a.start(1, 0);
    b.start(2, 0);
    const ya = a.draw(4, 0, false).slice();
    b.draw(4, 0, false);
    const again = new WasmDraws(B, K, logits, temperature, null);
    again.start(1, 0);
    expect(bits(again.draw(4, 0, false).slice())).toEqual(bits(ya));
    for (const d of [a, b, again]) d.release();
  });
});
