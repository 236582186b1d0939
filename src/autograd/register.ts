/**
 * Connects the autograd ops to `Tensor`: importing this module registers the recording
 * versions of the operations and the backward pass (the tensor layer never imports autograd).
 *
 * @packageDocumentation
 */
import { type AutogradBackend, type Tensor, gradState } from '../tensor/tensor.js';
import { outputGradient, runBackward } from './engine.js';
import { binaryOp, unaryOp } from './ops-elementwise.js';
import { expandOp, selectOp, transposeOp, viewOp } from './ops-layout.js';
import { matmulOp } from './ops-matmul.js';
import { reduceOp, softmaxOp } from './ops-reduce.js';

const backend: AutogradBackend = {
  ops: {
    unary: unaryOp,
    binary: binaryOp,
    reduce: reduceOp,
    softmax: softmaxOp,
    matmul: matmulOp,
    view: viewOp,
    transpose: transposeOp,
    expand: expandOp,
    select: selectOp,
  },
  backward(root: Tensor, gradient: Tensor | undefined, retainGraph: boolean): void {
    runBackward([root], [outputGradient(root, gradient)], retainGraph, null);
  },
};

gradState.backend = backend;
