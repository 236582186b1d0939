/**
 * The cost of gradients through `rsample`: `rsample([4096])` of a K = 16 distribution without a
 * graph, with one (logits and temperature require grad), and `loss.backward()` for
 * `loss = z.mul(w).sum()`. Targets (issue 12): the forward with a graph at most 1.3x the forward
 * without (or at most 10 ns per element more), the backward at most 2x the forward.
 *
 * Rounds alternate the tasks so that drift on a shared machine hits them alike; the medians of
 * the per-round medians are printed with their ratios. Each result is consumed into a checksum.
 *
 * Run: `npm run build && node dist/bench/autograd.bench.js [--rounds 5]`
 */
import { Bench } from 'tinybench';
import { torch } from '../src/index.js';
import { checked, readFlags, wholeNumber } from './cli-args.js';

const K = 16;
const N = 4096;
const flags = readFlags('node dist/bench/autograd.bench.js [flags]', {
  rounds: { arg: 'N', help: 'rounds (default 5)' },
});
const rounds = checked(() => wholeNumber('rounds', flags.rounds, 5, 1));
const ELEMENTS = N * K;

torch.manual_seed(1);
const raw = torch.randn([K]).tolist() as number[];
const plain = new torch.distributions.RelaxedOneHotCategorical(0.5, { logits: raw });
const logits = torch.tensor(raw, { requires_grad: true });
const tau = torch.tensor(0.5, { requires_grad: true });
const tracked = new torch.distributions.RelaxedOneHotCategorical(tau, { logits });
const w = torch.randn([K]);
let checksum = 0;
let pending: torch.Tensor | null = null;

const samples: Record<string, number[]> = {};
for (let r = 0; r < rounds; r++) {
  const bench = new Bench({ time: 300, warmupTime: 100 });
  bench
    .add('rsample([4096]) without graph', () => {
      checksum += plain.rsample([N]).data[0];
    })
    .add('rsample([4096]) with graph', () => {
      checksum += tracked.rsample([N]).data[0];
    })
    .add('forward rsample + mul + sum, with graph', () => {
      checksum += tracked.rsample([N]).mul(w).sum().item();
    })
    .add(
      'backward of that loss',
      () => {
        (pending as torch.Tensor).backward();
      },
      {
        beforeEach: () => {
          logits.grad = null;
          tau.grad = null;
          pending = tracked.rsample([N]).mul(w).sum();
        },
        afterEach: () => {
          checksum += (logits.grad as torch.Tensor).data[0];
        },
      },
    );
  await bench.run();
  for (const t of bench.tasks) (samples[t.name] ??= []).push(t.result!.latency.p50 ?? t.result!.latency.mean);
}

const median = (v: number[]): number => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
const ms: Record<string, number> = {};
for (const [name, v] of Object.entries(samples)) {
  ms[name] = median(v);
  console.log(`${name.padEnd(42)} ${ms[name].toFixed(3)} ms  ${((ms[name] * 1e6) / ELEMENTS).toFixed(2)} ns/element`);
}
const names = Object.keys(ms);
console.log(`forward with graph / without: ${(ms[names[1]] / ms[names[0]]).toFixed(2)}x`);
console.log(`backward / forward (with graph): ${(ms[names[3]] / ms[names[2]]).toFixed(2)}x`);
console.log(`(${rounds} rounds, ${ELEMENTS} elements; checksum ${checksum.toFixed(3)})`);
