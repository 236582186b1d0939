/**
 * A set of chunk indices kept as sorted, disjoint, non-adjacent half-open ranges: the completed
 * chunks of a job, which arrive in any order but soon coalesce into a few ranges.
 *
 * @packageDocumentation
 */
import { bug } from '../errors.js';

/** Sorted disjoint ranges `[start, end)`. */
export class RangeSet {
  private ranges: [number, number][] = [];

  /** @param ranges - initial ranges (validated: sorted, disjoint, non-empty). */
  constructor(ranges: readonly (readonly [number, number])[] = []) {
    for (const [a, b] of ranges) this.addRange(a, b);
  }

  /** Number of indices in the set. */
  get size(): number {
    let n = 0;
    for (const [a, b] of this.ranges) n += b - a;
    return n;
  }

  /** @returns a copy of the ranges. */
  toArray(): [number, number][] {
    return this.ranges.map(([a, b]) => [a, b]);
  }

  /** @param i - an index. @returns whether it is in the set. */
  has(i: number): boolean {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid][1] <= i) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.ranges.length && this.ranges[lo][0] <= i;
  }

  /** @param i - an index to add. */
  add(i: number): void {
    this.addRange(i, i + 1);
  }

  /**
   * @param a - first index.
   * @param b - one past the last.
   */
  addRange(a: number, b: number): void {
    if (!(Number.isSafeInteger(a) && Number.isSafeInteger(b) && a >= 0 && b > a)) {
      // Ranges come from the scheduler or from a state file its schema has checked.
      bug(`range [${a}, ${b}) is not a non-empty range of non-negative integers`);
    }
    const out: [number, number][] = [];
    let placed = false;
    for (const [x, y] of this.ranges) {
      if (y < a) out.push([x, y]);
      else if (b < x) {
        if (!placed) {
          out.push([a, b]);
          placed = true;
        }
        out.push([x, y]);
      } else {
        a = Math.min(a, x);
        b = Math.max(b, y);
      }
    }
    if (!placed) out.push([a, b]);
    out.sort((p, q) => p[0] - q[0]);
    this.ranges = out;
  }

  /**
   * @param other - another set.
   * @returns whether the two sets share an index.
   */
  intersects(other: RangeSet): boolean {
    let i = 0;
    let j = 0;
    while (i < this.ranges.length && j < other.ranges.length) {
      const [a, b] = this.ranges[i];
      const [c, d] = other.ranges[j];
      if (a < d && c < b) return true;
      if (b <= d) i++;
      else j++;
    }
    return false;
  }

  /**
   * The ranges of `[start, end)` not in the set: O(ranges) time and memory, whatever the
   * number of indices (a job of 2^53 - 1 draws has about 2^37 chunks).
   *
   * @param start - first index.
   * @param end - one past the last.
   * @returns sorted disjoint ranges `[a, b)`.
   */
  missingRanges(start: number, end: number): [number, number][] {
    const out: [number, number][] = [];
    let c = start;
    for (const [a, b] of this.ranges) {
      if (b <= c) continue;
      if (a >= end) break;
      if (a > c) out.push([c, a]);
      c = Math.max(c, b);
    }
    if (c < end) out.push([c, end]);
    return out;
  }

  /**
   * The indices of `[start, end)` not in the set, in ascending order (for small sets: see
   * {@link RangeSet.missingRanges}).
   *
   * @param start - first index.
   * @param end - one past the last.
   * @returns the missing indices.
   */
  missing(start: number, end: number): number[] {
    const out: number[] = [];
    let c = start;
    for (const [a, b] of this.ranges) {
      if (b <= c) continue;
      if (a >= end) break;
      for (; c < Math.min(a, end); c++) out.push(c);
      c = Math.max(c, b);
    }
    for (; c < end; c++) out.push(c);
    return out;
  }
}
