/**
 * The strict number grammar, the parameter syntax (lists, JSON arrays, @file.json) and the CSV
 * reader: every refusal names its flag or file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvBlocks, parseCsv, parseCsvAsync } from '../../src/cli/csv.js';
import { parseCount, parseCsvNumber, parseDecimal } from '../../src/cli/numbers.js';
import { parseNumeric, parseVector } from '../../src/cli/params.js';
import { tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());

describe('numbers', () => {
  it('accepts decimal literals only: no empty string, hex, trailing junk or words', () => {
    expect(['0.7', '-2', '+.5', '1.', '1e-3', '2E+8'].map(parseDecimal)).toEqual([0.7, -2, 0.5, 1, 0.001, 2e8]);
    expect(['', ' ', '0x10', '1.5abc', 'Infinity', 'NaN', '1e999', '1,5', '--1'].map(parseDecimal)).toEqual(
      Array(9).fill(null),
    );
  });

  it('counts accept scientific notation for whole numbers and refuse fractions, signs and zero', () => {
    expect(parseCount('1e8', 1)).toBe(1e8);
    expect(parseCount('1.5e3', 1)).toBe(1500);
    expect(parseCount('0', 0)).toBe(0);
    for (const bad of ['1.5', '-3', 'abc', '', '0', '1e-2', '1e300', ' 5']) expect(parseCount(bad, 1)).toBeNull();
  });

  it('CSV fields may also be nan and inf, as NumPy and JavaScript write them', () => {
    expect(parseCsvNumber('nan')).toBeNaN();
    expect(['inf', '-Infinity', '+INF'].map(parseCsvNumber)).toEqual([Infinity, -Infinity, Infinity]);
    expect(parseCsvNumber('infinit')).toBeNull();
  });
});

describe('parameters', () => {
  it('reads comma lists, JSON arrays, bare numbers and @file.json', () => {
    writeFileSync(join(tmp.dir, 'p.json'), '[[0, 1, 2], [2, 1, 0]]');
    expect(parseNumeric('0.7, 0.2,0.1', '--probs')).toEqual([0.7, 0.2, 0.1]);
    expect(parseNumeric('0.5', '--temperature')).toBe(0.5);
    expect(parseNumeric('[[0,1,2],[2,1,0]]', '--logits')).toEqual([
      [0, 1, 2],
      [2, 1, 0],
    ]);
    expect(parseNumeric(`@${join(tmp.dir, 'p.json')}`, '--logits')).toEqual([
      [0, 1, 2],
      [2, 1, 0],
    ]);
    expect(parseVector('2', '--temperatures')).toEqual([2]);
  });

  it('refuses malformed input with the flag, the rule and the value', () => {
    expect(() => parseNumeric('0.7,,0.1', '--probs')).toThrow(
      "--probs: '' (entry 2 of 3) is not a finite decimal number",
    );
    expect(() => parseNumeric('', '--probs')).toThrow(/--probs must be a number, a comma-separated list/);
    expect(() => parseNumeric('[1, "a"]', '--logits')).toThrow(
      /--logits '\[1, "a"\]': every entry must be a number, but the entry at \[1\] is "a"/,
    );
    expect(() => parseNumeric('[[1],[1,2]]', '--logits')).toThrow(/must be rectangular/);
    expect(() => parseNumeric('{"a": 1}', '--logits')).toThrow(`--logits: '{"a": 1}' is not a finite decimal number`);
    expect(() => parseNumeric('@', '--logits')).toThrow(/'@' must be followed by a file name/);
    expect(() => parseVector('[[1]]', '--temperatures')).toThrow(/--temperatures must be a flat list/);
  });
});

describe('csv', () => {
  it('reads a header and rows of numbers, spaces around fields allowed, CRLF too', () => {
    expect(parseCsv('a,b\r\n 1 ,2e-1\r\n3,-4\r\n', 'v.csv')).toMatchObject({ header: ['a', 'b'], rows: 2 });
    expect(Array.from(parseCsv('a,b\n1,2\n3,-4', 'v.csv').data)).toEqual([1, 2, 3, -4]);
  });

  it('refuses empty fields, ragged rows, junk, a missing header and an empty file, naming file and line', () => {
    expect(() => parseCsv('a,b\n1,\n', 'v.csv')).toThrow('v.csv: line 2, column 2 is empty');
    expect(() => parseCsv('a,b\n1,2,3\n', 'v.csv')).toThrow('v.csv: line 2 has 3 fields but the header has 2.');
    expect(() => parseCsv('a,b\n1,2x\n', 'v.csv')).toThrow("v.csv: line 2, column 2: '2x' is not a number");
    expect(() => parseCsv('1,2\n3,4\n', 'v.csv')).toThrow('v.csv: line 1 must be a header');
    expect(() => parseCsv('', 'v.csv')).toThrow('v.csv: the file is empty');
    expect(() => parseCsv('a,b\n1,2\n\n3,4\n', 'v.csv')).toThrow('v.csv: line 3 has 1 field but the header has 2.');
  });

  it('reads a file of several decoding windows as one string would read it, and reports its rows', async () => {
    // About 5 MB: five windows of 1 MiB, with a multi-byte header and CRLF line ends, and an
    // error on the last line so that line numbers across windows are checked too.
    const rows = 300_000;
    const body = Array.from({ length: rows }, (_, r) => `${r / 7},${-r},${r % 3 === 0 ? ' 1e-300 ' : '0.5'}\r\n`);
    const text = `y\u00e9,\u4e2d,\u{1F600}\r\n${body.join('')}`;
    const seen: { done: number; total: number }[] = [];
    const a = await parseCsvAsync(Buffer.from(text, 'utf8'), 'v.csv', undefined, (p) => seen.push(p), 0);
    expect(a.header).toEqual(['y\u00e9', '\u4e2d', '\u{1F600}']);
    expect(a.rows).toBe(rows);
    expect(a.data[3 * 123_456]).toBe(123_456 / 7);
    expect(a.data[3 * (rows - 1) + 1]).toBe(-(rows - 1));
    expect(a.data[3 * 299_997 + 2]).toBe(1e-300);
    // Reports from the first slice on, every one of the rows known, the count rising to the end.
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((p) => p.total === rows)).toBe(true);
    expect(seen.every((p, i) => i === 0 || p.done >= seen[i - 1].done)).toBe(true);
    expect(seen[seen.length - 1].done).toBeGreaterThan(rows * 0.9);
    await expect(parseCsvAsync(Buffer.from(`${text}1,2\r\n`, 'utf8'), 'v.csv')).rejects.toThrow(
      `v.csv: line ${rows + 2} has 2 fields but the header has 3.`,
    );
  });

  it('writes shortest round-trip numbers that read back bit for bit', () => {
    const values = Float64Array.from([0.1, 1 / 3, 5e-324, -0, 123456789.123]);
    const text = `x\n${[...csvBlocks(values, 1, 2)].join('')}`;
    expect(Array.from(parseCsv(text, 'x.csv').data)).toEqual(Array.from(values));
  });
});
