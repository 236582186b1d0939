/**
 * The reference workloads (the same as the NumPy and PyTorch peer scripts): W1, W1g and W2
 * estimate moments, W3 draws samples into memory, W4 evaluates log-densities.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';

/** What a workload does. */
export type WorkloadKind = 'moments' | 'sample' | 'logprob';

/** One reference workload. */
export interface Workload {
  readonly id: string;
  readonly kind: WorkloadKind;
  readonly K: number;
  readonly tau: number;
  /** Draws (rows) of the full-size workload. */
  readonly N: number;
}

/** W1-W4 as the peer baselines define them, plus W1g (a temperature with no special identity). */
export const WORKLOADS: readonly Workload[] = [
  { id: 'W1', kind: 'moments', K: 16, tau: 0.5, N: 2 ** 24 },
  { id: 'W1g', kind: 'moments', K: 16, tau: 0.37, N: 2 ** 24 },
  { id: 'W2', kind: 'moments', K: 1024, tau: 1.0, N: 2 ** 16 },
  { id: 'W3', kind: 'sample', K: 16, tau: 0.5, N: 2 ** 22 },
  { id: 'W4', kind: 'logprob', K: 16, tau: 0.5, N: 2 ** 22 },
];

const DATA = new URL('../../bench/data/', import.meta.url);

/**
 * @param K - 16 or 1024.
 * @returns the reference logits of that size.
 */
export function referenceLogits(K: number): number[] {
  return readFileSync(new URL(`logits_K${K}.txt`, DATA), 'utf8')
    .split(/\s+/)
    .filter((s) => s.length > 0)
    .map(Number);
}
