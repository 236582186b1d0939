/**
 * `relaxed-mc log-prob`: log-densities of values read from a `.npy` or `.csv` file.
 *
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import { Engine, ValueError, torch } from '../../index.js';
import type { CommandSpec } from '../command.js';
import { AtomicFile } from '../atomic-file.js';
import { buildDistribution } from '../distribution.js';
import { UsageError, oneLine } from '../errors.js';
import { addDistributionFlags, addRunFlags, type SharedFlags } from '../options.js';
import { asUsage, closeEngine } from '../run-moments.js';
import { arrayFormatOf, readArray, writeArray } from '../tensor-io.js';
import { afterDelay } from '../progress.js';
import { checkOutputs, checkWritable } from '../output-check.js';

/** Flags of `log-prob`. */
export interface LogProbFlags extends SharedFlags {
  /** The values, `.npy` (shape `[..., K]`) or `.csv` (K columns). */
  values: string;
  /** The output, `.npy` or `.csv`. */
  out: string;
}

/** The `log-prob` subcommand. */
export const logProb: CommandSpec<LogProbFlags> = {
  name: 'log-prob',
  summary: 'log-density of each value in a .npy / .csv file (as written by sample)',
  define(cmd: Command) {
    addDistributionFlags(cmd, { temperature: 'required' });
    cmd.addOption(
      new Option('--values <file>', 'simplex values: .npy of shape [..., K] or .csv with a header and K columns')
        .makeOptionMandatory()
        .argParser((p: string) => (arrayFormatOf(p, '--values'), p)),
    );
    cmd.addOption(
      new Option(
        '--out <file>',
        'output: .npy (the log-densities, shape = values shape without the last axis) or .csv (column log_prob)',
      )
        .makeOptionMandatory()
        .argParser((p: string) => (arrayFormatOf(p, '--out'), p)),
    );
    addRunFlags(cmd, { random: false });
    cmd.addHelpText(
      'after',
      '\nCSV rows are values in C order over [..., ...batch_shape]: with a batch, rows cycle through the batch elements\n' +
        'as sample writes them.\n' +
        '\nExample:\n  relaxed-mc log-prob --temperature 0.5 --probs 0.7,0.2,0.1 --values samples.npy --out lp.npy\n',
    );
  },
  async run(flags, ctx) {
    const { dist } = buildDistribution(flags);
    const K = dist.event_shape[0];
    const where = `--values ${flags.values}`;
    checkOutputs([{ flag: '--out', path: flags.out }], [{ flag: '--values', path: flags.values }]);
    const arr = await readArray(flags.values, '--values', ctx.signal);
    const width = arr.shape.length === 0 ? 1 : arr.shape[arr.shape.length - 1];
    if (arr.shape.length === 0 || width !== K) {
      throw new UsageError(
        `${where}: each value must have K = ${K} entries (the last dimension), one per category of the distribution, ` +
          `but the file holds shape [${arr.shape.join(', ')}]${arr.shape.length === 0 ? '' : ` (${width} per value)`}.`,
      );
    }
    const shape = csvShape(arrayFormatOf(flags.values, '--values') === 'csv', arr.shape, dist.batch_shape, where);
    if (arrayFormatOf(flags.out, '--out') === 'npy') {
      // One float64 per value (times the batch when it broadcasts), and the header.
      const B = dist.batch_shape.reduce((a, b) => a * b, 1);
      checkWritable(flags.out, '--out', (arr.data.length / K) * B * 8 + 512);
    }
    const engine = new Engine({ threads: flags.threads });
    const bar = ctx.progress('log-prob', 'rows', flags.quiet ?? false);
    let lp;
    try {
      const value = new torch.Tensor(arr.data, shape);
      lp = await engine
        .logProb(dist, value, { onProgress: (p) => bar.update(p), signal: ctx.signal })
        .catch((err: unknown) => {
          if (err instanceof ValueError)
            throw new UsageError(`${where}: ${oneLine(err.message, 300).replace(/:\s*tensor\(.*$/, '.')}`);
          throw asUsage(err, '--values');
        });
    } finally {
      bar.stop();
      await closeEngine(engine, ctx.signal);
    }
    // The temporary file is created now, with the first byte ready.
    const out = await AtomicFile.create(flags.out, '--out');
    try {
      const writing = afterDelay(ctx.progress(`log-prob (writing ${flags.out})`, 'rows', flags.quiet ?? false));
      try {
        await writeArray(out, lp.shape, lp.data, ['log_prob'], ctx.signal, (p) => writing.update(p));
      } finally {
        writing.stop();
      }
      await out.commit(ctx.signal);
    } finally {
      await out.discard();
    }
    if (!flags.quiet) ctx.stderr.write(`log-prob: wrote ${flags.out}, shape [${lp.shape.join(', ')}]\n`);
  },
};

/**
 * A CSV holds rows of K values; with a batch, its rows run over `[N, ...batch_shape]` in C
 * order (as `sample` writes them), so they are reshaped to `[N, ...batch_shape, K]`.
 */
function csvShape(isCsv: boolean, shape: number[], batch: readonly number[], where: string): number[] {
  if (!isCsv || batch.length === 0) return shape;
  const B = batch.reduce((a, b) => a * b, 1);
  const rows = shape[0];
  if (rows % B !== 0) {
    throw new UsageError(
      `${where}: with batch shape [${batch.join(', ')}] the CSV rows must come in whole groups of ${B} (one per batch element), ` +
        `but there are ${rows} rows.`,
    );
  }
  return [rows / B, ...batch, shape[1]];
}
