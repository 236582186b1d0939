/**
 * Every error says which argument is at fault and which rule it broke, as data: a static scan of
 * every place in src/ and workers/ that makes an error (none may go without its details), then
 * a representative set of misuses of the API and the command line across modules, checked by
 * `code`, `argument` and `rule` (never by message), including errors that cross a worker thread.
 *
 * The engine, the tensors and the distributions are reached through the package name (the
 * engine needs the built worker, and one copy of the error classes keeps `instanceof` whole);
 * the command line's parsers are pure units, reached from src with the library they import.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import {
  ChunkError,
  Engine,
  ObjectiveError,
  Rule,
  StateFileError,
  computeExactRows,
  fromErrorData,
  isCodedError,
  mergeStateFiles,
  readStateFile,
  toErrorData,
  torch,
} from 'relaxed-mc';
import { errorSites } from './helpers/error-sites.js';
import { UsageError } from '../src/cli/errors.js';
import { countParser } from '../src/cli/options.js';
import { parseShard } from '../src/cli/long-job.js';
import { buildDistribution } from '../src/cli/distribution.js';
import { parseNumeric } from '../src/cli/params.js';
import { parseEstimators } from '../src/cli/gradients-options.js';
import { FLAG_OF_ARGUMENT } from '../src/cli/errors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/objectives/${name}`, import.meta.url));

/**
 * Rules under which an error may say `argument: null`, each with the reason no argument is at
 * fault. Nothing else may go without an argument.
 */
const NO_ARGUMENT: Readonly<Record<string, string>> = {
  'Rule.workerExits': 'the exact-moments worker thread exited: a crash of the thread, not a value the caller passed',
};

/** What a call threw (or null). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return null;
}

/** The data of an error: what callers branch on. */
function details(err: unknown): { code?: string; argument: string | null; rule: string | null } {
  if (err === null || typeof err !== 'object') throw new Error(`expected an error, got ${String(err)}`);
  const e = err as { code?: string; argument: string | null; rule: string | null };
  return { code: e.code, argument: e.argument, rule: e.rule };
}

/** What a structured clone (a postMessage to a worker and back) does to a value. */
function cloned<T>(value: T): T {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(value);
  const received = receiveMessageOnPort(port2)?.message as T;
  port1.close();
  return received;
}

describe('every place that makes an error gives the argument and the rule', () => {
  const sites = errorSites(ROOT);

  it('the scan finds the error sites of every layer (so that an empty scan cannot pass)', () => {
    expect(sites.length).toBeGreaterThan(300);
    for (const dir of ['tensor', 'autograd', 'distributions', 'engine', 'kernels', 'stats', 'queue', 'cli', 'bench']) {
      expect(
        sites.some((s) => s.where.startsWith(`src/${dir}/`)),
        dir,
      ).toBe(true);
    }
  });

  it('no site throws a bare Error or a built-in TypeError / RangeError (they carry no code)', () => {
    const bare = sites.filter((s) => s.status === 'bare').map((s) => `${s.where} (${s.className})`);
    expect(bare).toEqual([]);
  });

  it('no site goes without { argument, rule }, and every rule is a Rule constant, not a string', () => {
    const without = sites
      .filter((s) => s.status !== 'details' && s.status !== 'fixed' && s.status !== 'forwarded')
      .map((s) => `${s.where}: ${s.className} (${s.status})`);
    expect(without).toEqual([]);
  });

  it('argument: null only where no argument is at fault, with the reason written above', () => {
    const nulls = sites.filter((s) => s.argument === 'null');
    for (const s of nulls) expect(NO_ARGUMENT[s.rule as string], `${s.where}: ${s.rule}`).toBeDefined();
  });

  it('the scan catches what it must catch (a site without details, a literal rule, a bare error)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-sites-'));
    try {
      mkdirSync(join(dir, 'src'));
      mkdirSync(join(dir, 'workers'));
      writeFileSync(join(dir, 'src', 'errors.ts'), '');
      writeFileSync(
        join(dir, 'src', 'bad.ts'),
        [
          "import { Rule, ValueError, TypeError as CodedTypeError } from './errors.js';",
          "export const a = () => { throw new ValueError('no details'); };",
          "export const b = () => { throw new CodedTypeError('m', { argument: 'x', rule: 'positive' }); };",
          "export const c = () => { throw new Error('bare'); };",
          "export const d = () => { throw new RangeError('built-in'); };",
          "export const e = () => { throw new ValueError('m', { rule: Rule.positive }); };",
          "export const f = () => { throw new ValueError('m', { argument: 'x', rule: Rule.positive }); };",
        ].join('\n'),
      );
      expect(errorSites(dir).map((s) => `${s.where} ${s.status}`)).toEqual([
        'src/bad.ts:2 missing',
        'src/bad.ts:3 literal-rule',
        'src/bad.ts:4 bare',
        'src/bad.ts:5 bare',
        'src/bad.ts:6 missing',
        'src/bad.ts:7 details',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the rules are short, stable, kebab-case identifiers', () => {
    for (const [key, value] of Object.entries(Rule)) expect(value, key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});

describe('misuses of the API are told apart by code, argument and rule', () => {
  const { RelaxedOneHotCategorical } = torch.distributions;
  const dist = new RelaxedOneHotCategorical(0.5, { probs: [0.7, 0.2, 0.1] });

  const cases: [string, () => unknown, { code: string; argument: string; rule: string }][] = [
    ['a ragged tensor', () => torch.tensor([[1, 2], [3]]), { code: 'ERR_VALUE', argument: 'data', rule: Rule.shape }],
    [
      'a reshape to the wrong size',
      () => torch.ones([2]).reshape([3]),
      { code: 'ERR_VALUE', argument: 'shape', rule: Rule.shape },
    ],
    [
      'an index out of range',
      () => torch.ones([2]).select(0, 5),
      { code: 'ERR_RANGE', argument: 'index', rule: Rule.inRange },
    ],
    [
      'a dtype other than float64',
      () => torch.zeros([2], { dtype: torch.float32 }),
      { code: 'ERR_TYPE', argument: 'dtype', rule: Rule.float64 },
    ],
    [
      'backward() of a non-scalar without a gradient',
      () => torch.ones([2], { requires_grad: true }).mul(2).backward(),
      { code: 'ERR_RUNTIME', argument: 'gradient', rule: Rule.scalarOutput },
    ],
    [
      'a zero temperature',
      () => new RelaxedOneHotCategorical(0, { probs: [0.5, 0.5] }),
      { code: 'ERR_VALUE', argument: 'temperature', rule: Rule.positive },
    ],
    [
      'negative probs',
      () => new RelaxedOneHotCategorical(0.5, { probs: [-1, 0.5] }),
      { code: 'ERR_VALUE', argument: 'probs', rule: Rule.simplex },
    ],
    [
      'NaN logits',
      () => new RelaxedOneHotCategorical(0.5, { logits: [NaN, 0] }),
      { code: 'ERR_VALUE', argument: 'logits', rule: Rule.realVector },
    ],
    [
      'probs and logits together',
      () => new RelaxedOneHotCategorical(0.5, { probs: [0.5, 0.5], logits: [0, 0] }),
      { code: 'ERR_VALUE', argument: 'probs', rule: Rule.exclusive },
    ],
    [
      'a temperature that does not broadcast with the batch',
      () =>
        new RelaxedOneHotCategorical([0.5, 1, 2], {
          probs: [
            [0.5, 0.5],
            [0.5, 0.5],
          ],
        }),
      { code: 'ERR_VALUE', argument: 'temperature', rule: Rule.broadcastable },
    ],
    [
      'log_prob of a value with an exact 0',
      () => dist.log_prob(torch.tensor([1, 0, 0])),
      { code: 'ERR_VALUE', argument: 'value', rule: Rule.openSimplex },
    ],
    [
      'log_prob of a value off the simplex',
      () => dist.log_prob(torch.tensor([0.5, 0.5, 0.5])),
      { code: 'ERR_VALUE', argument: 'value', rule: Rule.support },
    ],
    [
      'entropy, which PyTorch does not implement either',
      () => dist.entropy(),
      { code: 'ERR_NOT_IMPLEMENTED', argument: 'entropy', rule: Rule.notImplemented },
    ],
    [
      'a sample shape that is not a shape',
      () => dist.sample('2' as unknown as number[]),
      { code: 'ERR_TYPE', argument: 'sample_shape', rule: Rule.array },
    ],
    [
      'gumbel_softmax with tau <= 0',
      () => torch.nn.functional.gumbel_softmax(torch.zeros([3]), { tau: 0 }),
      { code: 'ERR_VALUE', argument: 'tau', rule: Rule.positive },
    ],
    [
      'an engine with 0 threads',
      () => new Engine({ threads: 0 }),
      { code: 'ERR_RANGE', argument: 'threads', rule: Rule.positiveInteger },
    ],
    [
      'an engine option it does not know',
      () => new Engine({ thread: 2 } as never),
      { code: 'ERR_TYPE', argument: 'thread', rule: Rule.knownOption },
    ],
    [
      'a negative memory budget',
      () => new Engine({ threads: 1, maxBytes: -1 }),
      { code: 'ERR_RANGE', argument: 'maxBytes', rule: Rule.positive },
    ],
  ];
  for (const [what, f, want] of cases) {
    it(`${what}: ${want.code}, argument ${want.argument}, rule ${want.rule}`, () => {
      const err = thrown(f);
      expect(isCodedError(err), String(err)).toBe(true);
      expect(details(err)).toEqual(want);
    });
  }
});

describe('engine options, state files and worker errors carry their details', () => {
  const engine = new Engine({ threads: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-details-'));
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const dist = new torch.distributions.RelaxedOneHotCategorical(0.5, { probs: [0.7, 0.2, 0.1] });

  const jobs: [string, () => Promise<unknown>, { code: string; argument: string; rule: string }][] = [
    [
      'samples missing',
      () => engine.moments(dist, {} as never),
      { code: 'ERR_TYPE', argument: 'samples', rule: Rule.required },
    ],
    [
      'a fractional sample count',
      () => engine.moments(dist, { samples: 1.5 }),
      { code: 'ERR_RANGE', argument: 'samples', rule: Rule.positiveInteger },
    ],
    [
      'a shard index beyond the count',
      () => engine.moments(dist, { samples: 10, shard: { index: 3, count: 2 } }),
      { code: 'ERR_RANGE', argument: 'shard.index', rule: Rule.inRange },
    ],
    [
      'a checkpoint interval without a checkpoint',
      () => engine.moments(dist, { samples: 10, checkpointInterval: 5 }),
      { code: 'ERR_TYPE', argument: 'checkpointInterval', rule: Rule.needs },
    ],
    [
      'an unknown chunk order',
      () => engine.moments(dist, { samples: 10, order: 'sideways' as never }),
      { code: 'ERR_TYPE', argument: 'order', rule: Rule.oneOf },
    ],
    [
      'an objective of an unknown kind',
      () => engine.gradients(dist, { samples: 10, objective: { kind: 'cubic' } as never }),
      { code: 'ERR_TYPE', argument: 'objective.kind', rule: Rule.oneOf },
    ],
    [
      'a group size too small for reinforce-loo',
      () =>
        engine.gradients(dist, {
          samples: 10,
          objective: { kind: 'linear', c: [1, 2, 3] },
          estimators: ['reinforce-loo'],
          groupSize: 1,
        }),
      { code: 'ERR_RANGE', argument: 'groupSize', rule: Rule.minimum },
    ],
    ['merging no files', () => mergeStateFiles([]), { code: 'ERR_STATE_FILE', argument: 'files', rule: Rule.nonEmpty }],
  ];
  for (const [what, f, want] of jobs) {
    it(`${what}: ${want.code}, argument ${want.argument}, rule ${want.rule}`, async () => {
      const err = await f().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isCodedError(err), String(err)).toBe(true);
      expect(details(err)).toEqual(want);
    });
  }

  it('a torn state file is a StateFileError naming the file, rule state-format', () => {
    const file = join(dir, 'torn.json');
    writeFileSync(file, '{"format": "relaxed-mc-state", "vers');
    const err = thrown(() => readStateFile(file));
    expect(err).toBeInstanceOf(StateFileError);
    expect(details(err)).toEqual({ code: 'ERR_STATE_FILE', argument: 'file', rule: Rule.stateFormat });
    expect((err as StateFileError).file).toBe(file);
  });

  it('an error raised in the exact-moments worker thread comes back with its argument and rule', async () => {
    const err = await computeExactRows([{ logits: Float64Array.of(0, 1), temperature: -1 }]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(details(err)).toEqual({ code: 'ERR_RANGE', argument: 'temperature', rule: Rule.positive });
  });

  it("a user module that fails its check in the worker comes back as a ValueError with the worker's details as cause", async () => {
    const err = await engine
      .gradients(dist, { samples: 10, objective: { module: fixture('throws-on-import.mjs') } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(details(err)).toEqual({ code: 'ERR_VALUE', argument: 'objective.module', rule: Rule.objectiveModuleCheck });
    // The cause is the worker's own error, rebuilt from the data that crossed the thread.
    expect(details((err as Error).cause)).toEqual(details(err));
  });

  it('ChunkError keeps its chunk, StateFileError its file and ObjectiveError its point across a thread', () => {
    const chunk = fromErrorData(cloned(toErrorData(new ChunkError('chunk 7 failed', 7))));
    expect(chunk).toBeInstanceOf(ChunkError);
    expect((chunk as ChunkError).chunk).toBe(7);
    const state = fromErrorData(
      cloned(
        toErrorData(new StateFileError('bad', '/tmp/x.json', { argument: 'parts.0.sums', rule: Rule.stateSchema })),
      ),
    );
    expect((state as StateFileError).file).toBe('/tmp/x.json');
    expect(details(state)).toEqual({ code: 'ERR_STATE_FILE', argument: 'parts.0.sums', rule: Rule.stateSchema });
    const objective = fromErrorData(cloned(toErrorData(new ObjectiveError('grad', [0.25, 0.75], NaN, 'f.mjs', 1))));
    expect((objective as ObjectiveError).point).toEqual([0.25, 0.75]);
    expect(details(objective)).toEqual({ code: 'ERR_OBJECTIVE', argument: 'objective.grad', rule: Rule.finite });
  });
});

describe('misuses of the command line name the flag as data', () => {
  const cases: [string, () => unknown, { argument: string; rule: string }][] = [
    [
      '--samples 1.5',
      () => countParser('--samples', 1, '1e6')('1.5'),
      { argument: '--samples', rule: Rule.positiveInteger },
    ],
    ['--seed -1', () => countParser('--seed', 0, '42')('-1'), { argument: '--seed', rule: Rule.nonNegativeInteger }],
    ['--shard 3/2', () => parseShard('3/2'), { argument: '--shard', rule: Rule.syntax }],
    ['--probs 0.5,x', () => parseNumeric('0.5,x', '--probs'), { argument: '--probs', rule: Rule.finite }],
    ['--estimators nope', () => parseEstimators('nope'), { argument: '--estimators', rule: Rule.oneOf }],
    [
      '--temperature 0',
      () => buildDistribution({ temperature: 0, probs: [0.5, 0.5] }),
      { argument: '--temperature', rule: Rule.positive },
    ],
    [
      '--probs -1,2',
      () => buildDistribution({ temperature: 0.5, probs: [-1, 2] }),
      { argument: '--probs', rule: Rule.simplex },
    ],
    [
      '--logits nan,0',
      () => buildDistribution({ temperature: 0.5, logits: [NaN, 0] }),
      { argument: '--logits', rule: Rule.realVector },
    ],
    [
      '--temperature 1,2,3 with a batch of 2',
      () =>
        buildDistribution({
          temperature: [1, 2, 3],
          probs: [
            [0.5, 0.5],
            [0.5, 0.5],
          ],
        }),
      { argument: '--temperature and --probs', rule: Rule.broadcastable },
    ],
  ];
  for (const [what, f, want] of cases) {
    it(`${what}: argument ${want.argument}, rule ${want.rule}`, () => {
      const err = thrown(f);
      expect(err).toBeInstanceOf(UsageError);
      const e = err as UsageError;
      expect({ argument: e.argument, rule: e.rule }).toEqual(want);
      expect(e.message.startsWith(want.argument)).toBe(true);
    });
  }

  it('every engine option the command line sets has its flag in the map the commands blame from', () => {
    for (const option of ['samples', 'seed', 'threads', 'maxBytes', 'checkpoint', 'shard', 'retries', 'groupSize'])
      expect(FLAG_OF_ARGUMENT[option], option).toMatch(/^--[a-z-]+$/);
  });
});
