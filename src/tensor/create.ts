/**
 * Tensor factories: `tensor`, `zeros`, `ones`, `full`, and the random ones on the in-process
 * generator (`rand`, `randn`, `manual_seed`, `get_rng_state`, `set_rng_state`).
 *
 * @packageDocumentation
 */
import { ValueError } from '../errors.js';
import { MtGenerator } from '../rng/mt-generator.js';
import { checkShape, numelOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

/** Anything `torch.tensor` accepts: nested arrays, a number, a Float64Array (1-d) or a Tensor. */
export type TensorLike = NestedArray | Float64Array | Tensor;

/**
 * Reads nested arrays of numbers (or a number, a Float64Array, a Tensor) into a new tensor.
 *
 * @param value - the data; nested arrays must be rectangular.
 * @param name - the argument name used in error messages.
 * @returns a tensor owning a copy of the data.
 * @throws TypeError for non-numeric entries; ValueError for ragged nesting.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * console.log(torch.tensor([[1, 2, 3]]).shape); // [1, 3]
 * ```
 */
export function tensor(value: TensorLike, name = 'data'): Tensor {
  if (value instanceof Tensor) return value.clone();
  if (value instanceof Float64Array) return new Tensor(value.slice(), [value.length]);
  if (typeof value === 'number') return new Tensor(Float64Array.of(value), []);
  if (!Array.isArray(value)) {
    throw new TypeError(`${name} must be a number, nested arrays of numbers or a Tensor, but got ${typeName(value)}.`);
  }
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const out = new Float64Array(numelOf(shape));
  let k = 0;
  const walk = (v: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof v !== 'number') {
        throw new TypeError(`${name} must contain only numbers, but found ${typeName(v)}.`);
      }
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v)) {
      throw new ValueError(`${name}: expected a sequence of length ${shape[d]} at dim ${d} (got a number).`);
    }
    if (v.length !== shape[d]) {
      throw new ValueError(`${name}: expected a sequence of length ${shape[d]} at dim ${d} (got ${v.length}).`);
    }
    for (const x of v) walk(x, d + 1);
  };
  walk(value, 0);
  return new Tensor(out, shape);
}

/**
 * @param shape - the sizes.
 * @param value - the fill value.
 * @returns a new tensor filled with `value`.
 */
export function full(shape: readonly number[], value: number): Tensor {
  const s = checkShape(shape, 'size');
  return new Tensor(new Float64Array(numelOf(s)).fill(value), s);
}

/** @param shape - the sizes. @returns a tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return full(shape, 0);
}

/** @param shape - the sizes. @returns a tensor of ones. */
export function ones(shape: readonly number[]): Tensor {
  return full(shape, 1);
}

/** The process-wide generator behind `torch.manual_seed`, `torch.rand`, `torch.randn` and `sample`. */
export const defaultGenerator = new MtGenerator();

/**
 * Seeds the in-process generator (MT19937).
 *
 * @param seed - a non-negative safe integer.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * torch.manual_seed(0);
 * const a = torch.rand([2]).tolist();
 * torch.manual_seed(0);
 * console.log(torch.rand([2]).tolist().toString() === a.toString()); // true
 * ```
 */
export function manual_seed(seed: number): void {
  defaultGenerator.seed(seed);
}

/** @returns a copy of the in-process generator state. */
export function get_rng_state(): Uint32Array {
  return defaultGenerator.getState();
}

/** @param new_state - a state from {@link get_rng_state}. */
export function set_rng_state(new_state: Uint32Array): void {
  defaultGenerator.setState(new_state);
}

/**
 * @param shape - the sizes.
 * @returns uniforms on [0, 1) from the in-process generator.
 */
export function rand(shape: readonly number[]): Tensor {
  const s = checkShape(shape, 'size');
  const out = new Float64Array(numelOf(s));
  for (let i = 0; i < out.length; i++) out[i] = defaultGenerator.uniform();
  return new Tensor(out, s);
}

/**
 * @param shape - the sizes.
 * @returns standard normal draws from the in-process generator.
 */
export function randn(shape: readonly number[]): Tensor {
  const s = checkShape(shape, 'size');
  const out = new Float64Array(numelOf(s));
  defaultGenerator.fillNormal(out);
  return new Tensor(out, s);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : `${typeof v} ${String(v)}`;
}
