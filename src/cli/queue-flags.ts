/**
 * The queue flags of `estimate`, `sweep` and `gradients` (`--redis`, `--queue`,
 * `--worker-timeout`, `--chunks-per-job`), turned into Engine options.
 *
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import type { EngineOptions } from '../index.js';
import { UsageError, quote } from './errors.js';
import { parseDecimal } from './numbers.js';
import { countParser } from './options.js';
import { Rule, parseRedisUrl, queueName } from '../index.js';

/** Parsed queue flags. */
export interface QueueFlags {
  redis?: string;
  queue?: string;
  workerTimeout?: number;
  chunksPerJob?: number;
  threads?: number;
}

/**
 * @param cmd - a subcommand.
 * @returns it, with the queue flags.
 */
export function addQueueFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--redis <url>',
        'run the chunks through a BullMQ queue on this Redis (redis://[:password@]host:port or rediss://), taken by relaxed-mc worker processes',
      ).argParser(redisParser('--redis')),
    )
    .addOption(
      new Option('--queue <name>', 'base name of the queue (default relaxed-mc)').argParser(queueParser('--queue')),
    )
    .addOption(
      new Option(
        '--worker-timeout <seconds>',
        'with --redis: fail after this long without a worker taking or finishing a chunk (default: wait)',
      ).argParser((t: string) => {
        const v = parseDecimal(t.trim());
        if (v === null || !(v > 0))
          throw new UsageError(
            `--worker-timeout must be a positive number of seconds such as 60, but got ${quote(t)}.`,
            { argument: '--worker-timeout', rule: Rule.positive },
          );
        return v;
      }),
    )
    .addOption(
      new Option('--chunks-per-job <n>', 'with --redis: consecutive chunks per queued job (default 32)').argParser(
        countParser('--chunks-per-job', 1, '32'),
      ),
    );
}

/**
 * @param flag - the flag's name.
 * @returns a parser that checks a Redis URL (and never echoes its password).
 */
export function redisParser(flag: string): (text: string) => string {
  return (text) => {
    try {
      parseRedisUrl(text, flag);
    } catch (err) {
      throw new UsageError((err as Error).message, { argument: flag, rule: Rule.redisUrl });
    }
    return text;
  };
}

/**
 * @param flag - the flag's name.
 * @returns a parser that checks a queue's base name.
 */
export function queueParser(flag: string): (text: string) => string {
  return (text) => {
    try {
      queueName(text, flag);
    } catch (err) {
      throw new UsageError((err as Error).message, { argument: flag, rule: Rule.queueName });
    }
    return text;
  };
}

/**
 * @param flags - the parsed flags.
 * @returns the Engine options: threads, or the queue.
 * @throws UsageError for queue flags without --redis, or --threads with it.
 */
export function engineOptions(flags: QueueFlags): EngineOptions {
  if (flags.redis === undefined) {
    for (const [name, v] of [
      ['--queue', flags.queue],
      ['--worker-timeout', flags.workerTimeout],
      ['--chunks-per-job', flags.chunksPerJob],
    ] as const) {
      if (v !== undefined)
        throw new UsageError(`${name} needs --redis URL.`, { argument: name, rule: Rule.needsRedis });
    }
    return { threads: flags.threads };
  }
  if (flags.threads !== undefined)
    throw new UsageError(
      '--threads does not go with --redis: the workers run the chunks (relaxed-mc worker --threads N).',
      { argument: '--threads', rule: Rule.notWithRedis },
    );
  return {
    redis: flags.redis,
    queue: flags.queue,
    chunksPerJob: flags.chunksPerJob,
    workerTimeout: flags.workerTimeout === undefined ? undefined : flags.workerTimeout * 1000,
  };
}
