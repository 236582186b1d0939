/**
 * What the machine was like during a run: recorded in every report, shown beside a comparison
 * (a baseline from another CPU model is worth a warning), never used to decide.
 *
 * @packageDocumentation
 */
import { availableParallelism, cpus, freemem, loadavg, platform, arch, totalmem } from 'node:os';

/** The machine and runtime of a run. */
export interface Environment {
  /** `process.version`, such as `v20.20.2`. */
  node: string;
  /** V8's version. */
  v8: string;
  /** `os.platform()` and `os.arch()`. */
  platform: string;
  arch: string;
  /** The first CPU's model name. */
  cpuModel: string;
  /** Logical CPUs (`os.cpus().length`). */
  cores: number;
  /** `os.availableParallelism()`: what the engine's default thread count is. */
  availableParallelism: number;
  /** 1, 5 and 15-minute load averages when the run started, and when it ended. */
  loadAverageStart: number[];
  loadAverageEnd: number[];
  /** Total and free memory at the start, bytes. */
  totalMemory: number;
  freeMemory: number;
}

/**
 * @returns the environment now (call {@link finishEnvironment} at the end of the run).
 *
 * @example
 * ```ts
 * captureEnvironment().node; // 'v20.20.2'
 * ```
 */
export function captureEnvironment(): Environment {
  const list = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    arch: arch(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    availableParallelism: availableParallelism(),
    loadAverageStart: loadavg(),
    loadAverageEnd: [],
    totalMemory: totalmem(),
    freeMemory: freemem(),
  };
}

/**
 * @param env - the environment captured at the start.
 * @returns it with the load averages at the end of the run.
 */
export function finishEnvironment(env: Environment): Environment {
  return { ...env, loadAverageEnd: loadavg() };
}
