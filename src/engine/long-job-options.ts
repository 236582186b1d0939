/**
 * Options of the jobs that can be checkpointed, resumed and sharded.
 *
 * @packageDocumentation
 */
import { isAbsolute, resolve } from 'node:path';
import { nonNegativeInteger, positiveInteger } from './options.js';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from './resumable.js';
import { type Shard, checkShard } from './shards.js';
import { Rule, TypeError } from '../errors.js';

/** The parsed long-job options. */
export interface LongJob {
  checkpoint: { path: string; intervalMs: number } | null;
  shard: Shard | null;
  retries: number;
}

/**
 * @param o - the options object.
 * @param defaultRetries - the engine's retries.
 * @returns checkpoint, shard and retries, checked.
 */
export function longJobOptions(o: Record<string, unknown>, defaultRetries: number): LongJob {
  let checkpoint: LongJob['checkpoint'] = null;
  if (o.checkpoint !== undefined) {
    if (typeof o.checkpoint !== 'string' || o.checkpoint.length === 0)
      throw new TypeError('checkpoint must be a file path.', { argument: 'checkpoint', rule: Rule.path });
    const intervalMs =
      o.checkpointInterval === undefined
        ? DEFAULT_CHECKPOINT_INTERVAL_MS
        : positiveInteger(o.checkpointInterval, 'checkpointInterval');
    checkpoint = { path: isAbsolute(o.checkpoint) ? o.checkpoint : resolve(o.checkpoint), intervalMs };
  } else if (o.checkpointInterval !== undefined) {
    throw new TypeError('checkpointInterval needs checkpoint.', { argument: 'checkpointInterval', rule: Rule.needs });
  }
  return {
    checkpoint,
    shard: o.shard === undefined ? null : checkShard(o.shard),
    retries: o.retries === undefined ? defaultRetries : nonNegativeInteger(o.retries, 'retries'),
  };
}
