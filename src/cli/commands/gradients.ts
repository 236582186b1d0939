/**
 * `relaxed-mc gradients`: a variance-of-estimator study. For one categorical distribution and
 * an objective f, every chosen gradient estimator of `d/dlogits E f(onehot(b))` is run many
 * times at each temperature, and its mean, bias, variance, MSE and SNR are reported against the
 * exact gradients, with a figure. The temperatures are one batch dimension, so each estimator
 * is one engine job for all of them.
 *
 * @packageDocumentation
 */
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_GROUP_SIZE, Engine, type EstimatorName, type GradientStudy } from '../../index.js';
import type { CommandSpec, Context } from '../command.js';
import { writeFileAtomically } from '../atomic-file.js';
import { checkOutputs } from '../output-check.js';
import { type ResultFormat, formatOfPath, formatOption, resultFormat } from '../result-format.js';
import { buildDistribution } from '../distribution.js';
import { UsageError, quote } from '../errors.js';
import { checkGroupSize, moduleCheckAsUsage, objectiveOption, parseEstimators } from '../gradients-options.js';
import { type GradientsFigure, gradientsSpec } from '../gradients-plot.js';
import { type GradientsReport, gradientsCsv, gradientsJson, gradientsTable } from '../gradients-report.js';
import { addDistributionFlags, addRunFlags, addSamplesFlag, countParser, type SharedFlags } from '../options.js';
import { type Nested, parseNumeric, parseVector } from '../params.js';
import { renderPng, renderSvg } from '../plot.js';
import { closeEngine } from '../run-moments.js';
import { plotPath } from '../output-paths.js';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rule, writeStateFile } from '../../index.js';
import { type LongJobFlags, addLongJobFlags, asStateUsage, guard, longJobOptions } from '../long-job.js';
import { type QueueFlags, addQueueFlags, engineOptions } from '../queue-flags.js';

/** Temperatures when neither `--temperature` nor `--temperatures` is given. */
const DEFAULT_TEMPERATURES = [0.1, 0.5, 1, 2];

/** Flags of `gradients`. */
export interface GradientsFlags extends Omit<SharedFlags, 'temperature'>, LongJobFlags, QueueFlags {
  /** `linear`, `quadratic`, or a module path / file URL. */
  objective: string;
  /** Coefficients of the linear objective. */
  c?: number[];
  /** Targets of the quadratic objective. */
  target?: number[];
  /** One temperature. */
  temperature?: number;
  /** Several temperatures. */
  temperatures?: number[];
  /** The estimators, in report order. */
  estimators: EstimatorName[];
  /** Estimates per estimator and temperature. */
  samples: number;
  /** m. */
  groupSize: number;
  /** Format of stdout (and of `--out`, which must then agree). */
  format?: ResultFormat;
  /** Result file, `.json` or `.csv`. */
  out?: string;
  /** Figure files, `.svg` or `.png`. */
  plot?: string[];
}

/** The `gradients` subcommand. */
export const gradients: CommandSpec<GradientsFlags> = {
  name: 'gradients',
  summary: 'variance-of-estimator study: bias, variance, MSE and SNR of gradient estimators over temperatures',
  define(cmd: Command) {
    cmd
      .addOption(
        new Option(
          '--objective <f>',
          'linear (f(z) = c.z), quadratic (f(z) = sum_k (z_k - t_k)^2), or the path / file URL of an ES module exporting f(z) and grad(z, out)',
        ).makeOptionMandatory(),
      )
      .addOption(
        new Option('--c <list>', 'linear: the K coefficients c (one value is used for every category)').argParser(
          (t: string) => parseVector(t, '--c'),
        ),
      )
      .addOption(
        new Option('--target <list>', 'quadratic: the K targets t (one value is used for every category)').argParser(
          (t: string) => parseVector(t, '--target'),
        ),
      );
    addDistributionFlags(cmd, { temperature: false });
    cmd
      .addOption(
        new Option('--temperature <t>', 'one temperature').argParser(parseTemperature).conflicts('temperatures'),
      )
      .addOption(
        new Option(
          '--temperatures <list>',
          `temperatures of the sweep: 0.1,0.5,1, a JSON array or @file.json (default ${DEFAULT_TEMPERATURES.join(',')})`,
        )
          .argParser(parseTemperatures)
          .conflicts('temperature'),
      )
      .addOption(
        new Option(
          '--estimators <list>',
          'all, or a comma-separated list of reinforce, reinforce-loo, gumbel-softmax, straight-through, gumbel-rao, rebar',
        )
          .argParser(parseEstimators)
          .default(parseEstimators('all'), 'all'),
      );
    addSamplesFlag(cmd, 1e6, 'single-sample gradient estimates per estimator and temperature');
    cmd.addOption(
      new Option('--group-size <m>', "m: reinforce-loo's group size and gumbel-rao's conditional draws per estimate")
        .argParser(countParser('--group-size', 1, '4'))
        .default(DEFAULT_GROUP_SIZE, String(DEFAULT_GROUP_SIZE)),
    );
    addRunFlags(cmd);
    addLongJobFlags(cmd);
    addQueueFlags(cmd);
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
        "\n--probs / --logits take one vector of K numbers: the temperatures are the study's batch.\n" +
          '\nExamples:\n' +
          '  relaxed-mc gradients --objective quadratic --target 0.45,0.55 --probs 0.5,0.5 --estimators all \\\n' +
          '      --temperatures 0.1,0.5,1,2 --samples 1e6 --plot grads.svg\n' +
          '  relaxed-mc gradients --objective linear --c 1,2,3 --logits 0,0,0 --estimators reinforce,rebar --temperature 0.5\n' +
          '  relaxed-mc gradients --objective ./my-objective.mjs --probs 0.2,0.3,0.5 --format json --out study.json\n',
      );
  },
  async run(flags, ctx) {
    const raw = flags.logits ?? flags.probs;
    const paramFlag = flags.logits !== undefined ? '--logits' : '--probs';
    if (raw === undefined)
      throw new UsageError(
        'one of --probs or --logits is required: the K probabilities (or logits) of the categorical.',
        { argument: '--probs', rule: Rule.required },
      );
    if (Array.isArray(raw) && raw.some((x) => typeof x !== 'number')) {
      throw new UsageError(
        `${paramFlag}: gradients takes one vector of K numbers (such as 0.5,0.5), not a nested array; the temperatures are the batch.`,
        { argument: paramFlag, rule: Rule.dimensions },
      );
    }
    const temperatures =
      flags.temperatures ?? (flags.temperature !== undefined ? [flags.temperature] : DEFAULT_TEMPERATURES);
    const which: { probs?: Nested; logits?: Nested } = flags.logits !== undefined ? { logits: raw } : { probs: raw };
    const { dist } = buildDistribution({ temperature: temperatures, ...which });
    const objective = objectiveOption(flags, dist.event_shape[0], process.cwd());
    checkGroupSize(flags.groupSize, flags.estimators);
    if (
      flags.shard !== undefined &&
      (flags.plot !== undefined ||
        flags.format !== undefined ||
        (flags.out !== undefined && formatOfPath(flags.out) !== 'json'))
    ) {
      throw new UsageError(
        '--shard writes a partial result (JSON) to --out for relaxed-mc merge; the table, --format, --plot and CSV come from the merge.',
        { argument: '--shard', rule: Rule.consistent },
      );
    }
    const fileFormat =
      flags.out === undefined || flags.shard !== undefined ? null : resultFormat(flags.format, flags.out);
    const stdoutFormat = flags.format ?? 'table';
    // Every output is checked first: an unwritable path fails before the study, not after.
    checkOutputs(
      [{ flag: '--out', path: flags.out }, ...(flags.plot ?? []).map((path) => ({ flag: '--plot', path }))],
      [
        { flag: '--checkpoint', path: flags.checkpoint },
        {
          flag: '--objective',
          path: objective !== undefined && 'module' in objective ? moduleFile(objective.module) : undefined,
        },
      ],
    );
    const long = longJobOptions(flags, flags.seed);
    engineOptions(flags);
    const study = await runStudy({ ...flags, seed: long.seed }, dist, objective, ctx, long.options);
    if (flags.shard !== undefined) {
      guard(() => writeStateFile(resolve(flags.out as string), study.state));
      ctx.stdout.write(
        `shard ${flags.shard.index}/${flags.shard.count}: partial result in ${flags.out}; combine every shard with: relaxed-mc merge <files>\n`,
      );
      return;
    }
    const report: GradientsReport = { dist, temperatures, samples: flags.samples, study };
    const text = (format: string) =>
      format === 'json'
        ? `${gradientsJson(report)}\n`
        : format === 'csv'
          ? gradientsCsv(report)
          : gradientsTable(report);
    // Everything is computed before anything is written: a run stopped in any phase leaves no file.
    const figures: [string, string | Uint8Array][] = [];
    if (flags.plot !== undefined && flags.plot.length > 0) {
      const svg = await renderSvg(gradientsSpec(figureData(report)));
      for (const p of flags.plot)
        figures.push([p, extname(p).toLowerCase() === '.png' ? await renderPng(svg, undefined, ctx.signal) : svg]);
    }
    if (flags.out !== undefined && fileFormat !== null)
      await writeFileAtomically(flags.out, '--out', text(fileFormat), ctx.signal);
    for (const [p, data] of figures) await writeFileAtomically(p, '--plot', data, ctx.signal);
    ctx.stdout.write(text(stdoutFormat));
  },
};

/** Runs the study with progress and Ctrl-C; a user module that fails its check is a usage error. */
async function runStudy(
  flags: GradientsFlags,
  dist: GradientsReport['dist'],
  objective: ReturnType<typeof objectiveOption>,
  ctx: Context,
  long: ReturnType<typeof longJobOptions>['options'],
): Promise<GradientStudy> {
  const engine = new Engine(engineOptions(flags));
  const bar = ctx.progress('gradients', 'estimates', flags.quiet ?? false);
  try {
    return await engine.gradients(dist, {
      objective,
      estimators: flags.estimators,
      samples: flags.samples,
      seed: flags.seed,
      groupSize: flags.groupSize,
      onProgress: (p) => bar.update(p),
      signal: ctx.signal,
      ...long,
    });
  } catch (err) {
    throw moduleCheckAsUsage(asStateUsage(err), flags.objective);
  } finally {
    bar.stop();
    await closeEngine(engine, ctx.signal);
  }
}

/**
 * @param r - a study report.
 * @returns the points of the figure, and the exact gumbel-softmax bias when it is known and plotted.
 */
export function figureData(r: GradientsReport): GradientsFigure {
  const { study } = r;
  const K = r.dist.event_shape[0];
  const estimators = Object.keys(study.estimators);
  const points = r.temperatures.flatMap((t, i) =>
    estimators.map((name) => {
      const s = study.estimators[name].totals;
      return {
        t,
        estimator: name,
        variance: s.variance.data[i],
        varianceStderr: s.varianceStderr.data[i],
        biasNorm: s.biasNorm.data[i],
        biasNormStderr: s.biasNormStderr.data[i],
      };
    }),
  );
  const relaxed = study.exact.relaxed;
  const discrete = study.exact.discrete.data;
  const relaxedBias =
    relaxed === null || !estimators.includes('gumbel-softmax')
      ? null
      : r.temperatures.map((t, i) => {
          let s = 0;
          for (let k = i * K; k < (i + 1) * K; k++) s += (relaxed.data[k] - discrete[k]) ** 2;
          return { t, bias: Math.sqrt(s) };
        });
  return { estimators, points, relaxedBias, samples: r.samples };
}

/** @returns the path of a module given as a path or a file URL. */
function moduleFile(spec: string): string {
  return spec.startsWith('file:') ? fileURLToPath(spec) : spec;
}

function parseTemperature(text: string): number {
  const v = parseNumeric(text, '--temperature');
  if (typeof v !== 'number')
    throw new UsageError(`--temperature takes one number; for several, use --temperatures ${quote(text)}.`, {
      argument: '--temperature',
      rule: Rule.number,
    });
  return checkTemperatures([v], '--temperature')[0];
}

function parseTemperatures(text: string): number[] {
  return checkTemperatures(parseVector(text, '--temperatures'), '--temperatures');
}

function checkTemperatures(ts: number[], flag: string): number[] {
  if (ts.length === 0)
    throw new UsageError(`${flag} must list at least one temperature, but the list is empty.`, {
      argument: flag,
      rule: Rule.nonEmpty,
    });
  const bad = ts.findIndex((t) => !(t > 0));
  if (bad >= 0)
    throw new UsageError(`${flag}: every temperature must be positive, but entry ${bad + 1} is ${ts[bad]}.`, {
      argument: flag,
      rule: Rule.positive,
    });
  return ts;
}
