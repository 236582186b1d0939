/**
 * Error classes of the torch-like API, made in one place.
 *
 * The names mirror the Python exception classes PyTorch raises, so code ported from
 * PyTorch can branch on `err.name` or `instanceof` the same way. The engine and the CLI
 * use the standard `TypeError` / `RangeError` for their options.
 *
 * @packageDocumentation
 */

/**
 * A value broke a constraint or a shape rule (PyTorch raises `ValueError` for these).
 *
 * @example
 * ```ts
 * import { torch, ValueError } from 'relaxed-mc';
 * try {
 *   new torch.distributions.RelaxedOneHotCategorical(0, { probs: [0.5, 0.5] });
 * } catch (err) {
 *   console.log(err instanceof ValueError); // true
 * }
 * ```
 */
export class ValueError extends Error {
  /** @param message - names the argument, the rule it broke and the value received. */
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

/**
 * The operation exists in the PyTorch API but has no implementation here (nor in PyTorch).
 */
export class NotImplementedError extends Error {
  /** @param message - says what is not implemented and, where there is one, what to use instead. */
  constructor(message: string) {
    super(message);
    this.name = 'NotImplementedError';
  }
}

/**
 * A job was cancelled through its `AbortSignal`; no partial result is returned.
 */
export class AbortError extends Error {
  /** @param message - what was aborted. */
  constructor(message = 'The operation was aborted') {
    super(message);
    this.name = 'AbortError';
  }
}

/**
 * A chunk of an engine job failed in a worker (it threw, its thread exited or ran out of
 * memory). The job is stopped and no partial result is returned.
 */
export class ChunkError extends Error {
  /**
   * @param message - what failed, naming the job and the chunk.
   * @param chunk - index of the failed chunk (-1 when the failure is not tied to one chunk).
   * @param cause - the underlying error.
   */
  constructor(
    message: string,
    readonly chunk: number,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'ChunkError';
  }
}

/**
 * The engine's worker module could not be loaded or did not answer its start-up check.
 */
export class WorkerLoadError extends Error {
  /**
   * @param message - names the worker file and the reason.
   * @param cause - the underlying error.
   */
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'WorkerLoadError';
  }
}

/**
 * A checkpoint or partial-result file cannot be used: unreadable, torn, corrupt, written for
 * other parameters, or (when merging) a duplicate, a gap or a mismatch. Nothing is mixed in.
 */
export class StateFileError extends Error {
  /**
   * @param message - names the file and the problem.
   * @param file - the file's path.
   */
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'StateFileError';
  }
}

/**
 * A size asked of the engine or the command line is beyond a stated limit (threads, draws,
 * chunks): refused before any work starts. Subclasses `RangeError`, which such refusals were
 * before.
 *
 * @example
 * ```ts
 * try {
 *   new Engine({ threads: 1000 });
 * } catch (err) {
 *   if (err instanceof LimitError) console.log(err.argument, err.limit); // threads 8
 * }
 * ```
 */
export class LimitError extends RangeError {
  /**
   * @param message - names the argument, the limit and the value received.
   * @param argument - the option or flag at fault (`threads`, `samples`).
   * @param limit - the largest value allowed.
   */
  constructor(
    message: string,
    readonly argument: string,
    readonly limit: number,
  ) {
    super(message);
    this.name = 'LimitError';
  }
}
