/**
 * `torch.distributions`: the Concrete family and its building blocks.
 *
 * @packageDocumentation
 */
export * as constraints from './constraints.js';
export { Distribution } from './distribution.js';
export { ExpRelaxedCategorical } from './exp-relaxed-categorical.js';
export { RelaxedOneHotCategorical } from './relaxed-one-hot-categorical.js';
export type { SampleShape } from './distribution.js';
export type { ConcreteOptions } from './concrete-params.js';
export type { SampleWithLogProb } from './relaxed-one-hot-categorical.js';
