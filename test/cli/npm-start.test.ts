/**
 * `npm start` runs `relaxed-mc estimate` on the built-in example (temperature 0.5, probs
 * 0.7,0.2,0.1, 10^7 draws) and prints the table and the run summary.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers.js';

describe('npm start', () => {
  it('prints the seed example: three categories with exact means, and 10,000,000 samples', () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['start', '--silent'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^RelaxedOneHotCategorical\(temperature 0\.5, probs \[0\.7, 0\.2, 0\.1\]\)$/m);
    expect(out).toMatch(/^k\s+p\s+mean ± stderr\s+exact mean\s+z\s+variance ± stderr\s+exact variance\s+z$/m);
    expect(out).toMatch(
      /^0\s+0\.7\s+0\.66\d{4} ± 0\.0001\d\d\s+0\.660332\s+[+-]\d\.\d\d\s+0\.125\d{3} ± 0\.0000\d\d\s+0\.125239\s+[+-]\d\.\d\d$/m,
    );
    expect(out).toMatch(/^1\s+0\.2\s+.*0\.221698\s/m);
    expect(out).toMatch(/^2\s+0\.1\s+.*0\.117970\s/m);
    expect(out).toMatch(/^samples {5}10,000,000$/m);
    expect(out).toMatch(/^seed {8}\d+$/m);
    expect(out).toMatch(/^threads {5}\d+$/m);
    expect(out).toMatch(/^time {8}\d+\.\d\d s$/m);
    expect(out).toMatch(/^throughput {2}[\d.]+[kMG]? draws\/s$/m);
  });
});
