/**
 * The engine's worker entry (run by piscina in each thread): decode a task, run the chunk on
 * the job's shared buffers, return its mergeable result.
 *
 * @packageDocumentation
 */
import { threadId } from 'node:worker_threads';
import { type JobViews, makeJobViews, runChunk } from '../src/engine/chunk-runners.js';
import type { ChunkResult, Task } from '../src/engine/layout.js';

/** Views of the few most recent jobs (a job's chunks arrive back to back). */
const views = new Map<number, JobViews>();
const MAX_CACHED_JOBS = 4;

function viewsFor(task: Extract<Task, { kind: 'chunk' }>): JobViews {
  let v = views.get(task.job.id);
  if (v === undefined) {
    v = makeJobViews(task.job);
    views.set(task.job.id, v);
    if (views.size > MAX_CACHED_JOBS) views.delete(views.keys().next().value as number);
  }
  return v;
}

/**
 * @param task - a chunk to run, or a start-up check.
 * @returns the chunk's result (or the thread id for a check).
 */
export default function run(task: Task): ChunkResult | { threadId: number } {
  if (task.kind === 'ping') return { threadId };
  return runChunk(viewsFor(task), task.chunk, threadId);
}
