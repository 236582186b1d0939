/**
 * Exact mean, variance, covariance and mode of every batch element, computed lazily by the
 * one-dimensional quadrature (spec sections 6 and 7) and cached: rows with the same
 * temperature and logits are computed once.
 *
 * @packageDocumentation
 */
import { Tensor } from '../tensor/tensor.js';
import { type ExactMoments, exactMoments } from '../kernels/exact/exact-moments.js';
import { concreteMode } from '../kernels/exact/mode.js';
import type { ConcreteParams } from './concrete-params.js';

/** Per-distribution cache of exact statistics. */
export class ExactStatistics {
  private readonly rows = new Map<string, ExactMoments>();
  private readonly modes = new Map<string, Float64Array>();
  private meanT?: Tensor;
  private varT?: Tensor;
  private covT?: Tensor;
  private modeT?: Tensor;

  /** @param params - the distribution's parameters. */
  constructor(private readonly params: ConcreteParams) {}

  /** @returns E[y], shape `batch_shape ++ [K]`. */
  mean(): Tensor {
    this.meanT ??= this.gather((m) => m.mean, false);
    return this.meanT;
  }

  /** @returns Var[y_k], shape `batch_shape ++ [K]`. */
  variance(): Tensor {
    this.varT ??= this.gather((m) => m.variance, false);
    return this.varT;
  }

  /** @returns Cov[y], shape `batch_shape ++ [K, K]`. */
  covariance(): Tensor {
    if (this.covT === undefined) {
      const { K, batchShape } = this.params;
      const B = this.params.rowTemperature.length;
      const out = new Float64Array(B * K * K);
      for (let b = 0; b < B; b++) out.set(this.row(b, true).covariance as Float64Array, b * K * K);
      this.covT = new Tensor(out, [...batchShape, K, K]);
    }
    return this.covT;
  }

  /** @returns the interior mode (NaN where the density has none), shape `batch_shape ++ [K]`. */
  mode(): Tensor {
    if (this.modeT === undefined) {
      const { K, batchShape, rowLogits, rowTemperature } = this.params;
      const B = rowTemperature.length;
      const out = new Float64Array(B * K);
      for (let b = 0; b < B; b++) {
        const key = this.key(b);
        let m = this.modes.get(key);
        if (m === undefined) {
          m = concreteMode(rowLogits.subarray(b * K, (b + 1) * K), rowTemperature[b]);
          this.modes.set(key, m);
        }
        out.set(m, b * K);
      }
      this.modeT = new Tensor(out, [...batchShape, K]);
    }
    return this.modeT;
  }

  private gather(pick: (m: ExactMoments) => Float64Array, covariance: boolean): Tensor {
    const { K, batchShape } = this.params;
    const B = this.params.rowTemperature.length;
    const out = new Float64Array(B * K);
    for (let b = 0; b < B; b++) out.set(pick(this.row(b, covariance)), b * K);
    return new Tensor(out, [...batchShape, K]);
  }

  private row(b: number, covariance: boolean): ExactMoments {
    const key = this.key(b);
    const cached = this.rows.get(key);
    if (cached !== undefined && (!covariance || cached.covariance !== undefined)) return cached;
    const K = this.params.K;
    const m = exactMoments(this.params.rowLogits.subarray(b * K, (b + 1) * K), this.params.rowTemperature[b], {
      covariance,
    });
    this.rows.set(key, m);
    return m;
  }

  private key(b: number): string {
    const K = this.params.K;
    return `${this.params.rowTemperature[b]}|${Array.from(this.params.rowLogits.subarray(b * K, (b + 1) * K)).join(',')}`;
  }
}
