import { describe, expect, it } from 'vitest';
import { gumbelToConcreteRows } from '../../src/kernels/relaxed-sample.js';
import { normalizeLogitRows } from '../../src/distributions/concrete-params.js';
import { flat, loadGolden } from '../helpers/golden.js';

const golden = loadGolden('rsample_transform.json');
const EPS = golden.eps as number;

describe('gumbelToConcreteRows reproduces PyTorch rsample from the same uniforms (golden rsample_transform.json)', () => {
  for (const [i, c] of golden.cases.entries()) {
    it(`case ${i}: tau=${c.temperature}${c.note ? `, ${c.note}` : ''}`, () => {
      const param = c.probs ?? c.logits;
      const raw = Float64Array.from(flat(param));
      const K = (Array.isArray(param[0]) ? param[0] : param).length;
      const B = raw.length / K;
      const logits = new Float64Array(raw.length);
      for (let b = 0; b < B; b++) {
        const row = raw.subarray(b * K, (b + 1) * K);
        if (c.probs) {
          const s = row.reduce((a, x) => a + x, 0);
          row.forEach((p, k) => (logits[b * K + k] = Math.log(Math.min(Math.max(p / s, EPS), 1 - EPS))));
        } else {
          normalizeLogitRows(row, 1, K, logits.subarray(b * K, (b + 1) * K));
        }
      }
      const temps = Float64Array.from(flat(c.temperature));
      const u = flat(c.uniforms);
      const noise = Float64Array.from(u, (x) => -Math.log(-Math.log(Math.min(Math.max(x, EPS), 1 - EPS))));
      const y = new Float64Array(noise.length);
      expect(temps.length === 1 || temps.length === B).toBe(true);
      const tempRows = temps.length === B ? temps : new Float64Array(B).fill(temps[0]);
      gumbelToConcreteRows(noise.length / K, K, 0, B, logits, tempRows, noise, 0, y, 0);
      const xs = flat(c.log_sample);
      const ys = flat(c.sample);
      // Same formula, different libm: agreement to a few ulps relative to the row's scale.
      xs.forEach((x, j) => expect(Math.abs(noise[j] - x)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(x))));
      ys.forEach((v, j) =>
        expect(Math.abs(y[j] - v)).toBeLessThanOrEqual(1e-12 * Math.max(1e-300, Math.abs(v)) + 1e-300),
      );
    });
  }

  it('cycles batch rows with the given period and row offset', () => {
    const logits = Float64Array.of(0, Math.log(3), Math.log(3), 0); // two batch rows, K = 2
    const temps = Float64Array.of(1, 0.5);
    const noise = new Float64Array(6); // rows 1, 2, 3 of a job: batch elements 1, 0, 1
    const y = new Float64Array(6);
    gumbelToConcreteRows(3, 2, 1, 2, logits, temps, noise, 0, y, 0);
    // zero noise: y = softmax(l / tau); batch 1 at tau 0.5 gives (3^2, 1)/10, batch 0 at tau 1 gives (1, 3)/4.
    expect(Array.from(y)).toEqual(
      [0.9, 0.1, 0.25, 0.75, 0.9, 0.1].map((v) => expect.closeTo(v, 15) as unknown as number),
    );
  });
});
