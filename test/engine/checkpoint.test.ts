import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torch, Engine, StateFileError, AbortError, readStateFile } from 'relaxed-mc';
import { hashParams, serializeState } from '../../src/engine/job-state.js';
import { ENGINE_STREAM_VERSION } from '../../src/rng/chunk-stream.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const bits = (t: { data: Float64Array }) =>
  Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length * 2));
const dist = new RelaxedOneHotCategorical(torch.tensor([0.5, 0.37]), {
  logits: [
    [0.3, -0.2, 0.5],
    [1, 0, -1],
  ],
});
const job = { samples: 1_200_000, seed: 77, chunkSize: 1000, covariance: true } as const;
const engines = [new Engine({ threads: 1 }), new Engine({ threads: 2 }), new Engine({ threads: 4 })];
afterAll(async () => {
  for (const e of engines) await e.close();
});
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-ck-'));
});
// Each test has its own folder: every one is removed, not only the last.
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the job with a checkpoint and aborts it once progress passes `fraction` of the draws (returns the AbortError). */
async function interrupted(engine: Engine, path: string, fraction: number) {
  const ac = new AbortController();
  const onProgress = (p: { done: number; total: number }) => {
    if (p.done >= fraction * p.total) ac.abort();
  };
  return engine
    .moments(dist, { ...job, checkpoint: path, checkpointInterval: 20, signal: ac.signal, onProgress })
    .catch((e) => e);
}

const completedChunks = (path: string) => readStateFile(path)!.parts[0].completed.size;

describe('checkpoint and resume', () => {
  it('an interrupted job resumes where it stopped, with any thread count, to the bits of an uninterrupted run', async () => {
    const clean = await engines[1].moments(dist, job);
    const path = join(dir, 'ck.json');
    let last = 0;
    for (const [i, engine] of [engines[0], engines[2], engines[1]].entries()) {
      const err = await interrupted(engine, path, 0.1 + 0.2 * i);
      expect(err).toBeInstanceOf(AbortError);
      const done = completedChunks(path);
      expect(done, `after interruption ${i + 1}`).toBeGreaterThan(last);
      expect(done).toBeLessThan(1200);
      last = done;
    }
    const resumed = await engines[0].moments(dist, { ...job, checkpoint: path });
    for (const key of ['mean', 'variance', 'stderr', 'varianceStderr', 'covariance'] as const) {
      expect(bits(resumed[key]!), key).toEqual(bits(clean[key]!));
    }
    expect(resumed.samples).toBe(clean.samples);
    expect(completedChunks(path)).toBe(1200);
    // It reports the draws it made itself, with its threads, apart from those it loaded.
    expect(resumed.work.loadedSamples).toBe(last * job.chunkSize);
    expect(resumed.work.samples).toBe(job.samples - last * job.chunkSize);
    expect(resumed.work.threads).toBe(1);
    expect(resumed.work.elapsedMs).toBeGreaterThan(0);
    expect(clean.work).toMatchObject({ samples: job.samples, loadedSamples: 0, threads: 2 });
    // Rerunning a finished job reads the answer back without drawing again, and says so.
    const again = await engines[2].moments(dist, { ...job, checkpoint: path });
    expect(bits(again.mean)).toEqual(bits(clean.mean));
    expect(again.work).toEqual({ samples: 0, loadedSamples: job.samples, threads: 0, elapsedMs: 0 });
  });

  it('a checkpoint written by the previous stream version (v2) is refused, naming both versions', async () => {
    const path = join(dir, 'ck.json');
    await engines[1].moments(dist, { ...job, samples: 5000, checkpoint: path });
    const state = readStateFile(path)!;
    const now = (state.params as { generator: string }).generator;
    expect(now).toBe(ENGINE_STREAM_VERSION);
    const old = 'xoshiro256plus-x2+spare/philox4x32-10-seeded/ziggurat-exp/v2';
    const params = { ...state.params, generator: old };
    writeFileSync(path, serializeState({ ...state, params, paramsHash: hashParams(params) } as typeof state));
    const before = readFileSync(path, 'utf8');
    const err = await engines[1].moments(dist, { ...job, samples: 5000, checkpoint: path }).catch((e) => e);
    expect(err).toBeInstanceOf(StateFileError);
    expect(err.message).toContain(`stream version ${old}`);
    expect(err.message).toContain(`draws with ${now}`);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('a checkpoint for other parameters is refused, naming what differs', async () => {
    const path = join(dir, 'ck.json');
    await engines[1].moments(dist, { ...job, samples: 5000, checkpoint: path });
    const before = readFileSync(path, 'utf8');
    for (const [change, pattern] of [
      [{ seed: 78 }, /other parameters \(seed: 77 there, 78 here\)/],
      [{ covariance: false }, /covariance: true there, false here/],
      [{ chunkSize: 500 }, /chunkSize/],
    ] as const) {
      const err = await engines[1]
        .moments(dist, { ...job, samples: 5000, checkpoint: path, ...change })
        .catch((e) => e);
      expect(err).toBeInstanceOf(StateFileError);
      expect(err.message).toMatch(pattern);
    }
    const other = new RelaxedOneHotCategorical(torch.tensor([0.5, 0.38]), {
      logits: [
        [0.3, -0.2, 0.5],
        [1, 0, -1],
      ],
    });
    await expect(engines[1].moments(other, { ...job, samples: 5000, checkpoint: path })).rejects.toThrow(/temperature/);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('a torn or corrupt checkpoint is refused; a torn temporary file is ignored', async () => {
    const path = join(dir, 'ck.json');
    const err = await interrupted(engines[1], path, 0.2);
    expect(err).toBeInstanceOf(AbortError);
    const good = readFileSync(path, 'utf8');
    // A killed writer leaves a half-written temporary file beside the checkpoint: never read.
    writeFileSync(join(dir, '.ck.json.tmp-999-deadbeef'), good.slice(0, good.length / 2));
    const clean = await engines[1].moments(dist, job);
    const resumed = await engines[1].moments(dist, { ...job, checkpoint: path });
    expect(bits(resumed.mean)).toEqual(bits(clean.mean));
    // Torn: the checkpoint itself cut short.
    writeFileSync(path, good.slice(0, Math.floor(good.length * 0.7)));
    await expect(engines[1].moments(dist, { ...job, checkpoint: path })).rejects.toThrow(/torn or corrupt JSON/);
    // Corrupt: one changed digit in the sums.
    const flipped = good.replace(
      /("power":\["esum1:[0-9a-f]*?)([0-9a-f])/,
      (_, a: string, d: string) => a + (d === '1' ? '2' : '1'),
    );
    expect(flipped).not.toBe(good);
    writeFileSync(path, flipped);
    const e2 = await engines[1].moments(dist, { ...job, checkpoint: path }).catch((e) => e);
    expect(e2).toBeInstanceOf(StateFileError);
    expect(e2.message).toMatch(/is corrupt: its checksum does not match/);
  });

  it('a checkpoint that cannot be written is refused before any work; one that stops being writable stops the job', async () => {
    const before = engines[1].completedTasks;
    const err = await engines[1]
      .moments(dist, { ...job, checkpoint: join(dir, 'no-such-folder', 'ck.json') })
      .catch((e) => e);
    expect(err).toBeInstanceOf(StateFileError);
    expect(err.message).toMatch(/cannot write the checkpoint .*no-such-folder.*ENOENT/);
    expect(engines[1].completedTasks).toBe(before);
    // The folder disappears mid-run: the next write fails, the job stops with that error.
    const sub = join(dir, 'vanishing');
    mkdirSync(sub);
    let removed = false;
    const onProgress = () => {
      if (!removed) rmSync(sub, { recursive: true, force: true });
      removed = true;
    };
    const e2 = await engines[1]
      .moments(dist, {
        ...job,
        samples: 50_000_000,
        checkpoint: join(sub, 'ck.json'),
        checkpointInterval: 10,
        onProgress,
      })
      .catch((e) => e);
    expect(e2).toBeInstanceOf(StateFileError);
    expect(e2.message).toMatch(/cannot write the checkpoint .*vanishing/);
  });

  it('the file is replaced atomically: no temporary files are left behind', async () => {
    const path = join(dir, 'ck.json');
    await engines[1].moments(dist, { ...job, samples: 50_000, checkpoint: path, checkpointInterval: 5 });
    expect(readdirSync(dir)).toEqual(['ck.json']);
  });

  it('gradient studies checkpoint and resume too', async () => {
    const opts = {
      objective: { kind: 'quadratic' as const, target: [0.2, 0.5, 0.3] },
      samples: 30_000,
      seed: 3,
      chunkSize: 200,
      estimators: ['reinforce', 'rebar'],
    };
    const clean = await engines[1].gradients(dist, opts);
    const path = join(dir, 'g.json');
    const ac = new AbortController();
    const onProgress = (p: { done: number; total: number }) => {
      if (p.done >= 0.3 * p.total) ac.abort();
    };
    const err = await engines[1]
      .gradients(dist, { ...opts, checkpoint: path, checkpointInterval: 20, signal: ac.signal, onProgress })
      .catch((e) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(existsSync(path)).toBe(true);
    const resumed = await engines[0].gradients(dist, { ...opts, checkpoint: path });
    for (const name of ['reinforce', 'rebar']) {
      expect(bits(resumed.estimators[name].mean)).toEqual(bits(clean.estimators[name].mean));
      expect(bits(resumed.estimators[name].totals.mse)).toEqual(bits(clean.estimators[name].totals.mse));
    }
  });
});
