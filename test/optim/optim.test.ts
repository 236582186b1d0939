/**
 * torch.optim.SGD / Adam: defaults and checks (their update rules are held to PyTorch by the
 * golden optimizer cases in test/autograd/golden.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ValueError, torch } from 'relaxed-mc';

describe('optimizers', () => {
  it('SGD: p -= lr * grad; zero_grad sets grad to null; parameters without a gradient are skipped', () => {
    const p = torch.tensor([1, 2], { requires_grad: true });
    const q = torch.tensor([5], { requires_grad: true });
    const opt = new torch.optim.SGD([p, q], { lr: 0.1 });
    p.pow(2).sum().backward();
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.8, 15);
    expect(p.data[1]).toBeCloseTo(1.6, 15);
    expect(q.tolist()).toEqual([5]);
    opt.zero_grad();
    expect(p.grad).toBeNull();
  });

  it('Adam with defaults moves each coordinate by about lr on the first step', () => {
    const p = torch.tensor([1, -3], { requires_grad: true });
    const opt = new torch.optim.Adam([p]);
    p.pow(2).sum().backward();
    opt.step();
    expect(p.data[0]).toBeCloseTo(1 - 1e-3, 9);
    expect(p.data[1]).toBeCloseTo(-3 + 1e-3, 9);
  });

  it('steps on nn.Linear parameters reduce a loss', () => {
    torch.manual_seed(4);
    const layer = new torch.nn.Linear(2, 1);
    const opt = new torch.optim.Adam(layer.parameters(), { lr: 0.05 });
    const x = torch.tensor([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    const y = torch.tensor([[1], [2], [3]]);
    const loss = () => torch.nn.functional.mse_loss(layer.forward(x), y);
    const first = loss().item();
    for (let i = 0; i < 200; i++) {
      opt.zero_grad();
      loss().backward();
      opt.step();
    }
    expect(loss().item()).toBeLessThan(first / 100);
  });

  it('bad options and parameters are refused, naming the option', () => {
    const p = torch.tensor([1], { requires_grad: true });
    expect(() => new torch.optim.SGD([p], { lr: -1 })).toThrow(/lr/);
    expect(() => new torch.optim.SGD([p], {} as never)).toThrow(ValueError);
    expect(() => new torch.optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(/Nesterov/);
    expect(() => new torch.optim.Adam([p], { betas: [1, 0.9] })).toThrow(ValueError);
    expect(() => new torch.optim.Adam([p], { eps: -1 })).toThrow(/epsilon/);
    expect(() => new torch.optim.Adam([])).toThrow(/empty parameter list/);
    expect(() => new torch.optim.Adam([p.mul(2)])).toThrow(/non-leaf/);
  });
});
