/**
 * `relaxed-mc log-prob`: log-densities of values read from a `.npy` or `.csv` file.
 *
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import { Engine, Rule, ValueError, torch } from '../../index.js';
import type { CommandSpec } from '../command.js';
import { AtomicFile } from '../atomic-file.js';
import { buildDistribution } from '../distribution.js';
import { UsageError, oneLine } from '../errors.js';
import { addDistributionFlags, addRunFlags, type SharedFlags } from '../options.js';
import { asUsage, closeEngine } from '../run-moments.js';
import { arrayFormatOf, readArray } from '../tensor-io.js';
import { BlockWriter, NpyBlockReader, npyBytes } from '../array-stream.js';
import { countParser } from '../options.js';
import { checkOutputs } from '../output-check.js';

/** Values read per block from a `.npy` file (16 MiB), whatever its size. */
const READ_BLOCK_VALUES = 2 ** 21;

/** Flags of `log-prob`. */
export interface LogProbFlags extends SharedFlags {
  /** The values, `.npy` (shape `[..., K]`) or `.csv` (K columns). */
  values: string;
  /** The output, `.npy` or `.csv`. */
  out: string;
  /** The values are log-simplex points x (as `sample --log-space` writes). */
  logSpace?: boolean;
  /** Memory budget of the engine's buffers, in bytes. */
  maxBytes?: number;
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
    cmd.addOption(
      new Option(
        '--log-space',
        'the values are log-simplex points x (as sample --log-space writes): the density of exp(x) is computed ' +
          'from x, finite at any temperature',
      ),
    );
    cmd.addOption(
      new Option('--max-bytes <n>', 'memory budget of the buffers in bytes (default: half the free memory)').argParser(
        countParser('--max-bytes', 1, '67108864 or 6.4e7'),
      ),
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
    const npy = arrayFormatOf(flags.values, '--values') === 'npy';
    // A .npy file is read in blocks of leading rows (any size); a CSV is read whole.
    const reader = npy ? await NpyBlockReader.open(flags.values, '--values') : null;
    const whole = npy ? null : await readArray(flags.values, '--values', ctx.signal);
    const fileShape = reader?.shape ?? whole!.shape;
    const width = fileShape.length === 0 ? 1 : fileShape[fileShape.length - 1];
    try {
      if (fileShape.length === 0 || width !== K) {
        throw new UsageError(
          `${where}: each value must have K = ${K} entries (the last dimension), one per category of the distribution, ` +
            `but the file holds shape [${fileShape.join(', ')}]${fileShape.length === 0 ? '' : ` (${width} per value)`}.`,
          { argument: where, rule: Rule.shape },
        );
      }
      const shape = csvShape(!npy, fileShape, dist.batch_shape, where);
      const outShape = resultShape(shape, dist.batch_shape, where);
      if (arrayFormatOf(flags.out, '--out') === 'npy') {
        checkOutputs([{ flag: '--out', path: flags.out, bytes: npyBytes(outShape) }]);
      }
      // The temporary file is created with the first block, when its first byte is ready.
      let out: AtomicFile | null = null;
      let writer: BlockWriter | null = null;
      const write = async (data: Float64Array): Promise<void> => {
        if (writer === null) {
          out = await AtomicFile.create(flags.out, '--out');
          writer = await BlockWriter.start(out, outShape, ['log_prob']);
        }
        await writer.write(data);
      };
      const engine = new Engine({ threads: flags.threads, maxBytes: flags.maxBytes });
      const bar = ctx.progress('log-prob', 'rows', flags.quiet ?? false);
      try {
        const logSpace = flags.logSpace ?? false;
        const fail = (err: unknown): never => {
          if (err instanceof ValueError)
            throw new UsageError(`${where}: ${explain(err, logSpace)}`, { argument: where, rule: err.rule });
          throw asUsage(err, '--values');
        };
        // Blocks run along the leading dimension, which must then be a sample dimension (not one
        // that broadcasts against the batch).
        if (whole !== null || shape.length - 1 <= dist.batch_shape.length) {
          const value = whole !== null ? new torch.Tensor(whole.data, shape) : await readAll(reader!, shape);
          const lp = await engine
            .logProb(dist, value, { logSpace, onProgress: (p) => bar.update(p), signal: ctx.signal })
            .catch(fail);
          await write(lp.data);
        } else {
          // Blocks of leading rows: the batch broadcasts the same way in each.
          const rowValues = shape.slice(1).reduce((a, b) => a * b, 1);
          const rows = Math.max(1, Math.floor(READ_BLOCK_VALUES / rowValues));
          const total = shape[0];
          const blocks = async function* () {
            for (let r = 0; r < total; r += rows) {
              const m = Math.min(rows, total - r);
              const data = new Float64Array(new SharedArrayBuffer(m * rowValues * 8));
              await reader!.read(r * rowValues, data);
              yield new torch.Tensor(data, [m, ...shape.slice(1)]);
            }
          };
          let done = 0;
          const t0 = performance.now();
          try {
            for await (const b of engine.logProbChunks(dist, blocks(), { logSpace, signal: ctx.signal })) {
              await write(b.value.data);
              done += b.value.shape[0];
              const secs = (performance.now() - t0) / 1000;
              bar.update({ done, total, samplesPerSecond: secs > 0 ? done / secs : 0 });
            }
          } catch (err) {
            fail(err);
          }
        }
        if (writer === null) await write(new Float64Array(0));
        bar.stop();
        await out!.commit(ctx.signal);
        if (!flags.quiet) ctx.stderr.write(`log-prob: wrote ${flags.out}, shape [${outShape.join(', ')}]\n`);
      } finally {
        bar.stop();
        await closeEngine(engine, ctx.signal);
        await (out as AtomicFile | null)?.discard();
      }
    } finally {
      await reader?.close();
    }
  },
};

/** The whole of a small `.npy` file (a single value row: nothing to block). */
async function readAll(reader: NpyBlockReader, shape: number[]): Promise<InstanceType<typeof torch.Tensor>> {
  const data = new Float64Array(new SharedArrayBuffer(shape.reduce((a, b) => a * b, 1) * 8));
  await reader.read(0, data);
  return new torch.Tensor(data, shape);
}

/** The output's shape: `broadcast(values.shape[:-1], batch_shape)`, or a usage error. */
function resultShape(shape: number[], batch: readonly number[], where: string): number[] {
  const lead = shape.slice(0, -1);
  const n = Math.max(lead.length, batch.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = lead[lead.length - n + i] ?? 1;
    const b = batch[batch.length - n + i] ?? 1;
    if (a !== b && a !== 1 && b !== 1) {
      throw new UsageError(
        `${where}: values of shape [${shape.join(', ')}] do not broadcast with the batch shape [${batch.join(', ')}].`,
        { argument: where, rule: Rule.broadcastable },
      );
    }
    out.push(a === 1 ? b : a);
  }
  return out;
}

/**
 * The distribution's message, for a command-line user: an exact 0 gets the two ways to finite
 * log-densities that the command line offers.
 */
function explain(err: ValueError, logSpace: boolean): string {
  if (!logSpace && err.rule === Rule.openSimplex) {
    return (
      'a value has an entry exactly equal to 0: the sample underflowed (at low temperature many entries fall below the smallest double, ' +
      'about 1e-308), and the density is not finite there. For finite log-densities, either write them with the samples ' +
      '(relaxed-mc sample ... --log-prob lp.npy: computed from each draw in log space), or write log-space samples ' +
      '(relaxed-mc sample ... --log-space --out x.npy) and score them with relaxed-mc log-prob ... --log-space --values x.npy.'
    );
  }
  return oneLine(err.message, 300).replace(/:\s*tensor\(.*$/, '.');
}

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
      { argument: where, rule: Rule.shape },
    );
  }
  return [rows / B, ...batch, shape[1]];
}
