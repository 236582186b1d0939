/**
 * Reading a report refuses anything the comparison could misread, with one message naming the
 * file, the field and the rule.
 */
import { describe, expect, it } from 'vitest';
import { BenchInputError } from '../../src/bench/errors.js';
import { parseReport } from '../../src/bench/report.js';
import { around, syntheticReport } from './helpers.js';

const good = () => syntheticReport({ a: { rounds: around(5, 1e6, 0.02) }, b: { rounds: around(5, 2e6, 0.02) } });
const text = (x: unknown) => JSON.stringify(x);

describe('parseReport', () => {
  it('reads back a report it wrote', () => {
    const r = good();
    expect(parseReport(text(r), 'base.json')).toEqual(r);
  });

  it('refuses text that is not JSON, naming the file', () => {
    expect(() => parseReport('{"schema": ', 'base.json')).toThrow(BenchInputError);
    expect(() => parseReport('{"schema": ', 'base.json')).toThrow(
      /^base\.json: not valid JSON \(.+\); expected a report written by relaxed-mc bench --json\.$/,
    );
    expect(() => parseReport('', 'empty.json')).toThrow(/empty\.json: not valid JSON/);
  });

  it('refuses JSON that is not a bench report', () => {
    expect(() => parseReport('[1, 2]', 'x.json')).toThrow('x.json: the document must be an object, but got [1,2].');
    expect(() => parseReport('{"mean": [0.5]}', 'x.json')).toThrow(
      "x.json: not a relaxed-mc bench report: schema must be 'relaxed-mc-bench-report', but got nothing (the field is missing).",
    );
  });

  it('refuses another report version, saying which versions are involved', () => {
    const r = { ...good(), version: 2 };
    expect(() => parseReport(text(r), 'base.json')).toThrow(
      /base\.json: report version 2 cannot be read by this relaxed-mc, which reads version 1/,
    );
  });

  it('names a missing or ill-typed field by its path', () => {
    const r = good() as unknown as { benchmarks: { normalized: { rounds: unknown[] } }[] };
    r.benchmarks[1].normalized.rounds[2] = 'fast';
    expect(() => parseReport(text(r), 'base.json')).toThrow(
      'base.json: benchmarks[1].normalized.rounds[2] must be a positive number, but got "fast".',
    );
    const s = good() as unknown as Record<string, unknown>;
    delete s.calibration;
    expect(() => parseReport(text(s), 'base.json')).toThrow(
      'base.json: calibration must be an object, but got nothing (the field is missing).',
    );
  });

  it('refuses an empty benchmark list and duplicate ids', () => {
    expect(() => parseReport(text({ ...good(), benchmarks: [] }), 'b.json')).toThrow(/benchmarks is empty/);
    const r = good();
    r.benchmarks[1].id = 'a';
    expect(() => parseReport(text(r), 'b.json')).toThrow(/benchmarks\[1\]\.id "a" appears twice/);
  });

  it('refuses settings that are not flat values', () => {
    const r = good() as unknown as { benchmarks: { settings: Record<string, unknown> }[] };
    r.benchmarks[0].settings.K = { nested: true };
    expect(() => parseReport(text(r), 'b.json')).toThrow(
      /benchmarks\[0\]\.settings\.K must be a string, a finite number, a boolean or an array of strings/,
    );
  });

  it('reads the optional confirmation rounds and slowdown pattern, and refuses them malformed', () => {
    const r = syntheticReport({ a: { rounds: around(5, 1e6, 0.02), confirmation: around(30, 1e6, 0.02) } });
    r.method.slowdownPattern = 'moments/*';
    expect(parseReport(text(r), 'c.json')).toEqual(r);
    const bad = JSON.parse(text(r)) as { benchmarks: { confirmation: { rounds: unknown[] } }[] };
    bad.benchmarks[0].confirmation.rounds = [];
    expect(() => parseReport(text(bad), 'c.json')).toThrow(
      'c.json: benchmarks[0].confirmation.rounds must be a non-empty array of positive numbers, but got [].',
    );
    const pattern = JSON.parse(text(r)) as { method: { slowdownPattern: unknown } };
    pattern.method.slowdownPattern = 3;
    expect(() => parseReport(text(pattern), 'c.json')).toThrow(
      'c.json: method.slowdownPattern must be a non-empty string, but got 3.',
    );
  });
});
