/**
 * `torch.optim.Adam`, PyTorch's update rule (without amsgrad).
 *
 * ## Method
 * `g = grad + weight_decay * p`, `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
 * `p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 *
 * ## References
 * D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
 * arXiv:1412.6980. PyTorch 1.13 documentation, `torch.optim.Adam`.
 *
 * @packageDocumentation
 */
import { Rule, TypeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, checkOption } from './optimizer.js';

/** Options of {@link Adam} (PyTorch's names and defaults). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty (default 0). */
  weight_decay?: number;
}

/**
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * const p = torch.tensor([1.0], { requires_grad: true });
 * const opt = new torch.optim.Adam([p], { lr: 0.1 });
 * p.pow(2).sum().backward();
 * opt.step();
 * console.log(p.item()); // 0.9000000005 (about 1 - lr)
 * ```
 */
export class Adam extends Optimizer {
  private readonly lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly state: { step: number; m: Float64Array; v: Float64Array }[];

  /**
   * @param params - the tensors to update.
   * @param options - `lr`, `betas`, `eps`, `weight_decay`.
   */
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params);
    this.lr = checkOption('lr', options.lr ?? 1e-3, 0);
    const betas = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2)
      throw new TypeError('Adam: betas must be an array of two numbers.', { argument: 'betas', rule: Rule.array });
    this.beta1 = checkOption('beta parameter at index 0', betas[0], 0, 'betas.0');
    this.beta2 = checkOption('beta parameter at index 1', betas[1], 0, 'betas.1');
    if (this.beta1 >= 1 || this.beta2 >= 1)
      throw new ValueError(`Invalid beta parameters: each must be in [0, 1), but got [${betas.join(', ')}].`, {
        argument: 'betas',
        rule: Rule.inRange,
      });
    this.eps = checkOption('epsilon value', options.eps ?? 1e-8, 0, 'eps');
    this.weightDecay = checkOption('weight_decay', options.weight_decay ?? 0, 0);
    this.state = this.params.map((p) => ({
      step: 0,
      m: new Float64Array(p.data.length),
      v: new Float64Array(p.data.length),
    }));
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      const s = this.state[i];
      s.step += 1;
      const stepSize = lr / (1 - Math.pow(b1, s.step));
      const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, s.step));
      const x = p.data;
      const g = p.grad.data;
      const { m, v } = s;
      for (let j = 0; j < x.length; j++) {
        const gj = wd !== 0 ? g[j] + wd * x[j] : g[j];
        m[j] = m[j] * b1 + (1 - b1) * gj;
        v[j] = v[j] * b2 + (1 - b2) * gj * gj;
        x[j] -= (stepSize * m[j]) / (Math.sqrt(v[j]) / bc2Sqrt + eps);
      }
    });
  }
}
