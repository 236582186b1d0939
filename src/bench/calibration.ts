/**
 * The calibration: a fixed, CPU-bound piece of plain JavaScript whose speed measures the
 * machine, not the package. It is timed in every round beside the benchmarks, in the same shape
 * as the work it normalises: on the main thread for the in-process benchmarks, and as one
 * message round trip to T worker threads that each run the loop for the engine benchmarks at
 * T threads (so it pays the same thread wake-ups and shares the cores the same way). Each
 * benchmark's throughput is divided by its calibration's median throughput in the same run,
 * so a machine that is uniformly slower or busier is not mistaken for a regression.
 *
 * The loop must never change between the baseline and the candidate: its definition is
 * versioned ({@link CALIBRATION_VERSION}) and `compare` refuses reports made with different
 * versions. It imports nothing from the package, and the slowdown switch never touches it.
 *
 * @packageDocumentation
 */
import { Worker } from 'node:worker_threads';
import { builtFile } from '../package-files.js';

/** Changes whenever {@link calibrationLoop}, {@link CALIBRATION_ITERATIONS} or the threaded shape changes. */
export const CALIBRATION_VERSION = 'xorshift-log-v2';

/** Loop trips of one timed call, per thread (about 3 ms on a 2020s x86 core). */
export const CALIBRATION_ITERATIONS = 1 << 18;

/**
 * A mix of what the kernels do (integer hashing, `Math.log`, floating-point accumulation)
 * in a loop that V8 cannot fold away: the result depends on every iteration.
 *
 * @param iterations - loop trips.
 * @param seed - a non-zero 32-bit seed (vary it so no call can be cached).
 * @returns a value to consume.
 *
 * @example
 * ```ts
 * Number.isFinite(calibrationLoop(1000, 1)); // true
 * ```
 */
export function calibrationLoop(iterations: number, seed: number): number {
  let x = seed | 0 || 1;
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    // xorshift32: three shifts, full period over the non-zero 32-bit integers.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = ((x >>> 0) + 0.5) / 4294967296;
    acc += -Math.log(u) * (i & 7);
  }
  return acc;
}

/** One calibration as the runner times it: a call, and what one call counts. */
export interface Calibration {
  /** `main`, or `workers-T`. */
  id: string;
  /** 0 for the main thread, else the worker threads. */
  threads: number;
  /** Loop trips of one call, over all threads. */
  iterationsPerCall: number;
  /** One call; returns a value to consume. */
  run(): Promise<number>;
  /** Stops its threads. */
  close(): Promise<void>;
}

/** @returns the calibration of the in-process benchmarks: the loop on the main thread. */
export function mainCalibration(): Calibration {
  let seed = 0;
  return {
    id: 'main',
    threads: 0,
    iterationsPerCall: CALIBRATION_ITERATIONS,
    run: async () => calibrationLoop(CALIBRATION_ITERATIONS, ++seed),
    close: async () => undefined,
  };
}

/**
 * @param threads - worker threads, as many as the engine benchmarks it normalises.
 * @returns the calibration of the engine benchmarks at that thread count: one call posts a
 *   request to every worker, each runs the loop, and the call ends when all have answered.
 */
export async function workerCalibration(threads: number): Promise<Calibration> {
  const file = builtFile('src/bench/calibration-worker.js');
  const workers = Array.from({ length: threads }, () => new Worker(file));
  let failure: Error | null = null;
  const pending = new Map<Worker, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  for (const w of workers) {
    w.on('message', (v: number) => pending.get(w)?.resolve(v));
    w.on('error', (e: Error) => {
      failure ??= e;
      pending.get(w)?.reject(e);
    });
  }
  await Promise.all(
    workers.map((w) => new Promise((resolve, reject) => w.once('online', resolve).once('error', reject))),
  );
  let seed = 0;
  const ask = (w: Worker, s: number) =>
    new Promise<number>((resolve, reject) => {
      if (failure !== null) return reject(failure);
      pending.set(w, { resolve, reject });
      w.postMessage({ iterations: CALIBRATION_ITERATIONS, seed: s });
    });
  return {
    id: `workers-${threads}`,
    threads,
    iterationsPerCall: threads * CALIBRATION_ITERATIONS,
    run: async () => {
      const r = await Promise.all(workers.map((w) => ask(w, ++seed)));
      return r.reduce((a, b) => a + b, 0);
    },
    close: async () => void (await Promise.all(workers.map((w) => w.terminate()))),
  };
}
