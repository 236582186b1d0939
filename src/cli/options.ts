/**
 * Flags shared by several subcommands, each with a strict parser that throws a
 * {@link UsageError} naming the flag.
 *
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import { UsageError, quote } from './errors.js';
import { parseCount } from './numbers.js';
import { Rule, maxThreads } from '../index.js';
import { type Nested, parseNumeric } from './params.js';

/** Values of the shared flags after parsing. */
export interface SharedFlags {
  /** `--temperature`. */
  temperature: Nested;
  /** `--probs`. */
  probs?: Nested;
  /** `--logits`. */
  logits?: Nested;
  /** `--seed`. */
  seed?: number;
  /** `--threads`. */
  threads?: number;
  /** `--quiet`. */
  quiet?: boolean;
}

/**
 * @param flag - the flag, for messages.
 * @param min - 1 for counts, 0 for seeds.
 * @param example - shown in the message.
 * @returns a parser for whole numbers written as digits or in scientific notation (`1e8`).
 */
export function countParser(flag: string, min: 0 | 1, example: string): (text: string) => number {
  return (text) => {
    const v = parseCount(text.trim(), min);
    if (v === null) {
      const what = min === 1 ? 'a positive integer' : 'a non-negative integer';
      throw new UsageError(`${flag} must be ${what} such as ${example} (at most 2^53 - 1), but got ${quote(text)}.`, {
        argument: flag,
        rule: min === 1 ? Rule.positiveInteger : Rule.nonNegativeInteger,
      });
    }
    return v;
  };
}

/**
 * @param text - `--threads` as given.
 * @returns the count, when within the engine's limit (4 per core, and the memory budget).
 * @throws UsageError giving the limit and the cores.
 */
export function threadsParser(text: string): number {
  const n = countParser('--threads', 1, '2')(text);
  const max = maxThreads();
  if (n > max.threads) {
    throw new UsageError(
      `--threads must be at most ${max.threads} on this machine (${max.reason}; it has ${max.cores} ` +
        `core${max.cores === 1 ? '' : 's'}), but got ${n}. More threads than cores only queue for them.`,
      { argument: '--threads', rule: Rule.sizeLimit },
    );
  }
  return n;
}

/**
 * Adds `--temperature`, `--probs` and `--logits`.
 *
 * @param cmd - the subcommand.
 * @param o - whether a temperature is asked for (sweep has `--temperatures` instead; `'required'`
 *   when no default makes sense, as for scoring given values), and the default probabilities to show in the help (the command applies them when neither flag is given).
 * @returns the subcommand.
 */
export function addDistributionFlags(
  cmd: Command,
  o: { temperature: boolean | 'required'; defaultProbs?: string },
): Command {
  if (o.temperature) {
    const opt = new Option(
      '--temperature <t>',
      'temperature: a number, or a JSON array / @file.json with one per batch element',
    ).argParser((t: string) => parseNumeric(t, '--temperature'));
    if (o.temperature === 'required') opt.makeOptionMandatory();
    else opt.default(0.5, '0.5');
    cmd.addOption(opt);
  }
  cmd.addOption(
    new Option(
      '--probs <p>',
      'category probabilities: 0.7,0.2,0.1, a JSON array (last axis = categories) or @file.json' +
        (o.defaultProbs ? ` (default without --logits: ${o.defaultProbs})` : ''),
    )
      .argParser((t: string) => parseNumeric(t, '--probs'))
      .conflicts('logits'),
  );
  cmd.addOption(
    new Option('--logits <l>', 'category logits instead of --probs: 0.1,-0.2,0.3, a JSON array or @file.json')
      .argParser((t: string) => parseNumeric(t, '--logits'))
      .conflicts('probs'),
  );
  return cmd;
}

/**
 * Adds `--samples` with a default.
 *
 * @param cmd - the subcommand.
 * @param fallback - the default count, or undefined when the flag is required.
 * @param help - what the count counts.
 * @returns the subcommand.
 */
export function addSamplesFlag(cmd: Command, fallback: number | undefined, help: string): Command {
  const opt = new Option('--samples <n>', help).argParser(countParser('--samples', 1, '1000000 or 1e6'));
  if (fallback === undefined) opt.makeOptionMandatory();
  else opt.default(fallback, fallback.toExponential().replace('e+', 'e'));
  return cmd.addOption(opt);
}

/**
 * Adds `--seed`, `--threads` and `--quiet`.
 *
 * @param cmd - the subcommand.
 * @param o - `random: false` for a command that draws nothing: `--seed` is then refused by name.
 * @returns the subcommand.
 */
export function addRunFlags(cmd: Command, o: { random: boolean } = { random: true }): Command {
  const seed = o.random
    ? new Option('--seed <n>', 'seed of the random streams (default: random, and reported)').argParser(
        countParser('--seed', 0, '42'),
      )
    : new Option('--seed <n>').hideHelp().argParser(() => {
        throw new UsageError(`--seed does not apply to ${cmd.name()}: it draws nothing, its result is deterministic.`, {
          argument: '--seed',
          rule: Rule.notApplicable,
        });
      });
  return cmd
    .addOption(seed)
    .addOption(
      new Option('--threads <n>', 'worker threads (default: the number of cores; at most 4 per core)').argParser(
        threadsParser,
      ),
    )
    .addOption(new Option('--quiet', 'no progress on stderr'));
}

/**
 * Adds `--no-exact` (estimate and sweep): skip the exact moments, so the report has no exact or
 * z columns (JSON `exact: null`, empty CSV cells).
 *
 * @param cmd - the subcommand.
 * @returns the subcommand.
 */
export function addExactFlag(cmd: Command): Command {
  return cmd.addOption(new Option('--no-exact', 'skip the exact moments (no exact or z columns; JSON exact: null)'));
}
