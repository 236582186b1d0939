/**
 * `relaxed-mc gradients` run as a subprocess: the table, JSON identical to the engine's result
 * for the same seed, CSV, the figure, user objective modules, bad input (exit 2 naming the
 * flag, no output file) and Ctrl-C (exit 130, no output file).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Engine, torch, type GradientStudy } from 'relaxed-mc';
import { MAIN, entries, relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());
const at = (...f: string[]) => join(tmp.dir, ...f);
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/objectives/${name}`, import.meta.url));
const ESTIMATORS = ['reinforce', 'reinforce-loo', 'gumbel-softmax', 'straight-through', 'gumbel-rao', 'rebar'];
const quadratic = ['--objective', 'quadratic', '--target', '0.45,0.55', '--probs', '0.5,0.5'];

beforeAll(() => {
  mkdirSync(at('objectives'));
  for (const f of ['cubic.mjs', 'throws.mjs', 'wrong-exports.mjs', 'throws-on-import.mjs'])
    copyFileSync(fixture(f), at('objectives', f));
});

describe('relaxed-mc gradients', () => {
  it('prints the mean gradients beside the exact ones, and bias, variance, MSE and SNR per temperature and estimator', async () => {
    const r = await relaxedMc(
      [
        'gradients',
        ...quadratic,
        '--temperatures',
        '0.5,2',
        '--samples',
        '1e4',
        '--seed',
        '3',
        '--threads',
        '1',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^temperature\s+estimator\s+k = 0\s+k = 1$/m);
    expect(r.stdout).toMatch(/^temperature\s+estimator\s+\|bias\| ± se\s+total variance ± se\s+MSE ± se\s+SNR ± se$/m);
    expect(r.stdout).toMatch(/^\s+0\.5\s+exact, discrete\s+0\.0500+\s+-0\.0500+\s*$/m);
    expect(r.stdout).toMatch(/^\s+exact, relaxed\s+0\.04292\d*\s+-0\.04292\d*\s*$/m);
    for (const name of ESTIMATORS)
      expect(
        r.stdout.match(new RegExp(`^\\s+(?:[\\d.]+\\s+)?${name}\\s+-?\\d\\.\\d+ +± +\\d\\.\\d+`, 'gm')),
      ).toHaveLength(4);
    expect(r.stdout).toMatch(/^estimates\s+10,000 per estimator and temperature/m);
    expect(r.stdout).toMatch(/^seed\s+3$/m);
    expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(120);
    expect(entries(tmp.dir)).toEqual(['objectives']);
  });

  it('--format json is the engine result for the same seed, number for number, and --plot writes the figure as SVG and PNG', async () => {
    const temperatures = [0.1, 1];
    const r = await relaxedMc(
      [
        'gradients',
        ...quadratic,
        '--temperatures',
        temperatures.join(','),
        '--samples',
        '1e4',
        '--seed',
        '11',
        '--threads',
        '1',
        '--group-size',
        '3',
        '--format',
        'json',
        '--out',
        'study.json',
        '--plot',
        'study.svg',
        '--plot',
        'study.png',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(at('study.json'), 'utf8'))).toEqual({ ...doc, elapsedMs: expect.any(Number) });

    const engine = new Engine({ threads: 2 });
    let api: GradientStudy;
    try {
      const dist = new torch.distributions.RelaxedOneHotCategorical(torch.tensor(temperatures), { probs: [0.5, 0.5] });
      api = await engine.gradients(dist, {
        objective: { kind: 'quadratic', target: [0.45, 0.55] },
        samples: 1e4,
        seed: 11,
        groupSize: 3,
      });
    } finally {
      await engine.close();
    }
    expect(doc.temperatures).toEqual(temperatures);
    expect(doc.objective).toEqual({ kind: 'quadratic', target: [0.45, 0.55] });
    expect(doc.exact).toEqual({ discrete: api.exact.discrete.tolist(), relaxed: api.exact.relaxed!.tolist() });
    expect(Object.keys(doc.estimators)).toEqual(ESTIMATORS);
    for (const [name, e] of Object.entries(api.estimators)) {
      const d = doc.estimators[name];
      for (const f of [
        'mean',
        'stderr',
        'bias',
        'variance',
        'varianceStderr',
        'mse',
        'mseStderr',
        'snr',
        'snrStderr',
      ] as const) {
        expect(d[f], `${name}.${f}`).toEqual(e[f].tolist());
      }
      for (const f of Object.keys(e.totals) as (keyof typeof e.totals)[])
        expect(d.totals[f], `${name}.totals.${f}`).toEqual(e.totals[f].tolist());
      expect([d.samples, d.groups]).toEqual([e.samples, e.groups]);
    }
    expect(doc.estimators['reinforce-loo'].samples).toBe(10_002); // whole groups of 3
    expect([doc.seed, doc.samples, doc.groupSize, doc.threads, doc.K, doc.generator]).toEqual([
      11,
      1e4,
      3,
      1,
      2,
      api.generator,
    ]);

    const svg = readFileSync(at('study.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of [
      '(a)  Variance',
      '(b)  Bias',
      'Temperature τ (log scale)',
      'exact bias of gumbel-softmax',
      ...ESTIMATORS,
    ]) {
      expect(svg).toContain(`>${text}<`);
    }
    const png = readFileSync(at('study.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(entries(tmp.dir)).toEqual(['objectives', 'study.json', 'study.png', 'study.svg']);
  });

  it('--format csv prints one row per (temperature, estimator, component)', async () => {
    const r = await relaxedMc(
      [
        'gradients',
        '--objective',
        'linear',
        '--c',
        '1,2,3',
        '--logits',
        '0,0.5,1',
        '--temperature',
        '0.5',
        '--estimators',
        'rebar,reinforce',
        '--samples',
        '1e4',
        '--seed',
        '1',
        '--threads',
        '1',
        '--format',
        'csv',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const header = lines[0].split(',');
    expect(header.slice(0, 6)).toEqual([
      'temperature',
      'estimator',
      'component',
      'exact_discrete',
      'exact_relaxed',
      'mean',
    ]);
    expect(header.at(-1)).toBe('seed');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((c) => c.slice(0, 3))).toEqual([
      ['0.5', 'reinforce', '0'],
      ['0.5', 'reinforce', '1'],
      ['0.5', 'reinforce', '2'],
      ['0.5', 'rebar', '0'],
      ['0.5', 'rebar', '1'],
      ['0.5', 'rebar', '2'],
    ]);
    expect(rows.every((c) => c.length === header.length)).toBe(true);
  });

  it('takes a user objective module by relative path or file URL; it has no exact relaxed gradient', async () => {
    const args = [
      '--probs',
      '0.2,0.3,0.5',
      '--temperature',
      '1',
      '--estimators',
      'reinforce',
      '--samples',
      '1e4',
      '--seed',
      '4',
      '--threads',
      '1',
      '--quiet',
    ];
    const rel = await relaxedMc(
      ['gradients', '--objective', 'objectives/cubic.mjs', ...args, '--format', 'json'],
      tmp.dir,
    );
    expect(rel.stderr).toBe('');
    expect(rel.code).toBe(0);
    const doc = JSON.parse(rel.stdout);
    expect(doc.objective).toEqual({ module: at('objectives', 'cubic.mjs') });
    expect(doc.exact.relaxed).toBeNull();
    // reinforce is unbiased: within 5 standard errors of the exact gradient (false-failure rate ~6e-7 per component).
    const { bias, stderr } = doc.estimators.reinforce;
    for (let k = 0; k < 3; k++) expect(Math.abs(bias[0][k]) / stderr[0][k]).toBeLessThan(5);

    const url = await relaxedMc(
      ['gradients', '--objective', pathToFileURL(at('objectives', 'cubic.mjs')).href, ...args],
      tmp.dir,
    );
    expect(url.code).toBe(0);
    expect(url.stdout).toContain(`objective: f from the module ${pathToFileURL(at('objectives', 'cubic.mjs')).href}`);
    expect(url.stdout).toMatch(/exact, discrete/);
    expect(url.stdout).not.toMatch(/^\s+exact, relaxed/m);
  });
});

describe('relaxed-mc gradients refuses bad input with exit 2, naming the flag, and writes nothing', () => {
  const run = ['--samples', '1e3', '--threads', '1', '--quiet', '--out', 'o.json'];
  const cases: [string, string[], RegExp][] = [
    [
      'an unknown estimator',
      [...quadratic, '--estimators', 'reinforce,nope'],
      /--estimators: unknown estimator 'nope'; give all, or a comma-separated list of reinforce, /,
    ],
    [
      'a --target of the wrong length',
      ['--objective', 'quadratic', '--target', '0.1,0.2,0.3', '--probs', '0.5,0.5'],
      /--target must have 1 or K = 2 values .* but has 3/,
    ],
    ['a missing --target', ['--objective', 'quadratic', '--probs', '0.5,0.5'], /--objective quadratic needs --target/],
    [
      '--c with the quadratic objective',
      [...quadratic, '--c', '1'],
      /--c gives the coefficients of --objective linear, but the objective is 'quadratic'/,
    ],
    [
      'a missing module file',
      ['--objective', 'nowhere.mjs', '--probs', '0.5,0.5'],
      /--objective nowhere\.mjs: cannot read the module \(ENOENT/,
    ],
    [
      'a module whose f throws',
      ['--objective', 'objectives/throws.mjs', '--probs', '0.5,0.5'],
      /--objective objectives\/throws\.mjs: the module failed its check .*objective exploded at evaluation/,
    ],
    [
      'a module with the wrong exports',
      ['--objective', 'objectives/wrong-exports.mjs', '--probs', '0.5,0.5'],
      /--objective objectives\/wrong-exports\.mjs: .*must export functions f\(z\) and grad\(z, out\)/,
    ],
    [
      'a module that throws on import',
      ['--objective', 'objectives/throws-on-import.mjs', '--probs', '0.5,0.5'],
      /--objective objectives\/throws-on-import\.mjs: .*cannot load: missing weights file/,
    ],
    [
      'a group size too small for reinforce-loo',
      [...quadratic, '--group-size', '1'],
      /--group-size must be at least 2 for reinforce-loo/,
    ],
    [
      'a zero group size',
      [...quadratic, '--group-size', '0'],
      /--group-size must be a positive integer such as 4 .* but got '0'/,
    ],
    [
      'a nested --probs',
      ['--objective', 'quadratic', '--target', '0.5', '--probs', '[[0.5,0.5],[0.2,0.8]]'],
      /--probs: gradients takes one vector of K numbers/,
    ],
    [
      'a zero temperature',
      [...quadratic, '--temperatures', '0.5,0'],
      /--temperatures: every temperature must be positive, but entry 2 is 0/,
    ],
    [
      'both --temperature and --temperatures',
      [...quadratic, '--temperature', '1', '--temperatures', '1,2'],
      /'--temperature <t>' cannot be used with option '--temperatures <list>'/,
    ],
    ['no --objective', ['--probs', '0.5,0.5'], /required option '--objective <f>' not specified/],
  ];
  it.each(cases)('%s', async (_what, args, message) => {
    const r = await relaxedMc(['gradients', ...args, ...run], tmp.dir);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
    expect(entries(tmp.dir).filter((f) => f.startsWith('o.json') || f.startsWith('.o.json'))).toEqual([]);
  });
});

describe('Ctrl-C during gradients', () => {
  it('stops the study with exit 130 and leaves neither the result nor the figure', async () => {
    const dir = tempFolder();
    try {
      const args = [
        'gradients',
        ...quadratic,
        '--estimators',
        'reinforce',
        '--samples',
        '1e12',
        '--threads',
        '1',
        '--format',
        'json',
        '--out',
        'g.json',
        '--plot',
        'g.svg',
      ];
      const r = await new Promise<{ code: number | null; stderr: string; ms: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [MAIN, ...args], { cwd: dir.dir, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        let sentAt = 0;
        child.stderr.setEncoding('utf8').on('data', (s: string) => {
          stderr += s;
          if (sentAt === 0 && /estimates\/s/.test(stderr)) {
            sentAt = performance.now();
            child.kill('SIGINT');
          }
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr, ms: performance.now() - sentAt }));
      });
      expect(r.stderr).toMatch(/^gradients: \d+\.\d% /);
      expect(r.stderr).toMatch(/relaxed-mc: interrupted; stopping/);
      expect(r.code).toBe(130);
      expect(r.ms).toBeLessThan(2500);
      expect(entries(dir.dir)).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });
});
