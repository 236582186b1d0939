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
import { UsageError, quote } from './errors.js';
import { parseCsvNumber } from './numbers.js';

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
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0 || lines[0].trim() === '')
    throw new UsageError(`${name}: the file is empty; a CSV needs a header line.`);
  const header = lines[0].split(',').map((s) => s.trim());
  const cols = header.length;
  if (header.every((h) => parseCsvNumber(h) !== null)) {
    throw new UsageError(
      `${name}: line 1 must be a header of column names (such as y0,y1,y2), but it holds only numbers.`,
    );
  }
  const rows = lines.length - 1;
  const data = new Float64Array(new SharedArrayBuffer(rows * cols * 8));
  for (let r = 0; r < rows; r++) {
    const line = lines[r + 1];
    const fields = line.split(',');
    if (fields.length !== cols) {
      throw new UsageError(
        `${name}: line ${r + 2} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${cols}.`,
      );
    }
    for (let c = 0; c < cols; c++) {
      const f = fields[c].trim();
      const v = parseCsvNumber(f);
      if (v === null) {
        throw new UsageError(
          `${name}: line ${r + 2}, column ${c + 1}${f === '' ? ' is empty' : `: ${quote(f)} is not a number`}; ` +
            'fields must be decimals such as 0.25 or 1e-3 (or nan, inf).',
        );
      }
      data[r * cols + c] = v;
    }
  }
  return { header, rows, data };
}

/**
 * Formats rows of numbers as CSV text, a block at a time, so a large table is written
 * without building one huge string.
 *
 * @param data - row-major values.
 * @param cols - values per row.
 * @param rowsPerBlock - rows per yielded string.
 * @returns an iterator of text blocks, each ending with a newline.
 */
export function* csvBlocks(data: Float64Array, cols: number, rowsPerBlock = 65536): Generator<string> {
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
  const line = (cells: readonly (string | number)[]) =>
    cells.map((c) => (typeof c === 'number' ? numberText(c) : c)).join(',');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
