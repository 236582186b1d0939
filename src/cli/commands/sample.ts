/**
 * `relaxed-mc sample`: draws to a `.npy` or `.csv` file.
 *
 * @packageDocumentation
 */
import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { CommandSpec } from '../command.js';
import { AtomicFile } from '../atomic-file.js';
import { buildDistribution } from '../distribution.js';
import { addDistributionFlags, addRunFlags, addSamplesFlag, type SharedFlags } from '../options.js';
import { asUsage, closeEngine, commandEngine } from '../run-moments.js';
import { checkOutputs } from '../output-check.js';
import { AbortError } from '../../index.js';
import { CheckpointedOutputs, readSampleCheckpoint, type SampleParams } from '../sample-checkpoint.js';
import { resolve } from 'node:path';
import { arrayFormatOf } from '../tensor-io.js';
import { BlockWriter, npyBytes } from '../array-stream.js';
import { countParser } from '../options.js';

/** Flags of `sample`. */
export interface SampleFlags extends SharedFlags {
  /** Draws per batch element (the leading dimension of the output). */
  samples: number;
  /** The output file, `.npy` or `.csv`. */
  out: string;
  /** Write log-simplex values `x` (with `exp(x)` the sample). */
  logSpace?: boolean;
  /** Also write each sample's log-density (`.npy` / `.csv`), computed in log space from the draw. */
  logProb?: string;
  /** Memory budget of the engine's buffers, in bytes. */
  maxBytes?: number;
  /** Checkpoint file: resume an interrupted run (see sample-checkpoint.ts). */
  checkpoint?: string;
  /** Draws per block (default: the engine's, one chunk per thread). */
  blockRows?: number;
}

/** The `sample` subcommand. */
export const sample: CommandSpec<SampleFlags> = {
  name: 'sample',
  summary: 'draw samples to a .npy file (shape [N, ...batch, K]) or a .csv file (K columns)',
  define(cmd: Command) {
    addDistributionFlags(cmd, { temperature: true });
    addSamplesFlag(cmd, undefined, 'draws per batch element (N)');
    cmd.addOption(
      new Option(
        '--out <file>',
        'output: .npy (float64, shape [N, ...batch, K]) or .csv (header, one row of K values per draw)',
      )
        .makeOptionMandatory()
        .argParser((p: string) => (arrayFormatOf(p, '--out'), p)),
    );
    cmd.addOption(
      new Option('--log-space', 'write log-simplex values x (exp(x) is the sample): finite at any temperature'),
    );
    cmd.addOption(
      new Option(
        '--log-prob <file>',
        "also write each sample's log-density (.npy of shape [N, ...batch], or .csv column log_prob), computed in " +
          'log space from the draw itself: finite at any temperature',
      ).argParser((p: string) => (arrayFormatOf(p, '--log-prob'), p)),
    );
    cmd.addOption(
      new Option('--block-rows <n>', "draws per written block (default: the engine's, a few MiB)").argParser(
        countParser('--block-rows', 1, '65536'),
      ),
    );
    cmd.addOption(
      new Option(
        '--checkpoint <file>',
        'write the output to NAME.partial, record progress in this file after each block, and resume from it when ' +
          'it exists (the seed too); NAME appears when the run completes',
      ),
    );
    cmd.addOption(
      new Option(
        '--max-bytes <n>',
        'memory budget of the sample buffers in bytes (default: half the free memory); the file may be any size',
      ).argParser(countParser('--max-bytes', 1, '67108864 or 6.4e7')),
    );
    addRunFlags(cmd);
    cmd.addHelpText(
      'after',
      '\nExample:\n  relaxed-mc sample --temperature 0.5 --logits 0.1,-0.2,0.3 --samples 1e6 --seed 7 --out samples.npy\n',
    );
  },
  async run(flags, ctx) {
    const { dist } = buildDistribution(flags);
    const saved = flags.checkpoint === undefined ? null : readSampleCheckpoint(flags.checkpoint);
    // The engine would pick a random seed too, but would not say which: pick it here to report it.
    // A rerun of a checkpointed command without --seed takes the checkpoint's.
    const seed = flags.seed ?? saved?.params.seed ?? randomInt(0, 2 ** 48 - 1);
    const K = dist.event_shape[0];
    const batch = dist.batch_shape;
    const shape = [flags.samples, ...batch, K];
    const lpShape = [flags.samples, ...batch];
    // Outputs must be writable and differ from each other and from the checkpoint (same device
    // and inode after realpath); the free space is checked below, once the sizes are known.
    checkOutputs(
      [
        { flag: '--out', path: flags.out },
        { flag: '--log-prob', path: flags.logProb },
      ],
      [{ flag: '--checkpoint', path: flags.checkpoint }],
    );
    const name = flags.logSpace ? 'x' : 'y';
    const columns = Array.from({ length: K }, (_, k) => `${name}${k}`);
    const params: SampleParams = {
      logits: Array.from(dist._params.rowLogits),
      temperature: Array.from(dist._params.rowTemperature),
      batchShape: [...batch],
      K,
      seed,
      samples: flags.samples,
      logSpace: flags.logSpace ?? false,
      out: resolve(flags.out),
      logProb: flags.logProb === undefined ? null : resolve(flags.logProb),
    };
    if (flags.checkpoint !== undefined && CheckpointedOutputs.finished(flags.checkpoint, params)) {
      if (!flags.quiet)
        ctx.stderr.write(`sample: ${flags.out} is complete (checkpoint ${flags.checkpoint}); nothing to do.\n`);
      return;
    }
    // The sizes are known (for .npy exactly; CSV text is at least 2 bytes per value): check the
    // disk before any work.
    const need = (path: string, s: number[]) =>
      arrayFormatOf(path, '--out') === 'npy' ? npyBytes(s) : 2 * s.reduce((a, b) => a * b, 1);
    if (saved === null) {
      checkOutputs([
        { flag: '--out', path: flags.out, bytes: need(flags.out, shape) },
        {
          flag: '--log-prob',
          path: flags.logProb,
          bytes: flags.logProb === undefined ? 0 : need(flags.logProb, lpShape),
        },
      ]);
    }
    const engine = commandEngine(
      { threads: flags.threads, maxBytes: flags.maxBytes },
      ctx,
      flags.checkpoint !== undefined,
    );
    const bar = ctx.progress('sample', 'draws', flags.quiet ?? false);
    const outputs = [{ path: flags.out, shape, columns }];
    if (flags.logProb !== undefined) outputs.push({ path: flags.logProb, shape: lpShape, columns: ['log_prob'] });
    const sink =
      flags.checkpoint === undefined
        ? await AtomicSink.open(outputs)
        : await CheckpointedOutputs.open(flags.checkpoint, params, outputs);
    try {
      const start = sink.done;
      const blocks = engine.sampleChunks(dist, [flags.samples], {
        seed,
        start,
        rows: flags.blockRows,
        logSpace: flags.logSpace ?? false,
        logProb: flags.logProb !== undefined,
        onProgress: (p) => bar.update(p),
        signal: ctx.signal,
      });
      try {
        // Each block is written before the next is asked for (it lives in a reused buffer).
        for await (const b of blocks) {
          await sink.write(0, b.offset, b.value.data);
          if (b.logProb !== null) await sink.write(1, b.offset, b.logProb.data);
          await sink.save(b.offset + b.value.shape[0]);
        }
      } catch (err) {
        throw asUsage(err, '--samples');
      }
      bar.stop();
      if (ctx.signal.aborted) throw new AbortError('sample was interrupted.');
      await sink.finish(flags.samples);
      if (!flags.quiet) {
        ctx.stderr.write(
          `sample: wrote ${flags.out}, shape [${shape.join(', ')}]` +
            `${flags.logProb === undefined ? '' : ` and ${flags.logProb}, shape [${lpShape.join(', ')}]`}, seed ${seed}\n`,
        );
      }
    } finally {
      bar.stop();
      await closeEngine(engine, ctx.signal);
      await sink.close();
    }
  },
};

/**
 * Outputs without a checkpoint: temporary files, created with the first block (when its first
 * byte is ready), renamed at the end, removed on failure or signal.
 */
class AtomicSink {
  readonly done = 0;
  private files: AtomicFile[] = [];
  private writers: BlockWriter[] = [];
  private constructor(private readonly outputs: { path: string; shape: number[]; columns: string[] }[]) {}

  static async open(outputs: { path: string; shape: number[]; columns: string[] }[]): Promise<AtomicSink> {
    return new AtomicSink(outputs);
  }

  private async create(): Promise<void> {
    if (this.writers.length === this.outputs.length) return;
    for (const [i, o] of this.outputs.entries()) {
      const f = await AtomicFile.create(o.path, i === 0 ? '--out' : '--log-prob');
      this.files.push(f);
      this.writers.push(await BlockWriter.start(f, o.shape, o.columns));
    }
  }

  async write(i: number, _first: number, data: Float64Array): Promise<void> {
    await this.create();
    await this.writers[i].write(data);
  }

  async save(_done: number): Promise<void> {}

  async finish(_total: number): Promise<void> {
    await this.create();
    for (const f of this.files) await f.commit();
  }

  async close(): Promise<void> {
    for (const f of this.files) await f.discard();
  }
}
