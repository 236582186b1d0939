/**
 * What every figure of the command line shares: palette, marker shapes, font, panel size, the
 * Vega configuration of axes and legends, and log-axis ticks.
 *
 * @packageDocumentation
 */

/** Okabe & Ito (2008), "Color Universal Design": eight colours told apart with any colour vision. */
export const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
/** Marker shapes doubling the colours, so a figure reads in greyscale too. */
export const SHAPES = [
  'circle',
  'square',
  'triangle-up',
  'diamond',
  'triangle-down',
  'cross',
  'triangle-left',
  'triangle-right',
];
/** Font stack (DejaVu Sans is what a bare Linux machine has). */
export const FONT = 'Helvetica, Arial, "DejaVu Sans", sans-serif';
/** Width of one panel, in pixels. */
export const PANEL_W = 300;
/** Height of one panel, in pixels. */
export const PANEL_H = 220;

/** Vega configuration: black text and ticks, light grid, journal-sized fonts. */
export const FIGURE_CONFIG = {
  font: FONT,
  axis: {
    labelFont: FONT,
    labelFontSize: 11,
    labelColor: '#000',
    titleFont: FONT,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    titleColor: '#000',
    domainColor: '#000',
    tickColor: '#000',
    tickSize: 4,
    gridColor: '#e8e8e8',
  },
  legend: {
    labelLimit: 400,
    titleLimit: 400,
    labelFont: FONT,
    labelFontSize: 11,
    titleFont: FONT,
    titleFontSize: 11,
    titleFontWeight: 'normal',
    labelColor: '#000',
  },
  title: { font: FONT, fontSize: 12, anchor: 'start', offset: 8, color: '#000' },
};

/**
 * Tick values 1, 2, 5 per decade inside [lo, hi], so a log axis reads 0.05, 0.1, 0.2, 0.5, 1, ...
 *
 * @param lo - smallest value.
 * @param hi - largest value.
 * @returns the ticks.
 */
export function ticks125(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}
