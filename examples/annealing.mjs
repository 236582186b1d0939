// Temperature annealing: learn logits that put their mass on the best of five rewards, by
// gradient descent through relaxed one-hot samples (the reparameterisation trick).
// Run: npm run build && node examples/annealing.mjs
import { torch } from 'relaxed-mc';

torch.manual_seed(0);
const reward = torch.tensor([0.1, 0.5, 0.2, 0.9, 0.3]);
const logits = torch.zeros([5], { requires_grad: true });
const opt = new torch.optim.Adam([logits], { lr: 0.05 });
for (let epoch = 0; epoch < 300; epoch++) {
  const T = Math.max(0.1, Math.exp(-0.01 * epoch)); // exponential annealing
  const dist = new torch.distributions.RelaxedOneHotCategorical(T, { logits });
  const z = dist.rsample([64]); // has gradients
  const loss = z.mul(reward).sum(-1).mean().neg();
  opt.zero_grad();
  loss.backward();
  opt.step();
  if (epoch % 50 === 0 || epoch === 299) {
    console.log(`epoch ${String(epoch).padStart(3)}  T ${T.toFixed(3)}  loss ${loss.item().toFixed(4)}`);
  }
}
const p = logits.softmax(-1).tolist();
console.log(`softmax(logits) = [${p.map((v) => v.toFixed(3)).join(', ')}]`);
