/**
 * The Float64 tensor: a shape plus a contiguous row-major Float64Array.
 *
 * @packageDocumentation
 */
import { ValueError } from '../errors.js';
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

/** Nested arrays of numbers, as `torch.tensor` reads them. */
export type NestedArray = number | readonly NestedArray[];

/**
 * A dense Float64 tensor. `data` is contiguous and row-major and may view a SharedArrayBuffer
 * (tensors returned by the engine do).
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
  /** The elements in row-major order. */
  readonly data: Float64Array;

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
      throw new TypeError(`Tensor data must be a Float64Array, but got ${Object.prototype.toString.call(data)}.`);
    }
    if (data.length !== numelOf(s)) {
      throw new ValueError(`Tensor data has ${data.length} elements but shape ${formatShape(s)} needs ${numelOf(s)}.`);
    }
    this.shape = s;
    this.data = data;
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

  /**
   * @returns the value of a one-element tensor.
   * @throws ValueError when the tensor has more or fewer than one element.
   */
  item(): number {
    if (this.data.length !== 1) {
      throw new ValueError(
        `item() needs a tensor with one element, but this one has shape ${formatShape(this.shape)}.`,
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
      if (s.indexOf(-1, infer + 1) !== -1) throw new ValueError('reshape: only one dimension can be inferred (-1).');
      const rest = numelOf(s.filter((_, i) => i !== infer));
      if (rest === 0 || this.data.length % rest !== 0) {
        throw new ValueError(`reshape: shape ${formatShape(shape)} is invalid for input of size ${this.data.length}.`);
      }
      s[infer] = this.data.length / rest;
    }
    const checked = checkShape(s, 'shape');
    if (numelOf(checked) !== this.data.length) {
      throw new ValueError(`reshape: shape ${formatShape(shape)} is invalid for input of size ${this.data.length}.`);
    }
    return new Tensor(this.data, checked);
  }

  /** @returns a tensor with its own copy of the data. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /**
   * Materialises a broadcast of this tensor to `shape` (a copy, unlike PyTorch's view).
   *
   * @param shape - the target shape; this tensor's shape must broadcast to it.
   * @returns a new contiguous tensor.
   */
  expand(shape: readonly number[]): Tensor {
    const to = checkShape(shape, 'shape');
    if (!canExpand(this.shape, to)) {
      throw new ValueError(`expand: shape ${formatShape(this.shape)} cannot be expanded to ${formatShape(to)}.`);
    }
    if (shapesEqual(this.shape, to)) return this.clone();
    return new Tensor(broadcastTo(this, to), to);
  }

  /** @returns element-wise e^x. */
  exp(): Tensor {
    return this.map(Math.exp);
  }

  /** @returns element-wise natural logarithm. */
  log(): Tensor {
    return this.map(Math.log);
  }

  /** @returns element-wise square root. */
  sqrt(): Tensor {
    return this.map(Math.sqrt);
  }

  /** @returns element-wise negation. */
  neg(): Tensor {
    return this.map((x) => -x);
  }

  /** @param other - tensor or number, broadcast. @returns this + other. */
  add(other: Tensor | number): Tensor {
    return binary(this, other, (a, b) => a + b);
  }

  /** @param other - tensor or number, broadcast. @returns this - other. */
  sub(other: Tensor | number): Tensor {
    return binary(this, other, (a, b) => a - b);
  }

  /** @param other - tensor or number, broadcast. @returns this * other. */
  mul(other: Tensor | number): Tensor {
    return binary(this, other, (a, b) => a * b);
  }

  /** @param other - tensor or number, broadcast. @returns this / other. */
  div(other: Tensor | number): Tensor {
    return binary(this, other, (a, b) => a / b);
  }

  /**
   * Sum of all elements, or along one dimension (which is removed).
   *
   * @param dim - the dimension to reduce; omit for all.
   * @returns the sums.
   */
  sum(dim?: number): Tensor {
    return this.reduce(dim, (data, off, n, stride) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += data[off + i * stride];
      return s;
    });
  }

  /**
   * Mean of all elements, or along one dimension (which is removed).
   *
   * @param dim - the dimension to reduce; omit for all.
   * @returns the means.
   */
  mean(dim?: number): Tensor {
    return this.reduce(dim, (data, off, n, stride) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += data[off + i * stride];
      return s / n;
    });
  }

  /**
   * Index of the largest element (first on ties; NaN counts as largest, as in PyTorch),
   * over all elements (flat index) or along one dimension. Indices are stored as float64.
   *
   * @param dim - the dimension to reduce; omit for the flat index.
   * @returns the indices.
   */
  argmax(dim?: number): Tensor {
    if (this.data.length === 0) throw new ValueError('argmax() of an empty tensor is undefined.');
    return this.reduce(dim, (data, off, n, stride) => {
      let best = 0;
      let bv = data[off];
      for (let i = 1; i < n; i++) {
        const v = data[off + i * stride];
        if (bv !== bv) break;
        if (v > bv || v !== v) {
          best = i;
          bv = v;
        }
      }
      return best;
    });
  }

  /** @returns a PyTorch-style text of the tensor. */
  toString(): string {
    return formatTensor(this);
  }

  private map(f: (x: number) => number): Tensor {
    const out = new Float64Array(this.data.length);
    for (let i = 0; i < out.length; i++) out[i] = f(this.data[i]);
    return new Tensor(out, this.shape);
  }

  private reduce(
    dim: number | undefined,
    f: (data: Float64Array, off: number, n: number, stride: number) => number,
  ): Tensor {
    if (dim === undefined) return new Tensor(Float64Array.of(f(this.data, 0, this.data.length, 1)), []);
    const d = normDim(dim, this.shape.length);
    const n = this.shape[d];
    const inner = numelOf(this.shape.slice(d + 1));
    const outer = numelOf(this.shape.slice(0, d));
    const out = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) out[o * inner + i] = f(this.data, o * n * inner + i, n, inner);
    }
    return new Tensor(
      out,
      this.shape.filter((_, i) => i !== d),
    );
  }
}

function normDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim}).`);
  }
  return dim < 0 ? dim + n : dim;
}

/**
 * Copies `t` broadcast to `shape` into a new Float64Array (row-major).
 *
 * @param t - the source tensor; its shape must broadcast to `shape`.
 * @param shape - the target shape.
 * @returns the materialised elements.
 */
export function broadcastTo(t: Tensor, shape: Shape): Float64Array {
  const n = numelOf(shape);
  const out = new Float64Array(n);
  if (n === 0) return out;
  const nd = shape.length;
  const src = stridesOf(t.shape);
  const off = nd - t.shape.length;
  const bstr = new Array<number>(nd).fill(0);
  for (let i = 0; i < t.shape.length; i++) bstr[i + off] = t.shape[i] === 1 ? 0 : src[i];
  const idx = new Array<number>(nd).fill(0);
  let p = 0;
  for (let o = 0; o < n; o++) {
    out[o] = t.data[p];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      p += bstr[d];
      if (idx[d] < shape[d]) break;
      p -= bstr[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

function binary(a: Tensor, other: Tensor | number, f: (x: number, y: number) => number): Tensor {
  const b = typeof other === 'number' ? new Tensor(Float64Array.of(other), []) : other;
  if (!(b instanceof Tensor)) throw new TypeError('The other operand must be a Tensor or a number.');
  const shape = broadcastShapes(a.shape, b.shape);
  const x = shapesEqual(a.shape, shape) ? a.data : broadcastTo(a, shape);
  const y = shapesEqual(b.shape, shape) ? b.data : broadcastTo(b, shape);
  const out = new Float64Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x[i], y[i]);
  return new Tensor(out, shape);
}
