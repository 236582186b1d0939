/**
 * The command line streams: `sample` writes any number of draws through a ring of reused
 * buffers (a 1 GiB file under a 64 MiB budget), `--log-prob` writes each draw's fused
 * log-density beside it (finite at low temperature), `log-prob` reads `.npy` values in blocks
 * and scores `--log-space` values, and explains how to get finite values when a sample has exact
 * zeros.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { torch, Engine } from 'relaxed-mc';
import { parseNpy } from '../../src/cli/npy.js';
import { NpyBlockReader } from '../../src/cli/array-stream.js';
import { entries, relaxedMc, tempFolder } from './helpers.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const engine = new Engine({ threads: 2 });
const folders: (() => void)[] = [];
afterAll(async () => {
  await engine.close();
  for (const f of folders) f();
});
function folder(): string {
  const t = tempFolder();
  folders.push(t.cleanup);
  return t.dir;
}
const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const COLD = '0,-0.3,-0.6,-0.9,-1.2,-1.5,-1.8,-2.1,-2.4,-2.7';

describe('the pipeline at tau = 0.01 (K = 10)', () => {
  it('sample --log-prob writes finite log-densities within 1e-13 relative of log-prob --log-space on the written sample', async () => {
    const dir = folder();
    const common = ['--temperature', '0.01', '--logits', COLD, '--seed', '3', '--quiet'];
    const a = await relaxedMc(
      ['sample', ...common, '--samples', '50000', '--log-space', '--out', 'x.npy', '--log-prob', 'lp.npy'],
      dir,
    );
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const b = await relaxedMc(
      [
        'log-prob',
        '--temperature',
        '0.01',
        '--logits',
        COLD,
        '--values',
        'x.npy',
        '--log-space',
        '--out',
        'lp2.npy',
        '--quiet',
      ],
      dir,
    );
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const lp = parseNpy(readFileSync(join(dir, 'lp.npy')), 'lp.npy');
    const lp2 = parseNpy(readFileSync(join(dir, 'lp2.npy')), 'lp2.npy');
    expect(lp.shape).toEqual([50_000]);
    let worst = 0;
    for (let i = 0; i < lp.data.length; i++) {
      if (!Number.isFinite(lp.data[i])) throw new Error(`log-density ${i} is ${lp.data[i]}`);
      worst = Math.max(worst, Math.abs(lp.data[i] - lp2.data[i]) / Math.abs(lp2.data[i]));
    }
    expect(worst).toBeLessThanOrEqual(1e-13);

    // The simplex samples of the same seed: many exact zeros, yet the same finite log-densities;
    // log-prob on them exits 2 and says how to get finite values.
    const c = await relaxedMc(
      ['sample', ...common, '--samples', '50000', '--out', 'y.npy', '--log-prob', 'lpy.csv'],
      dir,
    );
    expect(c.code).toBe(0);
    const y = parseNpy(readFileSync(join(dir, 'y.npy')), 'y.npy');
    expect(y.data.filter((v) => v === 0).length).toBeGreaterThan(1000);
    const lpy = readFileSync(join(dir, 'lpy.csv'), 'utf8').trim().split('\n');
    expect(lpy[0]).toBe('log_prob');
    expect(lpy.length).toBe(50_001);
    for (let i = 0; i < 50_000; i += 997) expect(Number(lpy[i + 1])).toBe(lp.data[i]);
    const d = await relaxedMc(
      ['log-prob', '--temperature', '0.01', '--logits', COLD, '--values', 'y.npy', '--out', 'lp3.npy'],
      dir,
    );
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/exactly equal to 0/);
    expect(d.stderr).toMatch(/sample \.\.\. --log-prob lp\.npy/);
    expect(d.stderr).toMatch(/--log-space --out x\.npy\) and score them with relaxed-mc log-prob \.\.\. --log-space/);
    expect(entries(dir)).toEqual(['lp.npy', 'lp2.npy', 'lpy.csv', 'x.npy', 'y.npy']);
  });
});

describe('sample beyond the memory budget', () => {
  it('writes a 1 GiB .npy under --max-bytes 64 MiB, the same draws as the engine (spot checks at the start, middle and end)', async () => {
    const dir = folder();
    const N = 2 ** 23; // x 16 = 2^27 values, 1 GiB
    const logits = Array.from({ length: 16 }, (_, k) => (Math.sin(k) * 1.5).toFixed(3)).join(',');
    const r = await relaxedMc(
      [
        'sample',
        '--temperature',
        '0.37',
        '--logits',
        logits,
        '--samples',
        String(N),
        '--seed',
        '11',
        '--max-bytes',
        String(64 * 2 ** 20),
        '--out',
        'big.npy',
        '--quiet',
      ],
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(join(dir, 'big.npy')).size).toBe(128 + 2 ** 27 * 8);
    const reader = await NpyBlockReader.open(join(dir, 'big.npy'), '--values');
    try {
      expect(reader.shape).toEqual([N, 16]);
      const dist = new RelaxedOneHotCategorical(0.37, { logits: logits.split(',').map(Number) });
      for (const start of [0, 3_000_017, N - 5000]) {
        const got = new Float64Array(5000 * 16);
        await reader.read(start * 16, got);
        const it = engine.sampleChunks(dist, [N], { seed: 11, start, rows: 5000 });
        const first = await it.next();
        await it.return(undefined);
        expect(
          bits(got).equals(bits((first.value as { value: { data: Float64Array } }).value.data)),
          `draws from ${start}`,
        ).toBe(true);
      }
    } finally {
      await reader.close();
    }
    expect(entries(dir)).toEqual(['big.npy']);
  });

  it('log-prob reads a .npy in blocks and equals logProb on the whole', async () => {
    const dir = folder();
    const N = 2 ** 19; // x 16 = 2^23 values: four read blocks
    const r = await relaxedMc(
      [
        'sample',
        '--temperature',
        '0.7',
        '--probs',
        '0.1,0.2,0.3,0.4,0.05,0.05,0.1,0.1,0.1,0.2,0.3,0.4,0.05,0.05,0.1,0.1',
        '--samples',
        String(N),
        '--seed',
        '2',
        '--out',
        'v.npy',
        '--quiet',
      ],
      dir,
    );
    expect(r.code).toBe(0);
    const lp = await relaxedMc(
      [
        'log-prob',
        '--temperature',
        '0.7',
        '--probs',
        '0.1,0.2,0.3,0.4,0.05,0.05,0.1,0.1,0.1,0.2,0.3,0.4,0.05,0.05,0.1,0.1',
        '--values',
        'v.npy',
        '--out',
        'lp.npy',
        '--quiet',
      ],
      dir,
    );
    expect(lp.stderr).toBe('');
    expect(lp.code).toBe(0);
    const v = parseNpy(readFileSync(join(dir, 'v.npy')), 'v.npy');
    const dist = new RelaxedOneHotCategorical(0.7, {
      probs: [0.1, 0.2, 0.3, 0.4, 0.05, 0.05, 0.1, 0.1, 0.1, 0.2, 0.3, 0.4, 0.05, 0.05, 0.1, 0.1],
    });
    const want = await engine.logProb(dist, new torch.Tensor(v.data, v.shape));
    const got = parseNpy(readFileSync(join(dir, 'lp.npy')), 'lp.npy');
    expect(got.shape).toEqual([N]);
    expect(bits(got.data).equals(bits(want.data))).toBe(true);
  });

  it('refuses, before any work, an output larger than the free disk space', async () => {
    const dir = folder();
    const r = await relaxedMc(
      ['sample', '--temperature', '0.5', '--probs', '0.5,0.5', '--samples', '1e15', '--out', 'huge.npy'],
      dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out huge\.npy: the file needs about .* PiB but the file system of .* has .* free/);
    expect(entries(dir)).toEqual([]);
  });
});

describe('sample --checkpoint', () => {
  async function killedThenResumed(format: 'npy' | 'csv', args: string[], samples: number) {
    const clean = folder();
    const dir = folder();
    const out = `s.${format}`;
    const full = ['sample', ...args, '--samples', String(samples), '--seed', '21', '--out', out, '--quiet'];
    const a = await relaxedMc(full, clean);
    expect(a.code).toBe(0);
    const withCk = [...full, '--checkpoint', 'ck.json'];
    // Start, wait until the checkpoint records some blocks (not all), then kill -9.
    const { spawn } = await import('node:child_process');
    const { MAIN } = await import('./helpers.js');
    const child = spawn(process.execPath, [MAIN, ...withCk], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    let done = 0;
    for (let i = 0; i < 3000 && done === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        done = JSON.parse(readFileSync(join(dir, 'ck.json'), 'utf8')).done;
      } catch {
        // not written yet, or being replaced
      }
    }
    child.kill('SIGKILL');
    await exited;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(samples);
    expect(entries(dir)).toContain(`${out}.partial`);
    expect(entries(dir)).not.toContain(out);
    const b = await relaxedMc(withCk, dir);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(readFileSync(join(dir, out)).equals(readFileSync(join(clean, out)))).toBe(true);
    expect(entries(dir)).toEqual(['ck.json', out]);
    // A rerun of the finished job has nothing to do.
    const c = await relaxedMc(
      withCk.filter((x) => x !== '--quiet'),
      dir,
    );
    expect(c.code).toBe(0);
    expect(c.stderr).toMatch(/is complete/);
  }

  it('killed with kill -9 halfway and resumed: .npy with the bytes of an uninterrupted run', async () => {
    await killedThenResumed(
      'npy',
      ['--temperature', '0.37', '--logits', '0.5,0,-0.5,1', '--block-rows', '20000'],
      400_000,
    );
  });

  it('killed with kill -9 halfway and resumed: CSV truncated to its fsynced length and appended, same bytes', async () => {
    await killedThenResumed('csv', ['--temperature', '0.5', '--probs', '0.2,0.3,0.5', '--block-rows', '5000'], 100_000);
  });

  it('a checkpoint of another stream version is refused, naming both versions', async () => {
    const dir = folder();
    const args = [
      'sample',
      '--temperature',
      '0.5',
      '--probs',
      '0.5,0.5',
      '--samples',
      '1000',
      '--seed',
      '1',
      '--out',
      'a.npy',
      '--checkpoint',
      'ck.json',
      '--quiet',
    ];
    expect((await relaxedMc(args, dir)).code).toBe(0);
    const ck = JSON.parse(readFileSync(join(dir, 'ck.json'), 'utf8'));
    const { checksum: _c, ...body } = ck;
    void _c;
    body.generator = 'xoshiro256plus-x2+spare/philox4x32-10-seeded/ziggurat-exp/v2';
    const { createHash } = await import('node:crypto');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(dir, 'ck.json'),
      JSON.stringify({ ...body, checksum: createHash('sha256').update(JSON.stringify(body)).digest('hex') }),
    );
    const r = await relaxedMc(args, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /stream version xoshiro256plus-x2\+spare\/philox4x32-10-seeded\/ziggurat-exp\/v2, but this version of relaxed-mc draws with .*\/v3/,
    );
  });
});
