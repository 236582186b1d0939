/**
 * PyTorch idioms of the Concrete distributions: positional (temperature, probs, logits,
 * validate_args), expand() on a subclass returns the subclass, String(dist) follows
 * Distribution.__repr__.
 */
import { describe, expect, it } from 'vitest';
import { ValueError, torch } from 'relaxed-mc';

const { RelaxedOneHotCategorical, ExpRelaxedCategorical } = torch.distributions;

describe('positional probs / logits', () => {
  for (const Dist of [RelaxedOneHotCategorical, ExpRelaxedCategorical]) {
    it(`${Dist.name}(temperature, probs) and (temperature, null, logits, validate_args)`, () => {
      const byProbs = new Dist(0.5, torch.tensor([0.2, 0.3, 0.5]));
      expect(byProbs.probs.tolist()).toEqual([0.2, 0.3, 0.5]);
      const byLogits = new Dist(0.5, null, torch.tensor([0, 1, 2]), false);
      expect(byLogits.validate_args).toBe(false);
      const viaOptions = new Dist(0.5, { logits: torch.tensor([0, 1, 2]) });
      expect(Array.from(byLogits.logits.data)).toEqual(Array.from(viaOptions.logits.data));
      torch.manual_seed(3);
      const a = byLogits.sample([2]);
      torch.manual_seed(3);
      expect(Array.from(viaOptions.sample([2]).data)).toEqual(Array.from(a.data));
      expect(() => new Dist(0.5, [0.5, 0.5], [0, 0])).toThrow(ValueError);
      expect(() => new Dist(0.5)).toThrow(/Either `probs` or `logits`/);
    });
  }
  it('gradients flow to positionally given tensors', () => {
    const l = torch.tensor([0.1, 0.2, 0.3], { requires_grad: true });
    torch.manual_seed(1);
    new RelaxedOneHotCategorical(0.5, undefined, l).rsample([3]).select(-1, 0).sum().backward();
    expect(l.grad?.shape).toEqual([3]);
  });
});

describe('expand on a subclass', () => {
  class Tempered extends RelaxedOneHotCategorical {
    describe(): string {
      return `tempered ${this.batch_shape}`;
    }
  }
  class LogTempered extends ExpRelaxedCategorical {}
  it('returns an instance of the subclass with the new batch shape, as PyTorch', () => {
    const d = new Tempered(0.5, { logits: [0, 1, 2] });
    const e = d.expand([4]);
    expect(e).toBeInstanceOf(Tempered);
    expect(e.batch_shape).toEqual([4]);
    expect(e.describe()).toBe('tempered 4');
    expect(e.rsample().shape).toEqual([4, 3]);
    const l = new LogTempered(0.5, { probs: [0.5, 0.5] }).expand([2, 1]);
    expect(l).toBeInstanceOf(LogTempered);
    expect(l.batch_shape).toEqual([2, 1]);
  });
});

describe("String(dist) as PyTorch's Distribution.__repr__", () => {
  it('shows one-element parameters by value and larger ones by size', () => {
    expect(String(new RelaxedOneHotCategorical(0.5, { logits: [0, 1, 2] }))).toBe(
      'RelaxedOneHotCategorical(temperature: tensor(0.5), logits: torch.Size([3]))',
    );
    expect(String(new ExpRelaxedCategorical(torch.tensor([0.5, 2]), { probs: [[0.5, 0.5]] }))).toBe(
      'ExpRelaxedCategorical(temperature: torch.Size([2]), probs: torch.Size([1, 2]))',
    );
    expect(String(new RelaxedOneHotCategorical(2, { probs: [1] }))).toBe(
      'RelaxedOneHotCategorical(temperature: tensor(2), probs: tensor([1]))',
    );
  });
});
