/**
 * gradcheck (central differences, PyTorch's defaults eps 1e-6, atol 1e-5, rtol 1e-3) on every
 * differentiable op, with broadcasting where the op broadcasts. Inputs are fixed numbers away
 * from kinks (|x| > 0.1 for abs/relu/clamp), so the check is deterministic.
 */
import { describe, expect, it } from 'vitest';
import { torch } from 'relaxed-mc';

const F = torch.nn.functional;
type T = torch.Tensor;

const A = [
  [0.3, -1.2, 0.7],
  [1.5, -0.4, 0.9],
];
const pos = () =>
  torch.tensor(
    [
      [0.5, 1.3, 2.2],
      [0.8, 1.7, 0.4],
    ],
    { requires_grad: true },
  );
const a = () => torch.tensor(A, { requires_grad: true });
const row = () => torch.tensor([0.6, -0.8, 1.1], { requires_grad: true });
const col = () => torch.tensor([[0.5], [-1.3]], { requires_grad: true });
const scalar = () => torch.tensor(0.7, { requires_grad: true });

function check(fn: (...t: T[]) => T | T[], inputs: T[]): void {
  expect(torch.autograd.gradcheck(fn, inputs)).toBe(true);
}

describe('gradcheck on every op', () => {
  const unary: [string, (x: T) => T, () => T][] = [
    ['exp', (x) => x.exp(), a],
    ['log', (x) => x.log(), pos],
    ['sqrt', (x) => x.sqrt(), pos],
    ['neg', (x) => x.neg(), a],
    ['abs', (x) => x.abs(), a],
    ['sigmoid', (x) => x.sigmoid(), a],
    ['tanh', (x) => x.tanh(), a],
    ['relu', (x) => x.relu(), a],
    ['clamp(min, max)', (x) => x.clamp(-0.5, 0.8), a],
    ['clamp(min)', (x) => x.clamp(0), a],
    ['clamp(null, max)', (x) => x.clamp(null, 0.5), a],
    ['pow(number)', (x) => x.pow(3), a],
    ['pow(fraction) on positives', (x) => x.pow(0.5), pos],
    ['softplus', (x) => F.softplus(x), a],
  ];
  for (const [name, f, make] of unary) it(`${name}`, () => check(f, [make()]));

  const binary: [string, (x: T, y: T) => T][] = [
    ['add', (x, y) => x.add(y)],
    ['sub', (x, y) => x.sub(y)],
    ['mul', (x, y) => x.mul(y)],
    ['div', (x, y) => x.div(y.abs().add(0.5))],
    ['pow(tensor) with a positive base', (x, y) => x.abs().add(0.5).pow(y)],
  ];
  for (const [name, f] of binary) {
    it(`${name} with equal shapes, a broadcast row, a broadcast column and a 0-d tensor`, () => {
      check(f, [a(), pos()]);
      check(f, [a(), row()]);
      check(f, [col(), a()]);
      check(f, [a(), scalar()]);
      check(f, [scalar(), row()]);
    });
  }
  it('binary ops with a number operand', () => {
    check((x) => x.add(2).sub(0.5).mul(3).div(4).pow(2), [a()]);
  });

  it('sum and mean over all, over each dim, with keepdim and negative dims', () => {
    for (const op of ['sum', 'mean'] as const) {
      check((x) => x[op](), [a()]);
      check((x) => x[op](0), [a()]);
      check((x) => x[op](-1, true), [a()]);
      check((x) => x[op](1).mul(torch.tensor([1.5, -2])), [a()]);
    }
  });
  it('logsumexp, softmax and log_softmax along each dim', () => {
    const w = torch.tensor([
      [0.2, -1.1, 0.5],
      [1.3, 0.4, -0.7],
    ]);
    for (const d of [0, 1, -1]) {
      check((x) => x.logsumexp(d), [a()]);
      check((x) => x.logsumexp(d, true), [a()]);
      check((x) => x.softmax(d).mul(w), [a()]);
      check((x) => x.log_softmax(d).mul(w), [a()]);
      check((x) => F.softmax(x, d).add(F.log_softmax(x, d)), [a()]);
    }
  });
  it('matmul: 1-D x 1-D, 2-D x 1-D, 1-D x 2-D, 2-D x 2-D and batched with broadcast batch dimensions', () => {
    const m = (r: number, c: number, s = 0) =>
      torch.tensor(
        Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => Math.sin(1 + s + 3 * i + j))),
        { requires_grad: true },
      );
    const v = (n: number) =>
      torch.tensor(
        Array.from({ length: n }, (_, i) => Math.cos(i + 0.3)),
        { requires_grad: true },
      );
    const mm = (x: T, y: T) => x.matmul(y);
    check(mm, [v(3), v(3)]);
    check(mm, [m(2, 3), v(3)]);
    check(mm, [v(2), m(2, 3)]);
    check(mm, [m(2, 3), m(3, 4, 1)]);
    const b1 = torch.tensor(
      [
        [
          [0.1, 0.2],
          [0.3, -0.4],
        ],
        [
          [0.5, -0.6],
          [0.7, 0.8],
        ],
      ],
      { requires_grad: true },
    );
    check(mm, [b1, m(2, 3)]);
    check(mm, [m(3, 2), b1]);
    const b2 = torch.tensor([[[[0.3, -0.1]], [[0.2, 0.9]]]], { requires_grad: true }); // [1, 2, 1, 2]
    const b3 = torch.tensor(
      [
        [
          [0.4, 0.5, -0.6],
          [0.1, -0.2, 0.3],
        ],
        [
          [0.7, 0.1, 0.2],
          [-0.3, 0.6, 0.4],
        ],
        [
          [0.2, 0.2, 0.9],
          [0.5, -0.5, 0.1],
        ],
      ],
      { requires_grad: true },
    ); // [3, 2, 3]
    check((x, y) => x.matmul(y.unsqueeze(1)), [b2, b3]); // batch [1, 2] with [3, 1]
    check((x) => torch.matmul(x, x.transpose(0, 1)), [m(2, 3)]);
  });
  it('reshape, view, unsqueeze, squeeze, transpose, expand, select, clone', () => {
    const w = torch.tensor([
      [0.2, -1.1, 0.5],
      [1.3, 0.4, -0.7],
    ]);
    check((x) => x.reshape([3, 2]).mul(w.reshape([3, 2])), [a()]);
    check((x) => x.reshape([-1]).pow(2), [a()]);
    check((x) => x.view([6]).exp(), [a()]);
    check((x) => x.unsqueeze(0).unsqueeze(-1).mul(2), [a()]);
    check((x) => x.sum(0, true).squeeze().pow(2), [a()]);
    check((x) => x.sum(1, true).squeeze(1).pow(2), [a()]);
    check((x) => x.transpose(0, 1).matmul(w), [a()]);
    check((x) => x.expand([4, 2, 3]).mul(torch.tensor([1, 2, 3, 4]).reshape([4, 1, 1])), [a()]);
    check((x) => x.expand([-1, 3]).pow(2), [col()]);
    check((x) => x.select(0, 1).mul(x.select(1, -1).sum()), [a()]);
    check((x) => x.clone().mul(x), [a()]);
  });
  it('torch.cat and torch.stack', () => {
    check((x, y) => torch.cat([x, y, x], 0).pow(2), [a(), pos()]);
    check((x, y) => torch.cat([x, y], 1).exp(), [a(), col()]);
    check((x, y) => torch.stack([x, y], 1).pow(2), [a(), pos()]);
    check((x, y) => torch.stack([x, y], -1).tanh(), [row(), row()]);
  });
  it('the functional forms equal the methods', () => {
    const x = torch.tensor(A);
    const p = pos();
    const same = (u: T, v: T) => expect(Array.from(u.data)).toEqual(Array.from(v.data));
    same(torch.exp(x), x.exp());
    same(torch.log(p), p.log());
    same(torch.sqrt(p), p.sqrt());
    same(torch.neg(x), x.neg());
    same(torch.abs(x), x.abs());
    same(torch.sigmoid(x), x.sigmoid());
    same(torch.tanh(x), x.tanh());
    same(torch.relu(x), x.relu());
    same(torch.clamp(x, -0.5, 0.5), x.clamp(-0.5, 0.5));
    same(torch.add(x, 2), x.add(2));
    same(torch.sub(x, p), x.sub(p));
    same(torch.mul(x, p), x.mul(p));
    same(torch.div(x, p), x.div(p));
    same(torch.pow(p, x), p.pow(x));
    same(torch.sum(x, 1), x.sum(1));
    same(torch.mean(x, 0, true), x.mean(0, true));
    same(torch.logsumexp(x, 1), x.logsumexp(1));
    same(torch.softmax(x, 0), x.softmax(0));
    same(torch.log_softmax(x, 1), x.log_softmax(1));
    same(torch.matmul(x, p.transpose(0, 1)), x.matmul(p.transpose(0, 1)));
    same(torch.reshape(x, [3, 2]), x.reshape([3, 2]));
    same(torch.unsqueeze(x, 1), x.unsqueeze(1));
    same(torch.squeeze(x.unsqueeze(0)), x);
    same(torch.transpose(x, 0, 1), x.transpose(0, 1));
    same(torch.select(x, 1, 2), x.select(1, 2));
    expect(torch.sum(x, 1).grad_fn).toBeNull();
    expect(torch.sum(p, 1).grad_fn?.name).toBe('SumBackward1');
  });
  it('binary_cross_entropy_with_logits and mse_loss with each reduction', () => {
    const t = torch.tensor(
      [
        [0.1, 0.9, 0.5],
        [1, 0, 0.3],
      ],
      { requires_grad: true },
    );
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      check((x, y) => F.binary_cross_entropy_with_logits(x, y, { reduction }), [a(), t]);
      check((x, y) => F.mse_loss(x, y, { reduction }), [a(), t]);
    }
  });
});

describe('reductions over several dimensions', () => {
  it('sum and mean over a list of dims, with and without keepdim, match PyTorch and pass gradcheck', () => {
    const x = torch.tensor(
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ],
      { requires_grad: true },
    );
    expect(x.sum([0, 2]).tolist()).toEqual([14, 22]);
    expect(x.mean([-1, 0], true).shape).toEqual([1, 2, 1]);
    expect(x.mean([0, 1, 2]).item()).toBe(4.5);
    expect(() => x.sum([1, -2])).toThrow(RangeError);
    check((t) => t.sum([0, 2]).pow(2), [x]);
    check((t) => torch.mean(t, [1, 2], true).exp(), [x]);
  });
});
