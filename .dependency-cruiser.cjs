/**
 * The layering of relaxed-mc, checked by dependency-cruiser in `npm test` (`npm run lint:deps`).
 *
 * From the bottom up:
 *   errors.ts < rng < kernels               pure pieces shared by the main thread and the workers (kernels: loops
 *                                           over Float64Arrays; kernels/exact: the exact references by quadrature
 *                                           and enumeration; kernels/exact-sum.ts: order-independent summation)
 *   package-files.ts                        where the build's files are; imports nothing, usable from every layer
 *   stats                                   the coordinator's estimates from merged sums (moments, reports)
 *   jobs                                    the schemas of every boundary (worker task, state file, queue job)
 *   chunks                                  the worker wing: what runs inside a worker thread; it imports only
 *                                           chunks, kernels, rng, jobs and the errors
 *   tensor < autograd < distributions / nn / optim
 *   engine                                  the coordinator: pool, scheduler, jobs, checkpoints, exact-moments thread
 *   index.ts                                the package's API
 *   cli, bench (the gate)                   reach the library only through index.ts
 *   workers/                                the worker entries (the engine's, the exact moments'): the wing, the
 *                                           kernels, the schemas and the errors only
 *
 * Threads: only the worker entries (workers/) and the code that starts threads (the engine; the benchmark gate's
 * calibration, which must not depend on the package) may import worker_threads.
 *
 * Each rule names the folder, what it may not import, and why; `comment` is what a violation prints.
 */
/** Folders of src/ as one path pattern. */
const src = (...dirs) => `^src/(${dirs.join('|')})/`;
/** Modules that start processes, servers or pools: never inside a worker. */
const POOLS_AND_SERVERS = ['^piscina$', '^bullmq$', '^ioredis$', '^(node:)?(child_process|cluster|http|https|net)$'];
const INDEX = '^src/index\\.ts$';
const ERRORS = '^src/errors\\.ts$';
/** Where the build's files are (worker entries, the .wasm): imports nothing, usable from every layer. */
const FILES = '^src/package-files\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter and layers meaningless (a cycle of type imports only is erased).',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'errors-and-rng-at-the-bottom',
      severity: 'error',
      comment: 'errors.ts, package-files.ts and rng import nothing else of the library.',
      from: { path: [ERRORS, FILES, src('rng')] },
      to: { path: '^src/', pathNot: [ERRORS, src('rng')] },
    },
    {
      name: 'kernels-stay-pure',
      severity: 'error',
      comment:
        'Kernels are pure loops shared by the main thread and the workers: no engine, distributions, CLI or pool.',
      from: { path: src('kernels') },
      to: { path: ['^src/', ...POOLS_AND_SERVERS], pathNot: [src('kernels', 'rng'), ERRORS, FILES] },
    },
    {
      name: 'stats-above-kernels-only',
      severity: 'error',
      comment: 'stats (estimates from merged sums) may use the kernels, and nothing above them.',
      from: { path: src('stats') },
      to: { path: '^src/', pathNot: [src('stats', 'kernels', 'rng'), ERRORS, FILES] },
    },
    {
      name: 'schemas-are-data',
      severity: 'error',
      comment: 'The schemas (src/jobs) describe data at a boundary; they import no code that runs jobs.',
      from: { path: src('jobs') },
      to: { path: '^src/', pathNot: [src('jobs', 'kernels', 'rng'), ERRORS, FILES] },
    },
    {
      name: 'worker-wing-imports-only-kernels-rng-schemas-errors',
      severity: 'error',
      comment:
        'src/chunks runs inside worker threads: it may import the kernels (the exact references included), rng, the schemas (src/jobs) and the errors, and nothing of the coordinator or of stats.',
      from: { path: src('chunks') },
      to: { path: '^src/', pathNot: [src('chunks', 'kernels', 'rng', 'jobs'), ERRORS, FILES] },
    },
    {
      name: 'worker-side-starts-no-pool-or-server',
      severity: 'error',
      comment:
        'Code that runs in a worker must not pull a pool, a queue client, a process or a server into every thread.',
      from: { path: [src('chunks', 'kernels', 'rng', 'jobs'), '^workers/'] },
      to: { path: POOLS_AND_SERVERS },
    },
    {
      name: 'only-worker-entries-and-coordinators-touch-worker-threads',
      severity: 'error',
      comment:
        'Threads are started by the coordinator (src/engine), the benchmark gate (src/bench, its calibration) and the CLI (src/cli, its figure rendering, which must not hold the main thread), and run the entries in workers/ or beside their starter; the library below them runs anywhere and may not import worker_threads.',
      from: { pathNot: ['^workers/', src('engine', 'bench', 'cli')] },
      to: { path: '^(node:)?worker_threads$' },
    },
    {
      name: 'worker-entries-import-only-the-wing',
      severity: 'error',
      comment:
        'workers/ imports the worker wing (src/chunks), the kernels, the schemas (src/jobs) and the errors: never the coordinator.',
      from: { path: '^workers/' },
      to: { path: '^src/', pathNot: [src('chunks', 'kernels', 'jobs'), ERRORS, FILES] },
    },
    {
      name: 'tensor-below-autograd',
      severity: 'error',
      comment: 'tensor < autograd < distributions / nn / optim < engine < cli.',
      from: { path: src('tensor') },
      to: {
        path: [src('autograd', 'distributions', 'nn', 'optim', 'engine', 'chunks', 'jobs', 'cli', 'bench'), INDEX],
      },
    },
    {
      name: 'autograd-below-distributions',
      severity: 'error',
      comment: 'tensor < autograd < distributions / nn / optim < engine < cli.',
      from: { path: src('autograd') },
      to: { path: [src('distributions', 'nn', 'optim', 'engine', 'chunks', 'jobs', 'cli', 'bench'), INDEX] },
    },
    {
      name: 'distributions-nn-optim-below-engine',
      severity: 'error',
      comment: 'distributions, nn and optim import no engine, worker wing or CLI.',
      from: { path: src('distributions', 'nn', 'optim') },
      to: { path: [src('engine', 'chunks', 'cli', 'bench'), INDEX, ...POOLS_AND_SERVERS] },
    },
    {
      name: 'engine-below-cli',
      severity: 'error',
      comment: 'The engine imports no CLI (nor the benchmark gate, which sits beside the CLI).',
      from: { path: src('engine') },
      to: { path: [src('cli', 'bench'), INDEX] },
    },
    {
      name: 'cli-through-the-index',
      severity: 'error',
      comment: 'The CLI and the bench gate reach the library only through src/index.ts.',
      from: { path: src('cli', 'bench') },
      to: { path: '^src/', pathNot: [src('cli', 'bench'), INDEX, FILES] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/kernels/wasm/assembly/' },
    tsPreCompilationDeps: true,
  },
};
