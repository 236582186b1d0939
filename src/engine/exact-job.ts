/**
 * The exact moments of many rows off the main thread, with progress and cancellation: what the
 * command line runs for its exact columns and curves (each row takes up to ~1 s at K = 10^4,
 * and a sweep's figure needs dozens of rows).
 *
 * @packageDocumentation
 */
import { Worker } from 'node:worker_threads';
import { AbortError, RangeError, Rule, RuntimeError, fromErrorData } from '../errors.js';
import type { ExactJobMessage, ExactJobRequest, ExactRowRequest } from '../jobs/exact-rows.js';
import { MAX_COVARIANCE_CATEGORIES } from '../kernels/exact/exact-moments.js';
import { builtFile } from '../package-files.js';

/** The worker entry, beside the engine's (found from the package root, in the repository as when installed). */
const EXACT_WORKER = builtFile('workers/exact-worker.js');

/** One row's exact moments. */
export interface ExactRow {
  /** `E[y_k]`. */
  mean: Float64Array;
  /** `Var[y_k]`. */
  variance: Float64Array;
  /** K*K row-major, when asked for. */
  covariance?: Float64Array;
}

/** Options of {@link computeExactRows}. */
export interface ExactJobOptions {
  /** Also the covariance: K at most `MAX_COVARIANCE_CATEGORIES` (512), refused above before any work. */
  covariance?: boolean;
  /** Stops the job: the worker thread is terminated and the promise rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Rows done so far (distinct rows: equal rows are computed once). */
  onProgress?: (p: { done: number; total: number; samplesPerSecond: number }) => void;
}

/**
 * Computes the exact moments of `rows` in a worker thread.
 *
 * @param rows - logits and temperature per row (equal rows are computed once).
 * @param options - covariance, abort signal, progress.
 * @returns one result per row, in order.
 * The covariance costs about `K^2 / 2` work per row (~1 s at K = 512) and is computed for
 * `K <= MAX_COVARIANCE_CATEGORIES` (512) only.
 *
 * @throws AbortError when `options.signal` fires (the thread is terminated at once); a
 *   `RangeError` before any work when the covariance is asked for with more than
 *   `MAX_COVARIANCE_CATEGORIES` (512) categories; the computation's own error (a `RangeError`
 *   for invalid input) otherwise.
 *
 * @example
 * ```ts
 * const [row] = await computeExactRows([{ logits: Float64Array.of(0, 1), temperature: 0.5 }]);
 * row.mean; // Float64Array(2) [0.2849..., 0.7150...]
 * ```
 */
export async function computeExactRows(rows: ExactRowRequest[], options: ExactJobOptions = {}): Promise<ExactRow[]> {
  const { signal } = options;
  const wide = options.covariance === true ? rows.find((r) => r.logits.length > MAX_COVARIANCE_CATEGORIES) : undefined;
  if (wide !== undefined) {
    throw new RangeError(
      `computeExactRows: the covariance needs K <= ${MAX_COVARIANCE_CATEGORIES} categories (its cost grows like K^2), but got K = ${wide.logits.length}.`,
      { argument: 'covariance', rule: Rule.sizeLimit },
    );
  }
  if (signal?.aborted) throw new AbortError('relaxed-mc: the exact moments were interrupted before they started.');
  const keyOf = (r: ExactRowRequest) => `${r.temperature}|${Array.from(r.logits).join(',')}`;
  const distinct = new Map<string, number>();
  const unique: ExactRowRequest[] = [];
  const slot = rows.map((r) => {
    const key = keyOf(r);
    let at = distinct.get(key);
    if (at === undefined) {
      at = unique.length;
      distinct.set(key, at);
      unique.push({ logits: Float64Array.from(r.logits), temperature: r.temperature });
    }
    return at;
  });
  const results = new Array<ExactRow>(unique.length);
  const started = performance.now();
  const worker = new Worker(EXACT_WORKER);
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      const onAbort = () => {
        reject(
          new AbortError(`relaxed-mc: the exact moments were interrupted (${done} of ${unique.length} rows done).`),
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (err?: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        if (err === undefined) resolve();
        else reject(err);
      };
      worker.on('message', (msg: ExactJobMessage) => {
        if ('error' in msg) {
          // Errors cross the thread as { code, argument, rule, message } and come back as their class.
          finish(fromErrorData(msg.error));
          return;
        }
        results[msg.index] = { mean: msg.mean, variance: msg.variance, covariance: msg.covariance };
        done++;
        const secs = (performance.now() - started) / 1000;
        options.onProgress?.({ done, total: unique.length, samplesPerSecond: secs > 0 ? done / secs : 0 });
        if (done === unique.length) finish();
      });
      worker.on('error', (err) => finish(err));
      worker.on('exit', (code) => {
        if (done < unique.length)
          finish(
            new RuntimeError(`relaxed-mc: the exact-moments worker exited (code ${code}).`, {
              argument: null,
              rule: Rule.workerExits,
            }),
          );
      });
      worker.postMessage({ rows: unique, covariance: options.covariance === true } satisfies ExactJobRequest);
    });
  } finally {
    await worker.terminate();
  }
  return slot.map((at) => results[at]);
}
