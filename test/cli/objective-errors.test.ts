/**
 * A user objective's non-finite value or gradient fails the job with a typed error naming the
 * point z where it happened (it used to give a table of NaN ± NaN and exit 0).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ObjectiveError } from '../../src/errors.js';
import { objectiveFromModule } from '../../src/kernels/objectives.js';
import { ROOT, entries, relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());
const fixture = (name: string) => join(ROOT, 'test/fixtures/objectives', name);

describe('non-finite user objectives', () => {
  it('objectiveFromModule checks every call and names the point', () => {
    const obj = objectiveFromModule(
      2,
      {
        f: (z: Float64Array) => (z[0] > 0.9 ? NaN : z[0]),
        grad: (z: Float64Array, out: Float64Array) => out.fill(1 / z[1]),
      },
      'm',
    );
    expect(obj.f(Float64Array.of(0.3, 0.7))).toBe(0.3);
    let err: unknown;
    try {
      obj.f(Float64Array.of(0.95, 0.05));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ObjectiveError);
    expect((err as ObjectiveError).point).toEqual([0.95, 0.05]);
    expect((err as Error).message).toBe(
      'm: f(z) returned NaN at z = [0.95, 0.05]; an objective must be finite wherever it is evaluated.',
    );
    expect(() => obj.grad(Float64Array.of(1, 0), new Float64Array(2))).toThrow(
      /grad\(z, out\) wrote out\[0\] = Infinity at z = \[1, 0\]/,
    );
  });

  it('gradients: NaN at a vertex fails with ObjectiveError naming z, exit 1, no output file', async () => {
    const r = await relaxedMc(
      [
        'gradients',
        '--objective',
        fixture('nan-near-vertex.mjs'),
        '--probs',
        '0.5,0.3,0.2',
        '--temperatures',
        '0.01',
        '--samples',
        '1e4',
        '--seed',
        '1',
        '--threads',
        '1',
        '--quiet',
        '--out',
        'nan.json',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ObjectiveError: .*nan-near-vertex\.mjs: f\(z\) returned NaN at z = \[[^\]]+\]/);
    expect(entries(tmp.dir)).toEqual([]);
  });

  it('gradients: an infinite gradient at a sample fails with ObjectiveError naming z', async () => {
    const r = await relaxedMc(
      [
        'gradients',
        '--objective',
        fixture('grad-inf-near-vertex.mjs'),
        '--probs',
        '0.5,0.3,0.2',
        '--temperatures',
        '0.0005',
        '--estimators',
        'gumbel-softmax',
        '--samples',
        '1e4',
        '--seed',
        '1',
        '--threads',
        '2',
        '--quiet',
      ],
      tmp.dir,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ObjectiveError: .*grad\(z, out\) wrote out\[0\] = -Infinity at z = \[0, [^\]]+\]/);
    expect(r.stdout).not.toMatch(/NaN/);
  });
});
