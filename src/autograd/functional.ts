/**
 * The functional forms of the tensor operations, as `torch.<name>(input, ...)`: each calls the
 * method of the same name (a number `input` is read as a 0-d tensor).
 *
 * @packageDocumentation
 */
import { Tensor } from '../tensor/tensor.js';
import { Rule, TypeError } from '../errors.js';

function t(input: Tensor | number, fn: string): Tensor {
  if (input instanceof Tensor) return input;
  if (typeof input === 'number') return new Tensor(Float64Array.of(input), []);
  throw new TypeError(`${fn}: input must be a Tensor or a number, but got ${typeof input}.`, {
    argument: 'input',
    rule: Rule.tensorLike,
  });
}

/** @param input - a tensor. @param other - tensor or number. @returns input + other. */
export const add = (input: Tensor | number, other: Tensor | number): Tensor => t(input, 'add').add(other);
/** @param input - a tensor. @param other - tensor or number. @returns input - other. */
export const sub = (input: Tensor | number, other: Tensor | number): Tensor => t(input, 'sub').sub(other);
/** @param input - a tensor. @param other - tensor or number. @returns input * other. */
export const mul = (input: Tensor | number, other: Tensor | number): Tensor => t(input, 'mul').mul(other);
/** @param input - a tensor. @param other - tensor or number. @returns input / other. */
export const div = (input: Tensor | number, other: Tensor | number): Tensor => t(input, 'div').div(other);
/** @param input - a tensor. @param exponent - tensor or number. @returns input ** exponent. */
export const pow = (input: Tensor | number, exponent: Tensor | number): Tensor => t(input, 'pow').pow(exponent);
/** @param input - a tensor. @returns -input. */
export const neg = (input: Tensor): Tensor => t(input, 'neg').neg();
/** @param input - a tensor. @returns e^input. */
export const exp = (input: Tensor): Tensor => t(input, 'exp').exp();
/** @param input - a tensor. @returns log(input). */
export const log = (input: Tensor): Tensor => t(input, 'log').log();
/** @param input - a tensor. @returns sqrt(input). */
export const sqrt = (input: Tensor): Tensor => t(input, 'sqrt').sqrt();
/** @param input - a tensor. @returns |input|. */
export const abs = (input: Tensor): Tensor => t(input, 'abs').abs();
/** @param input - a tensor. @returns the logistic function of input. */
export const sigmoid = (input: Tensor): Tensor => t(input, 'sigmoid').sigmoid();
/** @param input - a tensor. @returns tanh(input). */
export const tanh = (input: Tensor): Tensor => t(input, 'tanh').tanh();
/** @param input - a tensor. @returns max(input, 0). */
export const relu = (input: Tensor): Tensor => t(input, 'relu').relu();
/**
 * @param input - a tensor.
 * @param min - lower bound or null.
 * @param max - upper bound or null.
 * @returns input clamped into [min, max].
 */
export const clamp = (input: Tensor, min?: number | null, max?: number | null): Tensor =>
  t(input, 'clamp').clamp(min, max);
/**
 * @param input - a tensor.
 * @param dim - dimension, or omitted for all.
 * @param keepdim - keep it with size 1.
 * @returns the sum.
 */
export const sum = (input: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor =>
  t(input, 'sum').sum(dim, keepdim);
/**
 * @param input - a tensor.
 * @param dim - dimension, or omitted for all.
 * @param keepdim - keep it with size 1.
 * @returns the mean.
 */
export const mean = (input: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor =>
  t(input, 'mean').mean(dim, keepdim);
/**
 * @param input - a tensor.
 * @param dim - the dimension.
 * @param keepdim - keep it with size 1.
 * @returns log(sum(exp(input), dim)).
 */
export const logsumexp = (input: Tensor, dim: number, keepdim = false): Tensor =>
  t(input, 'logsumexp').logsumexp(dim, keepdim);
/** @param input - a tensor. @param dim - the dimension. @returns softmax along dim. */
export const softmax = (input: Tensor, dim: number): Tensor => t(input, 'softmax').softmax(dim);
/** @param input - a tensor. @param dim - the dimension. @returns log-softmax along dim. */
export const log_softmax = (input: Tensor, dim: number): Tensor => t(input, 'log_softmax').log_softmax(dim);
/** @param input - left operand. @param other - right operand. @returns the matrix product. */
export const matmul = (input: Tensor, other: Tensor): Tensor => t(input, 'matmul').matmul(other);
/** @param input - a tensor. @param shape - the new shape. @returns the reshaped tensor. */
export const reshape = (input: Tensor, shape: readonly number[]): Tensor => t(input, 'reshape').reshape(shape);
/** @param input - a tensor. @param dim - the new dimension's place. @returns the unsqueezed tensor. */
export const unsqueeze = (input: Tensor, dim: number): Tensor => t(input, 'unsqueeze').unsqueeze(dim);
/** @param input - a tensor. @param dim - a size-1 dimension, or omitted for all. @returns the squeezed tensor. */
export const squeeze = (input: Tensor, dim?: number): Tensor => t(input, 'squeeze').squeeze(dim);
/** @param input - a tensor. @param dim0 - a dimension. @param dim1 - another. @returns the transposed tensor. */
export const transpose = (input: Tensor, dim0: number, dim1: number): Tensor =>
  t(input, 'transpose').transpose(dim0, dim1);
/** @param input - a tensor. @param dim - the dimension. @param index - the position. @returns the slice. */
export const select = (input: Tensor, dim: number, index: number): Tensor => t(input, 'select').select(dim, index);
/** @param input - a tensor. @returns its data without the graph. */
export const detach = (input: Tensor): Tensor => t(input, 'detach').detach();
/** @param input - a tensor. @param dim - dimension or omitted. @param keepdim - keep it. @returns argmax indices. */
export const argmax = (input: Tensor, dim?: number, keepdim = false): Tensor => t(input, 'argmax').argmax(dim, keepdim);
