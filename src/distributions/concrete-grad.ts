/**
 * Gradients of the Concrete distributions back to the user's tensors: the nodes recorded by
 * `rsample`, `rsample_with_log_prob` and `log_prob`, whose backward passes are the fused
 * kernels of `kernels/concrete-vjp.ts`, followed by the normalisation of the parameter.
 *
 * ## Method
 * Gradients are first accumulated per batch element with respect to the normalised logits `l`
 * and the per-row temperatures, then summed back over broadcast dimensions to the shapes the
 * user passed, then taken through the normalisation:
 * - logits `r`: `l = r - LSE(r)`, so `dr = dl - softmax(r) sum(dl)`;
 * - probs `p` (possibly unnormalised): `q = p / sum(p)`, `l = log(clamp(q, eps, 1 - eps))`, so
 *   `dq = dl / q` where `q` is inside the clamp (0 outside, as PyTorch's clamp), and
 *   `dp = (dq - sum(dq q)) / sum(p)`.
 *
 * ## References
 * PyTorch 1.13 `torch.distributions.utils.probs_to_logits` / `clamp_probs` (the normalisation
 * reproduced here).
 *
 * @packageDocumentation
 */
import { sumToShape } from '../tensor/elementwise.js';
import { Tensor } from '../tensor/tensor.js';
import { mustRecord, record } from '../autograd/node.js';
import { concreteLogProbVjpRows, concreteSampleVjpRows } from '../kernels/concrete-vjp.js';
import type { ConcreteParams } from './concrete-params.js';

const EPS = 2 ** -52;

/**
 * @param p - the parameters.
 * @returns the tensors gradients flow to: `[param, temperature]` (null where there is none).
 */
export function gradSources(p: ConcreteParams): [Tensor | null, Tensor | null] {
  return [p.source?.param ?? null, p.source?.temperature ?? null];
}

/**
 * Takes per-row gradients back to the user's parameter and temperature tensors.
 *
 * @param p - the parameters.
 * @param gLogits - gradient of the normalised logits, shape `rowShape ++ [K]`.
 * @param gTemp - gradient of the temperatures, shape `rowShape`.
 * @param rowShape - the (broadcast) batch shape the rows follow.
 * @returns `[gradient of the parameter, gradient of the temperature]`.
 */
export function paramGradients(
  p: ConcreteParams,
  gLogits: Float64Array,
  gTemp: Float64Array,
  rowShape: readonly number[],
): [Float64Array | null, Float64Array | null] {
  const src = p.source;
  if (src === undefined) return [null, null];
  let gParam: Float64Array | null = null;
  if (src.param !== null && src.param._requires_grad) {
    const K = p.K;
    const dl = sumToShape(gLogits, [...rowShape, K], src.raw.shape);
    gParam = new Float64Array(dl.length);
    const rows = dl.length / K;
    const raw = src.raw.data;
    // The normalised values are recomputed from the raw copy: after expand() the parameters'
    // own tensors have the expanded shape, the raw copy keeps the shape the user passed.
    for (let r = 0; r < rows; r++) {
      const o = r * K;
      if (src.isProbs) {
        let s = 0;
        for (let k = 0; k < K; k++) s += raw[o + k];
        let dot = 0;
        for (let k = 0; k < K; k++) {
          const qk = raw[o + k] / s;
          const dq = qk >= EPS && qk <= 1 - EPS ? dl[o + k] / qk : 0;
          gParam[o + k] = dq;
          dot += dq * qk;
        }
        for (let k = 0; k < K; k++) gParam[o + k] = (gParam[o + k] - dot) / s;
      } else {
        let m = -Infinity;
        for (let k = 0; k < K; k++) if (raw[o + k] > m) m = raw[o + k];
        let z = 0;
        for (let k = 0; k < K; k++) z += Math.exp(raw[o + k] - m);
        let s = 0;
        for (let k = 0; k < K; k++) s += dl[o + k];
        for (let k = 0; k < K; k++) gParam[o + k] = dl[o + k] - (Math.exp(raw[o + k] - m) / z) * s;
      }
    }
  }
  const t = src.temperature;
  const gT = t !== null && t._requires_grad ? sumToShape(gTemp, rowShape, t.shape).slice() : null;
  return [gParam, gT];
}

/**
 * Records the backward node of a draw, when the parameters require grad.
 *
 * @param out - the draw (`y` or `x`).
 * @param p - the parameters.
 * @param x - the log-sample.
 * @param y - its exponential, or null (then `out` is `x`).
 * @param name - the node's name.
 * @returns `out`.
 */
export function recordDraw(
  out: Tensor,
  p: ConcreteParams,
  x: Float64Array,
  y: Float64Array | null,
  name: string,
): Tensor {
  const sources = gradSources(p);
  if (!mustRecord(...sources)) return out;
  const K = p.K;
  const period = p.rowTemperature.length;
  const rows = x.length / K;
  return record(out, name, sources, (g) => {
    const gL = new Float64Array(period * K);
    const gT = new Float64Array(period);
    concreteSampleVjpRows(rows, K, period, p.rowTemperature, x, y, g, y !== null, gL, gT);
    return paramGradients(p, gL, gT, p.batchShape);
  });
}

/** What {@link recordLogProb} needs of a `log_prob` evaluation. */
export interface LogProbRecord {
  /** The result tensor. */
  out: Tensor;
  /** The value tensor as given (gradients go to it), or null. */
  value: Tensor | null;
  /** `rows * K` values the kernel read (broadcast to the result shape). */
  values: Float64Array;
  /** Shape of the result. */
  resultShape: number[];
  /** Parameter rows per period. */
  period: number;
  /** `period * K` logits. */
  logits: Float64Array;
  /** `period` temperatures. */
  temperature: Float64Array;
  /** Whether the values are log-space. */
  logSpace: boolean;
  /** 1 for the simplex density, 0 for the log-simplex one. */
  jacobian: number;
}

/**
 * Records the backward node of `log_prob`, when the value or the parameters require grad.
 *
 * @param p - the parameters.
 * @param r - the evaluation.
 * @returns the result tensor.
 */
export function recordLogProb(p: ConcreteParams, r: LogProbRecord): Tensor {
  const [param, temp] = gradSources(p);
  if (!mustRecord(r.value, param, temp)) return r.out;
  const K = p.K;
  const rows = r.values.length / K;
  const b = p.batchShape.length;
  const trailing = r.resultShape.slice(r.resultShape.length - b);
  const valueShape = r.value?.shape ?? [];
  const needValue = r.value !== null && r.value._requires_grad;
  return record(r.out, 'LogProbBackward0', [param, temp, r.value], (g) => {
    const gL = new Float64Array(r.period * K);
    const gT = new Float64Array(r.period);
    const gV = needValue ? new Float64Array(rows * K) : null;
    const scratch = new Float64Array(K);
    concreteLogProbVjpRows(
      rows,
      K,
      r.period,
      r.logits,
      r.temperature,
      r.values,
      r.logSpace,
      r.jacobian,
      g,
      gL,
      gT,
      gV,
      scratch,
    );
    const [gp, gt] = paramGradients(p, gL, gT, trailing);
    const gv = gV === null ? null : sumToShape(gV, [...r.resultShape, K], valueShape);
    return [gp, gt, gv];
  });
}

/**
 * Records the backward node of the log-density returned by `rsample_with_log_prob`: the
 * density depends on the parameters directly and through the draw `x`.
 *
 * @param out - the log-densities.
 * @param p - the parameters.
 * @param x - the log-sample (rows follow the batch, period `numel(batch_shape)`).
 * @param y - its exponential.
 * @returns `out`.
 */
export function recordDrawLogProb(out: Tensor, p: ConcreteParams, x: Float64Array, y: Float64Array): Tensor {
  const sources = gradSources(p);
  if (!mustRecord(...sources)) return out;
  const K = p.K;
  const period = p.rowTemperature.length;
  const rows = x.length / K;
  return record(out, 'RsampleLogProbBackward0', sources, (g) => {
    const gL = new Float64Array(period * K);
    const gT = new Float64Array(period);
    const gX = new Float64Array(rows * K);
    const scratch = new Float64Array(K);
    concreteLogProbVjpRows(rows, K, period, p.rowLogits, p.rowTemperature, x, true, 1, g, gL, gT, gX, scratch);
    concreteSampleVjpRows(rows, K, period, p.rowTemperature, x, y, gX, false, gL, gT);
    return paramGradients(p, gL, gT, p.batchShape);
  });
}
