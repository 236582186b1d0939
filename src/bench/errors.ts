/**
 * The gate's error kinds, made in one place. The command line maps a {@link BenchInputError}
 * to exit status 2 (bad usage or a malformed file) and reports a {@link RegressionError} with
 * exit status 1.
 *
 * @packageDocumentation
 */
import type { ErrorDetails, RuleName } from '../index.js';

/**
 * Input the user must fix: a malformed or incompatible report, an unknown suite, a malformed
 * `RELAXED_MC_BENCH_SLOWDOWN`. The message names the file or variable, the rule and the value.
 */
export class BenchInputError extends Error {
  /** The report field (`benchmarks.3.hz`), setting or argument at fault. */
  readonly argument: string | null;
  /** The rule it broke: one of the library's `Rule` identifiers. */
  readonly rule: RuleName | null;
  /**
   * @param message - names the file or setting, the rule and the value received.
   * @param details - the argument and the rule, as data.
   */
  constructor(message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'BenchInputError';
    this.argument = details.argument ?? null;
    this.rule = details.rule ?? null;
  }
}

/** The candidate is slower than the baseline beyond the threshold and the noise. */
export class RegressionError extends Error {
  /** @param message - how many benchmarks regressed, and which. */
  constructor(message: string) {
    super(message);
    this.name = 'RegressionError';
  }
}
