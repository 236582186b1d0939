/**
 * Faults on the queue: workers killed with SIGKILL in the middle of a job (twice, at different
 * moments), Redis killed and restarted in the middle of a job (append-only file, fsync per write),
 * and workers stopped with SIGTERM / SIGINT. Every job still ends with the bits of a local run.
 * BullMQ's lock is 2 s and its maxStalledCount 2, so a dead worker's job moves on within seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, torch, type MomentsEstimate } from 'relaxed-mc';
import { HAS_REDIS, type RedisServer, type WorkerProcess, startRedis, startWorker } from '../helpers/redis.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const bits = (t: { data: Float64Array }) =>
  Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex');

// K = 16 and 2^24 draws: 256 chunks of 2^20 values, in groups of 32 that take a few hundred
// milliseconds each on one thread, so a signal sent when a worker logs "start" lands mid-job.
const dist = new RelaxedOneHotCategorical(0.5, {
  logits: torch.tensor(Array.from({ length: 16 }, (_, k) => Math.sin(k))),
});
const job = { samples: 2 ** 24, seed: 5 };
const WORKER = ['--threads', '1', '--lock-duration', '2', '--max-stalled', '2', '--jobs', '1'];

describe.skipIf(!HAS_REDIS)('faults on the queue do not change the result', () => {
  let redis: RedisServer;
  let local: MomentsEstimate;
  const workers: WorkerProcess[] = [];
  const worker = async (queue: string) => {
    const w = await startWorker(['--redis', redis.url, '--queue', queue, ...WORKER]);
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    redis = await startRedis({ appendonly: true });
    const e = new Engine({ threads: 2 });
    try {
      local = await e.moments(dist, job);
    } finally {
      await e.close();
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill9()));
    await redis?.stop();
  });

  const same = (est: MomentsEstimate) => {
    expect(JSON.stringify(est.state.parts)).toBe(JSON.stringify(local.state.parts));
    expect(bits(est.mean)).toBe(bits(local.mean));
    expect(bits(est.variance)).toBe(bits(local.variance));
  };

  it('two workers killed with SIGKILL mid-job, at the start and later on: same bits', async () => {
    const [a, b] = await Promise.all([worker('kill'), worker('kill')]);
    const engine = new Engine({ redis: redis.url, queue: 'kill' });
    try {
      const run = engine.moments(dist, job);
      await a.waitFor(/start job/);
      await a.kill9();
      const c = await worker('kill');
      // The second kill: b in the middle of its third job (or later).
      await b.waitFor(/(start job[^]*){3}/);
      await b.kill9();
      same(await run);
      expect((await a.exited).signal).toBe('SIGKILL');
      expect((await b.exited).signal).toBe('SIGKILL');
      // The job a held when it died was finished by another worker.
      const held = /start job \S+\.(\d+)-(\d+)/.exec(a.log())!;
      const doneElsewhere = [...b.doneRanges(), ...c.doneRanges()].some(
        ([x, y]) => x === Number(held[1]) && y === Number(held[2]),
      );
      expect(doneElsewhere).toBe(true);
      expect(a.doneRanges().some(([x]) => x === Number(held[1]))).toBe(false);
    } finally {
      await engine.close();
    }
  });

  it('Redis killed and restarted mid-job (append-only, fsync always): workers and coordinator reconnect, same bits', async () => {
    await Promise.all([worker('restart'), worker('restart')]);
    const engine = new Engine({ redis: redis.url, queue: 'restart' });
    try {
      let restarted: Promise<void> | null = null;
      const est = await engine.moments(dist, {
        ...job,
        onProgress: (p) => {
          if (restarted === null && p.done >= 0.3 * p.total) restarted = redis.restart(500);
        },
      });
      expect(restarted).not.toBeNull();
      await restarted;
      same(est);
    } finally {
      await engine.close();
    }
  });

  it('SIGTERM: the worker hands its job back and exits 0 within 2 s; another worker finishes it, same bits', async () => {
    const [a, b] = await Promise.all([worker('term'), worker('term')]);
    const engine = new Engine({ redis: redis.url, queue: 'term' });
    try {
      const run = engine.moments(dist, job);
      await a.waitFor(/start job/);
      const t0 = performance.now();
      const { code } = await a.stop();
      const ms = performance.now() - t0;
      expect(code).toBe(0);
      expect(a.log()).toMatch(/handed back job/);
      // 2 s is the promise; the slack is for a loaded machine starting and tearing down processes.
      expect(ms).toBeLessThan(3000);
      const c = await worker('term');
      same(await run);
      await b.stop();
      await c.stop();
    } finally {
      await engine.close();
    }
  });
});
