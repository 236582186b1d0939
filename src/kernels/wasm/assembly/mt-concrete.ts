// The in-process sampler (dist.sample / rsample on the main thread) in WebAssembly: the
// MT19937 stream of @stdlib/random-base-mt19937, Gumbel noise as @stdlib/random-base-gumbel
// draws it, and the log-sum-exp transform to Concrete rows, with stdlib's ln and exp
// reproduced bit for bit (fdlibm-scalar.ts). Same state, same operations, same bits as the
// pure-JavaScript path; several times faster because nothing is boxed or called through a closure.
//
// MT state at st: 624 u32 words, then the index of the next word (i32), as stdlib keeps them.

import { expStdlib, lnStdlib } from './fdlibm-scalar';
import { expStdlibPair, lnStdlibPair } from './fdlibm-pairs';

const N: i32 = 624;
const M: i32 = 397;
const EPS: f64 = 2.220446049250313e-16;

// Regenerates the 624 words (stdlib's twist, itself the reference MT19937).
function twist(st: usize): void {
  let i: i32 = 0;
  for (; i < N - M; i++) {
    const w = (load<u32>(st + (<usize>i << 2)) & 0x80000000) | (load<u32>(st + (<usize>(i + 1) << 2)) & 0x7fffffff);
    store<u32>(st + (<usize>i << 2), load<u32>(st + (<usize>(i + M) << 2)) ^ (w >>> 1) ^ (w & 1 ? 0x9908b0df : 0));
  }
  for (; i < N - 1; i++) {
    const w = (load<u32>(st + (<usize>i << 2)) & 0x80000000) | (load<u32>(st + (<usize>(i + 1) << 2)) & 0x7fffffff);
    store<u32>(st + (<usize>i << 2), load<u32>(st + (<usize>(i - (N - M)) << 2)) ^ (w >>> 1) ^ (w & 1 ? 0x9908b0df : 0));
  }
  const w = (load<u32>(st + (<usize>(N - 1) << 2)) & 0x80000000) | (load<u32>(st) & 0x7fffffff);
  store<u32>(st + (<usize>(N - 1) << 2), load<u32>(st + (<usize>(M - 1) << 2)) ^ (w >>> 1) ^ (w & 1 ? 0x9908b0df : 0));
}

// @ts-ignore: decorator
@inline function nextWord(st: usize): u32 {
  let i = load<i32>(st + (<usize>N << 2));
  if (i >= N) {
    twist(st);
    i = 0;
  }
  let r = load<u32>(st + (<usize>i << 2));
  store<i32>(st + (<usize>N << 2), i + 1);
  r ^= r >>> 11;
  r ^= (r << 7) & 0x9d2c5680;
  r ^= (r << 15) & 0xefc60000;
  r ^= r >>> 18;
  return r;
}

// stdlib's `normalized`: 53 random bits from two words, in [0, 1).
// @ts-ignore: decorator
@inline function nextUniform(st: usize): f64 {
  const x = nextWord(st) >>> 5;
  const y = nextWord(st) >>> 6;
  return (<f64>x * 67108864.0 + <f64>y) * 1.1102230246251565e-16;
}

// One standard Gumbel draw: stdlib's `mu - beta * ln(-ln(u))` with mu = 0, beta = 1, on a
// uniform clamped to [EPS, 1 - EPS] as PyTorch's clamp_probs does.
// @ts-ignore: decorator
@inline function nextGumbel(st: usize): f64 {
  let u = nextUniform(st);
  u = select<f64>(EPS, select<f64>(1.0 - EPS, u, u > 1.0 - EPS), u < EPS);
  return 0.0 - 1.0 * lnStdlib(-lnStdlib(u));
}

// Fills out[0 .. n) with standard Gumbel draws (two at a time: the uniforms in stream order,
// then both logarithms in one pair of lanes).
export function mtFillGumbel(st: usize, out: usize, n: i32): void {
  const lo = f64x2.splat(EPS);
  const hi = f64x2.splat(1.0 - EPS);
  const zero = f64x2.splat(0.0);
  const pairs = n >> 1;
  for (let i = 0; i < pairs; i++) {
    const u0 = nextUniform(st);
    const u1 = nextUniform(st);
    let u = f64x2.replace_lane(f64x2.splat(u0), 1, u1);
    u = v128.bitselect(lo, v128.bitselect(hi, u, f64x2.gt(u, hi)), f64x2.lt(u, lo));
    // stdlib: mu - beta * ln(-ln(u)) with mu = 0 and beta = 1 (1 * v is v, exactly).
    v128.store(out + (<usize>i << 4), f64x2.sub(zero, lnStdlibPair(f64x2.neg(lnStdlibPair(u)))));
  }
  if (n & 1) store<f64>(out + (<usize>(n - 1) << 3), nextGumbel(st));
}

// Turns n rows of K Gumbel draws at x into log-simplex rows in place, and writes exp(x) to y
// when y != 0. Row r uses batch element (b0 + r) % B; logits: B * K, tau: B. Pairs of lanes
// where the scalar code's result does not depend on order; the sum of exponentials is added
// in the scalar order.
export function concreteFromGumbel(n: i32, K: i32, b0: i32, B: i32, logits: usize, tau: usize, x: usize, y: usize): void {
  let b = b0;
  const rowBytes = <usize>K << 3;
  const pairBytes = <usize>(K >> 1) << 4;
  const odd = (K & 1) != 0;
  for (let r = 0; r < n; r++) {
    const row = x + <usize>r * rowBytes;
    const l = logits + <usize>b * rowBytes;
    const t = load<f64>(tau + (<usize>b << 3));
    const tv = f64x2.splat(t);
    let mv = f64x2.splat(-Infinity);
    for (let o: usize = 0; o < pairBytes; o += 16) {
      const s = f64x2.div(f64x2.add(v128.load(l + o), v128.load(row + o)), tv);
      v128.store(row + o, s);
      mv = f64x2.pmax(mv, s);
    }
    let m = max<f64>(f64x2.extract_lane(mv, 0), f64x2.extract_lane(mv, 1));
    if (odd) {
      const s = (load<f64>(l + pairBytes) + load<f64>(row + pairBytes)) / t;
      store<f64>(row + pairBytes, s);
      m = max<f64>(m, s);
    }
    const mm = f64x2.splat(m);
    let sum: f64 = 0.0;
    for (let o: usize = 0; o < pairBytes; o += 16) {
      const e = expStdlibPair(f64x2.sub(v128.load(row + o), mm));
      sum += f64x2.extract_lane(e, 0);
      sum += f64x2.extract_lane(e, 1);
    }
    if (odd) sum += expStdlib(load<f64>(row + pairBytes) - m);
    const lse = m + lnStdlib(sum);
    const lv = f64x2.splat(lse);
    for (let o: usize = 0; o < pairBytes; o += 16) v128.store(row + o, f64x2.sub(v128.load(row + o), lv));
    if (odd) store<f64>(row + pairBytes, load<f64>(row + pairBytes) - lse);
    if (y != 0) {
      const yr = y + <usize>r * rowBytes;
      for (let o: usize = 0; o < pairBytes; o += 16) v128.store(yr + o, expStdlibPair(v128.load(row + o)));
      if (odd) store<f64>(yr + pairBytes, expStdlib(load<f64>(row + pairBytes)));
    }
    if (++b == B) b = 0;
  }
}

// Element-wise stdlib ln / exp (scalar and paired versions), for the tests that compare them
// with stdlib bit for bit: which = 0 ln, 1 exp, 2 ln in pairs (positive normal inputs only),
// 3 exp in pairs (no NaN). n even for the paired versions.
export function stdlibArray(which: i32, p: usize, n: i32): void {
  if (which < 2) {
    for (let i = 0; i < n; i++) {
      const o = p + (<usize>i << 3);
      store<f64>(o, which == 0 ? lnStdlib(load<f64>(o)) : expStdlib(load<f64>(o)));
    }
    return;
  }
  for (let i = 0; i < n; i += 2) {
    const o = p + (<usize>i << 3);
    v128.store(o, which == 2 ? lnStdlibPair(v128.load(o)) : expStdlibPair(v128.load(o)));
  }
}
