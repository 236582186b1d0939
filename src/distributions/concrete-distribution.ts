/**
 * What `ExpRelaxedCategorical` and `RelaxedOneHotCategorical` share: parameters, their
 * accessors, log-space sampling and the log-density kernel call.
 *
 * @packageDocumentation
 */
import { defaultGenerator, type TensorLike, tensor } from '../tensor/create.js';
import { numelOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { gumbelToConcreteRows } from '../kernels/relaxed-sample.js';
import { fillGumbelNoise } from '../kernels/wasm/in-process-draws.js';
import { wasmLogProbRows } from '../kernels/wasm/kernels.js';
import { type Constraint, positive, real_vector, simplex } from './constraints.js';
import { Distribution, type SampleShape, normalizeSampleShape } from './distribution.js';
import {
  type ConcreteOptions,
  type ConcreteParams,
  buildConcreteParams,
  expandConcreteParamsChecked,
  readConcreteArgs,
} from './concrete-params.js';
import { formatShape } from '../tensor/shape.js';
import { planLogProb } from './log-prob-plan.js';
import { recordLogProb } from './concrete-grad.js';
import { no_grad } from '../autograd/grad-mode.js';
import { Rule, TypeError } from '../errors.js';

/** A draw in log space and, optionally, its exponential. */
export interface ConcreteDraw {
  /** Full shape `sample_shape ++ batch_shape ++ [K]`. */
  shape: number[];
  /** Log-simplex values x. */
  x: Float64Array;
  /** `exp(x)`, when asked for. */
  y: Float64Array | null;
}

/**
 * Base of the two Concrete distributions. Internal: use `ExpRelaxedCategorical` or
 * `RelaxedOneHotCategorical`.
 */
export abstract class ConcreteDistribution extends Distribution {
  override readonly has_rsample = true;
  /** @internal validated, normalised parameters. */
  readonly _params: ConcreteParams;

  /**
   * @param temperature - a number or batch-shaped tensor of positive finite temperatures.
   * @param probsOrOptions - an options object `{ probs | logits, validate_args }`, or the
   *   probabilities in PyTorch's positional order `(temperature, probs, logits, validate_args)`.
   * @param logitsOrParams - the logits (positional form), or already-built parameters after an
   *   options object (used by `expand` and the engine), skipping validation.
   * @param validateArgs - `validate_args` in the positional form.
   */
  protected constructor(
    temperature: TensorLike,
    probsOrOptions?: ConcreteOptions | TensorLike | null,
    logitsOrParams?: TensorLike | ConcreteParams | null,
    validateArgs?: boolean,
  ) {
    const { options, params } = readConcreteArgs(probsOrOptions, logitsOrParams, validateArgs);
    const validate = options.validate_args;
    const p =
      params ??
      buildConcreteParams(temperature, options, validate ?? Distribution.default_validate_args(), new.target.name);
    super(p.batchShape, [p.K], validate);
    this._params = p;
  }

  /**
   * Draws without recording a graph (as PyTorch's `sample`).
   *
   * @param sample_shape - leading sample dimensions.
   * @returns a tensor of shape `sample_shape ++ batch_shape ++ [K]`.
   */
  override sample(sample_shape: SampleShape = []): Tensor {
    return no_grad(() => this.rsample(sample_shape));
  }

  /**
   * PyTorch's `Distribution.__repr__`: the class name and each parameter, its value when it has
   * one element, else its size.
   *
   * @returns e.g. `RelaxedOneHotCategorical(temperature: tensor(0.5), logits: torch.Size([3]))`.
   */
  override toString(): string {
    const p = this._params;
    const show = (t: Tensor): string => (t.numel() === 1 ? String(t) : `torch.Size(${formatShape(t.shape)})`);
    const param = p.probs !== null ? `probs: ${show(p.probs)}` : `logits: ${show(p.logits)}`;
    return `${this.constructor.name}(temperature: ${show(p.temperature)}, ${param})`;
  }

  /**
   * Builds an instance of this distribution's own class (a subclass stays a subclass, as
   * PyTorch's `_get_checked_instance`) around expanded parameters, without running a subclass
   * constructor.
   *
   * @param make - builds a base-class instance from the parameters.
   * @param batch_shape - the new batch shape.
   * @returns the expanded distribution.
   */
  protected _expandAs<D extends ConcreteDistribution>(
    make: (p: ConcreteParams) => D,
    batch_shape: readonly number[],
  ): this {
    const inst = make(expandConcreteParamsChecked(this._params, batch_shape));
    Object.setPrototypeOf(inst, Object.getPrototypeOf(this));
    return inst as unknown as this;
  }

  /** The temperature as a tensor, in the shape it was given (batch-shaped). */
  get temperature(): Tensor {
    return this._params.temperature;
  }

  /** Normalised logits (`logits - logsumexp(logits)`, or `log(clamp(probs))`). */
  get logits(): Tensor {
    return this._params.logits;
  }

  /** Normalised probabilities (`probs / sum`, or `softmax(logits)`). */
  get probs(): Tensor {
    if (this._params.probs !== null) return this._params.probs;
    return this._params.logits.exp();
  }

  /** `{ probs: Simplex(), logits: IndependentConstraint(Real(), 1), temperature: GreaterThan(lower_bound=0.0) }`. */
  get arg_constraints(): Record<string, Constraint> {
    return { probs: simplex, logits: real_vector, temperature: positive };
  }

  /**
   * Draws in log space: x = s - LSE(s), s = (logits + Gumbel) / temperature.
   *
   * @param sample_shape - leading sample dimensions.
   * @param withExp - also return exp(x).
   * @returns the draw.
   */
  protected _draw(sample_shape: SampleShape, withExp: boolean): ConcreteDraw {
    const shape = this._extended_shape(normalizeSampleShape(sample_shape));
    const K = this._params.K;
    const x = new Float64Array(numelOf(shape));
    const y = withExp ? new Float64Array(x.length) : null;
    fillGumbelNoise(defaultGenerator, x);
    const period = this._params.rowTemperature.length;
    gumbelToConcreteRows(x.length / K, K, 0, period, this._params.rowLogits, this._params.rowTemperature, x, 0, y, 0);
    return { shape, x, y };
  }

  /**
   * Evaluates the density formula on a shape-checked value.
   *
   * Records the backward node when the value or the parameters require grad.
   *
   * @param value - the value tensor (shapes are checked here; the support by the caller).
   * @param logSpace - whether the value holds logarithms.
   * @param jacobian - 1 for the simplex density, 0 for the log-simplex density.
   * @returns the log-densities, shape `broadcast(value.shape[:-1], batch_shape)`.
   */
  protected _logDensity(value: Tensor, logSpace: boolean, jacobian: number): Tensor {
    const plan = planLogProb(value, this._params);
    const K = this._params.K;
    const out = new Float64Array(plan.rows);
    // The same kernel the engine's workers run, so engine.logProb equals this bit for bit.
    wasmLogProbRows(
      plan.rows,
      K,
      0,
      plan.period,
      plan.logits,
      plan.temperature,
      plan.constants,
      plan.values,
      0,
      logSpace,
      jacobian,
      out,
      0,
    );
    return recordLogProb(this._params, {
      out: new Tensor(out, plan.resultShape),
      value,
      values: plan.values,
      resultShape: plan.resultShape,
      period: plan.period,
      logits: plan.logits,
      temperature: plan.temperature,
      logSpace,
      jacobian,
    });
  }

  /**
   * Reads a `log_prob` argument into a tensor (PyTorch requires a Tensor; nested arrays and
   * numbers are read as `torch.tensor` would read them).
   *
   * @param value - the argument.
   * @returns the tensor (not copied when it already is one).
   */
  protected _asValue(value: TensorLike): Tensor {
    if (value instanceof Tensor) return value;
    if (typeof value !== 'number' && !Array.isArray(value) && !(value instanceof Float64Array)) {
      throw new TypeError('The value argument to log_prob must be a Tensor, nested arrays of numbers or a number.', {
        argument: 'value',
        rule: Rule.tensorLike,
      });
    }
    return tensor(value, 'value');
  }
}
