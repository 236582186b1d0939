/**
 * What crosses the queue, as pure functions: jobs and results keep every bit of their doubles,
 * and a result that does not answer its job exactly is refused before anything is merged; Redis
 * URLs are shown without their password.
 */
import { describe, expect, it } from 'vitest';
import { encodeChunkResult, parseChunkJob, parseChunkResult, type ChunkJobData } from '../../src/queue/wire.js';
import { QueueError } from '../../src/errors.js';
import { parseRedisUrl, queueName, scrub, STREAM_TAG } from '../../src/queue/redis-connection.js';

const b64 = (a: Float64Array) => Buffer.from(a.buffer).toString('base64');

describe('chunk jobs and results', () => {
  it('keep every bit of their doubles (-Infinity logits, signed zeros, NaN payloads in sums)', () => {
    const params = new Float64Array([-Infinity, 0.25, -0, 0.37, 0.1, 0.2, 0.3]);
    const job: ChunkJobData = {
      v: 1,
      kind: 'moments',
      B: 1,
      K: 3,
      seed: 2 ** 53 - 1,
      units: 10,
      chunkUnits: 4,
      covariance: false,
      params: b64(params),
      gradient: null,
      first: 1,
      end: 3,
    };
    const parsed = parseChunkJob(JSON.parse(JSON.stringify(job)));
    expect(Buffer.from(parsed.logits.slice().buffer)).toEqual(Buffer.from(params.slice(0, 3).buffer));
    expect(Object.is(parsed.logits[2], -0)).toBe(true);
    const nan = new Float64Array(new BigUint64Array([0x7ff8dead0000beefn]).buffer);
    const sums = [Float64Array.from({ length: 12 }, (_, i) => i / 3), Float64Array.from({ length: 12 }, () => nan[0])];
    sums[1][0] = -0;
    const back = parseChunkResult(JSON.parse(JSON.stringify(encodeChunkResult(1, 3, sums))), {
      first: 1,
      end: 3,
      perChunk: 12,
    });
    expect(back.map((s) => Buffer.from(s.slice().buffer).toString('hex'))).toEqual(
      sums.map((s) => Buffer.from(s.buffer).toString('hex')),
    );
  });

  it('a result that does not answer its job exactly is refused, naming the field', () => {
    const ok = encodeChunkResult(0, 2, [new Float64Array(4), new Float64Array(4)]);
    const job = { first: 0, end: 2, perChunk: 4 };
    expect(() => parseChunkResult({ ...ok, first: 1 }, job)).toThrow(/result must cover chunks 0 to 1/);
    expect(() => parseChunkResult({ ...ok, sums: ok.sums.slice(4) }, job)).toThrow(
      /result.sums must be base64 of 8 doubles/,
    );
    expect(() => parseChunkResult({ ...ok, sums: `${ok.sums.slice(1)}!` }, job)).toThrow(QueueError);
    expect(() => parseChunkResult({ ...ok, extra: 1 }, job)).toThrow(/result\.extra: Invalid key/);
    expect(() => parseChunkResult(null, job)).toThrow(/result: Invalid type/);
    expect(() => parseChunkResult({ ...ok, v: 2 }, job)).toThrow(/result\.v: Invalid type/);
  });
});

describe('Redis URLs and queue names', () => {
  it('a password never shows', () => {
    const u = parseRedisUrl('rediss://:s3cr%2Ft@example.org:6380/2', 'redis');
    expect(u.shown).toBe('rediss://:***@example.org:6380/2');
    expect(scrub(`failed: ${u.href} said s3cr/t`, u)).toBe('failed: rediss://:***@example.org:6380/2 said ***');
    expect(() => parseRedisUrl('http://:s3cret@h:1', 'redis')).toThrow(
      /redis must be a redis:\/\/ or rediss:\/\/ URL, but got http:\/\/:\*\*\*@h:1/,
    );
    expect(() => parseRedisUrl('not a url s3cret', 'redis')).not.toThrow(/s3cret/);
  });

  it('the queue name carries the stream tag', () => {
    expect(queueName('relaxed-mc')).toBe(`relaxed-mc.${STREAM_TAG}`);
    expect(STREAM_TAG).toMatch(/^stream-[0-9a-f]{12}$/);
    expect(() => queueName('a:b')).toThrow(TypeError);
  });
});
