/**
 * Output files that appear whole or not at all.
 *
 * The data goes to a temporary file in the destination's own directory (so the final rename
 * stays within one file system and is atomic), is flushed with fsync, and is renamed over the
 * destination only when complete. Commands create it only when the first byte is ready (the
 * destination is checked beforehand, `output-check.ts`). On an error, or on any signal Node can
 * catch, the temporary file is removed: a reader never sees half a file, and nothing is left
 * behind (only SIGKILL, which no process can catch, leaves a `.NAME.PID.HEX.tmp`).
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { close, closeSync, fsync, linkSync, openSync, renameSync, rmSync, statSync, write } from 'node:fs';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, dirname, join, resolve } from 'node:path';
import { AbortError, InternalError, Rule } from '../index.js';
import { UsageError, fsReason } from './errors.js';

/** Temporary files not yet committed or discarded, for the synchronous clean-up on a signal. */
const pending = new Set<string>();

const writeFd = promisify(write);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);

/**
 * The open temporary file, by descriptor. It is created and renamed synchronously (each takes
 * microseconds): a signal handler, which runs between two steps of the event loop, then finds it
 * either not yet created or registered for removal, never being created by a thread of the
 * pool while the process exits (an asynchronous open that completes after the clean-up would
 * leave the file behind).
 */
class TempFd {
  private open = true;
  constructor(readonly fd: number) {}
  async write(bytes: Uint8Array, off: number, n: number): Promise<{ bytesWritten: number }> {
    return writeFd(this.fd, bytes, off, n, null);
  }
  async sync(): Promise<void> {
    await fsyncFd(this.fd);
  }
  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await closeFd(this.fd);
  }
}

/**
 * Largest single write: `write(2)` may write less than asked for above 2 GiB, and a signal is
 * heard between slices (8 MiB take a few milliseconds to hand to the kernel).
 */
const MAX_WRITE = 8 * 2 ** 20;

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
    private readonly handle: TempFd,
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
    if (isDirectory(full))
      throw new UsageError(`${label} ${path}: is a directory; give a file name.`, { argument: label, rule: Rule.file });
    const temp = join(dir, `.${basename(full)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    // Registered before it exists, so a signal that arrives while it is being created removes it too.
    pending.add(temp);
    let handle: TempFd;
    try {
      handle = new TempFd(openSync(temp, 'wx'));
    } catch (err) {
      pending.delete(temp);
      throw new UsageError(`${label} ${path}: cannot create a file in the directory '${dir}' (${fsReason(err)}).`, {
        argument: label,
        rule: Rule.writable,
      });
    }
    return new AtomicFile(path, temp, handle, label);
  }

  /**
   * @param data - text (written as UTF-8) or bytes.
   * @param signal - checked between slices of {@link MAX_WRITE} bytes: a large write stops promptly.
   * @throws AbortError when `signal` fires before the last slice.
   */
  async write(data: string | Uint8Array, signal?: AbortSignal): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.byteLength;) {
      if (signal?.aborted) throw new AbortError(`${this.label} ${this.path}: writing was interrupted.`);
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
    // Replacing a large file frees its blocks inside rename(2), on this thread (150 ms for 720 MB
    // here). A second link to the old file keeps them until it is removed off the main thread.
    const old = keepOld(this.path, `${this.tempPath}.old`);
    try {
      renameSync(this.tempPath, this.path);
    } catch (err) {
      if (old !== null) await dropOld(old);
      await this.discard();
      throw new UsageError(`${this.label} ${this.path}: cannot replace the file (${fsReason(err)}).`, {
        argument: this.label,
        rule: Rule.writable,
      });
    }
    this.done = true;
    pending.delete(this.tempPath);
    if (old !== null) await dropOld(old);
    await syncDirectory(dirname(resolve(this.path)));
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
 * Writes a whole result at once: a temporary file, flushed, renamed over `path`.
 *
 * @param path - the destination.
 * @param label - the flag it came from.
 * @param data - its contents.
 * @param signal - when fired before the rename, nothing is written and an AbortError is thrown.
 */
export async function writeFileAtomically(
  path: string,
  label: string,
  data: string | Uint8Array,
  signal?: AbortSignal,
): Promise<void> {
  const f = await AtomicFile.create(path, label);
  try {
    await f.write(data, signal);
    await f.commit(signal);
  } finally {
    await f.discard();
  }
}

/**
 * Links `path` (when it exists and the file system allows it) as `old`, registered for removal.
 *
 * @returns `old`, or null when nothing was linked.
 */
function keepOld(path: string, old: string): string | null {
  try {
    linkSync(path, old);
  } catch {
    return null;
  }
  pending.add(old);
  return old;
}

async function dropOld(old: string): Promise<void> {
  await rm(old, { force: true });
  pending.delete(old);
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

/**
 * Makes the rename itself durable; best effort (some file systems refuse fsync on a directory).
 * Off the main thread: after a large file, the journal commit it waits for took 150 ms.
 */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const fd = openSync(dir, 'r');
    try {
      await fsyncFd(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not fatal: the data is already synced; only the directory entry's durability is at stake.
  }
}
