/**
 * The search for a part's groups left in Redis finds exactly the groups of that part that lie
 * in the range asked for: not those of another part or of another shard's range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { groupId, groupsWithin } from '../../src/queue/group-ids.js';
import { HAS_REDIS, type RedisServer, startRedis } from '../helpers/redis.js';

describe.skipIf(!HAS_REDIS)('groupsWithin', () => {
  let redis: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('finds the groups of the part inside the range, in every set, each once', async () => {
    const key = 'abc123.moments';
    const members = [
      groupId(key, 0, 16),
      groupId(key, 16, 32),
      groupId(key, 30, 40), // crosses the end of the range
      groupId(key, 64, 80), // another shard's range
      groupId('abc123.gradients', 0, 16), // another part
      groupId('abc1234.moments', 0, 16), // another job whose key starts alike
      `${key}.0-16x`, // not a group id
    ];
    // More members than one ZSCAN step of a small set returns, so that the cursor is followed.
    const filler = Array.from({ length: 500 }, (_, i) => groupId('other.moments', i, i + 1));
    await client.zadd('completed', ...[...members, ...filler].flatMap((m, i) => [i, m]));
    await client.zadd('failed', 0, groupId(key, 0, 16), 1, groupId(key, 32, 33));
    const found = await groupsWithin(client, ['completed', 'failed'], key, 0, 33);
    expect(found.sort()).toEqual([groupId(key, 0, 16), groupId(key, 16, 32), groupId(key, 32, 33)].sort());
  });

  it('takes the key literally, not as a pattern', async () => {
    // As a glob, `a?.moments.*` would also match the first member.
    await client.zadd('literal', 0, groupId('ab.moments', 0, 1), 1, groupId('a?.moments', 0, 1));
    expect(await groupsWithin(client, ['literal'], 'a?.moments', 0, 1)).toEqual([groupId('a?.moments', 0, 1)]);
  });
});
