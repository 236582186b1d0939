/**
 * What a subcommand is: a name, flags and an async `run`. `main.ts` turns a table of these into
 * the command line, so adding a subcommand is one new file and one line in `commands/index.ts`.
 *
 * @packageDocumentation
 */
import type { Command } from 'commander';
import type { ProgressReporter } from './progress.js';

/** What a running subcommand may use besides its flags. */
export interface Context {
  /** Aborted on Ctrl-C: pass it to every engine job and long write. */
  signal: AbortSignal;
  /** Results. */
  stdout: NodeJS.WriteStream;
  /** Progress and messages. */
  stderr: NodeJS.WriteStream;
  /** After a signal: the command stopped cleanly (a queue worker), so the exit status is 0. */
  stoppedCleanly(): void;
  /** Asks for more time than the default to stop cleanly after a signal, in milliseconds. */
  setStopGrace(ms: number): void;
  /** A progress display for one job (`quiet` silences it). */
  progress(label: string, unit: string, quiet: boolean): ProgressReporter;
}

/**
 * One subcommand.
 *
 * @typeParam F - its parsed flags.
 */
export interface CommandSpec<F = Record<string, unknown>> {
  /** The word after `relaxed-mc`. */
  name: string;
  /** One line for `relaxed-mc --help`. */
  summary: string;
  /** Adds flags and help text to the commander subcommand. */
  define(cmd: Command): void;
  /** Runs with the parsed flags; throws `UsageError` for bad input. */
  run(flags: F, ctx: Context): Promise<void>;
}
