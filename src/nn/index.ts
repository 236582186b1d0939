/**
 * `torch.nn`: `Linear`, `Module` and `torch.nn.functional`.
 *
 * @packageDocumentation
 */
export * as functional from './functional.js';
export { Module } from './module.js';
export { Linear } from './linear.js';
export type { LinearOptions } from './linear.js';
