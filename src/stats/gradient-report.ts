/**
 * From the merged sums of a gradient estimator's single-sample estimates to its report: mean,
 * bias, variance, mean squared error and signal-to-noise ratio per component and in total, each
 * with a standard error.
 *
 * ## Method
 *
 * Per component k, with n estimates and exact gradient g_k: the mean and the unbiased variance
 * come from the shifted power sums (their standard errors: {@link summarizeShiftedSums}); the
 * standard error of the mean comes from the spread of the group means (groups are independent;
 * the m estimates of a reinforce-loo group are not). `bias = mean - g`, `mse = var + bias^2`
 * (the single-sample mean squared error `E (ghat_k - g_k)^2`), `snr = |mean| / sqrt(var)`.
 * Totals: `|bias|` (Euclidean), `total variance = sum_k var_k = E |ghat - E ghat|^2`,
 * `mse = total variance + |bias|^2`, `snr = |mean| / sqrt(total variance)`. Standard errors of
 * derived quantities by the delta method, treating components as independent except for the
 * total variance, whose standard error is that of the mean of `|ghat - shift|^2` (shift close to
 * the mean).
 *
 * @packageDocumentation
 */
import { summarizeShiftedSums } from './moment-state.js';

/** One estimator's report for one batch element (per-component arrays of length K). */
export interface EstimatorSummary {
  mean: Float64Array;
  stderr: Float64Array;
  bias: Float64Array;
  variance: Float64Array;
  varianceStderr: Float64Array;
  mse: Float64Array;
  mseStderr: Float64Array;
  snr: Float64Array;
  snrStderr: Float64Array;
  totals: {
    biasNorm: number;
    biasNormStderr: number;
    variance: number;
    varianceStderr: number;
    mse: number;
    mseStderr: number;
    snr: number;
    snrStderr: number;
  };
}

/**
 * @param K - components.
 * @param n - estimates.
 * @param groups - independent groups (n / estimates per group).
 * @param sums - the `6K + 2` sums of one batch element (layout in `chunks/gradient-chunks.ts`), rounded.
 * @param shift - the K shifts.
 * @param exact - the K components of the exact gradient the bias is measured against.
 * @returns the summary.
 */
export function summarizeEstimates(
  K: number,
  n: number,
  groups: number,
  sums: Float64Array,
  shift: Float64Array,
  exact: Float64Array,
): EstimatorSummary {
  const r: EstimatorSummary = {
    mean: new Float64Array(K),
    stderr: new Float64Array(K),
    bias: new Float64Array(K),
    variance: new Float64Array(K),
    varianceStderr: new Float64Array(K),
    mse: new Float64Array(K),
    mseStderr: new Float64Array(K),
    snr: new Float64Array(K),
    snrStderr: new Float64Array(K),
    totals: {
      biasNorm: 0,
      biasNormStderr: 0,
      variance: 0,
      varianceStderr: 0,
      mse: 0,
      mseStderr: 0,
      snr: 0,
      snrStderr: 0,
    },
  };
  let bias2 = 0;
  let biasVarNum = 0;
  let mean2 = 0;
  let meanVarNum = 0;
  let se2 = 0;
  for (let k = 0; k < K; k++) {
    const s = summarizeShiftedSums(n, shift[k], sums[k], sums[K + k], sums[2 * K + k], sums[3 * K + k]);
    const g1 = sums[4 * K + k];
    const g2 = sums[5 * K + k];
    const groupVar = groups > 1 ? Math.max(g2 - (g1 * g1) / groups, 0) / (groups - 1) : NaN;
    const se = Math.sqrt(groupVar / groups);
    const bias = s.mean - exact[k];
    r.mean[k] = s.mean;
    r.stderr[k] = se;
    r.bias[k] = bias;
    r.variance[k] = s.variance;
    r.varianceStderr[k] = s.varianceStderr;
    r.mse[k] = s.variance + bias * bias;
    r.mseStderr[k] = Math.hypot(s.varianceStderr, 2 * Math.abs(bias) * se);
    r.snr[k] = Math.abs(s.mean) / Math.sqrt(s.variance);
    r.snrStderr[k] = r.snr[k] * Math.hypot(se / Math.abs(s.mean), s.varianceStderr / (2 * s.variance));
    bias2 += bias * bias;
    biasVarNum += bias * bias * se * se;
    mean2 += s.mean * s.mean;
    meanVarNum += s.mean * s.mean * se * se;
    se2 += se * se;
    r.totals.variance += s.variance;
  }
  const q1 = sums[6 * K];
  const q2 = sums[6 * K + 1];
  const qVar = n > 1 ? Math.max(q2 / n - (q1 / n) ** 2, 0) * (n / (n - 1)) : NaN;
  const t = r.totals;
  t.varianceStderr = Math.sqrt(qVar / n);
  t.biasNorm = Math.sqrt(bias2);
  // With no bias the norm's spread is that of |noise|: about the root of the summed variances.
  t.biasNormStderr = bias2 > 0 ? Math.sqrt(biasVarNum / bias2) : Math.sqrt(se2);
  t.mse = t.variance + bias2;
  t.mseStderr = Math.hypot(t.varianceStderr, 2 * t.biasNorm * t.biasNormStderr);
  const meanNorm = Math.sqrt(mean2);
  t.snr = meanNorm / Math.sqrt(t.variance);
  const meanNormSe = mean2 > 0 ? Math.sqrt(meanVarNum / mean2) : Math.sqrt(se2);
  t.snrStderr = t.snr * Math.hypot(meanNormSe / meanNorm, t.varianceStderr / (2 * t.variance));
  return r;
}
