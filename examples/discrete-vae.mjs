// A variational autoencoder with one 5-way relaxed categorical latent (Maddison et al. 2017;
// Jang et al. 2017), trained by gradient descent through the reparameterised sample.
//
// Data: 5 random 16-pixel binary prototypes; each example is one of them with 10% of its pixels
// flipped. Encoder and decoder are small MLPs built from torch.nn.Linear. The loss per example is
// the reconstruction (binary_cross_entropy_with_logits, summed over pixels) plus the relaxed KL
// estimate log q(x) - log p(x), both densities taken in log space (ExpRelaxedCategorical, as in
// the Concrete paper), the prior being the uniform relaxed categorical at the same temperature.
// The KL weight is warmed up from 0.1 to 1 over the first 10 epochs. It prints the ELBO per epoch, then how well the argmax of the encoder's logits
// recovers the generating prototype (purity of the majority mapping latent class -> prototype).
//
// Run: npm run build && node examples/discrete-vae.mjs [--seed 1] [--epochs 30] [--examples 3000]
import { torch } from 'relaxed-mc';

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), Number(all[i + 1])]] : [])),
);
const seed = args.seed ?? 1;
const epochs = args.epochs ?? 30;
const N = args.examples ?? 3000;
const K = 5;
const D = 16;
const H = 32;
const BATCH = 100;
const TAU = 0.67;
const WARMUP = 10;
const F = torch.nn.functional;
const { ExpRelaxedCategorical } = torch.distributions;

torch.manual_seed(seed);

// The data: prototypes, then noisy copies with their generating label.
const protos = torch
  .rand(K, D)
  .tolist()
  .map((row) => row.map((u) => (u < 0.5 ? 1 : 0)));
const labels = [];
const pixels = [];
for (let n = 0; n < N; n++) {
  const c = Math.floor(torch.rand(1).item() * K);
  labels.push(c);
  pixels.push(protos[c].map((b) => (torch.rand(1).item() < 0.1 ? 1 - b : b)));
}
const data = torch.tensor(pixels);

const enc1 = new torch.nn.Linear(D, H);
const enc2 = new torch.nn.Linear(H, K);
const dec1 = new torch.nn.Linear(K, H);
const dec2 = new torch.nn.Linear(H, D);
const params = [enc1, enc2, dec1, dec2].flatMap((m) => m.parameters());
const opt = new torch.optim.Adam(params, { lr: 0.01 });
const encode = (x) => enc2.forward(enc1.forward(x).tanh());

const prior = new ExpRelaxedCategorical(TAU, { logits: torch.zeros([K]) });

// Returns the mean reconstruction term and the mean KL estimate of a mini-batch.
function batchTerms(x) {
  const q = new ExpRelaxedCategorical(TAU, { logits: encode(x) });
  const logz = q.rsample(); // [B, K], log-simplex, with gradients
  const kl = q.log_prob(logz).sub(prior.log_prob(logz)); // [B]
  const recon = F.binary_cross_entropy_with_logits(dec2.forward(dec1.forward(logz.exp()).tanh()), x, {
    reduction: 'none',
  }).sum(-1); // [B]
  return { recon: recon.mean(), kl: kl.mean() };
}

const elbos = [];
const started = performance.now();
for (let epoch = 0; epoch < epochs; epoch++) {
  let total = 0;
  // KL warm-up: the KL weight grows from 0.1 to 1 over the first 10 epochs, so the encoder
  // starts using the latent before the KL term pulls it towards the prior.
  const beta = Math.min(1, (epoch + 1) / WARMUP);
  const order = torch
    .rand(N)
    .tolist()
    .map((u, i) => [u, i])
    .sort((a, b) => a[0] - b[0]);
  for (let b = 0; b < N; b += BATCH) {
    const rows = order.slice(b, b + BATCH).map(([, i]) => data.select(0, i));
    const { recon, kl } = batchTerms(torch.stack(rows));
    opt.zero_grad();
    recon.add(kl.mul(beta)).backward();
    opt.step();
    total += (recon.item() + kl.item()) * rows.length; // the ELBO itself, whatever beta
  }
  elbos.push(-total / N);
  console.log(`epoch ${String(epoch + 1).padStart(2)}  ELBO ${elbos[epoch].toFixed(3)}`);
}
const seconds = (performance.now() - started) / 1000;

// Purity: map each latent class to the prototype most of its examples came from.
const assigned = torch.no_grad(() => encode(data).argmax(-1)).tolist();
const counts = Array.from({ length: K }, () => new Array(K).fill(0));
assigned.forEach((c, n) => counts[c][labels[n]]++);
const purity = counts.reduce((s, row) => s + Math.max(...row), 0) / N;
console.log(
  `ELBO improved from ${elbos[0].toFixed(3)} to ${elbos[epochs - 1].toFixed(3)} (by ${(elbos[epochs - 1] - elbos[0]).toFixed(3)} nats)`,
);
console.log(`purity ${purity.toFixed(3)}`);
console.log(`training took ${seconds.toFixed(1)} s`);
