/**
 * Checks of the engine's options: every rule is enforced before any work starts, and every
 * message names the option, the rule and the value received.
 *
 * @packageDocumentation
 */
import { RangeError, Rule, TypeError } from '../errors.js';

/**
 * @param value - the candidate.
 * @param name - option name for the message.
 * @returns the value as a positive safe integer.
 * @throws TypeError when not a number; RangeError when not a positive safe integer.
 */
export function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a number, but got ${show(value)}.`, { argument: name, rule: Rule.number });
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive safe integer (1 to 2^53 - 1), but got ${value}.`, {
      argument: name,
      rule: Rule.positiveInteger,
    });
  }
  return value;
}

/**
 * @param value - the candidate.
 * @param name - option name for the message.
 * @returns the value as a non-negative safe integer.
 */
export function nonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a number, but got ${show(value)}.`, { argument: name, rule: Rule.number });
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer (0 to 2^53 - 1), but got ${value}.`, {
      argument: name,
      rule: Rule.nonNegativeInteger,
    });
  }
  return value;
}

/**
 * @param value - the candidate (undefined allowed).
 * @param name - option name.
 * @returns the boolean, or the fallback.
 */
export function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new TypeError(`${name} must be a boolean, but got ${show(value)}.`, { argument: name, rule: Rule.boolean });
  return value;
}

/**
 * @param value - the candidate (undefined allowed).
 * @param name - option name.
 * @returns the function, or undefined.
 */
export function optionalFunction<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function')
    throw new TypeError(`${name} must be a function, but got ${show(value)}.`, { argument: name, rule: Rule.function });
  return value as F;
}

/**
 * @param value - the candidate (undefined allowed).
 * @returns the signal, or undefined.
 */
export function optionalSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal))
    throw new TypeError(`signal must be an AbortSignal, but got ${show(value)}.`, {
      argument: 'signal',
      rule: Rule.abortSignal,
    });
  return value;
}

/**
 * @param value - an options argument.
 * @param name - its name.
 * @returns it as a record (an empty one when undefined).
 */
export function optionsObject(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, but got ${show(value)}.`, {
      argument: 'options',
      rule: Rule.object,
    });
  }
  return value as Record<string, unknown>;
}

/**
 * Rejects option names that are not known (a typo such as `sample` for `samples` would
 * otherwise be ignored silently).
 *
 * @param opts - the options.
 * @param known - the accepted names.
 * @param name - the options argument's name.
 */
export function knownKeys(opts: Record<string, unknown>, known: readonly string[], name: string): void {
  for (const k of Object.keys(opts)) {
    if (!known.includes(k))
      throw new TypeError(`${name}: unknown option "${k}" (known: ${known.join(', ')}).`, {
        argument: k,
        rule: Rule.knownOption,
      });
  }
}

/**
 * Formats a byte count for messages.
 *
 * @param bytes - the count.
 * @returns e.g. `1.50 GiB (1610612736 bytes)`.
 */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${v.toFixed(2)} ${units[u]} (${bytes} bytes)`;
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  if (typeof v === 'string') return `the string "${v}"`;
  return `${typeof v} ${String(v)}`;
}
