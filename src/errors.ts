/**
 * Every error relaxed-mc throws, made in one place.
 *
 * Each class carries a stable `code` (never reworded), the `argument` at fault and the `rule` it
 * broke (one of {@link Rule}; null only where no argument is at fault), so callers branch on
 * data, never on message text. Every throw site passes both (`test/errors-details.test.ts`
 * reads the source to make sure); a state that cannot be reached is {@link bug}. The
 * torch-like API raises what PyTorch raises (`ValueError`, `TypeError`, `NotImplementedError`,
 * `RuntimeError`); the engine and the CLI options use `TypeError` / `RangeError`. This module's
 * `TypeError` and `RangeError` extend the built-in ones, so `instanceof TypeError` holds either way.
 *
 * Errors cross threads as plain {@link ErrorData} (`{ code, argument, rule, message }`, plus the
 * `chunk`, `file` or `point` of the classes that have one, which structured cloning keeps whole)
 * and are rebuilt as the class of their code on the other side.
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

/**
 * The rules an error can name (its `rule`), each a short identifier that is never reworded:
 * branch on these, never on message text. Written once here so that every throw site, the
 * command line's mapping and the README use the same strings.
 */
export const Rule = {
  // --- types: the value is not of the kind the argument takes ---
  /** Must be a number. */
  number: 'number',
  /** Must be a boolean. */
  boolean: 'boolean',
  /** Must be a string. */
  string: 'string',
  /** Must be a function. */
  function: 'function',
  /** Must be a plain object (an options object, a `{ index, count }` pair...). */
  object: 'object',
  /** Must be an array (of numbers, of Tensors, of names...). */
  array: 'array',
  /** Must be a `Tensor` of this package. */
  tensor: 'tensor',
  /** Must be a number, nested arrays of numbers or a `Tensor`. */
  tensorLike: 'tensor-like',
  /** Must be an `AbortSignal`. */
  abortSignal: 'abort-signal',
  /** Must be a file path or a `file:` URL. */
  path: 'path',
  /** Must name an existing folder. */
  folder: 'folder',
  /** Must be a `torch.distributions.RelaxedOneHotCategorical` of this package. */
  distribution: 'distribution',
  /** Must be a generator state returned by `torch.get_rng_state()`. */
  rngState: 'rng-state',
  /** Tensors are float64 only: another `dtype` is refused by name. */
  float64: 'float64',
  /** Must be one of a listed set of words (an order, an estimator, a reduction, a kind). */
  oneOf: 'one-of',
  /** An options object has a key the function does not know. */
  knownOption: 'known-option',
  /** A required argument or option is missing. */
  required: 'required',
  /** An option that only means something with another one (`checkpointInterval` needs `checkpoint`). */
  needs: 'needs',
  /** Two arguments that exclude each other were both given (`probs` and `logits`). */
  exclusive: 'exclusive',
  /** An argument that is refused after an options object. */
  noExtraArgument: 'no-extra-argument',

  // --- numbers ---
  /** Must be a finite number. */
  finite: 'finite',
  /** Must be finite and greater than 0. */
  positive: 'positive',
  /** Must be an integer from 1 to 2^53 - 1. */
  positiveInteger: 'positive-integer',
  /** Must be an integer from 0 to 2^53 - 1. */
  nonNegativeInteger: 'non-negative-integer',
  /** Must lie in a stated interval (an index, a dimension, a step, a beta); the message gives it. */
  inRange: 'in-range',
  /** Must be at least a stated minimum (an optimizer option, a group size); the message gives it. */
  minimum: 'minimum',
  /** A job's output or working memory would exceed the engine's memory budget (`maxBytes`). */
  memoryBudget: 'memory-budget',
  /**
   * A size beyond a stated limit, refused before any work: threads beyond 4 per core or the
   * memory budget, more chunks than an estimator has streams. The message gives the limit.
   */
  sizeLimit: 'size-limit',

  // --- shapes and supports ---
  /** Sizes must agree (a tensor's data and its shape, a target and its input, an output and the result). */
  shape: 'shape',
  /** Shapes must broadcast together. */
  broadcastable: 'broadcastable',
  /** Must not be empty (a list of tensors, a parameter list, a category dimension). */
  nonEmpty: 'non-empty',
  /** Must have (at least) a stated number of dimensions. */
  dimensions: 'dimensions',
  /** Must not repeat an entry (a dimension listed twice). */
  unique: 'unique',
  /** `probs` must lie on the probability simplex (non-negative, summing to 1 after normalisation). */
  simplex: 'simplex',
  /** `logits` must be real (no NaN, no +Infinity). */
  realVector: 'real-vector',
  /** A value must lie in the distribution's support. */
  support: 'support',
  /** A value has an entry exactly 0, where the density (on the open simplex) is not finite. */
  openSimplex: 'open-simplex',
  /** Log-space values must satisfy `logsumexp(x) = 0` (the logarithm of a simplex point). */
  logSimplex: 'log-simplex',
  /** An output must not share its storage with an input still to be read. */
  separateStorage: 'separate-storage',

  // --- autograd (PyTorch's runtime errors) ---
  /** A tensor that must require grad does not. */
  requiresGrad: 'requires-grad',
  /** Only a leaf tensor may do this (be optimized, have its `requires_grad` cleared). */
  leaf: 'leaf',
  /** `backward()` without a `gradient` needs a scalar output. */
  scalarOutput: 'scalar-output',
  /** A graph already freed by a backward pass (use `retain_graph: true`). */
  graphRetained: 'graph-retained',
  /** An input of `autograd.grad` that the outputs do not depend on (use `allow_unused: true`). */
  usedInGraph: 'used-in-graph',
  /** A function run under a grad mode must be synchronous. */
  synchronous: 'synchronous',
  /** `gradcheck`: the analytical Jacobian must match the numerical one. */
  gradcheck: 'gradcheck',
  /** The operation has no derivative. */
  differentiable: 'differentiable',
  /** The method exists in PyTorch's API, but neither PyTorch nor relaxed-mc implements it here. */
  notImplemented: 'not-implemented',

  // --- the engine ---
  /** The `Engine` was closed. */
  open: 'open',
  /** The WebAssembly kernels must be built (`npm run build`). */
  built: 'built',
  /** The worker module must load and answer its start-up check. */
  loads: 'loads',
  /** A chunk failed in a worker every time it was tried. */
  workerFailed: 'worker-failed',
  /** A worker thread exited before it answered. */
  workerExits: 'worker-exits',
  /** The job was cancelled through its `AbortSignal`. */
  aborted: 'aborted',
  /** A user objective module failed to import, or its `f` / `grad` failed at the centre of the simplex. */
  objectiveModuleCheck: 'objective-module-check',
  /** A task sent to a worker does not match its kind's schema (`argument` names the field). */
  taskSchema: 'task-schema',

  // --- state files (checkpoints, partial results) ---
  /** The file must exist and be readable. */
  readable: 'readable',
  /** The file must be writable. */
  writable: 'writable',
  /** The file must be a complete relaxed-mc state file (not torn, not another format). */
  stateFormat: 'state-format',
  /** The file's format version must be one this version reads (a state file, a benchmark report). */
  stateVersion: 'state-version',
  /** The file's content must match its checksum. */
  matchesContents: 'matches-contents',
  /** The file's content must match its kind's schema (`argument` names the field). */
  stateSchema: 'state-schema',
  /** The file must have been written for the same parameters. */
  matchesParams: 'matches-params',
  /** The file must have been written with the same engine stream version. */
  streamVersion: 'stream-version',
  /** A checkpoint must belong to the same shard as the run resuming it. */
  sameShard: 'same-shard',
  /** Partial results to merge must belong to the same job. */
  sameJob: 'same-job',
  /** Partial results to merge must split the job into the same number of shards. */
  shardCount: 'shard-count',
  /** Each shard must be given once to a merge. */
  uniqueShard: 'unique-shard',
  /** A partial result must hold every chunk of its shard. */
  complete: 'complete',
  /** A merge needs every shard of the job. */
  allShards: 'all-shards',
  /** The sums of the parts must share the same shift. */
  sameShift: 'same-shift',
  /** An exact sum must be written as `esum1:...` (see `ExactSum.toJSON`). */
  exactSum: 'exact-sum',
  /** A gradients study's objective module must not change between the run and its resumption. */
  objectiveUnchanged: 'objective-unchanged',

  // --- the queue ---
  /** A queued job or result, or a benchmark report, does not match its schema (`argument` names the field). */
  schema: 'schema',
  /** A queued job or result is larger than the queue accepts. */
  size: 'size',
  /** Only some kinds of job go through the queue (moments, gradients). */
  queuedKinds: 'queued-kinds',
  /** A worker's result does not match the chunk it was sent. */
  malformedResult: 'malformed-result',
  /** No worker took or finished a chunk within `workerTimeout`. */
  workerTimeout: 'worker-timeout',
  /** A Redis URL must be `redis://` or `rediss://` with a host. */
  redisUrl: 'redis-url',
  /** A queue's name must be a short word of letters, digits, `-` and `_`. */
  queueName: 'queue-name',
  /** The queue's Redis refused the credentials. */
  credentials: 'credentials',
  /** The queue's Redis did not answer. */
  unreachable: 'unreachable',
  /** An option that needs `redis` (the queue). */
  needsRedis: 'needs-redis',
  /** An option that has no meaning with `redis` (the queue runs the chunks). */
  notWithRedis: 'not-with-redis',
  /** An operation that runs only in this process, not through the queue. */
  localOnly: 'local-only',
  /** A queued objective module must be one of the worker's allowed modules. */
  allowedModules: 'allowed-modules',
  /** A queued objective module must have the SHA-256 of the allowed file. */
  sha256: 'sha256',

  // --- the command line and its files ---
  /** A value must follow the stated syntax (`i/n`, a comma-separated list, a wildcard pattern). */
  syntax: 'syntax',
  /** A file name's extension picks the format, and must be one of those listed. */
  extension: 'extension',
  /** A file must hold valid JSON. */
  json: 'json',
  /** A file must be a float64, C-order `.npy` file, complete. */
  npyFormat: 'npy-format',
  /** A file must be a CSV with a header line and numeric fields. */
  csvFormat: 'csv-format',
  /** A path must name a file, not a folder. */
  file: 'file',
  /** The file system must have room for an output. */
  freeSpace: 'free-space',
  /** Two outputs (or an output and an input) must be different files. */
  distinctFiles: 'distinct-files',
  /** A flag that does not apply to this command or this objective. */
  notApplicable: 'not-applicable',
  /** Two flags that contradict each other (`--format` and the extension of `--out`). */
  consistent: 'consistent',

  // --- bugs ---
  /** A state relaxed-mc's own code should never reach (an `InternalError`). */
  invariant: 'invariant',
} as const;

/** One of the {@link Rule} identifiers. */
export type RuleName = (typeof Rule)[keyof typeof Rule];

/** The argument at fault and the rule it broke, and the underlying error. */
export interface ErrorDetails {
  /** The argument, option, flag, file field... at fault (`temperature`, `options.samples`, `params.logits`). */
  readonly argument?: string | null;
  /** The rule it broke: one of {@link Rule} (`positive`, `simplex`, `memory-budget`). */
  readonly rule?: RuleName | null;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** An error as plain data: what crosses a thread boundary or goes into a report. */
export interface ErrorData {
  readonly code: ErrorCode;
  readonly argument: string | null;
  readonly rule: string | null;
  readonly message: string;
  /** `ChunkError` only: the failed chunk. */
  readonly chunk?: number;
  /** `StateFileError` only: the file's path. */
  readonly file?: string;
  /** `ObjectiveError` only: the point where the objective was not finite. */
  readonly point?: number[];
}

/** What every error of the list has besides `name` and `message`. */
export interface CodedError extends Error {
  readonly code: ErrorCode;
  readonly argument: string | null;
  readonly rule: RuleName | null;
}

/** Error options with the cause, leaving `cause` unset (not undefined) when there is none. */
function causeOf(d: ErrorDetails): ErrorOptions | undefined {
  return d.cause === undefined ? undefined : { cause: d.cause };
}

function init(e: CodedError & { argument: string | null; rule: RuleName | null }, name: string, d: ErrorDetails): void {
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
  rule!: RuleName | null;
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
  rule!: RuleName | null;
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
  rule!: RuleName | null;
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
  rule!: RuleName | null;
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
  rule!: RuleName | null;
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
  rule!: RuleName | null;
  /**
   * @param message - what was aborted.
   * @param details - the argument (`signal`) and the rule, as data.
   */
  constructor(message = 'The operation was aborted', details: ErrorDetails = {}) {
    super(message, causeOf(details));
    init(this, 'AbortError', { argument: 'signal', rule: Rule.aborted, ...details });
  }
}

/**
 * A chunk of an engine job failed in a worker (it threw, its thread exited or ran out of
 * memory). The job is stopped and no partial result is returned.
 */
export class ChunkError extends Error implements CodedError {
  readonly code = 'ERR_CHUNK' as const;
  argument!: string | null;
  rule!: RuleName | null;
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
    init(this, 'ChunkError', { argument: 'chunk', rule: Rule.workerFailed });
  }
}

/** The engine's worker module could not be loaded or did not answer its start-up check. */
export class WorkerLoadError extends Error implements CodedError {
  readonly code = 'ERR_WORKER_LOAD' as const;
  argument!: string | null;
  rule!: RuleName | null;
  /**
   * @param message - names the worker file and the reason.
   * @param cause - the underlying error.
   */
  constructor(message: string, cause?: unknown) {
    super(message, causeOf({ cause }));
    init(this, 'WorkerLoadError', { argument: 'workerFile', rule: Rule.loads });
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
  rule!: RuleName | null;
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
  rule!: RuleName | null;
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
  rule!: RuleName | null;
  /**
   * @param what - the broken assumption.
   * @param details - the argument and the rule, as data.
   */
  constructor(what: string, details: ErrorDetails = {}) {
    super(`relaxed-mc: internal error (a bug in relaxed-mc, please report it): ${what}`, causeOf(details));
    init(this, 'InternalError', { rule: Rule.invariant, ...details });
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
  rule!: RuleName | null;
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
    init(this, 'ObjectiveError', { argument: `objective.${what}`, rule: Rule.finite });
    this.point = point;
  }
}

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
 * @returns `{ code, argument, rule, message }`, with `chunk`, `file` or `point` for the classes that have one.
 */
export function toErrorData(err: unknown): ErrorData {
  if (isCodedError(err)) {
    const d = { code: err.code, argument: err.argument, rule: err.rule, message: err.message };
    if (err instanceof ChunkError) return { ...d, chunk: err.chunk };
    if (err instanceof StateFileError) return { ...d, file: err.file };
    if (err instanceof ObjectiveError) return { ...d, point: err.point.slice() };
    return d;
  }
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
    (d.rule === null || typeof d.rule === 'string') &&
    (d.chunk === undefined || typeof d.chunk === 'number') &&
    (d.file === undefined || typeof d.file === 'string') &&
    (d.point === undefined || (Array.isArray(d.point) && d.point.every((x) => typeof x === 'number')))
  );
}

/**
 * Rebuilds an error of the list from its data (the class of its code, the same message,
 * argument and rule, and the `chunk`, `file` or `point` of the classes that have one).
 *
 * @param d - the data.
 * @returns the error.
 */
export function fromErrorData(d: ErrorData): CodedError {
  // A rule from another thread of the same package is one of the list.
  const details = { argument: d.argument, rule: d.rule as RuleName | null };
  switch (d.code) {
    case 'ERR_CHUNK':
      return new ChunkError(d.message, d.chunk ?? -1);
    case 'ERR_STATE_FILE':
      return new StateFileError(d.message, d.file ?? '', details);
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
      const e = new ObjectiveError(d.argument === 'objective.grad' ? 'grad' : 'f', d.point ?? [], '', '');
      e.message = d.message;
      return e;
    }
    default:
      return new ERROR_CLASSES[d.code](d.message, details);
  }
}
