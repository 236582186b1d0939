/**
 * A queue worker: a long-running process that takes chunk jobs from a BullMQ queue and runs each
 * on its own pool of threads (the engine's pool and scheduler, exactly as a local job runs its
 * chunks), so its sums have the bits a local run would have.
 *
 * Every job is checked before anything runs (`wire.ts`); a malformed one fails at once (BullMQ's
 * `UnrecoverableError`: no retries) with its reason logged, and the worker goes on. A stop (SIGTERM,
 * Ctrl-C) takes no new job, stops the chunks in hand, moves their jobs back to the waiting list
 * for another worker, and closes. If the process is killed instead, BullMQ's stalled-job check in
 * another worker hands its job on once the lock (`lockDurationMs`) expires.
 *
 * @packageDocumentation
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AbortError, QueueError, Rule } from '../errors.js';
import { listSequence } from '../engine/chunk-order.js';
import { makeDescriptor } from '../engine/context.js';
import type { ObjectiveDescriptor } from '../chunks/layout.js';
import { WorkerPool } from '../engine/pool.js';
import { runChunks } from '../engine/scheduler.js';
import type { AllowedModules } from './allowed-modules.js';
import { type RedisUrl, connectRedis, scrub } from './redis-connection.js';
import { type ChunkJob, type ChunkJobResult, encodeChunkResult, parseChunkJob } from './wire.js';

/** Default lock of a job in hand: a killed worker's job goes to another worker after it expires. */
export const DEFAULT_LOCK_MS = 30_000;
/** Default times a job may be recovered from a stalled worker before it fails. */
export const DEFAULT_MAX_STALLED = 2;

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  readonly redis: RedisUrl;
  /** The full queue name (base and stream tag). */
  readonly queue: string;
  /** Threads of the local pool. */
  readonly threads: number;
  /** Folder of the objective modules this worker may run (null: none). */
  readonly modules: AllowedModules | null;
  /** BullMQ lock duration (and stalled-check interval), ms. */
  readonly lockDurationMs: number;
  /** BullMQ's maxStalledCount. */
  readonly maxStalledCount: number;
  /** Jobs held at a time (the next one is fetched while the current one runs). */
  readonly concurrency: number;
  /** One line per event; `quiet` lines are job starts and ends. */
  readonly log: (line: string, quiet: boolean) => void;
}

/** A running worker. */
export interface QueueWorker {
  /** Jobs completed so far. */
  readonly completed: number;
  /** Stops taking jobs, hands the jobs in hand back to the queue and closes. */
  stop(): Promise<void>;
}

/**
 * Connects, starts the threads and begins taking jobs.
 *
 * @param o - where, which queue, threads, modules and BullMQ's lock settings.
 * @returns the running worker.
 * @throws QueueError when Redis cannot be reached; WorkerLoadError when the threads cannot start.
 */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  // Loaded on use (about 100 ms of evaluation), so the library's other users never pay for it.
  const { UnrecoverableError, WaitingError, Worker } = await import('bullmq');
  const pool = new WorkerPool({ threads: o.threads });
  await pool.start();
  let client: Redis;
  try {
    client = await connectRedis(o.redis, 'worker');
  } catch (err) {
    await pool.reset();
    throw err;
  }
  const inHand = new Map<string, AbortController>();
  let stopping = false;
  let completed = 0;
  let nextId = 1;

  const processor = async (job: Job, token?: string): Promise<ChunkJobResult> => {
    const t0 = performance.now();
    const what = `job ${job.id}`;
    let data: ChunkJob;
    let objective: ObjectiveDescriptor | null = null;
    try {
      data = parseChunkJob(job.data);
      if (data.kind === 'gradients') objective = resolveObjective(data.gradient.objective, o.modules);
    } catch (err) {
      const why =
        err instanceof QueueError ? err.message : `unreadable job (${String((err as Error)?.message ?? err)})`;
      o.log(`rejected ${what}: ${why}`, false);
      throw new UnrecoverableError(`rejected by a worker: ${why}`);
    }
    o.log(`start ${what}: ${data.kind}, chunks ${data.first} to ${data.end - 1}`, true);
    const own =
      data.kind === 'moments'
        ? { kind: 'moments' as const, covariance: data.covariance }
        : {
            kind: 'gradients' as const,
            gradient: {
              estimator: data.gradient.estimator,
              m: data.gradient.m,
              objective: objective as ObjectiveDescriptor,
              streamBase: data.gradient.streamBase,
            },
          };
    const descriptor = makeDescriptor(nextId++, own, data.B, data.K, data.seed, data.units, data.chunkUnits, {
      logits: data.logits,
      temperature: data.temperature,
      extra: data.shift,
    });
    const sums: Float64Array[] = new Array(data.end - data.first);
    const stop = new AbortController();
    inHand.set(String(job.id), stop);
    try {
      await runChunks({
        pool,
        job: descriptor,
        chunks: listSequence(Array.from({ length: data.end - data.first }, (_, i) => data.first + i)),
        onResult: (c, r) => {
          sums[c - data.first] = r.sums as Float64Array;
        },
        signal: stop.signal,
      });
    } catch (err) {
      if (err instanceof AbortError && stopping) {
        // Handed back: another worker (or this one, restarted) takes it, without counting an attempt.
        await job.moveToWait(token);
        o.log(`handed back ${what}`, false);
        throw new WaitingError();
      }
      o.log(`failed ${what}: ${String((err as Error)?.message ?? err)}`, false);
      throw err;
    } finally {
      inHand.delete(String(job.id));
    }
    completed++;
    o.log(`done ${what} in ${Math.round(performance.now() - t0)} ms`, true);
    return encodeChunkResult(data.first, data.end, sums);
  };

  const worker = new Worker(o.queue, processor, {
    connection: client,
    concurrency: o.concurrency,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.lockDurationMs,
    maxStalledCount: o.maxStalledCount,
    autorun: false,
  });
  let lastError = '';
  worker.on('error', (err: Error) => {
    // Connection trouble (a Redis restart) is retried by ioredis; say so once per distinct message.
    const m = scrub(err.message, o.redis);
    if (m !== lastError) o.log(`Redis: ${m} (retrying)`, false);
    lastError = m;
  });
  client.on('ready', () => {
    if (lastError !== '') o.log('Redis: connected again', false);
    lastError = '';
  });
  o.log(
    `serving queue ${o.queue} at ${o.redis.shown} with ${o.threads} thread${o.threads === 1 ? '' : 's'}` +
      `${o.modules === null ? '' : `, objective modules from ${o.modules.folder}`}`,
    false,
  );
  void worker
    .run()
    .catch((err: unknown) =>
      o.log(`stopped taking jobs: ${scrub(String((err as Error)?.message ?? err), o.redis)}`, false),
    );
  await worker.waitUntilReady();

  return {
    get completed() {
      return completed;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      // No new job: pausing this worker stops its fetch loop; then the chunks in hand stop.
      void worker.pause(true).catch(() => undefined);
      for (const c of inHand.values()) c.abort();
      const deadline = new Promise((r) => setTimeout(r, 1200).unref());
      await Promise.race([waitEmpty(inHand), deadline]);
      await Promise.race([worker.close(true).catch(() => undefined), deadline]);
      await pool.reset();
      client.disconnect();
    },
  };
}

function waitEmpty(m: Map<string, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (m.size === 0) {
        clearInterval(t);
        resolve();
      }
    }, 5);
  });
}

function resolveObjective(
  d: NonNullable<ChunkJob['gradient']>['objective'],
  modules: AllowedModules | null,
): ObjectiveDescriptor {
  if (!('module' in d)) return d;
  if (modules === null)
    throw new QueueError(
      `the job's objective is a module (${JSON.stringify(d.module.name)}), and this worker runs no modules: start it with --allow-modules DIR.`,
      { argument: 'job.gradient.objective', rule: Rule.allowedModules },
    );
  return { module: modules.resolve(d.module.name, d.module.sha256) };
}
