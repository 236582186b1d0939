/**
 * The in-process generator behind `torch.manual_seed`: a Mersenne Twister (MT19937) from
 * @stdlib, with Gumbel noise drawn through `@stdlib/random-base-gumbel`.
 *
 * Both libraries are pure JavaScript, so a seed gives the same draws on every platform and
 * Node.js version. (The worker engine has its own counter-based generator; its draws are not
 * meant to equal these.)
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { Rule, TypeError } from '../errors.js';

const require = createRequire(import.meta.url);

interface StdlibPrng {
  (): number;
  normalized: StdlibPrng;
  state: Uint32Array;
}
interface Mt19937Module {
  factory(options: { seed: ArrayLike<number> | number; copy?: boolean }): StdlibPrng;
}
interface GumbelModule {
  factory(mu: number, beta: number, options: { prng: () => number }): () => number;
}

// Required on first use rather than at load: the two packages take about 50 ms to evaluate (many
// small CommonJS files), which would hold the main thread of every program that imports the
// library, the command line included, whether or not it ever draws in-process.
let stdlib: { mt19937: Mt19937Module; gumbel: GumbelModule } | null = null;
function loadStdlib(): { mt19937: Mt19937Module; gumbel: GumbelModule } {
  stdlib ??= {
    mt19937: require('@stdlib/random-base-mt19937') as Mt19937Module,
    gumbel: require('@stdlib/random-base-gumbel') as GumbelModule,
  };
  return stdlib;
}

/** float64 machine epsilon, 2^-52: PyTorch clamps uniforms to `[EPS, 1 - EPS]`. */
export const EPS = 2 ** -52;

/** The seed PyTorch's default generator starts from, so an unseeded run is reproducible too. */
export const DEFAULT_SEED = 67280421310721;

/**
 * A seeded generator of uniforms, standard normals and standard Gumbels.
 *
 * Uniforms for the Gumbel transform are clamped to `[EPS, 1 - EPS]` exactly as PyTorch's
 * `clamp_probs` does, so no Gumbel is infinite (stdlib's MT can return exactly 0).
 */
export class MtGenerator {
  // Built from `pendingSeed` on first use (see `loadStdlib`); a seed or a state set before then
  // is kept and applied at that moment, so laziness changes no draw.
  private prng_: StdlibPrng | null = null;
  private gumbel_: (() => number) | null = null;
  private pendingSeed = DEFAULT_SEED;

  /** @param seed - a non-negative safe integer. */
  constructor(seed: number = DEFAULT_SEED) {
    this.seed(seed);
  }

  /**
   * Restarts the stream from a seed.
   *
   * @param seed - a non-negative safe integer; split into two 32-bit words so that every
   *   value up to 2^53 is a distinct seed (stdlib rejects 0 and numbers over 2^32 otherwise).
   */
  seed(seed: number): void {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
      throw new TypeError(`seed must be a non-negative safe integer, but got ${String(seed)}.`, {
        argument: 'seed',
        rule: Rule.nonNegativeInteger,
      });
    }
    this.pendingSeed = seed;
    this.prng_ = null;
    this.gumbel_ = null;
  }

  private get prng(): StdlibPrng {
    if (this.prng_ === null) {
      const words = [this.pendingSeed >>> 0, Math.floor(this.pendingSeed / 2 ** 32) >>> 0];
      this.attach(loadStdlib().mt19937.factory({ seed: words }).normalized);
    }
    return this.prng_ as StdlibPrng;
  }

  private get gumbel(): () => number {
    if (this.gumbel_ === null) void this.prng;
    return this.gumbel_ as () => number;
  }

  /** A copy of the full generator state (stdlib's versioned MT19937 layout). */
  getState(): Uint32Array {
    return this.prng.state.slice();
  }

  /** @param state - a state obtained from {@link MtGenerator.getState}. */
  setState(state: Uint32Array): void {
    if (!(state instanceof Uint32Array)) {
      throw new TypeError(
        `new_state must be a Uint32Array returned by torch.get_rng_state(), but got ${typeof state}.`,
        { argument: 'new_state', rule: Rule.rngState },
      );
    }
    try {
      this.prng.state = state;
    } catch (err) {
      throw new TypeError(`new_state is not a valid generator state: ${(err as Error).message}`, {
        argument: 'new_state',
        rule: Rule.rngState,
      });
    }
  }

  /** @returns a uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    return this.prng();
  }

  /**
   * Fills `out` with standard Gumbel draws, `-log(-log u)` with u clamped to [EPS, 1 - EPS],
   * through stdlib's sampler. (`drawConcreteRows` in the WebAssembly kernels draws the same
   * numbers faster, through {@link MtGenerator.advanceWith}.)
   *
   * @param out - the destination.
   */
  fillGumbel(out: Float64Array): void {
    const gumbel = this.gumbel;
    for (let i = 0; i < out.length; i++) out[i] = gumbel();
  }

  /**
   * Lends a copy of the state (stdlib's layout) to `advance`, which runs the generator
   * elsewhere and updates the copy in place, then takes the copy back as the state.
   *
   * @param advance - updates the state in place.
   */
  advanceWith(advance: (state: Uint32Array) => void): void {
    const state = this.prng.state;
    advance(state);
    this.prng.state = state;
  }

  /**
   * Fills `out` with standard normal draws (Box-Muller on two uniforms; the second
   * variate is discarded so the state stays a plain MT state).
   *
   * @param out - the destination.
   */
  fillNormal(out: Float64Array): void {
    const prng = this.prng;
    for (let i = 0; i < out.length; i++) {
      const u1 = 1 - prng(); // (0, 1]: log(u1) is finite
      const u2 = prng();
      out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }

  private attach(prng: StdlibPrng): void {
    this.prng_ = prng;
    const clamped = (): number => {
      const u = prng();
      return u < EPS ? EPS : u > 1 - EPS ? 1 - EPS : u;
    };
    this.gumbel_ = loadStdlib().gumbel.factory(0, 1, { prng: clamped });
  }
}
