/**
 * The built files (worker entries, the WebAssembly kernels, the figure and calibration workers)
 * are found from the package root, so the sources reach the same files as the build: a test
 * that imports from `src/` runs the engine, whose workers are the compiled ones.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT, builtFile } from '../src/package-files.js';
import { Engine, torch } from '../src/index.js';
import * as built from 'relaxed-mc';

describe('builtFile', () => {
  it('finds the package root and every file the build loads at run time', () => {
    expect(existsSync(fileURLToPath(new URL('package.json', PACKAGE_ROOT)))).toBe(true);
    for (const f of [
      'workers/worker.js',
      'workers/exact-worker.js',
      'src/kernels/wasm/relaxed-kernels.wasm',
      'src/cli/figure-worker.js',
      'src/bench/calibration-worker.js',
    ])
      expect(existsSync(fileURLToPath(builtFile(f))), f).toBe(true);
  });
});

describe('the engine from the sources', () => {
  const engines: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const e of engines) await e.close();
  });

  it('samples the same bits as the built package', async () => {
    const fromSrc = new Engine({ threads: 2 });
    const fromPkg = new built.Engine({ threads: 2 });
    engines.push(fromSrc, fromPkg);
    const logits = [0.3, -1.2, 2.0, 0.0];
    const a = await fromSrc.sample(
      new torch.distributions.RelaxedOneHotCategorical(0.37, { logits: torch.tensor(logits) }),
      [5000],
      {
        seed: 11,
      },
    );
    const b = await fromPkg.sample(
      new built.torch.distributions.RelaxedOneHotCategorical(0.37, { logits: built.torch.tensor(logits) }),
      [5000],
      { seed: 11 },
    );
    expect(a.shape).toEqual([5000, 4]);
    expect(
      Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(
        Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength),
      ),
    ).toBe(true);
  });
});
