/**
 * Every error relaxed-mc throws, made in one place.
 *
 * Each class carries a stable `code` (never reworded), the `argument` at fault and the `rule` it
 * broke (null where neither applies), so callers branch on data, never on message text. The
 * torch-like API raises what PyTorch raises (`ValueError`, `TypeError`, `NotImplementedError`,
 * `RuntimeError`); the engine and the CLI options use `TypeError` / `RangeError`. This module's
 * `TypeError` and `RangeError` extend the built-in ones, so `instanceof TypeError` holds either way.
 *
 * Errors cross threads as plain {@link ErrorData} (`{ code, argument, rule, message }`, which
 * structured cloning keeps whole) and are rebuilt as the class of their code on the other side.
 *
 * | class | code |
 * |---|---|
 * | `ValueError` | `ERR_VALUE` |
 * | `TypeError` | `ERR_TYPE` |
 * | `RangeError` | `ERR_RANGE` |
 * | `RuntimeError` | `ERR_RUNTIME` |
 * | `NotImplementedError` | `ERR_NOT_IMPLEMENTED` |
 * | `AbortError` | `ABORT_ERR` (Node's own code for an abort) |
 * | `ChunkError` | `ERR_CHUNK` |
 * | `StateFileError` | `ERR_STATE_FILE` |
 * | `WorkerLoadError` | `ERR_WORKER_LOAD` |
 * | `QueueError` | `ERR_QUEUE` |
 * | `ObjectiveError` | `ERR_OBJECTIVE` |
 * | `InternalError` | `ERR_INTERNAL` (a bug in relaxed-mc) |
 *
 * @packageDocumentation
 */

/** The argument at fault and the rule it broke, and the underlying error. */
export interface ErrorDetails {
  /** The argument, option, flag, file field... at fault (`temperature`, `options.samples`, `params.logits`). */
  readonly argument?: string | null;
  /** The rule it broke, as a short stable identifier (`positive`, `simplex`, `memory-budget`). */
  readonly rule?: string | null;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** An error as plain data: what crosses a thread boundary or goes into a report. */
export interface ErrorData {
  readonly code: ErrorCode;
  readonly argument: string | null;
  readonly rule: string | null;
  readonly message: string;
}

/** What every error of the list has besides `name` and `message`. */
export interface CodedError extends Error {
  readonly code: ErrorCode;
  readonly argument: string | null;
  readonly rule: string | null;
}

/** Error options with the cause, leaving `cause` unset (not undefined) when there is none. */
function causeOf(d: ErrorDetails): ErrorOptions | undefined {
  return d.cause === undefined ? undefined : { cause: d.cause };
}

function init(e: CodedError & { argument: string | null; rule: string | null }, name: string, d: ErrorDetails): void {
  e.name = name;
  e.argument = d.argument ?? null;
  e.rule = d.rule ?? null;
}

/**
 * A value broke a constraint or a shape rule (PyTorch raises `ValueError` for these).
 *
 * @example
 * ```ts
 * import { torch, ValueError } from 'relaxed-mc';
 * try {
 *   new torch.distributions.RelaxedOneHotCategorical(0, { probs: [0.5, 0.5] });
 * } catch (err) {
 *   console.log(err instanceof ValueError, err.code); // true ERR_VALUE
 * }
 * ```
 */
export class ValueError extends Error implements CodedError {
  readonly code = 'ERR_VALUE' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param message - names the argument, the rule it broke and the value received.
   * @param details - the argument and the rule, as data.
   */
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, causeOf(details));
    init(this, 'ValueError', details);
  }
}

/** A value of the wrong type: the built-in `TypeError`, with a code, the argument and the rule. */
export class TypeError extends globalThis.TypeError implements CodedError {
  readonly code = 'ERR_TYPE' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param message - names the argument, the type it must have and the value received.
   * @param details - the argument and the rule, as data.
   */
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, causeOf(details));
    init(this, 'TypeError', details);
  }
}

/** A number outside its allowed range: the built-in `RangeError`, with a code, the argument and the rule. */
export class RangeError extends globalThis.RangeError implements CodedError {
  readonly code = 'ERR_RANGE' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param message - names the argument, the range and the value received.
   * @param details - the argument and the rule, as data.
   */
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, causeOf(details));
    init(this, 'RangeError', details);
  }
}

/**
 * An error detected while running that fits no other class, as PyTorch reports it with
 * `RuntimeError`: a backward pass that needs a `gradient`, a graph already freed, shapes that
 * cannot be combined, a closed `Engine`, or an error thrown by user code in a worker.
 *
 * @example
 * ```ts
 * import { torch, RuntimeError } from 'relaxed-mc';
 * try {
 *   torch.ones([2], { requires_grad: true }).mul(2).backward();
 * } catch (err) {
 *   console.log(err instanceof RuntimeError, err.code); // true ERR_RUNTIME
 * }
 * ```
 */
export class RuntimeError extends Error implements CodedError {
  readonly code = 'ERR_RUNTIME' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param message - what failed and why.
   * @param details - the argument and the rule, as data.
   */
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, causeOf(details));
    init(this, 'RuntimeError', details);
  }
}

/** The operation exists in the PyTorch API but has no implementation here (nor in PyTorch). */
export class NotImplementedError extends Error implements CodedError {
  readonly code = 'ERR_NOT_IMPLEMENTED' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param message - says what is not implemented and, where there is one, what to use instead.
   * @param details - the argument and the rule, as data.
   */
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, causeOf(details));
    init(this, 'NotImplementedError', details);
  }
}

/** A job was cancelled through its `AbortSignal`; no partial result is returned. */
export class AbortError extends Error implements CodedError {
  readonly code = 'ABORT_ERR' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param message - what was aborted.
   * @param details - the argument (`signal`) and the rule, as data.
   */
  constructor(message = 'The operation was aborted', details: ErrorDetails = {}) {
    super(message, causeOf(details));
    init(this, 'AbortError', { argument: 'signal', rule: 'aborted', ...details });
  }
}

/**
 * A chunk of an engine job failed in a worker (it threw, its thread exited or ran out of
 * memory). The job is stopped and no partial result is returned.
 */
export class ChunkError extends Error implements CodedError {
  readonly code = 'ERR_CHUNK' as const;
  argument!: string | null;
  rule!: string | null;
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
    super(message, causeOf({ cause }));
    init(this, 'ChunkError', { argument: 'chunk', rule: 'worker-failed' });
  }
}

/** The engine's worker module could not be loaded or did not answer its start-up check. */
export class WorkerLoadError extends Error implements CodedError {
  readonly code = 'ERR_WORKER_LOAD' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param message - names the worker file and the reason.
   * @param cause - the underlying error.
   */
  constructor(message: string, cause?: unknown) {
    super(message, causeOf({ cause }));
    init(this, 'WorkerLoadError', { argument: 'workerFile', rule: 'loads' });
  }
}

/**
 * A checkpoint or partial-result file cannot be used: unreadable, torn, corrupt, written for
 * other parameters, content that does not match its kind's schema (`argument` names the
 * field), or (when merging) a duplicate, a gap or a mismatch. Nothing is mixed in.
 */
export class StateFileError extends Error implements CodedError {
  readonly code = 'ERR_STATE_FILE' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param message - names the file and the problem.
   * @param file - the file's path.
   * @param details - the field at fault (`argument`) and the rule, as data.
   */
  constructor(
    message: string,
    readonly file: string,
    details: ErrorDetails = {},
  ) {
    super(message, causeOf(details));
    init(this, 'StateFileError', details);
  }
}

/** A job queue failed: a malformed job taken from the queue, or the queue's store is unreachable. */
export class QueueError extends Error implements CodedError {
  readonly code = 'ERR_QUEUE' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param message - names the queue or job and the problem.
   * @param details - the field at fault and the rule, as data.
   */
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, causeOf(details));
    init(this, 'QueueError', details);
  }
}

/**
 * A bug in relaxed-mc: a state its own code should never reach (an assertion that failed). The
 * message says so, so that nobody takes it for a mistake of theirs.
 */
export class InternalError extends Error implements CodedError {
  readonly code = 'ERR_INTERNAL' as const;
  argument!: string | null;
  rule!: string | null;
  /**
   * @param what - the broken assumption.
   * @param details - the argument and the rule, as data.
   */
  constructor(what: string, details: ErrorDetails = {}) {
    super(`relaxed-mc: internal error (a bug in relaxed-mc, please report it): ${what}`, causeOf(details));
    init(this, 'InternalError', { rule: 'invariant', ...details });
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
export class ObjectiveError extends Error implements CodedError {
  readonly code = 'ERR_OBJECTIVE' as const;
  argument!: string | null;
  rule!: string | null;
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
    init(this, 'ObjectiveError', { argument: `objective.${what}`, rule: 'finite' });
    this.point = point;
  }
}

/**
 * Rules that callers branch on (the command line maps them to usage errors), so the same
 * strings are written once.
 */
export const Rule = {
  /** A job's output or working memory would exceed the engine's memory budget (`maxBytes`). */
  memoryBudget: 'memory-budget',
  /** A user objective module failed to import, or its `f` / `grad` failed at the centre of the simplex. */
  objectiveModuleCheck: 'objective-module-check',
} as const;

/** Every error class of the list, by its code. */
export const ERROR_CLASSES = {
  ERR_VALUE: ValueError,
  ERR_TYPE: TypeError,
  ERR_RANGE: RangeError,
  ERR_RUNTIME: RuntimeError,
  ERR_NOT_IMPLEMENTED: NotImplementedError,
  ABORT_ERR: AbortError,
  ERR_CHUNK: ChunkError,
  ERR_STATE_FILE: StateFileError,
  ERR_WORKER_LOAD: WorkerLoadError,
  ERR_QUEUE: QueueError,
  ERR_OBJECTIVE: ObjectiveError,
  ERR_INTERNAL: InternalError,
} as const;

/** The stable codes of the list. */
export type ErrorCode = keyof typeof ERROR_CLASSES;

/**
 * Says that relaxed-mc itself is wrong (not the caller): use where a state cannot be reached.
 *
 * @param what - the broken assumption.
 * @returns never; it throws.
 * @throws InternalError saying it is a bug.
 */
export function bug(what: string): never {
  throw new InternalError(what);
}

/**
 * @param err - anything thrown.
 * @returns whether it is one of the list's errors.
 */
export function isCodedError(err: unknown): err is CodedError {
  return (
    err instanceof Error && typeof (err as CodedError).code === 'string' && (err as CodedError).code in ERROR_CLASSES
  );
}

/**
 * An error as data, to cross a thread or go into a report. Errors outside the list become
 * `ERR_TYPE` / `ERR_RANGE` for the built-in classes and `ERR_RUNTIME` otherwise (their message kept).
 *
 * @param err - anything thrown.
 * @returns `{ code, argument, rule, message }`.
 */
export function toErrorData(err: unknown): ErrorData {
  if (isCodedError(err)) return { code: err.code, argument: err.argument, rule: err.rule, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  const code: ErrorCode =
    err instanceof globalThis.TypeError
      ? 'ERR_TYPE'
      : err instanceof globalThis.RangeError
        ? 'ERR_RANGE'
        : 'ERR_RUNTIME';
  return { code, argument: null, rule: null, message };
}

/**
 * @param v - a value received from another thread.
 * @returns whether it is {@link ErrorData}.
 */
export function isErrorData(v: unknown): v is ErrorData {
  if (v === null || typeof v !== 'object' || v instanceof Error) return false;
  const d = v as Record<string, unknown>;
  return (
    typeof d.code === 'string' &&
    d.code in ERROR_CLASSES &&
    typeof d.message === 'string' &&
    (d.argument === null || typeof d.argument === 'string') &&
    (d.rule === null || typeof d.rule === 'string')
  );
}

/**
 * Rebuilds an error of the list from its data (the class of its code, the same message,
 * argument and rule).
 *
 * @param d - the data.
 * @returns the error.
 */
export function fromErrorData(d: ErrorData): CodedError {
  const details = { argument: d.argument, rule: d.rule };
  switch (d.code) {
    case 'ERR_CHUNK':
      return new ChunkError(d.message, -1);
    case 'ERR_STATE_FILE':
      return new StateFileError(d.message, '', details);
    case 'ERR_WORKER_LOAD':
      return new WorkerLoadError(d.message);
    case 'ABORT_ERR':
      return new AbortError(d.message, details);
    case 'ERR_INTERNAL': {
      const e = new InternalError('', details);
      e.message = d.message;
      return e;
    }
    case 'ERR_OBJECTIVE': {
      // The point is in the message; the data carries no copy of it.
      const e = new ObjectiveError(d.argument === 'objective.grad' ? 'grad' : 'f', [], '', '');
      e.message = d.message;
      return e;
    }
    default:
      return new ERROR_CLASSES[d.code](d.message, details);
  }
}
