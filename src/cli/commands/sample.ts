/**
 * `relaxed-mc sample`: draws to a `.npy` or `.csv` file.
 *
 * @packageDocumentation
 */
import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import { Engine } from '../../index.js';
import type { CommandSpec } from '../command.js';
import { AtomicFile } from '../atomic-file.js';
import { buildDistribution } from '../distribution.js';
import { addDistributionFlags, addRunFlags, addSamplesFlag, type SharedFlags } from '../options.js';
import { asUsage } from '../run-moments.js';
import { UsageError } from '../errors.js';
import { resolve } from 'node:path';
import { arrayFormatOf } from '../tensor-io.js';
import { BlockWriter, checkFreeSpace, npyBytes } from '../array-stream.js';
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
    // The engine would pick a random seed too, but would not say which: pick it here to report it.
    const seed = flags.seed ?? randomInt(0, 2 ** 48 - 1);
    const K = dist.event_shape[0];
    const batch = dist.batch_shape;
    const shape = [flags.samples, ...batch, K];
    const lpShape = [flags.samples, ...batch];
    if (flags.logProb !== undefined && resolve(flags.logProb) === resolve(flags.out)) {
      throw new UsageError(`--log-prob ${flags.logProb}: must be another file than --out.`);
    }
    // The sizes are known (for .npy exactly; CSV text is at least 2 bytes per value): check the
    // disk before any work.
    const need = (path: string, s: number[]) =>
      arrayFormatOf(path, '--out') === 'npy' ? npyBytes(s) : 2 * s.reduce((a, b) => a * b, 1);
    await checkFreeSpace(
      flags.out,
      need(flags.out, shape) + (flags.logProb === undefined ? 0 : need(flags.logProb, lpShape)),
      '--out',
    );
    const out = await AtomicFile.create(flags.out, '--out');
    const lpOut =
      flags.logProb === undefined
        ? null
        : await AtomicFile.create(flags.logProb, '--log-prob').catch(async (e) => {
            await out.discard();
            throw e;
          });
    const engine = new Engine({ threads: flags.threads, maxBytes: flags.maxBytes });
    const bar = ctx.progress('sample', 'draws', flags.quiet ?? false);
    try {
      const name = flags.logSpace ? 'x' : 'y';
      const values = await BlockWriter.start(
        out,
        shape,
        Array.from({ length: K }, (_, k) => `${name}${k}`),
      );
      const densities = lpOut === null ? null : await BlockWriter.start(lpOut, lpShape, ['log_prob']);
      const blocks = engine.sampleChunks(dist, [flags.samples], {
        seed,
        logSpace: flags.logSpace ?? false,
        logProb: lpOut !== null,
        onProgress: (p) => bar.update(p),
        signal: ctx.signal,
      });
      try {
        // Each block is written before the next is asked for (it lives in a reused buffer).
        for await (const b of blocks) {
          await values.write(b.value.data);
          if (densities !== null) await densities.write(b.logProb!.data);
        }
      } catch (err) {
        throw asUsage(err, '--samples');
      }
      bar.stop();
      await out.commit(ctx.signal);
      if (lpOut !== null) await lpOut.commit(ctx.signal);
      if (!flags.quiet) {
        ctx.stderr.write(
          `sample: wrote ${flags.out}, shape [${shape.join(', ')}]` +
            `${lpOut === null ? '' : ` and ${flags.logProb}, shape [${lpShape.join(', ')}]`}, seed ${seed}\n`,
        );
      }
    } finally {
      bar.stop();
      await engine.close();
      await out.discard();
      await lpOut?.discard();
    }
  },
};
