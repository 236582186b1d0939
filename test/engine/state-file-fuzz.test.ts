/**
 * A state file whose checksum is valid but whose content is not what its kind's schema says (a
 * field removed, or of the wrong type, anywhere in the file, for every kind, checkpoints and
 * shards' partial files, every objective form) is refused with a
 * StateFileError that names the field, never a TypeError from deep inside; a change that still
 * fits the schema is either used or refused with a StateFileError when the file is merged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  torch,
  Engine,
  StateFileError,
  type JobState,
  mergeStates,
  readStateFile,
  resultOfState,
  writeStateFile,
} from 'relaxed-mc';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const dist = new torch.distributions.RelaxedOneHotCategorical(torch.tensor([0.5, 2]), {
  probs: [
    [0.7, 0.2, 0.1],
    [0.1, 0.1, 0.8],
  ],
});

let dir: string;
const engine = new Engine({ threads: 1 });
const states: Record<string, JobState> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-fuzz-'));
  states.moments = (await engine.moments(dist, { samples: 2000, seed: 3, chunkSize: 500, covariance: true })).state;
  states['moments, a shard'] = (
    await engine.moments(dist, { samples: 2000, seed: 3, chunkSize: 500, shard: { index: 1, count: 2 } })
  ).state;
  const gradients = { samples: 64, seed: 4, chunkSize: 16, estimators: ['reinforce', 'gumbel-rao'] };
  states['gradients, linear objective'] = (
    await engine.gradients(dist, { ...gradients, objective: { kind: 'linear', c: [1, -1, 0.5] } })
  ).state;
  states['gradients, quadratic objective'] = (
    await engine.gradients(dist, { ...gradients, objective: { kind: 'quadratic', target: [0.2, 0.3, 0.5] } })
  ).state;
  // A shard's partial file, with a user module (its hash in the parameters) and every estimator.
  states['gradients, a shard, module objective'] = (
    await engine.gradients(dist, {
      ...gradients,
      estimators: 'all',
      objective: { module: fileURLToPath(new URL('../fixtures/objectives/cubic.mjs', import.meta.url)) },
      shard: { index: 0, count: 2 },
    })
  ).state;
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every path in a JSON value (dotted, as the errors name them), parents before children. */
function paths(v: Json, prefix: string[] = []): string[][] {
  const out: string[][] = prefix.length > 0 ? [prefix] : [];
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) out.push(...paths((v as Record<string, Json>)[k], [...prefix, k]));
  }
  return out;
}

/** A value of another JSON type than `v`. */
const wrongType = (v: Json): Json => (typeof v === 'string' ? 7 : 'x');

/**
 * @returns the file's body with the change made, its parameter hash and checksum made valid
 *   again (so only the content is wrong).
 */
function mutate(body: Record<string, Json>, path: string[], how: 'remove' | 'wrong-type'): string {
  const copy = structuredClone(body);
  let parent = copy as Record<string, Json> | Json[];
  for (const k of path.slice(0, -1)) parent = (parent as Record<string, Json>)[k] as Record<string, Json>;
  const key = path[path.length - 1];
  if (how === 'remove') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (Array.isArray(parent)) parent[Number(key)] = wrongType(parent[Number(key)]);
  else parent[key] = wrongType(parent[key]);
  delete copy.checksum;
  if (path[0] !== 'paramsHash' && copy.params !== undefined) copy.paramsHash = sha256(JSON.stringify(copy.params));
  return `${JSON.stringify({ ...copy, checksum: sha256(JSON.stringify(copy)) })}\n`;
}

describe('a state file with a valid checksum but malformed content', () => {
  it('the fuzzed files are read through the same checks as real ones (an unchanged file is accepted)', () => {
    for (const [kind, state] of Object.entries(states)) {
      const file = join(dir, `${kind}.json`);
      writeStateFile(file, state);
      expect(readStateFile(file), kind).not.toBeNull();
      expect(mutate(JSON.parse(readFileSync(file, 'utf8')), ['format'], 'remove')).not.toBe(readFileSync(file, 'utf8'));
    }
  });

  const kinds = [
    'moments',
    'moments, a shard',
    'gradients, linear objective',
    'gradients, quadratic objective',
    'gradients, a shard, module objective',
  ];
  it('cover both kinds, a checkpoint and a shard of each, and every objective form', () => {
    expect(new Set(kinds.map((k) => states[k].params.kind))).toEqual(new Set(['moments', 'gradients']));
    for (const kind of ['moments', 'gradients']) {
      const of = kinds.map((k) => states[k]).filter((st) => st.params.kind === kind);
      expect(of.some((st) => st.shard === null) && of.some((st) => st.shard !== null), kind).toBe(true);
    }
    const objectives = kinds.map((k) => states[k].params).flatMap((p) => (p.kind === 'gradients' ? [p.objective] : []));
    expect(objectives.map((o) => ('module' in o ? 'module' : o.kind)).sort()).toEqual([
      'linear',
      'module',
      'quadratic',
    ]);
  });

  for (const kind of kinds) {
    it(`${kind}: every field removed or of the wrong type is a StateFileError naming it, never a TypeError`, async () => {
      const file = join(dir, `${kind}.json`);
      writeStateFile(file, states[kind]);
      const body = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Json>;
      const all = paths(body).filter((p) => p[0] !== 'checksum');
      expect(all.length).toBeGreaterThan(40);
      let refused = 0;
      for (const path of all) {
        for (const how of ['remove', 'wrong-type'] as const) {
          const what = `${how} ${path.join('.')}`;
          const target = join(dir, 'fuzzed.json');
          writeFileSync(target, mutate(body, path, how));
          let state: JobState | null = null;
          try {
            state = readStateFile(target);
          } catch (err) {
            expect(err, what).toBeInstanceOf(StateFileError);
            const e = err as StateFileError;
            expect(e.code, what).toBe('ERR_STATE_FILE');
            expect(typeof e.argument, `${what}: ${e.message}`).toBe('string');
            expect(e.message, what).toContain(e.argument);
            // A wrong type is named where it is (or at the field holding it: a union, a tuple).
            if (how === 'wrong-type')
              expect(path.join('.').startsWith(e.argument as string), `${what}: ${e.message}`).toBe(true);
            refused++;
            continue;
          }
          // Still fits the schema (an empty list of completed chunks, say): used, or refused as a state file.
          expect(state, what).not.toBeNull();
          await (async () => resultOfState(mergeStates([{ file: target, state: state as JobState }])))().catch(
            (err) => {
              expect(err, `${what}: ${String(err)}`).toBeInstanceOf(StateFileError);
            },
          );
        }
      }
      // Nearly every change is refused at the read (only a removed completed range can still fit).
      expect(refused).toBeGreaterThan(2 * all.length - 8);
    });
  }
});
