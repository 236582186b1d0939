/**
 * The block loop every draw of the engine goes through: a chunk's moments and samples in the
 * workers, and the moments pilot on the coordinator. Rows are drawn `rowsPerBlock` at a time
 * (a block stays in cache), row r belonging to batch element `r % B`, so the same stream and
 * the same row range give the same values whoever runs the loop.
 *
 * @packageDocumentation
 */
import type { WasmDraws } from '../kernels/wasm/kernels.js';
import { kStopFlag } from './layout.js';

/**
 * What each block draws: simplex rows, log-simplex rows, or simplex rows added to the power
 * sums; with `+log-prob`, also each row's fused log-density (the draws must have
 * `enableLogProb` called).
 */
export type DrawMode = 'simplex' | 'log-simplex' | 'moments' | 'simplex+log-prob' | 'log-simplex+log-prob';

/**
 * Called once per block (never per row), with the block's rows at stride `Kp`.
 *
 * @param y - the block's rows (a view valid until the next block).
 * @param n - rows in the block.
 * @param rowStart - index of the block's first row.
 * @param logProb - the rows' fused log-densities, in the `+log-prob` modes.
 */
export type BlockVisitor = (y: Float64Array, n: number, rowStart: number, logProb?: Float64Array) => void;

/**
 * Draws rows `[rowStart, rowStart + rows)` from `draws`' current stream, block by block.
 *
 * @param draws - the draws, their stream already started.
 * @param rowStart - index of the first row (it fixes the batch element of each row).
 * @param rows - rows to draw.
 * @param mode - what to draw.
 * @param control - the job's control flags, looked at before each block; null never stops.
 * @param visit - called after each block, or null.
 * @returns false when the stop flag ended the loop early, else true.
 */
export function drawRowBlocks(
  draws: WasmDraws,
  rowStart: number,
  rows: number,
  mode: DrawMode,
  control: Int32Array | null,
  visit: BlockVisitor | null,
): boolean {
  const B = draws.B;
  let row = rowStart;
  for (let done = 0; done < rows;) {
    if (control !== null && Atomics.load(control, kStopFlag) !== 0) return false;
    const n = Math.min(draws.rowsPerBlock, rows - done);
    if (mode === 'simplex+log-prob' || mode === 'log-simplex+log-prob') {
      const r = draws.drawWithLogProb(n, row % B, mode === 'log-simplex+log-prob');
      if (visit !== null) visit(r.y, n, row, r.logProb);
    } else {
      // Moments rows are kept (normalised) only for a visitor that reads them.
      const y =
        mode === 'moments'
          ? draws.drawMoments(n, row % B, visit !== null)
          : draws.draw(n, row % B, mode === 'log-simplex');
      if (visit !== null && y !== null) visit(y, n, row);
    }
    done += n;
    row += n;
  }
  return true;
}
