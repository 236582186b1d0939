/**
 * Builds the `relaxed-mc` command line from the table of subcommands and runs it, mapping
 * every outcome to an exit status: 0 done, 1 failed, 2 bad usage, 128 + n stopped by signal n.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { Context } from './command.js';
import { commands } from './commands/index.js';
import { ExitCode, exitCodeOf, oneLine } from './errors.js';
import { Interrupt } from './interrupt.js';
import { createProgress } from './progress.js';
import { PACKAGE_ROOT } from '../package-files.js';

/** Standard streams, replaceable for tests. */
export interface Streams {
  /** Results. */
  stdout: NodeJS.WriteStream;
  /** Progress, messages and errors. */
  stderr: NodeJS.WriteStream;
}

/**
 * Runs `relaxed-mc` with the given arguments.
 *
 * @param argv - the arguments after the program name.
 * @param streams - stdout and stderr.
 * @returns the exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['estimate', '--samples', '1e6']);
 * ```
 */
export async function runCli(
  argv: readonly string[],
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const interrupt = new Interrupt(streams.stderr);
  const ctx: Context = {
    signal: interrupt.signal,
    stdout: streams.stdout,
    stderr: streams.stderr,
    stoppedCleanly: () => interrupt.markClean(),
    setStopGrace: (ms) => interrupt.setGrace(ms),
    progress: (label, unit, quiet) => createProgress({ label, unit, quiet, stream: streams.stderr }),
  };
  const program = buildProgram(ctx, streams);
  interrupt.install();
  ignoreClosedPipe(streams.stdout);
  ignoreClosedPipe(streams.stderr);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return ExitCode.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return interrupt.exitCode ?? ExitCode.ok;
  } catch (err) {
    const code = interrupt.exitCode;
    if (code !== null) return code;
    return report(err, streams.stderr);
  } finally {
    interrupt.uninstall();
  }
}

function buildProgram(ctx: Context, streams: Streams): Command {
  const program = new Command('relaxed-mc')
    .description('Monte Carlo and exact moments of the Relaxed One-Hot Categorical (Gumbel-Softmax) distribution')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
      // One line: commander puts its "(Did you mean ...?)" hint on a line of its own.
      outputError: (s, write) => write(`relaxed-mc: ${s.trim().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .addHelpText(
      'after',
      '\nRun relaxed-mc <command> --help for the flags of a command. Exit status: 0 ok, 1 failure, 2 bad usage, ' +
        '128 + the signal when stopped by one (130 SIGINT / Ctrl-C, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT).',
    );
  for (const spec of commands) {
    const cmd = program.command(spec.name).description(spec.summary);
    spec.define(cmd);
    // Commander passes (...positional arguments, flags, command); commands that take positional
    // arguments (merge's files) find them in `args`.
    cmd.action(async (...a: unknown[]) => {
      const c = a[a.length - 1] as Command;
      return spec.run({ ...c.opts(), args: c.args }, ctx);
    });
  }
  return program;
}

/** Prints one line for an error and returns its exit status. */
function report(err: unknown, stderr: NodeJS.WritableStream): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help / version, with exit code 0).
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const status = exitCodeOf(err);
  if (status === ExitCode.usage) {
    stderr.write(`relaxed-mc: error: ${oneLine((err as Error).message, 600)}\n`);
    return status;
  }
  if (status === ExitCode.interrupted) {
    stderr.write(`relaxed-mc: ${oneLine((err as Error).message)}\n`);
    return status;
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  stderr.write(`relaxed-mc: failed: ${oneLine(message, 600)}\n`);
  if (process.env.RELAXED_MC_DEBUG && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  return ExitCode.failure;
}

/**
 * `relaxed-mc ... | head -3` closes stdout early: that is the reader's choice, not a failure. The
 * rest of the output is dropped, and output files are still written.
 */
function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

function packageVersion(): string {
  try {
    const url = new URL('package.json', PACKAGE_ROOT);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
