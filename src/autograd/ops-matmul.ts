/**
 * Differentiable `matmul` (1-D, 2-D, batched with broadcast batch dimensions):
 * `dA = dC B^T`, `dB = A^T dC`, summed over broadcast batch dimensions.
 *
 * @packageDocumentation
 */
import { sumToShape } from '../tensor/elementwise.js';
import { batchCount, batchedMatmul, planMatmul, toBatch } from '../tensor/linalg.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './node.js';

/**
 * @param a - the left operand.
 * @param b - the right operand.
 * @returns `a @ b`, recorded.
 */
export function matmulOp(a: Tensor, b: Tensor): Tensor {
  const p = planMatmul(a.shape, b.shape);
  const nb = batchCount(p);
  const ab = toBatch(a.data, p.aShape, p.batch);
  const bb = toBatch(b.data, p.bShape, p.batch);
  const out = new Tensor(batchedMatmul(nb, p.n, p.k, p.m, ab, false, bb, false), p.outShape);
  const needA = a._requires_grad;
  const needB = b._requires_grad;
  return record(out, 'MmBackward0', [a, b], (g) => {
    const fullA = [...p.batch, p.n, p.k];
    const fullB = [...p.batch, p.k, p.m];
    const ga = needA ? sumToShape(batchedMatmul(nb, p.n, p.m, p.k, g, false, bb, true), fullA, p.aShape) : null;
    const gb = needB ? sumToShape(batchedMatmul(nb, p.k, p.n, p.m, ab, true, g, false), fullB, p.bShape) : null;
    return [ga, gb];
  });
}
