/**
 * A real (tiny) run of the harness: the smoke suite gives a report that validates, with
 * one value per round for every benchmark and calibration; a paired run gives two reports
 * that compare as paired.
 */
import { describe, expect, it } from 'vitest';
import { ownBuild } from '../../src/bench/package-api.js';
import { parseReport } from '../../src/bench/report.js';
import { CONFIRMATION_BLOCKS, runSides, runTasks } from '../../src/bench/runner.js';
import type { BenchTask } from '../../src/bench/tasks.js';
import { SUITES, instantiateSuite } from '../../src/bench/suites.js';
import { compareReports } from '../../src/bench/compare.js';

describe('runTasks on the smoke suite', () => {
  it('covers every job kind and writes a report that reads back', async () => {
    const suite = SUITES.smoke;
    const inst = await instantiateSuite(suite, { threads: 2, api: ownBuild().api });
    let rounds = 0;
    try {
      const report = await runTasks(inst.tasks, {
        suite: 'smoke',
        rounds: 2,
        timePerTaskMs: 1,
        minIterations: 1,
        onRound: () => rounds++,
      });
      expect(rounds).toBe(3); // warm-up + 2
      expect(parseReport(JSON.stringify(report), 'smoke.json')).toEqual(report);
      const kinds = new Set(report.benchmarks.map((b) => `${b.settings.api}:${b.settings.kind}`));
      expect([...kinds].sort()).toEqual([
        'engine:gradients',
        'engine:logProb',
        'engine:moments',
        'engine:sample',
        'in-process:logProb',
        'in-process:sample',
      ]);
      for (const b of report.benchmarks) {
        expect(b.throughput.rounds).toHaveLength(2);
        expect(Number.isFinite(b.checksum)).toBe(true);
        const loop = report.calibration.loops.find((l) => l.id === b.calibration)!;
        expect(b.normalized.median).toBeCloseTo(b.best.median / loop.best.median, 12);
      }
      expect(report.calibration.loops.map((l) => l.id)).toEqual(['main', 'workers-1']);
      for (const l of report.calibration.loops) expect(l.best.rounds).toHaveLength(2);
    } finally {
      await inst.close();
    }
  });

  it('runs the ci suite at 1 and N threads', async () => {
    const inst = await instantiateSuite(SUITES.ci, { threads: 2, api: ownBuild().api });
    try {
      const threads = new Set(inst.tasks.filter((t) => t.settings.api === 'engine').map((t) => t.settings.threads));
      expect([...threads]).toEqual([1, 2]);
      expect(new Set(inst.tasks.map((t) => t.id)).size).toBe(inst.tasks.length);
    } finally {
      await inst.close();
    }
  });

  it('times two builds in the same rounds and their reports compare as paired', async () => {
    const suite = SUITES.smoke;
    const a = await instantiateSuite(suite, { threads: 1, api: ownBuild().api });
    const b = await instantiateSuite(suite, { threads: 1, api: ownBuild().api });
    try {
      const build = ownBuild();
      const [cand, base] = await runSides(
        [
          { role: 'candidate', build, tasks: a.tasks },
          { role: 'baseline', build, tasks: b.tasks },
        ],
        { suite: 'smoke', rounds: 3, timePerTaskMs: 1, minIterations: 1 },
      );
      expect(cand.method.runId).toBe(base.method.runId);
      expect([cand.method.role, base.method.role]).toEqual(['candidate', 'baseline']);
      const c = compareReports(base, cand, { threshold: 0.9 });
      expect(c.mode).toBe('paired');
      expect(c.rows).toHaveLength(6);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('confirms on freshly started tasks, so a state one instance keeps does not confirm', async () => {
    // A task that spins for `ms`: the candidate's first instance is stuck twice as slow (the
    // shape of the false alarm seen once: one side's engine slower in every round of a run).
    const spin = (ms: number): BenchTask => ({
      id: 'x',
      settings: { kind: 'moments', api: 'engine', K: 2, tau: 1, N: 1, threads: 1 } as BenchTask['settings'],
      unit: 'draws',
      unitsPerCall: 1,
      calibration: 'main',
      run: () => {
        const end = performance.now() + ms;
        while (performance.now() < end);
        return 1;
      },
    });
    const build = ownBuild();
    const starts = [0, 0];
    const closes = [0, 0];
    const restart = (s: number) => async () => {
      starts[s]++;
      return { tasks: [spin(1)], close: async () => void closes[s]++ };
    };
    const progress: number[] = [];
    const opts = {
      suite: 'synthetic',
      rounds: 2,
      timePerTaskMs: 1,
      minIterations: 1,
      confirm: { rounds: 12, select: () => ['x'], onRound: (done: number) => progress.push(done) },
    };
    const [cand, base] = await runSides(
      [
        { role: 'candidate', build, tasks: [spin(2)], restart: restart(0) },
        { role: 'baseline', build, tasks: [spin(1)], restart: restart(1) },
      ],
      opts,
    );
    expect(starts).toEqual([CONFIRMATION_BLOCKS, CONFIRMATION_BLOCKS]);
    expect(closes).toEqual(starts);
    expect(progress).toEqual(Array.from({ length: 13 }, (_, i) => i));
    const c = cand.benchmarks[0].confirmation!;
    const b = base.benchmarks[0].confirmation!;
    expect(c.rounds).toHaveLength(12);
    expect(b.rounds).toHaveLength(12);
    // Fresh instances spin alike: the median ratio is near 1, far from the stuck instance's 0.5.
    expect(c.median / b.median).toBeGreaterThan(0.8);
    // Without restart the confirmation reuses the stuck instance, and sees it.
    const [cand2, base2] = await runSides(
      [
        { role: 'candidate', build, tasks: [spin(2)] },
        { role: 'baseline', build, tasks: [spin(1)] },
      ],
      opts,
    );
    expect(cand2.benchmarks[0].confirmation!.median / base2.benchmarks[0].confirmation!.median).toBeLessThan(0.7);
  });
});
