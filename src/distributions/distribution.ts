/**
 * The `Distribution` base: shapes, validation flag, and the members every distribution has.
 * Members PyTorch leaves unimplemented throw {@link NotImplementedError} here too.
 *
 * @packageDocumentation
 */
import { NotImplementedError, Rule, TypeError, ValueError } from '../errors.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/create.js';
import type { Constraint } from './constraints.js';

/** What `sample`/`rsample` accept as `sample_shape`: `[]`, a number or an array of sizes. */
export type SampleShape = number | readonly number[];

let defaultValidateArgs = true;

/**
 * Base class of the distributions, following `torch.distributions.Distribution`:
 * `sample_shape ++ batch_shape ++ event_shape` is the shape of a sample.
 */
export abstract class Distribution {
  /** Whether sampling is reparameterised (`rsample` exists). */
  readonly has_rsample: boolean = false;
  protected readonly _batch_shape: number[];
  protected readonly _event_shape: number[];
  protected readonly _validate_args: boolean;

  /**
   * Sets the default of `validate_args` for distributions built afterwards (PyTorch's
   * `Distribution.set_default_validate_args`).
   *
   * @param value - true to validate by default.
   */
  static set_default_validate_args(value: boolean): void {
    if (typeof value !== 'boolean')
      throw new TypeError(`value must be a boolean, but got ${typeof value}.`, {
        argument: 'value',
        rule: Rule.boolean,
      });
    defaultValidateArgs = value;
  }

  /** @returns the current default of `validate_args`. */
  static default_validate_args(): boolean {
    return defaultValidateArgs;
  }

  /**
   * @param batch_shape - shape of the batch of independent distributions.
   * @param event_shape - shape of one draw.
   * @param validate_args - whether to check parameter and value constraints; undefined for the default.
   */
  protected constructor(batch_shape: readonly number[], event_shape: readonly number[], validate_args?: boolean) {
    if (validate_args !== undefined && typeof validate_args !== 'boolean') {
      throw new TypeError(
        `validate_args must be a boolean, but got ${typeof validate_args} ${String(validate_args)}.`,
        { argument: 'validate_args', rule: Rule.boolean },
      );
    }
    this._batch_shape = batch_shape.slice();
    this._event_shape = event_shape.slice();
    this._validate_args = validate_args ?? defaultValidateArgs;
  }

  /** Shape of the batch of independent distributions (a copy). */
  get batch_shape(): number[] {
    return this._batch_shape.slice();
  }

  /** Shape of one draw (a copy). */
  get event_shape(): number[] {
    return this._event_shape.slice();
  }

  /** Whether parameter values and `log_prob` values are checked against their constraints. */
  get validate_args(): boolean {
    return this._validate_args;
  }

  /** Constraints on the parameters, by name. */
  abstract get arg_constraints(): Record<string, Constraint>;

  /** The set the values of the distribution lie in. */
  abstract get support(): Constraint;

  /**
   * A distribution with the same parameters broadcast to a larger batch shape.
   *
   * @param batch_shape - the new batch shape.
   */
  abstract expand(batch_shape: readonly number[]): Distribution;

  /**
   * Draws without gradient tracking (here: the same draws as `rsample`).
   *
   * @param sample_shape - leading sample dimensions.
   * @returns a tensor of shape `sample_shape ++ batch_shape ++ event_shape`.
   */
  sample(sample_shape: SampleShape = []): Tensor {
    return this.rsample(sample_shape);
  }

  /**
   * Reparameterised draws.
   *
   * @param sample_shape - leading sample dimensions.
   * @returns a tensor of shape `sample_shape ++ batch_shape ++ event_shape`.
   */
  rsample(sample_shape: SampleShape = []): Tensor {
    void sample_shape;
    throw new NotImplementedError(`${this.constructor.name} does not implement rsample.`, {
      argument: 'rsample',
      rule: Rule.notImplemented,
    });
  }

  /**
   * Log-density of `value`.
   *
   * @param value - a tensor whose last dimensions match `event_shape`.
   */
  log_prob(value: TensorLike): Tensor {
    void value;
    throw new NotImplementedError(`${this.constructor.name} does not implement log_prob.`, {
      argument: 'log_prob',
      rule: Rule.notImplemented,
    });
  }

  /** Mean of each batch element. */
  get mean(): Tensor {
    throw new NotImplementedError(`${this.constructor.name} does not implement mean.`, {
      argument: 'mean',
      rule: Rule.notImplemented,
    });
  }

  /** Mode of each batch element. */
  get mode(): Tensor {
    throw new NotImplementedError(`${this.constructor.name} does not implement mode.`, {
      argument: 'mode',
      rule: Rule.notImplemented,
    });
  }

  /** Variance of each batch element. */
  get variance(): Tensor {
    throw new NotImplementedError(`${this.constructor.name} does not implement variance.`, {
      argument: 'variance',
      rule: Rule.notImplemented,
    });
  }

  /** Standard deviation: the square root of `variance`. */
  get stddev(): Tensor {
    return this.variance.sqrt();
  }

  /** Not implemented (as in PyTorch for this family). */
  entropy(): Tensor {
    throw new NotImplementedError(`${this.constructor.name} does not implement entropy.`, {
      argument: 'entropy',
      rule: Rule.notImplemented,
    });
  }

  /** Not implemented (as in PyTorch for this family). @param value - unused. */
  cdf(value: TensorLike): Tensor {
    void value;
    throw new NotImplementedError(
      `${this.constructor.name} does not implement cdf: a distribution on the simplex has no scalar CDF.`,
      { argument: 'cdf', rule: Rule.notImplemented },
    );
  }

  /** Not implemented (as in PyTorch for this family). @param value - unused. */
  icdf(value: TensorLike): Tensor {
    void value;
    throw new NotImplementedError(
      `${this.constructor.name} does not implement icdf: a distribution on the simplex has no scalar inverse CDF.`,
      { argument: 'icdf', rule: Rule.notImplemented },
    );
  }

  /** Not implemented: the support is continuous. @param expand - unused. */
  enumerate_support(expand = true): Tensor {
    void expand;
    throw new NotImplementedError(
      `${this.constructor.name} does not implement enumerate_support: its support is continuous.`,
      { argument: 'enumerate_support', rule: Rule.notImplemented },
    );
  }

  /**
   * `sample_shape ++ batch_shape ++ event_shape`.
   *
   * @param sample_shape - leading sample dimensions.
   * @returns the full shape of a draw.
   */
  protected _extended_shape(sample_shape: SampleShape = []): number[] {
    return [...normalizeSampleShape(sample_shape), ...this._batch_shape, ...this._event_shape];
  }
}

/**
 * Reads a `sample_shape` argument: `[]`, a non-negative integer, or an array of them.
 *
 * @param sample_shape - the argument.
 * @returns the sizes.
 * @throws TypeError for other types; ValueError for negative or non-integer sizes.
 */
export function normalizeSampleShape(sample_shape: SampleShape): number[] {
  const arr = typeof sample_shape === 'number' ? [sample_shape] : sample_shape;
  if (!Array.isArray(arr)) {
    throw new TypeError(`sample_shape must be a number or an array of numbers, but got ${typeof sample_shape}.`, {
      argument: 'sample_shape',
      rule: Rule.array,
    });
  }
  for (const d of arr) {
    if (typeof d !== 'number') {
      throw new TypeError(`sample_shape must contain only numbers, but got ${formatShape(arr)}.`, {
        argument: 'sample_shape',
        rule: Rule.number,
      });
    }
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ValueError(`sample_shape must contain non-negative integers, but got ${formatShape(arr)}.`, {
        argument: 'sample_shape',
        rule: Rule.nonNegativeInteger,
      });
    }
  }
  return arr.slice();
}
