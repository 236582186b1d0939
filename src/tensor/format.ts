/**
 * Text of a tensor for messages: `tensor([0.2, 0.3, 0.5])`, long dimensions elided.
 *
 * @packageDocumentation
 */
import type { Tensor } from './tensor.js';
import { stridesOf } from './shape.js';

const EDGE = 3;
const LIMIT = 2 * EDGE + 2;

/**
 * Formats a tensor the way PyTorch prints it, with full-precision numbers and long
 * dimensions shortened to their first and last three entries.
 *
 * @param t - the tensor.
 * @returns the text.
 */
export function formatTensor(t: Tensor): string {
  if (t.shape.length === 0) return `tensor(${num(t.data[0])})`;
  const strides = stridesOf(t.shape);
  const rec = (d: number, off: number, indent: string): string => {
    const n = t.shape[d];
    const items: string[] = [];
    const push = (i: number) => {
      const o = off + i * strides[d];
      items.push(d === t.shape.length - 1 ? num(t.data[o]) : rec(d + 1, o, indent + ' '));
    };
    if (n > LIMIT) {
      for (let i = 0; i < EDGE; i++) push(i);
      items.push('...');
      for (let i = n - EDGE; i < n; i++) push(i);
    } else {
      for (let i = 0; i < n; i++) push(i);
    }
    const sep = d === t.shape.length - 1 ? ', ' : `,\n${indent} `;
    return `[${items.join(sep)}]`;
  };
  return `tensor(${rec(0, 0, '       ')})`;
}

function num(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(x);
}
