/**
 * The data that crosses the queue: a chunk job (one group of consecutive chunks of a moments or
 * gradients job) and its result (the group's per-chunk sums). Both come from the network, so
 * both are checked field by field before use: a worker runs only a job whose shape, sizes and
 * parameter ranges are those a coordinator of this version makes, and a coordinator merges only a
 * result of the exact length its job asked for. Doubles travel as base64 of their little-endian
 * bytes, so every bit (NaN payloads, -Infinity logits, signed zeros) arrives unchanged.
 *
 * The checks are hand-written in one place ({@link parseChunkJob}, {@link parseChunkResult}) and
 * return plain typed data, so they can be replaced by a schema library's without touching callers.
 *
 * @packageDocumentation
 */
import { Buffer } from 'node:buffer';
import { QueueError } from '../errors.js';
import { POWER_SUMS } from '../kernels/moment-sums.js';
import { type EstimatorName, isEstimatorName, minimumM, uniformsPerGroup } from '../kernels/gradient-estimators.js';
import { STREAM_SPAN, streamBaseOf } from '../engine/gradient-study.js';
import { type JobDescriptor, extraOffset, gradientSumsPerElement, temperatureOffset } from '../chunks/layout.js';

/** Version of the job and result format; part of the queue's name. */
export const WIRE_VERSION = 1;
/** BullMQ job name of every chunk job. */
export const CHUNK_JOB_NAME = 'chunks';

/** Largest batch x categories a queued job may carry. */
export const MAX_PARAMS = 2 ** 20;
/** Largest work of one chunk, in elements (draws x batch x categories, or uniforms per group). */
export const MAX_CHUNK_ELEMENTS = 2 ** 26;
/** Most chunks in one queued job. */
export const MAX_CHUNKS_PER_JOB = 4096;
/** Largest group size m. */
const MAX_GROUP_SIZE = 4096;

/** A gradients job's objective as it travels: coefficients, or a module's file name and hash. */
export type WireObjective =
  | { kind: 'linear'; c: number[] }
  | { kind: 'quadratic'; target: number[] }
  | { module: { name: string; sha256: string } };

/** A queued group of chunks `[first, end)` of one job. */
export interface ChunkJobData {
  v: typeof WIRE_VERSION;
  kind: 'moments' | 'gradients';
  B: number;
  K: number;
  seed: number;
  units: number;
  chunkUnits: number;
  covariance: boolean;
  /** base64 of the doubles `logits [B K] | temperature [B] | shift [B K]`. */
  params: string;
  gradient: { estimator: EstimatorName; m: number; streamBase: number; objective: WireObjective } | null;
  first: number;
  end: number;
}

/** A checked chunk job with its doubles decoded. */
export interface ChunkJob extends ChunkJobData {
  logits: Float64Array;
  temperature: Float64Array;
  shift: Float64Array;
}

/** What a worker returns for a chunk job. */
export interface ChunkJobResult {
  v: typeof WIRE_VERSION;
  first: number;
  end: number;
  /** base64 of the chunks' sums, chunk after chunk. */
  sums: string;
}

/**
 * @param kind - the job kind.
 * @param B - batch elements.
 * @param K - categories.
 * @param covariance - moments with cross sums.
 * @returns doubles of one chunk's sums.
 */
export function sumsPerChunk(kind: 'moments' | 'gradients', B: number, K: number, covariance: boolean): number {
  return kind === 'moments' ? B * POWER_SUMS * K + (covariance ? B * K * K : 0) : B * gradientSumsPerElement(K);
}

/**
 * @param job - a moments or gradients job descriptor.
 * @param first - first chunk of the group.
 * @param end - one past its last chunk.
 * @param objective - the objective as it travels (gradients).
 * @returns the queued form of the group.
 */
export function encodeChunkJob(
  job: JobDescriptor,
  first: number,
  end: number,
  objective: WireObjective | null,
): ChunkJobData {
  if (job.kind !== 'moments' && job.kind !== 'gradients')
    throw new QueueError(`${job.kind} jobs do not go through the queue`);
  const { B, K } = job;
  const doubles = new Float64Array(job.params, 0, 2 * B * K + B);
  return {
    v: WIRE_VERSION,
    kind: job.kind,
    B,
    K,
    seed: job.seed,
    units: job.units,
    chunkUnits: job.chunkUnits,
    covariance: job.covariance,
    params: toBase64(doubles),
    gradient:
      job.gradient === null || objective === null
        ? null
        : {
            estimator: job.gradient.estimator as EstimatorName,
            m: job.gradient.m,
            streamBase: job.gradient.streamBase,
            objective,
          },
    first,
    end,
  };
}

/**
 * Checks a job taken from the queue.
 *
 * @param data - the job's data, as BullMQ parsed it.
 * @returns the job with its doubles decoded.
 * @throws QueueError naming the first field that breaks a rule.
 */
export function parseChunkJob(data: unknown): ChunkJob {
  const o = record(data, 'job');
  exactKeys(
    o,
    ['v', 'kind', 'B', 'K', 'seed', 'units', 'chunkUnits', 'covariance', 'params', 'gradient', 'first', 'end'],
    'job',
  );
  if (o.v !== WIRE_VERSION) throw new QueueError(`job.v must be ${WIRE_VERSION}, but got ${show(o.v)}.`);
  if (o.kind !== 'moments' && o.kind !== 'gradients')
    throw new QueueError(`job.kind must be 'moments' or 'gradients', but got ${show(o.kind)}.`);
  const kind = o.kind;
  const K = int(o.K, 'job.K', 1, 2 ** 16);
  const B = int(o.B, 'job.B', 1, MAX_PARAMS);
  if (B * K > MAX_PARAMS) throw new QueueError(`job.B * job.K must be at most ${MAX_PARAMS}, but got ${B * K}.`);
  const seed = int(o.seed, 'job.seed', 0, Number.MAX_SAFE_INTEGER);
  const units = int(o.units, 'job.units', 1, Number.MAX_SAFE_INTEGER);
  const chunkUnits = int(o.chunkUnits, 'job.chunkUnits', 1, Number.MAX_SAFE_INTEGER);
  if (typeof o.covariance !== 'boolean')
    throw new QueueError(`job.covariance must be a boolean, but got ${show(o.covariance)}.`);
  if (kind === 'gradients' && o.covariance) throw new QueueError('job.covariance must be false for a gradients job.');
  const chunks = Math.ceil(units / chunkUnits);
  const first = int(o.first, 'job.first', 0, chunks - 1);
  const end = int(o.end, 'job.end', first + 1, chunks);
  if (end - first > MAX_CHUNKS_PER_JOB)
    throw new QueueError(`job.end - job.first must be at most ${MAX_CHUNKS_PER_JOB} chunks, but got ${end - first}.`);
  const gradient = kind === 'gradients' ? parseGradient(o.gradient, K) : null;
  if (kind === 'moments' && o.gradient !== null)
    throw new QueueError(`job.gradient must be null for a moments job, but got ${show(o.gradient)}.`);
  const perChunk =
    gradient === null ? chunkUnits * B * K : chunkUnits * B * uniformsPerGroup(gradient.estimator, K, gradient.m);
  if (perChunk > MAX_CHUNK_ELEMENTS)
    throw new QueueError(`a chunk of the job must hold at most ${MAX_CHUNK_ELEMENTS} elements, but holds ${perChunk}.`);
  if (gradient !== null && end >= STREAM_SPAN - 1)
    throw new QueueError(`job.end must be below ${STREAM_SPAN - 1} for a gradients job.`);
  const doubles = fromBase64(o.params, 2 * B * K + B, 'job.params');
  const logits = doubles.subarray(0, B * K);
  const temperature = doubles.subarray(temperatureOffset(B, K), temperatureOffset(B, K) + B);
  const shift = doubles.subarray(extraOffset(B, K));
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i];
    if (x !== x || x === Infinity)
      throw new QueueError(`job logits must not be NaN or +Infinity, but logit ${i} is ${x}.`);
  }
  for (let b = 0; b < B; b++) {
    const t = temperature[b];
    if (!(t > 0 && t < Infinity))
      throw new QueueError(`job temperatures must be finite and positive, but temperature ${b} is ${t}.`);
  }
  for (let i = 0; i < shift.length; i++) {
    if (!Number.isFinite(shift[i])) throw new QueueError(`job shifts must be finite, but shift ${i} is ${shift[i]}.`);
  }
  return {
    v: WIRE_VERSION,
    kind,
    B,
    K,
    seed,
    units,
    chunkUnits,
    covariance: o.covariance,
    params: o.params as string,
    gradient,
    first,
    end,
    logits,
    temperature,
    shift,
  };
}

function parseGradient(value: unknown, K: number): NonNullable<ChunkJobData['gradient']> {
  const g = record(value, 'job.gradient');
  exactKeys(g, ['estimator', 'm', 'streamBase', 'objective'], 'job.gradient');
  if (!isEstimatorName(g.estimator))
    throw new QueueError(`job.gradient.estimator must be a known estimator, but got ${show(g.estimator)}.`);
  const estimator = g.estimator;
  const m = int(g.m, 'job.gradient.m', minimumM(estimator), MAX_GROUP_SIZE);
  if (g.streamBase !== streamBaseOf(estimator))
    throw new QueueError(
      `job.gradient.streamBase must be ${streamBaseOf(estimator)} for ${estimator}, but got ${show(g.streamBase)}.`,
    );
  const ob = record(g.objective, 'job.gradient.objective');
  let objective: WireObjective;
  if ('module' in ob) {
    exactKeys(ob, ['module'], 'job.gradient.objective');
    const mod = record(ob.module, 'job.gradient.objective.module');
    exactKeys(mod, ['name', 'sha256'], 'job.gradient.objective.module');
    if (typeof mod.name !== 'string' || mod.name.length === 0 || mod.name.length > 255 || mod.name.includes('\0'))
      throw new QueueError(
        `job.gradient.objective.module.name must be a file name of 1 to 255 characters, but got ${show(mod.name)}.`,
      );
    if (typeof mod.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(mod.sha256))
      throw new QueueError(
        `job.gradient.objective.module.sha256 must be 64 lower-case hex digits, but got ${show(mod.sha256)}.`,
      );
    objective = { module: { name: mod.name, sha256: mod.sha256 } };
  } else {
    const field = ob.kind === 'linear' ? 'c' : ob.kind === 'quadratic' ? 'target' : null;
    if (field === null)
      throw new QueueError(`job.gradient.objective.kind must be 'linear' or 'quadratic', but got ${show(ob.kind)}.`);
    exactKeys(ob, ['kind', field], 'job.gradient.objective');
    const v = ob[field];
    if (!Array.isArray(v) || v.length !== K || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      throw new QueueError(`job.gradient.objective.${field} must be an array of K = ${K} finite numbers.`);
    objective =
      ob.kind === 'linear' ? { kind: 'linear', c: v as number[] } : { kind: 'quadratic', target: v as number[] };
  }
  return { estimator, m, streamBase: g.streamBase as number, objective };
}

/**
 * @param first - first chunk.
 * @param end - one past the last.
 * @param sums - each chunk's sums, in order.
 * @returns the result as it travels.
 */
export function encodeChunkResult(first: number, end: number, sums: readonly Float64Array[]): ChunkJobResult {
  const all = new Float64Array(sums.reduce((n, s) => n + s.length, 0));
  let o = 0;
  for (const s of sums) {
    all.set(s, o);
    o += s.length;
  }
  return { v: WIRE_VERSION, first, end, sums: toBase64(all) };
}

/**
 * Checks a worker's result against the job it answers.
 *
 * @param value - the job's return value, as BullMQ parsed it.
 * @param job - what was asked: the group and the sums per chunk.
 * @returns one array of sums per chunk of the group.
 * @throws QueueError naming what does not match.
 */
export function parseChunkResult(
  value: unknown,
  job: { first: number; end: number; perChunk: number },
): Float64Array[] {
  const o = record(value, 'result');
  exactKeys(o, ['v', 'first', 'end', 'sums'], 'result');
  if (o.v !== WIRE_VERSION) throw new QueueError(`result.v must be ${WIRE_VERSION}, but got ${show(o.v)}.`);
  if (o.first !== job.first || o.end !== job.end)
    throw new QueueError(
      `result must cover chunks ${job.first} to ${job.end - 1}, but covers ${show(o.first)} to ${show(o.end)} (exclusive).`,
    );
  const n = job.end - job.first;
  const all = fromBase64(o.sums, n * job.perChunk, 'result.sums');
  return Array.from({ length: n }, (_, i) => all.subarray(i * job.perChunk, (i + 1) * job.perChunk));
}

function toBase64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromBase64(value: unknown, doubles: number, field: string): Float64Array {
  const chars = 4 * Math.ceil((doubles * 8) / 3);
  if (typeof value !== 'string' || value.length !== chars || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
    throw new QueueError(
      `${field} must be base64 of ${doubles} doubles (${chars} characters), but got ${typeof value === 'string' ? `${value.length} characters` : show(value)}.`,
    );
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== doubles * 8)
    throw new QueueError(`${field} must decode to ${doubles * 8} bytes, but decodes to ${bytes.length}.`);
  // A copy, aligned for Float64Array (a Buffer may sit at any offset of its pool).
  const out = new Float64Array(doubles);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new QueueError(`${field} must be an object, but got ${show(value)}.`);
  return value as Record<string, unknown>;
}

function exactKeys(o: Record<string, unknown>, keys: readonly string[], field: string): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) throw new QueueError(`${field} has an unknown field ${show(k)}.`);
  for (const k of keys) if (!(k in o)) throw new QueueError(`${field}.${k} is missing.`);
}

function int(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw new QueueError(`${field} must be an integer from ${min} to ${max}, but got ${show(value)}.`);
  return value;
}

function show(value: unknown): string {
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
