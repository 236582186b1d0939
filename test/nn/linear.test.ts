/**
 * torch.nn.Linear: shapes, PyTorch's initialisation bounds, parameters(), gradients.
 */
import { describe, expect, it } from 'vitest';
import { ValueError, torch } from 'relaxed-mc';

describe('torch.nn.Linear', () => {
  it('maps [..., in] to [..., out] as x W^T + b', () => {
    torch.manual_seed(0);
    const layer = new torch.nn.Linear(3, 2);
    expect(layer.weight.shape).toEqual([2, 3]);
    expect(layer.bias?.shape).toEqual([2]);
    const x = torch.tensor([[1, 2, 3]]);
    const y = layer.forward(x);
    const w = layer.weight.data;
    const b = layer.bias!.data;
    expect(y.data[0]).toBeCloseTo(w[0] + 2 * w[1] + 3 * w[2] + b[0], 14);
    expect(y.data[1]).toBeCloseTo(w[3] + 2 * w[4] + 3 * w[5] + b[1], 14);
    expect(layer.forward(torch.ones([4, 5, 3])).shape).toEqual([4, 5, 2]);
    expect(layer.forward(torch.ones([3])).shape).toEqual([2]);
  });

  it('draws weight and bias uniformly within ±1/sqrt(in_features) from the in-process generator', () => {
    torch.manual_seed(1);
    const a = new torch.nn.Linear(16, 64);
    const bound = 1 / 4;
    for (const v of [...a.weight.data, ...a.bias!.data]) expect(Math.abs(v)).toBeLessThan(bound);
    // Uniform on ±bound has variance bound^2/3; 1024 weights: the sample variance is within 20% with
    // probability > 1 - 1e-9 (its relative standard error is about 2%).
    const n = a.weight.numel();
    const mean = a.weight.data.reduce((s, v) => s + v, 0) / n;
    const variance = a.weight.data.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    expect(Math.abs(variance / (bound ** 2 / 3) - 1)).toBeLessThan(0.2);
    torch.manual_seed(1);
    const b = new torch.nn.Linear(16, 64);
    expect(Array.from(b.weight.data)).toEqual(Array.from(a.weight.data));
  });

  it('parameters() lists weight and bias, which require grad and receive gradients', () => {
    const layer = new torch.nn.Linear(2, 3, { bias: true });
    expect(layer.parameters()).toEqual([layer.weight, layer.bias]);
    layer
      .forward(torch.tensor([[1, -1]]))
      .sum()
      .backward();
    expect(layer.weight.grad?.tolist()).toEqual([
      [1, -1],
      [1, -1],
      [1, -1],
    ]);
    expect(layer.bias?.grad?.tolist()).toEqual([1, 1, 1]);
    const noBias = new torch.nn.Linear(2, 3, { bias: false });
    expect(noBias.bias).toBeNull();
    expect(noBias.parameters()).toEqual([noBias.weight]);
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => new torch.nn.Linear(0, 2)).toThrow(ValueError);
    expect(() => new torch.nn.Linear(2, 1.5)).toThrow(/out_features/);
  });
});
