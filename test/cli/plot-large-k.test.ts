/**
 * Figures at large K: `sweep` and `gradients` draw at most 8 categories (`--categories`,
 * `--top`, or the 8 most probable by default), and at K = 1000 the legends and every panel lie
 * inside the canvas, checked on vega's scenegraph of the same specification that is rendered
 * to PNG.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { type MomentsEstimate, torch } from '../../src/index.js';
import { figureData } from '../../src/cli/commands/sweep.js';
import { drawnCategories } from '../../src/cli/plot-categories.js';
import { renderPng, sweepSpec } from '../../src/cli/plot.js';
import { type GradientPoint, gradientsSpec } from '../../src/cli/gradients-plot.js';
import { PANEL_H } from '../../src/cli/plot-style.js';
import { relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

interface Box {
  role: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** The canvas size and the boxes of the top-level groups (panels and legends), in canvas pixels. */
async function layout(spec: vega.Spec): Promise<{ width: number; height: number; boxes: Box[]; svg: string }> {
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    await view.runAsync();
    const svg = await view.toSVG();
    const width = Number(/width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
    const height = Number(/height="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
    const [ox, oy] = view.origin();
    const pad = view.padding() as { left: number; top: number };
    const root = (view.scenegraph() as unknown as { root: unknown }).root as {
      items: { items: { role: string; bounds: { x1: number; y1: number; x2: number; y2: number } }[] }[];
    };
    const boxes = root.items[0].items.map((m) => ({
      role: m.role,
      x1: m.bounds.x1 + ox + pad.left,
      x2: m.bounds.x2 + ox + pad.left,
      y1: m.bounds.y1 + oy + pad.top,
      y2: m.bounds.y2 + oy + pad.top,
    }));
    return { width, height, boxes, svg };
  } finally {
    view.finalize();
  }
}

function expectInside(l: { width: number; height: number; boxes: Box[] }): void {
  for (const b of l.boxes) {
    expect(b.x1, `${b.role} left`).toBeGreaterThanOrEqual(0);
    expect(b.y1, `${b.role} top`).toBeGreaterThanOrEqual(0);
    expect(b.x2, `${b.role} right`).toBeLessThanOrEqual(l.width);
    expect(b.y2, `${b.role} bottom`).toBeLessThanOrEqual(l.height);
  }
}

describe('figures at K = 1000', () => {
  it('sweep: the 8 most probable categories, legend and panels inside the canvas, rendered to PNG', async () => {
    const K = 1000;
    const logits = Array.from({ length: K }, (_, i) => Math.sin(i * 0.7) * 3);
    const temperatures = [0.1, 1];
    const dist = new torch.distributions.RelaxedOneHotCategorical(torch.tensor(temperatures), {
      logits: [logits, logits],
    });
    // The figure needs only the estimates' values: the exact moments with a made-up spread stand in.
    const mean = dist.mean;
    const variance = dist.variance;
    const est = {
      mean,
      variance,
      stderr: variance.sqrt().div(30),
      varianceStderr: variance.div(30),
      samples: 1000,
    } as unknown as MomentsEstimate;
    const probs = dist.probs.data.subarray(0, K);
    const drawn = drawnCategories({}, probs);
    expect(drawn.shown.length).toBe(8);
    const ranked = Array.from(probs).sort((a, b) => b - a);
    for (const k of drawn.shown) expect(probs[k]).toBeGreaterThanOrEqual(ranked[7]);
    const spec = sweepSpec(figureData({ dist, est }, { logits }, temperatures, true, drawn));
    const l = await layout(spec);
    expect(l.boxes.filter((b) => b.role === 'legend')).toHaveLength(2);
    expect(l.boxes.filter((b) => b.role === 'scope')).toHaveLength(2);
    expectInside(l);
    // The legend fits beside the panels: the canvas is not stretched by it.
    expect(l.height).toBeLessThanOrEqual(PANEL_H + 100);
    expect(l.svg).toContain('>Category (8 of 1000, most probable)<');
    const png = await renderPng(l.svg);
    expect(Buffer.from(png.subarray(0, 8))).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(Buffer.from(png).readUInt32BE(16)).toBe(Math.round(3 * l.width));
  });

  it('gradients: the legend (one entry per estimator), both panels and the 8 category panels of K = 1000 lie inside the canvas, rendered to PNG', async () => {
    const K = 1000;
    const estimators = ['reinforce', 'reinforce-loo', 'gumbel-softmax', 'straight-through', 'gumbel-rao', 'rebar'];
    const pointsFor = (scale: number): GradientPoint[] =>
      estimators.flatMap((estimator, i) =>
        [0.1, 0.5, 1, 2].map((t) => ({
          t,
          estimator,
          variance: scale * 0.1 * (i + 1) * t,
          varianceStderr: scale * 0.001,
          biasNorm: 0.01 * i * t,
          biasNormStderr: 0.001,
        })),
      );
    const probs = Float64Array.from({ length: K }, (_, k) => Math.exp(Math.sin(k * 0.7) * 3));
    const drawn = drawnCategories({}, probs);
    const categories = drawn.shown.map((k) => ({ title: `k = ${k}`, points: pointsFor(1 / K) }));
    const l = await layout(
      gradientsSpec({
        estimators,
        points: pointsFor(1),
        relaxedBias: [0.1, 2].map((t) => ({ t, bias: 0.02 * t })),
        samples: 1e4,
        categories,
        categoryTitle: 'Per category (8 of 1000, most probable)',
      }),
    );
    expect(l.boxes.some((b) => b.role === 'legend')).toBe(true);
    // Panels (a), (b) and one per drawn category.
    expect(l.boxes.filter((b) => b.role === 'scope')).toHaveLength(2 + 8);
    expectInside(l);
    for (const k of drawn.shown) expect(l.svg).toMatch(new RegExp(`>(\\(c\\) {2})?k = ${k}<`));
    expect(l.svg).toContain('>Per category (8 of 1000, most probable)<');
    const png = await renderPng(l.svg);
    expect(Buffer.from(png).readUInt32BE(16)).toBe(Math.round(3 * l.width));
  });
});

describe('gradients --categories and --top', () => {
  const base = [
    'gradients',
    '--objective',
    'linear',
    '--c',
    '1',
    '--temperatures',
    '0.5,1',
    '--estimators',
    'reinforce,gumbel-softmax',
    '--samples',
    '400',
    '--seed',
    '1',
    '--threads',
    '1',
    '--quiet',
  ];
  const logits = JSON.stringify(Array.from({ length: 20 }, (_, i) => -0.1 * i));

  it('--categories 0,3,7 draws a panel for exactly those; --top 2 for the two most probable', async () => {
    const r = await relaxedMc([...base, '--logits', logits, '--categories', '0,3,7', '--plot', 'gc.svg'], tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const svg = readFileSync(join(tmp.dir, 'gc.svg'), 'utf8');
    for (const k of [0, 3, 7]) expect(svg).toMatch(new RegExp(`>(\\(c\\) {2})?k = ${k} {2}\\(p = `));
    for (const k of [1, 2, 8, 19]) expect(svg).not.toMatch(new RegExp(`k = ${k} {2}\\(p = `));
    expect(svg).toContain('>Per category (3 of 20)<');
    const t = await relaxedMc([...base, '--logits', logits, '--top', '2', '--plot', 'gt.svg'], tmp.dir);
    expect(t.code).toBe(0);
    const top = readFileSync(join(tmp.dir, 'gt.svg'), 'utf8');
    expect(top).toMatch(/k = 0 {2}\(p = /);
    expect(top).toMatch(/k = 1 {2}\(p = /);
    expect(top).not.toMatch(/k = 2 {2}\(p = /);
    expect(top).toContain('>Per category (2 of 20, most probable)<');
  });

  it('refuses an index >= K, more than 8 categories, and both flags together, with the messages of sweep, before any work', async () => {
    const tooBig = await relaxedMc([...base, '--logits', logits, '--categories', '0,25', '--plot', 'x.svg'], tmp.dir);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/--categories must list indices from 0 to 19 \(K = 20\), but got 25/);
    const many = await relaxedMc([...base, '--logits', logits, '--top', '9'], tmp.dir);
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/--top must be at most 8/);
    const both = await relaxedMc([...base, '--logits', logits, '--categories', '0', '--top', '2'], tmp.dir);
    expect(both.code).toBe(2);
  });
});

describe('sweep --categories and --top', () => {
  const base = ['sweep', '--temperatures', '0.5,1', '--samples', '2e3', '--seed', '1', '--threads', '1', '--quiet'];
  const logits = JSON.stringify(Array.from({ length: 20 }, (_, i) => -0.1 * i));

  it('--categories 0,3,7 draws exactly those', async () => {
    const r = await relaxedMc([...base, '--logits', logits, '--categories', '0,3,7', '--plot', 'c.svg'], tmp.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const svg = readFileSync(join(tmp.dir, 'c.svg'), 'utf8');
    for (const k of [0, 3, 7]) expect(svg).toMatch(new RegExp(`>k = ${k}  \\(p = `));
    for (const k of [1, 2, 8, 19]) expect(svg).not.toMatch(new RegExp(`>k = ${k}  \\(p = `));
    expect(svg).toContain('>Category (3 of 20)<');
  });

  it('--top 2 draws the two most probable', async () => {
    const r = await relaxedMc([...base, '--logits', logits, '--top', '2', '--plot', 't.svg'], tmp.dir);
    expect(r.code).toBe(0);
    const svg = readFileSync(join(tmp.dir, 't.svg'), 'utf8');
    expect(svg).toMatch(/>k = 0 {2}\(p = /);
    expect(svg).toMatch(/>k = 1 {2}\(p = /);
    expect(svg).not.toMatch(/>k = 2 {2}\(p = /);
  });

  it('refuses an index >= K, more than 8 categories, and both flags together, before any work', async () => {
    const tooBig = await relaxedMc([...base, '--logits', logits, '--categories', '0,25', '--plot', 'x.svg'], tmp.dir);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/--categories must list indices from 0 to 19 \(K = 20\), but got 25/);
    const many = await relaxedMc([...base, '--logits', logits, '--top', '9'], tmp.dir);
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/--top must be at most 8/);
    const both = await relaxedMc([...base, '--categories', '0', '--top', '2'], tmp.dir);
    expect(both.code).toBe(2);
  });
});
