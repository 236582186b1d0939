/**
 * Ctrl-C (SIGINT) in the middle of a long run: the job stops, the exit status is 130, and
 * neither the output file nor its temporary file is left behind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { MAIN, entries, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

/** Starts a run, sends SIGINT once the first progress line is out, and reports how it ended. */
function interruptAfterFirstProgress(args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: tmp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sentAt = 0;
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (sentAt === 0 && /draws\/s/.test(stderr)) {
        sentAt = performance.now();
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, ms: performance.now() - sentAt }));
  });
}

describe('Ctrl-C', () => {
  it('stops estimate --out mid-run with exit 130 and leaves no file', async () => {
    const r = await interruptAfterFirstProgress([
      'estimate',
      '--samples',
      '1e12',
      '--threads',
      '1',
      '--format',
      'json',
      '--out',
      'est.json',
    ]);
    expect(r.stderr).toMatch(/^estimate: \d+\.\d% /);
    expect(r.stderr).toMatch(/relaxed-mc: interrupted; stopping/);
    expect(r.code).toBe(130);
    expect(r.ms).toBeLessThan(2500);
    expect(entries(tmp.dir)).toEqual([]);
  });

  it('stops sample --out mid-run with exit 130 and leaves no file', async () => {
    const r = await interruptAfterFirstProgress([
      'sample',
      '--probs',
      '0.7,0.2,0.1',
      '--samples',
      '3e7',
      '--threads',
      '1',
      '--out',
      'z.npy',
    ]);
    expect(r.code).toBe(130);
    expect(entries(tmp.dir)).toEqual([]);
  });
});
