// Two lanes at a time of the scalar functions in fdlibm-scalar.ts, with the same operations in
// each lane (so the same bits as stdlib): the in-process sampler's hot loops call these.
//
// ## Method
// Every data-dependent branch of the scalar code becomes a lane select over both results; the
// integer steps work on the high words held in 64-bit lanes (the values involved are below
// 2^21, so 64-bit and 32-bit arithmetic agree). The one branch left, a logarithm argument
// within a few ulps of a power of two (probability about 3 in 2^20), is handed to the scalar
// function for both lanes. Constants are loaded from a table (V8 rebuilds v128 immediates
// inside loops).

import { expStdlib, lnStdlib } from './fdlibm-scalar';

const F = memory.data<f64>(
  [
    1.0, 1.0, // 0
    2.0, 2.0, // 1
    0.5, 0.5, // 2
    6.93147180369123816490e-1, 6.93147180369123816490e-1, // 3: LN2_HI
    1.90821492927058770002e-10, 1.90821492927058770002e-10, // 4: LN2_LO
    6755399441055744.0, 6755399441055744.0, // 5: 1.5 * 2^52
    0.3999999999940942, 0.3999999999940942, // 6
    0.22222198432149784, 0.22222198432149784, // 7
    0.15313837699209373, 0.15313837699209373, // 8
    0.6666666666666735, 0.6666666666666735, // 9
    0.2857142874366239, 0.2857142874366239, // 10
    0.1818357216161805, 0.1818357216161805, // 11
    0.14798198605116586, 0.14798198605116586, // 12
    1.4426950408889634, 1.4426950408889634, // 13: LOG2_E
    -0.5, -0.5, // 14
    0.16666666666666602, 0.16666666666666602, // 15
    -0.0027777777777015593, -0.0027777777777015593, // 16
    0.00006613756321437934, 0.00006613756321437934, // 17
    -0.0000016533902205465252, -0.0000016533902205465252, // 18
    4.1381367970572385e-8, 4.1381367970572385e-8, // 19
    2.220446049250313e-16, 2.220446049250313e-16, // 20: 2^-52
    7.09782712893383973096e2, 7.09782712893383973096e2, // 21: OVERFLOW
    -7.45133219101941108420e2, -7.45133219101941108420e2, // 22: UNDERFLOW
    3.725290298461914e-9, 3.725290298461914e-9, // 23: 2^-28
    0.0, 0.0, // 24
    Infinity, Infinity, // 25
    -708.0, -708.0, // 26: below it, exp may leave the normal range
    -3.725290298461914e-9, -3.725290298461914e-9, // 27: -2^-28
  ],
  16,
);
const I = memory.data<i64>(
  [
    1023, 1023, // 0
    0xfffff, 0xfffff, // 1
    0x95f64, 0x95f64, // 2
    0x100000, 0x100000, // 3
    0x3ff00000, 0x3ff00000, // 4
    0xffff_ffff, 0xffff_ffff, // 5
    2, 2, // 6
    3, 3, // 7
    0x6147a, 0x6147a, // 8
    0x6b851, 0x6b851, // 9
    0x7ff, 0x7ff, // 10
    -1023, -1023, // 11
    -1074, -1074, // 12
    52, 52, // 13
    0x800f_ffff_ffff_ffff, 0x800f_ffff_ffff_ffff, // 14
    1023, 1023, // 15
    0, 0, // 16
  ],
  16,
);

// @ts-ignore: decorator
@inline function f(i: i32): v128 {
  return v128.load(F + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline function n(i: i32): v128 {
  return v128.load(I + (<usize>i << 4));
}

/** stdlib's ln of two positive, normal, finite values. */
// @ts-ignore: decorator
@inline export function lnStdlibPair(x: v128): v128 {
  const hx = i64x2.shr_u(x, 32);
  const hm = v128.and(hx, n(1));
  const i0 = v128.and(i64x2.add(hm, n(2)), n(3));
  if (v128.any_true(i64x2.lt_s(v128.and(i64x2.add(hm, n(6)), n(1)), n(7)))) {
    return f64x2.replace_lane(
      f64x2.splat(lnStdlib(f64x2.extract_lane(x, 0))),
      1,
      lnStdlib(f64x2.extract_lane(x, 1)),
    );
  }
  const xr = v128.or(v128.and(x, n(5)), i64x2.shl(v128.or(hm, v128.xor(i0, n(4))), 32));
  const k = i64x2.add(i64x2.sub(i64x2.shr_u(hx, 20), n(0)), i64x2.shr_u(i0, 20));
  const dk = f64x2.sub(i64x2.add(k, f(5)), f(5));
  const fr = f64x2.sub(xr, f(0));
  const s = f64x2.div(fr, f64x2.add(f(1), fr));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(f(6), f64x2.mul(w, f64x2.add(f(7), f64x2.mul(w, f(8))))));
  const t2 = f64x2.mul(z, f64x2.add(f(9), f64x2.mul(w, f64x2.add(f(10), f64x2.mul(w, f64x2.add(f(11), f64x2.mul(w, f(12))))))));
  const ii = v128.or(i64x2.sub(hm, n(8)), i64x2.sub(n(9), hm));
  const R = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(f64x2.mul(f(2), fr), fr);
  const sh = f64x2.mul(s, f64x2.add(hfsq, R));
  const sf = f64x2.mul(s, f64x2.sub(fr, R));
  const khi = f64x2.mul(dk, f(3));
  const klo = f64x2.mul(dk, f(4));
  const a0 = f64x2.sub(fr, f64x2.sub(hfsq, sh));
  const a1 = f64x2.sub(khi, f64x2.sub(f64x2.sub(hfsq, f64x2.add(sh, klo)), fr));
  const b0 = f64x2.sub(fr, sf);
  const b1 = f64x2.sub(khi, f64x2.sub(f64x2.sub(sf, klo), fr));
  const kz = i64x2.eq(k, n(16));
  return v128.bitselect(v128.bitselect(a0, a1, kz), v128.bitselect(b0, b1, kz), i64x2.gt_s(ii, n(16)));
}

/** stdlib's exp of two values that are not NaN. */
// @ts-ignore: decorator
@inline export function expStdlibPair(x: v128): v128 {
  const k = f64x2.trunc(f64x2.add(f64x2.mul(f(13), x), v128.bitselect(f(14), f(2), f64x2.lt(x, f(24)))));
  const hi = f64x2.sub(x, f64x2.mul(k, f(3)));
  const lo = f64x2.mul(k, f(4));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  const p = f64x2.add(f(15), f64x2.mul(t, f64x2.add(f(16), f64x2.mul(t, f64x2.add(f(17), f64x2.mul(t, f64x2.add(f(18), f64x2.mul(t, f(19)))))))));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const y = f64x2.sub(f(0), f64x2.sub(f64x2.sub(lo, f64x2.div(f64x2.mul(r, c), f64x2.sub(f(1), c))), hi));
  // stdlib's ldexp(y, k): y is normal, so only the exponent changes (or one rounding below 2^-1022).
  const ki = i64x2.sub(f64x2.add(k, f(5)), f(5));
  const e = i64x2.add(ki, i64x2.sub(v128.and(i64x2.shr_u(y, 52), n(10)), n(0)));
  const sub = v128.not(i64x2.gt_s(e, n(11)));
  const eb = i64x2.add(i64x2.add(e, v128.and(sub, n(13))), n(15));
  const scaled = f64x2.mul(
    v128.bitselect(f(20), f(0), sub),
    v128.or(v128.and(y, n(14)), i64x2.shl(eb, 52)),
  );
  let res = v128.bitselect(f(24), scaled, i64x2.lt_s(e, n(12)));
  res = v128.bitselect(f(25), res, i64x2.gt_s(e, n(15)));
  // Near zero, 1 + x; beyond the thresholds, 0 and Infinity (this also covers x = -Infinity).
  const near = v128.and(f64x2.gt(x, f64x2.neg(f(23))), f64x2.lt(x, f(23)));
  res = v128.bitselect(f64x2.add(f(0), x), res, near);
  res = v128.bitselect(f(24), res, f64x2.lt(x, f(22)));
  return v128.bitselect(f(25), res, f64x2.gt(x, f(21)));
}

/**
 * stdlib's exp of two values, for the sampler's arguments, which are at most 0: when both
 * lie in [-708, 0] (results normal, so the exponent can be added to y's bits directly), the
 * operations of {@link expStdlibPair} that matter there and nothing else; otherwise (and for
 * NaN) {@link expStdlibPair} itself. At 0 and near it both give 1 + x.
 */
// @ts-ignore: decorator
@inline export function expStdlibPairNonPositive(x: v128): v128 {
  if (!i64x2.all_true(v128.and(f64x2.ge(x, f(26)), f64x2.le(x, f(24))))) return expStdlibPair(x);
  // x < 0 here except at +-0, where the result below is replaced by 1 + x.
  const k = f64x2.trunc(f64x2.add(f64x2.mul(f(13), x), f(14)));
  const hi = f64x2.sub(x, f64x2.mul(k, f(3)));
  const lo = f64x2.mul(k, f(4));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  const p = f64x2.add(f(15), f64x2.mul(t, f64x2.add(f(16), f64x2.mul(t, f64x2.add(f(17), f64x2.mul(t, f64x2.add(f(18), f64x2.mul(t, f(19)))))))));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const y = f64x2.sub(f(0), f64x2.sub(f64x2.sub(lo, f64x2.div(f64x2.mul(r, c), f64x2.sub(f(1), c))), hi));
  // ldexp(y, k) with a normal result: k added to the exponent field (the multiplication by 1
  // of expStdlibPair changes nothing).
  const ki = i64x2.sub(f64x2.add(k, f(5)), f(5));
  const res = i64x2.add(y, i64x2.shl(ki, 52));
  return v128.bitselect(f64x2.add(f(0), x), res, f64x2.gt(x, f(27)));
}

// Keeps the scalar versions reachable for the tail lane of odd rows.
export { expStdlib, lnStdlib };
