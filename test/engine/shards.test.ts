import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torch, Engine, StateFileError, mergeStates, readStateFile, resultOfState } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const bits = (t: { data: Float64Array }) =>
  Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length * 2));
const dist = new RelaxedOneHotCategorical(torch.tensor([0.5, 2]), {
  probs: [
    [0.7, 0.2, 0.1],
    [0.1, 0.1, 0.8],
  ],
});
const job = { samples: 123_457, seed: 11, chunkSize: 1000 } as const;
const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());

async function shards(count: number, opts: object = {}) {
  const out = [];
  for (let index = 0; index < count; index++) {
    const est = await engine.moments(dist, { ...job, ...opts, shard: { index, count } });
    out.push({ file: `part-${index}.json`, state: est.state });
  }
  return out;
}

describe('shards', () => {
  it('4 shards merged give the bits of the single run', async () => {
    const single = await engine.moments(dist, job);
    const parts = await shards(4);
    // Any order of the parts.
    const merged = await resultOfState(mergeStates([parts[2], parts[0], parts[3], parts[1]]));
    expect(merged.kind).toBe('moments');
    if (merged.kind !== 'moments') return;
    for (const key of ['mean', 'variance', 'stderr', 'varianceStderr'] as const) {
      expect(bits(merged.result[key]), key).toEqual(bits(single[key]));
    }
    expect(merged.result.samples).toBe(single.samples);
    // Each shard alone is a valid (smaller) estimate.
    const alone = await engine.moments(dist, { ...job, shard: { index: 1, count: 4 } });
    expect(alone.samples).toBeLessThan(single.samples);
  });

  it('gradient studies shard and merge too', async () => {
    const opts = {
      objective: { kind: 'linear' as const, c: [1, -1, 0.5] },
      samples: 8000,
      seed: 4,
      chunkSize: 100,
      estimators: ['reinforce', 'gumbel-rao'],
    };
    const single = await engine.gradients(dist, opts);
    const parts = [];
    for (let index = 0; index < 3; index++)
      parts.push({
        file: `g${index}`,
        state: (await engine.gradients(dist, { ...opts, shard: { index, count: 3 } })).state,
      });
    const merged = await resultOfState(mergeStates(parts));
    if (merged.kind !== 'gradients') throw new Error('expected a gradients result');
    // A shard alone reports its own estimates: its count, and a mean near the exact gradient.
    const alone = await engine.gradients(dist, { ...opts, shard: { index: 0, count: 3 } });
    const r = alone.estimators.reinforce;
    expect(r.samples).toBeLessThan(single.estimators.reinforce.samples);
    expect(r.samples).toBe(r.groups);
    for (let i = 0; i < r.bias.data.length; i++) expect(Math.abs(r.bias.data[i]) / r.stderr.data[i]).toBeLessThan(5);
    expect(bits(merged.result.estimators['gumbel-rao'].variance)).toEqual(
      bits(single.estimators['gumbel-rao'].variance),
    );
    expect(bits(merged.result.estimators.reinforce.stderr)).toEqual(bits(single.estimators.reinforce.stderr));
  });

  it('merge refuses duplicates, gaps, other parameters and incomplete parts, naming the files', async () => {
    const parts = await shards(3);
    expect(() => mergeStates([parts[0], parts[1], { ...parts[1], file: 'copy.json' }, parts[2]])).toThrow(
      /copy\.json and part-1\.json are both shard 1 of 3: a duplicate/,
    );
    expect(() => mergeStates([parts[0], parts[2]])).toThrow(/missing shard 1 of 3/);
    const other = (await engine.moments(dist, { ...job, seed: 12, shard: { index: 1, count: 3 } })).state;
    expect(() => mergeStates([parts[0], { file: 'other.json', state: other }, parts[2]])).toThrow(
      /other\.json belongs to another job than part-0\.json \(seed: 12 there, 11 here\)/,
    );
    const four = (await engine.moments(dist, { ...job, shard: { index: 3, count: 4 } })).state;
    expect(() => mergeStates([...parts, { file: 'four.json', state: four }])).toThrow(
      /four\.json is shard 3\/4, but part-0\.json splits the job into 3 shards/,
    );
    // An interrupted shard leaves an incomplete checkpoint: merging it is refused.
    const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-shard-'));
    const ac = new AbortController();
    const path = join(dir, 'part-0.json');
    const err = await engine
      .moments(dist, {
        ...job,
        shard: { index: 0, count: 3 },
        checkpoint: path,
        signal: ac.signal,
        onProgress: (p) => p.done > 0 && ac.abort(),
      })
      .catch((e) => e);
    expect(err.name).toBe('AbortError');
    const incomplete = { file: path, state: readStateFile(path)! };
    expect(() => mergeStates([incomplete, parts[1], parts[2]])).toThrow(
      /part-0\.json is incomplete: shard 0\/3 has \d+ of its 41 chunks of moments/,
    );
    rmSync(dir, { recursive: true, force: true });
    expect(() => mergeStates([])).toThrow(StateFileError);
  });

  it('merging a study whose objective module changed since it ran is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-module-'));
    const mod = join(dir, 'objective.mjs');
    writeFileSync(
      mod,
      'export function f(z) { return z[0] * z[1]; }\nexport function grad(z, out) { out[0] = z[1]; out[1] = z[0]; out.fill(0, 2); }\n',
    );
    const opts = { objective: { module: mod }, samples: 2000, seed: 9, chunkSize: 100, estimators: ['reinforce'] };
    const d2 = new RelaxedOneHotCategorical(0.5, { probs: [0.3, 0.7] });
    const parts = [];
    for (let index = 0; index < 2; index++)
      parts.push({
        file: `m${index}`,
        state: (await engine.gradients(d2, { ...opts, shard: { index, count: 2 } })).state,
      });
    expect((await resultOfState(mergeStates(parts))).kind).toBe('gradients');
    writeFileSync(
      mod,
      'export function f(z) { return z[0]; }\nexport function grad(z, out) { out.fill(0); out[0] = 1; }\n',
    );
    await expect(resultOfState(mergeStates(parts))).rejects.toThrow(/objective module .* has changed/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shard options are checked', async () => {
    await expect(engine.moments(dist, { ...job, shard: { index: 4, count: 4 } })).rejects.toThrow(
      /shard.index must be an integer from 0 to 3/,
    );
    await expect(engine.moments(dist, { ...job, shard: { index: 0, count: 0 } })).rejects.toThrow(
      /shard.count must be a positive integer/,
    );
  });
});
