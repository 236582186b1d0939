/**
 * Cooperative steps for long loops on the main thread: a loop over many rows asks
 * {@link Steps.due} (cheap) at each row and, when it is, awaits {@link Steps.pause}, which lets
 * the event loop run (a stop signal, a progress line) before going on. So rendering a result of
 * hundreds of thousands of rows never holds the thread for more than about {@link STEP_MS}.
 *
 * @packageDocumentation
 */

/** The longest stretch of work between two pauses, in milliseconds. */
export const STEP_MS = 20;

/** Tracks the time since the last pause. */
export class Steps {
  private since = performance.now();

  /** @returns whether the current step has used its time (a clock read: tens of nanoseconds). */
  due(): boolean {
    return performance.now() - this.since >= STEP_MS;
  }

  /** Lets the event loop run, then starts a new step. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}
