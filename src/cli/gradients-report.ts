/**
 * The three renderings of a gradient-estimator study (`relaxed-mc gradients`): a table for
 * people, JSON and CSV for programs. The study runs all temperatures as one batch, so every
 * per-component array of the engine's report has shape `[T, K]` and every total shape `[T]`.
 * The schemas are documented in the README (`### Gradient-estimator studies`).
 *
 * @packageDocumentation
 */
import type { EstimatorReport, GradientStudy, torch } from '../index.js';
import { UNBIASED_ESTIMATORS } from '../index.js';
import { csvTable } from './csv.js';
import { rowParams } from './distribution.js';
import { compact } from './progress.js';
import { formatTable } from './table.js';

/** A finished study with what it was asked. */
export interface GradientsReport {
  /** The distribution: batch `[T]`, one row per temperature. */
  dist: torch.distributions.RelaxedOneHotCategorical;
  /** The temperatures, in the order given. */
  temperatures: number[];
  /** The estimates asked for per estimator and temperature (`--samples`). */
  samples: number;
  /** The engine's result. */
  study: GradientStudy;
}

/** The per-component fields of an {@link EstimatorReport}, in JSON and CSV order. */
const COMPONENT_FIELDS = [
  'mean',
  'stderr',
  'bias',
  'variance',
  'varianceStderr',
  'mse',
  'mseStderr',
  'snr',
  'snrStderr',
] as const;
/** The fields of `totals`. */
const TOTAL_FIELDS = [
  'biasNorm',
  'biasNormStderr',
  'variance',
  'varianceStderr',
  'mse',
  'mseStderr',
  'snr',
  'snrStderr',
] as const;
/** Up to this many categories the table shows the mean gradient per component; above, its norm. */
const MAX_TABLE_COMPONENTS = 4;

/** Rows of a `[T, K]` tensor as arrays. */
function rows(t: torch.Tensor, T: number, K: number): number[][] {
  return Array.from({ length: T }, (_, i) => Array.from(t.data.subarray(i * K, (i + 1) * K)));
}

/**
 * @param r - the study.
 * @returns the JSON document (one object, full float64 precision; NaN as null), without a trailing newline.
 */
export function gradientsJson(r: GradientsReport): string {
  const { study } = r;
  const T = r.temperatures.length;
  const K = r.dist.event_shape[0];
  const estimators: Record<string, unknown> = {};
  for (const [name, e] of Object.entries(study.estimators)) {
    const doc: Record<string, unknown> = {};
    for (const f of COMPONENT_FIELDS) doc[f] = rows(e[f], T, K);
    doc.totals = Object.fromEntries(TOTAL_FIELDS.map((f) => [f, Array.from(e.totals[f].data)]));
    doc.samples = e.samples;
    doc.groups = e.groups;
    estimators[name] = doc;
  }
  const doc = {
    temperatures: r.temperatures,
    probs: Array.from(rowParams(r.dist, 'probs').data.subarray(0, K)),
    logits: Array.from(rowParams(r.dist, 'logits').data.subarray(0, K)),
    K,
    objective: study.objective,
    exact: {
      discrete: rows(study.exact.discrete, T, K),
      relaxed: study.exact.relaxed === null ? null : rows(study.exact.relaxed, T, K),
    },
    estimators,
    seed: study.seed,
    samples: r.samples,
    groupSize: study.groupSize,
    threads: study.threads,
    elapsedMs: study.elapsedMs,
    generator: study.generator,
  };
  return JSON.stringify(doc, null, 2);
}

/**
 * @param r - the study.
 * @returns CSV text: a header, then one row per (temperature, estimator, component); the totals
 *   of a (temperature, estimator) repeat on each of its K rows.
 */
export function gradientsCsv(r: GradientsReport): string {
  const { study } = r;
  const K = r.dist.event_shape[0];
  const header = [
    'temperature',
    'estimator',
    'component',
    'exact_discrete',
    'exact_relaxed',
    'mean',
    'stderr',
    'bias',
    'variance',
    'variance_stderr',
    'mse',
    'mse_stderr',
    'snr',
    'snr_stderr',
    'bias_norm',
    'bias_norm_stderr',
    'total_variance',
    'total_variance_stderr',
    'total_mse',
    'total_mse_stderr',
    'total_snr',
    'total_snr_stderr',
    'samples',
    'groups',
    'seed',
  ];
  const out: (string | number)[][] = [];
  r.temperatures.forEach((t, i) => {
    for (const [name, e] of Object.entries(study.estimators)) {
      for (let k = 0; k < K; k++) {
        const j = i * K + k;
        out.push([
          t,
          name,
          k,
          study.exact.discrete.data[j],
          study.exact.relaxed === null ? NaN : study.exact.relaxed.data[j],
          ...COMPONENT_FIELDS.map((f) => e[f].data[j]),
          ...TOTAL_FIELDS.map((f) => e.totals[f].data[i]),
          e.samples,
          e.groups,
          study.seed,
        ]);
      }
    }
  });
  return csvTable(header, out);
}

/**
 * @param r - the study.
 * @returns the tables and the run summary, for a terminal (about 100 columns for K <= 4).
 */
export function gradientsTable(r: GradientsReport): string {
  const { study } = r;
  const K = r.dist.event_shape[0];
  const probs = Array.from(rowParams(r.dist, 'probs').data.subarray(0, K));
  const names = Object.keys(study.estimators);
  const perComponent = K <= MAX_TABLE_COMPONENTS;

  // (1) The mean gradient beside the exact ones.
  const meanHead = [
    'temperature',
    'estimator',
    ...(perComponent ? Array.from({ length: K }, (_, k) => `k = ${k}`) : ['|mean|']),
  ];
  const meanCells: Cell[][] = [];
  // (2) Bias, variance, MSE and SNR over the K components.
  const totalHead = ['temperature', 'estimator', '|bias| ± se', 'total variance ± se', 'MSE ± se', 'SNR ± se'];
  const totalCells: Cell[][] = [];
  r.temperatures.forEach((t, i) => {
    const row = (g: torch.Tensor) => Array.from(g.data.subarray(i * K, (i + 1) * K));
    const meanBlock: Cell[][] = [];
    const exactRow = (what: string, g: number[]) =>
      meanBlock.push([what, ...(perComponent ? g.map(exactCell) : [exactCell(Math.hypot(...g))])]);
    exactRow('exact, discrete', row(study.exact.discrete));
    if (study.exact.relaxed !== null) exactRow('exact, relaxed', row(study.exact.relaxed));
    const totalBlock: Cell[][] = [];
    for (const name of names) {
      const e = study.estimators[name];
      const m = row(e.mean);
      const se = row(e.stderr);
      meanBlock.push([name, ...(perComponent ? m.map((x, k) => pmCell(x, se[k])) : [pmCell(...norm(m, se))])]);
      const s = e.totals;
      totalBlock.push([
        name,
        pmCell(s.biasNorm.data[i], s.biasNormStderr.data[i]),
        pmCell(s.variance.data[i], s.varianceStderr.data[i]),
        pmCell(s.mse.data[i], s.mseStderr.data[i]),
        pmCell(s.snr.data[i], s.snrStderr.data[i]),
      ]);
    }
    // The temperature on the first row of its block, a blank line between blocks.
    for (const [cells, block] of [
      [meanCells, meanBlock],
      [totalCells, totalBlock],
    ] as const) {
      if (i > 0) cells.push([]);
      block.forEach((cellsOfRow, j) => cells.push([j === 0 ? String(t) : '', ...cellsOfRow]));
    }
  });

  const left = new Set(['estimator']);
  const secs = study.elapsedMs / 1000;
  const reports = Object.values(study.estimators);
  const estimates = reports.reduce((a, e) => a + e.samples, 0) * r.temperatures.length;
  const unbiased = names.filter((n) => (UNBIASED_ESTIMATORS as readonly string[]).includes(n));
  const relaxed = study.exact.relaxed !== null;
  const notes = [
    `mean ± se: the average of ${r.samples.toLocaleString('en-US')} single-sample estimates g of d/dlogits E f(onehot(b)),`,
    `  b ~ Categorical(probs), and its standard error. exact, discrete: that gradient${relaxed ? '; exact, relaxed:' : '.'}`,
    ...(relaxed
      ? ['  d/dlogits E f(z) for the relaxed sample z at that temperature (what gumbel-softmax estimates).']
      : []),
    '|bias| = |mean - exact, discrete|; total variance = sum_k Var[g_k] of one estimate;',
    '  MSE = total variance + |bias|^2; SNR = |mean| / sqrt(total variance).',
    ...(unbiased.length > 0
      ? [
          `${unbiased.join(', ')} ${unbiased.length === 1 ? 'is' : 'are'} unbiased: ${unbiased.length === 1 ? 'its' : 'their'} |bias| is noise of the size of the se.`,
        ]
      : []),
  ];
  const usesM = names.includes('reinforce-loo') || names.includes('gumbel-rao');
  const summary: [string, string][] = [
    ['estimates', `${r.samples.toLocaleString('en-US')} per estimator and temperature${groupsNote(study, r.samples)}`],
    ...(usesM
      ? [
          ['group size', `${study.groupSize} (reinforce-loo's group, gumbel-rao's conditional draws)`] as [
            string,
            string,
          ],
        ]
      : []),
    ['seed', String(study.seed)],
    ['threads', String(study.threads)],
    ['time', `${secs.toFixed(2)} s`],
    ['throughput', `${compact(estimates / secs)} estimates/s`],
  ];
  return [
    `Gradient estimators for Categorical(${K <= 6 ? `probs [${probs.map(short).join(', ')}]` : `K = ${K} categories`}), relaxed at temperature τ`,
    `objective: ${describeObjective(study.objective)}`,
    '',
    `Mean gradient ± standard error${perComponent ? ', per component k' : ` (norm over the K = ${K} components; per component in --format json or csv)`}`,
    '',
    formatTable(meanHead, layout(meanCells), { left }),
    '',
    'Bias, variance, mean squared error and signal-to-noise ratio (totals over the components)',
    '',
    formatTable(totalHead, layout(totalCells), { left }),
    '',
    ...notes,
    '',
    ...summary.map(([k, v]) => `${k.padEnd(12)}${v}`),
    '',
  ].join('\n');
}

/**
 * A table cell: plain text, a value with its standard error, or an exact value (shown with as
 * many decimals as the most precise estimate of its column, so the two can be compared digit by digit).
 */
type Cell = string | { value: string; se: string } | { exact: number };

/** Splits a number at its decimal point (`['0', '.0421']`; `['12', '']` without one). */
function split(s: string): [string, string] {
  const i = s.indexOf('.');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i)];
}

/** Lines up each column on the decimal points of the values and of their errors, and on the `±`. */
function layout(cells: Cell[][]): string[][] {
  const cols = Math.max(...cells.map((r) => r.length));
  const w = Array.from({ length: cols }, () => ({ vi: 0, vf: 0, si: 0, sf: 0, decimals: 0 }));
  const fit = (j: number, value: string, se: string) => {
    const [vi, vf] = split(value);
    const [si, sf] = split(se);
    w[j].vi = Math.max(w[j].vi, vi.length);
    w[j].vf = Math.max(w[j].vf, vf.length);
    w[j].si = Math.max(w[j].si, si.length);
    w[j].sf = Math.max(w[j].sf, sf.length);
  };
  for (const r of cells) {
    r.forEach((c, j) => {
      if (typeof c === 'object' && 'value' in c) {
        fit(j, c.value, c.se);
        w[j].decimals = Math.max(w[j].decimals, /e/.test(c.value) ? 0 : split(c.value)[1].length - 1);
      }
    });
  }
  const exactText = (x: number, j: number) => (Number.isFinite(x) ? x.toFixed(Math.max(4, w[j].decimals)) : String(x));
  for (const r of cells)
    r.forEach((c, j) => typeof c === 'object' && 'exact' in c && fit(j, exactText(c.exact, j), ''));
  const align = (s: string, wi: number, wf: number) => {
    const [i, f] = split(s);
    return i.padStart(wi) + f.padEnd(wf);
  };
  return cells.map((r) =>
    r.map((c, j) => {
      if (typeof c === 'string') return c;
      const { vi, vf, si, sf } = w[j];
      if ('exact' in c) return `${align(exactText(c.exact, j), vi, vf)}${' '.repeat(si + sf === 0 ? 0 : si + sf + 3)}`;
      return `${align(c.value, vi, vf)} ± ${align(c.se, si, sf)}`;
    }),
  );
}

/**
 * @param v - an estimate.
 * @param se - its standard error.
 * @returns both with the decimals that show the error to two significant digits (scientific
 *   notation when that would take more than 10 decimals, or the error is 0 or not finite).
 */
function pmCell(v: number, se: number): Cell {
  if (!Number.isFinite(v)) return { value: String(v), se: String(se) };
  const d = se > 0 && Number.isFinite(se) ? Math.max(0, Math.ceil(-Math.log10(se)) + 1) : Infinity;
  if (d > 10) return { value: v.toExponential(3), se: Number.isFinite(se) ? se.toExponential(1) : String(se) };
  return { value: v.toFixed(d), se: se.toFixed(d) };
}

/** An exact value. */
function exactCell(v: number): Cell {
  return { exact: v };
}

/** |m| and its standard error by the delta method (components treated as independent). */
function norm(m: number[], se: number[]): [number, number] {
  const n = Math.hypot(...m);
  const num = Math.sqrt(m.reduce((a, x, k) => a + x * x * se[k] * se[k], 0));
  return [n, n > 0 ? num / n : Math.hypot(...se)];
}

/** Estimators whose count differs from the one asked for (reinforce-loo draws whole groups). */
function groupsNote(study: GradientStudy, samples: number): string {
  const odd = Object.entries(study.estimators).filter(([, e]: [string, EstimatorReport]) => e.samples !== samples);
  if (odd.length === 0) return '';
  return ` (${odd.map(([n, e]) => `${n}: ${e.samples.toLocaleString('en-US')}, whole groups`).join('; ')})`;
}

/**
 * @param o - the engine's objective.
 * @returns a one-line description with the formula.
 */
export function describeObjective(o: GradientStudy['objective']): string {
  if ('module' in o) return `f from the module ${o.module}`;
  if (o.kind === 'linear') return `linear, f(z) = c . z, c = [${o.c.map(short).join(', ')}]`;
  return `quadratic, f(z) = sum_k (z_k - t_k)^2, t = [${o.target.map(short).join(', ')}]`;
}

function short(x: number): string {
  return String(Number(x.toPrecision(4)));
}
