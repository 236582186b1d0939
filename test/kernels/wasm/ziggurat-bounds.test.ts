/**
 * The ziggurats' wedge tests decide most candidates with two cheap bounds of the density
 * instead of evaluating it (src/kernels/wasm/assembly/xoshiro.ts and log-exponential.ts). They
 * keep the stream's bits only if the bounds, with their 2^-40 margins, really lie below and above
 * the density everywhere in every wedge, by more than the density's own rounding: checked here
 * on a fine grid of every layer's wedges (the same formulas as the kernels, evaluated in
 * JavaScript against Math.exp), endpoints included.
 */
import { describe, expect, it } from 'vitest';
import { zigguratTables } from '../../../src/kernels/wasm/ziggurat.js';
import { logZigguratTables } from '../../../src/kernels/wasm/log-ziggurat.js';

const BELOW = 1 - 2 ** -40;
const ABOVE = 1 + 2 ** -40;
/** What the bounds must leave for the kernels' exp (a few ulp from exact): 2^-48 relative. */
const ROOM = 2 ** -48;
const POINTS = 400;

/** Largest (bound / density) below and smallest above, over a layer's wedge grid. */
function worst(
  points: number[],
  density: (x: number) => number,
  lower: (x: number) => number,
  upper: (x: number) => number,
) {
  let maxLow = -Infinity;
  let minHigh = Infinity;
  for (const x of points) {
    const f = density(x);
    maxLow = Math.max(maxLow, lower(x) / f);
    minHigh = Math.min(minHigh, upper(x) / f);
  }
  return { maxLow, minHigh };
}

function grid(a: number, b: number): number[] {
  return Array.from({ length: POINTS + 1 }, (_, j) => (j === POINTS ? b : a + ((b - a) * j) / POINTS));
}

describe('wedge bounds of the Exp(1) ziggurat: tangent below, chord above exp(-x)', () => {
  const t = zigguratTables();
  const X = t.subarray(0, 257);
  const F = t.subarray(257, 514);
  it('hold on every layer 1..255 with room for rounding', () => {
    for (let i = 1; i < 256; i++) {
      const lower = (x: number) => F[i] * (1 + (X[i] - x)) * BELOW;
      const upper = (x: number) => (F[i] + (F[i + 1] - F[i]) * ((X[i] - x) / (X[i] - X[i + 1]))) * ABOVE;
      const w = worst(grid(X[i + 1], X[i]), (x) => Math.exp(-x), lower, upper);
      expect(w.maxLow, `layer ${i}`).toBeLessThan(1 - ROOM);
      expect(w.minHigh, `layer ${i}`).toBeGreaterThan(1 + ROOM);
    }
  });
});

describe('wedge bounds of the log-Exp(1) ziggurat: chord of ln f below, tangent of ln f above f(v) = exp(v - e^v)', () => {
  const t = logZigguratTables();
  const Y = t.subarray(4 * 256, 4 * 256 + 257);
  const bounds = t.subarray(4 * 256 + 257 + 6);
  it('hold on both wedges of every layer 1..255 with room for rounding', () => {
    for (let i = 1; i < 256; i++) {
      const [start, , low, high] = t.subarray(4 * i, 4 * i + 4);
      const [lnR, slopeLeft, slopeRight, Ri] = bounds.subarray(4 * i, 4 * i + 4);
      for (const [a, b, slope] of [
        [start, low, slopeLeft],
        [Ri, high, slopeRight],
      ]) {
        const lower = (x: number) => Y[i] * (1 + ((x - a) / (b - a)) * lnR) * BELOW;
        const upper = (x: number) => (Y[i + 1] / (1 + slope * Math.abs(x - b))) * ABOVE;
        const w = worst(grid(a, b), (x) => Math.exp(x - Math.exp(x)), lower, upper);
        expect(w.maxLow, `layer ${i}, wedge [${a}, ${b}]`).toBeLessThan(1 - ROOM);
        expect(w.minHigh, `layer ${i}, wedge [${a}, ${b}]`).toBeGreaterThan(1 + ROOM);
      }
    }
  });

  it('store R_i as the layer ends (start + width) to within rounding', () => {
    for (let i = 1; i < 256; i++) {
      const [start, width] = t.subarray(4 * i, 4 * i + 2);
      expect(Math.abs(bounds[4 * i + 3] - (start + width))).toBeLessThanOrEqual(
        2 ** -50 * Math.max(1, Math.abs(start)),
      );
    }
  });
});
