/**
 * The most worker threads an engine may start. Threads beyond the cores only queue for them
 * (a job gets slower, not faster: 64 threads on 2 cores made a 0.5 s job take 14 s), and each
 * thread holds its own V8 isolate and WebAssembly memory, so a thousand of them exhaust the
 * machine before the first draw. The limit is the smaller of a multiple of the cores and what
 * the memory budget can hold.
 *
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { RangeError, Rule } from '../errors.js';
import { memoryBudget } from './budget.js';
import { formatBytes } from './options.js';

/** Threads allowed per core (some oversubscription is harmless and lets tests use 4 threads on 1 core). */
export const THREADS_PER_CORE = 4;
/**
 * Memory a worker thread may hold, an upper bound: measured at about 11 MiB of resident memory
 * per idle thread after a moments job (isolate, modules, WebAssembly memory), plus the chunk
 * buffers of the largest jobs.
 */
export const THREAD_MEMORY_BYTES = 32 * 2 ** 20;

/**
 * @returns the largest thread count an engine accepts, and why.
 *
 * @example
 * ```ts
 * maxThreads(); // { threads: 8, cores: 2, reason: '4 x 2 cores' } on a 2-core machine
 * ```
 */
export function maxThreads(): { threads: number; cores: number; reason: string } {
  const cores = availableParallelism();
  const byCores = THREADS_PER_CORE * cores;
  const budget = memoryBudget(undefined);
  const byMemory = Math.max(1, Math.floor(budget.bytes / THREAD_MEMORY_BYTES));
  if (byMemory < byCores) {
    return {
      threads: byMemory,
      cores,
      reason: `${formatBytes(THREAD_MEMORY_BYTES)} per thread within a memory budget of ${formatBytes(budget.bytes)}`,
    };
  }
  return { threads: byCores, cores, reason: `${THREADS_PER_CORE} x ${cores} cores` };
}

/**
 * @param threads - a positive integer.
 * @param name - the option or flag, for the message.
 * @returns the count, when within {@link maxThreads}.
 * @throws RangeError (rule `size-limit`) giving the limit and the cores.
 */
export function checkThreads(threads: number, name: string): number {
  const max = maxThreads();
  if (threads > max.threads) {
    throw new RangeError(
      `${name} must be at most ${max.threads} on this machine (${max.reason}; it has ${max.cores} ` +
        `core${max.cores === 1 ? '' : 's'}), but got ${threads}. More threads than cores only queue for them.`,
      { argument: name, rule: Rule.sizeLimit },
    );
  }
  return threads;
}
