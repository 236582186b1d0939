/**
 * `engine.empty` and the `out` option of `engine.sample` / `engine.logProb`: the same bits as a
 * fresh result, written in place into a shared tensor (no new pages), or copied into any other
 * tensor; a wrong `out` refused before any work.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());
const dist = new RelaxedOneHotCategorical(torch.tensor([0.5, 2]), { logits: [0, 1, -1] });

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('engine.empty', () => {
  it('gives a zero-filled tensor over a whole SharedArrayBuffer', () => {
    const t = engine.empty([4, 3]);
    expect(t.shape).toEqual([4, 3]);
    expect(t.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(t.data.buffer.byteLength).toBe(4 * 3 * 8);
    expect(t.data.every((v) => v === 0)).toBe(true);
  });

  it('refuses a malformed shape, naming it', () => {
    expect(() => engine.empty([2, -1])).toThrow(/shape must not contain negative sizes, but got \[2, -1\]/);
    expect(() => engine.empty('3' as unknown as number[])).toThrow(TypeError);
  });
});

describe('engine.sample with out', () => {
  it('writes the same bits as a fresh result into a tensor from engine.empty, in place, call after call', async () => {
    const out = engine.empty([30_000, 2, 3]);
    const storage = out.data.buffer;
    for (const seed of [1, 2]) {
      const fresh = await engine.sample(dist, [30_000], { seed, chunkSize: 4096 });
      const r = await engine.sample(dist, [30_000], { seed, chunkSize: 4096, out });
      expect(r).toBe(out);
      expect(r.data.buffer).toBe(storage);
      expect(sameBits(r.data, fresh.data)).toBe(true);
    }
  });

  it('copies into a tensor over ordinary memory', async () => {
    const out = torch.zeros([500, 2, 3]);
    const r = await engine.sample(dist, [500], { seed: 3, out });
    expect(r).toBe(out);
    expect(sameBits(out.data, (await engine.sample(dist, [500], { seed: 3 })).data)).toBe(true);
  });

  it('refuses an out that is not a tensor, or not of the result shape, before any work', async () => {
    const before = engine.completedTasks;
    await expect(engine.sample(dist, [10], { out: new Float64Array(60) as never })).rejects.toThrow(
      /out must be a Tensor of this package \(engine.empty gives one\), but got \[object Float64Array\]/,
    );
    await expect(engine.sample(dist, [10], { out: engine.empty([10, 3]) })).rejects.toThrow(
      /out must have the result's shape \[10, 2, 3\], but got \[10, 3\]/,
    );
    expect(engine.completedTasks).toBe(before);
  });
});

describe('engine.logProb with out', () => {
  it('writes the same bits as a fresh result, in place or by copy', async () => {
    const z = await engine.sample(dist, [20_000], { seed: 5 });
    const fresh = await engine.logProb(dist, z, { chunkSize: 3000 });
    const shared = engine.empty([20_000, 2]);
    const r = await engine.logProb(dist, z, { chunkSize: 3000, out: shared });
    expect(r).toBe(shared);
    expect(sameBits(shared.data, fresh.data)).toBe(true);
    const plain = torch.zeros([20_000, 2]);
    await engine.logProb(dist, z, { out: plain });
    expect(sameBits(plain.data, fresh.data)).toBe(true);
  });

  it('refuses an out of the wrong shape', async () => {
    const z = await engine.sample(dist, [8], { seed: 5 });
    await expect(engine.logProb(dist, z, { out: engine.empty([8]) })).rejects.toThrow(
      /out must have the result's shape \[8, 2\], but got \[8\]/,
    );
  });
});
