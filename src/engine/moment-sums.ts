/**
 * The exact merge of chunk moments: every power sum (and cross sum) of a job is an
 * {@link ExactSum}, so adding chunks is exact, and the result depends only on which chunks were
 * added, never on their order, on the thread that ran them, or on how they were grouped
 * (threads, checkpoints, shards). Rounding happens once, when the estimate is formed.
 *
 * @packageDocumentation
 */
import { ExactSumArray } from '../kernels/exact-sum-array.js';
import { summarizeShiftedSums } from '../stats/moment-state.js';
import { POWER_SUMS } from '../kernels/moment-sums.js';
import { Rule, TypeError } from '../errors.js';

/** Estimates per batch element and component (flat, `B * K`; covariance `B * K * K`). */
export interface MomentArrays {
  mean: Float64Array;
  variance: Float64Array;
  stderr: Float64Array;
  varianceStderr: Float64Array;
  covariance: Float64Array | null;
}

/** Exact running totals of a moments job. */
export class MomentSums {
  /** Draws per batch element merged so far. */
  draws = 0;
  private power: ExactSumArray;
  private cross: ExactSumArray;

  /**
   * @param B - batch elements.
   * @param K - categories.
   * @param covariance - whether cross sums are kept.
   */
  constructor(
    readonly B: number,
    readonly K: number,
    readonly covariance: boolean,
  ) {
    this.power = new ExactSumArray(B * POWER_SUMS * K);
    this.cross = new ExactSumArray(covariance ? (B * K * (K + 1)) / 2 : 0);
  }

  /**
   * Adds one chunk's sums (layout of the kernels' power sums, then `accumulateCrossSums`).
   *
   * @param sums - the chunk's sums.
   * @param draws - draws per batch element in the chunk.
   */
  addChunk(sums: Float64Array, draws: number): void {
    const { B, K } = this;
    const np = this.power.length;
    for (let i = 0; i < np; i++) this.power.add(i, sums[i]);
    if (this.covariance) {
      let t = 0;
      for (let b = 0; b < B; b++) {
        const o = np + b * K * K;
        for (let j = 0; j < K; j++) for (let k = j; k < K; k++) this.cross.add(t++, sums[o + j * K + k]);
      }
    }
    this.draws += draws;
  }

  /**
   * Adds another set of totals (a shard or a checkpoint) exactly.
   *
   * @param other - totals of disjoint chunks of the same job.
   */
  addSums(other: MomentSums): void {
    this.power.addArray(other.power);
    this.cross.addArray(other.cross);
    this.draws += other.draws;
  }

  /** @returns a lossless text form (for checkpoints and shard files). */
  toJSON(): { draws: number; power: string[]; cross: string[] } {
    return { draws: this.draws, power: this.power.toJSON(), cross: this.cross.toJSON() };
  }

  /**
   * @param B - batch elements.
   * @param K - categories.
   * @param covariance - whether cross sums are kept.
   * @param json - a value from {@link MomentSums.toJSON}.
   * @returns the totals.
   * @throws TypeError when the text does not fit the shape.
   */
  static fromJSON(B: number, K: number, covariance: boolean, json: unknown): MomentSums {
    const m = new MomentSums(B, K, covariance);
    const j = json as { draws?: unknown; power?: unknown; cross?: unknown };
    if (
      j === null ||
      typeof j !== 'object' ||
      typeof j.draws !== 'number' ||
      !Number.isSafeInteger(j.draws) ||
      j.draws < 0 ||
      !Array.isArray(j.power) ||
      j.power.length !== m.power.length ||
      !Array.isArray(j.cross) ||
      j.cross.length !== m.cross.length
    ) {
      throw new TypeError('moment sums: malformed or of the wrong size for this job', {
        argument: 'sums',
        rule: Rule.stateSchema,
      });
    }
    m.draws = j.draws;
    m.power = ExactSumArray.fromJSON(j.power, 'sums.power');
    m.cross = ExactSumArray.fromJSON(j.cross, 'sums.cross');
    return m;
  }

  /**
   * Forms the estimates (rounding each exact total once).
   *
   * @param shift - the job's `B * K` shifts.
   * @returns mean, unbiased variance, standard errors and (when kept) covariance.
   */
  estimate(shift: Float64Array): MomentArrays {
    const { B, K, draws: n } = this;
    const mean = new Float64Array(B * K);
    const variance = new Float64Array(B * K);
    const stderr = new Float64Array(B * K);
    const varianceStderr = new Float64Array(B * K);
    const s1 = new Float64Array(B * K);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < K; k++) {
        const o = b * POWER_SUMS * K + k;
        const i = b * K + k;
        s1[i] = this.power.value(o);
        const s = summarizeShiftedSums(
          n,
          shift[i],
          s1[i],
          this.power.value(o + K),
          this.power.value(o + 2 * K),
          this.power.value(o + 3 * K),
        );
        mean[i] = s.mean;
        variance[i] = s.variance;
        stderr[i] = s.stderr;
        varianceStderr[i] = s.varianceStderr;
      }
    }
    let covariance: Float64Array | null = null;
    if (this.covariance) {
      covariance = new Float64Array(B * K * K);
      let t = 0;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < K; j++) {
          for (let k = j; k < K; k++) {
            const sjk = this.cross.value(t++);
            // Same formula as the variance, so the diagonal equals it.
            const c = j === k ? variance[b * K + j] : (sjk - (s1[b * K + j] * s1[b * K + k]) / n) / (n - 1);
            covariance[b * K * K + j * K + k] = c;
            covariance[b * K * K + k * K + j] = c;
          }
        }
      }
    }
    return { mean, variance, stderr, varianceStderr, covariance };
  }
}
