/**
 * The bench report: a versioned JSON document written by `relaxed-mc bench --json` and read by
 * `relaxed-mc bench --compare`. Reading validates every field the comparison uses and refuses
 * anything else with a message that names the file, the field, the rule and the value.
 *
 * Version 1 (throughputs in units per second; `rounds` lists one value per timed round):
 *
 * ```text
 * { schema: 'relaxed-mc-bench-report', version: 1, createdAt, package: { name, version, root },
 *   suite, environment: { node, v8, platform, arch, cpuModel, cores, availableParallelism,
 *                         loadAverageStart, loadAverageEnd, totalMemory, freeMemory },
 *   method: { rounds, warmupRounds, order, seed, timePerTaskMs, minIterations, normalization,
 *             slowdown, runId, role },
 *   calibration: { version, loops: [ { id, threads, iterationsPerCall, throughput, best, cpu } ] },
 *   benchmarks: [ { id, settings: { kind, api, K, tau, N, threads, ... }, unit, unitsPerCall,
 *                   calibration, iterations, throughput, best, cpu, normalized, checksum,
 *                   confirmation? } ] }
 * ```
 *
 * where `throughput`, `best`, `cpu`, `normalized` and `confirmation` are summaries
 * `{ median, mad, rounds }`. Optional fields (`method.slowdownPattern`, `confirmation`) were
 * added without a version change: a reader that ignores them still reads the rest right.
 *
 * @packageDocumentation
 */
import type { Environment } from './environment.js';
import { BenchInputError } from './errors.js';
import { Rule, type RuleName } from '../index.js';

/** The `schema` field of every report. */
export const REPORT_SCHEMA = 'relaxed-mc-bench-report';
/** The version this code writes and reads. */
export const REPORT_VERSION = 1;

/** Repeated measurements of one quantity: one value per round, with their median and MAD. */
export interface Summary {
  median: number;
  /** Median absolute deviation (unscaled). */
  mad: number;
  /** One value per timed round, in round order. */
  rounds: number[];
}

/**
 * What a benchmark measures. Two reports can only be compared benchmark by benchmark when the
 * settings are equal: a changed size is a changed benchmark, not a regression.
 */
export type BenchSettings = Record<string, string | number | boolean | string[]>;

/** One benchmark of a report. */
export interface BenchmarkResult {
  /** Stable name, such as `moments/K16/N65536/t2`. */
  id: string;
  /** `kind`, `api`, `K`, `tau`, `N`, `threads`, and kind-specific ones. */
  settings: BenchSettings;
  /** What `unitsPerCall` counts: `draws`, `rows` or `estimates`. */
  unit: string;
  /** Units one call of the task processes. */
  unitsPerCall: number;
  /** Id of the calibration loop that normalises it (`main`, `workers-T`). */
  calibration: string;
  /** Timed calls over all rounds. */
  iterations: number;
  /** Per round: units / duration of the round's median call. */
  throughput: Summary;
  /** Per round: units / duration of the round's fastest call. */
  best: Summary;
  /** Per round: units per CPU-second of the whole process (all threads), for diagnosis. */
  cpu: Summary;
  /** Per round: `best` / the median `best` of its calibration in the same run (dimensionless). What `compare` uses. */
  normalized: Summary;
  /** Sum of values read from every result, so nothing could be optimised away (finite). */
  checksum: number;
  /**
   * Paired runs only, for the benchmarks the gate re-measured to confirm a suspected regression:
   * per confirmation round, units / fastest call (the same rounds in both reports of the run).
   */
  confirmation?: Summary;
}

/** One calibration loop of a run. */
export interface CalibrationResult {
  /** `main` (the loop on the main thread) or `workers-T` (on T worker threads at once). */
  id: string;
  /** 0 for the main thread, else the worker threads. */
  threads: number;
  /** Loop trips per call, over all threads. */
  iterationsPerCall: number;
  /** Loop trips per second, as for the benchmarks. */
  throughput: Summary;
  best: Summary;
  cpu: Summary;
}

/** How the run measured. */
export interface Method {
  /** Timed rounds; every benchmark and calibration runs once per round. */
  rounds: number;
  /** Untimed rounds before them (JIT, worker start-up, page faults). */
  warmupRounds: number;
  /** Order of the tasks inside a round. */
  order: string;
  /** Seed of the shuffles. */
  seed: number;
  /** Least time each task is repeated for within a round, ms. */
  timePerTaskMs: number;
  /** Least calls of each task within a round. */
  minIterations: number;
  /** How throughputs are normalised (a sentence). */
  normalization: string;
  /** `RELAXED_MC_BENCH_SLOWDOWN` applied to this report's tasks (0 for a normal run): the fraction. */
  slowdown: number;
  /** The benchmark-id pattern of a targeted slowdown (absent when every benchmark was slowed, or none). */
  slowdownPattern?: string;
  /** Random id of the run; two reports with the same id were measured in the same rounds (paired). */
  runId: string;
  /** `single` (one build measured), or `baseline` / `candidate` (two builds measured side by side). */
  role: 'single' | 'baseline' | 'candidate';
}

/** A whole report. */
export interface BenchReport {
  schema: typeof REPORT_SCHEMA;
  version: typeof REPORT_VERSION;
  /** ISO 8601 time of the end of the run. */
  createdAt: string;
  /** The build measured: `root` is its folder, so a later run can re-measure it beside another build. */
  package: { name: string; version: string; root: string };
  suite: string;
  environment: Environment;
  method: Method;
  calibration: { version: string; loops: CalibrationResult[] };
  benchmarks: BenchmarkResult[];
}

/**
 * Parses and validates a report.
 *
 * @param text - the file's contents.
 * @param name - the file name, for messages.
 * @returns the report.
 * @throws BenchInputError naming the file, the field and the rule when the text is not JSON,
 *   not a bench report, of another version, or has a missing or ill-typed field.
 *
 * @example
 * ```ts
 * parseReport('{"schema":"x"}', 'base.json');
 * // BenchInputError: base.json: not a relaxed-mc bench report: schema must be 'relaxed-mc-bench-report', but got "x".
 * ```
 */
export function parseReport(text: string, name: string): BenchReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new BenchInputError(
      `${name}: not valid JSON (${(err as Error).message}); expected a report written by relaxed-mc bench --json.`,
      { argument: name, rule: Rule.json },
    );
  }
  const v = new Validator(name);
  const r = v.object(data, '');
  if (r.schema !== REPORT_SCHEMA) {
    throw new BenchInputError(
      `${name}: not a relaxed-mc bench report: schema must be '${REPORT_SCHEMA}', but got ${show(r.schema)}.`,
      { argument: 'schema', rule: Rule.schema },
    );
  }
  if (r.version !== REPORT_VERSION) {
    throw new BenchInputError(
      `${name}: report version ${show(r.version)} cannot be read by this relaxed-mc, which reads version ${REPORT_VERSION}; ` +
        'make the baseline and the candidate with the same report version.',
      { argument: 'version', rule: Rule.stateVersion },
    );
  }
  v.string(r.createdAt, 'createdAt');
  v.string(r.suite, 'suite');
  const pkg = v.object(r.package, 'package');
  v.string(pkg.name, 'package.name');
  v.string(pkg.version, 'package.version');
  v.string(pkg.root, 'package.root');
  v.object(r.environment, 'environment');
  const m = v.object(r.method, 'method');
  v.positiveInteger(m.rounds, 'method.rounds');
  v.number(m.slowdown, 'method.slowdown');
  if (m.slowdownPattern !== undefined) v.string(m.slowdownPattern, 'method.slowdownPattern');
  v.string(m.runId, 'method.runId');
  if (m.role !== 'single' && m.role !== 'baseline' && m.role !== 'candidate')
    v.fail('method.role', Rule.oneOf, "'single', 'baseline' or 'candidate'", m.role);
  const c = v.object(r.calibration, 'calibration');
  v.string(c.version, 'calibration.version');
  const loops = new Set<string>();
  v.array(c.loops, 'calibration.loops').forEach((l, i) => {
    const at = `calibration.loops[${i}]`;
    const o = v.object(l, at);
    loops.add(v.string(o.id, `${at}.id`));
    v.summary(o.best, `${at}.best`);
  });
  const list = v.array(r.benchmarks, 'benchmarks');
  if (list.length === 0)
    throw new BenchInputError(`${name}: benchmarks is empty; a report holds at least one benchmark.`, {
      argument: 'benchmarks',
      rule: Rule.nonEmpty,
    });
  const ids = new Set<string>();
  list.forEach((b, i) => {
    const at = `benchmarks[${i}]`;
    const o = v.object(b, at);
    const id = v.string(o.id, `${at}.id`);
    if (ids.has(id))
      throw new BenchInputError(`${name}: ${at}.id ${show(id)} appears twice; benchmark ids must be unique.`, {
        argument: `${at}.id`,
        rule: Rule.unique,
      });
    ids.add(id);
    v.settings(o.settings, `${at}.settings`);
    v.string(o.unit, `${at}.unit`);
    v.positiveNumber(o.unitsPerCall, `${at}.unitsPerCall`);
    const cal = v.string(o.calibration, `${at}.calibration`);
    if (!loops.has(cal))
      v.fail(`${at}.calibration`, Rule.oneOf, `the id of one of calibration.loops (${[...loops].join(', ')})`, cal);
    v.summary(o.throughput, `${at}.throughput`);
    v.summary(o.normalized, `${at}.normalized`);
    if (o.confirmation !== undefined) v.summary(o.confirmation, `${at}.confirmation`);
  });
  return data as BenchReport;
}

/** Field checks that throw one clear message each. */
class Validator {
  constructor(private readonly file: string) {}

  fail(path: string, rule: RuleName, what: string, value: unknown): never {
    throw new BenchInputError(`${this.file}: ${path || 'the document'} must be ${what}, but got ${show(value)}.`, {
      argument: path || null,
      rule,
    });
  }

  object(x: unknown, path: string): Record<string, unknown> {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) this.fail(path, Rule.object, 'an object', x);
    return x as Record<string, unknown>;
  }

  array(x: unknown, path: string): unknown[] {
    if (!Array.isArray(x)) this.fail(path, Rule.array, 'an array', x);
    return x;
  }

  string(x: unknown, path: string): string {
    if (typeof x !== 'string' || x.length === 0) this.fail(path, Rule.string, 'a non-empty string', x);
    return x;
  }

  number(x: unknown, path: string): number {
    if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(path, Rule.finite, 'a finite number', x);
    return x;
  }

  positiveNumber(x: unknown, path: string): number {
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) this.fail(path, Rule.positive, 'a positive number', x);
    return x;
  }

  positiveInteger(x: unknown, path: string): number {
    if (!Number.isSafeInteger(x) || (x as number) < 1) this.fail(path, Rule.positiveInteger, 'a positive integer', x);
    return x as number;
  }

  summary(x: unknown, path: string): void {
    const s = this.object(x, path);
    this.positiveNumber(s.median, `${path}.median`);
    this.number(s.mad, `${path}.mad`);
    const rounds = this.array(s.rounds, `${path}.rounds`);
    if (rounds.length === 0)
      this.fail(`${path}.rounds`, Rule.nonEmpty, 'a non-empty array of positive numbers', rounds);
    rounds.forEach((y, i) => this.positiveNumber(y, `${path}.rounds[${i}]`));
  }

  settings(x: unknown, path: string): void {
    const s = this.object(x, path);
    for (const [k, y] of Object.entries(s)) {
      const ok =
        typeof y === 'string' ||
        typeof y === 'boolean' ||
        (typeof y === 'number' && Number.isFinite(y)) ||
        (Array.isArray(y) && y.every((e) => typeof e === 'string'));
      if (!ok) this.fail(`${path}.${k}`, Rule.oneOf, 'a string, a finite number, a boolean or an array of strings', y);
    }
    this.string(s.kind, `${path}.kind`);
  }
}

/** A value for a message: JSON, shortened. */
function show(x: unknown): string {
  const s = x === undefined ? 'nothing (the field is missing)' : JSON.stringify(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
