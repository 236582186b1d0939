/**
 * `sample --checkpoint FILE`: a sample file written across interruptions. The data goes to
 * `NAME.partial` (named in the checkpoint, kept on signals and crashes); after each block the
 * partial files are flushed with fsync and then the checkpoint records how many draws they hold
 * (and, for CSV, their fsynced length). A rerun of the same command reopens them: `.npy` blocks
 * are written at their offsets (the header first), a CSV is truncated to its recorded length and
 * appended to, and the stream resumes at the recorded draw. At the end the partial files are
 * renamed to their names. The result has the bytes of an uninterrupted run.
 *
 * @packageDocumentation
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as v from 'valibot';
import { ENGINE_STREAM_VERSION, Rule, StateFileError } from '../index.js';
import { csvBlocks } from './csv.js';
import { UsageError, fsReason } from './errors.js';
import { npyData, npyHeader } from './npy.js';
import { arrayFormatOf } from './tensor-io.js';

const FORMAT = 'relaxed-mc-sample-checkpoint';
const VERSION = 1;

/** What makes the output what it is: a checkpoint for other parameters is refused. */
export interface SampleParams {
  logits: number[];
  temperature: number[];
  batchShape: number[];
  K: number;
  seed: number;
  samples: number;
  logSpace: boolean;
  out: string;
  logProb: string | null;
}

interface Saved {
  format: string;
  version: number;
  generator: string;
  params: SampleParams;
  /** Draws the partial files hold (flushed). */
  done: number;
  /** Flushed byte lengths of the partial files (CSV: where to truncate on resume). */
  bytes: number[];
  checksum?: string;
}

/** A non-negative safe integer. */
const Count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
/** Numbers as JSON wrote them: a non-finite one (a -Infinity logit, from a zero probability) is null. */
const JsonNumbers = v.array(v.nullable(v.number()));

/**
 * What a checkpoint holds (`Saved`), checked once its checksum matched: a file that matches its
 * checksum but not this was written by another program (or edited), and the field at fault is
 * named rather than met later as a missing value.
 */
const SavedSchema = v.pipe(
  v.strictObject({
    format: v.literal(FORMAT),
    version: v.literal(VERSION),
    generator: v.string(),
    params: v.strictObject({
      logits: JsonNumbers,
      temperature: JsonNumbers,
      batchShape: v.array(Count),
      K: Count,
      seed: Count,
      samples: Count,
      logSpace: v.boolean(),
      out: v.string(),
      logProb: v.nullable(v.string()),
    }),
    done: Count,
    bytes: v.array(Count),
    checksum: v.string(),
  }),
  v.forward(
    v.check((s) => s.done <= s.params.samples, 'Invalid count: more draws done than the run asks for'),
    ['done'],
  ),
  v.forward(
    v.check(
      (s) => s.bytes.length === (s.params.logProb === null ? 1 : 2),
      'Invalid length: expected one length per output file',
    ),
    ['bytes'],
  ),
);

/** One partial output file. */
class Partial {
  private constructor(
    readonly path: string,
    readonly partial: string,
    private readonly handle: FileHandle,
    private readonly csv: boolean,
    private readonly header: Buffer,
    private readonly rowBytes: number,
    private readonly columns: readonly string[],
    /** Bytes written (CSV: the append position). */
    public length: number,
  ) {}

  static async open(
    path: string,
    shape: readonly number[],
    columns: readonly string[],
    resumeLength: number | null,
  ): Promise<Partial> {
    const partial = `${resolve(path)}.partial`;
    const csv = arrayFormatOf(path, '--out') === 'csv';
    let handle: FileHandle;
    try {
      handle = await open(partial, resumeLength !== null && existsSync(partial) ? 'r+' : 'w');
    } catch (err) {
      throw new UsageError(`--out ${path}: cannot create ${partial} (${fsReason(err)}).`, {
        argument: '--out',
        rule: Rule.writable,
      });
    }
    const header = csv ? Buffer.from(`${columns.join(',')}\n`, 'utf8') : npyHeader(shape);
    const rowBytes = shape.slice(1).reduce((a, b) => a * b, 1) * 8;
    // Resuming: the recorded length is what was flushed (NPY: the header and the done draws, in
    // order; CSV: where the next line goes, so anything after it is cut off).
    const length = resumeLength ?? header.length;
    if (resumeLength !== null && csv) await handle.truncate(resumeLength);
    await handle.write(header, 0, header.length, 0);
    return new Partial(path, partial, handle, csv, header, rowBytes, columns, length);
  }

  /** Writes the values of draws from `first` (NPY: at their offset; CSV: appended). */
  async write(first: number, data: Float64Array): Promise<void> {
    if (!this.csv) {
      const bytes = npyData(data);
      await writeAll(this.handle, bytes, this.header.length + first * this.rowBytes);
      this.length = Math.max(this.length, this.header.length + first * this.rowBytes + bytes.byteLength);
      return;
    }
    for (const block of csvBlocks(data, this.columns.length)) {
      const bytes = Buffer.from(block, 'utf8');
      await writeAll(this.handle, bytes, this.length);
      this.length += bytes.byteLength;
    }
  }

  async sync(): Promise<void> {
    await this.handle.sync();
  }

  /** Flushes, closes and renames the partial file to its name. */
  async finish(): Promise<void> {
    await this.handle.truncate(this.length);
    await this.handle.sync();
    await this.handle.close();
    await rename(this.partial, resolve(this.path));
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/** A checkpoint write killed between its temporary file and the rename leaves the former: remove it. */
function removeStaleTemps(file: string): void {
  const dir = dirname(resolve(file));
  const prefix = `.${basename(file)}.`;
  for (const e of readdirSync(dir)) {
    if (e.startsWith(prefix) && e.endsWith('.tmp')) rmSync(join(dir, e), { force: true });
  }
}

async function writeAll(h: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let off = 0; off < bytes.byteLength;) {
    const n = Math.min(64 * 2 ** 20, bytes.byteLength - off);
    const { bytesWritten } = await h.write(bytes, off, n, position + off);
    off += bytesWritten;
  }
}

function checksum(s: Omit<Saved, 'checksum'>): string {
  return createHash('sha256').update(JSON.stringify(s)).digest('hex');
}

/**
 * Reads a sample checkpoint.
 *
 * @param file - its path.
 * @returns its contents, or null when it does not exist.
 * @throws UsageError when it is unreadable, fails its checksum, is of another stream version or not a sample
 *   checkpoint; StateFileError naming the field when it matches its checksum but not its schema.
 */
export function readSampleCheckpoint(file: string): Saved | null {
  if (!existsSync(file)) return null;
  let saved: Saved;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Saved;
  } catch (err) {
    throw new UsageError(
      `--checkpoint ${file}: not a complete checkpoint (${(err as Error).message}); it was not used.`,
      { argument: '--checkpoint', rule: Rule.stateFormat },
    );
  }
  if (saved?.format !== FORMAT || saved.version !== VERSION) {
    throw new UsageError(
      `--checkpoint ${file}: not a relaxed-mc sample checkpoint (version ${VERSION}); it was not used.`,
      { argument: '--checkpoint', rule: Rule.stateVersion },
    );
  }
  const { checksum: sum, ...body } = saved;
  if (sum !== checksum(body))
    throw new UsageError(`--checkpoint ${file}: corrupt (checksum mismatch); it was not used.`, {
      argument: '--checkpoint',
      rule: Rule.matchesContents,
    });
  if (saved.generator !== ENGINE_STREAM_VERSION) {
    throw new UsageError(
      `--checkpoint ${file} was written with engine stream version ${saved.generator}, but this version of relaxed-mc ` +
        `draws with ${ENGINE_STREAM_VERSION}; it was not used. Remove it and its .partial files and run again.`,
      { argument: '--checkpoint', rule: Rule.streamVersion },
    );
  }
  const fit = v.safeParse(SavedSchema, saved, { abortEarly: true });
  if (!fit.success) {
    const issue = fit.issues[0];
    const field = v.getDotPath(issue) ?? '(the whole file)';
    throw new StateFileError(`--checkpoint ${file}: corrupt (${field}: ${issue.message}); it was not used.`, file, {
      argument: field,
      rule: Rule.stateSchema,
    });
  }
  return saved;
}

/** The outputs of a checkpointed sample run. */
export class CheckpointedOutputs {
  private constructor(
    private readonly file: string,
    private readonly params: SampleParams,
    private readonly parts: Partial[],
    /** Draws already in the partial files. */
    readonly done: number,
  ) {}

  /**
   * Opens (or reopens) the partial files.
   *
   * @param file - the checkpoint.
   * @param params - this run's parameters.
   * @param outputs - per output: path, shape and CSV columns.
   * @returns the outputs, and where the stream resumes.
   * @throws UsageError when the checkpoint belongs to other parameters.
   */
  static async open(
    file: string,
    params: SampleParams,
    outputs: { path: string; shape: number[]; columns: string[] }[],
  ): Promise<CheckpointedOutputs> {
    const saved = readSampleCheckpoint(file);
    removeStaleTemps(file);
    if (saved !== null && JSON.stringify(saved.params) !== JSON.stringify(params)) {
      const diff = (Object.keys(params) as (keyof SampleParams)[])
        .filter((k) => JSON.stringify(saved.params[k]) !== JSON.stringify(params[k]))
        .join(', ');
      throw new UsageError(
        `--checkpoint ${file} was written for other parameters (${diff} differ); it was not used. ` +
          'Remove it or pass another --checkpoint path.',
        { argument: '--checkpoint', rule: Rule.matchesParams },
      );
    }
    const parts: Partial[] = [];
    try {
      for (const [i, o] of outputs.entries()) {
        parts.push(await Partial.open(o.path, o.shape, o.columns, saved === null ? null : saved.bytes[i]));
      }
    } catch (err) {
      for (const p of parts) await p.close();
      throw err;
    }
    const c = new CheckpointedOutputs(file, params, parts, saved?.done ?? 0);
    if (saved === null) await c.save(0);
    return c;
  }

  /**
   * @param file - the checkpoint.
   * @param params - this run's parameters.
   * @returns true when the checkpoint records this very run as finished and its files are in place.
   */
  static finished(file: string, params: SampleParams): boolean {
    const saved = readSampleCheckpoint(file);
    if (saved === null || JSON.stringify(saved.params) !== JSON.stringify(params) || saved.done !== params.samples)
      return false;
    const paths = [params.out, ...(params.logProb === null ? [] : [params.logProb])];
    return paths.every((p) => existsSync(p) && !existsSync(`${p}.partial`));
  }

  /**
   * @param i - which output.
   * @param first - first draw of the block.
   * @param data - its values.
   */
  async write(i: number, first: number, data: Float64Array): Promise<void> {
    await this.parts[i].write(first, data);
  }

  /**
   * Makes the data durable, then records it in the checkpoint (atomically: temp, fsync, rename).
   *
   * @param done - draws the partial files now hold.
   */
  async save(done: number): Promise<void> {
    for (const p of this.parts) await p.sync();
    this.record(done);
  }

  private record(done: number): void {
    const body: Omit<Saved, 'checksum'> = {
      format: FORMAT,
      version: VERSION,
      generator: ENGINE_STREAM_VERSION,
      params: this.params,
      done,
      bytes: this.parts.map((p) => p.length),
    };
    const temp = join(dirname(resolve(this.file)), `.${basename(this.file)}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(temp, `${JSON.stringify({ ...body, checksum: checksum(body) })}\n`);
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
  }

  /** Renames every partial file to its name (the checkpoint stays, recording a finished run). */
  async finish(total: number): Promise<void> {
    for (const p of this.parts) await p.finish();
    this.record(total);
  }

  /** Closes the partial files, keeping them (and the checkpoint) for a rerun. */
  async close(): Promise<void> {
    for (const p of this.parts) await p.close();
  }
}
