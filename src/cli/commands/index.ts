/**
 * The subcommands, in the order `relaxed-mc --help` lists them. Adding one is a new file in
 * this folder and one entry here.
 *
 * @packageDocumentation
 */
import type { CommandSpec } from '../command.js';
import { bench } from './bench.js';
import { estimate } from './estimate.js';
import { gradients } from './gradients.js';
import { logProb } from './log-prob.js';
import { merge } from './merge.js';
import { sample } from './sample.js';
import { sweep } from './sweep.js';
import { worker } from './worker.js';

/** Every subcommand of `relaxed-mc`. */
export const commands: readonly CommandSpec<object>[] = [
  estimate,
  sample,
  logProb,
  sweep,
  gradients,
  merge,
  worker,
  bench,
];
