/**
 * The WebAssembly log-density (used by log_prob in-process and by the engine) against the scalar
 * JavaScript kernel it replaced, written directly from the formula with Math.log / Math.exp.
 */
import { describe, expect, it } from 'vitest';
import { wasmLogProbRows } from '../../../src/kernels/wasm/kernels.js';
import { concreteLogProbRows, logProbConstants } from '../../../src/kernels/log-prob.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

function both(
  K: number,
  B: number,
  rows: number,
  values: Float64Array,
  logSpace: boolean,
  jac: number,
  logits: Float64Array,
  temps: Float64Array,
) {
  const c = new Float64Array(B);
  logProbConstants(B, K, logits, temps, c);
  const ref = new Float64Array(rows);
  const got = new Float64Array(rows);
  concreteLogProbRows(rows, K, 0, B, logits, temps, c, values, 0, logSpace, jac, new Float64Array(K), ref, 0);
  wasmLogProbRows(rows, K, 0, B, logits, temps, c, values, 0, logSpace, jac, got, 0);
  return { ref, got };
}

describe('the WebAssembly log-density equals the scalar formula', () => {
  for (const K of [1, 2, 3, 16, 17, 100]) {
    it(`K = ${K}: simplex and log-simplex values, batched temperatures 0.05..20 (relative difference <= 1e-13)`, () => {
      const u = lcg(K);
      const B = 3;
      const rows = 300;
      const temps = Float64Array.from({ length: B }, () => Math.exp(Math.log(0.05) + u() * Math.log(400)));
      const logits = new Float64Array(B * K);
      for (let b = 0; b < B; b++) {
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, (logits[b * K + k] = 3 * (u() - 0.5)));
        let s = 0;
        for (let k = 0; k < K; k++) s += Math.exp(logits[b * K + k] - m);
        for (let k = 0; k < K; k++) logits[b * K + k] -= m + Math.log(s);
      }
      // Points of the simplex from normalised exponentials, spread over many orders of magnitude.
      const values = new Float64Array(rows * K);
      const logValues = new Float64Array(rows * K);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += values[r * K + k] = Math.exp(-30 * u() * u());
        for (let k = 0; k < K; k++) {
          values[r * K + k] /= s;
          logValues[r * K + k] = Math.log(values[r * K + k]);
        }
      }
      for (const [v, logSpace, jac] of [
        [values, false, 1],
        [logValues, true, 1],
        [logValues, true, 0],
      ] as const) {
        const { ref, got } = both(K, B, rows, v, logSpace, jac, logits, temps);
        for (let r = 0; r < rows; r++) {
          expect(Math.abs(got[r] - ref[r]), `row ${r}: ${got[r]} vs ${ref[r]}`).toBeLessThanOrEqual(
            1e-13 * Math.max(1, Math.abs(ref[r])),
          );
        }
      }
    });
  }

  it('gives the same non-finite results: exact zeros (NaN), NaN values, -Infinity logits, subnormal entries', () => {
    const K = 3;
    const logits = Float64Array.of(
      Math.log(0.2),
      Math.log(0.3),
      Math.log(0.5),
      -Infinity,
      Math.log(0.4),
      Math.log(0.6),
    );
    const temps = Float64Array.of(0.5, 0.5);
    const values = Float64Array.of(
      0,
      0.4,
      0.6,
      0.2,
      0.3,
      0.5,
      NaN,
      0.5,
      0.5,
      0.2,
      0.3,
      0.5,
      1e-310,
      0.5,
      0.5 - 1e-310,
      1,
      0,
      0,
    );
    const { ref, got } = both(K, 2, 6, values, false, 1, logits, temps);
    for (let r = 0; r < 6; r++) {
      if (Number.isFinite(ref[r])) expect(Math.abs(got[r] - ref[r])).toBeLessThanOrEqual(1e-12 * Math.abs(ref[r]));
      else
        expect(
          Object.is(got[r], ref[r]) || (Number.isNaN(got[r]) && Number.isNaN(ref[r])),
          `row ${r}: ${got[r]} vs ${ref[r]}`,
        ).toBe(true);
    }
  });
});
