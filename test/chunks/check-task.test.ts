/**
 * The worker's check of its tasks: a task must fit its kind's schema and its buffers must hold
 * what the descriptor says; each job is checked on its first chunk in a thread, not per chunk.
 */
import { describe, expect, it } from 'vitest';
import { checkTask } from '../../src/chunks/check-task.js';
import type { JobDescriptor } from '../../src/jobs/index.js';

let nextId = 1000;
function sampleJob(over: Record<string, unknown> = {}): JobDescriptor {
  const B = 2;
  const K = 3;
  const units = 10;
  return {
    kind: 'sample',
    id: nextId++,
    control: new SharedArrayBuffer(4),
    params: new SharedArrayBuffer((B * K + B) * 8),
    K,
    B,
    seed: 1,
    units,
    chunkUnits: 4,
    logSpace: false,
    output: new SharedArrayBuffer(units * B * K * 8),
    window: null,
    logProbOutput: null,
    ...over,
  } as JobDescriptor;
}

function failure(task: unknown): { name: string; code: string; argument: string | null; rule: string | null } {
  try {
    checkTask(task);
  } catch (err) {
    return err as { name: string; code: string; argument: string | null; rule: string | null };
  }
  throw new Error('the task was accepted');
}

describe('checkTask', () => {
  it('accepts a well-formed chunk task and a ping', () => {
    expect(checkTask({ kind: 'chunk', job: sampleJob(), chunk: 0 }).kind).toBe('chunk');
    expect(checkTask({ kind: 'ping' })).toEqual({ kind: 'ping' });
  });

  it('names the field of a task that does not fit its kind (a TypeError with rule task-schema)', () => {
    const e = failure({ kind: 'chunk', job: sampleJob({ K: 0 }), chunk: 0 });
    expect(e.name).toBe('TypeError');
    expect(e.code).toBe('ERR_TYPE');
    expect(e.argument).toBe('task.job.K');
    expect(e.rule).toBe('task-schema');
    expect(failure({ kind: 'chunk', job: sampleJob({ output: null }), chunk: 0 }).argument).toBe('task.job.output');
    expect(failure({ kind: 'chunk', job: sampleJob({ kind: 'stream' }), chunk: 0 }).argument).toBe('task.job.kind');
    expect(failure({ kind: 'chunk', job: sampleJob(), chunk: -1 }).argument).toBe('task.chunk');
  });

  it('refuses a buffer smaller than the descriptor says, before any kernel touches it', () => {
    const e = failure({ kind: 'chunk', job: sampleJob({ output: new SharedArrayBuffer(8) }), chunk: 0 });
    expect(e.argument).toBe('task.job.output');
  });

  it('checks a job once: later chunks of the same job are not checked again', () => {
    const job = sampleJob();
    checkTask({ kind: 'chunk', job, chunk: 0 });
    // A structured clone of the same descriptor (a later chunk) passes without a second check.
    expect(checkTask({ kind: 'chunk', job: { ...job, seed: 1.5 }, chunk: 1 }).kind).toBe('chunk');
    // Another job is checked afresh.
    expect(failure({ kind: 'chunk', job: sampleJob({ seed: 1.5 }), chunk: 0 }).argument).toBe('task.job.seed');
  });

  it('checks the chunk index and the group size of every task, even of a job already checked', () => {
    const job = sampleJob();
    expect(checkTask({ kind: 'chunk', job, chunk: 4, count: 4 }).kind).toBe('chunk');
    for (const count of [0, -1, 1.5, '2', null]) {
      expect(failure({ kind: 'chunk', job: { ...job }, chunk: 0, count }).argument).toBe('task.count');
      expect(failure({ kind: 'chunk', job: sampleJob({ id: 99 }), chunk: 0, count }).argument).toBe('task.count');
    }
    expect(failure({ kind: 'chunk', job: { ...job }, chunk: 2.5 }).argument).toBe('task.chunk');
  });

  it('checks a streamed block: its window within the job, its output and log-density buffers sized by the window', () => {
    const B = 2;
    const K = 3;
    // Units [4, 7) of 10: the output holds 3 units, the log-densities 3 * B rows, the params B constants.
    const block = (over: Record<string, unknown> = {}): JobDescriptor =>
      sampleJob({
        window: [4, 7],
        output: new SharedArrayBuffer(3 * B * K * 8),
        logProbOutput: new SharedArrayBuffer(3 * B * 8),
        params: new SharedArrayBuffer((B * K + B + B) * 8),
        ...over,
      });
    expect(checkTask({ kind: 'chunk', job: block(), chunk: 1 }).kind).toBe('chunk');
    expect(failure({ kind: 'chunk', job: block({ window: [7, 4] }), chunk: 1 }).argument).toBe('task.job.window');
    expect(failure({ kind: 'chunk', job: block({ window: [4, 11] }), chunk: 1 }).argument).toBe('task.job.window');
    expect(failure({ kind: 'chunk', job: block({ window: [4] }), chunk: 1 }).argument).toMatch(/^task\.job\.window/);
    expect(failure({ kind: 'chunk', job: block({ window: undefined }), chunk: 1 }).argument).toBe('task.job.window');
    expect(failure({ kind: 'chunk', job: block({ window: [0, 7] }), chunk: 1 }).argument).toBe('task.job.output');
    const lpSmall = block({ logProbOutput: new SharedArrayBuffer(8) });
    expect(failure({ kind: 'chunk', job: lpSmall, chunk: 1 }).argument).toBe('task.job.logProbOutput');
    const noConstants = block({ params: new SharedArrayBuffer((B * K + B) * 8) });
    expect(failure({ kind: 'chunk', job: noConstants, chunk: 1 }).argument).toBe('task.job.params');
    expect(failure({ kind: 'chunk', job: block({ logProbOutput: 3 }), chunk: 1 }).argument).toBe(
      'task.job.logProbOutput',
    );
  });
});
