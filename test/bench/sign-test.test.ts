/**
 * The sign test and the median's interval, against values worked out by hand from the
 * binomial law (exact arithmetic: no tolerance beyond rounding).
 */
import { describe, expect, it } from 'vitest';
import { binomialHalfTail, medianInterval, signTestBelow } from '../../src/bench/sign-test.js';

describe('binomialHalfTail', () => {
  it('gives P(Binomial(n, 1/2) >= k) exactly for small cases', () => {
    expect(binomialHalfTail(10, 10)).toBe(2 ** -10);
    expect(binomialHalfTail(20, 16)).toBeCloseTo(6196 / 2 ** 20, 15);
    expect(binomialHalfTail(20, 18)).toBeCloseTo(211 / 2 ** 20, 15);
    expect(binomialHalfTail(5, 0)).toBe(1);
    expect(binomialHalfTail(5, 6)).toBe(0);
  });

  it('is one minus the other tail: P(X >= k) + P(X >= n - k + 1) = 1 by symmetry', () => {
    for (const n of [1, 7, 20, 101])
      for (let k = 0; k <= n + 1; k++) {
        expect(binomialHalfTail(n, k) + binomialHalfTail(n, n - k + 1)).toBeCloseTo(1, 12);
      }
  });
});

describe('signTestBelow', () => {
  it('counts the rounds below the line and gives the p-value of at least that many', () => {
    const r = signTestBelow([0.7, 0.72, 0.8, 0.69, 0.9], 0.85);
    expect(r.below).toBe(4);
    expect(r.p).toBeCloseTo(6 / 32, 14);
    // A round exactly on the line is not below it: ties count for the hypothesis.
    expect(signTestBelow([0.85, 0.85], 0.85)).toEqual({ below: 0, p: 1 });
  });
});

describe('medianInterval', () => {
  it('picks the order statistics whose binomial tails stay within the level', () => {
    // n = 10: P(X <= 1) = 11/1024 <= 0.025 < P(X <= 2) = 56/1024, so the 2nd and 9th values.
    expect(medianInterval([5, 1, 4, 2, 3, 6, 8, 7, 9, 10], 0.95)).toEqual([2, 9]);
    // n = 20: P(X <= 5) = 0.0207 <= 0.025 < P(X <= 6) = 0.0577, so the 6th and 15th values.
    expect(
      medianInterval(
        Array.from({ length: 20 }, (_, i) => 20 - i),
        0.95,
      ),
    ).toEqual([6, 15]);
  });

  it('is unbounded when too few values reach the level', () => {
    expect(medianInterval([1, 2, 3, 4, 5], 0.95)).toEqual([-Infinity, Infinity]);
  });
});
