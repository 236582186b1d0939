/**
 * The worker side of the threaded calibration: runs {@link calibrationLoop} on request and
 * posts the result back. Nothing else: it must cost the same in every version of the package.
 *
 * @packageDocumentation
 */
import { parentPort } from 'node:worker_threads';
import { calibrationLoop } from './calibration.js';

parentPort?.on('message', (m: { iterations: number; seed: number }) => {
  parentPort!.postMessage(calibrationLoop(m.iterations, m.seed));
});
