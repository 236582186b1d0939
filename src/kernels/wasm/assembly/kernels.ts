// The engine's WebAssembly kernels. All pointers are byte offsets into this module's memory,
// laid out by the JavaScript side (src/kernels/wasm/kernels.ts); nothing here allocates.

import { expBelow710, expv, logAny, logPositive, logv } from './math';
import { fillExponentialPairs, fillUniformPairs, setZigguratTables } from './xoshiro';
import { fillLogExponentialPairs, setLogZigguratTables } from './log-exponential';

export { setZigguratTables, setLogZigguratTables };
import { COEF_BYTES, drawLogRow, drawWeights, normalizeRow } from './concrete-rows';
import { exp2NonPositive } from './fast-exp2';

// Where the arena of the JavaScript side may start (above the constant tables).
export function heapBase(): usize {
  return __heap_base;
}

// Fills out[0 .. 2 * pairs) with uniforms in (0, 1) from the state at st.
export function fillUniform(st: usize, out: usize, pairs: i32): void {
  fillUniformPairs(st, out, pairs);
}

// Fills out[0 .. 2 * pairs) with Exp(1) draws from the state at st (for the tests).
export function fillExponential(st: usize, out: usize, pairs: i32, rej: usize): void {
  fillExponentialPairs(st, out, pairs, rej);
}

// Fills out[0 .. 2 * pairs) with draws of log E, E ~ Exp(1) (for the tests).
export function fillLogExponential(st: usize, out: usize, pairs: i32, rej: usize): void {
  fillLogExponentialPairs(st, out, pairs, rej);
}

// Flags of sampleRows and momentRows.
const LOG_SPACE: i32 = 1;
const LOG_DRAWS: i32 = 2;
// momentRows: leave the drawn rows normalised in buf (the cross sums read them).
const KEEP_ROWS: i32 = 4;

// Draws n simplex rows (Kp wide) into out; row r belongs to batch element (b0 + r) % B.
// flags: LOG_SPACE for log-simplex rows; LOG_DRAWS unless every batch element is POWER (it
// must be set with LOG_SPACE).
export function sampleRows(st: usize, n: i32, Kp: i32, b0: i32, B: i32, coef: usize, wts: usize, out: usize, flags: i32, rej: usize): void {
  drawRows(st, n, Kp, b0, B, coef, wts, out, flags, rej, 0, 0);
}

// sampleRows that also writes each row's log-simplex point x (Kp wide) to xout, from the same
// draws (for the fused log-density): with LOG_SPACE the rows are x already and xout is unused.
export function sampleRowsKeepLog(st: usize, n: i32, Kp: i32, b0: i32, B: i32, coef: usize, wts: usize, out: usize, flags: i32, rej: usize, xout: usize): void {
  drawRows(st, n, Kp, b0, B, coef, wts, out, flags, rej, xout, 0);
}

// @ts-ignore: decorator
// With scales != 0 the rows are left as weights and each row's normalising factor 1 / sum is
// written to scales[r] instead (simplex rows only): y = w * scales[r] is the same product
// normalizeRow forms, so a consumer that multiplies on the fly sees the same bits.
@inline function drawRows(st: usize, n: i32, Kp: i32, b0: i32, B: i32, coef: usize, wts: usize, out: usize, flags: i32, rej: usize, xout: usize, scales: usize): void {
  // All draws of the block first (the generator's state stays in registers), then each row is
  // transformed in place while it is in L1.
  const logDraws = (flags & LOG_DRAWS) != 0;
  if (logDraws) fillLogExponentialPairs(st, out, (n * Kp) >> 1, rej);
  else fillExponentialPairs(st, out, (n * Kp) >> 1, rej);
  const rowBytes = <usize>Kp << 3;
  const logSpace = (flags & LOG_SPACE) != 0;
  let b = b0;
  for (let r = 0; r < n; r++) {
    const row = out + <usize>r * rowBytes;
    const c = coef + <usize>b * COEF_BYTES;
    const a = wts + <usize>b * 3 * rowBytes;
    if (logSpace) {
      drawLogRow(Kp, c, a, row);
    } else {
      if (xout != 0) {
        // log E of the row's draws (they are E when the block drew Exp(1)), then x.
        const xr = xout + <usize>r * rowBytes;
        for (let o: usize = 0; o < rowBytes; o += 16) {
          const d = v128.load(row + o);
          v128.store(xr + o, logDraws ? d : logPositive(d));
        }
        drawLogRow(Kp, c, a, xr);
      }
      const total = drawWeights(Kp, c, a + 2 * rowBytes, a + rowBytes, row, logDraws);
      if (scales != 0) store<f64>(scales + (<usize>r << 3), 1.0 / total);
      else normalizeRow(Kp, row, total);
    }
    if (++b == B) b = 0;
  }
}

// Draws n rows into buf and adds their shifted power sums (y - c)^p, p = 1..4, to sums
// (batch element b: [S1 | S2 | S3 | S4], each Kp wide, at sums + b * 4 * Kp * 8).
// Without KEEP_ROWS the rows stay unnormalised and are scaled as they are summed (one pass
// less over the block); the row scales go to rej, free once the draws are done.
export function momentRows(st: usize, n: i32, Kp: i32, b0: i32, B: i32, coef: usize, wts: usize, shift: usize, sums: usize, buf: usize, flags: i32, rej: usize): void {
  if ((flags & KEEP_ROWS) != 0) {
    drawRows(st, n, Kp, b0, B, coef, wts, buf, flags, rej, 0, 0);
    powerSums(n, Kp, b0, B, shift, sums, buf, 0, false);
  } else {
    drawRows(st, n, Kp, b0, B, coef, wts, buf, flags, rej, 0, rej);
    powerSums(n, Kp, b0, B, shift, sums, buf, rej, true);
  }
}

// The power sums of n rows in buf. Rows of one batch element are visited together (stride B),
// so the four accumulators of a component pair stay in registers over a whole block.
export function accumulatePowers(n: i32, Kp: i32, b0: i32, B: i32, shift: usize, sums: usize, buf: usize): void {
  powerSums(n, Kp, b0, B, shift, sums, buf, 0, false);
}

// accumulatePowers of rows y = buf[r] * scales[r] when scaled (a constant at each call, so
// the inner loop has no branch).
// @ts-ignore: decorator
@inline function powerSums(n: i32, Kp: i32, b0: i32, B: i32, shift: usize, sums: usize, buf: usize, scales: usize, scaled: bool): void {
  const rowBytes = <usize>Kp << 3;
  const phases = B < n ? B : n;
  for (let p = 0; p < phases; p++) {
    let b = b0 + p;
    if (b >= B) b -= B;
    const sb = sums + <usize>b * 4 * rowBytes;
    const cb = shift + <usize>b * rowBytes;
    for (let o: usize = 0; o < rowBytes; o += 16) {
      const c = v128.load(cb + o);
      let a1 = v128.load(sb + o);
      let a2 = v128.load(sb + rowBytes + o);
      let a3 = v128.load(sb + 2 * rowBytes + o);
      let a4 = v128.load(sb + 3 * rowBytes + o);
      for (let r = p; r < n; r += B) {
        const y = v128.load(buf + <usize>r * rowBytes + o);
        const d = f64x2.sub(scaled ? f64x2.mul(y, v128.load64_splat(scales + (<usize>r << 3))) : y, c);
        const d2 = f64x2.mul(d, d);
        a1 = f64x2.add(a1, d);
        a2 = f64x2.add(a2, d2);
        a3 = f64x2.add(a3, f64x2.mul(d2, d));
        a4 = f64x2.add(a4, f64x2.mul(d2, d2));
      }
      v128.store(sb + o, a1);
      v128.store(sb + rowBytes + o, a2);
      v128.store(sb + 2 * rowBytes + o, a3);
      v128.store(sb + 3 * rowBytes + o, a4);
    }
  }
}

// Concrete log-density of n rows of K values (stride K, not padded) into out[0 .. n).
//   log p = c_b - (tau + jac) sum_k x_k - K LSE_k(l_k - tau x_k),  x = log v (or v if logSpace)
// logits: batch element b at logits + b * Kp * 8 (padding lanes -Infinity); tau, cst: one f64 each.
export function logProbRows(n: i32, K: i32, Kp: i32, b0: i32, B: i32, logits: usize, tau: usize, cst: usize, values: usize, logSpace: i32, jac: f64, scratch: usize, out: usize): void {
  const pairs = K >> 1;
  const odd = K & 1;
  const rowIn = <usize>K << 3;
  let b = b0;
  for (let r = 0; r < n; r++) {
    const v = values + <usize>r * rowIn;
    const l = logits + <usize>b * (<usize>Kp << 3);
    const t = load<f64>(tau + (<usize>b << 3));
    const tv = f64x2.splat(t);
    let sx = f64x2.splat(0.0);
    let m = f64x2.splat(-Infinity);
    for (let j = 0; j < pairs; j++) {
      const o = <usize>j << 4;
      const x0 = v128.load(v + o);
      const x = logSpace != 0 ? x0 : logAny(x0);
      sx = f64x2.add(sx, x);
      const s = f64x2.sub(v128.load(l + o), f64x2.mul(tv, x));
      v128.store(scratch + o, s);
      // pmax drops a NaN score, but the NaN reaches the result through sum_k x_k.
      m = f64x2.pmax(s, m);
    }
    let tailX: f64 = 0.0;
    let tailS: f64 = -Infinity;
    if (odd) {
      const x0 = load<f64>(v + (<usize>pairs << 4));
      tailX = logSpace != 0 ? x0 : f64x2.extract_lane(logAny(f64x2.splat(x0)), 0);
      tailS = load<f64>(l + (<usize>pairs << 4)) - t * tailX;
    }
    // NaN and +Infinity must reach the result, as in the scalar kernel: f64.max propagates NaN.
    const mm = max<f64>(max<f64>(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1)), tailS);
    const mv = f64x2.splat(mm);
    let sum = f64x2.splat(0.0);
    for (let j = 0; j < pairs; j++) sum = f64x2.add(sum, expBelow710(f64x2.sub(v128.load(scratch + (<usize>j << 4)), mv)));
    let total = f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
    if (odd) total += f64x2.extract_lane(expv(f64x2.splat(tailS - mm)), 0);
    const sumX = f64x2.extract_lane(sx, 0) + f64x2.extract_lane(sx, 1) + tailX;
    const lse = mm + f64x2.extract_lane(logAny(f64x2.splat(total)), 0);
    store<f64>(out + (<usize>r << 3), load<f64>(cst + (<usize>b << 3)) - (t + jac) * sumX - <f64>K * lse);
    if (++b == B) b = 0;
  }
}

// Element-wise 2^t (t <= 0) of the draw kernels, n even, for the accuracy tests.
export function exp2NonPositiveArray(p: usize, n: i32): void {
  const end = <usize>n << 3;
  for (let o: usize = 0; o < end; o += 16) v128.store(p + o, exp2NonPositive(v128.load(p + o)));
}

// Element-wise exp and log of n values (n even), for the accuracy tests.
export function expArray(p: usize, n: i32): void {
  const end = <usize>n << 3;
  for (let o: usize = 0; o < end; o += 16) v128.store(p + o, expv(v128.load(p + o)));
}

export function logArray(p: usize, n: i32): void {
  const end = <usize>n << 3;
  for (let o: usize = 0; o < end; o += 16) v128.store(p + o, logv(v128.load(p + o)));
}

export { mtFillGumbel, mtFillUniform, mtConcreteRows, mtRegionBytes, concreteFromGumbel, stdlibArray } from './mt-concrete';
