/**
 * A thread for the exact moments the command line prints beside its estimates: the quadrature
 * can take seconds (many categories, low temperature), and on the main thread it would keep
 * Ctrl-C from being heard. The thread computes one row (batch element) at a time, reports each
 * as it is done, and is terminated by its owner on abort.
 *
 * Protocol: `workerData` is an {@link ExactRowsTask}; the thread posts
 * `{ kind: 'row', index, mean, variance, covariance }` per distinct row, then `{ kind: 'done' }`.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from 'node:worker_threads';
import { exactMoments } from '../src/stats/exact-moments.js';

/** The rows to compute. */
export interface ExactRowsTask {
  /** Categories. */
  readonly K: number;
  /** `rows * K` normalised logits. */
  readonly logits: Float64Array;
  /** One temperature per row. */
  readonly temperature: Float64Array;
  /** Also the covariance matrices. */
  readonly covariance: boolean;
}

const task = workerData as ExactRowsTask;
const { K } = task;
for (let r = 0; r < task.temperature.length; r++) {
  const m = exactMoments(task.logits.subarray(r * K, (r + 1) * K), task.temperature[r], {
    covariance: task.covariance,
  });
  parentPort?.postMessage({ kind: 'row', index: r, mean: m.mean, variance: m.variance, covariance: m.covariance });
}
parentPort?.postMessage({ kind: 'done' });
