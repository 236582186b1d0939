/**
 * CSV of numbers: a header line of column names, then one row of numbers per line.
 *
 * Reading is strict: every row has as many fields as the header, every field is a number in
 * the grammar of `numbers.ts` (surrounding spaces allowed, an empty field is an error, not 0),
 * and a first line made only of numbers is refused as a missing header rather than silently
 * dropped. Writing uses JavaScript's shortest round-trip form of each float64 (`String(x)`),
 * so values read back bit for bit.
 *
 * @packageDocumentation
 */
import { AbortError, Rule } from '../index.js';
import { UsageError, quote } from './errors.js';
import { parseCsvNumber } from './numbers.js';
import type { Steps } from './steps.js';

/** A parsed numeric CSV. */
export interface NumericCsv {
  /** Column names. */
  header: string[];
  /** Data rows. */
  rows: number;
  /** The values, row-major (`rows * header.length`), over a SharedArrayBuffer. */
  data: Float64Array;
}

/**
 * @param text - the whole file.
 * @param name - the file name, for messages.
 * @returns header and values.
 * @throws UsageError naming the file, the line and the rule broken.
 *
 * @example
 * ```ts
 * parseCsv('y0,y1\n0.25,0.75\n', 'z.csv'); // { header: ['y0', 'y1'], rows: 1, data: Float64Array [0.25, 0.75] }
 * ```
 */
export function parseCsv(text: string, name: string): NumericCsv {
  const steps = parseSteps(Buffer.from(text, 'utf8'), name, { done: 0, total: 0 });
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Rows parsed so far, of how many (0 until the lines are counted). */
export interface CsvProgress {
  done: number;
  total: number;
}

/**
 * {@link parseCsv} of the file's bytes, in slices of about {@link FIELDS_PER_SLICE} fields,
 * yielding to the event loop between them: a file of millions of rows never holds the main
 * thread for long (the bytes are decoded a window of about a megabyte at a time, never as one
 * string), a signal stops the parse, and the rows parsed are reported.
 *
 * @param bytes - the whole file.
 * @param name - the file name, for messages.
 * @param signal - checked between slices.
 * @param onProgress - rows parsed and rows in the file, once counted, at most every `intervalMs`.
 * @param intervalMs - the least time between two reports (default 100 ms).
 * @returns header and values.
 * @throws UsageError as {@link parseCsv}; AbortError when `signal` fires.
 */
export async function parseCsvAsync(
  bytes: Uint8Array,
  name: string,
  signal?: AbortSignal,
  onProgress?: (p: CsvProgress) => void,
  intervalMs = 100,
): Promise<NumericCsv> {
  const progress: CsvProgress = { done: 0, total: 0 };
  const steps = parseSteps(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name, progress);
  let last = -Infinity;
  for (;;) {
    if (signal?.aborted) throw new AbortError(`${name}: reading was interrupted.`);
    const r = steps.next();
    if (r.done) return r.value;
    if (onProgress !== undefined && progress.total > 0 && performance.now() - last >= intervalMs) {
      last = performance.now();
      onProgress({ ...progress });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Fields parsed between two yields (a few milliseconds of work). */
const FIELDS_PER_SLICE = 2 ** 14;
/** Bytes decoded to text at a time (about a millisecond), extended to the end of a line. */
const WINDOW_BYTES = 2 ** 20;
/** Lines counted between two yields. */
const LINES_PER_SLICE = 2 ** 18;

function* parseSteps(bytes: Buffer, name: string, progress: CsvProgress): Generator<void, NumericCsv> {
  // The text is decoded a window at a time; windows end just after a newline byte, which never
  // occurs inside a multi-byte UTF-8 character, so each decodes on its own.
  let pos = 0;
  let win = '';
  let at = 0;
  const nextLine = (): string => {
    if (at >= win.length) {
      if (pos >= bytes.length) return '';
      const nl = pos + WINDOW_BYTES >= bytes.length ? -1 : bytes.indexOf(10, pos + WINDOW_BYTES);
      const stop = nl < 0 ? bytes.length : nl + 1;
      win = bytes.toString('utf8', pos, stop);
      pos = stop;
      at = 0;
    }
    const nl = win.indexOf('\n', at);
    const end = nl < 0 ? win.length : nl;
    const line = win.charCodeAt(end - 1) === 13 && end > at ? win.slice(at, end - 1) : win.slice(at, end);
    at = end + 1;
    return line;
  };
  // Lines as split(/\r?\n/) counts them, without the empty one after a final newline.
  let lines = 1;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) {
    lines++;
    if (lines % LINES_PER_SLICE === 0) yield;
  }
  if (bytes.length > 0 && bytes[bytes.length - 1] === 10) lines--;
  if (lines <= 0 || (lines === 1 && bytes.toString('utf8').trim() === ''))
    throw new UsageError(`${name}: the file is empty; a CSV needs a header line.`, {
      argument: name,
      rule: Rule.csvFormat,
    });
  const first = nextLine();
  if (first.trim() === '')
    throw new UsageError(`${name}: the file is empty; a CSV needs a header line.`, {
      argument: name,
      rule: Rule.csvFormat,
    });
  const header = first.split(',').map((s) => s.trim());
  const cols = header.length;
  if (header.every((h) => parseCsvNumber(h) !== null)) {
    throw new UsageError(
      `${name}: line 1 must be a header of column names (such as y0,y1,y2), but it holds only numbers.`,
      { argument: name, rule: Rule.csvFormat },
    );
  }
  const rows = lines - 1;
  progress.total = rows;
  const data = new Float64Array(new SharedArrayBuffer(rows * cols * 8));
  let sinceYield = 0;
  for (let r = 0; r < rows; r++) {
    const fields = nextLine().split(',');
    if (fields.length !== cols) {
      throw new UsageError(
        `${name}: line ${r + 2} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${cols}.`,
        { argument: name, rule: Rule.csvFormat },
      );
    }
    for (let c = 0; c < cols; c++) {
      const f = fields[c].trim();
      const v = parseCsvNumber(f);
      if (v === null) {
        throw new UsageError(
          `${name}: line ${r + 2}, column ${c + 1}${f === '' ? ' is empty' : `: ${quote(f)} is not a number`}; ` +
            'fields must be decimals such as 0.25 or 1e-3 (or nan, inf).',
          { argument: name, rule: Rule.csvFormat },
        );
      }
      data[r * cols + c] = v;
    }
    sinceYield += cols;
    if (sinceYield >= FIELDS_PER_SLICE) {
      sinceYield = 0;
      progress.done = r + 1;
      yield;
    }
  }
  progress.done = rows;
  return { header, rows, data };
}

/**
 * Formats rows of numbers as CSV text, a block at a time, so a large table is written
 * without building one huge string.
 *
 * @param data - row-major values.
 * @param cols - values per row.
 * @param rowsPerBlock - rows per yielded string (default: about 2^14 values, a few milliseconds
 *   of formatting, so a writer can hear a signal between blocks).
 * @returns an iterator of text blocks, each ending with a newline.
 */
export function* csvBlocks(
  data: Float64Array,
  cols: number,
  rowsPerBlock = Math.max(1, Math.floor(2 ** 14 / Math.max(1, cols))),
): Generator<string> {
  const rows = cols === 0 ? 0 : data.length / cols;
  for (let r0 = 0; r0 < rows; r0 += rowsPerBlock) {
    const r1 = Math.min(rows, r0 + rowsPerBlock);
    const parts: string[] = [];
    const fields: string[] = new Array<string>(cols);
    for (let r = r0; r < r1; r++) {
      for (let c = 0; c < cols; c++) fields[c] = numberText(data[r * cols + c]);
      parts.push(fields.join(','));
    }
    yield `${parts.join('\n')}\n`;
  }
}

/** `String(x)`, except that -0 keeps its sign (`String(-0)` is `'0'`). */
function numberText(x: number): string {
  return x === 0 && 1 / x < 0 ? '-0' : String(x);
}

/**
 * @param header - column names.
 * @param rows - rows of already formatted cells.
 * @returns the CSV text, header first.
 */
export function csvTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return `${[csvLine(header), ...rows.map(csvLine)].join('\n')}\n`;
}

/**
 * {@link csvTable}, the same text, pausing when a step is due (for many rows).
 *
 * @param steps - the caller's steps.
 */
export async function csvTableInSteps(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  steps: Steps,
): Promise<string> {
  const lines = [csvLine(header)];
  for (const r of rows) {
    lines.push(csvLine(r));
    if (steps.due()) await steps.pause();
  }
  return `${lines.join('\n')}\n`;
}

function csvLine(cells: readonly (string | number)[]): string {
  return cells.map((c) => (typeof c === 'number' ? numberText(c) : c)).join(',');
}
