/**
 * A real (tiny) run of the built harness: the smoke suite gives a report that validates, with
 * one value per round for every benchmark and calibration; a paired run gives two reports
 * that compare as paired.
 */
import { describe, expect, it } from 'vitest';
import { ownBuild } from '../../dist/src/bench/package-api.js';
import { parseReport } from '../../dist/src/bench/report.js';
import { runSides, runTasks } from '../../dist/src/bench/runner.js';
import { SUITES, instantiateSuite } from '../../dist/src/bench/suites.js';
import { compareReports } from '../../dist/src/bench/compare.js';

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
});
