/**
 * Layout operations that move elements: transpose, select, concatenation (and their reverse
 * for gradients).
 *
 * @packageDocumentation
 */
import { stridesOf } from './shape.js';

/**
 * Swaps two dimensions, copying into row-major order.
 *
 * @param x - the elements.
 * @param shape - their shape.
 * @param d0 - a normalised dimension.
 * @param d1 - another normalised dimension.
 * @returns the elements of the transposed tensor (shape with `d0` and `d1` swapped).
 */
export function transposeData(x: Float64Array, shape: readonly number[], d0: number, d1: number): Float64Array {
  if (d0 === d1 || shape.length < 2) return x.slice();
  const to = shape.slice();
  to[d0] = shape[d1];
  to[d1] = shape[d0];
  const src = stridesOf(shape);
  const str = src.slice();
  str[d0] = src[d1];
  str[d1] = src[d0];
  const n = x.length;
  const out = new Float64Array(n);
  const nd = to.length;
  const idx = new Array<number>(nd).fill(0);
  let p = 0;
  for (let o = 0; o < n; o++) {
    out[o] = x[p];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      p += str[d];
      if (idx[d] < to[d]) break;
      p -= str[d] * to[d];
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Copies the slab `index` of dimension `d` (or adds into it, for the gradient).
 *
 * @param x - the full tensor's elements.
 * @param outer - product of the sizes before `d`.
 * @param n - the size of `d`.
 * @param inner - product of the sizes after `d`.
 * @param index - the normalised index.
 * @param slab - `outer * inner` elements.
 * @param scatter - false: copy from `x` into `slab`; true: add `slab` into `x`.
 */
export function selectData(
  x: Float64Array,
  outer: number,
  n: number,
  inner: number,
  index: number,
  slab: Float64Array,
  scatter: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    const src = (o * n + index) * inner;
    const dst = o * inner;
    if (scatter) for (let i = 0; i < inner; i++) x[src + i] += slab[dst + i];
    else for (let i = 0; i < inner; i++) slab[dst + i] = x[src + i];
  }
}

/**
 * Concatenates along dimension `d` (or splits, for the gradient).
 *
 * @param parts - the parts' elements.
 * @param sizes - each part's size along `d`.
 * @param outer - product of the sizes before `d`.
 * @param inner - product of the sizes after `d`.
 * @param whole - the concatenation's elements.
 * @param split - false: copy parts into `whole`; true: copy `whole` back into the parts.
 */
export function catData(
  parts: Float64Array[],
  sizes: readonly number[],
  outer: number,
  inner: number,
  whole: Float64Array,
  split: boolean,
): void {
  let total = 0;
  for (const s of sizes) total += s;
  let at = 0;
  for (let q = 0; q < parts.length; q++) {
    const len = sizes[q] * inner;
    const part = parts[q];
    for (let o = 0; o < outer; o++) {
      const w = o * total * inner + at;
      const p = o * len;
      if (split) for (let i = 0; i < len; i++) part[p + i] = whole[w + i];
      else for (let i = 0; i < len; i++) whole[w + i] = part[p + i];
    }
    at += len;
  }
}
