/**
 * The flags of `relaxed-mc gradients` that no other command has: the objective (`--objective`,
 * `--c`, `--target`), the estimators and the group size. Each parser throws a
 * {@link UsageError} naming the flag, so a study that cannot run is refused before any work.
 *
 * @packageDocumentation
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESTIMATORS, type EstimatorName, type GradientsOptions, Rule, isCodedError, minimumM } from '../index.js';
import { UsageError, fsReason, oneLine, quote, withoutPrefix } from './errors.js';

/** The built-in objectives, by the word `--objective` takes. */
export const BUILTIN_OBJECTIVES = ['linear', 'quadratic'] as const;

/** Largest `--group-size`: a group draws `(m + 1) K` uniforms, so a huge m only exhausts memory. */
export const MAX_GROUP_SIZE = 65536;

/** The objective flags as parsed. */
export interface ObjectiveFlags {
  /** `--objective`: `linear`, `quadratic`, a path or a file URL. */
  objective: string;
  /** `--c`, one value or K. */
  c?: number[];
  /** `--target`, one value or K. */
  target?: number[];
}

/**
 * Turns the objective flags into the engine's objective, for K categories.
 *
 * @param f - `--objective`, `--c`, `--target`.
 * @param K - categories (from `--probs` / `--logits`).
 * @param cwd - the folder relative module paths are resolved against.
 * @returns `{ kind, c | target }` with K coefficients, or `{ module }` with an absolute path or file URL.
 * @throws UsageError naming the flag: a missing or misplaced coefficient list, a wrong length, a
 *   module file that does not exist.
 *
 * @example
 * ```ts
 * objectiveOption({ objective: 'quadratic', target: [0.5] }, 3, '/tmp'); // { kind: 'quadratic', target: [0.5, 0.5, 0.5] }
 * objectiveOption({ objective: 'f.mjs' }, 3, '/tmp');                     // { module: '/tmp/f.mjs' } (when the file exists)
 * ```
 */
export function objectiveOption(f: ObjectiveFlags, K: number, cwd: string): GradientsOptions['objective'] {
  const kind = f.objective;
  const misplaced = (flag: string) =>
    new UsageError(
      `${flag} gives the coefficients of --objective ${flag === '--c' ? 'linear' : 'quadratic'}, but the objective is ${quote(kind)}.`,
      { argument: flag, rule: Rule.notApplicable },
    );
  if (kind === 'linear') {
    if (f.target !== undefined) throw misplaced('--target');
    if (f.c === undefined)
      throw new UsageError(
        '--objective linear needs --c: the K coefficients of f(z) = c . z (one value is used for every category).',
        { argument: '--c', rule: Rule.required },
      );
    return { kind, c: broadcast(f.c, K, '--c') };
  }
  if (kind === 'quadratic') {
    if (f.c !== undefined) throw misplaced('--c');
    if (f.target === undefined) {
      throw new UsageError(
        '--objective quadratic needs --target: the K targets t of f(z) = sum_k (z_k - t_k)^2 (one value is used for every category).',
        { argument: '--target', rule: Rule.required },
      );
    }
    return { kind, target: broadcast(f.target, K, '--target') };
  }
  if (f.c !== undefined) throw misplaced('--c');
  if (f.target !== undefined) throw misplaced('--target');
  return { module: modulePath(kind, cwd) };
}

/** One value for every category, or exactly K. */
function broadcast(v: number[], K: number, flag: string): number[] {
  if (v.length === 1) return new Array<number>(K).fill(v[0]);
  if (v.length !== K) {
    throw new UsageError(
      `${flag} must have 1 or K = ${K} values (K is the length of --probs / --logits), but has ${v.length}.`,
      { argument: flag, rule: Rule.shape },
    );
  }
  return v;
}

/**
 * A module given as a path (relative to `cwd`, or absolute) or a `file:` URL; the file must exist.
 * The engine wants an absolute path or a file URL, and imports the module itself.
 */
function modulePath(spec: string, cwd: string): string {
  const flag = `--objective ${spec}`;
  if (spec === '') {
    throw new UsageError(
      `--objective must be ${BUILTIN_OBJECTIVES.join(' or ')}, or the path or file URL of an ES module exporting f(z) and grad(z, out), but got ''.`,
      { argument: '--objective', rule: Rule.oneOf },
    );
  }
  let path: string;
  let result: string;
  if (/^[a-z][a-z0-9+.-]+:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec)) {
    // A URL (not a Windows drive letter): only file URLs can be imported from disk.
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new UsageError(`${flag}: not a valid URL.`, { argument: '--objective', rule: Rule.path });
    }
    if (url.protocol !== 'file:')
      throw new UsageError(`${flag}: only file: URLs are supported, but the URL is ${url.protocol}.`, {
        argument: '--objective',
        rule: Rule.path,
      });
    path = fileURLToPath(url);
    result = url.href;
  } else {
    path = isAbsolute(spec) ? spec : resolve(cwd, spec);
    result = path;
  }
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    throw new UsageError(
      `${flag}: cannot read the module (${fsReason(err)}); give ${BUILTIN_OBJECTIVES.join(' or ')}, or the path of an ES module exporting f(z) and grad(z, out).`,
      { argument: '--objective', rule: Rule.readable },
    );
  }
  if (!isFile)
    throw new UsageError(`${flag}: is not a file; give the path of an ES module exporting f(z) and grad(z, out).`, {
      argument: '--objective',
      rule: Rule.file,
    });
  return result;
}

/**
 * The engine checks a user module in the main thread before the workers start (it imports it and
 * evaluates `f` and `grad` at the centre of the simplex). A module that fails that check is a bad
 * input, like a malformed file: this turns the engine's error into a usage error naming the flag.
 *
 * @param err - what `engine.gradients` threw.
 * @param spec - the `--objective` value as typed.
 * @returns a UsageError for a failed module check (rule `objective-module-check`), else `err` unchanged.
 */
export function moduleCheckAsUsage(err: unknown, spec: string): unknown {
  if (!isCodedError(err) || err.rule !== Rule.objectiveModuleCheck) return err;
  const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
  const why = withoutPrefix(cause, 'objectiveFromModule: ');
  return new UsageError(
    `--objective ${spec}: the module failed its check (import, then f and grad at the centre of the simplex): ${oneLine(why, 300)}`,
    { argument: '--objective', rule: Rule.objectiveModuleCheck },
  );
}

/**
 * @param text - `all`, or a comma-separated list of estimator names.
 * @returns the names in the report order (duplicates dropped).
 * @throws UsageError naming an unknown estimator.
 */
export function parseEstimators(text: string): EstimatorName[] {
  const t = text.trim();
  if (t === 'all') return [...ESTIMATORS];
  const names = t.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!(ESTIMATORS as readonly string[]).includes(name)) {
      throw new UsageError(
        `--estimators: unknown estimator ${quote(name)}; give all, or a comma-separated list of ${ESTIMATORS.join(', ')}.`,
        { argument: '--estimators', rule: Rule.oneOf },
      );
    }
  }
  return ESTIMATORS.filter((e) => names.includes(e));
}

/**
 * @param m - `--group-size`.
 * @param names - the estimators it applies to.
 * @throws UsageError when an estimator needs a larger group, or m is above {@link MAX_GROUP_SIZE}.
 */
export function checkGroupSize(m: number, names: readonly EstimatorName[]): void {
  if (m > MAX_GROUP_SIZE)
    throw new UsageError(`--group-size must be at most ${MAX_GROUP_SIZE}, but got ${m}.`, {
      argument: '--group-size',
      rule: Rule.sizeLimit,
    });
  for (const name of names) {
    if (m < minimumM(name)) {
      const why = name === 'reinforce-loo' ? ' (its leave-one-out baseline needs another draw in the group)' : '';
      throw new UsageError(`--group-size must be at least ${minimumM(name)} for ${name}${why}, but got ${m}.`, {
        argument: '--group-size',
        rule: Rule.minimum,
      });
    }
  }
}
