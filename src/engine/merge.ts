/**
 * Merging the partial results of a sharded job: the shards' exact sums add up to the sums of a
 * single run, so the merged estimate has its bits. Duplicate shards, missing shards, incomplete
 * shards and shards of other parameters are refused, naming the files.
 *
 * @packageDocumentation
 */
import { Rule, type RuleName, StateFileError } from '../errors.js';
import {
  type GradientsState,
  type JobState,
  type MomentsState,
  type PartState,
  describeDifferences,
  isMomentsState,
} from './job-state.js';
import { RangeSet } from './range-set.js';
import { shardRange } from './shards.js';
import { readStateFile } from './state-file.js';
import { mergeMomentSums, momentsFromState } from './moments-job.js';
import { gradientsFromState, mergeGradientSums } from './gradients-job.js';
import type { GradientStudy, MomentsEstimate } from './types.js';

/** A state and the file it came from. */
export interface NamedState {
  readonly file: string;
  readonly state: JobState;
}

/** The result of a merge: a moments estimate or a gradients study, with the merged state. */
export type MergedResult = { kind: 'moments'; result: MomentsEstimate } | { kind: 'gradients'; result: GradientStudy };

/**
 * Combines the states of every shard of one job into the state of the whole job.
 *
 * @param parts - one state per shard (any order).
 * @returns the merged state (shard null, every chunk complete).
 * @throws StateFileError for duplicates, gaps, incomplete shards or mismatched parameters.
 */
export function mergeStates(parts: readonly NamedState[]): JobState {
  if (parts.length === 0)
    throw new StateFileError('merge needs at least one partial result file.', '', {
      argument: 'files',
      rule: Rule.nonEmpty,
    });
  const first = parts[0];
  for (const p of parts.slice(1)) {
    if (p.state.paramsHash !== first.state.paramsHash) {
      throw new StateFileError(
        `${p.file} belongs to another job than ${first.file} (${describeDifferences(p.state.params, first.state.params)}).`,
        p.file,
        { argument: 'params', rule: Rule.sameJob },
      );
    }
  }
  const count = first.state.shard?.count ?? 1;
  const byIndex = new Map<number, NamedState>();
  for (const p of parts) {
    const s = p.state.shard ?? { index: 0, count: 1 };
    if (s.count !== count)
      throw new StateFileError(
        `${p.file} is shard ${s.index}/${s.count}, but ${first.file} splits the job into ${count} shards.`,
        p.file,
        { argument: 'shard.count', rule: Rule.shardCount },
      );
    const other = byIndex.get(s.index);
    if (other !== undefined)
      throw new StateFileError(
        `${p.file} and ${other.file} are both shard ${s.index} of ${count}: a duplicate.`,
        p.file,
        { argument: 'shard.index', rule: Rule.uniqueShard },
      );
    byIndex.set(s.index, p);
    p.state.parts.forEach((part) => {
      const [a, b] = shardRange(p.state.shard, part.chunks);
      const missing = part.completed.missingRanges(a, b).reduce((n, [x, y]) => n + y - x, 0);
      if (missing > 0) {
        throw new StateFileError(
          `${p.file} is incomplete: shard ${s.index}/${count} has ${b - a - missing} of its ${b - a} chunks of ${part.name} (rerun it with the same --checkpoint to finish).`,
          p.file,
          { argument: 'parts', rule: Rule.complete },
        );
      }
    });
  }
  const absent = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (absent.length > 0) {
    const list = absent.length > 8 ? `${absent.slice(0, 8).join(', ')}, ...` : absent.join(', ');
    throw new StateFileError(
      `missing shard${absent.length > 1 ? 's' : ''} ${list} of ${count}: the merge needs every shard.`,
      '',
      { argument: 'shard.index', rule: Rule.allShards },
    );
  }
  const ordered = Array.from({ length: count }, (_, i) => byIndex.get(i) as NamedState);
  const head = { paramsHash: first.state.paramsHash, shard: null };
  // Every state has the first one's parameters (the hashes match), so the same kind.
  const fs = first.state;
  if (isMomentsState(fs)) {
    const merged = mergeParts(
      ordered,
      (s) => (s as MomentsState).parts,
      (a, b) => mergeMomentSums(fs, a, b),
    );
    return { ...head, params: fs.params, parts: merged };
  }
  const merged = mergeParts(
    ordered,
    (s) => (s as GradientsState).parts,
    (a, b) => mergeGradientSums(fs, a, b),
  );
  return { ...head, params: fs.params, parts: merged };
}

/** Adds up the parts of every shard, part by part, in shard order. */
function mergeParts<S>(
  ordered: readonly NamedState[],
  partsOf: (s: JobState) => readonly PartState<S>[],
  add: (a: S, b: S) => S,
): PartState<S>[] {
  return partsOf(ordered[0].state).map((part, j) => {
    const completed = new RangeSet();
    let sums: S | null = null;
    for (const p of ordered) {
      const q = partsOf(p.state)[j];
      for (const [a, b] of q.completed.toArray()) completed.addRange(a, b);
      try {
        sums = sums === null ? q.sums : add(sums, q.sums);
      } catch (err) {
        const e = err as { message: string; argument?: string | null; rule?: RuleName | null };
        throw new StateFileError(`${p.file} cannot be merged with the other parts: ${e.message}.`, p.file, {
          argument: e.argument === undefined || e.argument === null ? null : `parts.${j}.${e.argument}`,
          rule: e.rule ?? null,
          cause: err,
        });
      }
    }
    return { name: part.name, chunks: part.chunks, completed, sums: sums as S };
  });
}

/**
 * Reads partial result files and merges them into the job's result.
 *
 * @param files - the shards' state files.
 * @param options - `signal` stops the merge (a gradients study's exact gradients run in a worker thread).
 * @returns the moments estimate or gradients study of the whole job.
 *
 * @example
 * ```ts
 * import { mergeStateFiles } from 'relaxed-mc';
 * const merged = await mergeStateFiles(['part-0.json', 'part-1.json']);
 * if (merged.kind === 'moments') console.log(merged.result.mean.tolist());
 * ```
 */
export async function mergeStateFiles(
  files: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<MergedResult> {
  const t0 = performance.now();
  const states = files.map((file) => {
    const state = readStateFile(file);
    if (state === null)
      throw new StateFileError(`${file} does not exist.`, file, { argument: 'file', rule: Rule.readable });
    return { file, state };
  });
  return resultOfState(mergeStates(states), performance.now() - t0, options);
}

/**
 * The result a complete state stands for (a merge, or a finished checkpoint).
 *
 * @param state - a state with every chunk complete.
 * @param elapsedMs - reported in the result.
 * @param options - `signal`, as for {@link mergeStateFiles}.
 * @returns the moments estimate or gradients study, with the bits of the single run.
 */
export async function resultOfState(
  state: JobState,
  elapsedMs = 0,
  options: { signal?: AbortSignal } = {},
): Promise<MergedResult> {
  if (isMomentsState(state)) return { kind: 'moments', result: momentsFromState(state, 0, elapsedMs) };
  return { kind: 'gradients', result: await gradientsFromState(state, 0, elapsedMs, options) };
}
