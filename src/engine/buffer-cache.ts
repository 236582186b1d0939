/**
 * Shared buffers kept between streaming jobs. A fresh SharedArrayBuffer pays a page fault per
 * 4 KiB on first touch (V8 asks for no huge pages), which on some virtual machines costs more
 * than drawing the samples that fill it: a stream of 2^26 values through a ring of three 16 MiB
 * blocks spent a quarter of its time faulting the ring in. So a finished stream hands its ring
 * back here and the next stream of the same engine takes it, already mapped.
 *
 * @packageDocumentation
 */

/** Most buffers kept at once (a sample ring is three blocks and their log-density arrays). */
const MAX_KEPT = 6;

/** A few SharedArrayBuffers for reuse, bounded in count and in bytes. */
export class SharedBufferCache {
  private kept: SharedArrayBuffer[] = [];

  /** @param maxBytes - most bytes kept in all (buffers given back beyond it are dropped). */
  constructor(private readonly maxBytes: number) {}

  /**
   * A buffer of at least `bytes` bytes and at most twice that: a kept one when there is one (its
   * contents are whatever its last user wrote), else a new one.
   *
   * @param bytes - size needed.
   * @returns the buffer, owned by the caller until {@link SharedBufferCache.give}.
   */
  take(bytes: number): SharedArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.kept.length; i++) {
      const n = this.kept[i].byteLength;
      if (n >= bytes && n <= 2 * bytes && (best < 0 || n < this.kept[best].byteLength)) best = i;
    }
    if (best < 0) return new SharedArrayBuffer(bytes);
    return this.kept.splice(best, 1)[0];
  }

  /**
   * Keeps buffers for a later {@link SharedBufferCache.take}; the oldest kept ones make room.
   *
   * @param buffers - buffers the caller no longer uses (no view of them may be written again).
   */
  give(...buffers: SharedArrayBuffer[]): void {
    for (const b of buffers) if (b.byteLength <= this.maxBytes && !this.kept.includes(b)) this.kept.push(b);
    let total = this.kept.reduce((s, b) => s + b.byteLength, 0);
    while (this.kept.length > MAX_KEPT || total > this.maxBytes)
      total -= (this.kept.shift() as SharedArrayBuffer).byteLength;
  }

  /** Bytes kept now. */
  get bytes(): number {
    return this.kept.reduce((s, b) => s + b.byteLength, 0);
  }

  /** Drops every kept buffer (the engine is closing). */
  clear(): void {
    this.kept = [];
  }
}
