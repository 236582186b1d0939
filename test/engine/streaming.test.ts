/**
 * Streaming: sampleChunks blocks are engine.sample's bits, whatever the block size and thread
 * count; the fused log-density equals logProb(logSpace) of the drawn x; logProbChunks equals
 * logProb on the whole; `out` tensors are written in place; memory stays bounded while
 * streaming 2^28 elements (2 GiB of samples) under a 64 MiB engine budget.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const engines = [new Engine({ threads: 1 }), new Engine({ threads: 2 })];
afterAll(async () => {
  for (const e of engines) await e.close();
});

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function concat(it: AsyncIterable<{ offset: number; value: { data: Float64Array } }>, total: number) {
  const out = new Float64Array(total);
  let at = 0;
  for await (const b of it) {
    out.set(b.value.data, at);
    at += b.value.data.length;
  }
  expect(at).toBe(total);
  return out;
}

describe('sampleChunks', () => {
  // Batch of two temperatures (an integer power and a general one), K odd (padded rows).
  const dist = new RelaxedOneHotCategorical(torch.tensor([0.5, 0.37]), {
    logits: [
      [0.3, -0.2, 0.5],
      [1, 0, -1],
    ],
  });
  const N = 70_001;
  const opts = { seed: 5, chunkSize: 8192 } as const;

  for (const [i, engine] of engines.entries()) {
    for (const logSpace of [false, true]) {
      it(`blocks concatenated equal engine.sample bit for bit (${i + 1} thread${i ? 's' : ''}, logSpace ${logSpace}, block sizes 8192, 5000, 1, 100000)`, async () => {
        const whole = await engine.sample(dist, [N], { ...opts, logSpace });
        for (const rows of [8192, 5000, 1, 100_000]) {
          if (rows === 1) {
            // One draw per block, over a prefix only (a whole run would be 70001 blocks).
            let k = 0;
            for await (const b of engine.sampleChunks(dist, [N], { ...opts, logSpace, rows })) {
              expect(b.offset).toBe(k);
              expect(bits(b.value.data).equals(bits(whole.data.subarray(k * 6, (k + 1) * 6)))).toBe(true);
              if (++k === 300) break;
            }
            continue;
          }
          const got = await concat(engine.sampleChunks(dist, [N], { ...opts, logSpace, rows }), N * 6);
          expect(bits(got).equals(bits(whole.data)), `rows ${rows}`).toBe(true);
        }
      });
    }
  }

  it('blocks have shape [rows, ...batch_shape, K], offsets count draws, and the default block holds whole chunks', async () => {
    const shapes: string[] = [];
    const offsets: number[] = [];
    for await (const b of engines[1].sampleChunks(dist, [N], { ...opts, rows: 30_000 })) {
      shapes.push(b.value.shape.join('x'));
      offsets.push(b.offset);
      expect(b.logProb).toBeNull();
    }
    expect(shapes).toEqual(['30000x2x3', '30000x2x3', '10001x2x3']);
    expect(offsets).toEqual([0, 30_000, 60_000]);
  });

  it('the fused log-density equals logProb of the drawn sample (from x in log space, finite at tau = 0.01)', async () => {
    const cold = new RelaxedOneHotCategorical(torch.tensor([0.01, 0.5]), {
      logits: [
        [0, -0.3, -0.6, -0.9, -1.2, -1.5, -1.8, -2.1, -2.4, -2.7],
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      ],
    });
    const n = 20_000;
    for (const logSpace of [true, false]) {
      const x = await engines[1].sample(cold, [n], { seed: 3, logSpace: true });
      const y = await engines[1].sample(cold, [n], { seed: 3 });
      let zeros = 0;
      let at = 0;
      for await (const b of engines[1].sampleChunks(cold, [n], { seed: 3, logSpace, logProb: true, rows: 7000 })) {
        const m = b.value.shape[0];
        const lp = b.logProb!.data;
        expect(b.logProb!.shape).toEqual([m, 2]);
        // The values are the ones sample gives; the density the one logProb gives from x.
        const ref = logSpace ? x : y;
        expect(bits(b.value.data).equals(bits(ref.data.subarray(at * 20, (at + m) * 20)))).toBe(true);
        const xs = new torch.Tensor(x.data.slice(at * 20, (at + m) * 20), [m, 2, 10]);
        const want = (await engines[1].logProb(cold, xs, { logSpace: true })).data;
        let worst = 0;
        for (let i = 0; i < lp.length; i++) {
          if (!Number.isFinite(lp[i])) throw new Error(`log-density ${i} is ${lp[i]}`);
          worst = Math.max(worst, Math.abs(lp[i] - want[i]) / Math.abs(want[i]));
        }
        // Same kernel on the same x: equal in log space; 1e-13 relative is the bar in any case.
        if (logSpace) expect(bits(lp).equals(bits(want))).toBe(true);
        expect(worst).toBeLessThanOrEqual(1e-13);
        for (const v of b.value.data) if (v === 0) zeros++;
        at += m;
      }
      if (!logSpace) expect(zeros).toBeGreaterThan(0); // the case where log_prob(y) is -Infinity/NaN
    }
  });

  it('leaving the loop early stops the job; an abort rejects with AbortError', async () => {
    for await (const b of engines[1].sampleChunks(dist, [1e8], { seed: 1, rows: 4096 })) {
      expect(b.offset).toBe(0);
      break;
    }
    const ac = new AbortController();
    const it = engines[1].sampleChunks(dist, [1e8], { seed: 1, rows: 4096, signal: ac.signal });
    await it.next();
    ac.abort();
    const err = await (async () => {
      for await (const _ of it) void _;
    })().catch((e) => e);
    expect(err?.name).toBe('AbortError');
    // The engine is still usable.
    expect((await engines[1].sample(dist, [10], { seed: 1 })).shape).toEqual([10, 2, 3]);
  });

  it('memory stays bounded while streaming 2^28 elements under a 64 MiB budget (RSS sampled; K = 16)', async () => {
    const engine = new Engine({ threads: 2, maxBytes: 64 * 2 ** 20 });
    try {
      const d = new RelaxedOneHotCategorical(0.5, { logits: torch.randn([16]) });
      const n = 2 ** 24; // x 16 = 2^28 elements, 2 GiB
      for await (const _ of engine.sampleChunks(d, [2 ** 16], { seed: 1 })) void _; // warm-up
      const rss: number[] = [process.memoryUsage().rss];
      let sum = 0;
      let count = 0;
      for await (const b of engine.sampleChunks(d, [n], { seed: 2 })) {
        sum += b.value.data[0];
        count += b.value.data.length;
        rss.push(process.memoryUsage().rss);
      }
      expect(count).toBe(2 ** 28);
      expect(Number.isFinite(sum)).toBe(true);
      const growth = Math.max(...rss) - rss[0];
      console.log(
        `sampleChunks 2^28 elements: rss first ${(rss[0] / 2 ** 20).toFixed(0)} MiB, max growth ${(growth / 2 ** 20).toFixed(1)} MiB`,
      );
      // The ring is 3 blocks of 16 MiB (one chunk per thread); the data is 2 GiB.
      expect(growth).toBeLessThan(128 * 2 ** 20);
      // engine.sample of the same job is refused by the budget.
      await expect(engine.sample(d, [n], { seed: 2 })).rejects.toThrow(/memory budget/);
    } finally {
      await engine.close();
    }
  });
});

describe('out tensors and logProbChunks', () => {
  const dist = new RelaxedOneHotCategorical(0.7, { logits: [0.2, -0.1, 0.4, 0] });

  it('engine.sample(..., { out }) writes in place into engine.empty, and any other tensor by copy; same bits', async () => {
    const e = engines[1];
    const want = await e.sample(dist, [5000], { seed: 9 });
    const shared = e.empty([5000, 4]);
    const r1 = await e.sample(dist, [5000], { seed: 9, out: shared });
    expect(r1).toBe(shared);
    expect(bits(shared.data).equals(bits(want.data))).toBe(true);
    const plain = torch.zeros([5000, 4]);
    expect(await e.sample(dist, [5000], { seed: 9, out: plain })).toBe(plain);
    expect(bits(plain.data).equals(bits(want.data))).toBe(true);
    await expect(e.sample(dist, [5000], { seed: 9, out: e.empty([4999, 4]) })).rejects.toThrow(
      /out must have the result's shape \[5000, 4\], but got \[4999, 4\]/,
    );
    const lpOut = e.empty([5000]);
    expect(await e.logProb(dist, want, { out: lpOut })).toBe(lpOut);
    expect(bits(lpOut.data).equals(bits(dist.log_prob(want).data))).toBe(true);
  });

  it('logProbChunks over sampleChunks equals logProb on the whole, bit for bit', async () => {
    const e = engines[1];
    const whole = await e.sample(dist, [30_000], { seed: 4 });
    const lpWhole = await e.logProb(dist, whole);
    const values = (async function* () {
      for await (const b of e.sampleChunks(dist, [30_000], { seed: 4, rows: 7000 })) yield b.value;
    })();
    const got = new Float64Array(30_000);
    for await (const b of e.logProbChunks(dist, values)) got.set(b.value.data, b.offset);
    expect(bits(got).equals(bits(lpWhole.data))).toBe(true);
  });
});
