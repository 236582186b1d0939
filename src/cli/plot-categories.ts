/**
 * Which categories a figure draws: `--categories 0,3,7`, `--top N`, or by default all of them
 * up to K = 8 and the 8 most probable beyond. Eight is the size of the palette (and of the set
 * of marker shapes), so every drawn category keeps its own colour and shape, and the legend
 * stays as tall as a panel whatever K.
 *
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import { UsageError, quote } from './errors.js';
import { parseCount } from './numbers.js';
import { countParser } from './options.js';
import { OKABE_ITO } from './plot-style.js';
import { Rule } from '../index.js';

/** Most categories one figure draws (one colour and one marker shape each). */
export const MAX_DRAWN_CATEGORIES = OKABE_ITO.length;

/** Flags of the category selection. */
export interface CategoryFlags {
  /** `--categories`: indices to draw. */
  categories?: number[];
  /** `--top`: draw the N most probable. */
  top?: number;
}

/**
 * Adds `--categories` and `--top` (they exclude each other).
 *
 * @param cmd - the subcommand.
 * @returns the subcommand.
 */
export function addCategoryFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--categories <list>',
        `categories to draw in the figure, such as 0,3,7 (at most ${MAX_DRAWN_CATEGORIES})`,
      )
        .argParser(parseCategoryList)
        .conflicts('top'),
    )
    .addOption(
      new Option(
        '--top <n>',
        `draw the n most probable categories (default: all up to K = ${MAX_DRAWN_CATEGORIES}, else the ${MAX_DRAWN_CATEGORIES} most probable)`,
      )
        .argParser(countParser('--top', 1, '5'))
        .conflicts('categories'),
    );
}

function parseCategoryList(text: string): number[] {
  const parts = text.split(',');
  const out: number[] = [];
  for (const part of parts) {
    const v = parseCount(part.trim(), 0);
    if (v === null) {
      throw new UsageError(
        `--categories must be a comma-separated list of category indices such as 0,3,7, but got ${quote(text)}.`,
        { argument: '--categories', rule: Rule.syntax },
      );
    }
    if (out.includes(v))
      throw new UsageError(`--categories must not repeat a category, but ${v} appears twice.`, {
        argument: '--categories',
        rule: Rule.unique,
      });
    out.push(v);
  }
  return out;
}

/**
 * @param flags - `--categories` / `--top` as parsed.
 * @param probs - the K probabilities.
 * @returns the indices to draw (as listed, or by decreasing probability), and whether they are
 *   the most probable ones picked by `--top` or the default.
 * @throws UsageError for an index `>= K` or more than {@link MAX_DRAWN_CATEGORIES} categories.
 */
export function drawnCategories(flags: CategoryFlags, probs: ArrayLike<number>): { shown: number[]; byRank: boolean } {
  const K = probs.length;
  if (flags.categories !== undefined) {
    const bad = flags.categories.find((k) => k >= K);
    if (bad !== undefined) {
      throw new UsageError(`--categories must list indices from 0 to ${K - 1} (K = ${K}), but got ${bad}.`, {
        argument: '--categories',
        rule: Rule.inRange,
      });
    }
    if (flags.categories.length > MAX_DRAWN_CATEGORIES) {
      throw new UsageError(
        `--categories lists at most ${MAX_DRAWN_CATEGORIES} categories (one colour each), but got ${flags.categories.length}.`,
        { argument: '--categories', rule: Rule.sizeLimit },
      );
    }
    return { shown: flags.categories.slice(), byRank: false };
  }
  if (flags.top !== undefined && flags.top > MAX_DRAWN_CATEGORIES) {
    throw new UsageError(`--top must be at most ${MAX_DRAWN_CATEGORIES} (one colour each), but got ${flags.top}.`, {
      argument: '--top',
      rule: Rule.sizeLimit,
    });
  }
  const n = Math.min(K, flags.top ?? MAX_DRAWN_CATEGORIES);
  if (n === K && flags.top === undefined) return { shown: Array.from({ length: K }, (_, k) => k), byRank: false };
  const order = Array.from({ length: K }, (_, k) => k).sort((a, b) => probs[b] - probs[a] || a - b);
  return { shown: order.slice(0, n), byRank: true };
}
