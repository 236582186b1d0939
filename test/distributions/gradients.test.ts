/**
 * Gradients of the Concrete distributions and of F.gumbel_softmax: gradcheck with the noise
 * fixed (the seed is reset before every evaluation), the pathwise identities of the spec (exact
 * for any noise: checked to 1e-12 relative), straight-through `hard`, and the graph-related
 * behaviour (sample records nothing, expand keeps the graph, the engine reads detached values).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, ValueError, torch } from 'relaxed-mc';

const { RelaxedOneHotCategorical, ExpRelaxedCategorical } = torch.distributions;
const F = torch.nn.functional;
type T = torch.Tensor;

const LOGITS = [
  [0.3, -0.8, 1.1, 0.2],
  [-0.5, 0.9, 0.1, -1.4],
  [1.2, 0.4, -0.3, 0.6],
];
const PROBS = [
  [0.5, 1.7, 0.9, 0.3],
  [2.0, 0.4, 1.1, 0.8],
  [0.7, 0.7, 1.5, 0.2],
]; // unnormalised on purpose
const leaf = (v: number[] | number[][] | number) => torch.tensor(v, { requires_grad: true });
const W = torch.tensor([0.7, -1.3, 0.4, 2.1]);
const check = (fn: (...t: T[]) => T | T[], inputs: T[]) => expect(torch.autograd.gradcheck(fn, inputs)).toBe(true);

describe('gradcheck with fixed noise', () => {
  it('rsample with logits and per-row temperatures', () => {
    check(
      (l, t) => {
        torch.manual_seed(11);
        return new RelaxedOneHotCategorical(t, { logits: l }).rsample([2]);
      },
      [leaf(LOGITS), leaf([0.6, 1.3, 2.2])],
    );
  });
  it('rsample with unnormalised probs and a scalar temperature (through the normalisation)', () => {
    check(
      (p, t) => {
        torch.manual_seed(12);
        return new RelaxedOneHotCategorical(t, { probs: p }).rsample([3]);
      },
      [leaf(PROBS), leaf(0.8)],
    );
  });
  it('rsample_with_log_prob: both the value and the log-density', () => {
    for (const key of ['logits', 'probs'] as const) {
      check(
        (q, t) => {
          torch.manual_seed(13);
          const r = new RelaxedOneHotCategorical(t, { [key]: q }).rsample_with_log_prob([2]);
          return [r.value, r.log_prob];
        },
        [leaf(key === 'logits' ? LOGITS : PROBS), leaf([[0.9], [1.4], [0.7]]).reshape([3])],
      );
    }
  });
  it('log_prob with respect to the value, logits or probs, and per-row temperatures', () => {
    torch.manual_seed(14);
    const v = new RelaxedOneHotCategorical(torch.tensor([0.6, 1.3, 2.2]), { logits: LOGITS }).sample([2]);
    for (const key of ['logits', 'probs'] as const) {
      check(
        (q, t, value) => new RelaxedOneHotCategorical(t, { [key]: q, validate_args: false }).log_prob(value),
        [
          leaf(key === 'logits' ? LOGITS : PROBS),
          leaf([0.6, 1.3, 2.2]),
          torch.tensor(v.tolist(), { requires_grad: true }),
        ],
      );
    }
  });
  it('log_prob of a value broadcast against the batch, and of a batch broadcast against the value', () => {
    const value = leaf([0.1, 0.2, 0.3, 0.4]);
    check(
      (l, t, x) => new RelaxedOneHotCategorical(t, { logits: l, validate_args: false }).log_prob(x),
      [leaf(LOGITS), leaf([0.6, 1.3, 2.2]), value],
    );
    const many = leaf([
      [0.1, 0.2, 0.3, 0.4],
      [0.25, 0.25, 0.3, 0.2],
    ]); // [2, 4] against batch [3, 1]: result [3, 2], the parameters are broadcast too
    check(
      (l, t, x) => new RelaxedOneHotCategorical(t, { logits: l, validate_args: false }).log_prob(x),
      [leaf([[0.3, -0.8, 1.1, 0.2]]), leaf([[0.5], [1.5], [2.5]]).reshape([3, 1]), many],
    );
  });
  it('ExpRelaxedCategorical: rsample and log_prob', () => {
    check(
      (l, t) => {
        torch.manual_seed(15);
        return new ExpRelaxedCategorical(t, { logits: l }).rsample([2]);
      },
      [leaf(LOGITS), leaf([0.6, 1.3, 2.2])],
    );
    torch.manual_seed(16);
    const x = new ExpRelaxedCategorical(0.7, { probs: PROBS }).sample();
    check(
      (p, t, v) => new ExpRelaxedCategorical(t, { probs: p }).log_prob(v),
      [leaf(PROBS), leaf(0.7), torch.tensor(x.tolist(), { requires_grad: true })],
    );
  });
  it('F.gumbel_softmax, soft, along the last and along the first dimension', () => {
    check(
      (l) => {
        torch.manual_seed(17);
        return F.gumbel_softmax(l, { tau: 0.7 });
      },
      [leaf(LOGITS)],
    );
    check(
      (l) => {
        torch.manual_seed(18);
        return F.gumbel_softmax(l, { tau: 1.5, dim: 0 });
      },
      [leaf(LOGITS)],
    );
  });
  it('expand keeps the graph: gradients reach the original tensors in their own shapes', () => {
    check(
      (l, t) => {
        torch.manual_seed(19);
        return new RelaxedOneHotCategorical(t, { logits: l }).expand([2, 3]).rsample();
      },
      [leaf([LOGITS[0]]), leaf([0.6, 1.3, 2.2])],
    );
  });
});

describe('pathwise identities (exact for any noise)', () => {
  const close = (got: ArrayLike<number>, want: ArrayLike<number>) => {
    for (let i = 0; i < want.length; i++) {
      expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want[i])));
    }
  };
  function expected(z: T, tau: number): { dl: number[]; dtau: number } {
    const K = W.numel();
    const dl = new Array<number>(K).fill(0);
    let dtau = 0;
    for (let r = 0; r < z.numel() / K; r++) {
      const y = Array.from(z.data.subarray(r * K, (r + 1) * K));
      const wz = y.reduce((s, v, k) => s + v * W.data[k], 0);
      const zlogz = y.reduce((s, v) => s + v * Math.log(v), 0);
      for (let k = 0; k < K; k++) dl[k] += (1 / tau) * y[k] * (W.data[k] - wz);
      dtau -= (1 / tau) * y.reduce((s, v, k) => s + W.data[k] * v * (Math.log(v) - zlogz), 0);
    }
    return { dl, dtau };
  }

  it('dl and dtau of sum(z * w) with logits', () => {
    const l = leaf([0.3, -0.8, 1.1, 0.2]);
    const tau = leaf(0.45);
    torch.manual_seed(21);
    const z = new RelaxedOneHotCategorical(tau, { logits: l }).rsample([500]);
    z.mul(W).sum().backward();
    const e = expected(z, 0.45);
    close(l.grad!.data, e.dl);
    close([tau.grad!.item()], [e.dtau]);
  });

  it('with probs p: dp_i = dl_i / p_i - sum(dl) / sum(p)', () => {
    const raw = [0.5, 1.7, 0.9, 0.3];
    const p = leaf(raw);
    torch.manual_seed(22);
    const z = new RelaxedOneHotCategorical(1.3, { probs: p }).rsample([500]);
    z.mul(W).sum().backward();
    const { dl } = expected(z, 1.3);
    const sdl = dl.reduce((a, b) => a + b, 0);
    const S = raw.reduce((a, b) => a + b, 0);
    close(
      p.grad!.data,
      raw.map((pi, i) => dl[i] / pi - sdl / S),
    );
  });

  it("straight-through hard: one-hot forward (argmax of the soft sample), the soft sample's gradient", () => {
    const l1 = leaf(LOGITS);
    const l2 = leaf(LOGITS);
    torch.manual_seed(23);
    const soft = F.gumbel_softmax(l1, { tau: 0.6 });
    torch.manual_seed(23);
    const hard = F.gumbel_softmax(l2, { tau: 0.6, hard: true });
    const am = soft.argmax(-1).tolist() as number[];
    expect(hard.tolist()).toEqual(am.map((k) => [0, 1, 2, 3].map((j) => (j === k ? 1 : 0))));
    soft.mul(W).sum().backward();
    hard.mul(W).sum().backward();
    expect(Array.from(l2.grad!.data)).toEqual(Array.from(l1.grad!.data));
  });
});

describe('graph behaviour', () => {
  it('F.gumbel_softmax equals RelaxedOneHotCategorical.rsample bit for bit after the same seed', () => {
    const l = torch.tensor(LOGITS);
    torch.manual_seed(31);
    const a = F.gumbel_softmax(l, { tau: 0.3 });
    torch.manual_seed(31);
    const b = new RelaxedOneHotCategorical(0.3, { logits: l }).rsample();
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('gumbel_softmax with tau <= 0 (or NaN) is a ValueError', () => {
    for (const tau of [0, -1, NaN]) expect(() => F.gumbel_softmax(torch.zeros([3]), { tau })).toThrow(ValueError);
  });

  it('sample() records nothing; rsample() does; mean/variance/mode carry no graph', () => {
    const l = leaf([0.3, -0.8, 1.1]);
    const d = new RelaxedOneHotCategorical(2.5, { logits: l });
    expect(d.sample([4]).requires_grad).toBe(false);
    expect(d.rsample([4]).grad_fn?.name).toBe('RelaxedOneHotCategoricalRsampleBackward0');
    expect(d.mean.requires_grad).toBe(false);
    expect(d.variance.requires_grad).toBe(false);
    expect(d.mode.requires_grad).toBe(false);
  });

  it('only the temperature can require grad (logits given as numbers)', () => {
    const tau = leaf([0.5, 2]);
    torch.manual_seed(32);
    const z = new RelaxedOneHotCategorical(tau, { logits: [[0, 1, 2]] }).rsample([10]);
    z.mul(torch.tensor([1, 0, -1]))
      .sum()
      .backward();
    expect(tau.grad!.shape).toEqual([2]);
    expect(tau.grad!.data.every(Number.isFinite)).toBe(true);
  });

  it('the values are snapshots: later in-place changes of the logits do not change the distribution', () => {
    const l = leaf([0, 0, 0]);
    const d = new RelaxedOneHotCategorical(1, { logits: l });
    torch.no_grad(() => l.data.set([5, 0, -5]));
    for (const p of d.probs.data) expect(p).toBeCloseTo(1 / 3, 15);
  });

  describe('the engine', () => {
    const engine = new Engine({ threads: 1 });
    afterAll(() => engine.close());
    it('accepts a distribution built from tensors that require grad (reads detached values)', async () => {
      const l = leaf([0.3, -0.8, 1.1]);
      const tau = leaf(0.5);
      const d = new RelaxedOneHotCategorical(tau, { logits: l });
      const plain = new RelaxedOneHotCategorical(0.5, { logits: [0.3, -0.8, 1.1] });
      const a = await engine.sample(d, [1000], { seed: 5 });
      const b = await engine.sample(plain, [1000], { seed: 5 });
      expect(a.requires_grad).toBe(false);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    });
  });
});
