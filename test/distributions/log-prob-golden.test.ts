import { describe, expect, it } from 'vitest';
import { torch } from 'relaxed-mc';
import { flat, loadGolden } from '../helpers/golden.js';

const { RelaxedOneHotCategorical, ExpRelaxedCategorical } = torch.distributions;
const golden = loadGolden('log_prob.json');

/** The golden tolerance: |got - expected| <= 1e-9 * max(1, |expected|); non-finite values match exactly. */
function relErr(got: number, expected: number): number {
  if (!Number.isFinite(expected))
    return Object.is(got, expected) || (Number.isNaN(got) && Number.isNaN(expected)) ? 0 : Infinity;
  return Math.abs(got - expected) / Math.max(1, Math.abs(expected));
}

function build(c: any) {
  const opts: any = { validate_args: c.validate_args ?? true };
  if (c.probs !== undefined) opts.probs = c.probs;
  else opts.logits = c.logits;
  return new RelaxedOneHotCategorical(torch.tensor(c.temperature), opts);
}

describe('log_prob against PyTorch 1.13 (golden log_prob.json)', () => {
  let worst = 0;
  for (const c of golden.cases) {
    it(`${c.id}: ${c.note}`, () => {
      // lp_27 evaluates an exact-0 entry, which only validate_args=false lets through (spec 4.2).
      const zeroEntry = flat(c.value).some((x) => x === 0);
      const d = build({ ...c, validate_args: zeroEntry ? false : c.validate_args });
      expect(d.batch_shape).toEqual(c.batch_shape);
      const got = d.log_prob(torch.tensor(c.value));
      expect(got.shape).toEqual(c.expected_shape);
      const exp = flat(c.expected);
      const g = Array.from(got.data);
      for (let i = 0; i < exp.length; i++) {
        const e = relErr(g[i], exp[i]);
        worst = Math.max(worst, e);
        expect(e, `element ${i}: got ${g[i]}, expected ${exp[i]}`).toBeLessThanOrEqual(1e-9);
      }
    });
  }

  it('lp_40: the log-space route is finite where exp(x) underflowed', () => {
    const c = golden.cases.find((x: any) => x.id === 'lp_40');
    const d = build({ ...c, validate_args: false });
    const fromValue = Array.from(d.log_prob(torch.tensor(c.value)).data);
    expect(fromValue.some(Number.isNaN)).toBe(true);
    const base = new ExpRelaxedCategorical(
      torch.tensor(c.temperature),
      c.probs ? { probs: c.probs } : { logits: c.logits },
    );
    const x = torch.tensor(c.log_value);
    const lp = base.log_prob(x).sub(x.sum(-1));
    const exp = flat(c.expected_from_log_value);
    exp.forEach((e, i) => {
      expect(Number.isFinite(lp.data[i])).toBe(true);
      expect(relErr(lp.data[i], e)).toBeLessThanOrEqual(1e-9);
    });
  });

  it('reports the largest relative error seen', () => {
    // Printed for the release notes; the per-case assertions above are the test.
    console.log(`golden log_prob: max relative error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-9);
  });
});
