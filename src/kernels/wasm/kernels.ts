/**
 * The WebAssembly kernels as Float64Array-level functions: the engine's draws and moment
 * sums, and the log-density used both in-process (`log_prob`) and by the workers, so the two
 * agree bit for bit. Each entry point lays out its buffers in kernel memory it owns (an
 * `Arena`): a `WasmDraws` for its lifetime, a function call for its duration, so no call can
 * overwrite another's live buffers.
 *
 * @packageDocumentation
 */
import { Arena } from './arena.js';
import { COEF_DOUBLES, MODE_POWER, WEIGHT_ROWS, drawCoefficients, paddedWidth } from './draw-coefficients.js';
import { STREAM_STATE_BYTES, STREAM_STATE_WORDS, seedChunkStream } from '../../rng/chunk-stream.js';
import { POWER_SUMS } from '../moment-sums.js';

/** Kernel flag of momentRows: leave the rows normalised in the block buffer. */
const KEEP_ROWS = 4;

/** Doubles per kernel call: 32 KiB of rows, which stays in the L1/L2 cache between passes. */
export const WASM_BLOCK_DOUBLES = 4096;

/**
 * One task's draws: generator state, coefficients and a block buffer in kernel memory that
 * this object owns until {@link WasmDraws.release} (any kernel call in between, even on this
 * thread, uses memory of its own).
 */
export class WasmDraws {
  /** Row width in kernel memory (K rounded up to even). */
  readonly Kp: number;
  /** Rows per kernel call. */
  readonly rowsPerBlock: number;
  private readonly a: Arena;
  private readonly st: number;
  private readonly coef: number;
  private readonly wts: number;
  private readonly buf: number;
  private readonly shift: number;
  private readonly sums: number;
  private readonly rej: number;
  private readonly seedWords = new Uint32Array(STREAM_STATE_WORDS);
  /** Kernel flags: 2 (draw log E) unless every batch element has the POWER form. */
  private readonly logDraws: number;
  private readonly logits: Float64Array;
  private readonly temperature: Float64Array;
  /** Regions of the fused log-density (see {@link WasmDraws.enableLogProb}); 0 until enabled. */
  private lp = { logits: 0, tau: 0, cst: 0, scratch: 0, x: 0, compact: 0, out: 0 };

  /**
   * @param B - batch elements.
   * @param K - categories.
   * @param logits - `B * K` normalised logits.
   * @param temperature - `B` temperatures.
   * @param shift - `B * K` shifts of the power sums, or null when no moments are accumulated.
   */
  constructor(
    readonly B: number,
    readonly K: number,
    logits: Float64Array,
    temperature: Float64Array,
    shift: Float64Array | null,
  ) {
    const Kp = paddedWidth(K);
    this.Kp = Kp;
    this.logits = logits;
    this.temperature = temperature;
    this.rowsPerBlock = Math.max(1, Math.floor(WASM_BLOCK_DOUBLES / Kp));
    const a = Arena.acquire();
    this.a = a;
    this.st = a.alloc(STREAM_STATE_BYTES);
    this.coef = a.alloc(B * COEF_DOUBLES * 8);
    this.wts = a.alloc(B * WEIGHT_ROWS * Kp * 8);
    this.buf = a.alloc(this.rowsPerBlock * Kp * 8);
    this.rej = a.alloc(this.rowsPerBlock * Kp * 8);
    this.shift = shift === null ? 0 : a.alloc(B * Kp * 8);
    this.sums = shift === null ? 0 : a.alloc(B * POWER_SUMS * Kp * 8);
    const coef = a.f64(this.coef, B * COEF_DOUBLES);
    drawCoefficients(B, K, logits, temperature, coef, a.f64(this.wts, B * WEIGHT_ROWS * Kp));
    let allPower = true;
    for (let b = 0; b < B; b++) allPower &&= coef[b * COEF_DOUBLES] === MODE_POWER;
    this.logDraws = allPower ? 0 : 2;
    if (shift !== null) {
      const sv = a.f64(this.shift, B * Kp);
      for (let b = 0; b < B; b++) for (let k = 0; k < K; k++) sv[b * Kp + k] = shift[b * K + k];
    }
  }

  /** Gives the kernel memory back for reuse; the object must not be used afterwards. */
  release(): void {
    this.a.release();
  }

  /**
   * Starts chunk `chunk`'s stream and zeroes the power sums.
   *
   * @param seed - job seed.
   * @param chunk - chunk index.
   */
  start(seed: number, chunk: number): void {
    seedChunkStream(seed, chunk, this.seedWords);
    new Uint32Array(this.a.k.memory.buffer, this.st, STREAM_STATE_WORDS).set(this.seedWords);
    if (this.sums !== 0) this.a.f64(this.sums, this.B * POWER_SUMS * this.Kp).fill(0);
  }

  /**
   * Draws `n <= rowsPerBlock` rows (stride Kp) into the block buffer.
   *
   * @param n - rows.
   * @param b0 - batch element of the first row.
   * @param logSpace - draw log-simplex values instead.
   * @returns a view of the rows (valid until the next call).
   */
  draw(n: number, b0: number, logSpace: boolean): Float64Array {
    const flags = logSpace ? 3 : this.logDraws;
    this.a.k.sampleRows(this.st, n, this.Kp, b0, this.B, this.coef, this.wts, this.buf, flags, this.rej);
    return this.a.f64(this.buf, n * this.Kp);
  }

  /**
   * Prepares {@link WasmDraws.drawWithLogProb}: the log-density's parameters in kernel memory.
   *
   * @param constants - `B` density constants (`logProbConstants`).
   */
  enableLogProb(constants: Float64Array): void {
    const { B, K, Kp, a } = this;
    const rows = this.rowsPerBlock;
    const lp = {
      logits: a.alloc(B * Kp * 8),
      tau: a.alloc(B * 8),
      cst: a.alloc(B * 8),
      scratch: a.alloc(Kp * 8),
      x: a.alloc(rows * Kp * 8),
      compact: Kp === K ? 0 : a.alloc(rows * K * 8),
      out: a.alloc(rows * 8),
    };
    const lv = a.f64(lp.logits, B * Kp);
    for (let b = 0; b < B; b++)
      for (let k = 0; k < Kp; k++) lv[b * Kp + k] = k < K ? this.logits[b * K + k] : -Infinity;
    a.f64(lp.tau, B).set(this.temperature.subarray(0, B));
    a.f64(lp.cst, B).set(constants.subarray(0, B));
    this.lp = lp;
  }

  /**
   * {@link WasmDraws.draw}, plus the log-density of each row's sample computed in log space from
   * its log-simplex point x (the fused log-density: finite at any temperature, even where a
   * simplex entry underflowed to 0). The rows are the same bits `draw` gives.
   *
   * @param n - rows.
   * @param b0 - batch element of the first row.
   * @param logSpace - draw log-simplex values instead.
   * @returns views of the rows (stride Kp) and of their `n` log-densities (valid until the next call).
   */
  drawWithLogProb(n: number, b0: number, logSpace: boolean): { y: Float64Array; logProb: Float64Array } {
    const { a, K, Kp, lp } = this;
    const flags = logSpace ? 3 : this.logDraws;
    a.k.sampleRowsKeepLog(
      this.st,
      n,
      Kp,
      b0,
      this.B,
      this.coef,
      this.wts,
      this.buf,
      flags,
      this.rej,
      logSpace ? 0 : lp.x,
    );
    let values = logSpace ? this.buf : lp.x;
    if (Kp !== K) {
      // The density kernel reads rows of K values: drop the padding lane.
      const from = a.f64(values, n * Kp);
      const to = a.f64(lp.compact, n * K);
      for (let r = 0; r < n; r++) to.set(from.subarray(r * Kp, r * Kp + K), r * K);
      values = lp.compact;
    }
    a.k.logProbRows(n, K, Kp, b0, this.B, lp.logits, lp.tau, lp.cst, values, 1, 1, lp.scratch, lp.out);
    return { y: a.f64(this.buf, n * Kp), logProb: a.f64(lp.out, n) };
  }

  /**
   * Draws `n <= rowsPerBlock` rows and adds them to the power sums.
   *
   * @param n - rows.
   * @param b0 - batch element of the first row.
   * @param keepRows - whether the caller reads the rows (cross sums); without, the kernel scales
   *   them to the simplex only as it sums them, and they are not kept.
   * @returns a view of the drawn rows (valid until the next call), or null without keepRows.
   */
  drawMoments(n: number, b0: number, keepRows: boolean): Float64Array | null {
    this.a.k.momentRows(
      this.st,
      n,
      this.Kp,
      b0,
      this.B,
      this.coef,
      this.wts,
      this.shift,
      this.sums,
      this.buf,
      this.logDraws | (keepRows ? KEEP_ROWS : 0),
      this.rej,
    );
    return keepRows ? this.a.f64(this.buf, n * this.Kp) : null;
  }

  /**
   * Copies the power sums out, without padding: batch element b at `b * 4K`, `[S1 | S2 | S3 | S4]`.
   *
   * @param out - `B * 4K` doubles.
   */
  readSums(out: Float64Array): void {
    const { B, K, Kp } = this;
    const s = this.a.f64(this.sums, B * POWER_SUMS * Kp);
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < POWER_SUMS; p++) {
        const from = (b * POWER_SUMS + p) * Kp;
        out.set(s.subarray(from, from + K), (b * POWER_SUMS + p) * K);
      }
    }
  }
}

/**
 * The Concrete log-density of `n` rows (the WebAssembly version of `concreteLogProbRows`, same
 * arguments without the scratch): used by `log_prob` in-process and by the engine's workers.
 *
 * @param n - rows.
 * @param K - categories.
 * @param rowStart - index of the first row; row r uses batch element `(rowStart + r) % period`.
 * @param period - batch elements.
 * @param logits - `period * K` normalised logits.
 * @param temperature - `period` temperatures.
 * @param constants - `period` constants (`logProbConstants`).
 * @param values - `n * K` values from `valueOffset`.
 * @param valueOffset - first element.
 * @param logSpace - whether values are logarithms.
 * @param jacobian - 1 for the simplex density, 0 for the log-simplex one.
 * @param out - results from `outOffset`.
 * @param outOffset - first result.
 */
export function wasmLogProbRows(
  n: number,
  K: number,
  rowStart: number,
  period: number,
  logits: Float64Array,
  temperature: Float64Array,
  constants: Float64Array,
  values: Float64Array,
  valueOffset: number,
  logSpace: boolean,
  jacobian: number,
  out: Float64Array,
  outOffset: number,
): void {
  if (n === 0) return;
  const Kp = paddedWidth(K);
  const rows = Math.max(1, Math.floor(WASM_BLOCK_DOUBLES / Kp));
  const a = Arena.acquire();
  try {
    logProbBlocks(
      a,
      n,
      K,
      Kp,
      rows,
      rowStart,
      period,
      logits,
      temperature,
      constants,
      values,
      valueOffset,
      logSpace,
      jacobian,
      out,
      outOffset,
    );
  } finally {
    a.release();
  }
}

function logProbBlocks(
  a: Arena,
  n: number,
  K: number,
  Kp: number,
  rows: number,
  rowStart: number,
  period: number,
  logits: Float64Array,
  temperature: Float64Array,
  constants: Float64Array,
  values: Float64Array,
  valueOffset: number,
  logSpace: boolean,
  jacobian: number,
  out: Float64Array,
  outOffset: number,
): void {
  const lp = a.alloc(period * Kp * 8);
  const tp = a.alloc(period * 8);
  const cp = a.alloc(period * 8);
  const sp = a.alloc(Kp * 8);
  const vp = a.alloc(rows * K * 8);
  const op = a.alloc(rows * 8);
  const lv = a.f64(lp, period * Kp);
  for (let b = 0; b < period; b++) {
    for (let k = 0; k < Kp; k++) lv[b * Kp + k] = k < K ? logits[b * K + k] : -Infinity;
  }
  a.f64(tp, period).set(temperature.subarray(0, period));
  a.f64(cp, period).set(constants.subarray(0, period));
  const vv = a.f64(vp, rows * K);
  const ov = a.f64(op, rows);
  let b0 = rowStart % period;
  for (let done = 0; done < n;) {
    const m = Math.min(rows, n - done);
    vv.set(values.subarray(valueOffset + done * K, valueOffset + (done + m) * K));
    a.k.logProbRows(m, K, Kp, b0, period, lp, tp, cp, vp, logSpace ? 1 : 0, jacobian, sp, op);
    out.set(ov.subarray(0, m), outOffset + done);
    done += m;
    b0 = (b0 + m) % period;
  }
}

/**
 * Element-wise exp, log, or the draw kernels' 2^t (t <= 0), through the kernels (for accuracy
 * tests over the whole range).
 *
 * @param which - the function.
 * @param xs - inputs.
 * @returns outputs.
 */
export function wasmElementwise(which: 'exp' | 'log' | 'exp2-nonpositive', xs: Float64Array): Float64Array {
  const a = Arena.acquire();
  try {
    const n = xs.length + (xs.length & 1);
    const p = a.alloc(n * 8);
    const v = a.f64(p, n);
    v.fill(1);
    v.set(xs);
    if (which === 'exp') a.k.expArray(p, n);
    else if (which === 'log') a.k.logArray(p, n);
    else a.k.exp2NonPositiveArray(p, n);
    return a.f64(p, xs.length).slice();
  } finally {
    a.release();
  }
}

/**
 * A chunk's uniform stream (the same stream definition as the draws), for kernels written in
 * JavaScript that consume uniforms from a Float64Array. The generator state and the uniforms
 * are kept in JavaScript memory between calls and only lent to kernel memory (an arena held
 * for the fill alone) for each fill.
 */
export class WasmUniforms {
  private readonly state = new Uint32Array(STREAM_STATE_WORDS);
  private readonly out: Float64Array;

  /** @param capacity - the most uniforms one {@link WasmUniforms.fill} call returns. */
  constructor(readonly capacity: number) {
    this.out = new Float64Array(capacity + 1);
  }

  /**
   * @param seed - job seed.
   * @param stream - stream (chunk) index.
   */
  start(seed: number, stream: number): void {
    seedChunkStream(seed, stream, this.state);
  }

  /**
   * The next `n <= capacity` uniforms in (0, 1). An odd `n` draws one more (discarded), so a
   * stream's values depend on the sequence of `n` asked for: callers ask in a fixed pattern.
   *
   * @param n - how many.
   * @returns a view (valid until the next call).
   */
  fill(n: number): Float64Array {
    const pairs = (n + 1) >> 1;
    const a = Arena.acquire();
    try {
      const st = a.alloc(STREAM_STATE_BYTES);
      const buf = a.alloc(pairs * 16);
      const words = new Uint32Array(a.k.memory.buffer, st, STREAM_STATE_WORDS);
      words.set(this.state);
      a.k.fillUniform(st, buf, pairs);
      this.state.set(words);
      this.out.set(a.f64(buf, 2 * pairs));
    } finally {
      a.release();
    }
    return this.out.subarray(0, n);
  }
}
