/**
 * Graph nodes: what an operation records so that `backward()` can run its vector-Jacobian
 * product later. A node holds its inputs (null where an input does not require grad) and a
 * closure over the values it saved; releasing the node drops them.
 *
 * @packageDocumentation
 */
import { Rule, RuntimeError } from '../errors.js';
import { type GradFn, Tensor, gradState } from '../tensor/tensor.js';

/**
 * A vector-Jacobian product: the gradient with respect to the node's output in, the gradients
 * with respect to each input out (in the input's shape; null for inputs that need none).
 */
export type Vjp = (gradOutput: Float64Array) => (Float64Array | null)[];

/** A recorded operation (`tensor.grad_fn`). */
export class Node implements GradFn {
  private vjp: Vjp | null;

  /**
   * @param name - PyTorch-style name, e.g. `MulBackward0`.
   * @param inputs - the operation's tensor inputs; null where no gradient is needed.
   * @param vjp - the vector-Jacobian product.
   */
  constructor(
    readonly name: string,
    readonly inputs: readonly (Tensor | null)[],
    vjp: Vjp,
  ) {
    this.vjp = vjp;
  }

  /**
   * Runs the vector-Jacobian product.
   *
   * @param gradOutput - gradient with respect to the output.
   * @returns gradients with respect to the inputs.
   * @throws RuntimeError when the node was released by an earlier backward pass.
   */
  apply(gradOutput: Float64Array): (Float64Array | null)[] {
    if (this.vjp === null) {
      throw new RuntimeError(
        'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
          'already been freed). Saved intermediate values of the graph are freed when you call .backward() or ' +
          'autograd.grad(). Specify retain_graph: true if you need to backward through the graph a second time.',
        { argument: 'retain_graph', rule: Rule.graphRetained },
      );
    }
    return this.vjp(gradOutput);
  }

  /** Drops the saved values (after a backward pass without `retain_graph`). */
  release(): void {
    this.vjp = null;
  }

  /** @returns `<NameBackward0>`, as PyTorch prints a grad_fn. */
  toString(): string {
    return `<${this.name}>`;
  }
}

/**
 * Whether an operation on these inputs must be recorded: grad mode is on and one of them
 * requires grad.
 *
 * @param inputs - the operation's inputs (numbers never require grad).
 * @returns true when a node is needed.
 */
export function mustRecord(...inputs: readonly unknown[]): boolean {
  if (!gradState.enabled) return false;
  for (const t of inputs) if (t instanceof Tensor && t._requires_grad) return true;
  return false;
}

/**
 * Attaches a node to an operation's output when recording is needed.
 *
 * @param out - the output tensor (freshly made by the operation).
 * @param name - the node's name.
 * @param inputs - the inputs in the order the VJP returns their gradients.
 * @param vjp - the vector-Jacobian product.
 * @returns `out`.
 */
export function record(out: Tensor, name: string, inputs: readonly (Tensor | number | null)[], vjp: Vjp): Tensor {
  if (!mustRecord(...inputs)) return out;
  const ins = inputs.map((t) => (t instanceof Tensor && t._requires_grad ? t : null));
  out._requires_grad = true;
  out.grad_fn = new Node(name, ins, vjp);
  return out;
}
