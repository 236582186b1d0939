/**
 * Running a job that can be checkpointed, resumed and sharded: the job is one or more parts
 * (each chunked independently); the runner loads a checkpoint (refusing one written for other
 * parameters), runs only the chunks of its shard that are not complete yet, merges their exact
 * sums, and writes the state atomically every few seconds and at the end.
 *
 * @packageDocumentation
 */
import { Rule, type RuleName, StateFileError } from '../errors.js';
import { chunkSequence, rangeSequence, type ChunkOrder } from './chunk-order.js';
import { type JobParams, type JobState, describeDifferences, hashParams } from './job-state.js';
import type { ChunkResult, JobDescriptor } from '../chunks/layout.js';
import { RangeSet } from './range-set.js';
import { runChunks, type Progress, type RunChunksOptions } from './scheduler.js';
import { type Shard, shardRange } from './shards.js';
import { readStateFile, writeStateFile } from './state-file.js';
import type { WorkerPool } from './pool.js';

/** One independently chunked part of a job, whose merged sums save as `S`. */
export interface ResumablePart<S = unknown> {
  readonly name: string;
  readonly job: JobDescriptor;
  /** Chunks of the whole job. */
  readonly chunks: number;
  /** Progress units of the chunks `[a, b)`, in closed form (no loop over the chunks). */
  unitsIn(a: number, b: number): number;
  /** Merges a chunk's result. */
  add(chunk: number, result: ChunkResult): void;
  /** @returns the merged sums in a lossless JSON form. */
  saveSums(): S;
  /** Replaces the merged sums with saved ones (already checked against their kind's schema). */
  loadSums(saved: S): void;
}

/** Options of {@link runResumable}, for a job whose parameters are `P`. */
export interface ResumableOptions<P extends JobParams = JobParams> {
  readonly pool: WorkerPool;
  /** Starts the pool; called only when chunks remain, after the checkpoint was accepted. */
  readonly start: () => Promise<void>;
  readonly params: P;
  readonly shard: Shard | null;
  readonly checkpoint: { readonly path: string; readonly intervalMs: number } | null;
  readonly onProgress?: (p: Progress) => void;
  readonly signal?: AbortSignal;
  readonly order: ChunkOrder;
  readonly retries: number;
  /** Runs the chunks somewhere else than the pool (a queue); null or absent: on the pool. */
  readonly remote?: RemoteChunks | null;
}

/** Where chunks run when not on the local pool (see `queue/coordinator.ts`). */
export interface RemoteChunks {
  /**
   * @param o - as for the local scheduler.
   * @param key - unique to the job's parameters and the part.
   * @param keepUntilCheckpoint - keep results where they are until a checkpoint holds them.
   */
  runChunks(o: RunChunksOptions, key: string, keepUntilCheckpoint: boolean): Promise<void>;
  /** A checkpoint holding every result merged so far was written. */
  afterCheckpoint(): void;
  /**
   * The part `key` is final over its chunks `[first, end)` (merged, and in a checkpoint when
   * there is one): nothing of that range may stay where the chunks ran.
   *
   * @returns once it is gone.
   */
  release(key: string, first: number, end: number): Promise<void>;
}

/** Default time between two checkpoint writes. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 2000;

/**
 * Loads the checkpoint, if any, into the parts.
 *
 * @param parts - the job's parts (fresh sums).
 * @param o - options.
 * @returns the completed chunks of every part.
 * @throws StateFileError when the checkpoint is unusable or for other parameters.
 */
export function loadCheckpoint<S>(
  parts: readonly ResumablePart<S>[],
  o: Pick<ResumableOptions, 'params' | 'shard' | 'checkpoint'>,
): RangeSet[] {
  const completed = parts.map(() => new RangeSet());
  if (o.checkpoint === null) return completed;
  const saved = readStateFile(o.checkpoint.path);
  if (saved === null) return completed;
  const file = o.checkpoint.path;
  const savedGenerator = (saved.params as { generator?: unknown }).generator;
  const generator = (o.params as { generator?: unknown }).generator;
  if (savedGenerator !== generator) {
    // Chunks drawn by another definition of the streams cannot be combined with new ones.
    throw new StateFileError(
      `checkpoint ${file} was written with engine stream version ${String(savedGenerator)}, but this version of ` +
        `relaxed-mc draws with ${String(generator)}; it was not used. Remove it (or finish the job with the ` +
        'version that started it) and run again.',
      file,
      { argument: 'params.generator', rule: Rule.streamVersion },
    );
  }
  if (saved.paramsHash !== hashParams(o.params)) {
    throw new StateFileError(
      `checkpoint ${file} was written for other parameters (${describeDifferences(saved.params, o.params)}); ` +
        'it was not used. Remove it or pass another --checkpoint path.',
      file,
      { argument: 'params', rule: Rule.matchesParams },
    );
  }
  if (JSON.stringify(saved.shard) !== JSON.stringify(o.shard)) {
    throw new StateFileError(
      `checkpoint ${file} belongs to shard ${JSON.stringify(saved.shard)}, not ${JSON.stringify(o.shard)}; it was not used.`,
      file,
      { argument: 'shard', rule: Rule.sameShard },
    );
  }
  if (
    saved.params.kind !== o.params.kind ||
    saved.parts.length !== parts.length ||
    saved.parts.some((p, i) => p.name !== parts[i].name || p.chunks !== parts[i].chunks)
  ) {
    throw new StateFileError(`checkpoint ${file} is corrupt: its parts do not match the job's.`, file, {
      argument: 'parts',
      rule: Rule.matchesParams,
    });
  }
  saved.parts.forEach((p, i) => {
    try {
      parts[i].loadSums(p.sums as S);
    } catch (err) {
      const e = err as { message: string; argument?: string | null; rule?: RuleName | null };
      throw new StateFileError(`checkpoint ${file} is corrupt: ${e.message}`, file, {
        argument: e.argument === undefined || e.argument === null ? null : `parts.${i}.${e.argument}`,
        rule: e.rule ?? null,
        cause: err,
      });
    }
    completed[i] = p.completed;
  });
  return completed;
}

/** What a run of {@link runResumable} did, beside the final state. */
export interface ResumableRun<St extends JobState = JobState> {
  /** The final state (every chunk of the shard complete), built when first read. */
  readonly state: St;
  /** The chunks complete in each part (those of the state, without building it). */
  readonly completed: readonly RangeSet[];
  /** Units of the shard found complete in the checkpoint (not computed by this run). */
  readonly loadedUnits: number;
  /** Units computed by this run. */
  readonly computedUnits: number;
  /** Wall time of this run's chunks (0 when nothing remained). */
  readonly workMs: number;
}

/**
 * Runs the job's remaining chunks. The plan is lazy: the remaining chunks are kept as ranges
 * and their units summed in closed form, so a job of any size (up to 2^53 - 1 draws) starts
 * in O(threads) memory and time.
 *
 * @param parts - the job's parts.
 * @param o - options.
 * @returns the final state, and how much of it this run computed; on a queue, once the parts'
 *   results have left it.
 */
export async function runResumable<St extends JobState>(
  parts: readonly ResumablePart<St['parts'][number]['sums']>[],
  o: ResumableOptions<St['params']>,
): Promise<ResumableRun<St>> {
  const completed = loadCheckpoint(parts, o);
  const paramsHash = hashParams(o.params);
  // The caller pairs parameters of one kind with the parts of that kind.
  const state = (): St =>
    ({
      params: o.params,
      paramsHash,
      shard: o.shard,
      parts: parts.map((p, i) => ({ name: p.name, chunks: p.chunks, completed: completed[i], sums: p.saveSums() })),
    }) as St;
  const ranges = parts.map((p) => shardRange(o.shard, p.chunks));
  // A part's chunks on a queue are known by this key (parameters and part; shards share it).
  const remoteKey = (p: ResumablePart) => `${paramsHash.slice(0, 24)}.${p.name}`;
  const remaining = ranges.map(([a, b], i) => completed[i].missingRanges(a, b));
  const unitsIn = (p: ResumablePart, list: readonly (readonly [number, number])[]) =>
    list.reduce((u, [a, b]) => u + p.unitsIn(a, b), 0);
  const total = parts.reduce(
    (a, p, i) => a + (ranges[i][1] > ranges[i][0] ? p.unitsIn(ranges[i][0], ranges[i][1]) : 0),
    0,
  );
  const loadedUnits = total - parts.reduce((a, p, i) => a + unitsIn(p, remaining[i]), 0);
  let doneBefore = loadedUnits;

  // A checkpoint that cannot be written is found before any work, not at the first timer tick.
  if (o.checkpoint !== null) write(o.checkpoint.path, state(), o.remote);
  const t0 = performance.now();
  if (remaining.some((r) => r.length > 0)) await o.start();
  // The job's own signal: fired by the caller's, or by a checkpoint write that failed mid-run
  // (the job stops rather than run on without saving, and the last good checkpoint stays).
  const stop = new AbortController();
  const forward = () => stop.abort();
  if (o.signal?.aborted) stop.abort();
  o.signal?.addEventListener('abort', forward, { once: true });
  let writeError: StateFileError | null = null;
  let timer: NodeJS.Timeout | undefined;
  if (o.checkpoint !== null) {
    const cp = o.checkpoint;
    timer = setInterval(() => {
      try {
        write(cp.path, state(), o.remote);
      } catch (err) {
        writeError ??= err as StateFileError;
        stop.abort();
      }
    }, cp.intervalMs);
  }
  try {
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const todo = remaining[i];
      if (todo.length === 0) continue;
      const whole = todo.length === 1 && todo[0][0] === 0 && todo[0][1] === part.chunks;
      const run = (r: RunChunksOptions) =>
        o.remote ? o.remote.runChunks(r, remoteKey(part), o.checkpoint !== null) : runChunks(r);
      await run({
        pool: o.pool,
        job: part.job,
        chunks: whole ? chunkSequence(part.chunks, o.order) : rangeSequence(todo),
        onResult: (chunk, r) => {
          part.add(chunk, r);
          completed[i].add(chunk);
        },
        onProgress: o.onProgress,
        signal: stop.signal,
        retries: o.retries,
        unitsOf: (c) => part.unitsIn(c, c + 1),
        doneBefore,
        total,
      });
      doneBefore += unitsIn(part, todo);
    }
  } catch (err) {
    if (writeError !== null) throw writeError;
    // Keep what completed before an abort or a failure: a rerun resumes from there. If even this
    // write fails, the original error is the one to report.
    if (o.checkpoint !== null) {
      try {
        write(o.checkpoint.path, state(), o.remote);
      } catch {
        // the last good checkpoint stays as it was
      }
    }
    throw err;
  } finally {
    if (timer !== undefined) clearInterval(timer);
    o.signal?.removeEventListener('abort', forward);
  }
  const computedUnits = total - loadedUnits;
  const workMs = computedUnits > 0 ? performance.now() - t0 : 0;
  // Without a checkpoint the final state is built only if the caller reads it: for a job with
  // hundreds of thousands of sums, its text form is a long step on the main thread.
  let final: St | null = null;
  if (o.checkpoint !== null) write(o.checkpoint.path, (final = state()), o.remote);
  // Only now, with the final checkpoint written: a finished job leaves nothing in the queue. Parts
  // with nothing left to run never connected to it and are not looked at.
  if (o.remote)
    for (let i = 0; i < parts.length; i++)
      if (remaining[i].length > 0) await o.remote.release(remoteKey(parts[i]), ranges[i][0], ranges[i][1]);
  return {
    get state(): St {
      final ??= state();
      return final;
    },
    completed,
    loadedUnits,
    computedUnits,
    workMs,
  };
}

/**
 * @param path - the checkpoint.
 * @param state - what to save.
 * @throws StateFileError naming the file and the reason.
 */
function write(path: string, state: JobState, remote?: RemoteChunks | null): void {
  try {
    writeStateFile(path, state);
  } catch (err) {
    throw new StateFileError(`cannot write the checkpoint ${path}: ${(err as Error).message}`, path, {
      argument: 'file',
      rule: Rule.writable,
    });
  }
  remote?.afterCheckpoint();
}
