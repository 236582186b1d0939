/**
 * Connecting to Redis for the job queue: URLs checked and shown without their password, one
 * ioredis client per BullMQ object (BullMQ's blocking reads need their own connections), a first
 * connection that fails fast with a clear `QueueError`, and reconnection forever after that (a
 * Redis restart must not end a worker or a long job).
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { QueueError, Rule, TypeError } from '../errors.js';
import { ENGINE_STREAM_VERSION } from '../rng/chunk-stream.js';
import { WIRE_VERSION } from './wire.js';

/** Default base name of the queue; the stream tag is appended to it. */
export const DEFAULT_QUEUE = 'relaxed-mc';
/** How long the first connection may take before the command gives up. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Tag of the random streams and the job format this build runs: a worker of another version
 * serves another queue, so it never takes a job it could not run bit-exactly.
 */
export const STREAM_TAG = `stream-${createHash('sha256')
  .update(`${ENGINE_STREAM_VERSION}|wire-${WIRE_VERSION}`)
  .digest('hex')
  .slice(0, 12)}`;

/** A checked Redis URL. */
export interface RedisUrl {
  /** The URL as given (with its password: never print it). */
  readonly href: string;
  /** The URL with the password replaced by `***`, for logs and messages. */
  readonly shown: string;
  /** The password, if any, so that it can be scrubbed from messages of other libraries. */
  readonly secret: string | null;
}

/**
 * @param value - a `redis://` or `rediss://` URL.
 * @param argument - its name, for the message.
 * @returns the URL and its printable form.
 * @throws TypeError naming the argument when it is not such a URL (the password is not shown).
 */
export function parseRedisUrl(value: unknown, argument: string): RedisUrl {
  if (typeof value !== 'string')
    throw new TypeError(`${argument} must be a redis:// or rediss:// URL, but got ${typeof value}.`, {
      argument,
      rule: Rule.redisUrl,
    });
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new TypeError(
      `${argument} must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379, but got a malformed URL.`,
      { argument, rule: Rule.redisUrl },
    );
  }
  const secret = u.password === '' ? null : decodeURIComponent(u.password);
  const shown = redact(u);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new TypeError(`${argument} must be a redis:// or rediss:// URL, but got ${shown}.`, {
      argument,
      rule: Rule.redisUrl,
    });
  if (u.hostname === '')
    throw new TypeError(`${argument} must name a host, but got ${shown}.`, { argument, rule: Rule.redisUrl });
  return { href: value, shown, secret };
}

function redact(u: URL): string {
  const c = new URL(u.href);
  if (c.password !== '') c.password = '***';
  return c.href;
}

/**
 * @param base - the queue's base name.
 * @param argument - its name, for the message.
 * @returns the name of the queue this build serves: the base and the stream tag.
 * @throws TypeError when the base has characters Redis keys or BullMQ refuse.
 */
export function queueName(base: unknown, argument = 'queue'): string {
  if (typeof base !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(base)) {
    throw new TypeError(
      `${argument} must be 1 to 100 letters, digits, '.', '_' or '-', but got ${JSON.stringify(String(base)).slice(0, 80)}.`,
      { argument, rule: Rule.queueName },
    );
  }
  return `${base}.${STREAM_TAG}`;
}

/**
 * @param message - a message from another library.
 * @param url - the URL whose password must not appear.
 * @returns the message without the password or the raw URL.
 */
export function scrub(message: string, url: RedisUrl): string {
  let m = message.split(url.href).join(url.shown);
  if (url.secret !== null && url.secret.length > 0) m = m.split(url.secret).join('***');
  return m;
}

/**
 * Opens one client and waits for its first connection.
 *
 * @param url - where.
 * @param role - who connects, for messages (`worker`, `coordinator`).
 * @returns a ready client that reconnects by itself after a Redis restart.
 * @throws QueueError when Redis cannot be reached or refuses the credentials (no password in it).
 */
export async function connectRedis(url: RedisUrl, role: string): Promise<Redis> {
  let lastError: Error | null = null;
  // Loaded on first use: ioredis takes tens of milliseconds to evaluate, which every command
  // that never touches Redis would otherwise pay on its main thread at start-up.
  const { Redis } = await import('ioredis');
  const client = new Redis(url.href, {
    // BullMQ's blocking reads need requests to wait for a reconnection rather than fail.
    maxRetriesPerRequest: null,
    lazyConnect: true,
    // A closed client otherwise keeps the process alive for 2 s waiting for the socket to end.
    disconnectTimeout: 200,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  // ioredis reports connection trouble as 'error' events; without a listener Node would crash.
  client.on('error', (err: Error) => {
    lastError = err;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              lastError ??
                new QueueError(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`, {
                  argument: 'redis',
                  rule: Rule.unreachable,
                }),
            ),
          CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
    await client.ping();
  } catch (err) {
    client.disconnect();
    // ioredis rejects with "Connection is closed" after an AUTH failure; the reason came as an event.
    const reasons = [lastError as Error | null, err as Error].map((e) => scrub(e?.message ?? String(e), url));
    const why = reasons.find((r) => /WRONGPASS|NOAUTH|invalid password/i.test(r)) ?? reasons[1];
    const auth = /WRONGPASS|NOAUTH|invalid password/i.test(why);
    throw new QueueError(
      auth
        ? `relaxed-mc ${role}: Redis at ${url.shown} refused the credentials (${why}). Check the password in the URL.`
        : `relaxed-mc ${role}: cannot reach Redis at ${url.shown} (${why}).`,
      { argument: 'redis', rule: auth ? Rule.credentials : Rule.unreachable },
    );
  } finally {
    clearTimeout(timer);
  }
  return client;
}
