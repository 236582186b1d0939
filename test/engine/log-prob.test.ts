import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine, ValueError } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());

describe('engine.logProb equals dist.log_prob bit for bit', () => {
  it("on the engine's own samples of a batched distribution with per-row temperatures", async () => {
    const dist = new RelaxedOneHotCategorical(torch.tensor([0.2, 1, 4]), {
      logits: [
        [0, 1, 2],
        [2, 1, 0],
        [0, 0, -3],
      ],
    });
    const z = await engine.sample(dist, [20_000], { seed: 4 });
    const lp = await engine.logProb(dist, z, { chunkSize: 1000 });
    const ref = dist.log_prob(z);
    expect(lp.shape).toEqual([20_000, 3]);
    expect(lp.data.every((v, i) => Object.is(v, ref.data[i]))).toBe(true);
  });

  it('on broadcast values (value [2,1,K] against batch [3]) and on nested arrays', async () => {
    const dist = new RelaxedOneHotCategorical(torch.tensor([0.5, 1, 2]), { probs: [0.2, 0.3, 0.5] });
    const v = [[[0.2, 0.3, 0.5]], [[0.5, 0.3, 0.2]]];
    const lp = await engine.logProb(dist, v);
    const ref = dist.log_prob(v);
    expect(lp.shape).toEqual([2, 3]);
    expect(Array.from(lp.data)).toEqual(Array.from(ref.data));
  });

  it('throws the same ValueErrors as dist.log_prob: wrong width, bad batch, off the simplex, exact zero', async () => {
    const dist = new RelaxedOneHotCategorical(0.5, { probs: [0.2, 0.3, 0.5] });
    const before = engine.completedTasks;
    await expect(engine.logProb(dist, [0.5, 0.5])).rejects.toThrow(
      /right-most size of value must match event_shape: \[2\] vs \[3\]/,
    );
    const batched = new RelaxedOneHotCategorical(0.5, { logits: torch.zeros([4, 3]) });
    await expect(engine.logProb(batched, torch.full([3, 3], 1 / 3))).rejects.toThrow(/not broadcastable/);
    // Shape errors are found before any worker starts.
    expect(engine.completedTasks).toBe(before);
    for (const v of [
      [0.2, 0.3, 0.6],
      [0, 0.4, 0.6],
    ]) {
      let a: unknown;
      let b: unknown;
      try {
        dist.log_prob(v);
      } catch (e) {
        a = e;
      }
      try {
        await engine.logProb(dist, v);
      } catch (e) {
        b = e;
      }
      expect(b).toBeInstanceOf(ValueError);
      expect((b as Error).message).toBe((a as Error).message);
    }
  });

  it('with validate_args false, an exact zero gives NaN as dist.log_prob does', async () => {
    const dist = new RelaxedOneHotCategorical(0.5, { probs: [0.2, 0.3, 0.5], validate_args: false });
    const lp = await engine.logProb(dist, [0, 0.4, 0.6]);
    expect(lp.item()).toBeNaN();
  });
});
