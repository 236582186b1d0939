/**
 * Grad mode: `torch.no_grad`, `torch.enable_grad`, `torch.is_grad_enabled`,
 * `torch.set_grad_enabled`.
 *
 * @packageDocumentation
 */
import { gradState } from '../tensor/tensor.js';
import { Rule, TypeError } from '../errors.js';

/** @returns whether operations are recorded for `backward()` (true unless inside `no_grad`). */
export function is_grad_enabled(): boolean {
  return gradState.enabled;
}

/**
 * Turns recording on or off globally (prefer {@link no_grad}, which restores the mode).
 *
 * @param mode - true to record.
 */
export function set_grad_enabled(mode: boolean): void {
  if (typeof mode !== 'boolean')
    throw new TypeError(`mode must be a boolean, but got ${typeof mode}.`, { argument: 'mode', rule: Rule.boolean });
  gradState.enabled = mode;
}

/**
 * Runs `fn` with recording off and restores the previous mode, even if `fn` throws.
 *
 * @param fn - a synchronous function (an async one is refused: the mode could not be restored
 *   around the code after its first `await`).
 * @returns what `fn` returns.
 * @throws TypeError when `fn` is not a function, is async, or returns a Promise.
 *
 * @example
 * ```ts
 * import { torch } from 'relaxed-mc';
 * const w = torch.ones([2], { requires_grad: true });
 * const y = torch.no_grad(() => w.mul(2));
 * console.log(y.requires_grad); // false
 * ```
 */
export function no_grad<T>(fn: () => T): T {
  return withMode(false, fn, 'no_grad');
}

/**
 * Runs `fn` with recording on (inside a `no_grad` block, for instance) and restores the mode.
 *
 * @param fn - a synchronous function.
 * @returns what `fn` returns.
 */
export function enable_grad<T>(fn: () => T): T {
  return withMode(true, fn, 'enable_grad');
}

function withMode<T>(mode: boolean, fn: () => T, name: string): T {
  if (typeof fn !== 'function')
    throw new TypeError(`${name}: fn must be a function, but got ${typeof fn}.`, {
      argument: 'fn',
      rule: Rule.function,
    });
  if (fn.constructor?.name === 'AsyncFunction') {
    throw new TypeError(`${name}: fn must be synchronous; grad mode cannot be restored around awaited code.`, {
      argument: 'fn',
      rule: Rule.synchronous,
    });
  }
  const prev = gradState.enabled;
  gradState.enabled = mode;
  let out: T;
  try {
    out = fn();
  } finally {
    gradState.enabled = prev;
  }
  if (out !== null && typeof out === 'object' && typeof (out as { then?: unknown }).then === 'function') {
    throw new TypeError(
      `${name}: fn returned a Promise; it must be synchronous (grad mode cannot be restored around awaited code).`,
      { argument: 'fn', rule: Rule.synchronous },
    );
  }
  return out;
}
