/**
 * The exact columns of `estimate` and `sweep`: any temperature, `--no-exact`, and no silent
 * nonsense (z-scores only where they mean something, constant coordinates said so, non-finite
 * values marked, parameters shown as given).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zScore, shortNumber } from '../../src/cli/moments-report.js';
import { EXACT_MOMENT_ACCURACY } from '../../src/kernels/exact/exact-moments.js';
import { relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

const run = (args: string[]) =>
  relaxedMc(['estimate', '--samples', '2e4', '--seed', '3', '--threads', '1', '--quiet', ...args], tmp.dir);

/** The data rows of an estimate table (after the header line). */
function tableRows(stdout: string, K: number): string[][] {
  const lines = stdout.split('\n');
  return lines.slice(3, 3 + K).map((l) => l.trim().split(/\s{2,}/));
}

describe('z-scores and marked cells', () => {
  it('zScore gives a number only where the error bound is below 0.1 x stderr and all is finite', () => {
    expect(zScore(0.61, 0.6, 0.01, 0.2)).toBeCloseTo(1, 12);
    expect(zScore(0.5, 0.5, 5 * EXACT_MOMENT_ACCURACY, 0.25)).toBeNull();
    expect(zScore(0.5, 0.5, 20 * EXACT_MOMENT_ACCURACY, 0.25)).toBe(0);
    expect(zScore(0.5, 0.5, 0, 0.25)).toBeNull();
    expect(zScore(NaN, 0.5, 0.1, 0.25)).toBeNull();
    expect(zScore(0.5, 0.5, Infinity, 0.25)).toBeNull();
    expect(zScore(1, 1, 0, 0)).toBe('const');
    expect(zScore(0.9, 1, 0, 0)).toBe('differs');
  });

  it('shows parameters as given: 1e-300 stays 1e-300', () => {
    expect(shortNumber(1e-300)).toBe('1e-300');
    expect(shortNumber(0.7)).toBe('0.7');
    expect(shortNumber(1 / 3)).toBe('0.333333');
    expect(shortNumber(0.20000000000000004)).toBe('0.2');
  });

  it('estimate --temperature 1e-300 runs and reports E[y] = p, Var = p (1 - p)', async () => {
    const r = await run(['--temperature', '1e-300', '--probs', '0.7,0.2,0.1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('RelaxedOneHotCategorical(temperature 1e-300, probs [0.7, 0.2, 0.1])');
    const rows = tableRows(r.stdout, 3);
    expect(rows.map((c) => c[3])).toEqual(['0.700000', '0.200000', '0.100000']);
    expect(rows.map((c) => c[6])).toEqual(['0.210000', '0.160000', '0.090000']);
    // With 2e4 draws the stderr is ~3e-3, far above the bound: every z is a number.
    for (const c of rows) for (const z of [c[4], c[7]]) expect(z).toMatch(/^[+-]\d\.\d\d$/);
  });

  it('K = 1 says the coordinate is constant instead of printing a z-score', async () => {
    const r = await run(['--temperature', '0.5', '--probs', '1']);
    expect(r.code).toBe(0);
    const [row] = tableRows(r.stdout, 1);
    expect([row[4], row[7]]).toEqual(['const', 'const']);
    expect(r.stdout).toMatch(/^const: the exact variance is 0/m);
    const csv = await run(['--temperature', '0.5', '--probs', '1', '--format', 'csv']);
    const f = csv.stdout.trimEnd().split('\n')[1].split(',');
    expect([f[8], f[12]]).toEqual(['', '']);
  });

  it('a probability-0 category gets n/a, not a z of -9e8', async () => {
    const r = await run(['--temperature', '0.5', '--probs', '0.5,0.5,0']);
    expect(r.code).toBe(0);
    const rows = tableRows(r.stdout, 3);
    expect([rows[2][4], rows[2][7]]).toEqual(['n/a', 'n/a']);
    expect(r.stdout).toMatch(/^n\/a: no z where/m);
    for (const c of rows.slice(0, 2)) expect(c[4]).toMatch(/^[+-]\d\.\d\d$/);
  });

  it('tau = 1e300 prints no Infinity or NaN, and shows a probability of 1e-300 as given', async () => {
    for (const format of ['table', 'csv', 'json']) {
      const r = await run(['--temperature', '1e300', '--probs', '0.5,0.5,1e-300', '--format', format]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/Infinity|NaN/);
      if (format === 'table') {
        expect(tableRows(r.stdout, 3)[2][1]).toBe('1e-300');
        for (const c of tableRows(r.stdout, 3)) expect(['n/a', 'const']).toContain(c[7]);
      }
    }
  });
});

describe('--no-exact', () => {
  it('estimate: no exact or z columns in the table, exact: null in JSON, empty cells in CSV', async () => {
    const table = await run(['--no-exact']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[2]).toMatch(/^k\s+p\s+mean ± stderr\s+variance ± stderr$/);
    expect(table.stdout).not.toMatch(/exact|z =/);
    const json = JSON.parse((await run(['--no-exact', '--format', 'json'])).stdout);
    expect(json.exact).toBeNull();
    expect(json.mean[0]).toBeGreaterThan(0.6);
    const csv = (await run(['--no-exact', '--format', 'csv'])).stdout.trimEnd().split('\n');
    const head = csv[0].split(',');
    for (const line of csv.slice(1)) {
      const f = line.split(',');
      for (const name of ['exact_mean', 'z_mean', 'exact_variance', 'z_variance']) {
        expect(f[head.indexOf(name)]).toBe('');
      }
      expect(Number(f[head.indexOf('mean')])).toBeGreaterThan(0);
    }
  });

  it('sweep: no exact columns, exact: null in --out, and a figure without exact curves', async () => {
    const r = await relaxedMc(
      [
        'sweep',
        '--temperatures',
        '0.1,1',
        '--samples',
        '1e4',
        '--seed',
        '2',
        '--threads',
        '1',
        '--quiet',
        '--no-exact',
        '--out',
        'nx.json',
        '--plot',
        'nx.svg',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^temperature\s+k\s+p\s+mean ± stderr\s+variance ± stderr$/m);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'nx.json'), 'utf8')).exact).toBeNull();
    expect(readFileSync(join(tmp.dir, 'nx.svg'), 'utf8')).toContain('<svg');
  });
});
