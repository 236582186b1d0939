/**
 * The engine's per-chunk streams (xoshiro256+ lanes seeded by Philox(seed, chunk)) and the
 * ziggurat Exp(1) sampler. Fixed seeds; each threshold states its false-failure rate.
 */
import { describe, expect, it } from 'vitest';
import { chunkDraws } from '../../helpers/chunk-draws.js';
import { ZIGGURAT_R } from '../../../src/kernels/wasm/ziggurat.js';
import { logZigguratTables } from '../../../src/kernels/wasm/log-ziggurat.js';
import { chiSquarePValue, ksPValue, ksStatistic } from '../../helpers/stats.js';

describe('uniforms', () => {
  it('lie strictly inside (0, 1) and are uniform (chi-square on 100 bins, p > 1e-4: false-failure rate 1e-4)', () => {
    const u = chunkDraws('uniform', 1, 0, 1 << 20);
    const counts = new Float64Array(100);
    let outside = 0;
    for (const x of u) {
      if (!(x > 0 && x < 1)) outside++;
      else counts[Math.floor(x * 100)]++;
    }
    expect(outside).toBe(0);
    let stat = 0;
    const e = u.length / 100;
    for (const c of counts) stat += (c - e) ** 2 / e;
    expect(chiSquarePValue(stat, 99)).toBeGreaterThan(1e-4);
  });

  it('are a function of (seed, chunk) only', () => {
    expect(chunkDraws('uniform', 9, 4, 64)).toEqual(chunkDraws('uniform', 9, 4, 64));
    expect(chunkDraws('uniform', 9, 4, 64)).not.toEqual(chunkDraws('uniform', 9, 5, 64));
    expect(chunkDraws('uniform', 9, 4, 64)).not.toEqual(chunkDraws('uniform', 10, 4, 64));
  });
});

describe('streams of neighbouring chunks behave as independent', () => {
  it('paired draws of chunks c and c+1 (c = 0..31) show no correlation and a uniform joint law (64 tests, each with false-failure rate 1e-5)', () => {
    const n = 1 << 14;
    let prev = chunkDraws('uniform', 2024, 0, n);
    for (let c = 1; c <= 32; c++) {
      const cur = chunkDraws('uniform', 2024, c, n);
      let sxy = 0;
      const grid = new Float64Array(100);
      for (let i = 0; i < n; i++) {
        sxy += (prev[i] - 0.5) * (cur[i] - 0.5);
        grid[Math.floor(prev[i] * 10) * 10 + Math.floor(cur[i] * 10)]++;
      }
      // corr = sxy / (n / 12); under independence sqrt(n) corr ~ N(0, 1); |z| < 4.42 has rate 1e-5.
      const z = (sxy / (n / 12)) * Math.sqrt(n);
      expect(Math.abs(z), `chunks ${c - 1} and ${c}`).toBeLessThan(4.42);
      let stat = 0;
      for (const g of grid) stat += (g - n / 100) ** 2 / (n / 100);
      expect(chiSquarePValue(stat, 99), `chunks ${c - 1} and ${c}`).toBeGreaterThan(1e-5);
      prev = cur;
    }
  });

  it('the two lanes of one stream are uncorrelated (false-failure rate 1e-5)', () => {
    const u = chunkDraws('uniform', 77, 3, 1 << 18);
    let s = 0;
    for (let i = 0; i < u.length; i += 2) s += (u[i] - 0.5) * (u[i + 1] - 0.5);
    const n = u.length / 2;
    expect(Math.abs((s / (n / 12)) * Math.sqrt(n))).toBeLessThan(4.42);
  });
});

describe('ziggurat Exp(1) draws', () => {
  const n = 1 << 20;
  const e = chunkDraws('exponential', 5, 1, n);

  it('are positive and follow Exp(1) (Kolmogorov-Smirnov, p > 1e-4: false-failure rate 1e-4)', () => {
    expect(e.every((x) => x > 0)).toBe(true);
    expect(
      ksPValue(
        ksStatistic(e, (x) => -Math.expm1(-x)),
        n,
      ),
    ).toBeGreaterThan(1e-4);
  });

  it('have mean 1 and variance 1 (within 5 standard errors; false-failure rate ~1e-6 each)', () => {
    let s = 0;
    let s2 = 0;
    for (const x of e) {
      s += x;
      s2 += x * x;
    }
    const m = s / n;
    const v = s2 / n - m * m;
    expect(Math.abs(m - 1) / Math.sqrt(1 / n)).toBeLessThan(5);
    // Var of the sample variance of Exp(1): (mu4 - sigma^4) / n = 8 / n.
    expect(Math.abs(v - 1) / Math.sqrt(8 / n)).toBeLessThan(5);
  });

  it('reach the tail beyond the ziggurat base (x > r) and the thin top layers with the right frequencies (5 sd each)', () => {
    const bands: [number, number][] = [
      [ZIGGURAT_R, Infinity], // tail: drawn by r - log(u), rarely
      [0, 0.01], // top layers: many wedge rejections
      [3, 4],
    ];
    for (const [a, b] of bands) {
      const p = Math.exp(-a) - Math.exp(-b);
      let c = 0;
      for (const x of e) if (x >= a && x < b) c++;
      expect(Math.abs(c - n * p) / Math.sqrt(n * p * (1 - p)), `band [${a}, ${b})`).toBeLessThan(5);
    }
  });

  it('do not depend on the uniforms of the other lane (paired draws uncorrelated; false-failure rate 1e-5)', () => {
    let s = 0;
    for (let i = 0; i < n; i += 2) s += (e[i] - 1) * (e[i + 1] - 1);
    expect(Math.abs((s / (n / 2)) * Math.sqrt(n / 2))).toBeLessThan(4.42);
  });
});

describe('two-sided ziggurat draws of log E, E ~ Exp(1)', () => {
  const n = 1 << 21;
  const v = chunkDraws('log-exponential', 6, 2, n);
  /** P(log E <= x) = 1 - exp(-e^x). */
  const cdf = (x: number) => -Math.expm1(-Math.exp(x));

  it('follow the law of log E (Kolmogorov-Smirnov, p > 1e-4: false-failure rate 1e-4)', () => {
    expect(v.every((x) => Number.isFinite(x))).toBe(true);
    expect(ksPValue(ksStatistic(v, cdf), n)).toBeGreaterThan(1e-4);
  });

  it('have the Gumbel moments: mean -gamma, variance pi^2/6 (5 standard errors; false-failure rate ~1e-6 each)', () => {
    let s = 0;
    let s2 = 0;
    for (const x of v) {
      s += x;
      s2 += x * x;
    }
    const m = s / n;
    const va = s2 / n - m * m;
    const gamma = 0.5772156649015329;
    const sigma2 = Math.PI ** 2 / 6;
    expect(Math.abs(m + gamma) / Math.sqrt(sigma2 / n)).toBeLessThan(5);
    // Var of the sample variance: (mu4 - sigma^4) / n, with mu4 = 27/5 sigma^4 for the Gumbel law.
    expect(Math.abs(va - sigma2) / Math.sqrt(((27 / 5 - 1) * sigma2 ** 2) / n)).toBeLessThan(5);
  });

  it('reach both tails beyond the base layer, the top layer and the wedges with the right frequencies (chi-square over 14 bands, p > 1e-4)', () => {
    const t = logZigguratTables();
    const L1 = t[0];
    const R1 = t[3];
    // Band edges: both tails, the thin top around the mode (wedge-only layer), and edges in between.
    const edges = [-Infinity, -40, -20, L1, -5, -3, -1.5, -0.5, -0.2, 0, 0.2, 0.5, 1, R1, 3, Infinity];
    const counts = new Float64Array(edges.length - 1);
    for (const x of v) {
      let j = 0;
      while (x >= edges[j + 1]) j++;
      counts[j]++;
    }
    const probs = counts.map((_, j) => cdf(edges[j + 1]) - cdf(edges[j]));
    let stat = 0;
    for (let j = 0; j < counts.length; j++) stat += (counts[j] - n * probs[j]) ** 2 / (n * probs[j]);
    expect(chiSquarePValue(stat, counts.length - 1)).toBeGreaterThan(1e-4);
    // The tails themselves are reached: P(V < L1) = 3.5e-4, P(V > R1) = 3.3e-5 (both > 5 sd above 0 at this n).
    expect(counts[0] + counts[1] + counts[2]).toBeGreaterThan(0);
    expect(counts[13] + counts[14]).toBeGreaterThan(0);
  });

  it('are a function of (seed, chunk) only, and the two lanes are uncorrelated (false-failure rate 1e-5)', () => {
    expect(chunkDraws('log-exponential', 9, 4, 64)).toEqual(chunkDraws('log-exponential', 9, 4, 64));
    expect(chunkDraws('log-exponential', 9, 4, 64)).not.toEqual(chunkDraws('log-exponential', 9, 5, 64));
    const gamma = 0.5772156649015329;
    let s = 0;
    for (let i = 0; i < n; i += 2) s += (v[i] + gamma) * (v[i + 1] + gamma);
    const sigma2 = Math.PI ** 2 / 6;
    expect(Math.abs((s / (n / 2) / sigma2) * Math.sqrt(n / 2))).toBeLessThan(4.42);
  });
});
