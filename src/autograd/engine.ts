/**
 * The backward pass: orders the recorded graph reachable from the outputs (reverse
 * topological order), runs each node's vector-Jacobian product once with the summed gradient
 * of its output, and accumulates into the leaves' `.grad` (or returns the gradients of chosen
 * tensors, for `torch.autograd.grad`).
 *
 * @packageDocumentation
 */
import { Rule, RuntimeError, TypeError } from '../errors.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { Node } from './node.js';

/**
 * Runs a backward pass.
 *
 * @param roots - the outputs to differentiate.
 * @param rootGrads - the gradient of each output (same lengths as their data).
 * @param retainGraph - keep the nodes' saved values.
 * @param capture - tensors whose gradients are returned instead of accumulated into `.grad`;
 *   null to accumulate into every leaf.
 * @returns the gradient of each captured tensor (undefined where none reached it).
 */
export function runBackward(
  roots: readonly Tensor[],
  rootGrads: readonly Float64Array[],
  retainGraph: boolean,
  capture: readonly Tensor[] | null,
): (Float64Array | undefined)[] {
  const order = topoOrder(roots);
  const grads = new Map<Tensor, Float64Array>();
  const captured = capture === null ? null : new Set(capture);
  const deliver = (t: Tensor, g: Float64Array): void => {
    if (t.grad_fn !== null || (captured !== null && captured.has(t))) {
      const prev = grads.get(t);
      grads.set(t, prev === undefined ? g : addArrays(prev, g));
    } else if (captured === null) {
      accumulateLeaf(t, g);
    }
  };
  for (let i = 0; i < roots.length; i++) deliver(roots[i], rootGrads[i]);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = grads.get(t);
    const node = t.grad_fn as Node;
    if (g !== undefined) {
      const gin = node.apply(g);
      for (let j = 0; j < node.inputs.length; j++) {
        const input = node.inputs[j];
        const gj = gin[j];
        if (input !== null && gj !== null && gj !== undefined) deliver(input, gj);
      }
    }
    if (!retainGraph) node.release();
    if (captured === null || !captured.has(t)) grads.delete(t);
  }
  return capture === null ? [] : capture.map((t) => grads.get(t));
}

/**
 * Checks and builds the gradient of an output for `backward()` / `autograd.grad`.
 *
 * @param out - the output.
 * @param gradient - the given gradient, or undefined for an implicit 1 (scalars only).
 * @returns the gradient's elements.
 * @throws RuntimeError when an implicit gradient is asked of a non-scalar, or the shapes differ.
 */
export function outputGradient(out: Tensor, gradient: Tensor | undefined | null): Float64Array {
  if (!out._requires_grad) {
    throw new RuntimeError('element 0 of tensors does not require grad and does not have a grad_fn', {
      argument: 'tensors',
      rule: Rule.requiresGrad,
    });
  }
  if (gradient === undefined || gradient === null) {
    if (out.data.length !== 1)
      throw new RuntimeError('grad can be implicitly created only for scalar outputs', {
        argument: 'gradient',
        rule: Rule.scalarOutput,
      });
    return Float64Array.of(1);
  }
  if (!(gradient instanceof Tensor))
    throw new TypeError('gradient must be a Tensor.', { argument: 'gradient', rule: Rule.tensor });
  if (!shapesEqual(gradient.shape, out.shape)) {
    throw new RuntimeError(
      `Mismatch in shape: grad_output has a shape of ${formatShape(gradient.shape)} and output has a shape of ${formatShape(out.shape)}.`,
      { argument: 'gradient', rule: Rule.shape },
    );
  }
  return gradient.data;
}

function topoOrder(roots: readonly Tensor[]): Tensor[] {
  // Iterative depth-first search (post-order), so long chains cannot overflow the stack.
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: { t: Tensor; next: number }[] = [];
  for (const r of roots) {
    if (r.grad_fn === null || seen.has(r)) continue;
    seen.add(r);
    stack.push({ t: r, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const inputs = (top.t.grad_fn as Node).inputs;
      if (top.next < inputs.length) {
        const c = inputs[top.next++];
        if (c !== null && c.grad_fn !== null && !seen.has(c)) {
          seen.add(c);
          stack.push({ t: c, next: 0 });
        }
      } else {
        order.push(top.t);
        stack.pop();
      }
    }
  }
  return order;
}

function accumulateLeaf(t: Tensor, g: Float64Array): void {
  if (t.grad === null) {
    t.grad = new Tensor(g.slice(), t.shape);
    return;
  }
  const d = t.grad.data;
  for (let i = 0; i < d.length; i++) d[i] += g[i];
}

function addArrays(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
  return out;
}
