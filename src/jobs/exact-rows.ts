/**
 * The messages of the exact-moments thread (`engine/exact-job.ts` posts the rows,
 * `workers/exact-worker.ts` answers one row at a time). Both sides import these types from here,
 * so neither imports the other: the coordinator stays out of the worker entries and the worker
 * entry out of the coordinator.
 *
 * @packageDocumentation
 */
import type { ErrorData } from '../errors.js';

/** One row to compute. */
export interface ExactRowRequest {
  /** Unnormalised logits. */
  logits: Float64Array;
  /** Temperature. */
  temperature: number;
}

/** What the main thread posts: every row, and whether the covariance is wanted. */
export interface ExactJobRequest {
  rows: ExactRowRequest[];
  covariance: boolean;
}

/** What the worker posts back: one row's moments, or the error that stopped it. */
export type ExactJobMessage =
  { index: number; mean: Float64Array; variance: Float64Array; covariance?: Float64Array } | { error: ErrorData };
