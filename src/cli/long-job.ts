/**
 * The flags of long jobs (estimate, gradients): `--checkpoint`, `--checkpoint-interval`,
 * `--shard i/n` and `--retries`, turned into engine options.
 *
 * @packageDocumentation
 */
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { Rule, type Shard, StateFileError, readStateFile } from '../index.js';
import { UsageError, fsReason, oneLine, quote } from './errors.js';
import { parseCount, parseDecimal } from './numbers.js';
import { countParser } from './options.js';

/** Parsed long-job flags. */
export interface LongJobFlags {
  checkpoint?: string;
  checkpointInterval?: number;
  shard?: Shard;
  retries?: number;
}

/**
 * @param cmd - a subcommand.
 * @returns it, with the long-job flags.
 */
export function addLongJobFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--checkpoint <file>',
        'save progress to this file every few seconds and resume from it when it exists',
      ),
    )
    .addOption(
      new Option('--checkpoint-interval <seconds>', 'seconds between checkpoint writes (default 2)').argParser(
        (t: string) => {
          const v = parseDecimal(t.trim());
          if (v === null || !(v > 0))
            throw new UsageError(
              `--checkpoint-interval must be a positive number of seconds such as 2 or 0.5, but got ${quote(t)}.`,
              { argument: '--checkpoint-interval', rule: Rule.positive },
            );
          return v;
        },
      ),
    )
    .addOption(
      new Option(
        '--shard <i/n>',
        'run shard i of n (0-based) and write its partial result to --out; combine with relaxed-mc merge',
      ).argParser(parseShard),
    )
    .addOption(
      new Option('--retries <n>', 'extra attempts for a chunk whose worker failed (default 2)').argParser(
        countParser('--retries', 0, '2'),
      ),
    );
}

/**
 * @param text - `i/n`, e.g. `2/8`.
 * @returns the shard.
 * @throws UsageError for anything else.
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\S+)\s*\/\s*(\S+)\s*$/.exec(text);
  const index = m === null ? null : parseCount(m[1], 0);
  const count = m === null ? null : parseCount(m[2], 1);
  if (index === null || count === null || index >= count) {
    throw new UsageError(
      `--shard must be i/n with 0 <= i < n, such as 0/4 (the shard index first, 0-based), but got ${quote(text)}.`,
      { argument: '--shard', rule: Rule.syntax },
    );
  }
  return { index, count };
}

/**
 * The engine options of the long-job flags, and the seed: a rerun of a checkpointed command
 * without `--seed` takes the seed the checkpoint was started with, so "rerun the same command"
 * resumes; every shard of a job must share one seed, so `--shard` needs `--seed`.
 *
 * @param flags - the parsed flags.
 * @param seed - `--seed`, if given.
 * @returns options for the engine and the seed to use (undefined: a random one).
 * @throws UsageError when `--shard` lacks `--out` or a seed, or the checkpoint is unreadable.
 */
export function longJobOptions(
  flags: LongJobFlags & { out?: string },
  seed: number | undefined,
): {
  options: { checkpoint?: string; checkpointInterval?: number; shard?: Shard; retries?: number };
  seed: number | undefined;
} {
  let useSeed = seed;
  if (flags.checkpoint !== undefined && useSeed === undefined) {
    const saved = guard(() => readStateFile(resolve(flags.checkpoint as string)));
    if (saved !== null && typeof saved.params.seed === 'number') useSeed = saved.params.seed;
  }
  if (flags.shard !== undefined) {
    if (flags.out === undefined)
      throw new UsageError(
        '--shard needs --out FILE: the shard writes its partial result there, for relaxed-mc merge.',
        { argument: '--shard', rule: Rule.needs },
      );
    if (useSeed === undefined)
      throw new UsageError('--shard needs --seed: every shard of a job must use the same seed.', {
        argument: '--shard',
        rule: Rule.needs,
      });
    // Found now, not after the shard's work.
    const dir = dirname(resolve(flags.out));
    try {
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw new UsageError(`--out ${flags.out}: cannot write in ${dir} (${fsReason(err)}).`, {
        argument: '--out',
        rule: Rule.writable,
      });
    }
  }
  if (flags.checkpointInterval !== undefined && flags.checkpoint === undefined) {
    throw new UsageError('--checkpoint-interval needs --checkpoint FILE.', {
      argument: '--checkpoint-interval',
      rule: Rule.needs,
    });
  }
  return {
    options: {
      checkpoint: flags.checkpoint,
      checkpointInterval:
        flags.checkpointInterval === undefined ? undefined : Math.max(1, Math.round(flags.checkpointInterval * 1000)),
      shard: flags.shard,
      retries: flags.retries,
    },
    seed: useSeed,
  };
}

/**
 * @param f - a step that may throw a StateFileError.
 * @returns its value.
 * @throws UsageError carrying the file problem (exit 2).
 */
export function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw asStateUsage(err);
  }
}

/**
 * @param err - any error.
 * @returns a UsageError for an unusable state file, else the error.
 */
export function asStateUsage(err: unknown): unknown {
  if (err instanceof StateFileError)
    return new UsageError(oneLine(err.message), { argument: err.argument, rule: err.rule });
  return err;
}
