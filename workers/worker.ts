/**
 * The engine's worker entry (run by piscina in each thread): decode a task, run the chunk on
 * the job's shared buffers, return its mergeable result.
 *
 * @packageDocumentation
 */
import { threadId } from 'node:worker_threads';
import { type JobViews, makeJobViews, runChunk } from '../src/engine/chunk-runners.js';
import { gradientChunk } from '../src/engine/gradient-chunks.js';
import { loadObjective } from '../src/engine/objective-loader.js';
import type { ChunkResult, Task } from '../src/engine/layout.js';
import type { Objective } from '../src/kernels/objectives.js';

/** Views (and objective) of the few most recent jobs (a job's chunks arrive back to back). */
const views = new Map<number, { v: JobViews; objective: Promise<Objective> | null }>();
const MAX_CACHED_JOBS = 4;

function viewsFor(task: Extract<Task, { kind: 'chunk' }>) {
  let entry = views.get(task.job.id);
  if (entry === undefined) {
    const g = task.job.gradient;
    entry = { v: makeJobViews(task.job), objective: g === null ? null : loadObjective(g.objective, task.job.K) };
    views.set(task.job.id, entry);
    if (views.size > MAX_CACHED_JOBS) views.delete(views.keys().next().value as number);
  }
  return entry;
}

/**
 * @param task - a chunk to run, or a start-up check.
 * @returns the chunk's result (or the thread id for a check).
 */
export default async function run(task: Task): Promise<ChunkResult | { threadId: number }> {
  if (task.kind === 'ping') return { threadId };
  const entry = viewsFor(task);
  if (entry.objective !== null) return gradientChunk(entry.v, task.chunk, threadId, await entry.objective);
  return runChunk(entry.v, task.chunk, threadId);
}
