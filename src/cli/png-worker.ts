/**
 * Rasterises one SVG document to PNG in a worker thread (see `renderPng` in `plot.ts`): resvg
 * renders and, above all, encodes the PNG synchronously (a figure of a few million pixels takes
 * hundreds of milliseconds to compress), which would hold the main thread and its signals.
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Resvg } from '@resvg/resvg-js';

const { svg, scale } = workerData as { svg: string; scale: number };
const image = new Resvg(svg, {
  fitTo: { mode: 'zoom', value: scale },
  background: 'white',
  font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
}).render();
const png = image.asPng();
parentPort?.postMessage(new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
