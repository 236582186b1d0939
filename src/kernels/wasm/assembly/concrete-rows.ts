// Drawing Concrete rows: Exp(1) draws -> unnormalised weights -> simplex point.
//
// With E_k ~ Exp(1) and G_k = -log E_k ~ Gumbel, the sample is y_k = w_k / sum w for any w_k
// proportional to exp((l_k + G_k) / tau) = (pi_k / E_k)^(1/tau). Each batch element picks the
// cheapest exact form for its temperature (the coefficient block, see below):
//   POWER:   1/tau is a small integer n: w_k = (pi_k / E_k)^n, no log and no exp.
//   SHIFTED: w_k = exp(s_k - max s), s_k = a_k - log(E_k) / tau with a_k = l_k / tau: the
//            log-sum-exp form, two passes over the row while it sits in L1.
// Rows are Kp wide (K rounded up to even, so every row is whole f64x2 pairs); padding lanes
// have pi = 0 and a = -Infinity, so their weight is exactly 0.

import { expBelow710, logPositive } from './math';
import { exp2NonPositive } from './fast-exp2';

export const MODE_POWER: i32 = 1;
export const MODE_SHIFTED: i32 = 2;

// Coefficient block of batch element b at coef + b * COEF_BYTES: [mode, 1/tau, log2(e)/tau, n] as f64.
export const COEF_BYTES: usize = 32;

// Weights of batch element b at wts + b * 3 * Kp * 8: [a_k (Kp) | pi_k (Kp) | a_k log2(e) (Kp)].
// The weights of the SHIFTED form are computed in base 2 (scores times log2(e)), which lets
// them use the cheaper exp2NonPositive; the log-space rows stay in natural units.

// @ts-ignore: decorator
@inline function powN(q: v128, n: i32): v128 {
  if (n == 1) return q;
  const q2 = f64x2.mul(q, q);
  if (n == 2) return q2;
  if (n == 3) return f64x2.mul(q2, q);
  const q4 = f64x2.mul(q2, q2);
  if (n == 4) return q4;
  let r = q4;
  for (let i = 4; i < n; i++) r = f64x2.mul(r, q);
  return r;
}

// Turns the draws in row[0 .. Kp) (Exp(1) draws E, or log E when logDraws) into the row's
// weights, in place, and returns their sum. a2: the scores' constant part in base 2.
@inline export function drawWeights(Kp: i32, coef: usize, a2: usize, pi: usize, row: usize, logDraws: bool): f64 {
  let sum = f64x2.splat(0.0);
  const end = <usize>Kp << 3;
  if (!logDraws) {
    const n = <i32>load<f64>(coef, 24);
    for (let o: usize = 0; o < end; o += 16) {
      const w = powN(f64x2.div(v128.load(pi + o), v128.load(row + o)), n);
      v128.store(row + o, w);
      sum = f64x2.add(sum, w);
    }
  } else {
    const invTau2 = f64x2.splat(load<f64>(coef, 16));
    let m = f64x2.splat(-Infinity);
    for (let o: usize = 0; o < end; o += 16) {
      const s = f64x2.sub(v128.load(a2 + o), f64x2.mul(invTau2, v128.load(row + o)));
      v128.store(row + o, s);
      m = f64x2.pmax(m, s);
    }
    const mm = f64x2.splat(max<f64>(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1)));
    for (let o: usize = 0; o < end; o += 16) {
      const w = exp2NonPositive(f64x2.sub(v128.load(row + o), mm));
      v128.store(row + o, w);
      sum = f64x2.add(sum, w);
    }
  }
  return f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
}

// Turns the draws V_k = log E_k in row into the log-simplex point x = s - LSE(s),
// s_k = a_k - V_k / tau.
@inline export function drawLogRow(Kp: i32, coef: usize, a: usize, row: usize): void {
  const invTau = f64x2.splat(load<f64>(coef, 8));
  const end = <usize>Kp << 3;
  let m = f64x2.splat(-Infinity);
  for (let o: usize = 0; o < end; o += 16) {
    const s = f64x2.sub(v128.load(a + o), f64x2.mul(invTau, v128.load(row + o)));
    v128.store(row + o, s);
    m = f64x2.pmax(m, s);
  }
  const mm = f64x2.splat(max<f64>(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1)));
  let sum = f64x2.splat(0.0);
  for (let o: usize = 0; o < end; o += 16) sum = f64x2.add(sum, expBelow710(f64x2.sub(v128.load(row + o), mm)));
  const lse = f64x2.add(mm, logPositive(f64x2.splat(f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1))));
  for (let o: usize = 0; o < end; o += 16) v128.store(row + o, f64x2.sub(v128.load(row + o), lse));
}

// Scales a row of weights to the simplex.
@inline export function normalizeRow(Kp: i32, row: usize, total: f64): void {
  const inv = f64x2.splat(1.0 / total);
  const end = <usize>Kp << 3;
  for (let o: usize = 0; o < end; o += 16) v128.store(row + o, f64x2.mul(v128.load(row + o), inv));
}
