/**
 * `relaxed-mc sample` and `relaxed-mc log-prob` run as subprocesses: NPY files read back and
 * compared with the API for the same seed, CSV headers and values, and the log-densities.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, torch } from 'relaxed-mc';
import { parseNpy } from '../../src/cli/npy.js';
import { entries, relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());
const at = (f: string) => join(tmp.dir, f);
const logits = [0.1, -0.2, 0.3];
const dist = new torch.distributions.RelaxedOneHotCategorical(0.5, { logits });

async function apiSample(n: number, seed: number, logSpace = false): Promise<torch.Tensor> {
  const engine = new Engine({ threads: 1 });
  try {
    return await engine.sample(dist, [n], { seed, logSpace });
  } finally {
    await engine.close();
  }
}

describe('relaxed-mc sample', () => {
  it('writes a float64 C-order .npy of shape [N, K] holding exactly the API samples for the seed', async () => {
    const r = await relaxedMc(
      [
        'sample',
        '--temperature',
        '0.5',
        '--logits',
        '0.1,-0.2,0.3',
        '--samples',
        '2e4',
        '--seed',
        '7',
        '--threads',
        '1',
        '--out',
        'z.npy',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('sample: wrote z.npy, shape [20000, 3], seed 7\n');
    const bytes = readFileSync(at('z.npy'));
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
    const headerEnd = 10 + bytes.readUInt16LE(8);
    expect(headerEnd % 64).toBe(0);
    expect(bytes.toString('latin1', 10, headerEnd).trimEnd()).toBe(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (20000, 3), }",
    );
    const back = parseNpy(bytes, 'z.npy');
    expect(back.shape).toEqual([20000, 3]);
    const z = await apiSample(2e4, 7);
    expect(Array.from(back.data)).toEqual(Array.from(z.data));
  });

  it('writes a batched .npy of shape [N, ...batch, K], and log-space values with --log-space', async () => {
    const r = await relaxedMc(
      [
        'sample',
        '--temperature',
        '[0.5, 1]',
        '--probs',
        '[[0.7,0.2,0.1],[0.1,0.2,0.7]]',
        '--samples',
        '100',
        '--seed',
        '3',
        '--threads',
        '1',
        '--out',
        'b.npy',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    expect(parseNpy(readFileSync(at('b.npy')), 'b.npy').shape).toEqual([100, 2, 3]);
    const l = await relaxedMc(
      [
        'sample',
        '--logits',
        '0.1,-0.2,0.3',
        '--samples',
        '500',
        '--seed',
        '4',
        '--threads',
        '1',
        '--out',
        'x.npy',
        '--log-space',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(l.code).toBe(0);
    const x = parseNpy(readFileSync(at('x.npy')), 'x.npy');
    expect(Array.from(x.data)).toEqual(Array.from((await apiSample(500, 4, true)).data));
  });

  it('writes a .csv with a header y0..y{K-1} and one row of K values per draw, read back bit for bit', async () => {
    const r = await relaxedMc(
      [
        'sample',
        '--logits',
        '0.1,-0.2,0.3',
        '--samples',
        '1000',
        '--seed',
        '7',
        '--threads',
        '1',
        '--out',
        'z.csv',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    const [header, ...rows] = readFileSync(at('z.csv'), 'utf8').trimEnd().split('\n');
    expect(header).toBe('y0,y1,y2');
    expect(rows).toHaveLength(1000);
    const z = await apiSample(1000, 7);
    expect(rows.flatMap((line) => line.split(',').map(Number))).toEqual(Array.from(z.data));
  });
});

describe('relaxed-mc log-prob', () => {
  it('reads an .npy of values and writes their log-densities, equal to dist.log_prob', async () => {
    const z = await apiSample(3000, 11);
    const s = await relaxedMc(
      [
        'sample',
        '--logits',
        '0.1,-0.2,0.3',
        '--samples',
        '3000',
        '--seed',
        '11',
        '--threads',
        '1',
        '--out',
        'v.npy',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(s.code).toBe(0);
    const r = await relaxedMc(
      [
        'log-prob',
        '--temperature',
        '0.5',
        '--logits',
        '0.1,-0.2,0.3',
        '--values',
        'v.npy',
        '--out',
        'lp.npy',
        '--threads',
        '1',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('log-prob: wrote lp.npy, shape [3000]\n');
    const lp = parseNpy(readFileSync(at('lp.npy')), 'lp.npy');
    expect(lp.shape).toEqual([3000]);
    expect(Array.from(lp.data)).toEqual(Array.from(dist.log_prob(z).data));
  });

  it('reads a .csv (header + K columns) and writes a log_prob column', async () => {
    writeFileSync(at('v.csv'), 'a,b,c\n0.5,0.25,0.25\n 0.1 , 0.2 , 0.7 \n1e-1,6e-1,3e-1\n');
    const r = await relaxedMc(
      [
        'log-prob',
        '--temperature',
        '0.5',
        '--logits',
        '0.1,-0.2,0.3',
        '--values',
        'v.csv',
        '--out',
        'lp.csv',
        '--threads',
        '1',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(0);
    const [header, ...rows] = readFileSync(at('lp.csv'), 'utf8').trimEnd().split('\n');
    expect(header).toBe('log_prob');
    const expected = dist
      .log_prob([
        [0.5, 0.25, 0.25],
        [0.1, 0.2, 0.7],
        [0.1, 0.6, 0.3],
      ])
      .tolist() as number[];
    expect(rows.map(Number)).toEqual(expected);
  });

  it('reshapes CSV rows of a batched distribution to [N, ...batch, K], as sample writes them', async () => {
    const args = ['--temperature', '[0.5, 1]', '--probs', '[[0.7,0.2,0.1],[0.1,0.2,0.7]]'];
    expect(
      (
        await relaxedMc(
          ['sample', ...args, '--samples', '50', '--seed', '2', '--threads', '1', '--out', 'bz.csv', '--quiet'],
          tmp.dir,
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await relaxedMc(
          ['sample', ...args, '--samples', '50', '--seed', '2', '--threads', '1', '--out', 'bz.npy', '--quiet'],
          tmp.dir,
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await relaxedMc(
          ['log-prob', ...args, '--values', 'bz.csv', '--out', 'blp.npy', '--threads', '1', '--quiet'],
          tmp.dir,
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await relaxedMc(
          ['log-prob', ...args, '--values', 'bz.npy', '--out', 'blp2.npy', '--threads', '1', '--quiet'],
          tmp.dir,
        )
      ).code,
    ).toBe(0);
    const a = parseNpy(readFileSync(at('blp.npy')), 'blp.npy');
    const b = parseNpy(readFileSync(at('blp2.npy')), 'blp2.npy');
    expect(a.shape).toEqual([50, 2]);
    expect(b).toEqual(a);
  });

  it('leaves no temporary files behind', () => {
    expect(entries(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
