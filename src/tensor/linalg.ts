/**
 * Matrix products: `matmul`'s shape rules (1-D, 2-D and batched with broadcast batch
 * dimensions, as `torch.matmul`) and the batched product loop.
 *
 * @packageDocumentation
 */
import { Rule, ValueError } from '../errors.js';
import { broadcastData } from './elementwise.js';
import { formatShape, numelOf, shapesEqual, tryBroadcastShapes } from './shape.js';

/** How a `matmul` call maps onto a batched `[batch, n, k] x [batch, k, m]` product. */
export interface MatmulPlan {
  /** Shape of the result. */
  outShape: number[];
  /** Broadcast batch shape. */
  batch: number[];
  /** Rows of the left matrix. */
  n: number;
  /** The contracted size. */
  k: number;
  /** Columns of the right matrix. */
  m: number;
  /** The left operand's shape as a batched matrix (`[..., n, k]`). */
  aShape: number[];
  /** The right operand's shape as a batched matrix (`[..., k, m]`). */
  bShape: number[];
}

/**
 * Plans `matmul(a, b)`.
 *
 * @param aShape - left shape (at least 1-D).
 * @param bShape - right shape (at least 1-D).
 * @returns the plan.
 * @throws ValueError naming both shapes when they cannot be multiplied.
 */
export function planMatmul(aShape: readonly number[], bShape: readonly number[]): MatmulPlan {
  if (aShape.length === 0 || bShape.length === 0) {
    throw new ValueError(
      `matmul: both arguments need at least 1 dimension, but got shapes ${formatShape(aShape)} and ${formatShape(bShape)}.`,
      { argument: 'other', rule: Rule.dimensions },
    );
  }
  const a = aShape.length === 1 ? [1, aShape[0]] : aShape.slice();
  const b = bShape.length === 1 ? [bShape[0], 1] : bShape.slice();
  const n = a[a.length - 2];
  const k = a[a.length - 1];
  const m = b[b.length - 1];
  const batch = tryBroadcastShapes(a.slice(0, -2), b.slice(0, -2));
  if (k !== b[b.length - 2] || batch === null) {
    throw new ValueError(
      `matmul: shapes ${formatShape(aShape)} and ${formatShape(bShape)} cannot be multiplied ` +
        '(the last size of the first must equal the second-to-last of the second, and batch dimensions must broadcast).',
      { argument: 'other', rule: Rule.shape },
    );
  }
  const outShape = [...batch];
  if (aShape.length > 1) outShape.push(n);
  if (bShape.length > 1) outShape.push(m);
  return { outShape, batch, n, k, m, aShape: a, bShape: b };
}

/**
 * Materialises an operand at the plan's batch shape, when it is broadcast.
 *
 * @param x - the operand's elements.
 * @param shape - its shape as a batched matrix.
 * @param batch - the broadcast batch shape.
 * @returns the elements at `batch ++ shape[-2:]`.
 */
export function toBatch(x: Float64Array, shape: readonly number[], batch: readonly number[]): Float64Array {
  const full = [...batch, ...shape.slice(-2)];
  return shapesEqual(shape, full) ? x : broadcastData(x, shape, full);
}

/**
 * Batched product `out[b] = op(A[b]) * op(B[b])`, where op transposes when asked.
 *
 * @param nb - number of batches.
 * @param n - rows of the result.
 * @param k - the contracted size.
 * @param m - columns of the result.
 * @param a - left matrices (`n x k`, or `k x n` stored when `ta`).
 * @param ta - whether the stored left matrices are transposed.
 * @param b - right matrices (`k x m`, or `m x k` stored when `tb`).
 * @param tb - whether the stored right matrices are transposed.
 * @returns `nb * n * m` elements.
 */
export function batchedMatmul(
  nb: number,
  n: number,
  k: number,
  m: number,
  a: Float64Array,
  ta: boolean,
  b: Float64Array,
  tb: boolean,
): Float64Array {
  const out = new Float64Array(nb * n * m);
  const as = n * k;
  const bs = k * m;
  for (let q = 0; q < nb; q++) {
    const ao = q * as;
    const bo = q * bs;
    const oo = q * n * m;
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < k; p++) {
        const av = ta ? a[ao + p * n + i] : a[ao + i * k + p];
        const row = oo + i * m;
        if (tb) for (let j = 0; j < m; j++) out[row + j] += av * b[bo + j * k + p];
        else for (let j = 0; j < m; j++) out[row + j] += av * b[bo + p * m + j];
      }
    }
  }
  return out;
}

/**
 * @param plan - a matmul plan.
 * @returns the number of batches.
 */
export function batchCount(plan: MatmulPlan): number {
  return numelOf(plan.batch);
}
