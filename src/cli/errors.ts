/**
 * The command line's error kinds and exit statuses, made in one place.
 *
 * A {@link UsageError} is the user's to fix (a wrong flag, a malformed number, an unreadable or
 * ill-formed file): one line on stderr, exit status 2, no stack trace. An interrupt (Ctrl-C)
 * exits 130, as shells report a process killed by SIGINT (128 + 2).
 *
 * @packageDocumentation
 */
import { type CodedError, type ErrorCode, type ErrorDetails, type RuleName, isCodedError } from '../index.js';

/** Exit statuses of `relaxed-mc`. */
export const ExitCode = {
  /** Success. */
  ok: 0,
  /** The run failed for a reason that is not the user's input (a worker crashed, a disk filled up). */
  failure: 1,
  /** Bad usage: a wrong flag, a malformed value, an unreadable or ill-formed input file. */
  usage: 2,
  /** Stopped by SIGINT (Ctrl-C). */
  interrupted: 130,
} as const;

/**
 * An error in what the user asked for. The message names the flag or file, the rule and the
 * value received, on one line.
 *
 * @example
 * ```ts
 * throw new UsageError("--samples must be a positive integer (1e8 is fine), but got '1.5'.", {
 *   argument: '--samples',
 *   rule: Rule.positiveInteger,
 * });
 * // stderr: relaxed-mc: error: --samples must be a positive integer (1e8 is fine), but got '1.5'.
 * ```
 */
export class UsageError extends Error {
  /**
   * What is at fault, as the user wrote it: a flag (`--samples`), a flag and its file for a
   * file's content (`--values x.npy`), or the field a library error names (`parts.0.sums`).
   */
  readonly argument: string | null;
  /** The rule it broke: one of the library's `Rule` identifiers. */
  readonly rule: RuleName | null;
  /**
   * @param message - names the flag or file, the rule and the value received.
   * @param details - the argument and the rule, as data (and the library error it comes from).
   */
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UsageError';
    this.argument = details.argument ?? null;
    this.rule = details.rule ?? null;
  }
}

/**
 * The exit status of each error of the library's list (by its stable `code`) when it reaches the
 * top of a command: an abort is an interrupt, an unusable state file is bad usage (the user
 * named it), the rest are failures. Commands turn the library errors that are the user's to fix
 * (a memory budget, a failed objective module) into a {@link UsageError} naming the flag first.
 */
const EXIT_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  ERR_VALUE: ExitCode.failure,
  ERR_TYPE: ExitCode.failure,
  ERR_RANGE: ExitCode.failure,
  ERR_RUNTIME: ExitCode.failure,
  ERR_NOT_IMPLEMENTED: ExitCode.failure,
  ABORT_ERR: ExitCode.interrupted,
  ERR_CHUNK: ExitCode.failure,
  ERR_STATE_FILE: ExitCode.usage,
  ERR_WORKER_LOAD: ExitCode.failure,
  ERR_QUEUE: ExitCode.failure,
  ERR_OBJECTIVE: ExitCode.failure,
  ERR_INTERNAL: ExitCode.failure,
};

/**
 * The flag that sets each argument the library names in its errors (`err.argument`), so that a
 * command can say which flag to fix from the error's data, never from its message. The library
 * names engine options bare (`samples`, `maxBytes`) and the distribution's parameters as
 * PyTorch does (`temperature`, `probs`, `logits`).
 */
export const FLAG_OF_ARGUMENT: Readonly<Record<string, string>> = {
  temperature: '--temperature',
  probs: '--probs',
  logits: '--logits',
  value: '--values',
  samples: '--samples',
  seed: '--seed',
  threads: '--threads',
  maxBytes: '--max-bytes',
  covariance: '--covariance',
  checkpoint: '--checkpoint',
  checkpointInterval: '--checkpoint-interval',
  retries: '--retries',
  shard: '--shard',
  'shard.index': '--shard',
  'shard.count': '--shard',
  estimators: '--estimators',
  groupSize: '--group-size',
  objective: '--objective',
  'objective.module': '--objective',
  redis: '--redis',
  chunksPerJob: '--chunks-per-job',
  workerTimeout: '--worker-timeout',
};

/**
 * @param err - an error of the library's list.
 * @returns the flag that sets the argument at fault, or null when no flag sets it.
 */
export function flagOf(err: CodedError): string | null {
  return err.argument === null ? null : (FLAG_OF_ARGUMENT[err.argument] ?? null);
}

/**
 * @param err - what a command threw.
 * @returns its exit status: 2 for a {@link UsageError}, the table above for the library's errors, else 1.
 */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return ExitCode.usage;
  if (isCodedError(err)) return EXIT_BY_CODE[err.code];
  return ExitCode.failure;
}

/**
 * Squeezes a (possibly multi-line) message onto one line and caps its length, so that an error
 * from the library that prints a whole tensor still reads as one line on a terminal.
 *
 * @param message - any message.
 * @param max - longest result in characters.
 * @returns the message on one line.
 */
export function oneLine(message: string, max = 400): string {
  const flat = message
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 3)}...`;
}

/**
 * @param message - a message.
 * @param prefix - a prefix it may start with.
 * @returns the message without that prefix.
 */
export function withoutPrefix(message: string, prefix: string): string {
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/**
 * Quotes a user-supplied value for a message, shortened when long.
 *
 * @param value - the raw text from the command line or a file.
 * @returns `'value'`, at most about 60 characters.
 */
export function quote(value: string): string {
  const s = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return `'${s}'`;
}

/**
 * @param err - an error from `node:fs`.
 * @returns its code and meaning without the path (`ENOENT: no such file or directory`).
 */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.message !== 'string') return String(err);
  return e.message.split(', ')[0];
}
