/**
 * The examples run as shipped (as ES modules inside this package, so 'relaxed-mc' resolves to
 * the build) and do what they claim. Both are seeded, so their output is deterministic.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(file: string, args: string[] = []): string {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('examples/annealing.mjs', () => {
  it('prints the loss every 50 epochs and ends with at least 0.9 on the best category', () => {
    const out = run('examples/annealing.mjs');
    const epochs = [...out.matchAll(/^epoch +(\d+) .* loss (-?\d+\.\d+)$/gm)].map((m) => Number(m[1]));
    expect(epochs).toEqual([0, 50, 100, 150, 200, 250, 299]);
    const p = /softmax\(logits\) = \[(.*)\]/.exec(out)![1].split(', ').map(Number);
    expect(p).toHaveLength(5);
    expect(p[3]).toBeGreaterThanOrEqual(0.9); // reward 0.9 is the best of [0.1, 0.5, 0.2, 0.9, 0.3]
  });
});

describe('examples/discrete-vae.mjs', () => {
  it('improves the ELBO by at least 1.5 nats and recovers the prototypes with at least 90% purity (seed 1)', () => {
    const out = run('examples/discrete-vae.mjs', ['--seed', '1']);
    const elbos = [...out.matchAll(/^epoch +\d+ +ELBO (-?\d+\.\d+)$/gm)].map((m) => Number(m[1]));
    expect(elbos).toHaveLength(30);
    expect(elbos.every(Number.isFinite)).toBe(true);
    expect(elbos[29] - elbos[0]).toBeGreaterThanOrEqual(1.5);
    const purity = Number(/^purity (\d\.\d+)$/m.exec(out)![1]);
    expect(purity).toBeGreaterThanOrEqual(0.9);
  });
});
