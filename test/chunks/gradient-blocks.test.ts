/**
 * The block loop of the gradient estimates (`src/chunks/gradient-blocks.ts`), shared by a
 * gradients chunk and each estimator's pilot: its blocks follow one uniform stream, it stops at
 * the stop flag before a block, and the pilot through it is, bit for bit, the mean of the first
 * PILOT_GROUPS groups of each batch element drawn in one request from the pilot's stream.
 */
import { describe, expect, it } from 'vitest';
import { estimateGroupBlocks } from '../../src/chunks/gradient-blocks.js';
import { PILOT_GROUPS, STREAM_SPAN, gradientPilotShift, streamBaseOf } from '../../src/chunks/gradient-setup.js';
import { kStopFlag } from '../../src/chunks/layout.js';
import {
  ESTIMATORS,
  type EstimatorName,
  createGradientWorkspace,
  estimateGradientGroups,
  estimatesPerGroup,
  uniformsPerGroup,
} from '../../src/kernels/gradient-estimators.js';
import { quadraticObjective } from '../../src/kernels/objectives.js';
import { softmaxInto } from '../../src/kernels/softmax.js';
import { WasmUniforms } from '../../src/kernels/wasm/kernels.js';

const B = 2;
const K = 3;
const logits = Float64Array.of(0.1, -0.4, 0.3, 1, 0, -1);
const temperature = Float64Array.of(0.5, 2);
const objective = quadraticObjective([0.2, 0.3, 0.5]);

/** Every block's estimates, copied, in order. */
function blocks(name: EstimatorName, m: number, groups: number, perBlock: number, control: Int32Array | null) {
  const seen: { b: number; n: number; est: number[] }[] = [];
  const E = estimatesPerGroup(name, m);
  const done = estimateGroupBlocks(
    { name, B, K, m, logits, temperature, objective },
    7,
    3,
    groups,
    perBlock,
    control,
    (est, n, b) => seen.push({ b, n, est: Array.from(est.subarray(0, n * E * K)) }),
  );
  return { done, seen };
}

describe('the gradient block loop', () => {
  it('visits each batch element in turn, in blocks that follow one stream (even requests: any split)', () => {
    // rebar asks for 2K uniforms per group, so every request is even and the split does not matter.
    const whole = blocks('rebar', 1, 10, 10, null);
    const split = blocks('rebar', 1, 10, 4, null);
    expect(whole.done && split.done).toBe(true);
    expect(split.seen.map((s) => [s.b, s.n])).toEqual([
      [0, 4],
      [0, 4],
      [0, 2],
      [1, 4],
      [1, 4],
      [1, 2],
    ]);
    for (const b of [0, 1]) {
      const joined = split.seen.filter((s) => s.b === b).flatMap((s) => s.est);
      expect(joined).toEqual(whole.seen[b].est);
    }
  });

  it('stops before the first block once the stop flag is set, visiting nothing', () => {
    const control = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(control, kStopFlag, 1);
    const r = blocks('reinforce', 1, 10, 4, control);
    expect(r.done).toBe(false);
    expect(r.seen).toEqual([]);
  });
});

describe('the pilot shift through the block loop', () => {
  for (const name of ESTIMATORS) {
    it(`${name}: the mean of PILOT_GROUPS groups per batch element from one request each, bit for bit`, () => {
      const m = 3;
      const U = uniformsPerGroup(name, K, m);
      const E = estimatesPerGroup(name, m);
      const uniforms = new WasmUniforms(PILOT_GROUPS * U);
      uniforms.start(9, streamBaseOf(name) + STREAM_SPAN - 1);
      const out = new Float64Array(PILOT_GROUPS * E * K);
      const ws = createGradientWorkspace(K, m);
      const probs = new Float64Array(K);
      const want = new Float64Array(B * K);
      for (let b = 0; b < B; b++) {
        const l = logits.subarray(b * K, (b + 1) * K);
        softmaxInto(l, probs);
        const u = uniforms.fill(PILOT_GROUPS * U);
        estimateGradientGroups(name, PILOT_GROUPS, K, l, probs, temperature[b], m, objective, u, 0, out, 0, ws);
        for (let i = 0; i < PILOT_GROUPS * E; i++) for (let k = 0; k < K; k++) want[b * K + k] += out[i * K + k];
        for (let k = 0; k < K; k++) want[b * K + k] /= PILOT_GROUPS * E;
      }
      const got = gradientPilotShift(name, 9, B, K, m, logits, temperature, objective);
      expect(Array.from(got)).toEqual(Array.from(want));
    });
  }
});
