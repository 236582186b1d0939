/**
 * Reading and writing arrays by file extension: `.npy` (NumPy, float64, C order) or `.csv`
 * (a header, then one row per value along the last dimension).
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { AbortError, type Progress, Rule } from '../index.js';
import type { AtomicFile } from './atomic-file.js';
import { csvBlocks, parseCsvAsync } from './csv.js';
import { UsageError, fsReason } from './errors.js';
import { npyData, npyHeader, parseNpy } from './npy.js';

/** The file formats for arrays. */
export type ArrayFormat = 'npy' | 'csv';

/**
 * @param path - a file name.
 * @param flag - the flag it came from, for messages.
 * @returns the format its extension names.
 * @throws UsageError when the extension is neither `.npy` nor `.csv`.
 */
export function arrayFormatOf(path: string, flag: string): ArrayFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.csv') return 'csv';
  throw new UsageError(
    `${flag} ${path}: the file name must end in .npy or .csv (the extension picks the format), but ends in '${ext}'.`,
    { argument: flag, rule: Rule.extension },
  );
}

/** An array read from a file: shape and row-major values. */
export interface ArrayFile {
  /** `[...rows, K]` for `.npy` as saved; `[rows, K]` for `.csv`. */
  shape: number[];
  /** The values, over a SharedArrayBuffer. */
  data: Float64Array;
}

/**
 * @param path - a `.npy` or `.csv` file.
 * @param flag - the flag it came from, for messages.
 * @param signal - stops the parse of a large CSV.
 * @returns its shape and values.
 * @throws UsageError naming the file when it cannot be read or is malformed.
 */
export async function readArray(path: string, flag: string, signal?: AbortSignal): Promise<ArrayFile> {
  const format = arrayFormatOf(path, flag);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new UsageError(`${flag} ${path}: cannot read the file (${fsReason(err)}).`, {
      argument: flag,
      rule: Rule.readable,
    });
  }
  const name = `${flag} ${path}`;
  if (format === 'npy') return parseNpy(bytes, name);
  const csv = await parseCsvAsync(bytes.toString('utf8'), name, signal);
  return { shape: [csv.rows, csv.header.length], data: csv.data };
}

/**
 * Writes an array to an open output file, in the format its extension names.
 *
 * @param file - the output.
 * @param shape - the array's shape (CSV: rows are all but the last dimension, flattened).
 * @param data - row-major values.
 * @param columns - CSV column names (one per entry of the last dimension).
 * @param signal - stops a long write between blocks.
 * @param onProgress - rows written, a few times a second (CSV; a .npy is written in slices of
 *   a few milliseconds and has no progress).
 */
export async function writeArray(
  file: AtomicFile,
  shape: readonly number[],
  data: Float64Array,
  columns: readonly string[],
  signal?: AbortSignal,
  onProgress?: (p: Progress) => void,
): Promise<void> {
  const cols = columns.length;
  const rows = data.length / cols;
  const t0 = performance.now();
  const report = (done: number) => {
    const secs = (performance.now() - t0) / 1000;
    onProgress?.({ done, total: rows, samplesPerSecond: secs > 0 ? done / secs : 0 });
  };
  if (arrayFormatOf(file.path, '--out') === 'npy') {
    await file.write(npyHeader(shape), signal);
    await file.write(npyData(data), signal);
    return;
  }
  await file.write(`${columns.join(',')}\n`);
  let done = 0;
  let last = 0;
  const perBlock = Math.max(1, Math.floor(ROWS_VALUES / cols));
  for (const block of csvBlocks(data, cols, perBlock)) {
    if (signal?.aborted) throw new AbortError(`writing ${file.path} was interrupted.`);
    await file.write(block);
    done = Math.min(rows, done + perBlock);
    if (performance.now() - last >= 250) {
      last = performance.now();
      report(done);
    }
  }
}

/** Values formatted per CSV block (see `csvBlocks`). */
const ROWS_VALUES = 2 ** 14;
