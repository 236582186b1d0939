/**
 * The order in which a job's chunks are handed out. Results never depend on it (chunks merge
 * exactly); tests use the other orders to prove that. Sequences are computed, not stored, so
 * a job of 10^12 draws costs no memory for its chunk list.
 *
 * @packageDocumentation
 */
import { RangeError, Rule } from '../errors.js';

/** Dispatch order of the chunks. */
export type ChunkOrder = 'ascending' | 'descending' | 'random';

/** A read-only sequence of chunk indices. */
export interface ChunkSequence {
  readonly length: number;
  /** @param i - position, 0 <= i < length. @returns the chunk index at that position. */
  at(i: number): number;
}

/** Jobs with more chunks than this cannot be dispatched in random order (the permutation is stored). */
const MAX_RANDOM_CHUNKS = 1 << 24;

/**
 * @param n - number of chunks (0 .. n-1).
 * @param order - the dispatch order.
 * @returns the sequence.
 */
export function chunkSequence(n: number, order: ChunkOrder): ChunkSequence {
  if (order === 'ascending') return { length: n, at: (i) => i };
  if (order === 'descending') return { length: n, at: (i) => n - 1 - i };
  if (n > MAX_RANDOM_CHUNKS)
    throw new RangeError(`order 'random' supports at most ${MAX_RANDOM_CHUNKS} chunks, but the job has ${n}.`, {
      argument: 'order',
      rule: Rule.sizeLimit,
    });
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return { length: n, at: (i) => p[i] };
}

/**
 * @param ranges - sorted disjoint ranges `[a, b)` of chunk indices (e.g. the chunks a resumed
 *   job still needs), in ascending order.
 * @returns their indices as a sequence, in O(ranges) memory: position i is found by a binary
 *   search over the ranges' cumulative lengths.
 */
export function rangeSequence(ranges: readonly (readonly [number, number])[]): ChunkSequence {
  const ends = new Float64Array(ranges.length);
  let n = 0;
  ranges.forEach(([a, b], j) => {
    n += b - a;
    ends[j] = n;
  });
  return {
    length: n,
    at(i) {
      let lo = 0;
      let hi = ranges.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ends[mid] <= i) lo = mid + 1;
        else hi = mid;
      }
      const before = lo === 0 ? 0 : ends[lo - 1];
      return ranges[lo][0] + (i - before);
    },
  };
}

/**
 * @param chunks - a list of chunk indices.
 * @returns the list as a sequence.
 */
export function listSequence(chunks: readonly number[]): ChunkSequence {
  return { length: chunks.length, at: (i) => chunks[i] };
}
