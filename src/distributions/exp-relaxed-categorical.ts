/**
 * `ExpRelaxedCategorical`: the log of a Concrete sample (the "ExpConcrete" of Maddison et al.
 * 2017), the log-space core of `RelaxedOneHotCategorical`.
 *
 * @packageDocumentation
 */
import { ValueError } from '../errors.js';
import type { TensorLike } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Constraint, real_vector } from './constraints.js';
import type { SampleShape } from './distribution.js';
import { ConcreteDistribution } from './concrete-distribution.js';
import { type ConcreteOptions, type ConcreteParams, expandConcreteParams } from './concrete-params.js';
import { checkValueShape } from './log-prob-plan.js';
import { recordDraw } from './concrete-grad.js';

/**
 * Distribution of `x = log y` where `y` is RelaxedOneHotCategorical: values on the manifold
 * `logsumexp(x) = 0`. Working in log space keeps densities finite at temperatures where `y`
 * underflows.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * torch.manual_seed(0);
 * const d = new torch.distributions.ExpRelaxedCategorical(0.01, { logits: [0, 0, 0] });
 * const x = d.rsample();
 * console.log(Number.isFinite(d.log_prob(x).item())); // true
 * ```
 */
export class ExpRelaxedCategorical extends ConcreteDistribution {
  /**
   * @param temperature - a number or a batch-shaped tensor of finite positive temperatures
   *   (one per batch element).
   * @param options - exactly one of `probs` / `logits` (last dimension = categories), and `validate_args`.
   * @param _params - internal (used by `expand`).
   */
  constructor(temperature: TensorLike, options: ConcreteOptions = {}, _params?: ConcreteParams) {
    super(temperature, options, _params);
  }

  /** `IndependentConstraint(Real(), 1)`, as PyTorch declares it. */
  get support(): Constraint {
    return real_vector;
  }

  /**
   * @param batch_shape - the new batch shape (the current one must broadcast to it).
   * @returns the same distribution broadcast to `batch_shape`, temperature included.
   */
  expand(batch_shape: readonly number[]): ExpRelaxedCategorical {
    return new ExpRelaxedCategorical(
      0,
      { validate_args: this._validate_args },
      expandConcreteParamsChecked(this._params, batch_shape),
    );
  }

  /**
   * @param sample_shape - leading sample dimensions (`[]`, a number or an array).
   * @returns log-simplex draws of shape `sample_shape ++ batch_shape ++ [K]`.
   */
  override rsample(sample_shape: SampleShape = []): Tensor {
    const d = this._draw(sample_shape, false);
    return recordDraw(new Tensor(d.x, d.shape), this._params, d.x, null, 'ExpRelaxedCategoricalRsampleBackward0');
  }

  /**
   * Log-density of log-simplex values (spec section 4.1), finite however small `exp(x)` is.
   *
   * @param value - log-simplex values, last dimension K, broadcastable with the batch shape.
   * @returns log-densities of shape `broadcast(value.shape[:-1], batch_shape)`.
   */
  override log_prob(value: TensorLike): Tensor {
    const v = this._asValue(value);
    checkValueShape(v, this._params.K, this._params.batchShape);
    if (this._validate_args) {
      for (let i = 0; i < v.data.length; i++) {
        if (v.data[i] !== v.data[i]) {
          throw new ValueError(
            `Expected value argument (Tensor of shape ${formatShape(v.shape)}) to be within the support (${real_vector}) ` +
              `of the distribution ExpRelaxedCategorical(), but found invalid values:\n${v}`,
          );
        }
      }
    }
    return this._logDensity(v, true, 0);
  }
}

/**
 * {@link expandConcreteParams} after checking the new batch shape.
 *
 * @param p - the parameters.
 * @param batch_shape - the requested batch shape.
 * @returns the expanded parameters.
 */
export function expandConcreteParamsChecked(p: ConcreteParams, batch_shape: readonly number[]): ConcreteParams {
  if (!Array.isArray(batch_shape) || batch_shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new TypeError(`batch_shape must be an array of non-negative integers, but got ${String(batch_shape)}.`);
  }
  const to = batch_shape.slice();
  const off = to.length - p.batchShape.length;
  const ok = off >= 0 && p.batchShape.every((d, i) => d === to[i + off] || d === 1);
  if (!ok) {
    throw new ValueError(
      `expand: the batch shape ${formatShape(p.batchShape)} cannot be expanded to ${formatShape(to)} ` +
        '(each existing size must equal the new one or be 1; new dimensions go in front).',
    );
  }
  return expandConcreteParams(p, to);
}
