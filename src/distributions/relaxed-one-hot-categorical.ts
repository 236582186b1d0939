/**
 * `RelaxedOneHotCategorical`: the Concrete / Gumbel-Softmax distribution on the open simplex
 * (Maddison et al. 2017; Jang et al. 2017), with a batch-shaped temperature.
 *
 * @packageDocumentation
 */
import { Rule, ValueError } from '../errors.js';
import { no_grad } from '../autograd/grad-mode.js';
import type { TensorLike } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Constraint, simplex } from './constraints.js';
import type { SampleShape } from './distribution.js';
import { ConcreteDistribution } from './concrete-distribution.js';
import type { ConcreteOptions, ConcreteParams } from './concrete-params.js';
import { ExactStatistics } from './exact-statistics.js';
import { ExpRelaxedCategorical } from './exp-relaxed-categorical.js';
import { checkValueShape } from './log-prob-plan.js';
import { recordDraw, recordDrawLogProb } from './concrete-grad.js';

/** A sample with its log-density computed in log space: `{ value, log_prob }`. */
export interface SampleWithLogProb {
  /** Simplex points, shape `sample_shape ++ batch_shape ++ [K]`. */
  value: Tensor;
  /** Their log-densities, shape `sample_shape ++ batch_shape`; finite even where `value` underflows. */
  log_prob: Tensor;
}

/**
 * The Relaxed One-Hot Categorical distribution: `y = softmax((logits + G) / temperature)` with
 * `G` i.i.d. standard Gumbel. The temperature is batch-shaped: row `i` of a batch uses
 * `temperature[i]` (`batch_shape = broadcast(temperature.shape, param.shape[:-1])`).
 *
 * Differences from PyTorch, on purpose: per-row temperatures; a finite, positive temperature is
 * required; `log_prob` of a value with an exact 0 entry throws (with validation) instead of
 * returning NaN, and `rsample_with_log_prob` gives a log-density that stays finite at any
 * temperature; `mean`, `variance`, `covariance` and `mode` are exact (quadrature).
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * torch.manual_seed(1);
 * const roc = new torch.distributions.RelaxedOneHotCategorical(0.5, { probs: torch.tensor([0.25, 0.25, 0.25, 0.25]) });
 * const z = roc.rsample();
 * console.log(z.shape, roc.log_prob(z).shape); // [ 4 ] []
 * console.log(roc.mean.tolist()); // [ 0.25, 0.25, 0.25, 0.25 ] (up to ~1e-16)
 * ```
 */
export class RelaxedOneHotCategorical extends ConcreteDistribution {
  /** The log-space core: `y = exp(x)`, `x ~ ExpRelaxedCategorical`. */
  readonly base_dist: ExpRelaxedCategorical;
  private stats?: ExactStatistics;

  /**
   * @param temperature - a number or a batch-shaped tensor of finite positive temperatures
   *   (one per batch element).
   * @param probs - an options object `{ probs | logits, validate_args }` (exactly one of probs /
   *   logits; last dimension = categories; validate_args default true), or the probabilities in
   *   PyTorch's positional order `(temperature, probs, logits, validate_args)`.
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
    this.base_dist = new ExpRelaxedCategorical(0, { validate_args: this._validate_args }, this._params);
  }

  /** `Simplex()`. */
  get support(): Constraint {
    return simplex;
  }

  /**
   * @param batch_shape - the new batch shape (the current one must broadcast to it).
   * @returns the same distribution broadcast to `batch_shape`, temperature included, of the
   *   same class as this one (a subclass's constructor is not run), keeping the graph.
   */
  expand(batch_shape: readonly number[]): this {
    return this._expandAs(
      (p) => new RelaxedOneHotCategorical(0, { validate_args: this._validate_args }, p),
      batch_shape,
    );
  }

  /**
   * @param sample_shape - leading sample dimensions (`[]`, a number or an array).
   * @returns points of the open simplex, shape `sample_shape ++ batch_shape ++ [K]`. Differentiable (one fused
   *   backward loop) with respect to the probs/logits and temperature tensors the distribution was built from, when
   *   they require grad.
   */
  override rsample(sample_shape: SampleShape = []): Tensor {
    const d = this._draw(sample_shape, true);
    return recordDraw(
      new Tensor(d.y as Float64Array, d.shape),
      this._params,
      d.x,
      d.y,
      'RelaxedOneHotCategoricalRsampleBackward0',
    );
  }

  /**
   * Draws and evaluates the log-density from the log-space sample, so the density stays
   * finite where entries of the value underflow to 0 (spec section 4.4).
   *
   * @param sample_shape - leading sample dimensions.
   * @returns `{ value, log_prob }`. Both are differentiable (one fused backward loop) with respect to the
   *   probs/logits and temperature tensors the distribution was built from, when they require grad.
   */
  rsample_with_log_prob(sample_shape: SampleShape = []): SampleWithLogProb {
    const d = this._draw(sample_shape, true);
    const y = d.y as Float64Array;
    const value = recordDraw(new Tensor(y, d.shape), this._params, d.x, y, 'RelaxedOneHotCategoricalRsampleBackward0');
    // The density is evaluated without recording, then given its own fused node (through x).
    const lp = no_grad(() => this._logDensity(new Tensor(d.x, d.shape), true, 1));
    return { value, log_prob: recordDrawLogProb(lp, this._params, d.x, y) };
  }

  /**
   * Log-density on the simplex (spec section 4.2), with respect to Lebesgue measure on any
   * K - 1 coordinates. The value is used exactly as given (no renormalisation).
   *
   * @param value - simplex points, last dimension K, broadcastable with the batch shape.
   * @returns log-densities of shape `broadcast(value.shape[:-1], batch_shape)`. Differentiable with respect to the
   *   value and to the probs/logits and temperature tensors, when they require grad.
   * @throws ValueError for a wrong shape; with validation, for a value off the simplex or
   *   with an exact 0 entry (use `rsample_with_log_prob` or `ExpRelaxedCategorical.log_prob`).
   */
  override log_prob(value: TensorLike): Tensor {
    const v = this._asValue(value);
    checkValueShape(v, this._params.K, this._params.batchShape);
    if (this._validate_args) this.checkSupport(v);
    return this._logDensity(v, false, 1);
  }

  /** Exact mean E[y] per batch element (quadrature, cached); a tensor without a graph (not differentiable). */
  override get mean(): Tensor {
    return this.exact().mean();
  }

  /** Exact variance of each coordinate per batch element (quadrature, cached); without a graph. */
  override get variance(): Tensor {
    return this.exact().variance();
  }

  /** Exact covariance matrix per batch element, shape `batch_shape ++ [K, K]`; without a graph. */
  get covariance(): Tensor {
    return this.exact().covariance();
  }

  /**
   * The maximiser of the density when it exists (temperature > K - 1), else NaN; never the
   * one-hot argmax, which is not a mode of this density (spec section 7). A tensor without a graph.
   */
  override get mode(): Tensor {
    return this.exact().mode();
  }

  private exact(): ExactStatistics {
    this.stats ??= new ExactStatistics(this._params);
    return this.stats;
  }

  private checkSupport(v: Tensor): void {
    const ok = simplex.check(v);
    for (let i = 0; i < ok.data.length; i++) if (ok.data[i] === 0) throw offSimplexError(v);
    for (let i = 0; i < v.data.length; i++) if (v.data[i] === 0) throw zeroEntryError(v);
  }
}

/**
 * The error for a `log_prob` value off the simplex (PyTorch's wording).
 *
 * @param v - the value.
 * @returns the error to throw.
 */
export function offSimplexError(v: Tensor): ValueError {
  return new ValueError(
    `Expected value argument (Tensor of shape ${formatShape(v.shape)}) to be within the support (${simplex}) ` +
      `of the distribution RelaxedOneHotCategorical(), but found invalid values:\n${v}`,
    { argument: 'value', rule: Rule.support },
  );
}

/**
 * The error for a `log_prob` value with an exact 0 entry, pointing to the log-space route.
 *
 * @param v - the value.
 * @returns the error to throw.
 */
export function zeroEntryError(v: Tensor): ValueError {
  return new ValueError(
    `The value argument to log_prob has an entry exactly equal to 0 (Tensor of shape ${formatShape(v.shape)}): the ` +
      'density is defined on the open simplex and would be NaN there. For samples whose entries underflow at low ' +
      'temperature, use rsample_with_log_prob(), or keep log-space values and call ExpRelaxedCategorical.log_prob(x) ' +
      '(the simplex density is that minus sum(x)). Pass validate_args: false to get NaN as PyTorch does.',
    { argument: 'value', rule: Rule.openSimplex },
  );
}
