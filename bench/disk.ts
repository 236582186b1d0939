/**
 * The CLI's `sample` to disk beside `dd` writing the same number of bytes to the same folder
 * (`bs=8M conv=fsync`), in interleaved rounds: the figure of merit of a streamed sample is the
 * disk, so the ratio says how close to the disk's own speed the draws come out.
 *
 * Run: `npm run build && node dist/bench/disk.js [--elements 268435456] [--rounds 5] [--dir DIR]`
 * (the default folder is the system temp directory; each file is removed after its round).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referenceLogits } from './workloads.js';
import { checked, readFlags, wholeNumber } from './cli-args.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const flags = readFlags('node dist/bench/disk.js [flags]', {
  elements: { arg: 'N', help: 'Float64 elements per file (default 268435456: 2 GiB)' },
  rounds: { arg: 'N', help: 'rounds per side (default 5)' },
  dir: { arg: 'DIR', help: 'the disk to write to (default the system temp folder)' },
});
const elements = checked(() => wholeNumber('elements', flags.elements, 2 ** 28, 1));
const rounds = checked(() => wholeNumber('rounds', flags.rounds, 5, 1));
const dir = mkdtempSync(join(resolve(flags.dir ?? tmpdir()), 'relaxed-mc-disk-'));
const K = 16;
const samples = Math.floor(elements / K);

function timed(cmd: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load0 = loadavg();
const cli: number[] = [];
const dd: number[] = [];
const ratios: number[] = [];
try {
  for (let r = 0; r < rounds; r++) {
    const out = join(dir, 's.npy');
    const s = timed(process.execPath, [
      join(ROOT, 'dist/src/cli/main.js'),
      'sample',
      '--temperature',
      '0.5',
      '--logits',
      referenceLogits(K).join(','),
      '--samples',
      String(samples),
      '--seed',
      String(r + 1),
      '--out',
      out,
      '--quiet',
    ]);
    const bytes = statSync(out).size;
    rmSync(out);
    const ddOut = join(dir, 'dd.bin');
    const count = Math.ceil(bytes / (8 * 2 ** 20));
    const d = timed('dd', ['if=/dev/zero', `of=${ddOut}`, 'bs=8M', `count=${count}`, 'conv=fsync', 'status=none']);
    const ddBytes = statSync(ddOut).size;
    rmSync(ddOut);
    cli.push(bytes / s / 1e6);
    dd.push(ddBytes / d / 1e6);
    ratios.push(bytes / s / (ddBytes / d));
    console.log(
      `round ${r + 1}: sample ${(bytes / s / 1e6).toFixed(0)} MB/s, dd ${(ddBytes / d / 1e6).toFixed(0)} MB/s`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const fmt = (xs: number[], d = 0) =>
  `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)})`;
console.log(
  `# ${elements} elements (${((elements * 8) / 2 ** 30).toFixed(2)} GiB) per file, ${rounds} interleaved rounds, load ${load0[0].toFixed(2)} before / ${loadavg()[0].toFixed(2)} after`,
);
console.log(`| relaxed-mc sample --out .npy | dd bs=8M conv=fsync | sample / dd |`);
console.log(`|---:|---:|---:|`);
console.log(`| ${fmt(cli)} MB/s | ${fmt(dd)} MB/s | ${fmt(ratios, 2)} |`);
