/**
 * Chunks travel to the threads in runs of up to four per task. A group's answer carries one
 * result per chunk; an answer that lacks some (a worker module that predates groups) gets them
 * run again alone; a progress callback that throws fails the job cleanly; and a stream whose
 * thread had to be terminated does not hand its ring to the next stream.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { torch, Engine } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/workers/${name}`, import.meta.url));
const dist = new RelaxedOneHotCategorical(torch.tensor([0.5, 0.37]), {
  logits: [
    [0.3, -0.2, 0.5],
    [1, 0, -1],
  ],
});
const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
// 80 chunks on 2 threads: runs of 4 chunks per task.
const job = { samples: 80_000, seed: 4, chunkSize: 1000 } as const;

const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());

describe('groups of chunks', () => {
  it('a worker module that answers a group with one result: the other chunks run alone, same bits', async () => {
    const legacy = new Engine({ threads: 2, workerFile: fixture('single-result-worker.mjs') });
    try {
      const got = await legacy.moments(dist, job);
      const want = await engine.moments(dist, job);
      expect(got.samples).toBe(80_000);
      for (const key of ['mean', 'variance', 'stderr'] as const)
        expect(bits(got[key].data)).toEqual(bits(want[key].data));
      const sample = await legacy.sample(dist, [40_000], { seed: 2, chunkSize: 500 });
      const want2 = await engine.sample(dist, [40_000], { seed: 2, chunkSize: 500 });
      expect(bits(sample.data).equals(bits(want2.data))).toBe(true);
    } finally {
      await legacy.close();
    }
  });

  it('a progress callback that throws fails the job with its error; the engine still works', async () => {
    const err = await engine
      .moments(dist, {
        ...job,
        onProgress: () => {
          throw new Error('progress callback failed');
        },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('progress callback failed');
    expect((await engine.moments(dist, job)).samples).toBe(80_000);
  });
});

describe('a stream whose thread was terminated', () => {
  it('does not hand its ring to the next stream (the dying thread may still write to it)', async () => {
    const stubborn = new Engine({ threads: 2, workerFile: fixture('stubborn-worker.mjs') });
    try {
      const opts = { rows: 4096, chunkSize: 2048 } as const;
      const first = new Set<ArrayBufferLike>();
      for await (const b of stubborn.sampleChunks(dist, [50_000], { ...opts, seed: 1 })) first.add(b.value.data.buffer);
      // Takes the first stream's ring; its chunks ignore the abort for 2 s, so their threads are terminated.
      const ac = new AbortController();
      const it = stubborn.sampleChunks(dist, [50_000], { ...opts, seed: 777, signal: ac.signal });
      setTimeout(() => ac.abort(), 100);
      await expect(it.next()).rejects.toMatchObject({ name: 'AbortError' });
      const third = new Set<ArrayBufferLike>();
      for await (const b of stubborn.sampleChunks(dist, [50_000], { ...opts, seed: 2 })) third.add(b.value.data.buffer);
      expect(third.size).toBe(3);
      expect([...third].some((buf) => first.has(buf))).toBe(false);
    } finally {
      await stubborn.close();
    }
  });
});
