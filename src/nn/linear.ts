/**
 * `torch.nn.Linear`: `y = x W^T + b`.
 *
 * @packageDocumentation
 */
import { Rule, ValueError } from '../errors.js';
import { defaultGenerator } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Add a learnable bias (default true). */
  bias?: boolean;
}

/**
 * A fully connected layer. Weight `[out_features, in_features]` and bias `[out_features]` are
 * drawn uniformly in `±1/sqrt(in_features)` from the in-process generator (PyTorch's default
 * initialisation gives the same bounds), weight first, row by row.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * torch.manual_seed(0);
 * const layer = new torch.nn.Linear(3, 2);
 * console.log(layer.forward(torch.ones([5, 3])).shape); // [5, 2]
 * ```
 */
export class Linear extends Module {
  /** `[out_features, in_features]`, requires grad. */
  readonly weight: Tensor;
  /** `[out_features]`, requires grad; null without bias. */
  readonly bias: Tensor | null;

  /**
   * @param in_features - size of each input.
   * @param out_features - size of each output.
   * @param options - `bias` (default true).
   */
  constructor(
    readonly in_features: number,
    readonly out_features: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [name, v] of [
      ['in_features', in_features],
      ['out_features', out_features],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 1)
        throw new ValueError(`${name} must be a positive integer, but got ${String(v)}.`, {
          argument: name,
          rule: Rule.positiveInteger,
        });
    }
    const bound = 1 / Math.sqrt(in_features);
    this.weight = uniform([out_features, in_features], bound);
    this.bias = options.bias === false ? null : uniform([out_features], bound);
  }

  /**
   * @param input - `[..., in_features]`.
   * @returns `[..., out_features]`.
   */
  forward(input: Tensor): Tensor {
    const y = input.matmul(this.weight.transpose(0, 1));
    return this.bias === null ? y : y.add(this.bias);
  }

  /** @returns `[weight, bias]` (or `[weight]`). */
  override parameters(): Tensor[] {
    return this.bias === null ? [this.weight] : [this.weight, this.bias];
  }
}

function uniform(shape: number[], bound: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = (2 * defaultGenerator.uniform() - 1) * bound;
  return new Tensor(d, shape).requires_grad_(true);
}
