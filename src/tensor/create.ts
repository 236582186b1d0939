/**
 * Tensor factories: `tensor`, `zeros`, `ones`, `full`, and the random ones on the in-process
 * generator (`rand`, `randn`, `manual_seed`, `get_rng_state`, `set_rng_state`).
 *
 * @packageDocumentation
 */
import { Rule, TypeError, ValueError } from '../errors.js';
import { MtGenerator } from '../rng/mt-generator.js';
import { checkShape, numelOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';
import { type TensorOptions, readTensorOptions } from './dtype.js';

/** Anything `torch.tensor` accepts: nested arrays, a number, a Float64Array (1-d) or a Tensor. */
export type TensorLike = NestedArray | Float64Array | Tensor;

/**
 * Reads nested arrays of numbers (or a number, a Float64Array, a Tensor) into a new tensor.
 *
 * @param value - the data; nested arrays must be rectangular.
 * @param options - `{ dtype, requires_grad }` (dtype must be `torch.float64` when given); a
 *   string names the argument in error messages (internal use).
 * @returns a new leaf tensor owning a copy of the data (never attached to a graph).
 * @throws TypeError for non-numeric entries or a refused dtype; ValueError for ragged nesting.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * console.log(torch.tensor([[1, 2, 3]]).shape); // [1, 3]
 * const w = torch.tensor([0.5, 1.5], { requires_grad: true });
 * console.log(w.requires_grad, w.is_leaf); // true true
 * ```
 */
export function tensor(value: TensorLike, options?: TensorOptions | string): Tensor {
  const name = typeof options === 'string' ? options : 'data';
  const rg = typeof options === 'string' ? false : readTensorOptions(options);
  const out = readData(value, name);
  return rg ? out.requires_grad_(true) : out;
}

function readData(value: TensorLike, name: string): Tensor {
  if (value instanceof Tensor) return new Tensor(value.data.slice(), value.shape);
  if (value instanceof Float64Array) return new Tensor(value.slice(), [value.length]);
  if (typeof value === 'number') return new Tensor(Float64Array.of(value), []);
  if (!Array.isArray(value)) {
    throw new TypeError(`${name} must be a number, nested arrays of numbers or a Tensor, but got ${typeName(value)}.`, {
      argument: name,
      rule: Rule.tensorLike,
    });
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
        throw new TypeError(`${name} must contain only numbers, but found ${typeName(v)}.`, {
          argument: name,
          rule: Rule.number,
        });
      }
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v)) {
      throw new ValueError(`${name}: expected a sequence of length ${shape[d]} at dim ${d} (got a number).`, {
        argument: name,
        rule: Rule.shape,
      });
    }
    if (v.length !== shape[d]) {
      throw new ValueError(`${name}: expected a sequence of length ${shape[d]} at dim ${d} (got ${v.length}).`, {
        argument: name,
        rule: Rule.shape,
      });
    }
    for (const x of v) walk(x, d + 1);
  };
  walk(value, 0);
  return new Tensor(out, shape);
}

/** The sizes a factory takes: `zeros(2, 3)`, `zeros([2, 3])`, then optionally the options. */
export type SizeArgs = (number | readonly number[] | TensorOptions | undefined)[];

/**
 * Reads `...size` or `[size]` followed by optional options, as PyTorch's factories take them.
 *
 * @param args - the arguments.
 * @param fn - the factory's name for messages.
 * @returns the checked shape and the `requires_grad` flag.
 */
export function readSizeArgs(args: SizeArgs, fn: string): { shape: number[]; requiresGrad: boolean } {
  let rest = args;
  let options: TensorOptions | undefined;
  const last = args[args.length - 1];
  if (args.length > 0 && (last === undefined || (typeof last === 'object' && !Array.isArray(last)))) {
    options = last as TensorOptions | undefined;
    rest = args.slice(0, -1);
  }
  const requiresGrad = readTensorOptions(options);
  let sizes: unknown = rest;
  if (rest.length === 1 && Array.isArray(rest[0])) sizes = rest[0];
  else if (rest.some((x) => typeof x !== 'number')) {
    throw new TypeError(`${fn}: size must be numbers (${fn}(2, 3)) or one array of numbers (${fn}([2, 3])).`, {
      argument: 'size',
      rule: Rule.array,
    });
  }
  return { shape: checkShape(sizes, 'size'), requiresGrad };
}

function make(data: Float64Array, shape: number[], requiresGrad: boolean): Tensor {
  const t = new Tensor(data, shape);
  return requiresGrad ? t.requires_grad_(true) : t;
}

/**
 * @param size - the sizes: a number or an array.
 * @param fill_value - the fill value.
 * @param options - `{ dtype, requires_grad }`.
 * @returns a new tensor filled with `fill_value`.
 */
export function full(size: number | readonly number[], fill_value: number, options?: TensorOptions): Tensor {
  const { shape, requiresGrad } = readSizeArgs([typeof size === 'number' ? [size] : size, options], 'full');
  if (typeof fill_value !== 'number')
    throw new TypeError(`full: fill_value must be a number, but got ${typeof fill_value}.`, {
      argument: 'fill_value',
      rule: Rule.number,
    });
  return make(new Float64Array(numelOf(shape)).fill(fill_value), shape, requiresGrad);
}

/**
 * @param size - `...sizes` or one array, then optionally `{ dtype, requires_grad }`.
 * @returns a tensor of zeros.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * console.log(torch.zeros(2, 3).shape, torch.zeros([2, 3]).shape); // [2, 3] [2, 3]
 * ```
 */
export function zeros(...size: SizeArgs): Tensor {
  const { shape, requiresGrad } = readSizeArgs(size, 'zeros');
  return make(new Float64Array(numelOf(shape)), shape, requiresGrad);
}

/** @param size - `...sizes` or one array, then optionally `{ dtype, requires_grad }`. @returns a tensor of ones. */
export function ones(...size: SizeArgs): Tensor {
  const { shape, requiresGrad } = readSizeArgs(size, 'ones');
  return make(new Float64Array(numelOf(shape)).fill(1), shape, requiresGrad);
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
 * @param size - `...sizes` or one array, then optionally `{ dtype, requires_grad }`.
 * @returns uniforms on [0, 1) from the in-process generator.
 */
export function rand(...size: SizeArgs): Tensor {
  const { shape, requiresGrad } = readSizeArgs(size, 'rand');
  const out = new Float64Array(numelOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = defaultGenerator.uniform();
  return make(out, shape, requiresGrad);
}

/**
 * @param size - `...sizes` or one array, then optionally `{ dtype, requires_grad }`.
 * @returns standard normal draws from the in-process generator.
 */
export function randn(...size: SizeArgs): Tensor {
  const { shape, requiresGrad } = readSizeArgs(size, 'randn');
  const out = new Float64Array(numelOf(shape));
  defaultGenerator.fillNormal(out);
  return make(out, shape, requiresGrad);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'an object') : `${typeof v} ${String(v)}`;
}
