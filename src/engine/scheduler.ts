/**
 * Runs the chunks of one job through the pool: a bounded number in flight, results handed to
 * the caller as they arrive (in any order), progress at least every second, retries of chunks
 * whose worker failed (chunks are deterministic, so a retry gives the same bits), and a clean
 * stop on abort or on a chunk that failed every time. Either every chunk completed or the
 * returned promise rejects: there is no partial success.
 *
 * @packageDocumentation
 */
import { setMaxListeners } from 'node:events';
import { AbortError, ChunkError, fromErrorData, isErrorData } from '../errors.js';
import type { WorkerPool } from './pool.js';
import type { ChunkSequence } from './chunk-order.js';
import { type ChunkResult, type JobDescriptor, kStopFlag } from '../chunks/layout.js';

/** Progress of a running job. */
export interface Progress {
  /** Units done: draws per batch element (moments, sample), estimates (gradients) or result rows (logProb). */
  done: number;
  /** Units in the whole job. */
  total: number;
  /** Throughput of this run so far, in units per second. */
  samplesPerSecond: number;
  /** Through a queue: true when no worker has taken or finished a chunk for 30 s. */
  waitingForWorkers?: boolean;
}

/** What {@link runChunks} needs. */
export interface RunChunksOptions {
  readonly pool: WorkerPool;
  readonly job: JobDescriptor;
  /** The chunk indices to run, in dispatch order. */
  readonly chunks: ChunkSequence;
  /** Called once per completed chunk, in completion order. */
  readonly onResult: (chunk: number, result: ChunkResult) => void;
  readonly onProgress?: (p: Progress) => void;
  readonly signal?: AbortSignal;
  /** Extra attempts for a chunk whose worker failed (default 0). */
  readonly retries?: number;
  /** Progress units of a chunk (default: its draws or rows). */
  readonly unitsOf?: (chunk: number) => number;
  /** Units done before this run (a resumed job, earlier parts), counted in `done`. */
  readonly doneBefore?: number;
  /** Units of the whole job (default: the job's units). */
  readonly total?: number;
  /** Runs on this thread just before a chunk is handed to a worker (e.g. to prepare its output). */
  readonly beforeDispatch?: (chunk: number) => void;
  /**
   * Called when a chunk ignored the stop flag and its thread is being terminated: the thread may
   * still write to the job's buffers for a moment after this call returns (and after the job
   * settles), so they must not be reused.
   */
  readonly onHardStop?: () => void;
}

/** Tasks kept in flight per thread, so a thread never waits for the coordinator's next message. */
const IN_FLIGHT_PER_THREAD = 2;
/**
 * Most chunks in one task. Each task costs a round trip through this thread, and on a busy
 * 2-core machine a thread that finished a task waited about 1 ms for its next one (this thread
 * needs a core to hand it over): with chunks of a few milliseconds of work that was 15-20 % of
 * a moments job. Chunks keep their streams and results; only the messages are fewer.
 */
const MAX_CHUNKS_PER_TASK = 4;
/** Tasks per thread a job keeps at least when it groups chunks, so the threads finish together. */
const MIN_TASKS_PER_THREAD = 8;
/** How long chunks may take to notice the stop flag before their threads are terminated. */
const HARD_STOP_MS = 100;
/** Longest gap between two progress reports. */
const PROGRESS_INTERVAL_MS = 1000;
/**
 * Most time spent handling results before the event loop gets a turn. Workers that finish chunks
 * faster than this thread merges them (a wide batch: 6 ms per merge) would otherwise keep it in
 * one run of message callbacks, and a stop signal or a timer would wait for the whole run.
 */
const HANDLING_STEP_MS = 20;

/**
 * @param o - the job, its chunks and callbacks.
 * @returns when every chunk has completed and been handed to `onResult`.
 * @throws AbortError when `signal` fires; ChunkError naming the first chunk that failed every attempt.
 */
export async function runChunks(o: RunChunksOptions): Promise<void> {
  const { pool, job, chunks } = o;
  const control = new Int32Array(job.control);
  const t0 = performance.now();
  const unitsOf = o.unitsOf ?? ((c: number) => Math.min(job.units, (c + 1) * job.chunkUnits) - c * job.chunkUnits);
  const before = o.doneBefore ?? 0;
  const total = o.total ?? job.units;
  const retries = o.retries ?? 0;
  const perTask = Math.max(
    1,
    Math.min(MAX_CHUNKS_PER_TASK, Math.floor(chunks.length / (pool.threads * MIN_TASKS_PER_THREAD))),
  );
  const attempts = new Map<number, number>();
  const retryQueue: number[] = [];
  let done = before;
  let next = 0;
  let inFlight = 0;
  let failure: { chunk: number; error: unknown; inWorker: boolean } | null = null;
  let aborted = false;
  let lastReport = 0;

  const report = (force: boolean) => {
    if (o.onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - lastReport < 100) return;
    lastReport = now;
    const secs = (now - t0) / 1000;
    o.onProgress({ done, total, samplesPerSecond: secs > 0 ? (done - before) / secs : 0 });
  };
  const stop = () => Atomics.store(control, kStopFlag, 1);
  // Chunks poll the stop flag between blocks and return within milliseconds; a chunk that does
  // not (a user objective that loops) has its thread terminated after a short grace.
  const terminate = new AbortController();
  // One listener per task in flight (2 per thread), beyond EventTarget's default warning at 10.
  setMaxListeners(IN_FLIGHT_PER_THREAD * pool.threads + 8, terminate.signal);
  let hardStop: NodeJS.Timeout | undefined;
  const onAbort = () => {
    aborted = true;
    stop();
    hardStop = setTimeout(() => {
      o.onHardStop?.();
      terminate.abort();
    }, HARD_STOP_MS);
  };
  if (o.signal?.aborted) throw abortError(job, done, total);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  // A progress callback that throws fails the job (from a timer it would crash the process).
  const timer = o.onProgress
    ? setInterval(() => {
        try {
          report(true);
        } catch (err) {
          if (failure === null) {
            failure = { chunk: -1, error: err, inWorker: false };
            stop();
          }
        }
      }, PROGRESS_INTERVAL_MS)
    : undefined;
  // Result callbacks run here in arrival order; past HANDLING_STEP_MS of handling, the rest wait
  // for the next turn of the event loop (exact merging makes the order of results irrelevant to
  // the answer; the order is kept anyway).
  let spent = 0;
  let waiting: (() => void)[] = [];
  let turnScheduled = false;
  const nextTurn = () => {
    turnScheduled = false;
    spent = 0;
    const q = waiting;
    waiting = [];
    for (const f of q) handle(f);
  };
  const handle = (f: () => void) => {
    if (spent >= HANDLING_STEP_MS || waiting.length > 0) {
      waiting.push(f);
      if (!turnScheduled) {
        turnScheduled = true;
        setImmediate(nextTurn);
      }
      return;
    }
    const t = performance.now();
    f();
    spent += performance.now() - t;
  };

  try {
    await new Promise<void>((resolve) => {
      const pending = () => retryQueue.length > 0 || next < chunks.length;
      const pump = () => {
        while (!aborted && failure === null && pending() && inFlight < pool.threads * IN_FLIGHT_PER_THREAD) {
          // A retried chunk goes alone, so that a failure is pinned on its chunk; fresh chunks go
          // in runs of consecutive indices (a group answers with one result per chunk).
          const retry = retryQueue.length > 0;
          const first = retry ? (retryQueue.shift() as number) : chunks.at(next++);
          let count = 1;
          while (!retry && count < perTask && next < chunks.length && chunks.at(next) === first + count) {
            next++;
            count++;
          }
          for (let c = first; c < first + count; c++) o.beforeDispatch?.(c);
          inFlight++;
          const task =
            count === 1
              ? { kind: 'chunk' as const, job, chunk: first }
              : { kind: 'chunk' as const, job, chunk: first, count };
          pool.run<ChunkResult | ChunkResult[]>(task, terminate.signal).then(
            (r) =>
              handle(() => {
                inFlight--;
                // A worker module that predates groups answers one result, for the group's first chunk.
                const results = Array.isArray(r) ? r : [r];
                let stopped = false;
                for (let i = 0; i < count && failure === null && !aborted; i++) {
                  const ri = results[i] as ChunkResult | undefined;
                  // A stopped chunk is discarded (the worker leaves the rest of its group out).
                  stopped ||= ri?.stopped === true;
                  if (stopped) continue;
                  // A chunk the answer lacks was not run: it runs again alone.
                  if (ri === undefined) {
                    retryQueue.push(first + i);
                    continue;
                  }
                  try {
                    o.onResult(first + i, ri);
                    done += unitsOf(first + i);
                    report(false);
                  } catch (err) {
                    // The job's own callbacks (merging, progress) failing fail the job, cleanly.
                    failure = { chunk: first + i, error: err, inWorker: false };
                    stop();
                  }
                }
                settle();
              }),
            (err: unknown) =>
              handle(() => {
                inFlight--;
                // Once aborted, a task that fails (its thread torn down, say) is part of the abort.
                if (aborted) {
                  settle();
                  return;
                }
                if (count > 1) {
                  // Which chunk of the group failed is not known: each runs again alone, and only
                  // those attempts count.
                  if (failure === null) for (let c = first; c < first + count; c++) retryQueue.push(c);
                  settle();
                  return;
                }
                const tries = (attempts.get(first) ?? 0) + 1;
                attempts.set(first, tries);
                if (tries <= retries && failure === null) retryQueue.push(first);
                else if (failure === null) {
                  failure = { chunk: first, error: err, inWorker: true };
                  stop();
                }
                settle();
              }),
          );
        }
      };
      const settle = () => {
        if (inFlight === 0 && (aborted || failure !== null || !pending())) resolve();
        else pump();
      };
      pump();
      if (chunks.length === 0) resolve();
    });
  } finally {
    clearTimeout(hardStop);
    if (timer !== undefined) clearInterval(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== null) {
    const { chunk, error, inWorker } = failure as { chunk: number; error: unknown; inWorker: boolean };
    if (!inWorker) throw error;
    const [a, b] = [chunk * job.chunkUnits, Math.min(job.units, (chunk + 1) * job.chunkUnits)];
    // The real worker sends errors as data (see workers/worker.ts); a custom worker may throw anything.
    const cause = isErrorData(error) ? fromErrorData(error) : error;
    const why = cause instanceof Error ? cause.message : String(cause);
    const times = attempts.get(chunk) ?? 1;
    throw new ChunkError(
      `relaxed-mc: ${job.kind} job failed: chunk ${chunk} (${job.kind === 'logProb' ? 'rows' : job.kind === 'gradients' ? 'groups' : 'draws'} ` +
        `${a} to ${b - 1}) failed in a worker ${times === 1 ? 'once' : `${times} times`}` +
        `${retries > 0 ? ` (${retries} ${retries === 1 ? 'retry' : 'retries'} allowed)` : ''}: ${why}`,
      chunk,
      cause,
    );
  }
  if (aborted) throw abortError(job, done, total);
  report(true);
}

function abortError(job: JobDescriptor, done: number, total: number): AbortError {
  return new AbortError(
    `relaxed-mc: the ${job.kind} job was aborted after ${done} of ${total} units; no result is returned.`,
  );
}
