/**
 * rediss://: a worker and a coordinator reach a Redis that speaks only TLS (a self-signed
 * certificate, trusted through NODE_EXTRA_CA_CERTS), and the result has the bits of a local run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { relaxedMcEnv, tempFolder, type TempFolder } from '../cli/helpers.js';
import { HAS_REDIS, type RedisServer, type WorkerProcess, startRedis, startWorker } from '../helpers/redis.js';

const tls = (f: string) => fileURLToPath(new URL(`../fixtures/tls/${f}`, import.meta.url));
const JOB = [
  'estimate',
  '--probs',
  '0.6,0.3,0.1',
  '--temperature',
  '0.5',
  '--samples',
  '1e6',
  '--seed',
  '9',
  '--format',
  'json',
  '--quiet',
];

describe.skipIf(!HAS_REDIS)('a Redis over TLS (rediss://)', () => {
  let redis: RedisServer;
  let worker: WorkerProcess;
  // Made in beforeAll, which a skipped suite never runs: a folder made here would be left behind.
  let tmp: TempFolder;
  const env = { NODE_EXTRA_CA_CERTS: tls('cert.pem') };

  beforeAll(async () => {
    tmp = tempFolder();
    redis = await startRedis({
      tls: { cert: tls('cert.pem'), key: tls('key.pem'), ca: tls('cert.pem') },
      password: 'tls-secret',
    });
    worker = await startWorker(['--redis', redis.url, '--queue', 'tls', '--threads', '1'], env);
  });
  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
    tmp?.cleanup();
  });

  it('runs a job through the queue with the bits of a local run', async () => {
    expect(redis.url).toMatch(/^rediss:/);
    const local = await relaxedMcEnv([...JOB, '--threads', '1'], tmp.dir, {});
    const remote = await relaxedMcEnv(
      [...JOB, '--redis', redis.url, '--queue', 'tls', '--chunks-per-job', '1'],
      tmp.dir,
      env,
    );
    expect(remote.stderr).toBe('');
    expect(remote.code).toBe(0);
    const [a, b] = [JSON.parse(remote.stdout), JSON.parse(local.stdout)];
    expect(JSON.stringify([a.mean, a.variance])).toBe(JSON.stringify([b.mean, b.variance]));
    expect(worker.log()).toMatch(/done job/);
    expect(worker.log()).not.toContain('tls-secret');
  });
});
