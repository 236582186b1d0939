/**
 * Signals: the first SIGINT, SIGTERM, SIGHUP or SIGQUIT aborts the running command through an
 * `AbortController` (every phase listens to it: planning, worker jobs, user-module calls and
 * exact references run in threads that are terminated, writes stop between blocks). The abort's
 * listeners run synchronously; then the temporary files are removed synchronously and the
 * process exits with 128 + the signal's number (130, 143, 129, 131), at once: a stopped command
 * writes no output, so waiting for it to unwind would only add the time its threads take to
 * reach a safepoint. A command that has state worth saving on the way out (a checkpoint with
 * the chunks done since its last periodic write, a queue's jobs to hand back) asks for a grace
 * period with {@link Interrupt.setGrace}: it unwinds, and exits when done or when the grace runs
 * out. A second signal exits at once. Temporary files are also removed when the process exits
 * for any other reason Node can see (`process.exit`, an uncaught exception).
 *
 * @packageDocumentation
 */
import { constants } from 'node:os';
import { removePendingFilesSync } from './atomic-file.js';

/**
 * How long a command that saves state on the way out (see {@link Interrupt.setGrace}) may take
 * to unwind after the first signal before the process exits anyway. Unwinding usually takes tens
 * of milliseconds (the threads are terminated, the checkpoint saves the chunks done); the cap
 * keeps a loaded machine's tail short. Outputs are safe either way: nothing is renamed into
 * place once the signal has fired, and a checkpoint cut short keeps its last periodic state.
 */
export const GRACE_MS = 250;

/** The signals that stop a command. SIGKILL and SIGSTOP cannot be caught; SIGUSR1 belongs to the inspector. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * @param name - a signal.
 * @returns the exit status a shell reports for a process it stopped: 128 + its number.
 */
export function signalExitCode(name: NodeJS.Signals): number {
  return 128 + (constants.signals[name] ?? 2);
}

const VERB: Partial<Record<NodeJS.Signals, string>> = {
  SIGINT: 'interrupted',
  SIGTERM: 'terminated',
  SIGHUP: 'hung up',
  SIGQUIT: 'quit',
};

/** Catches the stop signals for the duration of one command. */
export class Interrupt {
  private readonly controller = new AbortController();
  private signalName: NodeJS.Signals | null = null;
  private clean = false;
  /** 0: exit as soon as the abort's listeners have run. */
  private graceMs = 0;
  private readonly onSignal = (name: NodeJS.Signals) => this.handle(name);
  private readonly onExit = () => removePendingFilesSync();

  /** @param stderr - where to say that the run is stopping. */
  constructor(private readonly stderr: NodeJS.WritableStream) {}

  /** Aborted on the first signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * A command that has state to save on a signal (a checkpoint: {@link GRACE_MS}; a queue worker
   * handing its jobs back: longer) asks, before the signal comes, to unwind rather than exit at
   * once.
   *
   * @param ms - the longest time it may unwind.
   */
  setGrace(ms: number): void {
    this.graceMs = ms;
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
    return this.clean ? 0 : signalExitCode(this.signalName);
  }

  /** Starts listening (which replaces Node's default of dying at once, leaving temporary files). */
  install(): void {
    for (const s of STOP_SIGNALS) process.on(s, this.onSignal);
    process.on('exit', this.onExit);
  }

  /** Stops listening. */
  uninstall(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.onSignal);
    process.off('exit', this.onExit);
  }

  private handle(name: NodeJS.Signals): void {
    if (this.signalName !== null) this.exitNow();
    this.signalName = name;
    try {
      this.stderr.write(`\nrelaxed-mc: ${VERB[name] ?? name}; stopping (no output file is written).\n`);
    } catch {
      // A closed terminal (SIGHUP) must not keep the run from stopping.
    }
    // The listeners run now: stop flags are set and threads are told to terminate, so their
    // teardown (which the exit waits for) runs side by side rather than one after the other.
    this.controller.abort();
    if (this.graceMs <= 0) this.exitNow();
    setTimeout(() => this.exitNow(), this.graceMs).unref();
  }

  private exitNow(): never {
    removePendingFilesSync();
    process.exit(signalExitCode(this.signalName ?? 'SIGINT'));
  }
}
