/**
 * Streams hand their ring of shared buffers on to the engine's next stream (already mapped, so
 * no first-touch page faults), never to two streams at once, and the kept memory is bounded.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine } from 'relaxed-mc';
import { SharedBufferCache } from '../../src/engine/buffer-cache.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('SharedBufferCache', () => {
  it('hands back a kept buffer of at least the size asked and at most twice it, else a new one', () => {
    const c = new SharedBufferCache(1 << 20);
    const a = new SharedArrayBuffer(1000);
    const b = new SharedArrayBuffer(3000);
    c.give(a, b);
    expect(c.bytes).toBe(4000);
    expect(c.take(2000)).toBe(b);
    const fresh = c.take(2000);
    expect(fresh).not.toBe(a);
    expect(fresh.byteLength).toBe(2000);
    expect(c.take(400)).not.toBe(a); // 1000 > 2 x 400: too big to lend
    expect(c.take(600)).toBe(a);
    expect(c.bytes).toBe(0);
  });

  it('keeps the smallest fitting buffer when several fit, and each buffer once', () => {
    const c = new SharedBufferCache(1 << 20);
    const big = new SharedArrayBuffer(1900);
    const small = new SharedArrayBuffer(1100);
    c.give(big, small, small);
    expect(c.bytes).toBe(3000);
    expect(c.take(1000)).toBe(small);
    expect(c.take(1000)).toBe(big);
  });

  it('keeps at most 6 buffers and maxBytes bytes, dropping the oldest', () => {
    const c = new SharedBufferCache(10_000);
    const bufs = Array.from({ length: 8 }, () => new SharedArrayBuffer(100));
    c.give(...bufs);
    expect(c.bytes).toBe(600);
    expect(c.take(100)).toBe(bufs[2]);
    c.give(new SharedArrayBuffer(9_900));
    expect(c.bytes).toBeLessThanOrEqual(10_000);
    c.give(new SharedArrayBuffer(20_000)); // larger than the whole allowance: not kept
    expect(c.bytes).toBeLessThanOrEqual(10_000);
    c.clear();
    expect(c.bytes).toBe(0);
  });
});

describe('sampleChunks reuses the previous stream’s ring', () => {
  const engine = new Engine({ threads: 2 });
  afterAll(() => engine.close());
  const dist = new RelaxedOneHotCategorical(torch.tensor([0.5, 0.37]), {
    logits: [
      [0.3, -0.2, 0.5],
      [1, 0, -1],
    ],
  });
  const N = 50_000;
  const rows = 4096;

  async function stream(seed: number, seen: Set<ArrayBufferLike>) {
    const out = new Float64Array(N * 6);
    for await (const b of engine.sampleChunks(dist, [N], { seed, rows, chunkSize: 2048 })) {
      seen.add(b.value.data.buffer);
      out.set(b.value.data, b.offset * 6);
    }
    return out;
  }

  it('a second stream writes into the first one’s buffers and still gives engine.sample’s bits', async () => {
    const first = new Set<ArrayBufferLike>();
    const second = new Set<ArrayBufferLike>();
    const a = await stream(1, first);
    const b = await stream(2, second);
    expect(first.size).toBe(3);
    expect([...second].every((buf) => first.has(buf))).toBe(true);
    expect(bits(a).equals(bits((await engine.sample(dist, [N], { seed: 1, chunkSize: 2048 })).data))).toBe(true);
    expect(bits(b).equals(bits((await engine.sample(dist, [N], { seed: 2, chunkSize: 2048 })).data))).toBe(true);
  });

  it('two streams running at once never share a buffer, and each gives its own bits', async () => {
    const seen = [new Set<ArrayBufferLike>(), new Set<ArrayBufferLike>()];
    const outs = [new Float64Array(N * 6), new Float64Array(N * 6)];
    const its = [3, 4].map((seed) =>
      engine.sampleChunks(dist, [N], { seed, rows, chunkSize: 2048 })[Symbol.asyncIterator](),
    );
    const done = [false, false];
    while (!done[0] || !done[1]) {
      for (const s of [0, 1]) {
        if (done[s]) continue;
        const r = await its[s].next();
        if (r.done) {
          done[s] = true;
          continue;
        }
        seen[s].add(r.value.value.data.buffer);
        outs[s].set(r.value.value.data, r.value.offset * 6);
      }
    }
    expect([...seen[0]].some((buf) => seen[1].has(buf))).toBe(false);
    expect(bits(outs[0]).equals(bits((await engine.sample(dist, [N], { seed: 3, chunkSize: 2048 })).data))).toBe(true);
    expect(bits(outs[1]).equals(bits((await engine.sample(dist, [N], { seed: 4, chunkSize: 2048 })).data))).toBe(true);
  });

  it('a stream left early or aborted hands its ring on only after its chunks have stopped', async () => {
    for await (const b of engine.sampleChunks(dist, [1e7], { seed: 9, rows })) {
      expect(b.offset).toBe(0);
      break;
    }
    const ac = new AbortController();
    const it = engine.sampleChunks(dist, [1e7], { seed: 9, rows, signal: ac.signal });
    await it.next();
    ac.abort();
    await expect(
      (async () => {
        for await (const _ of it) void _;
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    // Written by nothing else meanwhile: the next stream's blocks are exactly its own.
    const next = await stream(5, new Set());
    expect(bits(next).equals(bits((await engine.sample(dist, [N], { seed: 5, chunkSize: 2048 })).data))).toBe(true);
  });
});
