/**
 * Element-wise forward loops shared by `Tensor` (no gradient) and the autograd ops: one
 * specialised loop per operation (no per-element closure), broadcasting by NumPy rules.
 *
 * @packageDocumentation
 */
import { broadcastShapes, numelOf, shapesEqual, stridesOf } from './shape.js';

/** Unary operations, by code. */
export enum Unary {
  Exp,
  Log,
  Sqrt,
  Neg,
  Abs,
  Sigmoid,
  Tanh,
  Relu,
  Clamp,
  PowScalar,
  Softplus,
}

/** Binary operations, by code. */
export enum Binary {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
}

/**
 * Applies a unary operation to every element.
 *
 * @param op - the operation.
 * @param x - the input elements.
 * @param p - first parameter (clamp's min, the exponent of a scalar power).
 * @param q - second parameter (clamp's max).
 * @returns a new array.
 */
export function unaryData(op: Unary, x: Float64Array, p = 0, q = 0): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  switch (op) {
    case Unary.Exp:
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      break;
    case Unary.Log:
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      break;
    case Unary.Sqrt:
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      break;
    case Unary.Neg:
      for (let i = 0; i < n; i++) out[i] = -x[i];
      break;
    case Unary.Abs:
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      break;
    case Unary.Sigmoid:
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
      break;
    case Unary.Tanh:
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      break;
    case Unary.Relu:
      // NaN stays NaN, as in PyTorch.
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : x[i] !== x[i] ? x[i] : 0;
      break;
    case Unary.Clamp:
      // p or q may be NaN to mean "no bound"; a NaN input stays NaN.
      for (let i = 0; i < n; i++) {
        let v = x[i];
        if (v < p) v = p;
        if (v > q) v = q;
        out[i] = v;
      }
      break;
    case Unary.PowScalar:
      for (let i = 0; i < n; i++) out[i] = p === 2 ? x[i] * x[i] : Math.pow(x[i], p);
      break;
    case Unary.Softplus:
      // log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
      break;
  }
  return out;
}

/** The result of a broadcast binary operation. */
export interface Broadcast {
  /** The broadcast shape. */
  shape: number[];
  /** `a` at that shape (the original array when no broadcast was needed). */
  a: Float64Array;
  /** `b` at that shape. */
  b: Float64Array;
}

/**
 * Brings two operands to their common shape.
 *
 * @param a - first operand's elements.
 * @param aShape - its shape.
 * @param b - second operand's elements.
 * @param bShape - its shape.
 * @returns both at the broadcast shape.
 * @throws ValueError naming both shapes when they do not broadcast.
 */
export function broadcastPair(
  a: Float64Array,
  aShape: readonly number[],
  b: Float64Array,
  bShape: readonly number[],
): Broadcast {
  const shape = broadcastShapes(aShape, bShape);
  return {
    shape,
    a: shapesEqual(aShape, shape) ? a : broadcastData(a, aShape, shape),
    b: shapesEqual(bShape, shape) ? b : broadcastData(b, bShape, shape),
  };
}

/**
 * Applies a binary operation to operands already at one shape, or to an array and a scalar.
 *
 * @param op - the operation.
 * @param a - first operand.
 * @param b - second operand (same length), or null to use `s` for every element.
 * @param s - the scalar second operand when `b` is null.
 * @returns a new array.
 */
export function binaryData(op: Binary, a: Float64Array, b: Float64Array | null, s = 0): Float64Array {
  const n = a.length;
  const out = new Float64Array(n);
  if (b === null) {
    switch (op) {
      case Binary.Add:
        for (let i = 0; i < n; i++) out[i] = a[i] + s;
        break;
      case Binary.Sub:
        for (let i = 0; i < n; i++) out[i] = a[i] - s;
        break;
      case Binary.Mul:
        for (let i = 0; i < n; i++) out[i] = a[i] * s;
        break;
      case Binary.Div:
        for (let i = 0; i < n; i++) out[i] = a[i] / s;
        break;
      case Binary.Pow:
        for (let i = 0; i < n; i++) out[i] = Math.pow(a[i], s);
        break;
    }
    return out;
  }
  switch (op) {
    case Binary.Add:
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      break;
    case Binary.Sub:
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      break;
    case Binary.Mul:
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      break;
    case Binary.Div:
      for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
      break;
    case Binary.Pow:
      for (let i = 0; i < n; i++) out[i] = Math.pow(a[i], b[i]);
      break;
  }
  return out;
}

/**
 * Copies elements of shape `from` broadcast to shape `to` (row-major).
 *
 * @param src - the elements.
 * @param from - their shape; must broadcast to `to`.
 * @param to - the target shape.
 * @returns a new array of `numel(to)` elements.
 */
export function broadcastData(src: Float64Array, from: readonly number[], to: readonly number[]): Float64Array {
  const n = numelOf(to);
  const out = new Float64Array(n);
  if (n === 0) return out;
  if (src.length === 1) return out.fill(src[0]);
  const nd = to.length;
  const bstr = broadcastStrides(from, to);
  const idx = new Array<number>(nd).fill(0);
  let p = 0;
  for (let o = 0; o < n; o++) {
    out[o] = src[p];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      p += bstr[d];
      if (idx[d] < to[d]) break;
      p -= bstr[d] * to[d];
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * The reverse of {@link broadcastData}: sums elements of shape `from` into shape `to` (the
 * gradient of a broadcast). `to` must broadcast to `from`.
 *
 * @param src - elements of shape `from`.
 * @param from - the broadcast shape.
 * @param to - the smaller shape.
 * @returns a new array of `numel(to)` sums (or `src` itself when the shapes are equal).
 */
export function sumToShape(src: Float64Array, from: readonly number[], to: readonly number[]): Float64Array {
  if (shapesEqual(from, to)) return src;
  const out = new Float64Array(numelOf(to));
  const n = src.length;
  if (out.length === 1) {
    let s = 0;
    for (let i = 0; i < n; i++) s += src[i];
    out[0] = s;
    return out;
  }
  if (n === 0) return out;
  const nd = from.length;
  const bstr = broadcastStrides(to, from);
  const idx = new Array<number>(nd).fill(0);
  let p = 0;
  for (let o = 0; o < n; o++) {
    out[p] += src[o];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      p += bstr[d];
      if (idx[d] < from[d]) break;
      p -= bstr[d] * from[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Strides of `from` aligned to the dimensions of `to`, 0 where `from` is broadcast. */
function broadcastStrides(from: readonly number[], to: readonly number[]): number[] {
  const nd = to.length;
  const src = stridesOf(from);
  const off = nd - from.length;
  const bstr = new Array<number>(nd).fill(0);
  for (let i = 0; i < from.length; i++) bstr[i + off] = from[i] === 1 ? 0 : src[i];
  return bstr;
}
