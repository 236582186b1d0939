#!/usr/bin/env node
/**
 * The `relaxed-mc` executable. Everything happens in `cli.ts`; this file only hands over the
 * arguments and sets the exit status (letting pending output drain rather than calling
 * `process.exit`), except after a stop signal: the command has already discarded its work,
 * and waiting for threads it abandoned (a terminated worker reaching its next safepoint) would
 * only delay the exit.
 *
 * The stop signals are caught from the very start: loading the modules takes a moment (longer on
 * a loaded machine), and a signal then, before any command has started, exits with 128 + its
 * number like a signal in any later phase, rather than killing the process by the default action.
 *
 * With `RELAXED_MC_LOOP_DELAY=1` the longest event-loop delay of the run (the longest
 * synchronous step on the main thread, to the monitor's 10 ms resolution) is printed to stderr at
 * exit, for `bench/loop-delay.ts`.
 *
 * @packageDocumentation
 */
import { writeSync } from 'node:fs';
import { constants } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
const early = (name: NodeJS.Signals) => process.exit(128 + (constants.signals[name] ?? 2));
for (const s of SIGNALS) process.on(s, early);

if (process.env.RELAXED_MC_LOOP_DELAY === '1') {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  process.on('exit', () => {
    h.disable();
    writeSync(
      2,
      `relaxed-mc: event-loop delay max ${(h.max / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms\n`,
    );
  });
}

const { runCli } = await import('./cli.js');
for (const s of SIGNALS) process.off(s, early);
const code = await runCli(process.argv.slice(2));
if (code > 128) process.exit(code);
process.exitCode = code;
