/**
 * Renders one figure in a worker thread (see `renderSvg` and `renderPng` in `plot.ts`): Vega's
 * parsing, dataflow and SVG serialisation, and resvg's rasterisation and PNG encoding, are
 * synchronous, and for a figure of ten panels or a raster of millions of pixels each holds a
 * thread for hundreds of milliseconds, which on the main thread would delay its signals and
 * progress.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Spec } from 'vega';

/** What to render: a Vega specification to SVG, or an SVG document to PNG. */
export type FigureTask = { kind: 'svg'; spec: Spec } | { kind: 'png'; svg: string; scale: number };

const task = workerData as FigureTask;
if (task.kind === 'svg') {
  const vega = await import('vega');
  const view = new vega.View(vega.parse(task.spec), { renderer: 'none' });
  try {
    parentPort?.postMessage(await view.toSVG());
  } finally {
    view.finalize();
  }
} else {
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(task.svg, {
    fitTo: { mode: 'zoom', value: task.scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  parentPort?.postMessage(new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
}
