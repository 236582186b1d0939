// Vector (f64x2) exp and log, accurate to about 1 ulp over the whole double range.
//
// V8 calls Math.exp/Math.log out of line (8-9 ns each); these inline into the kernels and
// work on two lanes at once. The reductions and the polynomial/rational forms are those of
// FDLIBM (Sun Microsystems, e_exp.c and e_log.c), whose coefficients are minimax fits with
// errors below 2^-58:
//
// exp(x): x = k ln2 + r with k = nearest(x / ln2), |r| <= ln2 / 2, r = hi - lo computed in two
//   parts (ln2 = LN2_HI + LN2_LO, LN2_HI with 32 trailing zero bits, so k * LN2_HI is exact);
//   exp(r) = 1 - ((lo - r c / (2 - c)) - hi) with c = r - r^2 P(r^2). The result is scaled by
//   2^k as 2^(k/2) * 2^(k - k/2), so overflow to Infinity and gradual underflow to subnormals
//   and 0 come out of one final rounding, with no branch. The rounding to an integer uses
//   f64x2.nearest (a real instruction), not the 1.5 * 2^52 addition trick, which an optimiser
//   that reassociates may fold away.
// log(x): x = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)) (subnormals first scaled by 2^52),
//   found with integer arithmetic on the bits (adding 0x3ff00000 - 0x3fe6a09e to the high word
//   carries the mantissas above sqrt(2) into the exponent); s = f / (2 + f), hfsq = f^2 / 2,
//   log x = k LN2_HI - ((hfsq - (s (hfsq + R(s^2)) + k LN2_LO)) - f).
// Special values follow IEEE: exp(NaN) = NaN, exp(-Inf) = 0, exp(+Inf) = +Inf;
// log(0) = -Inf, log(x < 0) = NaN, log(+Inf) = +Inf, log(NaN) = NaN.
//
// Speed: V8 rebuilds every v128 constant from immediates inside loops (three instructions
// each), so the constants live in a table in memory and are loaded (one instruction, from L1).
// Clamps use pmin/pmax (single instructions); NaN still propagates because x is the first
// operand.

const LN2_HI: f64 = 6.93147180369123816490e-01; // 0x3fe62e42fee00000
const LN2_LO: f64 = 1.90821492927058770002e-10; // ln2 - LN2_HI
const TWO52: f64 = 4503599627370496.0;

// Each constant twice (both lanes), 16 bytes apart.
const K = memory.data<f64>(
  [
    710.0, 710.0, // 0: exp overflow clamp
    -746.0, -746.0, // 1: exp underflow clamp
    1.44269504088896338700e+00, 1.44269504088896338700e+00, // 2: log2(e)
    LN2_HI, LN2_HI, // 3
    LN2_LO, LN2_LO, // 4
    4.13813679705723846039e-08, 4.13813679705723846039e-08, // 5: P5
    -1.65339022054652515390e-06, -1.65339022054652515390e-06, // 6: P4
    6.61375632143793436117e-05, 6.61375632143793436117e-05, // 7: P3
    -2.77777777770155933842e-03, -2.77777777770155933842e-03, // 8: P2
    1.66666666666666019037e-01, 1.66666666666666019037e-01, // 9: P1
    2.0, 2.0, // 10
    1.0, 1.0, // 11
    0.5, 0.5, // 12
    1023.0 + TWO52, 1023.0 + TWO52, // 13: exponent bias + 2^52
    TWO52, TWO52, // 14
    1023.0, 1023.0, // 15
    6.666666666666735130e-01, 6.666666666666735130e-01, // 16: Lg1
    3.999999999940941908e-01, 3.999999999940941908e-01, // 17: Lg2
    2.857142874366239149e-01, 2.857142874366239149e-01, // 18: Lg3
    2.222219843214978396e-01, 2.222219843214978396e-01, // 19: Lg4
    1.818357216161805012e-01, 1.818357216161805012e-01, // 20: Lg5
    1.531383769920937332e-01, 1.531383769920937332e-01, // 21: Lg6
    1.479819860511658591e-01, 1.479819860511658591e-01, // 22: Lg7
    2.2250738585072014e-308, 2.2250738585072014e-308, // 23: smallest normal
    52.0, 52.0, // 24
    0.0, 0.0, // 25
    Infinity, Infinity, // 26
    -Infinity, -Infinity, // 27
    NaN, NaN, // 28
  ],
  16,
);
// Integer constants (64-bit lanes).
const KI = memory.data<i64>(
  [
    0x0009_5f62_0000_0000, 0x0009_5f62_0000_0000, // 0: 0x3ff00000 - 0x3fe6a09e in the high word
    0x000f_ffff_ffff_ffff, 0x000f_ffff_ffff_ffff, // 1: mantissa mask
    0x3fe6_a09e_0000_0000, 0x3fe6_a09e_0000_0000, // 2: high word of sqrt(1/2)
    0x4330_0000_0000_0000, 0x4330_0000_0000_0000, // 3: exponent of 2^52
  ],
  16,
);

// @ts-ignore: decorator
@inline function c(i: i32): v128 {
  return v128.load(K + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline function ci(i: i32): v128 {
  return v128.load(KI + (<usize>i << 4));
}

// exp of any two values.
// @ts-ignore: decorator
@inline export function expv(x0: v128): v128 {
  return expBelow710(f64x2.pmin(x0, c(0)));
}

// exp of two values known to be below 710 (or NaN): every exponent the kernels form is at most
// 700 (DIRECT's constant) or 0 (after a row maximum is subtracted), so they skip the upper clamp.
// @ts-ignore: decorator
@inline export function expBelow710(x0: v128): v128 {
  const x = f64x2.pmax(x0, c(1));
  const k = f64x2.nearest(f64x2.mul(x, c(2)));
  const hi = f64x2.sub(x, f64x2.mul(k, c(3)));
  const lo = f64x2.mul(k, c(4));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.mul(t, c(5)), c(6));
  p = f64x2.add(f64x2.mul(t, p), c(7));
  p = f64x2.add(f64x2.mul(t, p), c(8));
  p = f64x2.add(f64x2.mul(t, p), c(9));
  const cc = f64x2.sub(r, f64x2.mul(t, p));
  const rc = f64x2.div(f64x2.mul(r, cc), f64x2.sub(c(10), cc));
  const y = f64x2.sub(c(11), f64x2.sub(f64x2.sub(lo, rc), hi));
  // 2^k as two normal factors: k1 = floor(k / 2) and k2 = k - k1 both lie in [-538, 512].
  const k1 = f64x2.floor(f64x2.mul(k, c(12)));
  const k2 = f64x2.sub(k, k1);
  // (k + 1023) + 2^52 holds the biased exponent in its low bits; shifting left by 52 moves it
  // into the exponent field and drops the rest.
  const f1 = i64x2.shl(f64x2.add(k1, c(13)), 52);
  const f2 = i64x2.shl(f64x2.add(k2, c(13)), 52);
  return f64x2.mul(f64x2.mul(y, f1), f2);
}

// log of positive, normal, finite x (no special cases): the draw kernels' inputs (uniforms in
// (0, 1) and Exp(1) draws in [1e-16, 37]) always are.
// @ts-ignore: decorator
@inline export function logPositive(x: v128): v128 {
  const hb = i64x2.add(x, ci(0));
  // k = biased exponent of hb - 1023, as a double: (2^52 + e) - 2^52 - 1023.
  const k = f64x2.sub(f64x2.sub(v128.or(i64x2.shr_u(hb, 52), ci(3)), c(14)), c(15));
  const m = i64x2.add(v128.and(hb, ci(1)), ci(2));
  const f = f64x2.sub(m, c(11));
  const s = f64x2.div(f, f64x2.add(c(10), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(f64x2.mul(w, f64x2.add(f64x2.mul(w, c(21)), c(19))), c(17)));
  const t2 = f64x2.mul(z, f64x2.add(f64x2.mul(w, f64x2.add(f64x2.mul(w, f64x2.add(f64x2.mul(w, c(22)), c(20))), c(18))), c(16)));
  const R = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(c(12), f64x2.mul(f, f));
  const inner = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(k, c(4)));
  return f64x2.sub(f64x2.mul(k, c(3)), f64x2.sub(f64x2.sub(hfsq, inner), f));
}

// log of any two values: the fast path when both are positive normal finite numbers (the
// common case), the full treatment of zeros, negatives, subnormals, Infinity and NaN otherwise.
// @ts-ignore: decorator
@inline export function logAny(x: v128): v128 {
  const normal = v128.and(f64x2.ge(x, c(23)), f64x2.lt(x, c(26)));
  if (i64x2.all_true(normal)) return logPositive(x);
  return logv(x);
}

// @ts-ignore: decorator
@inline export function logv(x: v128): v128 {
  // Subnormals: scale into the normal range, then take 52 ln 2 off.
  const tiny = f64x2.lt(x, c(23));
  const xs = v128.bitselect(f64x2.mul(x, c(14)), x, tiny);
  const adj = v128.and(tiny, c(24));
  let r = f64x2.sub(logPositive(xs), f64x2.add(f64x2.mul(adj, c(3)), f64x2.mul(adj, c(4))));
  r = v128.bitselect(c(27), r, f64x2.eq(x, c(25)));
  r = v128.bitselect(c(28), r, f64x2.lt(x, c(25)));
  // +Infinity and NaN are their own logarithm.
  const passthrough = v128.or(f64x2.eq(x, c(26)), f64x2.ne(x, x));
  return v128.bitselect(x, r, passthrough);
}
