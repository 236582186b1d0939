/**
 * `relaxed-mc sweep`: exact and Monte Carlo moments over a range of temperatures, with a
 * figure. The temperatures become one batch dimension, so one engine job estimates them all.
 *
 * @packageDocumentation
 */
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import type { CommandSpec } from '../command.js';
import { writeFileAtomically } from '../atomic-file.js';
import type { ExactMoments } from '../exact-phase.js';
import { checkOutputs } from '../output-check.js';
import { type ResultFormat, formatOfPath, formatOption, resultFormat } from '../result-format.js';
import { buildDistribution, rowParams } from '../distribution.js';
import { UsageError } from '../errors.js';
import { type MomentsReport, momentsCsv, momentsJson, momentsTable } from '../moments-report.js';
import { addDistributionFlags, addRunFlags, addSamplesFlag, type SharedFlags } from '../options.js';
import { parseVector } from '../params.js';
import { type SweepFigure, type SweepPoint, renderPng, renderSvg, sweepSpec } from '../plot.js';
import { plotPath } from '../output-paths.js';
import { exactPhase, runMoments } from '../run-moments.js';
import { DEFAULT_PROBS } from './estimate.js';

/** The temperatures of the seed example. */
const DEFAULT_TEMPERATURES = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

/** Flags of `sweep`. */
export interface SweepFlags extends Omit<SharedFlags, 'temperature'> {
  /** The temperatures. */
  temperatures: number[];
  /** Draws per temperature. */
  samples: number;
  /** Format of stdout (and of `--out`, which must then agree). */
  format?: ResultFormat;
  /** Result file, `.json` or `.csv`. */
  out?: string;
  /** Figure files, `.svg` or `.png`. */
  plot?: string[];
}

/** The `sweep` subcommand. */
export const sweep: CommandSpec<SweepFlags> = {
  name: 'sweep',
  summary: 'exact and Monte Carlo mean/variance over temperatures, with a figure (SVG/PNG)',
  define(cmd: Command) {
    cmd.addOption(
      new Option('--temperatures <list>', 'temperatures: 0.1,0.5,1, a JSON array or @file.json')
        .argParser((t: string) => checkTemperatures(parseVector(t, '--temperatures')))
        .default(DEFAULT_TEMPERATURES, DEFAULT_TEMPERATURES.join(',')),
    );
    addDistributionFlags(cmd, { temperature: false, defaultProbs: DEFAULT_PROBS.join(',') });
    addSamplesFlag(cmd, 1e6, 'draws per temperature');
    addRunFlags(cmd);
    cmd
      .addOption(formatOption())
      .addOption(
        new Option('--out <file>', 'also write the result to a .json, .csv or .txt (table) file').argParser(
          (p: string) => (formatOfPath(p), p),
        ),
      )
      .addOption(
        new Option('--plot <file>', 'write the figure to a .svg or .png file (repeat for both)').argParser(
          (p: string, prev?: string[]) => [...(prev ?? []), plotPath(p)],
        ),
      )
      .addHelpText(
        'after',
        '\nExample:\n  relaxed-mc sweep --temperatures 0.05,0.1,0.2,0.5,1,2,5,10 --probs 0.7,0.2,0.1 --samples 1e6 ' +
          '--out sweep.json --plot sweep.svg --plot sweep.png\n',
      );
  },
  async run(flags, ctx) {
    const param = flags.logits ?? flags.probs ?? DEFAULT_PROBS;
    const paramFlag = flags.logits !== undefined ? '--logits' : '--probs';
    if (Array.isArray(param) && param.some((x) => typeof x !== 'number')) {
      throw new UsageError(
        `${paramFlag}: sweep takes one vector of K numbers (such as 0.7,0.2,0.1), not a nested array.`,
      );
    }
    const which = flags.logits !== undefined ? { logits: param } : { probs: param };
    const { dist } = buildDistribution({ temperature: flags.temperatures, ...which });
    const fileFormat = flags.out === undefined ? null : resultFormat(flags.format, flags.out);
    const stdoutFormat = flags.format ?? 'table';
    // Every output is checked first: an unwritable path fails before the sampling, not after.
    checkOutputs([{ flag: '--out', path: flags.out }, ...(flags.plot ?? []).map((path) => ({ flag: '--plot', path }))]);
    const est = await runMoments(
      { label: 'sweep', dist, samples: flags.samples, seed: flags.seed, threads: flags.threads, quiet: flags.quiet },
      ctx,
    );
    const quiet = flags.quiet ?? false;
    const exact = await exactPhase(dist, false, 'sweep', quiet, ctx);
    const report = { dist, est, exact };
    const text = (format: string) =>
      format === 'json'
        ? `${momentsJson(report)}\n`
        : format === 'csv'
          ? momentsCsv(report)
          : momentsTable(report, { batchColumn: false });
    // Everything is computed before anything is written: a run stopped in any phase leaves no file.
    const figures: [string, string | Uint8Array][] = [];
    if (flags.plot !== undefined && flags.plot.length > 0) {
      const grid = fineGrid(flags.temperatures, dist.event_shape[0]);
      const fine = buildDistribution({ temperature: grid, ...which }).dist;
      const fineExact = await exactPhase(fine, false, 'sweep figure', quiet, ctx);
      const svg = await renderSvg(sweepSpec(figureData(report, grid, fineExact, flags.temperatures)));
      for (const p of flags.plot)
        figures.push([p, extname(p).toLowerCase() === '.png' ? await renderPng(svg, undefined, ctx.signal) : svg]);
    }
    if (flags.out !== undefined && fileFormat !== null)
      await writeFileAtomically(flags.out, '--out', text(fileFormat), ctx.signal);
    for (const [p, data] of figures) await writeFileAtomically(p, '--plot', data, ctx.signal);
    ctx.stdout.write(text(stdoutFormat));
  },
};

/**
 * @returns the temperatures of the exact curves: a fine log-spaced grid over the swept range,
 *   plus the swept temperatures, sorted.
 */
function fineGrid(temperatures: number[], K: number): number[] {
  const lo = Math.min(...temperatures);
  const hi = Math.max(...temperatures);
  // Quadrature costs grow with K and at low temperature: fewer grid points for many categories.
  const n = hi > lo ? Math.max(16, Math.min(48, Math.round(200 / K))) : 0;
  return [...temperatures, ...Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)))].sort(
    (a, b) => a - b,
  );
}

/** Exact curves on the fine grid (exact moments computed off the main thread), and the estimates. */
function figureData(
  report: MomentsReport,
  grid: number[],
  fineExact: ExactMoments,
  temperatures: number[],
): SweepFigure {
  const { dist, est } = report;
  const K = dist.event_shape[0];
  const probs = rowParams(dist, 'probs').data;
  const fm = fineExact.mean.data;
  const fv = fineExact.variance.data;
  const exact: SweepPoint[] = [];
  grid.forEach((t, i) => {
    for (let k = 0; k < K; k++) exact.push({ t, k, mean: fm[i * K + k], variance: fv[i * K + k] });
  });
  const estimates: SweepPoint[] = [];
  temperatures.forEach((t, i) => {
    for (let k = 0; k < K; k++) {
      const j = i * K + k;
      estimates.push({
        t,
        k,
        mean: est.mean.data[j],
        variance: est.variance.data[j],
        stderr: est.stderr.data[j],
        varianceStderr: est.varianceStderr.data[j],
      });
    }
  });
  const categories = Array.from({ length: K }, (_, k) => `k = ${k}  (p = ${Number(probs[k].toPrecision(3))})`);
  return { categories, exact, estimates, samples: est.samples };
}

function checkTemperatures(ts: number[]): number[] {
  if (ts.length === 0)
    throw new UsageError('--temperatures must list at least one temperature, but the list is empty.');
  return ts;
}
