/**
 * Limits on every size, before any work: a job of up to 2^53 - 1 draws plans its chunks lazily
 * (O(threads) memory, whatever the count), and a thread count beyond the machine's limit is a
 * RangeError (rule `size-limit`) that names the cores.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { AbortError, Engine, RangeError, Rule, maxThreads, torch } from 'relaxed-mc';

const dist = new torch.distributions.RelaxedOneHotCategorical(0.5, { probs: [0.7, 0.2, 0.1] });
const engine = new Engine({ threads: 1 });
afterAll(() => engine.close());

/** Resident memory may grow by this much while a job of 2^53 - 1 draws runs for a second. */
const FLAT_BYTES = 64 * 2 ** 20;

/** Runs a job for about a second, then aborts it; returns the error and the largest RSS growth seen. */
async function runForASecond(start: (signal: AbortSignal, onProgress: () => void) => Promise<unknown>) {
  await engine.moments(dist, { samples: 1000, seed: 1 }); // threads warm, their memory counted before
  const rss0 = process.memoryUsage().rss;
  let growth = 0;
  const sample = () => (growth = Math.max(growth, process.memoryUsage().rss - rss0));
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 1000);
  const t0 = performance.now();
  const err = await start(ac.signal, sample).catch((e: unknown) => e);
  sample();
  clearTimeout(timer);
  return { err, growth, ms: performance.now() - t0 };
}

describe('sizes', () => {
  it('moments with samples = 2^53 - 1 starts at once, runs in flat memory, and stops on abort', async () => {
    const r = await runForASecond((signal, onProgress) =>
      engine.moments(dist, { samples: Number.MAX_SAFE_INTEGER, seed: 3, signal, onProgress }),
    );
    expect(r.err).toBeInstanceOf(AbortError);
    expect(r.growth).toBeLessThan(FLAT_BYTES);
    expect(r.ms).toBeLessThan(5000);
  });

  it('gradients with samples = 2^53 - 1 runs in flat memory too', async () => {
    const r = await runForASecond((signal, onProgress) =>
      engine.gradients(dist, {
        objective: { kind: 'linear', c: [1, 2, 3] },
        estimators: ['reinforce', 'gumbel-softmax'],
        samples: Number.MAX_SAFE_INTEGER,
        seed: 3,
        signal,
        onProgress,
      }),
    );
    expect(r.err).toBeInstanceOf(AbortError);
    expect(r.growth).toBeLessThan(FLAT_BYTES);
  });

  it('a sample of 2^53 - 1 draws, which must be kept, is refused before anything is allocated', async () => {
    await expect(engine.sample(dist, [Number.MAX_SAFE_INTEGER])).rejects.toThrow(/memory budget/);
  });

  it('threads beyond 4 per core (or the memory budget) are a RangeError naming the limit and the cores', () => {
    const max = maxThreads();
    expect(max.threads).toBeLessThanOrEqual(4 * availableParallelism());
    expect(max.cores).toBe(availableParallelism());
    let err: unknown;
    try {
      new Engine({ threads: max.threads + 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toBeInstanceOf(globalThis.RangeError);
    expect((err as RangeError).argument).toBe('threads');
    expect((err as RangeError).rule).toBe(Rule.sizeLimit);
    expect((err as Error).message).toMatch(
      new RegExp(`threads must be at most ${max.threads} on this machine .*it has ${max.cores} core`),
    );
    expect(() => new Engine({ threads: 1000 })).toThrow(RangeError);
  });
});
