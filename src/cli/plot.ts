/**
 * The sweep figure: two panels, mean and variance of each category against temperature (log
 * axis); the exact moments as lines, the Monte Carlo estimates as markers with +-2 standard
 * error bars. Drawn with Vega (a declarative grammar whose Node renderer writes SVG without
 * a browser) and, for PNG, rasterised by resvg (a Rust SVG renderer shipped prebuilt on npm).
 *
 * The look follows common journal practice: a white background, a frame around each panel,
 * colours from the Okabe-Ito palette (distinguishable with colour-blindness) doubled by
 * marker shapes (readable in greyscale), panel letters, and axis titles with the quantity.
 *
 * @packageDocumentation
 */
import type { Spec } from 'vega';
import { FIGURE_CONFIG, OKABE_ITO, PANEL_H, PANEL_W, SHAPES, ticks125 } from './plot-style.js';
import { Worker } from 'node:worker_threads';
import type { FigureTask } from './figure-worker.js';
import { AbortError, InternalError } from '../index.js';
import { builtFile } from '../package-files.js';

/** One category's exact curve or Monte Carlo point at one temperature. */
export interface SweepPoint {
  /** Temperature. */
  t: number;
  /** Position of the category in {@link SweepFigure.categories}. */
  k: number;
  /** Mean. */
  mean: number;
  /** Variance. */
  variance: number;
  /** Standard error of the mean (Monte Carlo points only). */
  stderr?: number;
  /** Standard error of the variance (Monte Carlo points only). */
  varianceStderr?: number;
}

/** What the figure shows. */
export interface SweepFigure {
  /** Legend label of each drawn category, such as `k = 0 (p = 0.7)`; points refer to them by position. */
  categories: string[];
  /** Legend title (default `Category`), such as `Category (8 of 1000, most probable)`. */
  categoryTitle?: string;
  /** The exact moments on a fine temperature grid. */
  exact: SweepPoint[];
  /** The Monte Carlo estimates at the swept temperatures. */
  estimates: SweepPoint[];
  /** Draws per temperature, for the legend. */
  samples: number;
}

const GAP = 70;

/**
 * @param f - the curves, points and labels.
 * @returns a Vega specification of the two-panel figure.
 */
export function sweepSpec(f: SweepFigure): Spec {
  const label = (p: SweepPoint) => f.categories[p.k];
  const exact = f.exact.map((p) => ({ ...p, label: label(p) }));
  const est = f.estimates.map((p) => ({
    ...p,
    label: label(p),
    meanLo: p.mean - 2 * (p.stderr ?? 0),
    meanHi: p.mean + 2 * (p.stderr ?? 0),
    varianceLo: p.variance - 2 * (p.varianceStderr ?? 0),
    varianceHi: p.variance + 2 * (p.varianceStderr ?? 0),
  }));
  const ts = [...exact, ...est].map((p) => p.t);
  const tMin = Math.min(...ts);
  const tMax = Math.max(...ts);
  const mcLabel = `Monte Carlo ± 2 s.e. (N = ${formatCount(f.samples)})`;
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    background: 'white',
    padding: 12,
    autosize: 'pad',
    config: FIGURE_CONFIG,
    data: [
      { name: 'exact', values: exact },
      { name: 'estimates', values: est },
    ],
    scales: [
      { name: 'x', type: 'log', domain: [tMin / 1.3, tMax * 1.3], range: [0, PANEL_W], nice: false },
      { name: 'color', type: 'ordinal', domain: f.categories, range: OKABE_ITO },
      { name: 'shape', type: 'ordinal', domain: f.categories, range: SHAPES },
      { name: 'style', type: 'ordinal', domain: ['exact (quadrature)', mcLabel], range: ['stroke', 'circle'] },
    ],
    legends: [
      {
        stroke: 'color',
        shape: 'shape',
        title: f.categoryTitle ?? 'Category',
        orient: 'right',
        symbolStrokeWidth: 1.5,
        symbolSize: 50,
        clipHeight: 16,
        encode: { symbols: { update: { fill: { value: 'white' } } } },
      },
      {
        shape: 'style',
        orient: 'right',
        symbolStrokeWidth: 1.5,
        symbolSize: 200,
        labelOffset: 8,
        clipHeight: 16,
        // A longer dash for the line entry, so it reads as a line rather than a minus sign.
        encode: {
          symbols: {
            update: {
              stroke: { value: '#000' },
              fill: { value: 'white' },
              size: { signal: "datum.value === 'exact (quadrature)' ? 200 : 50" },
            },
          },
        },
      },
    ],
    marks: [
      panel('(a)  Mean', 'E[yₖ]', 'mean', 0, tMin, tMax),
      panel('(b)  Variance', 'Var[yₖ]', 'variance', PANEL_W + GAP, tMin, tMax),
    ],
  } as Spec;
}

/** One panel: frame, axes, exact lines, error bars and markers for `field` (`mean` or `variance`). */
function panel(
  title: string,
  yTitle: string,
  field: 'mean' | 'variance',
  x: number,
  tMin: number,
  tMax: number,
): object {
  const lo = `${field}Lo`;
  const hi = `${field}Hi`;
  return {
    type: 'group',
    encode: {
      enter: {
        x: { value: x },
        width: { value: PANEL_W },
        height: { value: PANEL_H },
        fill: { value: 'white' },
      },
    },
    scales: [
      {
        name: 'y',
        type: 'linear',
        domain: {
          fields: [
            { data: 'exact', field },
            { data: 'estimates', field: hi },
            { data: 'estimates', field: lo },
          ],
        },
        range: [PANEL_H, 0],
        zero: true,
        nice: true,
      },
    ],
    axes: [
      {
        orient: 'bottom',
        scale: 'x',
        title: 'Temperature τ (log scale)',
        values: ticks125(tMin / 1.3, tMax * 1.3),
        format: '~g',
        grid: true,
        gridScale: 'y',
        domain: false,
        zindex: 0,
      },
      { orient: 'left', scale: 'y', title: yTitle, grid: true, gridScale: 'x', domain: false, tickCount: 6, zindex: 0 },
    ],
    marks: [
      // The panel letter as a text mark, not a group title: a title is pushed up by axis labels that poke above
      // the frame, which would put the two letters at different heights.
      {
        type: 'text',
        encode: {
          enter: {
            x: { value: 0 },
            y: { value: -10 },
            text: { value: title },
            baseline: { value: 'bottom' },
            fontSize: { value: 12 },
            fontWeight: { value: 'bold' },
            fill: { value: '#000' },
          },
        },
      },
      // The frame, drawn over the grid (axes at zindex 0 come first) and under the data.
      {
        type: 'rect',
        encode: {
          enter: {
            x: { value: 0 },
            y: { value: 0 },
            width: { value: PANEL_W },
            height: { value: PANEL_H },
            stroke: { value: '#000' },
            strokeWidth: { value: 1 },
            fill: { value: 'transparent' },
          },
        },
      },
      {
        type: 'group',
        from: { facet: { name: 'curve', data: 'exact', groupby: 'label' } },
        marks: [
          {
            type: 'line',
            from: { data: 'curve' },
            sort: { field: 'datum.t' },
            encode: {
              enter: {
                x: { scale: 'x', field: 't' },
                y: { scale: 'y', field },
                stroke: { scale: 'color', field: 'label' },
                strokeWidth: { value: 1.5 },
                interpolate: { value: 'monotone' },
              },
            },
          },
        ],
      },
      {
        type: 'rule',
        from: { data: 'estimates' },
        encode: {
          enter: {
            x: { scale: 'x', field: 't' },
            y: { scale: 'y', field: lo },
            y2: { scale: 'y', field: hi },
            stroke: { scale: 'color', field: 'label' },
            strokeWidth: { value: 1.2 },
          },
        },
      },
      ...[lo, hi].map((end) => ({
        type: 'rule',
        from: { data: 'estimates' },
        encode: {
          enter: {
            x: { scale: 'x', field: 't', offset: -3 },
            x2: { scale: 'x', field: 't', offset: 3 },
            y: { scale: 'y', field: end },
            stroke: { scale: 'color', field: 'label' },
            strokeWidth: { value: 1.2 },
          },
        },
      })),
      {
        type: 'symbol',
        from: { data: 'estimates' },
        encode: {
          enter: {
            x: { scale: 'x', field: 't' },
            y: { scale: 'y', field },
            shape: { scale: 'shape', field: 'label' },
            stroke: { scale: 'color', field: 'label' },
            fill: { value: 'white' },
            strokeWidth: { value: 1.5 },
            size: { value: 42 },
          },
        },
      },
    ],
  };
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/**
 * @param n - a count.
 * @returns `10⁶`, `2.5 × 10⁶` or `50,000`.
 */
export function formatCount(n: number): string {
  if (n < 1e5) return n.toLocaleString('en-US');
  const e = Math.floor(Math.log10(n));
  const m = Number((n / 10 ** e).toPrecision(4));
  const pow = `10${String(e).replace(/\d/g, (d) => SUPERSCRIPT[Number(d)])}`;
  return m === 1 ? pow : `${m} × ${pow}`;
}

/**
 * @param spec - a Vega specification.
 * @param signal - abandons the rendering (its thread is terminated).
 * @returns the figure as an SVG document, rendered in a worker thread (`figure-worker.ts`).
 * @throws AbortError when `signal` fires.
 */
export async function renderSvg(spec: Spec, signal?: AbortSignal): Promise<string> {
  return inWorker<string>({ kind: 'svg', spec }, signal);
}

/**
 * @param svg - an SVG document.
 * @param scale - pixels per SVG unit (3 gives about 300 dpi at the SVG's natural size).
 * @param signal - abandons the rendering (its thread is terminated).
 * @returns PNG bytes, rendered and encoded in a worker thread (`figure-worker.ts`; loading the
 *   system fonts alone takes a while).
 * @throws AbortError when `signal` fires; resvg's error for an SVG it cannot render.
 */
export async function renderPng(svg: string, scale = 3, signal?: AbortSignal): Promise<Uint8Array> {
  return inWorker<Uint8Array>({ kind: 'png', svg, scale }, signal);
}

/** Runs one rendering in a thread of its own, terminated at the end or on abort. */
async function inWorker<R>(task: FigureTask, signal?: AbortSignal): Promise<R> {
  if (signal?.aborted) throw new AbortError('rendering the figure was interrupted.');
  const worker = new Worker(builtFile('src/cli/figure-worker.js'), { workerData: task });
  try {
    return await new Promise<R>((resolve, reject) => {
      const onAbort = () => reject(new AbortError('rendering the figure was interrupted.'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (f: () => void) => {
        signal?.removeEventListener('abort', onAbort);
        f();
      };
      worker.once('message', (r: R) => done(() => resolve(r)));
      worker.once('error', (err) => done(() => reject(err)));
      worker.once('exit', (code) =>
        done(() => reject(new InternalError(`the figure rendering thread exited (${code}) without a result`))),
      );
    });
  } finally {
    void worker.terminate();
  }
}
