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
import { StateFileError } from '../errors.js';
import { RangeSet } from './range-set.js';
import type { Shard } from './shards.js';

/** Identifies the file type. */
export const JOB_STATE_FORMAT = 'relaxed-mc/job-state';
/** Version of the layout; other versions are refused. */
export const JOB_STATE_VERSION = 1;

/** A JSON value whose numbers are finite (non-finite numbers are encoded as strings). */
export type ParamValue = string | number | boolean | null | ParamValue[] | { [k: string]: ParamValue };

/** Every parameter that changes a job's answer, in a fixed key order. */
export type JobParams = { readonly kind: 'moments' | 'gradients' } & { readonly [k: string]: ParamValue };

/** One independently chunked part of a job (gradients: one per estimator). */
export interface PartState {
  readonly name: string;
  /** Chunks of the whole job (not of a shard). */
  readonly chunks: number;
  /** Completed chunks. */
  readonly completed: RangeSet;
  /** The exact merged sums of the completed chunks (the part's own lossless form). */
  readonly sums: unknown;
}

/** A job's state in memory. */
export interface JobState {
  readonly params: JobParams;
  readonly paramsHash: string;
  readonly shard: Shard | null;
  readonly parts: PartState[];
}

/**
 * @param values - numbers, possibly non-finite.
 * @returns them as JSON values (NaN and the infinities as strings), exact for finite doubles.
 */
export function encodeNumbers(values: ArrayLike<number>): (number | string)[] {
  return Array.from(values, (x) => (Number.isFinite(x) ? x : String(x)));
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
    );
  }
  if (raw === null || typeof raw !== 'object' || raw.format !== JOB_STATE_FORMAT) {
    throw new StateFileError(
      `${file} is not a relaxed-mc state file (format is ${JSON.stringify(raw?.format)}).`,
      file,
    );
  }
  if (raw.version !== JOB_STATE_VERSION) {
    throw new StateFileError(
      `${file} has state format version ${String(raw.version)}; this relaxed-mc reads version ${JOB_STATE_VERSION}.`,
      file,
    );
  }
  const { checksum, ...body } = raw;
  if (typeof checksum !== 'string' || sha256(JSON.stringify(body)) !== checksum) {
    throw new StateFileError(`${file} is corrupt: its checksum does not match its contents; it was not used.`, file);
  }
  const params = raw.params as JobParams;
  if (
    params === null ||
    typeof params !== 'object' ||
    typeof raw.paramsHash !== 'string' ||
    hashParams(params) !== raw.paramsHash
  ) {
    throw new StateFileError(`${file} is corrupt: its parameters do not match their hash.`, file);
  }
  const shard = raw.shard as Shard | null;
  if (!Array.isArray(raw.parts)) throw new StateFileError(`${file} is corrupt: no parts.`, file);
  const parts = (raw.parts as Record<string, unknown>[]).map((p) => {
    if (typeof p?.name !== 'string' || typeof p.chunks !== 'number' || !Array.isArray(p.completed)) {
      throw new StateFileError(`${file} is corrupt: a malformed part.`, file);
    }
    let completed: RangeSet;
    try {
      completed = new RangeSet(p.completed as [number, number][]);
    } catch {
      throw new StateFileError(`${file} is corrupt: malformed completed ranges in part ${p.name}.`, file);
    }
    return { name: p.name, chunks: p.chunks, completed, sums: p.sums };
  });
  return { params, paramsHash: raw.paramsHash, shard, parts };
}

/**
 * @param saved - parameters from a file.
 * @param now - the current job's parameters.
 * @returns a short description of the differences (at most a few fields).
 */
export function describeDifferences(saved: JobParams, now: JobParams): string {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])];
  const diffs = keys
    .filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]))
    .map((k) => `${k}: ${short(saved[k])} there, ${short(now[k])} here`);
  return diffs.length === 0
    ? 'no difference found'
    : diffs.slice(0, 4).join('; ') + (diffs.length > 4 ? `; and ${diffs.length - 4} more` : '');
}

function short(v: ParamValue | undefined): string {
  const s = JSON.stringify(v) ?? 'absent';
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
