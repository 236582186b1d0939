import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { torch, Engine, ChunkError } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/workers/${name}`, import.meta.url));
const dist = new RelaxedOneHotCategorical(0.5, { probs: [0.7, 0.2, 0.1] });
const bits = (t: { data: Float64Array }) =>
  Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length * 2));

let markers: string;
let flaky: Engine;
let clean: Engine;
beforeAll(() => {
  markers = mkdtempSync(join(tmpdir(), 'relaxed-mc-markers-'));
  process.env.RELAXED_MC_TEST_MARKERS = markers;
  flaky = new Engine({ threads: 2, workerFile: fixture('flaky-worker.mjs') });
  clean = new Engine({ threads: 2 });
});
afterAll(async () => {
  await flaky.close();
  await clean.close();
  rmSync(markers, { recursive: true, force: true });
});

describe('a chunk whose worker failed is retried (default: 2 retries), with the same bits', () => {
  for (const [seed, how] of [
    [900, 'threw'],
    [901, 'exited its thread'],
  ] as const) {
    it(`moments: a worker that ${how} once on chunk 3`, async () => {
      const a = await flaky.moments(dist, { samples: 20_000, seed, chunkSize: 2000 });
      const b = await clean.moments(dist, { samples: 20_000, seed, chunkSize: 2000 });
      expect(bits(a.mean)).toEqual(bits(b.mean));
      expect(bits(a.variance)).toEqual(bits(b.variance));
      expect(bits(a.varianceStderr)).toEqual(bits(b.varianceStderr));
    });
  }

  it('sample: a worker that threw once on chunk 3', async () => {
    rmSync(join(markers, 'job-900-sample'), { force: true });
    const a = await flaky.sample(dist, [20_000], { seed: 900, chunkSize: 2000 });
    const b = await clean.sample(dist, [20_000], { seed: 900, chunkSize: 2000 });
    expect(bits(a)).toEqual(bits(b));
  });
});

describe('a chunk that fails every attempt stops the job, naming it', () => {
  const faulty = new Engine({ threads: 2, workerFile: fixture('faulty-worker.mjs') });
  afterAll(() => faulty.close());

  it('fails after 1 + 2 attempts by default', async () => {
    const err = await faulty.moments(dist, { samples: 20_000, seed: 666, chunkSize: 2000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ChunkError);
    expect(err.chunk).toBe(3);
    expect(err.message).toMatch(
      /chunk 3 \(draws 6000 to 7999\) failed in a worker 3 times \(2 retries allowed\): injected failure/,
    );
  });

  it('the retry count is configurable per engine and per job', async () => {
    const err = await faulty.moments(dist, { samples: 20_000, seed: 666, chunkSize: 2000, retries: 0 }).catch((e) => e);
    expect(err.message).toMatch(/failed in a worker once: injected failure/);
    const e5 = new Engine({ threads: 1, retries: 5, workerFile: fixture('faulty-worker.mjs') });
    const err5 = await e5.moments(dist, { samples: 20_000, seed: 666, chunkSize: 2000 }).catch((e) => e);
    expect(err5.message).toMatch(/6 times \(5 retries allowed\)/);
    await e5.close();
  });
});
