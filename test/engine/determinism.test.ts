import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const engines = new Map<number, Engine>();
const engine = (threads: number) => {
  if (!engines.has(threads)) engines.set(threads, new Engine({ threads }));
  return engines.get(threads)!;
};
afterAll(async () => {
  for (const e of engines.values()) await e.close();
});

const bits = (t: { data: Float64Array }) =>
  Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length * 2));

describe('same seed, same bits, whatever the number of threads', () => {
  const dist = new RelaxedOneHotCategorical(torch.tensor([0.3, 1.5]), {
    logits: [
      [0.5, -1, 2, 0],
      [1, 0, 0, -2],
    ],
  });

  it('moments (with covariance) are identical for 1, 2 and 4 threads and for shuffled chunk orders', async () => {
    const runs = [];
    for (const [threads, order] of [
      [1, 'ascending'],
      [2, 'ascending'],
      [4, 'ascending'],
      [2, 'random'],
      [2, 'descending'],
    ] as const) {
      const before = engine(threads).completedTasks;
      const est = await engine(threads).moments(dist, {
        samples: 300_000,
        seed: 11,
        covariance: true,
        chunkSize: 4096,
        order,
      });
      expect(est.chunks).toBe(Math.ceil(300_000 / 4096));
      // The work ran in the pool's threads: one completed task per chunk or per run of up to 4
      // consecutive chunks (the scheduler groups them; each keeps its own stream and result).
      expect(engine(threads).completedTasks - before).toBeGreaterThanOrEqual(Math.ceil(est.chunks / 4));
      runs.push(est);
    }
    for (const est of runs.slice(1)) {
      for (const key of ['mean', 'variance', 'stderr', 'varianceStderr', 'covariance'] as const) {
        expect(bits(est[key]!), key).toEqual(bits(runs[0][key]!));
      }
    }
    expect(engine(4).threadIds.length).toBeGreaterThan(1);
    expect(engine(1).threadIds.length).toBe(1);
  });

  it('moments without covariance (rows scaled as they are summed) equal those with it (rows kept) bit for bit', async () => {
    // tau 0.5 (power form), 0.37 (log-space form), K odd (a padded lane), a batch of three.
    const d = new RelaxedOneHotCategorical(torch.tensor([0.5, 0.37, 2.2]), {
      logits: [
        [0.5, -1, 2],
        [1, 0, -2],
        [0, 0, 0.1],
      ],
    });
    const opts = { samples: 100_000, seed: 3, chunkSize: 4096 };
    const plain = await engine(2).moments(d, opts);
    const withCov = await engine(2).moments(d, { ...opts, covariance: true });
    expect(bits(plain.mean)).toEqual(bits(withCov.mean));
    expect(bits(plain.variance)).toEqual(bits(withCov.variance));
    expect(bits(plain.stderr)).toEqual(bits(withCov.stderr));
  });

  it('sample is identical for 1, 2 and 4 threads and any chunk order', async () => {
    const a = await engine(1).sample(dist, [5000], { seed: 5, chunkSize: 512 });
    const b = await engine(2).sample(dist, [5000], { seed: 5, chunkSize: 512, order: 'random' });
    const c = await engine(4).sample(dist, [5000], { seed: 5, chunkSize: 512 });
    expect(a.shape).toEqual([5000, 2, 4]);
    expect(bits(b)).toEqual(bits(a));
    expect(bits(c)).toEqual(bits(a));
  });

  it('the default chunk size does not depend on the thread count', async () => {
    const a = await engine(1).moments(dist, { samples: 10_000, seed: 3 });
    const b = await engine(4).moments(dist, { samples: 10_000, seed: 3 });
    expect(a.chunkSize).toBe(b.chunkSize);
    expect(bits(a.mean)).toEqual(bits(b.mean));
  });

  it('different seeds give different draws', async () => {
    const a = await engine(2).sample(dist, [10], { seed: 1 });
    const b = await engine(2).sample(dist, [10], { seed: 2 });
    expect(bits(a)).not.toEqual(bits(b));
  });

  it('logSpace returns x with exp(x) equal to the simplex sample of the same seed', async () => {
    const y = await engine(2).sample(dist, [100], { seed: 9 });
    const x = await engine(2).sample(dist, [100], { seed: 9, logSpace: true });
    // Two routes to the same point (y = w / sum w, x = s - LSE(s)) agree to a few ulps.
    for (let i = 0; i < y.data.length; i++)
      expect(Math.abs(Math.exp(x.data[i]) - y.data[i])).toBeLessThanOrEqual(1e-14 * y.data[i]);
  });

  it('sample accepts the same sample_shape forms as dist.sample', async () => {
    expect((await engine(2).sample(dist, 7, { seed: 1 })).shape).toEqual([7, 2, 4]);
    expect((await engine(2).sample(dist, [2, 3], { seed: 1 })).shape).toEqual([2, 3, 2, 4]);
    expect((await engine(2).sample(dist, [], { seed: 1 })).shape).toEqual([2, 4]);
  });
});
