/**
 * Differentiable element-wise operations: the forward loops of the tensor layer plus their
 * vector-Jacobian products, with broadcast gradients summed back to each input's shape.
 *
 * @packageDocumentation
 */
import { Binary, Unary, binaryData, broadcastPair, sumToShape, unaryData } from '../tensor/elementwise.js';
import { Tensor } from '../tensor/tensor.js';
import { record } from './node.js';
import { Rule, TypeError } from '../errors.js';

const UNARY_NAMES = [
  'ExpBackward0',
  'LogBackward0',
  'SqrtBackward0',
  'NegBackward0',
  'AbsBackward0',
  'SigmoidBackward0',
  'TanhBackward0',
  'ReluBackward0',
  'ClampBackward1',
  'PowBackward0',
  'SoftplusBackward0',
];

/**
 * A unary operation, recorded.
 *
 * @param op - the operation.
 * @param x - the input.
 * @param p - clamp's min or the exponent.
 * @param q - clamp's max.
 * @returns the result.
 */
export function unaryOp(op: Unary, x: Tensor, p: number, q: number): Tensor {
  const y = unaryData(op, x.data, p, q);
  const out = new Tensor(y, x.shape);
  const xd = x.data;
  return record(out, UNARY_NAMES[op], [x], (g) => [unaryVjp(op, xd, y, g, p, q)]);
}

function unaryVjp(op: Unary, x: Float64Array, y: Float64Array, g: Float64Array, p: number, q: number): Float64Array {
  const n = g.length;
  const d = new Float64Array(n);
  switch (op) {
    case Unary.Exp:
      for (let i = 0; i < n; i++) d[i] = g[i] * y[i];
      break;
    case Unary.Log:
      for (let i = 0; i < n; i++) d[i] = g[i] / x[i];
      break;
    case Unary.Sqrt:
      for (let i = 0; i < n; i++) d[i] = g[i] / (2 * y[i]);
      break;
    case Unary.Neg:
      for (let i = 0; i < n; i++) d[i] = -g[i];
      break;
    case Unary.Abs:
      for (let i = 0; i < n; i++) d[i] = g[i] * (x[i] > 0 ? 1 : x[i] < 0 ? -1 : x[i] === 0 ? 0 : NaN);
      break;
    case Unary.Sigmoid:
      for (let i = 0; i < n; i++) d[i] = g[i] * y[i] * (1 - y[i]);
      break;
    case Unary.Tanh:
      for (let i = 0; i < n; i++) d[i] = g[i] * (1 - y[i] * y[i]);
      break;
    case Unary.Relu:
      for (let i = 0; i < n; i++) d[i] = y[i] > 0 ? g[i] : 0;
      break;
    case Unary.Clamp:
      // PyTorch passes the gradient where min <= x <= max (bounds included).
      for (let i = 0; i < n; i++) d[i] = x[i] >= p && x[i] <= q ? g[i] : 0;
      break;
    case Unary.PowScalar:
      if (p === 0) break;
      for (let i = 0; i < n; i++) d[i] = g[i] * p * (p === 2 ? x[i] : Math.pow(x[i], p - 1));
      break;
    case Unary.Softplus:
      for (let i = 0; i < n; i++) d[i] = g[i] / (1 + Math.exp(-x[i]));
      break;
  }
  return d;
}

const BINARY_NAMES = ['AddBackward0', 'SubBackward0', 'MulBackward0', 'DivBackward0', 'PowBackward1'];

/**
 * A broadcast binary operation, recorded.
 *
 * @param op - the operation.
 * @param a - the left operand.
 * @param other - the right operand (tensor or number).
 * @returns the result.
 */
export function binaryOp(op: Binary, a: Tensor, other: Tensor | number): Tensor {
  if (typeof other === 'number') {
    const y = binaryData(op, a.data, null, other);
    const out = new Tensor(y, a.shape);
    const ad = a.data;
    return record(out, BINARY_NAMES[op], [a], (g) => [scalarVjp(op, ad, y, other, g)]);
  }
  if (!(other instanceof Tensor))
    throw new TypeError('The other operand must be a Tensor or a number.', {
      argument: 'other',
      rule: Rule.tensorLike,
    });
  const bp = broadcastPair(a.data, a.shape, other.data, other.shape);
  const y = binaryData(op, bp.a, bp.b);
  const out = new Tensor(y, bp.shape);
  const aShape = a.shape;
  const bShape = other.shape;
  const needA = a._requires_grad;
  const needB = other._requires_grad;
  return record(out, BINARY_NAMES[op], [a, other], (g) => {
    const [ga, gb] = binaryVjp(op, bp.a, bp.b, y, g, needA, needB);
    return [ga && sumToShape(ga, bp.shape, aShape), gb && sumToShape(gb, bp.shape, bShape)];
  });
}

function scalarVjp(op: Binary, a: Float64Array, y: Float64Array, s: number, g: Float64Array): Float64Array {
  const n = g.length;
  const d = new Float64Array(n);
  switch (op) {
    case Binary.Add:
    case Binary.Sub:
      d.set(g);
      break;
    case Binary.Mul:
      for (let i = 0; i < n; i++) d[i] = g[i] * s;
      break;
    case Binary.Div:
      for (let i = 0; i < n; i++) d[i] = g[i] / s;
      break;
    case Binary.Pow:
      if (s !== 0) for (let i = 0; i < n; i++) d[i] = g[i] * s * Math.pow(a[i], s - 1);
      break;
  }
  void y;
  return d;
}

function binaryVjp(
  op: Binary,
  a: Float64Array,
  b: Float64Array,
  y: Float64Array,
  g: Float64Array,
  needA: boolean,
  needB: boolean,
): [Float64Array | null, Float64Array | null] {
  const n = g.length;
  const ga = needA ? new Float64Array(n) : null;
  const gb = needB ? new Float64Array(n) : null;
  switch (op) {
    case Binary.Add:
      if (ga) ga.set(g);
      if (gb) gb.set(g);
      break;
    case Binary.Sub:
      if (ga) ga.set(g);
      if (gb) for (let i = 0; i < n; i++) gb[i] = -g[i];
      break;
    case Binary.Mul:
      if (ga) for (let i = 0; i < n; i++) ga[i] = g[i] * b[i];
      if (gb) for (let i = 0; i < n; i++) gb[i] = g[i] * a[i];
      break;
    case Binary.Div:
      if (ga) for (let i = 0; i < n; i++) ga[i] = g[i] / b[i];
      if (gb) for (let i = 0; i < n; i++) gb[i] = (-g[i] * a[i]) / (b[i] * b[i]);
      break;
    case Binary.Pow:
      // d/da a^b = b a^(b-1) (0 where b = 0); d/db a^b = a^b log a (0 where a = 0 and b >= 0), as PyTorch.
      if (ga) for (let i = 0; i < n; i++) ga[i] = b[i] === 0 ? 0 : g[i] * b[i] * Math.pow(a[i], b[i] - 1);
      if (gb) for (let i = 0; i < n; i++) gb[i] = a[i] === 0 && b[i] >= 0 ? 0 : g[i] * y[i] * Math.log(a[i]);
      break;
  }
  return [ga, gb];
}
