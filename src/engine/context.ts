/**
 * What a job needs from its engine: the pool, the memory budget, and job descriptors with their
 * shared buffers. Job modules (moments, sample, logProb, gradients) receive it from `Engine`.
 *
 * @packageDocumentation
 */
import { randomInt } from 'node:crypto';
import { AbortError, RangeError, Rule, TypeError } from '../errors.js';
import { memoryBudget } from './budget.js';
import type { ChunkOrder } from './chunk-order.js';
import { type JobDescriptor, extraOffset, kControlLength, temperatureOffset } from '../chunks/layout.js';
import type { JobKindFields } from '../jobs/index.js';
import { formatBytes, optionalFunction, optionalSignal, positiveInteger } from './options.js';
import type { WorkerPool } from './pool.js';
import type { QueueCoordinator } from '../queue/coordinator.js';
import type { Progress } from './scheduler.js';
import type { SharedBufferCache } from './buffer-cache.js';

/** Elements a chunk aims at: large enough to amortise a task round trip, small enough for prompt progress. */
export const TARGET_CHUNK_ELEMENTS = 2 ** 20;

/** The parameters a job descriptor's shared `params` buffer is filled with. */
export interface DescriptorData {
  logits: Float64Array;
  temperature: Float64Array;
  extra?: Float64Array;
}

/** The engine as its jobs see it. */
export interface EngineContext {
  readonly pool: WorkerPool;
  readonly threads: number;
  readonly retries: number;
  /** With `redis`: the queue that runs moments and gradients chunks instead of the pool. */
  readonly remote: QueueCoordinator | null;
  /** Shared buffers that streaming jobs hand on to the next (already mapped: no first-touch page faults). */
  readonly buffers: SharedBufferCache;
  /** Records a worker thread that ran a chunk. */
  noteThread(id: number): void;
  /** Throws a RangeError when `bytes` exceed the memory budget. */
  checkBudget(kind: string, bytes: number, what: string, advice?: string): void;
  /** Makes a job descriptor, copying the parameters into a new shared buffer. */
  describe(
    own: JobKindFields,
    B: number,
    K: number,
    seed: number,
    units: number,
    chunkUnits: number,
    x: DescriptorData,
  ): JobDescriptor;
}

/**
 * @param maxBytes - the engine's option.
 * @param kind - the job kind.
 * @param bytes - what the job would allocate.
 * @param what - how the bytes come about, for the message.
 * @param advice - what to do instead, for the message.
 */
export function checkBudget(
  maxBytes: number | undefined,
  kind: string,
  bytes: number,
  what: string,
  advice = 'Draw fewer samples per call, or use moments() which keeps no samples.',
): void {
  const budget = memoryBudget(maxBytes);
  if (bytes > budget.bytes) {
    throw new RangeError(
      `relaxed-mc: the ${kind} job needs ${formatBytes(bytes)} (${what}) but the memory budget is ${formatBytes(budget.bytes)} ` +
        `(${budget.source}). ${advice}`,
      { argument: 'maxBytes', rule: Rule.memoryBudget },
    );
  }
}

/**
 * @param id - the job id.
 * @param own - the job's kind and the fields of that kind (see `jobs/task-schema.ts`).
 * @param B - batch elements.
 * @param K - categories.
 * @param seed - the seed.
 * @param units - units of work.
 * @param chunkUnits - units per chunk.
 * @param x - the parameters.
 * @returns the descriptor.
 */
export function makeDescriptor(
  id: number,
  own: JobKindFields,
  B: number,
  K: number,
  seed: number,
  units: number,
  chunkUnits: number,
  x: DescriptorData,
): JobDescriptor {
  const extraLen = x.extra?.length ?? 0;
  const params = new SharedArrayBuffer((B * K + B + extraLen) * 8);
  const pv = new Float64Array(params);
  pv.set(x.logits, 0);
  pv.set(x.temperature, temperatureOffset(B, K));
  if (x.extra) pv.set(x.extra, extraOffset(B, K));
  const base = { id, control: new SharedArrayBuffer(kControlLength * 4), params, K, B, seed, units, chunkUnits };
  return { ...base, ...own } as JobDescriptor;
}

/** The parsed options every job shares. */
export interface CommonOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  chunkSize?: number;
  order: ChunkOrder;
}

/**
 * @param o - the options object.
 * @returns progress callback, signal, chunk size and order, checked.
 * @throws AbortError when the signal has already fired: no work starts.
 */
export function commonOptions(o: Record<string, unknown>): CommonOptions {
  const order = o.order ?? 'ascending';
  if (order !== 'ascending' && order !== 'descending' && order !== 'random') {
    throw new TypeError(`order must be 'ascending', 'descending' or 'random', but got ${String(order)}.`, {
      argument: 'order',
      rule: Rule.oneOf,
    });
  }
  const signal = optionalSignal(o.signal);
  if (signal?.aborted) throw new AbortError('relaxed-mc: the signal was already aborted; no work was started.');
  return {
    onProgress: optionalFunction<(p: Progress) => void>(o.onProgress, 'onProgress'),
    signal,
    chunkSize: o.chunkSize === undefined ? undefined : positiveInteger(o.chunkSize, 'chunkSize'),
    order,
  };
}

/**
 * @param x - a positive number.
 * @returns the largest power of two not above it (at least 1).
 */
export function pow2Floor(x: number): number {
  return x < 1 ? 1 : 2 ** Math.floor(Math.log2(x));
}

/** @returns a random seed, reported in results so a run can be repeated. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 48 - 1);
}
