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

