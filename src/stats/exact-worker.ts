/**
 * Worker thread of {@link computeExactRows} (`exact-job.ts`): computes the exact moments of the
 * rows it is sent, one message per row, so the main thread stays free (progress, signals) and
 * the work can be stopped by terminating the thread.
 *
 * @packageDocumentation
 */
import { parentPort } from 'node:worker_threads';
import { exactMoments } from './exact-moments.js';
import { type ErrorData, toErrorData } from '../errors.js';

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

const port = parentPort;
if (port !== null) {
  port.once('message', (req: ExactJobRequest) => {
    try {
      req.rows.forEach((row, index) => {
        const m = exactMoments(row.logits, row.temperature, { covariance: req.covariance });
        const msg: ExactJobMessage = { index, mean: m.mean, variance: m.variance, covariance: m.covariance };
        const transfer = [m.mean.buffer, m.variance.buffer, ...(m.covariance ? [m.covariance.buffer] : [])];
        port.postMessage(msg, transfer as ArrayBuffer[]);
      });
    } catch (err) {
      port.postMessage({ error: toErrorData(err) } satisfies ExactJobMessage);
    }
  });
}
