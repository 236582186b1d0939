/**
 * The gate's decision on synthetic reports with known throughputs: no timing, exact answers.
 * Spreads are chosen so that every verdict is far from its boundary (no false failures).
 */
import { describe, expect, it } from 'vitest';
import { compareReports } from '../../src/bench/compare.js';
import { BenchInputError } from '../../src/bench/errors.js';
import { around, syntheticReport } from './helpers.js';

const steady = (center: number) => ({ rounds: around(10, center, 0.02) });

describe('compareReports', () => {
  it('flags a benchmark 30 % slower with a small spread as a regression, and the gate fails', () => {
    const base = syntheticReport({ a: steady(1e6), b: steady(2e6) });
    const cand = syntheticReport({ a: steady(0.7e6), b: steady(2e6) });
    const c = compareReports(base, cand, { threshold: 0.15 });
    const a = c.rows.find((r) => r.id === 'a')!;
    expect(a.verdict).toBe('regression');
    expect(a.ratio).toBeCloseTo(0.7, 10);
    expect(a.limit).toBe(0.15);
    expect(c.rows.find((r) => r.id === 'b')!.verdict).toBe('unchanged');
    expect(c.counts.regression).toBe(1);
    expect(c.failed).toBe(true);
  });

  it('reports a benchmark 30 % faster as an improvement, and the gate passes', () => {
    const c = compareReports(syntheticReport({ a: steady(1e6) }), syntheticReport({ a: steady(1.3e6) }));
    expect(c.rows[0].verdict).toBe('improvement');
    expect(c.failed).toBe(false);
  });

  it('passes a benchmark 8 % slower: within the 15 % threshold', () => {
    const c = compareReports(syntheticReport({ a: steady(1e6) }), syntheticReport({ a: steady(0.92e6) }), {
      threshold: 0.15,
    });
    expect(c.rows[0].verdict).toBe('unchanged');
    expect(c.failed).toBe(false);
  });

  it('passes a benchmark 25 % slower whose rounds spread so widely that the noise explains it', () => {
    const base = syntheticReport({ a: { rounds: around(10, 1e6, 0.6) } });
    const cand = syntheticReport({ a: { rounds: around(10, 0.75e6, 0.6) } });
    const c = compareReports(base, cand, { threshold: 0.15 });
    expect(c.rows[0].ratio).toBeCloseTo(0.75, 10);
    expect(c.rows[0].limit).toBeGreaterThan(0.25);
    expect(c.rows[0].verdict).toBe('unchanged');
    expect(c.failed).toBe(false);
  });

  it('uses the threshold given: 8 % slower fails at --threshold 0.05', () => {
    const c = compareReports(syntheticReport({ a: steady(1e6) }), syntheticReport({ a: steady(0.92e6) }), {
      threshold: 0.05,
    });
    expect(c.rows[0].verdict).toBe('regression');
  });

  it('does not flag a uniformly slower machine: benchmarks and calibration 40 % slower together', () => {
    const base = syntheticReport({ a: steady(1e6), b: steady(3e6) });
    const cand = syntheticReport({ a: steady(0.6e6), b: steady(1.8e6) }, { calibration: around(10, 0.6e8, 0.01) });
    const c = compareReports(base, cand);
    for (const r of c.rows) expect(r.ratio).toBeCloseTo(1, 10);
    expect(c.failed).toBe(false);
  });

  it('reports a benchmark missing from the candidate, and a new one, without failing', () => {
    const base = syntheticReport({ a: steady(1e6), gone: steady(1e6) });
    const cand = syntheticReport({ a: steady(1e6), added: steady(1e6) });
    const c = compareReports(base, cand);
    expect(c.rows.map((r) => [r.id, r.verdict])).toEqual([
      ['a', 'unchanged'],
      ['gone', 'missing'],
      ['added', 'new'],
    ]);
    expect(c.counts).toMatchObject({ missing: 1, new: 1, unchanged: 1 });
    expect(c.failed).toBe(false);
  });

  it('refuses a benchmark whose settings changed, naming the setting', () => {
    const base = syntheticReport({ a: steady(1e6) });
    const cand = syntheticReport({
      a: {
        rounds: around(10, 1e6, 0.02),
        settings: { kind: 'moments', api: 'engine', K: 16, tau: 0.5, N: 2048, threads: 1 },
      },
    });
    expect(() => compareReports(base, cand)).toThrow(BenchInputError);
    expect(() => compareReports(base, cand)).toThrow(
      /benchmark a was measured with different settings \(N: 1024 in the baseline, 2048 in the candidate\)/,
    );
  });

  it('refuses reports normalised by different calibration loops', () => {
    const base = syntheticReport({ a: steady(1e6) });
    const cand = syntheticReport({ a: steady(1e6) }, { calibrationVersion: 'other-loop' });
    expect(() => compareReports(base, cand)).toThrow(/different calibration loops/);
  });

  it('refuses reports with no benchmark in common', () => {
    expect(() => compareReports(syntheticReport({ a: steady(1) }), syntheticReport({ b: steady(1) }))).toThrow(
      /no benchmark in common/,
    );
  });

  it('refuses a threshold outside (0, 1)', () => {
    const r = syntheticReport({ a: steady(1) });
    expect(() => compareReports(r, r, { threshold: 1.5 })).toThrow(/threshold must be a fraction between 0 and 1/);
    expect(() => compareReports(r, r, { threshold: 0 })).toThrow(BenchInputError);
  });

  it('warns when the candidate ran with the slowdown switch', () => {
    const c = compareReports(syntheticReport({ a: steady(1) }), syntheticReport({ a: steady(1) }, { slowdown: 0.3 }));
    expect(c.warnings.join('\n')).toMatch(/candidate ran with RELAXED_MC_BENCH_SLOWDOWN=0.3/);
  });
});

describe('compareReports on paired reports (one run timing both builds)', () => {
  it('uses the per-round ratios: a drift shared by both sides cancels', () => {
    // The machine slows by half in rounds 5-9, for both builds alike; the candidate is 5 % slower throughout.
    const drift = Array.from({ length: 10 }, (_, i) => (i < 5 ? 1 : 0.5) * (1 + 0.01 * ((i * 3) % 5)));
    const base = syntheticReport({ a: { rounds: drift.map((d) => 1e6 * d) } }, { runId: 'same' });
    const cand = syntheticReport({ a: { rounds: drift.map((d) => 0.95e6 * d) } }, { runId: 'same' });
    const c = compareReports(base, cand);
    expect(c.mode).toBe('paired');
    expect(c.rows[0].ratio).toBeCloseTo(0.95, 10);
    expect(c.rows[0].sigma).toBeCloseTo(0, 10);
    expect(c.rows[0].verdict).toBe('unchanged');
  });

  it('makes a paired 30 % slowdown a suspect to confirm, not yet a failure', () => {
    const drift = Array.from({ length: 10 }, (_, i) => 1 + 0.2 * Math.sin(i));
    const base = syntheticReport({ a: { rounds: drift.map((d) => 1e6 * d) }, b: steady(1e6) }, { runId: 'same' });
    const cand = syntheticReport(
      { a: { rounds: drift.map((d, i) => 0.7e6 * d * (1 + 0.01 * (i % 3))) }, b: steady(1e6) },
      { runId: 'same' },
    );
    const c = compareReports(base, cand);
    expect(c.rows[0].verdict).toBe('suspect');
    expect(c.toConfirm).toEqual(['a']);
    expect(c.failed).toBe(false);
  });

  it('fails when the confirmation rounds show the slowdown (sign test below 1 % / m)', () => {
    const conf = (level: number) => around(30, level, 0.05);
    const base = syntheticReport({ a: { rounds: around(10, 1e6, 0.02), confirmation: conf(1e6) } }, { runId: 'p' });
    const cand = syntheticReport({ a: { rounds: around(10, 0.7e6, 0.02), confirmation: conf(0.7e6) } }, { runId: 'p' });
    const c = compareReports(base, cand);
    const a = c.rows[0];
    expect(a.verdict).toBe('regression');
    expect(c.confirmed).toBe(1);
    expect(a.confirmation).toMatchObject({ rounds: 30, below: 30 });
    expect(a.confirmation!.p / 2 ** -30).toBeCloseTo(1, 12);
    expect(a.confirmation!.ratio).toBeCloseTo(0.7, 10);
    expect(a.confirmation!.interval[0]).toBeLessThanOrEqual(0.7);
    expect(a.confirmation!.interval[1]).toBeGreaterThanOrEqual(0.7);
    expect(c.failed).toBe(true);
  });

  it('clears a suspect whose confirmation rounds do not stay below the line', () => {
    // First pass 30 % slower (a burst), confirmation: 10 of 30 rounds below 0.85 (p = 0.98).
    const confirmation = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 0.7e6 : 1e6));
    const base = syntheticReport(
      { a: { rounds: around(10, 1e6, 0.02), confirmation: Array(30).fill(1e6) } },
      { runId: 'p' },
    );
    const cand = syntheticReport({ a: { rounds: around(10, 0.7e6, 0.02), confirmation } }, { runId: 'p' });
    const c = compareReports(base, cand);
    expect(c.rows[0].verdict).toBe('unchanged');
    expect(c.rows[0].confirmation).toMatchObject({ below: 10 });
    expect(c.failed).toBe(false);
  });

  it('divides the rate among the confirmed: 22 of 30 rounds below confirms one suspect alone, not one of eight', () => {
    // P(Binomial(30, 1/2) >= 22) = 0.0081: below 1 % / 1, above 1 % / 8.
    const below = (k: number) => Array.from({ length: 30 }, (_, i) => (i < k ? 0.7e6 : 1e6));
    const ids = Array.from({ length: 8 }, (_, i) => `s${i}`);
    const make = (n: number, cand: boolean) =>
      syntheticReport(
        Object.fromEntries(
          ids
            .slice(0, n)
            .map((id) => [
              id,
              { rounds: around(10, cand ? 0.7e6 : 1e6, 0.02), confirmation: cand ? below(22) : Array(30).fill(1e6) },
            ]),
        ),
        { runId: 'p' },
      );
    expect(compareReports(make(1, false), make(1, true)).failed).toBe(true);
    const eight = compareReports(make(8, false), make(8, true));
    expect(eight.confirmed).toBe(8);
    expect(eight.failed).toBe(false);
  });

  it('confirms at most 8 suspects, those with the lowest ratios first', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `s${i}`);
    const base = syntheticReport(Object.fromEntries(ids.map((id) => [id, steady(1e6)])), { runId: 'p' });
    const cand = syntheticReport(Object.fromEntries(ids.map((id, i) => [id, steady((0.5 + 0.02 * i) * 1e6)])), {
      runId: 'p',
    });
    expect(compareReports(base, cand).toConfirm).toEqual(ids.slice(0, 8));
  });
});

describe('compareReports on independent runs', () => {
  it('widens the noise to the scatter of the ratios across benchmarks, so one outlier among scattered ratios passes', () => {
    // Ten benchmarks whose ratios scatter by about +-10 % between two runs; one at 0.82.
    const ratios = [0.82, 0.9, 0.94, 0.97, 1, 1.02, 1.05, 1.08, 1.1, 1.12];
    const ids = ratios.map((_, i) => `b${i}`);
    const base = syntheticReport(Object.fromEntries(ids.map((id) => [id, steady(1e6)])));
    const cand = syntheticReport(Object.fromEntries(ids.map((id, i) => [id, steady(1e6 * ratios[i])])));
    const c = compareReports(base, cand, { threshold: 0.15 });
    expect(c.mode).toBe('independent');
    expect(c.scatter).toBeGreaterThan(0.06);
    expect(c.rows[0].verdict).toBe('unchanged');
    expect(c.failed).toBe(false);
  });

  it('still flags a uniform 30 % slowdown: it shifts every ratio without scattering them', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `b${i}`);
    const base = syntheticReport(Object.fromEntries(ids.map((id) => [id, steady(1e6)])));
    const cand = syntheticReport(Object.fromEntries(ids.map((id, i) => [id, steady(0.7e6 * (1 + 0.005 * i))])));
    const c = compareReports(base, cand);
    expect(c.counts.regression).toBe(10);
  });
});
