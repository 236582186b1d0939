/**
 * Differentiable reductions (sum, mean, logsumexp) and normalisations (softmax, log_softmax)
 * along one dimension.
 *
 * @packageDocumentation
 */
import { NotImplementedError, Rule } from '../errors.js';
import { Reduce, dimView, normDim, reduceAll, reduceDimData, reducedShape, softmaxData } from '../tensor/reductions.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './node.js';

const NAMES = ['SumBackward1', 'MeanBackward1', 'LogsumexpBackward0'];

/**
 * A reduction, recorded.
 *
 * @param op - sum, mean or logsumexp.
 * @param x - the input.
 * @param dim - the dimension, or undefined for all elements.
 * @param keepdim - keep the dimension with size 1.
 * @returns the result.
 */
export function reduceOp(op: Reduce, x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (op === Reduce.Argmax)
    throw new NotImplementedError('argmax is not differentiable.', { argument: 'argmax', rule: Rule.differentiable });
  const all = dim === undefined;
  const d = all ? 0 : normDim(dim, x.shape.length);
  const v = all ? { outer: 1, n: x.data.length, inner: 1 } : dimView(x.shape, d);
  const y = all ? Float64Array.of(reduceAll(op, x.data)) : reduceDimData(op, x.data, v);
  const shape = all ? (keepdim ? x.shape.map(() => 1) : []) : reducedShape(x.shape, d, keepdim);
  const xd = x.data;
  return record(new Tensor(y, shape), NAMES[op], [x], (g) => {
    // Spread g over the reduced dimension, weighted by 1, 1/n or softmax (logsumexp).
    const { outer, n, inner } = v;
    const gx = new Float64Array(xd.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const r = o * inner + i;
        const base = o * n * inner + i;
        const gr = g[r];
        if (op === Reduce.LogSumExp) {
          const lse = y[r];
          for (let j = 0; j < n; j++) gx[base + j * inner] = gr * Math.exp(xd[base + j * inner] - lse);
        } else {
          const w = op === Reduce.Mean ? gr / n : gr;
          for (let j = 0; j < n; j++) gx[base + j * inner] = w;
        }
      }
    }
    return [gx];
  });
}

/**
 * Softmax or log-softmax, recorded.
 *
 * @param x - the input.
 * @param d - a normalised dimension.
 * @param log - log-softmax instead of softmax.
 * @returns the result.
 */
export function softmaxOp(x: Tensor, d: number, log: boolean): Tensor {
  const v = dimView(x.shape, d);
  const y = softmaxData(x.data, v, log);
  return record(new Tensor(y, x.shape), log ? 'LogSoftmaxBackward0' : 'SoftmaxBackward0', [x], (g) => {
    const { outer, n, inner } = v;
    const gx = new Float64Array(y.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let s = 0;
        if (log) {
          // d log_softmax: g - softmax * sum(g).
          for (let j = 0; j < n; j++) s += g[base + j * inner];
          for (let j = 0; j < n; j++) {
            const p = base + j * inner;
            gx[p] = g[p] - Math.exp(y[p]) * s;
          }
        } else {
          // d softmax: y * (g - sum(g * y)).
          for (let j = 0; j < n; j++) s += g[base + j * inner] * y[base + j * inner];
          for (let j = 0; j < n; j++) {
            const p = base + j * inner;
            gx[p] = y[p] * (g[p] - s);
          }
        }
      }
    }
    return [gx];
  });
}
