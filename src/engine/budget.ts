/**
 * The memory budget of a job's output: what may be allocated before a job is refused.
 *
 * @packageDocumentation
 */
import { freemem } from 'node:os';

/** The floor of the default budget: the W3 benchmark's 512 MiB output (plus its log_prob) must always fit. */
export const MIN_DEFAULT_BUDGET_BYTES = 768 * 2 ** 20;

/**
 * @param maxBytes - the engine's `maxBytes` option, if set.
 * @returns the budget in bytes and where it comes from (for the refusal message).
 */
export function memoryBudget(maxBytes: number | undefined): { bytes: number; source: string } {
  if (maxBytes !== undefined) return { bytes: maxBytes, source: 'option maxBytes' };
  const free = freemem();
  return {
    bytes: Math.max(Math.floor(free / 2), MIN_DEFAULT_BUDGET_BYTES),
    source: `default: half the free memory at job start (${(free / 2 ** 30).toFixed(2)} GiB free), at least 768 MiB`,
  };
}
