/**
 * Worker thread of {@link computeExactRows} (`src/engine/exact-job.ts`): computes the exact
 * moments of the rows it is sent, one message per row, so the main thread stays free (progress,
 * signals) and the work can be stopped by terminating the thread.
 *
 * @packageDocumentation
 */
import { parentPort } from 'node:worker_threads';
import { exactMoments } from '../src/kernels/exact/exact-moments.js';
import { toErrorData } from '../src/errors.js';
import type { ExactJobMessage, ExactJobRequest } from '../src/jobs/exact-rows.js';

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
