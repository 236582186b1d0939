/**
 * Reading and writing state files safely: a write goes to a temporary file in the same
 * directory, is flushed to disk, renamed over the target, and the directory is flushed too, so
 * after a crash or a kill the file is the old state or the new one, never a mixture. Leftover
 * temporary files of a killed writer are never read.
 *
 * @packageDocumentation
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Rule, StateFileError } from '../errors.js';
import { type JobState, parseState, serializeState } from './job-state.js';

/**
 * Writes a state file atomically (temp file, fsync, rename, fsync of the directory).
 *
 * @param path - the target.
 * @param state - the state.
 */
export function writeStateFile(path: string, state: JobState): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, serializeState(state));
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  // The rename is durable only once the directory entry is on disk.
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/**
 * @param path - a state file.
 * @returns its state, or null when the file does not exist.
 * @throws StateFileError when it exists but cannot be used.
 */
export function readStateFile(path: string): JobState | null {
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StateFileError(`cannot read ${path}: ${(err as Error).message}`, path, {
      argument: 'file',
      rule: Rule.readable,
    });
  }
  return parseState(text, path);
}
