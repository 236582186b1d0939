/**
 * The figure of `relaxed-mc gradients`: two panels against temperature (log axis), one line
 * per estimator, Monte Carlo estimates as markers with +-2 standard-error bars:
 * (a) the total variance `sum_k Var[g_k]` of one estimate, on a log axis (variances of the
 * estimators differ by orders of magnitude, and their ratios are what matters);
 * (b) the bias norm `|E[g] - exact discrete gradient|`, on a linear axis from 0;
 * (c) below them, one small panel per drawn category k: the variance `Var[g_k]` of that
 * component, on a log axis shared by the small panels. The categories drawn are chosen as for
 * the sweep figure (`plot-categories.ts`: `--categories`, `--top`, by default all up to K = 8
 * and the 8 most probable beyond), three panels to a row, so the figure's size depends on the
 * number drawn (at most 8), never on K.
 *
 * Why a linear axis for the bias: an unbiased estimator's bias norm is noise of the size of its
 * standard error, nonnegative by construction. On a log axis that noise would fill decades
 * below the real biases and look like signal; on a linear axis from 0 it sits at 0, its error
 * bar reaching just above, while the biased estimators rise clearly away from it. Lower error
 * bars are cut at 0 (a norm is not negative). For built-in objectives the exact bias of
 * gumbel-softmax, `|exact relaxed - exact discrete gradient|`, is drawn as a dashed line.
 *
 * The style is that of the sweep figure (`plot.ts`): a white background, framed panels, the
 * Okabe-Ito palette doubled by marker shapes, panel letters, axis titles with the quantity.
 * Markers of different estimators at one temperature are shifted sideways by a few pixels so
 * that their error bars do not hide one another.
 *
 * @packageDocumentation
 */
import type { Spec } from 'vega';
import { FIGURE_CONFIG, OKABE_ITO, PANEL_H, PANEL_W, SHAPES, ticks125 } from './plot-style.js';
import { formatCount } from './plot.js';

/** One estimator at one temperature. */
export interface GradientPoint {
  /** Temperature. */
  t: number;
  /** Estimator name. */
  estimator: string;
  /** Total variance of a single-sample estimate. */
  variance: number;
  /** Its standard error. */
  varianceStderr: number;
  /** Norm of the bias against the exact discrete gradient. */
  biasNorm: number;
  /** Its standard error. */
  biasNormStderr: number;
}

/** One drawn category's component of the gradient. */
export interface CategoryPanel {
  /** Its title, such as `k = 3  (p = 0.12)`. */
  title: string;
  /** `Var[g_k]` per (estimator, temperature); `biasNorm` fields unused (0). */
  points: GradientPoint[];
}

/** What the figure shows. */
export interface GradientsFigure {
  /** The estimators, in legend order. */
  estimators: string[];
  /** One point per (estimator, temperature). */
  points: GradientPoint[];
  /** The exact bias norm of gumbel-softmax per temperature (built-in objectives), else null. */
  relaxedBias: { t: number; bias: number }[] | null;
  /** Estimates per estimator and temperature, for the legend. */
  samples: number;
  /** The drawn categories' panels (none: the two panels only). */
  categories?: CategoryPanel[];
  /** Their heading, such as `Per category (8 of 1000, most probable)`. */
  categoryTitle?: string;
}

/** As in `plot.ts`: Okabe & Ito (2008), eight colours told apart with any colour vision. */
const GAP = 80;
/** Pixels between the markers of neighbouring estimators at one temperature. */
const DODGE = 3;
const EXACT_LABEL = 'exact bias of gumbel-softmax';
/** Small panels per row, and their size (three span the width of the two large ones). */
const PER_ROW = 3;
const SMALL_GAP = 70;
const SMALL_W = Math.floor((2 * PANEL_W + GAP - (PER_ROW - 1) * SMALL_GAP) / PER_ROW);
const SMALL_H = 130;
/** From the bottom of a row of panels to the top of the next (axis labels and a title between). */
const ROW_GAP = 95;

/**
 * @param f - the points and labels.
 * @returns a Vega specification of the two-panel figure.
 */
export function gradientsSpec(f: GradientsFigure): Spec {
  const n = f.estimators.length;
  const ts = f.points.map((p) => p.t);
  const tMin = Math.min(...ts);
  const tMax = Math.max(...ts);
  const xDomain = [tMin / 1.4, tMax * 1.4];
  // A narrow sweep may hold no 1-2-5 tick: then label the temperatures themselves.
  const tick125 = ticks125(xDomain[0], xDomain[1]);
  const xTicks = tick125.length >= 2 ? tick125 : [...new Set(ts)].sort((a, b) => a - b);
  // Panel (a) has a log axis: only positive, finite variances can be drawn, and lower error bars
  // that reach 0 or below are cut at the bottom of the axis.
  const drawable = f.points.filter((p) => p.variance > 0 && Number.isFinite(p.variance));
  const vLo = Math.min(
    ...drawable.map((p) => (p.variance - 2 * p.varianceStderr > 0 ? p.variance - 2 * p.varianceStderr : p.variance)),
  );
  const vHi = Math.max(
    ...drawable.map((p) => p.variance + 2 * (Number.isFinite(p.varianceStderr) ? p.varianceStderr : 0)),
  );
  const yDomain = drawable.length > 0 ? decades(vLo, vHi) : [0.1, 1];
  const withBars = (ps: GradientPoint[], floor: number) =>
    ps.map((p) => {
      const i = f.estimators.indexOf(p.estimator);
      const se = (x: number) => (Number.isFinite(x) ? x : 0);
      return {
        ...p,
        dx: (i - (n - 1) / 2) * DODGE,
        varianceLo: Math.max(floor, p.variance - 2 * se(p.varianceStderr)),
        varianceHi: p.variance + 2 * se(p.varianceStderr),
        biasLo: Math.max(0, p.biasNorm - 2 * se(p.biasNormStderr)),
        biasHi: p.biasNorm + 2 * se(p.biasNormStderr),
      };
    });
  const points = withBars(f.points, yDomain[0]);
  const cats = f.categories ?? [];
  const catDrawable = cats.flatMap((c) => c.points).filter((p) => p.variance > 0 && Number.isFinite(p.variance));
  const cDomain =
    catDrawable.length > 0
      ? decades(
          Math.min(
            ...catDrawable.map((p) =>
              p.variance - 2 * p.varianceStderr > 0 ? p.variance - 2 * p.varianceStderr : p.variance,
            ),
          ),
          Math.max(
            ...catDrawable.map((p) => p.variance + 2 * (Number.isFinite(p.varianceStderr) ? p.varianceStderr : 0)),
          ),
        )
      : [0.1, 1];
  const catData = cats.flatMap((c, j) => [
    { name: `cat${j}`, values: withBars(c.points, cDomain[0]) },
    {
      name: `cat${j}drawable`,
      source: `cat${j}`,
      transform: [{ type: 'filter', expr: 'datum.variance > 0 && isFinite(datum.variance)' }],
    },
  ]);
  const rowTop = (j: number) => PANEL_H + ROW_GAP + Math.floor(j / PER_ROW) * (SMALL_H + ROW_GAP);
  const catPanels = cats.map((c, j) =>
    panel({
      x: (j % PER_ROW) * (SMALL_W + SMALL_GAP),
      y: rowTop(j),
      w: SMALL_W,
      h: SMALL_H,
      xScale: 'xs',
      title: `${j === 0 ? '(c)  ' : ''}${c.title}`,
      yTitle: j % PER_ROW === 0 ? 'Var[ĝₖ]  (log scale)' : '',
      data: `cat${j}drawable`,
      field: 'variance',
      scale: { type: 'log', domain: cDomain, nice: false },
      yTicks: logTicks(cDomain[0], cDomain[1]).filter((_, i, a) => a.length <= 4 || i % 2 === 0),
      xTicks,
      exact: false,
    }),
  );
  const mcLabel = `Monte Carlo ± 2 s.e. (N = ${formatCount(f.samples)} per estimator)`;
  const styles = [...(f.relaxedBias ? [EXACT_LABEL] : []), mcLabel];
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    background: 'white',
    padding: 12,
    autosize: 'pad',
    config: FIGURE_CONFIG,
    data: [
      { name: 'points', values: points },
      {
        name: 'drawable',
        source: 'points',
        transform: [{ type: 'filter', expr: 'datum.variance > 0 && isFinite(datum.variance)' }],
      },
      { name: 'exact', values: f.relaxedBias ?? [] },
      ...catData,
    ],
    scales: [
      { name: 'x', type: 'log', domain: xDomain, range: [0, PANEL_W], nice: false },
      { name: 'xs', type: 'log', domain: xDomain, range: [0, SMALL_W], nice: false },
      { name: 'color', type: 'ordinal', domain: f.estimators, range: OKABE_ITO },
      { name: 'shape', type: 'ordinal', domain: f.estimators, range: SHAPES },
      {
        name: 'style',
        type: 'ordinal',
        domain: styles,
        range: styles.map((s) => (s === EXACT_LABEL ? 'stroke' : 'circle')),
      },
    ],
    legends: [
      {
        stroke: 'color',
        shape: 'shape',
        title: 'Estimator',
        orient: 'right',
        symbolStrokeWidth: 1.5,
        symbolSize: 50,
        clipHeight: 16,
        encode: { symbols: { update: { fill: { value: 'white' } } } },
      },
      {
        shape: 'style',
        orient: 'right',
        // Vega measures text without a canvas by a generous estimate: leave room for the long label.
        labelLimit: 600,
        symbolStrokeWidth: 1.5,
        symbolSize: 50,
        labelOffset: 8,
        clipHeight: 16,
        encode: {
          symbols: {
            update: {
              stroke: { value: '#000' },
              fill: { value: 'white' },
              size: { signal: `datum.value === '${EXACT_LABEL}' ? 200 : 50` },
              strokeDash: { signal: `datum.value === '${EXACT_LABEL}' ? [4, 3] : []` },
            },
          },
        },
      },
    ],
    marks: [
      panel({
        x: 0,
        y: 0,
        w: PANEL_W,
        h: PANEL_H,
        xScale: 'x',
        title: '(a)  Variance',
        yTitle: 'Σₖ Var[ĝₖ]  (log scale)',
        data: 'drawable',
        field: 'variance',
        scale: { type: 'log', domain: yDomain, nice: false },
        yTicks: logTicks(yDomain[0], yDomain[1]),
        xTicks,
        exact: false,
      }),
      panel({
        x: PANEL_W + GAP,
        y: 0,
        w: PANEL_W,
        h: PANEL_H,
        xScale: 'x',
        title: '(b)  Bias',
        yTitle: '‖E[ĝ] − ∇E f(b)‖',
        data: 'points',
        field: 'biasNorm',
        scale: {
          type: 'linear',
          domain: {
            fields: [
              { data: 'points', field: 'biasHi' },
              { data: 'exact', field: 'bias' },
            ],
          },
          zero: true,
          nice: true,
        },
        yTicks: null,
        xTicks,
        exact: f.relaxedBias !== null,
      }),
      ...(cats.length > 0 && f.categoryTitle !== undefined
        ? [
            {
              type: 'text',
              encode: {
                enter: {
                  x: { value: 0 },
                  y: { value: rowTop(0) - 32 },
                  text: { value: f.categoryTitle },
                  baseline: { value: 'bottom' },
                  fontSize: { value: 12 },
                  fontWeight: { value: 'bold' },
                  fill: { value: '#000' },
                },
              },
            },
          ]
        : []),
      ...catPanels,
    ],
  } as Spec;
}

interface PanelOptions {
  x: number;
  y: number;
  w: number;
  h: number;
  /** The temperature scale of that width. */
  xScale: string;
  title: string;
  yTitle: string;
  /** The data set of the markers. */
  data: string;
  /** `variance` or `biasNorm`; `${prefix}Lo` / `${prefix}Hi` are the error bar ends. */
  field: 'variance' | 'biasNorm';
  scale: object;
  yTicks: number[] | null;
  xTicks: number[];
  /** Draw the exact gumbel-softmax bias. */
  exact: boolean;
}

/** One panel: frame, axes, a line per estimator, error bars and markers. */
function panel(o: PanelOptions): object {
  const prefix = o.field === 'variance' ? 'variance' : 'bias';
  const lo = `${prefix}Lo`;
  const hi = `${prefix}Hi`;
  const xOf = (offset?: number) => ({
    scale: o.xScale,
    field: 't',
    offset: offset === undefined ? { field: 'dx' } : { field: 'dx', offset },
  });
  return {
    type: 'group',
    encode: {
      enter: {
        x: { value: o.x },
        y: { value: o.y },
        width: { value: o.w },
        height: { value: o.h },
        fill: { value: 'white' },
      },
    },
    scales: [{ name: 'y', range: [o.h, 0], ...o.scale }],
    axes: [
      {
        orient: 'bottom',
        scale: o.xScale,
        title: 'Temperature τ (log scale)',
        values: o.xTicks,
        format: '~g',
        grid: true,
        gridScale: 'y',
        domain: false,
        zindex: 0,
      },
      {
        orient: 'left',
        scale: 'y',
        title: o.yTitle,
        grid: true,
        gridScale: o.xScale,
        domain: false,
        zindex: 0,
        ...(o.yTicks ? { values: o.yTicks, format: '~g' } : { tickCount: 6 }),
      },
    ],
    marks: [
      // Panel letter as a text mark (see plot.ts: a group title would move with the axis labels).
      {
        type: 'text',
        encode: {
          enter: {
            x: { value: 0 },
            y: { value: -10 },
            text: { value: o.title },
            baseline: { value: 'bottom' },
            fontSize: { value: 12 },
            fontWeight: { value: 'bold' },
            fill: { value: '#000' },
          },
        },
      },
      {
        type: 'rect',
        encode: {
          enter: {
            x: { value: 0 },
            y: { value: 0 },
            width: { value: o.w },
            height: { value: o.h },
            stroke: { value: '#000' },
            strokeWidth: { value: 1 },
            fill: { value: 'transparent' },
          },
        },
      },
      ...(o.exact
        ? [
            {
              type: 'line',
              from: { data: 'exact' },
              sort: { field: 'datum.t' },
              encode: {
                enter: {
                  x: { scale: 'x', field: 't' },
                  y: { scale: 'y', field: 'bias' },
                  stroke: { value: '#000' },
                  strokeWidth: { value: 1.2 },
                  strokeDash: { value: [4, 3] },
                },
              },
            },
          ]
        : []),
      {
        type: 'group',
        from: { facet: { name: 'series', data: o.data, groupby: 'estimator' } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            sort: { field: 'datum.t' },
            encode: {
              enter: {
                x: xOf(),
                y: { scale: 'y', field: o.field },
                stroke: { scale: 'color', field: 'estimator' },
                strokeWidth: { value: 1.2 },
                strokeOpacity: { value: 0.8 },
              },
            },
          },
        ],
      },
      {
        type: 'rule',
        from: { data: o.data },
        encode: {
          enter: {
            x: xOf(),
            y: { scale: 'y', field: lo },
            y2: { scale: 'y', field: hi },
            stroke: { scale: 'color', field: 'estimator' },
            strokeWidth: { value: 1.2 },
          },
        },
      },
      ...[lo, hi].map((end) => ({
        type: 'rule',
        from: { data: o.data },
        encode: {
          enter: {
            x: xOf(-2.5),
            x2: xOf(2.5),
            y: { scale: 'y', field: end },
            stroke: { scale: 'color', field: 'estimator' },
            strokeWidth: { value: 1.2 },
          },
        },
      })),
      {
        type: 'symbol',
        from: { data: o.data },
        encode: {
          enter: {
            x: xOf(),
            y: { scale: 'y', field: o.field },
            shape: { scale: 'shape', field: 'estimator' },
            stroke: { scale: 'color', field: 'estimator' },
            fill: { value: 'white' },
            strokeWidth: { value: 1.5 },
            size: { value: 36 },
          },
        },
      },
    ],
  };
}

/** Whole decades around [lo, hi], so the log axis starts and ends on a labelled power of 10. */
function decades(lo: number, hi: number): [number, number] {
  const a = 10 ** Math.floor(Math.log10(lo));
  let b = 10 ** Math.ceil(Math.log10(hi));
  if (b <= a) b = a * 10;
  return [a, b];
}

/** Powers of 10 in [lo, hi], with 2 and 5 between them when the axis spans two decades or less. */
function logTicks(lo: number, hi: number): number[] {
  const span = Math.log10(hi / lo);
  const mantissas = span <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}
