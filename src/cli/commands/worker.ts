/**
 * `relaxed-mc worker`: a long-running process that takes chunk jobs from a BullMQ queue on Redis
 * and runs them on its threads, for coordinators started with `--redis` (`estimate`, `sweep`,
 * `gradients`, or `new Engine({ redis })`). SIGTERM or Ctrl-C: no new job, the jobs in hand go
 * back to the queue, exit 0 within 2 s; a second signal exits at once (130 / 143).
 *
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import { AllowedModules, DEFAULT_QUEUE, Rule, parseRedisUrl, queueName, startQueueWorker } from '../../index.js';
import type { CommandSpec } from '../command.js';
import { UsageError, fsReason, quote } from '../errors.js';
import { parseDecimal } from '../numbers.js';
import { countParser } from '../options.js';
import { queueParser, redisParser } from '../queue-flags.js';
import { availableParallelism } from 'node:os';

/** Flags of `worker`. */
export interface WorkerFlags {
  redis?: string;
  queue?: string;
  threads?: number;
  allowModules?: string;
  quiet?: boolean;
  lockDuration?: number;
  maxStalled?: number;
  jobs?: number;
}

/** The `worker` subcommand. */
export const worker: CommandSpec<WorkerFlags> = {
  name: 'worker',
  summary: 'take chunk jobs from a Redis queue (BullMQ) and run them, for coordinators started with --redis',
  define(cmd: Command) {
    cmd
      .addOption(
        new Option('--redis <url>', 'the Redis of the queue: redis://[:password@]host:port or rediss://').argParser(
          redisParser('--redis'),
        ),
      )
      .addOption(
        new Option('--queue <name>', 'base name of the queue (default relaxed-mc)').argParser(queueParser('--queue')),
      )
      .addOption(
        new Option('--threads <n>', 'worker threads (default: the number of cores)').argParser(
          countParser('--threads', 1, '2'),
        ),
      )
      .addOption(
        new Option(
          '--allow-modules <dir>',
          'run objective modules of gradients jobs, only from this folder and only when their SHA-256 matches the job',
        ),
      )
      .addOption(new Option('--quiet', 'no line per job (the queue served and errors are still logged)'))
      .addOption(
        new Option(
          '--lock-duration <seconds>',
          "BullMQ's job lock: a killed worker's job goes to another worker after it expires (default 30)",
        ).argParser((t: string) => {
          const v = parseDecimal(t.trim());
          if (v === null || !(v >= 0.1))
            throw new UsageError(`--lock-duration must be a number of seconds of at least 0.1, but got ${quote(t)}.`, {
              argument: '--lock-duration',
              rule: Rule.minimum,
            });
          return v;
        }),
      )
      .addOption(
        new Option(
          '--max-stalled <n>',
          "BullMQ's maxStalledCount: times a job may be taken back from a dead worker before it fails (default 2)",
        ).argParser(countParser('--max-stalled', 0, '2')),
      )
      .addOption(
        new Option(
          '--jobs <n>',
          'queued jobs held at a time (default 2: the next is fetched while one runs)',
        ).argParser(countParser('--jobs', 1, '2')),
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  relaxed-mc worker --redis redis://127.0.0.1:6379 --threads 2\n' +
          '  relaxed-mc worker --redis rediss://:secret@redis.example:6380 --allow-modules ./objectives\n',
      );
  },
  async run(flags, ctx) {
    if (flags.redis === undefined)
      throw new UsageError('worker needs --redis URL (for instance redis://127.0.0.1:6379).', {
        argument: '--redis',
        rule: Rule.required,
      });
    const redis = parseRedisUrl(flags.redis, '--redis');
    const queue = queueName(flags.queue ?? DEFAULT_QUEUE, '--queue');
    let modules: AllowedModules | null = null;
    if (flags.allowModules !== undefined) {
      try {
        modules = new AllowedModules(flags.allowModules);
      } catch (err) {
        throw new UsageError(`--allow-modules ${flags.allowModules}: not a readable folder (${fsReason(err)}).`, {
          argument: '--allow-modules',
          rule: Rule.folder,
        });
      }
    }
    const threads = flags.threads ?? availableParallelism();
    const log = (line: string, quiet: boolean) => {
      if (quiet && flags.quiet) return;
      ctx.stderr.write(`${new Date().toISOString()} relaxed-mc worker ${process.pid}: ${line}\n`);
    };
    // Handing the jobs in hand back takes a Redis round trip or two: allow up to 1.9 s of the 2 s.
    ctx.setStopGrace(1900);
    if (ctx.signal.aborted) return;
    const w = await startQueueWorker({
      redis,
      queue,
      threads,
      modules,
      lockDurationMs: Math.round((flags.lockDuration ?? 30) * 1000),
      maxStalledCount: flags.maxStalled ?? 2,
      concurrency: flags.jobs ?? 2,
      log,
    });
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await w.stop();
    log(`stopped after ${w.completed} job${w.completed === 1 ? '' : 's'}`, false);
    ctx.stoppedCleanly();
  },
};
