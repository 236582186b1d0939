/**
 * `relaxed-mc estimate`: Monte Carlo mean and variance beside the exact ones.
 *
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import type { CommandSpec } from '../command.js';
import { writeFileAtomically } from '../atomic-file.js';
import { UsageError } from '../errors.js';
import { checkOutputs } from '../output-check.js';
import { type ResultFormat, formatOfPath, formatOption, resultFormat } from '../result-format.js';
import { buildDistribution } from '../distribution.js';
import { renderMoments } from '../moments-report.js';
import { addDistributionFlags, addExactFlag, addRunFlags, addSamplesFlag, type SharedFlags } from '../options.js';
import { runMoments } from '../run-moments.js';
import { checkExactCovariance, runExact } from '../run-exact.js';
import { resolve } from 'node:path';
import { Rule, writeStateFile } from '../../index.js';
import { type LongJobFlags, addLongJobFlags, guard, longJobOptions } from '../long-job.js';
import { type QueueFlags, addQueueFlags, engineOptions } from '../queue-flags.js';

/** The seed example: what plain `relaxed-mc estimate` (and `npm start`) runs. */
export const DEFAULT_PROBS = [0.7, 0.2, 0.1];

/** Flags of `estimate`. */
export interface EstimateFlags extends SharedFlags, LongJobFlags, QueueFlags {
  /** Draws per batch element. */
  samples: number;
  /** Also estimate the covariance matrix. */
  covariance?: boolean;
  /** Output format (default: the extension of `--out`, else the table). */
  format?: ResultFormat;
  /** Write the result to this file instead of stdout. */
  out?: string;
  /** `false` with `--no-exact`. */
  exact: boolean;
}

/** The `estimate` subcommand. */
export const estimate: CommandSpec<EstimateFlags> = {
  name: 'estimate',
  summary: 'Monte Carlo mean and variance per category, with standard errors, beside the exact values',
  define(cmd: Command) {
    addDistributionFlags(cmd, { temperature: true, defaultProbs: DEFAULT_PROBS.join(',') });
    addSamplesFlag(cmd, 1e7, 'draws per batch element');
    addRunFlags(cmd);
    addLongJobFlags(cmd);
    addQueueFlags(cmd);
    addExactFlag(cmd);
    cmd
      .addOption(new Option('--covariance', 'also estimate the covariance matrix'))
      .addOption(formatOption())
      .addOption(
        new Option(
          '--out <file>',
          'write the result to a file (atomically) instead of stdout: .json, .csv, or .txt / no extension for the table',
        ).argParser((p: string) => (formatOfPath(p), p)),
      )
      .addHelpText(
        'after',
        '\nWith no flags, runs the built-in example: --temperature 0.5 --probs 0.7,0.2,0.1 --samples 1e7.\n' +
          '\nExamples:\n' +
          '  relaxed-mc estimate --temperature 0.5 --probs 0.7,0.2,0.1 --samples 1e8 --seed 42\n' +
          "  relaxed-mc estimate --temperature '[0.5,2]' --logits '[[0,1,2],[2,1,0]]' --format json\n" +
          '  relaxed-mc estimate --samples 1e11 --seed 42 --checkpoint run.ckpt      # rerun the same command to resume\n' +
          '  relaxed-mc estimate --samples 1e11 --seed 42 --shard 3/8 --out part-3.json  # then: relaxed-mc merge part-*.json\n',
      );
  },
  async run(flags, ctx) {
    const { dist } = buildDistribution({
      temperature: flags.temperature,
      probs: flags.logits === undefined ? (flags.probs ?? DEFAULT_PROBS) : undefined,
      logits: flags.logits,
    });
    if (flags.shard !== undefined && flags.format !== undefined)
      throw new UsageError(
        '--shard writes a partial result (JSON) to --out for relaxed-mc merge; --format applies to the merge.',
        { argument: '--format', rule: Rule.notApplicable },
      );
    if (flags.shard !== undefined && flags.out !== undefined && formatOfPath(flags.out) !== 'json')
      throw new UsageError(`--shard writes a partial result in JSON: --out must end in .json, but got ${flags.out}.`, {
        argument: '--out',
        rule: Rule.extension,
      });
    const format = resultFormat(flags.format, flags.out);
    checkOutputs([{ flag: '--out', path: flags.out }], [{ flag: '--checkpoint', path: flags.checkpoint }]);
    if (flags.exact) checkExactCovariance(dist.event_shape[0], flags.covariance === true);
    const long = longJobOptions(flags, flags.seed);
    engineOptions(flags);
    const job = {
      label: flags.shard === undefined ? 'estimate' : `estimate ${flags.shard.index}/${flags.shard.count}`,
      dist,
      samples: flags.samples,
      seed: long.seed,
      threads: flags.threads,
      covariance: flags.covariance,
      quiet: flags.quiet,
      queue: flags,
      long: long.options,
    };
    const est = await runMoments(job, ctx);
    if (flags.shard !== undefined) {
      const { shard } = flags;
      guard(() => writeStateFile(resolve(flags.out as string), est.state));
      ctx.stdout.write(
        `shard ${shard.index}/${shard.count}: ${est.samples} draws per batch element, partial result in ${flags.out}; ` +
          'combine every shard with: relaxed-mc merge <files>\n',
      );
      return;
    }
    const exactValues = flags.exact
      ? await runExact(dist, { covariance: flags.covariance, label: 'estimate', quiet: flags.quiet }, ctx)
      : undefined;
    const report = { dist, est, exact: flags.exact, exactValues };
    const text = await renderMoments(report, format, { batchColumn: true });
    if (flags.out === undefined) ctx.stdout.write(text);
    else await writeFileAtomically(flags.out, '--out', text, ctx.signal);
  },
};
