/**
 * A coordinator killed with SIGKILL and started again with the same `--checkpoint` finishes the
 * job without any chunk being computed twice (the worker logs are counted): the chunks in the
 * checkpoint are not queued again, and the results that arrived in Redis after the kill are
 * collected, not recomputed. The result has the bits of a local run, and no result is left in Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { readStateFile } from 'relaxed-mc';
import { MAIN, relaxedMc, tempFolder, type TempFolder } from '../cli/helpers.js';
import { HAS_REDIS, type RedisServer, type WorkerProcess, startRedis, startWorker } from '../helpers/redis.js';

const LOGITS = Array.from({ length: 16 }, (_, k) => (k / 8).toFixed(3)).join(',');
// 2^24 draws of K = 16: 256 chunks, 16 queued jobs of 16 chunks.
const JOB = ['estimate', '--logits', LOGITS, '--temperature', '0.5', '--samples', String(2 ** 24), '--seed', '7'];
const CHUNKS = 256;

describe.skipIf(!HAS_REDIS)('a coordinator restarted with --checkpoint', () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  // Made in beforeAll, which a skipped suite never runs: a folder made here would be left behind.
  let tmp: TempFolder;

  beforeAll(async () => {
    tmp = tempFolder();
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
    tmp?.cleanup();
  });

  it('finishes without recomputing finished chunks, with the bits of a local run', async () => {
    const local = await relaxedMc([...JOB, '--threads', '2', '--format', 'json', '--quiet'], tmp.dir);
    expect(local.code).toBe(0);
    for (let i = 0; i < 2; i++)
      workers.push(await startWorker(['--redis', redis.url, '--queue', 'ckpt', '--threads', '1', '--jobs', '1']));
    const ckpt = join(tmp.dir, 'run.ckpt');
    const args = [...JOB, '--redis', redis.url, '--queue', 'ckpt', '--chunks-per-job', '16'];
    const cpArgs = [...args, '--checkpoint', ckpt, '--checkpoint-interval', '0.1', '--format', 'json', '--quiet'];

    // First coordinator: killed once its checkpoint holds some chunks, but not all.
    const first = spawn(process.execPath, [MAIN, ...cpArgs], { cwd: tmp.dir, stdio: 'ignore' });
    const exited = new Promise((r) => first.on('exit', r));
    let held = 0;
    while (first.exitCode === null) {
      await new Promise((r) => setTimeout(r, 30));
      if (!existsSync(ckpt)) continue;
      held = readStateFile(ckpt)!.parts[0].completed.size;
      if (held > 0) break;
    }
    first.kill('SIGKILL');
    await exited;
    expect(held, 'chunks in the checkpoint when the first coordinator was killed').toBeGreaterThan(0);
    expect(held, 'chunks in the checkpoint when the first coordinator was killed').toBeLessThan(CHUNKS);

    const second = await relaxedMc(cpArgs, tmp.dir);
    expect(second.stderr, 'stderr of the second coordinator').toBe('');
    expect(second.code).toBe(0);
    const a = JSON.parse(second.stdout);
    const b = JSON.parse(local.stdout);
    for (const k of ['mean', 'variance', 'stderr', 'varianceStderr', 'samples', 'seed', 'chunks'])
      expect(JSON.stringify(a[k])).toBe(JSON.stringify(b[k]));

    // Every chunk was computed exactly once over both runs.
    const computed = workers.flatMap((w) => w.doneRanges()).reduce((n, [x, y]) => n + (y - x), 0);
    expect(computed, workers.map((w) => w.log()).join('\n')).toBe(CHUNKS);
    // Results leave Redis once the checkpoint holds them.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('bull:ckpt.*.moments.*');
      expect(keys).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});
