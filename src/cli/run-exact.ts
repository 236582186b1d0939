/**
 * The exact phase of `estimate` and `sweep`: the exact moments of every batch row in a worker
 * thread (`computeExactRows`), with a progress bar and Ctrl-C.
 *
 * @packageDocumentation
 */
import { MAX_COVARIANCE_CATEGORIES, Rule, computeExactRows, torch } from '../index.js';
import type { Context } from './command.js';
import { rowParams, rowTemperatures } from './distribution.js';
import { UsageError } from './errors.js';

/** Exact moments of a distribution, shaped like its `mean`, `variance` and `covariance`. */
export interface ExactValues {
  /** `batch_shape ++ [K]`. */
  mean: torch.Tensor;
  /** `batch_shape ++ [K]`. */
  variance: torch.Tensor;
  /** `batch_shape ++ [K, K]`, when asked for. */
  covariance?: torch.Tensor;
}

/**
 * Refuses, before any work, an exact covariance the quadrature would refuse.
 *
 * @param K - the number of categories.
 * @param covariance - whether the exact covariance is wanted.
 * @throws UsageError above `MAX_COVARIANCE_CATEGORIES`.
 */
export function checkExactCovariance(K: number, covariance: boolean): void {
  if (covariance && K > MAX_COVARIANCE_CATEGORIES) {
    throw new UsageError(
      `--covariance: the exact covariance needs K <= ${MAX_COVARIANCE_CATEGORIES} (its cost grows like K^2), but K = ${K}; ` +
        'add --no-exact to estimate the Monte Carlo covariance alone.',
      { argument: '--covariance', rule: Rule.sizeLimit },
    );
  }
}

/**
 * @param dist - the distribution.
 * @param o - whether to compute the covariance, the progress label, quiet.
 * @param ctx - signal and progress.
 * @returns the exact moments of every batch row.
 * @throws AbortError on Ctrl-C (the worker is terminated at once).
 */
export async function runExact(
  dist: torch.distributions.RelaxedOneHotCategorical,
  o: { covariance?: boolean; label: string; quiet?: boolean },
  ctx: Context,
): Promise<ExactValues> {
  const K = dist.event_shape[0];
  const logits = rowParams(dist, 'logits').data;
  const temperature = rowTemperatures(dist).data;
  const B = temperature.length;
  const rows = Array.from({ length: B }, (_, b) => ({
    logits: logits.subarray(b * K, (b + 1) * K),
    temperature: temperature[b],
  }));
  const bar = ctx.progress(`${o.label} (exact)`, 'rows', o.quiet ?? false);
  try {
    const out = await computeExactRows(rows, {
      covariance: o.covariance,
      signal: ctx.signal,
      onProgress: (p) => bar.update(p),
    });
    const mean = new Float64Array(B * K);
    const variance = new Float64Array(B * K);
    const covariance = o.covariance ? new Float64Array(B * K * K) : undefined;
    out.forEach((r, b) => {
      mean.set(r.mean, b * K);
      variance.set(r.variance, b * K);
      if (covariance && r.covariance) covariance.set(r.covariance, b * K * K);
    });
    const shape = [...dist.batch_shape, K];
    return {
      mean: new torch.Tensor(mean, shape),
      variance: new torch.Tensor(variance, shape),
      ...(covariance ? { covariance: new torch.Tensor(covariance, [...shape, K]) } : {}),
    };
  } finally {
    bar.stop();
  }
}
