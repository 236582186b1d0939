/**
 * Runs one moments job with progress and Ctrl-C, for `estimate` and `sweep`.
 *
 * @packageDocumentation
 */
import { Engine, type MomentsEstimate, Rule, isCodedError, type torch } from '../index.js';
import type { Context } from './command.js';
import { UsageError, flagOf, oneLine, withoutPrefix } from './errors.js';
import { asStateUsage } from './long-job.js';
import { type QueueFlags, engineOptions } from './queue-flags.js';

/** What to estimate. */
export interface MomentsJob {
  /** The subcommand, for the progress label. */
  label: string;
  /** The distribution. */
  dist: torch.distributions.RelaxedOneHotCategorical;
  /** Draws per batch element. */
  samples: number;
  /** Seed (random when undefined). */
  seed?: number;
  /** Worker threads (cores when undefined). */
  threads?: number;
  /** Also the covariance. */
  covariance?: boolean;
  /** No progress. */
  quiet?: boolean;
  /** `--redis` and the other queue flags. */
  queue?: QueueFlags;
  /** Checkpoint, shard and retries (see long-job.ts). */
  long?: {
    checkpoint?: string;
    checkpointInterval?: number;
    shard?: { index: number; count: number };
    retries?: number;
  };
}

/**
 * @param job - distribution, samples, seed, threads.
 * @param ctx - signal and progress.
 * @returns the engine's estimate.
 * @throws AbortError on Ctrl-C; UsageError when the engine refuses the job's size.
 */
export async function runMoments(job: MomentsJob, ctx: Context): Promise<MomentsEstimate> {
  const engine = new Engine(engineOptions({ ...job.queue, threads: job.threads }));
  const bar = ctx.progress(job.label, 'draws', job.quiet ?? false);
  try {
    return await engine.moments(job.dist, {
      samples: job.samples,
      seed: job.seed,
      covariance: job.covariance ?? false,
      onProgress: (p) => bar.update(p),
      signal: ctx.signal,
      ...job.long,
    });
  } catch (err) {
    throw asUsage(asStateUsage(err), '--samples');
  } finally {
    bar.stop();
    await closeEngine(engine, ctx.signal);
  }
}

/**
 * Stops an engine's threads. After a stop signal the process is about to exit: the threads are
 * left to it rather than waited for (a terminated thread's replacement may still be starting).
 *
 * @param engine - the engine.
 * @param signal - the command's signal.
 */
export async function closeEngine(engine: Engine, signal: AbortSignal): Promise<void> {
  if (signal.aborted) void engine.close().catch(() => undefined);
  else await engine.close();
}

/**
 * The engine refuses a job too large for its memory budget with a `RangeError` before any work
 * starts: for the command line that is a usage error (ask for fewer samples). Every other
 * option is checked by the command line itself, so any other error is a failure, not a misuse.
 *
 * @param err - what the engine threw.
 * @param flag - the flag most likely at fault.
 * @returns a UsageError for a size refusal (rule `memory-budget`), else `err` unchanged.
 */
export function asUsage(err: unknown, flag: string): unknown {
  if (isCodedError(err) && err.rule === Rule.memoryBudget)
    return new UsageError(`${flag}: ${oneLine(withoutPrefix(err.message, 'relaxed-mc: '))}`, {
      argument: flag,
      rule: Rule.memoryBudget,
    });
  if (isCodedError(err) && err.rule === Rule.sizeLimit)
    return new UsageError(oneLine(withoutPrefix(err.message, 'relaxed-mc: ')), {
      argument: flagOf(err),
      rule: Rule.sizeLimit,
    });
  return err;
}
