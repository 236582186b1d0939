/**
 * `torch.optim.SGD`: stochastic gradient descent with momentum, dampening, Nesterov momentum
 * and weight decay, PyTorch's update rule.
 *
 * ## Method
 * `d = grad + weight_decay * p`; with momentum, `buf = d` on the first step and
 * `buf = momentum * buf + (1 - dampening) * d` afterwards, then `d = d + momentum * buf`
 * (Nesterov) or `d = buf`; finally `p -= lr * d`.
 *
 * ## References
 * PyTorch 1.13 documentation, `torch.optim.SGD`. I. Sutskever et al., "On the importance of
 * initialization and momentum in deep learning", ICML 2013.
 *
 * @packageDocumentation
 */
import { Rule, TypeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, checkOption } from './optimizer.js';

/** Options of {@link SGD} (PyTorch's names and defaults; `lr` is required). */
export interface SGDOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty (default 0). */
  weight_decay?: number;
}

/**
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * const p = torch.tensor([1.0], { requires_grad: true });
 * const opt = new torch.optim.SGD([p], { lr: 0.1 });
 * p.pow(2).sum().backward();
 * opt.step();
 * console.log(p.item()); // 0.8
 * ```
 */
export class SGD extends Optimizer {
  private readonly lr: number;
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;
  private readonly buffers: (Float64Array | null)[];

  /**
   * @param params - the tensors to update.
   * @param options - `lr` (required), `momentum`, `dampening`, `nesterov`, `weight_decay`.
   */
  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super(params);
    if (options === null || typeof options !== 'object')
      throw new TypeError('SGD: options must be an object with lr.', { argument: 'options', rule: Rule.object });
    this.lr = checkOption('lr', options.lr, 0);
    this.momentum = checkOption('momentum', options.momentum ?? 0, 0);
    this.dampening = checkOption('dampening', options.dampening ?? 0, -Infinity);
    this.weightDecay = checkOption('weight_decay', options.weight_decay ?? 0, 0);
    this.nesterov = options.nesterov ?? false;
    if (typeof this.nesterov !== 'boolean')
      throw new TypeError('SGD: nesterov must be a boolean.', { argument: 'nesterov', rule: Rule.boolean });
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ValueError('Nesterov momentum requires a momentum and zero dampening', {
        argument: 'nesterov',
        rule: Rule.needs,
      });
    }
    this.buffers = this.params.map(() => null);
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    const { lr, momentum, dampening, nesterov, weightDecay: wd } = this;
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      const x = p.data;
      const g = p.grad.data;
      let buf = this.buffers[i];
      const first = buf === null;
      if (momentum !== 0 && buf === null) buf = this.buffers[i] = new Float64Array(x.length);
      for (let j = 0; j < x.length; j++) {
        let d = g[j];
        if (wd !== 0) d += wd * x[j];
        if (buf !== null) {
          buf[j] = first ? d : momentum * buf[j] + (1 - dampening) * d;
          d = nesterov ? d + momentum * buf[j] : buf[j];
        }
        x[j] -= lr * d;
      }
    });
  }
}
