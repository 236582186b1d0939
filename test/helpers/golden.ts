import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));

/** Reads a golden file, decoding "NaN" / "Infinity" / "-Infinity" strings into numbers. */
export function loadGolden<T = any>(name: string): T {
  const text = readFileSync(DIR + name, 'utf8');
  return JSON.parse(text, (_k, v) => {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    return v;
  }) as T;
}

/** Flattens nested arrays of numbers. */
export function flat(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  return (v as unknown[]).flatMap(flat);
}
