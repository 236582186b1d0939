/**
 * A vector of exact sums: the merged state of a job whose chunks return Float64Arrays of sums.
 * Adding is exact, so the totals depend only on which chunks were added.
 *
 * @packageDocumentation
 */
import { Rule, TypeError } from '../errors.js';
import { ExactSumArray } from '../kernels/exact-sum-array.js';

/** Exact running totals of a fixed-length vector of sums. */
export class ExactVector {
  private sums: ExactSumArray;

  /** @param length - number of sums. */
  constructor(readonly length: number) {
    this.sums = new ExactSumArray(length);
  }

  /** @param values - one chunk's sums (`length` of them). */
  add(values: Float64Array): void {
    this.sums.addAll(values);
  }

  /** @param other - totals of disjoint chunks of the same job. */
  addVector(other: ExactVector): void {
    this.sums.addArray(other.sums);
  }

  /** @returns every total rounded once to the nearest double. */
  values(): Float64Array {
    const out = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.sums.value(i);
    return out;
  }

  /** @returns the lossless text form. */
  toJSON(): string[] {
    return this.sums.toJSON();
  }

  /**
   * @param json - a value of {@link ExactVector.toJSON}.
   * @param length - the expected length.
   * @param argument - the field it was read from, for an error (`sums.sums`).
   * @returns the totals.
   * @throws TypeError for a malformed value or the wrong length.
   */
  static fromJSON(json: unknown, length: number, argument = 'sums'): ExactVector {
    if (!Array.isArray(json) || json.length !== length)
      throw new TypeError(`exact sums: expected an array of ${length} entries`, { argument, rule: Rule.stateSchema });
    const v = new ExactVector(length);
    v.sums = ExactSumArray.fromJSON(json, argument);
    return v;
  }
}
