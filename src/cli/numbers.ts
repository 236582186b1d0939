/**
 * A strict number grammar for the command line and CSV files.
 *
 * `Number(s)` turns `''`, `' '` and `'0x10'` into numbers and `parseFloat` ignores trailing
 * junk (`'1.5abc'` is 1.5); both hide typos. Here a number is a decimal literal only:
 *
 * ```text
 * number  = [sign] (digits [. [digits]] | . digits) [(e|E) [sign] digits]
 * ```
 *
 * and, where non-finite values make sense (CSV data), the words `nan`, `inf`, `infinity`
 * (any case, with a sign for the infinities), as NumPy and JavaScript write them.
 *
 * @packageDocumentation
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const UNSIGNED_INTEGER_LIKE = /^\d+(?:\.\d*)?(?:[eE][+]?\d+)?$/;
const NON_FINITE = /^(?:([+-]?)(inf|infinity)|nan)$/i;

/**
 * @param text - the candidate, exactly (no surrounding space).
 * @returns the finite number it spells, or `null` when it is not a decimal literal or overflows.
 *
 * @example
 * ```ts
 * parseDecimal('1e-3');  // 0.001
 * parseDecimal('');      // null
 * parseDecimal('0x10');  // null
 * ```
 */
export function parseDecimal(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

/**
 * @param text - a CSV field, exactly.
 * @returns the number, including `nan` / `inf` / `-inf` / `Infinity` (any case), or `null`.
 */
export function parseCsvNumber(text: string): number | null {
  const v = parseDecimal(text);
  if (v !== null) return v;
  const m = NON_FINITE.exec(text);
  if (m === null) return null;
  if (m[2] === undefined) return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

/**
 * A count such as `--samples 1e8`: digits, optionally in scientific notation, whose value is a
 * whole number (`1.5e3` is 1500 and fine; `1.5` is not).
 *
 * @param text - the candidate.
 * @param min - smallest allowed value (1 for counts, 0 for seeds).
 * @returns the integer, or `null` when it is not one, is below `min` or above 2^53 - 1.
 *
 * @example
 * ```ts
 * parseCount('1e8', 1); // 100000000
 * parseCount('-3', 1);  // null
 * ```
 */
export function parseCount(text: string, min: number): number | null {
  if (!UNSIGNED_INTEGER_LIKE.test(text)) return null;
  const v = Number(text);
  return Number.isSafeInteger(v) && v >= min ? v : null;
}
