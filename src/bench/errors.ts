/**
 * The gate's error kinds, made in one place. The command line maps a {@link BenchInputError}
 * to exit status 2 (bad usage or a malformed file) and reports a {@link RegressionError} with
 * exit status 1.
 *
 * @packageDocumentation
 */

/**
 * Input the user must fix: a malformed or incompatible report, an unknown suite, a malformed
 * `RELAXED_MC_BENCH_SLOWDOWN`. The message names the file or variable, the rule and the value.
 */
export class BenchInputError extends Error {
  /** @param message - names the file or setting, the rule and the value received. */
  constructor(message: string) {
    super(message);
    this.name = 'BenchInputError';
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
