/**
 * The simplex tolerance is written once (`SIMPLEX_SUM_TOLERANCE`, PyTorch's 1e-6) and every
 * support check reads it: the distributions' `simplex` constraint and the workers' checks of
 * `log_prob` values on the simplex and in log space accept a row whose sum is off by 0.9 of it
 * and refuse one off by 1.1 of it, on either side of 1.
 */
import { describe, expect, it } from 'vitest';
import { firstInvalidLogRow, firstInvalidRow } from '../../src/chunks/chunk-runners.js';
import { simplex } from '../../src/distributions/constraints.js';
import { SIMPLEX_SUM_TOLERANCE } from '../../src/kernels/log-prob.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** A row of K = 3 whose sum is `1 + off`. */
const row = (off: number) => Float64Array.of(0.25, 0.25, 0.5 + off);

describe('the simplex tolerance', () => {
  it("is PyTorch's 1e-6", () => {
    expect(SIMPLEX_SUM_TOLERANCE).toBe(1e-6);
  });

  for (const sign of [1, -1]) {
    for (const [factor, inside] of [
      [0.9, true],
      [1.1, false],
    ] as const) {
      const off = sign * factor * SIMPLEX_SUM_TOLERANCE;
      it(`a row summing to 1 ${sign > 0 ? '+' : '-'} ${factor} tolerance is ${inside ? 'in' : 'out of'} every support check`, () => {
        const y = row(off);
        expect(simplex.check(new Tensor(y, [3])).item()).toBe(inside ? 1 : 0);
        expect(firstInvalidRow(1, 3, y, 0).row).toBe(inside ? -1 : 0);
        expect(firstInvalidLogRow(1, 3, y.map(Math.log), 0).row).toBe(inside ? -1 : 0);
      });
    }
  }
});
