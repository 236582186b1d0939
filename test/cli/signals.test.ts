/**
 * A stop signal in every phase of a command: the process exits promptly (within 2 s of the
 * signal, on a loaded machine; the 200 ms p95 is measured in bench/signal-latency.ts) with
 * 128 + the signal's number, and leaves nothing in its folder but its inputs. Each case waits
 * for evidence that the phase it targets has started (its progress line) before signalling.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN, ROOT, entries, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

const CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const fixture = (name: string) => join(ROOT, 'test/fixtures/objectives', name);

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** From the signal to the exit. */
  ms: number;
}

/**
 * Runs the command in a fresh folder and sends `signal` once stderr matches `ready` (or, with
 * a number, that many milliseconds after the start).
 */
function stopWhen(dir: string, args: string[], ready: RegExp | number, signal: NodeJS.Signals): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sentAt = 0;
    const send = () => {
      if (sentAt !== 0) return;
      sentAt = performance.now();
      child.kill(signal);
    };
    // Never wait forever for a phase that did not show up: fail with what stderr said.
    const giveUp = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the phase never started (waited for ${String(ready)}); stderr: ${stderr}`));
    }, 60_000);
    if (typeof ready === 'number') setTimeout(send, ready);
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (typeof ready !== 'number' && ready.test(stderr)) send();
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(giveUp);
      resolve({ code, signal: sig, stderr, ms: performance.now() - sentAt });
    });
  });
}

function folder(name: string, files: Record<string, string> = {}): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

/** 1000 categories and 40 temperatures: seconds of exact moments, whatever the method. */
const K = 1000;
const logits = JSON.stringify(Array.from({ length: K }, (_, k) => Math.sin(k)));
const temperatures = JSON.stringify(Array.from({ length: 40 }, (_, i) => 0.3 + i / 40));

const phases: {
  name: string;
  signal: NodeJS.Signals;
  files?: Record<string, string>;
  args: string[];
  ready: RegExp | number;
}[] = [
  {
    name: 'the Monte Carlo phase of estimate',
    signal: 'SIGINT',
    args: ['estimate', '--samples', '1e12', '--threads', '1', '--out', 'est.json'],
    ready: /draws\/s/,
  },
  {
    name: 'the Monte Carlo phase of estimate',
    signal: 'SIGTERM',
    args: ['estimate', '--samples', '1e12', '--threads', '1', '--out', 'est.json'],
    ready: /draws\/s/,
  },
  {
    name: 'the Monte Carlo phase of estimate',
    signal: 'SIGHUP',
    args: ['estimate', '--samples', '1e12', '--threads', '1', '--out', 'est.json'],
    ready: /draws\/s/,
  },
  {
    name: 'the exact references of estimate',
    signal: 'SIGTERM',
    files: { 'logits.json': logits },
    args: [
      'estimate',
      '--logits',
      '@logits.json',
      '--temperature',
      temperatures,
      '--samples',
      '100',
      '--threads',
      '1',
      '--out',
      'est.json',
    ],
    ready: /\(exact\)/,
  },
  {
    name: 'a user module that never returns during its setup (exact gradients at a vertex)',
    signal: 'SIGINT',
    args: [
      'gradients',
      '--objective',
      fixture('loops-at-vertex.mjs'),
      '--probs',
      '0.2,0.3,0.5',
      '--temperature',
      '0.5',
      '--threads',
      '1',
      '--out',
      'g.json',
    ],
    ready: 2500,
  },
  {
    name: 'a user module that never returns inside a chunk',
    signal: 'SIGHUP',
    args: [
      'gradients',
      '--objective',
      fixture('loops-later.mjs'),
      '--probs',
      '0.2,0.3,0.5',
      '--temperature',
      '0.5',
      '--estimators',
      'reinforce',
      '--samples',
      '1e8',
      '--threads',
      '1',
      '--out',
      'g.json',
      '--plot',
      'g.png',
    ],
    ready: /estimates\/s/,
  },
  {
    // sample streams its blocks to the file as they are drawn: the CSV is being written from
    // the first progress line on.
    name: 'writing a large CSV',
    signal: 'SIGINT',
    args: ['sample', '--probs', '0.7,0.2,0.1', '--samples', '4e6', '--threads', '1', '--out', 'z.csv'],
    ready: /draws\/s/,
  },
  {
    name: 'reading a large CSV',
    signal: 'SIGTERM',
    files: { 'v.csv': `y0,y1,y2\n${'0.25,0.25,0.5\n'.repeat(3e6)}` },
    args: [
      'log-prob',
      '--temperature',
      '0.5',
      '--probs',
      '0.7,0.2,0.1',
      '--values',
      'v.csv',
      '--threads',
      '1',
      '--out',
      'lp.npy',
    ],
    ready: 1500,
  },
];

describe('a stop signal in every phase exits promptly with 128 + n and leaves no file', () => {
  phases.forEach((p, i) => {
    it(`${p.signal} during ${p.name}`, async () => {
      const dir = folder(`case-${i}`, p.files);
      const before = entries(dir);
      const r = await stopWhen(dir, p.args, p.ready, p.signal);
      expect(r.signal, r.stderr).toBeNull();
      expect(r.code, r.stderr).toBe(CODES[p.signal]);
      expect(r.ms).toBeLessThan(2000);
      expect(entries(dir)).toEqual(before);
    });
  });
});
