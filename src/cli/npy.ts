/**
 * NumPy's `.npy` format for float64 arrays in C order: what `np.save` writes and `np.load`
 * reads.
 *
 * ```text
 * "\x93NUMPY" | major | minor | header length (uint16 LE in 1.0, uint32 LE in 2.0/3.0)
 * | header: "{'descr': '<f8', 'fortran_order': False, 'shape': (N, K), }" padded with spaces
 *   and a final "\n" so that the data starts at a multiple of 64 bytes
 * | data: N*K little-endian float64, row-major
 * ```
 *
 * The writer uses version 1.0 unless the header is longer than 65535 bytes. The reader takes
 * versions 1.0, 2.0 and 3.0 and refuses anything but `'<f8'`, C order and a complete file.
 *
 * Reference: numpy/lib/format.py (NEP 1, "A simple file format for NumPy arrays").
 *
 * @packageDocumentation
 */
import { endianness } from 'node:os';
import { UsageError } from './errors.js';
import { RangeError, Rule } from '../index.js';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ALIGN = 64;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** A float64 array read from a file. */
export interface NpyArray {
  /** The shape, `[]` for a scalar. */
  shape: number[];
  /** The values in C order. */
  data: Float64Array;
}

/**
 * Builds the bytes that come before the data.
 *
 * @param shape - the array's shape.
 * @returns magic, version, header length and header, padded so the data is 64-byte aligned.
 */
export function npyHeader(shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${dims}, }`;
  for (const [major, lenBytes] of [
    [1, 2],
    [2, 4],
  ] as const) {
    const pre = MAGIC.length + 2 + lenBytes;
    const total = Math.ceil((pre + dict.length + 1) / ALIGN) * ALIGN;
    const headerLen = total - pre;
    if (lenBytes === 2 && headerLen > 0xffff) continue;
    const out = Buffer.alloc(total, 0x20);
    MAGIC.copy(out, 0);
    out[6] = major;
    out[7] = 0;
    if (lenBytes === 2) out.writeUInt16LE(headerLen, 8);
    else out.writeUInt32LE(headerLen, 8);
    out.write(dict, pre, 'latin1');
    out[total - 1] = 0x0a;
    return out;
  }
  throw new RangeError(`npy: a shape of ${shape.length} dimensions does not fit a header.`, {
    argument: 'shape',
    rule: Rule.sizeLimit,
  });
}

/**
 * @param data - the values in C order.
 * @returns the same values as little-endian bytes (a view when the host is little-endian).
 */
export function npyData(data: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = Buffer.alloc(data.byteLength);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i], true);
  return out;
}

/**
 * Parses a whole `.npy` file.
 *
 * @param bytes - the file's contents.
 * @param name - the file name, for messages.
 * @returns the shape and the values (over a SharedArrayBuffer, ready for the engine).
 * @throws UsageError naming the file when it is not a float64 C-order `.npy` or is truncated.
 *
 * @example
 * ```ts
 * const a = parseNpy(readFileSync('z.npy'), 'z.npy');
 * console.log(a.shape); // [ 1000, 3 ]
 * ```
 */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (rule: string) =>
    new UsageError(`${name}: not a readable .npy file: ${rule}.`, { argument: name, rule: Rule.npyFormat });
  const { shape, dataStart: start } = parseNpyHeader(buf, name);
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * 8;
  const have = buf.length - start;
  if (have < need)
    throw bad(`the file is truncated: shape [${shape.join(', ')}] needs ${need} bytes of data but it has ${have}`);
  if (have > need) throw bad(`the file has ${have - need} bytes after the data of shape [${shape.join(', ')}]`);
  const data = new Float64Array(new SharedArrayBuffer(need));
  if (LITTLE_ENDIAN_HOST) new Uint8Array(data.buffer).set(buf.subarray(start, start + need));
  else {
    const view = new DataView(buf.buffer, buf.byteOffset + start, need);
    for (let i = 0; i < count; i++) data[i] = view.getFloat64(i * 8, true);
  }
  return { shape, data };
}

/**
 * Parses the header of a `.npy` file (for reading the data in blocks).
 *
 * @param buf - the file's first bytes (at least the whole header).
 * @param name - the file name, for messages.
 * @returns the shape and the byte offset where the data starts.
 * @throws UsageError naming the file when it is not a float64 C-order `.npy`.
 */
export function parseNpyHeader(buf: Buffer, name: string): { shape: number[]; dataStart: number } {
  const bad = (rule: string) =>
    new UsageError(`${name}: not a readable .npy file: ${rule}.`, { argument: name, rule: Rule.npyFormat });
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC))
    throw bad('it does not start with the NumPy magic string \\x93NUMPY');
  const major = buf[6];
  if (major !== 1 && major !== 2 && major !== 3) throw bad(`format version ${major}.${buf[7]} is not 1.0, 2.0 or 3.0`);
  const pre = major === 1 ? 10 : 12;
  if (buf.length < pre) throw bad('the file is truncated inside the header');
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  if (buf.length < pre + headerLen)
    throw bad(`the file is truncated: the header says ${headerLen} bytes but the file ends first`);
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', pre, pre + headerLen);
  const { descr, fortran, shape } = parseHeader(header, bad);
  if (descr !== '<f8') {
    throw bad(
      `the data type is '${descr}', but only float64 little-endian ('<f8') is read; convert with a.astype('<f8')`,
    );
  }
  if (fortran) throw bad('the array is in Fortran order; save a C-order array (np.ascontiguousarray(a))');
  return { shape, dataStart: pre + headerLen };
}

/**
 * @param bytes - little-endian float64 bytes (a whole number of values).
 * @param out - where the values go.
 */
export function npyDecode(bytes: Uint8Array, out: Float64Array): void {
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer, out.byteOffset, bytes.byteLength).set(bytes);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.byteLength / 8; i++) out[i] = view.getFloat64(i * 8, true);
}

function parseHeader(
  header: string,
  bad: (rule: string) => UsageError,
): { descr: string; fortran: boolean; shape: number[] } {
  const h = header.trim();
  if (!h.startsWith('{') || !h.endsWith('}')) throw bad('the header is not a Python dict literal');
  const keys = [...h.matchAll(/'([^']*)'\s*:/g)].map((m) => m[1]).sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    throw bad(
      `the header must have exactly the keys 'descr', 'fortran_order' and 'shape', but has ${keys.map((k) => `'${k}'`).join(', ')}`,
    );
  }
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(h);
  if (descr === null) throw bad("the header's 'descr' is not a simple type string such as '<f8'");
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(h);
  if (fortran === null) throw bad("the header's 'fortran_order' is not True or False");
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(h);
  if (shape === null) throw bad("the header's 'shape' is not a tuple");
  const inner = shape[1].trim();
  const dims =
    inner === ''
      ? []
      : inner
          .replace(/,\s*$/, '')
          .split(',')
          .map((s) => s.trim().replace(/L$/, ''));
  if (!dims.every((d) => /^\d+$/.test(d)))
    throw bad(`the header's shape (${shape[1]}) is not a tuple of non-negative integers`);
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: dims.map(Number) };
}
