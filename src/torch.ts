/**
 * The `torch` namespace: a small Float64 tensor with reverse-mode autograd,
 * `torch.distributions`, `torch.nn` and `torch.optim`, with PyTorch's names so that code ports
 * line by line.
 *
 * @packageDocumentation
 */
import './autograd/register.js';

export { Tensor } from './tensor/tensor.js';
export { tensor, zeros, ones, full, rand, randn, manual_seed, get_rng_state, set_rng_state } from './tensor/create.js';
export {
  dtype,
  float64,
  double,
  float32,
  float,
  float16,
  half,
  bfloat16,
  int64,
  long,
  int32,
  int,
  bool,
} from './tensor/dtype.js';
export { no_grad, enable_grad, is_grad_enabled, set_grad_enabled } from './autograd/grad-mode.js';
export * from './autograd/functional.js';
export { cat, stack } from './autograd/ops-layout.js';
export * as autograd from './autograd/index.js';
export * as distributions from './distributions/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export type { TensorLike, SizeArgs } from './tensor/create.js';
export type { TensorOptions } from './tensor/dtype.js';
export type { NestedArray, GradFn, BackwardOptions } from './tensor/tensor.js';
