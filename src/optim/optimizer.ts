/**
 * `torch.optim.Optimizer`: the parameter list, `zero_grad()` and option checks shared by SGD and Adam.
 *
 * @packageDocumentation
 */
import { Rule, TypeError, ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** Base of the optimizers: holds the parameters it updates in place. */
export abstract class Optimizer {
  /** The parameters, in the order given. */
  readonly params: Tensor[];

  /**
   * @param params - tensors that require grad (an iterable, e.g. `module.parameters()`).
   */
  protected constructor(params: Iterable<Tensor>) {
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new TypeError('params must be an array (or iterable) of Tensors.', {
        argument: 'params',
        rule: Rule.array,
      });
    }
    this.params = Array.from(params);
    if (this.params.length === 0)
      throw new ValueError('optimizer got an empty parameter list', { argument: 'params', rule: Rule.nonEmpty });
    for (const p of this.params) {
      if (!(p instanceof Tensor))
        throw new TypeError('params must contain only Tensors.', { argument: 'params', rule: Rule.tensor });
      if (!p.is_leaf) throw new ValueError("can't optimize a non-leaf Tensor", { argument: 'params', rule: Rule.leaf });
    }
  }

  /**
   * Clears the parameters' gradients (sets `.grad` to null, PyTorch's default `set_to_none`).
   */
  zero_grad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Performs one update from the current gradients (parameters without a gradient are skipped). */
  abstract step(): void;
}

/**
 * Checks a numeric option: a finite number at least `min`.
 *
 * @param name - the option's name.
 * @param v - its value.
 * @param min - the smallest allowed value.
 * @param argument - the option as the caller wrote it (`betas.0`), when `name` is PyTorch's wording.
 * @returns the value.
 */
export function checkOption(name: string, v: unknown, min: number, argument = name): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new ValueError(`Invalid ${name}: ${name} must be a finite number >= ${min}, but got ${String(v)}.`, {
      argument: argument,
      rule: Rule.minimum,
    });
  }
  return v;
}
