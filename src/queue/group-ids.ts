/**
 * The BullMQ job id of a queued group of chunks, `<key>.<first>-<end>` (the job's parameter hash
 * and part, then the chunk range), and the search for the groups of a part that are still in
 * Redis: a coordinator killed after a checkpoint held some results, but before it removed them,
 * leaves them there, and no later run asks for them again (their chunks are in the checkpoint).
 *
 * @packageDocumentation
 */
import type { Redis } from 'ioredis';

/** Members asked for per ZSCAN step: a hint to Redis, which may return more or fewer. */
const SCAN_COUNT = 1000;

/**
 * @param key - the part's key (parameter hash and part name).
 * @param first - the group's first chunk.
 * @param end - one past its last chunk.
 * @returns the group's job id.
 */
export function groupId(key: string, first: number, end: number): string {
  return `${key}.${first}-${end}`;
}

/**
 * Ids of the groups of the part `key` whose chunks all lie in `[first, end)`, among the members
 * of sorted sets of job ids (BullMQ's completed and failed sets of a queue). The sets are walked
 * with ZSCAN, a step at a time, so a large queue does not block Redis.
 *
 * @param client - a connection to the queue's Redis.
 * @param sets - the sorted sets' keys.
 * @param key - the part's key.
 * @param first - the first chunk of the range.
 * @param end - one past its last chunk.
 * @returns the ids found, each once.
 */
export async function groupsWithin(
  client: Redis,
  sets: readonly string[],
  key: string,
  first: number,
  end: number,
): Promise<string[]> {
  // The key is hex digits, a dot and a part name; escaped anyway, as ZSCAN's MATCH is a glob.
  const pattern = `${key.replace(/[*?[\]\\]/g, '\\$&')}.*`;
  const found = new Set<string>();
  for (const set of sets) {
    let cursor = '0';
    do {
      const [next, flat] = await client.zscan(set, cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      // ZSCAN answers member, score, member, score, ...
      for (let i = 0; i < flat.length; i += 2) {
        const range = /^(\d+)-(\d+)$/.exec(flat[i].slice(key.length + 1));
        if (range !== null && Number(range[1]) >= first && Number(range[2]) <= end) found.add(flat[i]);
      }
      cursor = next;
    } while (cursor !== '0');
  }
  return [...found];
}
