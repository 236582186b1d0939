/**
 * `relaxed-mc estimate` run as a subprocess: the table, JSON checked bit for bit against the API
 * for the same seed, and CSV.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, torch } from 'relaxed-mc';
import { entries, relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

describe('relaxed-mc estimate', () => {
  it('prints mean +- stderr, exact mean, z, variance and exact variance per category, then the run summary', async () => {
    const r = await relaxedMc(['estimate', '--samples', '2e4', '--seed', '5', '--threads', '1', '--quiet'], tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('RelaxedOneHotCategorical(temperature 0.5, probs [0.7, 0.2, 0.1])');
    expect(lines[2]).toMatch(/^k\s+p\s+mean ± stderr\s+exact mean\s+z\s+variance ± stderr\s+exact variance\s+z$/);
    for (const [k, p, exact] of [
      [0, '0.7', '0.660332'],
      [1, '0.2', '0.221698'],
      [2, '0.1', '0.117970'],
    ] as const) {
      expect(lines[3 + k]).toMatch(
        new RegExp(
          `^${k}\\s+${p}\\s+0\\.\\d{6} ± 0\\.\\d{6}\\s+${exact}\\s+[+-]\\d\\.\\d\\d\\s+0\\.\\d{6} ± 0\\.\\d{6}\\s+0\\.\\d{6}\\s+[+-]\\d\\.\\d\\d$`,
        ),
      );
    }
    expect(r.stdout).toMatch(/^samples {5}20,000$/m);
    expect(r.stdout).toMatch(/^seed {8}5$/m);
    expect(r.stdout).toMatch(/^threads {5}1$/m);
    expect(r.stdout).toMatch(/^time {8}\d+\.\d\d s$/m);
    expect(r.stdout).toMatch(/^throughput {2}\S+ draws\/s$/m);
  });

  it('--format json equals the API result for the same seed, bit for bit, with every documented field', async () => {
    const args = ['--temperature', '[0.5, 2]', '--logits', '[[0,1,2],[2,1,0]]', '--samples', '3e4', '--seed', '42'];
    const r = await relaxedMc(['estimate', ...args, '--threads', '1', '--format', 'json', '--quiet'], tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const dist = new torch.distributions.RelaxedOneHotCategorical(torch.tensor([0.5, 2]), {
      logits: [
        [0, 1, 2],
        [2, 1, 0],
      ],
    });
    // Two threads here, one in the subprocess: the engine gives the same bits whatever the thread count.
    const engine = new Engine({ threads: 2 });
    try {
      const est = await engine.moments(dist, { samples: 3e4, seed: 42 });
      expect(doc.mean).toEqual(est.mean.tolist());
      expect(doc.variance).toEqual(est.variance.tolist());
      expect(doc.stderr).toEqual(est.stderr.tolist());
      expect(doc.varianceStderr).toEqual(est.varianceStderr.tolist());
      expect(doc.exact).toEqual({ mean: dist.mean.tolist(), variance: dist.variance.tolist() });
      expect(doc.samples).toBe(3e4);
      expect(doc.seed).toBe(42);
      expect(doc.threads).toBe(1);
      expect(doc.elapsedMs).toBeGreaterThan(0);
      expect(doc.temperature).toEqual([0.5, 2]);
      expect(doc.logits).toEqual(dist.logits.tolist());
      expect(doc.batchShape).toEqual([2]);
      expect(doc.K).toBe(3);
      expect(doc.generator).toBe(est.generator);
      expect(doc.covariance).toBeUndefined();
    } finally {
      await engine.close();
    }
  });

  it('--format csv writes a header and one row per (batch index, category), full precision', async () => {
    const r = await relaxedMc(
      [
        'estimate',
        '--temperature',
        '0.5,1',
        '--probs',
        '0.7,0.2,0.1',
        '--samples',
        '1e4',
        '--seed',
        '9',
        '--threads',
        '1',
        '--format',
        'csv',
        '--covariance',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toBe(
      'batch,category,temperature,prob,logit,mean,stderr,exact_mean,z_mean,variance,variance_stderr,exact_variance,z_variance,samples,seed,' +
        'covariance_0,covariance_1,covariance_2,exact_covariance_0,exact_covariance_1,exact_covariance_2',
    );
    expect(rows).toHaveLength(6);
    const json = JSON.parse(
      (
        await relaxedMc(
          [
            'estimate',
            '--temperature',
            '0.5,1',
            '--probs',
            '0.7,0.2,0.1',
            '--samples',
            '1e4',
            '--seed',
            '9',
            '--threads',
            '1',
            '--format',
            'json',
            '--covariance',
            '--quiet',
          ],
          tmp.dir,
        )
      ).stdout,
    );
    rows.forEach((line, i) => {
      const f = line.split(',').map(Number);
      const [b, k] = [Math.floor(i / 3), i % 3];
      expect(f.slice(0, 3)).toEqual([b, k, [0.5, 1][b]]);
      expect(f[5]).toBe(json.mean[b][k]);
      expect(f[7]).toBe(json.exact.mean[b][k]);
      expect(f[9]).toBe(json.variance[b][k]);
      expect(f.slice(13, 15)).toEqual([1e4, 9]);
      expect(f.slice(15, 18)).toEqual(json.covariance[b][k]);
      expect(f.slice(18, 21)).toEqual(json.exact.covariance[b][k]);
    });
  });

  it('--out writes the result to a file (and nothing else is left in the folder)', async () => {
    const r = await relaxedMc(
      [
        'estimate',
        '--samples',
        '1e4',
        '--seed',
        '1',
        '--threads',
        '1',
        '--format',
        'json',
        '--out',
        'est.json',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(tmp.dir, 'est.json'), 'utf8')).seed).toBe(1);
    expect(entries(tmp.dir)).toEqual(['est.json']);
  });
});
