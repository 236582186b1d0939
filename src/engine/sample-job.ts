/**
 * The jobs that fill shared memory: `sample` (draws) and `logProb` (log-densities of given
 * values, bit for bit those of `dist.log_prob`).
 *
 * @packageDocumentation
 */
import { Tensor } from '../tensor/tensor.js';
import { tensor, type TensorLike } from '../tensor/create.js';
import { numelOf } from '../tensor/shape.js';
import {
  type RelaxedOneHotCategorical,
  offSimplexError,
  zeroEntryError,
} from '../distributions/relaxed-one-hot-categorical.js';
import { normalizeSampleShape, type SampleShape } from '../distributions/distribution.js';
import { planLogProb } from '../distributions/log-prob-plan.js';
import { chunkSequence } from './chunk-order.js';
import { type EngineContext, TARGET_CHUNK_ELEMENTS, commonOptions, pow2Floor, randomSeed } from './context.js';
import { knownKeys, nonNegativeInteger, optionalBoolean, optionsObject } from './options.js';
import { runChunks } from './scheduler.js';
import { ValueError } from '../errors.js';

/** @returns the error for log-space values that are not log-simplex points. */
function offLogSimplexError(): ValueError {
  return new ValueError(
    'Expected log-space values x with logsumexp(x) = 0 (the logarithm of a simplex point, as sample --log-space writes), ' +
      'but a row is NaN, +Infinity, or its exponentials do not sum to 1 (within 1e-6).',
  );
}
import type { JobOptions, SampleOptions } from './types.js';

/**
 * Draws per chunk of a sample job: it fixes which stream each draw comes from, so `sample` and
 * `sampleChunks` must agree on it.
 *
 * @param B - batch elements.
 * @param K - categories.
 * @param chunkSize - the job's option, if given.
 * @returns draws per chunk.
 */
export function sampleChunkUnits(B: number, K: number, chunkSize: number | undefined): number {
  return chunkSize ?? Math.max(1, pow2Floor(TARGET_CHUNK_ELEMENTS / (B * K)));
}

/**
 * The shared buffer a job can write `bytes` into directly: the caller's `out` when its data is a
 * whole SharedArrayBuffer of that size, else null (the job writes a buffer of its own and copies).
 *
 * @param out - the caller's tensor, or undefined.
 * @param shape - the shape the result has.
 * @param what - the option's name in messages.
 * @returns the buffer, or null.
 * @throws TypeError when out is not a Tensor; RangeError when its shape differs.
 */
export function outputBuffer(out: unknown, shape: readonly number[], what: string): SharedArrayBuffer | null {
  if (out === undefined) return null;
  if (!(out instanceof Tensor))
    throw new TypeError(`${what} must be a Tensor (engine.empty(shape) makes one), but got ${typeof out}.`);
  if (out.shape.length !== shape.length || out.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(`${what} must have shape [${shape.join(', ')}], but got [${out.shape.join(', ')}].`);
  }
  const d = out.data;
  return d.buffer instanceof SharedArrayBuffer && d.byteOffset === 0 && d.buffer.byteLength === d.byteLength
    ? d.buffer
    : null;
}

/**
 * @param ctx - the engine.
 * @param dist - the distribution.
 * @param sample_shape - as for `dist.sample`.
 * @param options - seed, logSpace, out (a tensor to write into), progress and abort.
 * @returns `[...sample_shape, ...batch_shape, K]` over a SharedArrayBuffer (`out` itself when given).
 */
export async function runSample(
  ctx: EngineContext,
  dist: RelaxedOneHotCategorical,
  sample_shape: SampleShape,
  options: SampleOptions,
): Promise<Tensor> {
  const shapeN = normalizeSampleShape(sample_shape);
  const o = optionsObject(options, 'sample options');
  knownKeys(o, ['seed', 'logSpace', 'out', 'onProgress', 'signal', 'chunkSize', 'order'], 'sample options');
  const seed = o.seed === undefined ? randomSeed() : nonNegativeInteger(o.seed, 'seed');
  const logSpace = optionalBoolean(o.logSpace, 'logSpace', false);
  const common = commonOptions(o);
  const p = dist._params;
  const B = p.rowTemperature.length;
  const K = p.K;
  const N = numelOf(shapeN);
  const shape = [...shapeN, ...p.batchShape, K];
  const bytes = N * B * K * 8;
  const direct = outputBuffer(o.out, shape, 'out');
  // A caller's buffer that is already shared is written in place (no fresh pages); any other
  // tensor gets a copy at the end.
  if (direct === null) ctx.checkBudget('sample', bytes, `${N} draws x ${B} batch elements x ${K} categories x 8 bytes`);
  const out = direct ?? new SharedArrayBuffer(bytes);
  const result = (): Tensor => {
    if (o.out === undefined) return new Tensor(new Float64Array(out), shape);
    const t = o.out as Tensor;
    if (direct === null) t.data.set(new Float64Array(out));
    return t;
  };
  if (bytes === 0) return result();
  const chunkUnits = sampleChunkUnits(B, K, common.chunkSize);
  const job = ctx.describe('sample', B, K, seed, N, chunkUnits, {
    logSpace,
    output: out,
    logits: p.rowLogits,
    temperature: p.rowTemperature,
  });
  await ctx.pool.start();
  const view = new Float64Array(out);
  const rowElems = B * K;
  await runChunks({
    pool: ctx.pool,
    job,
    chunks: chunkSequence(Math.ceil(N / chunkUnits), common.order),
    // Fresh memory is mapped on first touch, and the kernel serialises those page faults: touched
    // by both workers at once they cost each several times what one thread pays. This thread
    // touches each chunk's pages just before handing it out, so the workers only write. (A
    // caller's buffer is already mapped.)
    beforeDispatch:
      direct === null
        ? (c) => touchPages(view, c * chunkUnits * rowElems, Math.min(N, (c + 1) * chunkUnits) * rowElems)
        : undefined,
    onResult: (_c, r) => ctx.noteThread(r.threadId),
    onProgress: common.onProgress,
    signal: common.signal,
    retries: ctx.retries,
  });
  return result();
}

/** Doubles per 4 KiB page. */
const PAGE_DOUBLES = 512;

/**
 * Writes a 0 into every page of `view[from, to)` (fresh memory is already 0), so the pages are
 * mapped before a worker writes there.
 *
 * @param view - the output.
 * @param from - first element.
 * @param to - one past the last.
 */
function touchPages(view: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i += PAGE_DOUBLES) view[i] = 0;
}

/**
 * @param ctx - the engine.
 * @param dist - the distribution.
 * @param value - simplex values, last dimension K, broadcastable with the batch shape.
 * @param options - progress and abort; `out`, a tensor to write into; `logSpace`, values are
 *   log-simplex points x (the density of exp(x) is computed from x: finite at any temperature).
 *   (`reuse`: internal, a previous result whose buffer may be written again.)
 * @returns log-densities of shape `broadcast(value.shape[:-1], batch_shape)` over a SharedArrayBuffer.
 */
export async function runLogProb(
  ctx: EngineContext,
  dist: RelaxedOneHotCategorical,
  value: TensorLike,
  options: JobOptions & { out?: Tensor; logSpace?: boolean; reuse?: Tensor | null },
): Promise<Tensor> {
  const o = optionsObject(options, 'logProb options');
  knownKeys(o, ['onProgress', 'signal', 'chunkSize', 'order', 'out', 'logSpace', 'reuse'], 'logProb options');
  const logSpace = optionalBoolean(o.logSpace, 'logSpace', false);
  const common = commonOptions(o);
  const v = value instanceof Tensor ? value : tensor(value, 'value');
  const plan = planLogProb(v, dist._params);
  const K = dist._params.K;
  const zeroCopy =
    plan.values === v.data &&
    v.data.buffer instanceof SharedArrayBuffer &&
    v.data.byteOffset === 0 &&
    v.data.buffer.byteLength === v.data.byteLength;
  const inBytes = zeroCopy ? 0 : plan.rows * K * 8;
  const direct = outputBuffer(o.out, plan.resultShape, 'out');
  const reuse = o.reuse instanceof Tensor ? (o.reuse.data.buffer as SharedArrayBuffer) : null;
  const reusable = reuse !== null && reuse.byteLength >= plan.rows * 8 ? reuse : null;
  const outBytes = direct !== null || reusable !== null ? 0 : plan.rows * 8;
  ctx.checkBudget(
    'logProb',
    inBytes + outBytes,
    `${plan.rows} rows x 8 bytes of output${inBytes ? ` + a shared copy of the ${plan.rows} x ${K} values` : ''}`,
  );
  let values: SharedArrayBuffer;
  if (zeroCopy) values = v.data.buffer as SharedArrayBuffer;
  else {
    values = new SharedArrayBuffer(inBytes);
    new Float64Array(values).set(plan.values);
  }
  const out = direct ?? reusable ?? new SharedArrayBuffer(plan.rows * 8);
  const result = (): Tensor => {
    const t = new Tensor(new Float64Array(out, 0, plan.rows), plan.resultShape);
    if (o.out === undefined) return t;
    if (direct === null) (o.out as Tensor).data.set(t.data);
    return o.out as Tensor;
  };
  if (plan.rows === 0) return result();
  const chunkUnits = common.chunkSize ?? Math.max(1, pow2Floor(TARGET_CHUNK_ELEMENTS / K));
  const job = ctx.describe('logProb', plan.period, K, 0, plan.rows, chunkUnits, {
    logSpace,
    validate: dist.validate_args,
    values,
    output: out,
    extra: plan.constants,
    logits: plan.logits,
    temperature: plan.temperature,
  });
  let simplexBad = false;
  let zeroBad = false;
  await ctx.pool.start();
  await runChunks({
    pool: ctx.pool,
    job,
    chunks: chunkSequence(Math.ceil(plan.rows / chunkUnits), common.order),
    onResult: (_c, r) => {
      ctx.noteThread(r.threadId);
      if (r.invalidReason === 'simplex') simplexBad = true;
      else if (r.invalidReason === 'zero') zeroBad = true;
    },
    onProgress: common.onProgress,
    signal: common.signal,
    retries: ctx.retries,
  });
  // The same errors, in the same precedence, as dist.log_prob.
  if (simplexBad) throw logSpace ? offLogSimplexError() : offSimplexError(v);
  if (zeroBad) throw zeroEntryError(v);
  return result();
}
