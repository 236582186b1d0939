import { describe, expect, it } from 'vitest';
import { torch, ValueError } from 'relaxed-mc';
import { loadGolden } from '../helpers/golden.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const golden = loadGolden('errors.json');

function construct(args: any) {
  const opts: any = {};
  if ('probs' in args) opts.probs = typeof args.probs === 'number' ? args.probs : torch.tensor(args.probs);
  if ('logits' in args) opts.logits = typeof args.logits === 'number' ? args.logits : torch.tensor(args.logits);
  if ('validate_args' in args) opts.validate_args = args.validate_args;
  return new RelaxedOneHotCategorical(
    typeof args.temperature === 'number' ? args.temperature : torch.tensor(args.temperature),
    opts,
  );
}

describe('bad input is rejected with a typed error (golden errors.json)', () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.note}`, () => {
      const run = () => {
        const d = construct(c.args);
        if (c.stage === 'log_prob') return d.log_prob(torch.tensor(c.value));
        return d;
      };
      if (c.must === 'reject') {
        let err: unknown;
        try {
          run();
        } catch (e) {
          err = e;
        }
        expect(err, 'expected an error').toBeInstanceOf(Error);
        expect((err as Error).name).toBe(c.error_kind);
        if (c.error_kind === 'ValueError') expect(err).toBeInstanceOf(ValueError);
        const msg = (err as Error).message;
        // PyTorch's wording where the spec gives it (shapes printed as [2] instead of torch.Size([2])).
        const ref: string | undefined = c.pytorch_1_13?.message;
        if (ref?.startsWith('Expected parameter') || ref?.startsWith('Expected value')) {
          const head = ref.match(/^Expected (parameter (\w+)|value argument)/)!;
          // PyTorch names its inner parameter (probs) even when logits were given; we name what the caller passed.
          if (head[2] === undefined || head[2] in c.args) {
            expect(msg).toContain(head[0]);
            expect(msg).toContain(ref.match(/constraint (\S+?\(.*?\)), but/)?.[1] ?? 'support (Simplex())');
          } else {
            expect(msg).toMatch(/^Expected parameter (probs|logits)/);
          }
        } else if (ref) {
          expect(msg).toContain(ref.replace(/torch\.Size\((\[[^\]]*\])\)/g, '$1'));
        } else {
          expect(msg).toMatch(/temperature|probs|logits|value/);
        }
      } else {
        const out = run();
        if (c.stage === 'log_prob') {
          const expected = c.pytorch_1_13.result;
          const got = (out as any).tolist();
          if (Number.isNaN(expected)) expect(got).toBeNaN();
          else if (typeof expected === 'number')
            expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
          else
            expect((out as any).data.every((v: number, i: number) => Math.abs(v - expected.flat()[i]) < 1e-9)).toBe(
              true,
            );
        }
      }
    });
  }
});

describe('error messages name the argument, the rule and the value', () => {
  it('temperature: names it, the constraint and the offending tensor', () => {
    expect(
      () =>
        new RelaxedOneHotCategorical(torch.tensor([0.5, -0.1]), {
          logits: [
            [0, 1],
            [1, 0],
          ],
        }),
    ).toThrow(/parameter temperature .*GreaterThan\(lower_bound=0\.0\).*\n.*-0\.1/s);
  });
  it('probs: an all-negative row is refused before normalising would hide it', () => {
    expect(() => new RelaxedOneHotCategorical(0.5, { probs: [-1, -3] })).toThrow(
      /parameter probs .*Simplex\(\).*non-negative.*\n.*-1, -3/s,
    );
  });
  it('a zero entry in a value points to the log-space route', () => {
    const d = new RelaxedOneHotCategorical(0.5, { probs: [0.2, 0.3, 0.5] });
    expect(() => d.log_prob([0, 0.4, 0.6])).toThrow(/open simplex.*rsample_with_log_prob.*ExpRelaxedCategorical/s);
  });
  it('a bare number for probs or logits is a ValueError, not a TypeError', () => {
    expect(() => new RelaxedOneHotCategorical(0.5, { logits: 1 as any })).toThrow(ValueError);
  });
  it('a non-numeric parameter is a TypeError naming it', () => {
    expect(() => new RelaxedOneHotCategorical(0.5, { probs: ['a', 'b'] as any })).toThrow(TypeError);
    expect(() => new RelaxedOneHotCategorical('hot' as any, { probs: [0.5, 0.5] })).toThrow(/temperature/);
  });
  it('validate_args: false never skips the temperature or shape checks', () => {
    expect(() => new RelaxedOneHotCategorical(0, { probs: [0.5, 0.5], validate_args: false })).toThrow(ValueError);
    const d = new RelaxedOneHotCategorical(0.5, { probs: [0.5, 0.5], validate_args: false });
    expect(() => d.log_prob([1])).toThrow(/right-most size/);
  });
  it('entropy, cdf, icdf and enumerate_support are not implemented', () => {
    const d = new RelaxedOneHotCategorical(0.5, { probs: [0.5, 0.5] });
    for (const f of [
      () => d.entropy(),
      () => d.cdf([0.5, 0.5]),
      () => d.icdf([0.5, 0.5]),
      () => d.enumerate_support(),
    ]) {
      expect(f).toThrow(expect.objectContaining({ name: 'NotImplementedError' }));
    }
  });
});
