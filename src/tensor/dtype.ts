/**
 * `torch.dtype` objects. Tensors here are float64 only: `torch.float64` (alias `torch.double`)
 * is accepted; the other common dtypes exist so that code asking for them is refused by name
 * instead of silently computing in float64.
 *
 * @packageDocumentation
 */
import { Rule, TypeError } from '../errors.js';

/** A data type, printed as PyTorch prints it (`torch.float64`). */
export class dtype {
  /**
   * @param name - the PyTorch name without the `torch.` prefix.
   * @param is_floating_point - whether it is a floating-point type.
   */
  constructor(
    readonly name: string,
    readonly is_floating_point: boolean,
  ) {
    Object.freeze(this);
  }

  /** @returns `torch.<name>`. */
  toString(): string {
    return `torch.${this.name}`;
  }
}

/** 64-bit float: the only dtype of this library's tensors. */
export const float64 = new dtype('float64', true);
/** Alias of {@link float64}, as in PyTorch. */
export const double = float64;
/** Refused: tensors are float64 only. */
export const float32 = new dtype('float32', true);
/** Alias of {@link float32} (refused). */
export const float = float32;
/** Refused: tensors are float64 only. */
export const float16 = new dtype('float16', true);
/** Alias of {@link float16} (refused). */
export const half = float16;
/** Refused: tensors are float64 only. */
export const bfloat16 = new dtype('bfloat16', true);
/** Refused: tensors are float64 only. */
export const int64 = new dtype('int64', false);
/** Alias of {@link int64} (refused). */
export const long = int64;
/** Refused: tensors are float64 only. */
export const int32 = new dtype('int32', false);
/** Alias of {@link int32} (refused). */
export const int = int32;
/** Refused: tensors are float64 only. */
export const bool = new dtype('bool', false);

/** Options of the tensor factories (`torch.tensor`, `zeros`, `ones`, `full`, `rand`, `randn`). */
export interface TensorOptions {
  /** Must be `torch.float64` (or `torch.double`) when given. */
  dtype?: dtype;
  /** Record operations on the new tensor for `backward()` (default false). */
  requires_grad?: boolean;
}

/**
 * Checks factory options: a `dtype`, when the key is present, must be `torch.float64`; other
 * dtypes, strings and `undefined` are refused by name rather than ignored.
 *
 * @param options - the options object (or undefined).
 * @returns the `requires_grad` flag.
 * @throws TypeError for a refused dtype, a non-boolean `requires_grad` or a non-object.
 */
export function readTensorOptions(options: TensorOptions | undefined): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object like { dtype, requires_grad }, but got ${describe(options)}.`, {
      argument: 'options',
      rule: Rule.object,
    });
  }
  if ('dtype' in options && options.dtype !== float64) {
    throw new TypeError(
      `dtype must be torch.float64 (torch.double): relaxed-mc tensors are float64 only, but got ${describe(options.dtype)}.`,
      { argument: 'dtype', rule: Rule.float64 },
    );
  }
  const rg = options.requires_grad;
  if (rg !== undefined && typeof rg !== 'boolean') {
    throw new TypeError(`requires_grad must be a boolean, but got ${describe(rg)}.`, {
      argument: 'requires_grad',
      rule: Rule.boolean,
    });
  }
  return rg === true;
}

function describe(v: unknown): string {
  if (v instanceof dtype) return String(v);
  if (typeof v === 'string') return `the string '${v}'`;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  return typeof v === 'object' ? (Array.isArray(v) ? 'an array' : 'an object') : `${typeof v} ${String(v)}`;
}
