/**
 * The coordinator's side of the queue: a moments or gradients job's chunks go to a BullMQ queue
 * in groups of consecutive chunks, any number of `relaxed-mc worker` processes run them, and the
 * results come back to the same exact merge as a local run's (so the bits do not depend on which
 * worker ran what or when it finished).
 *
 * - At most `window` groups are in Redis at a time: a 10^12-draw job never floods it.
 * - A group's BullMQ job id is the job's parameter hash, the part and the chunk range: adding it
 *   again is a no-op, so a coordinator that reconnects (or restarts) re-adds every group it has
 *   not merged and collects results that are already there instead of recomputing them.
 * - Results stay in Redis until merged, and with a checkpoint until a checkpoint file holds them.
 * - A finished part leaves nothing of its range in Redis ({@link QueueCoordinator.release}, which the
 *   job awaits before it returns): also not the results that a coordinator killed between a
 *   checkpoint write and their removal left behind, which no later run would ask for again.
 * - Failed attempts are retried by BullMQ; a group that fails every attempt fails the job with a
 *   `ChunkError`; no progress for `workerTimeoutMs` fails it with a `QueueError`.
 * - Completions are heard through BullMQ's event stream and, in case events were missed (a Redis
 *   restart), by looking at every pending group once a second.
 *
 * @packageDocumentation
 */
import { basename } from 'node:path';
import type { Queue, QueueEvents, Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AbortError, ChunkError, QueueError, Rule } from '../errors.js';
import type { ChunkResult, GradientsJob, MomentsJob } from '../chunks/layout.js';
import { moduleHash } from '../chunks/objective-loader.js';
import type { RunChunksOptions } from '../engine/scheduler.js';
import { groupId, groupsWithin } from './group-ids.js';
import { type RedisUrl, connectRedis, scrub } from './redis-connection.js';
import {
  CHUNK_JOB_NAME,
  type ChunkJobData,
  MAX_CHUNKS_PER_JOB,
  type WireObjective,
  encodeChunkJob,
  parseChunkResult,
  sumsPerChunk,
} from './wire.js';

/** Chunks per queued job by default: a chunk aims at 2^20 elements, so a job holds about 2^25. */
export const DEFAULT_CHUNKS_PER_JOB = 32;
/** Groups in Redis at a time by default. */
export const DEFAULT_WINDOW = 64;
/** Without any worker activity for this long, progress says that the job is waiting for workers. */
export const WAITING_AFTER_MS = 30_000;
/** How long finished results may stay in Redis unclaimed (a coordinator that never came back). */
const KEEP_RESULTS_S = 7 * 24 * 3600;
const POLL_MS = 1000;
const PROGRESS_INTERVAL_MS = 1000;

/** Options of {@link QueueCoordinator}. */
export interface QueueCoordinatorOptions {
  readonly redis: RedisUrl;
  /** The full queue name (base and stream tag). */
  readonly queue: string;
  /** Consecutive chunks per queued job. */
  readonly chunksPerJob: number;
  /** Queued jobs in Redis at a time. */
  readonly window: number;
  /** Fail with a QueueError after this long without a worker taking or finishing a chunk (null: wait forever). */
  readonly workerTimeoutMs: number | null;
  /** How long without activity counts as "waiting for workers" (default 30 s). */
  readonly waitingAfterMs?: number;
}

/** One queued group of chunks. */
interface Group {
  readonly id: string;
  readonly first: number;
  readonly end: number;
  merged: boolean;
  /** The last `processedOn` seen: a change means a worker (re)started it. */
  startedAt: number | undefined;
}

/** Runs chunk groups of moments and gradients jobs through a BullMQ queue. */
export class QueueCoordinator {
  private clients: Redis[] = [];
  private queue: Queue | null = null;
  private events: QueueEvents | null = null;
  private connecting: Promise<void> | null = null;
  private readonly onEvent = new Set<(kind: 'completed' | 'failed' | 'active', jobId: string) => void>();
  private readonly onReconnect = new Set<() => void>();
  private readonly removals = new Set<Promise<unknown>>();
  private unpersisted: string[] = [];

  /** @param o - where, which queue, grouping, window and time limit. */
  constructor(private readonly o: QueueCoordinatorOptions) {}

  /** Queue name served. */
  get queueName(): string {
    return this.o.queue;
  }

  /**
   * Connects (once) to Redis.
   *
   * @throws QueueError when Redis cannot be reached or refuses the credentials.
   */
  async start(): Promise<void> {
    this.connecting ??= this.connect();
    try {
      await this.connecting;
    } catch (err) {
      this.connecting = null;
      throw err;
    }
  }

  private async connect(): Promise<void> {
    const [a, b] = await Promise.all([
      connectRedis(this.o.redis, 'coordinator'),
      connectRedis(this.o.redis, 'coordinator'),
    ]);
    this.clients = [a, b];
    // Loaded here, not at the top: BullMQ takes about 100 ms to evaluate, a step no local run
    // should hold its main thread for.
    const { Queue, QueueEvents } = await import('bullmq');
    // The first connection is made: every 'ready' from now on is a reconnection (Redis restarted),
    // after which every group not merged yet is added again (a no-op for those still there).
    a.on('ready', () => {
      for (const f of this.onReconnect) f();
    });
    this.queue = new Queue(this.o.queue, { connection: a });
    this.queue.on('error', () => undefined);
    this.events = new QueueEvents(this.o.queue, { connection: b });
    this.events.on('error', () => undefined);
    for (const kind of ['completed', 'failed', 'active'] as const) {
      this.events.on(kind, ({ jobId }: { jobId: string }) => {
        for (const f of this.onEvent) f(kind, jobId);
      });
    }
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
  }

  /**
   * Called after a checkpoint was written: the results it holds leave Redis.
   */
  afterCheckpoint(): void {
    const ids = this.unpersisted;
    this.unpersisted = [];
    for (const id of ids) this.track(this.removeJob(id));
  }

  /**
   * Runs chunks through the queue: the drop-in for the scheduler's `runChunks`.
   *
   * @param o - the job, its chunks, callbacks, signal and retries, as for a local run.
   * @param key - unique to the job's parameters and part (forms the queued jobs' ids).
   * @param keepUntilCheckpoint - results stay in Redis until {@link afterCheckpoint}.
   * @returns when every chunk has been merged.
   * @throws AbortError on abort; ChunkError for a group that failed every attempt; QueueError on
   *   a timeout or a malformed result.
   */
  async runChunks(o: RunChunksOptions, key: string, keepUntilCheckpoint: boolean): Promise<void> {
    await this.start();
    const queue = this.queue as Queue;
    const { job } = o;
    if (job.kind !== 'moments' && job.kind !== 'gradients')
      throw new QueueError(`relaxed-mc: ${job.kind} jobs do not go through the queue.`, {
        argument: 'job.kind',
        rule: Rule.queuedKinds,
      });
    const objective = wireObjective(job);
    const perChunk = sumsPerChunk(job.kind, job.B, job.K, job.kind === 'moments' && job.covariance);
    const G = Math.min(MAX_CHUNKS_PER_JOB, this.o.chunksPerJob);
    const unitsOf = o.unitsOf ?? ((c: number) => Math.min(job.units, (c + 1) * job.chunkUnits) - c * job.chunkUnits);
    const before = o.doneBefore ?? 0;
    const total = o.total ?? job.units;
    const attempts = (o.retries ?? 0) + 1;
    const waitingAfter = this.o.waitingAfterMs ?? WAITING_AFTER_MS;
    const t0 = performance.now();
    let done = before;
    let next = 0;
    let lastActivity = t0;
    let lastError: string | null = null;
    let finished = false;
    const pending = new Map<string, Group>();

    // Consecutive chunks of the dispatch sequence that share a fixed group (chunk / G) form one job.
    const nextGroup = (): Group => {
      const first = o.chunks.at(next++);
      let end = first + 1;
      while (next < o.chunks.length && o.chunks.at(next) === end && Math.floor(end / G) === Math.floor(first / G)) {
        next++;
        end++;
      }
      return { id: groupId(key, first, end), first, end, merged: false, startedAt: undefined };
    };

    return new Promise<void>((resolve, reject) => {
      let lastReport = 0;
      const report = (force: boolean) => {
        if (o.onProgress === undefined) return;
        const now = performance.now();
        if (!force && now - lastReport < 100) return;
        lastReport = now;
        const secs = (now - t0) / 1000;
        o.onProgress({
          done,
          total,
          samplesPerSecond: secs > 0 ? (done - before) / secs : 0,
          waitingForWorkers: now - lastActivity >= waitingAfter,
        });
      };

      const finish = (err: unknown | null) => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        clearInterval(progressTimer);
        this.onEvent.delete(onEvent);
        this.onReconnect.delete(onReconnect);
        o.signal?.removeEventListener('abort', onAbort);
        if (err === null) {
          report(true);
          resolve();
          return;
        }
        // Nothing of a stopped job should run on: its waiting groups leave the queue.
        const left = [...pending.values()].filter((g) => !g.merged);
        void Promise.all(left.map((g) => this.removeUnlessActive(g.id))).finally(() => reject(err));
      };

      const add = async (g: Group): Promise<void> => {
        const existing = await queue.getJob(g.id);
        if (existing !== undefined) {
          // A failure of an earlier run is retried: this is a new run of the job.
          if ((await existing.getState()) !== 'failed') {
            await check(g);
            return;
          }
          await existing.remove();
        }
        const data: ChunkJobData = encodeChunkJob(job, g.first, g.end, objective);
        await queue.add(CHUNK_JOB_NAME, data, {
          jobId: g.id,
          attempts,
          removeOnComplete: { age: KEEP_RESULTS_S },
          removeOnFail: { age: KEEP_RESULTS_S },
        });
      };

      const fill = () => {
        while (!finished && pending.size < this.o.window && next < o.chunks.length) {
          const g = nextGroup();
          pending.set(g.id, g);
          add(g).catch((err: unknown) => {
            lastError = scrub(String((err as Error)?.message ?? err), this.o.redis);
          });
        }
        if (!finished && pending.size === 0 && next >= o.chunks.length) finish(null);
      };

      const merge = (g: Group, value: unknown) => {
        if (g.merged || finished) return;
        let sums: Float64Array[];
        try {
          sums = parseChunkResult(value, { first: g.first, end: g.end, perChunk });
        } catch (err) {
          finish(
            new QueueError(
              `relaxed-mc: a worker returned a malformed result for chunks ${g.first} to ${g.end - 1} of the ${job.kind} job on queue ${this.o.queue}: ${(err as Error).message}`,
              { argument: 'result', rule: Rule.malformedResult },
            ),
          );
          return;
        }
        g.merged = true;
        pending.delete(g.id);
        try {
          for (let c = g.first; c < g.end; c++) {
            const r: ChunkResult = {
              threadId: -1,
              stopped: false,
              sums: sums[c - g.first],
              invalidRow: -1,
              invalidReason: null,
            };
            o.onResult(c, r);
            done += unitsOf(c);
          }
        } catch (err) {
          finish(err);
          return;
        }
        if (keepUntilCheckpoint) this.unpersisted.push(g.id);
        else this.track(this.removeJob(g.id));
        lastActivity = performance.now();
        report(false);
        fill();
      };

      const fail = (g: Group, j: Job) => {
        const units = job.kind === 'gradients' ? 'groups' : 'draws';
        const a = g.first * job.chunkUnits;
        const b = Math.min(job.units, g.end * job.chunkUnits) - 1;
        const times = j.attemptsMade;
        // Removed so that a rerun of the same job tries again.
        this.track(this.removeJob(g.id));
        finish(
          new ChunkError(
            `relaxed-mc: ${job.kind} job failed: chunk ${g.first}${g.end - g.first > 1 ? ` (with chunks up to ${g.end - 1})` : ''} ` +
              `(${units} ${a} to ${b}) failed on the queue ${times === 1 ? 'once' : `${times} times`} ` +
              `(${attempts} attempt${attempts === 1 ? '' : 's'} allowed): ${j.failedReason ?? 'no reason given'}`,
            g.first,
          ),
        );
      };

      const check = async (g: Group): Promise<void> => {
        if (g.merged || finished) return;
        // The state first: a job read before it completed would show no return value yet.
        const state = await queue.getJobState(g.id);
        if (g.merged || finished) return;
        if (state === 'unknown') {
          // Gone from Redis (lost in a restart without persistence): add it again.
          await add(g);
          return;
        }
        const j = await queue.getJob(g.id);
        if (j === undefined || g.merged || finished) return;
        if (j.processedOn !== undefined && j.processedOn !== g.startedAt) {
          g.startedAt = j.processedOn;
          lastActivity = performance.now();
        }
        if (state === 'completed') merge(g, j.returnvalue);
        else if (state === 'failed') fail(g, j);
      };

      let polling = false;
      const poll = () => {
        if (polling || finished) return;
        polling = true;
        Promise.all([...pending.values()].map((g) => check(g)))
          .then(() => {
            lastError = null;
          })
          .catch((err: unknown) => {
            lastError = scrub(String((err as Error)?.message ?? err), this.o.redis);
          })
          .finally(() => {
            polling = false;
          });
        const idle = performance.now() - lastActivity;
        if (this.o.workerTimeoutMs !== null && idle > this.o.workerTimeoutMs) {
          finish(
            new QueueError(
              `relaxed-mc: no worker took or finished a chunk of the ${job.kind} job on queue ${this.o.queue} at ${this.o.redis.shown} ` +
                `for ${Math.round(idle / 1000)} s (worker timeout ${this.o.workerTimeoutMs / 1000} s)` +
                `${lastError === null ? '' : `; last Redis error: ${lastError}`}. Start workers with: relaxed-mc worker --redis URL`,
              { argument: 'workerTimeout', rule: Rule.workerTimeout },
            ),
          );
        }
      };

      const onEvent = (kind: 'completed' | 'failed' | 'active', jobId: string) => {
        const g = pending.get(jobId);
        if (g === undefined) return;
        lastActivity = performance.now();
        if (kind !== 'active') check(g).catch(() => undefined);
      };
      const onReconnect = () => {
        for (const g of pending.values()) add(g).catch(() => undefined);
      };
      const onAbort = () =>
        finish(
          new AbortError(
            `relaxed-mc: the ${job.kind} job was aborted after ${done} of ${total} units; no result is returned.`,
          ),
        );

      this.onEvent.add(onEvent);
      this.onReconnect.add(onReconnect);
      const timer = setInterval(poll, POLL_MS);
      const progressTimer = setInterval(() => report(true), PROGRESS_INTERVAL_MS);
      if (o.signal?.aborted) return onAbort();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      fill();
    });
  }

  /**
   * Called once a part is final: every chunk of `[first, end)` merged and, with a checkpoint, a
   * checkpoint written that holds them all. Whatever Redis still holds of the part's groups in
   * that range goes: the removals still under way, and the results found in the queue's completed
   * and failed sets. Those are left by a coordinator killed after a checkpoint held them but
   * before it removed them; a restart runs only the chunks missing from the checkpoint, so
   * nothing else would ever ask for them. A removal that fails (Redis gone meanwhile) leaves its
   * result to the age limit (`removeOnComplete`), as a result never claimed is.
   *
   * @param key - the part's key, as given to {@link QueueCoordinator.runChunks}.
   * @param first - the first chunk of the part's range (its shard's).
   * @param end - one past its last chunk.
   * @returns once the removals are done.
   */
  async release(key: string, first: number, end: number): Promise<void> {
    await Promise.all(this.removals);
    const queue = this.queue;
    if (queue === null) return;
    try {
      // Only the range given: the other shards of the job share the key and may still be running.
      const ids = await groupsWithin(this.clients[0], [queue.keys.completed, queue.keys.failed], key, first, end);
      await Promise.all(ids.map((id) => queue.remove(id).catch(() => 0)));
    } catch {
      // as for any removal: the age limit takes over
    }
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => this.removals.delete(q));
    this.removals.add(q);
  }

  private async removeJob(id: string): Promise<void> {
    const j = await this.queue?.getJob(id);
    await j?.remove();
  }

  private async removeUnlessActive(id: string): Promise<void> {
    try {
      const j = await this.queue?.getJob(id);
      if (j === undefined) return;
      const state = await j.getState();
      if (state !== 'active' && state !== 'completed') await j.remove();
    } catch {
      // an active job holds its lock: it finishes and expires with its age limit
    }
  }

  /** Closes the connections (after the last removals). */
  async close(): Promise<void> {
    await Promise.all(this.removals);
    const connecting = this.connecting;
    this.connecting = null;
    if (connecting === null) return;
    try {
      await connecting;
    } catch {
      return;
    }
    await this.events?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
    for (const c of this.clients) c.disconnect();
    this.clients = [];
  }
}

/**
 * @param job - a job descriptor.
 * @returns its objective as it travels: a module by file name and content hash.
 */
function wireObjective(job: MomentsJob | GradientsJob): WireObjective | null {
  if (job.kind !== 'gradients') return null;
  const d = job.gradient.objective;
  if (!('module' in d))
    return d.kind === 'linear' ? { kind: 'linear', c: [...d.c] } : { kind: 'quadratic', target: [...d.target] };
  const sha256 = moduleHash(d.module);
  if (sha256 === null)
    throw new QueueError(`relaxed-mc: the objective module ${d.module} cannot be read.`, {
      argument: 'objective.module',
      rule: Rule.readable,
    });
  const path = d.module.startsWith('file:') ? new URL(d.module).pathname : d.module;
  return { module: { name: basename(path), sha256 } };
}
