/**
 * Footguns removed: the format follows the extension for every command; an output that is an
 * input or the checkpoint is refused; log-prob needs a temperature and refuses a seed; one
 * number grammar; outputs are checked before any work; no temporary file exists before the
 * first byte is ready; merges and resumed runs report the work they did.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MAIN, entries, relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());
let n = 0;
function folder(): string {
  const dir = join(tmp.dir, `f${n++}`);
  mkdirSync(dir);
  return dir;
}
const quick = ['--samples', '2000', '--seed', '1', '--threads', '1', '--quiet'];

describe('the output format follows the extension, for every command', () => {
  const isJson = (t: string) => expect(() => JSON.parse(t)).not.toThrow();
  const isCsv = (t: string) => expect(t.split('\n')[0]).toMatch(/^[a-z_0-9]+(,[a-z_0-9]+)+$/);
  const isTable = (t: string) => expect(t).toMatch(/seed\s+1/);
  const check = { json: isJson, csv: isCsv, txt: isTable, '': isTable } as const;

  for (const cmd of ['estimate', 'sweep', 'gradients'] as const) {
    it(`${cmd} --out r.json / r.csv / r.txt / r writes JSON / CSV / the table`, async () => {
      const dir = folder();
      const args =
        cmd === 'gradients'
          ? [
              'gradients',
              '--objective',
              'linear',
              '--c',
              '1,2',
              '--probs',
              '0.3,0.7',
              '--temperature',
              '0.5',
              '--estimators',
              'reinforce',
            ]
          : cmd === 'sweep'
            ? ['sweep', '--temperatures', '0.5,1']
            : ['estimate'];
      for (const ext of ['json', 'csv', 'txt', ''] as const) {
        const file = ext === '' ? 'r' : `r.${ext}`;
        const r = await relaxedMc([...args, ...quick, '--out', file], dir);
        expect(r.code, r.stderr).toBe(0);
        check[ext](readFileSync(join(dir, file), 'utf8'));
      }
    });
  }

  it('merge --out follows the extension too', async () => {
    const dir = folder();
    const job = ['estimate', '--samples', '4000', '--seed', '5', '--threads', '1', '--quiet'];
    for (const i of [0, 1])
      expect((await relaxedMc([...job, '--shard', `${i}/2`, '--out', `p${i}.json`], dir)).code).toBe(0);
    for (const ext of ['json', 'csv', 'txt'] as const) {
      const r = await relaxedMc(['merge', 'p0.json', 'p1.json', '--out', `m.${ext}`], dir);
      expect(r.code, r.stderr).toBe(0);
      check[ext === 'txt' ? 'txt' : ext](
        readFileSync(join(dir, `m.${ext}`), 'utf8').replace('seed        5', 'seed        1'),
      );
    }
  });

  it('a --format that contradicts the extension is an error, and nothing is written', async () => {
    const dir = folder();
    for (const args of [
      ['estimate', ...quick, '--format', 'csv', '--out', 'r.json'],
      ['sweep', ...quick, '--format', 'table', '--out', 'r.csv'],
      ['estimate', ...quick, '--format', 'json', '--out', 'r.txt'],
    ]) {
      const r = await relaxedMc(args, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--format \w+ contradicts --out r\.\w+/);
    }
    expect(entries(dir)).toEqual([]);
  });
});

describe('an output that is an input or the checkpoint is refused (same device and inode)', () => {
  it('estimate --checkpoint X --out X, also when the checkpoint exists and the paths differ', async () => {
    const dir = folder();
    const r = await relaxedMc(['estimate', ...quick, '--checkpoint', 'run.json', '--out', 'run.json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out run\.json is the same file as --checkpoint run\.json/);
    expect(entries(dir)).toEqual([]);
    expect((await relaxedMc(['estimate', ...quick, '--checkpoint', 'run.json'], dir)).code).toBe(0);
    const saved = readFileSync(join(dir, 'run.json'), 'utf8');
    const again = await relaxedMc(
      ['estimate', ...quick, '--checkpoint', 'run.json', '--out', `../${basename(dir)}/run.json`],
      dir,
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is the same file as --checkpoint run\.json/);
    expect(readFileSync(join(dir, 'run.json'), 'utf8')).toBe(saved);
  });

  it('log-prob --out equal to --values, also through a symbolic link, leaves the values untouched', async () => {
    const dir = folder();
    const values = 'y0,y1,y2\n0.2,0.3,0.5\n';
    writeFileSync(join(dir, 'v.csv'), values);
    symlinkSync(join(dir, 'v.csv'), join(dir, 'link.csv'));
    for (const out of ['v.csv', './v.csv', 'link.csv']) {
      const r = await relaxedMc(
        ['log-prob', '--temperature', '0.5', '--probs', '0.2,0.3,0.5', '--values', 'v.csv', '--out', out],
        dir,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is the same file as --values v\.csv/);
    }
    expect(readFileSync(join(dir, 'v.csv'), 'utf8')).toBe(values);
  });

  it('merge --out equal to one of its partial results', async () => {
    const dir = folder();
    const job = ['estimate', '--samples', '4000', '--seed', '5', '--threads', '1', '--quiet'];
    for (const i of [0, 1]) await relaxedMc([...job, '--shard', `${i}/2`, '--out', `p${i}.json`], dir);
    const before = readFileSync(join(dir, 'p1.json'), 'utf8');
    const r = await relaxedMc(['merge', 'p0.json', 'p1.json', '--out', 'p1.json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out p1\.json is the same file as the partial result p1\.json/);
    expect(readFileSync(join(dir, 'p1.json'), 'utf8')).toBe(before);
  });
});

describe('log-prob', () => {
  it('requires --temperature (no silent 0.5) and refuses --seed', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'v.csv'), 'y0,y1\n0.2,0.8\n');
    const args = ['log-prob', '--probs', '0.3,0.7', '--values', 'v.csv', '--out', 'lp.csv'];
    const missing = await relaxedMc(args, dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--temperature <t>' not specified/);
    const seeded = await relaxedMc([...args, '--temperature', '0.5', '--seed', '3'], dir);
    expect(seeded.code).toBe(2);
    expect(seeded.stderr).toMatch(/--seed does not apply to log-prob: it draws nothing/);
    expect(entries(dir)).toEqual(['v.csv']);
  });
});

describe('one number grammar', () => {
  it('a JSON number beyond float64 is refused as the comma form refuses it', async () => {
    const dir = folder();
    const comma = await relaxedMc(['estimate', ...quick, '--logits', '0,-1e400'], dir);
    expect(comma.code).toBe(2);
    expect(comma.stderr).toMatch(/not a finite decimal number/);
    for (const json of ['[0,-1e400]', '[[0,1],[2,1e999]]']) {
      const r = await relaxedMc(['estimate', ...quick, '--logits', json], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--logits .*: the entry at \[\d+\](\[\d+\])? is not a finite decimal number/);
    }
    writeFileSync(join(dir, 't.json'), '-1e400');
    const file = await relaxedMc(['estimate', ...quick, '--temperature', '@t.json'], dir);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/--temperature @t\.json: the entry is not a finite decimal number/);
  });
});

describe('outputs are checked before any work', () => {
  it('a .npy larger than the free space is refused at once, naming the sizes', async () => {
    const dir = folder();
    const t0 = performance.now();
    const r = await relaxedMc(['sample', '--probs', '0.5,0.5', '--samples', '1e15', '--out', 'z.npy'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out z\.npy: the file needs about .* [TP]iB but the file system of .* has .* free/);
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(entries(dir)).toEqual([]);
  });

  it('no temporary file exists while the estimate runs: it is created with the first byte', async () => {
    const dir = folder();
    const seen = await new Promise<string[][]>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [MAIN, 'estimate', '--samples', '1e12', '--threads', '1', '--out', 'e.json'],
        {
          cwd: dir,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      const listings: string[][] = [];
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
        if (listings.length === 0 && /draws\/s/.test(stderr)) {
          listings.push(entries(dir));
          child.kill('SIGINT');
        }
      });
      child.on('error', reject);
      child.on('close', () => resolve(listings));
    });
    expect(seen).toEqual([[]]);
    expect(entries(dir)).toEqual([]);
  });
});

describe('merges and resumed runs report the work they did', () => {
  it('merge says the result was loaded, not computed (no threads 0, no absurd throughput)', async () => {
    const dir = folder();
    const job = ['estimate', '--samples', '4000', '--seed', '5', '--threads', '1', '--quiet'];
    for (const i of [0, 1]) await relaxedMc([...job, '--shard', `${i}/2`, '--out', `p${i}.json`], dir);
    const r = await relaxedMc(['merge', 'p0.json', 'p1.json'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/threads\s+none: the result was loaded, not computed/);
    expect(r.stdout).not.toMatch(/throughput/);
    const json = JSON.parse((await relaxedMc(['merge', 'p0.json', 'p1.json', '--format', 'json'], dir)).stdout);
    expect(json.work).toEqual({ samples: 0, loadedSamples: 4000, threads: 0, elapsedMs: 0 });
  });

  it('rerunning a finished checkpoint says everything was loaded', async () => {
    const dir = folder();
    const args = ['estimate', ...quick, '--checkpoint', 'run.ckpt'];
    const first = await relaxedMc(args, dir);
    expect(first.stdout).toMatch(/threads\s+1\n/);
    expect(first.stdout).toMatch(/throughput\s+\S+ draws\/s/);
    const again = await relaxedMc(args, dir);
    expect(again.stdout).toMatch(/samples\s+2,000 \(all loaded: none drawn by this run\)/);
    expect(again.stdout).toMatch(/threads\s+none: the result was loaded, not computed/);
  });
});
