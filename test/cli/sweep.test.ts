/**
 * `relaxed-mc sweep` run as a subprocess: the table over temperatures, the result file, and the
 * figure as SVG and PNG.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { torch } from 'relaxed-mc';
import { entries, relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());
const at = (f: string) => join(tmp.dir, f);
const temperatures = [0.1, 0.5, 2];

describe('relaxed-mc sweep', () => {
  it('prints exact and Monte Carlo moments per temperature and category, and writes the result and the figure', async () => {
    const r = await relaxedMc(
      [
        'sweep',
        '--temperatures',
        temperatures.join(','),
        '--probs',
        '0.7,0.2,0.1',
        '--samples',
        '2e4',
        '--seed',
        '8',
        '--threads',
        '1',
        '--out',
        'sweep.json',
        '--plot',
        'sweep.svg',
        '--plot',
        'sweep.png',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^temperature\s+k\s+p\s+mean ± stderr\s+exact mean\s+z\s+variance ± stderr\s+exact variance\s+z$/m,
    );
    for (const t of temperatures) expect(r.stdout).toMatch(new RegExp(`^\\s*${t}\\s+0\\s+0\\.7\\s`, 'm'));

    const doc = JSON.parse(readFileSync(at('sweep.json'), 'utf8'));
    const dist = new torch.distributions.RelaxedOneHotCategorical(torch.tensor(temperatures), {
      probs: [0.7, 0.2, 0.1],
    });
    expect(doc.temperature).toEqual(temperatures);
    expect(doc.exact.mean).toEqual(dist.mean.tolist());
    expect(doc.exact.variance).toEqual(dist.variance.tolist());
    expect(doc.mean).toHaveLength(3);
    expect(doc.mean[0]).toHaveLength(3);
    expect(doc.samples).toBe(2e4);
    expect(doc.seed).toBe(8);

    const svg = readFileSync(at('sweep.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of [
      '(a)  Mean',
      '(b)  Variance',
      'Temperature τ (log scale)',
      'E[yₖ]',
      'Var[yₖ]',
      'k = 0  (p = 0.7)',
      'exact (quadrature)',
    ]) {
      expect(svg).toContain(`>${text}<`);
    }
    const png = readFileSync(at('sweep.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBeGreaterThan(2000); // width: rendered at 3x for print
    expect(entries(tmp.dir)).toEqual(['sweep.json', 'sweep.png', 'sweep.svg']);
  });

  it('--format csv prints one row per (temperature, category)', async () => {
    const r = await relaxedMc(
      [
        'sweep',
        '--temperatures',
        '[0.5, 1]',
        '--logits',
        '0,0',
        '--samples',
        '1e4',
        '--threads',
        '1',
        '--format',
        'csv',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0].startsWith('batch,category,temperature,prob,')).toBe(true);
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 4).map(Number))).toEqual([
      [0, 0, 0.5, 0.5],
      [0, 1, 0.5, 0.5],
      [1, 0, 1, 0.5],
      [1, 1, 1, 0.5],
    ]);
  });
});
