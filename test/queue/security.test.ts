/**
 * The queue is an input from the network. A worker checks every job before it runs anything and
 * rejects a malformed one (logged with its reason, failed at once without retries) without dying;
 * objective modules run only from the allowed folder and only with the hash the coordinator sent;
 * a password-protected Redis works with the right password and fails clearly, without printing it,
 * with a wrong one; a chunk that fails every attempt fails the job with a ChunkError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ChunkError, Engine, QueueError, queueName, torch } from 'relaxed-mc';
import { relaxedMc, tempFolder, type TempFolder } from '../cli/helpers.js';
import { HAS_REDIS, type RedisServer, type WorkerProcess, startRedis, startWorker } from '../helpers/redis.js';

const PASSWORD = 'Pa55+w0rd/secret';
const WRONG = 'not-the-Pa55-word';
const { RelaxedOneHotCategorical } = torch.distributions;
const dist = new RelaxedOneHotCategorical(0.5, { probs: [0.5, 0.3, 0.2] });
const bits = (t: { data: Float64Array }) =>
  Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex');

const MODULE = `export function f(z) { let s = 0; for (let k = 0; k < z.length; k++) s += (k + 1) * z[k] * z[k]; return s; }
export function grad(z, out) { for (let k = 0; k < z.length; k++) out[k] = 2 * (k + 1) * z[k]; }
`;
const FAILING = `export function f(z) { if (process.env.RELAXED_MC_TEST_FAIL) throw new Error('objective failed on purpose'); return z[0]; }
export function grad(z, out) { out.fill(0); out[0] = 1; }
`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const b64 = (a: number[]) => Buffer.from(new Float64Array(a).buffer).toString('base64');

/** A well-formed moments job: B = 1, K = 3, two chunks of 500 draws. */
const valid = {
  v: 1,
  kind: 'moments',
  B: 1,
  K: 3,
  seed: 1,
  units: 1000,
  chunkUnits: 500,
  covariance: false,
  params: b64([0, 0, 0, 0.5, 0.3, 0.3, 0.3]),
  gradient: null,
  first: 0,
  end: 1,
};
const gradientJob = (objective: unknown) => ({
  ...valid,
  kind: 'gradients',
  gradient: { estimator: 'reinforce', m: 4, streamBase: 2 ** 40, objective },
});

describe.skipIf(!HAS_REDIS)('the queue as a network input', () => {
  let redis: RedisServer;
  let worker: WorkerProcess;
  // Made in beforeAll, which a skipped suite never runs: a folder made here would be left behind.
  let tmp: TempFolder;
  let allowed: string;
  const url = () => redis.url;
  const wrongUrl = () => redis.url.replace(encodeURIComponent(PASSWORD), WRONG);

  beforeAll(async () => {
    tmp = tempFolder();
    allowed = join(tmp.dir, 'objectives');
    mkdirSync(allowed);
    writeFileSync(join(allowed, 'weighted.mjs'), MODULE);
    writeFileSync(join(allowed, 'failing.mjs'), FAILING);
    writeFileSync(join(tmp.dir, 'outside.mjs'), MODULE);
    symlinkSync(join(tmp.dir, 'outside.mjs'), join(allowed, 'link.mjs'));
    redis = await startRedis({ password: PASSWORD });
    worker = await startWorker(['--redis', url(), '--queue', 'sec', '--threads', '1', '--allow-modules', allowed]);
  });
  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  it('malformed jobs are each rejected with a logged reason, without retries, and the worker stays alive', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['not-an-object', 'hello', /job: Invalid type: Expected Object/],
      ['wrong-type', { ...valid, K: '3' }, /job\.K: Invalid type: Expected number/],
      ['float-seed', { ...valid, seed: 1.5 }, /job\.seed: Invalid safe integer/],
      ['huge-batch', { ...valid, B: 2 ** 20, K: 2 ** 10 }, /job\.B \* job\.K must be at most/],
      ['huge-chunk', { ...valid, units: 2 ** 50, chunkUnits: 2 ** 40 }, /a chunk of the job must hold at most/],
      ['huge-group', { ...valid, units: 2 ** 30, chunkUnits: 1, end: 100_000 }, /at most 4096 chunks/],
      [
        'unknown-kind',
        { ...valid, kind: 'sample' },
        /job\.kind: Invalid type: Expected \("moments" \| "gradients"\) but received "sample"/,
      ],
      ['unknown-field', { ...valid, exec: 'rm -rf /' }, /job\.exec: Invalid key/],
      ['short-params', { ...valid, params: b64([0, 0, 0]) }, /job\.params must be base64 of 7 doubles/],
      [
        'nan-temperature',
        { ...valid, params: b64([0, 0, 0, NaN, 0, 0, 0]) },
        /temperatures must be finite and positive/,
      ],
      ['chunk-out-of-range', { ...valid, first: 5, end: 6 }, /job\.first must be an integer from 0 to 1/],
      [
        'bad-stream',
        {
          ...gradientJob({ kind: 'linear', c: [1, 2, 3] }),
          gradient: { estimator: 'reinforce', m: 4, streamBase: 7, objective: { kind: 'linear', c: [1, 2, 3] } },
        },
        /streamBase must be/,
      ],
      [
        'module-dotdot',
        gradientJob({ module: { name: '../outside.mjs', sha256: sha(MODULE) } }),
        /resolves outside the allowed folder/,
      ],
      [
        'module-absolute',
        gradientJob({ module: { name: join(tmp.dir, 'outside.mjs'), sha256: sha(MODULE) } }),
        /not an absolute path/,
      ],
      [
        'module-symlink',
        gradientJob({ module: { name: 'link.mjs', sha256: sha(MODULE) } }),
        /resolves outside the allowed folder/,
      ],
      [
        'module-missing',
        gradientJob({ module: { name: 'nope.mjs', sha256: sha(MODULE) } }),
        /is not in the allowed folder/,
      ],
      [
        'module-hash',
        gradientJob({ module: { name: 'weighted.mjs', sha256: sha(`${MODULE} `) } }),
        /has SHA-256 [0-9a-f]{64}, but the job asks for/,
      ],
    ];
    const client = new Redis(url(), { maxRetriesPerRequest: null });
    const queue = new Queue(queueName('sec'), { connection: client });
    try {
      for (const [id, data] of cases) await queue.add('chunks', data, { jobId: `bad-${id}`, attempts: 3 });
      for (const [id, , reason] of cases) {
        let state = '';
        for (let i = 0; i < 300 && state !== 'failed'; i++) {
          state = await queue.getJobState(`bad-${id}`);
          if (state !== 'failed') await new Promise((r) => setTimeout(r, 20));
        }
        expect(state, id).toBe('failed');
        const job = (await queue.getJob(`bad-${id}`))!;
        expect(job.failedReason, id).toMatch(reason);
        expect(job.attemptsMade, `${id} is not retried`).toBe(1);
        expect(worker.log(), id).toMatch(new RegExp(`rejected job bad-${id}: .*${reason.source}`));
      }
    } finally {
      await queue.close();
      client.disconnect();
    }
    expect(worker.child.exitCode).toBeNull();
    // ... and still runs jobs, here an objective module from the allowed folder: the bits of a local run.
    const objective = { module: join(allowed, 'weighted.mjs') };
    const job = { objective, estimators: ['reinforce', 'gumbel-softmax'], samples: 4000, seed: 3, chunkSize: 250 };
    const local = new Engine({ threads: 1 });
    const remote = new Engine({ redis: url(), queue: 'sec', chunksPerJob: 4 });
    try {
      const [a, b] = [await local.gradients(dist, job), await remote.gradients(dist, job)];
      expect(bits(b.estimators.reinforce.mean)).toBe(bits(a.estimators.reinforce.mean));
      expect(JSON.stringify(b.state.parts)).toBe(JSON.stringify(a.state.parts));
    } finally {
      await Promise.all([local.close(), remote.close()]);
    }
    expect(worker.log()).not.toContain(PASSWORD);
    expect(worker.log()).toContain('redis://:***@127.0.0.1');
  });

  it('a worker without --allow-modules refuses module objectives; a chunk failing every attempt is a ChunkError', async () => {
    const plain = await startWorker(['--redis', url(), '--queue', 'plain', '--threads', '1']);
    const failing = await startWorker(
      ['--redis', url(), '--queue', 'fail', '--threads', '1', '--allow-modules', allowed],
      {
        RELAXED_MC_TEST_FAIL: '1',
      },
    );
    const engine = new Engine({ redis: url(), queue: 'plain' });
    const engine2 = new Engine({ redis: url(), queue: 'fail', retries: 1 });
    try {
      const job = {
        objective: { module: join(allowed, 'weighted.mjs') },
        estimators: ['reinforce'],
        samples: 1000,
        seed: 1,
      };
      const err = await engine.gradients(dist, job).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChunkError);
      expect((err as Error).message).toMatch(/this worker runs no modules: start it with --allow-modules DIR/);
      const err2 = await engine2
        .gradients(dist, { ...job, objective: { module: join(allowed, 'failing.mjs') } })
        .catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(ChunkError);
      expect((err2 as Error).message).toMatch(
        /failed on the queue 2 times \(2 attempts allowed\): .*objective failed on purpose/,
      );
      expect(plain.child.exitCode).toBeNull();
      expect(failing.child.exitCode).toBeNull();
    } finally {
      await Promise.all([engine.close(), engine2.close(), plain.stop(), failing.stop()]);
    }
  });

  it('a wrong password fails clearly, and the password is in no message', async () => {
    const engine = new Engine({ redis: wrongUrl() });
    try {
      const err = await engine.moments(dist, { samples: 1000, seed: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueueError);
      expect((err as Error).message).toMatch(/refused the credentials/);
      expect((err as Error).message).toContain('redis://:***@127.0.0.1');
      expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(WRONG);
    } finally {
      await engine.close();
    }
    const run = await relaxedMc(['worker', '--redis', wrongUrl()], tmp.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/QueueError: .*refused the credentials/);
    expect(run.stderr).not.toContain(WRONG);
    const cli = await relaxedMc(['estimate', '--samples', '1000', '--redis', wrongUrl(), '--quiet'], tmp.dir);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/refused the credentials/);
    expect(cli.stderr).not.toContain(WRONG);
    // A malformed URL is bad usage, and its password is not echoed either.
    const bad = await relaxedMc(['worker', '--redis', `http://:${WRONG}@127.0.0.1:1`], tmp.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain(WRONG);
  });
});
