/**
 * The three renderings of a moments estimate beside the exact moments: a table for people,
 * JSON and CSV for programs. The schemas are documented in the README (`## Command line`).
 *
 * @packageDocumentation
 */
import type { MomentsEstimate, torch } from '../index.js';
import { csvTable } from './csv.js';
import { rowParams, rowTemperatures } from './distribution.js';
import { formatTable, fixed, signed } from './table.js';
import { compact } from './progress.js';
import type { ExactMoments } from './exact-phase.js';

/** An estimate with the distribution it was drawn from and the exact moments. */
export interface MomentsReport {
  /** The distribution. */
  dist: torch.distributions.RelaxedOneHotCategorical;
  /** The engine's estimate. */
  est: MomentsEstimate;
  /** The exact moments, computed off the main thread (`exact-phase.ts`); the distribution's getters otherwise. */
  exact?: ExactMoments;
}

interface Columns {
  B: number;
  K: number;
  temperature: Float64Array;
  probs: Float64Array;
  logits: Float64Array;
  exactMean: torch.Tensor;
  exactVariance: torch.Tensor;
  zMean: Float64Array;
  zVariance: Float64Array;
}

/** Gathers per-row parameters and exact moments through the public API (cached by the distribution). */
function columns(r: MomentsReport): Columns {
  const { dist, est } = r;
  const K = dist.event_shape[0];
  const exactMean = r.exact?.mean ?? dist.mean;
  const exactVariance = r.exact?.variance ?? dist.variance;
  return {
    B: est.mean.numel() / K,
    K,
    temperature: rowTemperatures(dist).data,
    probs: rowParams(dist, 'probs').data,
    logits: rowParams(dist, 'logits').data,
    exactMean,
    exactVariance,
    zMean: est.mean.sub(exactMean).div(est.stderr).data,
    zVariance: est.variance.sub(exactVariance).div(est.varianceStderr).data,
  };
}

function exactCovariance(r: MomentsReport): torch.Tensor {
  return r.exact?.covariance ?? r.dist.covariance;
}

/**
 * @param r - the estimate and its distribution.
 * @returns the JSON document (one object, full float64 precision), without a trailing newline.
 */
export function momentsJson(r: MomentsReport): string {
  const { dist, est } = r;
  const c = columns(r);
  const doc: Record<string, unknown> = {
    mean: est.mean.tolist(),
    variance: est.variance.tolist(),
    stderr: est.stderr.tolist(),
    varianceStderr: est.varianceStderr.tolist(),
    ...(est.covariance ? { covariance: est.covariance.tolist() } : {}),
    exact: {
      mean: c.exactMean.tolist(),
      variance: c.exactVariance.tolist(),
      ...(est.covariance ? { covariance: exactCovariance(r).tolist() } : {}),
    },
    samples: est.samples,
    seed: est.seed,
    threads: est.threads,
    elapsedMs: est.elapsedMs,
    work: est.work,
    temperature: rowTemperatures(dist).tolist(),
    logits: rowParams(dist, 'logits').tolist(),
    probs: rowParams(dist, 'probs').tolist(),
    batchShape: dist.batch_shape,
    K: c.K,
    chunkSize: est.chunkSize,
    chunks: est.chunks,
    generator: est.generator,
  };
  return JSON.stringify(doc, null, 2);
}

/**
 * @param r - the estimate and its distribution.
 * @returns CSV text: a header, then one row per (batch index, category).
 */
export function momentsCsv(r: MomentsReport): string {
  const { est } = r;
  const c = columns(r);
  const cov = est.covariance;
  const exactCov = cov ? exactCovariance(r).data : null;
  const k = Array.from({ length: c.K }, (_, j) => j);
  const header = [
    'batch',
    'category',
    'temperature',
    'prob',
    'logit',
    'mean',
    'stderr',
    'exact_mean',
    'z_mean',
    'variance',
    'variance_stderr',
    'exact_variance',
    'z_variance',
    'samples',
    'seed',
    ...(cov ? [...k.map((j) => `covariance_${j}`), ...k.map((j) => `exact_covariance_${j}`)] : []),
  ];
  const rows: (string | number)[][] = [];
  for (let b = 0; b < c.B; b++) {
    for (let j = 0; j < c.K; j++) {
      const i = b * c.K + j;
      const row: (string | number)[] = [
        b,
        j,
        c.temperature[b],
        c.probs[i],
        c.logits[i],
        est.mean.data[i],
        est.stderr.data[i],
        c.exactMean.data[i],
        c.zMean[i],
        est.variance.data[i],
        est.varianceStderr.data[i],
        c.exactVariance.data[i],
        c.zVariance[i],
        est.samples,
        est.seed,
      ];
      if (cov && exactCov) {
        for (const m of k) row.push(cov.data[i * c.K + m]);
        for (const m of k) row.push(exactCov[i * c.K + m]);
      }
      rows.push(row);
    }
  }
  return csvTable(header, rows);
}

/** How the table labels batch rows. */
export interface TableOptions {
  /** Show the batch index column (estimate with a batch; not sweep, where temperature says it all). */
  batchColumn: boolean;
}

/**
 * @param r - the estimate and its distribution.
 * @param o - which label columns to show.
 * @returns the table and the run summary, for a terminal.
 */
export function momentsTable(r: MomentsReport, o: TableOptions): string {
  const { dist, est } = r;
  const c = columns(r);
  const batched = dist.batch_shape.length > 0;
  const dm = seDigits(est.stderr.data);
  const dv = seDigits(est.varianceStderr.data);
  const head = [
    ...(batched && o.batchColumn ? ['batch'] : []),
    ...(batched ? ['temperature'] : []),
    'k',
    'p',
    'mean ± stderr',
    'exact mean',
    'z',
    'variance ± stderr',
    'exact variance',
    'z',
  ];
  const rows: string[][] = [];
  for (let b = 0; b < c.B; b++) {
    if (b > 0 && c.K > 1) rows.push([]);
    for (let j = 0; j < c.K; j++) {
      const i = b * c.K + j;
      rows.push([
        ...(batched && o.batchColumn ? [j === 0 ? `[${unravel(b, dist.batch_shape).join(', ')}]` : ''] : []),
        ...(batched ? [j === 0 ? String(c.temperature[b]) : ''] : []),
        String(j),
        c.probs[i].toPrecision(4).replace(/\.?0+$/, ''),
        `${fixed(est.mean.data[i], dm)} ± ${fixed(est.stderr.data[i], dm)}`,
        fixed(c.exactMean.data[i], dm),
        signed(c.zMean[i]),
        `${fixed(est.variance.data[i], dv)} ± ${fixed(est.varianceStderr.data[i], dv)}`,
        fixed(c.exactVariance.data[i], dv),
        signed(c.zVariance[i]),
      ]);
    }
  }
  const title = batched
    ? `RelaxedOneHotCategorical, batch shape [${dist.batch_shape.join(', ')}], K = ${c.K}`
    : `RelaxedOneHotCategorical(temperature ${c.temperature[0]}, probs [${Array.from(c.probs, (p) => p.toPrecision(4).replace(/\.?0+$/, '')).join(', ')}])`;
  const summary = [
    ['samples', `${est.samples.toLocaleString('en-US')}${batched ? ' per batch element' : ''}${loadedNote(est)}`],
    ['seed', String(est.seed)],
    ...workLines(est.work, c.B, est.elapsedMs),
  ];
  const left = (s: string) => s.padEnd(12);
  return [
    title,
    '',
    formatTable(head, rows, { left: new Set(['batch']) }),
    '',
    ...(est.covariance ? [covarianceTable(r, c, dv), ''] : []),
    'z = (Monte Carlo - exact) / stderr; |z| > 3 is rare (0.3% of rows) when the estimate is right.',
    '',
    ...summary.map(([k, v]) => `${left(k)}${v}`),
    '',
  ].join('\n');
}

/** How many of the draws were loaded rather than drawn by this run. */
function loadedNote(est: MomentsEstimate): string {
  const w = est.work;
  if (w.loadedSamples === 0) return '';
  if (w.samples === 0) return ' (all loaded: none drawn by this run)';
  return ` (${w.samples.toLocaleString('en-US')} drawn by this run, ${w.loadedSamples.toLocaleString('en-US')} loaded from the checkpoint)`;
}

/**
 * The threads, time and throughput of the work this run did: a merge or a finished checkpoint
 * did none, and says so rather than divide the whole job by the time it took to read it.
 *
 * @param w - the work done.
 * @param perUnit - draws per unit (the batch size).
 * @param elapsedMs - the call's whole wall time.
 * @param unit - what is counted.
 * @returns label/value lines for the summary.
 */
export function workLines(
  w: MomentsEstimate['work'],
  perUnit: number,
  elapsedMs: number,
  unit = 'draws',
): [string, string][] {
  if (w.samples === 0) {
    return [
      ['threads', 'none: the result was loaded, not computed'],
      ['time', `${(elapsedMs / 1000).toFixed(2)} s (reading the saved results)`],
    ];
  }
  const secs = w.elapsedMs / 1000;
  return [
    ['threads', String(w.threads)],
    ['time', `${secs.toFixed(2)} s`],
    ['throughput', `${compact((w.samples * perUnit) / secs)} ${unit}/s`],
  ];
}

/** Monte Carlo covariance entries with the exact ones in parentheses, one block per batch element. */
function covarianceTable(r: MomentsReport, c: Columns, digits: number): string {
  const cov = r.est.covariance as torch.Tensor;
  const exact = exactCovariance(r).data;
  const batched = r.dist.batch_shape.length > 0;
  const head = [...(batched ? ['batch'] : []), 'covariance', ...Array.from({ length: c.K }, (_, m) => `k = ${m}`)];
  const rows: string[][] = [];
  for (let b = 0; b < c.B; b++) {
    if (b > 0) rows.push([]);
    for (let j = 0; j < c.K; j++) {
      const cells: string[] = [];
      for (let m = 0; m < c.K; m++) {
        const i = (b * c.K + j) * c.K + m;
        cells.push(`${fixed(cov.data[i], digits)} (${fixed(exact[i], digits)})`);
      }
      rows.push([
        ...(batched ? [j === 0 ? `[${unravel(b, r.dist.batch_shape).join(', ')}]` : ''] : []),
        `k = ${j}`,
        ...cells,
      ]);
    }
  }
  return `${formatTable(head, rows, { left: new Set(['batch', 'covariance']) })}\n(Monte Carlo, exact in parentheses)`;
}

/** Decimals that show the smallest standard error with two significant digits: 6 at least, 10 at most. */
function seDigits(se: Float64Array): number {
  let min = 1;
  for (const x of se) if (x > 0 && x < min) min = x;
  return Math.min(10, Math.max(6, Math.ceil(-Math.log10(min)) + 1));
}

function unravel(i: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return out;
}
