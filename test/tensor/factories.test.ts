/**
 * PyTorch idioms of the factories and of Tensor: sizes as `...size` or one array, dtype handling
 * (float64 accepted, every other dtype refused by name), toJSON, select.
 */
import { describe, expect, it } from 'vitest';
import { torch } from 'relaxed-mc';

describe('factory sizes', () => {
  it('zeros(3), randn(2, 2), zeros([2, 3]), ones(), full(size, fill) as in PyTorch', () => {
    expect(torch.zeros(3).shape).toEqual([3]);
    expect(torch.randn(2, 2).shape).toEqual([2, 2]);
    expect(torch.zeros([2, 3]).shape).toEqual([2, 3]);
    expect(torch.ones(2, 3, 4).shape).toEqual([2, 3, 4]);
    expect(torch.ones().shape).toEqual([]);
    expect(torch.rand([2], { requires_grad: true }).requires_grad).toBe(true);
    expect(torch.zeros(2, 3, { requires_grad: true }).requires_grad).toBe(true);
    expect(torch.full([2], 7).tolist()).toEqual([7, 7]);
    expect(torch.full(3, 0.5, { requires_grad: true }).requires_grad).toBe(true);
  });
  it('mixing numbers and arrays, or non-numbers, is a TypeError', () => {
    expect(() => torch.zeros(2, [3] as unknown as number)).toThrow(TypeError);
    expect(() => torch.zeros('3' as unknown as number)).toThrow(TypeError);
  });
});

describe('dtype', () => {
  it('torch.float64 and its alias torch.double are accepted', () => {
    expect(torch.tensor([1, 2], { dtype: torch.float64 }).dtype).toBe(torch.float64);
    expect(torch.double).toBe(torch.float64);
    expect(torch.zeros([2], { dtype: torch.double }).dtype).toBe(torch.float64);
    expect(String(torch.float64)).toBe('torch.float64');
  });
  it('every other dtype is refused by name with a TypeError, never ignored', () => {
    for (const d of [torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.bool]) {
      expect(() => torch.tensor([1], { dtype: d })).toThrow(TypeError);
      expect(() => torch.tensor([1], { dtype: d })).toThrow(String(d));
      expect(() => torch.zeros([1], { dtype: d })).toThrow(TypeError);
      expect(() => torch.ones(1, { dtype: d })).toThrow(TypeError);
      expect(() => torch.full([1], 0, { dtype: d })).toThrow(TypeError);
      expect(() => torch.rand(1, { dtype: d })).toThrow(TypeError);
      expect(() => torch.randn(1, { dtype: d })).toThrow(TypeError);
    }
  });
  it("strings such as 'float32' (even 'float64') and a dtype key whose value is undefined are TypeErrors", () => {
    expect(() => torch.tensor([1], { dtype: 'float32' as never })).toThrow(/the string 'float32'/);
    expect(() => torch.tensor([1], { dtype: 'float64' as never })).toThrow(TypeError);
    expect(() => torch.tensor([1], { dtype: undefined })).toThrow(/undefined/);
    expect(() => torch.zeros([1], { dtype: undefined })).toThrow(TypeError);
  });
  it('requires_grad must be a boolean', () => {
    expect(() => torch.tensor([1], { requires_grad: 1 as never })).toThrow(TypeError);
  });
});

describe('Tensor idioms', () => {
  it('JSON.stringify gives nested arrays (toJSON is tolist)', () => {
    const t = torch.tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(JSON.stringify(t)).toBe('[[1,2],[3,4]]');
    expect(JSON.stringify({ t: torch.tensor(2.5) })).toBe('{"t":2.5}');
  });
  it('select(dim, index) removes the dimension, accepts negative indices, and is differentiable', () => {
    const t = torch.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requires_grad: true },
    );
    expect(t.select(0, 1).tolist()).toEqual([4, 5, 6]);
    expect(t.select(1, -1).tolist()).toEqual([3, 6]);
    expect(() => t.select(0, 2)).toThrow(RangeError);
    t.select(1, 0).sum().backward();
    expect(t.grad?.tolist()).toEqual([
      [1, 0, 0],
      [1, 0, 0],
    ]);
  });
});
