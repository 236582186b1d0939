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
 * An operation failed at run time for a reason PyTorch reports as `RuntimeError`: a backward
 * pass that needs a `gradient`, a graph already freed, shapes that cannot be combined.
 *
 * @example
 * ```ts
 * import { torch, RuntimeError } from 'relaxed-mc';
 * try {
 *   torch.ones([2], { requires_grad: true }).mul(2).backward();
 * } catch (err) {
 *   console.log(err instanceof RuntimeError); // true
 * }
 * ```
 */
export class RuntimeError extends Error {
  /** @param message - says what failed and why. */
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
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
 * A user objective returned a non-finite value or gradient. The message names the point `z`
 * (every coordinate, or the first 10 and the count) so that the case can be reproduced.
 *
 * @example
 * ```ts
 * import { ObjectiveError } from 'relaxed-mc';
 * const err = new ObjectiveError('grad', Float64Array.of(1, 0), NaN, 'my-objective.mjs');
 * err.message; // "my-objective.mjs: grad(z, out) wrote NaN at z = [1, 0] (z[0] ...)"
 * ```
 */
export class ObjectiveError extends Error {
  /** The point, copied. */
  readonly point: number[];
  /**
   * @param what - `'f'` (the value) or `'grad'` (a partial derivative).
   * @param z - the point where it happened.
   * @param got - the non-finite result (for `grad`, the first bad entry).
   * @param name - how to name the objective.
   * @param index - for `grad`, the index of the first non-finite entry.
   */
  constructor(what: 'f' | 'grad', z: ArrayLike<number>, got: unknown, name: string, index = -1) {
    const point = Array.from(z);
    const shown =
      point.length <= 10 ? point.join(', ') : `${point.slice(0, 10).join(', ')}, ... (${point.length} in all)`;
    const result = what === 'f' ? `f(z) returned ${String(got)}` : `grad(z, out) wrote out[${index}] = ${String(got)}`;
    super(`${name}: ${result} at z = [${shown}]; an objective must be finite wherever it is evaluated.`);
    this.name = 'ObjectiveError';
    this.point = point;
  }
}
