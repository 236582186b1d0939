import { afterAll, describe, expect, it } from 'vitest';
import { torch, Engine } from 'relaxed-mc';

const { RelaxedOneHotCategorical } = torch.distributions;
const dist = new RelaxedOneHotCategorical(0.5, { probs: [0.7, 0.2, 0.1] });
const engine = new Engine({ threads: 2 });
afterAll(() => engine.close());

describe('bad options are typed errors thrown before any worker starts', () => {
  it('samples must be a positive safe integer', async () => {
    for (const [samples, kind, text] of [
      [0, RangeError, /samples must be a positive safe integer.*got 0/],
      [-5, RangeError, /samples/],
      [1.5, RangeError, /samples/],
      [NaN, RangeError, /samples/],
      [2 ** 53, RangeError, /samples/],
      ['10', TypeError, /samples must be a number, but got the string "10"/],
      [undefined, TypeError, /samples is required/],
    ] as const) {
      await expect(engine.moments(dist, { samples: samples as number })).rejects.toThrow(kind as any);
      await expect(engine.moments(dist, { samples: samples as number })).rejects.toThrow(text);
    }
    expect(engine.completedTasks).toBe(0);
  });

  it('threads must be an integer >= 1; unknown options are refused', () => {
    expect(() => new Engine({ threads: 0 })).toThrow(RangeError);
    expect(() => new Engine({ threads: 1.5 })).toThrow(RangeError);
    expect(() => new Engine({ threads: '2' as any })).toThrow(TypeError);
    expect(() => new Engine({ thread: 2 } as any)).toThrow(/unknown option "thread"/);
  });

  it('seed, covariance, signal, onProgress and chunkSize are checked', async () => {
    await expect(engine.moments(dist, { samples: 10, seed: -1 })).rejects.toThrow(RangeError);
    await expect(engine.moments(dist, { samples: 10, covariance: 'yes' as any })).rejects.toThrow(TypeError);
    await expect(engine.moments(dist, { samples: 10, signal: {} as any })).rejects.toThrow(/AbortSignal/);
    await expect(engine.moments(dist, { samples: 10, onProgress: 1 as any })).rejects.toThrow(
      /onProgress must be a function/,
    );
    await expect(engine.moments(dist, { samples: 10, chunkSize: 0 })).rejects.toThrow(RangeError);
    await expect(engine.moments(dist, { sample: 10 } as any)).rejects.toThrow(/unknown option "sample"/);
    await expect(engine.moments({} as any, { samples: 10 })).rejects.toThrow(/RelaxedOneHotCategorical/);
    await expect(engine.sample(dist, [-1])).rejects.toThrow(/sample_shape/);
    expect(engine.completedTasks).toBe(0);
  });

  it('a closed engine refuses new jobs', async () => {
    const e = new Engine({ threads: 1 });
    await e.close();
    await expect(e.moments(dist, { samples: 10 })).rejects.toThrow(/closed/);
  });
});
