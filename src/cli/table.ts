/**
 * Plain-text tables for the terminal: right-aligned numbers under centred-free headers,
 * columns separated by two spaces.
 *
 * @packageDocumentation
 */
import type { Steps } from './steps.js';

/**
 * @param head - column titles.
 * @param rows - cells (an empty row prints as a blank line).
 * @param o - titles of left-aligned columns (others are right-aligned).
 * @returns the table, one line per row, without a trailing newline.
 *
 * @example
 * ```ts
 * formatTable(['k', 'mean'], [['0', '0.66'], ['1', '0.22']]);
 * // "k  mean\n0  0.66\n1  0.22"
 * ```
 */
export function formatTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  o: { left?: ReadonlySet<string> } = {},
): string {
  const width = columnWidths(head, rows);
  return [lineOf(head, head, width, o), ...rows.map((r) => lineOf(r, head, width, o))].join('\n');
}

/**
 * {@link formatTable}, the same text, pausing when a step is due (for tables of many rows).
 *
 * @param steps - the caller's steps.
 */
export async function formatTableInSteps(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  o: { left?: ReadonlySet<string> },
  steps: Steps,
): Promise<string> {
  const width = columnWidths(head, rows);
  const lines = [lineOf(head, head, width, o)];
  for (const r of rows) {
    lines.push(lineOf(r, head, width, o));
    if (steps.due()) await steps.pause();
  }
  return lines.join('\n');
}

/** The width of each column (a loop: spreading a long column into `Math.max` overflows the stack). */
function columnWidths(head: readonly string[], rows: readonly (readonly string[])[]): number[] {
  const width = head.map((h) => h.length);
  for (const r of rows) for (let c = 0; c < head.length; c++) width[c] = Math.max(width[c], (r[c] ?? '').length);
  return width;
}

/** One row's line (an empty row is a blank line). */
function lineOf(
  cells: readonly string[],
  head: readonly string[],
  width: readonly number[],
  o: { left?: ReadonlySet<string> },
): string {
  if (cells.length === 0) return '';
  return cells
    .map((s, c) => (o.left?.has(head[c]) ? s.padEnd(width[c]) : s.padStart(width[c])))
    .join('  ')
    .trimEnd();
}

/**
 * @param x - a number.
 * @param digits - digits after the point.
 * @returns `x.toFixed(digits)`, or `NaN` / `inf` spelled out.
 */
export function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/**
 * @param z - a z-score.
 * @returns it with an explicit sign and two decimals (`+0.42`, `-1.07`).
 */
export function signed(z: number): string {
  if (!Number.isFinite(z)) return String(z);
  return `${z >= 0 ? '+' : '-'}${Math.abs(z).toFixed(2)}`;
}
