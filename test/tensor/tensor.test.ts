import { describe, expect, it } from 'vitest';
import { torch, ValueError } from 'relaxed-mc';

describe('Tensor basics', () => {
  it('reads nested arrays row-major and gives them back with tolist()', () => {
    const t = torch.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.tolist()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(torch.tensor(2.5).shape).toEqual([]);
    expect(torch.tensor(2.5).item()).toBe(2.5);
    expect(torch.tensor([]).shape).toEqual([0]);
  });

  it('refuses ragged nesting with a ValueError and non-numbers with a TypeError', () => {
    expect(() => torch.tensor([[1, 2], [3]])).toThrow(ValueError);
    expect(() => torch.tensor([1, 'a' as any])).toThrow(TypeError);
  });

  it('item() needs exactly one element', () => {
    expect(() => torch.tensor([1, 2]).item()).toThrow(/one element/);
  });

  it('reshape shares storage and infers one -1 dimension', () => {
    const t = torch.tensor([1, 2, 3, 4, 5, 6]);
    const r = t.reshape([3, -1]);
    expect(r.shape).toEqual([3, 2]);
    expect(r.data).toBe(t.data);
    expect(() => t.reshape([4, -1])).toThrow(/invalid for input of size 6/);
  });

  it('sum, mean and argmax reduce all elements or one dimension (negative dims count from the end)', () => {
    const t = torch.tensor([
      [1, 5, 3],
      [7, 2, 9],
    ]);
    expect(t.sum().item()).toBe(27);
    expect(t.sum(0).tolist()).toEqual([8, 7, 12]);
    expect(t.sum(-1).tolist()).toEqual([9, 18]);
    expect(t.mean(1).tolist()).toEqual([3, 6]);
    expect(t.argmax().item()).toBe(5);
    expect(t.argmax(-1).tolist()).toEqual([1, 2]);
    expect(t.argmax(0).tolist()).toEqual([1, 0, 1]);
    expect(() => t.sum(2)).toThrow(RangeError);
  });

  it('exp and log are element-wise', () => {
    const t = torch.tensor([0, 1]);
    expect(t.exp().tolist()).toEqual([1, Math.E]);
    expect(t.exp().log().tolist()).toEqual([0, 1]);
  });

  it('zeros, ones and full build constant tensors', () => {
    expect(torch.zeros([2]).tolist()).toEqual([0, 0]);
    expect(torch.ones([1, 2]).tolist()).toEqual([[1, 1]]);
    expect(torch.full([2], 3).tolist()).toEqual([3, 3]);
  });
});

describe('the in-process generator', () => {
  it('manual_seed makes rand and randn reproducible', () => {
    torch.manual_seed(42);
    const a = torch.rand([5]).tolist();
    const b = torch.randn([5]).tolist();
    torch.manual_seed(42);
    expect(torch.rand([5]).tolist()).toEqual(a);
    expect(torch.randn([5]).tolist()).toEqual(b);
  });

  it('get_rng_state / set_rng_state restore the stream exactly', () => {
    torch.manual_seed(7);
    torch.rand([3]);
    const state = torch.get_rng_state();
    const next = torch.rand([4]).tolist();
    torch.rand([10]);
    torch.set_rng_state(state);
    expect(torch.rand([4]).tolist()).toEqual(next);
  });

  it('seeds above 2^32 are distinct from their low word', () => {
    torch.manual_seed(5);
    const a = torch.rand([3]).tolist();
    torch.manual_seed(5 + 2 ** 32);
    expect(torch.rand([3]).tolist()).not.toEqual(a);
  });

  it('rejects a negative or fractional seed with a TypeError', () => {
    expect(() => torch.manual_seed(-1)).toThrow(TypeError);
    expect(() => torch.manual_seed(1.5)).toThrow(TypeError);
  });

  it('uniforms from rand lie in [0, 1); randn has mean ~0 and variance ~1 (5 standard errors, false-failure rate ~1e-6)', () => {
    torch.manual_seed(9);
    const u = torch.rand([100_000]).data;
    for (const x of u) expect(x >= 0 && x < 1).toBe(true);
    const z = torch.randn([100_000]);
    const m = z.mean().item();
    const v = z.sub(m).mul(z.sub(m)).mean().item();
    expect(Math.abs(m) / Math.sqrt(1 / 1e5)).toBeLessThan(5);
    expect(Math.abs(v - 1) / Math.sqrt(2 / 1e5)).toBeLessThan(5);
  });
});
