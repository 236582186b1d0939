/**
 * `torch.nn.functional.gumbel_softmax`: a Concrete draw from unnormalised logits, with the
 * straight-through `hard` variant.
 *
 * @packageDocumentation
 */
import { Rule, TypeError, ValueError } from '../errors.js';
import { defaultGenerator } from '../tensor/create.js';
import { normDim } from '../tensor/reductions.js';
import { Tensor } from '../tensor/tensor.js';
import { gumbelToConcreteRows } from '../kernels/relaxed-sample.js';
import { fillGumbelNoise } from '../kernels/wasm/in-process-draws.js';
import { concreteSampleVjpRows } from '../kernels/concrete-vjp.js';
import { normalizeLogitRows } from '../distributions/concrete-params.js';
import { record } from '../autograd/node.js';

/** Options of {@link gumbel_softmax}. */
export interface GumbelSoftmaxOptions {
  /** Temperature, a positive number (default 1). */
  tau?: number;
  /** Return one-hot vectors whose gradient is that of the soft sample (default false). */
  hard?: boolean;
  /** The category dimension (default -1). */
  dim?: number;
}

/**
 * PyTorch's `F.gumbel_softmax`: `softmax((logits + G) / tau)` along `dim`, `G` standard Gumbel
 * noise from the in-process generator. It draws from the same stream, in the same order, as
 * `RelaxedOneHotCategorical.rsample`: after the same `torch.manual_seed`,
 * `F.gumbel_softmax(logits, { tau })` equals
 * `new RelaxedOneHotCategorical(tau, { logits }).rsample()` bit for bit. With `hard: true` the
 * value is the one-hot argmax of the soft sample (ties to the lowest index) and the gradient is
 * that of the soft sample (straight-through). The backward pass is one fused loop.
 *
 * @param logits - unnormalised log-probabilities, at least 1-D.
 * @param options - `tau` (default 1), `hard` (default false), `dim` (default -1).
 * @returns the sample, shaped like `logits`.
 * @throws ValueError when `tau` is not a positive number.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * torch.manual_seed(0);
 * const y = torch.nn.functional.gumbel_softmax(torch.zeros([4]), { tau: 0.5, hard: true });
 * console.log(y.sum().item()); // 1
 * ```
 */
export function gumbel_softmax(logits: Tensor, options: GumbelSoftmaxOptions = {}): Tensor {
  if (!(logits instanceof Tensor))
    throw new TypeError('gumbel_softmax: logits must be a Tensor.', { argument: 'logits', rule: Rule.tensor });
  const tau = options.tau ?? 1;
  if (typeof tau !== 'number' || !(tau > 0) || tau === Infinity) {
    throw new ValueError(`gumbel_softmax: tau must be a finite positive number, but got ${String(tau)}.`, {
      argument: 'tau',
      rule: Rule.positive,
    });
  }
  const hard = options.hard ?? false;
  if (typeof hard !== 'boolean')
    throw new TypeError(`gumbel_softmax: hard must be a boolean, but got ${typeof hard}.`, {
      argument: 'hard',
      rule: Rule.boolean,
    });
  if (logits.shape.length === 0)
    throw new ValueError('gumbel_softmax: logits must have at least one dimension.', {
      argument: 'logits',
      rule: Rule.dimensions,
    });
  const nd = logits.shape.length;
  const d = normDim(options.dim ?? -1, nd);
  if (d !== nd - 1) {
    // Move the category dimension last and back (both moves are recorded transposes).
    return gumbel_softmax(logits.transpose(d, nd - 1), { tau, hard, dim: -1 }).transpose(d, nd - 1);
  }
  const K = logits.shape[nd - 1];
  const rows = K === 0 ? 0 : logits.data.length / K;
  const l = new Float64Array(logits.data.length);
  normalizeLogitRows(logits.data, rows, K, l);
  const temps = new Float64Array(Math.max(rows, 1)).fill(tau);
  const x = new Float64Array(l.length);
  const y = new Float64Array(l.length);
  fillGumbelNoise(defaultGenerator, x);
  gumbelToConcreteRows(rows, K, 0, Math.max(rows, 1), l, temps, x, 0, y, 0);
  const out = hard ? oneHot(y, rows, K) : y;
  return record(
    new Tensor(out, logits.shape),
    hard ? 'GumbelSoftmaxHardBackward0' : 'GumbelSoftmaxBackward0',
    [logits],
    (g) => {
      const gL = new Float64Array(l.length);
      const gT = new Float64Array(Math.max(rows, 1));
      concreteSampleVjpRows(rows, K, Math.max(rows, 1), temps, x, y, g, true, gL, gT);
      // Through the normalisation l = raw - LSE(raw): subtract softmax(raw) * sum(gL) per row.
      for (let r = 0; r < rows; r++) {
        const o = r * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += gL[o + k];
        for (let k = 0; k < K; k++) gL[o + k] -= Math.exp(l[o + k]) * s;
      }
      return [gL];
    },
  );
}

function oneHot(y: Float64Array, rows: number, K: number): Float64Array {
  const out = new Float64Array(y.length);
  for (let r = 0; r < rows; r++) {
    const o = r * K;
    let best = 0;
    for (let k = 1; k < K; k++) if (y[o + k] > y[o + best]) best = k;
    out[o + best] = 1;
  }
  return out;
}
