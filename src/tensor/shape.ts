/**
 * Shape arithmetic: sizes, strides and NumPy broadcasting.
 *
 * @packageDocumentation
 */
import { Rule, TypeError, ValueError } from '../errors.js';

/** A tensor shape: non-negative integer sizes, outermost first. */
export type Shape = readonly number[];

/**
 * Number of elements of a shape (1 for the 0-d shape `[]`).
 *
 * @param shape - the sizes.
 * @returns their product.
 */
export function numelOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/**
 * Row-major (C order) strides of a contiguous tensor, in elements.
 *
 * @param shape - the sizes.
 * @returns the stride of every dimension.
 */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Whether two shapes are equal.
 *
 * @param a - first shape.
 * @param b - second shape.
 * @returns true when they have the same sizes.
 */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The broadcast of two shapes under NumPy rules, or `null` when they do not broadcast.
 *
 * @param a - first shape.
 * @param b - second shape.
 * @returns the broadcast shape, or null.
 */
export function tryBroadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

/**
 * The broadcast of two shapes under NumPy rules.
 *
 * @param a - first shape.
 * @param b - second shape.
 * @returns the broadcast shape.
 * @throws ValueError when the shapes do not broadcast.
 */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const out = tryBroadcastShapes(a, b);
  if (out === null) {
    throw new ValueError(`Shapes ${formatShape(a)} and ${formatShape(b)} are not broadcastable.`, {
      argument: 'shape',
      rule: Rule.broadcastable,
    });
  }
  return out;
}

/**
 * Whether `from` can be expanded to `to` (every size of `from` equals the aligned size of `to`
 * or is 1; `to` may have extra leading dimensions).
 *
 * @param from - the existing shape.
 * @param to - the target shape.
 * @returns true when `from` broadcasts to exactly `to`.
 */
export function canExpand(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) {
    if (from[i] !== to[i + off] && from[i] !== 1) return false;
  }
  return true;
}

/**
 * Checks a user-given shape: an array of non-negative safe integers.
 *
 * @param shape - the candidate.
 * @param name - the argument name used in the error message.
 * @returns a fresh copy of the shape.
 * @throws TypeError when it is not an array of integers; ValueError for negative sizes.
 */
export function checkShape(shape: unknown, name: string): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(`${name} must be an array of non-negative integers, but got ${describe(shape)}.`, {
      argument: name,
      rule: Rule.array,
    });
  }
  const out: number[] = [];
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d)) {
      throw new TypeError(`${name} must be an array of non-negative integers, but got ${formatShape(shape)}.`, {
        argument: name,
        rule: Rule.nonNegativeInteger,
      });
    }
    if (d < 0)
      throw new ValueError(`${name} must not contain negative sizes, but got ${formatShape(shape)}.`, {
        argument: name,
        rule: Rule.nonNegativeInteger,
      });
    out.push(d);
  }
  return out;
}

/**
 * Formats a shape the way error messages print it, e.g. `[4, 3]`.
 *
 * @param shape - the sizes.
 * @returns the text.
 */
export function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map(String).join(', ')}]`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  return `${typeof v} ${String(v)}`;
}
