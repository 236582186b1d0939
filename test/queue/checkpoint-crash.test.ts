/**
 * A coordinator killed right after a checkpoint write, before it could take the results that
 * checkpoint holds out of Redis: the restarted coordinator does not need those results (the
 * checkpoint has them), and still leaves none of them behind once the job is finished.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watch } from 'node:fs';
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

describe.skipIf(!HAS_REDIS)('a coordinator killed just after a checkpoint write', () => {
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

  it('leaves no result in Redis once a restart has finished the job', async () => {
    for (let i = 0; i < 2; i++)
      workers.push(await startWorker(['--redis', redis.url, '--queue', 'crash', '--threads', '1', '--jobs', '1']));
    const ckpt = join(tmp.dir, 'run.ckpt');
    const args = [...JOB, '--redis', redis.url, '--queue', 'crash', '--chunks-per-job', '16'];
    const cpArgs = [...args, '--checkpoint', ckpt, '--checkpoint-interval', '0.1', '--format', 'json', '--quiet'];

    // The kill follows the rename of a checkpoint that holds chunks at once: the coordinator is
    // stopped before it had time to remove those chunks' results from Redis.
    const first = spawn(process.execPath, [MAIN, ...cpArgs], { cwd: tmp.dir, stdio: 'ignore' });
    const exited = new Promise((r) => first.on('exit', r));
    let held = 0;
    const watcher = watch(tmp.dir, (_, name) => {
      if (name !== 'run.ckpt' || held > 0) return;
      try {
        held = readStateFile(ckpt)?.parts[0].completed.size ?? 0;
      } catch {
        return;
      }
      if (held > 0) first.kill('SIGKILL');
    });
    await exited;
    watcher.close();
    expect(held, 'chunks in the checkpoint when the first coordinator was killed').toBeGreaterThan(0);
    expect(held, 'chunks in the checkpoint when the first coordinator was killed').toBeLessThan(CHUNKS);

    const second = await relaxedMc(cpArgs, tmp.dir);
    expect(second.stderr, 'stderr of the second coordinator').toBe('');
    expect(second.code).toBe(0);
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('bull:crash.*.moments.*');
      expect(keys).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});
