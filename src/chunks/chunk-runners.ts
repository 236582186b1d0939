/**
 * What a worker does with one chunk of each job kind: start the chunk's own random stream
 * (seed, chunk index), run the WebAssembly kernels over small blocks that stay in cache, and
 * return a mergeable result. Shared by the worker entry and by in-thread tests; no `node:`
 * imports, so it runs anywhere.
 *
 * @packageDocumentation
 */
import { accumulateCrossSums, POWER_SUMS } from '../kernels/moment-sums.js';
import { SIMPLEX_SUM_TOLERANCE } from '../kernels/log-prob.js';
import { WasmDraws, wasmLogProbRows } from '../kernels/wasm/kernels.js';
import { drawRowBlocks } from './draw-blocks.js';
import {
  type ChunkResult,
  type JobDescriptor,
  type LogProbJob,
  type MomentsJob,
  type SampleJob,
  extraOffset,
  kStopFlag,
  temperatureOffset,
} from './layout.js';
import { bug } from '../errors.js';

/**
 * Values per step of the logProb loop, between two looks at the stop flag. Large, because each
 * kernel call lays out every batch element's parameters in kernel memory afresh (a per-call cost
 * proportional to the batch), while a step of 2^18 values still takes only milliseconds.
 */
export const LOG_PROB_STEP_ELEMENTS = 2 ** 18;

/** Typed views of a job's buffers, made afresh for each task. */
export interface JobViews {
  readonly job: JobDescriptor;
  readonly control: Int32Array;
  readonly logits: Float64Array;
  readonly temperature: Float64Array;
  readonly extra: Float64Array;
  readonly values: Float64Array | null;
  readonly output: Float64Array | null;
  readonly scratch: Float64Array;
}

/**
 * @param job - the job descriptor.
 * @returns views of its buffers plus working space.
 */
export function makeJobViews(job: JobDescriptor): JobViews {
  const { B, K } = job;
  const params = new Float64Array(job.params);
  const extraLen = job.kind === 'logProb' ? B : job.kind === 'sample' ? (job.logProbOutput === null ? 0 : B) : B * K;
  return {
    job,
    control: new Int32Array(job.control),
    logits: params.subarray(0, B * K),
    temperature: params.subarray(temperatureOffset(B, K), temperatureOffset(B, K) + B),
    extra: params.subarray(extraOffset(B, K), extraOffset(B, K) + extraLen),
    values: job.kind === 'logProb' ? new Float64Array(job.values) : null,
    output: job.kind === 'logProb' || job.kind === 'sample' ? new Float64Array(job.output) : null,
    scratch: new Float64Array(K),
  };
}

/**
 * The draws (or rows) a chunk covers.
 *
 * @param job - the job.
 * @param chunk - chunk index.
 * @returns `[first, end)` in units of the job.
 */
export function chunkRange(job: JobDescriptor, chunk: number): [number, number] {
  const first = chunk * job.chunkUnits;
  return [first, Math.min(job.units, first + job.chunkUnits)];
}

/**
 * Runs one chunk.
 *
 * @param v - the job's views.
 * @param chunk - chunk index.
 * @param threadId - reported back with the result.
 * @returns the chunk's result.
 */
export function runChunk(v: JobViews, chunk: number, threadId: number): ChunkResult {
  const job = v.job;
  switch (job.kind) {
    case 'gradients':
      return bug('gradients chunks need their objective (see workers/worker.ts)');
    case 'moments':
      return momentsChunk(v, job, chunk, threadId);
    case 'sample':
      return sampleChunk(v, job, chunk, threadId);
    case 'logProb':
      return logProbChunk(v, job, chunk, threadId);
  }
}

function result(threadId: number, stopped: boolean, sums: Float64Array | null = null): ChunkResult {
  return { threadId, stopped, sums, invalidRow: -1, invalidReason: null };
}

function momentsChunk(v: JobViews, job: MomentsJob, chunk: number, threadId: number): ChunkResult {
  const { B, K, seed, covariance } = job;
  const [first, end] = chunkRange(job, chunk);
  const sums = new Float64Array(B * POWER_SUMS * K + (covariance ? B * K * K : 0));
  const draws = new WasmDraws(B, K, v.logits, v.temperature, v.extra);
  draws.start(seed, chunk);
  const cross = sums.subarray(B * POWER_SUMS * K);
  const addCross = covariance
    ? (y: Float64Array, n: number, rowStart: number): void =>
        accumulateCrossSums(n, K, rowStart, B, y, 0, draws.Kp, v.extra, v.scratch, cross)
    : null;
  try {
    if (!drawRowBlocks(draws, first * B, (end - first) * B, 'moments', v.control, addCross))
      return result(threadId, true);
    draws.readSums(sums);
  } finally {
    draws.release();
  }
  return result(threadId, false, sums);
}

function sampleChunk(v: JobViews, job: SampleJob, chunk: number, threadId: number): ChunkResult {
  const { B, K, seed, logSpace, window } = job;
  const out = v.output as Float64Array;
  const lpOut = job.logProbOutput === null ? null : new Float64Array(job.logProbOutput);
  const [chunkFirst, chunkEnd] = chunkRange(job, chunk);
  // A streamed block holds units [w0, w1): the chunk writes only its part of them, at rows
  // counted from w0. Units of the chunk before the block are drawn and dropped, so the stream
  // (and every value) is the one the whole job draws.
  const w0 = window === null ? 0 : window[0];
  const first = Math.max(chunkFirst, w0);
  const end = window === null ? chunkEnd : Math.min(chunkEnd, window[1]);
  const draws = new WasmDraws(B, K, v.logits, v.temperature, null);
  try {
    draws.start(seed, chunk);
    // The skipped rows consume the stream as the kept ones do (the fused modes draw exactly what
    // their plain counterparts draw).
    const skipMode = logSpace ? 'log-simplex' : 'simplex';
    const skip = (first - chunkFirst) * B;
    if (skip > 0 && !drawRowBlocks(draws, chunkFirst * B, skip, skipMode, v.control, null))
      return result(threadId, true);
    const Kp = draws.Kp;
    const base = w0 * B;
    const write = (y: Float64Array, n: number, rowStart: number, lp?: Float64Array): void => {
      const o = (rowStart - base) * K;
      if (Kp === K) out.set(y, o);
      else for (let r = 0; r < n; r++) out.set(y.subarray(r * Kp, r * Kp + K), o + r * K);
      if (lp !== undefined && lpOut !== null) lpOut.set(lp, rowStart - base);
    };
    if (lpOut !== null) draws.enableLogProb(v.extra);
    const mode =
      lpOut === null ? (logSpace ? 'log-simplex' : 'simplex') : logSpace ? 'log-simplex+log-prob' : 'simplex+log-prob';
    const finished = drawRowBlocks(draws, first * B, (end - first) * B, mode, v.control, write);
    return result(threadId, !finished);
  } finally {
    draws.release();
  }
}

function logProbChunk(v: JobViews, job: LogProbJob, chunk: number, threadId: number): ChunkResult {
  const { B, K, validate, logSpace } = job;
  const values = v.values as Float64Array;
  const out = v.output as Float64Array;
  const [first, end] = chunkRange(job, chunk);
  if (validate) {
    // The whole chunk is checked before anything is computed, as log_prob checks the whole value.
    const bad = logSpace
      ? firstInvalidLogRow(end - first, K, values, first * K)
      : firstInvalidRow(end - first, K, values, first * K);
    if (bad.row >= 0)
      return { threadId, stopped: false, sums: null, invalidRow: first + bad.row, invalidReason: bad.reason };
  }
  const rowsPerStep = Math.max(1, Math.floor(LOG_PROB_STEP_ELEMENTS / K));
  for (let r = first; r < end;) {
    if (Atomics.load(v.control, kStopFlag) !== 0) return result(threadId, true);
    const n = Math.min(rowsPerStep, end - r);
    wasmLogProbRows(n, K, r, B, v.logits, v.temperature, v.extra, values, r * K, logSpace, 1, out, r);
    r += n;
  }
  return result(threadId, false);
}

/**
 * The support check of log-space values: each row is the logarithm of a simplex point
 * (no NaN or +Infinity, logsumexp within {@link SIMPLEX_SUM_TOLERANCE} of 0). -Infinity entries (a 0 of the simplex)
 * are allowed: the density is computed from x, where they are harmless.
 *
 * @param n - rows.
 * @param K - row length.
 * @param values - the values.
 * @param offset - first element.
 * @returns the first bad row (reason 'simplex'), or row -1.
 */
export function firstInvalidLogRow(
  n: number,
  K: number,
  values: Float64Array,
  offset: number,
): { row: number; reason: 'simplex' | 'zero' | null } {
  for (let r = 0; r < n; r++) {
    const o = offset + r * K;
    let m = -Infinity;
    let ok = true;
    for (let k = 0; k < K; k++) {
      const x = values[o + k];
      if (!(x < Infinity)) ok = false;
      else if (x > m) m = x;
    }
    let s = 0;
    if (ok) for (let k = 0; k < K; k++) s += Math.exp(values[o + k] - m);
    if (!ok || !(Math.abs(m + Math.log(s)) < SIMPLEX_SUM_TOLERANCE)) return { row: r, reason: 'simplex' };
  }
  return { row: -1, reason: null };
}

/**
 * The support checks of `log_prob` on `n` rows: the simplex (entries >= 0, |sum - 1| <
 * {@link SIMPLEX_SUM_TOLERANCE}),
 * which takes precedence, then the open simplex (no exact 0).
 *
 * @param n - rows.
 * @param K - row length.
 * @param values - the values.
 * @param offset - first element.
 * @returns the first row off the simplex, else the first row with a 0 entry, else row -1.
 */
export function firstInvalidRow(
  n: number,
  K: number,
  values: Float64Array,
  offset: number,
): { row: number; reason: 'simplex' | 'zero' | null } {
  let zeroRow = -1;
  for (let r = 0; r < n; r++) {
    let s = 0;
    let ok = true;
    const o = offset + r * K;
    for (let k = 0; k < K; k++) {
      const x = values[o + k];
      if (!(x >= 0)) ok = false;
      else if (x === 0 && zeroRow < 0) zeroRow = r;
      s += x;
    }
    if (!ok || !(Math.abs(s - 1) < SIMPLEX_SUM_TOLERANCE)) return { row: r, reason: 'simplex' };
  }
  return zeroRow >= 0 ? { row: zeroRow, reason: 'zero' } : { row: -1, reason: null };
}
