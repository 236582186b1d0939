/**
 * `relaxed-mc merge`: combines the partial results of a sharded job (`--shard i/n --out FILE`)
 * into the result of the whole job, the same bits as one uninterrupted run.
 *
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { distributionFromParams, mergeStateFiles } from '../../index.js';
import type { CommandSpec } from '../command.js';
import { writeFileAtomically } from '../atomic-file.js';
import { checkOutputs } from '../output-check.js';
import { type ResultFormat, formatOfPath, formatOption, resultFormat } from '../result-format.js';
import { asStateUsage } from '../long-job.js';
import { renderMoments } from '../moments-report.js';
import { type GradientsReport, gradientsCsv, gradientsJson, gradientsTable } from '../gradients-report.js';

/** Flags of `merge`. */
export interface MergeFlags {
  /** The partial result files. */
  args: string[];
  /** Output format (default: the extension of `--out`, else the table). */
  format?: ResultFormat;
  /** Result file. */
  out?: string;
}

/** The `merge` subcommand. */
export const merge: CommandSpec<MergeFlags> = {
  name: 'merge',
  summary: 'combine the partial results of a sharded job (--shard i/n --out FILE) into the whole result',
  define(cmd: Command) {
    cmd
      .argument('<files...>', 'the partial result files of every shard (any order)')
      .addOption(formatOption())
      .addOption(
        new Option(
          '--out <file>',
          'write the result to a file (atomically) instead of stdout: .json, .csv, or .txt / no extension for the table',
        ).argParser((p: string) => (formatOfPath(p), p)),
      )
      .addHelpText(
        'after',
        '\nEvery shard of the job must be present exactly once, with the same parameters; the result has the bits\n' +
          'of a single run of the whole job.\n\nExample:\n  relaxed-mc merge part-*.json --format json --out result.json\n',
      );
  },
  async run(flags, ctx) {
    const format = resultFormat(flags.format, flags.out);
    checkOutputs(
      [{ flag: '--out', path: flags.out }],
      flags.args.map((path) => ({ flag: 'the partial result', path })),
    );
    const t0 = performance.now();
    let merged;
    try {
      merged = await mergeStateFiles(
        flags.args.map((f) => resolve(f)),
        { signal: ctx.signal },
      );
    } catch (err) {
      throw asStateUsage(err);
    }
    let text: string;
    if (merged.kind === 'moments') {
      const est = { ...merged.result, elapsedMs: performance.now() - t0 };
      const report = { dist: distributionFromParams(est.state.params), est };
      text = await renderMoments(report, format, { batchColumn: true });
    } else {
      const study = { ...merged.result, elapsedMs: performance.now() - t0 };
      const q = study.state.params;
      const report: GradientsReport = {
        dist: distributionFromParams(study.state.params),
        temperatures: q.temperature.map(Number),
        samples: q.samples,
        study,
      };
      text =
        format === 'json'
          ? `${gradientsJson(report)}\n`
          : format === 'csv'
            ? gradientsCsv(report)
            : gradientsTable(report);
    }
    if (flags.out === undefined) {
      ctx.stdout.write(text);
      return;
    }
    await writeFileAtomically(flags.out, '--out', text, ctx.signal);
  },
};
