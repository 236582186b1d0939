/**
 * Argument checks shared by the exact statistics of the Concrete distribution.
 *
 * The distribution class validates its parameters first; these checks only guard the
 * numerical routines against inputs on which they would return garbage.
 *
 * @packageDocumentation
 */
import { RangeError, Rule } from '../../errors.js';

/**
 * Throws a `RangeError` unless `logits` is a non-empty list of finite numbers or `-Infinity`
 * with at least one finite entry, and `temperature` is finite and positive.
 *
 * @param caller - name of the calling function, used in the message.
 * @param logits - unnormalised log-probabilities, one per category.
 * @param temperature - the temperature `tau`.
 * @returns nothing; throws on invalid input.
 */
export function checkConcreteArguments(caller: string, logits: ArrayLike<number>, temperature: number): void {
  if (logits.length === 0) {
    throw new RangeError(`${caller}: logits must have at least one category (K >= 1), received an empty list`, {
      argument: 'logits',
      rule: Rule.nonEmpty,
    });
  }
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || !(temperature > 0)) {
    throw new RangeError(`${caller}: temperature must be finite and > 0, received ${String(temperature)}`, {
      argument: 'temperature',
      rule: Rule.positive,
    });
  }
  let finite = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (typeof v !== 'number' || Number.isNaN(v) || v === Infinity) {
      throw new RangeError(`${caller}: logits[${i}] must be a finite number or -Infinity, received ${String(v)}`, {
        argument: `logits.${i}`,
        rule: Rule.realVector,
      });
    }
    if (v > -Infinity) finite++;
  }
  if (finite === 0) {
    throw new RangeError(
      `${caller}: logits must have at least one finite entry (a class of positive probability), received all -Infinity`,
      { argument: 'logits', rule: Rule.realVector },
    );
  }
}
