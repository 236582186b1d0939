// Random numbers for the draw kernels: two interleaved xoshiro256+ generators, one per f64x2
// lane (Blackman and Vigna 2018), plus one scalar xoshiro256+ "spare" stream for the rare
// ziggurat rejections.
//
// A chunk's state (lanes: 4 x v128 = 64 bytes; spare: 4 x i64 = 32 bytes) is seeded by the
// coordinator from Philox4x32-10 keyed by (seed, chunk index), so every chunk's streams are a
// function of (seed, chunk) only. xoshiro256+ is the generator its authors recommend for
// floating-point numbers: its upper 53 bits are of full quality (only the lowest bits are
// weak, and they are never used here).
//
// Exp(1) draws come from a 256-layer ziggurat (Marsaglia and Tsang 2000) instead of -log(u):
// about 99% of draws cost a multiply and a compare. One 64-bit output feeds one draw: bits
// 3..10 pick the layer and the top 52 bits the uniform, so the two never share bits (the
// original algorithm reused the same bits, a known flaw; Doornik 2005).
//
// The lane state is held in locals for the whole loop: V8 keeps wasm globals in memory, and a
// load/store round trip per draw would triple the cost.

import { expv, logPositive } from './math';

// Ziggurat tables, filled by the JavaScript side (zigguratTables in draw-coefficients.ts) at
// ZIG: X[0..256] layer edges (X[0] = v / f(r), X[1] = r, X[256] = 0), then F[0..256] = exp(-X).
export const ZIG_DOUBLES: i32 = 2 * 257;
// Where the tables live: the first bytes of the JavaScript arena (see Arena).
let zig: usize = 0;

export function setZigguratTables(p: usize): void {
  zig = p;
}

const ONE_BITS = memory.data<i64>([0x3ff0_0000_0000_0000, 0x3ff0_0000_0000_0000], 16);
// 1 - 2^-53, in both lanes.
const ONE_MINUS_HALF_ULP = memory.data<f64>([0.99999999999999988898, 0.99999999999999988898], 16);
const LAYER_MASK = memory.data<i64>([255, 255], 16);
// Margins of the wedge's quick tests: 1 -/+ 2^-40.
const BOUND_BELOW: f64 = 1.0 - 9.094947017729282e-13;
const BOUND_ABOVE: f64 = 1.0 + 9.094947017729282e-13;
// The ziggurat's right edge r = x_1 for 256 layers.
const ZIG_R: f64 = 7.69711747013104972;

// u = (j + 1/2) 2^-52 from the top 52 bits j of a 64-bit output, in the open interval (0, 1):
// the double 1 + j 2^-52 is built from the bits, and subtracting 1 - 2^-53 is exact (Sterbenz).
// @ts-ignore: decorator
@inline export function toUniform(bits: v128): v128 {
  return f64x2.sub(v128.or(i64x2.shr_u(bits, 12), v128.load(ONE_BITS)), v128.load(ONE_MINUS_HALF_ULP));
}

// @ts-ignore: decorator
@inline export function toUniform1(bits: u64): f64 {
  return reinterpret<f64>((bits >> 12) | 0x3ff0_0000_0000_0000) - 0.99999999999999988898;
}

// Fills out[0 .. 2 * pairs) with uniforms in the open interval (0, 1), so -log(u) and
// -log(-log(u)) are always finite. Lane 0 gives the even-indexed values, lane 1 the odd ones.
export function fillUniformPairs(st: usize, out: usize, pairs: i32): void {
  let s0 = v128.load(st);
  let s1 = v128.load(st, 16);
  let s2 = v128.load(st, 32);
  let s3 = v128.load(st, 48);
  const end = <usize>pairs << 4;
  for (let o: usize = 0; o < end; o += 16) {
    const result = i64x2.add(s0, s3);
    const t = i64x2.shl(s1, 17);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = v128.or(i64x2.shl(s3, 45), i64x2.shr_u(s3, 19));
    v128.store(out + o, toUniform(result));
  }
  v128.store(st, s0);
  v128.store(st, s1, 16);
  v128.store(st, s2, 32);
  v128.store(st, s3, 48);
}

// Fills out[0 .. 2 * pairs) with Exp(1) draws, all > 0. The spare stream's state is at
// st + 64; rej has room for 2 * pairs (position, layer) pairs of i32.
//
// Rejected candidates (about 1 in 90) are only noted in the loop and resolved after it: a call
// inside the loop would make V8 spill the generator state to the stack on every iteration.
export function fillExponentialPairs(st: usize, out: usize, pairs: i32, rej: usize): void {
  let s0 = v128.load(st);
  let s1 = v128.load(st, 16);
  let s2 = v128.load(st, 32);
  let s3 = v128.load(st, 48);
  const X = zig;
  const end = <usize>pairs << 4;
  let nrej: usize = 0;
  for (let o: usize = 0; o < end; o += 16) {
    const result = i64x2.add(s0, s3);
    const t = i64x2.shl(s1, 17);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = v128.or(i64x2.shl(s3, 45), i64x2.shr_u(s3, 19));
    const layer = v128.and(i64x2.shr_u(result, 3), v128.load(LAYER_MASK));
    const i0 = <usize>i64x2.extract_lane(layer, 0) << 3;
    const i1 = <usize>i64x2.extract_lane(layer, 1) << 3;
    const width = f64x2.replace_lane(f64x2.splat(load<f64>(X + i0)), 1, load<f64>(X + i1));
    const inner = f64x2.replace_lane(f64x2.splat(load<f64>(X + i0, 8)), 1, load<f64>(X + i1, 8));
    const x = f64x2.mul(toUniform(result), width);
    v128.store(out + o, x);
    // Inside the layer's inner rectangle (about 99% of draws): x is an Exp(1) draw.
    const ok = i64x2.bitmask(f64x2.lt(x, inner));
    if (ok != 3) {
      if ((ok & 1) == 0) {
        store<u32>(rej + (nrej << 3), <u32>o);
        store<u32>(rej + (nrej << 3), <u32>(i0 >> 3), 4);
        nrej++;
      }
      if ((ok & 2) == 0) {
        store<u32>(rej + (nrej << 3), <u32>(o + 8));
        store<u32>(rej + (nrej << 3), <u32>(i1 >> 3), 4);
        nrej++;
      }
    }
  }
  v128.store(st, s0);
  v128.store(st, s1, 16);
  v128.store(st, s2, 32);
  v128.store(st, s3, 48);
  for (let j: usize = 0; j < nrej; j++) {
    const at = out + <usize>load<u32>(rej + (j << 3));
    store<f64>(at, slowExponential(st + 64, <i32>load<u32>(rej + (j << 3), 4), load<f64>(at)));
  }
}

// The next 64 bits of the scalar spare stream (state in memory: it runs about once per 90
// draws).
export function spareNext(sp: usize): u64 {
  let s0 = load<u64>(sp);
  let s1 = load<u64>(sp, 8);
  let s2 = load<u64>(sp, 16);
  let s3 = load<u64>(sp, 24);
  const result = s0 + s3;
  const t = s1 << 17;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u64>(s3, 45);
  store<u64>(sp, s0);
  store<u64>(sp, s1, 8);
  store<u64>(sp, s2, 16);
  store<u64>(sp, s3, 24);
  return result;
}

// A candidate x from layer i fell outside the inner rectangle: the tail (layer 0) or the wedge
// test, then fresh candidates from the spare stream until one is accepted.
function slowExponential(sp: usize, i: i32, x: f64): f64 {
  const X = zig;
  const F = zig + 257 * 8;
  for (;;) {
    if (i == 0) {
      // Beyond r the density is r + Exp(1) (memorylessness).
      const u = toUniform1(spareNext(sp));
      return ZIG_R - f64x2.extract_lane(logPositive(f64x2.splat(u)), 0);
    }
    // Wedge: y uniform between the layer's bottom f(x_i) and top f(x_{i+1}); accept under exp(-x).
    const fi = load<f64>(F + (<usize>i << 3));
    const fn = load<f64>(F + (<usize>i << 3), 8);
    const y = fi + toUniform1(spareNext(sp)) * (fn - fi);
    // exp(-x) is convex: above its tangent at x_i and below its chord over [x_{i+1}, x_i], where
    // x lies. Points clear of both bounds by a relative 2^-40 (far more than the few ulp of
    // rounding in the bounds and in expv) are decided as the exponential would decide them,
    // without it; only the thin band between the bounds needs exp(-x).
    const xi = load<f64>(X + (<usize>i << 3));
    const d = xi - x;
    if (y < fi * (1.0 + d) * BOUND_BELOW) return x;
    const xn = load<f64>(X + (<usize>i << 3), 8);
    const below = y <= (fi + (fn - fi) * (d / (xi - xn))) * BOUND_ABOVE;
    if (below && y < f64x2.extract_lane(expv(f64x2.splat(-x)), 0)) return x;
    const r = spareNext(sp);
    i = <i32>((r >> 3) & 255);
    x = toUniform1(r) * load<f64>(X + (<usize>i << 3));
    if (x < load<f64>(X + (<usize>i << 3), 8)) return x;
  }
  return unreachable();
}
