/**
 * RELAXED_MC_BENCH_SLOWDOWN: parsed strictly, applied to the benchmark tasks, never to the
 * calibration loop.
 */
import { describe, expect, it } from 'vitest';
import { BenchInputError } from '../../src/bench/errors.js';
import { runTasks } from '../../dist/src/bench/runner.js';
import { Slowdown, readSlowdown } from '../../src/bench/slowdown.js';
import { Slowdown as BuiltSlowdown } from '../../dist/src/bench/slowdown.js';
import type { BenchTask } from '../../dist/src/bench/tasks.js';

/** Busy-waits `ms` milliseconds. */
function busy(ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n++;
  return n > 0 ? 1 : 0;
}

describe('readSlowdown', () => {
  it('reads a decimal fraction, and 0 when the variable is unset or empty', () => {
    expect(readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '0.3' })).toBe(0.3);
    expect(readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: ' 1e-1 ' })).toBe(0.1);
    expect(readSlowdown({})).toBe(0);
    expect(readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '' })).toBe(0);
  });

  it('refuses anything else, naming the variable and the value', () => {
    for (const bad of ['abc', '-0.3', '30%', '0x1', '11', 'NaN']) {
      expect(() => readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: bad })).toThrow(BenchInputError);
    }
    expect(() => readSlowdown({ RELAXED_MC_BENCH_SLOWDOWN: '30%' })).toThrow(
      "RELAXED_MC_BENCH_SLOWDOWN must be a decimal between 0 and 10 (0.3 = 30 % extra work), but got '30%'.",
    );
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
    // The built runner (its calibration worker is a compiled file), with the built Slowdown.
    const slowdown = new BuiltSlowdown(0.5);
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
