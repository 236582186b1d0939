/**
 * Runs the chunks of one job through the pool: a bounded number in flight, results handed to
 * the caller as they arrive (in any order), progress at least every second, and a clean stop
 * on abort or on the first failed chunk. Either every chunk completed or the returned promise
 * rejects: there is no partial success.
 *
 * @packageDocumentation
 */
import { AbortError, ChunkError } from '../errors.js';
import type { WorkerPool } from './pool.js';
import type { ChunkSequence } from './chunk-order.js';
import { type ChunkResult, type JobDescriptor, kStopFlag } from './layout.js';

/** Progress of a running job. */
export interface Progress {
  /** Units done: draws per batch element (moments, sample) or result rows (logProb). */
  done: number;
  /** Units in the whole job. */
  total: number;
  /** Throughput so far, in units per second. */
  samplesPerSecond: number;
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
  /** Units already done before this run (a resumed job). */
  readonly doneBefore?: number;
}

/** Tasks kept in flight per thread, so a thread never waits for the coordinator's next message. */
const IN_FLIGHT_PER_THREAD = 2;
/** Longest gap between two progress reports. */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * @param o - the job, its chunks and callbacks.
 * @returns when every chunk has completed and been handed to `onResult`.
 * @throws AbortError when `signal` fires; ChunkError naming the first chunk that failed.
 */
export async function runChunks(o: RunChunksOptions): Promise<void> {
  const { pool, job, chunks } = o;
  const control = new Int32Array(job.control);
  const t0 = performance.now();
  const total = job.units;
  let done = o.doneBefore ?? 0;
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
    o.onProgress({ done, total, samplesPerSecond: secs > 0 ? (done - (o.doneBefore ?? 0)) / secs : 0 });
  };
  const stop = () => Atomics.store(control, kStopFlag, 1);
  const onAbort = () => {
    aborted = true;
    stop();
  };
  if (o.signal?.aborted) throw abortError(job, 0, total);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = o.onProgress ? setInterval(() => report(true), PROGRESS_INTERVAL_MS) : undefined;

  try {
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (!aborted && failure === null && next < chunks.length && inFlight < pool.threads * IN_FLIGHT_PER_THREAD) {
          const chunk = chunks.at(next++);
          inFlight++;
          pool.run({ kind: 'chunk', job, chunk }).then(
            (r) => {
              inFlight--;
              if (!r.stopped && failure === null && !aborted) {
                try {
                  o.onResult(chunk, r);
                  done += unitsOf(job, chunk);
                  report(false);
                } catch (err) {
                  failure = { chunk, error: err, inWorker: false };
                  stop();
                }
              }
              settle();
            },
            (err: unknown) => {
              inFlight--;
              if (failure === null) failure = { chunk, error: err, inWorker: true };
              stop();
              settle();
            },
          );
        }
      };
      const settle = () => {
        if (inFlight === 0 && (aborted || failure !== null || next >= chunks.length)) resolve();
        else pump();
      };
      pump();
      if (chunks.length === 0) resolve();
    });
  } finally {
    if (timer !== undefined) clearInterval(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== null) {
    const { chunk, error, inWorker } = failure as { chunk: number; error: unknown; inWorker: boolean };
    if (!inWorker) throw error;
    const [a, b] = [chunk * job.chunkUnits, Math.min(job.units, (chunk + 1) * job.chunkUnits)];
    const why = error instanceof Error ? error.message : String(error);
    throw new ChunkError(
      `relaxed-mc: ${job.kind} job failed: chunk ${chunk} (${job.kind === 'logProb' ? 'rows' : 'draws'} ${a} to ${b - 1}) ` +
        `failed in a worker: ${why}`,
      chunk,
      error,
    );
  }
  if (aborted) throw abortError(job, done, total);
  report(true);
}

function unitsOf(job: JobDescriptor, chunk: number): number {
  return Math.min(job.units, (chunk + 1) * job.chunkUnits) - chunk * job.chunkUnits;
}

function abortError(job: JobDescriptor, done: number, total: number): AbortError {
  return new AbortError(`relaxed-mc: the ${job.kind} job was aborted after ${done} of ${total} units; no result is returned.`);
}
