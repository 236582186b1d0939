/**
 * The format of a result follows the output file's extension, for every command: `.json` JSON,
 * `.csv` CSV, `.txt` or no extension the table. `--format` chooses it for standard output, and
 * a `--format` that contradicts the extension of `--out` is an error rather than a file whose
 * contents belie its name.
 *
 * @packageDocumentation
 */
import { extname } from 'node:path';
import { Option } from 'commander';
import { UsageError } from './errors.js';
import { Rule } from '../index.js';

/** The renderings of a result. */
export type ResultFormat = 'table' | 'json' | 'csv';

const BY_EXTENSION: Record<string, ResultFormat> = { '.json': 'json', '.csv': 'csv', '.txt': 'table', '': 'table' };

/**
 * @param path - a result file.
 * @param flag - the flag it came from, for messages.
 * @returns the format its extension names.
 * @throws UsageError for any other extension.
 */
export function formatOfPath(path: string, flag = '--out'): ResultFormat {
  const ext = extname(path).toLowerCase();
  const f = BY_EXTENSION[ext];
  if (f === undefined) {
    throw new UsageError(
      `${flag} ${path}: the file name must end in .json (JSON), .csv (CSV), or .txt or nothing (the table): ` +
        `the extension picks the format, but it ends in '${ext}'.`,
      { argument: flag, rule: Rule.extension },
    );
  }
  return f;
}

/**
 * @param format - `--format` when given on the command line.
 * @param out - `--out` when given.
 * @returns the format of the result: `--format`, else the extension of `--out`, else the table.
 * @throws UsageError when `--format` contradicts the extension of `--out`.
 *
 * @example
 * ```ts
 * resultFormat(undefined, 'r.json'); // 'json'
 * resultFormat('csv', 'r.json');     // throws: --format csv contradicts --out r.json
 * ```
 */
export function resultFormat(format: ResultFormat | undefined, out: string | undefined): ResultFormat {
  const byPath = out === undefined ? undefined : formatOfPath(out);
  if (format !== undefined && byPath !== undefined && format !== byPath) {
    throw new UsageError(
      `--format ${format} contradicts --out ${out}, whose extension means ${byPath === 'table' ? 'the table' : byPath.toUpperCase()}; ` +
        'drop --format (the extension picks the format) or rename the file.',
      { argument: '--format', rule: Rule.consistent },
    );
  }
  return format ?? byPath ?? 'table';
}

/** @returns the `--format` option, with no default so that an explicit choice can be told apart. */
export function formatOption(): Option {
  return new Option(
    '--format <format>',
    'format of the result: table, json or csv (default: the extension of --out, else table)',
  ).choices(['table', 'json', 'csv']);
}
