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
import { asUsage, closeEngine } from '../run-moments.js';
import { arrayFormatOf, writeArray } from '../tensor-io.js';
import { afterDelay } from '../progress.js';
import { checkOutputs } from '../output-check.js';

/** Flags of `sample`. */
export interface SampleFlags extends SharedFlags {
  /** Draws per batch element (the leading dimension of the output). */
  samples: number;
  /** The output file, `.npy` or `.csv`. */
  out: string;
  /** Write log-simplex values `x` (with `exp(x)` the sample). */
  logSpace?: boolean;
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
    const B = dist.batch_shape.reduce((a, b) => a * b, 1);
    // The size of a .npy is known: its data plus a header of at most a few hundred bytes.
    const npyBytes = arrayFormatOf(flags.out, '--out') === 'npy' ? flags.samples * B * K * 8 + 512 : undefined;
    checkOutputs([{ flag: '--out', path: flags.out, bytes: npyBytes }]);
    const engine = new Engine({ threads: flags.threads });
    const bar = ctx.progress('sample', 'draws', flags.quiet ?? false);
    let z;
    try {
      z = await engine
        .sample(dist, [flags.samples], {
          seed,
          logSpace: flags.logSpace ?? false,
          onProgress: (p) => bar.update(p),
          signal: ctx.signal,
        })
        .catch((err: unknown) => {
          throw asUsage(err, '--samples');
        });
    } finally {
      bar.stop();
      await closeEngine(engine, ctx.signal);
    }
    // The temporary file is created now, with the first byte ready.
    const out = await AtomicFile.create(flags.out, '--out');
    try {
      const name = flags.logSpace ? 'x' : 'y';
      const writing = afterDelay(ctx.progress(`sample (writing ${flags.out})`, 'rows', flags.quiet ?? false));
      try {
        await writeArray(
          out,
          z.shape,
          z.data,
          Array.from({ length: K }, (_, k) => `${name}${k}`),
          ctx.signal,
          (p) => writing.update(p),
        );
      } finally {
        writing.stop();
      }
      await out.commit(ctx.signal);
    } finally {
      await out.discard();
    }
    if (!flags.quiet) ctx.stderr.write(`sample: wrote ${flags.out}, shape [${z.shape.join(', ')}], seed ${seed}\n`);
  },
};
