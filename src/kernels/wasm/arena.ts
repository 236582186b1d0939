/**
 * A bump allocator over a WebAssembly instance's memory. Each task resets it and lays out
 * its buffers afresh, so nothing leaks between tasks; memory grows only to the largest task.
 *
 * @packageDocumentation
 */
import type { KernelExports } from './load.js';
import { ZIGGURAT_DOUBLES, zigguratTables } from './ziggurat.js';
import { LOG_ZIGGURAT_DOUBLES, logZigguratTables } from './log-ziggurat.js';

const PAGE = 65536;

/** Byte regions of one task in the kernels' memory. */
export class Arena {
  private readonly base: number;
  private top: number;

  /**
   * Places the ziggurat tables (Exp(1) and log Exp(1)) at the bottom for good; tasks get the memory above them.
   *
   * @param k - the kernels whose memory this arena hands out (above their constant tables).
   */
  constructor(readonly k: KernelExports) {
    this.top = (k.heapBase() + 15) & ~15;
    const zig = this.alloc(ZIGGURAT_DOUBLES * 8);
    this.f64(zig, ZIGGURAT_DOUBLES).set(zigguratTables());
    k.setZigguratTables(zig);
    const lzig = this.alloc(LOG_ZIGGURAT_DOUBLES * 8);
    this.f64(lzig, LOG_ZIGGURAT_DOUBLES).set(logZigguratTables());
    k.setLogZigguratTables(lzig);
    this.base = this.top;
  }

  /** Forgets every region (their contents stay until overwritten). */
  reset(): void {
    this.top = this.base;
  }

  /**
   * @param bytes - size of the region.
   * @returns the byte offset of a new 16-byte aligned region, growing memory when needed.
   */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = (p + bytes + 15) & ~15;
    const have = this.k.memory.buffer.byteLength;
    if (this.top > have) this.k.memory.grow(Math.ceil((this.top - have) / PAGE));
    return p;
  }

  /**
   * A view of `length` doubles at `ptr`. Views go stale when memory grows: take them after
   * the task's last `alloc`.
   *
   * @param ptr - byte offset.
   * @param length - number of doubles.
   * @returns the view.
   */
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, ptr, length);
  }
}
