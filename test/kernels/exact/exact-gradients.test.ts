import { describe, expect, it } from 'vitest';
import {
  RELAXED_GRADIENT_STEP,
  discreteGradient,
  reinforceVariance,
  relaxedGradient,
  relaxedObjective,
} from '../../../src/kernels/exact/exact-gradients.js';
import { linearObjective, quadraticObjective, type Objective } from '../../../src/kernels/objectives.js';

// Everything here is deterministic (enumeration and quadrature), so tolerances are regression
// bounds with no false-failure rate; each states the error observed when it was written.

/** A smooth user objective, not one of the built-ins. */
const sine: Objective = {
  K: 4,
  f: (z) => Math.sin(z[0] + 2 * z[1] - z[2]) + z[3] * z[3],
  grad: (z, out) => {
    const c = Math.cos(z[0] + 2 * z[1] - z[2]);
    out[0] = c;
    out[1] = 2 * c;
    out[2] = -c;
    out[3] = 2 * z[3];
  },
};

/** E f(onehot(b)) by enumeration, written here from the definition. */
function discreteObjective(theta: ArrayLike<number>, obj: Objective): number {
  const K = theta.length;
  const w = Array.from(theta, Math.exp);
  const s = w.reduce((a, b) => a + b, 0);
  let total = 0;
  for (let b = 0; b < K; b++) {
    const e = new Float64Array(K);
    e[b] = 1;
    total += (w[b] / s) * obj.f(e);
  }
  return total;
}

/** `d E[y_1] / d x` for K = 2, tau = 1, x = theta_1 - theta_2 (spec section 8.3, differentiated). */
function closedFormSlope(x: number): number {
  // E[y_1] = h(rho) = rho (rho - 1 - log rho) / (rho - 1)^2, rho = e^x;
  // h'(rho) = ((rho + 1) log rho - 2 (rho - 1)) / (rho - 1)^3, and dh/dx = rho h'(rho).
  const rho = Math.exp(x);
  return (rho * ((rho + 1) * x - 2 * (rho - 1))) / (rho - 1) ** 3;
}

describe('discreteGradient', () => {
  it('is pi_i (c_i - c . pi) for a linear objective', () => {
    const g = discreteGradient([Math.log(0.2), Math.log(0.3), Math.log(0.5)], linearObjective([1, 0, -1]));
    [0.26, 0.09, -0.35].forEach((v, k) => expect(g[k]).toBeCloseTo(v, 15));
  });

  it('matches finite differences of the enumerated objective (user objective, K = 4)', () => {
    const theta = [0.3, -1.2, 0.8, 0.1];
    const g = discreteGradient(theta, sine);
    const h = 1e-5;
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      const up = theta.slice();
      const down = theta.slice();
      up[i] += h;
      down[i] -= h;
      const fd = (discreteObjective(up, sine) - discreteObjective(down, sine)) / (2 * h);
      expect(Math.abs(g[i] - fd)).toBeLessThanOrEqual(1e-9); // observed 3e-11
      sum += g[i];
    }
    expect(Math.abs(sum)).toBeLessThanOrEqual(1e-16); // shift invariance
  });

  it('gives 0 for a class of probability 0 and rejects a mismatched objective', () => {
    const g = discreteGradient([0, -Infinity, 1], linearObjective([1, 5, 0]));
    expect(g[1]).toBe(0);
    expect(() => discreteGradient([0, 1], linearObjective([1, 2, 3]))).toThrow(
      /objective.K must equal the number of logits \(2\), received 3/,
    );
    expect(() => discreteGradient([NaN, 1], linearObjective([1, 2]))).toThrow(RangeError);
  });
});

describe('reinforceVariance', () => {
  it('is pi (1 - pi)^2 ... for K = 2, equal probabilities, c = (1, 0): 1/16 per component', () => {
    expect(Array.from(reinforceVariance([0, 0], linearObjective([1, 0])))).toEqual([0.0625, 0.0625]);
  });

  it('is the two-point variance pi_1 pi_2 (f_1 pi_2 + f_2 pi_1)^2 for K = 2', () => {
    // g_1 = f_1 pi_2 with probability pi_1 and -f_2 pi_1 with probability pi_2
    const theta = [0.3, -0.2];
    const p1 = 1 / (1 + Math.exp(-0.5));
    const p2 = 1 - p1;
    const want = p1 * p2 * (2 * p2 + -1 * p1) ** 2;
    const v = reinforceVariance(theta, linearObjective([2, -1]));
    expect(v[0]).toBeCloseTo(want, 15);
    expect(v[1]).toBeCloseTo(want, 15);
  });
});

describe('relaxedObjective', () => {
  it('is exact for K = 2, tau = 1, equal logits (y_1 ~ Uniform(0, 1))', () => {
    expect(relaxedObjective([0, 0], 1, { kind: 'linear', c: [1, 0] })).toBeCloseTo(0.5, 15);
    // 2 E[(y_1 - 0.45)^2] = 2 (1/12 + 0.05^2)
    expect(relaxedObjective([0, 0], 1, { kind: 'quadratic', target: [0.45, 0.55] })).toBeCloseTo(
      2 * (1 / 12 + 0.0025),
      14,
    );
  });
});

describe('relaxedGradient', () => {
  it(`matches the K = 2, tau = 1 closed form to 1e-10 (step ${RELAXED_GRADIENT_STEP}; observed <= 6.3e-12)`, () => {
    for (const x of [-2, 0.5, 1, 3]) {
      const g = relaxedGradient([x, 0], 1, { kind: 'linear', c: [1, 0] });
      expect(Math.abs(g[0] - closedFormSlope(x))).toBeLessThanOrEqual(1e-10);
      expect(Math.abs(g[0] + g[1])).toBeLessThanOrEqual(1e-12);
    }
  });

  it('with Richardson extrapolation from steps 1e-3 and 5e-4 matches the closed form to 1e-12 (observed <= 1e-13)', () => {
    for (const x of [-2, 1]) {
      const g = relaxedGradient([x, 0], 1, { kind: 'linear', c: [1, 0] }, { step: 1e-3, richardson: true });
      expect(Math.abs(g[0] - closedFormSlope(x))).toBeLessThanOrEqual(1e-12);
    }
  });

  for (const tau of [0.1, 0.5, 2]) {
    it(`agrees with the Richardson value to 1e-10 for K = 4, tau = ${tau}, both objectives (observed <= 1.4e-11)`, () => {
      const theta = [0.3, -0.5, 0.1, -1.2];
      for (const spec of [
        { kind: 'linear', c: [1, -0.5, 0.2, 0.7] },
        { kind: 'quadratic', target: [0.9, 0.1, 0.3, 0] },
      ] as const) {
        const plain = relaxedGradient(theta, tau, spec);
        const rich = relaxedGradient(theta, tau, spec, { step: 1e-3, richardson: true });
        let sum = 0;
        for (let k = 0; k < 4; k++) {
          expect(Math.abs(plain[k] - rich[k])).toBeLessThanOrEqual(1e-10);
          sum += plain[k];
        }
        expect(Math.abs(sum)).toBeLessThanOrEqual(1e-10); // shift invariance
      }
    });
  }

  it('tends to the discrete gradient as tau falls and to (c - mean c) / (K tau) as tau grows', () => {
    const theta = [0.5, -0.3, 0.2];
    const obj = linearObjective([1, -1, 0.3]);
    const discrete = discreteGradient(theta, obj);
    const dist = (tau: number): number =>
      Math.hypot(...relaxedGradient(theta, tau, obj.spec).map((v, k) => v - discrete[k]));
    expect(dist(0.1)).toBeLessThan(0.1 * dist(1));
    const big = relaxedGradient(theta, 1000, obj.spec);
    const cbar = (1 - 1 + 0.3) / 3;
    [1, -1, 0.3].forEach((c, k) => expect(Math.abs(big[k] / ((c - cbar) / 3000) - 1)).toBeLessThan(1e-2));
  });

  it('rejects what it cannot differentiate, naming the argument', () => {
    expect(() => relaxedGradient([0, -Infinity], 1, { kind: 'linear', c: [1, 0] })).toThrow(
      /logits\[1\] must be finite \(it is perturbed\)/,
    );
    expect(() => relaxedGradient([0, 0], 1, { kind: 'linear', c: [1, 0, 0] })).toThrow(
      /spec.c must have K = 2 entries, received 3/,
    );
    expect(() => relaxedGradient([0, 0], 1, { kind: 'cubic' } as never)).toThrow(TypeError);
    expect(() => relaxedGradient([0, 0], 0, { kind: 'linear', c: [1, 0] })).toThrow(
      /temperature must be finite and > 0/,
    );
    expect(() => relaxedGradient([0, 0], 1, { kind: 'linear', c: [1, 0] }, { step: 0 })).toThrow(
      /options.step must be in/,
    );
  });
});

describe('relaxedGradient by quadrature (the default) across the temperature ladder', () => {
  const theta = [0.1, -0.3, 0.5, 0];
  const specs = [
    { kind: 'linear' as const, c: [0.3, -1, 2, 0.5] },
    { kind: 'quadratic' as const, target: [0.1, 0.2, 0.3, 0.4] },
  ];

  it('matches the K = 2, tau = 1 closed form to 1e-15 (observed <= 2.2e-16)', () => {
    for (const x of [-3, -0.7, 0.5, 1, 2.5]) {
      const g = relaxedGradient([x, 0], 1, { kind: 'linear', c: [1, 0] });
      expect(Math.abs(g[0] - closedFormSlope(x)), `x = ${x}`).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(g[1] + closedFormSlope(x)), `x = ${x}`).toBeLessThanOrEqual(1e-15);
    }
  });

  it('agrees with Richardson-extrapolated central differences within 1e-12 from 1e-300 to 1e300 (observed <= 3.5e-13)', () => {
    for (const tau of [1e-300, 1e-3, 0.3, 1, 2.5, 1e3, 1e300]) {
      for (const spec of specs) {
        const a = relaxedGradient(theta, tau, spec);
        const b = relaxedGradient(theta, tau, spec, { step: 1e-3, richardson: true });
        for (let k = 0; k < 4; k++) expect(Math.abs(a[k] - b[k]), `tau ${tau} ${spec.kind}`).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(a.reduce((s, v) => s + v, 0)), `tau ${tau} ${spec.kind}`).toBeLessThanOrEqual(1e-15);
      }
    }
  });

  it('tends to the discrete gradient as tau -> 0 (equal within 1e-15 at tau = 1e-300, 1e-100)', () => {
    // The relaxed sample is one-hot in the limit, so E f(z) -> E f(onehot(b)).
    for (const tau of [1e-300, 1e-100]) {
      for (const [spec, obj] of [
        [specs[0], linearObjective(specs[0].c as number[])],
        [specs[1], quadraticObjective(specs[1].target as number[])],
      ] as const) {
        const relaxed = relaxedGradient(theta, tau, spec);
        const discrete = discreteGradient(theta, obj);
        for (let k = 0; k < 4; k++) expect(Math.abs(relaxed[k] - discrete[k]), `tau ${tau}`).toBeLessThanOrEqual(1e-15);
      }
    }
  });

  it('tends to (c_i - mean c) / (K tau) as tau -> infinity (linear, within 1e-7 relative at 1e8 and 1e300: the next order is 1/tau)', () => {
    const c = specs[0].c as number[];
    const cbar = c.reduce((s, v) => s + v, 0) / 4;
    for (const tau of [1e8, 1e300]) {
      const g = relaxedGradient(theta, tau, specs[0]);
      for (let k = 0; k < 4; k++) {
        const want = (c[k] - cbar) / (4 * tau);
        expect(Math.abs(g[k] - want) / Math.abs(want), `tau ${tau}`).toBeLessThanOrEqual(1e-7);
      }
    }
  });
});
