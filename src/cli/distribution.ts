/**
 * Turns the distribution flags (`--temperature`, `--probs` / `--logits`) into a
 * `torch.distributions.RelaxedOneHotCategorical`, mapping the library's `ValueError`s and
 * `TypeError`s to a one-line {@link UsageError} that names the flag (from the error's `argument`
 * and `rule`, never from its message).
 *
 * @packageDocumentation
 */
import { type CodedError, Rule, isCodedError, torch } from '../index.js';
import { UsageError, flagOf, oneLine } from './errors.js';
import type { Nested } from './params.js';

/** The distribution flags as parsed. */
export interface DistributionFlags {
  /** `--temperature`: a number or a batch-shaped array. */
  temperature: Nested;
  /** `--probs`, when given. */
  probs?: Nested;
  /** `--logits`, when given. */
  logits?: Nested;
}

/** A distribution with the flag its parameter came from. */
export interface BuiltDistribution {
  /** The distribution. */
  dist: torch.distributions.RelaxedOneHotCategorical;
  /** `'--probs'` or `'--logits'`. */
  paramFlag: '--probs' | '--logits';
}

/**
 * @param flags - temperature and exactly one of probs / logits.
 * @returns the distribution.
 * @throws UsageError naming the flag whose value breaks a rule of the distribution.
 */
export function buildDistribution(flags: DistributionFlags): BuiltDistribution {
  if (flags.probs !== undefined && flags.logits !== undefined) {
    throw new UsageError('--probs and --logits cannot be used together: give the parameter one way.', {
      argument: '--logits',
      rule: Rule.exclusive,
    });
  }
  const paramFlag = flags.logits !== undefined ? '--logits' : '--probs';
  const raw = flags.logits ?? flags.probs;
  if (raw === undefined)
    throw new UsageError('one of --probs or --logits is required.', { argument: '--probs', rule: Rule.required });
  // A lone number on the command line means a one-category vector, not a 0-d parameter.
  const param = typeof raw === 'number' ? [raw] : raw;
  try {
    const options = paramFlag === '--logits' ? { logits: param } : { probs: param };
    return { dist: new torch.distributions.RelaxedOneHotCategorical(flags.temperature, options), paramFlag };
  } catch (err) {
    if (!isCodedError(err) || (err.code !== 'ERR_VALUE' && err.code !== 'ERR_TYPE')) throw err;
    throw new UsageError(`${blame(err, paramFlag)}: ${oneLine(err.message, 300)}`, {
      argument: blame(err, paramFlag),
      rule: err.rule,
    });
  }
}

/** Which flag an error of the distribution is about: shapes that do not broadcast are the pair's. */
function blame(err: CodedError, paramFlag: string): string {
  if (err.rule === Rule.broadcastable) return `--temperature and ${paramFlag}`;
  return err.argument === 'temperature' ? (flagOf(err) as string) : paramFlag;
}

/**
 * @param dist - a distribution.
 * @returns its temperature broadcast to the batch shape (a number when there is no batch).
 */
export function rowTemperatures(dist: torch.distributions.RelaxedOneHotCategorical): torch.Tensor {
  return dist.temperature.add(torch.zeros(dist.batch_shape));
}

/**
 * @param dist - a distribution.
 * @param which - the normalised probabilities or logits.
 * @returns them broadcast to `[...batch_shape, K]`.
 */
export function rowParams(dist: torch.distributions.RelaxedOneHotCategorical, which: 'probs' | 'logits'): torch.Tensor {
  return dist[which].add(torch.zeros([...dist.batch_shape, ...dist.event_shape]));
}
