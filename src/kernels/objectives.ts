/**
 * Objectives `f` on the simplex for gradient-estimator studies: the value and the gradient of
 * `f(z)` at a point `z` of the (closed) simplex, where `z` is a relaxed sample, a one-hot
 * vector, or any point in between.
 *
 * Built in: `linear` (`f(z) = c . z`) and `quadratic` (`f(z) = sum_k (z_k - t_k)^2`, the
 * REBAR/RELAX toy `(b - t)^2` of Tucker et al. 2017 and Grathwohl et al. 2018 generalised to K
 * categories). A user objective is any module exporting `f(z)` and `grad(z, out)`.
 *
 * Objects here are made once (per job, per thread) and then called in hot loops: `f` and `grad`
 * allocate nothing and never throw (except a user objective's, which throws an `ObjectiveError`
 * on a non-finite result); `z` and `out` may be subarray views of a larger buffer.
 *
 * ## References
 *
 * - G. Tucker, A. Mnih, C. J. Maddison, D. Lawson, J. Sohl-Dickstein, "REBAR: Low-variance,
 *   unbiased gradient estimates for discrete latent variable models", NeurIPS 2017, section 6.1.
 * - W. Grathwohl, D. Choi, Y. Wu, G. Roeder, D. Duvenaud, "Backpropagation through the void",
 *   ICLR 2018, section 6.1.
 *
 * @packageDocumentation
 */

import { ObjectiveError, RangeError, Rule, TypeError } from '../errors.js';

/**
 * A differentiable function on the simplex of dimension K.
 *
 * Contract (relied on by the gradient kernels): `f` reads `z[0 .. K)` and does not modify it;
 * `grad` writes `out[0 .. K)` (the partial derivatives `df/dz_k`, whatever it does off the
 * simplex) and reads nothing else; neither allocates per call nor throws. `z` and `out` may be
 * subarray views and never alias each other.
 */
export interface Objective {
  /** The number of categories K. */
  readonly K: number;
  /**
   * @param z - a point of length K.
   * @returns `f(z)`.
   */
  f(z: Float64Array): number;
  /**
   * @param z - a point of length K.
   * @param out - receives `df/dz` (length K).
   */
  grad(z: Float64Array, out: Float64Array): void;
}

/** What a user objective module must export (a plain ES module: `export function f(z) {...}`). */
export interface ObjectiveModule {
  /** The value at `z`. */
  f(z: Float64Array): number;
  /** Writes the gradient at `z` into `out`. */
  grad(z: Float64Array, out: Float64Array): void;
}

/**
 * A built-in objective as plain data: what crosses a thread boundary (functions cannot be
 * posted to a worker) and what the exact relaxed gradient (`relaxedGradient`) needs, since it
 * works from the objective's form, not from calls.
 */
export type BuiltinObjectiveSpec =
  | { readonly kind: 'linear'; readonly c: ArrayLike<number> }
  | { readonly kind: 'quadratic'; readonly target: ArrayLike<number> };

/** A built-in objective: an {@link Objective} that also carries its {@link BuiltinObjectiveSpec}. */
export interface BuiltinObjective extends Objective {
  /** The data the objective was built from (a copy, in Float64Arrays). */
  readonly spec: BuiltinObjectiveSpec;
}

function checkCoefficients(caller: string, name: string, v: ArrayLike<number>): Float64Array {
  if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
    throw new TypeError(`${caller}: ${name} must be an array of numbers, received ${v === null ? 'null' : typeof v}`, {
      argument: name,
      rule: Rule.array,
    });
  }
  if (v.length < 1)
    throw new RangeError(`${caller}: ${name} must have at least one entry (K >= 1), received length 0`, {
      argument: name,
      rule: Rule.nonEmpty,
    });
  const copy = new Float64Array(v.length);
  for (let k = 0; k < v.length; k++) {
    const x = v[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new RangeError(`${caller}: ${name}[${k}] must be a finite number, received ${String(x)}`, {
        argument: `${name}.${k}`,
        rule: Rule.finite,
      });
    }
    copy[k] = x;
  }
  return copy;
}

/**
 * The linear objective `f(z) = c . z`, gradient `c` everywhere. On one-hot vectors
 * `f(e_b) = c_b`, so the discrete objective is `E f(onehot(b)) = c . pi`.
 *
 * @param c - the K coefficients (copied; finite).
 * @returns the objective, with `spec = { kind: 'linear', c }`.
 * @throws TypeError - if `c` is not array-like.
 * @throws RangeError - if `c` is empty or has a non-finite entry.
 *
 * @example
 * ```ts
 * const obj = linearObjective([1, -1, 0.5]);
 * obj.f(Float64Array.of(0.2, 0.3, 0.5)); // 0.15000000000000002
 * ```
 */
export function linearObjective(c: ArrayLike<number>): BuiltinObjective {
  const coef = checkCoefficients('linearObjective', 'c', c);
  const K = coef.length;
  return {
    K,
    spec: { kind: 'linear', c: coef },
    f(z: Float64Array): number {
      let s = 0;
      for (let k = 0; k < K; k++) s += coef[k] * z[k];
      return s;
    },
    grad(_z: Float64Array, out: Float64Array): void {
      for (let k = 0; k < K; k++) out[k] = coef[k];
    },
  };
}

/**
 * The quadratic objective `f(z) = sum_k (z_k - t_k)^2`, gradient `2 (z - t)`. For K = 2 and
 * `t = (t, 1 - t)` it is twice the REBAR toy `(b - t)^2` (`z_2 = 1 - z_1`). On one-hot vectors
 * `f(e_b) = |t|^2 + 1 - 2 t_b`: linear in the category plus a constant, which is what makes
 * the toy hard for REINFORCE (the constant inflates its variance, not its mean).
 *
 * @param target - the K targets `t` (copied; finite).
 * @returns the objective, with `spec = { kind: 'quadratic', target }`.
 * @throws TypeError - if `target` is not array-like.
 * @throws RangeError - if `target` is empty or has a non-finite entry.
 *
 * @example
 * ```ts
 * const obj = quadraticObjective([0.45, 0.55]);
 * obj.f(Float64Array.of(1, 0)); // 0.6050000000000001 (= 0.55^2 + 0.55^2)
 * ```
 */
export function quadraticObjective(target: ArrayLike<number>): BuiltinObjective {
  const t = checkCoefficients('quadraticObjective', 'target', target);
  const K = t.length;
  return {
    K,
    spec: { kind: 'quadratic', target: t },
    f(z: Float64Array): number {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const d = z[k] - t[k];
        s += d * d;
      }
      return s;
    },
    grad(z: Float64Array, out: Float64Array): void {
      for (let k = 0; k < K; k++) out[k] = 2 * (z[k] - t[k]);
    },
  };
}

/**
 * Rebuilds a built-in objective from its data (the inverse of `objective.spec`).
 *
 * @param spec - `{ kind: 'linear', c }` or `{ kind: 'quadratic', target }`.
 * @returns the objective.
 * @throws TypeError - for an unknown `kind`; the errors of the constructors otherwise.
 */
export function objectiveFromSpec(spec: BuiltinObjectiveSpec): BuiltinObjective {
  const kind = (spec as { kind?: unknown } | null)?.kind;
  if (kind === 'linear') return linearObjective((spec as { c: ArrayLike<number> }).c);
  if (kind === 'quadratic') return quadraticObjective((spec as { target: ArrayLike<number> }).target);
  throw new TypeError(`objectiveFromSpec: spec.kind must be 'linear' or 'quadratic', received ${String(kind)}`, {
    argument: 'spec.kind',
    rule: Rule.oneOf,
  });
}

/**
 * Wraps a user module as an {@link Objective} of dimension K, after checking its shape once.
 *
 * The module's functions must follow the {@link Objective} contract themselves: no allocation
 * (for speed only), no throwing, `z` left unmodified. The check calls `f` and `grad` once at the
 * centre of the simplex and requires a finite value and K finite partial derivatives; after
 * that every call is checked the same way (a thin wrapper: one comparison for `f`, K for
 * `grad`), and a non-finite result throws an `ObjectiveError` naming the point `z`, so that a
 * NaN near a vertex fails the job instead of turning the statistics into NaN.
 *
 * @param K - the number of categories (a positive integer).
 * @param mod - the imported module (e.g. `await import(url)`).
 * @param name - how to name the module in messages (e.g. its path).
 * @returns the objective.
 * @throws TypeError - if `mod.f` or `mod.grad` is not a function.
 * @throws RangeError - if K is not a positive integer, or the trial call gives a non-finite value
 *   or gradient. The returned objective's `f` and `grad` throw `ObjectiveError` on a non-finite result.
 */
export function objectiveFromModule(K: number, mod: unknown, name = 'objective module'): Objective {
  if (!Number.isSafeInteger(K) || K < 1) {
    throw new RangeError(`objectiveFromModule: K must be a positive integer, received ${String(K)}`, {
      argument: 'K',
      rule: Rule.positiveInteger,
    });
  }
  const m = mod as Partial<ObjectiveModule> | null;
  if (m === null || typeof m !== 'object' || typeof m.f !== 'function' || typeof m.grad !== 'function') {
    throw new TypeError(
      `objectiveFromModule: ${name} must export functions f(z) and grad(z, out), ` +
        `received f: ${typeof m?.f}, grad: ${typeof m?.grad}`,
      { argument: 'module', rule: Rule.function },
    );
  }
  const f = m.f;
  const grad = m.grad;
  const z = new Float64Array(K).fill(1 / K);
  const value = f(z);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(
      `objectiveFromModule: ${name}: f(z) at the centre of the simplex must be a finite number, received ${String(value)}`,
      { argument: 'objective.f', rule: Rule.finite },
    );
  }
  const out = new Float64Array(K).fill(NaN);
  grad(z, out);
  for (let k = 0; k < K; k++) {
    if (!Number.isFinite(out[k])) {
      throw new RangeError(
        `objectiveFromModule: ${name}: grad(z, out) at the centre of the simplex must write K = ${K} finite numbers, ` +
          `out[${k}] is ${String(out[k])}`,
        { argument: 'objective.grad', rule: Rule.finite },
      );
    }
  }
  return {
    K,
    f(point: Float64Array): number {
      const v = f(point);
      // v - v is 0 for a finite number, NaN for NaN, +-Infinity and anything not a number.
      if (v - v !== 0) throw new ObjectiveError('f', point, v, name);
      return v;
    },
    grad(point: Float64Array, into: Float64Array): void {
      grad(point, into);
      for (let k = 0; k < K; k++) {
        const g = into[k];
        if (g - g !== 0) throw new ObjectiveError('grad', point, g, name, k);
      }
    },
  };
}
