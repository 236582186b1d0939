/**
 * The exact phase off the main thread: `computeExactRows` gives the same numbers as
 * `exactMoments`, reports progress, and stops at once on abort; the command line's exact phase
 * shows progress and exits 130 on Ctrl-C. (Imports the package name: it runs the built worker
 * entry, `workers/exact-worker.ts`.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exactMoments } from '../../src/kernels/exact/exact-moments.js';
import { AbortError, computeExactRows } from 'relaxed-mc';
import { MAIN, entries, tempFolder } from '../cli/helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

/** K = 10^4 logits: each row takes ~0.3-1 s. */
const big = Float64Array.from({ length: 10000 }, (_, i) => Math.sin(i * 0.37) * 2);

describe('computeExactRows', () => {
  it('equals exactMoments row by row (duplicates computed once) and reports progress', async () => {
    const a = { logits: Float64Array.of(0, 1, -0.5), temperature: 0.3 };
    const b = { logits: Float64Array.of(0, 1, -0.5), temperature: 1e-300 };
    const seen: number[] = [];
    const out = await computeExactRows([a, b, a], { covariance: true, onProgress: (p) => seen.push(p.total) });
    expect(seen).toEqual([2, 2]);
    for (const [r, row] of [
      [out[0], a],
      [out[1], b],
      [out[2], a],
    ] as const) {
      const want = exactMoments(row.logits, row.temperature, { covariance: true });
      expect(r.mean).toEqual(want.mean);
      expect(r.variance).toEqual(want.variance);
      expect(r.covariance).toEqual(want.covariance);
    }
  });

  it('stops within 1 s of an abort and rejects with AbortError', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ logits: big, temperature: 0.1 * (i + 1) }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const start = performance.now();
    await expect(computeExactRows(rows, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(performance.now() - start).toBeLessThan(1200);
  });

  it('passes the quadrature refusal on as a RangeError', async () => {
    const rows = [{ logits: new Float64Array(600), temperature: 1 }];
    await expect(computeExactRows(rows, { covariance: true })).rejects.toThrow(/K <= 512/);
  });
});

describe('the exact phase of estimate', () => {
  it('shows progress and exits 130 within 2.5 s of Ctrl-C, leaving no file', async () => {
    // K = 5000 and 12 temperatures: a short Monte Carlo phase, then ~0.2-1 s per exact row.
    writeFileSync(join(tmp.dir, 'big.json'), JSON.stringify(Array.from(big.subarray(0, 5000))));
    const temps = JSON.stringify(Array.from({ length: 12 }, (_, i) => 0.05 * (i + 1)));
    const args = ['estimate', '--logits', '@big.json', '--temperature', temps, '--samples', '10', '--threads', '1'];
    const r = await new Promise<{ code: number | null; stderr: string; ms: number }>((resolve, reject) => {
      const child = spawn(process.execPath, [MAIN, ...args, '--out', 'e.json', '--format', 'json'], {
        cwd: tmp.dir,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      let sentAt = 0;
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
        if (sentAt === 0 && /estimate \(exact\): /.test(stderr)) {
          sentAt = performance.now();
          child.kill('SIGINT');
        }
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr, ms: performance.now() - sentAt }));
    });
    expect(r.stderr).toMatch(/estimate \(exact\): \d+\.\d% \(\d+\/12 rows\)/);
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(2500);
    expect(entries(tmp.dir)).toEqual(['big.json']);
  }, 60000);
});
