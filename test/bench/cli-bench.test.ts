/**
 * `relaxed-mc bench` end to end on the smoke suite (a second or so per run): the report file,
 * the comparison's exit statuses (0 pass, 1 regression, 2 bad usage or malformed baseline).
 * Uses the built CLI (`npm run build` first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReport } from '../../src/bench/report.js';
import { MAIN, ROOT, type Run, tempFolder } from '../cli/helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

/** Runs the CLI with extra environment variables. */
function bench(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'bench', ...args], {
      cwd: tmp.dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const base = join(tmp.dir, 'base.json');

describe('relaxed-mc bench', () => {
  beforeAll(async () => {
    const r = await bench(['--suite', 'smoke', '--rounds', '3', '--json', base, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('writes a versioned report with the environment and a table of throughputs', () => {
    const report = parseReport(readFileSync(base, 'utf8'), 'base.json');
    expect(report.suite).toBe('smoke');
    expect(report.method.rounds).toBe(3);
    expect(report.environment.node).toBe(process.version);
    expect(report.environment.cores).toBeGreaterThan(0);
    expect(report.benchmarks.length).toBe(6);
  });

  it('passes a run with no change (exit 0) at the default threshold, re-measuring the baseline build beside this one', async () => {
    // The paired rule's family-wise false-alarm rate bounds this test's false-failure rate: at most 1 %
    // (far less in practice: a suspect must then stay below the line in at least 22 of 30 fresh rounds).
    const cand = join(tmp.dir, 'cand.json');
    const again = join(tmp.dir, 'base-again.json');
    const r = await bench(['--compare', base, '--json', cand, '--baseline-json', again, '--quiet']);
    expect(r.stderr).not.toMatch(/RegressionError/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^benchmark\s+baseline\s+candidate\s+ratio\s+spread\s+regression if\s+verdict/);
    expect(r.stdout).toMatch(/paired run against the build in /);
    expect(r.stdout).toMatch(/PASS: 0 regression\(s\)/);
    const c = parseReport(readFileSync(cand, 'utf8'), 'cand.json');
    const b = parseReport(readFileSync(again, 'utf8'), 'base-again.json');
    expect(c.suite).toBe('smoke');
    expect(c.method.runId).toBe(b.method.runId);
    expect([c.method.role, b.method.role]).toEqual(['candidate', 'baseline']);
  });

  it('gives a paired comparison from --baseline-package alone, without a baseline report', async () => {
    const r = await bench(['--suite', 'smoke', '--baseline-package', ROOT, '--threshold', '0.95', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/paired run against the build in /);
  });

  it('compares with the recorded numbers only with --recorded', async () => {
    const r = await bench(['--compare', base, '--threshold', '0.95', '--recorded', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/independent runs against the numbers recorded in /);
  });

  it('fails (exit 1) when RELAXED_MC_BENCH_SLOWDOWN makes every task four times slower', async () => {
    // Without the gradients job (50 ms a call here): its 30 confirmation rounds would take most of a minute.
    const r = await bench(['--compare', base, '--only', 'moments/*,sample/*,logProb/*,in-process-*', '--quiet'], {
      RELAXED_MC_BENCH_SLOWDOWN: '3',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL: [1-9]\d* regression\(s\)/);
    expect(r.stderr).toMatch(/candidate ran with RELAXED_MC_BENCH_SLOWDOWN=3/);
    expect(r.stderr).toMatch(/relaxed-mc: failed: RegressionError: \d+ of 5 benchmarks slower than the baseline/);
  });

  it('fails (exit 1) on a targeted 50 % slowdown of one benchmark, naming it in the last lines with the command to rerun it', async () => {
    // The in-process log-density is the steadiest smoke benchmark (about 1 % between rounds), so a
    // ratio of 0.67 against a line of 0.85 puts every confirmation round below the line.
    const id = 'in-process-logProb/K4/N256';
    const r = await bench(['--compare', base, '--quiet'], { RELAXED_MC_BENCH_SLOWDOWN: `0.5@${id}` });
    expect(r.code).toBe(1);
    const last = r.stdout.trimEnd().split('\n').slice(-3);
    expect(last[0]).toMatch(/^FAIL: [1-9]\d* regression\(s\)/);
    expect(last[1]).toMatch(
      new RegExp(
        `^regressed: ${id}: ratio 0\\.\\d{3} \\(\\d+\\.\\d% slower\\), 95% CI 0\\.\\d{3}-0\\.\\d{3}, spread of the rounds ±\\d+\\.\\d%; \\d+ of 30 confirmation rounds below 0\\.850`,
      ),
    );
    expect(last[2]).toBe(`rerun just these: relaxed-mc bench --compare ${base} --only ${id}`);
    expect(r.stderr).toMatch(new RegExp(`candidate ran with RELAXED_MC_BENCH_SLOWDOWN=0\\.5@${id}`));
    expect(r.stderr).toMatch(new RegExp(`RegressionError: .*${id}`));
  });

  it('re-measures only the benchmarks --only names, and lists no other', async () => {
    const r = await bench(['--compare', base, '--only', 'sample/*,logProb/*', '--threshold', '0.95', '--quiet']);
    expect(r.code).toBe(0);
    const ids = r.stdout
      .split('\n')
      .slice(1)
      .filter((l) => /^\S+\/K\d/.test(l))
      .map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual(['sample/K4/N1024/t1', 'logProb/K4/N1024/t1']);
  });

  it('falls back to the recorded numbers, with a note, when the baseline build is gone', async () => {
    const moved = join(tmp.dir, 'moved.json');
    writeFileSync(moved, readFileSync(base, 'utf8').replace(/"root": "[^"]*"/, '"root": "/nonexistent/relaxed-mc"'));
    const r = await bench(['--compare', moved, '--threshold', '0.95', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /bench: note: the baseline build recorded in .*moved\.json: \/nonexistent\/relaxed-mc holds no readable package\.json.*Comparing with the recorded numbers instead/,
    );
    expect(r.stdout).toMatch(/independent runs against the numbers recorded in /);
  });

  it('refuses a malformed baseline at once (exit 2), naming the file', async () => {
    const bad = join(tmp.dir, 'bad.json');
    writeFileSync(bad, '{"schema": "relaxed-mc-bench-report", "version": 1,');
    const r = await bench(['--compare', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^relaxed-mc: error: --compare .*bad\.json: not valid JSON \(.*\); expected a report written by relaxed-mc bench --json\.\n$/,
    );
  });

  it('refuses bad usage with exit 2: a missing baseline, an unknown suite, a bad threshold or slowdown, a missing build', async () => {
    const runs = await Promise.all([
      bench(['--compare', join(tmp.dir, 'nope.json')]),
      bench(['--suite', 'huge']),
      bench(['--compare', base, '--threshold', '15%']),
      bench(['--suite', 'smoke'], { RELAXED_MC_BENCH_SLOWDOWN: 'lots' }),
      bench(['--compare', base, '--suite', 'ci']),
      bench(['--compare', base, '--baseline-package', tmp.dir]),
      bench(['--suite', 'smoke'], { RELAXED_MC_BENCH_SLOWDOWN: '0.3@nothing/*' }),
      bench(['--suite', 'smoke', '--only', 'nothing/*']),
    ]);
    for (const r of runs) expect(r.code).toBe(2);
    expect(runs[0].stderr).toMatch(/--compare .*nope\.json: cannot read the baseline report \(ENOENT/);
    expect(runs[1].stderr).toMatch(/--suite must be one of ci, default, smoke, but got 'huge'/);
    expect(runs[2].stderr).toMatch(/--threshold must be a fraction between 0 and 1 such as 0.15/);
    expect(runs[3].stderr).toMatch(/RELAXED_MC_BENCH_SLOWDOWN must be a decimal/);
    expect(runs[4].stderr).toMatch(/the baseline .* ran suite 'smoke'; compare runs of the same suite/);
    expect(runs[5].stderr).toMatch(/--baseline-package: .* holds no readable package\.json/);
    expect(runs[6].stderr).toMatch(
      /RELAXED_MC_BENCH_SLOWDOWN: the pattern 'nothing\/\*' matches no benchmark measured/,
    );
    expect(runs[7].stderr).toMatch(/--only matches no benchmark of suite smoke/);
  });
});
