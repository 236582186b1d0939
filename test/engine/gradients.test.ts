import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { torch, Engine } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/objectives/${name}`, import.meta.url));
const engines = [new Engine({ threads: 1 }), new Engine({ threads: 2 }), new Engine({ threads: 4 })];
afterAll(async () => {
  for (const e of engines) await e.close();
});
const [one, two, four] = engines;

const bits = (t: { data: Float64Array }) =>
  Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length * 2));

describe('engine.gradients', () => {
  const dist = new RelaxedOneHotCategorical(torch.tensor([0.5, 2]), {
    logits: [
      [0.3, -0.2, 0.5],
      [1, 0, -1],
    ],
  });
  const options = {
    objective: { kind: 'quadratic' as const, target: [0.2, 0.5, 0.3] },
    samples: 20_000,
    seed: 5,
    chunkSize: 1000,
  };

  it('the whole report is identical for 1, 2 and 4 threads and any chunk order', async () => {
    const a = await one.gradients(dist, options);
    const b = await two.gradients(dist, { ...options, order: 'random' });
    const c = await four.gradients(dist, options);
    for (const r of [b, c]) {
      for (const [name, rep] of Object.entries(a.estimators)) {
        const other = r.estimators[name];
        for (const key of [
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
          expect(bits(other[key]), `${name}.${key}`).toEqual(bits(rep[key]));
        }
        for (const key of Object.keys(rep.totals) as (keyof typeof rep.totals)[])
          expect(bits(other.totals[key]), `${name}.totals.${key}`).toEqual(bits(rep.totals[key]));
      }
    }
    expect(Object.keys(a.estimators)).toEqual([
      'reinforce',
      'reinforce-loo',
      'gumbel-softmax',
      'straight-through',
      'gumbel-rao',
      'rebar',
    ]);
    expect(a.estimators.reinforce.mean.shape).toEqual([2, 3]);
    expect(a.estimators.reinforce.totals.mse.shape).toEqual([2]);
  });

  it('unbiased estimators agree with the exact discrete gradient within 5 standard errors (false-failure rate ~6e-7 per number)', async () => {
    const r = await two.gradients(dist, {
      ...options,
      samples: 200_000,
      estimators: ['reinforce', 'reinforce-loo', 'rebar'],
    });
    for (const [name, rep] of Object.entries(r.estimators)) {
      for (let i = 0; i < 6; i++) {
        expect(Math.abs(rep.bias.data[i]) / rep.stderr.data[i], `${name} component ${i}`).toBeLessThan(5);
      }
    }
    // gumbel-softmax is unbiased for the relaxed objective instead.
    const gs = (await two.gradients(dist, { ...options, samples: 200_000, estimators: ['gumbel-softmax'] })).estimators[
      'gumbel-softmax'
    ];
    for (let i = 0; i < 6; i++)
      expect(Math.abs(gs.mean.data[i] - r.exact.relaxed!.data[i]) / gs.stderr.data[i]).toBeLessThan(5);
  });

  it('accepts a user objective module and reports it as the objective', async () => {
    const r = await two.gradients(dist, {
      objective: { module: fixture('cubic.mjs') },
      samples: 50_000,
      seed: 2,
      estimators: ['reinforce'],
    });
    expect(r.exact.relaxed).toBeNull();
    const rep = r.estimators.reinforce;
    for (let i = 0; i < 6; i++) expect(Math.abs(rep.bias.data[i]) / rep.stderr.data[i]).toBeLessThan(5);
  });

  it('a user objective may call log_prob without disturbing the random streams', async () => {
    const opts = { samples: 4000, seed: 6, chunkSize: 500, estimators: ['rebar', 'gumbel-rao'] };
    const plain = await two.gradients(dist, { ...opts, objective: { module: fixture('quadratic.mjs') } });
    const busy = await two.gradients(dist, { ...opts, objective: { module: fixture('quadratic-with-log-prob.mjs') } });
    for (const name of ['rebar', 'gumbel-rao'])
      expect(bits(busy.estimators[name].mean)).toEqual(bits(plain.estimators[name].mean));
  });

  it('a user module that throws, is missing, has the wrong exports or fails to load: a clear error, before any chunk runs', async () => {
    const before = two.completedTasks;
    const cases: [string, RegExp][] = [
      ['throws.mjs', /throws\.mjs failed its check: objective exploded at evaluation/],
      ['no-such-module.mjs', /no-such-module\.mjs failed its check: .*(Cannot find|ERR_MODULE_NOT_FOUND)/],
      [
        'wrong-exports.mjs',
        /wrong-exports\.mjs failed its check: .*must export functions f\(z\) and grad\(z, out\).*grad: undefined/,
      ],
      ['throws-on-import.mjs', /throws-on-import\.mjs failed its check: cannot load: missing weights file/],
    ];
    for (const [name, message] of cases) {
      await expect(two.gradients(dist, { objective: { module: fixture(name) }, samples: 100 })).rejects.toThrow(
        message,
      );
    }
    // Only the setup ran, once per case, in a worker thread (user code never runs on this one); no chunk.
    expect(two.completedTasks - before).toBe(cases.length);
  });

  it('reports the progress of its setup: B * (1 + estimators) steps, the last with every step done, before any chunk', async () => {
    const setup: { done: number; total: number }[] = [];
    let chunksBeforeSetupEnd = 0;
    await one.gradients(dist, {
      ...options,
      estimators: ['reinforce', 'gumbel-softmax', 'rebar'],
      samples: 2000,
      onSetupProgress: (p) => setup.push({ done: p.done, total: p.total }),
      onProgress: () => {
        if (setup.length === 0 || setup[setup.length - 1].done < 8) chunksBeforeSetupEnd++;
      },
    });
    // B = 2 temperatures: 2 rows of exact gradients and 2 rows of each of the 3 pilots.
    expect(setup.length).toBeGreaterThanOrEqual(1);
    expect(setup.every((p) => p.total === 8 && p.done <= 8)).toBe(true);
    expect(setup.every((p, i) => i === 0 || p.done >= setup[i - 1].done)).toBe(true);
    expect(setup[setup.length - 1].done).toBe(8);
    expect(chunksBeforeSetupEnd).toBe(0);
    await expect(one.gradients(dist, { ...options, onSetupProgress: 3 as never })).rejects.toThrow(/onSetupProgress/);
  });

  it('checks its options before any work', async () => {
    await expect(two.gradients(dist, { ...options, estimators: ['reinforce', 'nope'] })).rejects.toThrow(
      /unknown estimator "nope"/,
    );
    await expect(two.gradients(dist, { ...options, objective: { kind: 'linear', c: [1, 2] } })).rejects.toThrow(
      /K = 3 entries/,
    );
    await expect(two.gradients(dist, { ...options, groupSize: 1 })).rejects.toThrow(/at least 2 for reinforce-loo/);
    await expect(two.gradients(dist, { ...options, objective: { module: 'relative/path.mjs' } })).rejects.toThrow(
      /absolute path or a file URL/,
    );
    await expect(two.gradients(dist, { ...options, samples: 0 })).rejects.toThrow(RangeError);
  });
});
