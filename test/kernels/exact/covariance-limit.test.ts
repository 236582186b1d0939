/**
 * The exact covariance is computed for K <= MAX_COVARIANCE_CATEGORIES (512) only, and refused
 * above it, before any work, by every way of asking for it: `exactMoments`, `dist.covariance`,
 * `computeExactRows` and `relaxed-mc estimate --covariance` (which points to `--no-exact`).
 * (Uses the built package in dist/ for the worker and the command line.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_COVARIANCE_CATEGORIES, exactMoments } from '../../../src/kernels/exact/exact-moments.js';
import { computeExactRows, torch } from 'relaxed-mc';
import { relaxedMc, tempFolder } from '../../cli/helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

const logits = (K: number) => Float64Array.from({ length: K }, (_, k) => Math.sin(k));

describe('the exact covariance K limit', () => {
  it('is 512', () => {
    expect(MAX_COVARIANCE_CATEGORIES).toBe(512);
  });

  it('exactMoments computes it at K = 512 and refuses K = 513', () => {
    expect(exactMoments(logits(512), 0.5, { covariance: true }).covariance).toHaveLength(512 * 512);
    expect(() => exactMoments(logits(513), 0.5, { covariance: true })).toThrow(RangeError);
  });

  it('dist.covariance refuses K = 513 with a RangeError naming the limit and K', () => {
    const dist = new torch.distributions.RelaxedOneHotCategorical(0.5, { logits: Array.from(logits(513)) });
    expect(() => dist.covariance).toThrow(/K <= 512.*K = 513/);
    // The mean and variance are not limited.
    expect(dist.mean.shape).toEqual([513]);
  });

  it('computeExactRows refuses K = 513 before starting its thread', async () => {
    const rows = [
      { logits: logits(3), temperature: 0.5 },
      { logits: logits(513), temperature: 0.5 },
    ];
    await expect(computeExactRows(rows, { covariance: true })).rejects.toThrow(/K <= 512.*K = 513/);
    const [row] = await computeExactRows([rows[1]]);
    expect(row.covariance).toBeUndefined();
    expect(row.mean).toHaveLength(513);
  });

  it('estimate --covariance refuses K = 513 with exit 2 before any work, and runs with --no-exact', async () => {
    writeFileSync(join(tmp.dir, 'l.json'), JSON.stringify(Array.from(logits(513))));
    const args = ['estimate', '--logits', '@l.json', '--covariance', '--samples', '300', '--threads', '1', '--quiet'];
    const r = await relaxedMc(args, tmp.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--covariance: the exact covariance needs K <= 512 .* K = 513; add --no-exact/);
    expect(r.stdout).toBe('');
    const mc = await relaxedMc([...args, '--no-exact', '--format', 'json'], tmp.dir);
    expect(mc.code, mc.stderr).toBe(0);
    expect(JSON.parse(mc.stdout).covariance).toHaveLength(513);
  });
});
