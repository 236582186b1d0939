/**
 * The `torch` namespace: a small Float64 tensor and `torch.distributions`, with PyTorch's names
 * so that code ports line by line.
 *
 * @packageDocumentation
 */
export { Tensor } from './tensor/tensor.js';
export { tensor, zeros, ones, full, rand, randn, manual_seed, get_rng_state, set_rng_state } from './tensor/create.js';
export * as distributions from './distributions/index.js';
export type { TensorLike } from './tensor/create.js';
export type { NestedArray } from './tensor/tensor.js';
