import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { torch } from 'relaxed-mc';

const { RelaxedOneHotCategorical, ExpRelaxedCategorical } = torch.distributions;

/** Reference NumPy broadcast, written independently of the library's. */
function npBroadcast(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** A batch shape, a temperature shape that broadcasts with it, and K. */
const setup = fc
  .record({
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
    K: fc.integer({ min: 1, max: 4 }),
    tempMask: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    paramMask: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    dropT: fc.integer({ min: 0, max: 3 }),
    dropP: fc.integer({ min: 0, max: 3 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  })
  .map(({ batch, K, tempMask, paramMask, dropT, dropP, seed }) => {
    const tShape = batch.map((d, i) => (tempMask[i] ? d : 1)).slice(Math.min(dropT, batch.length));
    const pShape = batch.map((d, i) => (paramMask[i] ? d : 1)).slice(Math.min(dropP, batch.length));
    return { K, tShape, pShape, seed };
  });

function makeDist(tShape: number[], pShape: number[], K: number, seed: number) {
  torch.manual_seed(seed);
  const temp = torch.rand(tShape).mul(2).add(0.2);
  const logits = torch.randn([...pShape, K]);
  return { d: new RelaxedOneHotCategorical(temp, { logits }), temp, logits };
}

const sampleShape = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 });

describe('shapes and broadcasting (property tests)', () => {
  it('batch_shape = broadcast(temperature.shape, param.shape[:-1]); event_shape = [K]', () => {
    fc.assert(
      fc.property(setup, ({ K, tShape, pShape, seed }) => {
        const { d } = makeDist(tShape, pShape, K, seed);
        expect(d.batch_shape).toEqual(npBroadcast(tShape, pShape));
        expect(d.event_shape).toEqual([K]);
      }),
    );
  });

  it('sample(sample_shape) has shape sample_shape ++ batch_shape ++ [K]; a number n means [n]', () => {
    fc.assert(
      fc.property(setup, sampleShape, ({ K, tShape, pShape, seed }, ss) => {
        const { d } = makeDist(tShape, pShape, K, seed);
        expect(d.sample(ss).shape).toEqual([...ss, ...d.batch_shape, K]);
        expect(d.rsample(2).shape).toEqual([2, ...d.batch_shape, K]);
        expect(d.base_dist.rsample(ss).shape).toEqual([...ss, ...d.batch_shape, K]);
      }),
    );
  });

  it('log_prob(value) has shape broadcast(value.shape[:-1], batch_shape)', () => {
    fc.assert(
      fc.property(setup, sampleShape, ({ K, tShape, pShape, seed }, ss) => {
        const { d } = makeDist(tShape, pShape, K, seed);
        const v = d.sample(ss);
        expect(d.log_prob(v).shape).toEqual([...ss, ...d.batch_shape]);
        const single = torch.full([K], 1 / K);
        expect(d.log_prob(single).shape).toEqual(d.batch_shape);
      }),
    );
  });

  it('each batch row uses its own temperature and logits (equals a separately built distribution)', () => {
    fc.assert(
      fc.property(setup, ({ K, tShape, pShape, seed }) => {
        const { d } = makeDist(tShape, pShape, K, seed);
        const B = numel(d.batch_shape);
        const v = d.sample([2]);
        const lp = d.log_prob(v).data;
        const temps = d.temperature.expand(d.batch_shape).data;
        const logits = d.logits.expand([...d.batch_shape, K]).data;
        for (let r = 0; r < 2 * B; r++) {
          const b = r % B;
          const one = new RelaxedOneHotCategorical(temps[b], {
            logits: Array.from(logits.subarray(b * K, (b + 1) * K)),
          });
          const ref = one.log_prob(Array.from(v.data.subarray(r * K, (r + 1) * K))).item();
          // The separate distribution normalises the (already normalised) logits again: a few ulps.
          expect(Math.abs(lp[r] - ref)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(ref)));
        }
      }),
    );
  });

  it('expand(new_batch) broadcasts temperature and logits; log_prob agrees with the original, broadcast', () => {
    fc.assert(
      fc.property(setup, fc.integer({ min: 1, max: 3 }), ({ K, tShape, pShape, seed }, lead) => {
        const { d } = makeDist(tShape, pShape, K, seed);
        const nb = [lead, ...d.batch_shape.map((s) => s)];
        const e = d.expand(nb);
        expect(e.batch_shape).toEqual(nb);
        expect(e.temperature.shape).toEqual(nb);
        expect(e.sample([2]).shape).toEqual([2, ...nb, K]);
        const v = d.sample([]);
        const a = d.log_prob(v).data;
        const b = e.log_prob(v).data;
        for (let i = 0; i < b.length; i++) expect(b[i]).toBe(a[i % a.length]);
        expect(e.validate_args).toBe(d.validate_args);
      }),
    );
  });

  it('expand refuses a batch shape the current one does not broadcast to', () => {
    const d = new RelaxedOneHotCategorical(torch.tensor([0.5, 1]), { logits: [0, 1, 2] });
    expect(() => d.expand([3])).toThrow(/cannot be expanded/);
    expect(() => d.expand([2, 3])).toThrow(/cannot be expanded/);
  });

  it('ExpRelaxedCategorical.log_prob(x) - sum(x) equals RelaxedOneHotCategorical.log_prob(exp(x))', () => {
    fc.assert(
      fc.property(setup, ({ K, tShape, pShape, seed }) => {
        const { temp, logits } = makeDist(tShape, pShape, K, seed);
        const base = new ExpRelaxedCategorical(temp, { logits });
        const roc = new RelaxedOneHotCategorical(temp, { logits });
        const x = base.rsample([3]);
        const a = base.log_prob(x).sub(x.sum(-1)).data;
        const b = roc.log_prob(x.exp()).data;
        for (let i = 0; i < a.length; i++)
          expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(b[i])));
      }),
    );
  });

  it('Tensor arithmetic follows NumPy broadcasting', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (shape, mask, drop) => {
          const other = shape.map((d, i) => (mask[i] ? d : 1)).slice(Math.min(drop, shape.length));
          const a = torch.rand(shape);
          const b = torch.rand(other);
          const c = a.add(b);
          expect(c.shape).toEqual(npBroadcast(shape, other));
          expect(b.add(a).tolist()).toEqual(c.tolist());
        },
      ),
    );
  });
});
