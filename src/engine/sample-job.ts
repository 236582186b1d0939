/**
 * The jobs that fill shared memory: `sample` (draws) and `logProb` (log-densities of given
 * values, bit for bit those of `dist.log_prob`).
 *
 * @packageDocumentation
 */
import { Tensor } from '../tensor/tensor.js';
import { tensor, type TensorLike } from '../tensor/create.js';
import { formatShape, numelOf, shapesEqual } from '../tensor/shape.js';
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
import { RangeError, Rule, TypeError, ValueError } from '../errors.js';
import type { LogProbOptions, SampleOptions } from './types.js';

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

/** @returns the error for log-space values that are not log-simplex points. */
function offLogSimplexError(): ValueError {
  return new ValueError(
    'Expected log-space values x with logsumexp(x) = 0 (the logarithm of a simplex point, as sample --log-space ' +
      'writes), but a row is NaN, +Infinity, or its exponentials do not sum to 1 (within 1e-6).',
    { argument: 'value', rule: Rule.logSimplex },
  );
}

/**
 * @param ctx - the engine.
 * @param dist - the distribution.
 * @param sample_shape - as for `dist.sample`.
 * @param options - seed, logSpace, out, progress and abort.
 * @returns `[...sample_shape, ...batch_shape, K]` over a SharedArrayBuffer, or `options.out`.
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
  const target = outputTarget(o.out, shape);
  if (target.buffer === null)
    ctx.checkBudget('sample', bytes, `${N} draws x ${B} batch elements x ${K} categories x 8 bytes`);
  const out = target.buffer ?? new SharedArrayBuffer(bytes);
  if (bytes === 0) return target.finish(out);
  const chunkUnits = sampleChunkUnits(B, K, common.chunkSize);
  const job = ctx.describe(
    { kind: 'sample', logSpace, output: out, window: null, logProbOutput: null },
    B,
    K,
    seed,
    N,
    chunkUnits,
    {
      logits: p.rowLogits,
      temperature: p.rowTemperature,
    },
  );
  await ctx.pool.start();
  const view = new Float64Array(out);
  const rowElems = B * K;
  await runChunks({
    pool: ctx.pool,
    job,
    chunks: chunkSequence(Math.ceil(N / chunkUnits), common.order),
    // Fresh memory is mapped on first touch, and the kernel serialises those page faults: touched
    // by both workers at once they cost each several times what one thread pays. This thread
    // touches each chunk's pages just before handing it out, so the workers only write.
    beforeDispatch: (c) => touchPages(view, c * chunkUnits * rowElems, Math.min(N, (c + 1) * chunkUnits) * rowElems),
    onResult: (_c, r) => ctx.noteThread(r.threadId),
    onProgress: common.onProgress,
    signal: common.signal,
    retries: ctx.retries,
  });
  return target.finish(out);
}

/** Where a job writes, and how its result is handed back. */
interface OutputTarget {
  /** The caller's storage when the workers can write there directly; null to allocate one. */
  buffer: SharedArrayBuffer | null;
  /** @returns the result over `written`: the caller's tensor (copied into when not written in place), or a new one. */
  finish(written: SharedArrayBuffer): Tensor;
}

/**
 * Checks a job's `out` option and decides where the workers write. A tensor whose storage is a
 * whole SharedArrayBuffer (as `engine.empty` makes) is written in place: reused across calls, it
 * costs no fresh pages. Any other tensor gets a copy of a fresh shared result at the end.
 *
 * @param out - the option's value (undefined when not given).
 * @param shape - the result's shape.
 * @returns the target.
 * @throws TypeError when `out` is not a Tensor; RangeError when its shape is not the result's.
 */
function outputTarget(out: unknown, shape: readonly number[]): OutputTarget {
  if (out === undefined) return { buffer: null, finish: (w) => new Tensor(new Float64Array(w), shape) };
  if (!(out instanceof Tensor)) {
    throw new TypeError(`out must be a Tensor of this package (engine.empty gives one), but got ${describe(out)}.`, {
      argument: 'out',
      rule: Rule.tensor,
    });
  }
  if (!shapesEqual(out.shape, shape)) {
    throw new RangeError(`out must have the result's shape ${formatShape(shape)}, but got ${formatShape(out.shape)}.`, {
      argument: 'out',
      rule: Rule.shape,
    });
  }
  const d = out.data;
  const inPlace = d.buffer instanceof SharedArrayBuffer && d.byteOffset === 0 && d.buffer.byteLength === d.byteLength;
  if (inPlace) return { buffer: d.buffer as SharedArrayBuffer, finish: () => out };
  return { buffer: null, finish: (w) => (d.set(new Float64Array(w)), out) };
}

function describe(x: unknown): string {
  return x === null ? 'null' : typeof x === 'object' ? Object.prototype.toString.call(x) : typeof x;
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
 * @param options - out, progress and abort; `logSpace`: the values are log-simplex points x and the
 *   density of exp(x) is computed from x (finite at any temperature). (`reuse`, internal: a previous
 *   result of `logProbChunks` whose buffer may be written again.)
 * @returns log-densities of shape `broadcast(value.shape[:-1], batch_shape)` over a SharedArrayBuffer, or `options.out`.
 */
export async function runLogProb(
  ctx: EngineContext,
  dist: RelaxedOneHotCategorical,
  value: TensorLike,
  options: LogProbOptions & { reuse?: Tensor | null },
): Promise<Tensor> {
  const o = optionsObject(options, 'logProb options');
  knownKeys(o, ['out', 'logSpace', 'reuse', 'onProgress', 'signal', 'chunkSize', 'order'], 'logProb options');
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
  const target = outputTarget(o.out, plan.resultShape);
  if (target.buffer !== null && target.buffer === v.data.buffer) {
    throw new RangeError(
      'out must not share its storage with value: the workers would overwrite values still to be read.',
      { argument: 'out', rule: Rule.separateStorage },
    );
  }
  const inBytes = zeroCopy ? 0 : plan.rows * K * 8;
  // logProbChunks hands back the buffer of the result before last to be written again.
  const reuse = o.reuse instanceof Tensor ? (o.reuse.data.buffer as SharedArrayBuffer) : null;
  const reusable = target.buffer === null && reuse !== null && reuse.byteLength >= plan.rows * 8 ? reuse : null;
  const outBytes = target.buffer === null && reusable === null ? plan.rows * 8 : 0;
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
  const out = target.buffer ?? reusable ?? new SharedArrayBuffer(outBytes);
  const finish = (): Tensor =>
    reusable === null ? target.finish(out) : new Tensor(new Float64Array(out, 0, plan.rows), plan.resultShape);
  if (plan.rows === 0) return finish();
  const chunkUnits = common.chunkSize ?? Math.max(1, pow2Floor(TARGET_CHUNK_ELEMENTS / K));
  const own = { kind: 'logProb' as const, logSpace, validate: dist.validate_args, values, output: out };
  const job = ctx.describe(own, plan.period, K, 0, plan.rows, chunkUnits, {
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
  return finish();
}
