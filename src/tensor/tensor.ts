/**
 * The Float64 tensor: a shape plus a contiguous row-major Float64Array, with PyTorch's
 * operations. Operations on tensors that do not require grad run their forward loop and nothing
 * else; when an input requires grad (and grad mode is on) the call goes to the autograd ops,
 * which the autograd module registers here (the tensor layer does not import it).
 *
 * @packageDocumentation
 */
import { RangeError, Rule, RuntimeError, TypeError, ValueError, bug } from '../errors.js';
import {
  type Shape,
  broadcastShapes,
  canExpand,
  checkShape,
  formatShape,
  numelOf,
  shapesEqual,
  stridesOf,
} from './shape.js';
import { formatTensor } from './format.js';
import { Binary, Unary, binaryData, broadcastData, broadcastPair, unaryData } from './elementwise.js';
import { Reduce, dimView, normDim, reduceAll, reduceDimData, reducedShape, softmaxData } from './reductions.js';
import { batchCount, batchedMatmul, planMatmul, toBatch } from './linalg.js';
import { selectData, transposeData } from './layout.js';
import { type dtype, float64 } from './dtype.js';

export { normDim } from './reductions.js';

/** Nested arrays of numbers, as `torch.tensor` reads them. */
export type NestedArray = number | readonly NestedArray[];

/** The backward node that made a tensor (`tensor.grad_fn`). */
export interface GradFn {
  /** PyTorch-style name, e.g. `MulBackward0`. */
  readonly name: string;
}

/** The differentiable twins of the tensor operations, registered by the autograd module. */
export interface DiffOps {
  /** Element-wise unary operation (`p`, `q`: clamp bounds or the exponent). */
  unary(op: Unary, x: Tensor, p: number, q: number): Tensor;
  /** Broadcast binary operation. */
  binary(op: Binary, a: Tensor, b: Tensor | number): Tensor;
  /** Reduction over one dimension or (dim undefined) all elements. */
  reduce(op: Reduce, x: Tensor, dim: number | undefined, keepdim: boolean): Tensor;
  /** Softmax or log-softmax along a normalised dimension. */
  softmax(x: Tensor, dim: number, log: boolean): Tensor;
  /** `torch.matmul`. */
  matmul(a: Tensor, b: Tensor): Tensor;
  /** Reshape (shared data) or clone (copied). */
  view(x: Tensor, shape: number[], copy: boolean): Tensor;
  /** Swap of two normalised dimensions. */
  transpose(x: Tensor, d0: number, d1: number): Tensor;
  /** Broadcast copy to a checked shape. */
  expand(x: Tensor, shape: number[]): Tensor;
  /** Slice at a normalised index of a normalised dimension. */
  select(x: Tensor, dim: number, index: number): Tensor;
}

/** What the autograd module provides to `Tensor`. */
export interface AutogradBackend {
  /** Recording versions of the operations. */
  readonly ops: DiffOps;
  /** `tensor.backward(gradient, { retain_graph })`. */
  backward(root: Tensor, gradient: Tensor | undefined, retainGraph: boolean): void;
}

/**
 * Grad mode and the registered autograd backend. Internal: use `torch.no_grad` and
 * `torch.is_grad_enabled`.
 */
export const gradState: { enabled: boolean; backend: AutogradBackend | null } = { enabled: true, backend: null };

function backend(): AutogradBackend {
  if (gradState.backend === null) bug('the autograd module is not loaded.');
  return gradState.backend;
}

/** Options of {@link Tensor.backward}. */
export interface BackwardOptions {
  /** Keep the graph's saved values so that it can be differentiated again (default false). */
  retain_graph?: boolean;
}

/**
 * A dense Float64 tensor. `data` is contiguous and row-major and may view a SharedArrayBuffer
 * (tensors returned by the engine do). Every operation also exists as `torch.<name>(tensor, ...)`.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * const t = torch.tensor([[1, 2], [3, 4]]);
 * console.log(t.sum(1).tolist()); // [3, 7]
 * ```
 */
export class Tensor {
  /** Sizes, outermost first; `[]` for a 0-d tensor. */
  readonly shape: number[];
  /**
   * The elements in row-major order. Writing into the data of a tensor that an operation saved
   * for `backward()` cannot be detected and gives wrong gradients: write only into leaves, under
   * `torch.no_grad`, as optimizers do.
   */
  readonly data: Float64Array;
  /** Accumulated gradient of a leaf after `backward()`; null before (or for non-leaves). */
  grad: Tensor | null = null;
  /** The node that made this tensor in a recorded graph; null for leaves. */
  grad_fn: GradFn | null = null;
  /** @internal */
  _requires_grad = false;

  /**
   * Wraps existing storage; does not copy.
   *
   * @param data - `numel(shape)` elements in row-major order.
   * @param shape - the sizes.
   * @throws ValueError when the element count does not match the shape.
   */
  constructor(data: Float64Array, shape: Shape) {
    const s = checkShape(shape, 'shape');
    if (!(data instanceof Float64Array)) {
      throw new TypeError(`Tensor data must be a Float64Array, but got ${Object.prototype.toString.call(data)}.`, {
        argument: 'data',
        rule: Rule.float64,
      });
    }
    if (data.length !== numelOf(s)) {
      throw new ValueError(`Tensor data has ${data.length} elements but shape ${formatShape(s)} needs ${numelOf(s)}.`, {
        argument: 'data',
        rule: Rule.shape,
      });
    }
    this.shape = s;
    this.data = data;
  }

  /** Whether operations on this tensor are recorded for `backward()`. */
  get requires_grad(): boolean {
    return this._requires_grad;
  }

  set requires_grad(flag: boolean) {
    this.requires_grad_(flag);
  }

  /** True for tensors made by the user (not by a recorded operation). */
  get is_leaf(): boolean {
    return this.grad_fn === null;
  }

  /** Always `torch.float64`. */
  get dtype(): dtype {
    return float64;
  }

  /**
   * Sets `requires_grad` in place (leaves only).
   *
   * @param flag - the new flag (default true).
   * @returns this tensor.
   * @throws RuntimeError for a non-leaf asked to stop requiring grad.
   */
  requires_grad_(flag = true): this {
    if (typeof flag !== 'boolean')
      throw new TypeError(`requires_grad must be a boolean, but got ${typeof flag}.`, {
        argument: 'requires_grad',
        rule: Rule.boolean,
      });
    if (this.grad_fn !== null && !flag) {
      throw new RuntimeError(
        'requires_grad_: you can only change requires_grad flags of leaf variables. If you want to use a computed ' +
          "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
        { argument: 'requires_grad', rule: Rule.leaf },
      );
    }
    this._requires_grad = flag;
    return this;
  }

  /**
   * Computes the gradient of this tensor with respect to the graph's leaves and accumulates it
   * into their `.grad` (as PyTorch).
   *
   * @param gradient - the gradient of some scalar with respect to this tensor; may be omitted (or
   *   replaced by the options) for a one-element tensor (taken as 1).
   * @param options - `retain_graph` to keep the graph for another backward pass.
   * @throws RuntimeError when this tensor needs a `gradient`, does not require grad, or the graph
   *   was already freed.
   *
   * @example
   * ```ts
   * import { torch } from 'relaxed-mc';
   * const x = torch.tensor([1, 2, 3], { requires_grad: true });
   * x.pow(2).sum().backward();
   * console.log(x.grad?.tolist()); // [2, 4, 6]
   * ```
   */
  backward(gradient?: Tensor | BackwardOptions | null, options: BackwardOptions = {}): void {
    // `loss.backward({ retain_graph: true })` reads as the options, since a scalar needs no gradient.
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
      return this.backward(undefined, gradient);
    }
    backend().backward(this, gradient ?? undefined, options.retain_graph === true);
  }

  /** @returns a tensor sharing this one's data, cut from the graph (`requires_grad` false). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** @returns the number of elements. */
  numel(): number {
    return this.data.length;
  }

  /** @returns the number of dimensions. */
  dim(): number {
    return this.shape.length;
  }

  /**
   * The size of one dimension, or the whole shape.
   *
   * @param dim - a dimension (negative counts from the end); omit for the shape.
   * @returns the size, or a copy of the shape.
   */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normDim(dim, this.shape.length)];
  }

  /** @returns the elements as nested arrays (a number for a 0-d tensor). */
  tolist(): NestedArray {
    if (this.shape.length === 0) return this.data[0];
    const build = (d: number, off: number, strides: number[]): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[d]; i++) {
        const o = off + i * strides[d];
        out.push(d === this.shape.length - 1 ? this.data[o] : build(d + 1, o, strides));
      }
      return out;
    };
    return build(0, 0, stridesOf(this.shape));
  }

  /** @returns `tolist()`, so `JSON.stringify(t)` gives nested arrays. */
  toJSON(): NestedArray {
    return this.tolist();
  }

  /**
   * @returns the value of a one-element tensor.
   * @throws ValueError when the tensor has more or fewer than one element.
   */
  item(): number {
    if (this.data.length !== 1) {
      throw new ValueError(
        `item() needs a tensor with one element, but this one has shape ${formatShape(this.shape)}.`,
        { argument: 'self', rule: Rule.shape },
      );
    }
    return this.data[0];
  }

  /**
   * The same elements under another shape (shares storage). One size may be -1 (inferred).
   *
   * @param shape - the new sizes.
   * @returns a tensor viewing the same data.
   */
  reshape(shape: readonly number[]): Tensor {
    const s = shape.slice();
    const infer = s.indexOf(-1);
    if (infer !== -1) {
      if (s.indexOf(-1, infer + 1) !== -1)
        throw new ValueError('reshape: only one dimension can be inferred (-1).', {
          argument: 'shape',
          rule: Rule.unique,
        });
      const rest = numelOf(s.filter((_, i) => i !== infer));
      if (rest === 0 || this.data.length % rest !== 0) {
        throw new ValueError(`reshape: shape ${formatShape(shape)} is invalid for input of size ${this.data.length}.`, {
          argument: 'shape',
          rule: Rule.shape,
        });
      }
      s[infer] = this.data.length / rest;
    }
    const checked = checkShape(s, 'shape');
    if (numelOf(checked) !== this.data.length) {
      throw new ValueError(`reshape: shape ${formatShape(shape)} is invalid for input of size ${this.data.length}.`, {
        argument: 'shape',
        rule: Rule.shape,
      });
    }
    return this.viewAs(checked, false);
  }

  /**
   * Alias of {@link Tensor.reshape} (storage is always contiguous here).
   *
   * @param shape - the new sizes.
   * @returns a tensor viewing the same data.
   */
  view(shape: readonly number[]): Tensor {
    return this.reshape(shape);
  }

  /**
   * @param dim - where the new size-1 dimension goes, in `[-dim() - 1, dim()]`.
   * @returns a view with one more dimension.
   */
  unsqueeze(dim: number): Tensor {
    const d = normDim(dim, this.shape.length + 1);
    const s = this.shape.slice();
    s.splice(d, 0, 1);
    return this.viewAs(s, false);
  }

  /**
   * @param dim - the dimension to drop if its size is 1; omit to drop every size-1 dimension.
   * @returns a view without those dimensions.
   */
  squeeze(dim?: number): Tensor {
    if (dim === undefined)
      return this.viewAs(
        this.shape.filter((x) => x !== 1),
        false,
      );
    const d = normDim(dim, this.shape.length);
    if (this.shape.length === 0 || this.shape[d] !== 1) return this.viewAs(this.shape.slice(), false);
    return this.viewAs(
      this.shape.filter((_, i) => i !== d),
      false,
    );
  }

  /** @returns a tensor with its own copy of the data (in the graph, like PyTorch's clone). */
  clone(): Tensor {
    return this.viewAs(this.shape, true);
  }

  /**
   * @param dim0 - a dimension.
   * @param dim1 - another dimension.
   * @returns a copy with the two dimensions swapped.
   */
  transpose(dim0: number, dim1: number): Tensor {
    const d0 = normDim(dim0, this.shape.length);
    const d1 = normDim(dim1, this.shape.length);
    if (this.needsGrad()) return backend().ops.transpose(this, d0, d1);
    const s = this.shape.slice();
    s[d0] = this.shape[d1];
    s[d1] = this.shape[d0];
    return new Tensor(transposeData(this.data, this.shape, d0, d1), s);
  }

  /**
   * Materialises a broadcast of this tensor to `shape` (a copy, unlike PyTorch's view). A size
   * of -1 keeps the existing size.
   *
   * @param shape - the target shape; this tensor's shape must broadcast to it.
   * @returns a new contiguous tensor.
   */
  expand(shape: readonly number[]): Tensor {
    const off = shape.length - this.shape.length;
    const to = checkShape(
      Array.isArray(shape) ? shape.map((s, i) => (s === -1 && i >= off ? this.shape[i - off] : s)) : shape,
      'shape',
    );
    if (!canExpand(this.shape, to)) {
      throw new ValueError(`expand: shape ${formatShape(this.shape)} cannot be expanded to ${formatShape(to)}.`, {
        argument: 'sizes',
        rule: Rule.broadcastable,
      });
    }
    if (this.needsGrad()) return backend().ops.expand(this, to);
    return new Tensor(shapesEqual(this.shape, to) ? this.data.slice() : broadcastData(this.data, this.shape, to), to);
  }

  /**
   * PyTorch's `select`: the slice at `index` along `dim`, which is removed.
   *
   * @param dim - the dimension.
   * @param index - the position along it (negative counts from the end).
   * @returns a copy of the slice.
   */
  select(dim: number, index: number): Tensor {
    if (this.shape.length === 0)
      throw new RangeError('select() cannot be applied to a 0-dim tensor.', {
        argument: 'self',
        rule: Rule.dimensions,
      });
    const d = normDim(dim, this.shape.length);
    const n = this.shape[d];
    if (!Number.isInteger(index) || index < -n || index >= n) {
      throw new RangeError(
        `select(): index ${String(index)} out of range for tensor of size ${formatShape(this.shape)} at dimension ${d}.`,
        { argument: 'index', rule: Rule.inRange },
      );
    }
    const i = index < 0 ? index + n : index;
    if (this.needsGrad()) return backend().ops.select(this, d, i);
    const v = dimView(this.shape, d);
    const out = new Float64Array(v.outer * v.inner);
    selectData(this.data, v.outer, n, v.inner, i, out, false);
    return new Tensor(out, reducedShape(this.shape, d, false));
  }

  /** @returns element-wise e^x. */
  exp(): Tensor {
    return this.unary(Unary.Exp);
  }

  /** @returns element-wise natural logarithm. */
  log(): Tensor {
    return this.unary(Unary.Log);
  }

  /** @returns element-wise square root. */
  sqrt(): Tensor {
    return this.unary(Unary.Sqrt);
  }

  /** @returns element-wise negation. */
  neg(): Tensor {
    return this.unary(Unary.Neg);
  }

  /** @returns element-wise absolute value (gradient 0 at 0, as PyTorch). */
  abs(): Tensor {
    return this.unary(Unary.Abs);
  }

  /** @returns element-wise logistic function 1 / (1 + e^-x). */
  sigmoid(): Tensor {
    return this.unary(Unary.Sigmoid);
  }

  /** @returns element-wise hyperbolic tangent. */
  tanh(): Tensor {
    return this.unary(Unary.Tanh);
  }

  /** @returns element-wise max(x, 0). */
  relu(): Tensor {
    return this.unary(Unary.Relu);
  }

  /**
   * Clamps into `[min, max]`; the gradient passes where `min <= x <= max` (as PyTorch).
   *
   * @param min - lower bound, or null/undefined for none.
   * @param max - upper bound, or null/undefined for none.
   * @returns the clamped tensor.
   */
  clamp(min?: number | null, max?: number | null): Tensor {
    const lo = min ?? null;
    const hi = max ?? null;
    if (lo === null && hi === null)
      throw new ValueError("clamp: at least one of 'min' or 'max' must not be None.", {
        argument: 'min',
        rule: Rule.required,
      });
    for (const [name, v] of [
      ['min', lo],
      ['max', hi],
    ] as const) {
      if (v !== null && typeof v !== 'number')
        throw new TypeError(`clamp: ${name} must be a number, but got ${typeof v}.`, {
          argument: name,
          rule: Rule.number,
        });
    }
    return this.unary(Unary.Clamp, lo ?? -Infinity, hi ?? Infinity);
  }

  /**
   * @param exponent - a number or a tensor (broadcast).
   * @returns this ** exponent.
   */
  pow(exponent: Tensor | number): Tensor {
    if (typeof exponent === 'number') return this.unary(Unary.PowScalar, exponent);
    return this.binary(Binary.Pow, exponent);
  }

  /** @param other - tensor or number, broadcast. @returns this + other. */
  add(other: Tensor | number): Tensor {
    return this.binary(Binary.Add, other);
  }

  /** @param other - tensor or number, broadcast. @returns this - other. */
  sub(other: Tensor | number): Tensor {
    return this.binary(Binary.Sub, other);
  }

  /** @param other - tensor or number, broadcast. @returns this * other. */
  mul(other: Tensor | number): Tensor {
    return this.binary(Binary.Mul, other);
  }

  /** @param other - tensor or number, broadcast. @returns this / other. */
  div(other: Tensor | number): Tensor {
    return this.binary(Binary.Div, other);
  }

  /**
   * Sum of all elements, or along one dimension or several.
   *
   * @param dim - the dimension (or an array of dimensions) to reduce; omit (or null) for all.
   * @param keepdim - keep the reduced dimension with size 1 (default false).
   * @returns the sums.
   */
  sum(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return this.reduce(Reduce.Sum, dim, keepdim);
  }

  /**
   * Mean of all elements, or along one dimension or several.
   *
   * @param dim - the dimension (or an array of dimensions) to reduce; omit (or null) for all.
   * @param keepdim - keep the reduced dimension with size 1 (default false).
   * @returns the means.
   */
  mean(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return this.reduce(Reduce.Mean, dim, keepdim);
  }

  /**
   * Max-shifted log-sum-exp along a dimension.
   *
   * @param dim - the dimension.
   * @param keepdim - keep it with size 1 (default false).
   * @returns `log(sum(exp(x), dim))`.
   */
  logsumexp(dim: number, keepdim = false): Tensor {
    if (typeof dim !== 'number')
      throw new TypeError('logsumexp: dim must be a number.', { argument: 'dim', rule: Rule.number });
    return this.reduce(Reduce.LogSumExp, dim, keepdim);
  }

  /** @param dim - the dimension. @returns softmax along it. */
  softmax(dim: number): Tensor {
    return this.softmaxImpl(dim, false);
  }

  /** @param dim - the dimension. @returns log-softmax along it. */
  log_softmax(dim: number): Tensor {
    return this.softmaxImpl(dim, true);
  }

  /**
   * Matrix product with `torch.matmul`'s rules: 1-D x 1-D is a dot product, 1-D operands are
   * promoted to matrices and the added dimension removed, batch dimensions broadcast.
   *
   * @param other - the right operand.
   * @returns the product.
   */
  matmul(other: Tensor): Tensor {
    if (!(other instanceof Tensor))
      throw new TypeError('matmul: other must be a Tensor.', { argument: 'other', rule: Rule.tensor });
    if (this.needsGrad() || (gradState.enabled && other._requires_grad)) return backend().ops.matmul(this, other);
    const p = planMatmul(this.shape, other.shape);
    const nb = batchCount(p);
    const a = toBatch(this.data, p.aShape, p.batch);
    const b = toBatch(other.data, p.bShape, p.batch);
    return new Tensor(batchedMatmul(nb, p.n, p.k, p.m, a, false, b, false), p.outShape);
  }

  /**
   * Index of the largest element (first on ties; NaN counts as largest, as in PyTorch),
   * over all elements (flat index) or along one dimension. Indices are stored as float64.
   * Not differentiable.
   *
   * @param dim - the dimension to reduce; omit for the flat index.
   * @param keepdim - keep the reduced dimension with size 1 (default false).
   * @returns the indices.
   */
  argmax(dim?: number, keepdim = false): Tensor {
    if (this.data.length === 0)
      throw new ValueError('argmax() of an empty tensor is undefined.', { argument: 'self', rule: Rule.nonEmpty });
    if (dim === undefined) return new Tensor(Float64Array.of(reduceAll(Reduce.Argmax, this.data)), []);
    const d = normDim(dim, this.shape.length);
    return new Tensor(
      reduceDimData(Reduce.Argmax, this.data, dimView(this.shape, d)),
      reducedShape(this.shape, d, keepdim),
    );
  }

  /** @returns a PyTorch-style text of the tensor. */
  toString(): string {
    return formatTensor(this);
  }

  private needsGrad(): boolean {
    return this._requires_grad && gradState.enabled;
  }

  private viewAs(shape: number[], copy: boolean): Tensor {
    if (this.needsGrad()) return backend().ops.view(this, shape, copy);
    return new Tensor(copy ? this.data.slice() : this.data, shape);
  }

  private unary(op: Unary, p = 0, q = 0): Tensor {
    if (this.needsGrad()) return backend().ops.unary(op, this, p, q);
    return new Tensor(unaryData(op, this.data, p, q), this.shape);
  }

  private binary(op: Binary, other: Tensor | number): Tensor {
    if (typeof other === 'number') {
      if (this.needsGrad()) return backend().ops.binary(op, this, other);
      return new Tensor(binaryData(op, this.data, null, other), this.shape);
    }
    if (!(other instanceof Tensor))
      throw new TypeError('The other operand must be a Tensor or a number.', {
        argument: 'other',
        rule: Rule.tensorLike,
      });
    if (gradState.enabled && (this._requires_grad || other._requires_grad))
      return backend().ops.binary(op, this, other);
    if (other.data.length === 1 && other.shape.length <= this.shape.length) {
      return new Tensor(binaryData(op, this.data, null, other.data[0]), broadcastShapes(this.shape, other.shape));
    }
    const bp = broadcastPair(this.data, this.shape, other.data, other.shape);
    return new Tensor(binaryData(op, bp.a, bp.b), bp.shape);
  }

  private reduce(op: Reduce, dim: number | readonly number[] | null | undefined, keepdim: boolean): Tensor {
    if (typeof dim === 'object' && dim !== null) return this.reduceDims(op, dim, keepdim);
    if (this.needsGrad()) return backend().ops.reduce(op, this, dim ?? undefined, keepdim);
    if (dim === undefined || dim === null) {
      const shape = keepdim ? this.shape.map(() => 1) : [];
      return new Tensor(Float64Array.of(reduceAll(op, this.data)), shape);
    }
    const d = normDim(dim, this.shape.length);
    return new Tensor(reduceDimData(op, this.data, dimView(this.shape, d)), reducedShape(this.shape, d, keepdim));
  }

  private reduceDims(op: Reduce, dims: readonly number[], keepdim: boolean): Tensor {
    // One dimension at a time, innermost first (keepdim keeps the other indices valid); a mean
    // of means over equal-sized groups is the mean over their union.
    const ds = dims.map((d) => normDim(d, this.shape.length)).sort((a, b) => b - a);
    if (new Set(ds).size !== ds.length)
      throw new RangeError(`dim ${formatShape(dims)} appears multiple times in the list of dims.`, {
        argument: 'dim',
        rule: Rule.unique,
      });
    let out: Tensor = this;
    for (const d of ds) out = out.reduce(op, d, true);
    if (keepdim) return out;
    return out.viewAs(
      out.shape.filter((_, i) => !ds.includes(i)),
      false,
    );
  }

  private softmaxImpl(dim: number, log: boolean): Tensor {
    const d = normDim(dim, this.shape.length);
    if (this.needsGrad()) return backend().ops.softmax(this, d, log);
    return new Tensor(softmaxData(this.data, dimView(this.shape, d), log), this.shape);
  }
}

/**
 * Copies `t` broadcast to `shape` into a new Float64Array (row-major).
 *
 * @param t - the source tensor; its shape must broadcast to `shape`.
 * @param shape - the target shape.
 * @returns the materialised elements.
 */
export function broadcastTo(t: Tensor, shape: Shape): Float64Array {
  return broadcastData(t.data, t.shape, shape);
}
