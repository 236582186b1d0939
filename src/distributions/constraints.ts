/**
 * Constraint objects, as in `torch.distributions.constraints`: each has `check(value)` returning
 * a 0/1 tensor and prints as PyTorch prints it (`Simplex()`), which error messages quote.
 *
 * @packageDocumentation
 */
import { Tensor } from '../tensor/tensor.js';
import { SIMPLEX_SUM_TOLERANCE } from '../kernels/log-prob.js';

export { SIMPLEX_SUM_TOLERANCE };

/** A set of valid values. */
export abstract class Constraint {
  /** Whether the constraint applies per event (last dimensions) rather than per element. */
  readonly event_dim: number = 0;
  /**
   * @param value - the tensor to test.
   * @returns 1 where the value satisfies the constraint, 0 where it does not; the last
   *   `event_dim` dimensions are reduced.
   */
  abstract check(value: Tensor): Tensor;
  /** @returns PyTorch's name for the constraint, e.g. `Simplex()`. */
  abstract toString(): string;
}

/** Real numbers: anything but NaN (PyTorch's `real`; ±Infinity pass). */
export class Real extends Constraint {
  check(value: Tensor): Tensor {
    return mapBool(value, (x) => x === x);
  }
  toString(): string {
    return 'Real()';
  }
}

/** Values strictly greater than `lower_bound`. */
export class GreaterThan extends Constraint {
  /** @param lower_bound - the exclusive lower bound. */
  constructor(readonly lower_bound: number) {
    super();
  }
  check(value: Tensor): Tensor {
    return mapBool(value, (x) => x > this.lower_bound);
  }
  toString(): string {
    return `GreaterThan(lower_bound=${pyFloat(this.lower_bound)})`;
  }
}

/** A base constraint applied to whole events of `reinterpreted_batch_ndims` dimensions. */
export class IndependentConstraint extends Constraint {
  override readonly event_dim: number;
  /**
   * @param base_constraint - the element-wise constraint.
   * @param reinterpreted_batch_ndims - trailing dimensions that form one event.
   */
  constructor(
    readonly base_constraint: Constraint,
    readonly reinterpreted_batch_ndims: number,
  ) {
    super();
    this.event_dim = base_constraint.event_dim + reinterpreted_batch_ndims;
  }
  check(value: Tensor): Tensor {
    let r = this.base_constraint.check(value);
    for (let i = 0; i < this.reinterpreted_batch_ndims; i++) r = allLast(r);
    return r;
  }
  toString(): string {
    return `IndependentConstraint(${this.base_constraint}, ${this.reinterpreted_batch_ndims})`;
  }
}

/** The closed probability simplex: entries `>= 0` and `|sum - 1| < 1e-6` along the last dimension. */
export class Simplex extends Constraint {
  override readonly event_dim = 1;
  check(value: Tensor): Tensor {
    const K = value.shape[value.shape.length - 1] ?? 1;
    const rows = K === 0 ? 0 : value.data.length / K;
    const out = new Float64Array(value.shape.length === 0 ? 1 : numelOfBatch(value.shape));
    for (let r = 0; r < rows; r++) {
      let ok = true;
      let s = 0;
      for (let k = 0; k < K; k++) {
        const x = value.data[r * K + k];
        if (!(x >= 0)) ok = false;
        s += x;
      }
      out[r] = ok && Math.abs(s - 1) < SIMPLEX_SUM_TOLERANCE ? 1 : 0;
    }
    if (K === 0) out.fill(0);
    return new Tensor(out, value.shape.slice(0, -1));
  }
  toString(): string {
    return 'Simplex()';
  }
}

/** `real` */
export const real = new Real();
/** `real_vector`: `IndependentConstraint(Real(), 1)`. */
export const real_vector = new IndependentConstraint(real, 1);
/** `positive`: `GreaterThan(lower_bound=0.0)`. */
export const positive = new GreaterThan(0);
/** `simplex` */
export const simplex = new Simplex();

function mapBool(value: Tensor, f: (x: number) => boolean): Tensor {
  const out = new Float64Array(value.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(value.data[i]) ? 1 : 0;
  return new Tensor(out, value.shape);
}

function allLast(t: Tensor): Tensor {
  if (t.shape.length === 0) return t;
  const K = t.shape[t.shape.length - 1];
  const out = new Float64Array(numelOfBatch(t.shape));
  for (let r = 0; r < out.length; r++) {
    let ok = 1;
    for (let k = 0; k < K; k++) if (t.data[r * K + k] === 0) ok = 0;
    out[r] = ok;
  }
  return new Tensor(out, t.shape.slice(0, -1));
}

function numelOfBatch(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length - 1; i++) n *= shape[i];
  return n;
}

function pyFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}
