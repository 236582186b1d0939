/**
 * Ctrl-C: the first SIGINT aborts the running engine job through an `AbortController` (the
 * job stops within milliseconds and the command unwinds, discarding its temporary files, then
 * exits 130); a second SIGINT, or a command that does not unwind within a grace period, removes
 * the temporary files synchronously and exits 130 at once. SIGTERM does the same with 143.
 *
 * @packageDocumentation
 */
import { removePendingFilesSync } from './atomic-file.js';
import { ExitCode } from './errors.js';

/** How long the command may take to unwind after the first signal. */
const GRACE_MS = 3000;

/** Catches SIGINT / SIGTERM for the duration of one command. */
export class Interrupt {
  private readonly controller = new AbortController();
  private signalName: NodeJS.Signals | null = null;
  private clean = false;
  private readonly onSignal = (name: NodeJS.Signals) => this.handle(name);

  /** @param stderr - where to say that the run is stopping. */
  constructor(private readonly stderr: NodeJS.WritableStream) {}

  /** Aborted on the first signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * A command whose normal end is a signal (a queue worker) declares that it stopped cleanly:
   * it then exits 0. A second signal still exits at once with 130 or 143.
   */
  markClean(): void {
    this.clean = true;
  }

  /** The exit status for the signal received, or null when none was (0 after {@link markClean}). */
  get exitCode(): number | null {
    if (this.signalName === null) return null;
    if (this.clean) return ExitCode.ok;
    return this.signalName === 'SIGINT' ? ExitCode.interrupted : 128 + 15;
  }

  /** Starts listening (which replaces Node's default of dying at once). */
  install(): void {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Stops listening. */
  uninstall(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  private handle(name: NodeJS.Signals): void {
    if (this.signalName !== null) this.exitNow();
    this.signalName = name;
    this.stderr.write(
      `\nrelaxed-mc: ${name === 'SIGINT' ? 'interrupted' : 'terminated'}; stopping (no output file is written).\n`,
    );
    this.controller.abort();
    setTimeout(() => this.exitNow(), GRACE_MS).unref();
  }

  private exitNow(): never {
    removePendingFilesSync();
    process.exit(this.signalName === 'SIGTERM' ? 128 + 15 : ExitCode.interrupted);
  }
}
