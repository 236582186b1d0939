#!/usr/bin/env node
/**
 * The `relaxed-mc` executable. Everything happens in `cli.ts`; this file only hands over the
 * arguments and sets the exit status (letting pending output drain rather than calling
 * `process.exit`), except after a stop signal: the command has already discarded its work,
 * and waiting for threads it abandoned (a terminated worker reaching its next safepoint) would
 * only delay the exit.
 *
 * @packageDocumentation
 */
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2));
if (code > 128) process.exit(code);
process.exitCode = code;
