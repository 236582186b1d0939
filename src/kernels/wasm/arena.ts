/**
 * Kernel memory owned by its user. An arena is a WebAssembly instance of the kernels with a
 * memory of its own and a bump allocator over it: whoever acquires an arena owns every byte of
 * it until it releases it, so no other kernel call (a `log_prob` inside a user objective, say,
 * between two draws) can overwrite its buffers. Released arenas are kept per thread and handed
 * out again, so steady state costs no instantiation; an arena that is never released is only
 * not reused.
 *
 * @packageDocumentation
 */
import { type KernelExports, instantiateKernels } from './load.js';
import { ZIGGURAT_DOUBLES, zigguratTables } from './ziggurat.js';
import { LOG_ZIGGURAT_DOUBLES, logZigguratTables } from './log-ziggurat.js';

const PAGE = 65536;

/** This thread's released arenas, ready to be handed out again. */
const free: Arena[] = [];

/** Byte regions of one owner in a kernels instance's memory. */
export class Arena {
  private readonly base: number;
  private top: number;
  private owned = false;

  /**
   * An arena that is this thread's for good: the ziggurat tables (Exp(1) and log Exp(1)) at the
   * bottom, the owner's regions above them. Prefer {@link Arena.acquire}, which reuses released arenas.
   *
   * @param k - the kernels whose memory this arena hands out (a new instance by default).
   */
  constructor(readonly k: KernelExports = instantiateKernels()) {
    this.top = (k.heapBase() + 15) & ~15;
    const zig = this.alloc(ZIGGURAT_DOUBLES * 8);
    this.f64(zig, ZIGGURAT_DOUBLES).set(zigguratTables());
    k.setZigguratTables(zig);
    const lzig = this.alloc(LOG_ZIGGURAT_DOUBLES * 8);
    this.f64(lzig, LOG_ZIGGURAT_DOUBLES).set(logZigguratTables());
    k.setLogZigguratTables(lzig);
    this.base = this.top;
  }

  /**
   * @returns an arena that belongs to the caller alone until {@link Arena.release}, emptied.
   */
  static acquire(): Arena {
    const a = free.pop() ?? new Arena();
    a.owned = true;
    a.reset();
    return a;
  }

  /** Gives the arena back for reuse; the caller must not touch its regions afterwards. */
  release(): void {
    if (!this.owned) return;
    this.owned = false;
    free.push(this);
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
   * the owner's last `alloc`.
   *
   * @param ptr - byte offset.
   * @param length - number of doubles.
   * @returns the view.
   */
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, ptr, length);
  }
}
