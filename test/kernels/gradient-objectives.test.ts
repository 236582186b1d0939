import { describe, expect, it } from 'vitest';
import {
  linearObjective,
  objectiveFromModule,
  objectiveFromSpec,
  quadraticObjective,
  type Objective,
} from '../../src/kernels/objectives.js';

// Deterministic checks (no false-failure rate); finite-difference tolerances are regression
// bounds (central differences of a quadratic are exact up to rounding, ~1e-10 here).

function fdGrad(obj: Objective, z: Float64Array): Float64Array {
  const h = 1e-6;
  const g = new Float64Array(z.length);
  const t = Float64Array.from(z);
  for (let k = 0; k < z.length; k++) {
    t[k] = z[k] + h;
    const up = obj.f(t);
    t[k] = z[k] - h;
    const down = obj.f(t);
    t[k] = z[k];
    g[k] = (up - down) / (2 * h);
  }
  return g;
}

describe('objectives on the simplex', () => {
  it('linear: f(z) = c . z, gradient c', () => {
    const obj = linearObjective([1, -1, 0.5]);
    expect(obj.K).toBe(3);
    expect(obj.f(Float64Array.of(0.2, 0.3, 0.5))).toBeCloseTo(0.15, 15);
    const g = new Float64Array(3);
    obj.grad(Float64Array.of(0.2, 0.3, 0.5), g);
    expect(Array.from(g)).toEqual([1, -1, 0.5]);
  });

  it('quadratic: f(z) = |z - t|^2, gradient 2 (z - t), f(e_b) = |t|^2 + 1 - 2 t_b', () => {
    const t = [0.45, 0.55, 0.1];
    const obj = quadraticObjective(t);
    const z = Float64Array.of(0.2, 0.3, 0.5);
    expect(obj.f(z)).toBeCloseTo(0.25 ** 2 + 0.25 ** 2 + 0.4 ** 2, 15);
    const g = new Float64Array(3);
    obj.grad(z, g);
    const fd = fdGrad(obj, z);
    for (let k = 0; k < 3; k++) expect(Math.abs(g[k] - fd[k])).toBeLessThanOrEqual(1e-9);
    const norm2 = t.reduce((a, x) => a + x * x, 0);
    for (let b = 0; b < 3; b++) {
      const e = new Float64Array(3);
      e[b] = 1;
      expect(obj.f(e)).toBeCloseTo(norm2 + 1 - 2 * t[b], 14);
    }
  });

  it('reads and writes subarray views', () => {
    const obj = quadraticObjective([0.1, 0.9]);
    const buf = Float64Array.of(7, 0.3, 0.7, 7);
    const out = new Float64Array(6).fill(-1);
    obj.grad(buf.subarray(1, 3), out.subarray(2, 4));
    expect(Array.from(out).map((x) => +x.toFixed(12))).toEqual([-1, -1, 0.4, -0.4, -1, -1]);
    expect(obj.f(buf.subarray(1, 3))).toBeCloseTo(0.08, 15);
  });

  it('copies its coefficients and round-trips through its spec', () => {
    const c = [1, 2, 3];
    const obj = linearObjective(c);
    c[0] = 100;
    expect(obj.f(Float64Array.of(1, 0, 0))).toBe(1);
    const again = objectiveFromSpec(obj.spec);
    expect(again.f(Float64Array.of(0.2, 0.3, 0.5))).toBe(obj.f(Float64Array.of(0.2, 0.3, 0.5)));
    const q = objectiveFromSpec({ kind: 'quadratic', target: [0, 1] });
    expect(q.f(Float64Array.of(1, 0))).toBe(2);
  });

  it('rejects bad coefficients, naming the argument and the value', () => {
    expect(() => linearObjective([])).toThrow(/c must have at least one entry/);
    expect(() => quadraticObjective([0, NaN])).toThrow(/target\[1\] must be a finite number, received NaN/);
    expect(() => linearObjective(null as unknown as number[])).toThrow(TypeError);
    expect(() => objectiveFromSpec({ kind: 'cubic' } as never)).toThrow(
      /spec.kind must be 'linear' or 'quadratic', received cubic/,
    );
  });

  it('wraps a user module after one trial call', () => {
    const mod = {
      f: (z: Float64Array) => z[0] * z[1],
      grad: (z: Float64Array, out: Float64Array) => {
        out[0] = z[1];
        out[1] = z[0];
      },
    };
    const obj = objectiveFromModule(2, mod, 'prod.mjs');
    expect(obj.K).toBe(2);
    expect(obj.f(Float64Array.of(0.5, 0.5))).toBe(0.25);
    expect(() => objectiveFromModule(2, { f: mod.f }, 'half.mjs')).toThrow(
      /half.mjs must export functions f\(z\) and grad\(z, out\)/,
    );
    expect(() => objectiveFromModule(3, mod, 'prod.mjs')).toThrow(
      /grad\(z, out\) at the centre of the simplex must write K = 3 finite numbers, out\[2\] is NaN/,
    );
    expect(() => objectiveFromModule(2, { f: () => NaN, grad: mod.grad })).toThrow(
      /f\(z\) at the centre of the simplex must be a finite number, received NaN/,
    );
    expect(() => objectiveFromModule(0, mod)).toThrow(/K must be a positive integer, received 0/);
  });
});
