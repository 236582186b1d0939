/**
 * Property tests (fast-check, fixed seed): for random broadcastable shape pairs and values, the
 * gradients of every broadcast binary op have their inputs' shapes and equal central finite
 * differences (step 1e-6; tolerance 1e-6 absolute + 1e-5 relative, far above the ~1e-9
 * truncation and rounding error of the differences at these magnitudes, so no false failures).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { torch } from 'relaxed-mc';

type T = torch.Tensor;
const OPS: Record<string, (a: T, b: T) => T> = {
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b.abs().add(0.5)),
  pow: (a, b) => a.abs().add(0.5).pow(b),
};

const shapePair = fc
  .record({
    full: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
    dropA: fc.integer({ min: 0, max: 3 }),
    dropB: fc.integer({ min: 0, max: 3 }),
    onesA: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    onesB: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  })
  .map(({ full, dropA, dropB, onesA, onesB }) => {
    const derive = (drop: number, ones: boolean[]) =>
      full.slice(Math.min(drop, full.length)).map((d, i) => (ones[i] ? 1 : d));
    return [derive(dropA, onesA), derive(dropB, onesB)] as const;
  });

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed + 1.7 * i) * 1.5);

function loss(op: (a: T, b: T) => T, a: T, b: T): T {
  const out = op(a, b);
  const w = torch.tensor(values(out.numel(), 0.3)).reshape(out.shape);
  return out.mul(w).sum();
}

describe('broadcast gradients (property)', () => {
  for (const [name, op] of Object.entries(OPS)) {
    it(`${name}: gradients have the inputs' shapes and equal finite differences`, () => {
      fc.assert(
        fc.property(shapePair, fc.integer({ min: 0, max: 1000 }), ([sa, sb], seed) => {
          const a = torch
            .tensor(values(numel(sa), seed))
            .reshape(sa)
            .requires_grad_();
          const b = torch
            .tensor(values(numel(sb), seed + 0.5))
            .reshape(sb)
            .requires_grad_();
          loss(op, a, b).backward();
          expect(a.grad!.shape).toEqual(sa);
          expect(b.grad!.shape).toEqual(sb);
          const eps = 1e-6;
          for (const [t, g] of [
            [a, a.grad!],
            [b, b.grad!],
          ] as const) {
            for (let i = 0; i < t.numel(); i++) {
              const keep = t.data[i];
              const f = (x: number) => {
                t.data[i] = x;
                return torch.no_grad(() => loss(op, a, b).item());
              };
              const num = (f(keep + eps) - f(keep - eps)) / (2 * eps);
              t.data[i] = keep;
              expect(Math.abs(g.data[i] - num)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(num));
            }
          }
        }),
        { seed: 20261204, numRuns: 60 },
      );
    });
  }
});
