/**
 * A result field computed when first read: for parts of a result that cost real time on the
 * main thread (a large job's saved state) and that most callers never look at.
 *
 * @packageDocumentation
 */

/**
 * Defines `target[key]` as an enumerable property whose value is computed on first read and kept
 * (so `JSON.stringify`, spreading and equality see an ordinary field).
 *
 * @param target - the object.
 * @param key - the field.
 * @param compute - gives the value, once.
 */
export function defineLazyField<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get(): T[K] {
      const value = compute();
      Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
    set(value: T[K]): void {
      Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
    },
  });
}
