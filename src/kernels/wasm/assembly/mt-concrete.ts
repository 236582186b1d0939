// The in-process sampler (dist.sample / rsample on the main thread) in WebAssembly: the
// MT19937 stream of @stdlib/random-base-mt19937, Gumbel noise as @stdlib/random-base-gumbel
// draws it, and the log-sum-exp transform to Concrete rows, with stdlib's ln and exp
// reproduced bit for bit (fdlibm-scalar.ts). Same state, same operations, same bits as the
// pure-JavaScript path; several times faster because nothing is boxed or called through a closure.
//
// MT state at st: 624 u32 words, then the index of the next word (i32), as stdlib keeps them,
// then the kernels' own tempered copy (see MT_REGION_BYTES).

import { expStdlib, lnStdlib } from './fdlibm-scalar';
import { expStdlibPair, expStdlibPairNonPositive, lnStdlibPair } from './fdlibm-pairs';

const N: i32 = 624;
const M: i32 = 397;
const EPS: f64 = 2.220446049250313e-16;
const UPPER: u32 = 0x80000000;
const LOWER: u32 = 0x7fffffff;
const MATRIX_A: u32 = 0x9908b0df;

// Lane constants, loaded from memory inside the loops (V8 rebuilds a splat of an immediate on
// every iteration).
const C32 = memory.data<u32>([UPPER, UPPER, UPPER, UPPER, LOWER, LOWER, LOWER, LOWER, MATRIX_A, MATRIX_A, MATRIX_A, MATRIX_A, 0x9d2c5680, 0x9d2c5680, 0x9d2c5680, 0x9d2c5680, 0xefc60000, 0xefc60000, 0xefc60000, 0xefc60000], 16);
const C64 = memory.data<f64>([67108864.0, 67108864.0, 1.1102230246251565e-16, 1.1102230246251565e-16, EPS, EPS, 1.0 - EPS, 1.0 - EPS, 0.0, 0.0], 16);

// @ts-ignore: decorator
@inline function c32(i: i32): v128 {
  return v128.load(C32 + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline function c64(i: i32): v128 {
  return v128.load(C64 + (<usize>i << 4));
}

// Layout of the state region at st (MT_REGION_BYTES): the 624 state words as stdlib keeps
// them, the index of the next word, a flag saying whether the tempered copy is current, and at
// TEMPERED the 624 words tempered (the generator's outputs), computed once per twist with
// 4 lanes at a time instead of once per word.
const INDEX: usize = <usize>N << 2;
const FRESH: usize = INDEX + 4;
const TEMPERED: usize = 2560;
export const MT_REGION_BYTES: usize = TEMPERED + (<usize>N << 2);

// The region's size, for the JavaScript side.
export function mtRegionBytes(): usize {
  return MT_REGION_BYTES;
}

// @ts-ignore: decorator
@inline function twistWord(a: u32, b: u32, c: u32): u32 {
  const w = (a & UPPER) | (b & LOWER);
  return c ^ (w >>> 1) ^ (w & 1 ? MATRIX_A : 0);
}

// @ts-ignore: decorator
@inline function twistLanes(a: v128, b: v128, c: v128): v128 {
  const w = v128.or(v128.and(a, c32(0)), v128.and(b, c32(1)));
  const odd = i32x4.shr_s(i32x4.shl(w, 31), 31);
  return v128.xor(v128.xor(c, i32x4.shr_u(w, 1)), v128.and(odd, c32(2)));
}

// Regenerates the 624 words: stdlib's twist (the reference MT19937), 4 words at a time. Word i
// reads words i + 1 (not yet rewritten) and i + M (not yet rewritten below N - M, rewritten
// above it, exactly as in the sequential loop: lanes i .. i + 3 read i - (N - M) .. i + 3 -
// (N - M), all rewritten earlier since N - M > 4).
function twist(st: usize): void {
  let i: i32 = 0;
  for (; i + 4 <= N - M; i += 4) {
    const o = st + (<usize>i << 2);
    v128.store(o, twistLanes(v128.load(o), v128.load(o + 4), v128.load(o + (<usize>M << 2))));
  }
  for (; i < N - M; i++) {
    const o = st + (<usize>i << 2);
    store<u32>(o, twistWord(load<u32>(o), load<u32>(o + 4), load<u32>(o + (<usize>M << 2))));
  }
  for (; i + 4 <= N - 1; i += 4) {
    const o = st + (<usize>i << 2);
    v128.store(o, twistLanes(v128.load(o), v128.load(o + 4), v128.load(o - (<usize>(N - M) << 2))));
  }
  for (; i < N - 1; i++) {
    const o = st + (<usize>i << 2);
    store<u32>(o, twistWord(load<u32>(o), load<u32>(o + 4), load<u32>(o - (<usize>(N - M) << 2))));
  }
  const o = st + (<usize>(N - 1) << 2);
  store<u32>(o, twistWord(load<u32>(o), load<u32>(st), load<u32>(st + (<usize>(M - 1) << 2))));
}

// Writes the tempered copy of the 624 words (stdlib's tempering, 4 lanes at a time).
function temperAll(st: usize): void {
  for (let o: usize = 0; o < INDEX; o += 16) {
    let r = v128.load(st + o);
    r = v128.xor(r, i32x4.shr_u(r, 11));
    r = v128.xor(r, v128.and(i32x4.shl(r, 7), c32(3)));
    r = v128.xor(r, v128.and(i32x4.shl(r, 15), c32(4)));
    r = v128.xor(r, i32x4.shr_u(r, 18));
    v128.store(st + TEMPERED + o, r);
  }
  store<i32>(st + FRESH, 1);
}

// Makes the tempered copy current and returns the index of the next word, twisting first when
// the words are used up.
// @ts-ignore: decorator
@inline function ready(st: usize): i32 {
  let i = load<i32>(st + INDEX);
  if (i >= N) {
    twist(st);
    temperAll(st);
    i = 0;
    store<i32>(st + INDEX, 0);
  } else if (load<i32>(st + FRESH) == 0) temperAll(st);
  return i;
}

// The next output word.
// @ts-ignore: decorator
@inline function nextWord(st: usize): u32 {
  const i = ready(st);
  store<i32>(st + INDEX, i + 1);
  return load<u32>(st + TEMPERED + (<usize>i << 2));
}

// stdlib's `normalized`: 53 random bits from two words, in [0, 1).
// @ts-ignore: decorator
@inline function nextUniform(st: usize): f64 {
  const x = nextWord(st) >>> 5;
  const y = nextWord(st) >>> 6;
  return (<f64>x * 67108864.0 + <f64>y) * 1.1102230246251565e-16;
}

// Fills out[0 .. n) with stdlib's `normalized` uniforms, in stream order. Between twists, two
// uniforms at a time from four consecutive tempered words (the same operations on the same
// words as nextUniform); a uniform whose two words straddle a twist goes through nextUniform.
export function mtFillUniform(st: usize, out: usize, n: i32): void {
  let done: i32 = 0;
  while (done < n) {
    const i = ready(st);
    if (i == N - 1) {
      store<f64>(out + (<usize>done << 3), nextUniform(st));
      done++;
      continue;
    }
    let take = min<i32>(n - done, (N - i) >> 1);
    const src = st + TEMPERED + (<usize>i << 2);
    const dst = out + (<usize>done << 3);
    const pairs = take >> 1;
    for (let p = 0; p < pairs; p++) {
      const w = v128.load(src + (<usize>p << 4)); // x0 y0 x1 y1
      const xs = i32x4.shr_u(v128.shuffle<i32>(w, w, 0, 2, 1, 3), 5);
      const ys = i32x4.shr_u(v128.shuffle<i32>(w, w, 1, 3, 0, 2), 6);
      const u = f64x2.mul(f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_u(xs), c64(0)), f64x2.convert_low_i32x4_u(ys)), c64(1));
      v128.store(dst + (<usize>p << 4), u);
    }
    if (take & 1) {
      const o = src + (<usize>(take - 1) << 3);
      const x = load<u32>(o) >>> 5;
      const y = load<u32>(o + 4) >>> 6;
      store<f64>(dst + (<usize>(take - 1) << 3), (<f64>x * 67108864.0 + <f64>y) * 1.1102230246251565e-16);
    }
    store<i32>(st + INDEX, i + 2 * take);
    done += take;
  }
}

// Turns uniforms at p[0 .. n) into standard Gumbel draws in place: stdlib's
// `mu - beta * ln(-ln(u))` with mu = 0, beta = 1, on u clamped to [EPS, 1 - EPS] as PyTorch's
// clamp_probs does (1 * v is v, exactly).
export function gumbelFromUniform(p: usize, n: i32): void {
  const pairs = n >> 1;
  for (let i = 0; i < pairs; i++) {
    const o = p + (<usize>i << 4);
    let u = v128.load(o);
    u = v128.bitselect(c64(2), v128.bitselect(c64(3), u, f64x2.gt(u, c64(3))), f64x2.lt(u, c64(2)));
    v128.store(o, f64x2.sub(c64(4), lnStdlibPair(f64x2.neg(lnStdlibPair(u)))));
  }
  if (n & 1) {
    const o = p + (<usize>(n - 1) << 3);
    let u = load<f64>(o);
    u = select<f64>(EPS, select<f64>(1.0 - EPS, u, u > 1.0 - EPS), u < EPS);
    store<f64>(o, 0.0 - 1.0 * lnStdlib(-lnStdlib(u)));
  }
}

// Fills out[0 .. n) with standard Gumbel draws, in stream order.
export function mtFillGumbel(st: usize, out: usize, n: i32): void {
  mtFillUniform(st, out, n);
  gumbelFromUniform(out, n);
}

// Draws n Concrete rows: their n * K Gumbel draws from the generator, then concreteFromGumbel
// (x receives the log-simplex rows, y their exponentials when y != 0).
export function mtConcreteRows(st: usize, n: i32, K: i32, b0: i32, B: i32, logits: usize, tau: usize, x: usize, y: usize): void {
  mtFillGumbel(st, x, n * K);
  concreteFromGumbel(n, K, b0, B, logits, tau, x, y);
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
    // s - m <= 0 and x = s - lse <= 0 (lse >= m): the exponentials' arguments are never positive.
    for (let o: usize = 0; o < pairBytes; o += 16) {
      const e = expStdlibPairNonPositive(f64x2.sub(v128.load(row + o), mm));
      sum += f64x2.extract_lane(e, 0);
      sum += f64x2.extract_lane(e, 1);
    }
    if (odd) sum += expStdlib(load<f64>(row + pairBytes) - m);
    const lse = m + lnStdlib(sum);
    const lv = f64x2.splat(lse);
    if (y != 0) {
      const yr = y + <usize>r * rowBytes;
      for (let o: usize = 0; o < pairBytes; o += 16) {
        const xv = f64x2.sub(v128.load(row + o), lv);
        v128.store(row + o, xv);
        v128.store(yr + o, expStdlibPairNonPositive(xv));
      }
      if (odd) {
        const xs = load<f64>(row + pairBytes) - lse;
        store<f64>(row + pairBytes, xs);
        store<f64>(yr + pairBytes, expStdlib(xs));
      }
    } else {
      for (let o: usize = 0; o < pairBytes; o += 16) v128.store(row + o, f64x2.sub(v128.load(row + o), lv));
      if (odd) store<f64>(row + pairBytes, load<f64>(row + pairBytes) - lse);
    }
    if (++b == B) b = 0;
  }
}

// Element-wise stdlib ln / exp (scalar and paired versions), for the tests that compare them
// with stdlib bit for bit: which = 0 ln, 1 exp, 2 ln in pairs (positive normal inputs only),
// 3 exp in pairs (no NaN), 4 exp in pairs as the sampler calls it (any input; the fast form
// for pairs in [-708, 0]). n even for the paired versions.
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
    const v = v128.load(o);
    v128.store(o, which == 2 ? lnStdlibPair(v) : which == 3 ? expStdlibPair(v) : expStdlibPairNonPositive(v));
  }
}
