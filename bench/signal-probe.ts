/**
 * Loaded with `node --import` by `bench/signal-latency.ts` into the command line it measures:
 * prints, on stderr, the wall-clock time at which the first stop signal reached the process's
 * handlers and the time at which the process started to exit, so that the bench can split the
 * latency into delivery (signal sent to handler), unwinding (handler to `process.exit`) and
 * teardown (`process.exit` to the process being gone: the threads' teardown, which the exit
 * waits for).
 *
 * @packageDocumentation
 */
import { writeSync } from 'node:fs';

const now = () => (performance.timeOrigin + performance.now()).toFixed(2);
let seen = false;
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.prependListener(s, () => {
    if (seen) return;
    seen = true;
    writeSync(2, `relaxed-mc-probe signal ${now()}\n`);
  });
}
process.prependListener('exit', () => writeSync(2, `relaxed-mc-probe exit ${now()}\n`));
