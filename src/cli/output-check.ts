/**
 * Checks of output paths made before any work starts: the file can be written (its folder
 * exists and is writable, it is not a folder), the file system has room for it when its size
 * is known, and it is not one of the command's inputs or its checkpoint (which the output
 * would replace). The temporary file itself is created only when the first byte is ready
 * (`atomic-file.ts`), so a run stopped before then leaves nothing at all.
 *
 * @packageDocumentation
 */
import { accessSync, constants, realpathSync, statSync, statfsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UsageError, fsReason } from './errors.js';
import { Rule } from '../index.js';

/** @returns a byte count for messages, e.g. `1.50 GiB`. */
function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${v.toFixed(2)} ${units[u]}`;
}

/** A path given on the command line, with the flag it came from. */
export interface FlagPath {
  /** `--out`, `--values`, `--checkpoint`, or `merge input`. */
  flag: string;
  /** As given. */
  path: string;
}

/** Room left beyond the output's size: file system metadata and other writers. */
const FREE_SPACE_MARGIN = 16 * 2 ** 20;

/**
 * @param path - an output file.
 * @param flag - the flag it came from.
 * @param bytes - its size when known in advance.
 * @throws UsageError when it is a folder, its folder is missing or read-only, or there is not
 *   room for `bytes`.
 *
 * @example
 * ```ts
 * checkWritable('samples.npy', '--out', 8 * 3e6); // throws when the disk has no room for 24 MB
 * ```
 */
export function checkWritable(path: string, flag: string, bytes?: number): void {
  const full = resolve(path);
  const dir = dirname(full);
  const st = statOrNull(full);
  if (st?.isDirectory())
    throw new UsageError(`${flag} ${path}: is a directory; give a file name.`, { argument: flag, rule: Rule.file });
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`${flag} ${path}: cannot create a file in the directory '${dir}' (${fsReason(err)}).`, {
      argument: flag,
      rule: Rule.writable,
    });
  }
  if (bytes === undefined || !(bytes > 0)) return;
  let free: number;
  try {
    const fs = statfsSync(dir);
    free = fs.bavail * fs.bsize;
  } catch {
    return; // a file system that cannot say: the write itself will tell
  }
  // Replacing a file frees its blocks only after the rename; until then both exist.
  if (bytes + FREE_SPACE_MARGIN > free) {
    throw new UsageError(
      `${flag} ${path}: the file needs about ${formatBytes(bytes)} but the file system of '${dir}' has ` +
        `${formatBytes(free)} free; free some space or write elsewhere.`,
      { argument: flag, rule: Rule.freeSpace },
    );
  }
}

/**
 * Refuses an output that is the same file as an input, a checkpoint or another output: the
 * same device and inode after `realpath` (so `./a.json`, a symbolic link to it or a hard link
 * all count), or, for a file that does not exist yet, the same name in the same folder.
 *
 * @param outputs - the files the command writes.
 * @param others - the files it reads or keeps (inputs, checkpoint).
 * @throws UsageError naming both flags.
 */
export function refuseSameFile(outputs: readonly FlagPath[], others: readonly FlagPath[]): void {
  const seen: { p: FlagPath; id: string }[] = [];
  for (const p of others) seen.push({ p, id: fileIdentity(p.path) });
  for (const p of outputs) {
    const id = fileIdentity(p.path);
    const clash = seen.find((s) => s.id === id);
    if (clash !== undefined) {
      const what = others.includes(clash.p) ? 'it would be overwritten' : 'both would write it';
      throw new UsageError(
        `${p.flag} ${p.path} is the same file as ${clash.p.flag} ${clash.p.path}: ${what}; give another file name.`,
        { argument: p.flag, rule: Rule.distinctFiles },
      );
    }
    seen.push({ p, id });
  }
}

/**
 * @param path - any path.
 * @returns `dev:ino` of the file, or, when it does not exist, `dev:ino/name` of its real folder
 *   (or the absolute path when the folder does not exist either).
 */
export function fileIdentity(path: string): string {
  const full = resolve(path);
  try {
    const st = statSync(realpathSync(full));
    return `${st.dev}:${st.ino}`;
  } catch {
    try {
      const dir = realpathSync(dirname(full));
      const st = statSync(dir);
      return `${st.dev}:${st.ino}/${basename(full)}`;
    } catch {
      return full;
    }
  }
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Every check of a command's outputs, before any work: each is writable (with room for its
 * size when known), none is an input, the checkpoint, or another output.
 *
 * @param outputs - the files the command will write (undefined paths are skipped).
 * @param inputs - the files it reads or keeps (undefined paths are skipped).
 * @throws UsageError naming the flag and the problem.
 */
export function checkOutputs(
  outputs: readonly (Partial<FlagPath> & { flag: string; bytes?: number })[],
  inputs: readonly (Partial<FlagPath> & { flag: string })[] = [],
): void {
  const outs = outputs.filter((o): o is FlagPath & { bytes?: number } => o.path !== undefined);
  const ins = inputs.filter((o): o is FlagPath => o.path !== undefined);
  refuseSameFile(outs, ins);
  for (const o of outs) checkWritable(o.path, o.flag, o.bytes);
}
