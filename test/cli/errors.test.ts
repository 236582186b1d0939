/**
 * Every kind of bad input ends the same way: one line on stderr that names the flag or file and
 * the rule, exit status 2, no stack trace, and no output file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entries, relaxedMc, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());
const inputs = [
  '3cols.csv',
  'bad.csv',
  'noheader.csv',
  'bad.json',
  'ragged.json',
  'f4.npy',
  'fortran.npy',
  'trunc.npy',
  'off-simplex.csv',
];

beforeAll(() => {
  const w = (f: string, s: string | Buffer) => writeFileSync(join(tmp.dir, f), s);
  w('3cols.csv', 'y0,y1,y2\n0.2,0.3,0.5\n');
  w('bad.csv', 'y0,y1,y2\n0.2,0.3,0.5\n0.2,,0.8\n');
  w('noheader.csv', '0.2,0.3,0.5\n0.2,0.3,0.5\n');
  w('off-simplex.csv', 'y0,y1,y2\n0.2,0.3,0.6\n');
  w('bad.json', '[0.7, 0.2,');
  w('ragged.json', '[[1, 2, 3], [1, 2]]');
  const npy = (descr: string, fortran: string, shape: string, data: Buffer) => {
    const dict = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
    const header = Buffer.alloc(128 - 10, 0x20);
    header.write(dict, 'latin1');
    header[header.length - 1] = 0x0a;
    const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
    return Buffer.concat([pre, header, data]);
  };
  w('f4.npy', npy('<f4', 'False', '(1, 3)', Buffer.alloc(12)));
  w('fortran.npy', npy('<f8', 'True', '(1, 3)', Buffer.alloc(24)));
  w('trunc.npy', npy('<f8', 'False', '(2, 3)', Buffer.alloc(24)));
});

const dist = ['--probs', '0.7,0.2,0.1'];
const cases: [string, string[], RegExp][] = [
  ['an unknown flag', ['estimate', '--bogus'], /unknown option '--bogus'/],
  ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  [
    'a fractional --samples',
    ['estimate', '--samples', '1.5', '--out', 'o.json'],
    /--samples must be a positive integer .* but got '1\.5'/,
  ],
  [
    'a negative --samples',
    ['estimate', '--samples', '-3', '--out', 'o.json'],
    /--samples must be a positive integer .* but got '-3'/,
  ],
  [
    'a word for --samples',
    ['estimate', '--samples', 'abc', '--out', 'o.json'],
    /--samples must be a positive integer .* but got 'abc'/,
  ],
  [
    'an empty --samples',
    ['estimate', '--samples=', '--out', 'o.json'],
    /--samples must be a positive integer .* but got ''/,
  ],
  ['a missing --samples value', ['estimate', '--samples'], /option '--samples <n>' argument missing/],
  ['a fractional --seed', ['estimate', '--seed', '0.5', '--out', 'o.json'], /--seed must be a non-negative integer/],
  [
    'zero --threads',
    ['estimate', '--threads', '0', '--out', 'o.json'],
    /--threads must be a positive integer .* but got '0'/,
  ],
  [
    'a malformed probability',
    ['estimate', '--probs', '0.7,abc,0.1', '--out', 'o.json'],
    /--probs: 'abc' \(entry 2 of 3\) is not a finite decimal number/,
  ],
  [
    'an empty list entry',
    ['estimate', '--probs', '0.7,,0.1', '--out', 'o.json'],
    /--probs: '' \(entry 2 of 3\) is not a finite decimal number/,
  ],
  ['negative probabilities', ['estimate', '--probs', '-1,-2', '--out', 'o.json'], /--probs: .*constraint Simplex\(\)/],
  [
    'a zero temperature',
    ['estimate', '--temperature', '0', '--out', 'o.json'],
    /--temperature: .*GreaterThan\(lower_bound=0\.0\)/,
  ],
  [
    'a malformed temperature',
    ['estimate', '--temperature', '0.5x', '--out', 'o.json'],
    /--temperature: '0\.5x' is not a finite decimal number/,
  ],
  [
    'unbroadcastable batch shapes',
    ['estimate', '--temperature', '[1,2,3]', '--probs', '[[1,2],[3,4]]', '--out', 'o.json'],
    /--temperature and --probs: .*not broadcastable/,
  ],
  [
    'both --probs and --logits',
    ['estimate', '--probs', '1,2', '--logits', '1,2', '--out', 'o.json'],
    /'--probs <p>' cannot be used with option '--logits <l>'/,
  ],
  [
    'a missing @file.json',
    ['estimate', '--logits', '@missing.json', '--out', 'o.json'],
    /--logits @missing\.json: cannot read the file \(ENOENT/,
  ],
  [
    'malformed JSON in @file.json',
    ['estimate', '--logits', '@bad.json', '--out', 'o.json'],
    /--logits @bad\.json: not valid JSON/,
  ],
  [
    'a ragged JSON array',
    ['estimate', '--logits', '@ragged.json', '--out', 'o.json'],
    /--logits @ragged\.json: the array must be rectangular/,
  ],
  [
    'an unknown --format',
    ['estimate', '--format', 'xml', '--out', 'o.json'],
    /'--format <format>' argument 'xml' is invalid\. Allowed choices are table, json, csv/,
  ],
  ['a missing --out', ['sample', ...dist, '--samples', '10'], /required option '--out <file>' not specified/],
  [
    'a missing --samples for sample',
    ['sample', ...dist, '--out', 'o.npy'],
    /required option '--samples <n>' not specified/,
  ],
  [
    'an --out of unknown type',
    ['sample', ...dist, '--samples', '10', '--out', 'o.txt'],
    /--out o\.txt: the file name must end in \.npy or \.csv/,
  ],
  [
    'an --out in a missing folder',
    ['sample', ...dist, '--samples', '10', '--out', 'nowhere/o.npy'],
    /--out nowhere\/o\.npy: cannot create a file in the directory .*ENOENT/,
  ],
  [
    'an unreadable --values file',
    ['log-prob', '--temperature', '0.5', ...dist, '--values', 'missing.npy', '--out', 'o.npy'],
    /--values missing\.npy: cannot read the file \(ENOENT/,
  ],
  [
    'values of the wrong width',
    ['log-prob', '--temperature', '0.5', '--probs', '0.5,0.5', '--values', '3cols.csv', '--out', 'o.npy'],
    /--values 3cols\.csv: each value must have K = 2 entries .* \(3 per value\)/,
  ],
  [
    'an empty CSV field',
    ['log-prob', '--temperature', '0.5', ...dist, '--values', 'bad.csv', '--out', 'o.npy'],
    /--values bad\.csv: line 3, column 2 is empty/,
  ],
  [
    'a CSV without a header',
    ['log-prob', '--temperature', '0.5', ...dist, '--values', 'noheader.csv', '--out', 'o.npy'],
    /--values noheader\.csv: line 1 must be a header/,
  ],
  [
    'a float32 .npy',
    ['log-prob', '--temperature', '0.5', ...dist, '--values', 'f4.npy', '--out', 'o.npy'],
    /--values f4\.npy: .*data type is '<f4', but only float64/,
  ],
  [
    'a Fortran-order .npy',
    ['log-prob', '--temperature', '0.5', ...dist, '--values', 'fortran.npy', '--out', 'o.npy'],
    /--values fortran\.npy: .*Fortran order/,
  ],
  [
    'a truncated .npy',
    ['log-prob', '--temperature', '0.5', ...dist, '--values', 'trunc.npy', '--out', 'o.npy'],
    /--values trunc\.npy: .*truncated: shape \[2, 3\] needs 48 bytes of data but it has 24/,
  ],
  [
    'values off the simplex',
    ['log-prob', '--temperature', '0.5', ...dist, '--values', 'off-simplex.csv', '--out', 'o.npy', '--threads', '1'],
    /--values off-simplex\.csv: Expected value argument .* to be within the support \(Simplex\(\)\)/,
  ],
  [
    'a nested --probs for sweep',
    ['sweep', '--probs', '[[1,2],[3,4]]', '--out', 'o.json'],
    /--probs: sweep takes one vector of K numbers/,
  ],
  [
    'a --plot of unknown type',
    ['sweep', '--plot', 'fig.pdf'],
    /--plot fig\.pdf: the file name must end in \.svg or \.png/,
  ],
  [
    'a sweep --out of unknown type',
    ['sweep', '--out', 'sweep.pdf'],
    /--out sweep\.pdf: the file name must end in \.json \(JSON\), \.csv \(CSV\), or \.txt or nothing \(the table\)/,
  ],
];

describe('bad input exits 2 with one line naming the flag or file, and writes nothing', () => {
  for (const [what, args, message] of cases) {
    it(`${what}: ${args.join(' ')}`, async () => {
      const r = await relaxedMc(args, tmp.dir);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^relaxed-mc: error: [^\n]+\n$/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(entries(tmp.dir)).toEqual([...inputs].sort());
    });
  }

  it('plain relaxed-mc prints the help on stderr and exits 2', async () => {
    const r = await relaxedMc([], tmp.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: relaxed-mc \[options\] \[command\]/);
  });

  it('--help lists every subcommand and exits 0', async () => {
    const r = await relaxedMc(['--help'], tmp.dir);
    expect(r.code).toBe(0);
    for (const c of ['estimate', 'sample', 'log-prob', 'sweep'])
      expect(r.stdout).toMatch(new RegExp(`^  ${c} \\[options\\]`, 'm'));
  });
});
