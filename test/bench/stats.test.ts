/**
 * The robust summaries behind the verdict, against hand-computed values and a seeded simulation.
 */
import { describe, expect, it } from 'vitest';
import { mad, median, relativeMedianError } from '../../src/bench/stats.js';

describe('median and MAD', () => {
  it('median of odd and even counts, and of nothing', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('MAD ignores one wild value', () => {
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
  });

  it('the relative standard error of a median matches a simulation of normal rounds within 10 %', () => {
    // 4000 medians of 10 normal draws (sd 0.05 around 1): their spread is the true standard error.
    // The formula's average over the same samples must agree within 10 % (the simulation's own
    // error is about 1 %, and the MAD-based scale is biased by a few % at n = 10).
    let s = 12345;
    const uniform = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const medians: number[] = [];
    let predicted = 0;
    const trials = 4000;
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: 10 }, () => 1 + 0.05 * normal());
      medians.push(median(xs));
      predicted += relativeMedianError(xs) / trials;
    }
    const m = medians.reduce((a, b) => a + b, 0) / trials;
    const sd = Math.sqrt(medians.reduce((a, b) => a + (b - m) ** 2, 0) / (trials - 1));
    expect(predicted / sd).toBeGreaterThan(0.9);
    expect(predicted / sd).toBeLessThan(1.1);
  });

  it('is infinite for a single round: one value says nothing about noise', () => {
    expect(relativeMedianError([1])).toBe(Infinity);
  });
});
