/**
 * The engine's worker entry (run by piscina in each thread): decode a task, run the chunk on
 * the job's shared buffers, return its mergeable result.
 *
 * Views of a job's buffers are made afresh for every task (it costs microseconds) rather than
 * cached: a cached view would keep a finished job's output alive in this thread, and outputs are
 * hundreds of megabytes. For the same reason an idle thread collects its garbage: an idle
 * isolate seldom runs a collection by itself, and until it does, the buffers of finished jobs
 * it received stay allocated even after their owner dropped them. A worker that received large
 * buffers therefore runs one collection once no task has come for a moment. (Worker threads
 * cannot be started with --expose-gc, so the collector is reached through V8's flag API.)
 *
 * @packageDocumentation
 */
import { threadId } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeJobViews, runChunk } from '../src/chunks/chunk-runners.js';
import { gradientChunk } from '../src/chunks/gradient-chunks.js';
import { loadObjective } from '../src/chunks/objective-loader.js';
import {
  type GradientSetupObjectiveError,
  type GradientSetupResult,
  gradientSetup,
} from '../src/chunks/gradient-setup.js';
import { checkTask } from '../src/chunks/check-task.js';
import type { ChunkResult, GradientsJob, JobDescriptor, Task } from '../src/chunks/layout.js';
import type { Objective } from '../src/kernels/objectives.js';
import { toErrorData } from '../src/errors.js';

/** The objective of the most recent gradients job (its chunks arrive back to back). */
let objective: { jobId: number; value: Promise<Objective> } | null = null;

/** Buffers at least this large make the idle thread collect garbage. */
const LARGE_BUFFER_BYTES = 16 * 2 ** 20;
/** How long a thread waits for the next task before it collects. */
const IDLE_COLLECT_MS = 200;
let idleTimer: NodeJS.Timeout | undefined;

function objectiveFor(job: GradientsJob): Promise<Objective> {
  if (objective === null || objective.jobId !== job.id) {
    objective = { jobId: job.id, value: loadObjective(job.gradient.objective, job.K) };
  }
  return objective.value;
}

/** The collector, reachable from a context created after the flag is set. */
const gc = ((): (() => void) | undefined => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

function collectWhenIdle(job: JobDescriptor): void {
  const bytes =
    (job.kind === 'sample' || job.kind === 'logProb' ? job.output.byteLength : 0) +
    (job.kind === 'logProb' ? job.values.byteLength : 0);
  if (gc === undefined || bytes < LARGE_BUFFER_BYTES) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(gc, IDLE_COLLECT_MS);
  idleTimer.unref();
}

/**
 * A chunk's result (or a group's results) with the sums moved to the coordinator rather than
 * copied: structured cloning copied a typed array at about 3-4 ns per byte (measured: 140 us
 * for the 32 KiB of power sums of K = 1024, 750 us for 256 KiB; a covariance chunk's 8 MiB
 * would take tens of milliseconds). Only an array that owns its whole, unshared buffer is moved.
 */
function moved<T>(value: T, results: readonly ChunkResult[]): T {
  const buffers: ArrayBuffer[] = [];
  for (const { sums: s } of results) {
    if (
      s !== null &&
      !(s.buffer instanceof SharedArrayBuffer) &&
      s.byteOffset === 0 &&
      s.byteLength === s.buffer.byteLength
    )
      buffers.push(s.buffer);
  }
  if (buffers.length === 0) return value;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: value } as never) as unknown as T;
}

/**
 * @param task - a chunk (or a group of `count` chunks) to run, or a start-up check.
 * @returns the chunk's result (a group: one per chunk, in order), a gradients job's setup, or
 *   the thread id for a check.
 * @throws ErrorData (`{ code, argument, rule, message }`) when the chunk or the setup fails.
 */
export default async function run(
  task: Task,
): Promise<ChunkResult | ChunkResult[] | GradientSetupResult | GradientSetupObjectiveError | { threadId: number }> {
  if (task.kind === 'ping') return { threadId };
  clearTimeout(idleTimer);
  try {
    const t = checkTask(task);
    if (t.kind === 'ping') return { threadId };
    if (t.kind === 'gradient-setup') return await gradientSetup(t);
    const v = makeJobViews(t.job);
    const job = t.job;
    const objective = job.kind === 'gradients' ? await objectiveFor(job) : null;
    const one = (c: number): ChunkResult =>
      job.kind === 'gradients' ? gradientChunk(v, job, c, threadId, objective as Objective) : runChunk(v, c, threadId);
    if (t.count === undefined) {
      const r = one(t.chunk);
      return moved(r, [r]);
    }
    // A group: one result per chunk, in order; after a stopped chunk the rest would only stop too.
    const results: ChunkResult[] = [];
    for (let i = 0; i < t.count; i++) {
      results.push(one(t.chunk + i));
      if (results[i].stopped) break;
    }
    return moved(results, results);
  } catch (err) {
    // Structured cloning keeps only an error's name and message; as data, its code, argument
    // and rule reach the coordinator too.
    throw toErrorData(err);
  } finally {
    if (task.kind === 'chunk') collectWhenIdle(task.job);
  }
}
