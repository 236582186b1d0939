// Scalar natural logarithm and exponential that round exactly as @stdlib/math-base-special-ln
// and @stdlib/math-base-special-exp do, so the in-process sampler can run in WebAssembly and
// still give the bits its pure-JavaScript version gave.
//
// ## Method
// Both are FDLIBM's algorithms (e_log.c, e_exp.c) in the order of operations stdlib writes them:
// every floating-point operation below is the same IEEE operation on the same operands, so the
// results agree bit for bit (WebAssembly has no fused multiply-add and rounds to nearest even).
// log: x = 2^k (1 + f), 1 + f in [sqrt(2)/2, sqrt(2)), s = f / (2 + f), a minimax R(s^2).
// exp: k = trunc(x log2(e) -+ 1/2), r = hi - lo, the rational form of exp(r), then stdlib's
// ldexp (which flushes below 2^-1074 and rounds subnormals once, through a multiplication).
//
// ## References
// Sun Microsystems FDLIBM 5.3, e_log.c and e_exp.c; stdlib-js math-base-special-ln/exp/ldexp.

const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const TWO54: f64 = 1.8014398509481984e16;
const ONE_THIRD: f64 = 0.33333333333333333;

// @ts-ignore: decorator
@inline function highWord(x: f64): i32 {
  return <i32>(reinterpret<u64>(x) >> 32);
}

// @ts-ignore: decorator
@inline function withHighWord(x: f64, hi: i32): f64 {
  return reinterpret<f64>((reinterpret<u64>(x) & 0xffff_ffff) | (<u64>(<u32>hi) << 32));
}

/** stdlib's ln, bit for bit. */
export function lnStdlib(x0: f64): f64 {
  let x = x0;
  if (x == 0.0) return -Infinity;
  if (isNaN(x) || x < 0.0) return NaN;
  let hx = highWord(x);
  let k: i32 = 0;
  if (hx < 0x00100000) {
    k -= 54;
    x *= TWO54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, hx | (i ^ 0x3ff00000));
  k += i >> 20;
  const f = x - 1.0;
  const dk = <f64>k;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0.0) {
      if (k == 0) return 0.0;
      return dk * LN2_HI + dk * LN2_LO;
    }
    const R0 = f * f * (0.5 - ONE_THIRD * f);
    if (k == 0) return f - R0;
    return dk * LN2_HI - (R0 - dk * LN2_LO - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  // stdlib's generated polynomials return the constant term alone at 0, which the Horner form
  // below also gives (the other terms are finite).
  const t1 = w * (0.3999999999940942 + w * (0.22222198432149784 + w * 0.15313837699209373));
  const t2 = z * (0.6666666666666735 + w * (0.2857142874366239 + w * (0.1818357216161805 + w * 0.14798198605116586)));
  i |= j;
  const R = t2 + t1;
  // Every branch below is taken by data (where f falls), so all four results are computed and
  // one is selected: a mispredicted branch costs more than the few extra operations.
  const hfsq = 0.5 * f * f;
  const sh = s * (hfsq + R);
  const sf = s * (f - R);
  const a0 = f - (hfsq - sh);
  const a1 = dk * LN2_HI - (hfsq - (sh + dk * LN2_LO) - f);
  const b0 = f - sf;
  const b1 = dk * LN2_HI - (sf - dk * LN2_LO - f);
  return select<f64>(select<f64>(a0, a1, k == 0), select<f64>(b0, b1, k == 0), i > 0);
}

/** stdlib's exp, bit for bit. */
export function expStdlib(x: f64): f64 {
  if (isNaN(x) || x == Infinity) return x;
  if (x == -Infinity) return 0.0;
  if (x > 7.09782712893383973096e2) return Infinity;
  if (x < -7.45133219101941108420e2) return 0.0;
  if (x > -3.725290298461914e-9 && x < 3.725290298461914e-9) return 1.0 + x;
  const k = trunc<f64>(1.4426950408889634 * x + select<f64>(-0.5, 0.5, x < 0.0));
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (0.16666666666666602 + t * (-0.0027777777777015593 + t * (0.00006613756321437934 + t * (-0.0000016533902205465252 + t * 4.1381367970572385e-8))));
  const y = 1.0 - (lo - (r * c) / (2.0 - c) - hi);
  return ldexpStdlib(y, <i32>k);
}

// stdlib's ldexp for a positive normal y (the only case exp produces).
// @ts-ignore: decorator
@inline function ldexpStdlib(y: f64, k: i32): f64 {
  const bits = reinterpret<u64>(y);
  const e = k + (<i32>((bits >> 52) & 0x7ff) - 1023);
  if (e < -1074) return 0.0;
  if (e > 1023) return Infinity;
  // Subnormal results: build the value 2^52 higher and round once in the multiplication. (k = 0
  // leaves y as it is either way.)
  const sub = e <= -1023;
  const m = select<f64>(2.220446049250313e-16, 1.0, sub);
  const eb = select<i32>(e + 52, e, sub) + 1023;
  return m * reinterpret<f64>((bits & 0x800f_ffff_ffff_ffff) | (<u64>eb << 52));
}
