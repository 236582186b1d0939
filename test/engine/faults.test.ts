import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { torch, Engine, ChunkError, WorkerLoadError, AbortError } from 'relaxed-mc';
import { memoryBudget } from '../../src/engine/budget.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/workers/${name}`, import.meta.url));
const dist = new RelaxedOneHotCategorical(0.5, { probs: [0.7, 0.2, 0.1] });

// Seeds that make the faulty worker fail on chunk 3 (see test/fixtures/workers/faulty-worker.mjs).
const THROW_SEED = 666;
const EXIT_SEED = 667;
const OOM_SEED = 668;

const faulty = new Engine({
  threads: 2,
  workerFile: fixture('faulty-worker.mjs'),
  resourceLimits: { maxOldGenerationSizeMb: 64 },
});
afterAll(() => faulty.close());

async function stillWorks(engine: Engine) {
  const est = await engine.moments(dist, { samples: 20_000, seed: 1, chunkSize: 2000 });
  expect(est.samples).toBe(20_000);
}

describe('a failing worker fails the job (after its retries), names the chunk, never hangs; the pool recovers', () => {
  it('a worker that throws', async () => {
    const err = await faulty.moments(dist, { samples: 20_000, seed: THROW_SEED, chunkSize: 2000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ChunkError);
    expect(err.chunk).toBe(3);
    expect(err.message).toMatch(/chunk 3 .*3 times \(2 retries allowed\): injected failure/);
    await stillWorks(faulty);
  });

  it('a worker that calls process.exit', async () => {
    const err = await faulty.sample(dist, [20_000], { seed: EXIT_SEED, chunkSize: 2000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ChunkError);
    expect(err.message).toMatch(/chunk 3 .*exit/);
    await stillWorks(faulty);
  });

  it('a worker that throws inside a group of chunks: each chunk of the group runs again alone, the error names chunk 3', async () => {
    // 80 chunks on 2 threads: the scheduler hands out runs of 4 consecutive chunks per task.
    const err = await faulty.moments(dist, { samples: 80_000, seed: THROW_SEED, chunkSize: 1000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ChunkError);
    expect(err.chunk).toBe(3);
    expect(err.message).toMatch(/chunk 3 .*3 times \(2 retries allowed\): injected failure/);
    // With a seed the worker does not fail on, the grouped job equals the same job in random order
    // (where runs of consecutive chunks, and so groups, are rare).
    const grouped = await faulty.moments(dist, { samples: 80_000, seed: 5, chunkSize: 1000 });
    const alone = await faulty.moments(dist, { samples: 80_000, seed: 5, chunkSize: 1000, order: 'random' });
    expect(Array.from(grouped.mean.data)).toEqual(Array.from(alone.mean.data));
    expect(Array.from(grouped.variance.data)).toEqual(Array.from(alone.variance.data));
    await stillWorks(faulty);
  });

  it('a worker that runs out of memory', async () => {
    const err = await faulty.moments(dist, { samples: 20_000, seed: OOM_SEED, chunkSize: 2000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ChunkError);
    expect(err.message).toMatch(/chunk 3 .*memory/i);
    await stillWorks(faulty);
  });
});

describe('a worker module that cannot load fails fast with a clear message', () => {
  for (const name of ['broken-worker.mjs', 'exit-on-load-worker.mjs', 'no-such-worker.mjs']) {
    it(name, async () => {
      const engine = new Engine({ threads: 2, workerFile: fixture(name) });
      const t0 = performance.now();
      const err = await engine.moments(dist, { samples: 1000, seed: 1 }).catch((e) => e);
      expect(err).toBeInstanceOf(WorkerLoadError);
      expect(err.message).toContain(name);
      expect(performance.now() - t0).toBeLessThan(20_000);
      await engine.close();
    });
  }
});

describe('over-budget jobs are refused before anything is allocated', () => {
  it('says how much was asked and what is allowed; the engine still works', async () => {
    const engine = new Engine({ threads: 2, maxBytes: 1_000_000 });
    const err = await engine.sample(dist, [1e6], { seed: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toMatch(/needs 22\.89 MiB \(24000000 bytes\).*budget is 976\.56 KiB \(1000000 bytes\)/);
    expect(engine.completedTasks).toBe(0);
    const small = await engine.sample(dist, [1000], { seed: 1 });
    expect(small.shape).toEqual([1000, 3]);
    await engine.close();
  });

  it('the default budget admits the 512 MiB of the W3 benchmark and refuses what cannot fit', async () => {
    expect(memoryBudget(undefined).bytes).toBeGreaterThanOrEqual(512 * 2 ** 20);
    expect(memoryBudget(123).bytes).toBe(123);
    const engine = new Engine({ threads: 2 });
    const w3 = new RelaxedOneHotCategorical(0.5, { logits: torch.zeros([16]) });
    const err = await engine.sample(w3, [2 ** 50], { seed: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toMatch(/budget is .*default: half the free memory/);
    expect(engine.completedTasks).toBe(0);
    await engine.close();
  });

  it('a Monte Carlo covariance whose sums and matrices exceed the budget is refused; one that fits runs', async () => {
    const engine = new Engine({ threads: 2, maxBytes: 2 ** 28 });
    const wide = new RelaxedOneHotCategorical(0.5, { logits: torch.zeros([2048]) });
    const err = await engine.moments(wide, { samples: 100, covariance: true, seed: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(err).toMatchObject({ argument: 'maxBytes', rule: 'memory-budget' });
    expect(err.message).toMatch(/covariance: 1 x 2048 x 2048 entries.*budget is 256\.00 MiB.*fewer categories/);
    expect(engine.completedTasks).toBe(0);
    // Without the covariance the same distribution needs no such memory.
    const m = await engine.moments(wide, { samples: 64, seed: 1 });
    expect(m.mean.shape).toEqual([2048]);
    const narrow = new RelaxedOneHotCategorical(0.5, { logits: torch.zeros([256]) });
    const c = await engine.moments(narrow, { samples: 64, covariance: true, seed: 1 });
    expect(c.covariance?.shape).toEqual([256, 256]);
    await engine.close();
  });
});

describe('abort', () => {
  it('stops a running job promptly with an AbortError and no result; the pool stays usable', async () => {
    const engine = new Engine({ threads: 2 });
    const ac = new AbortController();
    let progressCalls = 0;
    const job = engine.moments(dist, { samples: 1e10, seed: 2, signal: ac.signal, onProgress: () => progressCalls++ });
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    ac.abort();
    const err = await job.catch((e) => e);
    const stopMs = performance.now() - t0;
    expect(err).toBeInstanceOf(AbortError);
    expect(err.name).toBe('AbortError');
    expect(progressCalls).toBeGreaterThan(0);
    // Aim: well under a second; the bound is generous for a loaded shared machine.
    console.log(`abort stopped the job in ${stopMs.toFixed(0)} ms`);
    expect(stopMs).toBeLessThan(5000);
    await stillWorks(engine);
    await engine.close();
  });

  it('an already-aborted signal rejects before any work', async () => {
    const engine = new Engine({ threads: 1 });
    const err = await engine.moments(dist, { samples: 1000, signal: AbortSignal.abort() }).catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(engine.completedTasks).toBe(0);
    await engine.close();
  });
});

describe('errors cross from a worker as data', () => {
  it('a RangeError thrown by user code in a worker is the ChunkError cause, with its code and message', async () => {
    const engine = new Engine({ threads: 1, retries: 0 });
    try {
      const module = fileURLToPath(new URL('../fixtures/objectives/throws-in-worker.mjs', import.meta.url));
      const err = await engine
        .gradients(dist, { samples: 200000, seed: 5, estimators: ['reinforce'], objective: { module } })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ChunkError);
      expect(err.code).toBe('ERR_CHUNK');
      expect(err.message).toMatch(/objective out of range in a worker/);
      expect(err.cause).toBeInstanceOf(RangeError);
      expect(err.cause.code).toBe('ERR_RANGE');
      expect(err.cause.message).toBe('objective out of range in a worker');
    } finally {
      await engine.close();
    }
  });
});
