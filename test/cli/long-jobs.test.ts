/**
 * Long jobs from the command line: kill -9 and resume from a checkpoint, refused checkpoints,
 * shards in separate processes merged into the single run's bits.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN, relaxedMc, tempFolder } from './helpers.js';

const { dir, cleanup } = tempFolder();
afterAll(cleanup);

/** The fields of `estimate --format json` that must not depend on how the run was carried out. */
const RESULT_FIELDS = [
  'mean',
  'variance',
  'stderr',
  'varianceStderr',
  'samples',
  'seed',
  'exact',
  'temperature',
  'logits',
  'chunkSize',
  'chunks',
  'generator',
];
const pick = (text: string) => {
  const o = JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(RESULT_FIELDS.map((k) => [k, o[k]]));
};

/** Completed chunks recorded in a checkpoint (0 while it does not exist or is being replaced). */
function completed(path: string): number {
  if (!existsSync(path)) return 0;
  const state = JSON.parse(readFileSync(path, 'utf8')) as { parts: { completed: [number, number][] }[] };
  return state.parts[0].completed.reduce((a, [s, e]) => a + e - s, 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('estimate --checkpoint survives kill -9', () => {
  const job = [
    'estimate',
    '--temperature',
    '0.5',
    '--probs',
    '0.7,0.2,0.1',
    '--samples',
    '2e8',
    '--seed',
    '7',
    '--format',
    'json',
    '--quiet',
  ];

  it('5 kills at random moments, thread count changed between resumes: progress grows each time and the result equals a clean run', async () => {
    const clean = await relaxedMc(job, dir);
    expect(clean.code).toBe(0);
    const chunks = (JSON.parse(clean.stdout) as { chunks: number }).chunks;
    const ck = join(dir, 'run.ckpt');
    let last = 0;
    // A fixed schedule of delays, so the test is reproducible; each kill lands somewhere in a write cycle.
    const delays = [37, 151, 83, 209, 11, 127];
    for (let kill = 0; kill < 5; kill++) {
      const threads = String(1 + (kill % 2));
      const child = spawn(
        process.execPath,
        [MAIN, ...job, '--checkpoint', ck, '--checkpoint-interval', '0.1', '--threads', threads],
        { cwd: dir, stdio: 'ignore' },
      );
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
      // Wait until this run has saved progress of its own, then kill it a little later.
      for (let t = 0; t < 600 && completed(ck) <= last; t++) await sleep(25);
      await sleep(delays[kill]);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const now = completed(ck);
      expect(now, `after kill ${kill + 1}`).toBeGreaterThan(last);
      last = now;
    }
    expect(last).toBeLessThan(chunks);
    const resumed = await relaxedMc([...job, '--checkpoint', ck, '--threads', '2'], dir);
    expect(resumed.code).toBe(0);
    expect(pick(resumed.stdout)).toEqual(pick(clean.stdout));
    expect(completed(ck)).toBe(chunks);
  }, 120_000);

  it('a corrupt or torn checkpoint, or one for other parameters, is refused: exit 2 naming the file', async () => {
    const ck = join(dir, 'small.ckpt');
    const small = ['estimate', '--samples', '1e5', '--seed', '3', '--format', 'json', '--quiet', '--checkpoint', ck];
    expect((await relaxedMc(small, dir)).code).toBe(0);
    const good = readFileSync(ck, 'utf8');
    const mismatch = await relaxedMc(
      ['estimate', '--samples', '2e5', '--seed', '3', '--quiet', '--checkpoint', ck],
      dir,
    );
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(
      /small\.ckpt was written for other parameters \(samples: 100000 there, 200000 here/,
    );
    writeFileSync(ck, good.slice(0, good.length - 40));
    const torn = await relaxedMc(small, dir);
    expect(torn.code).toBe(2);
    expect(torn.stderr).toMatch(/small\.ckpt is not a complete relaxed-mc state file/);
    writeFileSync(ck, good.replace('"seed":3', '"seed":4'));
    const corrupt = await relaxedMc(small, dir);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toMatch(/small\.ckpt is corrupt/);
  });
});

describe('shards in separate processes', () => {
  const job = [
    'estimate',
    '--temperature',
    '[0.5,2]',
    '--logits',
    '[[0,1,2],[2,1,0]]',
    '--samples',
    '3e6',
    '--seed',
    '42',
    '--quiet',
  ];

  it('4 shards run in 4 processes and merged give the bits of a single run', async () => {
    const parts = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        relaxedMc([...job, '--threads', '1', '--shard', `${i}/4`, '--out', `part-${i}.json`], dir),
      ),
    );
    for (const p of parts) expect(p.code, p.stderr).toBe(0);
    const merged = await relaxedMc(
      ['merge', 'part-3.json', 'part-1.json', 'part-0.json', 'part-2.json', '--format', 'json'],
      dir,
    );
    expect(merged.code, merged.stderr).toBe(0);
    const single = await relaxedMc([...job, '--format', 'json'], dir);
    expect(pick(merged.stdout)).toEqual(pick(single.stdout));
  });

  it('merge refuses duplicates, missing shards and parts of another job (exit 2)', async () => {
    const dup = await relaxedMc(
      ['merge', 'part-0.json', 'part-1.json', 'part-1.json', 'part-2.json', 'part-3.json'],
      dir,
    );
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/are both shard 1 of 4: a duplicate/);
    const gap = await relaxedMc(['merge', 'part-0.json', 'part-1.json', 'part-3.json'], dir);
    expect(gap.code).toBe(2);
    expect(gap.stderr).toMatch(/missing shard 2 of 4/);
    const other = await relaxedMc(
      [...job.map((a) => (a === '42' ? '43' : a)), '--shard', '2/4', '--out', 'other-2.json'],
      dir,
    );
    expect(other.code).toBe(0);
    const mixed = await relaxedMc(['merge', 'part-0.json', 'part-1.json', 'other-2.json', 'part-3.json'], dir);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/other-2\.json belongs to another job .*seed: 43 there, 42 here/);
  });

  it('an unwritable --out or --checkpoint is found before any work (exit 2)', async () => {
    const out = await relaxedMc([...job, '--shard', '0/2', '--out', 'no-such-folder/p.json'], dir);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--out no-such-folder\/p\.json: cannot create a file in the directory .*no-such-folder/);
    const ck = await relaxedMc([...job, '--checkpoint', 'no-such-folder/run.ckpt'], dir);
    expect(ck.code).toBe(2);
    expect(ck.stderr).toMatch(/cannot write the checkpoint .*no-such-folder/);
  });

  it('--shard needs --seed and --out, and a well-formed i/n', async () => {
    expect((await relaxedMc(['estimate', '--shard', '0/2', '--out', 'x.json'], dir)).stderr).toMatch(
      /--shard needs --seed/,
    );
    expect((await relaxedMc(['estimate', '--shard', '0/2', '--seed', '1'], dir)).stderr).toMatch(/--shard needs --out/);
    const bad = await relaxedMc(['estimate', '--shard', '2/2', '--seed', '1', '--out', 'x.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard must be i\/n with 0 <= i < n/);
  });
});
