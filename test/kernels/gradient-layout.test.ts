import { describe, expect, it } from 'vitest';
import { PhiloxStream } from '../helpers/philox-uniforms.js';
import {
  ESTIMATORS,
  UNBIASED_ESTIMATORS,
  type EstimatorName,
  createGradientWorkspace,
  estimateGradientGroups,
  estimatesPerGroup,
  isEstimatorName,
  uniformsPerGroup,
} from '../../src/kernels/gradient-estimators.js';
import { categoricalRace, perturbLogits } from '../../src/kernels/gradient-common.js';
import { linearObjective, quadraticObjective, type Objective } from '../../src/kernels/objectives.js';
import { normalise } from './gradient-helpers.js';

// Deterministic properties of the entry point: the stream layout, bit-for-bit reproducibility
// when a block is split, the argument checks. No randomness beyond fixed Philox streams, so
// there is no false-failure rate.

const K = 4;
const M = 3;
const { logits, probs } = normalise([0.4, -1.1, 0.9, 0]);
const TAU = 0.7;
const objective = quadraticObjective([0.2, 0.9, 0.1, 0.5]);

function uniforms(n: number, seed = 1): Float64Array {
  const u = new Float64Array(n);
  new PhiloxStream(seed, 0).fillUniform(u, 0, n);
  return u;
}

function run(
  name: EstimatorName,
  groups: number,
  u: Float64Array,
  uOffset = 0,
  obj: Objective = objective,
  m = M,
): Float64Array {
  const out = new Float64Array(groups * estimatesPerGroup(name, m) * K);
  estimateGradientGroups(
    name,
    groups,
    K,
    logits,
    probs,
    TAU,
    m,
    obj,
    u,
    uOffset,
    out,
    0,
    createGradientWorkspace(K, m),
  );
  return out;
}

describe('gradient estimators: layout and reproducibility', () => {
  it('lists six estimators, three unbiased for the discrete objective', () => {
    expect(ESTIMATORS).toEqual([
      'reinforce',
      'reinforce-loo',
      'gumbel-softmax',
      'straight-through',
      'gumbel-rao',
      'rebar',
    ]);
    expect(UNBIASED_ESTIMATORS).toEqual(['reinforce', 'reinforce-loo', 'rebar']);
    expect(isEstimatorName('rebar')).toBe(true);
    expect(isEstimatorName('relax')).toBe(false);
  });

  it('consumes a fixed number of uniforms per group and yields m estimates per LOO group', () => {
    const table = ESTIMATORS.map((name) => [name, uniformsPerGroup(name, 10, 4), estimatesPerGroup(name, 4)]);
    expect(table).toEqual([
      ['reinforce', 10, 1],
      ['reinforce-loo', 40, 4],
      ['gumbel-softmax', 10, 1],
      ['straight-through', 10, 1],
      ['gumbel-rao', 50, 1],
      ['rebar', 20, 1],
    ]);
  });

  for (const name of ESTIMATORS) {
    it(`${name}: splitting a block into two calls gives the same bits`, () => {
      const U = uniformsPerGroup(name, K, M);
      const E = estimatesPerGroup(name, M);
      const u = uniforms(37 * U);
      const whole = run(name, 37, u);
      const out = new Float64Array(whole.length);
      const ws = createGradientWorkspace(K, M);
      estimateGradientGroups(name, 20, K, logits, probs, TAU, M, objective, u, 0, out, 0, ws);
      estimateGradientGroups(name, 17, K, logits, probs, TAU, M, objective, u, 20 * U, out, 20 * E * K, ws);
      expect(Array.from(out)).toEqual(Array.from(whole));
      expect(whole.every(Number.isFinite)).toBe(true);
      expect(Array.from(ws.onehot)).toEqual([0, 0, 0, 0]);
    });

    it(`${name}: reads only its own uniforms and writes only its own outputs`, () => {
      const U = uniformsPerGroup(name, K, M);
      const E = estimatesPerGroup(name, M);
      const u = new Float64Array(5 * U + 7).fill(NaN);
      u.set(uniforms(5 * U), 3);
      const out = new Float64Array(5 * E * K + 6).fill(-99);
      estimateGradientGroups(name, 5, K, logits, probs, TAU, M, objective, u, 3, out, 2, createGradientWorkspace(K, M));
      expect(out.subarray(2, 2 + 5 * E * K).every(Number.isFinite)).toBe(true);
      expect(Array.from(out.subarray(0, 2))).toEqual([-99, -99]);
      expect(Array.from(out.subarray(2 + 5 * E * K))).toEqual([-99, -99, -99, -99]);
      // and group i depends only on its own block: changing group 2's uniforms changes only its outputs
      const v = Float64Array.from(u);
      for (let j = 3 + 2 * U; j < 3 + 3 * U; j++) v[j] = 1 - v[j];
      const out2 = new Float64Array(out.length).fill(-99);
      estimateGradientGroups(
        name,
        5,
        K,
        logits,
        probs,
        TAU,
        M,
        objective,
        v,
        3,
        out2,
        2,
        createGradientWorkspace(K, M),
      );
      for (let g = 0; g < 5; g++) {
        const a = Array.from(out.subarray(2 + g * E * K, 2 + (g + 1) * E * K));
        const b = Array.from(out2.subarray(2 + g * E * K, 2 + (g + 1) * E * K));
        // (a REINFORCE estimate depends on its uniforms only through the category, which may stay)
        if (g === 2 && !name.startsWith('reinforce')) expect(a).not.toEqual(b);
        else if (g !== 2) expect(a).toEqual(b);
      }
    });

    it(`${name}: a class of probability 0 gets exactly 0 and the rest stays finite`, () => {
      const l = Float64Array.of(Math.log(0.3), -Infinity, Math.log(0.7), -Infinity);
      const p = Float64Array.of(0.3, 0, 0.7, 0);
      const U = uniformsPerGroup(name, K, M);
      const E = estimatesPerGroup(name, M);
      const out = new Float64Array(50 * E * K);
      estimateGradientGroups(
        name,
        50,
        K,
        l,
        p,
        TAU,
        M,
        objective,
        uniforms(50 * U),
        0,
        out,
        0,
        createGradientWorkspace(K, M),
      );
      for (let i = 0; i < 50 * E; i++) {
        expect(out[i * K + 1] === 0).toBe(true); // 0 or -0
        expect(out[i * K + 3] === 0).toBe(true);
        expect(Number.isFinite(out[i * K]) && Number.isFinite(out[i * K + 2])).toBe(true);
      }
    });
  }

  it('every estimator of a constant objective is exactly 0', () => {
    const constant: Objective = { K, f: () => 2.5, grad: (_z, out) => out.fill(0) };
    for (const name of ESTIMATORS) {
      if (name === 'reinforce') continue; // f(e_b)(e_b - pi) is not 0 for a constant, only its mean
      const out = run(name, 10, uniforms(10 * uniformsPerGroup(name, K, M)), 0, constant);
      expect(out.every((x) => x === 0)).toBe(true);
    }
  });

  it('K = 1 gives zero gradients', () => {
    const one = linearObjective([3]);
    for (const name of ESTIMATORS) {
      const out = new Float64Array(4 * estimatesPerGroup(name, M));
      const u = uniforms(4 * uniformsPerGroup(name, 1, M));
      estimateGradientGroups(
        name,
        4,
        1,
        Float64Array.of(0),
        Float64Array.of(1),
        1,
        M,
        one,
        u,
        0,
        out,
        0,
        createGradientWorkspace(1, M),
      );
      expect(out.every((x) => x === 0)).toBe(true);
    }
  });

  it('the exponential race picks the Gumbel-max category of the same uniforms (100000 draws, K = 4 and 50)', () => {
    const wide = normalise(Array.from({ length: 50 }, (_, k) => Math.cos(k)));
    for (const [lg, pr] of [
      [logits, probs],
      [wide.logits, wide.probs],
    ]) {
      const n = lg.length;
      const u = uniforms(100_000 * n, 9);
      const x = new Float64Array(n);
      let differ = 0;
      for (let i = 0; i < 100_000; i++)
        if (categoricalRace(n, pr, u, i * n) !== perturbLogits(n, lg, u, i * n, x)) differ++;
      expect(differ).toBe(0);
    }
  });

  it('straight-through equals gumbel-softmax for a linear objective (same uniforms, same bits)', () => {
    const lin = linearObjective([1, -2, 0.5, 3]);
    const u = uniforms(20 * K);
    expect(Array.from(run('straight-through', 20, u, 0, lin))).toEqual(
      Array.from(run('gumbel-softmax', 20, u, 0, lin)),
    );
  });

  it('reinforce-loo is reinforce on the same draws minus the leave-one-out baseline times the score', () => {
    const u = uniforms(10 * M * K);
    const plain = run('reinforce', 10 * M, u); // the LOO group's draws are M consecutive REINFORCE draws
    const loo = run('reinforce-loo', 10, u);
    for (let g = 0; g < 10; g++) {
      // recover f_i and the score from the REINFORCE output: f_i = out_b / (1 - pi_b) at the chosen b
      const f: number[] = [];
      const scores: Float64Array[] = [];
      for (let i = 0; i < M; i++) {
        const r = plain.subarray((g * M + i) * K, (g * M + i + 1) * K);
        let b = 0;
        for (let k = 1; k < K; k++) if (r[k] > r[b]) b = k; // f > 0 here, so the chosen class is the positive entry
        f.push(r[b] / (1 - probs[b]));
        scores.push(probs.map((p, k) => (k === b ? 1 : 0) - p));
      }
      for (let i = 0; i < M; i++) {
        const baseline = (f.reduce((a, x) => a + x, 0) - f[i]) / (M - 1);
        for (let k = 0; k < K; k++) {
          const want = (f[i] - baseline) * scores[i][k];
          expect(Math.abs(loo[(g * M + i) * K + k] - want)).toBeLessThanOrEqual(1e-14);
        }
      }
    }
  });
});

describe('gradient estimators: argument checks', () => {
  const ws = createGradientWorkspace(K, M);
  const u = uniforms(100);
  const out = new Float64Array(100);
  const call = (over: Partial<Record<string, unknown>>): void => {
    const a = {
      name: 'rebar',
      groups: 2,
      K,
      logits,
      probs,
      tau: TAU,
      m: M,
      objective,
      u,
      uOffset: 0,
      out,
      outOffset: 0,
      ws,
      ...over,
    };
    estimateGradientGroups(
      a.name as EstimatorName,
      a.groups as number,
      a.K as number,
      a.logits as Float64Array,
      a.probs as Float64Array,
      a.tau as number,
      a.m as number,
      a.objective as Objective,
      a.u as Float64Array,
      a.uOffset as number,
      a.out as Float64Array,
      a.outOffset as number,
      a.ws as ReturnType<typeof createGradientWorkspace>,
    );
  };

  it('accepts valid arguments', () => expect(() => call({})).not.toThrow());
  it('rejects an unknown estimator with a TypeError', () =>
    expect(() => call({ name: 'relax' })).toThrow(/name must be one of/));
  it('rejects a bad group count', () => expect(() => call({ groups: 1.5 })).toThrow(RangeError));
  it('rejects logits of the wrong length', () =>
    expect(() => call({ logits: new Float64Array(3) })).toThrow(/logits must be a Float64Array of length K = 4/));
  it('rejects probs that are not softmax(logits)', () =>
    expect(() => call({ probs: Float64Array.of(0.25, 0.25, 0.25, 0.25) })).toThrow(/probs\[0\] must equal softmax/));
  it('rejects a NaN logit', () =>
    expect(() => call({ logits: Float64Array.of(NaN, 0, 0, 0) })).toThrow(/logits\[0\] must be finite or -Infinity/));
  it('rejects a temperature <= 0', () =>
    expect(() => call({ tau: 0 })).toThrow(/tau must be finite and > 0, received 0/));
  it('rejects m < 2 for reinforce-loo and m < 1 for gumbel-rao', () => {
    expect(() => call({ name: 'reinforce-loo', m: 1 })).toThrow(
      /m must be an integer >= 2 for reinforce-loo, received 1/,
    );
    expect(() => call({ name: 'gumbel-rao', m: 0 })).toThrow(/m must be an integer >= 1 for gumbel-rao/);
  });
  it('ignores m for estimators that do not use it', () =>
    expect(() => call({ name: 'reinforce', m: 0 })).not.toThrow());
  it('rejects a workspace made for a smaller LOO group', () =>
    expect(() => call({ name: 'reinforce-loo', m: 5 })).toThrow(
      /m must be at most the workspace's m = 3 \(createGradientWorkspace\(K, m\)\), received 5/,
    ));
  it('rejects an objective or workspace of another K', () => {
    expect(() => call({ objective: linearObjective([1, 2]) })).toThrow(/objective.K must equal K = 4, received 2/);
    expect(() => call({ ws: createGradientWorkspace(5) })).toThrow(/workspace.K must equal K = 4, received 5/);
  });
  it('rejects too few uniforms or too little room for the output', () => {
    expect(() => call({ uOffset: 95 })).toThrow(
      /uniforms must be a Float64Array holding groups \* 8 = 16 values from uOffset = 95/,
    );
    expect(() => call({ out: new Float64Array(7) })).toThrow(/out must be a Float64Array with room for 8 values/);
  });
});
