/**
 * The benchmark scripts' flags: unknown flags, missing values and malformed numbers stop a
 * script before it starts (some run for an hour), and `--help` prints the usage instead of
 * running the defaults.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, oneOf, parseFlags, positiveNumber, usageText, wholeNumber } from '../../bench/cli-args.js';

const FLAGS = {
  rounds: { arg: 'N', help: 'rounds' },
  only: { arg: 'LIST', help: 'which' },
  hog: { help: 'a busy loop beside it' },
} as const;

describe('parseFlags', () => {
  it('reads valued flags and switches, in both spellings', () => {
    expect(parseFlags(['--rounds', '7', '--hog', '--only=W1,W3'], FLAGS)).toEqual({
      rounds: '7',
      only: 'W1,W3',
      hog: true,
    });
    expect(parseFlags([], FLAGS)).toEqual({ rounds: undefined, only: undefined, hog: false });
  });

  it('answers help to --help and -h wherever they stand', () => {
    expect(parseFlags(['--help'], FLAGS)).toBe('help');
    expect(parseFlags(['--rounds', '3', '-h'], FLAGS)).toBe('help');
  });

  it.each([
    [['--round', '3'], /--round/],
    [['--rounds'], /--rounds/],
    [['--rounds', '--hog'], /--rounds/],
    [['--hog=yes'], /--hog/],
    [['extra'], /extra/],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(() => parseFlags(argv, FLAGS)).toThrow(UsageError);
    expect(() => parseFlags(argv, FLAGS)).toThrow(message);
  });

  it('lists every flag in the usage', () => {
    const text = usageText('node x.js [flags]', FLAGS);
    for (const f of ['--rounds N', '--only LIST', '--hog', '--help']) expect(text).toContain(f);
  });
});

describe('flag values', () => {
  it('whole numbers: the fallback when absent, the rule named when malformed', () => {
    expect(wholeNumber('rounds', undefined, 5)).toBe(5);
    expect(wholeNumber('rounds', '12', 5, 1)).toBe(12);
    expect(wholeNumber('samples', '1e9', 5, 1)).toBe(1e9);
    for (const bad of ['0', '2.5', 'abc', '', '-1', '1e300'])
      expect(() => wholeNumber('rounds', bad, 5, 1)).toThrow(/--rounds must be a whole number of at least 1/);
  });

  it('positive numbers and choices', () => {
    expect(positiveNumber('scale', '0.25', 1)).toBe(0.25);
    for (const bad of ['0', '-1', 'Infinity', 'NaN', 'x'])
      expect(() => positiveNumber('scale', bad, 1)).toThrow(/--scale must be a finite number above 0/);
    expect(oneOf('outputs', 'fresh', ['reused', 'fresh'] as const, 'reused')).toBe('fresh');
    expect(() => oneOf('outputs', 'new', ['reused', 'fresh'] as const, 'reused')).toThrow(
      /--outputs must be one of reused, fresh/,
    );
  });
});

describe('a benchmark script', () => {
  // The gate's reliability run takes an hour by default: a mistyped flag must not start it.
  const script = join(fileURLToPath(new URL('../../', import.meta.url)), 'dist/bench/gate-reliability.js');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 30_000 });

  it('prints its usage on --help and runs nothing', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: node dist/bench/gate-reliability.js');
    expect(r.stdout).toContain('--detect-group N');
    expect(r.stdout).not.toContain('gate reliability:');
  });

  it.each([
    [['--suite', 'nightly'], /--suite must be one of/],
    [['--false', 'many'], /--false must be a whole number/],
    [['--slowdown', 'fast'], /RELAXED_MC_BENCH_SLOWDOWN must be a decimal/],
    [['--group', '0@moments/*'], /--group must slow something down/],
    [['--hogg'], /--hogg/],
  ])('exits 2 on %j with the flag named', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
