/**
 * Plain-text tables for the terminal: right-aligned numbers under centred-free headers,
 * columns separated by two spaces.
 *
 * @packageDocumentation
 */

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
  const width = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((s, c) => (o.left?.has(head[c]) ? s.padEnd(width[c]) : s.padStart(width[c])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map((r) => (r.length === 0 ? '' : line(r)))].join('\n');
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
