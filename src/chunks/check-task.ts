/**
 * The worker's check of what it receives: a task must fit its kind's schema (`jobs/`), and its
 * shared buffers must hold what the descriptor says, before any kernel touches them. A job's
 * chunks arrive back to back with the same descriptor, so each job is checked once per thread
 * (on its first chunk here), not once per chunk.
 *
 * @packageDocumentation
 */
import { Rule, TypeError } from '../errors.js';
import { type JobDescriptor, type Task, TaskSchema, firstIssue } from '../jobs/index.js';
import { extraOffset, kControlLength } from './layout.js';

/** The job most recently checked in this thread. */
let checkedJob: JobDescriptor | null = null;

/**
 * @param task - what the worker received.
 * @returns the task, typed.
 * @throws TypeError naming the field at fault (`argument: 'task.job.K'`, say, `rule: Rule.taskSchema`).
 */
export function checkTask(task: unknown): Task {
  const t = task as Task;
  // A structured clone gives each task a new descriptor object; the id (unique per engine, and
  // each engine has its own threads) tells the same job.
  if (
    t?.kind === 'chunk' &&
    checkedJob !== null &&
    t.job?.id === checkedJob.id &&
    t.job.kind === checkedJob.kind &&
    Number.isSafeInteger(t.chunk) &&
    t.chunk >= 0 &&
    (t.count === undefined || (Number.isSafeInteger(t.count) && t.count >= 1))
  )
    return t;
  const issue = firstIssue(TaskSchema, task) ?? bufferIssue(t);
  if (issue !== null) {
    throw new TypeError(`relaxed-mc: a worker task is malformed: task.${issue.path}: ${issue.message}.`, {
      argument: `task.${issue.path}`,
      rule: Rule.taskSchema,
    });
  }
  if (t.kind === 'chunk') checkedJob = t.job;
  return t;
}

/** The buffer sizes the descriptor implies, for a task that fits the schema. */
function bufferIssue(t: Task): { path: string; message: string } | null {
  if (t.kind !== 'chunk') return null;
  const j = t.job;
  const extra = j.kind === 'logProb' ? j.B : j.kind === 'sample' ? (j.logProbOutput === null ? 0 : j.B) : j.B * j.K;
  const need: [string, SharedArrayBuffer, number][] = [
    ['job.control', j.control, kControlLength * 4],
    ['job.params', j.params, (extraOffset(j.B, j.K) + extra) * 8],
  ];
  if (j.kind === 'sample') {
    if (j.window !== null && j.window[1] > j.units)
      return { path: 'job.window', message: `Invalid window: expected end <= units (${j.units})` };
    const rows = (j.window === null ? j.units : j.window[1] - j.window[0]) * j.B;
    need.push(['job.output', j.output, rows * j.K * 8]);
    if (j.logProbOutput !== null) need.push(['job.logProbOutput', j.logProbOutput, rows * 8]);
  }
  if (j.kind === 'logProb')
    need.push(['job.values', j.values, j.units * j.K * 8], ['job.output', j.output, j.units * 8]);
  for (const [path, buf, bytes] of need) {
    if (buf.byteLength < bytes)
      return { path, message: `Invalid size: expected at least ${bytes} bytes but received ${buf.byteLength}` };
  }
  return null;
}
