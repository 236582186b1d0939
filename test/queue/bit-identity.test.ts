/**
 * Through the queue, a moments job and a gradients job have the bits of a local run with the same
 * seed, with 1, 2 and 3 worker processes, whatever order the groups finish in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, torch, type GradientStudy, type MomentsEstimate } from 'relaxed-mc';
import { relaxedMc, tempFolder, type TempFolder } from '../cli/helpers.js';
import { HAS_REDIS, type RedisServer, type WorkerProcess, startRedis, startWorker } from '../helpers/redis.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const bits = (t: { data: Float64Array }) =>
  Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex');

const momentsDist = new RelaxedOneHotCategorical(torch.tensor([0.5, 2]), {
  logits: torch.tensor([
    [0, 1, 2],
    [2, 1, -Infinity],
  ]),
});
const momentsJob = { samples: 200_000, seed: 11, chunkSize: 8192, covariance: true };
const gradDist = new RelaxedOneHotCategorical(0.5, { probs: [0.5, 0.3, 0.2] });
const gradJob = {
  objective: { kind: 'quadratic' as const, target: [0.4, 0.3, 0.3] },
  estimators: ['reinforce', 'reinforce-loo', 'gumbel-softmax'],
  samples: 20_000,
  seed: 12,
  chunkSize: 256,
};

function sameMoments(a: MomentsEstimate, b: MomentsEstimate) {
  expect(JSON.stringify(a.state.parts)).toBe(JSON.stringify(b.state.parts));
  for (const k of ['mean', 'variance', 'stderr', 'varianceStderr', 'covariance'] as const)
    expect(bits(a[k]!)).toBe(bits(b[k]!));
}

function sameStudy(a: GradientStudy, b: GradientStudy) {
  expect(JSON.stringify(a.state.parts)).toBe(JSON.stringify(b.state.parts));
  for (const [name, r] of Object.entries(a.estimators)) {
    const q = b.estimators[name];
    for (const k of ['mean', 'stderr', 'variance', 'mse', 'snr'] as const) expect(bits(r[k])).toBe(bits(q[k]));
  }
}

describe.skipIf(!HAS_REDIS)('a job through the queue has the bits of a local run', () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  let localMoments: MomentsEstimate;
  let localStudy: GradientStudy;
  // Made in beforeAll, which a skipped suite never runs: a folder made here would be left behind.
  let tmp: TempFolder;

  beforeAll(async () => {
    tmp = tempFolder();
    redis = await startRedis();
    const local = new Engine({ threads: 1 });
    try {
      localMoments = await local.moments(momentsDist, momentsJob);
      localStudy = await local.gradients(gradDist, gradJob);
    } finally {
      await local.close();
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
    tmp?.cleanup();
  });

  for (const n of [1, 2, 3]) {
    it(`with ${n} worker process${n > 1 ? 'es' : ''}`, async () => {
      while (workers.length < n)
        workers.push(await startWorker(['--redis', redis.url, '--queue', 'bits', '--threads', '1']));
      const before = workers.map((w) => w.doneRanges().length);
      const engine = new Engine({ redis: redis.url, queue: 'bits', chunksPerJob: 2 });
      try {
        const m = await engine.moments(momentsDist, { ...momentsJob, order: n === 2 ? 'descending' : 'ascending' });
        sameMoments(m, localMoments);
        expect(m.threads).toBe(0);
        sameStudy(await engine.gradients(gradDist, gradJob), localStudy);
      } finally {
        await engine.close();
      }
      // Every worker took part (jobs are handed to whichever worker asks first, so this is the
      // evidence that the merge did not depend on one worker doing everything).
      const took = workers.map((w, i) => w.doneRanges().length - before[i]);
      expect(took.filter((t) => t > 0).length).toBeGreaterThanOrEqual(Math.min(n, 2));
    });
  }

  it('sweep and gradients on the command line: --redis gives the output of a local run', async () => {
    const runs: [string[], string[]][] = [
      [
        ['sweep', '--temperatures', '0.3,1,3', '--probs', '0.6,0.3,0.1', '--samples', '1e5', '--seed', '4'],
        ['mean', 'variance', 'stderr', 'varianceStderr'],
      ],
      [
        [
          'gradients',
          '--objective',
          'quadratic',
          '--target',
          '0.4,0.6',
          '--probs',
          '0.5,0.5',
          '--samples',
          '1e4',
          '--seed',
          '4',
        ],
        ['estimators'],
      ],
    ];
    for (const [args, fields] of runs) {
      const common = [...args, '--format', 'json', '--quiet'];
      const local = await relaxedMc([...common, '--threads', '1'], tmp.dir);
      const remote = await relaxedMc(
        [...common, '--redis', redis.url, '--queue', 'bits', '--chunks-per-job', '1'],
        tmp.dir,
      );
      expect(remote.stderr).toBe('');
      expect(remote.code).toBe(0);
      const [a, b] = [JSON.parse(remote.stdout), JSON.parse(local.stdout)];
      for (const f of fields) expect(JSON.stringify(a[f]), `${args[0]} ${f}`).toBe(JSON.stringify(b[f]));
    }
  });
});
