/**
 * `torch.autograd.gradcheck`: compares the analytic gradients of a function with central
 * finite differences, element by element, as PyTorch's does.
 *
 * ## Method
 * For every input element `x_i` (of the inputs that require grad) the numerical Jacobian column
 * is `(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`, evaluated without recording; the analytic
 * Jacobian row of every output element `j` comes from one backward pass with the unit vector
 * `e_j` as the output gradient. They must agree within `atol + rtol * |numerical|`.
 *
 * ## References
 * PyTorch documentation, `torch.autograd.gradcheck` (same defaults: eps 1e-6, atol 1e-5, rtol 1e-3).
 *
 * @packageDocumentation
 */
import { Rule, RuntimeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { grad } from './grad.js';
import { no_grad } from './grad-mode.js';

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
}

type Outputs = Tensor | readonly Tensor[];

/**
 * Checks a function's gradients against central differences.
 *
 * @param fn - maps the inputs to a tensor or an array of tensors; must be deterministic (reset
 *   the seed inside it when it draws random numbers).
 * @param inputs - the inputs; those with `requires_grad` are checked.
 * @param options - `eps`, `atol`, `rtol`.
 * @returns true when every element agrees.
 * @throws RuntimeError naming the output, the input and the worst element when they do not.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * const x = torch.tensor([0.3, -1.2], { requires_grad: true });
 * console.log(torch.autograd.gradcheck((t) => t.tanh().mul(t), [x])); // true
 * ```
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Outputs,
  inputs: Tensor | readonly Tensor[],
  options: GradcheckOptions = {},
): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const ins = inputs instanceof Tensor ? [inputs] : Array.from(inputs);
  const checked = ins.map((_, i) => i).filter((i) => ins[i]._requires_grad);
  if (checked.length === 0)
    throw new RuntimeError('gradcheck expects at least one input tensor to require gradient.', {
      argument: 'inputs',
      rule: Rule.requiresGrad,
    });
  const asList = (o: Outputs): Tensor[] => (o instanceof Tensor ? [o] : Array.from(o));
  const outs = asList(fn(...ins));
  const numeric = outs.map((o) => checked.map((i) => new Float64Array(o.data.length * ins[i].data.length)));
  no_grad(() => {
    checked.forEach((i, ci) => {
      const x = ins[i].data;
      for (let e = 0; e < x.length; e++) {
        const keep = x[e];
        x[e] = keep + eps;
        const plus = asList(fn(...ins)).map((o) => o.data.slice());
        x[e] = keep - eps;
        const minus = asList(fn(...ins)).map((o) => o.data.slice());
        x[e] = keep;
        for (let q = 0; q < outs.length; q++) {
          const cols = x.length;
          for (let j = 0; j < plus[q].length; j++)
            numeric[q][ci][j * cols + e] = (plus[q][j] - minus[q][j]) / (2 * eps);
        }
      }
    });
  });
  const checkedTensors = checked.map((i) => ins[i]);
  let worst = { excess: 0, q: -1, i: -1, j: -1, e: -1, n: 0, a: 0 };
  for (let q = 0; q < outs.length; q++) {
    const o = outs[q];
    if (!o._requires_grad) continue;
    for (let j = 0; j < o.data.length; j++) {
      const unit = new Float64Array(o.data.length);
      unit[j] = 1;
      const gos = outs.map((u, r) =>
        r === q ? new Tensor(unit, o.shape) : new Tensor(new Float64Array(u.data.length), u.shape),
      );
      const live = outs.filter((u) => u._requires_grad);
      const g = grad(live, checkedTensors, {
        grad_outputs: gos.filter((_, r) => outs[r]._requires_grad),
        retain_graph: true,
        allow_unused: true,
      });
      checked.forEach((i, ci) => {
        const cols = ins[i].data.length;
        for (let e = 0; e < cols; e++) {
          const a = g[ci] === null ? 0 : (g[ci] as Tensor).data[e];
          const n = numeric[q][ci][j * cols + e];
          const excess = Math.abs(a - n) - (atol + rtol * Math.abs(n));
          if (!(excess <= 0) && !(excess <= worst.excess)) worst = { excess, q, i, j, e, n, a };
        }
      });
    }
  }
  if (worst.q >= 0) {
    throw new RuntimeError(
      `Jacobian mismatch for output ${worst.q} with respect to input ${worst.i}: the worst element is output element ` +
        `${worst.j}, input element ${worst.e}: numerical ${worst.n} vs analytical ${worst.a} ` +
        `(allowed: atol ${atol} + rtol ${rtol} * |numerical|).`,
      { argument: 'func', rule: Rule.gradcheck },
    );
  }
  return true;
}
