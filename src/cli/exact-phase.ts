/**
 * The exact-moments phase of `estimate` and `sweep`, off the main thread: the quadrature runs
 * in a worker thread that reports each row (batch element) as it is done and is terminated on
 * Ctrl-C, so the process stays responsive to signals however long the references take.
 *
 * @packageDocumentation
 */
import { Worker } from 'node:worker_threads';
import { AbortError, type Progress, torch } from '../index.js';
import type { ExactRowsTask } from '../../workers/exact-moments.js';

/** The worker entry, compiled beside this module's tree (dist/src/cli -> dist/workers). */
const EXACT_WORKER = new URL('../../workers/exact-moments.js', import.meta.url);

/** Exact moments of a distribution, shaped as its own getters would give them. */
export interface ExactMoments {
  /** `[...batch_shape, K]`. */
  mean: torch.Tensor;
  /** `[...batch_shape, K]`. */
  variance: torch.Tensor;
  /** `[...batch_shape, K, K]`, when asked for. */
  covariance: torch.Tensor | null;
}

/** Options of {@link exactMomentsOffThread}. */
export interface ExactPhaseOptions {
  /** Also the covariance matrices. */
  covariance: boolean;
  /** Terminates the thread; the promise then rejects with an AbortError. */
  signal: AbortSignal;
  /** Rows done, at the start, after each row, and every second in between. */
  onProgress?: (p: Progress) => void;
}

/**
 * @param dist - the distribution.
 * @param o - covariance, signal and progress.
 * @returns its exact moments (`dist.mean`, `dist.variance`, `dist.covariance`), computed in a
 *   worker thread.
 * @throws AbortError when `signal` fires; the thread's error when the computation fails.
 *
 * @example
 * ```ts
 * const exact = await exactMomentsOffThread(dist, { covariance: false, signal: ctx.signal });
 * console.log(exact.mean.tolist());
 * ```
 */
export async function exactMomentsOffThread(
  dist: torch.distributions.RelaxedOneHotCategorical,
  o: ExactPhaseOptions,
): Promise<ExactMoments> {
  const p = dist._params;
  const K = p.K;
  const B = p.rowTemperature.length;
  // Rows with the same parameters (a sweep's repeated temperature, a broadcast batch) once each.
  const keyOf = (b: number) => `${p.rowTemperature[b]}|${p.rowLogits.subarray(b * K, (b + 1) * K).join(',')}`;
  const firstOf = new Map<string, number>();
  const unique: number[] = [];
  const source = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const key = keyOf(b);
    let u = firstOf.get(key);
    if (u === undefined) {
      u = unique.length;
      firstOf.set(key, u);
      unique.push(b);
    }
    source[b] = u;
  }
  const task: ExactRowsTask = {
    K,
    logits: Float64Array.from(unique.flatMap((b) => Array.from(p.rowLogits.subarray(b * K, (b + 1) * K)))),
    temperature: Float64Array.from(unique, (b) => p.rowTemperature[b]),
    covariance: o.covariance,
  };
  const rows = await runRows(task, unique.length, o);
  const mean = new Float64Array(B * K);
  const variance = new Float64Array(B * K);
  const covariance = o.covariance ? new Float64Array(B * K * K) : null;
  for (let b = 0; b < B; b++) {
    const r = rows[source[b]];
    mean.set(r.mean, b * K);
    variance.set(r.variance, b * K);
    if (covariance !== null && r.covariance) covariance.set(r.covariance, b * K * K);
  }
  const shape = [...p.batchShape, K];
  return {
    mean: new torch.Tensor(mean, shape),
    variance: new torch.Tensor(variance, shape),
    covariance: covariance === null ? null : new torch.Tensor(covariance, [...shape, K]),
  };
}

interface Row {
  mean: Float64Array;
  variance: Float64Array;
  covariance?: Float64Array;
}

function runRows(task: ExactRowsTask, total: number, o: ExactPhaseOptions): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) {
      reject(aborted(0, total));
      return;
    }
    const rows: Row[] = new Array<Row>(total);
    const t0 = performance.now();
    let done = 0;
    let settled = false;
    const report = () => {
      const secs = (performance.now() - t0) / 1000;
      o.onProgress?.({ done, total, samplesPerSecond: secs > 0 ? done / secs : 0 });
    };
    const worker = new Worker(EXACT_WORKER, { workerData: task });
    const timer = setInterval(report, 1000);
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      o.signal.removeEventListener('abort', onAbort);
      if (err === null) resolve(rows);
      else reject(err);
    };
    const onAbort = () => {
      void worker.terminate();
      finish(aborted(done, total));
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    report();
    worker.on('message', (m: { kind: 'row'; index: number } & Row) => {
      if (m.kind === 'row') {
        rows[m.index] = m;
        done++;
        report();
      } else {
        finish(null);
        void worker.terminate();
      }
    });
    worker.on('error', (err) => finish(err));
    worker.on('exit', (code) => {
      if (!settled) finish(new Error(`relaxed-mc: the exact-moments thread exited (code ${code}) before it finished.`));
    });
  });
}

function aborted(done: number, total: number): AbortError {
  return new AbortError(
    `relaxed-mc: the exact moments were interrupted after ${done} of ${total} rows; no result is returned.`,
  );
}
