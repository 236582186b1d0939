/**
 * Differentiable layout operations: views (reshape, unsqueeze, squeeze, clone), transpose,
 * expand, select, and `torch.cat` / `torch.stack`.
 *
 * @packageDocumentation
 */
import { Rule, TypeError, ValueError } from '../errors.js';
import { broadcastData, sumToShape } from '../tensor/elementwise.js';
import { catData, selectData, transposeData } from '../tensor/layout.js';
import { dimView, normDim, reducedShape } from '../tensor/reductions.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './node.js';

/**
 * @param x - the input.
 * @param shape - the new shape (same element count).
 * @param copy - copy the data (clone) instead of sharing it.
 * @returns the view or copy, recorded; the gradient is passed through unchanged.
 */
export function viewOp(x: Tensor, shape: number[], copy: boolean): Tensor {
  const out = new Tensor(copy ? x.data.slice() : x.data, shape);
  return record(out, copy ? 'CloneBackward0' : 'ViewBackward0', [x], (g) => [g]);
}

/**
 * @param x - the input.
 * @param d0 - a normalised dimension.
 * @param d1 - another one.
 * @returns the transposed copy, recorded.
 */
export function transposeOp(x: Tensor, d0: number, d1: number): Tensor {
  const s = x.shape.slice();
  s[d0] = x.shape[d1];
  s[d1] = x.shape[d0];
  const out = new Tensor(transposeData(x.data, x.shape, d0, d1), s);
  return record(out, 'TransposeBackward0', [x], (g) => [transposeData(g, s, d0, d1)]);
}

/**
 * @param x - the input.
 * @param shape - a shape `x` broadcasts to.
 * @returns the broadcast copy, recorded; the gradient is summed back.
 */
export function expandOp(x: Tensor, shape: number[]): Tensor {
  const out = new Tensor(shapesEqual(x.shape, shape) ? x.data.slice() : broadcastData(x.data, x.shape, shape), shape);
  const from = x.shape;
  return record(out, 'ExpandBackward0', [x], (g) => [sumToShape(g, shape, from).slice()]);
}

/**
 * @param x - the input.
 * @param d - a normalised dimension.
 * @param index - a normalised index.
 * @returns the slice, recorded.
 */
export function selectOp(x: Tensor, d: number, index: number): Tensor {
  const v = dimView(x.shape, d);
  const slab = new Float64Array(v.outer * v.inner);
  selectData(x.data, v.outer, v.n, v.inner, index, slab, false);
  const len = x.data.length;
  return record(new Tensor(slab, reducedShape(x.shape, d, false)), 'SelectBackward0', [x], (g) => {
    const gx = new Float64Array(len);
    selectData(gx, v.outer, v.n, v.inner, index, g, true);
    return [gx];
  });
}

/**
 * `torch.cat`: joins tensors along an existing dimension.
 *
 * @param tensors - tensors of equal shape except along `dim`.
 * @param dim - the dimension (default 0).
 * @returns the concatenation, recorded.
 * @throws ValueError naming the shapes when they do not match.
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ValueError('cat: tensors must be a non-empty array of Tensors.', {
      argument: 'tensors',
      rule: Rule.nonEmpty,
    });
  }
  for (const t of tensors)
    if (!(t instanceof Tensor))
      throw new TypeError('cat: every element of tensors must be a Tensor.', {
        argument: 'tensors',
        rule: Rule.tensor,
      });
  const first = tensors[0].shape;
  if (first.length === 0)
    throw new ValueError('cat: zero-dimensional tensor cannot be concatenated.', {
      argument: 'tensors',
      rule: Rule.dimensions,
    });
  const d = normDim(dim, first.length);
  for (const t of tensors) {
    const ok = t.shape.length === first.length && t.shape.every((s: number, i: number) => i === d || s === first[i]);
    if (!ok) {
      throw new ValueError(
        `cat: sizes of tensors must match except in dimension ${d}, but got shapes ${formatShape(first)} and ${formatShape(t.shape)}.`,
        { argument: 'tensors', rule: Rule.shape },
      );
    }
  }
  const sizes = tensors.map((t) => t.shape[d]);
  const shape = first.slice();
  shape[d] = sizes.reduce((a, b) => a + b, 0);
  const v = dimView(shape, d);
  const whole = new Float64Array(v.outer * v.n * v.inner);
  catData(
    tensors.map((t) => t.data),
    sizes,
    v.outer,
    v.inner,
    whole,
    false,
  );
  return record(new Tensor(whole, shape), 'CatBackward0', tensors, (g) => {
    const parts = tensors.map((t) => new Float64Array(t.data.length));
    catData(parts, sizes, v.outer, v.inner, g, true);
    return parts;
  });
}

/**
 * `torch.stack`: joins tensors of one shape along a new dimension.
 *
 * @param tensors - tensors of equal shape.
 * @param dim - where the new dimension goes (default 0).
 * @returns the stacked tensor, recorded.
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ValueError('stack: tensors must be a non-empty array of Tensors.', {
      argument: 'tensors',
      rule: Rule.nonEmpty,
    });
  }
  for (const t of tensors) {
    if (!(t instanceof Tensor))
      throw new TypeError('stack: every element of tensors must be a Tensor.', {
        argument: 'tensors',
        rule: Rule.tensor,
      });
    if (!shapesEqual(t.shape, tensors[0].shape)) {
      throw new ValueError(
        `stack expects each tensor to be equal size, but got ${formatShape(tensors[0].shape)} and ${formatShape(t.shape)}.`,
        { argument: 'tensors', rule: Rule.shape },
      );
    }
  }
  const d = normDim(dim, tensors[0].shape.length + 1);
  return cat(
    tensors.map((t) => t.unsqueeze(d)),
    d,
  );
}
