/**
 * The worker pool: piscina with a fixed number of threads that stay alive between chunks,
 * a start-up check that fails fast when the worker module cannot load, and recovery after a
 * fatal pool error.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { InternalError, WorkerLoadError } from '../errors.js';
import type { ChunkResult, Task } from '../chunks/layout.js';
import { builtFile } from '../package-files.js';

/** The compiled worker, found from the package root so that the sources find it too. */
const DEFAULT_WORKER = builtFile('workers/worker.js');

/** How long a new pool may take to answer its start-up check. */
const STARTUP_TIMEOUT_MS = 15_000;

/** Options of {@link WorkerPool}. */
export interface PoolOptions {
  threads: number;
  /** A worker module to use instead of the built-in one (tests inject faulty workers this way). */
  workerFile?: string | URL;
  /** Per-thread V8 heap limits. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
}

/**
 * A piscina pool plus the bookkeeping the engine needs: the completed-task count, the threads
 * that ran tasks, and the first fatal error it reported.
 */
export class WorkerPool {
  readonly threads: number;
  readonly filename: string;
  private pool: Piscina | null = null;
  private ready: Promise<void> | null = null;
  private fatal: Error | null = null;
  private completedBefore = 0;

  /** @param options - thread count and worker module. */
  constructor(private readonly options: PoolOptions) {
    this.threads = options.threads;
    const file = options.workerFile ?? DEFAULT_WORKER;
    this.filename = file instanceof URL ? fileURLToPath(file) : file.startsWith('file:') ? fileURLToPath(file) : file;
  }

  /** Tasks completed by this engine's pools so far. */
  get completed(): number {
    return this.completedBefore + (this.pool?.completed ?? 0);
  }

  /**
   * Starts the pool if needed and checks that every thread can load the worker module.
   *
   * @returns once the pool answered its start-up check.
   * @throws WorkerLoadError naming the file and the reason.
   */
  async start(): Promise<void> {
    if (this.pool !== null && this.fatal === null && this.ready !== null) return this.ready;
    if (this.pool !== null) await this.reset();
    if (!existsSync(this.filename)) {
      throw new WorkerLoadError(
        `relaxed-mc: the worker module ${this.filename} does not exist. Build the package first (npm run build).`,
      );
    }
    const pool = new Piscina({
      filename: this.filename,
      minThreads: this.threads,
      maxThreads: this.threads,
      // Threads must survive between chunks and between jobs: tearing them down costs a module load.
      idleTimeout: 2 ** 31 - 1,
      concurrentTasksPerWorker: 1,
      resourceLimits: this.options.resourceLimits,
    });
    this.pool = pool;
    this.fatal = null;
    // Without a listener an 'error' event (a worker failing while idle) would crash the process.
    pool.on('error', (err: Error) => {
      this.fatal ??= err;
    });
    this.ready = this.checkStartup(pool);
    try {
      await this.ready;
    } catch (err) {
      await this.reset();
      throw err;
    }
  }

  /**
   * Runs one task.
   *
   * @param task - the task.
   * @param signal - when it fires, a queued task is dropped and a running one's thread is
   *   terminated (piscina starts a replacement); the promise rejects with piscina's AbortError.
   * @returns the worker's result.
   */
  run<R = ChunkResult>(task: Task, signal?: AbortSignal): Promise<R> {
    if (this.pool === null) return Promise.reject(new InternalError('the pool is not started'));
    // A worker that died while idle is replaced by piscina; only a pool left with no thread at
    // all (its replacements cannot even load) can no longer run anything.
    if (this.fatal !== null && this.pool.threads.length === 0) return Promise.reject(this.fatal);
    return this.pool.run(task, signal === undefined ? undefined : { signal }) as Promise<R>;
  }

  /** The first fatal error the pool reported outside a task (a worker dying while idle), if any. */
  get fatalError(): Error | null {
    return this.fatal;
  }

  /** Destroys the pool; the next {@link WorkerPool.start} makes a new one. */
  async reset(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.ready = null;
    if (pool !== null) {
      this.completedBefore += pool.completed;
      await pool.destroy();
    }
  }

  private async checkStartup(pool: Piscina): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new WorkerLoadError(
              `relaxed-mc: the worker module ${this.filename} did not start within ${STARTUP_TIMEOUT_MS / 1000} s.`,
            ),
          ),
        STARTUP_TIMEOUT_MS,
      );
    });
    // A module that throws while loading surfaces as a pool 'error' event, not as a task failure.
    const failed = new Promise<never>((_, reject) => pool.once('error', reject));
    const pings = Array.from({ length: this.threads }, () => pool.run({ kind: 'ping' } satisfies Task));
    try {
      await Promise.race([Promise.all(pings), timeout, failed]);
    } catch (err) {
      if (err instanceof WorkerLoadError) throw err;
      throw new WorkerLoadError(
        `relaxed-mc: the worker module ${this.filename} could not be loaded: ${(err as Error)?.message ?? String(err)}`,
        err,
      );
    } finally {
      clearTimeout(timer);
      pings.forEach((p) => p.catch(() => undefined));
      failed.catch(() => undefined);
    }
  }
}
