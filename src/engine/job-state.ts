/**
 * The saved state of a long job: what a checkpoint holds and what a shard writes. It records
 * the job's parameters (every one that changes the answer, and their hash), which chunks are
 * complete, and the exact merged sums of those chunks, plus a checksum of the whole. Because
 * the sums are exact, resuming or merging gives the bits of an uninterrupted single run.
 *
 * ```
 * { format: 'relaxed-mc/job-state', version: 1,
 *   paramsHash, params: { kind, generator, batchShape, K, temperature, logits, seed, samples, ... },
 *   shard: { index, count } | null,
 *   parts: [ { name, chunks, completed: [[start, end), ...], sums } ],   // one part per estimator (gradients) or one (moments)
 *   checksum }                                                           // sha256 of everything above
 * ```
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { Rule, StateFileError } from '../errors.js';
import {
  type EncodedNumberValue,
  type GradientPartSums,
  type GradientsParams,
  JOB_STATE_FORMAT,
  JOB_STATE_VERSION,
  type JobParams,
  type MomentPartSums,
  type MomentsParams,
  STATE_FILE_SCHEMAS,
  type SchemaIssue,
  type StateFile,
  firstIssue,
  stateSizeIssue,
} from '../jobs/index.js';
import { RangeSet } from './range-set.js';
import type { Shard } from './shards.js';

export { JOB_STATE_FORMAT, JOB_STATE_VERSION };
export type { JobParams, MomentsParams, GradientsParams, MomentPartSums, GradientPartSums };

/** One independently chunked part of a job (gradients: one per estimator). */
export interface PartState<S = MomentPartSums | GradientPartSums> {
  readonly name: string;
  /** Chunks of the whole job (not of a shard). */
  readonly chunks: number;
  /** Completed chunks. */
  readonly completed: RangeSet;
  /** The exact merged sums of the completed chunks (the part's own lossless form). */
  readonly sums: S;
}

/** A moments job's state in memory. */
export interface MomentsState {
  readonly params: MomentsParams;
  readonly paramsHash: string;
  readonly shard: Shard | null;
  readonly parts: PartState<MomentPartSums>[];
}

/** A gradients study's state in memory. */
export interface GradientsState {
  readonly params: GradientsParams;
  readonly paramsHash: string;
  readonly shard: Shard | null;
  readonly parts: PartState<GradientPartSums>[];
}

/** A job's state in memory: its kind is `params.kind`. */
export type JobState = MomentsState | GradientsState;

/**
 * @param state - a job's state.
 * @returns whether it is a moments job's (else a gradients study's).
 */
export function isMomentsState(state: JobState): state is MomentsState {
  return state.params.kind === 'moments';
}

/**
 * @param values - numbers, possibly non-finite.
 * @returns them as JSON values (NaN and the infinities as strings), exact for finite doubles.
 */
export function encodeNumbers(values: ArrayLike<number>): EncodedNumberValue[] {
  return Array.from(values, (x) => (Number.isFinite(x) ? x : (String(x) as 'NaN' | 'Infinity' | '-Infinity')));
}

/**
 * @param params - the parameters.
 * @returns their sha256, over a canonical JSON text.
 */
export function hashParams(params: JobParams): string {
  return createHash('sha256').update(JSON.stringify(params)).digest('hex');
}

/**
 * @param state - the state.
 * @returns the file's text, with its checksum.
 */
export function serializeState(state: JobState): string {
  const body = {
    format: JOB_STATE_FORMAT,
    version: JOB_STATE_VERSION,
    paramsHash: state.paramsHash,
    params: state.params,
    shard: state.shard,
    parts: state.parts.map((p) => ({ name: p.name, chunks: p.chunks, completed: p.completed.toArray(), sums: p.sums })),
  };
  const text = JSON.stringify(body);
  return `${JSON.stringify({ ...body, checksum: sha256(text) })}\n`;
}

/**
 * Parses and checks a state file's text.
 *
 * @param text - the file's contents.
 * @param file - its path, for messages.
 * @returns the state (sums still in their lossless form).
 * @throws StateFileError when the text is torn, corrupt, of another format or version.
 */
export function parseState(text: string, file: string): JobState {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new StateFileError(
      `${file} is not a complete relaxed-mc state file (torn or corrupt JSON: ${(err as Error).message}); it was not used.`,
      file,
      { argument: 'file', rule: Rule.stateFormat },
    );
  }
  if (raw === null || typeof raw !== 'object' || raw.format !== JOB_STATE_FORMAT) {
    throw new StateFileError(
      `${file} is not a relaxed-mc state file (format is ${JSON.stringify(raw?.format)}).`,
      file,
      { argument: 'format', rule: Rule.stateFormat },
    );
  }
  if (raw.version !== JOB_STATE_VERSION) {
    throw new StateFileError(
      `${file} has state format version ${String(raw.version)}; this relaxed-mc reads version ${JOB_STATE_VERSION}.`,
      file,
      { argument: 'version', rule: Rule.stateVersion },
    );
  }
  const { checksum, ...body } = raw;
  if (typeof checksum !== 'string' || sha256(JSON.stringify(body)) !== checksum) {
    throw new StateFileError(`${file} is corrupt: its checksum does not match its contents; it was not used.`, file, {
      argument: 'checksum',
      rule: Rule.matchesContents,
    });
  }
  // Past the checksum the file is as it was written: a misfit now is a file written by another
  // program (or edited), and the field at fault is named.
  const issue = stateIssue(raw);
  if (issue !== null) {
    throw new StateFileError(`${file} is corrupt: ${issue.path}: ${issue.message}; it was not used.`, file, {
      argument: issue.path,
      rule: Rule.stateSchema,
    });
  }
  const saved = raw as unknown as StateFile;
  if (hashParams(saved.params) !== saved.paramsHash) {
    throw new StateFileError(`${file} is corrupt: its parameters do not match their hash.`, file, {
      argument: 'paramsHash',
      rule: Rule.matchesParams,
    });
  }
  const parts = saved.parts.map((p) => ({
    name: p.name,
    chunks: p.chunks,
    completed: new RangeSet(p.completed),
    sums: p.sums,
  }));
  return { params: saved.params, paramsHash: saved.paramsHash, shard: saved.shard, parts } as JobState;
}

/** The first field at fault in a state file's body (its kind's schema, then the sizes). */
function stateIssue(raw: Record<string, unknown>): SchemaIssue | null {
  const params = raw.params;
  if (params === null || typeof params !== 'object' || Array.isArray(params))
    return { path: 'params', message: `Invalid type: expected Object but received ${JSON.stringify(params)}` };
  const kind = (params as { kind?: unknown }).kind;
  if (kind !== 'moments' && kind !== 'gradients') {
    const got = JSON.stringify(kind) ?? 'undefined';
    return { path: 'params.kind', message: `Invalid kind: expected "moments" or "gradients" but received ${got}` };
  }
  return firstIssue(STATE_FILE_SCHEMAS[kind], raw) ?? stateSizeIssue(raw as unknown as StateFile);
}

/**
 * @param saved - parameters from a file.
 * @param now - the current job's parameters.
 * @returns a short description of the differences (at most a few fields).
 */
export function describeDifferences(saved: JobParams, now: JobParams): string {
  const a: Record<string, unknown> = saved;
  const b: Record<string, unknown> = now;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const diffs = keys
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k}: ${short(a[k])} there, ${short(b[k])} here`);
  return diffs.length === 0
    ? 'no difference found'
    : diffs.slice(0, 4).join('; ') + (diffs.length > 4 ? `; and ${diffs.length - 4} more` : '');
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'absent';
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
