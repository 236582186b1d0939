/**
 * Command-line flags of the benchmark scripts. Some of them run for an hour or more, so a
 * mistyped flag (or `--help`) must stop them before any work starts, not be ignored while the
 * defaults run: unknown flags, missing values and malformed numbers are refused with the flag
 * named, and `--help` prints the usage.
 *
 * @example
 * ```ts
 * const flags = readFlags('node dist/bench/disk.js [flags]', {
 *   rounds: { arg: 'N', help: 'rounds per side (default 5)' },
 *   quick: { help: 'a short run' },
 * });
 * const rounds = wholeNumber('rounds', flags.rounds, 5, 1);
 * ```
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { BenchInputError } from '../src/bench/errors.js';
import { parseCount, parseDecimal } from '../src/cli/numbers.js';

/** One flag: `arg` names its value (`--rounds N`); without it the flag is a switch. */
export interface FlagSpec {
  readonly arg?: string;
  readonly help: string;
}

/** The parsed flags: a string (or undefined when absent) per valued flag, a boolean per switch. */
export type FlagValues<T extends Readonly<Record<string, FlagSpec>>> = {
  readonly [K in keyof T]: T[K] extends { readonly arg: string } ? string | undefined : boolean;
};

/** A command line the script cannot run with; the message names the flag. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Parses `argv` strictly against `flags`.
 *
 * @param argv - the arguments after the script's path.
 * @param flags - the flags the script knows.
 * @returns the values, or `'help'` when `--help` / `-h` was given.
 * @throws UsageError for an unknown flag, a valued flag without its value, or a positional argument.
 */
export function parseFlags<T extends Readonly<Record<string, FlagSpec>>>(
  argv: readonly string[],
  flags: T,
): FlagValues<T> | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, spec] of Object.entries(flags))
    options[name] = { type: spec.arg === undefined ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  for (const [name, v] of Object.entries(values))
    if (typeof v === 'string' && v.startsWith('--') && flags[name]?.arg !== undefined)
      throw new UsageError(`--${name} needs a value (${flags[name].arg}), but got the flag ${v}.`);
  const out: Record<string, string | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(flags))
    out[name] = spec.arg === undefined ? values[name] === true : (values[name] as string | undefined);
  return out as FlagValues<T>;
}

/**
 * @param usage - the synopsis line.
 * @param flags - the flags the script knows.
 * @returns the usage text `--help` prints.
 */
export function usageText(usage: string, flags: Readonly<Record<string, FlagSpec>>): string {
  const rows = Object.entries(flags).map(([name, s]) => [`--${name}${s.arg === undefined ? '' : ` ${s.arg}`}`, s.help]);
  const width = Math.max(0, ...rows.map(([f]) => f.length));
  return [
    `usage: ${usage}`,
    '',
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`),
    `  ${'--help'.padEnd(width)}  this text`,
  ].join('\n');
}

/**
 * Parses this process's flags; prints the usage and exits 0 on `--help`, prints the error and
 * exits 2 on a bad command line.
 *
 * @param usage - the synopsis line.
 * @param flags - the flags the script knows.
 * @returns the values.
 */
export function readFlags<T extends Readonly<Record<string, FlagSpec>>>(usage: string, flags: T): FlagValues<T> {
  try {
    const parsed = parseFlags(process.argv.slice(2), flags);
    if (parsed !== 'help') return parsed;
    console.log(usageText(usage, flags));
    process.exit(0);
  } catch (e) {
    return exitWith(e);
  }
}

/**
 * Runs `read` (which checks flag values with {@link wholeNumber} and the like) and exits 2 with
 * the message when it throws a UsageError or a BenchInputError (the bench library's own checks,
 * such as an unknown suite).
 *
 * @param read - reads the values.
 * @returns what `read` returned.
 */
export function checked<R>(read: () => R): R {
  try {
    return read();
  } catch (e) {
    return exitWith(e);
  }
}

function exitWith(e: unknown): never {
  if (!(e instanceof UsageError || e instanceof BenchInputError)) throw e;
  console.error(`error: ${e.message} (--help lists the flags)`);
  process.exit(2);
}

/**
 * @param flag - the flag's name, for the message.
 * @param raw - its text, or undefined when absent.
 * @param fallback - the value when absent.
 * @param min - the smallest value allowed.
 * @returns the whole number.
 * @throws UsageError when the text is not a whole number of at least `min` (the CLI's count grammar).
 */
export function wholeNumber(flag: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const v = parseCount(raw, min);
  if (v === null) throw new UsageError(`--${flag} must be a whole number of at least ${min}, but got '${raw}'.`);
  return v;
}

/**
 * @param flag - the flag's name, for the message.
 * @param raw - its text, or undefined when absent.
 * @param fallback - the value when absent.
 * @returns the finite number above zero.
 * @throws UsageError when the text is not a finite number above zero.
 */
export function positiveNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = parseDecimal(raw);
  if (v === null || !(v > 0)) throw new UsageError(`--${flag} must be a finite number above 0, but got '${raw}'.`);
  return v;
}

/**
 * @param flag - the flag's name, for the message.
 * @param raw - its text, or undefined when absent.
 * @param allowed - the values allowed.
 * @param fallback - the value when absent.
 * @returns the value.
 * @throws UsageError when the text is not one of `allowed`.
 */
export function oneOf<const A extends readonly string[]>(
  flag: string,
  raw: string | undefined,
  allowed: A,
  fallback: A[number],
): A[number] {
  if (raw === undefined) return fallback;
  if (!allowed.includes(raw)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, but got '${raw}'.`);
  return raw;
}
