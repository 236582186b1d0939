import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExactSum, exactSumOf } from '../../src/kernels/exact-sum.js';

// ---------------------------------------------------------------------------------------------
// Reference: exact rational arithmetic with BigInt, rounded by a different method from the
// implementation (round-to-odd to 64+ bits, then the engine's correctly rounded BigInt -> Number).

/** x * 2^1074 as an exact BigInt, from the decimal-free bit pattern (finite x only). */
function scaled(x: number): bigint {
  const bits = new BigUint64Array(Float64Array.of(x).buffer)[0];
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = exp === 0 ? frac : frac | (1n << 52n);
  const v = m << BigInt(exp === 0 ? 0 : exp - 1);
  return bits >> 63n ? -v : v;
}

/** 2^k by repeated doubling or halving: exact (down to 2^-1074), independent of Math.pow. */
function pow2(k: number): number {
  let p = 1;
  for (let i = 0; i < k; i++) p *= 2;
  for (let i = 0; i > k; i--) p /= 2;
  return p;
}

/** N * 2^-1074 correctly rounded, N exact. */
function roundScaled(N: bigint): number {
  const neg = N < 0n;
  const a = neg ? -N : N;
  const len = a === 0n ? 0 : a.toString(2).length;
  let r: number;
  if (len <= 64) {
    // Number(bigint) rounds to nearest, ties to even; scaling by 2^-1074 is then exact (a result
    // below 2^-1022 only arises for a < 2^52, which Number holds exactly).
    r = Number(a) * Number.MIN_VALUE;
  } else {
    // Keep 64 bits and make the last one sticky ("round to odd"): rounding that to 53 bits
    // gives the same double as rounding the exact value, since 64 >= 53 + 2.
    const k = len - 64;
    const top = a >> BigInt(k);
    const rest = a & ((1n << BigInt(k)) - 1n);
    const odd = rest === 0n ? top : top | 1n;
    r = Number(odd) * pow2(k - 1074); // exact unless it overflows to Infinity
  }
  return neg ? -r : r;
}

function referenceSum(xs: readonly number[]): number {
  let N = 0n;
  for (const x of xs) N += scaled(x);
  return roundScaled(N);
}

/** The canonical text form of N * 2^-1074, written independently of the implementation. */
function jsonOf(N: bigint): string {
  if (N === 0n) return 'esum1:0';
  let h = N < 0n ? -N : N;
  let e = -1074;
  while ((h & 1n) === 0n) {
    h >>= 1n;
    e++;
  }
  return `esum1:${N < 0n ? '-' : ''}${h.toString(16)}p${e}`;
}

const sameBits = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

function sumOf(xs: readonly number[]): ExactSum {
  const s = new ExactSum();
  for (const x of xs) s.add(x);
  return s;
}

// Doubles of every kind and size, and sets built to cancel.
const anyFinite = fc.double({ noNaN: true, noDefaultInfinity: true });
const wideFinite = fc.oneof(
  anyFinite,
  fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
  fc.integer({ min: -2000, max: 2000 }),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1022, 0, -0),
);
const cancelling = fc
  .array(wideFinite, { maxLength: 20 })
  .chain((xs) => fc.tuple(fc.constant(xs), fc.array(wideFinite, { maxLength: 5 })))
  .map(([xs, extra]) => [...xs, ...xs.map((x) => -x), ...extra]);
const addends = fc.oneof(fc.array(wideFinite, { maxLength: 60 }), cancelling);

/** A random permutation, split into groups summed separately and merged in a random order. */
const regrouping = addends.chain((xs) =>
  fc.record({
    xs: fc.constant(xs),
    order: fc.shuffledSubarray(
      xs.map((_, i) => i),
      { minLength: xs.length, maxLength: xs.length },
    ),
    cuts: fc.array(fc.nat({ max: Math.max(xs.length, 1) }), { maxLength: 6 }),
    mergeOrder: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  }),
);

describe('ExactSum', () => {
  it('equals the BigInt rational sum correctly rounded, for any doubles', () => {
    fc.assert(
      fc.property(addends, (xs) => {
        const s = sumOf(xs);
        expect(s.value()).toBe(referenceSum(xs) + 0); // + 0 turns a reference -0 into +0
        expect(s.toJSON()).toBe(jsonOf(xs.reduce((N, x) => N + scaled(x), 0n)));
      }),
      { seed: 10, numRuns: 3000 },
    );
  });

  it('gives the same bits for any permutation and any grouping into partial sums merged in any order', () => {
    fc.assert(
      fc.property(regrouping, ({ xs, order, cuts, mergeOrder }) => {
        const expected = sumOf(xs);
        const permuted = order.map((i) => xs[i]);
        const bounds = [0, ...cuts.map((c) => Math.min(c, permuted.length)).sort((a, b) => a - b), permuted.length];
        const parts: ExactSum[] = [];
        for (let g = 0; g + 1 < bounds.length; g++) parts.push(sumOf(permuted.slice(bounds[g], bounds[g + 1])));
        // Merge as a random tree: repeatedly fold one part into another.
        let step = 0;
        while (parts.length > 1) {
          const i = mergeOrder[step++ % mergeOrder.length] % parts.length;
          const [p] = parts.splice(i, 1);
          const j = mergeOrder[step++ % mergeOrder.length] % parts.length;
          parts[j].addSum(p);
        }
        expect(sameBits(parts[0].value(), expected.value())).toBe(true);
        expect(parts[0].toJSON()).toBe(expected.toJSON());
      }),
      { seed: 11, numRuns: 1500 },
    );
  });

  it('is within the naive-sum error bound n·eps·Σ|x| for well-conditioned (same-sign) data', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 200 }), (xs) => {
        let naive = 0;
        let abs = 0;
        for (const x of xs) {
          naive += x;
          abs += Math.abs(x);
        }
        const exact = exactSumOf(xs);
        expect(Math.abs(exact - naive)).toBeLessThanOrEqual(xs.length * Number.EPSILON * abs);
      }),
      { seed: 12, numRuns: 500 },
    );
  });

  it('survives catastrophic cancellation: 1e300 + 1 - 1e300 === 1', () => {
    expect(exactSumOf([1e300, 1, -1e300])).toBe(1);
    expect(exactSumOf([1, 1e100, 1, -1e100])).toBe(2);
    expect(exactSumOf([0.1, 0.2, 0.3])).toBe(0.6);
    expect(exactSumOf([Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE])).toBe(Number.MIN_VALUE);
  });

  it('sums subnormals exactly: multiples of 2^-1074 and the subnormal/normal boundary', () => {
    const tiny = Number.MIN_VALUE; // 2^-1074
    expect(exactSumOf(new Array(1000).fill(tiny))).toBe(1000 * tiny);
    expect(exactSumOf([tiny, tiny, -tiny])).toBe(tiny);
    expect(exactSumOf(new Array(2 ** 10).fill(2 ** -1032))).toBe(2 ** -1022); // 2^10 * 2^-1032
    expect(exactSumOf([2 ** -1022, -tiny])).toBe(2 ** -1022 - tiny); // largest subnormal
    expect(exactSumOf([1, tiny])).toBe(1); // 2^-1074 is far below half an ulp of 1
  });

  it('overflows to Infinity only when the rounded total reaches 2^1024', () => {
    const max = Number.MAX_VALUE; // (2^53 - 1) * 2^971
    expect(exactSumOf([max, max])).toBe(Infinity);
    expect(exactSumOf([-max, -max])).toBe(-Infinity);
    expect(exactSumOf([max, max, -max])).toBe(max); // the intermediate overflow is not fatal
    // MAX + half an ulp (2^970) is a tie between MAX (odd significand) and 2^1024: rounds up.
    expect(exactSumOf([max, 2 ** 970])).toBe(Infinity);
    // Just below the tie rounds down.
    expect(exactSumOf([max, 2 ** 970, -(2 ** 918)])).toBe(max);
    const many = new ExactSum();
    for (let i = 0; i < 3000; i++) many.add(max);
    for (let i = 0; i < 2999; i++) many.add(-max);
    expect(many.value()).toBe(max);
  });

  it('rounds ties to even, built explicitly', () => {
    const ulp = 2 ** -52; // ulp of 1
    expect(exactSumOf([1, ulp / 2])).toBe(1); // tie, 1 is even
    expect(exactSumOf([1 + ulp, ulp / 2])).toBe(1 + 2 * ulp); // tie, 1 + ulp is odd: up
    expect(exactSumOf([1, ulp / 2, 2 ** -200])).toBe(1 + ulp); // just above the tie (sticky bit)
    expect(exactSumOf([1 + ulp, ulp / 2, -(2 ** -200)])).toBe(1 + ulp); // just below the tie
    expect(exactSumOf([-1, -ulp / 2])).toBe(-1);
    expect(exactSumOf([2 ** 53, 1])).toBe(2 ** 53); // 2^53 + 1: tie to the even 2^53
    expect(exactSumOf([2 ** 53, 3])).toBe(2 ** 53 + 4); // 2^53 + 3: tie to the even 2^53 + 4
    // A tie far below the top limbs: the sticky bit sits hundreds of bits down.
    expect(exactSumOf([2 ** 100, 2 ** 47, 2 ** -1074])).toBe(2 ** 100 + 2 ** 48);
    expect(exactSumOf([2 ** 100, 2 ** 47])).toBe(2 ** 100);
  });

  it('rounds ties and near-ties correctly at every bit position within a limb (both rounding paths)', () => {
    // x = (2^52 + k) 2^e has its top bit at every position modulo 32 as e varies, which covers
    // every split of the kept 53 bits over the top three limbs.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 52 - 1 }),
        fc.integer({ min: -1000, max: 960 }),
        fc.constantFrom(-1, 0, 1),
        (k, e, nudge) => {
          const ulp = 2 ** e;
          const x = (2 ** 52 + k) * ulp;
          const xs = [x, ulp / 2];
          if (nudge !== 0) xs.push(nudge * 2 ** (e - 60));
          expect(exactSumOf(xs)).toBe(referenceSum(xs));
          expect(exactSumOf(xs.map((v) => -v))).toBe(referenceSum(xs.map((v) => -v)));
        },
      ),
      { numRuns: 3000, seed: 17 },
    );
  });

  it('returns +0 for an exactly zero total, including the empty sum and a sum of -0 values', () => {
    expect(Object.is(new ExactSum().value(), 0)).toBe(true);
    expect(Object.is(exactSumOf([-0]), 0)).toBe(true);
    expect(Object.is(exactSumOf([-0, -0]), 0)).toBe(true);
    expect(Object.is(exactSumOf([1.5, -1.5]), 0)).toBe(true);
    expect(Object.is(exactSumOf([-1.5, 1.5]), 0)).toBe(true);
    expect(new ExactSum().isZero()).toBe(true);
    expect(sumOf([3, -3]).isZero()).toBe(true);
    expect(sumOf([3]).isZero()).toBe(false);
    expect(sumOf([NaN]).isZero()).toBe(false);
  });

  it('follows IEEE for NaN and infinities', () => {
    expect(exactSumOf([1, NaN, 2])).toBeNaN();
    expect(exactSumOf([Infinity, 1])).toBe(Infinity);
    expect(exactSumOf([-Infinity, 1e308, 1e308])).toBe(-Infinity);
    expect(exactSumOf([Infinity, -Infinity])).toBeNaN();
    expect(exactSumOf([Infinity, Infinity])).toBe(Infinity);
    const a = sumOf([Infinity]);
    a.addSum(sumOf([-Infinity]));
    expect(a.value()).toBeNaN();
  });

  it('stays exact past the lazy-carry interval (more than 2^20 additions)', () => {
    const s = new ExactSum();
    const n = (1 << 20) + 12345;
    for (let i = 0; i < n; i++) s.add(i % 2 ? 0.1 : -(2 ** 60));
    let N = 0n;
    const a = scaled(0.1);
    const b = scaled(-(2 ** 60));
    N += a * BigInt(Math.floor(n / 2)) + b * BigInt(Math.ceil(n / 2));
    expect(s.value()).toBe(roundScaled(N));
    // and merging a sum into itself doubles it
    const c = s.clone();
    c.addSum(c);
    expect(c.value()).toBe(roundScaled(2n * N));
    expect(s.value()).toBe(roundScaled(N)); // the clone is independent
  });

  it('stays exact when 3 * 2^20 additions load a limb with 2^32 - 1 each (carries must not be skipped)', () => {
    // (2^53 - 1) * 2^-1044 sits at bit 31 of N's limb 0, so its middle piece is a full 32-bit word.
    const x = (2 ** 53 - 1) * 2 ** -1044;
    const n = 3 * 2 ** 20;
    const s = new ExactSum();
    for (let i = 0; i < n; i++) s.add(x);
    expect(s.toJSON()).toBe(jsonOf(BigInt(n) * scaled(x)));
    // Two accumulators just short of their carry interval, merged, then merged with themselves.
    const m = 2 ** 20 - 1;
    const a = new ExactSum();
    const b = new ExactSum();
    for (let i = 0; i < m; i++) {
      a.add(x);
      b.add(x);
    }
    a.addSum(b);
    a.addSum(a);
    expect(a.toJSON()).toBe(jsonOf(BigInt(4 * m) * scaled(x)));
  });

  it('round-trips through its JSON text form', () => {
    fc.assert(
      fc.property(addends, fc.boolean(), fc.boolean(), fc.boolean(), (xs, nan, pinf, minf) => {
        const s = sumOf(xs);
        if (nan) s.add(NaN);
        if (pinf) s.add(Infinity);
        if (minf) s.add(-Infinity);
        const text = s.toJSON();
        const back = ExactSum.fromJSON(text);
        expect(back.toJSON()).toBe(text);
        expect(sameBits(back.value(), s.value())).toBe(true);
        // the parsed state merges like the original
        const t = back.clone();
        t.addSum(sumOf([1e-300, 7]));
        const u = s.clone();
        u.addSum(sumOf([1e-300, 7]));
        expect(t.toJSON()).toBe(u.toJSON());
        expect(JSON.parse(JSON.stringify({ s }))).toEqual({ s: text });
      }),
      { seed: 13, numRuns: 1000 },
    );
    expect(new ExactSum().toJSON()).toBe('esum1:0');
    expect(sumOf([1.5]).toJSON()).toBe('esum1:3p-1');
    expect(sumOf([-(2 ** -1074)]).toJSON()).toBe('esum1:-1p-1074');
    expect(sumOf([1, NaN, -Infinity]).toJSON()).toBe('esum1:1p0:nan:-inf');
    expect(ExactSum.fromJSON('esum1:3p-1').value()).toBe(1.5);
  });

  it('rejects malformed text forms with a TypeError', () => {
    const bad = [
      '',
      'esum1:',
      'esum2:0',
      'esum1:-0',
      'esum1:0p0',
      'esum1:2p0', // even significand: not canonical
      'esum1:3p-0',
      'esum1:03p0',
      'esum1:3P0',
      'esum1:3p',
      'esum1:3p1.5',
      'esum1:Ap0', // upper-case hex
      'esum1:3p-1075', // below 2^-1074
      `esum1:1p${2144 - 1074}`, // beyond the accumulator's range
      'esum1:1p99999999999999999999',
      'esum1:1p0:inf',
      'esum1:1p0:-inf:+inf', // flags out of order
      'esum1:1p0:nan:nan',
      ' esum1:1p0',
      `esum1:${'f'.repeat(700)}p0`,
    ];
    for (const s of bad) expect(() => ExactSum.fromJSON(s), s).toThrow(TypeError);
    expect(() => ExactSum.fromJSON(3 as unknown as string)).toThrow(TypeError);
    expect(ExactSum.fromJSON(`esum1:1p${2143 - 1074}`).value()).toBe(Infinity);
  });
});
