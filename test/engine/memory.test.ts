import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());

describe('moments streams: memory stays flat whatever the sample count', () => {
  it('resident memory over a 5e7-sample run at K = 16 does not grow; progress arrives at least every second', async () => {
    const dist = new RelaxedOneHotCategorical(0.5, { logits: torch.randn([16]) });
    const rss: number[] = [];
    const stamps: number[] = [];
    // Warm up the threads and the code paths first, so the first samples are not start-up growth.
    await engine.moments(dist, { samples: 2e5, seed: 1 });
    const est = await engine.moments(dist, {
      samples: 5e7,
      seed: 2,
      onProgress: () => {
        rss.push(process.memoryUsage().rss);
        stamps.push(performance.now());
      },
    });
    expect(est.samples).toBe(5e7);
    expect(rss.length).toBeGreaterThan(3);
    const growth = Math.max(...rss) - rss[0];
    console.log(
      `rss: first ${(rss[0] / 2 ** 20).toFixed(1)} MiB, max growth ${(growth / 2 ** 20).toFixed(1)} MiB over ${rss.length} samples`,
    );
    // Samples of 5e7 x 16 doubles would be 6 GiB; flat means a few tens of MiB of GC noise at most.
    expect(growth).toBeLessThan(64 * 2 ** 20);
    const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
    expect(Math.max(...gaps)).toBeLessThan(1500);
  });
});
