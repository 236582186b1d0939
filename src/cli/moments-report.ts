/**
 * The three renderings of a moments estimate beside the exact moments: a table for people,
 * JSON and CSV for programs. The schemas are documented in the README (`## Command line`).
 *
 * @packageDocumentation
 */
import { EXACT_MOMENT_ACCURACY, type MomentsEstimate, type torch } from '../index.js';
import { csvTableInSteps } from './csv.js';
import type { ExactValues } from './run-exact.js';
import { rowParams, rowTemperatures } from './distribution.js';
import { formatTableInSteps, fixed, signed } from './table.js';
import { compact } from './progress.js';
import { Steps } from './steps.js';
import type { ResultFormat } from './result-format.js';

/** An estimate with the distribution it was drawn from and the exact moments. */
export interface MomentsReport {
  /** The distribution. */
  dist: torch.distributions.RelaxedOneHotCategorical;
  /** The engine's estimate. */
  est: MomentsEstimate;
  /** `false` (`--no-exact`): no exact moments, no z-scores. Default `true`. */
  exact?: boolean;
  /** The exact moments when already computed (off the main thread); else the distribution's getters. */
  exactValues?: ExactValues;
}

/**
 * A z-score, or why there is none: `null` where it would mean nothing (see {@link zScore}),
 * `'const'` where the exact variance is 0 and the Monte Carlo value equals the constant,
 * `'differs'` where it does not.
 */
export type ZCell = number | null | 'const' | 'differs';

/**
 * The z-score `(mc - exact) / se`, only where it means something.
 *
 * A z-score compares the Monte Carlo error with its standard error, so it needs the reference
 * to be much more accurate than that: it is given only when the reference's error bound
 * ({@link EXACT_MOMENT_ACCURACY}) is below `0.1 * se`, and every input is finite. Where the exact
 * variance of the coordinate is 0 (probability 0, K = 1, or a variance below the double range),
 * the coordinate is a constant: the cell says so, and flags a Monte Carlo value further than the
 * error bound from the exact one.
 *
 * @param mc - the Monte Carlo value.
 * @param exact - the exact value.
 * @param se - the standard error of `mc`.
 * @param exactVariance - the exact variance of the coordinate.
 * @returns the cell.
 *
 * @example
 * ```ts
 * zScore(0.61, 0.6, 0.01, 0.2); // 1.0000000000000009
 * zScore(0, 0, 0, 0); // 'const'
 * zScore(0.5, 0.5, 1e-16, 0.25); // null (the reference is not that accurate)
 * ```
 */
export function zScore(mc: number, exact: number, se: number, exactVariance: number): ZCell {
  if (!Number.isFinite(mc) || !Number.isFinite(exact)) return null;
  if (exactVariance === 0) return Math.abs(mc - exact) <= EXACT_MOMENT_ACCURACY ? 'const' : 'differs';
  if (!Number.isFinite(se) || !(EXACT_MOMENT_ACCURACY < 0.1 * se)) return null;
  return (mc - exact) / se;
}

interface Columns {
  B: number;
  K: number;
  temperature: Float64Array;
  probs: Float64Array;
  logits: Float64Array;
  /** null with `--no-exact`. */
  exactMean: torch.Tensor | null;
  exactVariance: torch.Tensor | null;
  zMean: ZCell[];
  zVariance: ZCell[];
}

/** Gathers per-row parameters and exact moments through the public API (cached by the distribution). */
function columns(r: MomentsReport): Columns {
  const { dist, est } = r;
  const K = dist.event_shape[0];
  const withExact = r.exact !== false;
  const exactMean = withExact ? (r.exactValues?.mean ?? dist.mean) : null;
  const exactVariance = withExact ? (r.exactValues?.variance ?? dist.variance) : null;
  const zMean: ZCell[] = [];
  const zVariance: ZCell[] = [];
  if (exactMean !== null && exactVariance !== null) {
    const n = est.mean.numel();
    for (let i = 0; i < n; i++) {
      const v = exactVariance.data[i];
      zMean.push(zScore(est.mean.data[i], exactMean.data[i], est.stderr.data[i], v));
      zVariance.push(zScore(est.variance.data[i], v, est.varianceStderr.data[i], v));
    }
  }
  return {
    B: est.mean.numel() / K,
    K,
    temperature: rowTemperatures(dist).data,
    probs: rowParams(dist, 'probs').data,
    logits: rowParams(dist, 'logits').data,
    exactMean,
    exactVariance,
    zMean,
    zVariance,
  };
}

/** The exact covariance: precomputed, else the distribution's getter. */
function exactCovariance(r: MomentsReport): torch.Tensor {
  return r.exactValues?.covariance ?? r.dist.covariance;
}

/** A number for CSV: empty where it is not finite (a marked cell). */
function csvNumber(x: number): number | string {
  return Number.isFinite(x) ? x : '';
}

/** A z cell for CSV: the number, else empty. */
function csvZ(z: ZCell | undefined): number | string {
  return typeof z === 'number' ? csvNumber(z) : '';
}

/** A z cell for the table. */
function tableZ(z: ZCell): string {
  if (z === null) return 'n/a';
  if (z === 'const') return 'const';
  if (z === 'differs') return 'differs!';
  return Number.isFinite(z) ? signed(z) : 'n/a';
}

/** A number for the table with `digits` decimals, `n/a` where it is not finite. */
function cell(x: number, digits: number): string {
  return Number.isFinite(x) ? fixed(x, digits) : 'n/a';
}

/**
 * A parameter as given, short: the shortest round-trip form when it is short, else 6 significant
 * digits (never a mangled exponent: 1e-300 stays `1e-300`).
 *
 * @param x - the number.
 * @returns its text.
 */
export function shortNumber(x: number): string {
  const plain = String(x);
  if (plain.length <= 10) return plain;
  return String(Number(x.toPrecision(6)));
}

/**
 * @param r - the estimate and its distribution.
 * @returns the JSON document (one object, full float64 precision), without a trailing newline.
 */
export async function momentsJson(r: MomentsReport): Promise<string> {
  const { dist, est } = r;
  const c = columns(r);
  // Fields that take time to build are thunks, built one at a time (see stringifyInSteps).
  const doc: Record<string, unknown> = {
    mean: () => est.mean.tolist(),
    variance: () => est.variance.tolist(),
    stderr: () => est.stderr.tolist(),
    varianceStderr: () => est.varianceStderr.tolist(),
    ...(est.covariance ? { covariance: () => (est.covariance as torch.Tensor).tolist() } : {}),
    exact: () =>
      c.exactMean === null || c.exactVariance === null
        ? null
        : {
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
  return stringifyInSteps(doc);
}

/**
 * `JSON.stringify(doc, null, 2)`, the same text, one top-level field at a time with a pause
 * between fields when a step is due (a field of a large result takes tens of milliseconds). A
 * field given as a function is built just before it is written.
 */
async function stringifyInSteps(doc: Record<string, unknown>): Promise<string> {
  const steps = new Steps();
  const fields: string[] = [];
  for (const [key, field] of Object.entries(doc)) {
    const value: unknown = typeof field === 'function' ? (field as () => unknown)() : field;
    const text = JSON.stringify(value, null, 2);
    if (text === undefined) continue;
    fields.push(`  ${JSON.stringify(key)}: ${text.replaceAll('\n', '\n  ')}`);
    if (steps.due()) await steps.pause();
  }
  return fields.length === 0 ? '{}' : `{\n${fields.join(',\n')}\n}`;
}

/**
 * @param r - the estimate and its distribution.
 * @returns CSV text: a header, then one row per (batch index, category).
 */
export async function momentsCsv(r: MomentsReport): Promise<string> {
  const { est } = r;
  const steps = new Steps();
  const c = columns(r);
  const cov = est.covariance;
  const exactCov = cov && c.exactMean !== null ? exactCovariance(r).data : null;
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
        csvNumber(est.mean.data[i]),
        csvNumber(est.stderr.data[i]),
        c.exactMean === null ? '' : csvNumber(c.exactMean.data[i]),
        csvZ(c.zMean[i]),
        csvNumber(est.variance.data[i]),
        csvNumber(est.varianceStderr.data[i]),
        c.exactVariance === null ? '' : csvNumber(c.exactVariance.data[i]),
        csvZ(c.zVariance[i]),
        est.samples,
        est.seed,
      ];
      if (cov) {
        for (const m of k) row.push(csvNumber(cov.data[i * c.K + m]));
        for (const m of k) row.push(exactCov === null ? '' : csvNumber(exactCov[i * c.K + m]));
      }
      rows.push(row);
      if (steps.due()) await steps.pause();
    }
  }
  return csvTableInSteps(header, rows, steps);
}

/**
 * @param r - the estimate and its distribution.
 * @param format - the output format.
 * @param o - for the table: which label columns to show.
 * @returns the result in that format (JSON with a trailing newline).
 */
export async function renderMoments(r: MomentsReport, format: ResultFormat, o: TableOptions): Promise<string> {
  if (format === 'json') return `${await momentsJson(r)}\n`;
  if (format === 'csv') return momentsCsv(r);
  return momentsTable(r, o);
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
export async function momentsTable(r: MomentsReport, o: TableOptions): Promise<string> {
  const { dist, est } = r;
  const steps = new Steps();
  const c = columns(r);
  const batched = dist.batch_shape.length > 0;
  const dm = seDigits(est.stderr.data);
  const dv = seDigits(est.varianceStderr.data);
  const withExact = c.exactMean !== null && c.exactVariance !== null;
  const head = [
    ...(batched && o.batchColumn ? ['batch'] : []),
    ...(batched ? ['temperature'] : []),
    'k',
    'p',
    'mean ± stderr',
    ...(withExact ? ['exact mean', 'z'] : []),
    'variance ± stderr',
    ...(withExact ? ['exact variance', 'z'] : []),
  ];
  const rows: string[][] = [];
  for (let b = 0; b < c.B; b++) {
    if (b > 0 && c.K > 1) rows.push([]);
    for (let j = 0; j < c.K; j++) {
      const i = b * c.K + j;
      rows.push([
        ...(batched && o.batchColumn ? [j === 0 ? `[${unravel(b, dist.batch_shape).join(', ')}]` : ''] : []),
        ...(batched ? [j === 0 ? shortNumber(c.temperature[b]) : ''] : []),
        String(j),
        shortNumber(c.probs[i]),
        `${cell(est.mean.data[i], dm)} ± ${cell(est.stderr.data[i], dm)}`,
        ...(c.exactMean !== null ? [cell(c.exactMean.data[i], dm), tableZ(c.zMean[i])] : []),
        `${cell(est.variance.data[i], dv)} ± ${cell(est.varianceStderr.data[i], dv)}`,
        ...(c.exactVariance !== null ? [cell(c.exactVariance.data[i], dv), tableZ(c.zVariance[i])] : []),
      ]);
      if (steps.due()) await steps.pause();
    }
  }
  const table = await formatTableInSteps(head, rows, { left: new Set(['batch']) }, steps);
  const covariance = est.covariance ? await covarianceTable(r, c, dv, steps) : null;
  const title = batched
    ? `RelaxedOneHotCategorical, batch shape [${dist.batch_shape.join(', ')}], K = ${c.K}`
    : `RelaxedOneHotCategorical(temperature ${shortNumber(c.temperature[0])}, probs [${Array.from(c.probs, shortNumber).join(', ')}])`;
  const summary = [
    ['samples', `${est.samples.toLocaleString('en-US')}${batched ? ' per batch element' : ''}${loadedNote(est)}`],
    ['seed', String(est.seed)],
    ...workLines(est.work, c.B, est.elapsedMs),
  ];
  const left = (s: string) => s.padEnd(12);
  return [
    title,
    '',
    table,
    '',
    ...(covariance !== null ? [covariance, ''] : []),
    ...(withExact ? [...zNotes(c), ''] : []),
    ...summary.map(([k, v]) => `${left(k)}${v}`),
    '',
  ].join('\n');
}

/** The legend of the z columns: the formula, and what each kind of marked cell means (when there is one). */
function zNotes(c: Columns): string[] {
  const cells = [...c.zMean, ...c.zVariance];
  const notes = ['z = (Monte Carlo - exact) / stderr; |z| > 3 is rare (0.3% of rows) when the estimate is right.'];
  if (cells.some((z) => z === null || (typeof z === 'number' && !Number.isFinite(z)))) {
    notes.push(
      `n/a: no z where a value is not finite or the exact value's error bound (${EXACT_MOMENT_ACCURACY}) is not below 0.1 x stderr.`,
    );
  }
  if (cells.some((z) => z === 'const' || z === 'differs')) {
    notes.push('const: the exact variance is 0, the coordinate is constant and the Monte Carlo value equals it.');
  }
  if (cells.some((z) => z === 'differs')) {
    notes.push('differs!: the exact variance is 0 but the Monte Carlo value differs from the constant: a bug.');
  }
  return notes;
}

/** Monte Carlo covariance entries with the exact ones in parentheses, one block per batch element. */
async function covarianceTable(r: MomentsReport, c: Columns, digits: number, steps: Steps): Promise<string> {
  const cov = r.est.covariance as torch.Tensor;
  const exact = c.exactMean === null ? null : exactCovariance(r).data;
  const batched = r.dist.batch_shape.length > 0;
  const head = [...(batched ? ['batch'] : []), 'covariance', ...Array.from({ length: c.K }, (_, m) => `k = ${m}`)];
  const rows: string[][] = [];
  for (let b = 0; b < c.B; b++) {
    if (b > 0) rows.push([]);
    for (let j = 0; j < c.K; j++) {
      const cells: string[] = [];
      for (let m = 0; m < c.K; m++) {
        const i = (b * c.K + j) * c.K + m;
        cells.push(
          exact === null ? cell(cov.data[i], digits) : `${cell(cov.data[i], digits)} (${cell(exact[i], digits)})`,
        );
      }
      rows.push([
        ...(batched ? [j === 0 ? `[${unravel(b, r.dist.batch_shape).join(', ')}]` : ''] : []),
        `k = ${j}`,
        ...cells,
      ]);
      if (steps.due()) await steps.pause();
    }
  }
  const legend = exact === null ? '(Monte Carlo)' : '(Monte Carlo, exact in parentheses)';
  return `${await formatTableInSteps(head, rows, { left: new Set(['batch', 'covariance']) }, steps)}\n${legend}`;
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
