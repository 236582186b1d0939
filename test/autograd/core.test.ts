/**
 * The autograd core: leaves and grad_fn, accumulation, detach, grad mode, autograd.grad,
 * retain_graph, and the error cases (PyTorch's classes and wording where it has them).
 */
import { describe, expect, it } from 'vitest';
import { RuntimeError, ValueError, torch } from 'relaxed-mc';

describe('leaves, grad_fn and accumulation', () => {
  it('a factory tensor is a leaf; an op on it records a node with a PyTorch-style name', () => {
    const x = torch.tensor([1, 2, 3], { requires_grad: true });
    expect(x.requires_grad).toBe(true);
    expect(x.is_leaf).toBe(true);
    expect(x.grad_fn).toBeNull();
    expect(x.grad).toBeNull();
    const y = x.mul(2);
    expect(y.requires_grad).toBe(true);
    expect(y.is_leaf).toBe(false);
    expect(y.grad_fn?.name).toBe('MulBackward0');
    expect(String(y.grad_fn)).toBe('<MulBackward0>');
  });

  it('gradients accumulate into .grad across backward calls, as in PyTorch', () => {
    const x = torch.tensor([1, 2, 3], { requires_grad: true });
    x.pow(2).sum().backward();
    expect(x.grad?.tolist()).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(x.grad?.tolist()).toEqual([5, 7, 9]);
    expect(x.grad?.requires_grad).toBe(false);
  });

  it('a tensor used twice receives the sum of both paths', () => {
    const x = torch.tensor([0.5, -1], { requires_grad: true });
    x.mul(x).add(x.exp()).sum().backward();
    expect(x.grad!.data[0]).toBeCloseTo(2 * 0.5 + Math.exp(0.5), 14);
    expect(x.grad!.data[1]).toBeCloseTo(-2 + Math.exp(-1), 14);
  });

  it('backward() on a leaf accumulates ones; with a gradient tensor on a non-scalar it weights the outputs', () => {
    const x = torch.tensor(2, { requires_grad: true });
    x.backward();
    expect(x.grad?.item()).toBe(1);
    const v = torch.tensor([1, 2], { requires_grad: true });
    v.mul(v).backward(torch.tensor([10, 1]));
    expect(v.grad?.tolist()).toEqual([20, 4]);
  });

  it('detach() shares the data and cuts the graph', () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const d = x.mul(2).detach();
    expect(d.requires_grad).toBe(false);
    expect(d.grad_fn).toBeNull();
    const y = x.mul(d).sum();
    y.backward();
    expect(x.grad?.tolist()).toEqual([2, 4]);
  });

  it('requires_grad_() turns recording on for a leaf, and the requires_grad setter works too', () => {
    const x = torch.ones([2]).requires_grad_();
    expect(x.requires_grad).toBe(true);
    x.requires_grad = false;
    expect(x.mul(2).requires_grad).toBe(false);
  });

  it('nothing is recorded when no input requires grad', () => {
    const x = torch.tensor([1, 2]);
    const y = x.mul(2).exp().sum();
    expect(y.requires_grad).toBe(false);
    expect(y.grad_fn).toBeNull();
    expect(torch.cat([x, x]).grad_fn).toBeNull();
  });
});

describe('grad mode', () => {
  it('no_grad runs fn recording nothing, returns its value and restores grad mode', () => {
    const w = torch.ones([2], { requires_grad: true });
    const y = torch.no_grad(() => {
      expect(torch.is_grad_enabled()).toBe(false);
      return w.mul(2).add(w).exp();
    });
    expect(y.requires_grad).toBe(false);
    expect(y.grad_fn).toBeNull();
    expect(torch.is_grad_enabled()).toBe(true);
    expect(w.mul(2).requires_grad).toBe(true);
  });

  it('no_grad restores grad mode when fn throws', () => {
    expect(() =>
      torch.no_grad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(torch.is_grad_enabled()).toBe(true);
  });

  it('no_grad refuses async functions and functions returning a Promise (TypeError)', () => {
    expect(() => torch.no_grad(async () => 1)).toThrow(TypeError);
    expect(() => torch.no_grad(() => Promise.resolve(1))).toThrow(TypeError);
    expect(torch.is_grad_enabled()).toBe(true);
  });

  it('enable_grad records inside a no_grad block', () => {
    const w = torch.ones([2], { requires_grad: true });
    const y = torch.no_grad(() => torch.enable_grad(() => w.mul(2)));
    expect(y.requires_grad).toBe(true);
  });
});

describe('torch.autograd.grad', () => {
  it('returns gradients without touching .grad', () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const [g] = torch.autograd.grad(x.pow(3).sum(), [x]);
    expect(g!.tolist()).toEqual([3, 12]);
    expect(x.grad).toBeNull();
  });

  it('takes grad_outputs for non-scalar outputs, gradients of intermediate tensors, and allow_unused', () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const z = torch.tensor([5], { requires_grad: true });
    const h = x.mul(3);
    const y = h.pow(2);
    const [gx, gh, gz] = torch.autograd.grad(y, [x, h, z], {
      grad_outputs: [torch.tensor([1, 0.5])],
      allow_unused: true,
    });
    expect(gx!.tolist()).toEqual([18, 18]);
    expect(gh!.tolist()).toEqual([6, 6]);
    expect(gz).toBeNull();
  });

  it('an unused input is a RuntimeError without allow_unused', () => {
    const x = torch.tensor([1], { requires_grad: true });
    const z = torch.tensor([1], { requires_grad: true });
    expect(() => torch.autograd.grad(x.mul(2).sum(), [z])).toThrow(RuntimeError);
  });
});

describe('error cases', () => {
  it("backward() on a non-scalar without gradient: PyTorch's RuntimeError message", () => {
    const y = torch.ones([2], { requires_grad: true }).mul(2);
    expect(() => y.backward()).toThrow(RuntimeError);
    expect(() => y.backward()).toThrow('grad can be implicitly created only for scalar outputs');
  });

  it('a second backward through a freed graph is a RuntimeError; retain_graph keeps it', () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time/);
    const z = x.exp().sum();
    x.grad = null;
    z.backward(undefined, { retain_graph: true });
    z.backward({ retain_graph: true }); // the options alone, for a scalar
    z.backward();
    expect(() => z.backward()).toThrow(RuntimeError);
    expect(x.grad!.data[0]).toBeCloseTo(3 * Math.E, 14);
  });

  it('backward() on a tensor that does not require grad is a RuntimeError', () => {
    expect(() => torch.ones([1]).sum().backward()).toThrow(RuntimeError);
  });

  it('a gradient of the wrong shape is a RuntimeError naming both shapes', () => {
    const y = torch.ones([2], { requires_grad: true }).mul(2);
    expect(() => y.backward(torch.ones([3]))).toThrow(/\[3\].*\[2\]/);
  });

  it('requires_grad on non-finite data is allowed and NaN gradients are not hidden', () => {
    const x = torch.tensor([NaN, Infinity, 1], { requires_grad: true });
    x.mul(2).sum().backward();
    expect(x.grad?.tolist()).toEqual([2, 2, 2]);
    const y = torch.tensor([0, 1], { requires_grad: true });
    y.sqrt().mul(0).sum().backward(); // 0 * (1 / (2 sqrt 0)) = 0 * Infinity = NaN, as in PyTorch
    expect(Number.isNaN(y.grad!.data[0])).toBe(true);
    const z = torch.tensor([-1, 4], { requires_grad: true });
    z.log().sum().backward();
    expect(z.grad!.data[0]).toBe(-1);
    const w = torch.tensor([-1, 4], { requires_grad: true });
    w.sqrt().sum().backward();
    expect(Number.isNaN(w.grad!.data[0])).toBe(true);
  });

  it('shapes that do not broadcast name both shapes', () => {
    const a = torch.ones([2, 3], { requires_grad: true });
    expect(() => a.add(torch.ones([4]))).toThrow(ValueError);
    expect(() => a.add(torch.ones([4]))).toThrow(/\[2, 3\].*\[4\]/);
    expect(() => torch.ones([2, 3]).mul(torch.ones([2]))).toThrow(/\[2, 3\].*\[2\]/);
    expect(() => a.matmul(torch.ones([2, 3]))).toThrow(/\[2, 3\].*\[2, 3\]/);
  });

  it('requires_grad_(false) on a non-leaf is a RuntimeError', () => {
    const y = torch.ones([2], { requires_grad: true }).mul(2);
    expect(() => y.requires_grad_(false)).toThrow(RuntimeError);
  });

  it('gradcheck throws with the worst element when a gradient is wrong', () => {
    const x = torch.tensor([0.3, 0.5], { requires_grad: true });
    // The detached factor hides part of the derivative of x * x: analytic x vs numerical 2x.
    const wrong = (t: torch.Tensor) => t.mul(torch.tensor(t.data));
    expect(() => torch.autograd.gradcheck(wrong, [x])).toThrow(/worst element is output element 1, input element 1/);
  });
});
