/**
 * Output file names whose extension picks the format (`--plot x.svg|x.png`; results: `result-format.ts`).
 *
 * @packageDocumentation
 */
import { extname } from 'node:path';
import { UsageError } from './errors.js';
import { Rule } from '../index.js';

/**
 * @param flag - the flag, for the message.
 * @param allowed - the extensions, with the dot, lower case.
 * @returns a commander argument parser that accepts only those extensions.
 */
export function pathWithExtension(flag: string, allowed: readonly string[]): (p: string) => string {
  return (p) => {
    const ext = extname(p).toLowerCase();
    if (!allowed.includes(ext)) {
      const list = allowed.length === 2 ? `${allowed[0]} or ${allowed[1]}` : allowed.join(', ');
      throw new UsageError(
        `${flag} ${p}: the file name must end in ${list} (the extension picks the format), but ends in '${ext}'.`,
        { argument: flag, rule: Rule.extension },
      );
    }
    return p;
  };
}

/** `--plot`: a figure, `.svg` or `.png`. */
export const plotPath = pathWithExtension('--plot', ['.svg', '.png']);
