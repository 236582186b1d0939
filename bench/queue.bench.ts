/**
 * The queue's cost: W1 (moments, K = 16, tau = 0.5) at N = 2^28 through a BullMQ queue with one
 * warm `relaxed-mc worker` process of 2 threads, against the local engine with 2 threads, in
 * interleaved rounds (the order alternates, so drift of a shared machine hits both alike); then
 * the overhead per queued job, from a smaller job queued one chunk per job. Every result is
 * checked to have the bits of the local one.
 *
 * It starts its own redis-server (no persistence) on a free loopback port and its own worker, and
 * stops both. Needs a build (`npm run build`) and redis-server on the PATH.
 *
 * Run: `node dist/bench/queue.bench.js [--rounds 5] [--scale 1] [--chunks-per-job 32]`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, torch, type MomentsEstimate } from '../src/index.js';
import { WORKLOADS, referenceLogits } from './workloads.js';
import { checked, positiveNumber, readFlags, wholeNumber } from './cli-args.js';

const flags = readFlags('node dist/bench/queue.bench.js [flags]', {
  rounds: { arg: 'N', help: 'rounds (default 5)' },
  scale: { arg: 'S', help: 'fraction of the full-size workloads (default 1)' },
  'chunks-per-job': { arg: 'N', help: 'chunks per queued job (default 32)' },
  'overhead-only': { help: "measure only the queue's overhead" },
});
const rounds = checked(() => wholeNumber('rounds', flags.rounds, 5, 1));
const scale = checked(() => positiveNumber('scale', flags.scale, 1));
const chunksPerJob = checked(() => wholeNumber('chunks-per-job', flags['chunks-per-job'], 32, 1));
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const W1 = WORKLOADS.find((w) => w.id === 'W1')!;
const N = Math.round(2 ** 28 * scale);
const SMALL_N = Math.round(2 ** 24 * scale);
/** The per-job overhead is measured on tiny chunks (256 draws of K = 16: microseconds of work each). */
const TINY = { samples: 512 * 256, seed: 3, chunkSize: 256 };
const overheadOnly = flags['overhead-only'];

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mad = (a: number[]) => {
  const m = median(a);
  return median(a.map((x) => Math.abs(x - m)));
};
const bits = (e: MomentsEstimate) =>
  Buffer.from(e.mean.data.buffer).toString('hex') + Buffer.from(e.variance.data.buffer).toString('hex');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function startProcess(cmd: string, args: string[], ready: RegExp, stream: 'stdout' | 'stderr'): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, {
      stdio: ['ignore', stream === 'stdout' ? 'pipe' : 'ignore', stream === 'stderr' ? 'pipe' : 'ignore'],
    });
    let out = '';
    c[stream]!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (ready.test(out)) resolve(c);
    });
    c.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out}`)));
  });
}

async function main(): Promise<void> {
  const load0 = loadavg();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-bench-redis-'));
  const redis = await startProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    /Ready to accept connections/,
    'stdout',
  );
  const url = `redis://127.0.0.1:${port}`;
  const worker = await startProcess(
    process.execPath,
    [MAIN, 'worker', '--redis', url, '--threads', '2', '--quiet'],
    /serving queue/,
    'stderr',
  );
  const dist = new torch.distributions.RelaxedOneHotCategorical(W1.tau, { logits: referenceLogits(W1.K) });
  const local = new Engine({ threads: 2 });
  const queued = new Engine({ redis: url, chunksPerJob });
  const perJob = new Engine({ redis: url, chunksPerJob: 1 });
  try {
    const job = { samples: N, seed: 1 };
    // Warm-up: both pools started, the worker's threads and the WebAssembly compiled.
    const small = { samples: SMALL_N, seed: 2 };
    await local.moments(dist, small);
    await queued.moments(dist, small);
    const times = { local: [] as number[], queue: [] as number[] };
    let reference: string | null = null;
    let chunks = 0;
    for (let r = 0; r < (overheadOnly ? 0 : rounds); r++) {
      const order: ('local' | 'queue')[] = r % 2 === 0 ? ['local', 'queue'] : ['queue', 'local'];
      for (const which of order) {
        const t0 = performance.now();
        const est = await (which === 'local' ? local : queued).moments(dist, job);
        times[which].push(performance.now() - t0);
        chunks = est.chunks;
        const b = bits(est);
        reference ??= b;
        if (b !== reference) throw new Error(`round ${r}: the ${which} result differs from the first one`);
      }
      process.stderr.write(
        `round ${r + 1}/${rounds}: local ${times.local[r].toFixed(0)} ms, queue ${times.queue[r].toFixed(0)} ms\n`,
      );
    }
    // Per queued job: 512 tiny chunks, one per queued job, against the same job run locally: the
    // difference is the queue's cost of a job (its work is negligible beside it).
    const small1 = { local: [] as number[], queue: [] as number[] };
    let smallChunks = 0;
    for (let r = 0; r < rounds; r++) {
      for (const which of r % 2 === 0 ? (['local', 'queue'] as const) : (['queue', 'local'] as const)) {
        const t0 = performance.now();
        const est = await (which === 'local' ? local : perJob).moments(dist, TINY);
        small1[which].push(performance.now() - t0);
        smallChunks = est.chunks;
      }
    }
    const elements = N * W1.K;
    const row = (name: string, ms: number[]) =>
      `| ${name} | ${median(ms).toFixed(0)} | ${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)} | ${((median(ms) * 1e6) / elements).toFixed(2)} |`;
    const ratio = median(times.local) / median(times.queue);
    const perChunk = (median(times.queue) - median(times.local)) / chunks;
    const perQueuedJob = (median(small1.queue) - median(small1.local)) / smallChunks;
    console.log(
      `${cpus().length} cores (${cpus()[0]?.model}), load average ${load0.map((x) => x.toFixed(2)).join(' ')} at the start, ` +
        `${loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')} at the end; ${rounds} interleaved rounds\n`,
    );
    if (!overheadOnly) {
      console.log(
        `W1 (K = 16, tau = 0.5), N = 2^${Math.log2(N).toFixed(0)}: ${chunks} chunks, ${Math.ceil(chunks / chunksPerJob)} queued jobs of ${chunksPerJob}`,
      );
      console.log('| variant | median ms | min-max ms | ns per element |');
      console.log('|---|---:|---:|---:|');
      console.log(row('local engine, 2 threads', times.local));
      console.log(row(`queue, 1 worker of 2 threads, ${chunksPerJob} chunks per job`, times.queue));
      console.log(
        `\nqueue throughput / local throughput: ${ratio.toFixed(3)} (MAD of the rounds: local ${mad(times.local).toFixed(0)} ms, queue ${mad(times.queue).toFixed(0)} ms)`,
      );
      console.log(`overhead per chunk at ${chunksPerJob} chunks per job: ${perChunk.toFixed(3)} ms`);
    }
    console.log(
      `overhead per queued job (${smallChunks} jobs of one chunk of 256 draws; medians local ${median(small1.local).toFixed(0)} ms, ` +
        `queue ${median(small1.queue).toFixed(0)} ms, queue min-max ${Math.min(...small1.queue).toFixed(0)}-${Math.max(...small1.queue).toFixed(0)} ms): ${perQueuedJob.toFixed(2)} ms`,
    );
    console.log(`checksum ${reference?.slice(0, 16)}`);
  } finally {
    await Promise.all([local.close(), queued.close(), perJob.close()]);
    worker.kill('SIGTERM');
    redis.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
