/**
 * `torch.autograd`: reverse-mode automatic differentiation (`grad`, `gradcheck`). Importing
 * it registers the recording operations with `Tensor`.
 *
 * @packageDocumentation
 */
import './register.js';

export { grad } from './grad.js';
export { gradcheck } from './gradcheck.js';
export { Node } from './node.js';
export type { GradOptions } from './grad.js';
export type { GradcheckOptions } from './gradcheck.js';
