/**
 * The data that crosses the queue: a chunk job (one group of consecutive chunks of a moments or
 * gradients job) and its result (the group's per-chunk sums). Both come from the network, so
 * both are checked field by field before use: a worker runs only a job whose shape, sizes and
 * parameter ranges are those a coordinator of this version makes, and a coordinator merges only a
 * result of the exact length its job asked for. Doubles travel as base64 of their little-endian
 * bytes, so every bit (NaN payloads, -Infinity logits, signed zeros) arrives unchanged.
 *
 * The shapes are valibot schemas (`jobs/queue-schema.ts`, with the other boundaries' schemas);
 * what relates fields to each other (sizes that follow from B and K, the chunk range, the decoded
 * doubles) is checked here. Every failure is a `QueueError` whose `argument` names the field.
 *
 * @packageDocumentation
 */
import { Buffer } from 'node:buffer';
import { QueueError, Rule, type RuleName } from '../errors.js';
import { POWER_SUMS } from '../kernels/moment-sums.js';
import { minimumM, uniformsPerGroup } from '../kernels/gradient-estimators.js';
import { STREAM_SPAN, streamBaseOf } from '../engine/gradient-study.js';
import {
  type GradientsJob,
  type MomentsJob,
  extraOffset,
  gradientSumsPerElement,
  temperatureOffset,
} from '../chunks/layout.js';
import {
  MAX_QUEUED_PARAMS,
  type QueuedJob,
  QueuedJobSchema,
  type QueuedObjective,
  type QueuedResult,
  QueuedResultSchema,
  WIRE_VERSION,
  firstIssue,
} from '../jobs/index.js';

export { WIRE_VERSION };
/** BullMQ job name of every chunk job. */
export const CHUNK_JOB_NAME = 'chunks';

/** Largest work of one chunk, in elements (draws x batch x categories, or uniforms per group). */
export const MAX_CHUNK_ELEMENTS = 2 ** 26;
/** Most chunks in one queued job. */
export const MAX_CHUNKS_PER_JOB = 4096;

/** A gradients job's objective as it travels: coefficients, or a module's file name and hash. */
export type WireObjective = QueuedObjective;
/** A queued group of chunks `[first, end)` of one job (see `jobs/queue-schema.ts`). */
export type ChunkJobData = QueuedJob;
/** What a worker returns for a chunk job. */
export type ChunkJobResult = QueuedResult;

/** A checked chunk job with its doubles decoded. */
export type ChunkJob = ChunkJobData & {
  readonly logits: Float64Array;
  readonly temperature: Float64Array;
  readonly shift: Float64Array;
};

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
  job: MomentsJob | GradientsJob,
  first: number,
  end: number,
  objective: WireObjective | null,
): ChunkJobData {
  const { B, K } = job;
  const common = {
    v: WIRE_VERSION,
    B,
    K,
    seed: job.seed,
    units: job.units,
    chunkUnits: job.chunkUnits,
    params: toBase64(new Float64Array(job.params, 0, 2 * B * K + B)),
    first,
    end,
  } as const;
  if (job.kind === 'moments') return { kind: 'moments', ...common, covariance: job.covariance, gradient: null };
  if (objective === null)
    throw new QueueError('relaxed-mc: a queued gradients job needs its objective.', {
      argument: 'job.gradient.objective',
      rule: Rule.required,
    });
  const { estimator, m, streamBase } = job.gradient;
  return { kind: 'gradients', ...common, covariance: false, gradient: { estimator, m, streamBase, objective } };
}

/**
 * Checks a job taken from the queue: its shape against {@link QueuedJobSchema}, then what
 * relates its fields (sizes that follow from B and K, the chunk range, the decoded doubles).
 *
 * @param data - the job's data, as BullMQ parsed it.
 * @returns the job with its doubles decoded.
 * @throws QueueError naming the first field that breaks a rule (`argument`) and the rule.
 */
export function parseChunkJob(data: unknown): ChunkJob {
  const issue = firstIssue(QueuedJobSchema, data);
  if (issue !== null) {
    const argument = issue.path === '(the whole value)' ? 'job' : `job.${issue.path}`;
    throw new QueueError(`${argument}: ${issue.message}.`, { argument, rule: Rule.schema });
  }
  const o = data as QueuedJob;
  const { B, K, chunkUnits } = o;
  if (B * K > MAX_QUEUED_PARAMS)
    throw bad('job.B', Rule.size, `job.B * job.K must be at most ${MAX_QUEUED_PARAMS}, but got ${B * K}.`);
  const chunks = Math.ceil(o.units / chunkUnits);
  if (o.first >= chunks)
    throw bad('job.first', Rule.inRange, `job.first must be an integer from 0 to ${chunks - 1}, but got ${o.first}.`);
  if (o.end <= o.first || o.end > chunks)
    throw bad(
      'job.end',
      Rule.inRange,
      `job.end must be an integer from ${o.first + 1} to ${chunks}, but got ${o.end}.`,
    );
  if (o.end - o.first > MAX_CHUNKS_PER_JOB)
    throw bad(
      'job.end',
      Rule.size,
      `job.end - job.first must be at most ${MAX_CHUNKS_PER_JOB} chunks, but got ${o.end - o.first}.`,
    );
  let perChunk = chunkUnits * B * K;
  if (o.kind === 'gradients') {
    const g = o.gradient;
    if (g.m < minimumM(g.estimator))
      throw bad(
        'job.gradient.m',
        Rule.minimum,
        `job.gradient.m must be at least ${minimumM(g.estimator)} for ${g.estimator}, but got ${g.m}.`,
      );
    if (g.streamBase !== streamBaseOf(g.estimator))
      throw bad(
        'job.gradient.streamBase',
        Rule.inRange,
        `job.gradient.streamBase must be ${streamBaseOf(g.estimator)} for ${g.estimator}, but got ${g.streamBase}.`,
      );
    if (o.end >= STREAM_SPAN - 1)
      throw bad('job.end', Rule.inRange, `job.end must be below ${STREAM_SPAN - 1} for a gradients job.`);
    const ob = g.objective;
    if (!('module' in ob)) {
      const v = 'c' in ob ? ob.c : ob.target;
      if (v.length !== K)
        throw bad(
          'job.gradient.objective',
          Rule.shape,
          `job.gradient.objective must have K = ${K} coefficients, but has ${v.length}.`,
        );
    }
    perChunk = chunkUnits * B * uniformsPerGroup(g.estimator, K, g.m);
  }
  if (perChunk > MAX_CHUNK_ELEMENTS)
    throw bad(
      'job.chunkUnits',
      Rule.size,
      `a chunk of the job must hold at most ${MAX_CHUNK_ELEMENTS} elements, but holds ${perChunk}.`,
    );
  const doubles = fromBase64(o.params, 2 * B * K + B, 'job.params');
  const logits = doubles.subarray(0, B * K);
  const temperature = doubles.subarray(temperatureOffset(B, K), temperatureOffset(B, K) + B);
  const shift = doubles.subarray(extraOffset(B, K));
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i];
    if (x !== x || x === Infinity)
      throw bad('job.params', Rule.realVector, `job logits must not be NaN or +Infinity, but logit ${i} is ${x}.`);
  }
  for (let b = 0; b < B; b++) {
    const t = temperature[b];
    if (!(t > 0 && t < Infinity))
      throw bad(
        'job.params',
        Rule.positive,
        `job temperatures must be finite and positive, but temperature ${b} is ${t}.`,
      );
  }
  for (let i = 0; i < shift.length; i++) {
    if (!Number.isFinite(shift[i]))
      throw bad('job.params', Rule.finite, `job shifts must be finite, but shift ${i} is ${shift[i]}.`);
  }
  return { ...o, logits, temperature, shift };
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
 * Checks a worker's result against {@link QueuedResultSchema} and the job it answers.
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
  const issue = firstIssue(QueuedResultSchema, value);
  if (issue !== null) {
    const argument = issue.path === '(the whole value)' ? 'result' : `result.${issue.path}`;
    throw new QueueError(`${argument}: ${issue.message}.`, { argument, rule: Rule.schema });
  }
  const o = value as QueuedResult;
  if (o.first !== job.first || o.end !== job.end)
    throw bad(
      'result',
      Rule.inRange,
      `result must cover chunks ${job.first} to ${job.end - 1}, but covers ${o.first} to ${o.end - 1}.`,
    );
  const n = job.end - job.first;
  const all = fromBase64(o.sums, n * job.perChunk, 'result.sums');
  return Array.from({ length: n }, (_, i) => all.subarray(i * job.perChunk, (i + 1) * job.perChunk));
}

function bad(argument: string, rule: RuleName, message: string): QueueError {
  return new QueueError(message, { argument, rule });
}

function toBase64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromBase64(value: unknown, doubles: number, field: string): Float64Array {
  const chars = 4 * Math.ceil((doubles * 8) / 3);
  if (typeof value !== 'string' || value.length !== chars || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
    throw new QueueError(
      `${field} must be base64 of ${doubles} doubles (${chars} characters), but got ${typeof value === 'string' ? `${value.length} characters` : typeof value}.`,
      { argument: field, rule: Rule.size },
    );
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== doubles * 8)
    throw new QueueError(`${field} must decode to ${doubles * 8} bytes, but decodes to ${bytes.length}.`, {
      argument: field,
      rule: Rule.size,
    });
  // A copy, aligned for Float64Array (a Buffer may sit at any offset of its pool).
  const out = new Float64Array(doubles);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
