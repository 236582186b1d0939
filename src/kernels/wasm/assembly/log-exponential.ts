// log E for E ~ Exp(1), drawn directly by a two-sided ziggurat (tables and method in
// src/kernels/wasm/log-ziggurat.ts), from the same xoshiro256+ lanes and spare stream as the
// Exp(1) ziggurat: one 64-bit output per candidate, bits 3..10 for the layer and the top 52
// for the uniform.

import { expv, logPositive } from './math';
import { spareNext, toUniform, toUniform1 } from './xoshiro';

let lz: usize = 0;

export function setLogZigguratTables(p: usize): void {
  lz = p;
}

const LAYER_MASK = memory.data<i64>([255, 255], 16);
// Offsets (bytes) of the levels and of [L_1, R_1, P(left), P(right), e^{R_1}] in the tables.
const Y_OFFSET: usize = 4 * 256 * 8;
const EXTRA_OFFSET: usize = Y_OFFSET + 257 * 8;
// Per layer i: [ln(y_{i+1} / y_i), |g'(L_{i+1})|, |g'(R_{i+1})|, R_i], g = ln f.
const BOUNDS_OFFSET: usize = EXTRA_OFFSET + 6 * 8;
// Margins of the wedge's quick tests: 1 -/+ 2^-40.
const BOUND_BELOW: f64 = 1.0 - 9.094947017729282e-13;
const BOUND_ABOVE: f64 = 1.0 + 9.094947017729282e-13;

// Fills out[0 .. 2 * pairs) with draws of log E, E ~ Exp(1). The spare stream's state is at
// st + 64; rej has room for 2 * pairs (position, layer) pairs of u32. Rejections are resolved
// after the loop, as in fillExponentialPairs.
export function fillLogExponentialPairs(st: usize, out: usize, pairs: i32, rej: usize): void {
  let s0 = v128.load(st);
  let s1 = v128.load(st, 16);
  let s2 = v128.load(st, 32);
  let s3 = v128.load(st, 48);
  const T = lz;
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
    const p0 = T + (<usize>i64x2.extract_lane(layer, 0) << 5);
    const p1 = T + (<usize>i64x2.extract_lane(layer, 1) << 5);
    // [start, width] and [low, high] of each lane's layer, transposed into lanes.
    const a0 = v128.load(p0);
    const a1 = v128.load(p1);
    const b0 = v128.load(p0, 16);
    const b1 = v128.load(p1, 16);
    const start = v128.shuffle<i64>(a0, a1, 0, 2);
    const width = v128.shuffle<i64>(a0, a1, 1, 3);
    const low = v128.shuffle<i64>(b0, b1, 0, 2);
    const high = v128.shuffle<i64>(b0, b1, 1, 3);
    const x = f64x2.add(start, f64x2.mul(toUniform(result), width));
    v128.store(out + o, x);
    const ok = i64x2.bitmask(v128.and(f64x2.gt(x, low), f64x2.lt(x, high)));
    if (ok != 3) {
      if ((ok & 1) == 0) {
        store<u32>(rej + (nrej << 3), <u32>o);
        store<u32>(rej + (nrej << 3), <u32>((p0 - T) >> 5), 4);
        nrej++;
      }
      if ((ok & 2) == 0) {
        store<u32>(rej + (nrej << 3), <u32>(o + 8));
        store<u32>(rej + (nrej << 3), <u32>((p1 - T) >> 5), 4);
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
    store<f64>(at, slowLogExponential(st + 64, <i32>load<u32>(rej + (j << 3), 4), load<f64>(at)));
  }
}

// @ts-ignore: decorator
@inline function log1(x: f64): f64 {
  return f64x2.extract_lane(logPositive(f64x2.splat(x)), 0);
}

// @ts-ignore: decorator
@inline function exp1(x: f64): f64 {
  return f64x2.extract_lane(expv(f64x2.splat(x)), 0);
}

// A candidate x from layer i fell outside the layer's inner rectangle: the base layer's
// rectangle or tails, or the wedge test; then fresh candidates from the spare stream.
function slowLogExponential(sp: usize, i: i32, x: f64): f64 {
  const T = lz;
  const L1 = load<f64>(T + EXTRA_OFFSET);
  const R1 = load<f64>(T + EXTRA_OFFSET, 8);
  for (;;) {
    if (i == 0) {
      if (x < R1) return max<f64>(x, L1);
      const pl = load<f64>(T + EXTRA_OFFSET, 16);
      const pr = load<f64>(T + EXTRA_OFFSET, 24);
      if (toUniform1(spareNext(sp)) * (pl + pr) < pl) {
        // E given E < e^{L_1}: E = -log(1 - w), w uniform on (0, P(left)); w < 4e-4, so the
        // series w + w^2/2 + ... + w^8/8 is exact to rounding (w^9/9 < 1e-31).
        const w = toUniform1(spareNext(sp)) * pl;
        const e = w * (1.0 + w * (0.5 + w * (1.0 / 3.0 + w * (0.25 + w * (0.2 + w * (1.0 / 6.0 + w * (1.0 / 7.0 + w * 0.125)))))));
        return log1(e);
      }
      // E given E > e^{R_1}: e^{R_1} + Exp(1).
      return log1(load<f64>(T + EXTRA_OFFSET, 32) - log1(toUniform1(spareNext(sp))));
    }
    // Wedge: y uniform between the layer's levels; accept under f(x) = exp(x - e^x).
    const yi = load<f64>(T + Y_OFFSET + (<usize>i << 3));
    const yn = load<f64>(T + Y_OFFSET + (<usize>i << 3), 8);
    const y = yi + toUniform1(spareNext(sp)) * (yn - yi);
    // g = ln f = v - e^v is concave. On the wedge from a (where f = y_i: L_i or R_i) to b (where
    // f = y_{i+1}: L_{i+1} or R_{i+1}), g lies above its chord, so f(x) >= y_i r^s >= y_i (1 + s ln r)
    // with r = y_{i+1} / y_i and s = (x - a) / (b - a); and g lies below its tangent at b, so
    // f(x) <= y_{i+1} e^{-|g'(b)| |x - b|} <= y_{i+1} / (1 + |g'(b)| |x - b|). Points clear of
    // both bounds by a relative 2^-40 (far more than their rounding and the tables') are decided
    // as f itself would decide them, without its two exponentials.
    const q = T + BOUNDS_OFFSET + (<usize>i << 5);
    const layer = T + (<usize>i << 5);
    const left = x <= load<f64>(layer, 16);
    const a = left ? load<f64>(layer) : load<f64>(q, 24);
    const b = left ? load<f64>(layer, 16) : load<f64>(layer, 24);
    if (y < yi * (1.0 + ((x - a) / (b - a)) * load<f64>(q)) * BOUND_BELOW) return x;
    const slope = left ? load<f64>(q, 8) : load<f64>(q, 16);
    const above = y > (yn / (1.0 + slope * abs<f64>(x - b))) * BOUND_ABOVE;
    if (!above && y < exp1(x - exp1(x))) return x;
    const r = spareNext(sp);
    i = <i32>((r >> 3) & 255);
    const p = T + (<usize>i << 5);
    x = load<f64>(p) + toUniform1(r) * load<f64>(p, 8);
    if (x > load<f64>(p, 16) && x < load<f64>(p, 24)) return x;
  }
  return unreachable();
}
