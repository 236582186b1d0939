import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { shiftedCovariance, summarizeShiftedSums, type MomentSummary } from '../../src/stats/moment-state.js';
import { ExactSum, exactSumOf } from '../../src/kernels/exact-sum.js';
import { PhiloxStream } from '../helpers/philox-uniforms.js';

/** Exactly merged shifted power sums of `ys` about `c`, as the engine forms them. */
function summarize(ys: ArrayLike<number>, c: number): MomentSummary {
  const s = [new ExactSum(), new ExactSum(), new ExactSum(), new ExactSum()];
  for (let i = 0; i < ys.length; i++) {
    const d = ys[i] - c;
    const d2 = d * d;
    s[0].add(d);
    s[1].add(d2);
    s[2].add(d2 * d);
    s[3].add(d2 * d2);
  }
  return summarizeShiftedSums(ys.length, c, s[0].value(), s[1].value(), s[2].value(), s[3].value());
}

/**
 * Two-pass reference (corrected two-pass, Chan, Golub & LeVeque 1983): the mean first, then
 * central moments of the deviations, with the rounding error of the mean taken out of them, so
 * odd moments are not biased by 3·δ·m2 when the mean is large and the data barely spread.
 */
function twoPass(ys: ArrayLike<number>): { mean: number; m2: number; m3: number; m4: number; variance: number } {
  const n = ys.length;
  const mean = exactSumOf(ys) / n;
  const raw = Float64Array.from(ys, (y) => y - mean);
  const delta = exactSumOf(raw) / n;
  const dev = raw.map((d) => d - delta);
  const m2 = exactSumOf(dev.map((d) => d * d)) / n;
  const m3 = exactSumOf(dev.map((d) => d * d * d)) / n;
  const m4 = exactSumOf(dev.map((d) => d * d * d * d)) / n;
  return { mean: mean + delta, m2, m3, m4, variance: (m2 * n) / (n - 1) };
}

/**
 * Tolerance for a k-th moment formed from sums of powers of d = y - c: the expansion has terms
 * up to a few times max|d|^k, each with a few roundings (~1e-13 max|d|^k in all), so 1e-9 max|d|^k
 * is a wide margin that still catches any wrong coefficient (off by order max|d|^k). The 1e-300
 * floor covers underflow of d^k when the data are themselves tiny.
 */
function tolerance(ys: ArrayLike<number>, c: number, k: number): number {
  let D = 0;
  for (let i = 0; i < ys.length; i++) D = Math.max(D, Math.abs(ys[i] - c));
  return 1e-9 * D ** k + 1e-300;
}

/** Standard normals from one Philox stream (Box-Muller, both variates). */
function normals(seed: number, stream: number, n: number): Float64Array {
  const u = new Float64Array(n + (n % 2));
  new PhiloxStream(seed, stream).fillUniform(u, 0, u.length);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u[i]));
    z[i] = r * Math.cos(2 * Math.PI * u[i + 1]);
    if (i + 1 < n) z[i + 1] = r * Math.sin(2 * Math.PI * u[i + 1]);
  }
  return z;
}

/** Data sets with a centre anywhere in [-1e3, 1e3] and a spread from 1e-2 to 1e3. */
const dataSets = fc
  .record({
    centre: fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    spread: fc.double({ min: 1e-2, max: 1e3, noNaN: true }),
    v: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 60 }),
    pick: fc.nat(),
  })
  .map(({ centre, spread, v, pick }) => ({ ys: v.map((x) => centre + spread * x), pick }));

/** |got - want| <= tol, with a readable failure. */
function near(got: number, want: number, tol: number, what: string): void {
  expect(Math.abs(got - want), `${what}: got ${got}, want ${want}, tol ${tol}`).toBeLessThanOrEqual(tol);
}

describe('summarizeShiftedSums', () => {
  it('gives the documented example', () => {
    const s = summarizeShiftedSums(4, 2, 2, 6, 8, 18);
    expect(s).toEqual({
      n: 4,
      mean: 2.5,
      variance: 1.6666666666666667,
      stderr: 0.6454972243679028,
      varianceStderr: 0.6396432744260808,
      m2: 1.25,
      m3: 0,
      m4: 2.5625,
    });
    expect(shiftedCovariance(3, 6, 12, 28)).toBe(2);
  });

  it('matches a direct two-pass computation on random data, shifted about one of the values', () => {
    fc.assert(
      fc.property(dataSets, ({ ys, pick }) => {
        const c = ys[pick % ys.length];
        const got = summarize(ys, c);
        const ref = twoPass(ys);
        // c is one of the values, so max|y - c| is at most twice the spread about the mean.
        near(got.mean, ref.mean, 1e-12 * Math.max(...ys.map(Math.abs)) + tolerance(ys, c, 1), 'mean');
        near(got.m2, ref.m2, tolerance(ys, c, 2), 'm2');
        near(got.variance, ref.variance, 2 * tolerance(ys, c, 2), 'variance');
        near(got.m3, ref.m3, tolerance(ys, c, 3), 'm3');
        near(got.m4, ref.m4, tolerance(ys, c, 4), 'm4');
        near(got.stderr, Math.sqrt(ref.variance / ys.length), Math.sqrt(2 * tolerance(ys, c, 2)), 'stderr');
      }),
      { seed: 21, numRuns: 500 },
    );
  });

  it('agrees whether the sums are shifted or not, when the data are centred well enough', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 60 }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (ys, c) => {
          const a = summarize(ys, 0);
          const b = summarize(ys, c);
          const tol = (k: number): number => tolerance(ys, 0, k) + tolerance(ys, c, k);
          near(b.mean, a.mean, 1e-3 * tol(1), 'mean');
          near(b.variance, a.variance, 2 * tol(2), 'variance');
          near(b.m3, a.m3, tol(3), 'm3');
          near(b.m4, a.m4, tol(4), 'm4');
        },
      ),
      { seed: 22, numRuns: 300 },
    );
  });

  it('keeps full precision for values 1e6 + small noise when the shift is near 1e6 (and loses it unshifted)', () => {
    const n = 10_000;
    const z = normals(31, 0, n);
    const ys = z.map((x) => 1e6 + 1e-3 * x); // sd 1e-3 on a mean of 1e6: 9 digits of cancellation
    const ref = twoPass(ys); // y - mean is exact here (Sterbenz), and a mean error enters only squared
    const got = summarize(ys, 1e6 + 3.7e-4);
    near(got.mean, ref.mean, 2 * 2 ** -33, 'mean'); // two ulps of 1e6 (ulp = 2^-33)
    near(got.variance, ref.variance, 1e-12 * ref.variance, 'variance');
    near(got.m3, ref.m3, 1e-9 * ref.m2 ** 1.5, 'm3'); // skewness to 1e-9
    near(got.m4, ref.m4, 1e-10 * ref.m4, 'm4');
    // The same sums about 0 cancel 1e12 against 1e12 and keep no correct digit of a 1e-6 variance.
    const bad = summarize(ys, 0);
    expect(Math.abs(bad.variance - ref.variance)).toBeGreaterThan(1e-3 * ref.variance);
  });

  it('returns NaN for the variance and its standard errors at n = 1, and NaN for all moments at n = 0, without throwing', () => {
    const one = summarizeShiftedSums(1, 5, 0.5, 0.25, 0.125, 0.0625);
    expect(one.n).toBe(1);
    expect(one.mean).toBe(5.5);
    expect(one.variance).toBeNaN();
    expect(one.stderr).toBeNaN();
    expect(one.varianceStderr).toBeNaN();
    expect(one.m2).toBe(0);
    const zero = summarizeShiftedSums(0, 5, 0, 0, 0, 0);
    expect(zero.n).toBe(0);
    for (const k of ['mean', 'variance', 'stderr', 'varianceStderr', 'm2', 'm3', 'm4'] as const)
      expect(zero[k]).toBeNaN();
    expect(shiftedCovariance(1, 1, 1, 1)).toBeNaN();
    expect(() => summarizeShiftedSums(-1, 0, 0, 0, 0, 0)).toThrow(RangeError);
    expect(() => summarizeShiftedSums(2.5, 0, 0, 0, 0, 0)).toThrow(/n must be a non-negative safe integer/);
  });

  it('never gives a negative variance or fourth moment for constant data', () => {
    for (const y of [0.1, 1 / 3, 1e6 + 0.1, -7.77]) {
      const s = summarize(new Float64Array(1000).fill(y), 0);
      expect(s.variance).toBeGreaterThanOrEqual(0);
      expect(s.m4).toBeGreaterThanOrEqual(0);
      expect(s.varianceStderr).toBeGreaterThanOrEqual(0);
      expect(summarize(new Float64Array(1000).fill(y), y).variance).toBe(0);
    }
  });

  // varianceStderr against the Monte Carlo spread of sample variances: R seeded replicates of n
  // draws. Var(s²) = (μ4 − (n−3)/(n−1) σ⁴)/n; for N(0,1) σ⁴ = 1, μ4 = 3; for Exp(1) σ⁴ = 1, μ4 = 9.
  const families = [
    { name: 'standard normal', mu4: 3, draw: (seed: number, r: number, n: number) => normals(seed, r, n) },
    {
      name: 'unit exponential',
      mu4: 9,
      draw: (seed: number, r: number, n: number) => {
        const u = new Float64Array(n);
        new PhiloxStream(seed, r).fillUniform(u, 0, n);
        return u.map((x) => -Math.log(x));
      },
    },
  ];
  for (const { name, mu4, draw } of families) {
    it(`estimates the standard error of the variance like the spread of sample variances over replicates (${name})`, () => {
      const R = 8000;
      const n = 200;
      const trueVar = (mu4 - (n - 3) / (n - 1)) / n;
      const dev = new Float64Array(R); // (s² − σ²)²: its mean is the Monte Carlo Var(s²)
      const est = new Float64Array(R); // varianceStderr²
      for (let r = 0; r < R; r++) {
        const s = summarize(draw(41, r, n), 0);
        dev[r] = (s.variance - 1) ** 2;
        est[r] = s.varianceStderr ** 2;
      }
      const meanSe = (xs: Float64Array): [number, number] => {
        let m = 0;
        for (const x of xs) m += x / xs.length;
        let v = 0;
        for (const x of xs) v += (x - m) ** 2 / (xs.length - 1);
        return [m, Math.sqrt(v / xs.length)];
      };
      const [mcVar, mcSe] = meanSe(dev);
      const [estVar, estSe] = meanSe(est);
      // The plug-in estimate's expectation, from the classical E[m4] and E[m2²] of i.i.d. samples:
      // E[m4] = (n−1)((n²−3n+3) μ4 + 3(2n−3) σ⁴)/n³, E[m2²] = (n−1)((n−1) μ4 + (n²−2n+3) σ⁴)/n³.
      const Em4 = ((n - 1) * ((n * n - 3 * n + 3) * mu4 + 3 * (2 * n - 3))) / n ** 3;
      const Em22 = ((n - 1) * ((n - 1) * mu4 + (n * n - 2 * n + 3))) / n ** 3;
      const expectedEst = (Em4 - ((n - 3) / (n - 1)) * Em22 * (n / (n - 1)) ** 2) / n;
      const bias = expectedEst - trueVar; // O(1/n²) absolutely: -2% (normal), -2.4% (exponential) here
      // Each comparison allows 5 standard errors of its Monte Carlo means (the replicates are
      // independent streams, and the means are near normal at R = 8000): false-failure rate about
      // 6e-7 each, with the CLT caveat for the skewed (s² − σ²)² of exponential data.
      near(mcVar, trueVar, 5 * mcSe, 'Monte Carlo Var(s²) vs (μ4 − (n−3)/(n−1) σ⁴)/n');
      near(estVar, expectedEst, 5 * estSe, 'mean varianceStderr² vs its expectation');
      near(estVar, mcVar, 5 * Math.hypot(mcSe, estSe) + Math.abs(bias), 'mean varianceStderr² vs Monte Carlo Var(s²)');
      expect(Math.abs(bias)).toBeLessThan(0.03 * trueVar);
    });
  }
});

describe('shiftedCovariance', () => {
  it('matches a two-pass covariance with any per-component shifts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true })),
          {
            minLength: 2,
            maxLength: 50,
          },
        ),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        (pairs, cj, ck) => {
          const n = pairs.length;
          const sj = new ExactSum();
          const sk = new ExactSum();
          const sjk = new ExactSum();
          for (const [a, b] of pairs) {
            sj.add(a - cj);
            sk.add(b - ck);
            sjk.add((a - cj) * (b - ck));
          }
          const got = shiftedCovariance(n, sj.value(), sk.value(), sjk.value());
          const ma = exactSumOf(pairs.map((p) => p[0])) / n;
          const mb = exactSumOf(pairs.map((p) => p[1])) / n;
          const ref = exactSumOf(pairs.map(([a, b]) => (a - ma) * (b - mb))) / (n - 1);
          // Terms up to 200 * 200 in size with a few roundings each.
          near(got, ref, 1e-9 * 4e4, 'covariance');
        },
      ),
      { seed: 23, numRuns: 300 },
    );
  });

  it('equals the variance on the diagonal', () => {
    const ys = normals(5, 1, 1000).map((z) => 3 + 2 * z);
    const s1 = exactSumOf(ys.map((y) => y - 3));
    const s2 = exactSumOf(ys.map((y) => (y - 3) ** 2));
    const v = summarize(ys, 3).variance;
    near(shiftedCovariance(ys.length, s1, s1, s2), v, 1e-12 * v, 'diagonal');
  });
});
