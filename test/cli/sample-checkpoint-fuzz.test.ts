/**
 * A sample checkpoint (`sample --checkpoint`) whose checksum is valid but whose content is not a
 * checkpoint's (each field removed or of the wrong type) is refused with a StateFileError naming
 * the field (exit 2), never a TypeError; the header fields (format, version, stream version)
 * keep their own usage errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSampleCheckpoint } from '../../src/cli/sample-checkpoint.js';
import { UsageError } from '../../src/cli/errors.js';
import { StateFileError } from '../../src/errors.js';
import { relaxedMc, tempFolder } from './helpers.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const tmp = tempFolder();
afterAll(() => tmp.cleanup());
/** A finished run with both outputs (the checkpoint stays, recording it). */
const args = [
  'sample',
  '--temperature',
  '0.5',
  '--probs',
  '0.2,0.3,0.5',
  '--samples',
  '500',
  '--seed',
  '3',
  '--out',
  'a.npy',
  '--log-prob',
  'lp.npy',
  '--checkpoint',
  'ck.json',
  '--quiet',
];
let body: Record<string, Json>;

beforeAll(async () => {
  const r = await relaxedMc(args, tmp.dir);
  expect(r.code, r.stderr).toBe(0);
  const { checksum: _c, ...rest } = JSON.parse(readFileSync(join(tmp.dir, 'ck.json'), 'utf8'));
  void _c;
  body = rest;
});

/** Every path in a JSON value, parents before children. */
function paths(v: Json, prefix: string[] = []): string[][] {
  const out: string[][] = prefix.length > 0 ? [prefix] : [];
  if (v !== null && typeof v === 'object')
    for (const k of Object.keys(v)) out.push(...paths((v as Record<string, Json>)[k], [...prefix, k]));
  return out;
}

/** Writes the body with one change, its checksum made valid again; returns the file. */
function mutated(path: string[], how: 'remove' | 'wrong-type'): string {
  const copy = structuredClone(body);
  let parent = copy as Record<string, Json> | Json[];
  for (const k of path.slice(0, -1)) parent = (parent as Record<string, Json>)[k] as Record<string, Json>;
  const key = path[path.length - 1];
  const wrong = (x: Json): Json => (typeof x === 'string' ? 7 : 'x');
  if (Array.isArray(parent)) {
    if (how === 'remove') parent.splice(Number(key), 1);
    else parent[Number(key)] = wrong(parent[Number(key)]);
  } else if (how === 'remove') delete parent[key];
  else parent[key] = wrong(parent[key]);
  const file = join(tmp.dir, 'fuzzed.json');
  const checksum = createHash('sha256').update(JSON.stringify(copy)).digest('hex');
  writeFileSync(file, `${JSON.stringify({ ...copy, checksum })}\n`);
  return file;
}

describe('a sample checkpoint with a valid checksum but malformed content', () => {
  it('the real one is read, and the fuzzing keeps its checksum valid', () => {
    expect(readSampleCheckpoint(join(tmp.dir, 'ck.json'))).not.toBeNull();
    expect(readSampleCheckpoint(mutated(['params', 'seed', 'x'], 'remove'))).not.toBeNull();
  });

  it('every field removed or of the wrong type is a StateFileError naming it (header fields: a usage error)', () => {
    const all = paths(body);
    expect(all.length).toBeGreaterThan(15);
    let refused = 0;
    for (const path of all) {
      for (const how of ['remove', 'wrong-type'] as const) {
        const what = `${how} ${path.join('.')}`;
        let read: unknown = null;
        try {
          read = readSampleCheckpoint(mutated(path, how));
        } catch (err) {
          if (['format', 'version', 'generator'].includes(path[0])) {
            expect(err, what).toBeInstanceOf(UsageError);
          } else {
            expect(err, what).toBeInstanceOf(StateFileError);
            const e = err as StateFileError;
            expect(e.rule, what).toBe('state-schema');
            expect(e.message, what).toContain(e.argument);
            expect(path.join('.').startsWith(e.argument as string), `${what}: ${e.message}`).toBe(true);
          }
          refused++;
          continue;
        }
        // Only a shorter list still fits the schema; the run's parameters then refuse it.
        expect(how === 'remove' && /^\d+$/.test(path[path.length - 1]), what).toBe(true);
        expect(read, what).not.toBeNull();
      }
    }
    expect(refused).toBeGreaterThan(2 * all.length - 10);
  });

  it('on the command line: exit 2 and one line naming the field', async () => {
    const { params: _p, ...noParams } = body;
    void _p;
    const checksum = createHash('sha256').update(JSON.stringify(noParams)).digest('hex');
    writeFileSync(join(tmp.dir, 'ck.json'), `${JSON.stringify({ ...noParams, checksum })}\n`);
    const r = await relaxedMc(args, tmp.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^relaxed-mc: error: --checkpoint ck\.json: corrupt \(params: .*\); it was not used\.\n$/);
  });
});
