/**
 * Every case of golden/autograd.json (PyTorch 1.13 autograd, float64): values and gradients
 * within 1e-9 * max(1, |expected|), element by element (deterministic, no false failures).
 */
import { describe, expect, it } from 'vitest';
import { torch } from 'relaxed-mc';
import { flat, loadGolden } from '../helpers/golden.js';

const F = torch.nn.functional;
type T = torch.Tensor;

const EXPRESSIONS: Record<string, (v: Record<string, T>) => T> = {
  elementwise: ({ a, b, c }) =>
    a
      .mul(b)
      .add(c)
      .tanh()
      .pow(2)
      .sum()
      .add(a.div(b.abs().add(1)).sigmoid().mean())
      .add(b.abs().add(1).sqrt().log().sum())
      .add(a.sub(b).relu().mul(c).sum())
      .add(a.neg().exp().mul(0.1).sum()),
  softmax_family: ({ x, w }) =>
    x.softmax(-1).mul(w).sum().add(x.log_softmax(0).mean()).add(x.logsumexp(1).sum()).add(F.softplus(x).mean()),
  mlp: ({ x, W1, b1, W2, b2, y }) =>
    x.matmul(W1).add(b1).tanh().matmul(W2).add(b2).log_softmax(-1).mul(y).sum(-1).mean().neg(),
  shapes: ({ x, v, u }) => {
    const M = x.shape[2];
    return x
      .sum(1)
      .pow(2)
      .mean()
      .add(x.reshape([6, M]).matmul(v).exp().mean())
      .add(x.unsqueeze(0).expand([3, 2, 3, M]).mul(u).sum())
      .add(x.transpose(0, 2).sum(-1, true).mul(x.mean(1, true).transpose(0, 2)).sum());
  },
  bce: ({ z, t }) => F.binary_cross_entropy_with_logits(z, t).add(F.mse_loss(z.sigmoid(), t)),
  pow_clamp: ({ x, y }) =>
    x
      .clamp(-0.5, 0.8)
      .pow(3)
      .sum()
      .add(x.div(x.pow(2).add(1)).sum())
      .add(x.abs().add(0.5).pow(y).sum())
      .add(x.abs().add(0.5).pow(y.mean()).sum()),
};

const golden = loadGolden<{ cases: any[] }>('autograd.json');
let worst = 0;

function close(got: ArrayLike<number>, expected: unknown, what: string): void {
  const e = flat(expected);
  expect(got.length, `${what}: element count`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(got[i] - e[i]) / Math.max(1, Math.abs(e[i]));
    worst = Math.max(worst, err);
    if (!(err <= 1e-9)) expect.fail(`${what}[${i}]: got ${got[i]}, expected ${e[i]}`);
  }
}

describe('golden autograd cases (PyTorch 1.13)', () => {
  for (const c of golden.cases) {
    it(`${c.id} matches PyTorch's value and gradients`, () => {
      if (c.kind === 'expression') {
        const v: Record<string, T> = {};
        for (const [k, arr] of Object.entries(c.inputs)) {
          v[k] = torch.tensor(arr as number[], { requires_grad: c.requires_grad.includes(k) });
        }
        const out = EXPRESSIONS[c.name](v);
        close([out.item()], c.expected.value, 'value');
        out.backward();
        for (const [k, g] of Object.entries(c.expected.grad)) close(v[k].grad!.data, g, `grad ${k}`);
      } else if (c.kind === 'log_prob') {
        const temperature = torch.tensor(c.temperature, { requires_grad: true });
        const key = c.logits !== undefined ? 'logits' : 'probs';
        const param = torch.tensor(c[key], { requires_grad: true });
        const dist = new torch.distributions.RelaxedOneHotCategorical(temperature, {
          [key]: param,
          validate_args: false,
        });
        const value = torch.tensor(c.value, { requires_grad: true });
        const lp = dist.log_prob(value);
        close(lp.data, c.expected.log_prob, 'log_prob');
        lp.mul(torch.tensor(c.weight)).sum().backward();
        close(temperature.grad!.data, c.expected.grad.temperature, 'grad temperature');
        close(param.grad!.data, c.expected.grad[key], `grad ${key}`);
        close(value.grad!.data, c.expected.grad.value, 'grad value');
      } else {
        const p = torch.tensor(c.p0, { requires_grad: true });
        const target = torch.tensor(c.target);
        const scale = torch.tensor(c.scale);
        const Opt = c.optimizer === 'SGD' ? torch.optim.SGD : torch.optim.Adam;
        const opt = new Opt([p], c.options);
        for (let s = 0; s < c.steps; s++) {
          opt.zero_grad();
          const loss = p.sub(target).pow(2).mul(scale).sum().add(p.exp().sum().mul(0.1));
          loss.backward();
          opt.step();
          close(p.data, c.expected.trajectory[s], `step ${s + 1}`);
        }
      }
    });
  }
  it('reports the largest relative error', () => {
    console.log(`autograd golden: max relative error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-9);
  });
});
