import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExactSum } from '../../src/kernels/exact-sum.js';
import { ExactSumArray, WINDOW } from '../../src/kernels/exact-sum-array.js';

// The packed array must be indistinguishable from one ExactSum per slot (whose own correctness
// against exact BigInt arithmetic is tested in exact-sum.test.ts): same value bits, same text.

const sameBits = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

// Addends of similar size (the usual case: stays in the window), of any size (moves sums to a
// full accumulator), of both signs (cancellation to zero and to negative totals), and specials.
const similar = fc.double({ min: 1e-3, max: 1e3, noNaN: true }).chain((x) => fc.constantFrom(x, -x, x / 7, -x * 3));
const anything = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
  fc.constantFrom(0, -0, 2 ** -1074, 1e308, -1e308),
);
const special = fc.constantFrom(NaN, Infinity, -Infinity);
const addend = fc.oneof(
  { weight: 6, arbitrary: similar },
  { weight: 3, arbitrary: anything },
  { weight: 1, arbitrary: special },
);
const slots = fc.array(fc.array(addend, { maxLength: 12 }), { minLength: 1, maxLength: 8 });

function reference(lists: readonly (readonly number[])[]): ExactSum[] {
  return lists.map((xs) => {
    const s = new ExactSum();
    for (const x of xs) s.add(x);
    return s;
  });
}

function packed(lists: readonly (readonly number[])[]): ExactSumArray {
  const a = new ExactSumArray(lists.length);
  // Interleaved, as chunks add one value to every sum in turn.
  const longest = Math.max(...lists.map((l) => l.length));
  for (let r = 0; r < longest; r++)
    for (let i = 0; i < lists.length; i++) if (r < lists[i].length) a.add(i, lists[i][r]);
  return a;
}

function expectSame(a: ExactSumArray, ref: readonly ExactSum[]): void {
  for (let i = 0; i < ref.length; i++) {
    expect(a.text(i)).toBe(ref[i].toJSON());
    expect(sameBits(a.value(i), ref[i].value())).toBe(true);
  }
}

describe('ExactSumArray', () => {
  it('gives the value bits and text of one ExactSum per slot, for addends of any size', () => {
    fc.assert(
      fc.property(slots, (lists) => expectSame(packed(lists), reference(lists))),
      { numRuns: 600, seed: 5 },
    );
  });

  it('merges arrays built from different addends (windows in different places) exactly', () => {
    fc.assert(
      fc.property(slots, slots, (xs, ys) => {
        const n = Math.min(xs.length, ys.length);
        const a = packed(xs.slice(0, n));
        const b = packed(ys.slice(0, n));
        a.addArray(b);
        const ref = reference(xs.slice(0, n).map((l, i) => [...l, ...ys[i]]));
        expectSame(a, ref);
        expectSame(b, reference(ys.slice(0, n))); // unchanged
      }),
      { numRuns: 400, seed: 6 },
    );
  });

  it('round-trips through its text forms, and goes on adding after a reload', () => {
    fc.assert(
      fc.property(slots, fc.array(addend, { maxLength: 4 }), (lists, more) => {
        const a = packed(lists);
        const b = ExactSumArray.fromJSON(a.toJSON(), 'sums');
        expect(b.toJSON()).toEqual(a.toJSON());
        for (let i = 0; i < lists.length; i++) for (const x of more) b.add(i, x);
        expectSame(b, reference(lists.map((l) => [...l, ...more])));
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('stays exact past the carry interval in a window (2^20 + 3 additions loading every limb)', () => {
    const a = new ExactSumArray(1);
    const s = new ExactSum();
    // An odd 53-bit significand at a bit offset that fills three limbs with large pieces.
    const x = (2 ** 53 - 1) * 2 ** 20;
    for (let r = 0; r < 2 ** 20 + 3; r++) {
      a.add(0, x);
      s.add(x);
    }
    expect(a.text(0)).toBe(s.toJSON());
    expect(a.value(0)).toBe(s.value());
  });

  it('rejects a malformed text form with a TypeError naming the entry', () => {
    expect(() => ExactSumArray.fromJSON(['esum1:0', 'esum1:2p0'], 'sums.power')).toThrow(
      expect.objectContaining({ name: 'TypeError', argument: 'sums.power.1' }),
    );
    expect(() => ExactSumArray.fromJSON([3], 'sums.cross')).toThrow(
      expect.objectContaining({ argument: 'sums.cross.0' }),
    );
  });

  it(`keeps ${WINDOW} limbs per sum: 10^5 sums of similar addends need no full accumulator`, () => {
    const n = 100_000;
    const a = new ExactSumArray(n);
    const v = new Float64Array(n);
    for (let r = 0; r < 3; r++) {
      for (let i = 0; i < n; i++) v[i] = Math.sin(i + r) * 1e-3;
      a.addAll(v);
    }
    // Internal, but the point of the class: no slot left its window.
    expect((a as unknown as { moved: Map<number, unknown> }).moved.size).toBe(0);
  });
});
