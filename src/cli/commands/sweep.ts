/**
 * `relaxed-mc sweep`: exact and Monte Carlo moments over a range of temperatures, with a
 * figure. The temperatures become one batch dimension, so one engine job estimates them all.
 *
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import type { CommandSpec } from '../command.js';
import { writeFileAtomically } from '../atomic-file.js';
import { checkOutputs } from '../output-check.js';
import { type ResultFormat, formatOfPath, formatOption, resultFormat } from '../result-format.js';
import { buildDistribution, rowParams } from '../distribution.js';
import { UsageError } from '../errors.js';
import { type MomentsReport, renderMoments } from '../moments-report.js';
import { addDistributionFlags, addExactFlag, addRunFlags, addSamplesFlag, type SharedFlags } from '../options.js';
import { type Nested, parseVector } from '../params.js';
import { type SweepFigure, type SweepPoint, sweepSpec } from '../plot.js';
import { renderFigures } from '../render-figures.js';
import { plotPath } from '../output-paths.js';
import { type QueueFlags, addQueueFlags, engineOptions } from '../queue-flags.js';
import { runMoments } from '../run-moments.js';
import { type ExactValues, runExact } from '../run-exact.js';
import { type CategoryFlags, addCategoryFlags, drawnCategories } from '../plot-categories.js';
import { DEFAULT_PROBS } from './estimate.js';
import { Rule } from '../../index.js';

/** The temperatures of the seed example. */
const DEFAULT_TEMPERATURES = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

/** Flags of `sweep`. */
export interface SweepFlags extends Omit<SharedFlags, 'temperature'>, CategoryFlags, QueueFlags {
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
  /** `false` with `--no-exact`. */
  exact: boolean;
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
    addQueueFlags(cmd);
    addExactFlag(cmd);
    addCategoryFlags(cmd);
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
        { argument: paramFlag, rule: Rule.dimensions },
      );
    }
    const which = flags.logits !== undefined ? { logits: param } : { probs: param };
    const { dist } = buildDistribution({ temperature: flags.temperatures, ...which });
    engineOptions(flags);
    // Checked before any work, so a bad --categories fails at once.
    const drawn = drawnCategories(flags, rowParams(dist, 'probs').data.subarray(0, dist.event_shape[0]));
    const fileFormat = flags.out === undefined ? null : resultFormat(flags.format, flags.out);
    const stdoutFormat = flags.format ?? 'table';
    // Every output is checked first: an unwritable path fails before the sampling, not after.
    checkOutputs([{ flag: '--out', path: flags.out }, ...(flags.plot ?? []).map((path) => ({ flag: '--plot', path }))]);
    const est = await runMoments(
      {
        label: 'sweep',
        dist,
        samples: flags.samples,
        seed: flags.seed,
        threads: flags.threads,
        quiet: flags.quiet,
        queue: flags,
      },
      ctx,
    );
    const exactValues = flags.exact ? await runExact(dist, { label: 'sweep', quiet: flags.quiet }, ctx) : undefined;
    const report = { dist, est, exact: flags.exact, exactValues };
    const text = (format: ResultFormat) => renderMoments(report, format, { batchColumn: false });
    // Everything is computed before anything is written: a run stopped in any phase leaves no file.
    let figures: [string, string | Uint8Array][] = [];
    if (flags.plot !== undefined && flags.plot.length > 0) {
      const grid = flags.exact ? curveGrid(flags.temperatures, dist.event_shape[0]) : [];
      const curves = flags.exact
        ? await runExact(
            buildDistribution({ temperature: grid, ...which }).dist,
            { label: 'sweep curves', quiet: flags.quiet },
            ctx,
          )
        : undefined;
      const spec = sweepSpec(figureData(report, which, flags.temperatures, flags.exact, drawn, curves));
      figures = await renderFigures(spec, flags.plot, ctx, 'sweep', flags.quiet);
    }
    if (flags.out !== undefined && fileFormat !== null)
      await writeFileAtomically(flags.out, '--out', await text(fileFormat), ctx.signal);
    for (const [p, data] of figures) await writeFileAtomically(p, '--plot', data, ctx.signal);
    ctx.stdout.write(await text(stdoutFormat));
  },
};

/**
 * The data of sweep's figure: exact curves on a fine log-spaced grid (plus the swept
 * temperatures) and the estimates, for the drawn categories only.
 *
 * @param report - the estimate and its distribution.
 * @param which - the parameter as given (probs or logits), to build the fine grid.
 * @param temperatures - the swept temperatures.
 * @param withExact - false with `--no-exact` (no curves).
 * @param drawn - the categories to draw (see `plot-categories.ts`).
 * @param curves - the exact moments on {@link curveGrid} when already computed (else computed here).
 * @returns what `sweepSpec` draws.
 */
export function figureData(
  report: MomentsReport,
  which: { probs?: Nested; logits?: Nested },
  temperatures: number[],
  withExact: boolean,
  drawn: { shown: number[]; byRank: boolean },
  curves?: ExactValues,
): SweepFigure {
  const { dist, est } = report;
  const K = dist.event_shape[0];
  const probs = rowParams(dist, 'probs').data;
  const { shown } = drawn;
  const exact: SweepPoint[] = [];
  if (withExact) {
    const grid = curveGrid(temperatures, K);
    const fine = curves ?? buildDistribution({ temperature: grid, ...which }).dist;
    const fm = fine.mean.data;
    const fv = fine.variance.data;
    grid.forEach((t, i) => {
      shown.forEach((k, at) => exact.push({ t, k: at, mean: fm[i * K + k], variance: fv[i * K + k] }));
    });
  }
  const estimates: SweepPoint[] = [];
  temperatures.forEach((t, i) => {
    for (const [at, k] of shown.entries()) {
      const j = i * K + k;
      estimates.push({
        t,
        k: at,
        mean: est.mean.data[j],
        variance: est.variance.data[j],
        stderr: est.stderr.data[j],
        varianceStderr: est.varianceStderr.data[j],
      });
    }
  });
  const categories = shown.map((k) => `k = ${k}  (p = ${Number(probs[k].toPrecision(3))})`);
  const title =
    shown.length === K ? 'Category' : `Category (${shown.length} of ${K}${drawn.byRank ? ', most probable' : ''})`;
  return { categories, categoryTitle: title, exact, estimates, samples: est.samples };
}

/**
 * Temperatures of the exact curves: the swept ones plus a log-spaced grid between them.
 *
 * @param temperatures - the swept temperatures.
 * @param K - the number of categories (fewer grid points for many: each costs ~K / 20 ms).
 * @returns the grid, sorted.
 */
export function curveGrid(temperatures: number[], K: number): number[] {
  const lo = Math.min(...temperatures);
  const hi = Math.max(...temperatures);
  const n = hi > lo ? Math.max(16, Math.min(48, Math.round(200 / K))) : 0;
  return [...temperatures, ...Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)))].sort(
    (a, b) => a - b,
  );
}

function checkTemperatures(ts: number[]): number[] {
  if (ts.length === 0)
    throw new UsageError('--temperatures must list at least one temperature, but the list is empty.', {
      argument: '--temperatures',
      rule: Rule.nonEmpty,
    });
  return ts;
}
