/**
 * The coordinator's side of the queue without workers: at most a window of queued jobs in Redis,
 * progress that says it is waiting for workers, a worker timeout that fails the job with a
 * QueueError, an abort that takes the job's waiting chunks out of the queue, and the options and
 * flags that do not go together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AbortError, Engine, QueueError, queueName, torch, type Progress } from 'relaxed-mc';
import { relaxedMc, tempFolder, type TempFolder } from '../cli/helpers.js';
import { HAS_REDIS, type RedisServer, startRedis, startWorker } from '../helpers/redis.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const dist = new RelaxedOneHotCategorical(0.5, { probs: [0.7, 0.2, 0.1] });
const job = { samples: 40_000, seed: 2, chunkSize: 2000 }; // 20 chunks

describe('queue options that do not go together are refused before any work', () => {
  it('Engine options', () => {
    expect(() => new Engine({ queue: 'x' })).toThrow(/queue needs redis/);
    expect(() => new Engine({ redis: 'redis://127.0.0.1:1', threads: 2 })).toThrow(
      /threads must not be given with redis/,
    );
    expect(() => new Engine({ redis: 'http://127.0.0.1:1' })).toThrow(/redis must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => new Engine({ redis: 'redis://:hunter2@127.0.0.1:1', queue: 'a:b' })).toThrow(
      /queue must be 1 to 100 letters/,
    );
  });

  it('sample and logProb refuse to run through a queue, saying why (nothing is connected)', async () => {
    const engine = new Engine({ redis: 'redis://127.0.0.1:1' });
    try {
      await expect(engine.sample(dist, [10])).rejects.toThrow(QueueError);
      await expect(engine.sample(dist, [10])).rejects.toThrow(/sample runs on this machine only/);
      await expect(engine.logProb(dist, torch.tensor([0.2, 0.3, 0.5]))).rejects.toThrow(
        /logProb runs on this machine only/,
      );
    } finally {
      await engine.close();
    }
  });
});

describe.skipIf(!HAS_REDIS)('a coordinator without workers', () => {
  let redis: RedisServer;
  let client: Redis;
  // Made in beforeAll, which a skipped suite never runs: a folder made here would be left behind.
  let tmp: TempFolder;
  const waiting = (name: string) => new Queue(queueName(name), { connection: client }).getWaitingCount();

  beforeAll(async () => {
    tmp = tempFolder();
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
    tmp?.cleanup();
  });

  it('keeps at most a window of jobs in Redis, and an abort takes its waiting jobs out', async () => {
    const engine = new Engine({ redis: redis.url, queue: 'window', chunksPerJob: 1, queueWindow: 3 });
    const controller = new AbortController();
    try {
      const run = engine.moments(dist, { ...job, signal: controller.signal });
      let n = 0;
      for (let i = 0; i < 100 && n < 3; i++) {
        await new Promise((r) => setTimeout(r, 20));
        n = await waiting('window');
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(await waiting('window')).toBe(3);
      controller.abort();
      await expect(run).rejects.toThrow(AbortError);
      expect(await waiting('window')).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('says it is waiting for workers, fails with a QueueError after the worker timeout, and leaves nothing queued', async () => {
    const engine = new Engine({ redis: redis.url, queue: 'nobody', workerTimeout: 1500, queueWaitingAfter: 300 });
    const seen: Progress[] = [];
    try {
      const err = await engine.moments(dist, { ...job, onProgress: (p) => seen.push(p) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueueError);
      expect((err as Error).message).toMatch(/no worker took or finished a chunk .* relaxed-mc worker --redis URL/);
      expect(seen.some((p) => p.waitingForWorkers === true)).toBe(true);
      expect(await waiting('nobody')).toBe(0);
    } finally {
      await engine.close();
    }
    // The same job runs once a worker comes.
    const w = await startWorker(['--redis', redis.url, '--queue', 'nobody', '--threads', '1', '--quiet']);
    const later = new Engine({ redis: redis.url, queue: 'nobody', workerTimeout: 10_000 });
    try {
      expect((await later.moments(dist, job)).samples).toBe(40_000);
      // --quiet: no line per job.
      expect(w.log()).not.toMatch(/start job/);
    } finally {
      await later.close();
      await w.stop();
    }
  });

  it('on the command line: --worker-timeout fails with exit 1; --threads with --redis and --queue alone are bad usage', async () => {
    const t = await relaxedMc(
      ['estimate', '--samples', '1e5', '--redis', redis.url, '--queue', 'cli', '--worker-timeout', '1', '--quiet'],
      tmp.dir,
    );
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/QueueError: .*no worker took or finished a chunk/);
    const u = await relaxedMc(['estimate', '--redis', redis.url, '--threads', '2'], tmp.dir);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/--threads does not go with --redis/);
    const v = await relaxedMc(
      ['gradients', '--objective', 'linear', '--c', '1', '--probs', '0.5,0.5', '--queue', 'x'],
      tmp.dir,
    );
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/--queue needs --redis URL/);
    const s = await relaxedMc(['sample', '--samples', '10', '--out', 'x.npy', '--redis', redis.url], tmp.dir);
    expect(s.code).toBe(2);
  });
});
