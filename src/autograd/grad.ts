/**
 * `torch.autograd.grad`: gradients of outputs with respect to chosen tensors, returned
 * instead of accumulated into `.grad`.
 *
 * @packageDocumentation
 */
import { Rule, RuntimeError, TypeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { outputGradient, runBackward } from './engine.js';
import './register.js';

/** Options of {@link grad}. */
export interface GradOptions {
  /** The gradient of each output (required for non-scalar outputs). */
  grad_outputs?: Tensor | readonly (Tensor | null | undefined)[] | null;
  /** Keep the graph for another backward pass (default false). */
  retain_graph?: boolean;
  /** Return null for inputs the outputs do not depend on, instead of throwing (default false). */
  allow_unused?: boolean;
}

/**
 * Computes the gradients of `outputs` with respect to `inputs` (the sum over outputs, each
 * weighted by its `grad_outputs` entry). Leaves' `.grad` are not touched.
 *
 * @param outputs - a tensor or an array of tensors.
 * @param inputs - a tensor or an array of tensors that require grad.
 * @param options - `grad_outputs`, `retain_graph`, `allow_unused`.
 * @returns one gradient per input (null for unused inputs with `allow_unused`).
 * @throws RuntimeError for an input the outputs do not depend on (without `allow_unused`) and
 *   the cases of `backward()`.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * const x = torch.tensor([1, 2], { requires_grad: true });
 * const [g] = torch.autograd.grad(x.pow(3).sum(), [x]);
 * console.log(g.tolist()); // [3, 12]
 * ```
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = outputs instanceof Tensor ? [outputs] : Array.from(outputs);
  const ins = inputs instanceof Tensor ? [inputs] : Array.from(inputs);
  for (const t of [...outs, ...ins]) {
    if (!(t instanceof Tensor))
      throw new TypeError('autograd.grad: outputs and inputs must be Tensors.', {
        argument: outs.includes(t) ? 'outputs' : 'inputs',
        rule: Rule.tensor,
      });
  }
  for (const t of ins) {
    if (!t._requires_grad)
      throw new RuntimeError('One of the differentiated Tensors does not require grad', {
        argument: 'inputs',
        rule: Rule.requiresGrad,
      });
  }
  const go = options.grad_outputs;
  const gos = go === undefined || go === null ? [] : go instanceof Tensor ? [go] : Array.from(go);
  if (gos.length !== 0 && gos.length !== outs.length) {
    throw new RuntimeError(`grad_outputs has ${gos.length} entries but there are ${outs.length} outputs.`, {
      argument: 'grad_outputs',
      rule: Rule.shape,
    });
  }
  const rootGrads = outs.map((o, i) => outputGradient(o, gos[i] ?? undefined));
  const got = runBackward(outs, rootGrads, options.retain_graph === true, ins);
  return got.map((g, i) => {
    if (g === undefined) {
      if (options.allow_unused === true) return null;
      throw new RuntimeError(
        'One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused: true if ' +
          'this is the desired behavior.',
        { argument: 'inputs', rule: Rule.usedInGraph },
      );
    }
    return new Tensor(g === ins[i].data ? g.slice() : g, ins[i].shape);
  });
}
