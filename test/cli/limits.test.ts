/**
 * Limits before work on the command line: `--samples 2^53 - 1` runs in flat memory (and stops
 * on Ctrl-C), `--threads` beyond 4 per core is refused naming the cores.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MAIN, entries, relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

/**
 * Peak resident memory allowed to the whole process (main thread and 2 workers): a normal run
 * peaks near 150 MiB; before the chunk plan was lazy, 1e13 draws held 1.2 GB before the first
 * draw and 1e14 crashed.
 */
const PEAK_RSS_KIB = 400 * 1024;

/** @returns the process's peak resident memory in KiB (Linux), or null. */
function peakRssKiB(pid: number): number | null {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return null;
  const m = /VmHWM:\s*(\d+) kB/.exec(readFileSync(file, 'utf8'));
  return m === null ? null : Number(m[1]);
}

describe('limits on sizes', () => {
  it('estimate --samples 2^53 - 1 runs in flat memory and stops on SIGINT after a second', async () => {
    const r = await new Promise<{ code: number | null; peak: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [MAIN, 'estimate', '--samples', String(Number.MAX_SAFE_INTEGER), '--threads', '2', '--out', 'e.json'],
        { cwd: tmp.dir, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      let peak: number | null = null;
      let started = 0;
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
        if (started === 0 && /draws\/s/.test(stderr)) {
          started = performance.now();
          // A second of drawing, then the peak so far, then Ctrl-C.
          setTimeout(() => {
            peak = peakRssKiB(child.pid as number);
            child.kill('SIGINT');
          }, 1000);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, peak, stderr }));
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/estimate: 0\.0% \(.*\/9\.01e\+15 draws\)/);
    if (r.peak !== null) expect(r.peak).toBeLessThan(PEAK_RSS_KIB);
    expect(entries(tmp.dir)).toEqual([]);
  });

  it('--threads above 4 per core is refused before any thread starts, naming the cores', async () => {
    const cores = availableParallelism();
    const r = await relaxedMc(['estimate', '--threads', '1000', '--out', 'e.json'], tmp.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`--threads must be at most \\d+ on this machine .*it has ${cores} cores?\\), but got 1000`),
    );
    const over = await relaxedMc(['estimate', '--threads', String(4 * cores + 1), '--samples', '10'], tmp.dir);
    expect(over.code).toBe(2);
    expect(entries(tmp.dir)).toEqual([]);
  });
});
