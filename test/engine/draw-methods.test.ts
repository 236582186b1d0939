/**
 * The engine's two draw methods at temperatures with no special identity (the log-Exp(1)
 * ziggurat and the base-2 weights, tau in {0.37, 0.7, 1.3, 3}) and one integer power (tau = 0.5),
 * for K in {2, 16, 1024}. Two exact laws of the Concrete distribution are tested on every case:
 *   - tau (log y_i - log y_j) - (l_i - l_j) ~ Logistic(0, 1) (the Gumbel difference), KS test;
 *   - argmax_k y_k ~ Categorical(softmax(l)), chi-square test (categories grouped into 16
 *     equal-probability groups at K = 1024, so every expected count is large).
 * Each assertion has false-failure rate 1e-4 (fixed seeds, so a failure is reproducible); 30
 * cases x 2 tests plus the log-space ones: about 6e-3 for the whole file, and 0 for a given seed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine } from 'relaxed-mc';
import { chiSquarePValue, chiSquareStat, ksPValue, ksStatistic } from '../helpers/stats.js';

const { RelaxedOneHotCategorical } = torch.distributions;
const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());

const logistic = (v: number) => 1 / (1 + Math.exp(-v));

function logitsFor(K: number): number[] {
  // Spread over about 4 nats, deterministic.
  return Array.from({ length: K }, (_, k) => 2 * Math.sin(1.3 * k + 0.4));
}

/** Groups of categories with (nearly) equal total probability, for the argmax test. */
function groups(probs: number[], count: number): Int32Array {
  const g = new Int32Array(probs.length);
  let acc = 0;
  for (let k = 0; k < probs.length; k++) {
    g[k] = Math.min(count - 1, Math.floor(acc * count));
    acc += probs[k];
  }
  return g;
}

describe('draw methods follow the Concrete law (KS on pairwise logistic, chi-square on argmax)', () => {
  for (const K of [2, 16, 1024]) {
    // Rows: enough for KS power, bounded in memory (K = 1024: 4000 rows = 32 MiB).
    const N = K === 1024 ? 4000 : 20_000;
    for (const tau of [0.37, 0.7, 1.3, 3, 0.5]) {
      it(`K = ${K}, tau = ${tau} (N = ${N})`, async () => {
        const d = new RelaxedOneHotCategorical(tau, { logits: logitsFor(K) });
        const l = d.logits.data;
        const y = (await engine.sample(d, [N], { seed: 1000 + K + Math.round(tau * 100) })).data;
        const stat = new Float64Array(N);
        const G = Math.min(K, 16);
        const probs = Array.from(l, Math.exp);
        const grp = K <= 16 ? Int32Array.from(probs, (_, k) => k) : groups(probs, G);
        const counts = new Float64Array(G);
        const gp = new Float64Array(G);
        for (let k = 0; k < K; k++) gp[grp[k]] += probs[k];
        // The pair (i, j): two categories of moderate probability.
        const [i, j] = [0, K - 1];
        for (let n = 0; n < N; n++) {
          const o = n * K;
          stat[n] = tau * (Math.log(y[o + i]) - Math.log(y[o + j])) - (l[i] - l[j]);
          let best = 0;
          for (let k = 1; k < K; k++) if (y[o + k] > y[o + best]) best = k;
          counts[grp[best]]++;
        }
        expect(ksPValue(ksStatistic(stat, logistic), N), 'pairwise logistic').toBeGreaterThan(1e-4);
        expect(chiSquarePValue(chiSquareStat(counts, gp), G - 1), 'argmax').toBeGreaterThan(1e-4);
      });
    }
  }

  for (const tau of [0.37, 1.3]) {
    it(`log-space draws, K = 16, tau = ${tau}: tau (x_i - x_j) - (l_i - l_j) is logistic and logsumexp(x) = 0`, async () => {
      const K = 16;
      const N = 20_000;
      const d = new RelaxedOneHotCategorical(tau, { logits: logitsFor(K) });
      const l = d.logits.data;
      const x = (await engine.sample(d, [N], { seed: 77, logSpace: true })).data;
      const stat = new Float64Array(N);
      for (let n = 0; n < N; n++) {
        const o = n * K;
        stat[n] = tau * (x[o + 3] - x[o + 11]) - (l[3] - l[11]);
        let s = 0;
        for (let k = 0; k < K; k++) s += Math.exp(x[o + k]);
        if (Math.abs(s - 1) > 1e-13) throw new Error(`row ${n}: sum of exp(x) = ${s}`);
      }
      expect(ksPValue(ksStatistic(stat, logistic), N)).toBeGreaterThan(1e-4);
    });
  }
});
