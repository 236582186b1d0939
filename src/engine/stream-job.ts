/**
 * Streaming jobs: samples (and their fused log-densities) handed out block by block from a
 * small ring of reused shared buffers, and log-densities of a stream of value blocks. Memory
 * and page faults stay O(ring x block) whatever the number of samples, and the blocks hold the
 * same bits `engine.sample` / `engine.logProb` return for the same seed and values.
 *
 * @packageDocumentation
 */
import { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/create.js';
import { numelOf } from '../tensor/shape.js';
import type { RelaxedOneHotCategorical } from '../distributions/relaxed-one-hot-categorical.js';
import { normalizeSampleShape, type SampleShape } from '../distributions/distribution.js';
import { logProbConstants } from '../kernels/log-prob.js';
import { AbortError, RangeError, Rule } from '../errors.js';
import { type EngineContext, commonOptions, randomSeed } from './context.js';
import { knownKeys, nonNegativeInteger, optionalBoolean, optionsObject, positiveInteger } from './options.js';
import { runChunks } from './scheduler.js';
import { runLogProb, sampleChunkUnits } from './sample-job.js';
import type { JobOptions, SampleChunksOptions, SampleBlock, LogProbBlock } from './types.js';

/** Buffers in a sample ring: the block the caller holds, and two being filled meanwhile. */
export const SAMPLE_RING = 3;

/**
 * @param ctx - the engine.
 * @param dist - the distribution.
 * @param sample_shape - as for `engine.sample`; blocks run along its flattened leading dimensions.
 * @param options - seed, logSpace, rows, logProb, progress and abort.
 * @returns the blocks, in order.
 */
export async function* runSampleChunks(
  ctx: EngineContext,
  dist: RelaxedOneHotCategorical,
  sample_shape: SampleShape,
  options: SampleChunksOptions,
): AsyncGenerator<SampleBlock, void, undefined> {
  const shapeN = normalizeSampleShape(sample_shape);
  const o = optionsObject(options, 'sampleChunks options');
  knownKeys(
    o,
    ['seed', 'logSpace', 'rows', 'start', 'logProb', 'onProgress', 'signal', 'chunkSize', 'order'],
    'sampleChunks options',
  );
  const seed = o.seed === undefined ? randomSeed() : nonNegativeInteger(o.seed, 'seed');
  const logSpace = optionalBoolean(o.logSpace, 'logSpace', false);
  const withLogProb = optionalBoolean(o.logProb, 'logProb', false);
  const common = commonOptions(o);
  const p = dist._params;
  const B = p.rowTemperature.length;
  const K = p.K;
  const N = numelOf(shapeN);
  const start = o.start === undefined ? 0 : nonNegativeInteger(o.start, 'start');
  if (start > N)
    throw new RangeError(`start must be at most the number of draws (${N}), but got ${start}.`, {
      argument: 'start',
      rule: Rule.inRange,
    });
  const chunkUnits = sampleChunkUnits(B, K, common.chunkSize);
  // Default: whole chunks, one per thread, so no chunk is split between blocks.
  const rows =
    o.rows === undefined ? Math.max(1, Math.min(N, chunkUnits * ctx.threads)) : positiveInteger(o.rows, 'rows');
  const blockBytes = rows * B * (K + (withLogProb ? 1 : 0)) * 8;
  ctx.checkBudget(
    'sampleChunks',
    SAMPLE_RING * blockBytes,
    `a ring of ${SAMPLE_RING} blocks of ${rows} draws x ${B} batch elements x ${K} categories x 8 bytes`,
  );
  if (N === start) return;
  const constants = withLogProb ? new Float64Array(B) : undefined;
  if (constants !== undefined) logProbConstants(B, K, p.rowLogits, p.rowTemperature, constants);
  const blocks = Math.ceil((N - start) / rows);
  // The ring of the engine's previous stream when it fits: its pages are mapped already.
  const ring = Array.from({ length: Math.min(SAMPLE_RING, blocks) }, () => ({
    out: ctx.buffers.take(rows * B * K * 8),
    lp: withLogProb ? ctx.buffers.take(rows * B * 8) : null,
  }));
  // Our own abort: the caller's signal, or the caller leaving the loop early.
  const stopper = new AbortController();
  const signal = common.signal === undefined ? stopper.signal : AbortSignal.any([common.signal, stopper.signal]);
  const doneOf = new Map<number, number>();
  let doneBlocks = 0;
  const t0 = performance.now();
  const progress = () => {
    if (common.onProgress === undefined) return;
    let done = doneBlocks;
    for (const d of doneOf.values()) done += d;
    const secs = (performance.now() - t0) / 1000;
    common.onProgress({ done: start + done, total: N, samplesPerSecond: secs > 0 ? done / secs : 0 });
  };
  const inFlight = new Map<number, Promise<void>>();
  // A thread terminated for ignoring the stop flag may write to the ring a moment longer.
  let hardStopped = false;
  const dispatch = (j: number): void => {
    const w0 = start + j * rows;
    const w1 = Math.min(N, w0 + rows);
    const slot = ring[j % ring.length];
    const own = {
      kind: 'sample' as const,
      logSpace,
      output: slot.out,
      window: [w0, w1] as [number, number],
      logProbOutput: slot.lp,
    };
    const job = ctx.describe(own, B, K, seed, N, chunkUnits, {
      extra: constants,
      logits: p.rowLogits,
      temperature: p.rowTemperature,
    });
    const c0 = Math.floor(w0 / chunkUnits);
    const c1 = Math.ceil(w1 / chunkUnits);
    const run = runChunks({
      pool: ctx.pool,
      job,
      chunks: { length: c1 - c0, at: (i) => c0 + i },
      unitsOf: (c) => Math.min(w1, (c + 1) * chunkUnits) - Math.max(w0, c * chunkUnits),
      total: w1 - w0,
      onResult: (_c, r) => ctx.noteThread(r.threadId),
      onProgress: (q) => {
        doneOf.set(j, q.done);
        progress();
      },
      signal,
      retries: ctx.retries,
      onHardStop: () => {
        hardStopped = true;
      },
    });
    // Awaited in order below; until then a failure must not count as unhandled.
    run.catch(() => undefined);
    inFlight.set(j, run);
  };
  await ctx.pool.start();
  try {
    for (let j = 0; j < blocks; j++) {
      // The caller has let go of block j - 1: its buffer takes block j + ring - 1.
      for (let d = j; d < Math.min(blocks, j + ring.length); d++) if (!inFlight.has(d)) dispatch(d);
      await inFlight.get(j);
      inFlight.delete(j);
      doneOf.delete(j);
      const w0 = start + j * rows;
      const m = Math.min(N, w0 + rows) - w0;
      doneBlocks += m;
      progress();
      const slot = ring[j % ring.length];
      yield {
        offset: w0,
        value: new Tensor(new Float64Array(slot.out, 0, m * B * K), [m, ...p.batchShape, K]),
        logProb: slot.lp === null ? null : new Tensor(new Float64Array(slot.lp, 0, m * B), [m, ...p.batchShape]),
      };
    }
  } finally {
    if (inFlight.size > 0) {
      stopper.abort();
      await Promise.allSettled(inFlight.values());
    }
    // No worker writes to the ring any more (unless one is being terminated): the next stream of
    // this engine may take it.
    if (!hardStopped) for (const slot of ring) ctx.buffers.give(slot.out, ...(slot.lp === null ? [] : [slot.lp]));
  }
}

/**
 * @param ctx - the engine.
 * @param dist - the distribution.
 * @param blocks - value blocks `[rows, ...batch_shape, K]` (a sync or async iterable).
 * @param options - logSpace, progress and abort.
 * @returns the log-density blocks, in order.
 */
export async function* runLogProbChunks(
  ctx: EngineContext,
  dist: RelaxedOneHotCategorical,
  blocks: Iterable<TensorLike> | AsyncIterable<TensorLike>,
  options: JobOptions & { logSpace?: boolean },
): AsyncGenerator<LogProbBlock, void, undefined> {
  const o = optionsObject(options, 'logProbChunks options');
  knownKeys(o, ['logSpace', 'onProgress', 'signal', 'chunkSize', 'order'], 'logProbChunks options');
  // Two output buffers: the one the caller holds and the one being filled.
  const ring: (Tensor | null)[] = [null, null];
  let offset = 0;
  let j = 0;
  for await (const block of blocks) {
    if (o.signal instanceof AbortSignal && o.signal.aborted)
      throw new AbortError('relaxed-mc: the logProbChunks job was aborted.');
    const slot = j++ & 1;
    const lp = await runLogProb(ctx, dist, block, { ...o, reuse: ring[slot] });
    ring[slot] = lp;
    const rows = lp.shape.length === 0 ? 1 : lp.shape[0];
    yield { offset, value: lp };
    offset += rows;
  }
}
