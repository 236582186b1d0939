/**
 * The .npy reader and writer: headers as NumPy writes them (checked against bytes from
 * numpy 2.x `np.save`), round trips, and refusals that name the file.
 */
import { describe, expect, it } from 'vitest';
import { npyData, npyHeader, parseNpy } from '../../src/cli/npy.js';

const save = (shape: number[], values: number[]) =>
  Buffer.concat([npyHeader(shape), npyData(Float64Array.from(values))]);

describe('npy', () => {
  it('writes the header np.save writes (version 1.0, 64-byte aligned, shape tuple spelling)', () => {
    // Bytes of np.save(f, np.zeros((2, 3))) with numpy 2.4: the dict padded with spaces to 118 bytes, then \n.
    const h = npyHeader([2, 3]);
    expect(h.length).toBe(128);
    expect(h.subarray(0, 10)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]));
    expect(h.toString('latin1', 10)).toBe(
      `${"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }".padEnd(117)}\n`,
    );
    expect(npyHeader([5]).toString('latin1')).toContain("'shape': (5,), }");
    expect(npyHeader([]).toString('latin1')).toContain("'shape': (), }");
  });

  it('reads back what it writes, for 0-d, 1-d and 3-d arrays, bit for bit', () => {
    for (const [shape, values] of [
      [[], [Math.PI]],
      [[4], [0, -0, 1e-300, -Infinity]],
      [
        [2, 1, 3],
        [0.1, 0.2, 0.7, NaN, 5e-324, 1.7976931348623157e308],
      ],
    ] as [number[], number[]][]) {
      const a = parseNpy(save(shape, values), 'a.npy');
      expect(a.shape).toEqual(shape);
      expect(Array.from(a.data)).toEqual(values);
    }
  });

  it('reads version 2.0 headers (uint32 length)', () => {
    const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }".padEnd(115) + '\n';
    const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 0]);
    pre.writeUInt32LE(dict.length, 8);
    const a = parseNpy(Buffer.concat([pre, Buffer.from(dict, 'latin1'), npyData(Float64Array.from([1, 2]))]), 'v2.npy');
    expect(a).toMatchObject({ shape: [2] });
    expect(Array.from(a.data)).toEqual([1, 2]);
  });

  it('refuses other dtypes, Fortran order, truncated data, trailing bytes and non-npy files, naming the file', () => {
    const good = save([2, 2], [1, 2, 3, 4]);
    const withDict = (from: string, to: string) => Buffer.from(good.toString('latin1').replace(from, to), 'latin1');
    expect(() => parseNpy(withDict("'<f8'", "'<f4'"), 'x.npy')).toThrow(
      /^x\.npy: .*data type is '<f4', but only float64/,
    );
    expect(() => parseNpy(withDict("'<f8'", "'>f8'"), 'x.npy')).toThrow(/data type is '>f8'/);
    expect(() => parseNpy(withDict('False', 'True '), 'x.npy')).toThrow(/^x\.npy: .*Fortran order/);
    expect(() => parseNpy(good.subarray(0, good.length - 1), 'x.npy')).toThrow(
      /^x\.npy: .*truncated: shape \[2, 2\] needs 32 bytes of data but it has 31/,
    );
    expect(() => parseNpy(Buffer.concat([good, Buffer.alloc(8)]), 'x.npy')).toThrow(/8 bytes after the data/);
    expect(() => parseNpy(good.subarray(0, 40), 'x.npy')).toThrow(/truncated: the header says 118 bytes/);
    expect(() => parseNpy(Buffer.from('y0,y1\n0.5,0.5\n'), 'x.npy')).toThrow(
      /^x\.npy: not a readable \.npy file: it does not start with the NumPy magic/,
    );
  });
});
