/**
 * `torch.nn.Module`: the base of layers, holding parameters and submodules.
 *
 * @packageDocumentation
 */
import type { Tensor } from '../tensor/tensor.js';

/**
 * Base class of layers: `forward` computes, `parameters()` lists the tensors an optimizer
 * updates (this module's, then its submodules', in the order they were assigned).
 */
export abstract class Module {
  /** Whether the module is in training mode (no layer here behaves differently). */
  training = true;

  /**
   * @param input - the input.
   * @returns the output.
   */
  abstract forward(input: Tensor): Tensor;

  /** @returns every parameter tensor of this module and its submodules. */
  parameters(): Tensor[] {
    const out: Tensor[] = [];
    for (const v of Object.values(this)) {
      if (v instanceof Module) out.push(...v.parameters());
      else if (v !== null && typeof v === 'object' && '_requires_grad' in v && (v as Tensor).requires_grad)
        out.push(v as Tensor);
    }
    return out;
  }

  /** Sets every parameter's `.grad` to null. */
  zero_grad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** @param mode - true for training mode. @returns this module. */
  train(mode = true): this {
    this.training = mode;
    return this;
  }

  /** @returns this module in evaluation mode. */
  eval(): this {
    return this.train(false);
  }
}
