/**
 * Arrays written and read in blocks, for files larger than memory: an output that takes
 * `[rows, ...]` blocks in order (`.npy`: header first, the size known up front; `.csv`: a header
 * line, then K values per line), and a `.npy` reader that hands out blocks of leading rows. The
 * free space is checked before any work by `output-check.ts`.
 *
 * @packageDocumentation
 */
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { AtomicFile } from './atomic-file.js';
import { csvBlocks } from './csv.js';
import { UsageError, fsReason } from './errors.js';
import { npyData, npyDecode, npyHeader, parseNpyHeader } from './npy.js';
import { arrayFormatOf } from './tensor-io.js';
import { Rule } from '../index.js';

/** An output file written block by block, in order. */
export class BlockWriter {
  private readonly csv: boolean;

  /**
   * Writes the header.
   *
   * @param file - the open output.
   * @param shape - the whole array's shape (`.npy` header).
   * @param columns - CSV column names, one per entry of the last dimension.
   */
  private constructor(
    private readonly file: AtomicFile,
    readonly shape: readonly number[],
    private readonly columns: readonly string[],
  ) {
    this.csv = arrayFormatOf(file.path, '--out') === 'csv';
  }

  /**
   * @param file - the open output.
   * @param shape - the whole array's shape.
   * @param columns - CSV column names.
   * @returns a writer whose header is written.
   */
  static async start(file: AtomicFile, shape: readonly number[], columns: readonly string[]): Promise<BlockWriter> {
    const w = new BlockWriter(file, shape, columns);
    await file.write(w.csv ? `${columns.join(',')}\n` : npyHeader(shape));
    return w;
  }

  /** @param data - the next values, row-major (whole rows of the last dimension). */
  async write(data: Float64Array): Promise<void> {
    if (!this.csv) {
      await this.file.write(npyData(data));
      return;
    }
    for (const block of csvBlocks(data, this.columns.length)) await this.file.write(block);
  }
}

/**
 * Bytes of a `.npy` file of this shape (header and data).
 *
 * @param shape - the array's shape.
 * @returns its size.
 */
export function npyBytes(shape: readonly number[]): number {
  return npyHeader(shape).length + shape.reduce((a, b) => a * b, 1) * 8;
}

/** A `.npy` file read block by block. */
export class NpyBlockReader {
  private constructor(
    private readonly handle: FileHandle,
    /** The array's shape. */
    readonly shape: number[],
    private readonly dataStart: number,
    /** The flag and the path, as the messages name the file. */
    private readonly name: string,
  ) {}

  /**
   * @param path - the file.
   * @param flag - the flag it came from, for messages.
   * @returns a reader (its header checked, and the file's size against it).
   * @throws UsageError when the file cannot be read or is not a complete float64 `.npy`.
   */
  static async open(path: string, flag: string): Promise<NpyBlockReader> {
    const name = `${flag} ${path}`;
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new UsageError(`${name}: cannot read the file (${fsReason(err)}).`, {
        argument: name,
        rule: Rule.readable,
      });
    }
    try {
      const head = Buffer.alloc(65536 + 12);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      const { shape, dataStart } = parseNpyHeader(head.subarray(0, bytesRead), name);
      const need = shape.reduce((a, b) => a * b, 1) * 8;
      const have = (await handle.stat()).size - dataStart;
      const bad = (rule: string) =>
        new UsageError(`${name}: not a readable .npy file: ${rule}.`, { argument: name, rule: Rule.npyFormat });
      if (have < need)
        throw bad(`the file is truncated: shape [${shape.join(', ')}] needs ${need} bytes of data but it has ${have}`);
      if (have > need) throw bad(`the file has ${have - need} bytes after the data of shape [${shape.join(', ')}]`);
      return new NpyBlockReader(handle, shape, dataStart, name);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /**
   * Reads `count` values from value index `first` into `out`.
   *
   * @param first - index of the first value (C order).
   * @param out - receives the values (its length is the count).
   */
  async read(first: number, out: Float64Array): Promise<void> {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    for (let off = 0; off < bytes.byteLength;) {
      const { bytesRead } = await this.handle.read(
        bytes,
        off,
        bytes.byteLength - off,
        this.dataStart + first * 8 + off,
      );
      if (bytesRead === 0)
        throw new UsageError('the file became shorter while it was read.', {
          argument: this.name,
          rule: Rule.readable,
        });
      off += bytesRead;
    }
    // The bytes are little-endian doubles: on a big-endian host, decode them.
    if (endianness() !== 'LE') npyDecode(bytes.slice(), out);
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}
