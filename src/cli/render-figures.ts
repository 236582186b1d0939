/**
 * The figure phase of `sweep` and `gradients`: the Vega scene as SVG, then each PNG, each
 * rendered in a thread of its own, with progress (counted in renderings: the scene, then one per PNG
 * file) once the phase has taken a second, and Ctrl-C.
 *
 * @packageDocumentation
 */
import { extname } from 'node:path';
import type { Spec } from 'vega';
import type { Context } from './command.js';
import { renderPng, renderSvg } from './plot.js';
import { afterDelay } from './progress.js';

/**
 * @param spec - the figure.
 * @param paths - the `--plot` files, `.svg` or `.png`.
 * @param ctx - signal and progress.
 * @param label - the command, for the progress label.
 * @param quiet - no progress.
 * @returns each path with its contents, in order; nothing is written here.
 * @throws AbortError when the signal fires.
 */
export async function renderFigures(
  spec: Spec,
  paths: readonly string[],
  ctx: Context,
  label: string,
  quiet?: boolean,
): Promise<[string, string | Uint8Array][]> {
  const isPng = (p: string) => extname(p).toLowerCase() === '.png';
  const total = 1 + paths.filter(isPng).length;
  const bar = afterDelay(ctx.progress(`${label} (plot)`, 'renderings', quiet ?? false));
  const t0 = performance.now();
  let done = 0;
  const report = () => {
    const secs = (performance.now() - t0) / 1000;
    bar.update({ done, total, samplesPerSecond: secs > 0 ? done / secs : 0 });
  };
  // A rendering can take seconds on a loaded machine: the display is refreshed meanwhile.
  const ticker = setInterval(report, 1000);
  try {
    const svg = await renderSvg(spec, ctx.signal);
    done++;
    report();
    const out: [string, string | Uint8Array][] = [];
    for (const p of paths) {
      if (!isPng(p)) {
        out.push([p, svg]);
        continue;
      }
      out.push([p, await renderPng(svg, undefined, ctx.signal)]);
      done++;
      report();
    }
    return out;
  } finally {
    clearInterval(ticker);
    bar.stop();
  }
}
