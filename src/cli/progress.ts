/**
 * Progress on stderr: a live bar with rate and ETA on a terminal (cli-progress), a plain line
 * every few seconds when stderr is a file or a pipe (a CI log should not fill with bar
 * redraws), nothing with `--quiet`. Standard output stays clean for results.
 *
 * @packageDocumentation
 */
import cliProgress from 'cli-progress';
import type { Progress } from '../index.js';

/** What a job through a queue shows when no worker has taken or finished a chunk for a while. */
const WAITING = 'waiting for workers (none has taken a chunk for 30 s; start one with relaxed-mc worker --redis URL)';

/** Seconds between two plain progress lines when stderr is not a terminal. */
const PLAIN_INTERVAL_MS = 3000;

/** What a command reports progress to. */
export interface ProgressReporter {
  /** For the engine's `onProgress`. */
  update(p: Progress): void;
  /** Ends the display (idempotent). */
  stop(): void;
}

/** Where and how to report. */
export interface ProgressOptions {
  /** Shown before the bar: the subcommand. */
  label: string;
  /** What is counted: `draws` or `rows`. */
  unit: string;
  /** Report nothing. */
  quiet: boolean;
  /** The stream (stderr). */
  stream: NodeJS.WriteStream;
}

/**
 * @param o - label, unit, quiet flag and stream.
 * @returns a reporter suited to the stream.
 *
 * @example
 * ```ts
 * const bar = createProgress({ label: 'estimate', unit: 'draws', quiet: false, stream: process.stderr });
 * await engine.moments(dist, { samples: 1e8, onProgress: (p) => bar.update(p) });
 * bar.stop();
 * ```
 */
export function createProgress(o: ProgressOptions): ProgressReporter {
  if (o.quiet) return { update: () => undefined, stop: () => undefined };
  return o.stream.isTTY ? barReporter(o) : plainReporter(o);
}

function barReporter(o: ProgressOptions): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream: o.stream,
      format: `${o.label} [{bar}] {percentage}% | {done}/{all} ${o.unit} | {rate} | ETA {eta_formatted}{status}`,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(p) {
      if (stopped) return;
      const payload = {
        done: compact(p.done),
        all: compact(p.total),
        rate: `${compact(p.samplesPerSecond)} ${o.unit}/s`,
        status: p.waitingForWorkers ? ` | ${WAITING}` : '',
      };
      if (!started) {
        bar.start(p.total, p.done, payload);
        started = true;
      } else bar.update(p.done, payload);
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}

function plainReporter(o: ProgressOptions): ProgressReporter {
  let last = -Infinity;
  let stopped = false;
  return {
    update(p) {
      const now = performance.now();
      // The first report is printed at once (the job has started), then one every few seconds.
      if (stopped || now - last < PLAIN_INTERVAL_MS || p.done >= p.total) return;
      last = now;
      const pct = p.total > 0 ? ((100 * p.done) / p.total).toFixed(1) : '0.0';
      const eta = p.samplesPerSecond > 0 ? ` ETA ${formatSeconds((p.total - p.done) / p.samplesPerSecond)}` : '';
      const status = p.waitingForWorkers ? `, ${WAITING}` : '';
      o.stream.write(
        `${o.label}: ${pct}% (${compact(p.done)}/${compact(p.total)} ${o.unit}), ${compact(p.samplesPerSecond)} ${o.unit}/s,${eta}${status}\n`,
      );
    },
    stop() {
      stopped = true;
    },
  };
}

/**
 * A reporter that stays silent for the first `ms` milliseconds: a phase that is usually short
 * (exact references, writing a file) shows progress only when it turns out to be long.
 *
 * @param inner - the reporter to forward to.
 * @param ms - the delay (default 1 s).
 * @returns the delayed reporter.
 */
export function afterDelay(inner: ProgressReporter, ms = 1000): ProgressReporter {
  const t0 = performance.now();
  return {
    update(p) {
      if (performance.now() - t0 >= ms) inner.update(p);
    },
    stop() {
      inner.stop();
    },
  };
}

/**
 * @param x - a count or rate.
 * @returns it with an SI suffix: `12.3M`, `850k`, `42` (scientific notation from 10^15).
 */
export function compact(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e15) return x.toExponential(2);
  if (a >= 1e12) return `${(x / 1e12).toPrecision(3)}T`;
  if (a >= 1e9) return `${(x / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  return String(Math.round(x));
}

/**
 * @param s - seconds.
 * @returns `0.3 s`, `42 s`, `3 min 20 s` or `2 h 05 min` (a tenth of a second below 10 s: an ETA
 *   rounded up to a whole second would overstate the last moments of a run several times over).
 */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
