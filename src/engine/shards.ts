/**
 * The fixed partition of a job's chunks into shards: shard i of n runs the contiguous chunks
 * `[floor(i C / n), floor((i + 1) C / n))` of the C chunks, a function of (i, n, C) only, so
 * any machine computes the same partition and the merged shards cover every chunk exactly once.
 *
 * @packageDocumentation
 */
import { RangeError, Rule, TypeError } from '../errors.js';

/** Which part of a job a process runs. */
export interface Shard {
  /** 0-based shard index. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
}

/**
 * @param shard - the candidate option.
 * @returns the shard, checked.
 * @throws TypeError / RangeError naming the rule.
 */
export function checkShard(shard: unknown): Shard {
  const s = shard as { index?: unknown; count?: unknown } | null;
  if (s === null || typeof s !== 'object')
    throw new TypeError('shard must be { index, count }.', { argument: 'shard', rule: Rule.object });
  if (typeof s.count !== 'number' || !Number.isSafeInteger(s.count) || s.count < 1) {
    throw new RangeError(`shard.count must be a positive integer, but got ${String(s.count)}.`, {
      argument: 'shard.count',
      rule: Rule.positiveInteger,
    });
  }
  if (typeof s.index !== 'number' || !Number.isSafeInteger(s.index) || s.index < 0 || s.index >= s.count) {
    throw new RangeError(`shard.index must be an integer from 0 to ${s.count - 1}, but got ${String(s.index)}.`, {
      argument: 'shard.index',
      rule: Rule.inRange,
    });
  }
  return { index: s.index, count: s.count };
}

/**
 * @param shard - the shard (null: the whole job).
 * @param chunks - the job's chunk count C.
 * @returns the shard's chunk range `[start, end)`.
 */
export function shardRange(shard: Shard | null, chunks: number): [number, number] {
  if (shard === null) return [0, chunks];
  return [Math.floor((shard.index * chunks) / shard.count), Math.floor(((shard.index + 1) * chunks) / shard.count)];
}
