/**
 * RELAXED_MC_BENCH_SLOWDOWN: parsed strictly, applied to the benchmark tasks, never to the
 * calibration loop.
 */
import { describe, expect, it } from 'vitest';
import { BenchInputError } from '../../src/bench/errors.js';
import { runTasks } from '../../src/bench/runner.js';
import { Slowdown, idMatcher, readSlowdown } from '../../src/bench/slowdown.js';
import type { BenchTask } from '../../src/bench/tasks.js';

/** Busy-waits `ms` milliseconds. */
function busy(ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n++;
  return n > 0 ? 1 : 0;
}

describe('readSlowdown', () => {
  it('reads a decimal fraction, and 0 when the variable is unset or empty', () => {
    expect(readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '0.3' })).toEqual({ fraction: 0.3, pattern: null });
    expect(readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: ' 1e-1 ' })).toEqual({ fraction: 0.1, pattern: null });
    expect(readSlowdown({})).toEqual({ fraction: 0, pattern: null });
    expect(readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '' })).toEqual({ fraction: 0, pattern: null });
  });

  it('reads a targeted slowdown: FRACTION@PATTERN', () => {
    expect(readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '0.25@moments/K16/*' })).toEqual({
      fraction: 0.25,
      pattern: 'moments/K16/*',
    });
    expect(readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: ' .5 @ in-process-logProb/K4/N256 ' })).toEqual({
      fraction: 0.5,
      pattern: 'in-process-logProb/K4/N256',
    });
  });

  it('refuses anything else, naming the variable and the value', () => {
    for (const bad of [
      'abc',
      '-0.3',
      '30%',
      '0x1',
      '11',
      'NaN',
      '0.3@',
      '@moments/*',
      '0.3@a b',
      '0.3@x;rm',
      '0.3@@x',
    ]) {
      expect(() => readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: bad })).toThrow(BenchInputError);
      expect(() => readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: bad })).toThrow(/^RELAXED_MC_BENCH_SLOWDOWN/);
    }
    expect(() => readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '30%' })).toThrow(
      "RELAXED_MC_BENCH_SLOWDOWN must be a decimal between 0 and 10 (0.3 = 30 % extra work), optionally followed by @ and a benchmark-id pattern (0.25@moments/K16/*), but got '30%'.",
    );
    expect(() => readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '0.3@a b' })).toThrow(
      "RELAXED_MC_BENCH_SLOWDOWN: the pattern after @ must be a benchmark id with * and ? wildcards (letters, digits, / _ . -), such as moments/K16/*, but got 'a b'.",
    );
  });
});

describe('idMatcher', () => {
  it('matches whole ids, * across slashes and ? for one character, dots literally', () => {
    const m = idMatcher('moments/K16/*');
    expect(m('moments/K16/N32768/t1')).toBe(true);
    expect(m('moments/K1024/N4096/t1')).toBe(false);
    expect(m('in-process-moments/K16/N1')).toBe(false);
    expect(idMatcher('sample/K16/N1638?/t2')('sample/K16/N16384/t2')).toBe(true);
    expect(idMatcher('a.b')('axb')).toBe(false);
  });
});

describe('Slowdown', () => {
  it('returns the task itself when the fraction is 0', () => {
    const f = () => 1;
    expect(new Slowdown(0).wrap(f)).toBe(f);
  });

  it('makes a 4 ms call last at least 5.2 ms with fraction 0.3, sync or async', async () => {
    // The busy-wait is measured on the same clock as the call, so the lower bound is exact.
    const s = new Slowdown(0.3);
    let t = performance.now();
    expect(s.wrap(() => busy(4))()).toBe(1);
    expect(performance.now() - t).toBeGreaterThanOrEqual(5.2);
    t = performance.now();
    expect(await s.wrap(async () => busy(4))()).toBe(1);
    expect(performance.now() - t).toBeGreaterThanOrEqual(5.2);
    expect(s.calls).toBe(2);
    expect(s.extraMs).toBeGreaterThanOrEqual(2.4);
  });
});

describe('runTasks with the slowdown switch', () => {
  it('slows every task call and never the calibration loop', async () => {
    let taskCalls = 0;
    const task: BenchTask = {
      id: 'busy/1ms',
      settings: { kind: 'busy' },
      unit: 'rows',
      unitsPerCall: 1000,
      calibration: 'workers-1',
      run: () => (taskCalls++, busy(1)),
    };
    // The runner's calibration worker is the compiled file, found from the package root.
    const slowdown = new Slowdown(0.5);
    const report = await runTasks([task], { suite: 'test', rounds: 3, timePerTaskMs: 5, minIterations: 2, slowdown });
    // One busy-wait per task call (warm-up round included), none for the calls of the two calibrations
    // (main thread and one worker), which ran as often as the task.
    expect(taskCalls).toBeGreaterThan(0);
    expect(slowdown.calls).toBe(taskCalls);
    expect(report.method.slowdown).toBe(0.5);
    // A 1 ms task slowed by half: at most 1000 rows / 1.5 ms in every round.
    for (const r of report.benchmarks[0].throughput.rounds) expect(r).toBeLessThanOrEqual(1000 / 1.5e-3);
  });
});

describe('runTasks with a targeted slowdown', () => {
  it('slows only the benchmarks whose ids match, and the report records the pattern', async () => {
    const calls = { hit: 0, miss: 0 };
    const task = (id: string, key: 'hit' | 'miss'): BenchTask => ({
      id,
      settings: { kind: 'busy' },
      unit: 'rows',
      unitsPerCall: 1000,
      calibration: 'main',
      run: () => (calls[key]++, busy(1)),
    });
    const slowdown = new Slowdown(0.5, 'busy/slow/*');
    const report = await runTasks([task('busy/slow/a', 'hit'), task('busy/fast/a', 'miss')], {
      suite: 'test',
      rounds: 3,
      timePerTaskMs: 5,
      minIterations: 2,
      slowdown,
    });
    expect(calls.hit).toBeGreaterThan(0);
    expect(calls.miss).toBeGreaterThan(0);
    // Every call of the matching task was slowed, and none of the other's.
    expect(slowdown.calls).toBe(calls.hit);
    expect(report.method.slowdown).toBe(0.5);
    expect(report.method.slowdownPattern).toBe('busy/slow/*');
    for (const r of report.benchmarks[0].best.rounds) expect(r).toBeLessThanOrEqual(1000 / 1.5e-3);
  });
});
