/**
 * `torch.nn.functional`: softmax, log_softmax, softplus, gumbel_softmax and two losses.
 *
 * @packageDocumentation
 */
import { Rule, TypeError, ValueError } from '../errors.js';
import { Unary } from '../tensor/elementwise.js';
import { Tensor } from '../tensor/tensor.js';
import { mustRecord, record } from '../autograd/node.js';
import { unaryOp } from '../autograd/ops-elementwise.js';
import { unaryData } from '../tensor/elementwise.js';
import { shapesEqual, formatShape } from '../tensor/shape.js';

export { gumbel_softmax } from './gumbel-softmax.js';
export type { GumbelSoftmaxOptions } from './gumbel-softmax.js';

/** How a loss reduces its element-wise values. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of the losses. */
export interface LossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/**
 * @param input - a tensor.
 * @param dim - the dimension.
 * @returns softmax along `dim`.
 */
export function softmax(input: Tensor, dim: number): Tensor {
  return asTensor(input, 'input').softmax(dim);
}

/**
 * @param input - a tensor.
 * @param dim - the dimension.
 * @returns log-softmax along `dim`.
 */
export function log_softmax(input: Tensor, dim: number): Tensor {
  return asTensor(input, 'input').log_softmax(dim);
}

/**
 * `log(1 + e^x)` computed without overflow (PyTorch's default beta 1; its threshold only
 * changes the result below double precision).
 *
 * @param input - a tensor.
 * @returns softplus of every element.
 */
export function softplus(input: Tensor): Tensor {
  const x = asTensor(input, 'input');
  if (mustRecord(x)) return unaryOp(Unary.Softplus, x, 0, 0);
  return new Tensor(unaryData(Unary.Softplus, x.data), x.shape);
}

/**
 * Binary cross-entropy on logits: `max(x, 0) - x t + log(1 + e^-|x|)` per element (stable for
 * any x), reduced. Differentiable in both `input` and `target`.
 *
 * @param input - logits.
 * @param target - targets in [0, 1], same shape as `input`.
 * @param options - `reduction` (default `'mean'`).
 * @returns the loss.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * const F = torch.nn.functional;
 * console.log(F.binary_cross_entropy_with_logits(torch.zeros([2]), torch.ones([2])).item()); // 0.6931471805599453
 * ```
 */
export function binary_cross_entropy_with_logits(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const x = asTensor(input, 'input');
  const t = asTensor(target, 'target');
  sameShape(x, t, 'binary_cross_entropy_with_logits');
  const n = x.data.length;
  const out = new Float64Array(n);
  const xd = x.data;
  const td = t.data;
  for (let i = 0; i < n; i++) {
    const v = xd[i];
    out[i] = (v > 0 ? v : 0) - v * td[i] + Math.log1p(Math.exp(-Math.abs(v)));
  }
  const needX = x._requires_grad;
  const needT = t._requires_grad;
  const elementwise = record(new Tensor(out, x.shape), 'BinaryCrossEntropyWithLogitsBackward0', [x, t], (g) => {
    const gx = needX ? new Float64Array(n) : null;
    const gt = needT ? new Float64Array(n) : null;
    for (let i = 0; i < n; i++) {
      if (gx) gx[i] = g[i] * (1 / (1 + Math.exp(-xd[i])) - td[i]);
      if (gt) gt[i] = -g[i] * xd[i];
    }
    return [gx, gt];
  });
  return reduce(elementwise, options.reduction);
}

/**
 * Mean squared error `(input - target)^2`, reduced.
 *
 * @param input - a tensor.
 * @param target - a tensor of the same shape.
 * @param options - `reduction` (default `'mean'`).
 * @returns the loss.
 */
export function mse_loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const x = asTensor(input, 'input');
  const t = asTensor(target, 'target');
  sameShape(x, t, 'mse_loss');
  return reduce(x.sub(t).pow(2), options.reduction);
}

function reduce(t: Tensor, reduction: Reduction | undefined): Tensor {
  const r = reduction ?? 'mean';
  if (r === 'mean') return t.mean();
  if (r === 'sum') return t.sum();
  if (r === 'none') return t;
  throw new ValueError(`reduction must be 'mean', 'sum' or 'none', but got ${String(reduction)}.`, {
    argument: 'reduction',
    rule: Rule.oneOf,
  });
}

function sameShape(x: Tensor, t: Tensor, fn: string): void {
  // PyTorch warns and broadcasts for mse_loss and raises for BCE; requiring equal shapes avoids silent mistakes.
  if (!shapesEqual(x.shape, t.shape)) {
    throw new ValueError(
      `${fn}: target size ${formatShape(t.shape)} must be the same as input size ${formatShape(x.shape)}.`,
      { argument: 'target', rule: Rule.shape },
    );
  }
}

function asTensor(x: unknown, name: string): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${name} must be a Tensor.`, { argument: name, rule: Rule.tensor });
  return x;
}
