/**
 * `ExpRelaxedCategorical`: the log of a Concrete sample (the "ExpConcrete" of Maddison et al.
 * 2017), the log-space core of `RelaxedOneHotCategorical`.
 *
 * @packageDocumentation
 */
import { Rule, ValueError } from '../errors.js';
import type { TensorLike } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Constraint, real_vector } from './constraints.js';
import type { SampleShape } from './distribution.js';
import { ConcreteDistribution } from './concrete-distribution.js';
import type { ConcreteOptions, ConcreteParams } from './concrete-params.js';
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
   * @param probs - an options object `{ probs | logits, validate_args }`, or the probabilities
   *   (PyTorch's positional order `(temperature, probs, logits, validate_args)`).
   * @param logits - the logits in the positional form (internal: parameters after an options object).
   * @param validate_args - in the positional form.
   */
  constructor(
    temperature: TensorLike,
    probs?: ConcreteOptions | TensorLike | null,
    logits?: TensorLike | ConcreteParams | null,
    validate_args?: boolean,
  ) {
    super(temperature, probs, logits, validate_args);
  }

  /** `IndependentConstraint(Real(), 1)`, as PyTorch declares it. */
  get support(): Constraint {
    return real_vector;
  }

  /**
   * @param batch_shape - the new batch shape (the current one must broadcast to it).
   * @returns the same distribution broadcast to `batch_shape`, temperature included, of the
   *   same class as this one (a subclass's constructor is not run), keeping the graph.
   */
  expand(batch_shape: readonly number[]): this {
    return this._expandAs((p) => new ExpRelaxedCategorical(0, { validate_args: this._validate_args }, p), batch_shape);
  }

  /**
   * @param sample_shape - leading sample dimensions (`[]`, a number or an array).
   * @returns log-simplex draws of shape `sample_shape ++ batch_shape ++ [K]`. Differentiable (one fused backward
   *   loop) with respect to the probs/logits and temperature tensors the distribution was built from, when they
   *   require grad.
   */
  override rsample(sample_shape: SampleShape = []): Tensor {
    const d = this._draw(sample_shape, false);
    return recordDraw(new Tensor(d.x, d.shape), this._params, d.x, null, 'ExpRelaxedCategoricalRsampleBackward0');
  }

  /**
   * Log-density of log-simplex values (spec section 4.1), finite however small `exp(x)` is.
   *
   * @param value - log-simplex values, last dimension K, broadcastable with the batch shape.
   * @returns log-densities of shape `broadcast(value.shape[:-1], batch_shape)`. Differentiable with respect to the
   *   value and to the probs/logits and temperature tensors, when they require grad.
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
            { argument: 'value', rule: Rule.support },
          );
        }
      }
    }
    return this._logDensity(v, true, 0);
  }
}
