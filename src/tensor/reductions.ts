/**
 * Reductions and normalisations along one dimension (sum, mean, logsumexp, softmax,
 * log_softmax, argmax), as forward loops over a `(outer, n, inner)` view of the data.
 *
 * @packageDocumentation
 */
import { numelOf } from './shape.js';
import { RangeError, Rule } from '../errors.js';

/** Reductions along one dimension, by code. */
export enum Reduce {
  Sum,
  Mean,
  LogSumExp,
  Argmax,
}

/** A dimension seen as `outer` blocks of `n` entries spaced `inner` apart. */
export interface DimView {
  /** Product of the sizes before the dimension. */
  outer: number;
  /** The dimension's size. */
  n: number;
  /** Product of the sizes after the dimension. */
  inner: number;
}

/**
 * Normalises a dimension index (negative counts from the end), PyTorch's rule and message.
 *
 * @param dim - the dimension.
 * @param ndim - the number of dimensions (a 0-d tensor accepts 0 and -1).
 * @returns the index in `[0, max(ndim, 1))`.
 * @throws RangeError when it is out of range or not an integer.
 */
export function normDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(
      `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${String(dim)}).`,
      { argument: 'dim', rule: Rule.inRange },
    );
  }
  return dim < 0 ? dim + n : dim;
}

/**
 * @param shape - the tensor's shape.
 * @param d - a normalised dimension (0 for a 0-d tensor).
 * @returns the `(outer, n, inner)` view of that dimension.
 */
export function dimView(shape: readonly number[], d: number): DimView {
  if (shape.length === 0) return { outer: 1, n: 1, inner: 1 };
  return { outer: numelOf(shape.slice(0, d)), n: shape[d], inner: numelOf(shape.slice(d + 1)) };
}

/**
 * The shape after reducing dimension `d`.
 *
 * @param shape - the input shape.
 * @param d - a normalised dimension.
 * @param keepdim - keep it with size 1.
 * @returns the result shape.
 */
export function reducedShape(shape: readonly number[], d: number, keepdim: boolean): number[] {
  if (shape.length === 0) return [];
  return keepdim ? shape.map((s, i) => (i === d ? 1 : s)) : shape.filter((_, i) => i !== d);
}

/**
 * Reduces all elements.
 *
 * @param op - the reduction.
 * @param x - the elements.
 * @returns the result.
 */
export function reduceAll(op: Reduce, x: Float64Array): number {
  return reduceDimData(op, x, { outer: 1, n: x.length, inner: 1 })[0];
}

/**
 * Reduces one dimension.
 *
 * @param op - the reduction.
 * @param x - the elements.
 * @param v - the view of the dimension.
 * @returns `outer * inner` results.
 */
export function reduceDimData(op: Reduce, x: Float64Array, v: DimView): Float64Array {
  const { outer, n, inner } = v;
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let r = 0;
      if (op === Reduce.Sum || op === Reduce.Mean) {
        for (let j = 0; j < n; j++) r += x[base + j * inner];
        if (op === Reduce.Mean) r /= n;
      } else if (op === Reduce.LogSumExp) {
        r = lseStrided(x, base, n, inner);
      } else {
        let bv = x[base];
        for (let j = 1; j < n; j++) {
          const e = x[base + j * inner];
          if (bv !== bv) break;
          // NaN counts as largest and the first maximum wins, as in PyTorch.
          if (e > bv || e !== e) {
            r = j;
            bv = e;
          }
        }
      }
      out[o * inner + i] = r;
    }
  }
  return out;
}

/**
 * Max-shifted log-sum-exp of `n` elements spaced `stride` apart.
 *
 * @param x - the elements.
 * @param base - the first one.
 * @param n - how many.
 * @param stride - their spacing.
 * @returns `log(sum(exp(x)))`; `-Infinity` when all are `-Infinity` (or n = 0).
 */
export function lseStrided(x: Float64Array, base: number, n: number, stride: number): number {
  let m = -Infinity;
  for (let j = 0; j < n; j++) {
    const e = x[base + j * stride];
    if (e !== e) return NaN;
    if (e > m) m = e;
  }
  // All -Infinity gives -Infinity, any +Infinity gives +Infinity (not Infinity - Infinity).
  if (m === -Infinity || m === Infinity) return m;
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(x[base + j * stride] - m);
  return m + Math.log(s);
}

/**
 * Softmax (or log-softmax) along one dimension.
 *
 * @param x - the elements.
 * @param v - the view of the dimension.
 * @param log - log-softmax instead of softmax.
 * @returns a new array of the same length.
 */
export function softmaxData(x: Float64Array, v: DimView, log: boolean): Float64Array {
  const { outer, n, inner } = v;
  const out = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const lse = lseStrided(x, base, n, inner);
      for (let j = 0; j < n; j++) {
        const p = base + j * inner;
        out[p] = log ? x[p] - lse : Math.exp(x[p] - lse);
      }
    }
  }
  return out;
}
