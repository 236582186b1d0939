/**
 * The paired decision rule on simulated runs: the whole two-stage decision (screen, then the
 * confirmation's sign test with Bonferroni over the confirmed) run through `compareReports` on
 * synthetic reports, many times with fixed seeds. Each round's throughput of each side has
 * heavy-tailed noise (Student t with 3 degrees of freedom, 4 % scale) and, in 10 % of the
 * rounds, a neighbour's burst that slows that side by a uniform factor in [0.3, 1]: a rougher
 * law than this machine's rounds, and one a median/MAD 3-sigma rule cries wolf on.
 *
 * False alarms are counted over N simulated runs and checked against the stated rate with a
 * binomial bound: the test fails only when the count exceeds the (1 - 1e-6) quantile of
 * Binomial(N, 0.01), so a rule that keeps its 1 % promise fails it with probability below 1e-6.
 */
import { describe, expect, it } from 'vitest';
import { CONFIRMATION_ROUNDS, FAMILY_WISE_RATE, type Comparison, compareReports } from '../../src/bench/compare.js';
import { type SyntheticBenchmark, syntheticReport } from './helpers.js';

/** mulberry32: a small seeded generator. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** How noisy a simulated machine is: the scale of the t noise, and the share of rounds with a burst. */
interface Noise {
  scale: number;
  bursts: number;
}
/** A loaded shared machine: per-round paired ratios below 0.85 in about 6 % of the rounds (measured here: 5.4 %). */
const LOADED: Noise = { scale: 0.04, bursts: 0.1 };
/** A quiet machine: a 1.5 % scale, bursts in 2 % of the rounds. */
const QUIET: Noise = { scale: 0.015, bursts: 0.02 };

/** One side's throughput in one round: `level` with heavy-tailed noise and occasional bursts. */
function draw(u: () => number, level: number, noise: Noise): number {
  const chi2 = normal(u) ** 2 + normal(u) ** 2 + normal(u) ** 2;
  const t3 = normal(u) / Math.sqrt(chi2 / 3);
  const burst = u() < noise.bursts ? 0.3 + 0.7 * u() : 1;
  return level * Math.exp(noise.scale * t3) * burst;
}

/** Paired rounds of B benchmarks: the candidate at `ratios[b]` times the baseline's level, a shared drift per round. */
function rounds(
  u: () => number,
  ratios: readonly number[],
  n: number,
  noise: Noise,
): { base: number[][]; cand: number[][] } {
  const drift = Array.from({ length: n }, () => 0.6 + 0.8 * u());
  const side = (f: (b: number) => number) => ratios.map((_, b) => drift.map((d) => draw(u, 1e6 * d * f(b), noise)));
  return { base: side(() => 1), cand: side((b) => ratios[b]) };
}

/**
 * Simulates one paired gate: a run of `rounds` rounds, the screen, a confirmation of the
 * suspects in fresh rounds, and the final comparison.
 */
function simulate(u: () => number, ratios: readonly number[], noise = LOADED, threshold = 0.15, n = 12): Comparison {
  const ids = ratios.map((_, b) => `b${b}`);
  const first = rounds(u, ratios, n, noise);
  const report = (data: number[][], extra?: Map<number, number[]>) =>
    syntheticReport(
      Object.fromEntries(
        ids.map((id, b): [string, SyntheticBenchmark] => [id, { rounds: data[b], confirmation: extra?.get(b) }]),
      ),
      { runId: 'paired', calibration: [1e8] },
    );
  const screen = compareReports(report(first.base), report(first.cand), { threshold });
  if (screen.toConfirm.length === 0) return screen;
  const picked = screen.toConfirm.map((id) => Number(id.slice(1)));
  const again = rounds(
    u,
    picked.map((b) => ratios[b]),
    CONFIRMATION_ROUNDS,
    noise,
  );
  const confirmBase = new Map(picked.map((b, i) => [b, again.base[i]]));
  const confirmCand = new Map(picked.map((b, i) => [b, again.cand[i]]));
  return compareReports(report(first.base, confirmBase), report(first.cand, confirmCand), { threshold });
}

/** The largest count c with P(Binomial(n, p) > c) still above `tail`: the count a rate p stays under with probability 1 - tail. */
function binomialUpper(n: number, p: number, tail: number): number {
  let pmf = (1 - p) ** n;
  let cdf = pmf;
  let c = 0;
  while (1 - cdf > tail && c < n) {
    pmf *= ((n - c) / (c + 1)) * (p / (1 - p));
    cdf += pmf;
    c++;
  }
  return c;
}

function falseAlarms(seed: number, B: number, runs: number, ratio: number): { failed: number; named: number } {
  const u = generator(seed);
  let failed = 0;
  let named = 0;
  for (let r = 0; r < runs; r++) {
    const c = simulate(
      u,
      Array.from({ length: B }, () => ratio),
    );
    if (c.failed) failed++;
    named += c.counts.regression;
  }
  return { failed, named };
}

describe('the paired decision rule keeps its family-wise false-alarm rate (1 %) whatever the number of benchmarks', () => {
  for (const [B, runs] of [
    [1, 2000],
    [20, 400],
    [100, 150],
  ] as const) {
    it(`with no change, B = ${B}: failed runs within the binomial bound of ${FAMILY_WISE_RATE} over ${runs} simulated runs`, () => {
      const { failed } = falseAlarms(100 + B, B, runs, 1);
      expect(failed).toBeLessThanOrEqual(binomialUpper(runs, FAMILY_WISE_RATE, 1e-6));
    });
  }

  it('at the worst case the rule allows (every benchmark exactly at the threshold, B = 100), still within the bound', () => {
    // True median per-round ratio 0.85 = 1 - threshold: half the rounds fall below the line, so half the
    // benchmarks are suspects and the confirmation alone keeps the rate.
    const runs = 120;
    const { failed } = falseAlarms(7, 100, runs, 0.85);
    expect(failed).toBeLessThanOrEqual(binomialUpper(runs, FAMILY_WISE_RATE, 1e-6));
  });

  it('never fails on a change smaller than the threshold that every round shows (10 % slower, no noise)', () => {
    const base = syntheticReport({ a: { rounds: [1, 1, 1], confirmation: Array(20).fill(1) } }, { runId: 'p' });
    const cand = syntheticReport({ a: { rounds: [0.9, 0.9, 0.9], confirmation: Array(20).fill(0.9) } }, { runId: 'p' });
    const c = compareReports(base, cand, { threshold: 0.15 });
    expect(c.rows[0].verdict).toBe('unchanged');
    expect(c.failed).toBe(false);
  });
});

// Detection is checked on 50 seeded runs per case. The floors below are what a detection probability of
// 0.98 (quiet, or a 50 % slowdown) or 0.85 (30 % slower on a loaded machine: the line at 0.85 is then
// within the noise of a quarter of the rounds) clears with probability above 0.99 (binomial).
describe('the paired decision rule catches real regressions', () => {
  for (const [name, noise, ratio, floor] of [
    ['a quiet', QUIET, 1 / 1.3, 46],
    ['a loaded', LOADED, 1 / 1.3, 36],
    ['a loaded', LOADED, 1 / 1.5, 46],
  ] as const) {
    it(`catches one benchmark ${((1 / ratio - 1) * 100).toFixed(0)} % slower among 100 unchanged on ${name} machine, naming it alone`, () => {
      const u = generator(11);
      let caught = 0;
      let others = 0;
      for (let r = 0; r < 50; r++) {
        const ratios = Array.from({ length: 100 }, (_, b) => (b === 37 ? ratio : 1));
        const c = simulate(u, ratios, noise);
        if (c.rows.find((x) => x.id === 'b37')!.verdict === 'regression') caught++;
        others += c.rows.filter((x) => x.id !== 'b37' && x.verdict === 'regression').length;
      }
      expect(caught).toBeGreaterThanOrEqual(floor);
      expect(others).toBe(0);
    });
  }

  for (const [name, noise] of [
    ['a quiet', QUIET],
    ['a loaded', LOADED],
  ] as const) {
    it(`fails every one of 50 runs where every benchmark is 30 % slower (B = 20 and 100) on ${name} machine`, () => {
      const u = generator(12);
      for (const B of [20, 100]) {
        let failed = 0;
        for (let r = 0; r < 50; r++) if (simulate(u, Array(B).fill(1 / 1.3), noise).failed) failed++;
        expect(failed).toBe(50);
      }
    });
  }
});
