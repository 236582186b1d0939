/**
 * Parses the numeric parameters of the command line (`--temperature`, `--temperatures`,
 * `--probs`, `--logits`) into nested arrays that `torch.tensor` accepts.
 *
 * One value may be written three ways:
 * - a comma-separated list of decimals: `0.7,0.2,0.1` (a single number is a list of one);
 * - a JSON array, nested for a batch: `[[0,1,2],[2,1,0]]` (a bare JSON number for a scalar);
 * - `@file.json`: the same JSON, read from a file.
 *
 * Every number must follow the strict grammar of `numbers.ts`; arrays must be rectangular.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { UsageError, fsReason, quote } from './errors.js';
import { parseDecimal } from './numbers.js';
import { Rule } from '../index.js';

/** A number or a rectangular nested array of numbers. */
export type Nested = number | Nested[];

/**
 * Parses one numeric parameter.
 *
 * @param text - the raw argument.
 * @param flag - the flag, for messages (`--logits`).
 * @returns the number (a bare number or JSON number) or nested array.
 * @throws UsageError naming the flag (and the file for `@file.json`), the rule and the value.
 *
 * @example
 * ```ts
 * parseNumeric('0.7,0.2,0.1', '--probs');       // [0.7, 0.2, 0.1]
 * parseNumeric('[[0,1,2],[2,1,0]]', '--logits'); // [[0, 1, 2], [2, 1, 0]]
 * parseNumeric('0.5', '--temperature');         // 0.5
 * ```
 */
export function parseNumeric(text: string, flag: string): Nested {
  if (text.startsWith('@')) return parseJsonFile(text.slice(1), flag);
  const t = text.trim();
  if (t.startsWith('[')) return checkJson(parseJsonText(t, `${flag} ${quote(t)}`), `${flag} ${quote(t)}`);
  return parseList(t, flag);
}

/**
 * Like {@link parseNumeric}, but the result is always a list (a lone number becomes `[x]`),
 * for flags that take a vector such as `--temperatures`.
 *
 * @param text - the raw argument.
 * @param flag - the flag, for messages.
 * @returns a one-dimensional array of at least one number.
 */
export function parseVector(text: string, flag: string): number[] {
  const v = parseNumeric(text, flag);
  const list = typeof v === 'number' ? [v] : v;
  if (!list.every((x) => typeof x === 'number')) {
    throw new UsageError(`${flag} must be a flat list of numbers (such as 0.1,0.5,1), but got a nested array.`, {
      argument: flag,
      rule: Rule.dimensions,
    });
  }
  return list as number[];
}

function parseList(text: string, flag: string): Nested {
  if (text === '')
    throw new UsageError(`${flag} must be a number, a comma-separated list, a JSON array or @file.json, but got ''.`, {
      argument: flag,
      rule: Rule.nonEmpty,
    });
  const parts = text.split(',');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i].trim();
    const v = parseDecimal(p);
    if (v === null) {
      const where = parts.length > 1 ? ` (entry ${i + 1} of ${parts.length})` : '';
      throw new UsageError(
        `${flag}: ${quote(p)}${where} is not a finite decimal number; write numbers such as 0.7, -2 or 1e-3, ` +
          `separated by commas, or a JSON array.`,
        { argument: flag, rule: Rule.finite },
      );
    }
    out.push(v);
  }
  return parts.length === 1 && !text.includes(',') ? out[0] : out;
}

function parseJsonFile(path: string, flag: string): Nested {
  const where = `${flag} @${path}`;
  if (path === '')
    throw new UsageError(`${flag}: '@' must be followed by a file name (@params.json).`, {
      argument: flag,
      rule: Rule.path,
    });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${where}: cannot read the file (${fsReason(err)}).`, {
      argument: where,
      rule: Rule.readable,
    });
  }
  return checkJson(parseJsonText(text, where), where);
}

function parseJsonText(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where}: not valid JSON (${(err as Error).message}).`, { argument: where, rule: Rule.json });
  }
}

/** Checks that the JSON is a number or a rectangular array of numbers, and returns it. */
function checkJson(value: unknown, where: string): Nested {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notFinite(where, '');
    return value;
  }
  if (!Array.isArray(value)) {
    throw new UsageError(
      `${where}: must be a JSON number or array of numbers, but is ${value === null ? 'null' : typeof value}.`,
      { argument: where, rule: Rule.tensorLike },
    );
  }
  shapeOf(value, where, []);
  return value as Nested;
}

/**
 * JSON.parse reads `-1e400` as -Infinity; the comma form refuses it, and so does the JSON form:
 * one grammar, finite decimals only.
 */
function notFinite(where: string, at: string): UsageError {
  return new UsageError(
    `${where}: the entry${at} is not a finite decimal number (beyond the float64 range, as 1e400 is); ` +
      'write numbers such as 0.7, -2 or 1e-3.',
    { argument: where, rule: Rule.finite },
  );
}

function shapeOf(value: unknown, where: string, path: number[]): number[] {
  const at = path.length > 0 ? ` at [${path.join('][')}]` : '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notFinite(where, at);
    return [];
  }
  if (!Array.isArray(value)) {
    throw new UsageError(`${where}: every entry must be a number, but the entry${at} is ${JSON.stringify(value)}.`, {
      argument: where,
      rule: Rule.number,
    });
  }
  if (value.length === 0) return [0];
  const first = shapeOf(value[0], where, [...path, 0]);
  for (let i = 1; i < value.length; i++) {
    const s = shapeOf(value[i], where, [...path, i]);
    if (s.length !== first.length || s.some((d, j) => d !== first[j])) {
      throw new UsageError(
        `${where}: the array must be rectangular, but the entry at [${[...path, i].join('][')}] has shape [${s.join(', ')}] ` +
          `while the entry at [${[...path, 0].join('][')}] has shape [${first.join(', ')}].`,
        { argument: where, rule: Rule.shape },
      );
    }
  }
  return [value.length, ...first];
}
