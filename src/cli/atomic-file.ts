/**
 * Output files that appear whole or not at all.
 *
 * The data goes to a temporary file in the destination's own directory (so the final rename
 * stays within one file system and is atomic), is flushed with fsync, and is renamed over the
 * destination only when complete. On an error, or on Ctrl-C, the temporary file is removed:
 * a reader never sees half a file, and nothing is left behind.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, fsyncSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AbortError, InternalError } from '../index.js';
import { UsageError, fsReason } from './errors.js';

/** Temporary files not yet committed or discarded, for the synchronous clean-up on a signal. */
const pending = new Set<string>();

/** Largest single write: `write(2)` may write less than asked for above 2 GiB. */
const MAX_WRITE = 64 * 2 ** 20;

/**
 * A file being written: create it (this already checks that the destination is writable), write
 * to it, then {@link AtomicFile.commit} or {@link AtomicFile.discard}.
 *
 * @example
 * ```ts
 * const f = await AtomicFile.create('samples.npy', '--out');
 * try {
 *   await f.write(bytes);
 *   await f.commit();
 * } finally {
 *   await f.discard(); // no-op after a commit
 * }
 * ```
 */
export class AtomicFile {
  private done = false;

  private constructor(
    /** The destination path. */
    readonly path: string,
    /** The temporary path in the same directory. */
    readonly tempPath: string,
    private readonly handle: FileHandle,
    private readonly label: string,
  ) {}

  /**
   * Opens a temporary file beside `path`.
   *
   * @param path - the destination.
   * @param label - the flag it came from, for messages (`--out`).
   * @returns the open file.
   * @throws UsageError when the destination is a directory or its directory cannot be written.
   */
  static async create(path: string, label: string): Promise<AtomicFile> {
    const full = resolve(path);
    const dir = dirname(full);
    if (isDirectory(full)) throw new UsageError(`${label} ${path}: is a directory; give a file name.`);
    const temp = join(dir, `.${basename(full)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    let handle: FileHandle;
    try {
      handle = await open(temp, 'wx');
    } catch (err) {
      throw new UsageError(`${label} ${path}: cannot create a file in the directory '${dir}' (${fsReason(err)}).`);
    }
    pending.add(temp);
    return new AtomicFile(path, temp, handle, label);
  }

  /**
   * @param data - text (written as UTF-8) or bytes.
   */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.byteLength;) {
      const n = Math.min(MAX_WRITE, bytes.byteLength - off);
      const { bytesWritten } = await this.handle.write(bytes, off, n);
      off += bytesWritten;
    }
  }

  /**
   * Flushes the data and renames the temporary file over the destination.
   *
   * @param signal - when already aborted, the file is discarded instead and an `AbortError` thrown.
   */
  async commit(signal?: AbortSignal): Promise<void> {
    if (this.done) throw new InternalError(`${this.label} ${this.path}: already committed or discarded.`);
    await this.handle.sync();
    await this.handle.close();
    if (signal?.aborted) {
      await this.discard();
      throw new AbortError(
        `${this.label} ${this.path}: interrupted before the file was complete; nothing was written.`,
      );
    }
    try {
      await rename(this.tempPath, this.path);
    } catch (err) {
      await this.discard();
      throw new UsageError(`${this.label} ${this.path}: cannot replace the file (${fsReason(err)}).`);
    }
    this.done = true;
    pending.delete(this.tempPath);
    syncDirectory(dirname(resolve(this.path)));
  }

  /** Closes and removes the temporary file (does nothing after a commit). */
  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
    pending.delete(this.tempPath);
  }
}

/**
 * Removes every temporary file not yet committed, synchronously: for a signal handler that
 * is about to exit.
 */
export function removePendingFilesSync(): void {
  for (const p of pending) rmSync(p, { force: true });
  pending.clear();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Makes the rename itself durable; best effort (some file systems refuse fsync on a directory). */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not fatal: the data is already synced; only the directory entry's durability is at stake.
  }
}
