#!/usr/bin/env node
/**
 * The `relaxed-mc` executable. Everything happens in `cli.ts`; this file only hands over the
 * arguments and sets the exit status (letting pending output drain rather than calling
 * `process.exit`).
 *
 * @packageDocumentation
 */
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2));
